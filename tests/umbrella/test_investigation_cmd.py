"""``umbrella investigation`` on a real store on disk: save, list, show, copy, export,
import; versions kept, identity numbers masked, bad files named with line and column,
every save and export in the audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from samples import write_tables

from graph.audit import Trail
from umbrella.cli import cli

ID_NUMBER = "110101199003078515"
PERSONS = (["person_id", "name", "id_number", "gender", "birth_date", "death_date", "phone"],
           [["P1", "王建国", ID_NUMBER, "男", "1990-03-07", "", ""],
            ["P2", "李秀英", "", "女", "", "", ""]])
ORGS = (["org_id", "name", "kind", "credit_code", "parent_org_id"],
        [["O1", "宏达建筑公司", "company", "", ""]])


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> str:
    folder = write_tables(tmp_path / "county", {"persons": PERSONS, "organizations": ORGS})
    path = tmp_path / "case.db"
    assert _run("load", str(folder), "--db", str(path))[0] == 0
    return str(path)


def _records(out: str) -> list[dict[str, Any]]:
    table = json.loads(out)
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


def _actions(db: str) -> list[tuple[str, str, str]]:
    return [(e.action, e.user, e.target) for e in Trail.beside(db).entries()][1:]


def test_save_list_show_and_versions(db: str) -> None:
    code, out, err = _run("investigation", "save", "校舍维修", "--entity", "P1", "--entity",
                          "O1", "--notes", f"证号 {ID_NUMBER} 待核", "--as-of", "2023-09-12",
                          "--db", db, "--user", "王芳")
    assert code == 0, err
    assert "校舍维修, version 1: 2 entities" in out and "王芳" in out
    code, out, err = _run("investigation", "save", "校舍维修", "--entity", "P1", "--entity",
                          "P2", "--db", db, "--user", "李明")
    assert code == 0, err
    assert "version 2" in out
    code, out, _e = _run("investigation", "list", "--db", db, "--format", "json")
    listed = _records(out)
    assert [(r["name"], r["version"], r["entities"], r["as of"]) for r in listed] == [
        ("校舍维修", 2, 2, "2023-09-12")]
    assert ID_NUMBER not in out and "待核" in listed[0]["note"]
    code, out, _e = _run("investigation", "show", "校舍维修", "--db", db, "--format", "json")
    assert [(r["id"], r["kind"], r["name"]) for r in _records(out)] == [
        ("P1", "person", "王建国"), ("P2", "person", "李秀英")]
    code, out, _e = _run("investigation", "show", "校舍维修", "--version", "1", "--db", db)
    assert code == 0 and "宏达建筑公司" in out and "李秀英" not in out
    assert ID_NUMBER not in out and "待核" in out
    code, out, _e = _run("investigation", "show", "校舍维修", "--versions", "--db", db,
                         "--format", "json")
    assert [(v["version"], v["author"]) for v in _records(out)] == [(1, "王芳"), (2, "李明")]
    assert _actions(db)[:2] == [("save", "王芳", "investigation:校舍维修 v1"),
                                ("save", "李明", "investigation:校舍维修 v2")]
    assert _actions(db)[2][0] == "view"


def test_copy_keeps_the_original(db: str) -> None:
    assert _run("investigation", "save", "甲", "--entity", "P1", "--db", db)[0] == 0
    code, out, err = _run("investigation", "copy", "甲", "乙", "--db", db)
    assert code == 0, err
    assert "乙, version 1" in out
    code, out, err = _run("investigation", "copy", "甲", "乙", "--db", db)
    assert code == 1 and "exists already" in err and "investigation list" in err
    names = [r["name"] for r in _records(_run("investigation", "list", "--db", db,
                                               "--format", "json")[1])]
    assert names == ["乙", "甲"]
    assert _actions(db)[-1] == ("save", _actions(db)[-1][1], "investigation:乙 v1 (copy of 甲)")


def test_export_masks_and_import_reads_it_back(db: str, tmp_path: Path) -> None:
    assert _run("investigation", "save", "王建国案", "--entity", "P1", "--entity", "P2",
                "--notes", f"证号 {ID_NUMBER}", "--db", db, "--user", f"核查组{ID_NUMBER}")[0] == 0
    out_file = tmp_path / "王建国案.json"
    code, _o, err = _run("investigation", "export", "王建国案", "--out", str(out_file),
                         "--db", db)
    assert code == 0, err
    text = out_file.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert ID_NUMBER not in text and doc["revealed"] is False
    assert doc["format"] == "umbrella-investigation" and doc["format_version"] == 1
    assert [e["id"] for e in doc["entities"]] == ["P1", "P2"] and "王建国" in text
    code, _o, err = _run("investigation", "import", str(out_file), "--name", "导入的", "--db", db)
    assert code == 0, err
    shown = _records(_run("investigation", "show", "导入的", "--db", db, "--format",
                          "json")[1])
    assert [r["id"] for r in shown] == ["P1", "P2"]
    revealed = tmp_path / "revealed.json"
    assert _run("investigation", "export", "王建国案", "--out", str(revealed), "--reveal",
                "--db", db)[0] == 0
    assert ID_NUMBER in revealed.read_text(encoding="utf-8")
    actions = [a for a, _u, _t in _actions(db)]
    assert actions == ["save", "export", "save", "view", "reveal"]


def test_bad_input_says_what_and_where(db: str, tmp_path: Path) -> None:
    code, _o, err = _run("investigation", "save", "x", "--entity", "P9", "--db", db)
    assert code == 1 and "no entity with id P9" in err and "Hint" in err
    code, _o, err = _run("investigation", "save", "a\tb", "--entity", "P1", "--db", db)
    assert code == 1 and "control character (U+0009)" in err
    code, _o, err = _run("investigation", "save", "x", "--entity", "P1", "--as-of", "2023-02-30",
                         "--db", db)
    assert code == 2 and "no day of the calendar" in err and "YYYY-MM-DD" in err
    code, _o, err = _run("investigation", "show", "没有", "--db", db)
    assert code == 1 and "no investigation named 没有" in err
    bad = tmp_path / "坏.json"
    bad.write_text('{"format": "umbrella-investigation",\n "entities": [,]}', encoding="utf-8")
    code, _o, err = _run("investigation", "import", str(bad), "--db", db)
    assert code == 1 and "line 2, column 15" in err
    other = tmp_path / "other.json"
    other.write_text('{"format": "something"}', encoding="utf-8")
    code, _o, err = _run("investigation", "import", str(other), "--db", db)
    assert code == 1 and "not an umbrella investigation" in err
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"format": "umbrella-investigation", "format_version": 1,
                                 "name": "w", "entities": [{"id": "P1", "x": "left", "y": 1}]}),
                     encoding="utf-8")
    code, _o, err = _run("investigation", "import", str(wrong), "--db", db)
    assert code == 1 and "entity 1 (P1): x and y must be numbers" in err
    assert _records(_run("investigation", "list", "--db", db, "--format", "json")[1]) == []
