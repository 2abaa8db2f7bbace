"""Node positions computed in Python, so a page draws at once without physics.

Small views use networkx's spring layout. Large ones (a neighbourhood of
thousands) use a radial tree: the focus in the middle, each hop one ring
further out, every subtree in its own wedge. It takes linear time, where a
force layout of 2,000 nodes takes tens of seconds in networkx (without scipy)
and minutes as browser physics. Disconnected parts are laid side by side.

Examples
--------
>>> pos = radial_layout({"a": ["b", "c"], "b": ["a"], "c": ["a"], "d": []}, roots=["a"])
>>> pos["a"]
(0.0, 0.0)
>>> sorted(pos)
['a', 'b', 'c', 'd']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

import networkx as nx

from graph.reach import reachable

N = TypeVar("N", bound=Hashable)
Point = tuple[float, float]

#: Distance between rings, and the least room a node gets on its ring (pixels).
RING_GAP = 160.0
SPACING = 36.0


#: networkx lays out 500 nodes and more with scipy, which is not a dependency.
SPRING_MAX = 499


def spring_layout(adj: Mapping[N, Sequence[N]], seed: int = 7) -> dict[N, Point]:
    """Spring (Fruchterman-Reingold) positions, scaled to pixels; for graphs of at most
    :data:`SPRING_MAX` nodes (use :func:`radial_layout` above).

    Examples
    --------
    >>> pos = spring_layout({1: [2], 2: [1, 3], 3: [2]})
    >>> len(pos), all(isinstance(x, float) for p in pos.values() for x in p)
    (3, True)
    """
    g: nx.Graph[N] = nx.Graph()
    g.add_nodes_from(adj)
    g.add_edges_from((a, b) for a, bs in adj.items() for b in bs if a != b)
    if len(g) == 0:
        return {}
    if len(g) > SPRING_MAX:
        raise ValueError(f"spring_layout takes at most {SPRING_MAX} nodes, not {len(g)}")
    scale = max(150.0, 70.0 * math.sqrt(len(g)))
    pos = nx.spring_layout(g, seed=seed, scale=scale)
    return {n: (round(float(p[0]), 1), round(float(p[1]), 1)) for n, p in pos.items()}


def radial_layout(adj: Mapping[N, Sequence[N]], roots: Sequence[N] = (),
                  sort_key: Callable[[N], str] = str) -> dict[N, Point]:
    """Radial tree positions: ``roots`` in the middle, hop rings around them.

    Each connected part is laid out around its roots (or its best-connected
    node) and the parts are packed in rows, largest first.
    """
    seen: set[N] = set()
    parts: list[tuple[dict[N, Point], float]] = []
    ordered = [r for r in roots if r in adj]
    ordered += sorted(adj, key=lambda n: (-len(adj[n]), sort_key(n)))
    for start in ordered:
        if start in seen:
            continue
        part = reachable(adj, [start])
        seen |= part
        sources = [r for r in roots if r in part] or [start]
        pos, radius = _tree(adj, part, sources, sort_key)
        parts.append((pos, radius))
    return _pack(parts)


def _tree(adj: Mapping[N, Sequence[N]], part: set[N], sources: list[N],
          sort_key: Callable[[N], str]) -> tuple[dict[N, Point], float]:
    """Lay one connected part out as a radial BFS tree; returns positions and radius."""
    depth: dict[N, int] = {s: 0 for s in sources}
    children: dict[N, list[N]] = {n: [] for n in part}
    order: list[N] = list(sources)
    for n in order:  # breadth first: ``order`` grows while we walk it
        for m in sorted(adj[n], key=sort_key):
            if m not in depth:
                depth[m] = depth[n] + 1
                children[n].append(m)
                order.append(m)
    leaves: dict[N, int] = {}
    for n in reversed(order):
        leaves[n] = sum(leaves[c] for c in children[n]) or 1
    offset = 0 if len(sources) == 1 else 1  # several roots sit on the first ring
    total = sum(leaves[s] for s in sources)
    span: dict[N, tuple[float, float]] = {}
    start = 0.0
    for s in sources:
        width = 2 * math.pi * leaves[s] / total
        span[s] = (start, width)
        start += width
    for n in order:
        a, width = span[n]
        for c in children[n]:
            w = width * leaves[c] / leaves[n]
            span[c] = (a, w)
            a += w
    narrowest: dict[int, float] = {}
    for n in order:
        d = depth[n] + offset
        narrowest[d] = min(narrowest.get(d, 2 * math.pi), span[n][1])
    # one gap for all rings, wide enough that every node gets SPACING of arc on its ring
    gap = max([RING_GAP] + [SPACING / (d * max(w, 1e-9)) for d, w in narrowest.items() if d])
    pos: dict[N, Point] = {}
    for n in order:
        r = gap * (depth[n] + offset)
        a = span[n][0] + span[n][1] / 2
        pos[n] = (round(r * math.cos(a), 1), round(r * math.sin(a), 1))
    return pos, gap * max(narrowest) + SPACING


def _pack(parts: list[tuple[dict[N, Point], float]]) -> dict[N, Point]:
    """Place laid-out parts (largest first) in rows, each in a square of its diameter."""
    parts.sort(key=lambda p: -p[1])
    if not parts:
        return {}
    area = sum((2 * r) ** 2 for _, r in parts)
    row_width = max(2 * parts[0][1], math.sqrt(area) * 1.2)
    out: dict[N, Point] = {}
    x = y = row_height = 0.0
    for pos, r in parts:
        if x > 0 and x + 2 * r > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + r, y + r
        for n, (px, py) in pos.items():
            out[n] = (round(px + cx, 1), round(py + cy, 1))
        x += 2 * r
        row_height = max(row_height, 2 * r)
    first = next(iter(parts[0][0]))
    fx, fy = out[first]
    if parts[0][0][first] == (0.0, 0.0):  # keep the main focus at the origin
        out = {n: (round(px - fx, 1), round(py - fy, 1)) for n, (px, py) in out.items()}
    return out
