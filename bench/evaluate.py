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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.analysis.community import workable_size
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


@dataclass
class Targets:
    """Issue 16's measures of the algorithm rules on one county: planted networks wholly
    inside one of the ten best communities, the largest of those ten against what an
    investigator can work, and umbrella officials who are the subject of a top-20 broker."""

    networks: int = 0
    inside_top10: int = 0
    largest_top10: int = 0
    cap: int = 0
    officials: int = 0
    top20_subjects: int = 0


def targets(truth: Truth, findings: list[dict[str, Any]], actors: int) -> Targets:
    """:class:`Targets` of one county from its stored findings (``actors``: its people and
    organizations).

    Examples
    --------
    >>> from synthetic.truth import Network
    >>> t = Truth(seed=1, scale=1.0, brokers=("P9",),
    ...           networks=(Network("N1", "bid_rigging_ring", ("C1", "C2")),))
    >>> f = [{"rule": "CLU-001", "rank": 1, "members": 3, "entities": ["C1", "C2", "P1"]},
    ...      {"rule": "BRK-001", "rank": 1, "entities": ["P9", "C1"]}]
    >>> targets(t, f, 1000)
    Targets(networks=1, inside_top10=1, largest_top10=3, cap=40, officials=1, top20_subjects=1)
    """
    clusters = sorted((f for f in findings if f["rule"] == "CLU-001"), key=lambda f: f["rank"])
    brokers = sorted((f for f in findings if f["rule"] == "BRK-001"), key=lambda f: f["rank"])
    top = [set(f["entities"]) for f in clusters[:10]]
    subjects = {f["entities"][0] for f in brokers[:20] if f["entities"]}
    return Targets(
        networks=len(truth.networks),
        inside_top10=sum(any(set(n.members) <= c for c in top) for n in truth.networks),
        largest_top10=max((int(f["members"]) for f in clusters[:10]), default=0),
        cap=workable_size(actors), officials=len(truth.brokers),
        top20_subjects=sum(b in subjects for b in truth.brokers))


def run_county(folder: Path, scale: float, seed: int, ks: list[int]
               ) -> tuple[Evaluation, int, float, Targets]:
    """Generate, load, scan and evaluate one county; the evaluation, the truth-file rows
    set aside, the scan's seconds and the issue's measures."""
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
        actors = sum(county.rows.get(t, 0) for t in ("persons", "organizations"))
        measured = targets(read_truth(county.truth_path), view.findings(), actors)
    finally:
        store.close()
    return evaluate(leads, items_of(truth.rows), ks), len(truth.set_aside), took, measured


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
    total: list[Targets] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for scale in args.scales:
            for seed in args.seeds:
                result, aside, took, t = run_county(folder, scale, seed, args.k)
                total.append(t)
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
                print(f"  planted networks wholly inside a top-10 community: {t.inside_top10} "
                      f"of {t.networks}; largest top-10 community {t.largest_top10} members "
                      f"(workable: {t.cap}); umbrella officials the subject of a top-20 broker: "
                      f"{t.top20_subjects} of {t.officials}", flush=True)
    _summary(recalls, medians, precisions)
    nets, inside = sum(t.networks for t in total), sum(t.inside_top10 for t in total)
    offs, subj = sum(t.officials for t in total), sum(t.top20_subjects for t in total)
    print(f"  networks wholly inside a top-10 community: {inside} of {nets} "
          f"({inside / max(nets, 1):.2f}); umbrella officials the subject of a top-20 broker: "
          f"{subj} of {offs} ({subj / max(offs, 1):.2f}); largest top-10 community over "
          f"workable: {max((t.largest_top10 / t.cap for t in total), default=0):.2f}")


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
