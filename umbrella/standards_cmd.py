"""Standards on the command line: ``umbrella load --format`` and ``umbrella export ftm``.

Thin layers over :mod:`loaders.standards` and :mod:`exports.ftm`:
:func:`load_source` is what ``umbrella load SOURCE --format auto|layout|ftm|ocds|bods``
calls; :data:`export_group` is the ``umbrella export`` group with its ``ftm``
command (other ``export`` subcommands may be added to the same group).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from graph.store import Store
from lang import _
from umbrella import console
from umbrella.audit_cmd import audit_options
from umbrella.audit_record import looked
from umbrella.options import db_option, open_existing

FORMAT_CHOICE = click.Choice(["auto", "layout", "ftm", "ocds", "bods"], case_sensitive=False)


def format_option(f: Any) -> Any:
    """``--format``: what the SOURCE is (detected by default)."""
    return click.option(
        "--format", "fmt", type=FORMAT_CHOICE, default="auto", show_default=True,
        help="What SOURCE is: a layout folder, or FollowTheMoney, OCDS or BODS JSON "
             "(a file or a folder of them; JSON lines and .json.gz too).")(f)


def load_source(store: Store, source: Path, fmt: str = "auto", **options: Any) -> Any:
    """Load ``source`` in format ``fmt`` with a progress bar; returns the load report."""
    from loaders.standards import load_any

    with console.progress_bar() as p:
        return load_any(source, store, fmt=fmt, progress=console.progress_callback(p),
                        **options)


def print_notes(report: Any) -> None:
    """The conversion notes of a standard's load (nothing for a layout folder)."""
    for note in getattr(report, "notes", []):
        console.out.print(_("Note: {note}").format(note=note))


@click.group("export")
def export_group() -> None:
    """Write the database out in other formats.

    \b
    Example:
      umbrella export ftm -o case.ftm.json --db case.db
    """


@export_group.command("ftm")
@db_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="FtM JSON-lines file to write.")
@click.option("--reveal", is_flag=True, help="Include identity numbers (left out by default).")
@click.option("--no-findings", is_flag=True, help="Leave out the stored findings.")
@audit_options
def export_ftm_command(db: str, output: Path, reveal: bool, no_findings: bool) -> None:
    """Write the graph and its findings as FollowTheMoney entities (JSON lines).

    The file opens in Aleph / OpenAleph and other FtM tools (findings are Note
    entities on the entities they are about), and `umbrella load` reads it back.

    \b
    Example:
      umbrella scan --db case.db
      umbrella export ftm -o case.ftm.json --db case.db
      alephclient write-entities -f case.ftm.json -i my-collection
    """
    from exports.ftm import export_ftm

    store = open_existing(db)
    try:
        looked(db, "", file=output, reveal=reveal)
        counts = export_ftm(store.view(), output, reveal=reveal, findings=not no_findings)
    finally:
        store.close()
    rows = sorted(counts.items())
    console.out.print(console.table(_("Written {file}").format(file=output),
                                    ["FtM schema", "entities"],
                                    [*rows, (_("total"), sum(counts.values()))],
                                    right=("entities",)))


@click.command("parquet")
@db_option
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@audit_options
def export_parquet_command(db: str, folder: Path) -> None:
    """Write the store's tables as Parquet, as the rules read them (for Spark or DuckDB).

    One file per table: rel_<TYPE>.parquet (every relationship record, its dates,
    properties and source file and line), ent_<kind>.parquet (entities and their
    properties; identity numbers are never written), aliases.parquet (input ids)
    and relation_sources.parquet. `umbrella scan --engine spark --parquet FOLDER`
    runs the pattern rules on them, on this machine or a cluster.

    \b
    Example:
      umbrella export parquet ./case-parquet --db case.db
      umbrella scan --engine spark --parquet ./case-parquet --db case.db
    """
    from exports.parquet import export_parquet

    store = open_existing(db)
    try:
        looked(db, "", file=folder)
        with console.progress_bar() as p:
            counts = export_parquet(store.view(), folder, console.progress_callback(p))
    finally:
        store.close()
    console.out.print(console.table(_("Written {file}").format(file=folder),
                                    ["table", "rows"],
                                    [*sorted(counts.items()), (_("total"), sum(counts.values()))],
                                    right=("rows",)))
