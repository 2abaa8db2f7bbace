"""Tooltip texts: plain text lines (the page shows them with ``textContent``).

The labels (kind, tie type and its meaning, property names, dates, "source") are in
the run's language; names, ids, titles and property values are shown as written.

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
since 2019-01-01
source: positions.csv:7
>>> from lang import use_language
>>> with use_language("zh"):
...     print(edge_tip(EdgeRecord("p:1", "p:2", "KIN", start="2019-01-01", end="2020-05-01",
...                               props={"relation": "spouse"}, sources=["a.csv:2", "b.csv:3"]),
...                    {"p:1": "张三", "p:2": "李四"}, reveal=False))
张三 → 李四
亲属：配偶
自2019年1月1日至2020年5月1日
来源行：a.csv:2、b.csv:3
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lang import _, formats, ngettext, pgettext
from lang.formats import period
from visualizations.records import EdgeRecord, NodeId, NodeRecord
from visualizations.safe import mask_props, shown
from visualizations.words import detail_word, kind_word, listed, meaning, prop_label, tie_word

#: Edge properties that name what the tie is (shown as its label).
DETAIL_PROPS = ("relation", "role", "title", "status")
MAX_PROPS = 24
MAX_SOURCES = 8


def _sources(sources: list[str], reveal: bool) -> str:
    head = [shown(s, reveal, 120) for s in sources[:MAX_SOURCES]]
    text = listed(head, max(len(sources) - MAX_SOURCES, 0))
    return ngettext("source: {rows}", "sources: {rows}", len(sources)).format(rows=text)


def _props(props: dict[str, object], reveal: bool) -> list[str]:
    lines = []
    for key in sorted(props, key=str)[:MAX_PROPS]:
        if props[key] is not None and props[key] != "":
            lines.append(_("{name}: {value}").format(name=shown(prop_label(key), reveal, 40),
                                                     value=_prop(key, props, reveal)))
    if len(props) > MAX_PROPS:
        lines.append(_("… and {n} more properties").format(n=len(props) - MAX_PROPS))
    return lines


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
    kind = kind_word(n.kind) if n.kind else pgettext("view", "node")
    lines = [name, f"{shown(kind, reveal, 40)} · {ids}"]
    if n.highlight:
        lines.append(_("(evidence)"))
    elif n.faded:
        lines.append(_("(surrounding, not part of the evidence)"))
    lines += _props(mask_props(n.props, reveal), reveal)
    if n.sources:
        lines.append(_sources(n.sources, reveal))
    return "\n".join(lines)


def _detail(e: EdgeRecord) -> tuple[str, str]:
    for key in DETAIL_PROPS:
        value = e.props.get(key)
        if value not in (None, ""):
            return key, str(value)
    return "", e.label


def edge_detail(e: EdgeRecord) -> str:
    """What the tie is, in one word or title: relation, role, post title, or the label
    (vocabulary codes in the run's language, titles as written).

    Examples
    --------
    >>> edge_detail(EdgeRecord("a", "b", "KIN", props={"relation": "spouse"}))
    'spouse'
    """
    key, value = _detail(e)
    return detail_word(e.type, key, value) if key else value


def edge_tip(e: EdgeRecord, labels: Mapping[NodeId, str], reveal: bool) -> str:
    """Ends, type and meaning, dates, other properties, source rows."""
    a = labels.get(e.src) or shown(e.src, reveal, 60)
    b = labels.get(e.dst) or shown(e.dst, reveal, 60)
    kind = shown(tie_word(e.type) if e.type else pgettext("view", "tie"), reveal, 40)
    what = meaning(e.type)
    head = _("{type} ({meaning})").format(type=kind, meaning=what) if what else kind
    detail = edge_detail(e)
    if detail:
        head = _("{tie}: {detail}").format(tie=head, detail=shown(detail, reveal, 200))
    lines = [f"{a} → {b}", head]
    if e.start or e.end:
        lines.append(shown(period(e.start, e.end), reveal, 80))
    if e.highlight:
        lines.append(_("(evidence)"))
    elif e.faded:
        lines.append(_("(surrounding, not part of the evidence)"))
    lines += _props(mask_props({k: v for k, v in e.props.items() if k not in DETAIL_PROPS},
                               reveal), reveal)
    if e.sources:
        lines.append(_sources(e.sources, reveal))
    return "\n".join(lines)
