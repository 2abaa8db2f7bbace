"""The analysis engine: projections, communities, cross-side betweenness and k-cores,
checked against plain Python builds and networkx's own implementations."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from graph.analysis import (
    AnalysisGraph,
    Projection,
    TableSource,
    communities,
    core_numbers,
    cross_betweenness,
    node_roles,
    project,
)
from graph.analysis.projection import FOLDS
from graph.store import SqliteStore, StoreView
from loaders.load import load_folder
from synthetic import generate_county

CLU = {"KIN": 3.0, "ASSOCIATE": 2.0, "COMPANY_ROLE": 2.0, "CASE_ROLE": 3.0, "CO_BID": 1.0,
       "APPROVED_AWARD": 1.0, "APPROVED_PAYMENT": 0.3}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> StoreView:
    tmp = tmp_path_factory.mktemp("analysis")
    g = generate_county(tmp / "c", scale=0.3, seed=22)
    store = SqliteStore(tmp / "c.db")
    load_folder(g.data_dir, store)
    return store.view()


def _rel(rows: list[tuple[str, str, str]], **cols: list[object]) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=["id", "src", "dst"])
    f["start"], f["end"] = None, None
    for k, v in cols.items():
        f[k] = v
    return f


def _plain_build(view: StoreView, weights: dict[str, float], drop: set[str]
                 ) -> dict[tuple[str, str], tuple[float, int]]:
    """The projection written the slow, obvious way: record by record."""
    edges: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])

    def add(u: str, v: str, w: float) -> None:
        if u == v or u in drop or v in drop:
            return
        e = edges[(min(u, v), max(u, v))]
        e[0] += w
        e[1] += 1

    by_type = {t: list(view.relations([t])) for t in ("KIN", "ASSOCIATE", "COMPANY_ROLE",
                                                      "CASE_ROLE", "BID", "APPROVED",
                                                      "AWARDED_TO", "PAID_TO")}
    for t in ("KIN", "ASSOCIATE", "COMPANY_ROLE", "CASE_ROLE"):
        for r in by_type[t]:
            add(r.src, r.dst, weights[t])
    bidders: dict[str, list[str]] = defaultdict(list)
    for r in by_type["BID"]:
        bidders[r.dst].append(r.src)
    for firms in bidders.values():
        for a in firms:
            for b in firms:
                if a < b:
                    add(a, b, weights["CO_BID"])
    approver: dict[str, list[str]] = defaultdict(list)
    for r in by_type["APPROVED"]:
        approver[r.dst].append(r.src)
    for t, fold in (("AWARDED_TO", "APPROVED_AWARD"), ("PAID_TO", "APPROVED_PAYMENT")):
        for r in by_type[t]:
            for a in approver.get(r.src, []):
                add(a, r.dst, weights[fold])
    return {k: (v[0], int(v[1])) for k, v in edges.items()}


def test_projection_matches_a_record_by_record_build(county: StoreView) -> None:
    orgs = county.entities_frame("organization")
    drop = set(orgs.loc[~orgs["kind"].isin(["company", "other"]), "key"])
    g = project(county, Projection(CLU, org_kinds=("company", "other")))
    keys = g.keys.tolist()
    got = {(keys[a], keys[b]): (round(w, 6), int(n)) for a, b, w, n in
           zip(g.src.tolist(), g.dst.tolist(), g.weight.tolist(), g.records.tolist(),
               strict=True)}
    want = {k: (round(w, 6), n) for k, (w, n) in _plain_build(county, CLU, drop).items()}
    assert got == want
    assert g.n > 3000 and g.m > 5000
    assert keys == sorted(keys), "node ids follow the sorted keys"


def test_a_folded_tie_names_both_records_and_the_event_between() -> None:
    bids = _rel([("b1", "o:s:F1", "c:K1"), ("b2", "o:s:F2", "c:K1"), ("b3", "o:s:F2", "c:K2"),
                 ("b4", "o:s:F1", "c:K2")])
    g = project(TableSource(relations={"BID": bids}), Projection({"CO_BID": 1.5}))
    assert g.keys.tolist() == ["o:s:F1", "o:s:F2"]
    assert g.weight.tolist() == [3.0] and g.records.tolist() == [2]
    assert g.rel_type.tolist() == ["BID>BID"]
    assert g.rel_id.tolist() == ["b1>b2"] and g.vias().tolist() == ["c:K1"]
    assert set(FOLDS) == {"CO_BID", "APPROVED_AWARD", "APPROVED_PAYMENT", "CO_CASE", "CO_OFFENDER"}


def test_on_a_date_only_ties_in_force_and_earlier_events_count() -> None:
    kin = _rel([("k1", "p:s:A", "p:s:B"), ("k2", "p:s:B", "p:s:C")])
    kin.loc[0, "end"] = "2018-12-31"
    award = _rel([("a1", "c:s:K", "o:s:W")])
    award["start"] = ["2021-05-01"]
    approve = _rel([("p1", "p:s:C", "c:s:K")])
    approve["start"] = ["2021-04-01"]
    src = TableSource(relations={"KIN": kin, "AWARDED_TO": award, "APPROVED": approve})
    spec = {"KIN": 1.0, "APPROVED_AWARD": 1.0}
    assert project(src, Projection(spec)).m == 3
    assert project(src, Projection(spec, on="2020-01-01")).keys.tolist() == ["p:s:B", "p:s:C"]
    later = project(src, Projection(spec, on="2021-06-01"))
    assert sorted(later.keys.tolist()) == ["o:s:W", "p:s:B", "p:s:C"]
    with pytest.raises(ValueError, match="unknown relationship types"):
        Projection({"FRIEND": 1.0})


def test_to_networkx_keeps_keys_kinds_weights_and_records(county: StoreView) -> None:
    g = project(county, Projection(CLU, org_kinds=("company", "other")))
    G = g.to_networkx()
    assert G.number_of_nodes() == g.n and G.number_of_edges() == g.m
    j = int(np.argmax(g.weight))
    a, b = str(g.keys[g.src[j]]), str(g.keys[g.dst[j]])
    assert G.edges[a, b]["weight"] == g.weight[j] and G.edges[a, b]["rid"] == g.rel_id[j]
    assert G.nodes[a]["kind"] == g.kinds[g.src[j]]
    assert g.edge_of(int(g.dst[j]), int(g.src[j])) == j == g.edge_of(int(g.src[j]), int(g.dst[j]))
    with pytest.raises(KeyError):
        g.edge_of(int(g.src[j]), int(g.src[j]))


def test_communities_are_deterministic_for_a_seed_and_as_good_as_networkx(
        county: StoreView) -> None:
    g = project(county, Projection(CLU, org_kinds=("company", "other")))
    one = communities(g, seed=5)
    assert np.array_equal(one.membership, communities(g, seed=5).membership)
    assert np.array_equal(communities(g, method="louvain", seed=5).membership,
                          communities(g, method="louvain", seed=5).membership)
    sizes = one.sizes()
    assert (np.diff(sizes) <= 0).all(), "community 0 is the biggest"
    G = nx.Graph()
    G.add_weighted_edges_from(zip(g.src.tolist(), g.dst.tolist(), g.weight.tolist(),
                                  strict=True))
    theirs = nx.community.louvain_communities(G, weight="weight", seed=5)
    q_nx = nx.community.modularity(G, theirs, weight="weight")
    assert one.modularity >= q_nx - 0.01, (one.modularity, q_nx)
    with pytest.raises(ValueError, match="unknown community method"):
        communities(g, method="cpm")


def _karate() -> tuple[nx.Graph[int], AnalysisGraph]:
    G = nx.karate_club_graph()
    edges = sorted((min(a, b), max(a, b)) for a, b in G.edges())
    obj = lambda x: np.array(x, dtype=object)  # noqa: E731
    w = np.array([float(G.edges[a, b]["weight"]) for a, b in edges])
    g = AnalysisGraph(obj([f"p:s:{i:02d}" for i in range(34)]), obj(["person"] * 34),
                      np.array([a for a, _ in edges]), np.array([b for _, b in edges]), w,
                      obj(["KIN"] * len(edges)), obj(["r"] * len(edges)),
                      np.ones(len(edges), dtype=np.int64))
    return G, g


@pytest.mark.parametrize("weighted", [False, True])
def test_cross_betweenness_is_networkx_subset_betweenness(weighted: bool) -> None:
    G, g = _karate()
    for u, v in G.edges():
        G.edges[u, v]["distance"] = 1.0 / G.edges[u, v]["weight"]
    a, b = [0, 5, 9, 16, 25, 33, 12], [1, 2, 3, 30, 31]
    ma, mb = np.zeros(34, bool), np.zeros(34, bool)
    ma[a], mb[b] = True, True
    w = "distance" if weighted else None
    cross = cross_betweenness(g, {"a": ma, "b": mb}, [("a", "b")], weighted=weighted)
    ref = nx.betweenness_centrality_subset(G, a, b, normalized=False, weight=w)
    # networkx halves undirected subset betweenness; ours counts pairs of endpoints
    assert np.allclose(cross.value, [2 * ref[i] for i in range(34)])
    assert cross.exact and cross.pairs == 35 and (cross.stderr == 0).all()
    same = cross_betweenness(g, {"a": ma}, [("a", "a")], weighted=weighted)
    ref = nx.betweenness_centrality_subset(G, a, a, normalized=False, weight=w)
    assert np.allclose(same.value, [ref[i] for i in range(34)]) and same.pairs == 21


def test_a_sampled_estimate_lies_within_its_stated_error(county: StoreView) -> None:
    spec = Projection({"HOLDS_POST": 1, "PART_OF": 1, "KIN": 1, "ASSOCIATE": 1,
                       "COMPANY_ROLE": 1, "CASE_ROLE": 1},
                      where={"CASE_ROLE": ("role", ("suspect", "gang_leader", "gang_member"))})
    g = project(county, spec)
    sides = node_roles(county, g)
    pair = [("government", "company")]
    exact = cross_betweenness(g, sides, pair, weighted=False)
    est = cross_betweenness(g, sides, pair, samples=40, batches=8, seed=3, weighted=False)
    assert exact.exact and not est.exact and est.runs[0].sources == 40
    top = np.argsort(-exact.value)[:30]
    z = np.abs(est.value[top] - exact.value[top]) / np.maximum(est.stderr[top], 1e-9)
    assert (z <= 4).all(), z
    assert (z <= 1.96).mean() >= 0.75, z
    again = cross_betweenness(g, sides, pair, samples=40, batches=8, seed=3, weighted=False)
    assert np.array_equal(est.value, again.value), "same seed, same sample"


def test_core_numbers_are_networkx_core_numbers(county: StoreView) -> None:
    g = project(county, Projection(CLU, org_kinds=("company", "other")))
    G = nx.Graph()
    G.add_nodes_from(range(g.n))
    G.add_edges_from(zip(g.src.tolist(), g.dst.tolist(), strict=True))
    ref = nx.core_number(G)
    assert core_numbers(g).tolist() == [ref[i] for i in range(g.n)]


def test_sides_come_from_records(tmp_path: Path) -> None:
    posts = _rel([("h", "p:s:OFF", "o:s:GOV")])
    roles = _rel([("r", "p:s:OWN", "o:s:CO")], role=["shareholder"])
    cases = _rel([("c1", "p:s:SUS", "case:K"), ("c2", "p:s:OFF", "case:K")],
                 role=["suspect", "investigator"])
    orgs = pd.DataFrame({"key": ["o:s:GOV", "o:s:CO"], "name": ["局", "公司"],
                         "kind": ["agency", "company"]})
    src = TableSource(relations={"HOLDS_POST": posts, "COMPANY_ROLE": roles,
                                 "CASE_ROLE": cases},
                      entities={"organization": orgs})
    g = project(src, Projection({"HOLDS_POST": 1, "COMPANY_ROLE": 1, "CASE_ROLE": 1}))
    r = node_roles(src, g)
    on = {side: sorted(str(g.keys[i]) for i in np.flatnonzero(m)) for side, m in r.items()}
    assert on["official"] == ["p:s:OFF"] and on["government"] == ["o:s:GOV"]
    assert on["company"] == ["o:s:CO"] and on["business"] == ["o:s:CO", "p:s:OWN"]
    assert on["crime"] == ["p:s:SUS"] and on["supplier"] == []
