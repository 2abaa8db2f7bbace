"""Load throughput against plain ``pandas.read_csv`` of the same files, in the same run.

Run:  .venv/bin/python bench/load.py [--scales 1 10] [--seed 1] [--repeat 3]

For each scale: generate a county (not timed), then time (a) reading every
CSV with ``pandas.read_csv(dtype=str)`` -- the baseline -- and (b) the whole
``umbrella load`` into a new embedded database (read, validate, resolve,
write, commit), then (c) loading the same folder again. Prints rows/s and the
ratio load / baseline (lower is better; the aim is <= 4). Best of --repeat.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from graph.store import SqliteStore
from loaders.generator import generate_county
from loaders.load import load_folder


def _best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'scale':>6} {'rows':>10} {'read_csv s':>11} {'load s':>8} {'reload s':>9} "
          f"{'load rows/s':>12} {'ratio':>6} {'reload ratio':>13}")
    for scale in args.scales:
        with tempfile.TemporaryDirectory() as tmp:
            county = generate_county(Path(tmp) / "county", scale=scale, seed=args.seed)
            files = sorted(county.data_dir.glob("*.csv"))
            rows = sum(county.rows.values())

            def baseline() -> None:
                for f in files:
                    pd.read_csv(f, dtype=str, keep_default_na=False)

            n = [0]

            def load() -> None:
                n[0] += 1
                store = SqliteStore(Path(tmp) / f"bench{n[0]}.db")
                load_folder(county.data_dir, store)
                store.close()

            base = _best(baseline, args.repeat)
            full = _best(load, args.repeat)
            store = SqliteStore(Path(tmp) / "bench1.db")
            again = _best(lambda: load_folder(county.data_dir, store), 1)
            store.close()
            print(f"{scale:>6g} {rows:>10,} {base:>11.2f} {full:>8.2f} {again:>9.2f} "
                  f"{rows / full:>12,.0f} {full / base:>6.1f} {again / base:>13.1f}")


if __name__ == "__main__":
    main()
