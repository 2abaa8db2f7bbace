"""Team commands: ad-hoc Cypher on Neo4j (``query``), and ``push`` / ``pull`` between
the embedded store and a team's Neo4j database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from graph.errors import UmbrellaError
from graph.store import Store, is_server
from lang import _
from umbrella import console
from umbrella.audit_cmd import audit_options, record
from umbrella.audit_record import looked
from umbrella.options import db_option, neo4j_database_option, open_db, open_existing
from umbrella.output import Output, Rows, output_options
from umbrella.output import write as write_result


@click.command()
@click.argument("cypher")
@db_option
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter ($NAME); VALUE is read as JSON when it is JSON. "
              "Repeatable.")
@click.option("--write", is_flag=True, help="Allow the query to change the database.")
@click.option("--reveal", is_flag=True, help="Show identity numbers unmasked.")
@output_options("results")
@click.option("--limit", default=1000, show_default=True, help="Most rows fetched.")
@click.option("--html", "html", type=click.Path(path_type=Path, dir_okay=False),
              help="Also draw the nodes and relationships of the results as an HTML view.")
@audit_options
def query(cypher: str, db: str, params: tuple[str, ...], write: bool, reveal: bool,
          out: Output, limit: int, html: Path | None) -> None:
    """Run an ad-hoc Cypher query on a Neo4j database.

    Read-only unless --write is given: a query with a write clause (CREATE,
    MERGE, SET, DELETE, ...) or a writing procedure is refused before it is
    sent. Values go in as parameters, never pasted into the text. Identity
    numbers in the results are masked unless --reveal.

    \b
    Example:
      umbrella query "MATCH (p:Person {name: \\$name})-[k:KIN]-(q) RETURN p, k, q" \\
        --param name=张三 --db neo4j://localhost:7687 --html kin.html
    """
    from graph.store.neo4j import Neo4jStore
    from graph.store.neo4j.adhoc import cell_text, parse_params, run_query
    from graph.store.neo4j.guard import refuse_writes

    if not is_server(db):
        raise UmbrellaError(_("{db}: query runs Cypher on a Neo4j database").format(db=db),
                            hint=_("copy this database to Neo4j first: umbrella push --db "
                                   "{db} --to neo4j://HOST:7687").format(db=db))
    values = parse_params(params)
    if not write:
        refuse_writes(cypher)  # before any connection is made
    store = open_db(db)
    try:
        assert isinstance(store, Neo4jStore)
        result = run_query(store.connection, cypher, values, write=write, reveal=reveal,
                           limit=limit)
    finally:
        store.close()
    asked = queried(cypher, params)
    record(db, "search", asked)
    if html is not None:
        looked(db, asked, file=html, reveal=reveal)
        _query_page(result, cypher, html, reveal)
    if out.path is not None or reveal:
        looked(db, asked, out=out, reveal=reveal)
    rows = Rows(result.columns, result.rows, title=_("{n} rows").format(n=len(result.rows)),
                text=cell_text, labelled=False)  # the query's own column names
    write_result(rows, out)


def queried(cypher: str, params: tuple[str, ...]) -> str:
    """An ad-hoc query as the audit trail names it: its text and its parameters.

    Examples
    --------
    >>> queried("MATCH (p:Person {name: $name}) RETURN p", ("name=张三",))
    'MATCH (p:Person {name: $name}) RETURN p [name=张三]'
    """
    return cypher + (f" [{'; '.join(params)}]" if params else "")


def _query_page(result: Any, cypher: str, path: Path, reveal: bool) -> None:
    """Draw the nodes and relationships met in a query's results."""
    from graph.store.neo4j.cypher import KIND_LABELS
    from visualizations.builder import build_page

    nodes = [{"id": eid, "name": n.get("name") or ":".join(n["labels"]),
              "kind": next((KIND_LABELS[x] for x in n["labels"] if x in KIND_LABELS), ""),
              "ids": [n["key"]] if n.get("key") else [], "props": n["properties"]}
             for eid, n in result.nodes.items()]
    edges = [{"id": eid, "from": r["start_id"], "to": r["end_id"], "type": r["type"],
              "props": r["properties"]}
             for eid, r in result.relationships.items()
             if r["start_id"] in result.nodes and r["end_id"] in result.nodes]
    page = build_page(nodes, edges, title=_("Query results"), subtitle=cypher, reveal=reveal)
    page.write(path)
    console.err.print(_("{nodes} nodes and {edges} relationships drawn in {path}").format(
        nodes=len(nodes), edges=len(edges), path=path))


def _copy(src: Store, dst: Store, what: str) -> None:
    from graph.store.copy import copy_store

    with console.progress_bar() as p:
        report = copy_store(src, dst, progress=console.progress_callback(p))
    console.out.print(console.table(
        what, ["what", "copied"],
        [(_("entities"), report.entities), (_("source ids"), report.source_ids),
         (_("relationship records"), report.relations), (_("rows set aside"), report.set_aside),
         (_("findings"), report.findings), (_("loads"), report.loads)], right=("copied",)))


def _copy_between(open_source: Callable[[str], Store], source: str, target: str,
                  what: str) -> None:
    src = open_source(source)
    try:
        dst = open_db(target)
        try:
            _copy(src, dst, what)
        finally:
            dst.close()
    finally:
        src.close()


@click.command()
@db_option
@click.option("--to", "to", required=True, help="The Neo4j address to copy into "
              "(neo4j://host:7687, bolt://..., neo4j+s://...).")
@audit_options
def push(db: str, to: str) -> None:
    """Copy an embedded database into a team's Neo4j database.

    Entities, every source id, relationship records with all their source rows,
    set-aside rows, findings and the load log all travel. Pushing twice adds
    nothing. An empty Neo4j database takes over the file's key secret, so later
    loads on either side key the same persons the same way.

    \b
    Example:
      NEO4J_USER=neo4j NEO4J_PASSWORD=... umbrella push --db case.db --to neo4j://team:7687
    """
    if is_server(db) or not is_server(to):
        raise UmbrellaError(_("push copies a database file (--db) into Neo4j (--to)"),
                            hint=_("umbrella push --db case.db --to neo4j://HOST:7687"))
    record(db, "export", to)
    _copy_between(open_existing, db, to, _("Pushed {db} to {to}").format(db=db, to=to))


@click.command()
@click.option("--from", "source", required=True,
              help="The Neo4j address to copy from (neo4j://host:7687 ...).")
@click.option("--db", "db", required=True, type=click.Path(path_type=Path),
              help="The database file to copy into (new, or pulled from the same source).")
@neo4j_database_option
@audit_options
def pull(source: str, db: Path) -> None:
    """Copy a team's Neo4j database into an embedded database file.

    \b
    Example:
      umbrella pull --from neo4j://team:7687 --db mine.db
    """
    if not is_server(source) or is_server(str(db)):
        raise UmbrellaError(_("pull copies Neo4j (--from) into a database file (--db)"),
                            hint=_("umbrella pull --from neo4j://HOST:7687 --db mine.db"))
    record(source, "export", str(db.resolve()))
    _copy_between(open_db, source, str(db), _("Pulled {source} into {db}").format(
        source=source, db=db))
