"""The records as a graph, and capping a large view by relevance.

Kept first: highlighted nodes (evidence), then the nodes nearest to the focus
(hops), then the best connected (or an explicit ``relevance``). Keeping by
distance first means every kept node still has a kept path to the focus.

Examples
--------
>>> from visualizations.records import NodeRecord, EdgeRecord
>>> g = Graph.of([NodeRecord("a", kind="person"), NodeRecord("b", kind="person"),
...               NodeRecord("c", kind="organization")],
...              [EdgeRecord("a", "b", "KIN"), EdgeRecord("b", "c", "HOLDS_POST")])
>>> kept = cap(g, ["a"], max_nodes=2)
>>> sorted(kept.nodes)
['a', 'b']
>>> print(kept.notes(g, "raise --max-nodes to see more")[0])
Left out 1 of 3 nodes (1 organization) and the 1 tie that touches them: the farthest from
the focus and the least connected first (raise --max-nodes to see more).
>>> from lang import use_language
>>> with use_language("zh"):
...     print(kept.notes(g, "……")[0][:28])
未显示3个节点中的1个（1个单位）及与之相连的1条关系：
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from visualizations.records import EdgeRecord, NodeId, NodeRecord


@dataclass
class Graph:
    """Deduplicated node and edge records with undirected adjacency and degrees."""

    nodes: dict[NodeId, NodeRecord]
    edges: list[EdgeRecord]
    adj: dict[NodeId, list[NodeId]]
    degree: Counter[NodeId]

    @classmethod
    def of(cls, nodes: Sequence[NodeRecord], edges: Sequence[EdgeRecord]) -> Graph:
        """Merge repeated nodes (and edges with the same id); refuse edges to unknown nodes."""
        by_id: dict[NodeId, NodeRecord] = {}
        for n in nodes:
            if n.id in by_id:
                old = by_id[n.id]
                old.highlight = old.highlight or n.highlight
                old.faded = old.faded and n.faded
            else:
                by_id[n.id] = n
        kept: dict[str, EdgeRecord] = {}
        for i, e in enumerate(edges):
            for end in (e.src, e.dst):
                if end not in by_id:
                    raise ValueError(f"edge {e.id or i} ({e.type}) names node {end!r}, "
                                     "which is not among the nodes")
            key = e.id or f"\x00{i}"
            if key in kept:
                old_e = kept[key]
                old_e.highlight = old_e.highlight or e.highlight
                old_e.faded = old_e.faded and e.faded
            else:
                kept[key] = e
        for n in by_id.values():
            n.faded = n.faded and not n.highlight
        adj: dict[NodeId, set[NodeId]] = {i: set() for i in by_id}
        degree: Counter[NodeId] = Counter()
        for e in kept.values():
            e.faded = e.faded and not e.highlight
            degree[e.src] += 1
            degree[e.dst] += 1
            if e.src != e.dst:
                adj[e.src].add(e.dst)
                adj[e.dst].add(e.src)
        return cls(by_id, list(kept.values()), {i: sorted(s, key=str) for i, s in adj.items()},
                   degree)

    def subgraph(self, keep: set[NodeId]) -> Graph:
        """The records among ``keep`` (adjacency restricted to them)."""
        adj = {i: [m for m in self.adj[i] if m in keep] for i in self.nodes if i in keep}
        return Graph({i: self.nodes[i] for i in adj},
                     [e for e in self.edges if e.src in keep and e.dst in keep], adj,
                     Counter({i: self.degree[i] for i in adj}))


@dataclass
class Kept:
    """The nodes a capped view keeps, and enough to say what it left out."""

    nodes: set[NodeId]
    max_nodes: int
    forced: int = 0
    dropped: list[NodeId] = field(default_factory=list)

    def notes(self, graph: Graph, hint: str) -> list[str]:
        """Plain-language notes on what was left out (empty when nothing was), in the
        language spoken now."""
        from lang import _, ngettext
        from lang.formats import number
        from visualizations.words import count_of, listed

        out: list[str] = []
        if self.dropped:
            kinds = Counter(graph.nodes[i].kind for i in self.dropped)
            by_kind = listed([count_of(k, n) for k, n in kinds.most_common()])
            ties = sum(1 for e in graph.edges if e.src not in self.nodes or e.dst not in self.nodes)
            out.append(ngettext(
                "Left out {n} of {total} nodes ({kinds}) and the {ties} tie that touches them: "
                "the farthest from the focus and the least connected first ({hint}).",
                "Left out {n} of {total} nodes ({kinds}) and the {ties} ties that touch them: "
                "the farthest from the focus and the least connected first ({hint}).", ties
            ).format(n=number(len(self.dropped)), total=number(len(graph.nodes)), kinds=by_kind,
                     ties=number(ties), hint=hint))
        if self.forced > self.max_nodes:
            out.append(_("All {n} highlighted nodes are shown, more than the limit of {limit}.")
                       .format(n=number(self.forced), limit=number(self.max_nodes)))
        return out


def cap(graph: Graph, focus: Sequence[NodeId], max_nodes: int) -> Kept:
    """Keep at most ``max_nodes`` nodes (all highlighted ones always), most relevant first."""
    seeds = [i for i in focus if i in graph.nodes]
    seeds += [i for i, n in graph.nodes.items() if n.highlight]
    dist: dict[NodeId, int] = dict.fromkeys(seeds, 0)
    queue = list(dict.fromkeys(seeds))
    for i in queue:  # breadth first; ``queue`` grows while we walk it
        for m in graph.adj[i]:
            if m not in dist:
                dist[m] = dist[i] + 1
                queue.append(m)
    far = len(graph.nodes) + 1

    def rank(i: NodeId) -> tuple[bool, int, float, str]:
        n = graph.nodes[i]
        weight = n.relevance if n.relevance is not None else float(graph.degree[i])
        return (not n.highlight, dist.get(i, far), -weight, str(i))

    ordered = sorted(graph.nodes, key=rank)
    forced = sum(1 for n in graph.nodes.values() if n.highlight)
    limit = max(max_nodes, forced)
    return Kept(set(ordered[:limit]), max_nodes, forced, ordered[limit:])
