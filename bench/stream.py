"""Streaming loads: time and peak memory of loading OCDS JSON lines of growing size.

Rerun:  .venv/bin/python bench/stream.py [--sizes 100 300 1000] [--work DIR]

For each size (MB) a file of synthetic OCDS releases is written (three bids
each, shared firms and buyers; ``tests/loaders/test_ocds_stream.py`` writes the
same kind, not timed) and loaded into a fresh embedded database by ``umbrella
load --format ocds`` in its own process. Printed: rows loaded, seconds, rows/s,
and the process's peak resident set (``VmHWM``, everything: Python, SQLite's
cache, the C parser). Baseline, same file, same run: reading it line by line
with ``json.loads`` and keeping nothing (the least any loader must do).
Memory that does not grow with the file is what "streams" means here.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()

from synthetic.ocds import write_releases  # noqa: E402

CHILD = """
import json, sys, time
from pathlib import Path
mode, path, db = sys.argv[1:4]
t0 = time.perf_counter()
if mode == "parse":
    n = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            json.loads(line)
            n += 1
else:
    from graph.store import SqliteStore
    from loaders.standards.ocds import load_ocds
    store = SqliteStore(Path(db))
    report = load_ocds(Path(path), store)
    store.close()
    n = report.loaded
took = time.perf_counter() - t0
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"rows": n, "seconds": took, "peak_mb": peak / 1024}))
"""


def child(mode: str, path: Path, db: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), str(db)],
                         check=True, capture_output=True, text=True, cwd=HERE.parents[1])
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[100, 300, 1000])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "umbrella-stream")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    print("Rerun: .venv/bin/python bench/stream.py " + " ".join(sys.argv[1:]))
    print(f"{'file MB':>8} {'releases':>9} | {'rows':>10} {'seconds':>8} {'rows/s':>8} "
          f"{'peak MB':>8} | {'json.loads s':>12} {'peak MB':>8} {'ratio':>6}")
    for mb in args.sizes:
        path = args.work / f"releases-{mb:g}mb.jsonl"
        t0 = time.perf_counter()
        releases = write_releases(path, mb)
        wrote = time.perf_counter() - t0
        db = args.work / f"releases-{mb:g}mb.db"
        for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            p.unlink(missing_ok=True)
        base = child("parse", path, db)
        load = child("load", path, db)
        size = path.stat().st_size / 1e6
        print(f"{size:>8.0f} {releases:>9,} | {load['rows']:>10,.0f} {load['seconds']:>8.1f} "
              f"{load['rows'] / load['seconds']:>8,.0f} {load['peak_mb']:>8.0f} | "
              f"{base['seconds']:>12.1f} {base['peak_mb']:>8.0f} "
              f"{load['seconds'] / base['seconds']:>5.1f}x   (file written in {wrote:.0f} s)",
              flush=True)
        path.unlink()


if __name__ == "__main__":
    main()
