"""The workbench's match tab, worked in headless Chromium against a real server.

The county of ``tests/match_county.py`` loaded on disk; the server speaks Chinese. The
page opens the 配对核查 tab, lists the three pairs (the names as written, a formula
name as plain text), decides 张伟's pair 相同 with a note, and the store's book then
holds that decision with its author and time; a POST without the CSRF header is
refused and records nothing. No console error, no request off the server.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from match_county import FORMULA, TABLES
from opened_page import Opened, watch
from samples import write_tables

from graph.store import SqliteStore
from graph.store.match_decisions import match_book
from umbrella.cli import cli

TOKEN = "test-token-workbench-matches"
STATIC = Path(__file__).resolve().parents[2] / "visualizations" / "workbench" / "static"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from visualizations.workbench.app import create_app, start_in_thread

    tmp = tmp_path_factory.mktemp("wb-matches")
    db = tmp / "案件.db"
    result = CliRunner().invoke(cli, ["load", str(write_tables(tmp / "县", TABLES)),
                                      "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    server = start_in_thread(create_app(db, token=TOKEN, lang="zh", user="审查员甲",
                                        audit=lambda a, t: TRAIL.append((a, t))))
    yield server.url, db
    server.stop()


#: What the served workbench recorded in its audit trail, in order.
TRAIL: list[tuple[str, str]] = []


def test_the_script_is_plain_and_safe() -> None:
    js = re.sub(r"/\*.*?\*/", "", (STATIC / "matches.js").read_text(encoding="utf-8"),
                flags=re.S)
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                   "new Function", "http://", "https://"):
        assert banned not in js, banned
    assert '<script src="/static/matches.js" defer></script>' in (
        STATIC / "index.html").read_text(encoding="utf-8")


def test_deciding_a_pair_in_the_browser(browser: Any, served: tuple[str, Path],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    url, db = served
    page = browser.new_page()
    opened = watch(Opened(page))
    requests, console, errors = opened.requests, opened.console, opened.errors
    try:
        page.goto(f"{url}/?token={TOKEN}")
        page.wait_for_function("() => Boolean(window.umbrellaMatches && umbrellaMatches.ready)",
                               timeout=30_000)
        tab = page.locator("#wb-tab-matches")
        assert tab.text_content() == "配对核查"
        tab.click()
        page.wait_for_function("() => umbrellaMatches.rows.length === 3", timeout=30_000)
        assert page.locator("#wb-matches-view").is_visible()
        assert not page.locator("#wb-canvas-view").is_visible()
        heads = page.locator("#wb-matches thead th").all_text_contents()
        assert heads[:5] == ["配对编号", "评分", "名称", "依据", "判定"]
        names = page.locator("#wb-matches tbody td:nth-child(3)").all_text_contents()
        assert sorted(names) == sorted(["张伟 / 张伟", "刘洋 / 刘洋", f"{FORMULA} / {FORMULA}"])
        row = page.locator("#wb-matches tbody tr", has_text="张伟 / 张伟")
        pair = row.get_attribute("data-pair")
        row.locator("input").fill("户籍核对一致")
        row.locator("button.wb-match-same").click()
        page.wait_for_function("() => umbrellaMatches.last !== null", timeout=30_000)
        assert row.locator(".wb-match-decision").text_content() == "相同"
        status = page.locator("#wb-matches-status").text_content() or ""
        assert pair in status and "审查员甲" in status
        page.locator("#wb-tab-leads").click()
        assert not page.locator("#wb-matches-view").is_visible()
        assert errors == [] and [t for k, t in console if k == "error"] == []
        assert all(u.startswith(url + "/") for u in requests)
    finally:
        page.close()
    store = SqliteStore(db)
    try:
        book = match_book(store)
        [kept] = book.history(str(pair))
        book.close()
    finally:
        store.close()
    assert (kept.decision, kept.author, kept.note) == ("same", "审查员甲", "户籍核对一致")
    assert kept.at


def test_a_decision_needs_the_csrf_header(served: tuple[str, Path]) -> None:
    url, db = served
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    opener.open(f"{url}/?token={TOKEN}")
    queue = json.loads(opener.open(f"{url}/api/matches").read())
    pair = next(p["pair"] for p in queue["pairs"] if p["names"] == ["刘洋", "刘洋"])
    req = urllib.request.Request(f"{url}/api/matches/decide", method="POST",
                                 data=json.dumps({"pair": pair, "decision": "same"}).encode(),
                                 headers={"content-type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(req)
    assert refused.value.code == 403
    store = SqliteStore(db)
    try:
        book = match_book(store)
        assert book.history(pair) == []
        book.close()
    finally:
        store.close()


def test_a_decision_is_the_servers_users_and_in_the_trail(served: tuple[str, Path]) -> None:
    url, _db = served
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    opener.open(f"{url}/?token={TOKEN}")
    csrf = json.loads(opener.open(f"{url}/api/session").read())["csrf"]
    queue = json.loads(opener.open(f"{url}/api/matches").read())
    pair = next(p["pair"] for p in queue["pairs"] if p["names"] == ["刘洋", "刘洋"])
    req = urllib.request.Request(f"{url}/api/matches/decide", method="POST",
                                 data=json.dumps({"pair": pair, "decision": "unsure"}).encode(),
                                 headers={"content-type": "application/json",
                                          "X-CSRF-Token": csrf})
    kept = json.loads(opener.open(req).read())["decision"]
    assert (kept["author"], kept["decision"]) == ("审查员甲", "unsure")
    assert ("decide", f"{pair} unsure") in TRAIL
