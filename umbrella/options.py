"""Options and helpers shared by the commands: where the database is, and opening it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from graph.errors import UmbrellaError
from graph.store import SetAsideRecord, Store, is_server, open_store
from lang import _
from umbrella import console
from umbrella.config import DB_ENV, DEFAULT_DB, NEO4J_DATABASE_ENV

F = TypeVar("F", bound=Callable[..., Any])
_neo4j_database: list[str | None] = [None]


class DateType(click.ParamType[str]):
    """A date option (``--on``): :func:`lang.formats.parse_date`, refused with a message
    naming the option and the form it wants.

    Examples
    --------
    >>> @click.command()
    ... @click.option("--on", type=DATE)
    ... def show(on: str) -> None:
    ...     click.echo(on)
    >>> from click.testing import CliRunner
    >>> from lang import use_language
    >>> with use_language("en"):
    ...     CliRunner().invoke(show, ["--on", "2021-02-30"]).output.splitlines()[-1]
    "Error: Invalid value for '--on': 2021-02-30 is no day of the calendar; write a date \
as YYYY-MM-DD, such as 2021-02-28"
    """

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        from lang.formats import DATE_FORM

        return DATE_FORM

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        from lang.formats import DATE_FORM, DateError, parse_date

        try:
            return parse_date(value)
        except DateError as err:
            message = (_("{value} is not a date written {form}, such as 2021-02-28")
                       if err.fault == "form" else
                       _("{value} is no day of the calendar; write a date as {form}, "
                         "such as 2021-02-28"))
            self.fail(message.format(value=value, form=DATE_FORM), param, ctx)


#: The type of every date option.
DATE = DateType()


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


@dataclass(frozen=True)
class SetAsideFile:
    """The file of set-aside rows written after a load: where, how many rows, and what
    became of an earlier file there when the load set nothing aside (``removed``: it was
    the list of an earlier load; ``kept``: not a set-aside list, left alone)."""

    path: Path
    rows: int = 0
    stale: str = ""


def _is_set_aside_list(path: Path) -> bool:
    """Whether ``path`` is a set-aside list umbrella wrote (by its header line, in any
    interface language)."""
    from exports.columns import header_lines
    from loaders.report import SET_ASIDE_COLUMNS

    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            head = fh.readline().strip()
    except (OSError, UnicodeDecodeError):
        return False
    return head in {*header_lines(SET_ASIDE_COLUMNS),
                    "file,line,table,column,reason,message,row"}


def write_set_aside_file(records: list[SetAsideRecord], path: Path) -> SetAsideFile:
    """Write exactly ``records`` (one load's) to ``path`` as CSV, identity numbers masked;
    with no record, remove an earlier set-aside list there (never another file).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "case.set-aside.csv"
    >>> r = SetAsideRecord("p.csv", 3, "persons", "name", "missing_required", "name is blank",
    ...                    {"id_number": "11010519491231002X", "name": ""}, load=2)
    >>> write_set_aside_file([r], path).rows
    1
    >>> import csv
    >>> row = list(csv.reader(path.open(encoding="utf-8-sig")))[1]
    >>> row[:6]
    ['2', 'p.csv', '3', 'persons', 'name', 'missing_required']
    >>> row[7]
    '{"id_number": "110105***********X", "name": ""}'
    >>> write_set_aside_file([], path).stale, path.exists()
    ('removed', False)
    """
    from exports.tables import write_table
    from loaders.report import cell_text, set_aside_table

    if records:
        columns, rows = set_aside_table(sorted(records, key=lambda r: (r.load, r.file, r.line)))
        write_table(columns, [[cell_text(v) for v in row] for row in rows], path, "csv")
        return SetAsideFile(path, len(rows))
    if not path.exists():
        return SetAsideFile(path)
    if path.is_file() and _is_set_aside_list(path):
        path.unlink()
        return SetAsideFile(path, stale="removed")
    return SetAsideFile(path, stale="kept")


def load_into(db: str, set_aside: Path | None, work: Callable[[Store], Any], *,
              command: str = "", take_over: bool = False, wait: float = 0.0
              ) -> tuple[Any, SetAsideFile]:
    """Run the load ``work(store)`` on ``--db`` and write its set-aside rows as CSV.

    The load claims the database's load lock as ``command`` (how to run it again, should
    it stop half-way), waiting up to ``wait`` seconds for another load (saying so on
    stderr; see :func:`loaders.pipeline.claim_options`). A database file this call
    created is removed again when the load fails. Returns the report and the file of
    this load's set-aside rows (:func:`write_set_aside_file`).
    """
    from loaders.pipeline import claim_options

    server = is_server(db)
    db_path = Path("neo4j-load") if server else Path(db)
    created = not server and not db_path.exists()
    store = open_db(db)
    try:
        with claim_options(command, take_over=take_over, wait=wait,
                           on_wait=lambda why: console.err.print(why, soft_wrap=True)):
            report = work(store)
    except BaseException:
        store.close()
        if created:
            for f in wal_files(db_path):
                f.unlink(missing_ok=True)
        raise
    store.close()
    target = set_aside or db_path.with_name(db_path.stem + ".set-aside.csv")
    return report, write_set_aside_file(report.set_aside, target)


def open_existing(db: str) -> Store:
    """Open a database that must exist already (a file that is there, or any server)."""
    if not is_server(db) and not Path(db).exists():
        raise UmbrellaError(_("{db}: no such database").format(db=db),
                            hint=_("load data first (umbrella load FOLDER), or pass --db"))
    return open_db(db)
