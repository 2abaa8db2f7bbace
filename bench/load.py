"""Load throughput against plain ``pandas.read_csv`` of the same files, in the same run.

Run:  .venv/bin/python bench/load.py [--scales 1 10] [--seed 1] [--repeat 2]

For each scale: generate a county (not timed), then time (a) reading every
CSV with ``pandas.read_csv(dtype=str, on_bad_lines="skip")`` -- the baseline --
and (b) the whole load into a new embedded database (read, decode, validate,
resolve identities, build records, write, index, commit), then (c) loading
the same folder again into that database. Prints rows/s and the ratio
load / baseline (lower is better). Best of --repeat.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from graph.store import SqliteStore
from loaders.load import load_folder
from synthetic import generate_county


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _read_all(files: list[Path]) -> None:
    for f in files:
        pd.read_csv(f, dtype=str, keep_default_na=False, on_bad_lines="skip")


def _load_new(folder: Path, db: Path) -> None:
    db.unlink(missing_ok=True)
    Path(str(db) + "-wal").unlink(missing_ok=True)
    store = SqliteStore(db)
    load_folder(folder, store)
    store.close()


def _reload(folder: Path, db: Path) -> None:
    store = SqliteStore(db)
    load_folder(folder, store)
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    print(f"{'scale':>6} {'rows':>10} {'read_csv s':>11} {'load s':>8} {'reload s':>9} "
          f"{'load rows/s':>12} {'ratio':>6} {'reload ratio':>13}", flush=True)
    for scale in args.scales:
        with tempfile.TemporaryDirectory() as tmp:
            county = generate_county(Path(tmp) / "county", scale=scale, seed=args.seed)
            files = sorted(county.data_dir.glob("*.csv"))
            rows = sum(county.rows.values())
            db = Path(tmp) / "bench.db"
            base = _best(lambda: _read_all(files), args.repeat)  # noqa: B023
            full = _best(lambda: _load_new(county.data_dir, db), args.repeat)  # noqa: B023
            again = _best(lambda: _reload(county.data_dir, db), 1)  # noqa: B023
            print(f"{scale:>6g} {rows:>10,} {base:>11.2f} {full:>8.2f} {again:>9.2f} "
                  f"{rows / full:>12,.0f} {full / base:>6.1f} {again / base:>13.1f}", flush=True)


if __name__ == "__main__":
    main()
