"""The ``umbrella`` command: thin click layer over the rooms' library functions."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from graph.errors import UmbrellaError
from graph.store import Store, is_server, open_store
from umbrella import console
from umbrella.config import DB_ENV, DEFAULT_DB

F = TypeVar("F", bound=Callable[..., Any])


class _Failure(click.ClickException):
    """A library error shown as one line plus its fix-it hint."""

    def __init__(self, err: UmbrellaError) -> None:
        super().__init__(err.message)
        self.hint = err.hint

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.message}", err=True)
        if self.hint:
            click.echo(f"Hint: {self.hint}", err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UmbrellaError as err:
            raise _Failure(err) from err


def db_option(f: F) -> F:
    """``--db``: the database file (or, later, a Neo4j URI); env UMBRELLA_DB."""
    return click.option(
        "--db", "db", envvar=DB_ENV, default=DEFAULT_DB, show_default=True,
        help=f"Database file (env {DB_ENV}).")(f)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="umbrella")
def cli() -> None:
    """Map protective-umbrella networks from department exports.

    \b
    Example:
      umbrella demo
      umbrella load ./county --db case.db && umbrella stats --db case.db
    """


def _wal_files(db: Path) -> list[Path]:
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def _load(store: Store, folder: Path, **kw: Any) -> Any:
    from loaders.load import load_folder

    with console.progress_bar() as p:
        return load_folder(folder, store, progress=console.progress_callback(p),  # type: ignore[arg-type]
                           **kw)


def _print_load(report: Any, set_aside_path: Path | None) -> None:
    rows = [(t.table, Path(t.file).name, t.encoding, t.read, t.loaded, t.set_aside)
            for t in report.tables]
    rows.append(("total", "", "", report.read, report.loaded, report.set_aside_count))
    console.out.print(console.table(
        f"Loaded {report.source}", ["table", "file", "encoding", "read", "loaded", "set aside"],
        rows, right=("read", "loaded", "set aside")))
    if report.ignored_files:
        console.out.print(f"Not layout tables, not read: {', '.join(report.ignored_files)}")
    if report.set_aside:
        reasons = Counter(r.code for r in report.set_aside)
        console.out.print("Set aside by reason: " + ", ".join(
            f"{code} {n}" for code, n in reasons.most_common()))
        console.out.print(
            f"Set-aside rows (file, line, column, reason) written to {set_aside_path}")
    else:
        console.out.print("No row was set aside.")


def _run_load(db: str, folder: Path, set_aside: Path | None, **kw: Any) -> Any:
    from loaders.load import write_set_aside_csv

    if is_server(db):
        raise UmbrellaError(f"{db}: loading into Neo4j is not part of this version",
                            hint="use a database file for --db")
    db_path = Path(db)
    created = not db_path.exists()
    store = open_store(db_path)
    try:
        report = _load(store, folder, **kw)
    except BaseException:
        store.close()
        if created:
            for f in _wal_files(db_path):
                f.unlink(missing_ok=True)
        raise
    store.close()
    target = set_aside or db_path.with_name(db_path.stem + ".set-aside.csv")
    if report.set_aside:
        write_set_aside_csv(report.set_aside, target)
    return report, target


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@db_option
@click.option("--encoding", help="Encoding of the CSV files when detection is not enough "
              "(e.g. gb18030, gbk, latin-1).")
@click.option("--delimiter", default=",", show_default=True,
              help="Field separator of the CSV files.")
@click.option("--strict", is_flag=True, help="Fail (and write nothing) if any row would be set "
              "aside.")
@click.option("--set-aside", "set_aside", type=click.Path(path_type=Path),
              help="Where to write the set-aside rows [default: beside the database, "
              "NAME.set-aside.csv].")
def load(folder: Path, db: str, encoding: str | None, delimiter: str, strict: bool,
         set_aside: Path | None) -> None:
    """Load a folder in the data layout into the database.

    Every row is checked; a bad row is set aside with its file, line, column and
    reason, never dropped: rows read = rows loaded + rows set aside. A file that
    cannot be read as a whole stops the load and nothing is written.

    \b
    Example:
      umbrella load ./county --db case.db
    """
    report, target = _run_load(db, folder, set_aside, encoding=encoding, delimiter=delimiter,
                               strict=strict)
    _print_load(report, target)


@cli.command()
@db_option
def stats(db: str) -> None:
    """Count nodes by kind and relationship records by type.

    \b
    Example:
      umbrella stats --db case.db
    """
    if not is_server(db) and not Path(db).exists():
        raise UmbrellaError(f"{db}: no such database",
                            hint="load data first (umbrella load FOLDER), or pass --db")
    store = open_store(db)
    try:
        view = store.view()
        kinds, types = view.counts_by_kind(), view.counts_by_type()
        loads, aside = view.loads(), len(view.set_aside())
    finally:
        store.close()
    console.out.print(console.table(f"Nodes in {db}", ["kind", "count"],
                                    [*kinds.items(), ("total", sum(kinds.values()))],
                                    right=("count",)))
    console.out.print(console.table("Relationship records", ["type", "count"],
                                    [*types.items(), ("total", sum(types.values()))],
                                    right=("count",)))
    console.out.print(f"Loads: {len(loads)}; rows set aside: {aside}")


def _generate(out: Path, scale: float, seed: int) -> Any:
    from loaders.generator import generate_county

    with console.progress_bar() as p:
        return generate_county(out, scale=scale, seed=seed,
                               progress=console.progress_callback(p))  # type: ignore[arg-type]


@cli.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(min=0.05),
              help="County size; 1 is about 20,000 persons.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
def generate(out: Path, scale: float, seed: int) -> None:
    """Write a synthetic county in the data layout, with planted schemes.

    The ground truth (planted schemes, decoys, duplicates, bad rows) is written
    beside the folder as OUT.truth.json, never inside it.

    \b
    Example:
      umbrella generate ./county --scale 1 --seed 7
    """
    result = _generate(out, scale, seed)
    rows = [(t, n) for t, n in result.rows.items()]
    console.out.print(console.table(f"Generated {result.data_dir}", ["table", "rows"], rows,
                                    right=("rows",)))
    console.out.print(f"Ground truth: {result.truth_path}")


@cli.command()
@db_option
@click.option("--scale", default=0.5, show_default=True, type=click.FloatRange(min=0.05),
              help="County size; 1 is about 20,000 persons.")
@click.option("--seed", default=7, show_default=True, type=int, help="Random seed.")
@click.option("--dir", "folder", default="demo-county", show_default=True,
              type=click.Path(path_type=Path), help="Where to write the generated county.")
def demo(db: str, scale: float, seed: int, folder: Path) -> None:
    """Generate a county, load it, run the rules and say what to try next.

    A database that holds only an earlier demo is replaced; any other
    database is left alone.

    \b
    Example:
      umbrella demo --scale 0.5 --seed 7
    """
    db_path = Path(db)
    if is_server(db):
        raise UmbrellaError(f"{db}: the demo runs on the embedded store",
                            hint="pass --db with a file name")
    if db_path.exists():
        store = open_store(db_path)
        sources = {ld["source"] for ld in store.view().loads()}
        store.close()
        if sources - {str(folder.resolve())}:
            raise UmbrellaError(
                f"{db}: holds data other than the demo county",
                hint="run the demo with --db demo.db, or move that database away")
        for f in _wal_files(db_path):
            f.unlink(missing_ok=True)
    if folder.exists() and _only_layout_files(folder):
        shutil.rmtree(folder)
    result = _generate(folder, scale, seed)
    console.out.print(f"Generated a county of {result.rows.get('persons', 0):,} persons in "
                      f"{result.data_dir} (ground truth: {result.truth_path.name})")
    report, target = _run_load(db, result.data_dir, None)
    _print_load(report, target)
    console.out.print("\nTry next:")
    for line in (f"umbrella stats --db {db}",
                 f"umbrella load {result.data_dir} --db {db}   # again: nothing changes",
                 f"open {target} in a spreadsheet to see the rows set aside and why"):
        console.out.print(f"  {line}")


def _only_layout_files(folder: Path) -> bool:
    from loaders.layout import TABLES

    return all(p.is_file() and p.stem in TABLES and p.suffix == ".csv" for p in folder.iterdir())


def main() -> None:
    """Entry point of the ``umbrella`` command."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    cli()
