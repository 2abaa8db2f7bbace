"""Options and helpers shared by the commands: where the database is, and opening it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from graph.errors import UmbrellaError
from graph.store import Store, is_server, open_store
from umbrella.config import DB_ENV, DEFAULT_DB, NEO4J_DATABASE_ENV

F = TypeVar("F", bound=Callable[..., Any])
_neo4j_database: list[str | None] = [None]


def _remember_database(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    _neo4j_database[0] = value


def neo4j_database_option(f: F) -> F:
    """``--neo4j-database``: which database of a Neo4j server (env NEO4J_DATABASE)."""
    return click.option(
        "--neo4j-database", envvar=NEO4J_DATABASE_ENV, expose_value=False,
        callback=_remember_database,
        help=f"Database on a Neo4j server (env {NEO4J_DATABASE_ENV}; default neo4j).")(f)


def db_option(f: F) -> F:
    """``--db``: a database file or a Neo4j address (env UMBRELLA_DB)."""
    f = neo4j_database_option(f)
    return click.option(
        "--db", "db", envvar=DB_ENV, default=DEFAULT_DB, show_default=True,
        help=f"Database file, or a Neo4j address such as neo4j://host:7687 (env {DB_ENV}; "
        "credentials only from NEO4J_USER / NEO4J_PASSWORD).")(f)


def open_db(db: str | Path) -> Store:
    """Open ``--db`` (a file, or a Neo4j server with the chosen database)."""
    return open_store(db, database=_neo4j_database[0])


def wal_files(db: Path) -> list[Path]:
    """An SQLite database file and its write-ahead-log companions."""
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def load_into(db: str, set_aside: Path | None, work: Callable[[Store], Any]) -> tuple[Any, Path]:
    """Run the load ``work(store)`` on ``--db`` and write its set-aside rows as CSV.

    A database file this call created is removed again when the load fails.
    Returns the report and where the set-aside rows were (or would have been) written.
    """
    from loaders.load import write_set_aside_csv

    server = is_server(db)
    db_path = Path("neo4j-load") if server else Path(db)
    created = not server and not db_path.exists()
    store = open_db(db)
    try:
        report = work(store)
    except BaseException:
        store.close()
        if created:
            for f in wal_files(db_path):
                f.unlink(missing_ok=True)
        raise
    store.close()
    target = set_aside or db_path.with_name(db_path.stem + ".set-aside.csv")
    if report.set_aside:
        write_set_aside_csv(report.set_aside, target)
    return report, target


def open_existing(db: str) -> Store:
    """Open a database that must exist already (a file that is there, or any server)."""
    if not is_server(db) and not Path(db).exists():
        raise UmbrellaError(f"{db}: no such database",
                            hint="load data first (umbrella load FOLDER), or pass --db")
    return open_db(db)
