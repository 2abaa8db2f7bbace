"""HTML views: export time, file size and time until the page is interactive, against pyvis.

Run:  .venv/bin/python bench/html.py [--sizes 200 500 2000] [--scale 1] [--seed 1]

Generates a county and loads it (not timed), picks an official whose
neighbourhood (4 hops, hubs not expanded) reaches the largest size, and for
each size N exports that neighbourhood capped at N nodes. Times:

* ``export s``: ``neighbourhood_page`` + write (store reads, capping, layout,
  pyvis objects, page), best of --repeat;
* ``ready s``: open the file in headless chromium (``/usr/bin/chromium``,
  every non-file request blocked) until vis-network's first ``afterDrawing``
  (for pyvis with physics on, that comes after its stabilisation), measured
  with ``performance.now()`` in the page.

Baseline, same graph, same run: pyvis's own default export (``Network()``,
node titles, ``write_html``; it writes a ``lib/`` folder beside the page and
links vis-network from a CDN, so offline it never draws) and pyvis with
``cdn_resources="in_line"`` (vis-network inlined; bootstrap is still fetched
from a CDN, physics on). ``requests`` counts the page's attempts to reach
the network (all blocked here).
"""

from __future__ import annotations

import sys

# Run as a script, this file's folder comes first on sys.path, and this file's name would
# hide the standard library's ``html`` module from everything imported below.
sys.path[:] = [p for p in sys.path if p not in ("", __file__.rpartition("/")[0])]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from graph.store import SqliteStore  # noqa: E402
from loaders.load import load_folder  # noqa: E402
from synthetic import generate_county  # noqa: E402
from visualizations.pages import neighbourhood_page  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Record vis-network's first drawing, for our pages and for pyvis's (``var network``).
HOOK = """
window.__firstDraw = null;
let __net;
Object.defineProperty(window, "network", {configurable: true,
  get() { return __net; },
  set(v) { __net = v; if (v && v.once) { v.once("afterDrawing", () => {
    window.__firstDraw = performance.now(); }); } }});
"""


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _pick(view: Any, size: int) -> str:
    """An official whose 4-hop neighbourhood (hubs not expanded) holds ``size`` nodes."""
    officials = view.relations_frame("HOLDS_POST")["src"].drop_duplicates().tolist()
    by_id = sorted(officials, key=lambda k: view.get(k).source_ids)  # same county, same pick
    for key in by_id[:60]:
        if neighbourhood_page(view, key, hops=4, max_nodes=size).nodes_shown >= size:
            return str(key)
    raise SystemExit(f"no neighbourhood of {size} nodes at this scale; raise --scale")


def _data(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="umbrella-data">(.*?)</script>', html,
                  re.S)
    assert m
    return json.loads(m.group(1))  # type: ignore[no-any-return]


def _pyvis(data: dict[str, Any], folder: Path, in_line: bool) -> Path:
    """pyvis's own export of the same nodes and edges, with its defaults."""
    from pyvis.network import Network

    net = Network(cdn_resources="in_line") if in_line else Network()
    for n in data["nodes"]:
        net.add_node(n["id"], label=n["label"], title=n["tip"])
    for e in data["edges"]:
        net.add_edge(e["from"], e["to"], title=e["tip"])
    name = "pyvis-inline.html" if in_line else "pyvis-default.html"
    cwd = os.getcwd()
    os.chdir(folder)  # write_html puts its lib/ folder in the working directory
    try:
        net.write_html(name)
    finally:
        os.chdir(cwd)
    return folder / name


def _ready(ctx: Any, path: Path, timeout_s: float) -> tuple[float | None, int]:
    """Seconds until the first drawing (None: not within the timeout), blocked requests."""
    page = ctx.new_page()
    blocked: list[str] = []
    page.on("requestfailed", lambda r: blocked.append(r.url))
    page.add_init_script(HOOK)
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=timeout_s * 1000)
        page.wait_for_function("() => window.__firstDraw !== null || Boolean(window.umbrellaView "
                               "&& window.umbrellaView.ready)", timeout=timeout_s * 1000)
        at = page.evaluate("window.__firstDraw || window.umbrellaView.readyAt")
        result: float | None = float(at) / 1000
    except Exception:  # a timeout: the page never drew
        result = None
    page.close()
    return result, len(blocked)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 500, 2000])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="Seconds to wait for a page to draw ('never' beyond).")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        county = generate_county(Path(tmp) / "county", scale=args.scale, seed=args.seed)
        store = SqliteStore(Path(tmp) / "bench.db")
        load_folder(county.data_dir, store)
        view = store.view()
        key = _pick(view, max(args.sizes))
        ctx = p.chromium.launch_persistent_context(
            str(Path(tmp) / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1280, "height": 860})
        # block the network (only web addresses: intercepting file:// stalls large pages)
        ctx.route(re.compile(r"^(https?|wss?|ftp)://"), lambda route: route.abort())
        print(f"scale {args.scale:g}, seed {args.seed}, neighbourhood of "
              f"{'/'.join(view.get(key).source_ids)}, 4 hops, hubs (>100 ties) not expanded")
        print(f"{'nodes':>6} {'ties':>6} | {'export s':>8} {'MB':>5} {'ready s':>7} "
              f"{'requests':>8} | {'pyvis export s':>14} {'MB':>5} {'ready s':>7} "
              f"{'requests':>8} | {'pyvis in_line ready s':>21} {'requests':>8}", flush=True)
        for size in args.sizes:
            out = Path(tmp) / f"ours-{size}.html"
            secs, _ = _best(lambda: neighbourhood_page(
                view, key, hops=4, max_nodes=size).write(out), args.repeat)  # noqa: B023
            ready, req = _ready(ctx, out, args.timeout)
            data = _data(out.read_text(encoding="utf-8"))
            folder = Path(tmp) / f"pyvis-{size}"
            folder.mkdir()
            base_s, base = _best(lambda: _pyvis(data, folder, False), 1)  # noqa: B023
            base_ready, base_req = _ready(ctx, base, args.timeout)
            inline = _pyvis(data, folder, True)
            inline_ready, inline_req = _ready(ctx, inline, args.timeout)

            def fmt(x: float | None) -> str:
                return f"{x:>7.2f}" if x is not None else f"{'never':>7}"

            print(f"{data['counts']['nodes']:>6,} {data['counts']['edges']:>6,} | {secs:>8.2f} "
                  f"{out.stat().st_size / 1e6:>5.2f} {fmt(ready)} {req:>8} | {base_s:>14.2f} "
                  f"{base.stat().st_size / 1e6:>5.2f} {fmt(base_ready)} {base_req:>8} | "
                  f"{fmt(inline_ready):>21} {inline_req:>8}", flush=True)
        ctx.close()
        store.close()


if __name__ == "__main__":
    main()
