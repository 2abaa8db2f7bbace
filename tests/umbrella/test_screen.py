"""``umbrella screen``: ties between two sides on a day, over a hand-written county with
each kind of tie planted (tests/screen_county.py), in every format and in Chinese."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from screen_county import ID_NUMBER, MASKED, screen_county

from umbrella.cli import cli


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(screen_county(tmp_path_factory.mktemp("screen")))


def run(db: str, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["screen", "--db", db, *args])
    return r.exit_code, r.stdout, r.stderr


def rows(db: str, *args: str) -> list[list[Any]]:
    code, out, err = run(db, *args, "--format", "json")
    assert code == 0, err
    return list(json.loads(out)["rows"])


def test_kin_tie_in_force_on_one_day_not_another(db: str) -> None:
    found = rows(db, "--left", "O1", "--right", "O2", "--right", "O3", "--right", "O5",
                 "--on", "2020-06-01")
    assert [(r[0], r[1], r[2]) for r in found] == [
        ("县住房和城乡建设局 (O1)", "宏达建筑工程有限公司 (O2)", 3)]
    lines = found[0][3]
    assert isinstance(lines, list)
    assert "王建国 (P1) holds a post at 县住房和城乡建设局 (O1)" in lines[0]
    assert "positions.csv:2]" in lines[0]
    assert lines[1] == ("李娜 (P2) is 王建国 (P1)'s wife, from 2010-05-01 to 2021-06-30 "
                        "[relationships.csv:2]")
    assert "李娜 (P2) holds a role in 宏达建筑工程有限公司 (O2) (legal rep)" in lines[2]
    code, out, _err = run(db, "--left", "O1", "--right", "O2", "--on", "2022-06-01")
    assert code == 0
    assert "No tie found between 县住房和城乡建设局 (O1) and 宏达建筑工程有限公司 (O2)" in out
    assert "Searched: kin (chains of at most 2 ties), company roles" in out


def test_a_body_stands_for_its_staff_on_the_day(db: str) -> None:
    before = rows(db, "--left", "O1", "--right", "O5", "--on", "2019-06-01")
    assert [r[1] for r in before] == ["恒通物流有限公司 (O5)"]
    assert "陈静 (P4) holds a post at 县住房和城乡建设局 (O1) (科长)" in before[0][3][0]
    assert rows(db, "--left", "O1", "--right", "O5", "--on", "2020-06-01") == []
    # a person given on the left is not stood for by the bodies they work at
    assert rows(db, "--left", "P4", "--right", "O5", "--on", "2020-06-01")[0][2] == 1


def test_ownership_chain_from_its_start(db: str) -> None:
    found = rows(db, "--left", "P3", "--right", "O3", "--on", "2020-06-01")
    assert [(r[0], r[2]) for r in found] == [("赵强 (P3)", 2)]
    assert ["company_roles.csv:3]" in found[0][3][0], "company_roles.csv:4]" in found[0][3][1]] \
        == [True, True]
    assert rows(db, "--left", "P3", "--right", "O3", "--on", "2016-06-01") == []


def test_kin_chains_stop_at_max_kin_hops(db: str) -> None:
    code, out, _err = run(db, "--left", "P3", "--right", "O6", "--on", "2020-06-01")
    assert code == 0 and "No tie found" in out
    assert "1 shortest path(s) left out: a kin chain longer than 2 ties." in out
    found = rows(db, "--left", "P3", "--right", "O6", "--on", "2020-06-01",
                 "--max-kin-hops", "3")
    assert [r[2] for r in found] == [4]
    assert rows(db, "--left", "P3", "--right", "O6", "--on", "2020-06-01",
                "--max-kin-hops", "3", "--max-hops", "3") == []


def test_a_case_stands_for_its_parties_not_its_officials(db: str, tmp_path: Path) -> None:
    officials = tmp_path / "officials.txt"
    officials.write_text("# proposed\nP11\n\nP12\n", encoding="utf-8")
    found = rows(db, "--left", "K1", "--right-file", str(officials), "--on", "2020-06-01")
    assert [(r[0], r[1], r[2]) for r in found] == [("孙立受贿案 (K1)", "孙佳 (P11)", 2)]
    assert "(suspect)" in found[0][3][0]


def test_identity_numbers_masked_unless_revealed(db: str, tmp_path: Path) -> None:
    code, out, _ = run(db, "--left", "P1", "--right", "O1", "--on", "2020-06-01")
    assert code == 0 and MASKED in out and ID_NUMBER not in out
    assert "王建国" in out and "P1" in out
    for fmt in ("csv", "json"):
        code, out, _ = run(db, "--left", "P1", "--right", "O1", "--on", "2020-06-01",
                           "--format", fmt)
        assert MASKED in out and ID_NUMBER not in out
    code, out, _ = run(db, "--left", "P1", "--right", "O1", "--on", "2020-06-01",
                       "--format", "csv", "--reveal")
    assert ID_NUMBER in out


def test_csv_and_xlsx(db: str, tmp_path: Path) -> None:
    code, out, _ = run(db, "--left", "O1", "--right", "O2", "--on", "2020-06-01",
                       "--format", "csv")
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == ["left", "right", "ties", "path"] and table[1][2] == "3"
    assert table[1][3].count("\n") == 2
    book = tmp_path / "screen.xlsx"
    code, _, err = run(db, "--left", "O1", "--right", "O2", "--on", "2020-06-01",
                       "--format", "xlsx", "-o", str(book))
    assert code == 0 and "written to" in err
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][:2] == ["县住房和城乡建设局 (O1)", "宏达建筑工程有限公司 (O2)"]


def test_chinese(db: str) -> None:
    r = CliRunner().invoke(cli, ["--lang", "zh", "screen", "--db", db, "--left", "O1",
                                 "--right", "O2", "--on", "2020-06-01", "--format", "csv"])
    head, first = list(csv.reader(io.StringIO(r.stdout)))[:2]
    assert head == ["左侧", "右侧", "关系数", "证据链"]
    assert "李娜 (P2)是王建国 (P1)的妻子" in first[3] and "2010年5月1日" in first[3]
    r = CliRunner().invoke(cli, ["--lang", "zh", "screen", "--db", db, "--left", "O1",
                                 "--right", "O2", "--on", "2022-06-01"])
    assert r.exit_code == 0 and "未发现" in r.stdout and "查了" in r.stdout


def test_unknown_id_and_empty_side(db: str) -> None:
    code, _, err = run(db, "--left", "O1", "--right", "O99")
    assert code != 0 and "O99" in err
    code, _, err = run(db, "--left", "O1")
    assert code != 0 and "--right" in err
