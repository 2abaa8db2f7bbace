"""The command line on the workbench's backends: show by part of a name (namesakes told
apart), path through chosen tie types, recuse in every format, an empty sector, a hint
for a mistyped id of its own kind, names beside ids in every table written.

A real store on disk, loaded from the COI golden county (Chinese names; two persons
named 王磊) plus a case whose suspect is the official's brother-in-law.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from umbrella.cli import cli

GOLDEN_COI = Path(__file__).parent.parent / "queries" / "golden" / "COI"


def _run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("county") / "coi"
    shutil.copytree(GOLDEN_COI, folder, ignore=shutil.ignore_patterns("*.json"))
    (folder / "cases.csv").write_text(
        "case_id,kind,title,opened_date,closed_date,status,outcome\n"
        "AJ1,corruption,李强行贿案,2020-09-01,,在办,\n", encoding="utf-8")
    (folder / "case_roles.csv").write_text(
        "case_id,party_id,role,start_date\nAJ1,P3,suspect,2020-09-01\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def db(county: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("db") / "coi.db")
    code, _, err = _run("load", str(county), "--db", path)
    assert code == 0, err
    code, _, err = _run("scan", "--db", path, "--rule", "COI", "--rule", "REC")
    assert code == 0, err
    return path


def test_show_lists_namesakes_with_what_tells_them_apart(db: str) -> None:
    code, out, _ = _run("show", "王磊", "--db", db)
    assert code == 0
    assert "2 entities found for '王磊'" in out
    assert "P4" in out and "P5" in out and "1993-07-07" in out and "1990-02-02" in out
    code, out, _ = _run("show", "王 磊", "--db", db, "--lang", "zh")  # blanks folded
    assert code == 0 and "找到 2 个" in out and "出生日期" in out and "1993年7月7日" in out


def test_show_finds_a_partial_name_and_an_exact_id(db: str) -> None:
    code, out, err = _run("show", "建国", "--db", db)
    assert code == 0 and "王建国" in out and "(person; ids P1)" in out
    assert "The only entity found for '建国': 王建国 (P1)" in err
    code, out, err = _run("show", "P1", "--db", db)
    assert code == 0 and "(person; ids P1)" in out and err == ""
    code, out, err = _run("show", "宏达路桥", "--db", db, "--lang", "zh")
    assert code == 0 and "宏达路桥工程有限公司" in out and "只找到一个对象" in err


def test_path_takes_tie_types_to_include_or_exclude(db: str) -> None:
    code, out, _ = _run("path", "P1", "C1", "--db", db)
    assert code == 0 and "Path 1 (2 ties)" in out and "APPROVED" in out
    code, out, _ = _run("path", "P1", "C1", "--db", db, "--exclude", "approved,AWARDED_TO")
    assert code == 0 and "APPROVED" not in out and "KIN" in out and "李秀英" in out
    assert "Path 1 (3 ties)" in out
    code, out, _ = _run("path", "P1", "C1", "--db", db, "--include", "KIN")
    assert code == 0 and out.startswith("No path between P1 and C1.")
    code, _, err = _run("path", "P1", "C1", "--db", db, "--include", "KIN,FRIEND")
    assert code == 1 and "unknown tie type FRIEND" in err and "COMPANY_ROLE" in err
    code, _, err = _run("path", "P1", "C1", "--db", db, "--include", "FRIEND", "--lang", "zh")
    assert code == 1 and "未知的关系类型 FRIEND" in err and "KIN" in err


def test_recuse_writes_every_format_with_names(db: str, tmp_path: Path) -> None:
    code, out, _ = _run("recuse", "AJ1", "--db", db)
    assert code == 0 and "王建国 (P1)" in out and "李强 (P3)" in out
    target = tmp_path / "回避.csv"
    assert _run("recuse", "AJ1", "--db", db, "--format", "csv", "-o", str(target))[0] == 0
    with target.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["official"] == "王建国 (P1)" and rows[0]["party"] == "李强 (P3)"
    xlsx = tmp_path / "回避.xlsx"
    assert _run("recuse", "AJ1", "--db", db, "--format", "xlsx", "-o", str(xlsx))[0] == 0
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None and sheet.cell(2, 1).value == "王建国 (P1)"
    code, out, _ = _run("recuse", "AJ1", "--db", db, "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["rows"][0][data["columns"].index("official")] == "王建国 (P1)"


def test_an_empty_sector_lists_the_sectors_present(db: str) -> None:
    code, out, _ = _run("scan", "--db", db, "--rule", "COI", "--sector", "edu")
    assert code == 0 and "0 findings" in out
    assert "No finding of sector 'edu'. Sectors in this database: education, " \
        "infrastructure" in out
    code, out, _ = _run("scan", "--db", db, "--rule", "COI", "--sector", "edu",
                        "--format", "json")
    assert json.loads(out)["sectors"] == ["education", "infrastructure"]
    code, out, _ = _run("scan", "--db", db, "--rule", "COI", "--sector", "edu", "--lang", "zh")
    assert code == 0 and "本库中的领域" in out
    code, out, _ = _run("scan", "--db", db, "--rule", "COI", "--sector", "infrastructure")
    assert code == 0 and "Sectors in this database" not in out


def test_a_mistyped_id_gets_a_hint_of_its_own_kind(db: str) -> None:
    code, _, err = _run("show", "K9", "--db", db)
    assert code == 1 and "no contract with id K9" in err
    assert "closest contract ids: K6, K5, K4, K3, K2" in err
    code, _, err = _run("show", "P11", "--db", db)
    assert "no person with id P11" in err and "closest person ids: P10, P1, P2" in err
    fid = json.loads(_run("scan", "--db", db, "--rule", "COI", "--format", "json")[1])[
        "findings"][0]["id"]
    code, _, err = _run("show", fid[:-1] + "Z", "--db", db)
    assert code == 1 and "no finding" in err and fid in err and "umbrella show F-" in err
    code, _, err = _run("recuse", "AJ2", "--db", db)
    assert code == 1 and "no case with id AJ2" in err and "AJ1" in err and "recuse" in err
    code, _, err = _run("path", "P1", "A9", "--db", db, "--lang", "zh")
    assert code == 1 and "A9" in err and "A1" in err and "A2" in err and "提示" in err
    code, _, err = _run("show", "张无忌", "--db", db)  # a name nobody has: as before
    assert code == 1 and "no entity with id or name '张无忌'" in err


def test_names_stand_beside_ids_in_tables_files_and_pages(db: str, tmp_path: Path) -> None:
    code, out, _ = _run("scan", "--db", db, "--rule", "COI-001")
    assert code == 0 and "王建国 (P1)" in out
    target = tmp_path / "leads.csv"
    assert _run("scan", "--db", db, "--rule", "COI-001", "--format", "csv", "-o",
                str(target))[0] == 0
    with target.open(encoding="utf-8-sig") as fh:
        row = next(csv.DictReader(fh))
    assert row["entities"].split() and "王建国 (P1)" in row["names"]
    assert "宏达路桥工程有限公司 (C1)" in row["names"]
    xlsx = tmp_path / "leads.xlsx"
    assert _run("scan", "--db", db, "--rule", "COI-001", "--format", "xlsx", "-o", str(xlsx),
                "--lang", "zh")[0] == 0
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert "王建国 (P1)" in str(sheet.cell(2, header.index("涉及对象（名称与编号）") + 1).value)
    pages = tmp_path / "pages"
    assert _run("scan", "--db", db, "--rule", "COI-001", "--html", str(pages))[0] == 0
    assert "王建国 (P1)" in (pages / "index.html").read_text(encoding="utf-8")
    code, out, _ = _run("show", row["id"], "--db", db)
    assert code == 0 and "Entities: " in out and "王建国 (P1)" in out
