"""The metrics of ``umbrella evaluate`` on hand-made findings, and reading truth files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.errors import InputError
from graph.store import AliasRecord, EntityRecord, SqliteStore
from queries.evaluate import (
    ANY,
    Item,
    TruthRow,
    evaluate,
    items_of,
    ranked,
    read_truth_file,
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


@pytest.fixture
def two_sources(tmp_path: Path) -> SqliteStore:
    """A store where P1 names one person through two ids, and X1 names two people."""
    store = SqliteStore(tmp_path / "t.db")
    with store.writer() as w:
        w.put_entities([EntityRecord("p:1", "person", "张伟", {}),
                        EntityRecord("p:2", "person", "李娜", {}),
                        EntityRecord("p:3", "person", "王芳", {})])
        w.put_aliases([AliasRecord("persons", "P1", "p:1", "/a/persons.csv", 2),
                       AliasRecord("persons", "P1b", "p:1", "/a/persons.csv", 3),
                       AliasRecord("persons", "X1", "p:2", "/a/persons.csv", 4),
                       AliasRecord("persons", "X1", "p:3", "/b/persons.csv", 2)])
    return store


def test_truth_rows_read_are_used_or_set_aside_with_line_and_reason(
        two_sources: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_bytes("id,label,category,group,note\n"
                     "P1,结案 2021,umbrella,,\n"
                     "P1b,duplicate row,umbrella,,\n"
                     "X1,two people,,,\n"
                     " ,blank,,,\n"
                     "P404,unknown,collusion,G,\n"
                     "P1,bad category,gang,,\n"
                     "P1,too,many,fields,here,x\n".encode("gb18030"))
    t = read_truth_file(two_sources.view(), path)
    assert t.encoding == "gb18030"
    assert t.read == 7 == len(t.rows) + len(t.set_aside)
    assert [(r.line, r.key, r.label) for r in t.rows] == [(2, "p:1", "结案 2021"),
                                                         (3, "p:1", "duplicate row")]
    aside = [(s.line, s.column, s.reason) for s in t.set_aside]
    assert aside == [(4, "id", "ambiguous_id"), (5, "id", "blank_id"),
                     (6, "id", "unknown_id"), (7, "category", "unknown_category"),
                     (8, "(6)", "bad_field_count")]
    ambiguous = t.set_aside[0].message
    assert "李娜" in ambiguous and "王芳" in ambiguous and "p:2" in ambiguous
    assert "P404" in t.set_aside[2].message and "umbrella show" in t.set_aside[2].message
    assert len(items_of(t.rows)) == 1


def test_a_truth_file_without_a_needed_column_is_refused(two_sources: SqliteStore,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text("identifier,label\nP1,x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_truth_file(two_sources.view(), path)
    assert "line 1" in err.value.message and "no column id" in err.value.message
    assert "id,label" in err.value.hint


def test_a_truth_file_with_no_usable_row_is_refused_naming_the_first_fault(
        two_sources: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text("id,label\nNOPE,x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_truth_file(two_sources.view(), path)
    assert "line 2" in err.value.message and "NOPE" in err.value.message
