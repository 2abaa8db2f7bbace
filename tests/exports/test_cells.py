"""No spreadsheet the tool writes runs what a data source wrote (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from samples import REPO

from exports.cells import csv_cell, risky
from umbrella.cli import cli

HOSTILE = ['=HYPERLINK("http://x","a")', "=cmd|' /C notepad'!A1", "+cmd", "@SUM(1)",
           "-2+3", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_text_is_neutralised(text: str) -> None:
    assert risky(text) and csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-12.5, 3, "-12.5", "+5", "1e3", "张三", "", "-", "a=b"])
def test_numbers_and_plain_text_stay_as_they_are(value: object) -> None:
    assert not risky(value) and csv_cell(value) == value


def _hostile_folder(tmp_path: Path) -> Path:
    """The COI golden county with formula text as names and titles."""
    folder = tmp_path / "county"
    shutil.copytree(REPO / "tests" / "queries" / "golden" / "COI", folder)
    persons = folder / "persons.csv"
    persons.write_text(persons.read_text(encoding="utf-8").replace(
        "王建国", '"=HYPERLINK(""http://x"",""a"")"').replace("李强", "+cmd"), encoding="utf-8")
    orgs = folder / "organizations.csv"
    orgs.write_text(orgs.read_text(encoding="utf-8").replace(
        "宏达路桥工程有限公司", "\"=cmd|' /C notepad'!A1\""), encoding="utf-8")
    contracts = folder / "contracts.csv"
    contracts.write_text(contracts.read_text(encoding="utf-8").replace("县道改造工程", "@SUM(1)"),
                         encoding="utf-8")
    return folder


def _formula_cells(xlsx: Path) -> list[str]:
    with zipfile.ZipFile(xlsx) as z:
        return [m for name in z.namelist() if name.startswith("xl/worksheets/")
                for m in re.findall(r"<f>.*?</f>", z.read(name).decode("utf-8"))]


def test_leads_files_hold_no_formula(tmp_path: Path) -> None:
    db = str(tmp_path / "h.db")
    run = CliRunner().invoke
    assert run(cli, ["load", str(_hostile_folder(tmp_path)), "--db", db]).exit_code == 0
    for args, name in ((["scan"], "leads"), (["clusters"], "clusters"),
                       (["brokers"], "brokers")):
        xlsx, csv_path = tmp_path / f"{name}.xlsx", tmp_path / f"{name}.csv"
        for fmt, out in (("xlsx", xlsx), ("csv", csv_path)):
            result = run(cli, [*args, "--db", db, "--format", fmt, "-o", str(out)])
            assert result.exit_code == 0, result.output
        assert _formula_cells(xlsx) == []
        import openpyxl

        wb = openpyxl.load_workbook(xlsx)
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        texts = [c for c in cells if isinstance(c.value, str) and risky(c.value)]
        assert all(c.data_type == "s" and c.quotePrefix for c in texts)
        with csv_path.open(encoding="utf-8-sig", newline="") as fh:
            flat = [v for row in csv.reader(fh) for v in row]
        assert not [v for v in flat if risky(v)]
        if name == "leads":
            assert texts, "the hostile names reach the leads workbook"
            assert any(v.startswith("'=HYPERLINK") for v in flat)
            scores = [c for c in wb["findings"]["B"][1:]]
            assert scores and all(c.data_type == "n" for c in scores)
