"""Triage in the workbench's page, worked as a person works it, in headless Chromium.

A real server (uvicorn on a socket) over a small county whose names carry script
payloads; one finding was triaged and then dropped by a rescan. The page opens a lead
from the leads table, writes a note and an assignee, clicks a status button, is refused a
dismissal without a reason and then dismisses with one, sees the history grow, filters
the leads by status and opens the lead no longer found. Asserted besides: the triage's
words in Chinese on a ``zh`` server, no error, no dialog, no payload run, and the
changes in the audit trail by the server's user.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from opened_page import Opened, watch

from graph.audit import Trail, verify
from lang import use_language
from queries import triage as triage_q
from visualizations.workbench.strings import ui_strings

TOKEN = "test-token-triage-ui"
USER = "王芳"
PAYLOAD = "<img src=x onerror=window.__pwned=1>"
HOSTILE = {"official": "王建国" + PAYLOAD, "company": "宏达<svg onload=window.__pwned=1>公司"}
ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "visualizations" / "workbench" / "static"
PART = ROOT / "lang" / "locale" / "zh_CN" / "LC_MESSAGES" / "parts" / "workbench18.po"

County = Any


@dataclass
class Served:
    url: str
    county: County
    trail: Trail
    gone: str


def _drop_one(county: County) -> str:
    """Triage the last finding as 李明, then rescan its rule without it."""
    store = county.store
    every = store.view().findings()
    last = every[-1]
    triage_q.record(store, last["id"], "needs_data", note="缺银行流水", user="李明")
    with store.writer() as w:
        w.replace_findings([f for f in every if f["rule"] == last["rule"]
                            and f["id"] != last["id"]], [last["rule"]])
    return str(last["id"])


def _serve(county: County, trail: Trail, lang: str) -> Any:
    from visualizations.workbench.app import create_app, start_in_thread

    app = create_app(county.store, token=TOKEN, lang=lang, user=USER,
                     audit=lambda action, target: trail.append(action, target, user=USER))
    return start_in_thread(app)


@pytest.fixture(scope="module")
def served(county_maker: Callable[..., County],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("wb-triage-ui")
    county = county_maker(root, HOSTILE)
    gone = _drop_one(county)
    trail = Trail(root / "c.audit.jsonl", root / "c.audit.head")
    server = _serve(county, trail, "en")
    yield Served(server.url, county, trail, gone)
    server.stop()
    county.store.close()


@dataclass
class Page(Opened):
    origin: str = ""

    def idle(self) -> None:
        self.page.wait_for_timeout(30)
        self.page.wait_for_function("() => umbrellaWorkbench.busy === 0", timeout=20_000)

    def texts(self, selector: str) -> list[str]:
        return [str(t) for t in self.page.locator(selector).all_text_contents()]

    def shot(self, name: str) -> None:
        """A picture of the page for docs/workbench.md, when $UMBRELLA_SCREENSHOTS is set."""
        folder = os.environ.get("UMBRELLA_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.locator("#wb-triage").scroll_into_view_if_needed()
            self.page.wait_for_timeout(300)
            self.page.screenshot(path=str(Path(folder) / f"workbench-{name}.png"))


def open_on(browser: Any, url: str) -> Page:
    page = browser.new_page()
    opened = watch(Page(page, origin=url))
    page.goto(f"{url}/?token={TOKEN}")
    page.wait_for_function("() => Boolean(window.umbrellaWorkbench && umbrellaWorkbench.ready)",
                           timeout=30_000)
    return opened


def assert_quiet(opened: Page) -> None:
    assert opened.errors == [] and opened.dialogs == []
    assert [t for kind, t in opened.console if kind == "error"] == []
    assert opened.js("typeof window.__pwned") == "undefined"
    assert all(u.startswith(opened.origin + "/") or u.startswith("data:")
               for u in opened.requests)


def test_triage_words_are_in_the_strings_with_their_chinese() -> None:
    import re

    words = ui_strings()
    js = (STATIC / "triage.js").read_text(encoding="utf-8")
    assert not re.search(r"\.(inner|outer)HTML|insertAdjacentHTML|eval\(|document\.write", js)
    used = set(re.findall(r'say\("([\w.]+\w)"', js))
    assert used and used - set(words) == set()
    with use_language("zh"):
        zh = ui_strings()
    assert (zh["triage.title"], zh["status.in_review"]) == ("研判", "核查中")
    with PART.open("rb") as fh:
        part = read_po(fh)
    source = ROOT / "visualizations" / "workbench" / "triage_words.py"
    ids = [(ctx, msg) for _l, msg, _c, ctx in extract_from_file(
        "python", str(source), keywords={"pgettext": ((1, "c"), 2)})]
    assert len(ids) > 20
    for ctx, msg in ids:
        entry = part.get(msg, context=ctx)
        assert entry is not None and entry.string, msg
        if re.search(r"[a-z]{3}", re.sub(r"\{\w+\}", "", str(msg))):  # words, not only fields
            assert re.search(r"[\u4e00-\u9fff]", str(entry.string)), msg
        assert set(re.findall(r"\{\w+\}", str(msg))) == set(re.findall(r"\{\w+\}",
                                                                        str(entry.string)))


def test_status_buttons_notes_history_filter_and_no_longer_found(browser: Any,
                                                                 served: Served) -> None:
    w = open_on(browser, served.url)
    try:
        page = w.page
        page.click("#wb-tab-leads")
        w.idle()
        rows = page.locator("#wb-leads tbody tr")
        assert rows.count() >= 1
        fid = str(rows.first.get_attribute("data-id"))
        assert rows.first.get_attribute("data-status") == "new"
        assert "new" in w.texts("#wb-leads tbody tr:first-child td")
        rows.first.click()
        w.idle()
        page.wait_for_selector("#wb-triage-now")
        assert "new" in page.text_content("#wb-triage-now").lower()
        assert page.get_attribute('.wb-triage-status[data-status="new"]', "aria-pressed") == "true"

        # a note and an assignee, then a status button
        page.fill("#wb-triage-assignee", "张伟")
        page.fill("#wb-triage-note", "调取工商档案")
        page.click('.wb-triage-status[data-status="in_review"]')
        w.idle()
        assert page.text_content("#wb-triage-now") == "Status: in review, assigned to 张伟"
        assert page.get_attribute('.wb-triage-status[data-status="in_review"]',
                                  "aria-pressed") == "true"
        history = w.texts("#wb-triage-history li")
        assert len(history) == 1 and USER in history[0] and "调取工商档案" in history[0]
        assert f"{fid}: in review, recorded by {USER}." == page.text_content("#wb-status")

        # a dismissal asks for a reason, and is refused without one
        assert page.is_hidden("#wb-triage-ask")
        page.click('.wb-triage-status[data-status="dismissed"]')
        assert page.is_visible("#wb-triage-ask")
        page.click("#wb-triage-dismiss")
        assert "needs a reason" in page.text_content("#wb-status")
        assert len(w.texts("#wb-triage-history li")) == 1
        page.fill("#wb-triage-reason", "亲属关系已于招标前终止")
        page.click("#wb-triage-dismiss")
        w.idle()
        history = w.texts("#wb-triage-history li")
        assert len(history) == 2 and "reason: 亲属关系已于招标前终止" in history[1]
        assert "dismissed" in history[1] and "张伟" in history[1]
        assert page.locator(f'#wb-leads tbody tr[data-id="{fid}"]').get_attribute(
            "data-status") == "dismissed"
        w.shot("triage")

        # the leads filtered by status
        page.click("#wb-tab-leads")
        page.select_option("#wb-f-status", "dismissed")
        page.click("#wb-leads-form button[type=submit]")
        w.idle()
        assert [r.get_attribute("data-id") for r in rows.all()] == [fid]
        page.select_option("#wb-f-status", "new")
        page.click("#wb-leads-form button[type=submit]")
        w.idle()
        assert fid not in [r.get_attribute("data-id") for r in rows.all()]
        assert {r.get_attribute("data-status") for r in rows.all()} <= {"new"}
        assert page.is_hidden("#wb-gone")  # the lead no longer found is of another status

        # the lead no longer found: listed, with its triage
        page.select_option("#wb-f-status", "")
        page.click("#wb-leads-form button[type=submit]")
        w.idle()
        assert page.is_visible("#wb-gone")
        assert page.text_content("#wb-gone h3") == "No longer found (1)"
        gone_row = page.locator("#wb-gone-table tbody tr")
        assert gone_row.get_attribute("data-id") == served.gone
        assert "needs data" in gone_row.text_content()
        gone_row.click()
        w.idle()
        page.wait_for_selector(".wb-triage-gone")
        assert "no longer found" in page.text_content(".wb-triage-gone")
        assert "缺银行流水" in page.text_content("#wb-triage-history")
        page.fill("#wb-triage-note", "复核 " + PAYLOAD)
        page.click("#wb-triage-save")
        w.idle()
        history = w.texts("#wb-triage-history li")
        assert len(history) == 2 and PAYLOAD in history[1]  # shown as text, never run
        assert_quiet(w)
    finally:
        w.page.close()
    entries = served.trail.entries()
    triaged = [e.target for e in entries if e.action == "triage"]
    assert triaged == [f"{fid}: in_review @张伟", f"{fid}: dismissed @张伟",
                       f"{served.gone}: needs_data"]
    assert {e.user for e in entries} == {USER} and ("view", fid) in {
        (e.action, e.target) for e in entries}
    assert verify(served.trail).ok


def test_the_triage_speaks_chinese(browser: Any, served: Served, tmp_path: Path) -> None:
    trail = Trail(tmp_path / "zh.audit.jsonl", tmp_path / "zh.audit.head")
    server = _serve(served.county, trail, "zh")
    w = open_on(browser, server.url)
    try:
        fid = served.county.store.view().findings()[0]["id"]
        w.js("id => umbrellaWorkbench.openLead(id)", fid)
        w.idle()
        w.page.wait_for_selector("#wb-triage-now")
        assert w.page.text_content("#wb-triage h4") == "研判"
        buttons = w.texts(".wb-triage-status")
        assert buttons == ["新线索", "核查中", "已确认", "已排除", "待补充数据"]
        assert w.page.text_content('label:has(#wb-f-status) span') == "状态"
        assert_quiet(w)
    finally:
        w.page.close()
        server.stop()
        server.server.config.app.state.access.close()
