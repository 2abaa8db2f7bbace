"""Brokers and the tight centre: betweenness across sides, and k-cores.

:func:`cross_betweenness` counts, for every node, the share of shortest paths
between two *different* sides of public life (official <-> business, official
<-> crime, see :mod:`graph.analysis.roles`) that pass through it: the people
who bridge government and business, or government and crime. Paths run on
tie distances (1 / weight: strong ties are short). When a side is larger than
``samples`` nodes, shortest paths are followed from a seeded random sample of
its nodes and scaled up; the sample is split into batches whose spread gives a
standard error for every node, so the estimate comes with its error.

Examples
--------
An official tied to a broker who is tied to a gang member; the broker sits on
the only official <-> crime path:

>>> import pandas as pd
>>> from graph.analysis.projection import Projection, TableSource, project
>>> rel = pd.DataFrame({"id": ["r1", "r2", "r3"], "src": ["p:s:OFF", "p:s:BRK", "p:s:BRK"],
...                     "dst": ["p:s:BRK", "p:s:GANG", "p:s:X"], "start": None, "end": None})
>>> g = project(TableSource(relations={"ASSOCIATE": rel}), Projection({"ASSOCIATE": 1.0}))
>>> g.keys.tolist()
['p:s:BRK', 'p:s:GANG', 'p:s:OFF', 'p:s:X']
>>> sides = {"official": np.array([0, 0, 1, 0], bool), "crime": np.array([0, 1, 0, 0], bool)}
>>> b = cross_betweenness(g, sides, [("official", "crime")])
>>> b.value.tolist(), b.exact
([1.0, 0.0, 0.0, 0.0], True)
>>> core_numbers(g).tolist()
[1, 1, 1, 1]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from graph.analysis.engine import to_igraph
from graph.analysis.projection import AnalysisGraph

if TYPE_CHECKING:
    import numpy.typing as npt


@dataclass
class PairRun:
    """How one pair of sides was computed: population, sources followed, exact or not."""

    sides: tuple[str, str]
    source_side: str
    sources: int
    population: int
    targets: int
    exact: bool


@dataclass
class Betweenness:
    """Cross-side betweenness of every node, with its standard error (0 when exact).

    ``value[i]`` estimates how many cross-side pairs of endpoints have their
    shortest paths through node i (a pair with several shortest paths counts
    for the share through i); ``pairs`` is the number of such endpoint pairs.
    """

    value: npt.NDArray[np.float64]
    stderr: npt.NDArray[np.float64]
    pairs: float
    runs: list[PairRun] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        """True when no side was sampled."""
        return all(r.exact for r in self.runs)

    def share(self) -> npt.NDArray[np.float64]:
        """``value`` as a share of all cross-side endpoint pairs (0..1)."""
        return self.value / self.pairs if self.pairs else np.zeros_like(self.value)


def _run(h: object, weights: list[float] | None, sources: npt.NDArray[np.int64],
         targets: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    # igraph halves undirected subset betweenness; double it back to a count of pairs.
    raw = h.betweenness(directed=False, weights=weights,  # type: ignore[attr-defined]
                        sources=sources.tolist(), targets=targets.tolist())
    return 2.0 * np.asarray(raw, dtype=np.float64)


def cross_betweenness(g: AnalysisGraph, sides: Mapping[str, npt.NDArray[np.bool_]],
                      pairs: Sequence[tuple[str, str]], samples: int = 300, batches: int = 10,
                      seed: int = 0, weighted: bool = True) -> Betweenness:
    """Betweenness over shortest paths whose two ends stand on different sides.

    Parameters
    ----------
    sides:
        Side name -> boolean mask over the nodes of ``g``.
    pairs:
        Pairs of sides whose connecting paths count, e.g. ``[("official", "crime")]``.
        A node on both sides of a pair is taken as a source only. A side paired
        with itself counts the paths between any two of its nodes.
    samples:
        Most source nodes followed per pair; the smaller side of a pair is the
        source side, and it is followed whole when it has at most this many nodes.
    batches:
        Batches the sample is split into to estimate the standard error.
    seed:
        Seed of the sample.
    weighted:
        Use tie distances (1 / weight) instead of counting ties.
    """
    h = to_igraph(g, weights=False)
    weights = (1.0 / g.weight).tolist() if weighted else None
    value = np.zeros(g.n)
    var = np.zeros(g.n)
    total = 0.0
    runs: list[PairRun] = []
    rng = np.random.default_rng(seed)
    for a, b in pairs:
        ma, mb = sides[a], sides[b]
        src_side, dst_side = (a, b) if ma.sum() <= mb.sum() else (b, a)
        src = np.flatnonzero(sides[src_side]).astype(np.int64)
        same = a == b
        dst = src if same else np.flatnonzero(sides[dst_side] & ~sides[src_side]).astype(
            np.int64)
        # the same side both ways: every unordered pair is met twice, once from each end
        half = 0.5 if same else 1.0
        total += float(len(src)) * float(len(dst) - same) * half
        if not len(src) or not len(dst):
            runs.append(PairRun((a, b), src_side, 0, len(src), len(dst), True))
            continue
        if len(src) <= samples:
            value += half * _run(h, weights, src, dst)
            runs.append(PairRun((a, b), src_side, len(src), len(src), len(dst), True))
            continue
        chosen = np.sort(rng.choice(src, size=samples, replace=False))
        parts = [p for p in np.array_split(rng.permutation(chosen), max(2, batches)) if len(p)]
        estimates = np.vstack([half * _run(h, weights, np.sort(p), dst) * (len(src) / len(p))
                               for p in parts])
        value += estimates.mean(axis=0)
        var += estimates.var(axis=0, ddof=1) / len(parts)
        runs.append(PairRun((a, b), src_side, samples, len(src), len(dst), False))
    return Betweenness(value, np.sqrt(var), total, runs)


def core_numbers(g: AnalysisGraph) -> npt.NDArray[np.int64]:
    """k-core number of every node: the largest k such that the node belongs to a
    subgraph where everyone has at least k ties (igraph ``coreness``)."""
    return np.asarray(to_igraph(g, weights=False).coreness(mode="all"), dtype=np.int64)
