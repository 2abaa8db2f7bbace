"""Plain node and edge records: what any code hands to the page builder.

A record is a small dataclass, or a plain mapping with the same keys (so the
results of a query, a cluster or a finding can be fed as dicts). Ids are text
or integers (numpy integers are turned into ``int``; anything else is
refused, because vis-network and pyvis only take those).

Examples
--------
>>> n = as_node({"id": "P1", "name": "张三", "kind": "person", "sources": ["persons.csv:2"]})
>>> n.label, n.kind, n.sources
('张三', 'person', ['persons.csv:2'])
>>> e = as_edge({"from": "P1", "to": "O1", "type": "HOLDS_POST", "title": "局长"})
>>> e.src, e.dst, e.props
('P1', 'O1', {'title': '局长'})
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NodeId = str | int

_NODE_KEYS = {"id", "key", "label", "name", "kind", "node", "ids", "props", "properties",
              "sources", "highlight", "faded", "relevance"}
_EDGE_KEYS = {"id", "src", "from", "dst", "to", "type", "rel", "label", "start", "end", "props",
              "properties", "sources", "highlight", "faded", "meaning"}


@dataclass
class NodeRecord:
    """A node to draw.

    ``sources`` are ``file:line`` texts (or mappings with ``file`` and ``line``);
    ``highlight`` marks evidence, ``faded`` marks surrounding context;
    ``relevance`` (higher = kept first) overrides degree when a view is capped.
    """

    id: NodeId
    label: str = ""
    kind: str = ""
    ids: list[str] = field(default_factory=list)
    props: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    highlight: bool = False
    faded: bool = False
    relevance: float | None = None


@dataclass
class EdgeRecord:
    """A tie to draw, from ``src`` to ``dst``; ``type`` is a relationship type."""

    src: NodeId
    dst: NodeId
    type: str = ""
    id: str = ""
    label: str = ""
    start: str | None = None
    end: str | None = None
    props: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    highlight: bool = False
    faded: bool = False


def node_id(value: Any) -> NodeId:
    """A node id as vis-network takes it: ``str`` or ``int``.

    Examples
    --------
    >>> import numpy as np
    >>> node_id(np.int64(7)), node_id("P1")
    (7, 'P1')
    >>> node_id(1.5)
    Traceback (most recent call last):
    ...
    TypeError: node ids must be text or integers, not float (1.5)
    """
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    raise TypeError(f"node ids must be text or integers, not {type(value).__name__} ({value!r})")


def source_texts(sources: Any) -> list[str]:
    """``file:line`` texts from texts, ``SourceRef``-like objects or ``{file, line}`` mappings.

    Examples
    --------
    >>> source_texts([{"file": "a.csv", "line": 3, "path": "/x/a.csv"}, "b.csv:4"])
    ['a.csv:3', 'b.csv:4']
    """
    out: list[str] = []
    for s in sources or ():
        if isinstance(s, str):
            out.append(s)
        elif isinstance(s, Mapping):
            out.append(f"{str(s.get('file', '')).replace(chr(92), '/').rsplit('/', 1)[-1]}:"
                       f"{s.get('line', '')}")
        elif hasattr(s, "short"):
            out.append(str(s.short()))
        else:
            out.append(str(s))
    return list(dict.fromkeys(out))


def as_node(record: NodeRecord | Mapping[str, Any]) -> NodeRecord:
    """A :class:`NodeRecord` from a record or a mapping (unknown keys become properties)."""
    if isinstance(record, NodeRecord):
        return NodeRecord(node_id(record.id), record.label, record.kind, list(record.ids),
                          dict(record.props), source_texts(record.sources), record.highlight,
                          record.faded, record.relevance)
    raw = record.get("id", record.get("key"))
    if raw is None:
        raise ValueError(f"a node record needs an 'id': {dict(record)!r}"[:200])
    props = dict(record.get("props") or record.get("properties") or {})
    props.update({k: v for k, v in record.items() if k not in _NODE_KEYS})
    rel = record.get("relevance")
    return NodeRecord(
        id=node_id(raw), label=str(record.get("label") or record.get("name") or ""),
        kind=str(record.get("kind") or record.get("node") or ""),
        ids=[str(i) for i in record.get("ids") or ()], props=props,
        sources=source_texts(record.get("sources")), highlight=bool(record.get("highlight")),
        faded=bool(record.get("faded")), relevance=None if rel is None else float(rel))


def as_edge(record: EdgeRecord | Mapping[str, Any]) -> EdgeRecord:
    """An :class:`EdgeRecord` from a record or a mapping (``from``/``to`` or ``src``/``dst``;
    ``type`` or ``rel``; unknown keys become properties)."""
    if isinstance(record, EdgeRecord):
        return EdgeRecord(node_id(record.src), node_id(record.dst), record.type, record.id,
                          record.label, record.start, record.end, dict(record.props),
                          source_texts(record.sources), record.highlight, record.faded)
    src, dst = record.get("src", record.get("from")), record.get("dst", record.get("to"))
    if src is None or dst is None:
        raise ValueError(f"an edge record needs 'from' and 'to': {dict(record)!r}"[:200])
    props = dict(record.get("props") or record.get("properties") or {})
    props.update({k: v for k, v in record.items() if k not in _EDGE_KEYS})
    return EdgeRecord(
        src=node_id(src), dst=node_id(dst), type=str(record.get("type") or record.get("rel") or ""),
        id=str(record.get("id") or ""), label=str(record.get("label") or ""),
        start=_opt(record.get("start")), end=_opt(record.get("end")), props=props,
        sources=source_texts(record.get("sources")), highlight=bool(record.get("highlight")),
        faded=bool(record.get("faded")))


def _opt(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
