"""A graph drawn on the server as inline SVG, for pages that go on paper (the case-file report).

No script, no font or image fetched, no reference outside the drawing: lines, shapes and
text only, every text escaped and identity numbers masked unless ``reveal``. The layout
is deterministic: positions given (a saved canvas) are kept as they are; otherwise
networkx's spring layout with a fixed seed for a connected graph, else radial trees
(one per connected part, packed in rows; also above
:data:`visualizations.layout.SPRING_MAX` nodes). Ties between the same two entities
bend apart so each stays readable. The drawing scales to the width of its box
(``viewBox``), so it fits a printed page whatever its size.

Examples
--------
>>> from visualizations.records import EdgeRecord, NodeRecord
>>> nodes = [NodeRecord("p:1", "张三", "person", highlight=True),
...          NodeRecord("o:1", "<县局>", "organization")]
>>> svg = graph_svg(nodes, [EdgeRecord("p:1", "o:1", "HOLDS_POST")])
>>> svg.startswith("<svg") and "&lt;县局&gt;" in svg and "<script" not in svg
True
>>> svg == graph_svg(nodes, [EdgeRecord("p:1", "o:1", "HOLDS_POST")])  # same page, same picture
True
>>> svg = graph_svg([NodeRecord("p:2", "李四 11010519491231002X")], [])
>>> "李四 110105*****" in svg, "1949" in svg
(True, False)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from graph.ids import mask_id_numbers
from graph.reach import reachable
from visualizations.layout import SPRING_MAX, radial_layout, spring_layout
from visualizations.records import EdgeRecord, NodeId, NodeRecord
from visualizations.safe import plain_text
from visualizations.style import edge_style, node_style
from visualizations.words import tie_word

#: Width of the drawing in its own units (it is scaled to its box); room kept around it.
WIDTH = 1000.0
MARGIN = 80.0
#: The tallest drawing, as a share of its width (half an A4 page, with room for the summary).
MAX_RATIO = 0.6
#: Longest label drawn under a node (longer ones are cut with an ellipsis).
LABEL_CHARS = 18
#: How far apart ties between the same two entities bend (drawing units).
BEND = 34.0
#: Room around each connected part laid out on its own (layout units).
PART_GAP = 90.0
#: The least distance between two nodes of a part (layout units), for their labels.
NODE_GAP = 130.0

Point = tuple[float, float]


def text_of(value: object, reveal: bool, limit: int = LABEL_CHARS) -> str:
    """A value as escaped one-line text, identity numbers masked unless ``reveal``.

    Examples
    --------
    >>> text_of('<b>"x"</b>', False), text_of("11010519491231002X", False)
    ('&lt;b&gt;&quot;x&quot;&lt;/b&gt;', '110105***********X')
    """
    text = "" if value is None else str(value)
    return escape(plain_text(text if reveal else mask_id_numbers(text), limit))


def layout(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord],
           positions: Mapping[Any, Sequence[float]] | None = None) -> dict[NodeId, Point]:
    """Where each node goes: its given position, else a seeded spring (or radial) layout;
    nodes a canvas gave no position go in a row under the others.

    Examples
    --------
    >>> layout([NodeRecord("a"), NodeRecord("b")], [], {"a": (0, 0), "b": (10, 5)})
    {'a': (0.0, 0.0), 'b': (10.0, 5.0)}
    >>> layout([NodeRecord("a"), NodeRecord("b")], [], {"a": (0, 0)})["b"]
    (0.0, 120.0)
    """
    ids = [n.id for n in nodes]
    if positions is not None:
        out = {i: (float(positions[i][0]), float(positions[i][1])) for i in ids
               if i in positions}
        missing = [i for i in ids if i not in out]
        low = max((y for _x, y in out.values()), default=0.0) + 120.0
        left = min((x for x, _y in out.values()), default=0.0)
        for k, i in enumerate(missing):
            out[i] = (left + 120.0 * k, low)
        return out
    adj: dict[NodeId, list[NodeId]] = {i: [] for i in ids}
    for e in edges:
        if e.src in adj and e.dst in adj and e.src != e.dst:
            adj[e.src].append(e.dst)
            adj[e.dst].append(e.src)
    if len(ids) > SPRING_MAX:
        return radial_layout(adj, [n.id for n in nodes if n.highlight])
    return packed_springs(adj)


def packed_springs(adj: Mapping[NodeId, Sequence[NodeId]]) -> dict[NodeId, Point]:
    """A seeded spring layout of each connected part, the parts side by side in rows,
    largest first (so two small parts do not end up on top of each other).

    Examples
    --------
    >>> pos = packed_springs({"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"]})
    >>> sorted(pos), pos == packed_springs({"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"]})
    (['a', 'b', 'c', 'd'], True)
    """
    parts: list[list[NodeId]] = []
    seen: set[NodeId] = set()
    for n in adj:
        if n not in seen:
            found = reachable(adj, [n])
            seen |= found
            parts.append([m for m in adj if m in found])
    parts.sort(key=len, reverse=True)
    laid: list[tuple[dict[NodeId, Point], float]] = []
    for part in parts:
        pos = _spread(spring_layout({m: [k for k in adj[m] if k in adj] for m in part}))
        radius = max((max(abs(x), abs(y)) for x, y in pos.values()), default=0.0) + PART_GAP
        laid.append((pos, radius))
    # rows as wide as makes the drawing's scale largest in its box (wide, not tall)
    best: tuple[float, dict[NodeId, Point]] = (-1.0, {})
    for k in range(1, len(laid) + 1):
        row_width = max(2 * r for _p, r in laid[:k]) if k == 1 else \
            sum(2 * r for _p, r in laid[:k])
        out, (w, h) = _rows(laid, row_width)
        scale = min((WIDTH - 2 * MARGIN) / w, (WIDTH * MAX_RATIO - 2 * MARGIN) / h)
        if scale > best[0] + 1e-9:
            best = (scale, out)
    return best[1]


def _spread(pos: dict[NodeId, Point]) -> dict[NodeId, Point]:
    """``pos`` stretched (at most 4 times) until no two nodes are nearer than
    :data:`NODE_GAP`, so their labels have room."""
    spots = list(pos.values())
    nearest = min((math.dist(a, b) for i, a in enumerate(spots) for b in spots[i + 1:]),
                  default=NODE_GAP)
    factor = min(4.0, NODE_GAP / nearest) if nearest > 0 else 4.0
    if factor <= 1.0:
        return pos
    return {m: (round(x * factor, 1), round(y * factor, 1)) for m, (x, y) in pos.items()}


def _rows(laid: Sequence[tuple[dict[NodeId, Point], float]],
          row_width: float) -> tuple[dict[NodeId, Point], Point]:
    """Parts (positions around 0, radius) side by side in rows of ``row_width``; the
    positions and the width and height used."""
    out: dict[NodeId, Point] = {}
    x = y = row_height = used = 0.0
    for pos, r in laid:
        if x > 0 and x + 2 * r > row_width + 1e-6:
            x, y, row_height = 0.0, y + row_height, 0.0
        for m, (px, py) in pos.items():
            out[m] = (round(px + x + r, 1), round(py + y + r, 1))
        x += 2 * r
        used = max(used, x)
        row_height = max(row_height, 2 * r)
    return out, (used or 1.0, (y + row_height) or 1.0)


def _fit(pos: Mapping[NodeId, Point]) -> tuple[dict[NodeId, Point], float]:
    """Positions scaled into the drawing (``WIDTH`` wide), and the drawing's height."""
    if not pos:
        return {}, 2 * MARGIN
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    room = WIDTH - 2 * MARGIN
    scale = min(room / span_x if span_x else math.inf,
                (WIDTH * MAX_RATIO - 2 * MARGIN) / span_y if span_y else math.inf)
    if math.isinf(scale):
        scale = 1.0
    used_x = span_x * scale
    off_x = MARGIN + (room - used_x) / 2
    out = {k: (round(off_x + (x - min(xs)) * scale, 1), round(MARGIN + (y - min(ys)) * scale, 1))
           for k, (x, y) in pos.items()}
    return out, round(span_y * scale + 2 * MARGIN, 1)


def _shape(kind: str, x: float, y: float, r: float) -> str:
    """The shape of a node kind (the interactive views' shapes) around ``(x, y)``."""
    shape = node_style(kind).shape

    def poly(points: list[Point]) -> str:
        return '<polygon points="{}"'.format(" ".join(f"{px:.1f},{py:.1f}" for px, py in points))

    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}"'
    if shape == "triangle":
        return poly([(x, y - r * 1.2), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)])
    if shape == "triangleDown":
        return poly([(x, y + r * 1.2), (x + r * 1.1, y - r * 0.8), (x - r * 1.1, y - r * 0.8)])
    if shape == "diamond":
        return poly([(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)])
    if shape == "star":
        return poly([(x + (r * 1.4 if i % 2 == 0 else r * 0.6) * math.sin(i * math.pi / 5),
                      y - (r * 1.4 if i % 2 == 0 else r * 0.6) * math.cos(i * math.pi / 5))
                     for i in range(10)])
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"'


def _edge(e: EdgeRecord, a: Point, b: Point, bend: float, reveal: bool, small: bool) -> str:
    style = edge_style(e.type)
    (x1, y1), (x2, y2) = a, b
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    # control point: off the middle, across the line, by ``bend`` (twice, for a quadratic)
    cx = (x1 + x2) / 2 - 2 * bend * (y2 - y1) / length
    cy = (y1 + y2) / 2 + 2 * bend * (x2 - x1) / length
    width = style.width * (1.6 if e.highlight else 1.0)
    dash = f' stroke-dasharray="{" ".join(map(str, style.dashes))}"' if style.dashes else ""
    opacity = ' stroke-opacity="0.35"' if e.faded else ""
    label_x, label_y = (x1 + x2) / 2 - bend * (y2 - y1) / length, \
        (y1 + y2) / 2 + bend * (x2 - x1) / length
    word = text_of(tie_word(e.type), reveal, 14)
    return (f'<g class="tie"><path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" '
            f'fill="none" stroke="{style.color}" stroke-width="{width:.1f}"{dash}{opacity}/>'
            f'<text x="{label_x:.1f}" y="{label_y:.1f}" class="tie-word" '
            f'font-size="{10 if small else 13}">{word}</text></g>')


def graph_svg(nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord],
              positions: Mapping[Any, Sequence[float]] | None = None, *,
              reveal: bool = False, title: str = "") -> str:
    """The graph as one ``<svg>`` element: each node as its kind's shape and colour with its
    label under it, each tie as its type's line with its type's word; evidence
    (``highlight``) drawn bold, context (``faded``) pale. Ties to nodes not drawn are
    left out. ``title`` (escaped) names the picture for screen readers."""
    drawn = list({n.id: n for n in nodes}.values())
    known = {n.id for n in drawn}
    ties = [e for e in edges if e.src in known and e.dst in known and e.src != e.dst]
    spot, height = _fit(layout(drawn, ties, positions))
    small = len(drawn) > 40
    parts = [f'<svg class="graph" role="img" '
             f'viewBox="0 0 {WIDTH:.0f} {height:.0f}" preserveAspectRatio="xMidYMid meet">',
             f"<title>{text_of(title, reveal, 300)}</title>",
             '<style>.tie-word{fill:#444;text-anchor:middle;paint-order:stroke;stroke:#fff;'
             'stroke-width:3px}.name{fill:#111;text-anchor:middle;paint-order:stroke;'
             'stroke:#fff;stroke-width:4px}</style>']
    pairs: dict[tuple[str, str], int] = {}
    for e in ties:
        pair = (str(min(str(e.src), str(e.dst))), str(max(str(e.src), str(e.dst))))
        pairs[pair] = pairs.get(pair, 0) + 1
    seen: dict[tuple[str, str], int] = {}
    for e in ties:
        pair = (str(min(str(e.src), str(e.dst))), str(max(str(e.src), str(e.dst))))
        k = seen.get(pair, 0)
        seen[pair] = k + 1
        bend = (k - (pairs[pair] - 1) / 2) * BEND
        if str(e.src) != pair[0]:  # the same bend whichever way a tie runs
            bend = -bend
        parts.append(_edge(e, spot[e.src], spot[e.dst], bend, reveal, small))
    r = 9.0 if small else 14.0
    for n in drawn:
        x, y = spot[n.id]
        colour = node_style(n.kind).color
        stroke = ' stroke="#111" stroke-width="2.5"' if n.highlight else \
            ' stroke="#fff" stroke-width="1"'
        opacity = ' fill-opacity="0.45"' if n.faded else ""
        label = text_of(n.label or n.id, reveal)
        parts.append(f'<g class="node">{_shape(n.kind, x, y, r)} fill="{colour}"{stroke}'
                     f'{opacity}/><text x="{x:.1f}" y="{y + r + (13 if small else 20):.1f}" '
                     f'class="name" font-size="{12 if small else 18}">{label}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
