"""Run time of ``umbrella areas`` (:func:`queries.areas.area_map`) on generated counties.

Run:  .venv/bin/python bench/areas.py [--scales 1 10] [--seed 1] [--from DIR] [--scan]

For each scale: a copy of ``DIR/county-s{scale}-seed{seed}.db`` when there is one (the
original is never written), else a county generated, loaded and scanned here; with
``--scan`` every rule is run on the copy first (a prepared database may hold only some
rules' findings). Then each cut (region, agency, sector) is timed, best of ``--repeat``
runs, and one line per cut printed: scale, entities, findings, cut, areas, findings
counted and in no area, seconds. The command a user runs for the same figures is printed
too.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from graph.store import SqliteStore, open_store
from queries.areas import BY, area_map
from queries.scan import scan
from queries.triage import current_statuses


def _database(scale: float, seed: int, source: Path | None, work: Path, rescan: bool) -> Path:
    name = f"county-s{scale:g}-seed{seed}"
    db = work / f"{name}.db"
    prepared = source / f"{name}.db" if source else None
    if prepared is not None and prepared.exists():
        shutil.copyfile(prepared, db)
    else:
        from loaders.load import load_folder
        from synthetic import generate_county

        county = generate_county(work / name, scale=scale, seed=seed)
        store = SqliteStore(db)
        try:
            load_folder(county.data_dir, store)
        finally:
            store.close()
        rescan = True
    if rescan:
        store = SqliteStore(db)
        try:
            started = time.perf_counter()
            scan(store)
            print(f"# scale {scale:g}: scanned every rule in {time.perf_counter() - started:.1f} s")
        finally:
            store.close()
    return db


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--from", dest="source", type=Path, default=Path("/tmp/umbrella-bench-16"),
                   help="a folder of prepared databases (copied, never written)")
    p.add_argument("--scan", action="store_true", help="run every rule on the copy first")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    print("scale  entities  findings  cut     areas  counted  unplaced  seconds")
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            db = _database(scale, args.seed, args.source, Path(tmp), args.scan)
            store = open_store(db)
            try:
                view = store.view()
                entities = sum(view.counts_by_kind().values())
                findings = len(view.findings())
                current = current_statuses(store) or {}
                statuses = {k: e.status for k, e in current.items()}
                for by in BY:
                    best = float("inf")
                    for _ in range(args.repeat):
                        started = time.perf_counter()
                        m = area_map(store.view(), by, statuses)
                        best = min(best, time.perf_counter() - started)
                    print(f"{scale:>5g}  {entities:>8}  {findings:>8}  {by:<6}  "
                          f"{len(m.areas):>5}  {m.counted:>7}  {m.unplaced:>8}  {best:>7.2f}")
            finally:
                store.close()
    print("# the same, as a user runs it: umbrella areas --db county.db --by region|agency|sector")


if __name__ == "__main__":
    main()
