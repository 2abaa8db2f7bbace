"""``umbrella report``: the case-file report of a finding, as printable HTML and, where a
Chromium is at hand, as PDF.

The click layer only: the page is :func:`visualizations.report.finding_report`, the
PDF :func:`exports.pdf.html_to_pdf`; writing it is logged in the audit trail (an
export, or a reveal with ``--reveal``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from graph.errors import UmbrellaError
from lang import _, ngettext
from umbrella import console
from umbrella.audit_cmd import audit_options, record
from umbrella.options import db_option, open_existing

if TYPE_CHECKING:
    from graph.store import Store


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (UTF-8), making its folder; a clear error when it cannot."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise UmbrellaError(_("cannot write {path}: {error}").format(
            path=path, error=err.strerror or err),
            hint=_("choose a file in a folder you can write to (--out)")) from err


def investigation_page(store: Store, name: str, version: int | None, reveal: bool) -> str:
    """The report of saved investigation ``name`` (its ``version``, else the latest): the
    canvas's input ids read as entity keys, its positions and hidden items with them."""
    from queries.investigations import get, known_keys
    from visualizations.report import canvas_report

    inv = get(store, name, version)
    keys = {i: k or i for i, k in known_keys(store.view(), inv.entities).items()}
    positions = {keys.get(i, i): xy for i, xy in inv.positions.items()}
    hidden = [keys.get(i, i) for i in inv.hidden]
    title = name if not inv.version else f"{name} (v{inv.version})"
    return canvas_report(store, title=title, entities=list(dict.fromkeys(keys.values())),
                         positions=positions, hidden=hidden, notes=inv.notes,
                         as_of=inv.as_of or None, reveal=reveal)


@click.command("report")
@click.argument("finding", required=False)
@db_option
@click.option("--investigation", "investigation", metavar="NAME",
              help="Report a saved investigation (umbrella investigation list) instead.")
@click.option("--version", "version", type=click.IntRange(min=1),
              help="Which saved version of the investigation [default: the latest].")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="The HTML report to write (one self-contained page).")
@click.option("--pdf", "pdf", type=click.Path(path_type=Path, dir_okay=False),
              help="Also print it to this PDF (A4) with Chromium, where one is installed.")
@click.option("--reveal", is_flag=True, help="Show identity numbers unmasked.")
@audit_options
def report_command(finding: str | None, db: str, investigation: str | None,
                   version: int | None, out: Path | None, pdf: Path | None,
                   reveal: bool) -> None:
    """Write the case-file report of a finding or of a saved investigation: one
    printable page for the case file.

    The page holds the summary (rule, category, score, status), the explanation,
    a picture of the evidence, the evidence as a table of facts with source file
    and line, the entities, and the triage history with its notes; identity
    numbers masked unless --reveal, words in the run's language (--lang). It
    makes no request and needs no script: open it anywhere, or print it.

    \b
    Example:
      umbrella report F-3a9c0e12b4d1 --out F-3a9c0e12b4d1.html
      umbrella --lang zh report F-3a9c0e12b4d1 --out 报告.html --pdf 报告.pdf
      umbrella report --investigation 桃峰交通 --out 桃峰交通.html
    """
    if (finding is None) == (investigation is None):
        raise UmbrellaError(_("give a finding id or --investigation NAME (one of them)"),
                            hint=_("umbrella report F-... --out report.html"))
    if version is not None and investigation is None:
        raise UmbrellaError(_("--version belongs to --investigation"),
                            hint=_("umbrella report --investigation NAME --version 2 --out r.html"))
    if out is None and pdf is None:
        raise UmbrellaError(_("nothing to write: give --out FILE.html, --pdf FILE.pdf or both"),
                            hint=_("umbrella report F-... --out report.html"))
    store = open_existing(db)
    try:
        if investigation is not None:
            page = investigation_page(store, investigation, version, reveal)
            finding = investigation
        else:
            from visualizations.report import finding_report

            page = finding_report(store, str(finding), reveal=reveal)
    finally:
        store.close()
    written: list[str] = []
    if out is not None:
        write_text(out, page)
        written.append(str(out.resolve()))
    if pdf is not None:
        from exports.pdf import html_to_pdf

        try:
            pages = html_to_pdf(page, pdf)
        finally:
            if written:  # the HTML is out even when the PDF is not
                record(db, "reveal" if reveal else "export", f"{finding} {written[0]}")
        written.append(str(pdf.resolve()))
        record(db, "reveal" if reveal else "export", f"{finding} {written[-1]}")
        console.out.print(ngettext("Wrote the report of {finding} to {paths} (a PDF of {n} page).",
                                   "Wrote the report of {finding} to {paths} (a PDF of {n} "
                                   "pages).", pages).format(
            finding=finding, paths=" ".join(written), n=pages), soft_wrap=True)
        return
    record(db, "reveal" if reveal else "export", f"{finding} {written[0]}")
    console.out.print(_("Wrote the report of {finding} to {path}.").format(
        finding=finding, path=written[0]), soft_wrap=True)
