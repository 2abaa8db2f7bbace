"""How each node kind and relationship type looks: colour, shape, line style.

Read from the schema: every node kind of :data:`graph.schema.NODE_KINDS` and
every relationship type of :data:`graph.schema.REL_TYPES` has a style, checked
at import time, so a new kind or type cannot slip into a page unstyled.
Anything else (records fed by other code) gets :data:`OTHER_NODE` /
:data:`OTHER_EDGE`.

Examples
--------
>>> node_style("person").shape, node_style("no such kind").shape
('dot', 'dot')
>>> edge_style("KIN").color
'#d62728'
>>> edge_style("ASSOCIATE").dashes
[6, 4]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.errors import SchemaError
from graph.schema import NODE_KINDS, REL_TYPES


@dataclass(frozen=True)
class NodeStyle:
    """A vis-network shape and fill colour for one node kind."""

    color: str
    shape: str
    noun: str


@dataclass(frozen=True)
class EdgeStyle:
    """Colour, dash pattern (``[]`` = solid) and width for one relationship type."""

    color: str
    dashes: list[int] = field(default_factory=list)
    width: float = 1.5
    meaning: str = ""


NODE_STYLES: dict[str, NodeStyle] = {
    "person": NodeStyle("#4e79a7", "dot", "person"),
    "organization": NodeStyle("#f28e2b", "square", "organization"),
    "contract": NodeStyle("#59a14f", "triangle", "contract"),
    "payment": NodeStyle("#76b7b2", "diamond", "payment"),
    "case": NodeStyle("#e15759", "star", "case"),
    "report": NodeStyle("#b07aa1", "triangleDown", "report"),
}
OTHER_NODE = NodeStyle("#9c9c9c", "dot", "other")

_SOLID: list[int] = []
EDGE_STYLES: dict[str, EdgeStyle] = {
    "KIN": EdgeStyle("#d62728", _SOLID, 2.5),
    "ASSOCIATE": EdgeStyle("#9467bd", [6, 4], 2.0),
    "HOLDS_POST": EdgeStyle("#1f77b4", _SOLID, 1.5),
    "COMPANY_ROLE": EdgeStyle("#ff7f0e", _SOLID, 2.0),
    "PART_OF": EdgeStyle("#a0a0a0", [2, 4], 1.0),
    "BOUGHT": EdgeStyle("#2ca02c", [8, 3], 1.5),
    "APPROVED": EdgeStyle("#bcbd22", _SOLID, 2.0),
    "AWARDED_TO": EdgeStyle("#2ca02c", _SOLID, 2.0),
    "BID": EdgeStyle("#98df8a", [3, 3], 1.5),
    "PAID": EdgeStyle("#17becf", [8, 3], 1.5),
    "PAID_TO": EdgeStyle("#17becf", _SOLID, 2.0),
    "CASE_ROLE": EdgeStyle("#8c564b", [10, 4], 2.0),
    "REPORTED": EdgeStyle("#e377c2", [1, 4], 1.5),
}
OTHER_EDGE = EdgeStyle("#7f7f7f", [4, 4], 1.0)

#: Colours of highlighted (evidence) and faded (surrounding) items.
HIGHLIGHT = "#111111"
FADED_ALPHA = 0.22


def node_style(kind: str) -> NodeStyle:
    """The style of a node kind (:data:`OTHER_NODE` for kinds outside the schema)."""
    return NODE_STYLES.get(kind, OTHER_NODE)


def edge_style(type_: str) -> EdgeStyle:
    """The style of a relationship type, with its meaning from the schema."""
    style = EDGE_STYLES.get(type_, OTHER_EDGE)
    meaning = REL_TYPES[type_].meaning if type_ in REL_TYPES else ""
    return EdgeStyle(style.color, list(style.dashes), style.width, meaning)


def faded(color: str, alpha: float = FADED_ALPHA) -> str:
    """``#rrggbb`` as an ``rgba()`` colour with the given opacity.

    Examples
    --------
    >>> faded("#ff8000", 0.5)
    'rgba(255,128,0,0.5)'
    """
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def check_styles() -> None:
    """Fail fast when a schema kind or type has no style.

    Examples
    --------
    >>> check_styles()
    """
    missing = [k for k in NODE_KINDS if k not in NODE_STYLES]
    missing += [t for t in REL_TYPES if t not in EDGE_STYLES]
    if missing:
        raise SchemaError(f"no view style for {', '.join(missing)}",
                          hint="add them to visualizations/style.py")


check_styles()
