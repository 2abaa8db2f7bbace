"""Load throughput and peak memory against plain ``pandas.read_csv`` of the same files.

Run:  .venv/bin/python bench/load.py [--scales 1 10] [--seed 1] [--repeat 2]
      .venv/bin/python bench/load.py --folders ../baseline/county-s10   (existing folders)

For each scale: generate a county (not timed), then time (a) reading every
CSV with ``pandas.read_csv(dtype=str, on_bad_lines="skip")`` -- the baseline --
and (b) the whole load into a new embedded database (read, decode, validate,
resolve identities, build records, write, index, commit), then (c) loading
the same folder again into that database. Each run is a process of its own
(timed from the import of the code on, which is not timed), so that its peak
resident set (``VmHWM``: Python, Arrow, SQLite's cache) is its own. Prints
seconds, peak MB, rows/s and the ratio load / baseline (lower is better). Best
of --repeat; the peak is that of the fastest run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve()

CHILD = """
import json, sys, time
from pathlib import Path
mode, folder, db = sys.argv[1:4]
rows = 0
if mode == "read":
    import pandas as pd
    files = sorted(Path(folder).glob("*.csv"))
    t0 = time.perf_counter()
    for f in files:
        pd.read_csv(f, dtype=str, keep_default_na=False, on_bad_lines="skip")
else:
    from graph.store import SqliteStore
    from loaders.load import load_folder
    if mode == "load":
        for p in (db, db + "-wal", db + "-shm"):
            Path(p).unlink(missing_ok=True)
    t0 = time.perf_counter()
    store = SqliteStore(Path(db))
    rows = load_folder(Path(folder), store).read
    store.close()
took = time.perf_counter() - t0
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"seconds": took, "peak_mb": peak / 1024, "rows": rows}))
"""


def child(mode: str, folder: Path, db: Path) -> dict[str, float]:
    """One run in a process of its own: seconds and peak resident MB."""
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(folder), str(db)],
                         check=True, capture_output=True, text=True, cwd=HERE.parents[1])
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def best(mode: str, folder: Path, db: Path, repeat: int) -> dict[str, float]:
    """The fastest of ``repeat`` runs."""
    return min((child(mode, folder, db) for _ in range(repeat)), key=lambda r: r["seconds"])


def measure(label: str, folder: Path, work: Path, repeat: int) -> None:
    """One line of the table: ``folder`` read by pandas, loaded, and loaded again."""
    db = work / "bench.db"
    base = best("read", folder, db, repeat)
    full = best("load", folder, db, repeat)
    again = child("reload", folder, db)
    rows = int(full["rows"])  # rows read, as the load report counts them
    print(f"{label:>12} {rows:>10,} | {base['seconds']:>7.2f} {base['peak_mb']:>7.0f} | "
          f"{full['seconds']:>7.2f} {full['peak_mb']:>7.0f} {rows / full['seconds']:>9,.0f} "
          f"{full['seconds'] / base['seconds']:>6.1f} | {again['seconds']:>7.2f} "
          f"{again['peak_mb']:>7.0f} {again['seconds'] / base['seconds']:>6.1f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--folders", type=Path, nargs="+", default=[],
                    help="load these data folders instead of generating counties")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    print("Rerun: .venv/bin/python bench/load.py " + " ".join(sys.argv[1:]))
    print(f"{'scale':>12} {'rows':>10} | {'read_csv':>7} {'peak MB':>7} | {'load s':>7} "
          f"{'peak MB':>7} {'rows/s':>9} {'ratio':>6} | {'reload':>7} {'peak MB':>7} "
          f"{'ratio':>6}", flush=True)
    for folder in args.folders:
        with tempfile.TemporaryDirectory() as tmp:
            measure(folder.name, folder.resolve(), Path(tmp), args.repeat)
    if args.folders:
        return
    sys.path.insert(0, str(HERE.parents[1]))
    from synthetic import generate_county

    for scale in args.scales:
        with tempfile.TemporaryDirectory() as tmp:
            county = generate_county(Path(tmp) / "county", scale=scale, seed=args.seed)
            measure(f"{scale:g}", county.data_dir, Path(tmp), args.repeat)


if __name__ == "__main__":
    main()
