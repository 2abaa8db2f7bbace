"""Identifiers that link nobody, and one company written two ways (issue 15, point 3).

An address that is only a country, a region or a postcode, a phone or an account more
entities share than the settings allow, never makes a COL or SUB finding on its own: the
scan reports it (``notes``: which identifier, how many share it, not used). Two firms
whose names differ only in punctuation, blanks and legal form are a match to review, not
a ring colluding with itself. Each case is checked against its look-alike that must still
be flagged, and the engine against the pandas reference.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from samples import write_csv

from graph.matching import coarse_addresses, company_key, company_keys, is_coarse_address
from graph.store import SqliteStore
from loaders.load import load_folder
from queries.scan import ScanResult, scan
from tests.queries.test_col_engine import engine_and_reference
from tests.queries.test_sub_engine import _same as sub_same
from umbrella.cli import cli

CONTRACT = ["contract_id", "title", "buyer_org_id", "supplier_id", "amount", "award_date",
            "method", "sector"]
BID = ["contract_id", "bidder_id", "amount", "status"]
ORG = ["org_id", "name", "kind", "phone", "address"]
PAY = ["payment_id", "payer_org_id", "approver_id", "recipient_id", "amount", "date", "program",
       "sector", "bank_account"]


def _tender(tmp_path: Path, firms: list[list[str]], others: list[list[str]] = ()
            ) -> Path:  # type: ignore[assignment]
    """Firms F1, F2 (rows of ORG) bid on K1, which F3 wins; ``others`` do not bid."""
    folder = tmp_path / "data"
    folder.mkdir()
    orgs = [["B1", "County Works", "agency", "", ""], *firms,
            ["F3", "Winner Ltd", "company", "", ""], *others]
    write_csv(folder / "organizations.csv", ORG, orgs)
    write_csv(folder / "contracts.csv", CONTRACT,
              [["K1", "Road", "B1", "F3", "100", "2020-05-01", "open", "rural"]])
    write_csv(folder / "bids.csv", BID, [["K1", "F1", "110", "valid"],
                                         ["K1", "F2", "120", "valid"],
                                         ["K1", "F3", "100", "valid"]])
    return folder


def _scan(tmp_path: Path, folder: Path, codes: list[str], settings: str = ""
          ) -> tuple[ScanResult, SqliteStore]:
    store = SqliteStore(tmp_path / "s.db")
    report = load_folder(folder, store)
    assert report.set_aside == [], report.set_aside
    path = None
    if settings:
        path = tmp_path / "settings.toml"
        path.write_text(settings, encoding="utf-8")
    return scan(store, codes=codes, settings=path), store


def _same_as_reference(store: SqliteStore, code: str,
                       overrides: dict[str, dict[str, Any]] | None = None) -> list[Any]:
    if code.startswith("SUB"):
        return [None] * sub_same(store, (code,), overrides or {})[code]
    got, want = engine_and_reference(store, code, overrides or {})
    assert json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)
    return got


# -- the words --------------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "NG", "Nigeria", "  nigeria ", "AM", "ARM", "Republic of Armenia", "United Kingdom",
    "中国", "中华人民共和国", "广东省", "广东省深圳市", "浙江省杭州市西湖区", "城关镇",
    "Lagos State", "Abuja, FCT, Nigeria", "Yerevan", "100101", "SW1A 1AA", "-", "",
])
def test_coarse_addresses(address: str) -> None:
    assert is_coarse_address(address)


@pytest.mark.parametrize("address", [
    "12 Marina Road, Lagos", "Plot 5, Wuse II, Abuja", "城关镇人民路1号", "杭州市西湖区文三路90号",
    "Բաղրամյան 10, Երեւան, 375019, AM", "County Hall, Topsham Road, Exeter, EX2 4QD",
])
def test_addresses_that_say_where_someone_is(address: str) -> None:
    assert not is_coarse_address(address)
    assert coarse_addresses(pd.Series([address, None])).tolist() == [False, True]


@pytest.mark.parametrize(("a", "b"), [
    ("Acme Nig Ltd", "Acme Nig.Ltd"), ("ACME NIG. LIMITED", "Acme Nig Ltd."),
    ("华信建设有限公司", "华信建设(有限公司)"), ("华信建设有限公司", "华信建设（有限公司）"),
    ("Ｂｅｔａ　Ｗｏｒｋｓ ＧｍｂＨ", "Beta-Works"), ("Gamma S.A. de C.V.", "GAMMA SA DE CV"),
    ("Delta Co., Ltd.", "Delta Company Limited"), ("华信集团股份有限公司", "华信"),
])
def test_one_company_written_two_ways(a: str, b: str) -> None:
    assert company_key(a) == company_key(b) != ""


@pytest.mark.parametrize(("a", "b"), [
    ("Acme Nig Ltd", "Acme Lagos Ltd"), ("华信建设有限公司", "华兴建设有限公司"),
    ("Alpha Works Ltd", "Alpha Work Ltd"),
])
def test_two_companies(a: str, b: str) -> None:
    assert company_key(a) != company_key(b)


def test_a_name_of_legal_forms_only_matches_nothing() -> None:
    assert company_keys(pd.Series(["Ltd", "有限公司", None])).tolist() == ["", "", ""]


# -- COL-001 -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("address", "flagged"), [
    ("NG", False), ("Nigeria", False), ("中国", False), ("广东省深圳市", False),
    ("100101", False), ("12 Marina Road, Lagos", True), ("城关镇人民路1号", True),
])
def test_a_country_or_region_links_no_one(tmp_path: Path, address: str, flagged: bool) -> None:
    folder = _tender(tmp_path, [["F1", "Alpha Ltd", "company", "", address],
                                ["F2", "Beta Ltd", "company", "", f" {address}"]])
    result, store = _scan(tmp_path, folder, ["COL-001"])
    got = _same_as_reference(store, "COL-001")
    store.close()
    assert [sorted(f["entities"]) for f in result.findings] == (
        [["F1", "F2", "K1"]] if flagged else [])
    assert len(got) == len(result.findings)
    notes = [n for n in result.notes if n["kind"] == "identifier_not_used"]
    if flagged:
        assert notes == []
    else:
        assert [(n["rule"], n["identifier"], n["entities"], n["reason"], n["used"])
                for n in notes] == [("COL-001", "address", 2, "coarse", False)]


@pytest.mark.parametrize(("sharing", "flagged"), [(8, True), (9, False), (30, False)])
def test_a_switchboard_links_no_one(tmp_path: Path, sharing: int, flagged: bool) -> None:
    """max_sharing = 10: a phone of 10 organizations links, of 11 or more it does not
    (bidders or not: F1, F2 and ``sharing`` firms that never bid)."""
    phone = "010-6512 3456"
    others = [[f"X{i}", f"Tenant {i}", "company", phone, ""] for i in range(sharing)]
    folder = _tender(tmp_path, [["F1", "Alpha Ltd", "company", phone, ""],
                                ["F2", "Beta Ltd", "company", "010 65123456", ""]], others)
    result, store = _scan(tmp_path, folder, ["COL-001"])
    _same_as_reference(store, "COL-001")
    loose = _same_as_reference(store, "COL-001", {"COL-001": {"max_sharing": 0}})
    store.close()
    assert len(loose) == 1  # with no limit the phone links them
    assert len(result.findings) == (1 if flagged else 0)
    notes = [(n["identifier"], n["entities"], n["bidders"], n["reason"]) for n in result.notes]
    assert notes == ([] if flagged else [("phone", sharing + 2, 2, "too_common")])


@pytest.mark.parametrize(("a", "b"), [("Acme Nig Ltd", "Acme Nig.Ltd"),
                                      ("华信建设有限公司", "华信建设(有限公司)")])
def test_two_spellings_of_one_company_are_a_match_not_a_ring(tmp_path: Path, a: str,
                                                              b: str) -> None:
    folder = _tender(tmp_path, [["F1", a, "company", "08031234567", ""],
                                ["F2", b, "company", "0803 123 4567", ""]])
    result, store = _scan(tmp_path, folder, ["COL"])
    _same_as_reference(store, "COL-001")
    flagged = _same_as_reference(store, "COL-001", {"COL-001": {"name_match": False}})
    store.close()
    assert len(flagged) == 1  # without name matching, the old collusion finding
    assert [f for f in result.findings if f["rule"] == "COL-001"] == []
    [match] = [n for n in result.notes if n["kind"] == "possible_same_company"]
    assert match["rule"] == "COL-001" and match["links"] == ["phone"]
    assert [s["ids"] for s in match["sides"]] == [["F1"], ["F2"]]
    assert all(s["sources"][0]["file"] == "organizations.csv" for s in match["sides"])
    assert match["contracts"] == ["K1"]


def test_different_names_sharing_a_phone_stay_a_finding(tmp_path: Path) -> None:
    folder = _tender(tmp_path, [["F1", "Acme Nig Ltd", "company", "08031234567", ""],
                                ["F2", "Zenith Supplies Ltd", "company", "0803 123 4567", ""]])
    result, store = _scan(tmp_path, folder, ["COL-001"])
    store.close()
    assert [sorted(f["entities"]) for f in result.findings] == [["F1", "F2", "K1"]]
    assert result.notes == []


def test_the_scan_json_and_terminal_report_the_notes(tmp_path: Path) -> None:
    folder = _tender(tmp_path, [["F1", "Alpha Ltd", "company", "", "NG"],
                                ["F2", "Beta Ltd", "company", "", "NG"]])
    db = tmp_path / "c.db"
    store = SqliteStore(db)
    load_folder(folder, store)
    store.close()
    out = tmp_path / "f.json"
    runner = CliRunner()
    r = runner.invoke(cli, ["scan", "--db", str(db), "--rule", "COL", "--format", "json",
                            "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["findings"] == []
    [note] = data["notes"]
    assert (note["identifier"], note["value"], note["entities"], note["used"]) == (
        "address", "NG", 2, False)
    assert "NG" in note["text"] and "not used" in note["text"]
    r = runner.invoke(cli, ["scan", "--db", str(db), "--rule", "COL-001"])
    assert "COL-001: 2 organizations share the address “NG”" in r.output


# -- SUB-003 -----------------------------------------------------------------------------------

def _account(tmp_path: Path, n: int, account: str) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    write_csv(folder / "organizations.csv", ORG, [["B1", "Civil Affairs", "agency", "", ""]])
    write_csv(folder / "persons.csv", ["person_id", "name"],
              [[f"P{i}", f"Person {i}"] for i in range(n)])
    write_csv(folder / "payments.csv", PAY,
              [[f"PM{i}", "B1", "", f"P{i}", "500", "2021-03-01", "低保", "social_security",
                account] for i in range(n)])
    return folder


@pytest.mark.parametrize(("n", "account", "flagged", "why"), [
    (6, "6228 4800 1234 5678", True, ""),
    (50, "6228 4800 1234 5678", True, ""),
    (51, "6228 4800 1234 5678", False, "too_common"),
    (6, "000000", False, "placeholder"),
    (6, "1234", False, "placeholder"),
])
def test_an_agency_account_or_a_placeholder_links_no_one(tmp_path: Path, n: int, account: str,
                                                          flagged: bool, why: str) -> None:
    result, store = _scan(tmp_path, _account(tmp_path, n, account), ["SUB-003"])
    got = _same_as_reference(store, "SUB-003")
    store.close()
    assert len(result.findings) == len(got) == (1 if flagged else 0)
    notes = [(n_["identifier"], n_["entities"], n_["reason"]) for n_ in result.notes]
    assert notes == ([] if flagged else [("bank_account", n, why)])
