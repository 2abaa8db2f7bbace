"""``umbrella areas`` run as a user runs it, on the small areas county (tests/areas_county.py):
the terminal table at 100 columns in English and Chinese, CSV (byte-order mark, Chinese
headers, neutralised cells), JSON, XLSX, the page, the audit trail, and clear refusals.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from areas_county import HOSTILE_BODY, AreasCounty, make
from click.testing import CliRunner
from rich.cells import cell_len

from umbrella.cli import cli

CLI = "import sys; from umbrella.cli import main; sys.argv[0] = 'umbrella'; main()"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> AreasCounty:
    return make(tmp_path_factory.mktemp("areas-cli"))


def _run(lang: str, *args: str, columns: int = 100) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "COLUMNS": str(columns),
           "PYTHONIOENCODING": "utf-8", "UMBRELLA_LANG": lang}
    done = subprocess.run([sys.executable, "-c", CLI, "--lang", lang, *args], env=env,
                          text=True, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _trail(county: AreasCounty) -> list[tuple[str, str]]:
    path = county.db.with_suffix(".audit.jsonl")
    return [(e["action"], e["target"]) for e in map(json.loads, path.read_text().splitlines())]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("by", ["region", "agency", "sector"])
def test_the_table_fits_100_columns(county: AreasCounty, lang: str, by: str) -> None:
    out = _run(lang, "areas", "--db", str(county.db), "--by", by)
    wide = [line for line in out.splitlines() if cell_len(line) > 100]
    assert wide == []
    assert ("Left out at this width" not in out) and ("因宽度不足未显示" not in out)
    if by == "region":
        first = next(line for line in out.splitlines() if "│" in line and "1 │" in line)
        assert "沙河乡" in first  # rank 1 of the townships
        assert ("1.00" in out or "0." in out) and "(" in out  # ratio with its interval
    if lang == "zh":
        assert "排名" in out and ("乡镇" in out or "部门" in out or "领域" in out)


def test_csv_has_every_column_chinese_headers_and_neutral_cells(county: AreasCounty,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "部门.csv"
    r = CliRunner().invoke(cli, ["--lang", "zh", "areas", "--db", str(county.db), "--by",
                                 "agency", "--format", "csv", "-o", str(path)])
    assert r.exit_code == 0, r.output
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["排名", "区域", "层级", "内含线索"]
    names = [row[1] for row in rows[1:]]
    assert "'" + HOSTILE_BODY in names and HOSTILE_BODY not in names
    assert "桃峰县沙河乡人民政府" in names


def test_json_keeps_machine_names_and_numbers(county: AreasCounty) -> None:
    r = CliRunner().invoke(cli, ["areas", "--db", str(county.db), "--format", "json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert (got["by"], got["counted"], got["unplaced"], got["dismissed"]) == ("region", 25, 1, 1)
    sh = next(x for x in got["areas"] if x["area"] == "沙河乡")
    assert (sh["level"], sh["findings"], sh["confirmed"], sh["money"], sh["rank"]) == (
        "township", 11, 1, 8000.0, 1)
    assert sh["low"] > 1 and sh["categories"]["collusion"] == {"findings": 10, "weight": 5.0}
    assert "F-sub" in sh["finding ids"] and "F-gone" not in sh["finding ids"]


def test_xlsx_cells_are_text_not_formulas(county: AreasCounty, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "areas.xlsx"
    r = CliRunner().invoke(cli, ["areas", "--db", str(county.db), "--by", "agency",
                                 "--format", "xlsx", "-o", str(path)])
    assert r.exit_code == 0, r.output
    ws = load_workbook(path).active
    cells = [c for row in ws.iter_rows() for c in row if c.value == HOSTILE_BODY]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_the_page_and_the_audit_trail(county: AreasCounty, tmp_path: Path) -> None:
    page = tmp_path / "乡村 风险.html"
    before = len(_trail(county))
    r = CliRunner().invoke(cli, ["--lang", "zh", "areas", "--db", str(county.db), "--level",
                                 "village", "--html", str(page)])
    assert r.exit_code == 0, r.output
    text = page.read_text(encoding="utf-8")
    assert "沙河乡 黄土村" in text and 'lang="zh-CN"' in text and "<script" not in text
    r = CliRunner().invoke(cli, ["areas", "--db", str(county.db), "--by", "sector"])
    assert r.exit_code == 0, r.output
    assert _trail(county)[before:] == [("export", str(page.resolve())),
                                       ("view", "areas by sector")]


def test_a_level_of_another_cut_is_refused_clearly(county: AreasCounty) -> None:
    r = CliRunner().invoke(cli, ["areas", "--db", str(county.db), "--by", "agency",
                                 "--level", "village"])
    assert r.exit_code != 0
    assert "--level village is not a level of --by agency" in r.output
    assert "agency" in r.output
