"""Tooltip texts: plain text lines (the page shows them with ``textContent``).

Examples
--------
>>> from visualizations.records import NodeRecord, EdgeRecord
>>> print(node_tip(NodeRecord("p:1", "张三", "person", ["P1"],
...                           {"id_number": "11010519491231002X", "birth_date": "1949-12-31"},
...                           ["persons.csv:2"]), reveal=False))
张三
person · P1
birth_date: 1949-12-31
id_number: 110105***********X
source: persons.csv:2
>>> print(edge_tip(EdgeRecord("p:1", "o:1", "HOLDS_POST", start="2019-01-01",
...                           props={"title": "<b>局长</b>"}, sources=["positions.csv:7"]),
...                {"p:1": "张三", "o:1": "教育局"}, reveal=False))
张三 → 教育局
HOLDS_POST (holds a post at): <b>局长</b>
from 2019-01-01
source: positions.csv:7
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lang import formats
from visualizations.records import EdgeRecord, NodeId, NodeRecord
from visualizations.safe import mask_props, shown
from visualizations.style import edge_style

#: Edge properties that name what the tie is (shown as its label).
DETAIL_PROPS = ("relation", "role", "title", "status")
MAX_PROPS = 24
MAX_SOURCES = 8


def _sources(sources: list[str], reveal: bool) -> str:
    head = ", ".join(shown(s, reveal, 120) for s in sources[:MAX_SOURCES])
    more = f" and {len(sources) - MAX_SOURCES} more" if len(sources) > MAX_SOURCES else ""
    return ("source: " if len(sources) == 1 else "sources: ") + head + more


#: Properties that are amounts of money in the record's ``currency``.
MONEY_PROPS = ("amount", "unit_price", "total")


def _prop(key: str, props: Mapping[str, Any], reveal: bool) -> str:
    """A property as shown: an amount with the currency its record states (never a sign
    the record does not give), anything else as written.

    Examples
    --------
    >>> _prop("amount", {"amount": 156220610.1, "currency": "NGN"}, False)
    'NGN156,220,610.10'
    >>> _prop("amount", {"amount": "12.5"}, False)
    '12.5'
    """
    value = props[key]
    currency = props.get("currency")
    if key in MONEY_PROPS and isinstance(currency, str) and currency.strip():
        try:
            return formats.money(float(value), currency)
        except (TypeError, ValueError):
            pass
    return shown(value, reveal, 200)


def node_tip(n: NodeRecord, reveal: bool) -> str:
    """Name, kind and ids, properties (masked unless ``reveal``), source rows."""
    name = shown(n.label, reveal, 200) or shown(n.id, reveal, 200)
    ids = "/".join(shown(i, reveal, 60) for i in n.ids) or shown(n.id, reveal, 200)
    lines = [name, f"{shown(n.kind or 'node', reveal, 40)} · {ids}"]
    if n.highlight:
        lines.append("(evidence)")
    elif n.faded:
        lines.append("(surrounding, not part of the evidence)")
    props = mask_props(n.props, reveal)
    for key in sorted(props, key=str)[:MAX_PROPS]:
        if props[key] is not None and props[key] != "":
            lines.append(f"{shown(key, reveal, 40)}: {_prop(key, props, reveal)}")
    if len(props) > MAX_PROPS:
        lines.append(f"… and {len(props) - MAX_PROPS} more properties")
    if n.sources:
        lines.append(_sources(n.sources, reveal))
    return "\n".join(lines)


def edge_detail(e: EdgeRecord) -> str:
    """What the tie is, in one word or title: relation, role, post title, or the label.

    Examples
    --------
    >>> edge_detail(EdgeRecord("a", "b", "KIN", props={"relation": "spouse"}))
    'spouse'
    """
    for key in DETAIL_PROPS:
        value = e.props.get(key)
        if value not in (None, ""):
            return str(value)
    return e.label


def edge_tip(e: EdgeRecord, labels: Mapping[NodeId, str], reveal: bool) -> str:
    """Ends, type and meaning, dates, other properties, source rows."""
    style = edge_style(e.type)
    a = labels.get(e.src) or shown(e.src, reveal, 60)
    b = labels.get(e.dst) or shown(e.dst, reveal, 60)
    head = shown(e.type or "tie", reveal, 40)
    if style.meaning:
        head += f" ({style.meaning})"
    detail = edge_detail(e)
    lines = [f"{a} → {b}", head + (f": {shown(detail, reveal, 200)}" if detail else "")]
    dates = " ".join(x for x in (f"from {e.start}" if e.start else "",
                                 f"to {e.end}" if e.end else "") if x)
    if dates:
        lines.append(shown(dates, reveal, 80))
    if e.highlight:
        lines.append("(evidence)")
    elif e.faded:
        lines.append("(surrounding, not part of the evidence)")
    props = mask_props({k: v for k, v in e.props.items() if k not in DETAIL_PROPS}, reveal)
    for key in sorted(props, key=str)[:MAX_PROPS]:
        if props[key] is not None and props[key] != "":
            lines.append(f"{shown(key, reveal, 40)}: {_prop(key, props, reveal)}")
    if e.sources:
        lines.append(_sources(e.sources, reveal))
    return "\n".join(lines)
