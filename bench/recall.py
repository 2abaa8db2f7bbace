"""Recall of planted schemes and decoys flagged, per category, on generated counties.

Run:  .venv/bin/python bench/recall.py [--scales 0.2 1 5] [--seeds 1 2 3]

For each (scale, seed): generate a county, load it, run every rule, then
compare with the ground truth written beside the county: a scheme is found
when a finding of its category names all of its anchor ids; a decoy is
wrongly flagged when a finding of its category names all of its anchor ids.
Prints one row per (scale, seed, category) and the misses, if any.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.store import SqliteStore
from loaders.load import load_folder
from queries.registry import RULES
from queries.scan import scan
from synthetic import generate_county
from synthetic.truth import read_truth


def _hit(findings: list[dict[str, Any]], category: str, anchor: tuple[str, ...]) -> bool:
    return any(f["category"] == category and set(anchor) <= set(f["entities"])
               for f in findings)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.2, 1.0, 5.0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args()
    cats = sorted({r.category for r in RULES.values()})
    print(f"{'scale':>5} {'seed':>4} {'category':<22} {'schemes':>7} {'found':>5} {'recall':>6} "
          f"{'decoys':>6} {'flagged':>7} {'findings':>8} {'scan s':>6}", flush=True)
    for scale in args.scales:
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as tmp:
                county = generate_county(Path(tmp) / "c", scale=scale, seed=seed)
                store = SqliteStore(Path(tmp) / "c.db")
                load_folder(county.data_dir, store)
                t0 = time.perf_counter()
                findings = scan(store).findings
                took = time.perf_counter() - t0
                store.close()
                truth = read_truth(county.truth_path)
                misses: dict[str, list[str]] = defaultdict(list)
                for cat in cats:
                    schemes = [s for s in truth.schemes if cat in s.categories]
                    decoys = [d for d in truth.decoys if cat in d.categories]
                    found = [s for s in schemes if _hit(findings, cat, s.anchor)]
                    flagged = [d for d in decoys if _hit(findings, cat, d.anchor)]
                    misses[cat] += [f"missed {s.id} {s.pattern}/{s.variant}" for s in schemes
                                    if s not in found]
                    misses[cat] += [f"decoy flagged {d.id} {d.pattern}" for d in flagged]
                    n = sum(f["category"] == cat for f in findings)
                    recall = len(found) / len(schemes) if schemes else float("nan")
                    print(f"{scale:>5g} {seed:>4} {cat:<22} {len(schemes):>7} {len(found):>5} "
                          f"{recall:>6.2f} {len(decoys):>6} {len(flagged):>7} {n:>8} "
                          f"{took:>6.1f}", flush=True)
                for cat, lines in misses.items():
                    for line in lines:
                        print(f"      {cat}: {line}", flush=True)


if __name__ == "__main__":
    main()
