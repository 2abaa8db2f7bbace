"""Communities: Leiden or Louvain (modularity), seeded, numbered biggest first.

igraph's ``community_leiden`` optimises the Constant Potts Model unless told
otherwise; with CPM and resolution 1 every node ends up alone. We always ask
for modularity, and run 10 passes (igraph's default of 2 leaves modularity on
the table; running until stable costs three times as much for little more).

Examples
--------
Two triangles joined by one weak edge fall apart into two communities:

>>> import pandas as pd
>>> from graph.analysis.projection import Projection, TableSource, project
>>> pairs = [("A", "B"), ("B", "C"), ("A", "C"), ("D", "E"), ("E", "F"), ("D", "F"), ("C", "D")]
>>> rel = pd.DataFrame({"id": [f"r{i}" for i in range(7)],
...                     "src": [f"p:s:{a}" for a, _ in pairs],
...                     "dst": [f"p:s:{b}" for _, b in pairs], "start": None, "end": None})
>>> g = project(TableSource(relations={"KIN": rel}), Projection({"KIN": 1.0}))
>>> c = communities(g, seed=1)
>>> c.membership.tolist(), c.count
([0, 0, 0, 1, 1, 1], 2)
>>> communities(g, method="louvain", seed=1).membership.tolist()
[0, 0, 0, 1, 1, 1]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.analysis.engine import seeded, to_igraph
from graph.analysis.projection import AnalysisGraph

if TYPE_CHECKING:
    import numpy.typing as npt

METHODS = ("leiden", "louvain")
#: Resolutions tried when the graph chooses its own (:func:`workable_communities`).
RESOLUTIONS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
#: The largest community an investigator can work: at least this many members...
WORKABLE_FLOOR = 40
#: ...or this share of the graph's people and organizations when that is more.
WORKABLE_SHARE = 0.01


def workable_size(members: int) -> int:
    """The largest community worth reporting whole: ``max(40, 1% of members)``.

    Examples
    --------
    >>> workable_size(150), workable_size(21_000), workable_size(200_000)
    (40, 210, 2000)
    """
    return max(WORKABLE_FLOOR, int(WORKABLE_SHARE * members))


@dataclass
class Communities:
    """A partition of the nodes: ``membership[i]`` is node i's community (0 = biggest)."""

    membership: npt.NDArray[np.int64]
    modularity: float
    method: str
    seed: int
    resolution: float
    #: The largest community allowed (0: no limit) and how many were split to keep it.
    cap: int = 0
    split: int = 0
    #: Resolution tried -> modularity of its partition (when the graph chose it).
    tried: dict[float, float] = field(default_factory=dict)
    #: Communities joined to another afterwards (by a finding naming people of both).
    joined: int = 0
    #: Nodes set aside as hubs (tied to nearly everyone of their component, :func:`hubs`).
    hub_nodes: tuple[int, ...] = ()

    @property
    def count(self) -> int:
        """Number of communities."""
        return int(self.membership.max()) + 1 if len(self.membership) else 0

    def sizes(self) -> npt.NDArray[np.int64]:
        """Number of nodes in each community."""
        return np.bincount(self.membership, minlength=self.count).astype(np.int64)

    def members(self, community: int) -> npt.NDArray[np.int64]:
        """Node ids of one community, ascending."""
        return np.flatnonzero(self.membership == community).astype(np.int64)

    def groups(self) -> list[npt.NDArray[np.int64]]:
        """Node ids of every community, in community order."""
        order = np.argsort(self.membership, kind="stable")
        bounds = np.cumsum(self.sizes())[:-1]
        return [x.astype(np.int64) for x in np.split(order, bounds)] if len(order) else []


def renumber(raw: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Community ids by decreasing size, ties by smallest member (a canonical numbering).

    Examples
    --------
    >>> renumber(np.array([5, 5, 2, 7, 7, 7])).tolist()
    [1, 1, 2, 0, 0, 0]
    """
    if not len(raw):
        return raw.astype(np.int64)
    labels, inverse = np.unique(raw, return_inverse=True)
    size = np.bincount(inverse)
    first = np.full(len(labels), len(raw))
    np.minimum.at(first, inverse, np.arange(len(raw)))
    order = np.lexsort((first, -size))
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    return rank[inverse].astype(np.int64)


def _partition(h: Any, method: str, resolution: float, seed: int,
               iterations: int) -> npt.NDArray[np.int64]:
    with seeded(seed):
        if method == "leiden":
            part = h.community_leiden(objective_function="modularity", weights="weight",
                                      resolution=resolution, n_iterations=iterations)
        else:
            part = h.community_multilevel(weights="weight", resolution=resolution)
    return np.asarray(part.membership, dtype=np.int64)


def communities(g: AnalysisGraph, method: str = "leiden", resolution: float = 1.0,
                seed: int = 0, iterations: int = 10) -> Communities:
    """Communities of ``g`` maximising weighted modularity, deterministic for a seed.

    Parameters
    ----------
    method:
        ``leiden`` (igraph ``community_leiden``, ``iterations`` passes) or ``louvain``
        (igraph ``community_multilevel``).
    resolution:
        Above 1 gives more, smaller communities; below 1 fewer, larger ones.
    seed:
        Seed of the generator igraph uses for this call only.
    iterations:
        Leiden passes (-1: until a pass changes nothing). Measured on a county
        of 21,000 nodes: 2 passes 0.09 s (modularity 0.837), 10 passes 0.44 s
        (0.844), until stable 1.3 s (0.845).
    """
    if method not in METHODS:
        raise ValueError(f"unknown community method {method!r}; use one of {METHODS}")
    h = to_igraph(g)
    membership = renumber(_partition(h, method, resolution, seed, iterations))
    quality = float(h.modularity(membership.tolist(), weights="weight",
                                 resolution=resolution)) if g.m else 0.0
    return Communities(membership, quality, method, seed, resolution)


def _split(h: Any, membership: npt.NDArray[np.int64], size: npt.NDArray[np.float64], cap: int,
           method: str, seed: int, iterations: int) -> tuple[npt.NDArray[np.int64], int]:
    """Split every community whose ``size`` (summed over its nodes) exceeds ``cap`` by
    plain modularity on its own ties, again until none does or none can be split."""
    m = membership.copy()
    split = 0
    stuck: set[int] = set()
    while True:
        sizes = np.bincount(m, weights=size, minlength=int(m.max()) + 1 if len(m) else 0)
        big = [int(c) for c in np.flatnonzero(sizes > cap) if int(c) not in stuck]
        if not big:
            return m, split
        for c in big:
            nodes = np.flatnonzero(m == c)
            inner = _partition(h.induced_subgraph(nodes.tolist()), method, 1.0, seed,
                               iterations)
            if inner.max() == 0:
                stuck.add(c)
                continue
            split += 1
            top = int(m.max())
            m[nodes] = np.where(inner == 0, c, top + inner)


def hubs(h: Any, share: float, least: int) -> npt.NDArray[np.bool_]:
    """Nodes tied to at least ``share`` of the other nodes of their connected component,
    in components of at least ``least`` nodes where such nodes are fewer than half: a
    prime minister who appears in the press with everyone of an affair, a boss tied to
    every member of a small network. They belong to every group of it, so they tell
    nothing of where its groups lie. ``share = 0``: none.

    Examples
    --------
    A star of ten around one centre, whose leaves pair off: the centre is the hub.

    >>> import igraph as ig
    >>> h = ig.Graph([(0, i) for i in range(1, 11)] + [(1, 2), (3, 4), (5, 6), (7, 8)])
    >>> np.flatnonzero(hubs(h, 0.9, 10)).tolist(), bool(hubs(h, 0.9, 12).any())
    ([0], False)
    """
    out = np.zeros(h.vcount(), dtype=bool)
    if share <= 0:
        return out
    degree = np.asarray(h.degree(), dtype=np.float64)
    for comp in h.connected_components():
        if len(comp) < max(least, 3):
            continue
        nodes = np.asarray(comp, dtype=np.int64)
        wide = nodes[degree[nodes] >= share * (len(comp) - 1)]
        if 0 < len(wide) * 2 < len(comp):
            out[wide] = True
    return out


def workable_communities(g: AnalysisGraph, size: npt.NDArray[np.float64] | None = None,
                         cap: int = 0, method: str = "leiden", seed: int = 0,
                         iterations: int = 10,
                         resolutions: tuple[float, ...] = RESOLUTIONS,
                         hub_share: float = 0.0, hub_least: int = 10) -> Communities:
    """Communities whose resolution the graph chooses, none larger than ``cap``.

    Plain modularity cannot see groups much smaller than the square root of the
    graph's total tie weight (its resolution limit), so a county of 200,000 people
    falls into communities of hundreds, while a network of 150 people is already
    fine at resolution 1. For every resolution of ``resolutions`` the graph is
    partitioned, every community holding more than ``cap`` (counted with
    ``size``, one per node by default; ``cap = 0``: :func:`workable_size` of that
    total) is split by plain modularity on its own ties until none does (or
    modularity will not split it), and the partition kept is the one of highest
    plain modularity (resolution 1) over the whole graph; ties go to the lower
    resolution. Deterministic for a seed. With ``hub_share`` above 0, the
    :func:`hubs` (tied to that share of their component, in components of
    ``hub_least`` nodes or more) are set aside first: the others are partitioned
    without them, and the hubs of each component form a community of their own
    (``hub_nodes`` of the result names them).

    Examples
    --------
    Two triangles joined by one weak edge: resolution 1 already separates them.

    >>> import pandas as pd
    >>> from graph.analysis.projection import Projection, TableSource, project
    >>> pairs = [("A", "B"), ("B", "C"), ("A", "C"), ("D", "E"), ("E", "F"), ("D", "F"),
    ...          ("C", "D")]
    >>> rel = pd.DataFrame({"id": [f"r{i}" for i in range(7)],
    ...                     "src": [f"p:s:{a}" for a, _ in pairs],
    ...                     "dst": [f"p:s:{b}" for _, b in pairs], "start": None, "end": None})
    >>> g = project(TableSource(relations={"KIN": rel}), Projection({"KIN": 1.0}))
    >>> c = workable_communities(g)
    >>> c.membership.tolist(), c.resolution, c.cap
    ([0, 0, 0, 1, 1, 1], 1.0, 40)

    A community that plain modularity will not split (a triangle) stays whole:

    >>> tight = workable_communities(g, cap=2)
    >>> tight.sizes().tolist(), tight.split
    ([3, 3], 0)
    """
    if method not in METHODS:
        raise ValueError(f"unknown community method {method!r}; use one of {METHODS}")
    weights = np.ones(g.n) if size is None else np.asarray(size, dtype=np.float64)
    cap = cap or workable_size(int(weights.sum()))
    h = to_igraph(g)
    wide = hubs(h, hub_share, hub_least)
    rest = np.flatnonzero(~wide)
    core = h.induced_subgraph(rest.tolist()) if wide.any() else h
    hub_labels = _hub_labels(h, wide)
    best: tuple[float, float, npt.NDArray[np.int64], int] | None = None
    tried: dict[float, float] = {}
    for resolution in resolutions:
        raw = _partition(core, method, resolution, seed, iterations)
        m, split = _split(core, raw, weights[rest], cap, method, seed, iterations)
        m = renumber(_with_hubs(m, rest, wide, hub_labels))
        quality = float(h.modularity(m.tolist(), weights="weight")) if g.m else 0.0
        tried[resolution] = round(quality, 4)
        if best is None or quality > best[0] + 1e-9:
            best = (quality, resolution, m, split)
    assert best is not None
    quality, resolution, m, split = best
    return Communities(m, quality, method, seed, resolution, cap, split, tried,
                       hub_nodes=tuple(int(i) for i in np.flatnonzero(wide)))


def _hub_labels(h: Any, wide: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """For each hub (``wide``), in node order, 0, 1, ... by its connected component: the
    hubs of one component share a label."""
    if not wide.any():
        return np.zeros(0, dtype=np.int64)
    component = np.asarray(h.connected_components().membership, dtype=np.int64)[wide]
    return np.unique(component, return_inverse=True)[1].astype(np.int64)


def _with_hubs(m: npt.NDArray[np.int64], rest: npt.NDArray[np.int64],
               wide: npt.NDArray[np.bool_], hub_labels: npt.NDArray[np.int64]
               ) -> npt.NDArray[np.int64]:
    """The membership of every node: ``m`` for the nodes ``rest``, and the hubs
    (``wide``) of each connected component (``hub_labels``) one community of their own."""
    if not wide.any():
        return m
    out = np.empty(len(wide), dtype=np.int64)
    out[rest] = m
    out[wide] = (int(m.max()) + 1 if len(m) else 0) + hub_labels
    return out


def join_groups(membership: npt.NDArray[np.int64], size: npt.NDArray[np.float64],
                groups: Iterable[npt.NDArray[np.int64]], cap: int
                ) -> tuple[npt.NDArray[np.int64], int]:
    """Join the communities of each group of nodes (groups in the order given) into one
    while the joined community's ``size`` (summed over its nodes) stays within ``cap``:
    the community of the group's first node, then the others by how many of the group's
    nodes they hold (then in the group's order), each joined if it still fits; the
    membership renumbered (:func:`renumber`) and how many communities were joined.

    Examples
    --------
    >>> m = np.array([0, 0, 1, 1, 2, 2, 3])
    >>> groups = [np.array([1, 2]), np.array([3, 4]), np.array([6, 5, 4])]
    >>> joined, n = join_groups(m, np.ones(7), groups, cap=4)
    >>> joined.tolist(), n
    ([0, 0, 0, 0, 1, 1, 1], 2)
    >>> joined, n = join_groups(m, np.ones(7), groups[2:], cap=3)
    >>> joined.tolist(), n  # 3 joins 2 (two of the group's nodes), not also 0 and 1
    ([1, 1, 2, 2, 0, 0, 0], 1)
    """
    parent = np.arange(int(membership.max()) + 1 if len(membership) else 0)
    weight = np.bincount(membership, weights=size, minlength=len(parent)).astype(np.float64)

    def root(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = int(parent[c])
        return c

    joined = 0
    for nodes in groups:
        found = [root(int(c)) for c in membership[nodes]]
        if len(set(found)) < 2:
            continue
        held: dict[int, int] = {}
        for r in found:
            held[r] = held.get(r, 0) + 1
        base = found[0]
        order = sorted((r for r in held if r != base),
                       key=lambda r: (-held[r], found.index(r)))
        for r in order:
            if float(weight[base] + weight[r]) <= cap:
                parent[r] = base
                weight[base] += weight[r]
                joined += 1
    if not joined:
        return membership, 0
    return renumber(np.array([root(int(c)) for c in membership], dtype=np.int64)), joined

