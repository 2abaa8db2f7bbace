"""``umbrella export html``: interactive graph views as self-contained HTML files.

The click layer only parses options, resolves input ids and calls
:mod:`visualizations`; :func:`write_scan_pages` (one page per top finding
plus an index) is re-exported here for ``umbrella scan --html DIR``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from graph.errors import UmbrellaError
from graph.store import Store
from lang import _
from umbrella import console
from umbrella.audit_cmd import audit_options
from umbrella.audit_record import looked
from umbrella.options import DATE, db_option, open_existing

__all__ = ["export", "html", "write_scan_pages"]


def write_scan_pages(store: Store, findings: Sequence[Mapping[str, Any]], out_dir: Path,
                     top: int = 20, reveal: bool = False) -> Path:
    """One page per top finding plus ``index.html`` in ``out_dir``; returns the index path.

    See :func:`visualizations.index.write_scan_pages` (imported when first used,
    so the command line starts fast).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import open_store
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> store = open_store(d / "x.db")
    >>> write_scan_pages(store, [], d / "pages").name
    'index.html'
    >>> store.close()
    """
    from visualizations.index import write_scan_pages as write

    return write(store, findings, out_dir, top=top, reveal=reveal)


@click.group()
def export() -> None:
    """Export views of the graph to files.

    \b
    Example:
      umbrella export html --finding F-3a9c0e12b4d1 -o lead.html
    """


@export.command("html")
@db_option
@click.option("--finding", "finding_id", metavar="ID", help="A finding id (F-...) from scan.")
@click.option("--entity", metavar="ID", help="An input id (or exact name): its neighbourhood.")
@click.option("--path", "ends", nargs=2, metavar="A B", help="Two input ids: the shortest "
              "explanation paths between them.")
@click.option("--hops", default=2, show_default=True, type=click.IntRange(1, 4),
              help="Neighbourhood depth (with --entity).")
@click.option("--on", "on", type=DATE, help="Only ties in force on this date "
              "(YYYY-MM-DD), with --entity or --path.")
@click.option("--reveal", is_flag=True, help="Show identity numbers unmasked.")
@click.option("--max-nodes", default=400, show_default=True, type=click.IntRange(2, 20000),
              help="Largest number of nodes drawn; the least relevant are left out, and the "
              "page says so.")
@click.option("--hub-degree", default=100, show_default=True, type=click.IntRange(1),
              help="Do not expand (or pass through) nodes with more ties than this.")
@click.option("--size-by", default="degree", show_default=True,
              type=click.Choice(["degree", "amount", "none"]),
              help="What sets a node's size.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The HTML file to write.")
@audit_options
def html(db: str, finding_id: str | None, entity: str | None, ends: tuple[str, str] | None,
         hops: int, on: str | None, reveal: bool, max_nodes: int, hub_degree: int,
         size_by: str, output: Path) -> None:
    """Write an interactive graph view as one self-contained HTML file.

    The page opens offline in any browser and makes no request: vis-network
    and the data are inside the file. Evidence is highlighted, nodes are
    coloured by kind and ties styled by type, with a legend, a search box
    (name or id) and filters by relationship type. Texts are shown as plain
    text; identity numbers are masked unless --reveal.

    \b
    Example:
      umbrella export html --finding F-3a9c0e12b4d1 -o lead.html
      umbrella export html --entity P0001387 --hops 2 --on 2022-02-09 -o p.html
      umbrella export html --path P0001387 O000603 -o path.html
    """
    from queries.lookup import find_entity
    from visualizations.pages import finding_page, neighbourhood_page, path_page

    chosen = [name for name, v in (("--finding", finding_id), ("--entity", entity),
                                   ("--path", ends)) if v]
    if len(chosen) != 1:
        raise click.UsageError(_("give exactly one of --finding ID, --entity ID or --path A B"))
    if not output.parent.is_dir():
        raise UmbrellaError(_("{folder}: no such folder").format(folder=output.parent),
                            hint=_("create it first"))
    store = open_existing(db)
    try:
        view = store.view()
        if finding_id:
            page = finding_page(view, finding_id, reveal=reveal, max_nodes=max_nodes,
                                hub_degree=hub_degree, size_by=size_by)
        elif entity:
            page = neighbourhood_page(view, find_entity(view, entity), hops=hops, on=on,
                                      reveal=reveal, max_nodes=max_nodes,
                                      hub_degree=hub_degree, size_by=size_by)
        else:
            assert ends is not None
            a, b = (find_entity(view, x) for x in ends)
            page = path_page(view, a, b, on=on, reveal=reveal, max_nodes=max_nodes,
                             hub_degree=hub_degree, size_by=size_by)
    finally:
        store.close()
    looked(db, "", file=output, reveal=reveal)
    page.write(output)
    left = page.nodes_total - page.nodes_shown
    console.out.print((
        _("Wrote {file}: {nodes:,} nodes, {ties:,} ties ({left:,} nodes left out, see the "
          "page). It opens offline in any browser.") if left else
        _("Wrote {file}: {nodes:,} nodes, {ties:,} ties. It opens offline in any browser."))
        .format(file=output, nodes=page.nodes_shown, ties=page.edges_shown, left=left))


