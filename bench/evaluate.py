"""``umbrella evaluate`` on generated counties: precision at k, recall and median rank.

Run:  .venv/bin/python bench/evaluate.py [--scales 0.3 1] [--seeds 1 2 3] [--k 10 20 50]

For each (scale, seed): generate a county, load it, scan it, write the county's
ground truth as a truth file (what an office would write from its closed cases:
one row per id, with a label, a category and a group), then evaluate the stored
leads against it, as ``umbrella evaluate --truth FILE`` does. The truth file holds:

- every planted scheme, once per category it belongs to, its anchor ids forming
  one group (found when one finding of the category names them all, as
  ``bench/recall.py`` counts it);
- every planted network (umbrella network, bid-rigging ring) under ``cluster``, its
  members one group (found when one community holds them all);
- every umbrella official under ``broker``, one item each.

Decoys (look-alikes) are not confirmed items: a lead on a decoy counts as a false
lead. The truth files are written beside the counties (``--keep DIR`` keeps them).
"""

from __future__ import annotations

import argparse
import csv
import shlex
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.store import SqliteStore
from loaders.load import load_folder
from queries.evaluate import Evaluation, evaluate, items_of, stored_leads
from queries.scan import scan
from synthetic import generate_county
from synthetic.truth import Truth, read_truth
from umbrella.evaluate_cmd import read_truth_file

#: The header of a truth file.
COLUMNS = ("id", "label", "category", "group")


def truth_rows(truth: Truth) -> Iterator[tuple[str, str, str, str]]:
    """The rows of a truth file (:data:`COLUMNS`) for a generated county's ground truth.

    Examples
    --------
    >>> from synthetic.truth import Network, Scheme
    >>> t = Truth(seed=1, scale=1.0, brokers=("P9",),
    ...           schemes=(Scheme("S1", "COL", "shared_contact", "phone", ("collusion",),
    ...                           ("C1", "C2"), ("C1", "C2", "K1"), "…"),),
    ...           networks=(Network("N1", "bid_rigging_ring", ("C1", "C2", "C3")),))
    >>> for row in truth_rows(t):
    ...     print(row)
    ('C1', 'S1 shared_contact/phone', 'collusion', 'S1')
    ('C2', 'S1 shared_contact/phone', 'collusion', 'S1')
    ('C1', 'N1 bid_rigging_ring', 'cluster', 'N1')
    ('C2', 'N1 bid_rigging_ring', 'cluster', 'N1')
    ('C3', 'N1 bid_rigging_ring', 'cluster', 'N1')
    ('P9', 'umbrella official', 'broker', '')
    """
    for s in truth.schemes:
        for category in s.categories:
            for sid in s.anchor:
                yield sid, f"{s.id} {s.pattern}/{s.variant}", category, s.id
    for n in truth.networks:
        for sid in n.members:
            yield sid, f"{n.id} {n.kind}", "cluster", n.id
    for sid in truth.brokers:
        yield sid, "umbrella official", "broker", ""


def write_truth_csv(truth: Truth, path: Path) -> Path:
    """Write :func:`truth_rows` as a UTF-8 CSV truth file; returns ``path``."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerows(truth_rows(truth))
    return path


def run_county(folder: Path, scale: float, seed: int, ks: list[int]
               ) -> tuple[Evaluation, int, float]:
    """Generate, load, scan and evaluate one county; the evaluation, the truth-file rows
    set aside and the scan's seconds."""
    county = generate_county(folder / f"county-{scale:g}-{seed}", scale=scale, seed=seed)
    store = SqliteStore(folder / f"county-{scale:g}-{seed}.db")
    try:
        load_folder(county.data_dir, store)
        t0 = time.perf_counter()
        scan(store)
        took = time.perf_counter() - t0
        truth_path = write_truth_csv(read_truth(county.truth_path),
                                     folder / f"county-{scale:g}-{seed}.truth.csv")
        view = store.view()
        truth = read_truth_file(view, truth_path)
        leads = stored_leads(view, store.location)
    finally:
        store.close()
    return evaluate(leads, items_of(truth.rows), ks), len(truth.set_aside), took


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.3, 1.0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--k", type=int, nargs="+", default=[10, 20, 50])
    ap.add_argument("--keep", type=Path, help="Keep the counties, databases and truth files "
                    "in this folder.")
    args = ap.parse_args()
    print("rerun: " + shlex.join([".venv/bin/python", "bench/evaluate.py", "--scales",
                                  *map(str, args.scales), "--seeds", *map(str, args.seeds),
                                  "--k", *map(str, args.k)]), flush=True)
    recalls: dict[str, list[float]] = defaultdict(list)
    medians: dict[str, list[float]] = defaultdict(list)
    precisions: dict[int, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for scale in args.scales:
            for seed in args.seeds:
                result, aside, took = run_county(folder, scale, seed, args.k)
                at_k = "  ".join(f"P@{p.k} {_f(p.precision)} ({p.hits}/{p.leads})"
                                 for p in result.precision)
                print(f"\nscale {scale:g} seed {seed}: {result.leads} leads, scan {took:.1f}s, "
                      f"truth rows set aside {aside}; {at_k}", flush=True)
                print(f"  {'category':<22} {'items':>5} {'found':>5} {'recall':>6} "
                      f"{'median rank':>11} {'findings':>8}")
                for r in result.recall:
                    print(f"  {r.category:<22} {r.items:>5} {r.found:>5} {_f(r.recall):>6} "
                          f"{_f(r.median_rank):>11} {r.leads:>8}", flush=True)
                    if r.recall is not None:
                        recalls[r.category].append(r.recall)
                    if r.median_rank is not None:
                        medians[r.category].append(r.median_rank)
                for p in result.precision:
                    if p.precision is not None:
                        precisions[p.k].append(p.precision)
    _summary(recalls, medians, precisions)


def _summary(recalls: dict[str, list[float]], medians: dict[str, list[float]],
             precisions: dict[int, list[float]]) -> None:
    print("\nover all counties: " + "  ".join(
        f"P@{k} {statistics.mean(v):.2f}" for k, v in sorted(precisions.items())))
    print(f"  {'category':<22} {'mean recall':>11} {'min':>5} {'median of medians':>17}")
    for cat in sorted(recalls):
        med: Any = statistics.median(medians[cat]) if medians[cat] else None
        print(f"  {cat:<22} {statistics.mean(recalls[cat]):>11.2f} {min(recalls[cat]):>5.2f} "
              f"{_f(med):>17}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
