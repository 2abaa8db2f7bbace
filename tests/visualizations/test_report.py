"""The case-file report page (visualizations/report.py) and ``umbrella report``: what the page
holds, what it masks and escapes, in which language, and what the command writes and logs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graph.errors import UmbrellaError
from lang import use_language
from queries.triage import record
from umbrella.cli import cli
from visualizations.report import canvas_report, finding_report

County = Any
RAW_ID = "11010519491231002X"
MASKED_ID = "110105***********X"


def _coi(county: County) -> dict[str, Any]:
    return next(f for f in county.findings if f["rule"] == "COI-001")


def _cells(page: str, table: str) -> list[list[str]]:
    """The body cells of the page's ``<table class=...>``, row by row."""
    body = re.search(rf'<table class="{table}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert body, table
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in
            re.findall(r"<tr>(.*?)</tr>", body.group(1))]


def test_a_finding_report_holds_summary_picture_facts_and_sources(county: County) -> None:
    finding = _coi(county)
    page = finding_report(county.store, finding["id"])
    assert page.startswith("<!DOCTYPE html>") and 'lang="en"' in page
    for text in (finding["id"], "COI-001", "conflict of interest",
                 f"{finding['score']:.2f}", "new", "A pattern for review, not an accusation."):
        assert text in page, text
    facts = _cells(page, "facts")
    by_type = {row[1]: row for row in facts}
    assert {"APPROVED", "AWARDED_TO", "COMPANY_ROLE", "KIN"} <= set(by_type), facts
    assert by_type["APPROVED"][4] == "contracts.csv:2"
    assert by_type["COMPANY_ROLE"][4] == "company_roles.csv:2"
    assert "王建国 approved 校舍维修工程" in by_type["APPROVED"][2]
    entities = {row[0]: row for row in _cells(page, "entities")}
    assert entities["王建国"][2:] == ["P1", MASKED_ID, "persons.csv:2"]
    svg = re.search(r"<svg .*?</svg>", page, re.S)
    assert svg and len(re.findall(r'<g class="node">', svg.group(0))) == len(entities)
    assert len(re.findall(r'<g class="tie">', svg.group(0))) == len(facts)
    assert "王建国" in svg.group(0) and "宏达建筑工程有限公司" in svg.group(0)


def test_the_page_is_self_contained_and_masked(county: County) -> None:
    page = finding_report(county.store, _coi(county)["id"])
    assert RAW_ID not in page and MASKED_ID in page
    assert "<script" not in page.lower()
    assert "http:" not in page.lower() and "https:" not in page.lower() and "//" not in page
    assert """<meta http-equiv="Content-Security-Policy" content="default-src 'none'""" in page
    assert not re.search(r"\b(src|href)=", page)
    assert "@media print" in page and "@page{size:A4" in page and "break-inside:avoid" in page
    revealed = finding_report(county.store, _coi(county)["id"], reveal=True)
    assert RAW_ID in revealed and "shown in full" in revealed


def test_the_picture_is_the_same_on_every_run(county: County) -> None:
    first = finding_report(county.store, _coi(county)["id"])
    again = finding_report(county.store, _coi(county)["id"])
    picture = re.compile(r"<svg .*?</svg>", re.S)
    assert picture.search(first).group(0) == picture.search(again).group(0)  # type: ignore[union-attr]


def test_hostile_names_are_text_never_markup(county_maker: Callable[..., County],
                                             tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    c = county_maker(tmp_path, names={"official": hostile, "company": "A&B\u202e公司"})
    try:
        page = finding_report(c.store, _coi(c)["id"])
    finally:
        c.store.close()
    assert "<script" not in page and "<img" not in page and "\u202e" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "A&amp;B 公司" in page


def test_triage_history_and_notes_are_on_the_page(county_maker: Callable[..., County],
                                                  tmp_path: Path) -> None:
    c = county_maker(tmp_path)
    fid = _coi(c)["id"]
    try:
        record(c.store, fid, "in_review", assignee="王芳", note=f"核对 {RAW_ID} 的<b>配偶</b>",
               user="李明")
        record(c.store, fid, "dismissed", reason="同名不同人", user="li")
        page = finding_report(c.store, fid)
        with use_language("zh"):
            chinese = finding_report(c.store, fid)
    finally:
        c.store.close()
    rows = _cells(page, "history")
    assert [r[1:5] for r in rows] == [["李明", "in review", "王芳", ""],
                                      ["li", "dismissed", "王芳", "同名不同人"]]
    assert rows[0][5] == f"核对 {MASKED_ID} 的&lt;b&gt;配偶&lt;/b&gt;"
    assert "<dd>dismissed</dd>" in page
    assert [r[2] for r in _cells(chinese, "history")] == ["核查中", "已排除"]


def test_a_chinese_report_speaks_chinese(county: County) -> None:
    with use_language("zh"):
        page = finding_report(county.store, _coi(county)["id"])
    assert 'lang="zh-CN"' in page
    for text in ("证据：事实及其来源", "研判记录和备注", "利益冲突", "新线索", "身份证号码",
                 "这是需核查的线索，不是指控。", "王建国", "来源文件和行"):
        assert text in page, text
    heads = re.findall(r"<th>(.*?)</th>", page)
    assert heads and all(re.search(r"[\u4e00-\u9fff]", h) for h in heads), heads
    assert RAW_ID not in page


def test_an_unknown_finding_is_a_clear_error(county: County) -> None:
    with pytest.raises(UmbrellaError, match="no finding 'F-nothing'") as err:
        finding_report(county.store, "F-nothing")
    assert "umbrella scan" in (err.value.hint or "")


def test_a_canvas_report_keeps_positions_and_leaves_out_what_is_hidden(county: County) -> None:
    key = county.key
    keys = [key(i) for i in ("P1", "P2", "P3", "P7", "O2")]
    positions = {k: (100.0 * i, 50.0 * (i % 2)) for i, k in enumerate(keys)}
    page = canvas_report(county.store, title="王建国 <家族>", entities=keys, positions=positions,
                         hidden=[key("P3")], notes="第一行\n<i>第二行</i> " + RAW_ID,
                         as_of="2020-03-01")
    assert "王建国 &lt;家族&gt;" in page and "王建军" not in page  # P3 hidden
    assert "第一行<br>&lt;i&gt;第二行&lt;/i&gt; " + MASKED_ID in page
    facts = _cells(page, "facts")
    kinds = sorted(row[0] for row in facts)
    assert kinds == ["COMPANY_ROLE", "KIN"], facts  # P7's 2010-2012 tie ended before 2020
    assert all(row[3] for row in facts)
    svg = re.search(r"<svg .*?</svg>", page, re.S)
    assert svg and svg.group(0).count('<g class="node">') == 4
    later = canvas_report(county.store, title="t", entities=keys, positions=positions,
                          hidden=[], notes="", as_of=None)
    assert "No notes." in later and len(_cells(later, "facts")) > len(facts)
    # the canvas's own positions: the person at x=0 is left of the one at x=100
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg.group(0))]
    assert xs == sorted(xs)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_command_writes_the_page_and_logs_it(county_maker: Callable[..., County],
                                                 tmp_path: Path) -> None:
    c = county_maker(tmp_path)
    fid = _coi(c)["id"]
    c.store.close()
    db = str(tmp_path / "county.db")
    out = tmp_path / "案卷" / f"{fid}.html"
    code, said, err = _run("--lang", "zh", "report", fid, "--db", db, "--out", str(out),
                           "--user", "王芳")
    assert code == 0, err
    assert "已将线索" in said and out.exists()
    page = out.read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in page and MASKED_ID in page
    code, _, err = _run("report", fid, "--db", db, "--out", str(tmp_path / "r.html"),
                        "--reveal")
    assert code == 0, err
    assert RAW_ID in (tmp_path / "r.html").read_text(encoding="utf-8")
    code, listed, err = _run("audit", "--db", db, "--format", "json")
    table = json.loads(listed)
    entries = [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]
    revealed = (tmp_path / "r.html").resolve()
    assert [(e["action"], e["target"]) for e in entries[-2:]] == [
        ("export", f"{fid} {out.resolve()}"), ("reveal", f"{fid} {revealed}")]
    assert entries[-2]["user"] == "王芳"


def test_the_command_says_what_is_missing(county_maker: Callable[..., County],
                                          tmp_path: Path) -> None:
    c = county_maker(tmp_path)
    c.store.close()
    db = str(tmp_path / "county.db")
    code, _, err = _run("report", "F-x", "--db", db)
    assert code != 0 and "--out FILE.html" in err
    code, _, err = _run("report", "F-x", "--db", db, "--out", str(tmp_path / "x.html"))
    assert code != 0 and "no finding 'F-x'" in err and not (tmp_path / "x.html").exists()


def test_the_command_reports_a_saved_investigation(county_maker: Callable[..., County],
                                                   tmp_path: Path) -> None:
    c = county_maker(tmp_path)
    c.store.close()
    db = str(tmp_path / "county.db")
    code, _, err = _run("investigation", "save", "王建国家族", "--db", db, "--entity", "P1",
                        "--entity", "P2", "--entity", "O2", "--notes", "先看 P1", "--user", "王芳")
    assert code == 0, err
    code, _, err = _run("investigation", "save", "王建国家族", "--db", db, "--entity", "P1",
                        "--user", "王芳")
    assert code == 0, err
    out = tmp_path / "案卷" / "家族.html"
    code, said, err = _run("report", "--investigation", "王建国家族", "--version", "1",
                           "--db", db, "--out", str(out), "--user", "王芳")
    assert code == 0 and "王建国家族" in said, err
    page = out.read_text(encoding="utf-8")
    entities = {row[0] for row in _cells(page, "entities")}
    assert {"王建国", "宏达建筑工程有限公司"} <= entities and len(entities) == 3, entities
    assert "王建国家族 (v1)" in page and "先看 P1" in page and RAW_ID not in page
    code, _, err = _run("report", "--investigation", "王建国家族", "--db", db,
                        "--out", str(tmp_path / "v2.html"))
    assert code == 0, err
    assert len(_cells((tmp_path / "v2.html").read_text(encoding="utf-8"), "entities")) == 1
    code, _, err = _run("report", "F-x", "--investigation", "王建国家族", "--db", db,
                        "--out", str(tmp_path / "x.html"))
    assert code != 0 and "one of them" in err and not (tmp_path / "x.html").exists()
    code, _, err = _run("report", "--investigation", "无此调查", "--db", db,
                        "--out", str(tmp_path / "x.html"))
    assert code != 0 and "无此调查" in err and not (tmp_path / "x.html").exists()
