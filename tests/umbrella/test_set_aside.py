"""Set-aside rows per load: the command, the file a load writes, one count everywhere."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from samples import write_csv

from umbrella.cli import cli

#: A valid identity number (in the SMALL folder) and one that fails its checksum.
GOOD_ID, BAD_ID = "11010519491231002X", "110105194912310021"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture
def roster(tmp_path: Path) -> tuple[Path, Path]:
    """A department export and its mapping: the row of 李四 (a bad identity number) is set
    aside from two tables (persons, and the positions row that needs that person)."""
    export = tmp_path / "名册.csv"
    write_csv(export, ["编号", "姓名", "身份证号", "单位", "职务", "备注"], [
        ["P1", "张三", GOOD_ID, "县教育局", "局长", ""],
        ["P2", "李四", BAD_ID, "县水利局", "科员", f"曾用证件 {GOOD_ID}"],
        ["P3", "王五", "", "县水利局", "局长", ""]])
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "version: 1\nsources:\n  - file: 名册.csv\n    tables:\n"
        "      - table: persons\n"
        "        fields: {person_id: 编号, name: 姓名, id_number: 身份证号}\n"
        "      - table: organizations\n        distinct: true\n"
        "        fields: {org_id: 单位, name: 单位, kind: {value: agency}}\n"
        "      - table: positions\n        fields: {person_id: 编号, org_id: 单位, title: 职务}\n",
        encoding="utf-8")
    return mapping, export


def test_stats_the_report_and_the_file_count_alike(roster: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    mapping, export = roster
    db = tmp_path / "case.db"
    code, out, err = _run("load", "--mapping", str(mapping), str(export), "--db", str(db))
    assert code == 0, err
    assert re.search(r"total[ │]+8[ │]+6[ │]+2 │", out), out  # read, loaded, set aside
    listed = _csv((tmp_path / "case.set-aside.csv").read_text(encoding="utf-8-sig"))
    assert [(r["line"], r["table"], r["reason"]) for r in listed] == [
        ("3", "persons", "bad_id_number"), ("3", "positions", "refers_to_set_aside")]
    _, stats, _ = _run("stats", "--db", str(db))
    assert "rows set aside: 2 " in stats
    assert re.search(r"│ 1 +│.+│ +8 │ +6 │ +2 │", stats), stats  # the line of load 1
    _, shown, _ = _run("set-aside", "--db", str(db), "--format", "csv")
    assert len(_csv(shown)) == 2


def test_identity_numbers_are_masked_in_the_row_and_the_message_unless_revealed(
        roster: tuple[Path, Path], tmp_path: Path) -> None:
    mapping, export = roster
    db = tmp_path / "case.db"
    _run("load", "--mapping", str(mapping), str(export), "--db", str(db))
    written = (tmp_path / "case.set-aside.csv").read_text(encoding="utf-8-sig")
    _, listed, _ = _run("set-aside", "--db", str(db), "--format", "csv")
    _, table, _ = _run("set-aside", "--db", str(db))
    for text in (written, listed, table):
        assert BAD_ID not in text and GOOD_ID not in text
        assert "110105***********1" in text and "110105***********X" in text
    row = json.loads(_csv(listed)[0]["row"])
    assert row == {"编号": "P2", "姓名": "李四", "身份证号": "110105***********1",
                   "单位": "县水利局", "职务": "科员", "备注": "曾用证件 110105***********X"}
    _, revealed, _ = _run("set-aside", "--db", str(db), "--format", "json", "--reveal")
    rows = json.loads(revealed)["rows"]
    assert rows[0][7]["身份证号"] == BAD_ID and rows[0][7]["备注"] == f"曾用证件 {GOOD_ID}"
    assert list(rows[0][7]) == ["编号", "姓名", "身份证号", "单位", "职务", "备注"]  # as written
    out = tmp_path / "aside.xlsx"
    code, _, err = _run("set-aside", "--db", str(db), "--format", "xlsx", "-o", str(out))
    assert code == 0 and "2 set-aside rows written to" in err
    cells = [str(c) for r in openpyxl.load_workbook(out).active.values for c in r]  # type: ignore[union-attr]
    assert not any(BAD_ID in c or GOOD_ID in c for c in cells)


def test_each_load_keeps_its_rows_and_the_file_holds_the_last_loads(
        small: Path, tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    assert _run("load", str(small), "--db", str(db))[0] == 0
    aside = tmp_path / "case.set-aside.csv"
    assert {r["load"] for r in _csv(aside.read_text(encoding="utf-8-sig"))} == {"1"}
    other = tmp_path / "other"
    other.mkdir()
    write_csv(other / "persons.csv", ["person_id", "name", "birth_date"],
              [["Q1", "新人", "1990-13-01"], ["Q2", "", ""], ["Q3", "另一个", ""]])
    code, out, _ = _run("load", str(other), "--db", str(db))
    assert code == 0 and "Set-aside rows of load 2" in out
    assert [(r["load"], r["line"]) for r in _csv(aside.read_text(encoding="utf-8-sig"))] == [
        ("2", "2"), ("2", "3")]  # exactly this load's rows: the first load's are not in it
    _, first, _ = _run("set-aside", "--load", "1", "--db", str(db), "--format", "csv")
    _, every, _ = _run("set-aside", "--db", str(db), "--format", "csv")
    assert len(_csv(first)) == 9 and len(_csv(every)) == 11
    _, stats, _ = _run("stats", "--db", str(db))
    assert "Loads: 2; rows set aside: 11" in stats
    code, _, err = _run("set-aside", "--load", "5", "--db", str(db))
    assert code == 1 and "no load 5 (loads: 1, 2)" in err and "Hint: umbrella stats" in err


def test_a_clean_load_removes_the_list_an_earlier_load_left(small: Path, tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    _run("load", str(small), "--db", str(db))
    aside = tmp_path / "case.set-aside.csv"
    assert aside.exists()
    clean = tmp_path / "clean"
    clean.mkdir()
    write_csv(clean / "persons.csv", ["person_id", "name"], [["Q1", "新人"]])
    code, out, _ = _run("load", str(clean), "--db", str(db))
    assert code == 0 and not aside.exists()
    assert f"No row was set aside. Removed {aside}" in " ".join(out.split())
    mine = tmp_path / "notes.csv"
    mine.write_text("my own notes\n", encoding="utf-8")
    code, out, _ = _run("load", str(clean), "--db", str(db), "--set-aside", str(mine))
    assert code == 0 and mine.read_text(encoding="utf-8") == "my own notes\n"
    assert "was left as it is: it is not a list of set-aside rows" in " ".join(out.split())
