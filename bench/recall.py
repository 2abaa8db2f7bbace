"""Recall of planted schemes and decoys flagged, per category, on generated counties.

Run:  .venv/bin/python bench/recall.py [--scales 0.2 1 5] [--seeds 1 2 3]

For each (scale, seed): generate a county, load it, run every rule, then
compare with the ground truth written beside the county: a scheme is found
when a finding of its category names all of its anchor ids; a decoy is
wrongly flagged when a finding of its category names all of its anchor ids.
Prints one row per (scale, seed, category) and the misses, if any; then one
row per kind of look-alike of the innocent background (kin firms elsewhere,
small markets, switchboards, agency accounts, dropped cases, namesakes) and
per kind of shielding scheme or shared-identifier ring, with how many there
are, how many were flagged (look-alikes) or found (schemes) in their
category, and by which rules.
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
from synthetic.truth import BACKGROUND_KINDS, SHIELD_KINDS, Decoy, Scheme, Truth, read_truth


def _hit(findings: list[dict[str, Any]], category: str, anchor: tuple[str, ...]) -> bool:
    return any(f["category"] == category and set(anchor) <= set(f["entities"])
               for f in findings)


def _rules(findings: list[dict[str, Any]], item: Scheme | Decoy) -> set[str]:
    return {str(f["rule"]) for f in findings if f["category"] in item.categories
            and set(item.anchor) <= set(f["entities"])}


def kind_rows(truth: Truth, findings: list[dict[str, Any]]) -> list[str]:
    """One line per look-alike kind of the background and per shielding or ring kind.

    Examples
    --------
    >>> from synthetic.truth import Truth
    >>> kind_rows(Truth(seed=0, scale=1.0), [])[0].split()[:3]
    ['look-alike', 'COI/kin_firm_elsewhere', '0']
    """
    out: list[str] = []
    items: list[tuple[str, tuple[str, str], list[Scheme] | list[Decoy]]] = [
        ("look-alike", key, [d for d in truth.decoys if (d.family, d.pattern) == key])
        for key in BACKGROUND_KINDS]
    items += [("scheme", key, [s for s in truth.schemes if (s.family, s.pattern) == key])
              for key in SHIELD_KINDS]
    for what, key, group in items:
        hits = [r for r in (_rules(findings, x) for x in group) if r]
        rules = sorted({code for r in hits for code in r})
        out.append(f"{what:<10} {'/'.join(key):<26} {len(group):>4} "
                   f"{'flagged' if what == 'look-alike' else 'found':>7} {len(hits):>4}  "
                   f"{', '.join(rules) or '-'}")
    return out


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
                for line in kind_rows(truth, findings):
                    print(f"      {line}", flush=True)


if __name__ == "__main__":
    main()
