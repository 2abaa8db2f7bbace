"""How long ``umbrella screen`` takes to answer a tender: the buying body and its approver
against the 3-10 firms that bid, on the award day, over a scale-10 county.

Rerun:
    .venv/bin/python bench/screen.py --db /tmp/screen-bench/county-s10-seed1.db --tenders 200

``--db`` is a loaded county (a copy: the script only reads it, but never point it at a
database others write). Without it a scale-10 county is generated and loaded into
``--work`` (default /tmp/screen-bench; minutes, not counted). Tenders with 3 to 10
bidders are drawn with a fixed seed; each is screened once cold (a fresh store view, as
a command run does) with the default bounds (paths of at most 4 ties, kin chains of at
most 2, hubs above 100 ties avoided), the worded answer included. Prints p50/p95/max in
milliseconds, and how many tenders had a tie.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1]))

from graph.store import SqliteStore  # noqa: E402
from queries.screen import screen, worded  # noqa: E402


def county_db(work: Path, scale: float, seed: int) -> Path:
    """A generated county's database under ``work``, built once."""
    from loaders.load import load_folder
    from synthetic import generate_county

    db = work / f"county-s{scale:g}-seed{seed}.db"
    if not db.exists():
        result = generate_county(work / f"county-s{scale:g}-seed{seed}", scale=scale, seed=seed)
        store = SqliteStore(db)
        load_folder(result.data_dir, store)
        store.close()
    return db


def tenders(db: Path, n: int, seed: int) -> list[tuple[list[str], list[str], str]]:
    """``n`` tenders with 3-10 bidders: (buyer and approver keys, bidder keys, award day)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    bids: dict[str, list[str]] = {}
    for src, dst in conn.execute("SELECT src, dst FROM relations WHERE type = 'BID'"):
        bids.setdefault(dst, []).append(src)
    props = dict(conn.execute("SELECT key, props FROM entities WHERE kind = 'contract'"))
    buyer = {d: s for s, d in conn.execute("SELECT src, dst FROM relations WHERE type = 'BOUGHT'")}
    approver = {d: s for s, d in conn.execute(
        "SELECT src, dst FROM relations WHERE type = 'APPROVED' AND dst LIKE 'c:%'")}
    conn.close()
    fit = sorted(c for c, b in bids.items() if 3 <= len(set(b)) <= 10 and c in buyer)
    out = []
    for c in random.Random(seed).sample(fit, min(n, len(fit))):
        day = json.loads(props[c]).get("award_date") or "2020-01-01"
        left = [buyer[c], *([approver[c]] if c in approver else [])]
        out.append((left, sorted(set(bids[c])), str(day)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="a loaded county (read only)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/screen-bench"))
    ap.add_argument("--scale", type=float, default=10)
    ap.add_argument("--tenders", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    db = args.db or county_db(args.work, args.scale, args.seed)
    asked = tenders(db, args.tenders, args.seed)
    store = SqliteStore(db)
    times, hits, paths = [], 0, 0
    try:
        for left, right, day in asked:
            t0 = time.perf_counter()
            found = screen(store.view(), left, right, day)
            rows = worded(found)
            times.append((time.perf_counter() - t0) * 1000)
            hits += bool(rows)
            paths += len(rows)
    finally:
        store.close()
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"{db.name}: {len(times)} tenders of 3-10 bidders, {hits} with a tie "
          f"({paths} paths)")
    print(f"screen ms: p50 {statistics.median(times):.1f}  p95 {p95:.1f}  max {times[-1]:.1f}")


if __name__ == "__main__":
    main()
