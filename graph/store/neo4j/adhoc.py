"""Ad-hoc Cypher (``umbrella query``): read-only unless asked, results as plain rows.

Parameters arrive as ``name=value`` texts (JSON values, else strings) and are
always sent as query parameters. Nodes and relationships in the results become
plain dicts; identity numbers are masked unless ``reveal``.

Examples
--------
>>> parse_params(["name=张三", "n=5", 'ids=["P1","P2"]', 'code="007"'])
{'name': '张三', 'n': 5, 'ids': ['P1', 'P2'], 'code': '007'}
>>> mask_values({"id_number": "11010519491231002X", "n": 3})
{'id_number': '110105***********X', 'n': 3}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import neo4j
from neo4j.graph import Node, Path, Relationship

from graph.errors import UmbrellaError
from graph.ids import mask_id_number
from graph.store.neo4j.connection import Connection
from graph.store.neo4j.guard import refuse_writes
from graph.text import _

_ID_NUMBER = re.compile(r"^(?:\d{17}[\dXx]|\d{15})$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_params(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``k=v`` texts to a parameter dict (``v`` read as JSON when it is JSON)."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not _NAME.match(name):
            raise UmbrellaError(_("--param {item!r}: expected NAME=VALUE").format(item=item),
                                hint=_("for example --param name=张三 or --param n=5"))
        try:
            out[name] = json.loads(raw)
        except ValueError:
            out[name] = raw
    return out


def mask_values(value: Any) -> Any:
    """Mask every text that looks like a resident identity number, at any depth."""
    if isinstance(value, str):
        return mask_id_number(value) if _ID_NUMBER.match(value) else value
    if isinstance(value, dict):
        return {k: mask_values(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_values(v) for v in value]
    return value


@dataclass
class QueryResult:
    """Columns, plain rows, and the nodes and relationships met in them (for a view)."""

    columns: list[str]
    rows: list[list[Any]]
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    relationships: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Plain:
    def __init__(self, reveal: bool) -> None:
        self.reveal = reveal
        self.nodes: dict[str, dict[str, Any]] = {}
        self.rels: dict[str, dict[str, Any]] = {}

    def node(self, n: Node) -> dict[str, Any]:
        props = dict(n.items())
        out = {"labels": sorted(n.labels), "key": props.pop("key", None),
               "name": props.pop("name", None), "properties": props}
        out = out if self.reveal else mask_values(out)
        self.nodes[n.element_id] = out
        return out

    def rel(self, r: Relationship) -> dict[str, Any]:
        props = dict(r.items())
        start = r.start_node.get("key") if r.start_node is not None else None
        end = r.end_node.get("key") if r.end_node is not None else None
        out = {"type": r.type, "start": start, "end": end, "properties": props}
        out = out if self.reveal else mask_values(out)
        self.rels[r.element_id] = {
            **out, "start_id": r.start_node.element_id if r.start_node is not None else None,
            "end_id": r.end_node.element_id if r.end_node is not None else None}
        for n in (r.start_node, r.end_node):
            if n is not None:
                self.node(n)
        return out

    def value(self, v: Any) -> Any:
        if isinstance(v, Node):
            return self.node(v)
        if isinstance(v, Relationship):
            return self.rel(v)
        if isinstance(v, Path):
            return {"nodes": [self.node(n) for n in v.nodes],
                    "relationships": [self.rel(r) for r in v.relationships]}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if hasattr(v, "iso_format"):
            return v.iso_format()
        return v if self.reveal else mask_values(v)


def run_query(conn: Connection, query: str, params: dict[str, Any], write: bool = False,
              reveal: bool = False, limit: int | None = None) -> QueryResult:
    """Run ``query`` (refused before sending when it writes and ``write`` is False)."""
    if not write:
        refuse_writes(query)

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[list[Any]], _Plain]:
        result = tx.run(query, params)
        plain = _Plain(reveal)
        rows: list[list[Any]] = []
        for record in result:
            rows.append([plain.value(v) for v in record.values()])
            if limit is not None and len(rows) >= limit:
                break
        return list(result.keys()), rows, plain

    columns, rows, plain = conn.run_in_write(work) if write else conn.run_in_read(work)
    return QueryResult(columns, rows, plain.nodes, plain.rels)


def cell_text(value: Any) -> str:
    """A value as one table cell: nodes as ``name [key]``, the rest as compact JSON.

    Examples
    --------
    >>> cell_text({"labels": ["Entity", "Person"], "key": "p:s:P1", "name": "张三",
    ...            "properties": {}})
    '张三 [p:s:P1]'
    >>> cell_text([1, "a"]), cell_text(None), cell_text("x")
    ('[1, "a"]', '', 'x')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "labels" in value and "properties" in value:
        return f"{value.get('name') or ':'.join(value['labels'])} [{value.get('key') or ''}]"
    if isinstance(value, dict) and "type" in value and "properties" in value:
        return f"({value.get('start')})-[{value['type']}]->({value.get('end')})"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
