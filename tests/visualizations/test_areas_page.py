"""The areas page (``umbrella areas --html``) opened in headless Chromium: the ranked bars
(with their intervals and the county's line) and the heat table are drawn and visible, a
hostile body name is text, the page makes no request, and it is Chinese with --lang zh.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from areas_county import HOSTILE_BODY, AreasCounty, make
from click.testing import CliRunner
from opened_page import Opened

from umbrella.cli import cli

Opener = Callable[..., Opened]


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> AreasCounty:
    return make(tmp_path_factory.mktemp("areas-page"))


def _page(county: AreasCounty, tmp_path: Path, *args: str, lang: str = "en") -> Path:
    path = tmp_path / "区域 风险.html"
    r = CliRunner().invoke(cli, ["--lang", lang, "areas", "--db", str(county.db), *args,
                                 "--html", str(path)])
    assert r.exit_code == 0, r.output
    return path


def _boxes(opened: Opened, selector: str) -> list[dict[str, float]]:
    return [b for b in opened.js(
        "(s) => [...document.querySelectorAll(s)].map(e => { const r = "
        "e.getBoundingClientRect(); return {w: r.width, h: r.height, x: r.x, y: r.y}; })",
        selector)]


def test_bars_intervals_and_heat_table_are_drawn(county: AreasCounty, tmp_path: Path,
                                                 open_page: Opener) -> None:
    opened = open_page(_page(county, tmp_path), ready=False)
    opened.page.wait_for_load_state("load")
    sections = opened.js("() => [...document.querySelectorAll('section.level')]"
                         ".map(s => s.dataset.level)")
    assert sections == ["township", "village"]
    bars = _boxes(opened, "section[data-level=township] rect.bar")
    assert len(bars) == 4 and all(b["w"] > 0 and b["h"] > 5 for b in bars)
    # ranked: the first bar (沙河乡) is the longest
    assert bars[0]["w"] == max(b["w"] for b in bars)
    first = opened.js("() => document.querySelector('section[data-level=township] "
                      "g.area-bar text').textContent")
    assert first == "1. 沙河乡"
    assert all(b["w"] > 0 for b in _boxes(opened, "section[data-level=township] "
                                          "line.interval"))
    assert len(_boxes(opened, "line.baseline")) == 2
    cells = _boxes(opened, "section[data-level=township] table.heat td")
    assert cells and all(c["w"] > 0 and c["h"] > 0 for c in cells)
    heat = opened.js("() => [...document.querySelectorAll('section[data-level=township] "
                     "table.heat tbody tr')].map(r => [...r.cells].map(c => c.textContent))")
    assert heat[0][0] == "沙河乡" and heat[0][-1] == "11"
    assert opened.requests == [opened.page.url] and opened.errors == []


def test_a_hostile_name_is_text_and_nothing_is_fetched(county: AreasCounty, tmp_path: Path,
                                                       open_page: Opener) -> None:
    opened = open_page(_page(county, tmp_path, "--by", "agency"), ready=False)
    opened.page.wait_for_load_state("load")
    names = opened.js("() => [...document.querySelectorAll('table.heat td.area')]"
                      ".map(c => c.textContent)")
    assert HOSTILE_BODY in names
    assert opened.js("() => document.querySelectorAll('b').length") == 0
    assert opened.requests == [opened.page.url] and opened.dialogs == []


def test_the_page_speaks_chinese(county: AreasCounty, tmp_path: Path,
                                 open_page: Opener) -> None:
    opened = open_page(_page(county, tmp_path, "--by", "sector", lang="zh"), ready=False)
    opened.page.wait_for_load_state("load")
    text = opened.js("() => document.body.innerText")
    assert "按领域的风险分布" in text and "社会保障" in text and "全县比率 = 1" in text
    assert opened.js("() => document.documentElement.lang") == "zh-CN"
    assert opened.requests == [opened.page.url]
