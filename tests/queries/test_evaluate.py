"""The metrics of ``umbrella evaluate`` on hand-made findings."""

from __future__ import annotations

from typing import Any

import pytest

from queries.evaluate import (
    ANY,
    Item,
    TruthRow,
    evaluate,
    items_of,
    ranked,
    touched,
)


def _f(fid: str, score: float, category: str, keys: list[str], rule: str = "R-001",
       evidence: list[str] | None = None) -> dict[str, Any]:
    path = [{"node": "person", "key": k} for k in (evidence or [])]
    return {"id": fid, "rule": rule, "category": category, "score": score, "keys": keys,
            "entities": [k.upper() for k in keys], "evidence": [{"path": path}]}


LEADS = [
    _f("F-a", 0.95, "umbrella", ["p:1", "k:1"]),
    _f("F-b", 0.90, "collusion", ["o:9"], evidence=["o:9", "p:1"]),   # touches p:1 via evidence
    _f("F-c", 0.80, "collusion", ["o:1", "o:2"]),
    _f("F-d", 0.80, "conflict_of_interest", ["p:5", "o:5"], rule="A-001"),  # same score: rule
    _f("F-e", 0.50, "collusion", ["o:1", "o:2", "o:3"]),
    _f("F-f", 0.30, "cluster", ["p:1", "o:1", "o:2", "o:3", "p:7"]),
]


def test_ranked_follows_the_scan_order() -> None:
    assert [f["id"] for f in ranked(reversed(LEADS))] == ["F-a", "F-b", "F-d", "F-c", "F-e",
                                                         "F-f"]


def test_precision_at_k_counts_leads_touching_any_confirmed_item() -> None:
    items = [Item("umbrella", "P1", "", ("P1",), ("p:1",)),
             Item("collusion", "ring", "", ("O1", "O2", "O3"), ("o:1", "o:2", "o:3"))]
    e = evaluate(LEADS, items, ks=(1, 2, 3, 10))
    # ranked: a (p:1) hit, b (o:9) miss, d miss, c (o:1) hit, e hit, f hit
    assert [(p.k, p.leads, p.hits) for p in e.precision] == [
        (1, 1, 1), (2, 2, 1), (3, 3, 1), (10, 6, 4)]
    assert e.precision[-1].precision == pytest.approx(4 / 6)
    assert [(rank, f["id"]) for rank, f in e.false_leads] == [(2, "F-b"), (3, "F-d")]
    # with the evidence nodes, F-b touches p:1
    e = evaluate(LEADS, items, ks=(3,), match="evidence")
    assert e.precision[0].hits == 2 and [f["id"] for _, f in e.false_leads] == ["F-d"]


def test_a_group_is_found_only_by_one_finding_of_its_category_holding_every_member() -> None:
    ring = Item("collusion", "ring", "", ("O1", "O2", "O3"), ("o:1", "o:2", "o:3"))
    network = Item("cluster", "N1", "", ("P1", "O1", "P7"), ("p:1", "o:1", "p:7"))
    nowhere = Item("cluster", "N2", "", ("P1", "P5"), ("p:1", "p:5"))
    e = evaluate(LEADS, [ring, network, nowhere])
    ranks = {r.item.name: (r.rank, r.finding["id"] if r.finding else None, r.first_touch)
             for r in e.items}
    # F-c (rank 4) holds two of three firms: the ring is found at F-e (rank 5)
    assert ranks == {"ring": (5, "F-e", 4), "N1": (6, "F-f", 1), "N2": (None, None, 1)}
    recall = {r.category: (r.found, r.items, r.median_rank, r.leads) for r in e.recall}
    assert recall == {"cluster": (1, 2, 6, 1), "collusion": (1, 1, 5, 3)}


def test_an_item_of_another_category_is_not_found_but_touched() -> None:
    item = Item("subsidy_fraud", "P5", "", ("P5",), ("p:5",))
    (r,) = evaluate(LEADS, [item]).items
    assert (r.rank, r.first_touch) == (None, 3)
    (rec,) = evaluate(LEADS, [item]).recall
    assert (rec.found, rec.recall, rec.median_rank, rec.leads) == (0, 0.0, None, 0)


def test_an_item_of_any_category_is_found_by_any_finding() -> None:
    item = Item(ANY, "P5", "", ("P5",), ("p:5",))
    (r,) = evaluate(LEADS, [item]).items
    assert r.rank == 3 and r.finding is not None and r.finding["id"] == "F-d"


def test_touched_reads_keys_not_the_printed_ids() -> None:
    f = _f("F-x", 0.5, "umbrella", ["p:1"], evidence=["p:1", "o:3"])
    assert touched(f) == {"p:1"} and touched(f, "evidence") == {"p:1", "o:3"}


def test_items_merge_rows_of_one_group_and_one_entity() -> None:
    rows = [TruthRow(2, "P1", "p:1", "ring A", "collusion", "A"),
            TruthRow(3, "P1-dup", "p:1", "", "collusion", "A"),   # a merged duplicate
            TruthRow(4, "O2", "o:2", "", "collusion", "A"),
            TruthRow(5, "P1", "p:1", "case 3", "umbrella", ""),
            TruthRow(6, "P1-dup", "p:1", "", "umbrella", "")]
    items = items_of(rows)
    assert [(i.category, i.name, i.label, i.ids, i.keys) for i in items] == [
        ("collusion", "A", "ring A", ("P1", "P1-dup", "O2"), ("p:1", "o:2")),
        ("umbrella", "P1", "case 3", ("P1", "P1-dup"), ("p:1",))]


def test_bad_ks_and_matches_are_refused() -> None:
    with pytest.raises(ValueError):
        evaluate(LEADS, [], ks=(0,))
    with pytest.raises(ValueError):
        evaluate(LEADS, [], match="neighbours")
