"""Confirmed cases feed back: a finding confirmed in triage raises the findings of places
like it on the next scan, on a real layout folder loaded into a real store (two village
accountants each approving a subsidy to his wife, a third paying a stranger)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from samples import write_tables

from graph.store import SqliteStore
from lang import use_language
from loaders.load import load_folder
from queries.scan import scan
from queries.triage import record
from umbrella.cli import cli

PAY = ["payment_id", "payer_org_id", "approver_id", "recipient_id", "amount", "date", "program",
       "sector", "bank_account"]

COUNTY = {
    "organizations": (["org_id", "name", "kind"], [
        ["V1", "大湾村村民委员会", "village_committee"],
        ["V2", "石桥村村民委员会", "village_committee"],
        ["V3", "柳树村村民委员会", "village_committee"]]),
    "persons": (["person_id", "name"], [
        ["A1", "王建国"], ["W1", "李秀英"], ["A2", "陈志明"], ["W2", "刘桂兰"],
        ["A3", "赵德胜"], ["W3", "孙丽华"], ["S3", "周大海"]]),
    "positions": (["person_id", "org_id", "title", "start_date", "end_date"], [
        ["A1", "V1", "会计", "2015-01-01", ""], ["A2", "V2", "会计", "2016-01-01", ""],
        ["A3", "V3", "会计", "2015-01-01", ""]]),
    "relationships": (["person_id", "other_id", "relation", "start_date", "end_date"], [
        ["A1", "W1", "spouse", "2001-05-01", ""], ["A2", "W2", "spouse", "2003-01-01", ""],
        ["A3", "W3", "spouse", "2002-01-01", ""]]),
    "payments": (PAY, [
        ["PM1", "V1", "A1", "W1", "1200", "2020-03-01", "低保", "social_security", "6222001"],
        ["PM2", "V2", "A2", "W2", "1500", "2021-05-01", "低保", "social_security", "6222002"],
        ["PM3", "V3", "A3", "S3", "900", "2021-06-01", "低保", "social_security", "6222003"]]),
}

#: SUB-001's base score (queries/settings.toml) and the feedback bonus at similarity 1.
BASE, BONUS = 0.7, 0.15


@pytest.fixture
def county(tmp_path: Path) -> tuple[Path, str, str]:
    """The county loaded and scanned: the database, the finding on 王建国 (A1), the one on
    陈志明 (A2)."""
    folder = write_tables(tmp_path / "村务数据", COUNTY)
    db = tmp_path / "案件.db"
    store = SqliteStore(db)
    try:
        assert load_folder(folder, store).set_aside == []
        found = scan(store, codes=["SUB-001"]).findings
    finally:
        store.close()
    one = [f["id"] for f in found if "A1" in f["entities"]]
    two = [f["id"] for f in found if "A2" in f["entities"]]
    assert len(one) == len(two) == 1 and len(found) == 2
    return db, str(one[0]), str(two[0])


def _rescan(db: Path, **kw: Any) -> dict[str, dict[str, Any]]:
    store = SqliteStore(db)
    try:
        return {f["id"]: f for f in scan(store, codes=["SUB-001"], **kw).findings}
    finally:
        store.close()


def _stored(db: Path) -> dict[str, dict[str, Any]]:
    store = SqliteStore(db)
    try:
        return {f["id"]: f for f in store.view().findings()}
    finally:
        store.close()


def _triage(db: Path, finding: str, status: str) -> None:
    store = SqliteStore(db)
    try:
        record(store, finding, status, user="审核员")
    finally:
        store.close()


def test_a_confirmed_finding_raises_the_other_instance_on_rescan(
        county: tuple[Path, str, str]) -> None:
    db, one, two = county
    _triage(db, one, "confirmed")
    found = _rescan(db)
    assert set(found) == {one, two}  # stable ids
    assert found[two]["score"] == pytest.approx(BASE + BONUS)
    assert found[two]["resembles"] == [one]
    assert found[two]["explanation"].endswith(
        f" Resembles confirmed finding {one} (similarity 1.00).")
    # the confirmed finding itself is as the rule gave it
    assert found[one]["score"] == pytest.approx(BASE) and "resembles" not in found[one]
    assert "Resembles" not in found[one]["explanation"]
    # the raised score is the stored one, and the best first
    stored = _stored(db)
    assert stored[two]["score"] == pytest.approx(BASE + BONUS)
    assert stored[two]["resembles"] == [one]
    store = SqliteStore(db)
    try:
        assert [f["id"] for f in scan(store, codes=["SUB-001"]).findings] == [two, one]
    finally:
        store.close()
    # raised once per scan, not once more on every rescan
    assert _rescan(db)[two]["score"] == pytest.approx(BASE + BONUS)


def test_the_sentence_is_in_the_runs_language(county: tuple[Path, str, str]) -> None:
    from lang.message import localized

    db, one, two = county
    _triage(db, one, "confirmed")
    with use_language("zh"):
        found = _rescan(db)
    assert found[two]["explanation"].endswith(f"与已确认的线索 {one} 相似（相似度 1.00）。")
    # kept as a message: told again in another language from the stored finding
    assert localized(_stored(db)[two], "en")["explanation"].endswith(
        f"Resembles confirmed finding {one} (similarity 1.00).")


def test_no_feedback_and_a_setting_leave_the_rules_scores(county: tuple[Path, str, str],
                                                          tmp_path: Path) -> None:
    db, one, two = county
    _triage(db, one, "confirmed")
    result = CliRunner().invoke(cli, ["scan", "--db", str(db), "--rule", "SUB-001",
                                      "--no-feedback", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = {f["id"]: f for f in json.loads(result.stdout)["findings"]}
    assert listed[two]["score"] == pytest.approx(BASE) and "resembles" not in listed[two]
    assert _stored(db)[two]["score"] == pytest.approx(BASE)
    off = tmp_path / "反馈关闭.toml"
    off.write_text("[FEEDBACK]\nenabled = false\n", encoding="utf-8")
    found = _rescan(db, settings=off)
    assert found[two]["score"] == pytest.approx(BASE) and "resembles" not in found[two]
    # a place less alike than min_similarity raises nothing either
    strict = tmp_path / "strict.toml"
    strict.write_text("[FEEDBACK]\nmin_similarity = 1\nbonus = 0.05\n", encoding="utf-8")
    assert _rescan(db, settings=strict)[two]["score"] == pytest.approx(BASE + 0.05)


def test_a_bad_feedback_setting_is_refused(county: tuple[Path, str, str],
                                           tmp_path: Path) -> None:
    from queries.settings import SettingsError

    db, _one, _two = county
    bad = tmp_path / "bad.toml"
    bad.write_text("[FEEDBACK]\nbonus = 2\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\[FEEDBACK\]: bonus = 2 is out of range"):
        _rescan(db, settings=bad)


def test_nothing_confirmed_gives_identical_findings(county: tuple[Path, str, str]) -> None:
    db, one, _two = county
    plain = _rescan(db, feedback=False)
    assert _rescan(db) == plain
    _triage(db, one, "in_review")  # triaged, not confirmed
    assert {k: {**f, "status": "new"} for k, f in _rescan(db).items()} == \
        {k: {**f, "status": "new"} for k, f in plain.items()}


def test_evaluate_counts_the_similar_hits_later_confirmed(county: tuple[Path, str, str],
                                                          tmp_path: Path) -> None:
    db, one, _two = county
    truth = tmp_path / "查实.csv"
    truth.write_text("id,label\nA1,结案\nA2,结案\n", encoding="utf-8")
    args = ["evaluate", "--truth", str(truth), "--db", str(db), "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "similar" not in json.loads(result.stdout)  # nothing confirmed: not reported
    _triage(db, one, "confirmed")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    # the places like A1's finding: A2's (in the truth), A3's (not)
    rows = {r["k"]: r for r in json.loads(result.stdout)["similar"]}
    assert set(rows) == {10, 50}
    for k in (10, 50):
        assert (rows[k]["hits"], rows[k]["confirmed"]) == (2, 1)
        assert rows[k]["share"] == pytest.approx(0.5)
    shown = CliRunner().invoke(cli, args[:-2])
    assert "Similar hits later confirmed" in shown.stdout
