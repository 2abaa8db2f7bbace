"""Pages written by ``umbrella --lang zh`` opened in headless chromium: the chrome around the
data (legend, filters, search, summary, notes, tooltips, index headers) is in Chinese, the
page says ``lang="zh-CN"``, nothing is fetched, and the Chinese glyphs are drawn (fonts
installed: ``fonts-noto-cjk`` in .ci/run), not the blank boxes of a missing font."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lang import NP_, ngettext, use_language
from visualizations.words import chrome, kind_word, tie_word
from visualizations.words import script_words as words_of_script

County = Any
Opener = Callable[..., Any]
CLI = "import sys; from umbrella.cli import main; sys.argv[0] = 'umbrella'; main()"
CJK = re.compile(r"[\u4e00-\u9fff]")
#: A code point no font has a glyph for (unassigned): drawn as the missing-glyph box.
UNASSIGNED = "\u0378"


def _umbrella(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-c", CLI, *args], env=env, text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def pages(county: County, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``umbrella --lang zh scan --html``: an index and a page per finding."""
    out = tmp_path_factory.mktemp("zh-pages")
    db = county.folder.parent / "county.db"
    _umbrella("--lang", "zh", "scan", "--db", str(db), "--html", str(out / "leads"))
    return out / "leads"


def _quiet(opened: Any, path: Path) -> None:
    assert opened.requests == [path.resolve().as_uri()]
    assert opened.errors == [] and opened.dialogs == []
    assert [text for kind, text in opened.console if kind == "error"] == []


def test_the_index_page_is_chinese(pages: Path, open_page: Opener) -> None:
    index = pages / "index.html"
    opened = open_page(index, ready=False)
    assert opened.js("document.documentElement.lang") == "zh-CN"
    headers = opened.js("[...document.querySelectorAll('th')].map(e => e.textContent)")
    assert len(headers) == 7 and all(CJK.search(h) for h in headers), headers  # with status
    assert CJK.search(opened.page.inner_text("h1")) and CJK.search(opened.page.inner_text("p"))
    dates = opened.js("[...document.querySelectorAll('td:nth-child(5)')].map(e => e.textContent)")
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", d) for d in dates), dates
    _quiet(opened, index)


def test_a_finding_page_has_chinese_chrome_and_tooltips(county: County, pages: Path,
                                                        open_page: Opener,
                                                        hover: Callable[..., str]) -> None:
    finding = next(f for f in county.findings if f["rule"] == "COI-001")
    path = pages / next(p.name for p in pages.iterdir() if finding["id"] in p.name)
    opened = open_page(path)
    with use_language("zh"):
        words = chrome()
        person, kin = kind_word("person"), tie_word("KIN")
        source = ngettext(*NP_("source: {rows}", "sources: {rows}"), 1).split("{")[0]
    with use_language("en"):
        english = chrome()
    assert opened.js("document.documentElement.lang") == "zh-CN"
    shown = {
        "LEGEND": opened.page.inner_text("aside h2"),
        "FIND_BUTTON": opened.page.inner_text("#u-find"),
        "FIT_BUTTON": opened.page.inner_text("#u-fit"),
        "FIND_PLACEHOLDER": opened.page.get_attribute("#u-search", "placeholder"),
    }
    for key, text in shown.items():
        assert text == words[key] != english[key] and CJK.search(text), (key, text)
    summary = opened.page.inner_text("#u-summary")
    assert CJK.search(summary) and "Showing" not in summary
    filters = opened.page.inner_text("#u-filters")
    assert kin in filters and "KIN (" not in filters
    assert CJK.search(opened.page.inner_text("#u-notes"))
    assert person in opened.page.inner_text("#u-legend")
    tip = hover(opened, county.key("P1"))
    assert tip.startswith(f"王建国\n{person} · P1") and source in tip and "persons.csv:2" in tip
    opened.page.fill("#u-search", "no such name")
    opened.page.press("#u-search", "Enter")
    with use_language("zh"):
        none_found = words_of_script()["found"].format(n=0)
    assert opened.page.inner_text("#u-count") == none_found and CJK.search(none_found)
    _quiet(opened, path)


def _glyph(opened: Any, text: str) -> bytes:
    """A screenshot of ``text`` drawn in the page's own font, large and black on white."""
    opened.js("""text => {
        let e = document.getElementById("glyph-probe");
        if (!e) {
            e = document.createElement("span");
            e.id = "glyph-probe";
            e.style.cssText = "position:fixed;left:0;top:0;z-index:99;background:#fff;" +
                              "color:#000;font-size:48px;line-height:1.2;padding:4px";
            document.body.appendChild(e);
        }
        e.textContent = text;
    }""", text)
    return bytes(opened.page.locator("#glyph-probe").screenshot())


def test_chinese_glyphs_are_drawn_not_boxes(pages: Path, open_page: Opener, tmp_path: Path,
                                           pixels: Callable[..., Any]) -> None:
    """Each Chinese character is drawn as its own shape: with no CJK font every one of them
    is the same missing-glyph box, the box an unassigned code point gets."""
    path = pages / "index.html"
    opened = open_page(path, ready=False)
    shot = tmp_path / "index.png"
    opened.page.screenshot(path=str(shot), full_page=True)
    _, _, rows = pixels(shot.read_bytes())
    assert sum(row.count(b"\x00") for row in rows) > 0  # something dark was drawn
    heading = opened.page.inner_text("th")  # the page's own Chinese chrome
    chars = list(dict.fromkeys("父亲配偶" + "".join(CJK.findall(heading))))
    box = pixels(_glyph(opened, UNASSIGNED))[2]
    drawn = {c: pixels(_glyph(opened, c))[2] for c in chars}
    for c, image in drawn.items():
        ink = sum(1 for row in image for i in range(0, len(row), 3) if row[i] < 128)
        assert ink > 20, c
        boxed = image == box
        assert not boxed, f"{c} is drawn as the missing-glyph box"
    assert len({b"".join(image) for image in drawn.values()}) == len(drawn)
    width = opened.js("""() => {
        const e = document.getElementById("glyph-probe");
        e.textContent = "父亲配偶"; e.style.padding = "0";
        return e.getBoundingClientRect().width;
    }""")
    assert 4 * 48 * 0.9 <= width <= 4 * 48 * 1.1  # four full-width characters
