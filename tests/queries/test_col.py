"""COL rules: edge cases (time-aware roles, settings, statuses) and recall on generated counties."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from samples import load_and_scan, write_csv

import queries.rules.col  # noqa: F401  (registers the COL rules)
from graph.store import SqliteStore
from loaders.load import load_folder
from queries.registry import RULES
from queries.scan import scan
from queries.settings import SettingsError

GOLDEN = Path(__file__).parent / "golden" / "COL"
CONTRACT = ["contract_id", "title", "buyer_org_id", "supplier_id", "amount", "award_date",
            "method", "sector"]
BID = ["contract_id", "bidder_id", "amount", "status"]
ROLE = ["company_id", "holder_id", "role", "share_pct", "start_date", "end_date"]


def _folder(tmp_path: Path, tables: dict[str, tuple[list[str], list[list[str]]]],
            n_firms: int = 6) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    orgs = (["org_id", "name", "kind", "phone", "address"],
            [["B1", "县交通运输局", "agency", "", ""], ["B2", "县教育局", "agency", "", ""]]
            + [[f"F{i}", f"公司{i}", "company", "", ""] for i in range(1, n_firms + 1)])
    persons = (["person_id", "name"], [["P1", "蔡长军"], ["P2", "曹明"]])
    for name, (header, rows) in {"organizations": orgs, "persons": persons, **tables}.items():
        write_csv(folder / f"{name}.csv", header, rows)
    return folder


def _ents(found: list[dict[str, Any]], rule: str) -> list[list[str]]:
    return sorted(sorted(f["entities"]) for f in found if f["rule"] == rule)


def test_the_col_rules_are_registered() -> None:
    codes = ("COL-001", "COL-002", "COL-003", "COL-004")
    assert set(codes) <= set(RULES)
    assert all(RULES[c].category == "collusion" and RULES[c].doc.exists() for c in codes)


def test_empty_and_sparse_data_give_no_finding(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "empty.db")
    assert sum(scan(store, codes=["COL"]).counts.values()) == 0
    store.close()
    folder = _folder(tmp_path, {"contracts": (["contract_id", "title"], [["K1", "工程"]]),
                                "bids": (["contract_id", "bidder_id"], [["K1", "F1"]])})
    assert load_and_scan(tmp_path / "s.db", folder, ["COL"]) == []


# -- COL-001 --------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "flagged"), [
    ("2020-05-01", "", True),              # role begins on the award date (inclusive)
    ("", "2020-05-01", True),              # role ends on the award date (inclusive)
    ("", "2020-04-30", False),             # ended the day before
    ("2020-05-02", "", False),             # began the day after
])
def test_legal_rep_must_hold_on_the_award_date(tmp_path: Path, start: str, end: str,
                                               flagged: bool) -> None:
    roles = (ROLE, [["F1", "P1", "legal_rep", "", "2010-01-01", ""],
                    ["F2", "P1", "legal_rep", "", start, end]])
    ks = (CONTRACT, [["K1", "工程", "B1", "F3", "100", "2020-05-01", "open", "rural"]])
    bids = (BID, [["K1", "F1", "110", "valid"], ["K1", "F2", "120", "valid"],
                  ["K1", "F3", "100", "valid"]])
    folder = _folder(tmp_path, {"company_roles": roles, "contracts": ks, "bids": bids})
    found = load_and_scan(tmp_path / "s.db", folder, ["COL-001"])
    assert _ents(found, "COL-001") == ([["F1", "F2", "K1", "P1"]] if flagged else [])


def test_without_award_date_the_two_roles_need_only_overlap(tmp_path: Path) -> None:
    roles = (ROLE, [["F1", "P1", "legal_rep", "", "2010-01-01", "2015-12-31"],
                    ["F2", "P1", "legal_rep", "", "2016-01-01", ""],
                    ["F3", "P2", "shareholder", "50", "2010-01-01", "2016-06-30"],
                    ["F4", "P2", "shareholder", "50", "2016-01-01", ""]])
    ks = (CONTRACT, [["K1", "工程", "B1", "F1", "100", "", "open", ""]])
    bids = (BID, [["K1", f"F{i}", str(100 + i), "valid"] for i in range(1, 5)])
    folder = _folder(tmp_path, {"company_roles": roles, "contracts": ks, "bids": bids})
    found = load_and_scan(tmp_path / "s.db", folder, ["COL-001"])
    assert _ents(found, "COL-001") == [["F3", "F4", "K1", "P2"]]
    assert found[0]["date"] == ""


def test_one_finding_per_pair_with_every_contract_and_link(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _folder(tmp_path, {
        "company_roles": (ROLE, [["F1", "P1", "shareholder", "50", "", ""],
                                 ["F2", "P1", "shareholder", "50", "", ""]]),
        "contracts": (CONTRACT, [["K1", "工程一", "B1", "F1", "100", "2020-01-01", "open", "rural"],
                                 ["K2", "工程二", "B2", "F3", "100", "2021-01-01", "open",
                                  "education"]]),
        "bids": (BID, [["K1", "F1", "100", "valid"], ["K1", "F2", "110", "withdrawn"],
                       ["K2", "F1", "120", "valid"], ["K2", "F2", "130", "valid"],
                       ["K2", "F3", "100", "valid"]])})
    orgs = (folder / "organizations.csv").read_text(encoding="utf-8")
    orgs = orgs.replace("F1,公司1,company,,", "F1,公司1,company,13800000000,")
    orgs = orgs.replace("F2,公司2,company,,", "F2,公司2,company,+86 138-0000-0000,")
    (folder / "organizations.csv").write_text(orgs, encoding="utf-8")
    found = load_and_scan(tmp_path / "s.db", folder, ["COL-001"])
    assert _ents(found, "COL-001") == [["F1", "F2", "K1", "K2", "P1"]]
    f = found[0]
    assert f["links"] == ["phone", "shareholder"]  # the +86 country code is dropped
    assert f["date"] == "2020-01-01" and f["contracts"] == ["K1", "K2"]
    assert f["score"] == pytest.approx(0.75)  # base 0.6 + a second link + a second contract
    only = load_and_scan(tmp_path / "b.db", folder, ["COL-001"], '[COL-001]\nlinks = ["address"]\n')
    assert only == []
    with pytest.raises(SettingsError, match="fax"):
        load_and_scan(tmp_path / "c.db", folder, ["COL-001"], '[COL-001]\nlinks = ["fax"]\n')


# -- COL-002 --------------------------------------------------------------------------------

def _ring(tmp_path: Path, buyers: list[str], winners: list[str]) -> Path:
    ks = (CONTRACT, [[f"K{i}", f"工程{i}", b, w, "100", f"2021-0{i}-01", "open", "education"]
                     for i, (b, w) in enumerate(zip(buyers, winners, strict=True), start=1)])
    bids = (BID, [[f"K{i}", f"F{j}", str(100 + 10 * j), "valid"]
                  for i in range(1, len(buyers) + 1) for j in (1, 2, 3)])
    return _folder(tmp_path, {"contracts": ks, "bids": bids})


#: These three-firm fixtures are whole markets with nothing corroborating the turns: a
#: rotation there is a note unless the discount is off (``small_market = 0``) and every
#: score reported (``min_score = 0``); the grouping is what these tests look at.
ANY_MARKET = "[COL-002]\nsmall_market = 0\nmin_score = 0\n"


def test_rotation_needs_two_winners_and_enough_contracts(tmp_path: Path) -> None:
    folder = _ring(tmp_path, ["B1"] * 4, ["F1", "F2", "F1", "F3"])
    found = load_and_scan(tmp_path / "a.db", folder, ["COL-002"], ANY_MARKET)
    assert _ents(found, "COL-002") == [["F1", "F2", "F3", "K1", "K2", "K3", "K4"]]
    assert found[0]["wins"] == {"F1": 2, "F2": 1, "F3": 1}
    assert found[0]["score"] == pytest.approx(0.2)  # taking turns alone
    db = tmp_path / "b.db"
    assert load_and_scan(db, folder, ["COL-002"], ANY_MARKET + "min_contracts = 5\n") == []
    assert load_and_scan(tmp_path / "c.db", folder, ["COL-002"],
                         ANY_MARKET + "min_firms = 4\n") == []


def test_rotation_in_a_whole_market_of_three_is_not_reported(tmp_path: Path) -> None:
    folder = _ring(tmp_path, ["B1"] * 4, ["F1", "F2", "F1", "F3"])
    store = SqliteStore(tmp_path / "a.db")
    load_folder(folder, store)
    result = scan(store, codes=["COL-002"])
    assert result.findings == []
    [note] = [n for n in result.notes if n["kind"] == "rotation_not_reported"]
    assert note["market_firms"] == 3 and note["score"] == pytest.approx(0.1)
    assert note["members"] == ["F1", "F2", "F3"]
    store.close()


def test_rotation_alone_is_a_note_in_any_market(tmp_path: Path) -> None:
    """Turns nothing corroborates are weak evidence: a note, not a lead, even where the
    market is large enough that size does not explain them."""
    folder = _ring(tmp_path, ["B1"] * 4, ["F1", "F2", "F1", "F3"])
    assert load_and_scan(tmp_path / "a.db", folder, ["COL-002"],
                         "[COL-002]\nsmall_market = 0\n") == []


def test_rotation_scope_across_or_per_buyer(tmp_path: Path) -> None:
    folder = _ring(tmp_path, ["B1", "B2", "B1", "B2"], ["F1", "F2", "F3", "F1"])
    assert len(load_and_scan(tmp_path / "a.db", folder, ["COL-002"], ANY_MARKET)) == 1
    db = tmp_path / "b.db"
    assert load_and_scan(db, folder, ["COL-002"], ANY_MARKET + "same_buyer = true\n") == []


def test_rotation_group_of_four_with_three_on_each_contract(tmp_path: Path) -> None:
    # Four firms, every contract has three of them: each pair meets on >= 4 of 8 contracts.
    trios = [(1, 2, 3), (1, 2, 4), (1, 3, 4), (2, 3, 4)] * 2
    ks = (CONTRACT, [[f"K{i}", f"工程{i}", "B1", f"F{t[i % 3]}", "100", f"2021-01-{i + 10}",
                      "invited", "rural"] for i, t in enumerate(trios)])
    bids = (BID, [[f"K{i}", f"F{j}", str(100 + j), "valid"] for i, t in enumerate(trios)
                  for j in t])
    folder = _folder(tmp_path, {"contracts": ks, "bids": bids})
    found = load_and_scan(tmp_path / "s.db", folder, ["COL-002"], ANY_MARKET)
    assert _ents(found, "COL-002") == [sorted(["F1", "F2", "F3", "F4",
                                               *[f"K{i}" for i in range(8)]])]


# -- COL-003 --------------------------------------------------------------------------------

def test_competitive_methods_setting(tmp_path: Path) -> None:
    found = load_and_scan(tmp_path / "a.db", GOLDEN, ["COL-003"],
                  '[COL-003]\ncompetitive_methods = ["open"]\n')
    assert _ents(found, "COL-003") == [["F20", "K16"]]
    found = load_and_scan(tmp_path / "b.db", GOLDEN, ["COL-003"],
                  '[COL-003]\ncompetitive_methods = ["open", "invited", "direct"]\n')
    assert ["F20", "K17"] in _ents(found, "COL-003")


def test_single_bid_counts_bidders_not_bids_and_names_an_odd_winner(tmp_path: Path) -> None:
    ks = (CONTRACT, [["K1", "工程", "B1", "F2", "100", "2022-01-01", "open", "rural"],
                     ["K2", "工程", "B1", "F1", "100", "2022-01-01", "open", "rural"]])
    bids = (BID, [["K1", "F1", "100", "valid"], ["K1", "F2", "90", "disqualified"],
                  ["K2", "F1", "100", "valid"], ["K2", "F1", "95", "valid"]])
    folder = _folder(tmp_path, {"contracts": ks, "bids": bids})
    found = load_and_scan(tmp_path / "s.db", folder, ["COL-003"])
    assert _ents(found, "COL-003") == [["F1", "F2", "K1"], ["F1", "K2"]]
    odd = next(f for f in found if "K1" in f["entities"])
    assert "not to the only valid bidder" in odd["explanation"]


# -- COL-004 --------------------------------------------------------------------------------

def test_identical_prices_groups_and_winner_bonus(tmp_path: Path) -> None:
    ks = (CONTRACT, [["K1", "工程", "B1", "F1", "100", "2022-01-01", "open", "rural"],
                     ["K2", "工程", "B1", "F4", "100", "2022-01-01", "open", "rural"],
                     ["K3", "工程", "B1", "F4", "100", "2022-01-01", "open", "rural"]])
    bids = (BID, [["K1", "F1", "100.00", "valid"], ["K1", "F2", "100", "valid"],
                  ["K1", "F3", "100.0", "valid"], ["K1", "F4", "200", "valid"],
                  ["K1", "F5", "200", "valid"], ["K1", "F6", "200.01", "valid"],
                  ["K2", "F1", "300", "valid"], ["K2", "F1", "300", "valid"],
                  ["K2", "F4", "310", "valid"],
                  ["K3", "F1", "300", "disqualified"], ["K3", "F2", "300", "valid"],
                  ["K3", "F4", "290", "valid"]])
    folder = _folder(tmp_path, {"contracts": ks, "bids": bids})
    found = load_and_scan(tmp_path / "s.db", folder, ["COL-004"])
    assert _ents(found, "COL-004") == [["F1", "F2", "F3", "F4", "F5", "K1"]]
    f = found[0]
    assert f["score"] == pytest.approx(0.6)  # the winner F1 is among the identical bids
    assert len(f["evidence"]) == 3 and "¥100.00" in f["explanation"]
