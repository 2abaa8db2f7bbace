"""queries.describe: what ``show``, ``path``, ``recuse`` and ``demo`` print, as data."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import write_csv

from graph.errors import UmbrellaError
from graph.store import SqliteStore
from loaders.load import load_folder
from queries.describe import (
    EntityView,
    FindingView,
    NodeStep,
    TieStep,
    describe,
    describe_paths,
    describe_recusal,
    first_leads,
)
from queries.scan import scan

GOLDEN_COI = Path(__file__).parent / "golden" / "COI"


def test_an_entity_masked_unless_revealed_with_ties_sorted_and_labelled(
        small: Path, store: SqliteStore) -> None:
    load_folder(small, store)
    view = store.view()
    shown = describe(view, "P1")
    assert isinstance(shown, EntityView)
    assert shown.name == "张伟" and shown.ids == ["P1", "P2"]
    assert shown.defined_by == ["persons.csv:2", "persons.csv:3"]
    assert shown.props["id_number"] == "110105***********X"
    assert list(shown.props) == sorted(shown.props)
    revealed = describe(view, "P1", reveal=True)
    assert isinstance(revealed, EntityView)
    assert revealed.props["id_number"] == "11010519491231002X"
    ties = [(t.type, t.detail, t.direction, t.other, t.start) for t in shown.ties]
    assert ties == [("APPROVED", "", "→", "校舍维修 二期 (C1)", "2020-03-01"),
                    ("KIN", "parent", "←", "张伟 (P6)", ""),  # P2 (= P1) is P6's child
                    ("KIN", "spouse", "→", "李娜 (P3)", "2001-05-01")]
    assert shown.ties[-1].sources == "relationships.csv:2 relationships.csv:3"
    assert shown.ties_total == 3 and shown.findings == []


def test_ties_beyond_the_limit_are_counted_not_listed(small: Path, store: SqliteStore) -> None:
    load_folder(small, store)
    shown = describe(store.view(), "P1", max_ties=1)
    assert isinstance(shown, EntityView)
    assert [t.type for t in shown.ties] == ["APPROVED"] and shown.ties_total == 3


def test_a_finding_and_the_findings_of_an_entity(store: SqliteStore) -> None:
    load_folder(GOLDEN_COI, store)
    found = scan(store, codes=["COI-001"]).findings
    view = store.view()
    shown = describe(view, found[0]["id"])
    assert isinstance(shown, FindingView) and shown.finding["rule"] == "COI-001"
    assert len(shown.paths) == len(found[0]["evidence"])
    steps = [s for path in shown.paths for s in path]
    assert all(isinstance(s, NodeStep | TieStep) for s in steps)
    sentences = {s.sentence for s in steps if isinstance(s, TieStep)}
    assert "李秀英 is 王建国's wife" in sentences  # the kin word by the gender on record
    assert any(s.sources.startswith("contracts.csv:") for s in steps)
    official = describe(view, "P1")
    assert isinstance(official, EntityView)
    assert [f["id"] for f in official.findings] == [found[0]["id"]]


def test_an_unknown_finding_id_is_looked_up_as_an_entity(store: SqliteStore) -> None:
    load_folder(GOLDEN_COI, store)
    with pytest.raises(UmbrellaError, match="no entity with id or name 'F-000000000000'"):
        describe(store.view(), "F-000000000000")


def test_paths_in_words_and_the_hubs_left_out(small: Path, store: SqliteStore) -> None:
    load_folder(small, store)
    found = describe_paths(store.view(), "P3", "P6")
    assert [s.sentence for s in found.paths[0] if isinstance(s, TieStep)] == [
        "李娜 is 张伟's wife", "张伟 is 张伟's father"]  # kin words by the gender on record
    assert found.hubs_skipped == 0
    blocked = describe_paths(store.view(), "P3", "P6", hub_degree=1)
    assert blocked.paths == [] and blocked.hubs_skipped == 1
    assert blocked.hub_labels == ["张伟 (P1/P2)"]


def test_recusal_rows_are_labelled(tmp_path: Path, store: SqliteStore) -> None:
    d = tmp_path / "case"
    d.mkdir()
    write_csv(d / "persons.csv", ["person_id", "name"],
              [["P1", "刘警官"], ["P2", "刘二虎"], ["P3", "张检察"], ["P4", "无关人"]])
    write_csv(d / "organizations.csv", ["org_id", "name", "kind"], [["A1", "县公安局", "agency"]])
    write_csv(d / "positions.csv", ["person_id", "org_id", "title", "start_date"],
              [["P1", "A1", "民警", "2010-01-01"], ["P3", "A1", "科员", "2010-01-01"]])
    write_csv(d / "relationships.csv", ["person_id", "other_id", "relation"],
              [["P1", "P2", "sibling"]])
    write_csv(d / "cases.csv", ["case_id", "kind", "title", "opened_date", "outcome"],
              [["K1", "organized_crime", "刘某涉黑案", "2020-01-01", "dropped"]])
    write_csv(d / "case_roles.csv", ["case_id", "party_id", "role"],
              [["K1", "P2", "gang_leader"], ["K1", "P3", "prosecutor"]])
    load_folder(d, store)
    found = describe_recusal(store.view(), "K1")
    assert found.case == "刘某涉黑案 (K1)"
    assert [(r.official, r.acting_as, r.party) for r in found.rows] == [
        ("刘警官 (P1)", "-", "刘二虎 (P2)")]
    assert "sibling" in found.rows[0].why and "县公安局 (A1)" in found.rows[0].posts


def test_first_leads_follow_the_scan_order(store: SqliteStore) -> None:
    load_folder(GOLDEN_COI, store)
    found = scan(store, codes=["COI-001"]).findings
    leads = first_leads(found)
    assert leads.finding == found[0]["id"] and leads.case is None
    assert (leads.first, leads.last) == (found[0]["entities"][0], found[0]["entities"][-1])
