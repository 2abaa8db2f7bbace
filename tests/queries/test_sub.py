"""SUB rules: edge cases (inclusive dates, grace days, settings) and recall on counties."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from samples import load_and_scan, write_csv

import queries.rules.sub  # noqa: F401  (registers the SUB rules)
from graph.store import SqliteStore
from queries.registry import RULES
from queries.scan import scan

GOLDEN = Path(__file__).parent / "golden" / "SUB"
PAY = ["payment_id", "payer_org_id", "approver_id", "recipient_id", "amount", "date", "program",
       "sector", "bank_account"]
ORGS = (["org_id", "name", "kind"], [["V1", "大湾村村民委员会", "village_committee"]])


def _folder(tmp_path: Path, tables: dict[str, tuple[list[str], list[list[str]]]]) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name, (header, rows) in {"organizations": ORGS, **tables}.items():
        write_csv(folder / f"{name}.csv", header, rows)
    return folder


def _ents(found: list[dict[str, Any]], rule: str) -> list[list[str]]:
    return sorted(sorted(f["entities"]) for f in found if f["rule"] == rule)


def test_the_sub_rules_are_registered() -> None:
    assert {"SUB-001", "SUB-002", "SUB-003"} <= set(RULES)
    assert all(RULES[c].category == "subsidy_fraud" and RULES[c].doc.exists()
               for c in ("SUB-001", "SUB-002", "SUB-003"))


def test_empty_and_sparse_data_give_no_finding(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "empty.db")
    assert scan(store, codes=["SUB"]).counts == {"SUB-001": 0, "SUB-002": 0, "SUB-003": 0}
    store.close()
    folder = _folder(tmp_path, {"persons": (["person_id", "name"], [["P1", "甲"]]),
                                "payments": (["payment_id", "recipient_id"], [["PM1", "P1"]])})
    assert load_and_scan(tmp_path / "s.db", folder, ["SUB"]) == []


# -- SUB-001 --------------------------------------------------------------------------------

def _kin_folder(tmp_path: Path, tie_start: str, tie_end: str, pay_dates: list[str]) -> Path:
    persons = (["person_id", "name"], [["P1", "王建国"], ["P2", "李秀英"], ["P3", "李强"]])
    ties = (["person_id", "other_id", "relation", "start_date", "end_date"],
            [["P1", "P2", "spouse", tie_start, tie_end], ["P3", "P2", "sibling", "", ""]])
    pays = (PAY, [[f"PM{i}", "V1", "P1", "P3", "100", d, "低保", "social_security", f"A{i}"]
                  for i, d in enumerate(pay_dates, start=1)])
    return _folder(tmp_path, {"persons": persons, "relationships": ties, "payments": pays})


def test_kin_tie_dates_are_inclusive(tmp_path: Path) -> None:
    folder = _kin_folder(tmp_path, "2020-03-01", "2020-06-30",
                         ["2020-02-29", "2020-03-01", "2020-06-30", "2020-07-01"])
    found = load_and_scan(tmp_path / "s.db", folder, ["SUB-001"])
    assert _ents(found, "SUB-001") == [["P1", "P3", "PM2", "PM3"]]
    f = found[0]
    assert f["date"] == "2020-03-01" and f["sector"] == "social_security"
    assert "spouse's sibling" in f["title"] and "2020-03-01" in f["explanation"]
    assert f["score"] == pytest.approx(0.6)  # base 0.7 - one hop beyond the first


def test_three_hops_only_with_max_kin_hops_3(tmp_path: Path) -> None:
    found = load_and_scan(tmp_path / "a.db", GOLDEN, ["SUB-001"], "[SUB-001]\nmax_kin_hops = 3\n")
    assert ["P1", "P7", "PM07"] in _ents(found, "SUB-001")
    found2 = load_and_scan(tmp_path / "b.db", GOLDEN, ["SUB-001"])
    assert ["P1", "P7", "PM07"] not in _ents(found2, "SUB-001")


def test_undated_payment_counts_only_through_an_undated_tie(tmp_path: Path) -> None:
    persons = (["person_id", "name"], [["P1", "王建国"], ["P2", "王父"], ["P3", "李秀英"]])
    ties = (["person_id", "other_id", "relation", "start_date", "end_date"],
            [["P1", "P2", "parent", "", ""], ["P1", "P3", "spouse", "1990-01-01", ""]])
    pays = (PAY, [["PM1", "V1", "P1", "P2", "100", "", "", "", ""],
                  ["PM2", "V1", "P1", "P3", "100", "", "", "", ""]])
    folder = _folder(tmp_path, {"persons": persons, "relationships": ties, "payments": pays})
    found = load_and_scan(tmp_path / "s.db", folder, ["SUB-001"])
    assert _ents(found, "SUB-001") == [["P1", "P2", "PM1"]]
    assert found[0]["date"] == "" and "undated" in found[0]["explanation"]


def test_merged_recipient_is_named_by_every_id(tmp_path: Path) -> None:
    persons = (["person_id", "name", "id_number"],
               [["P1", "王建国", ""], ["P2", "王明", "11010519491231002X"],
                ["P2B", "王 明", "11010519491231002x"]])
    ties = (["person_id", "other_id", "relation", "start_date", "end_date"],
            [["P1", "P2", "sibling", "", ""]])
    pays = (PAY, [["PM1", "V1", "P1", "P2B", "100", "2021-01-01", "", "", ""]])
    folder = _folder(tmp_path, {"persons": persons, "relationships": ties, "payments": pays})
    found = load_and_scan(tmp_path / "s.db", folder, ["SUB-001"])
    assert _ents(found, "SUB-001") == [["P1", "P2", "P2B", "PM1"]]


# -- SUB-002 --------------------------------------------------------------------------------

def _death_folder(tmp_path: Path) -> Path:
    persons = (["person_id", "name", "death_date"],
               [["P1", "张华", ""], ["P9", "孙德福", "2021-01-10"]])
    pays = (PAY, [["PM1", "V1", "P1", "P9", "200", "2021-01-10", "高龄津贴", "pension", "A"],
                  ["PM2", "V1", "P1", "P9", "200", "2021-01-20", "高龄津贴", "pension", "A"],
                  ["PM3", "V1", "P1", "P9", "250", "2021-02-10", "高龄津贴", "pension", "A"]])
    return _folder(tmp_path, {"persons": persons, "payments": pays})


@pytest.mark.parametrize(("grace", "late"), [
    (None, ["PM2", "PM3"]), (9, ["PM2", "PM3"]), (10, ["PM3"]), (31, []), (30, ["PM3"])])
def test_grace_days(tmp_path: Path, grace: int | None, late: list[str]) -> None:
    settings = None if grace is None else f"[SUB-002]\ngrace_days = {grace}\n"
    found = load_and_scan(tmp_path / "s.db", _death_folder(tmp_path), ["SUB-002"], settings)
    want = [sorted(["P1", "P9", *late])] if late else []
    assert _ents(found, "SUB-002") == want


def test_after_death_finding_lists_total_and_span(tmp_path: Path) -> None:
    found = load_and_scan(tmp_path / "s.db", _death_folder(tmp_path), ["SUB-002"])
    f = found[0]
    assert f["payments"] == ["PM2", "PM3"] and f["total"] == 450.0
    assert (f["first_date"], f["last_date"], f["death_date"]) == (
        "2021-01-20", "2021-02-10", "2021-01-10")
    assert f["payers"] == ["V1"] and f["date"] == "2021-01-20"
    assert "10 day(s) after the death" in f["explanation"]
    assert f["evidence"][0]["path"][0]["death_date"] == "2021-01-10"


# -- SUB-003 --------------------------------------------------------------------------------

def test_min_recipients_setting(tmp_path: Path) -> None:
    found = load_and_scan(tmp_path / "s.db", GOLDEN, ["SUB-003"], "[SUB-003]\nmin_recipients = 4\n")
    got = _ents(found, "SUB-003")
    four = sorted(["P8", *[f"P{i}" for i in range(21, 27)], *[f"PM{i}" for i in range(25, 31)]])
    assert four in got and len(got) == 2
    f = next(f for f in found if "PM25" in f["entities"])
    assert f["groups"] == 4 and "(kin of each other)" in f["explanation"]


def test_kin_groups_are_joined_transitively(tmp_path: Path) -> None:
    # P1-P2 and P2-P3 are kin, P1-P3 are four ties apart: one group, with P4..P7 = 5 groups.
    persons = (["person_id", "name"], [[f"P{i}", f"人{i}"] for i in range(1, 8)]
               + [["X1", "甲"], ["X2", "乙"]])
    ties = (["person_id", "other_id", "relation", "start_date", "end_date"],
            [["P1", "X1", "spouse", "", ""], ["X1", "P2", "sibling", "", ""],
             ["P2", "X2", "spouse", "", ""], ["X2", "P3", "sibling", "", ""]])
    pays = (PAY, [[f"PM{i}", "V1", "", f"P{i}", "100", "2022-01-01", "", "rural", "62-22 01"]
                  for i in range(1, 8)])
    folder = _folder(tmp_path, {"persons": persons, "relationships": ties, "payments": pays})
    found = load_and_scan(tmp_path / "s.db", folder, ["SUB-003"])
    assert len(found) == 1 and found[0]["groups"] == 5 and found[0]["bank_account"] == "622201"
    found6 = load_and_scan(tmp_path / "b.db", folder, ["SUB-003"],
                           "[SUB-003]\nmin_recipients = 6\n")
    assert found6 == []
