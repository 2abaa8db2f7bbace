"""The case-file report printed by a real headless Chromium: with print media emulated at the
width of an A4 page, the evidence table and the picture are on the page (visible, inside
the page's width, not empty, the picture within one page's height), nothing is fetched, a
Chinese report shows Chinese words and names with identity numbers masked; and Chromium's
print writes the PDF (:mod:`exports.pdf`)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from exports.pdf import html_to_pdf, missing
from lang import use_language
from queries.triage import record
from visualizations.report import finding_report

County = Any
#: An A4 page less the report's @page margins (12 mm each side, 14 mm top and bottom), in
#: CSS pixels (96 per inch).
PAGE_WIDTH = round((210 - 24) / 25.4 * 96)
PAGE_HEIGHT = round((297 - 28) / 25.4 * 96)
RAW_ID = "11010519491231002X"
MASKED_ID = "110105***********X"


@pytest.fixture(scope="module")
def report(county_maker: Callable[..., County],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, County]]:
    """A Chinese report of the small county's COI-001 finding, triaged twice."""
    tmp = tmp_path_factory.mktemp("report")
    c = county_maker(tmp)
    fid = next(f for f in c.findings if f["rule"] == "COI-001")["id"]
    record(c.store, fid, "in_review", assignee="王芳", note=f"核对 {RAW_ID}", user="李明")
    with use_language("zh"):
        page = finding_report(c.store, fid)
    path = tmp / "案卷报告.html"
    path.write_text(page, encoding="utf-8")
    yield path, c
    c.store.close()


def _printed(browser: Any, path: Path) -> tuple[Any, list[str]]:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_viewport_size({"width": PAGE_WIDTH, "height": PAGE_HEIGHT})
    page.emulate_media(media="print")
    page.goto(path.resolve().as_uri())
    return page, requests


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return dict(box)


def test_the_table_and_the_picture_are_on_the_printed_page(
        browser: Any, report: tuple[Path, County],
        pixels: Callable[[bytes], tuple[int, int, list[bytes]]]) -> None:
    path, _ = report
    page, requests = _printed(browser, path)
    try:
        assert page.evaluate("matchMedia('print').matches") is True
        for selector in ("table.facts", "svg.graph"):
            assert page.locator(selector).first.is_visible(), selector
            box = _box(page, selector)
            assert box["x"] >= 0 and box["x"] + box["width"] <= PAGE_WIDTH + 0.5, (selector, box)
            assert box["width"] > PAGE_WIDTH * 0.8 and box["height"] > 60, (selector, box)
        figure = _box(page, "figure.picture")
        assert figure["height"] <= PAGE_HEIGHT, figure  # the picture fits one page
        rows = page.locator("table.facts tbody tr")
        assert rows.count() >= 4
        assert "contracts.csv:2" in " ".join(rows.all_inner_texts())
        # the picture draws something: a good share of its pixels are not white
        width, height, lines = pixels(page.locator("svg.graph").screenshot())
        inked = sum(1 for line in lines for i in range(0, len(line), 3)
                    if line[i:i + 3] != b"\xff\xff\xff")
        assert inked > width * height * 0.01, (inked, width, height)
        names = page.locator("svg.graph text.name").all_text_contents()
        assert "王建国" in names and "宏达建筑工程有限公司" in names, names
        # a table row is never cut by a page break
        assert page.evaluate("getComputedStyle(document.querySelector('table.facts tr'))"
                             ".breakInside") == "avoid"
        assert requests == [path.resolve().as_uri()]
    finally:
        page.close()


def test_the_chinese_report_reads_chinese_and_masks_identity_numbers(
        browser: Any, report: tuple[Path, County]) -> None:
    path, _ = report
    page, requests = _printed(browser, path)
    try:
        text = page.inner_text("body")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        for words in ("证据：事实及其来源", "研判记录和备注", "利益冲突", "核查中", "王芳",
                      "王建国", "李秀英", "身份证号码", "来源文件和行"):
            assert words in text, words
        assert MASKED_ID in text and RAW_ID not in page.content()
        heads = page.locator("table.facts th").all_inner_texts()
        assert heads[:2] == ["证据链", "关系"], heads
        assert requests == [path.resolve().as_uri()]
    finally:
        page.close()


def test_chromium_prints_the_report_to_pdf(report: tuple[Path, County], tmp_path: Path) -> None:
    why = missing()
    if why:
        if os.environ.get("UMBRELLA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"UMBRELLA_REQUIRE_BROWSER=1 but {why}")
        pytest.skip(f"printing a PDF needs playwright and a Chromium: {why}")
    path, _ = report
    out = tmp_path / "报告.pdf"
    pages = html_to_pdf(path.read_text(encoding="utf-8"), out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    assert 1 <= pages <= 2, pages
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert len(boxes) == pages and all(  # A4: 595 x 842 points
        round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes), boxes


def test_the_command_prints_the_pdf_or_says_why_not(report: tuple[Path, County],
                                                    tmp_path: Path) -> None:
    from click.testing import CliRunner

    from umbrella.cli import cli

    _, c = report
    fid = next(f for f in c.findings if f["rule"] == "COI-001")["id"]
    db = str(Path(c.store.location))
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    nowhere = {"UMBRELLA_CHROMIUM": str(tmp_path / "no-chromium")}
    done = CliRunner().invoke(cli, ["report", fid, "--db", db, "--out", str(html), "--pdf",
                                    str(pdf)], env=nowhere)
    assert done.exit_code != 0 and "no Chromium found" in done.stderr
    assert "print it to PDF" in done.stderr and html.exists() and not pdf.exists()
    if missing():
        pytest.skip(f"printing a PDF needs playwright and a Chromium: {missing()}")
    done = CliRunner().invoke(cli, ["--lang", "zh", "report", fid, "--db", db, "--pdf", str(pdf)])
    assert done.exit_code == 0, done.stderr
    assert "PDF 共" in done.stdout and pdf.read_bytes().startswith(b"%PDF-")
