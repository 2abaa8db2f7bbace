"""Shortest explanation paths between two entities, optionally as of a date.

The search runs breadth-first from both ends, one level at a time, and asks
the store only for the ties of the entities on the level it grows
(:meth:`~graph.store.protocol.StoreView.ties`): an indexed SQL query on the
embedded store, a Cypher query on Neo4j. A path costs the neighbourhoods it
visits, never a read of the whole graph.

Paths never pass through hubs (entities with more than ``hub_degree`` ties in
force, such as a big bureau or a bank account used by thousands): three hops
from anyone reach most of a county through hubs, which explains nothing. The
result names the hubs the search met and did not pass through.

Results do not depend on the backend: among equally short paths the first
``max_paths`` in the order of their key sequences are returned, and between
two entities joined by several records the one with the smallest record id is
shown. :func:`reference_paths` computes the same answer from the whole graph in
memory (networkx), to check the search against.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice, pairwise
from typing import Any, Protocol

import networkx as nx

from graph.errors import UmbrellaError
from graph.reach import reachable
from graph.schema import REL_TYPES, kind_of_key
from graph.store import StoreView, Tie
from graph.store.model import tie_in_force
from lang import _
from queries.findings import entity_step, relation_step
from queries.frames import OPEN_END, OPEN_START, Frames


@dataclass
class PathResult:
    """Paths as evidence steps, and the hubs the search did not pass through."""

    paths: list[list[dict[str, Any]]] = field(default_factory=list)
    hubs_skipped: list[str] = field(default_factory=list)
    on: str | None = None


class Ties(Protocol):
    """Where the search reads ties: a store view, or :class:`GraphTies` in memory."""

    def ties(self, keys: Sequence[str], on: str | None = None) -> list[Tie]: ...

    def tie_degrees(self, keys: Sequence[str], on: str | None = None) -> dict[str, int]: ...


@dataclass
class Search:
    """A finished search: the shortest node sequences and the record of every hop."""

    nodes: list[list[str]]
    hops: dict[tuple[str, str], tuple[str, str]]  # (u, v) -> (record id, type)
    hubs: list[str]


def search(ties: Ties, a: str, b: str, on: str | None = None, max_paths: int = 3,
           hub_degree: int = 100) -> Search:
    """The first ``max_paths`` shortest paths from ``a`` to ``b`` avoiding hubs.

    A breadth-first search from both ends, one whole level at a time, always
    growing the smaller side, until the two meet.

    Examples
    --------
    >>> g = GraphTies.of([("a", "x", "KIN", "r1"), ("x", "b", "KIN", "r2"),
    ...                   ("a", "y", "KIN", "r3"), ("y", "b", "KIN", "r4")])
    >>> s = search(g, "a", "b")
    >>> s.nodes, s.hops[("a", "x")]
    ([['a', 'x', 'b'], ['a', 'y', 'b']], ('r1', 'KIN'))
    >>> search(g, "a", "b", hub_degree=1).nodes  # x and y have two ties each
    []
    """
    if a == b:
        return Search([[a]], {}, [])
    sides = (_Side(a), _Side(b))
    hubs = _Hubs(ties, on, hub_degree, (a, b))
    meet: list[str] = []
    while not meet and sides[0].front and sides[1].front:
        grow, other = sides if len(sides[0].front) <= len(sides[1].front) else sides[::-1]
        grow.expand(ties, hubs.keep(grow.front), on)
        meet = hubs.keep([v for v in grow.front if v in other.preds])
    if not meet:
        return Search([], {}, hubs.found())
    succ: dict[str, list[str]] = {}
    hops: dict[tuple[str, str], tuple[str, str]] = {}
    for v in reachable(sides[0].preds, meet):  # a ... meet: preds lie towards a
        for u, recs in sides[0].preds[v].items():
            succ.setdefault(u, []).append(v)
            hops[(u, v)] = min(recs)
    for v in reachable(sides[1].preds, meet):  # meet ... b: preds lie towards b
        for w, recs in sides[1].preds[v].items():
            succ.setdefault(v, []).append(w)
            hops[(v, w)] = min(recs)
    nodes = list(islice(_walk(succ, [a], b), max_paths))
    return Search(nodes, hops, hubs.found())


class _Side:
    """One end of the search: every node reached, with its ties to the previous level."""

    def __init__(self, start: str) -> None:
        self.preds: dict[str, dict[str, list[tuple[str, str]]]] = {start: {}}
        self.front = [start]

    def expand(self, ties: Ties, keys: list[str], on: str | None) -> None:
        reached: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for t in ties.ties(keys, on):
            if t.other not in self.preds:
                reached.setdefault(t.other, {}).setdefault(t.key, []).append((t.rid, t.type))
        self.preds.update(reached)
        self.front = sorted(reached)


class _Hubs:
    """Which nodes are hubs, asked of the store once per node (the two ends never are)."""

    def __init__(self, ties: Ties, on: str | None, limit: int, ends: tuple[str, str]) -> None:
        self._ties, self._on, self._limit = ties, on, limit
        self._known: dict[str, bool] = dict.fromkeys(ends, False)

    def keep(self, keys: list[str]) -> list[str]:
        ask = [k for k in keys if k not in self._known]
        if ask:
            degrees = self._ties.tie_degrees(ask, self._on)
            self._known.update((k, degrees.get(k, 0) > self._limit) for k in ask)
        return [k for k in keys if not self._known[k]]

    def found(self) -> list[str]:
        return sorted(k for k, hub in self._known.items() if hub)


def _walk(succ: dict[str, list[str]], path: list[str], b: str) -> Iterator[list[str]]:
    """Every path from ``path`` on to ``b``, in the order of their key sequences."""
    if path[-1] == b:
        yield list(path)
        return
    for v in sorted(set(succ.get(path[-1], ()))):
        path.append(v)
        yield from _walk(succ, path, b)
        path.pop()


def tie_types(text: str | None) -> set[str] | None:
    """The tie types a comma-separated list names (any case), None for none; a type the
    schema does not know raises :class:`~graph.errors.UmbrellaError` listing the valid ones.

    Examples
    --------
    >>> sorted(tie_types("kin, ASSOCIATE") or ()), tie_types("") is None
    (['ASSOCIATE', 'KIN'], True)
    >>> tie_types("KIN,FRIEND")
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: unknown tie type FRIEND
    """
    if not text:
        return None
    wanted = {t.strip().upper() for t in text.split(",") if t.strip()}
    unknown = sorted(wanted - set(REL_TYPES))
    if unknown:
        raise UmbrellaError(_("unknown tie type {type}").format(type=", ".join(unknown)),
                            hint=_("use one of {formats}").format(formats=", ".join(REL_TYPES)))
    return wanted or None


class TypedTies:
    """The store's ties through the tie types asked for (``include``: only these, None:
    all; ``exclude``: never these), for at most ``max_hops`` levels of the path search
    (each level asks for the ties of one side's front; None: no limit). The search of
    ``umbrella path --include/--exclude`` and of the workbench's path finder.

    Examples
    --------
    >>> g = GraphTies.of([("a", "x", "KIN", "r1"), ("x", "b", "BID", "r2"),
    ...                   ("a", "y", "KIN", "r3"), ("y", "b", "KIN", "r4")])
    >>> search(TypedTies(g, None, {"BID"}), "a", "b").nodes
    [['a', 'y', 'b']]
    """

    def __init__(self, view: Ties, include: set[str] | None, exclude: set[str],
                 max_hops: int | None = None) -> None:
        self.view, self.include, self.exclude, self.max_hops = view, include, exclude, max_hops
        self.calls = 0

    def ties(self, keys: Sequence[str], on: str | None = None) -> list[Tie]:
        self.calls += 1
        if self.max_hops is not None and self.calls > self.max_hops:
            return []
        return [t for t in self.view.ties(keys, on)
                if (self.include is None or t.type in self.include) and t.type not in
                self.exclude]

    def tie_degrees(self, keys: Sequence[str], on: str | None = None) -> dict[str, int]:
        return self.view.tie_degrees(keys, on)


def explain_paths(source: Frames | StoreView, a: str, b: str, on: str | None = None,
                  max_paths: int = 3, hub_degree: int = 100, include: set[str] | None = None,
                  exclude: set[str] | None = None) -> PathResult:
    """Up to ``max_paths`` shortest paths from ``a`` to ``b`` as evidence steps.

    ``source`` is a store view (or a :class:`~queries.frames.Frames` over one):
    the search reads the ties it needs from the store, level by level; ``include`` and
    ``exclude`` restrict the tie types it walks (:class:`TypedTies`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import EntityRecord, RelationRecord, open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "p.db")
    >>> with store.writer() as w:
    ...     w.put_entities([EntityRecord("p:1", "person", "张伟", {}),
    ...                     EntityRecord("p:2", "person", "李娜", {}),
    ...                     EntityRecord("o:1", "organization", "某公司", {})])
    ...     w.put_relations([
    ...         RelationRecord("r:KIN:1", "KIN", "p:1", "p:2", None, None,
    ...                        {"relation": "spouse"}, "/d/relationships.csv", 2),
    ...         RelationRecord("r:COMPANY_ROLE:1", "COMPANY_ROLE", "p:2", "o:1", "2019-01-01",
    ...                        "2020-12-31", {"role": "shareholder"}, "/d/company_roles.csv", 5)])
    >>> [s.get("name") or s["rel"] for s in explain_paths(store.view(), "p:1", "o:1").paths[0]]
    ['张伟', 'KIN', '李娜', 'COMPANY_ROLE', '某公司']
    >>> explain_paths(store.view(), "p:1", "o:1", on="2022-01-01").paths  # the stake ended
    []
    >>> store.close()
    """
    view = source.view if isinstance(source, Frames) else source
    ties: Ties = view if include is None and not exclude else \
        TypedTies(view, include, exclude or set())
    found = search(ties, a, b, on, max_paths, hub_degree)
    return PathResult(steps(view, found), found.hubs, on)


def steps(view: StoreView, found: Search) -> list[list[dict[str, Any]]]:
    """Evidence steps of each path found: every entity and the record joining it to the
    next, each read once."""
    keys = sorted({k for nodes in found.nodes for k in nodes})
    entities = {k: view.get(k) for k in keys}
    records = view.relations_by_id(sorted({found.hops[(u, v)][0] for nodes in found.nodes
                                           for u, v in pairwise(nodes)}))
    out: list[list[dict[str, Any]]] = []
    for nodes in found.nodes:
        path: list[dict[str, Any]] = []
        for i, key in enumerate(nodes):
            entity = entities[key]
            path.append(entity_step(entity) if entity is not None else
                        {"node": kind_of_key(key), "key": key, "name": "", "ids": [key],
                         "sources": []})
            if i + 1 < len(nodes):
                path.append(relation_step(records[found.hops[(key, nodes[i + 1])][0]]))
        out.append(path)
    return out


# -- the reference: the whole graph in memory -----------------------------------------------

class GraphTies:
    """Ties read from an in-memory multigraph (the reference the store searches must match)."""

    def __init__(self, graph: nx.MultiGraph[str]) -> None:
        self.graph = graph

    @classmethod
    def of(cls, ties: list[tuple[str, str, str, str]]) -> GraphTies:
        """From ``(src, dst, type, record id)`` tuples.

        >>> GraphTies.of([("a", "b", "KIN", "r1")]).tie_degrees(["a", "z"])
        {'a': 1, 'z': 0}
        """
        g: nx.MultiGraph[str] = nx.MultiGraph()
        for s, d, type_, rid in ties:
            g.add_edge(s, d, key=rid, type=type_)
        return cls(g)

    def ties(self, keys: Sequence[str], on: str | None = None) -> list[Tie]:
        return [Tie(k, o, str(data["type"]), str(rid)) for k in dict.fromkeys(keys)
                if k in self.graph
                for _, o, rid, data in self.graph.edges(k, keys=True, data=True)]

    def tie_degrees(self, keys: Sequence[str], on: str | None = None) -> dict[str, int]:
        return {k: int(self.graph.degree(k)) if k in self.graph else 0 for k in keys}


def build_graph(frames: Frames, on: str | None = None) -> nx.MultiGraph[str]:
    """Undirected multigraph of every relationship record (in force on ``on`` if given).

    Edge key = record id; edge data: ``type``.
    """
    g: nx.MultiGraph[str] = nx.MultiGraph()
    for type_ in REL_TYPES:
        r = frames.rel(type_)
        if r.empty:
            continue
        for s, d, i, start, end in zip(r["src"].tolist(), r["dst"].tolist(), r["id"].tolist(),
                                       r["s"].tolist(), r["e"].tolist(), strict=True):
            if tie_in_force(type_, None if start == OPEN_START else start,
                            None if end == OPEN_END else end, on):
                g.add_edge(s, d, key=i, type=type_)
    return g


def reference_paths(frames: Frames, a: str, b: str, on: str | None = None,
                    max_paths: int = 3, hub_degree: int = 100,
                    graph: nx.MultiGraph[str] | None = None) -> PathResult:
    """:func:`explain_paths` computed from the whole graph read into memory (``graph``:
    :func:`build_graph` of ``frames`` and ``on``, when already built)."""
    view = frames.view
    g = build_graph(frames, on) if graph is None else graph
    found = search(GraphTies(g), a, b, on, max_paths, hub_degree)
    return PathResult(steps(view, found), found.hubs, on)
