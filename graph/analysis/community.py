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


def workable_communities(g: AnalysisGraph, size: npt.NDArray[np.float64] | None = None,
                         cap: int = 0, method: str = "leiden", seed: int = 0,
                         iterations: int = 10,
                         resolutions: tuple[float, ...] = RESOLUTIONS) -> Communities:
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
    resolution. Deterministic for a seed.

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
    best: tuple[float, float, npt.NDArray[np.int64], int] | None = None
    tried: dict[float, float] = {}
    for resolution in resolutions:
        raw = _partition(h, method, resolution, seed, iterations)
        m, split = _split(h, raw, weights, cap, method, seed, iterations)
        m = renumber(m)
        quality = float(h.modularity(m.tolist(), weights="weight")) if g.m else 0.0
        tried[resolution] = round(quality, 4)
        if best is None or quality > best[0] + 1e-9:
            best = (quality, resolution, m, split)
    assert best is not None
    quality, resolution, m, split = best
    return Communities(m, quality, method, seed, resolution, cap, split, tried)
