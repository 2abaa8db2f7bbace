"""Communities whose resolution the graph chooses: a ring of small cliques (the textbook
case of modularity's resolution limit) and a small network both come out in groups an
investigator can work, the same for the same seed."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from graph.analysis.community import communities, workable_communities, workable_size
from graph.analysis.projection import AnalysisGraph, Projection, TableSource, project


def _ring_of_cliques(cliques: int, size: int) -> AnalysisGraph:
    pairs = []
    for c in range(cliques):
        nodes = [f"{c}-{i}" for i in range(size)]
        pairs += list(itertools.combinations(nodes, 2))
        pairs.append((nodes[0], f"{(c + 1) % cliques}-1"))
    rel = pd.DataFrame({"id": [f"r{i}" for i in range(len(pairs))],
                        "src": [f"p:s:{a}" for a, _ in pairs],
                        "dst": [f"p:s:{b}" for _, b in pairs], "start": None, "end": None})
    return project(TableSource(relations={"KIN": rel}), Projection({"KIN": 1.0}))


def test_a_large_ring_of_cliques_is_cut_into_workable_groups() -> None:
    g = _ring_of_cliques(3000, 5)  # 15,000 people: the cap is 150
    chosen = workable_communities(g, seed=0)
    assert chosen.cap == workable_size(g.n) == 150
    assert chosen.sizes().max() <= chosen.cap
    # a tighter cap: plain modularity's groups of some 80 people are cut, cliques kept whole
    plain = communities(g, resolution=1.0, seed=0)
    assert plain.sizes().max() > 40
    tight = workable_communities(g, cap=40, seed=0)
    assert tight.sizes().max() <= 40 and tight.count > plain.count
    whole = sum(len(set(tight.membership[c * 5:(c + 1) * 5].tolist())) == 1
                for c in range(3000))
    assert whole >= 0.9 * 3000
    again = workable_communities(g, cap=40, seed=0)
    assert np.array_equal(again.membership, tight.membership)


def test_a_small_network_keeps_resolution_one() -> None:
    g = _ring_of_cliques(30, 5)  # 150 people: the cap is 40
    chosen = workable_communities(g, seed=0)
    assert chosen.cap == 40 and chosen.count > 1 and chosen.sizes().max() <= 40
    assert chosen.resolution == 1.0 and chosen.tried[1.0] == max(chosen.tried.values())
