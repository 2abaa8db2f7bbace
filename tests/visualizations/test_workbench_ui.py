"""The workbench's page, worked as a person works it, in Debian's headless chromium.

A real server (uvicorn on a real socket, :func:`start_in_thread`) over a loaded and
scanned county whose names carry script payloads; the page searches, opens an entity,
expands twice (double-click, then the "and N more" node), filters tie types, moves the
date slider, hides/pins/removes/undoes, finds a path, opens a lead and exports the
canvas three ways. Asserted: what the page's own state says is drawn (and vis-network
draws the same), no console error, no dialog, no page error, and every request went to
the server's own origin. The static files are checked too: no inline script or style,
no ``innerHTML``, vis-network byte-identical to pyvis's copy, colours as style.py says.

Screenshots of the main screens go to ``$UMBRELLA_SCREENSHOTS`` when it is set (the
README's and docs/workbench.md's pictures: ``docs/img/workbench-*.png``).
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from opened_page import Opened, watch

from lang import use_language
from visualizations.assets import vis_folder
from visualizations.style import EDGE_STYLES, HIGHLIGHT, NODE_STYLES
from visualizations.workbench.strings import ui_strings

STATIC = Path(__file__).resolve().parents[2] / "visualizations" / "workbench" / "static"
STRINGS = STATIC.parent / "strings.py"
PART = (Path(__file__).resolve().parents[2] / "lang" / "locale" / "zh_CN" / "LC_MESSAGES"
        / "parts" / "workbench.po")
TOKEN = "test-token-workbench-ui"
PAYLOAD = "<img src=x onerror=window.__pwned=1>"
HOSTILE = {
    "official": "王建国" + PAYLOAD,
    "spouse": "李秀英<script>window.__pwned=1</script>",
    "company": "宏达<svg onload=window.__pwned=1>公司",
    "contract": "校舍维修\"><img src=x onerror=alert(1)>",
}
#: Known associates of the official: with his other ties, more than one page (25).
EXTRA = [f"关联人{i}" + ("</script><script>alert(1)</script>" if i % 7 == 0 else "")
         for i in range(1, 31)]

County = Any


# ------------------------------------------------------------------ the static files

class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag

    def handle_data(self, data: str) -> None:
        if self._in in ("script", "style") and data.strip():
            self.data[self._in] = data


def test_the_page_has_no_inline_script_or_style_and_fetches_only_its_own_files() -> None:
    parser = _Tags()
    parser.feed((STATIC / "index.html").read_text(encoding="utf-8"))
    assert parser.data == {}  # no inline <script> or <style> body
    tags = [t for t, _a in parser.tags]
    assert "style" not in tags
    scripts = [a.get("src") for t, a in parser.tags if t == "script"]
    assert scripts[:2] == ["/static/vis-network.min.js", "/static/app.js"]
    extra = [str(src).removeprefix("/static/") for src in scripts[2:]]  # e.g. triage.js
    assert all(re.fullmatch(r"[\w-]+\.js", n) and (STATIC / n).is_file() for n in extra)
    for tag, attrs in parser.tags:
        assert "style" not in attrs, tag
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        for key in ("src", "href"):
            if attrs.get(key) is not None:
                assert re.match(r"^(/static/[\w.-]+|data:,)$", str(attrs[key])), attrs
    for name in ("index.html", "app.js", "app.css", *extra):
        text = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), name
    for name in ("app.js", *extra):
        js = re.sub(r"/\*.*?\*/", "", (STATIC / name).read_text(encoding="utf-8"), flags=re.S)
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                       "eval(", "new Function", "setAttribute(\"style\"", "cssText"):
            assert banned not in js, (name, banned)


def test_vis_network_is_pyvis_own_copy_with_its_licence() -> None:
    for name in ("vis-network.min.js", "vis-network.css"):
        assert (STATIC / name).read_bytes() == (vis_folder() / name).read_bytes(), name
    licence = (STATIC / "vis-network.LICENSE.txt").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Almende" in licence and "9.1.2" in licence


def test_the_canvas_colours_are_the_views_colours() -> None:
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    for kind, style in NODE_STYLES.items():
        assert re.search(rf'"?{kind}"?: \["{style.color}", "{style.shape}"\]', js), kind
    for type_, es in EDGE_STYLES.items():
        dashes = ", ".join(str(d) for d in es.dashes)
        assert f'{type_}: ["{es.color}", [{dashes}], {es.width:.1f}]' in js, type_
    assert f'HIGHLIGHT = "{HIGHLIGHT}"' in js


def test_every_word_the_page_shows_is_in_the_strings_and_has_its_chinese() -> None:
    words = ui_strings()
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    used = set(re.findall(r'data-s(?:-placeholder)?="([\w.]+)"', html))
    used |= set(re.findall(r'say\("([\w.]+\w)"', js))
    used |= {"search.match." + m for m in ("name", "id", "id_number", "phone")}
    assert used - set(words) == set()
    with use_language("zh"):
        zh = ui_strings()
    assert set(zh) == set(words)
    assert (zh["kind.person"], zh["type.KIN"], zh["sector.education"]) == ("人员", "亲属", "教育")
    # the part files give every message of strings.py its Chinese, fields kept
    parts = []
    for path in (PART, PART.with_name("screen.po")):  # the screen form's words: screen.po
        with path.open("rb") as fh:
            parts.append(read_po(fh))
    ids = [(ctx, msg) for _l, msg, _c, ctx in extract_from_file(
        "python", str(STRINGS), keywords={"pgettext": ((1, "c"), 2)})]
    assert len(ids) > 80 and all(ctx == "workbench" for ctx, _m in ids)
    for ctx, msg in ids:
        entry = next((e for e in (p.get(msg, context=ctx) for p in parts) if e), None)
        assert entry is not None and isinstance(entry.string, str) and entry.string, msg
        assert isinstance(msg, str)
        zh_text = entry.string
        assert set(re.findall(r"\{\w+\}", msg)) == set(re.findall(r"\{\w+\}", zh_text)), msg
        if re.search(r"[a-z]{3}", re.sub(r"\{\w+\}", "", msg)):
            assert re.search(r"[\u4e00-\u9fff]", zh_text), msg


# ------------------------------------------------------------------ the server

@dataclass
class Served:
    """The server over the hostile county, and the county."""

    url: str
    county: County
    downloads: list[Path] = field(default_factory=list)


@pytest.fixture(scope="module")
def served(county_maker: Callable[..., County],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from umbrella.serve_cmd import write_tables
    from visualizations.workbench.app import create_app, start_in_thread

    county = county_maker(tmp_path_factory.mktemp("wb-county"), HOSTILE, EXTRA)
    app = create_app(county.store, token=TOKEN, lang="en", reveal=False, tables=write_tables)
    server = start_in_thread(app)
    yield Served(server.url, county)
    server.stop()
    county.store.close()


@dataclass
class Page(Opened):
    """The workbench open in the browser (at ``origin``), with everything it did."""

    origin: str = ""

    def idle(self) -> None:
        # functions, not expression strings: the page's CSP refuses eval()
        self.page.wait_for_timeout(30)
        self.page.wait_for_function(
            "() => umbrellaWorkbench.busy === 0 && !umbrellaWorkbench.settling", timeout=20_000)

    def visible(self) -> list[str]:
        return sorted(self.js("umbrellaWorkbench.visibleNodeIds()"))

    def drawn(self) -> list[str]:
        """The nodes vis-network draws (hidden ones are not in its index)."""
        return sorted(str(i) for i in self.js("umbrellaWorkbench.network.body.nodeIndices"))

    def point(self, node_id: str) -> tuple[float, float]:
        xy = self.js("""id => {
            const n = umbrellaWorkbench.network;
            const b = document.getElementById("wb-graph").getBoundingClientRect();
            const p = n.canvasToDOM(n.getPosition(id));
            return [b.left + p.x, b.top + p.y];
        }""", node_id)
        return float(xy[0]), float(xy[1])

    def double_click(self, node_id: str) -> None:
        self.js("id => umbrellaWorkbench.network.focus(id, {scale: 1.2, animation: false})",
                node_id)
        x, y = self.point(node_id)
        self.page.mouse.dblclick(x, y)
        self.idle()

    def select(self, *ids: str) -> None:
        self.js("ids => umbrellaWorkbench.network.selectNodes(ids)", list(ids))

    def shot(self, name: str) -> None:
        folder = os.environ.get("UMBRELLA_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            box = self.page.locator("#wb-graph").bounding_box()
            if box:  # an empty corner of the canvas: no tooltip left open
                self.page.mouse.move(box["x"] + 6, box["y"] + box["height"] - 6)
            self.page.wait_for_timeout(300)
            self.page.screenshot(path=str(Path(folder) / f"workbench-{name}.png"))


def open_on(browser: Any, url: str) -> Page:
    """Open the workbench at ``url`` (with the token) and wait until it is ready."""
    page = browser.new_page()
    opened = watch(Page(page, origin=url))
    page.goto(f"{url}/?token={TOKEN}")
    assert page.url == url + "/"  # the token went into the cookie, out of the address
    page.wait_for_function("() => Boolean(window.umbrellaWorkbench && umbrellaWorkbench.ready)",
                           timeout=30_000)
    return opened


@pytest.fixture
def workbench(browser: Any, served: Served) -> Iterator[Page]:
    opened = open_on(browser, served.url)
    yield opened
    opened.page.close()


def assert_quiet(opened: Page) -> None:
    """No error of any kind, no dialog, no payload ran, no request off the server."""
    assert opened.errors == [] and opened.dialogs == []
    assert [t for kind, t in opened.console if kind == "error"] == []
    assert opened.js("typeof window.__pwned") == "undefined"
    foreign = [u for u in opened.requests
               if not (u.startswith(opened.origin + "/") or u.startswith("blob:" + opened.origin)
                       or u.startswith("data:"))]
    assert foreign == []


# ------------------------------------------------------------------ worked as a person works it

def test_search_entity_expand_filter_slider_path_lead_export(workbench: Page,
                                                             served: Served) -> None:
    w, page = workbench, workbench.page
    assert page.locator("#wb-tab-leads").inner_text() == "Leads"
    # 1. search as you type: a part of a name finds it; the panel shows it as text
    page.locator("#wb-search").press_sequentially("王建", delay=30)
    page.wait_for_selector("#wb-results li .wb-r-name")
    names = page.locator("#wb-results .wb-r-name").all_inner_texts()
    assert HOSTILE["official"] in names
    page.locator("#wb-results li", has_text="P1").first.click()
    page.wait_for_selector("#wb-panel-body h3")
    w.idle()
    assert page.inner_text("#wb-panel-body h3") == HOSTILE["official"]
    panel = page.inner_text("#wb-panel-body")
    assert "11010519491231002X" not in panel  # identity number masked
    assert "positions.csv:" in panel and "relationships.csv:" in panel  # sources shown
    assert w.visible() == w.drawn() == ["P1"]

    # 2. expand twice: one page, then the "and N more" node; placed nodes stay still
    w.double_click("P1")
    first = w.visible()
    assert len(first) == 26 and "P1" in first
    assert w.drawn() == sorted([*first, "more:P1"])
    more_label = w.js("umbrellaWorkbench.nodes.get('more:P1').label")
    total = w.js("umbrellaWorkbench.rec.expanded.P1.total")
    assert total == 34 and more_label == "and 9 more"
    placed = w.js("umbrellaWorkbench.positions()")
    w.double_click("more:P1")
    second = w.visible()
    assert len(second) == 35 and set(first) < set(second)
    assert w.drawn() == second  # no "more" node left: every neighbour is on the canvas
    now = w.js("umbrellaWorkbench.positions()")
    assert {k: now[k] for k in first} == {k: placed[k] for k in first}
    assert "Added 34 of 34 neighbours" in page.inner_text("#wb-status")
    assert page.inner_text("#wb-count").startswith("35 nodes, 34 ties shown")
    w.js("umbrellaWorkbench.network.fit()")

    # 3. tie-type filter: the associates go, and the nodes they alone tied go with them
    page.uncheck("#wb-type-ASSOCIATE")
    left = w.visible()
    assert len(left) == 5 and not [n for n in left if n.startswith("X")]
    assert w.drawn() == left
    page.check("#wb-type-ASSOCIATE")
    assert w.visible() == second

    # 4. the as-of slider hides ties not in force that day (and nodes left without a tie)
    page.check("#wb-asof-on")
    w.js("""() => { const s = document.getElementById("wb-asof");
                    s.value = String(Date.UTC(2010, 5, 1) / 86400000);
                    s.dispatchEvent(new Event("input")); }""")
    assert page.inner_text("#wb-asof-date") == "2010-06-01"
    edges = w.js("umbrellaWorkbench.rec.edges")
    held = sorted(i for i, e in edges.items()
                  if not (e["start"] and e["start"] > "2010-06-01")
                  and not (e["end"] and e["end"] < "2010-06-01"))
    assert sorted(w.js("umbrellaWorkbench.visibleEdgeIds()")) == held
    gone = [e for e in edges.values() if e["id"] not in held]
    assert gone  # the post (2015-) and the approval (2020) were not in force in 2010
    assert "O1" not in w.visible() and "P2" in w.visible()
    page.uncheck("#wb-asof-on")
    assert w.visible() == second

    # 5. hide, pin, remove, undo
    w.select("X1")
    page.click("#wb-hide")
    assert "X1" not in w.visible() and "X1" not in w.drawn()
    page.click("#wb-undo")
    assert "X1" in w.visible()
    w.select("X2")
    page.click("#wb-remove")
    assert "X2" not in w.js("umbrellaWorkbench.rec.nodes")
    page.click("#wb-undo")
    assert "X2" in w.js("umbrellaWorkbench.rec.nodes")
    w.select("P2")
    page.click("#wb-pin")
    pinned_at = w.js("umbrellaWorkbench.positions()")["P2"]
    page.click("#wb-tidy")
    w.idle()
    assert w.js("umbrellaWorkbench.positions()")["P2"] == pinned_at
    assert w.js("umbrellaWorkbench.network.physics.physicsEnabled") is False

    # 6. path finder between two selected nodes, through a node not yet on the canvas
    page.fill("#wb-search", "O2")
    page.wait_for_selector("#wb-results li .wb-r-name")
    page.keyboard.press("Enter")
    w.idle()
    w.select("P3")
    page.click("#wb-path-set-from")
    w.select("O2")
    page.click("#wb-path-set-to")
    page.click("#wb-path-find")
    w.idle()
    path = w.js("umbrellaWorkbench.lastPath")
    assert path["found"] is True
    # P3 -KIN- P1 -KIN- P2 -COMPANY_ROLE- O2, and P3 - P1 -APPROVED- C1 -AWARDED_TO- O2
    assert sorted(path["paths"]) == [["P3", "P1", "C1", "O2"], ["P3", "P1", "P2", "O2"]]
    assert page.inner_text("#wb-status").startswith("Paths found: 2, the shortest 3 ties long.")
    assert set(w.js("Object.keys(umbrellaWorkbench.rec.path.edges)")) == {
        e["id"] for e in path["edges"]}
    assert {n["id"] for n in path["nodes"]} <= set(w.visible())

    # 7. leads: the table with filters, names beside ids; one opens with its evidence marked
    page.click("#wb-tab-leads")
    page.wait_for_selector("#wb-leads tbody tr")
    page.fill("#wb-f-rule", "COI")
    page.click("#wb-leads-form button[type=submit]")
    w.idle()
    rows = page.locator("#wb-leads tbody tr")
    assert rows.count() >= 1
    assert all(r.startswith("COI") for r in page.locator(
        "#wb-leads tbody tr td:nth-child(2)").all_inner_texts())
    assert HOSTILE["official"] in page.inner_text("#wb-leads tbody")
    rows.first.click()
    w.idle()
    assert page.is_visible("#wb-graph")
    evidence = w.js("Object.keys(umbrellaWorkbench.rec.evidence.nodes)")
    assert evidence and set(evidence) <= set(w.visible())
    assert w.js("umbrellaWorkbench.edges.get(Object.keys("
                "umbrellaWorkbench.rec.evidence.edges)[0]).color.color") == HIGHLIGHT
    assert page.inner_text("#wb-status").startswith("Lead F-")
    # the evidence stays marked as the canvas grows
    w.double_click(evidence[0])
    assert set(w.js("Object.keys(umbrellaWorkbench.rec.evidence.nodes)")) == set(evidence)

    # 8. export what is on the canvas: the offline HTML view, CSV and XLSX
    shown = w.visible()
    got: dict[str, bytes] = {}
    for fmt in ("html", "csv", "xlsx"):
        with page.expect_download() as download:
            page.click(f"#wb-export-{fmt}")
        got[fmt] = Path(download.value.path()).read_bytes()
        assert download.value.suggested_filename.endswith("." + fmt)
        assert w.js("umbrellaWorkbench.lastExport.nodes") == len(shown)
    html = got["html"].decode("utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", html)
    assert "<img src=x onerror" not in html  # the names are escaped in the view too
    assert HOSTILE["official"].split("<")[0] in html
    assert "王建国" in got["csv"].decode("utf-8-sig")
    assert zipfile.ZipFile(BytesIO(got["xlsx"])).namelist()
    assert_quiet(w)


def test_the_conflict_screen_answers_and_draws_the_path(workbench: Page) -> None:
    w, page = workbench, workbench.page
    page.fill("#wb-screen-left", "O1")
    page.fill("#wb-screen-right", "O2\nO3")
    page.fill("#wb-screen-on", "2020-03-01")
    page.click("#wb-screen-go")
    page.wait_for_selector("#wb-screen-out .wb-screen-answer")
    w.idle()
    answers = page.locator("#wb-screen-out > li").all_inner_texts()
    assert len(answers) == 1
    assert HOSTILE["company"] in answers[0] and HOSTILE["spouse"] in answers[0]  # as text
    assert "relationships.csv:2" in answers[0] and "11010519491231002X" not in answers[0]
    assert w.visible() == w.drawn() == ["O1", "O2", "P1", "P2"]
    assert page.inner_text("#wb-status").startswith("Ties found on 2020-03-01: 1")
    page.fill("#wb-screen-on", "1970-01-01")  # before the marriage
    page.click("#wb-screen-go")
    page.wait_for_selector("#wb-screen-out .wb-screen-none")
    w.idle()
    assert page.inner_text("#wb-status") == "No tie found on 1970-01-01."
    assert page.inner_text("#wb-screen-out").startswith("Searched: kin")
    assert_quiet(w)


def test_the_page_speaks_chinese_when_the_server_does(browser: Any,
                                                      county_maker: Callable[..., County],
                                                      tmp_path: Path) -> None:
    from visualizations.workbench.app import create_app, start_in_thread

    county = county_maker(tmp_path)
    server = start_in_thread(create_app(county.store, token=TOKEN, lang="zh"))
    try:
        opened = open_on(browser, server.url)
        page = opened.page
        with use_language("zh"):
            zh = ui_strings()
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert page.inner_text("#wb-tab-leads") == zh["tab.leads"]
        assert page.get_attribute("#wb-search", "placeholder") == zh["search.placeholder"]
        page.fill("#wb-search", "李秀")
        page.wait_for_selector("#wb-results li .wb-r-name")
        assert "人员" in page.inner_text("#wb-results")
        assert_quiet(opened)
        page.close()
    finally:
        server.stop()
        county.store.close()


@pytest.mark.skipif(not (os.environ.get("UMBRELLA_SCREENSHOTS")
                         and os.environ.get("UMBRELLA_SCREENSHOT_DB")),
                    reason="pictures for the docs are made on demand: set UMBRELLA_SCREENSHOTS "
                           "(a folder) and UMBRELLA_SCREENSHOT_DB (a loaded, scanned county)")
def test_screenshots_of_the_main_screens(browser: Any) -> None:
    """``docs/img/workbench-*.png``: the demo county, worked the same way, in both languages."""
    from graph.store import SqliteStore
    from umbrella.serve_cmd import write_tables
    from visualizations.workbench.app import create_app, start_in_thread

    store = SqliteStore(Path(os.environ["UMBRELLA_SCREENSHOT_DB"]))
    try:
        for lang in ("en", "zh"):
            server = start_in_thread(create_app(store, token=TOKEN, lang=lang,
                                                tables=write_tables))
            try:
                w = open_on(browser, server.url)
                w.page.set_viewport_size({"width": 1400, "height": 880})
                suffix = "" if lang == "en" else "-zh"
                _demo_tour(w, suffix)
                assert_quiet(w)
                w.page.close()
            finally:
                server.stop()
    finally:
        store.close()


def _pick(w: Page, text: str) -> str:
    w.page.fill("#wb-search", text)
    w.page.wait_for_selector("#wb-results li .wb-r-name")
    w.page.keyboard.press("Enter")
    w.idle()
    return str(w.js("umbrellaWorkbench.panelId"))


def _demo_tour(w: Page, suffix: str) -> None:
    page = w.page
    # the leads table, and the strongest conflict-of-interest lead on the canvas
    page.click("#wb-tab-leads")
    page.wait_for_selector("#wb-leads tbody tr")
    w.shot("leads" + suffix)
    page.fill("#wb-f-rule", "COI")
    page.click("#wb-leads-form button[type=submit]")
    w.idle()
    page.locator("#wb-leads tbody tr").first.click()
    w.idle()
    w.shot("lead" + suffix)
    # an entity found by part of its name, expanded twice
    page.click("#wb-clear")
    broker = _pick(w, "杨雨豪")
    w.double_click(broker)
    w.double_click(broker)
    w.js("umbrellaWorkbench.network.fit()")
    w.js("id => umbrellaWorkbench.network.selectNodes([id])", broker)
    w.shot("entity" + suffix)
    # a path from the police bureau to a gang member, hubs avoided
    page.click("#wb-clear")
    police = _pick(w, "桃峰县公安局")
    member = _pick(w, "孙建阳")
    w.js("ids => umbrellaWorkbench.setPathEnds(ids[0], ids[1])", [police, member])
    page.click("#wb-path-find")
    w.idle()
    assert w.js("umbrellaWorkbench.lastPath.found") is True
    page.click("#wb-tidy")
    w.idle()
    w.shot("path" + suffix)
