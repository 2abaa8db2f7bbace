"""The workbench's areas view on the small areas county, on a real server: the API
(``/api/areas``, the leads of an area through ``/api/findings?area=``), the audit trail,
and the view worked in headless Chromium (the Areas tab lists the areas ranked, a click
opens the leads of that area, the chip shows every lead again), with no request outside
the server and no script error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from areas_county import AreasCounty, make
from opened_page import Opened, watch
from workbench_county import Client

from visualizations.workbench.app import Running, create_app, start_in_thread

STATIC = Path(__file__).resolve().parents[2] / "visualizations" / "workbench" / "static"
TOKEN = "test-token-areas"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Running, AreasCounty, list[tuple[str, str]]]]:
    county = make(tmp_path_factory.mktemp("wb-areas"))
    trail: list[tuple[str, str]] = []
    running = start_in_thread(create_app(county.db, token=TOKEN, lang="en",
                                         audit=lambda a, t: trail.append((a, t))))
    yield running, county, trail
    running.stop()
    running.server.config.app.state.access.close()


def test_the_api_lists_areas_ranked_and_records_the_view(
        served: tuple[Running, AreasCounty, list[tuple[str, str]]]) -> None:
    running, _county, trail = served
    c = Client.login(running.url, TOKEN)
    got = c.get("/api/areas?by=region")
    towns = [a for a in got["areas"] if a["level"] == "township"]
    assert towns[0]["name"] == "沙河乡"
    sh = towns[0]
    assert (sh["findings"], sh["confirmed"], sh["tipoffs"], sh["money"]) == (11, 1, 1, 8000.0)
    assert sh["low"] > 1 and sh["categories"] == {"collusion": 10, "subsidy_fraud": 1}
    assert ("view", "areas by region") in trail
    status, _h, body = c.raw("/api/areas?by=county")
    assert status == 400 and "unknown area cut" in json.loads(body)["error"]


def test_the_leads_of_an_area_are_its_findings(
        served: tuple[Running, AreasCounty, list[tuple[str, str]]]) -> None:
    running, county, _trail = served
    c = Client.login(running.url, TOKEN)
    found = c.get("/api/findings?by=region&area=" + quote("township:沙河乡"))
    ids = sorted(f["id"] for f in found["findings"])
    assert ids == sorted(k for k, v in county.ids.items() if v == "沙河乡")
    assert found["total"] == 11
    agency = c.get("/api/findings?by=agency&area=" + quote("agency:" + _key(c, "桃峰县人民政府")))
    assert [f["id"] for f in agency["findings"]] == ["F-none"]
    status, _h, body = c.raw("/api/findings?by=region&area=" + quote("township:无此乡"))
    assert status == 404 and "no area" in json.loads(body)["error"]


def _key(c: Client, name: str) -> str:
    got = c.get("/api/areas?by=agency")
    return str(next(a["key"] for a in got["areas"] if a["name"] == name)).partition(":")[2]


def test_the_script_uses_only_its_own_files_and_no_html_from_text() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert '<script src="/static/areas.js" defer></script>' in html
    js = re.sub(r"/\*.*?\*/", "", (STATIC / "areas.js").read_text(encoding="utf-8"), flags=re.S)
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                   "new Function", "setAttribute(\"style", "http:", "https:"):
        assert banned not in js, banned


def _open(browser: Any, url: str) -> Opened:
    page = browser.new_page()
    opened = watch(Opened(page))
    page.goto(f"{url}/?token={TOKEN}")
    page.wait_for_function("() => Boolean(window.umbrellaAreas && umbrellaAreas.ready)",
                           timeout=30_000)
    return opened


def _idle(opened: Opened) -> None:
    opened.page.wait_for_timeout(30)
    opened.page.wait_for_function("() => umbrellaWorkbench.busy === 0", timeout=20_000)


def test_the_areas_view_opens_the_leads_of_an_area(
        browser: Any, served: tuple[Running, AreasCounty, list[tuple[str, str]]]) -> None:
    running, county, _trail = served
    w = _open(browser, running.url)
    page = w.page
    page.click("#wb-tab-areas")
    _idle(w)
    assert page.is_visible("#wb-areas-view") and not page.is_visible("#wb-canvas-view")
    rows = page.locator("#wb-areas tbody tr")
    first = [c.strip() for c in rows.nth(0).locator("td").all_inner_texts()]
    assert first[:4] == ["1", "沙河乡", "township", "11"]
    assert re.fullmatch(r"\d\.\d\d \(\d\.\d\d–\d\.\d\d\)", first[-1])
    # the ratio's bar and interval are drawn (sized through the CSS object model)
    bar = page.locator("#wb-areas tbody tr >> nth=0 >> .wb-areas-fill").bounding_box()
    assert bar is not None and bar["width"] > 10
    rows.nth(0).click()
    _idle(w)
    assert page.is_visible("#wb-leads-view") and not page.is_visible("#wb-areas-view")
    assert page.inner_text("#wb-areas-chip").startswith("Leads of 沙河乡")
    shown = sorted(page.locator("#wb-leads tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.id)"))
    assert shown == sorted(k for k, v in county.ids.items() if v == "沙河乡")
    page.click("#wb-areas-clear")
    _idle(w)
    assert page.locator("#wb-leads tbody tr").count() == 27  # every stored lead
    assert not page.is_visible("#wb-areas-chip")
    # another cut
    page.click("#wb-tab-areas")
    page.select_option("#wb-areas-by", "sector")
    _idle(w)
    assert page.locator("#wb-areas tbody tr").count() == 1
    assert w.errors == [] and [t for kind, t in w.console if kind == "error"] == []
    assert [u for u in w.requests if not u.startswith(running.url + "/")] == []


def test_every_tab_shows_its_own_view_and_only_it(
        browser: Any, served: tuple[Running, AreasCounty, list[tuple[str, str]]]) -> None:
    """The tabs the page's scripts add (matches, areas) and its own (canvas, leads) take
    turns: one view shown, one tab selected, whichever was clicked before."""
    running, _county, _trail = served
    w = _open(browser, running.url)
    page = w.page
    names = [str(i).removeprefix("wb-tab-") for i in page.locator(
        ".wb-tabs [role=tab]").evaluate_all("tabs => tabs.map(t => t.id)")]
    assert {"canvas", "leads", "matches", "areas"} <= set(names), names
    for name in [*names, *reversed(names)]:
        page.click(f"#wb-tab-{name}")
        _idle(w)
        shown = [n for n in names if page.is_visible(f"#wb-{n}-view")]
        selected = page.locator(".wb-tabs [aria-selected=true]").evaluate_all(
            "tabs => tabs.map(t => t.id)")
        assert (shown, selected) == ([name], [f"wb-tab-{name}"])
    assert w.errors == [] and [t for kind, t in w.console if kind == "error"] == []
