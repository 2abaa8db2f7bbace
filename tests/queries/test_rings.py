"""COL-005 rings and COL-002's corroboration: one finding per ring, pairs folded, rotation
alone scored low, a small market discounted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.store import SqliteStore
from loaders.load import load_folder
from queries.scan import ScanResult, scan

GOLDEN = Path(__file__).parent / "golden"


def _scan(tmp_path: Path, case: str, codes: list[str],
          overrides: dict[str, dict[str, Any]] | None = None) -> ScanResult:
    store = SqliteStore(tmp_path / f"{case}-{len(list(tmp_path.iterdir()))}.db")
    load_folder(GOLDEN / case, store)
    try:
        return scan(store, codes=codes, overrides=overrides)
    finally:
        store.close()


def _ring_pairs(found: list[dict[str, Any]]) -> list[list[str]]:
    ring = {"F1", "F2", "F3", "F4"}
    return [sorted(f["entities"]) for f in found
            if f["rule"] == "COL-001" and len(ring & set(f["entities"])) == 2]


def test_a_ring_of_four_is_one_finding_not_six_pairs(tmp_path: Path) -> None:
    pairs_only = _scan(tmp_path, "COL-005", ["COL-001"])
    assert len(_ring_pairs(pairs_only.findings)) == 6
    both = _scan(tmp_path, "COL-005", ["COL-001", "COL-005"])
    assert _ring_pairs(both.findings) == []
    [ring] = [f for f in both.findings if f["rule"] == "COL-005"]
    assert ring["members"] == ["F1", "F2", "F3", "F4"]
    assert ring["links"] == ["phone", "bank_account", "legal_rep"]
    assert ring["contracts"] == ["K1", "K2", "K3"]
    assert len(ring["pairs"]) == 6
    assert ring["score"] == pytest.approx(0.6 + 2 * 0.1 + 2 * 0.02 + 0.02)
    [note] = [n for n in both.notes if n["kind"] == "folded_into_ring"]
    assert note["pairs"] == 6 and note["ring"] == ["F1", "F2", "F3", "F4"]
    # total findings on the ring's firms: 6 pairs before, 1 ring now
    assert len([f for f in both.findings if {"F1", "F2"} <= set(f["entities"])]) == 1
    unfolded = _scan(tmp_path, "COL-005", ["COL-001", "COL-005"],
                     {"COL-001": {"fold_into_rings": False}})
    assert len(_ring_pairs(unfolded.findings)) == 6


def test_ring_explanation_names_before_ids_a_handful_per_line(tmp_path: Path) -> None:
    found = _scan(tmp_path, "COL-005", ["COL-005"]).findings
    [ring] = found
    text = ring["explanation"]
    assert "宏远建筑工程有限公司 (F1)" in text and "“0731-8800001”" in text
    assert "罗建国 (P1) as legal representative" in text
    assert "not proof" in text
    assert ring["title"].startswith("Ring of 4 firms sharing the phone number")


def test_ring_needs_each_member_to_bid_with_another(tmp_path: Path) -> None:
    found = _scan(tmp_path, "COL-005", ["COL-005"],
                  {"COL-005": {"links": ["phone"], "min_firms": 3}}).findings
    assert [f["members"] for f in found] == [["F1", "F2", "F3", "F4"]]
    assert found[0]["links"] == ["phone"]
    none = _scan(tmp_path, "COL-005", ["COL-005"], {"COL-005": {"min_firms": 5}}).findings
    assert none == []
    # with no limit the switchboard phone and the agency account link their firms too
    loose = _scan(tmp_path, "COL-005", ["COL-005"], {"COL-005": {"max_sharing": 0}}).findings
    assert sorted(f["members"][0] for f in loose) == ["F1", "F16", "F5"]


def test_rotation_scores_by_corroboration(tmp_path: Path) -> None:
    result = _scan(tmp_path, "COL-002", ["COL-002"])
    [road] = result.findings
    assert road["score"] == pytest.approx(0.2 + 0.2 + 0.15)  # kin tie and cover bids
    c = road["corroboration"]
    assert c["people_ties"] == 1 and c["cover_bid_contracts"] == ["K1", "K2", "K3", "K4"]
    assert c["market_firms"] == 7 and c["corroborated"] is True
    assert "is the brother of 陈国强 (Q1)" in road["explanation"]
    notes = sorted(n["members"] for n in result.notes if n["kind"] == "rotation_not_reported")
    assert notes == [["S1", "S2", "S3"], ["T1", "T2", "T3"]]
    # with the small-market discount off and every score reported, the innocent markets
    # show, scored low (turns alone)
    wide = _scan(tmp_path, "COL-002", ["COL-002"],
                 {"COL-002": {"small_market": 0, "min_score": 0.0}})
    low = {tuple(f["entities"][:1]): f["score"] for f in wide.findings}
    assert len(wide.findings) == 3 and sorted(low.values())[:2] == [0.2, 0.2]
    # with the discount off alone, turns alone are still a note, not a lead
    assert len(_scan(tmp_path, "COL-002", ["COL-002"],
                     {"COL-002": {"small_market": 0}}).findings) == 1


def test_rotation_alone_is_said_to_be_weak(tmp_path: Path) -> None:
    assert _scan(tmp_path, "COL", ["COL-002"]).findings == []  # a note below min_score
    [f] = _scan(tmp_path, "COL", ["COL-002"], {"COL-002": {"min_score": 0.0}}).findings
    assert f["score"] == pytest.approx(0.2)
    assert "Rotation alone is weak evidence" in f["explanation"]
    assert f["corroboration"]["corroborated"] is False
