"""Shortest explanation paths between two entities, optionally as of a date.

Paths never pass through hubs (nodes with more than ``hub_degree`` ties,
such as a big bureau or a bank account used by thousands): three hops from
anyone reach most of a county through hubs, which explains nothing. The
result says which hubs were left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.schema import REL_TYPES
from queries.findings import node, rel
from queries.frames import Frames

#: Relationship types that record an event on a date (kept when dated on or before ``on``).
EVENT_TYPES = {"BOUGHT", "APPROVED", "AWARDED_TO", "BID", "PAID", "PAID_TO", "REPORTED"}


@dataclass
class PathResult:
    """Paths as evidence steps, and what the search left out."""

    paths: list[list[dict[str, Any]]] = field(default_factory=list)
    hubs_skipped: list[str] = field(default_factory=list)
    on: str | None = None


def build_graph(frames: Frames, on: str | None = None) -> nx.MultiGraph[str]:
    """Undirected multigraph of every relationship record (in force on ``on`` if given).

    Edge key = record id; edge data: ``type`` and the record's frame row index.
    """
    g: nx.MultiGraph[str] = nx.MultiGraph()
    for type_ in REL_TYPES:
        r = frames.rel(type_)
        if r.empty:
            continue
        if on is not None:
            keep = (r["s"] <= on) if type_ in EVENT_TYPES else (r["s"] <= on) & (on <= r["e"])
            r = r[keep]
        for s, d, i in zip(r["src"].tolist(), r["dst"].tolist(), r["id"].tolist(), strict=True):
            g.add_edge(s, d, key=i, type=type_)
    return g


def explain_paths(frames: Frames, a: str, b: str, on: str | None = None, max_paths: int = 3,
                  hub_degree: int = 100) -> PathResult:
    """Up to ``max_paths`` shortest paths from ``a`` to ``b`` as evidence steps."""
    g = build_graph(frames, on)
    result = PathResult(on=on)
    if a not in g or b not in g:
        return result
    hubs = [n for n, d in g.degree() if d > hub_degree and n not in (a, b)]
    result.hubs_skipped = sorted(hubs)
    view = nx.subgraph_view(g, filter_node=lambda n: n not in set(hubs))
    simple: nx.Graph[str] = nx.Graph(view)
    try:
        found = nx.all_shortest_paths(simple, a, b)
        for nodes in found:
            result.paths.append(_steps(frames, g, nodes))
            if len(result.paths) >= max_paths:
                break
    except nx.NetworkXNoPath:
        pass
    return result


def _steps(frames: Frames, g: nx.MultiGraph[str], nodes: list[str]) -> list[dict[str, Any]]:
    kinds = {**dict.fromkeys(frames.ents("person")["key"], "person"),
             **dict.fromkeys(frames.ents("organization")["key"], "organization")}
    steps: list[dict[str, Any]] = []
    for i, n in enumerate(nodes):
        steps.append(node(frames, n, kinds.get(n, n.split(":", 1)[0])))
        if i + 1 < len(nodes):
            rid, data = sorted(g.get_edge_data(n, nodes[i + 1]).items())[0]
            steps.append(rel(frames, frames.rel_row(data["type"], str(rid)), data["type"]))
    return steps
