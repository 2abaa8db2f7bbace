"""Saved investigations worked in the page, in Debian's headless chromium: search, expand,
drag a node, hide one, set the date, name and save the canvas; reload the page (a fresh
canvas), reopen the investigation from the list and find the same entities at the same
positions, the same one hidden, the same date; duplicate it. Also: the static files of
the box (no inline script, no innerHTML, only the server's own files).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from opened_page import Opened, watch
from samples import write_tables

from graph.store.sqlite_investigations import SqliteInvestigations
from umbrella.cli import cli
from visualizations.workbench.app import Running, create_app, start_in_thread

STATIC = Path(__file__).resolve().parents[2] / "visualizations" / "workbench" / "static"
TOKEN = "test-token-investigations"
PAYLOAD = "<img src=x onerror=window.__pwned=1>"
TABLES = {
    "persons": (["person_id", "name", "id_number", "gender", "birth_date", "death_date",
                 "phone"],
                [["P1", "王建国", "110101199003078515", "男", "1990-03-07", "", ""],
                 ["P2", "李秀英" + PAYLOAD, "", "女", "", "", ""],
                 ["P3", "赵敏", "", "女", "", "", ""]]),
    "organizations": (["org_id", "name", "kind", "credit_code", "parent_org_id"],
                      [["O1", "宏达建筑公司", "company", "", ""]]),
    "relationships": (["person_id", "other_id", "relation", "start_date", "end_date"],
                      [["P1", "P2", "spouse", "2001-05-01", ""],
                       ["P1", "P3", "sibling", "", ""]]),
    "company_roles": (["company_id", "holder_id", "role", "share_pct", "start_date",
                       "end_date"], [["O1", "P1", "legal_rep", "", "2015-01-01", ""]]),
}
NAME = "王建国 · 宏达<b>案</b>"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Running, Path]]:
    root = tmp_path_factory.mktemp("wb-inv-ui")
    folder = write_tables(root / "county", TABLES)
    db = root / "c.db"
    result = CliRunner().invoke(cli, ["load", str(folder), "--db", str(db)])
    assert result.exit_code == 0, result.output
    running = start_in_thread(create_app(db, token=TOKEN, lang="en"))
    yield running, db
    running.stop()
    running.server.config.app.state.access.close()


def _open(browser: Any, url: str) -> Opened:
    page = browser.new_page()
    opened = watch(Opened(page))
    page.goto(f"{url}/?token={TOKEN}")
    _ready(opened)
    return opened


def _ready(opened: Opened) -> None:
    opened.page.wait_for_function(
        "() => Boolean(window.umbrellaInvestigations && umbrellaInvestigations.ready)",
        timeout=30_000)


def _idle(opened: Opened) -> None:
    opened.page.wait_for_timeout(30)
    opened.page.wait_for_function("() => umbrellaWorkbench.busy === 0", timeout=20_000)


def _drawn_positions(opened: Opened) -> dict[str, tuple[float, float]]:
    """Where vis-network draws each node (its own positions, not the page's record)."""
    pos = opened.js("() => { const n = umbrellaWorkbench.network; "
                    "return n.getPositions(Object.keys(umbrellaWorkbench.rec.nodes)); }")
    return {k: (round(v["x"], 1), round(v["y"], 1)) for k, v in pos.items()}


def _quiet(opened: Opened, origin: str) -> None:
    assert opened.errors == [] and opened.dialogs == []
    assert [t for kind, t in opened.console if kind == "error"] == []
    assert opened.js("typeof window.__pwned") == "undefined"
    assert [u for u in opened.requests if not u.startswith(origin + "/")] == []


def test_the_box_uses_only_its_own_files_and_no_html_from_text() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert '<script src="/static/investigations.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/investigations.css">' in html
    js = re.sub(r"/\*.*?\*/", "", (STATIC / "investigations.js").read_text(encoding="utf-8"),
                flags=re.S)
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                   "new Function", "style", "http:", "https:"):
        assert banned not in js, banned


def test_save_reload_reopen_same_entities_same_positions(browser: Any,
                                                         served: tuple[Running, Path]) -> None:
    running, db = served
    w = _open(browser, running.url)
    page = w.page
    assert page.inner_text("#wb-investigations h2") == "Saved investigations"
    assert page.inner_text("#wb-inv-list") == "No saved investigation yet."
    # put P1 and its neighbours on the canvas as a person does: search, pick, expand
    page.locator("#wb-search").press_sequentially("王建", delay=30)
    page.wait_for_selector("#wb-results li .wb-r-name")
    page.locator("#wb-results li", has_text="P1").first.click()
    _idle(w)
    w.js("() => umbrellaWorkbench.network.focus('P1', {scale: 1.2, animation: false})")
    xy = w.js("""() => { const n = umbrellaWorkbench.network;
        const b = document.getElementById("wb-graph").getBoundingClientRect();
        const p = n.canvasToDOM(n.getPosition("P1")); return [b.left + p.x, b.top + p.y]; }""")
    page.mouse.dblclick(xy[0], xy[1])
    _idle(w)
    assert sorted(w.js("umbrellaWorkbench.visibleNodeIds()")) == ["O1", "P1", "P2", "P3"]
    # drag P3 somewhere of its own (through the mouse: vis-network moves it), hide O1
    w.js("() => umbrellaWorkbench.network.fit({animation: false})")
    start = w.js("""() => { const n = umbrellaWorkbench.network;
        const b = document.getElementById("wb-graph").getBoundingClientRect();
        const p = n.canvasToDOM(n.getPosition("P3")); return [b.left + p.x, b.top + p.y]; }""")
    page.mouse.move(start[0], start[1])
    page.mouse.down()
    page.mouse.move(start[0] + 60, start[1] + 45, steps=8)
    page.mouse.up()
    _idle(w)
    w.js("() => umbrellaWorkbench.network.selectNodes(['O1'])")
    page.click("#wb-hide")
    w.js("() => umbrellaWorkbench.setAsOf('2020-06-30')")
    before = _drawn_positions(w)
    assert set(before) == {"O1", "P1", "P2", "P3"}
    assert sorted(w.js("umbrellaWorkbench.visibleNodeIds()")) == ["P1", "P2", "P3"]
    # name it (with markup in the name: shown as text) and save
    page.fill("#wb-inv-name", NAME)
    page.fill("#wb-inv-notes", "先看合同")
    page.click("#wb-inv-save")
    page.wait_for_selector("#wb-inv-list li.wb-inv-item")
    _idle(w)
    assert f"Saved “{NAME}”, version 1 (4 entities)." in page.inner_text("#wb-status")
    item = page.inner_text("#wb-inv-list li.wb-inv-item")
    assert NAME in item and "version 1" in item and "4 entities" in item
    assert page.locator("#wb-inv-list b").count() == 0  # the name's markup is text

    # reload: the canvas starts empty; reopen from the list
    page.reload()
    _ready(w)
    assert w.js("Object.keys(umbrellaWorkbench.rec.nodes).length") == 0
    page.locator("#wb-inv-list li", has_text=NAME).locator("button.wb-inv-open").click()
    page.wait_for_function("() => Object.keys(umbrellaWorkbench.rec.nodes).length === 4")
    _idle(w)
    after = _drawn_positions(w)
    assert after == before
    assert sorted(w.js("umbrellaWorkbench.visibleNodeIds()")) == ["P1", "P2", "P3"]
    assert w.js("umbrellaWorkbench.rec.hidden") == {"O1": True}
    assert w.js("umbrellaWorkbench.asOf") == "2020-06-30"
    assert page.input_value("#wb-inv-name") == NAME
    assert page.input_value("#wb-inv-notes") == "先看合同"
    assert "version 1: 4 entities" in page.inner_text("#wb-status")
    ties = w.js("Object.values(umbrellaWorkbench.rec.edges).map(e => [e.from, e.to, e.type])")
    assert sorted((*sorted(t[:2]), t[2]) for t in ties) == [  # the ties among them too
        ("O1", "P1", "COMPANY_ROLE"), ("P1", "P2", "KIN"), ("P1", "P3", "KIN")]

    # duplicate: a second name in the list, version 1, same canvas
    page.locator("#wb-inv-list li", has_text=NAME).locator("button.wb-inv-copy").click()
    page.wait_for_function("() => document.querySelectorAll('#wb-inv-list li.wb-inv-item')"
                           ".length === 2")
    book = SqliteInvestigations(db, read_only=True)
    try:
        copy = book.get(f"{NAME} (copy)")
        first = book.get(NAME)
    finally:
        book.close()
    assert copy is not None and first is not None
    assert copy.positions == first.positions and copy.hidden == ("O1",)
    assert {k: (round(x, 1), round(y, 1)) for k, (x, y) in first.positions.items()} == before
    _quiet(w, running.url)
    page.close()
