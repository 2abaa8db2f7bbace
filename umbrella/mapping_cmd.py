"""``umbrella map`` and the mapped form of ``umbrella load``: thin layers over loaders.mapping."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from graph.errors import UmbrellaError
from lang import _
from umbrella import console
from umbrella.options import SetAsideFile, load_into

if TYPE_CHECKING:
    from graph.store import Store
    from loaders.mapping import MappedLoadReport


@click.command("map")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--template", is_flag=True,
              help="Write a starter mapping from the file's headers, best guesses filled in "
              "and the rest marked TODO.")
@click.option("--sheet", help="Only this sheet of an .xlsx workbook (name or number).")
@click.option("--encoding", help="Encoding of a CSV file when detection is not enough "
              "(e.g. gb18030, gbk).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the mapping to this file [default: print it].")
@click.option("--force", is_flag=True, help="Overwrite an existing -o file.")
def map_command(file: Path, template: bool, sheet: str | None, encoding: str | None,
                output: Path | None, force: bool) -> None:
    """Write a column mapping for a department export (CSV or .xlsx).

    A mapping says which sheet feeds which table of the data layout and which
    column is which field (Chinese or any headers), with constants, simple
    transforms and how ids are formed. Edit the template where it says TODO,
    then load the export through it with `umbrella load --mapping`.

    \b
    Example:
      umbrella map 干部名册.xlsx --template -o roster.yaml
      umbrella load --mapping roster.yaml 干部名册.xlsx --db case.db
    """
    from loaders.mapping import map_template

    if not template:
        raise click.UsageError(_("say what to write: add --template for a starter mapping"))
    if output is not None and output.exists() and not force:
        raise UmbrellaError(_("{file}: exists already (an edited mapping?)").format(file=output),
                            hint=_("choose another -o file, or add --force to overwrite it"))
    picked: str | int | None = int(sheet) if sheet and sheet.isdigit() else sheet
    text = map_template(file, sheet=picked, encoding=encoding)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    console.err.print(_("Mapping written to {mapping}; check the lines marked TODO, then run:")
                      .format(mapping=output) + f"\n  umbrella load --mapping {output} {file}")


def run_mapped_load(db: str, mapping: Path, sources: list[Path], set_aside: Path | None = None,
                    *, strict: bool = False, encoding: str | None = None, command: str = "",
                    take_over: bool = False, wait: float = 0.0
                    ) -> tuple[MappedLoadReport, SetAsideFile]:
    """Load ``sources`` through ``mapping`` into ``db``, as ``umbrella load`` does a folder.

    Returns the :class:`~loaders.mapping.MappedLoadReport` and the file of its set-aside
    rows (:class:`~umbrella.options.SetAsideFile`). A database file this call created is
    removed again when the load fails; ``command``, ``take_over`` and ``wait`` are as in
    :func:`umbrella.options.load_into`.
    """
    from loaders.mapping import load_mapped

    def work(store: Store) -> MappedLoadReport:
        with console.progress_bar() as p:
            return load_mapped(mapping, sources, store, console.progress_callback(p),
                               strict=strict, encoding=encoding)

    return load_into(db, set_aside, work, command=command, take_over=take_over, wait=wait)


def print_mapped_notes(report: MappedLoadReport) -> None:
    """What a mapped load adds to the load table: folded rows and unused file patterns."""
    for table, file, n in report.merged:
        console.out.print(_("{file}: {n:,} {table} row(s) repeated an earlier row's id and "
                            "values (distinct) and were folded into it").format(
                                file=Path(file).name, n=n, table=table))
    if report.unused:
        console.out.print(_("Mapping sources matched by no file given: {patterns}").format(
            patterns=_(", ").join(report.unused)))
