"""A record's own recorded strength (its ``weight``) in the projection CLU-001 and BRK-001 use.

The same small store on disk (SQLite, and pushed to Neo4j): four people tied by
known associations, one recorded 4 times as strong, one with no strength
recorded, one recorded at 0; and two firms bidding on one contract, one bid
recorded at 2. The projection is built both ways the code builds it — one SQL
query on the columnar engine (``edge_sql``, what the rules run) and the view's
frames in pandas (``edge_records``) — and must give the same edges, with the
recorded strength multiplied into the tie type's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from neo4j_stores import open_neo4j

from graph.analysis import Projection, project
from graph.analysis.projection import AnalysisGraph
from graph.store import EntityRecord, RelationRecord, SqliteStore, Store
from graph.store.copy import copy_store
from queries.frames import Frames
from queries.rules.clu import FramesSource, edge_sql
from queries.scan import run_rule

WEIGHTS = {"ASSOCIATE": 2.0, "CO_BID": 1.5}


def _fill(store: Store) -> None:
    people = [EntityRecord(f"p:s:{x}", "person", x, {}) for x in "ABCD"]
    firms = [EntityRecord(f"o:s:{x}", "organization", x, {"kind": "company"}) for x in "FG"]
    tender = [EntityRecord("c:s:T1", "contract", "T1", {})]
    rel = [
        RelationRecord("r1", "ASSOCIATE", "p:s:A", "p:s:B", None, None,
                       {"weight": 4.0, "tie": "co-appearance"}, "edges.csv", 2),
        RelationRecord("r2", "ASSOCIATE", "p:s:B", "p:s:C", None, None, {}, "edges.csv", 3),
        RelationRecord("r3", "ASSOCIATE", "p:s:C", "p:s:D", None, None, {"weight": 0.0},
                       "edges.csv", 4),
        RelationRecord("b1", "BID", "o:s:F", "c:s:T1", None, None,
                       {"amount": 100.0, "weight": 2.0}, "bids.csv", 2),
        RelationRecord("b2", "BID", "o:s:G", "c:s:T1", None, None, {"amount": 101.0},
                       "bids.csv", 3),
    ]
    with store.writer() as w:
        w.put_entities([*people, *firms, *tender])
        w.put_relations(rel)


def _edges(g: AnalysisGraph) -> dict[tuple[str, str], float]:
    k = g.keys
    return {(str(k[a]), str(k[b])): float(w) for a, b, w in
            zip(g.src.tolist(), g.dst.tolist(), g.weight.tolist(), strict=True)}


RECORDED = {("p:s:A", "p:s:B"): 2.0 * 4.0, ("p:s:B", "p:s:C"): 2.0,
            ("o:s:F", "o:s:G"): 1.5 * 2.0}
UNWEIGHED = {("p:s:A", "p:s:B"): 2.0, ("p:s:B", "p:s:C"): 2.0, ("p:s:C", "p:s:D"): 2.0,
             ("o:s:F", "o:s:G"): 1.5}


def _check(store: Store) -> None:
    frames = Frames(store.view())
    try:
        own = frames.rel("ASSOCIATE").set_index("id")["weight"]
        assert own.dropna().to_dict() == {"r1": 4.0, "r3": 0.0} and own.isna()["r2"]
        source = FramesSource(frames)
        for recorded, want in ((True, RECORDED), (False, UNWEIGHED)):
            spec = Projection(WEIGHTS, recorded=recorded)
            by_sql = project(source, spec)
            by_frames = project(store.view(), spec)
            assert _edges(by_sql) == want
            assert _edges(by_frames) == want
            assert by_sql.rel_id.tolist() == by_frames.rel_id.tolist()
        sql, _ = edge_sql(Projection(WEIGHTS))
        assert "coalesce(weight, 1.0)" in sql
    finally:
        frames.close()


def test_a_recorded_weight_multiplies_the_tie_on_sqlite(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.db")
    try:
        _fill(store)
        _check(store)
    finally:
        store.close()


def test_a_recorded_weight_multiplies_the_tie_on_neo4j(tmp_path: Path, neo4j_db: Any) -> None:
    lite = SqliteStore(tmp_path / "w.db")
    neo = open_neo4j(neo4j_db)
    try:
        _fill(lite)
        copy_store(lite, neo)
        _check(neo)
    finally:
        neo.close()
        lite.close()


def test_communities_follow_the_recorded_strength(tmp_path: Path) -> None:
    """A prism (two triangles A-B-C and D-E-F, rungs A-D, B-E, C-F): counted once each, the
    ties split it into its two triangles; recorded 5 times as strong on the square
    A-B-E-D, they make that square the community (C and F, a pair, are not reported:
    min_members 3)."""
    store = SqliteStore(tmp_path / "prism.db")
    heavy = {("A", "B"), ("D", "E"), ("A", "D"), ("B", "E")}
    pairs = [("A", "B"), ("B", "C"), ("A", "C"), ("D", "E"), ("E", "F"), ("D", "F"),
             ("A", "D"), ("B", "E"), ("C", "F")]
    try:
        with store.writer() as w:
            w.put_entities([EntityRecord(f"p:s:{x}", "person", x, {}) for x in "ABCDEF"])
            w.put_relations([RelationRecord(f"r{i}", "ASSOCIATE", f"p:s:{a}", f"p:s:{b}", None,
                                            None, {"weight": 5.0 if (a, b) in heavy else 1.0},
                                            "edges.csv", i + 2)
                             for i, (a, b) in enumerate(pairs)])
        with_weights = run_rule(store, "CLU-001", {"min_kinds": 0, "min_members": 3})
        without = run_rule(store, "CLU-001", {"min_kinds": 0, "min_members": 3,
                                              "recorded_weights": False})
    finally:
        store.close()

    def groups(found: list[dict[str, Any]]) -> list[list[str]]:
        return sorted(sorted(k.removeprefix("p:s:") for k in f["entities"]) for f in found)

    assert groups(with_weights) == [["A", "B", "D", "E"]]
    assert groups(without) == [["A", "B", "C"], ["D", "E", "F"]]


@pytest.mark.parametrize("bad", ["x", None])
def test_a_weight_that_is_not_a_number_counts_as_one(tmp_path: Path, bad: object) -> None:
    store = SqliteStore(tmp_path / "bad.db")
    try:
        with store.writer() as w:
            w.put_entities([EntityRecord(f"p:s:{x}", "person", x, {}) for x in "AB"])
            w.put_relations([RelationRecord("r1", "ASSOCIATE", "p:s:A", "p:s:B", None, None,
                                            {"weight": bad}, "edges.csv", 2)])
        frames = Frames(store.view())
        g = project(FramesSource(frames), Projection({"ASSOCIATE": 2.0}))
        frames.close()
    finally:
        store.close()
    assert np.allclose(g.weight, [2.0])
