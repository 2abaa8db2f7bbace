"""Fixtures for the view tests: small counties on real stores, and a real headless browser.

The browser is Debian's chromium (``/usr/bin/chromium``) driven by playwright
with a fresh profile. Without either, browser tests are skipped with the
reason; with ``UMBRELLA_REQUIRE_BROWSER=1`` (CI) they fail instead.
"""

from __future__ import annotations

import csv
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from opened_page import Opened, watch

from graph.store import SqliteStore
from loaders.load import load_folder
from queries.scan import scan

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

#: Default names of the small county; tests swap in hostile ones.
NAMES = {
    "official": "王建国", "spouse": "李秀英", "brother": "王建军", "friend": "赵小明",
    "gang": "孙大龙", "clerk": "周敏", "bidder": "钱多多",
    "agency": "县教育局", "police": "县公安局", "company": "宏达建筑工程有限公司",
    "rival": "顺达贸易有限公司", "contract": "校舍维修工程", "contract2": "食堂设备采购",
    "case": "孙大龙等人寻衅滋事案", "post": "局长", "post2": "副局长", "note": "",
    "address": "城关镇1号",
}


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_county(folder: Path, names: dict[str, str] | None = None,
                 extra: list[str] | tuple[str, ...] = ()) -> Path:
    """A small county with a COI-001 scheme (official approves a contract won by his
    wife's company) and an UMB-001 scheme (an official approving a gang case is a known
    associate of its leader); ``names`` replaces any of :data:`NAMES`; each ``extra``
    name is one more person (X1, X2, ...), a known associate of the official, carrying
    the name in its note too."""
    n = {**NAMES, **(names or {})}
    folder.mkdir(parents=True, exist_ok=True)
    write_rows(folder / "persons.csv",
               ["person_id", "name", "id_number", "birth_date", "address", "note"], [
        ["P1", n["official"], "11010519491231002X", "1949-12-31", n["address"], n["note"]],
        ["P2", n["spouse"], "", "1952-03-01", n["address"], n["note"]],
        ["P3", n["brother"], "", "", "", n["note"]],
        ["P4", n["friend"], "", "", "", ""],
        ["P5", n["gang"], "", "", n["address"], n["note"]],
        ["P6", n["clerk"], "", "", "", ""],
        ["P7", n["bidder"], "", "", "", n["note"]],
        *([f"X{i}", name, "", "", "", name] for i, name in enumerate(extra, start=1)),
    ])
    write_rows(folder / "organizations.csv", ["org_id", "name", "kind", "address"], [
        ["O1", n["agency"], "agency", n["address"]],
        ["O2", n["company"], "company", n["address"]],
        ["O3", n["rival"], "company", ""],
        ["O4", n["police"], "agency", ""],
    ])
    write_rows(folder / "positions.csv", ["person_id", "org_id", "title", "start_date",
                                          "end_date"], [
        ["P1", "O1", n["post"], "2015-01-01", ""],
        ["P6", "O1", n["post2"], "2016-01-01", "2018-12-31"],
        ["P4", "O4", n["post2"], "2012-01-01", ""],
    ])
    write_rows(folder / "relationships.csv", ["person_id", "other_id", "relation", "start_date",
                                              "end_date"], [
        ["P1", "P2", "spouse", "1975-05-01", ""],
        ["P1", "P3", "sibling", "", ""],
        ["P4", "P5", "associate", "", ""],
        ["P7", "P3", "associate", "2010-01-01", "2012-01-01"],
        *(["P1", f"X{i}", "associate", "", ""] for i in range(1, len(extra) + 1)),
    ])
    write_rows(folder / "company_roles.csv", ["company_id", "holder_id", "role", "share_pct",
                                              "start_date", "end_date"], [
        ["O2", "P2", "shareholder", "60", "2016-01-01", ""],
        ["O3", "P7", "legal_rep", "", "2014-01-01", ""],
    ])
    write_rows(folder / "contracts.csv", ["contract_id", "title", "buyer_org_id", "approver_id",
                                          "supplier_id", "amount", "award_date", "method",
                                          "sector"], [
        ["C1", n["contract"], "O1", "P1", "O2", "1250000", "2020-03-01", "open", "education"],
        ["C2", n["contract2"], "O1", "P6", "O3", "90000", "2017-04-01", "open", "education"],
    ])
    write_rows(folder / "bids.csv", ["contract_id", "bidder_id", "amount", "status"], [
        ["C1", "O2", "1250000", "valid"], ["C1", "O3", "1300000", "valid"],
        ["C2", "O3", "90000", "valid"],
    ])
    write_rows(folder / "cases.csv", ["case_id", "kind", "title", "opened_date", "closed_date",
                                      "status", "outcome"], [
        ["K1", "organized_crime", n["case"], "2019-01-01", "2019-06-01", "closed", "dropped"],
    ])
    write_rows(folder / "case_roles.csv", ["case_id", "party_id", "role", "start_date"], [
        ["K1", "P5", "gang_leader", "2019-01-01"], ["K1", "P4", "approver", "2019-02-01"],
    ])
    return folder


@dataclass
class County:
    """A loaded and scanned county."""

    store: SqliteStore
    findings: list[dict[str, Any]]
    folder: Path

    def key(self, source_id: str) -> str:
        key = self.store.view().resolve(source_id)
        assert key is not None, source_id
        return key


def make_county(tmp: Path, names: dict[str, str] | None = None,
                extra: list[str] | tuple[str, ...] = ()) -> County:
    """Write, load and scan a county (see :func:`write_county`)."""
    folder = write_county(tmp / "county", names, extra)
    store = SqliteStore(tmp / "county.db")
    report = load_folder(folder, store)
    assert report.set_aside == [], report.set_aside
    return County(store, scan(store).findings, folder)


@pytest.fixture(scope="session")
def county_maker() -> Callable[..., County]:
    """:func:`make_county`, for tests that need a county of their own."""
    return make_county


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[County]:
    """The small county, loaded and scanned once per test module (tests only read it)."""
    c = make_county(tmp_path_factory.mktemp("county"))
    yield c
    c.store.close()


def _browser_missing() -> str:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install playwright)"
    return ""


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless chromium context with a fresh profile (one per test session)."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("UMBRELLA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"UMBRELLA_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(f"browser tests need a real headless browser: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM),
            headless=True, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 860})
        yield ctx
        ctx.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Opened]]:
    """Open a local page, record every request, console message, error and dialog, and
    wait until the graph has drawn (``ready=False`` skips the wait)."""
    pages: list[Any] = []

    def opener(path: Path, ready: bool = True) -> Opened:
        page = browser.new_page()
        pages.append(page)
        opened = watch(Opened(page))
        page.goto(path.resolve().as_uri())
        if ready:
            # a function, not an expression string: polling an expression evaluates it
            # with eval(), which the page's Content-Security-Policy refuses
            page.wait_for_function(
                "() => Boolean(window.umbrellaView && window.umbrellaView.ready)", timeout=30_000)
        return opened

    yield opener
    for page in pages:
        page.close()


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB pixels of an 8-bit non-interlaced PNG (RGB or RGBA)."""
    import numpy as np

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(height):
        f, cur = raw[y, 0], raw[y, 1:].astype(np.int64)
        if f == 1:  # Sub: a running sum along each channel
            cur = np.cumsum(cur.reshape(width, channels), axis=0).reshape(stride) % 256
        elif f == 2:  # Up
            cur = (cur + prev) % 256
        elif f in (3, 4):  # Average, Paeth: pixel by pixel
            row = cur.tolist()
            up = prev.tolist()
            for i in range(stride):
                a = row[i - channels] if i >= channels else 0
                b = up[i]
                if f == 3:
                    row[i] = (row[i] + (a + b) // 2) & 255
                else:
                    c = up[i - channels] if i >= channels else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)
                              ) & 255
            cur = np.array(row, dtype=np.int64)
        out[y] = cur
        prev = cur
    rgb = out.reshape(height, width, channels)[:, :, :3]
    return width, height, [bytes(r) for r in rgb.reshape(height, width * 3)]


@pytest.fixture
def pixels() -> Callable[[bytes], tuple[int, int, list[bytes]]]:
    """Decode a screenshot (see :func:`png_pixels`)."""
    return png_pixels


def hover_node(opened: Opened, node_id: Any) -> str:
    """Move the mouse onto a node and return the text of the tooltip that opens."""
    xy = opened.js("""id => {
        const v = umbrellaView.network, box = document.getElementById("u-graph")
            .getBoundingClientRect();
        v.focus(id, {scale: 1.5, animation: false});
        const p = v.canvasToDOM(v.getPosition(id));
        return [box.left + p.x, box.top + p.y];
    }""", node_id)
    opened.page.mouse.move(xy[0] + 40, xy[1] + 40)
    opened.page.mouse.move(xy[0], xy[1])
    tooltip = opened.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    return str(tooltip.evaluate("e => e.textContent"))


@pytest.fixture
def hover() -> Callable[[Opened, Any], str]:
    """:func:`hover_node`."""
    return hover_node
