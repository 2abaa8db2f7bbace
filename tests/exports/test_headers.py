"""Exported tables in the run's language, read back from the files written.

CSV and XLSX are opened by people: with ``--lang zh`` their sheets and header row are in
Chinese (a ``columns`` sheet pairs each header with its stable machine name); with
``--lang en`` the header row is the machine names, as before. JSON always carries the
machine names. Formula text is neutralised in every language.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from exports.columns import labels
from exports.tables import COLUMNS, EVIDENCE_COLUMNS, write_findings, write_table
from lang import pgettext, use_language

CJK = re.compile(r"[\u4e00-\u9fff]")
CLI = "import sys; from umbrella.cli import main; sys.argv[0] = 'umbrella'; main()"
FORMULA = "=HYPERLINK(\"http://x\",\"点我\")"


def _finding() -> dict[str, Any]:
    return {"id": "F-1", "score": 0.9, "rule": "COI-001", "category": "conflict_of_interest",
            "title": FORMULA, "entities": ["P1", "C1"], "date": "2020-03-01",
            "sector": "education", "explanation": "王建国 审批", "keys": [],
            "evidence": [{"path": [{"node": "person", "name": "王建国", "ids": ["P1"],
                                    "sources": [{"file": "persons.csv", "line": 2}]}]}]}


def _sheet_names(lang: str) -> list[str]:
    with use_language(lang):
        return [pgettext("sheet", "findings"), pgettext("sheet", "evidence")]


def test_a_chinese_workbook_has_chinese_sheets_headers_and_a_key_to_machine_names(
        tmp_path: Path) -> None:
    path = tmp_path / "线索.xlsx"
    with use_language("zh"):
        write_findings([_finding()], path, "xlsx")
        header, evidence_header = labels(COLUMNS), labels(EVIDENCE_COLUMNS)
    wb = openpyxl.load_workbook(path)
    findings, evidence = _sheet_names("zh")
    assert wb.sheetnames[:2] == [findings, evidence] and all(map(CJK.search, wb.sheetnames))
    rows = [list(r) for r in wb[findings].values]
    assert rows[0] == header and all(CJK.search(h) for h in header)
    assert header != COLUMNS
    assert next(list(r) for r in wb[evidence].values) == evidence_header
    cell = wb[findings].cell(row=2, column=COLUMNS.index("title") + 1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA, "s", True)
    key = [list(r) for r in wb[wb.sheetnames[2]].values]
    assert [(sheet, machine) for sheet, _, machine in key[1:]] == (
        [(findings, c) for c in COLUMNS] + [(evidence, c) for c in EVIDENCE_COLUMNS])
    assert [shown for _, shown, _ in key[1:]] == header + evidence_header


def test_an_english_workbook_keeps_the_machine_names(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    with use_language("en"):
        write_findings([_finding()], path, "xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["findings", "evidence"]
    assert next(list(r) for r in wb["findings"].values) == COLUMNS


def test_a_chinese_csv_opens_in_excel_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "线索.csv"
    with use_language("zh"):
        write_findings([_finding()], path, "csv")
        header = labels(COLUMNS)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the file as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == header and all(CJK.search(h) for h in header)
    assert rows[1][COLUMNS.index("title")] == "'" + FORMULA


def test_a_table_of_a_query_keeps_its_own_column_names(tmp_path: Path) -> None:
    path = tmp_path / "q.xlsx"
    with use_language("zh"):
        write_table(["score", "n.name"], [[1, "=1+1"]], path, "xlsx", labelled=False)
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert [list(r) for r in ws.values] == [["score", "n.name"], [1, "=1+1"]]
    assert ws.cell(row=2, column=2).quotePrefix


def _umbrella(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-c", CLI, *args], env=env, text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def county_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("headers")
    db = str(tmp / "demo.db")
    _umbrella("demo", "--scale", "0.1", "--db", db, "--dir", str(tmp / "county"))
    return db


@pytest.mark.parametrize("command", ["scan", "clusters"])
def test_the_command_line_writes_headers_in_the_language_asked(
        county_db: str, tmp_path: Path, command: str) -> None:
    """``--lang zh`` files have Chinese sheet names and headers, ``--lang en`` files the
    machine names (the findings' :data:`COLUMNS`), the same in XLSX and CSV."""
    written = {}
    for lang in ("zh", "en"):
        xlsx, text = tmp_path / f"{lang}.xlsx", tmp_path / f"{lang}.csv"
        _umbrella("--lang", lang, command, "--db", county_db, "--format", "xlsx", "-o", str(xlsx))
        _umbrella("--lang", lang, command, "--db", county_db, "--format", "csv", "-o", str(text))
        ws = openpyxl.load_workbook(xlsx).worksheets[0]
        raw = text.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        csv_rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        written[lang] = (ws.title, [str(c.value) for c in ws[1]], csv_rows[0],
                         len(csv_rows))
    zh_title, zh_xlsx, zh_csv, zh_rows = written["zh"]
    en_title, en_xlsx, en_csv, en_rows = written["en"]
    assert en_xlsx == en_csv == COLUMNS and zh_rows == en_rows > 1
    with use_language("zh"):
        assert zh_xlsx == zh_csv == labels(COLUMNS)
    assert all(CJK.search(h) for h in zh_xlsx) and CJK.search(zh_title)
    assert not CJK.search(en_title)
