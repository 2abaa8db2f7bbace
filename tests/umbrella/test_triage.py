"""Triage of findings (``umbrella triage``, ``scan --status``) on a real store on disk.

The county of this file: one account collecting subsidies for five unrelated people
(SUB-003 reports it). A second export of the same folder adds kin ties among four
of them, after which the rule no longer reports the account: the triaged finding
is then "no longer found", with its triage kept.
"""

from __future__ import annotations

import csv
import html
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from samples import write_csv, write_tables
from triage_county import ORGS, PAYMENTS, PERSONS

from exports.tables import COLUMNS
from graph.errors import UmbrellaError
from graph.store import SqliteStore
from queries.scan import scan
from queries.triage import current_statuses, history, no_longer_found, record
from umbrella.cli import cli


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def county(tmp_path: Path) -> tuple[Path, Path, str]:
    """The folder, the database loaded from it and scanned, and the one finding's id."""
    folder = write_tables(tmp_path / "county", {"persons": PERSONS, "organizations": ORGS,
                                                "payments": PAYMENTS})
    db = tmp_path / "case.db"
    assert _run("load", str(folder), "--db", str(db))[0] == 0
    store = SqliteStore(db)
    found = scan(store, ["SUB-003"]).findings
    store.close()
    assert [f["rule"] for f in found] == ["SUB-003"]
    return folder, db, str(found[0]["id"])


def _kin_added(folder: Path, db: Path) -> None:
    """The department's next export: the same rows and kin ties among four recipients."""
    write_csv(folder / "relationships.csv",
              ["person_id", "other_id", "relation", "start_date", "end_date"],
              [["R1", "R2", "sibling", "", ""], ["R2", "R3", "sibling", "", ""],
               ["R3", "R4", "sibling", "", ""]])
    assert _run("load", str(folder), "--db", str(db))[0] == 0


def test_status_set_and_history_kept(county: tuple[Path, Path, str]) -> None:
    _, db, fid = county
    code, out, _ = _run("triage", fid, "--status", "in_review", "--assign", "王芳",
                        "--user", "李强", "--db", str(db))
    assert code == 0 and "in review" in out and "王芳" in out and "李强" in out
    code, _, _ = _run("triage", fid, "--status", "confirmed", "--note", "银行流水已调取",
                      "--user", "张敏", "--db", str(db))
    assert code == 0
    code, out, _ = _run("triage", fid, "--history", "--format", "json", "--db", str(db))
    rows = json.loads(out)["rows"]
    assert code == 0 and [r[2] for r in rows] == ["in_review", "confirmed"]
    assert [r[1] for r in rows] == ["李强", "张敏"]
    assert rows[1][3] == "王芳" and rows[1][5] == "银行流水已调取"  # the assignee carried over
    assert all(r[0].endswith(" UTC") for r in rows)
    store = SqliteStore(db)
    current = current_statuses(store)
    store.close()
    assert current is not None and current[fid].status == "confirmed"


def test_the_entries_cannot_be_changed_or_removed(county: tuple[Path, Path, str]) -> None:
    _, db, fid = county
    store = SqliteStore(db)
    record(store, fid, "confirmed", user="li")
    store.close()
    conn = sqlite3.connect(db)
    for sql in ("UPDATE triage SET status = 'dismissed'", "DELETE FROM triage"):
        with pytest.raises(sqlite3.IntegrityError, match="only added"):
            conn.execute(sql)
    conn.close()


def test_a_dismissal_needs_a_reason(county: tuple[Path, Path, str]) -> None:
    _, db, fid = county
    code, _, err = _run("triage", fid, "--status", "dismissed", "--db", str(db))
    assert code == 1 and "a dismissal needs a reason" in err
    store = SqliteStore(db)
    assert history(store, fid) == []
    with pytest.raises(UmbrellaError, match="needs a reason"):
        record(store, fid, "dismissed", reason="  ", user="li")
    assert record(store, fid, "dismissed", reason="同一账户为代领，已核实",
                  user="li").reason == "同一账户为代领，已核实"
    store.close()


def test_an_unknown_finding_is_refused(county: tuple[Path, Path, str]) -> None:
    _, db, _ = county
    code, _, err = _run("triage", "F-000000000000", "--status", "confirmed", "--db", str(db))
    assert code == 1 and "no such finding" in err


def test_a_rescan_keeps_the_triage(county: tuple[Path, Path, str]) -> None:
    _, db, fid = county
    _run("triage", fid, "--status", "confirmed", "--user", "li", "--db", str(db))
    code, out, _ = _run("scan", "--db", str(db), "--format", "json")
    found = {f["id"]: f for f in json.loads(out)["findings"]}
    assert code == 0 and found[fid]["status"] == "confirmed"
    assert all(f["status"] == "new" for i, f in found.items() if i != fid)
    code, out, _ = _run("scan", "--db", str(db), "--status", "confirmed", "--format", "json")
    assert code == 0 and [f["id"] for f in json.loads(out)["findings"]] == [fid]
    code, out, _ = _run("scan", "--db", str(db), "--status", "dismissed", "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == []


def test_a_finding_gone_after_a_data_change_is_no_longer_found(
        county: tuple[Path, Path, str]) -> None:
    folder, db, fid = county
    _run("triage", fid, "--status", "in_review", "--user", "li", "--db", str(db))
    _kin_added(folder, db)
    code, out, _ = _run("scan", "--db", str(db), "--status", "in_review", "--format", "json")
    shown = json.loads(out)
    assert code == 0 and shown["findings"] == []
    assert [g["id"] for g in shown["no_longer_found"]] == [fid]
    code, out, _ = _run("scan", "--db", str(db), "--status", "in_review")
    assert code == 0 and f"{fid} (SUB-003, in review): no longer found" in out
    code, out, _ = _run("triage", fid, "--history", "--db", str(db))
    assert code == 0 and "no longer found" in out and "in review" in out
    # the triage goes on: the finding is kept in the book, never deleted
    code, out, _ = _run("triage", fid, "--status", "dismissed", "--reason", "亲属共用账户",
                        "--user", "li", "--db", str(db))
    assert code == 0 and "no longer found" in out
    store = SqliteStore(db)
    gone = no_longer_found(store)
    store.close()
    assert [(e.finding, e.status, e.rule) for e in gone] == [(fid, "dismissed", "SUB-003")]


def test_every_findings_export_carries_the_status(county: tuple[Path, Path, str],
                                                  tmp_path: Path) -> None:
    _, db, fid = county
    _run("triage", fid, "--status", "needs_data", "--user", "li", "--db", str(db))
    at = COLUMNS.index("status")
    assert COLUMNS[:at] == ["id", "score", "rule", "category", "title", "entities", "names",
                            "date", "sector", "explanation", "sources"]
    code, out, _ = _run("scan", "--db", str(db), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0][at] == "status" and rows[1][:1] == [fid]
    assert rows[1][at] == "needs_data"
    xlsx = tmp_path / "leads.xlsx"
    assert _run("scan", "--db", str(db), "--format", "xlsx", "-o", str(xlsx))[0] == 0
    sheet = [list(r) for r in load_workbook(xlsx).worksheets[0].values]
    assert sheet[0][at] == "status" and sheet[1][0] == fid and sheet[1][at] == "needs_data"
    pages = tmp_path / "pages"
    assert _run("scan", "--db", str(db), "--html", str(pages))[0] == 0
    index = (pages / "index.html").read_text(encoding="utf-8")
    row = next(r for r in index.split("<tr>") if html.escape(fid) in r)
    assert "<th>status</th>" in index and "needs data" in row
    code, out, _ = _run("--lang", "zh", "scan", "--db", str(db), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][at] == "状态" and rows[1][at] == "待补充数据"


def test_the_triage_in_chinese(county: tuple[Path, Path, str]) -> None:
    _, db, fid = county
    code, out, _ = _run("--lang", "zh", "triage", fid, "--status", "in_review",
                        "--assign", "王芳", "--user", "李强", "--db", str(db))
    assert code == 0 and "核查中" in out and "王芳" in out
    code, _, err = _run("--lang", "zh", "triage", fid, "--status", "dismissed",
                        "--db", str(db))
    assert code == 1 and "排除" in err and "--reason" in err
    code, out, _ = _run("--lang", "zh", "triage", fid, "--history", "--db", str(db))
    assert code == 0 and "核查中" in out and "经办人" in out


def test_identity_numbers_in_a_note_are_masked_unless_reveal(
        county: tuple[Path, Path, str]) -> None:
    _, db, fid = county
    assert _run("triage", fid, "--note", "户主身份证 11010519491231002X", "--user", "li",
                "--db", str(db))[0] == 0
    code, out, _ = _run("triage", fid, "--history", "--format", "json", "--db", str(db))
    note = json.loads(out)["rows"][0][5]
    assert code == 0 and note == "户主身份证 110105***********X"
    code, out, _ = _run("triage", fid, "--history", "--reveal", "--format", "json",
                        "--db", str(db))
    assert json.loads(out)["rows"][0][5] == "户主身份证 11010519491231002X"
    assert json.loads(out)["rows"][0][2] == "new"  # a note alone: the status carried over
