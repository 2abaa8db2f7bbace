"""The generic builder: plain node and edge records in, one self-contained page out.

Every view (a finding, a neighbourhood, a path, later a cluster or query
results) ends here. The builder caps large views by relevance (evidence
first, then nearest to the focus, then best connected) and says in the page
what it left out; lays the graph out in Python; styles nodes by kind and
edges by relationship type; sizes nodes by a measure; writes tooltips as
plain text with identity numbers masked unless ``reveal``.

Examples
--------
>>> page = build_page(
...     [{"id": "P1", "name": "张三", "kind": "person", "id_number": "11010519491231002X"},
...      {"id": "O1", "name": "宏达公司", "kind": "organization"}],
...     [{"from": "P1", "to": "O1", "type": "COMPANY_ROLE", "role": "shareholder"}],
...     title="张三 and his company", focus=["P1"])
>>> page.nodes_shown, page.edges_shown, page.physics
(2, 1, True)
>>> "11010519491231002X" in page.html, "110105***********X" in page.html
(False, True)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visualizations import words
from visualizations.capping import Graph, cap
from visualizations.layout import radial_layout, spring_layout
from visualizations.records import EdgeRecord, NodeId, NodeRecord, as_edge, as_node
from visualizations.safe import shown
from visualizations.style import FADED_ALPHA, edge_style, faded, node_style
from visualizations.template import render_page
from visualizations.tips import edge_detail, edge_tip, node_tip
from visualizations.words import kind_word, meaning, script_words, tie_word

#: Views above this many nodes are capped by relevance.
DEFAULT_MAX_NODES = 400
#: Views above this many nodes get no physics (positions are computed in Python).
PHYSICS_LIMIT = 150
#: Views up to this many nodes get a spring layout; larger ones a radial tree (linear time).
SPRING_LIMIT = 400
#: Opacity of ties in large views (evidence stays opaque).
LARGE_ALPHA = 0.45
SYMBOLS = {"dot": "●", "square": "■", "triangle": "▲", "diamond": "◆", "star": "★",
           "triangleDown": "▼", "box": "▬", "ellipse": "⬬"}


@dataclass
class GraphPage:
    """A rendered page and what it holds."""

    html: str
    title: str
    nodes_shown: int
    edges_shown: int
    nodes_total: int
    edges_total: int
    physics: bool
    notes: list[str] = field(default_factory=list)

    def write(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8) and nothing anywhere else."""
        target = Path(path)
        target.write_text(self.html, encoding="utf-8")
        return target


def build_page(nodes: Iterable[NodeRecord | Mapping[str, Any]],
               edges: Iterable[EdgeRecord | Mapping[str, Any]], *, title: str,
               subtitle: str = "", explanation: str = "", notes: Sequence[str] = (),
               focus: Sequence[NodeId] = (), size_by: str | Mapping[NodeId, float] = "degree",
               max_nodes: int = DEFAULT_MAX_NODES, reveal: bool = False,
               physics_limit: int = PHYSICS_LIMIT,
               more_hint: str | None = None) -> GraphPage:
    """Build one page from node and edge records (see :mod:`visualizations.records`).

    Parameters
    ----------
    focus:
        Ids the view is about (kept first, laid out in the middle).
    size_by:
        ``"degree"`` (ties in the records), ``"none"``, a numeric node property
        name, or a mapping of node id to value.
    max_nodes:
        Largest number of nodes drawn; highlighted nodes are always kept.
    reveal:
        Show identity numbers unmasked.
    more_hint:
        How to see what a capped view left out (default: raise --max-nodes).

    The words around the data (summary, notes, legend, tooltips' labels) are in the
    language spoken now (:func:`lang.language`); the data is shown as written.
    """
    from lang import _
    from lang.formats import number

    if more_hint is None:
        more_hint = _("raise --max-nodes to see more")
    graph = Graph.of([as_node(n) for n in nodes], [as_edge(e) for e in edges])
    kept = cap(graph, focus, max_nodes)
    kept_edges = [e for e in graph.edges if e.src in kept.nodes and e.dst in kept.nodes]
    all_notes = [shown(n, reveal, 600) for n in notes] + kept.notes(graph, more_hint)
    sub = graph.subgraph(kept.nodes)
    physics = len(kept.nodes) <= physics_limit
    if len(kept.nodes) <= SPRING_LIMIT:
        pos = spring_layout(sub.adj)
    else:
        roots = [n for n in focus if n in kept.nodes] or [
            n.id for n in graph.nodes.values() if n.highlight and n.id in kept.nodes]
        pos = radial_layout(sub.adj, roots, sort_key=lambda i: _order(graph.nodes[i]))
    if not physics:
        how = (_("{n} nodes: laid out in advance (spring layout) with physics off (views "
                 "above {limit} nodes).") if len(kept.nodes) <= SPRING_LIMIT else
               _("{n} nodes: laid out in advance (one ring per hop) with physics off (views "
                 "above {limit} nodes)."))
        all_notes.append(how.format(n=number(len(kept.nodes)), limit=number(physics_limit)))
    sizes = _sizes(graph, kept.nodes, size_by)
    labels = {i: shown(n.label or "/".join(n.ids) or str(n.id), reveal, 60)
              for i, n in graph.nodes.items() if i in kept.nodes}
    vis_nodes = [_vis_node(graph.nodes[i], labels[i], pos[i], sizes[i], reveal)
                 for i in sorted(kept.nodes, key=lambda i: _order(graph.nodes[i]))]
    vis_edges = [_vis_edge(e, n, labels, reveal, small=physics)
                 for n, e in enumerate(kept_edges)]
    from visualizations.pyvis_fence import vis_objects

    vis_nodes, vis_edges = vis_objects(vis_nodes, vis_edges)
    if len(vis_nodes) < len(graph.nodes):
        summary = _("Showing {nodes} and {ties} (of {nodes_total} and {ties_total} found)")
    else:
        summary = _("Showing {nodes} and {ties}")
    summary = summary.format(nodes=words.nodes(len(vis_nodes)), ties=words.ties(len(vis_edges)),
                             nodes_total=words.nodes(len(graph.nodes)),
                             ties_total=words.ties(len(graph.edges)))
    title_text = shown(title, reveal, 300)
    payload = {
        "title": title_text, "subtitle": shown(subtitle, reveal, 300),
        "explanation": shown(explanation, reveal, 2000), "summary": summary,
        "notes": all_notes, "physics": physics, "words": script_words(),
        "counts": {"nodes": len(vis_nodes), "edges": len(vis_edges),
                   "nodes_total": len(graph.nodes), "edges_total": len(graph.edges)},
        "kinds": _kinds(graph, kept.nodes), "types": _types(kept_edges),
        "nodes": vis_nodes, "edges": vis_edges, "options": _options(physics, len(vis_nodes)),
    }
    return GraphPage(render_page(title_text, payload), title_text, len(vis_nodes),
                     len(vis_edges), len(graph.nodes), len(graph.edges), physics, all_notes)


def _order(n: NodeRecord) -> str:
    return f"{n.kind}\x00{n.label}\x00{n.id}"


def _sizes(graph: Graph, kept: set[NodeId], size_by: str | Mapping[NodeId, float]
           ) -> dict[NodeId, float]:
    if isinstance(size_by, Mapping):
        values = {i: float(size_by.get(i, 0) or 0) for i in kept}
    elif size_by == "degree":
        values = {i: float(graph.degree[i]) for i in kept}
    elif size_by == "none":
        values = dict.fromkeys(kept, 0.0)
    else:
        values = {i: _number(graph.nodes[i].props.get(size_by)) for i in kept}
    top = max(values.values(), default=0.0)
    out = {}
    for i, v in values.items():
        size = 16.0 if top <= 0 else 10.0 + 28.0 * math.sqrt(max(v, 0.0) / top)
        out[i] = round(max(size, 18.0) if graph.nodes[i].highlight else size, 1)
    return out


def _number(value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return 0.0
    return v if math.isfinite(v) else 0.0


def _vis_node(n: NodeRecord, label: str, xy: tuple[float, float], size: float,
              reveal: bool) -> dict[str, Any]:
    style = node_style(n.kind)
    fill = faded(style.color) if n.faded else style.color
    border = "#111111" if n.highlight else (faded("#333333") if n.faded else "#333333")
    ids = "/".join(shown(i, reveal, 60) for i in n.ids)
    search = " ".join([label, ids, shown(n.id, reveal, 200)]).lower()
    keys = sorted({k.lower() for k in [label, shown(n.id, reveal, 200), *ids.split("/")] if k})
    return {
        "id": n.id, "label": label, "shape": style.shape,
        "color": {"background": fill, "border": border,
                  "highlight": {"background": style.color, "border": "#000000"},
                  "hover": {"background": style.color, "border": "#000000"}},
        "x": xy[0], "y": xy[1], "size": size, "borderWidth": 3 if n.highlight else 1,
        "font": {"color": "rgba(0,0,0,0.35)" if n.faded else "#111111",
                 "size": 16 if n.highlight else 13, "strokeWidth": 3, "strokeColor": "#ffffff"},
        "kind": n.kind, "faded": n.faded, "highlight": n.highlight, "ids": ids,
        "search": search, "keys": keys, "tip": node_tip(n, reveal),
    }


def _vis_edge(e: EdgeRecord, n: int, labels: Mapping[NodeId, str], reveal: bool,
              small: bool) -> dict[str, Any]:
    """A vis edge; in large views ties are thinner and lighter so the nodes stay visible."""
    style = edge_style(e.type)
    color = faded(style.color, FADED_ALPHA if e.faded else LARGE_ALPHA) if (
        e.faded or (not small and not e.highlight)) else style.color
    out: dict[str, Any] = {
        "id": e.id or f"e{n}", "from": e.src, "to": e.dst,
        "color": {"color": color, "highlight": style.color, "hover": style.color},
        "dashes": style.dashes or False,
        "width": style.width * (2.2 if e.highlight else 1.0 if small else 0.4),
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "type": e.type or "OTHER", "faded": e.faded, "highlight": e.highlight,
        "tip": edge_tip(e, labels, reveal),
    }
    if small:
        out["label"] = shown(edge_detail(e), reveal, 30)
        out["font"] = {"size": 10, "color": "rgba(0,0,0,0.35)" if e.faded else "#444444",
                       "strokeWidth": 2, "align": "middle"}
    return out


def _kinds(graph: Graph, kept: set[NodeId]) -> list[dict[str, Any]]:
    counts = Counter(graph.nodes[i].kind for i in kept)
    out = []
    for kind, count in sorted(counts.items()):
        style = node_style(kind)
        out.append({"kind": kind, "noun": shown(kind_word(kind), False, 40),
                    "color": style.color, "symbol": SYMBOLS.get(style.shape, "●"),
                    "count": count})
    return out


def _types(edges: list[EdgeRecord]) -> list[dict[str, Any]]:
    counts = Counter(e.type or "OTHER" for e in edges)
    out = []
    for type_, count in sorted(counts.items()):
        style = edge_style(type_)
        line = "solid" if not style.dashes else ("dotted" if style.dashes[0] <= 2 else "dashed")
        out.append({"type": shown(type_, False, 40), "name": shown(tie_word(type_), False, 40),
                    "meaning": meaning(type_),
                    "color": style.color, "line": line, "width": style.width, "count": count})
    return out


def _options(physics: bool, n: int) -> dict[str, Any]:
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "physics": {"enabled": physics, "solver": "barnesHut",
                    "barnesHut": {"gravitationalConstant": -6000, "springLength": 130,
                                  "springConstant": 0.03, "damping": 0.4,
                                  "avoidOverlap": 0.2},
                    "stabilization": {"enabled": physics, "iterations": 200, "fit": True}},
        "interaction": {"hover": n <= 1000, "tooltipDelay": 150, "hideEdgesOnDrag": n > 500,
                        "hideEdgesOnZoom": n > 1500, "navigationButtons": False,
                        "keyboard": False, "multiselect": False},
        "nodes": {"scaling": {"label": {"enabled": False}}},
        "edges": {"smooth": {"enabled": physics, "type": "continuous", "roundness": 0.3},
                  "selectionWidth": 2, "hoverWidth": 1},
    }
