"""``umbrella similar`` on generated counties: do the other planted schemes of a family rank
at the top, starting from one of them?

Run:  .venv/bin/python bench/similar.py [--scales 1 10] [--seeds 1 2 3] [--from DIR]

For each (scale, seed): a generated county (copied from ``--from`` when it holds
``county-s<scale>-seed<seed>.db`` and its truth, else generated and loaded), scanned
(unless it holds the pattern rules' findings already);
then for each scheme family (COI, SUB, COL, UMB, REC) the first planted scheme a rule of
the family found is the seed: its finding (the best-scored one naming all of the
scheme's anchor ids) is given to :func:`queries.similar.similar_to`. A ranking finds an
other scheme of the family when one of its first k places names all of that scheme's
anchor ids (as ``bench/recall.py`` counts a finding). Printed, per family: recall at 10
and 50 of

- ``similar``: the places :func:`similar_to` ranks;
- ``rule``: the seed finding's own rule's other findings, by score;
- ``random``: the same places ``similar`` considered, in random order (mean of 20);

the same among the schemes of the seed's own pattern (``pattern``), the background
look-alikes (decoys) of the family in the first 10 places, and the seconds one
``similar`` took. ``--patterns``: the same from the first scheme of every pattern
with two schemes or more, among the schemes of that pattern. ``role@10``/``role@50``:
the fallback for an entity, from the seed scheme's first person (its subject): the
other schemes of the family one of whose anchor ids is among the first 10 / 50
entities ranked by typed-neighbourhood similarity (a looser test: one id, not all),
and its seconds.
"""

from __future__ import annotations

import argparse
import random
import shlex
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph.store import SqliteStore, StoreView
from loaders.load import load_folder
from queries.engine import Engine
from queries.scan import scan
from queries.similar import Hit, similar_to
from synthetic import generate_county
from synthetic.truth import Scheme, Truth, read_truth

FAMILIES = ("COI", "SUB", "COL", "UMB", "REC")
KS = (10, 50)


def found_in(ranking: Sequence[set[str]], scheme: Scheme, k: int) -> bool:
    """Whether one of the first ``k`` places names every anchor id of ``scheme``.

    Examples
    --------
    >>> s = Scheme("S1", "COI", "kin_role", "spouse", ("conflict_of_interest",), ("P1", "C1"),
    ...            (), "")
    >>> found_in([{"P2"}, {"P1", "C1", "O1"}], s, 1), found_in([{"P2"}, {"P1", "C1"}], s, 2)
    (False, True)
    """
    return any(set(scheme.anchor) <= ids for ids in ranking[:k])


def recall(ranking: Sequence[set[str]], others: Sequence[Scheme], k: int) -> float | None:
    """Share of ``others`` found in the first ``k`` places (None: no other scheme).

    Examples
    --------
    >>> s = Scheme("S1", "COI", "p", "v", (), ("P1",), (), "")
    >>> recall([{"P1"}], [s], 10), recall([], [], 10)
    (1.0, None)
    """
    if not others:
        return None
    return sum(found_in(ranking, s, k) for s in others) / len(others)


def seed_finding(truth: Truth, findings: list[dict[str, Any]], family: str,
                 pattern: str | None = None) -> tuple[Scheme, dict[str, Any]] | None:
    """The first scheme of ``family`` (and ``pattern``) a rule of the family found, and
    that finding."""
    for s in sorted((s for s in truth.schemes if s.family == family
                     and pattern in (None, s.pattern)), key=lambda s: s.id):
        named = [f for f in findings if str(f["rule"]).startswith(family)
                 and set(s.anchor) <= set(f["entities"])]
        if named:
            return s, max(named, key=lambda f: (f["score"], f["id"]))
    return None


def ids_of(view: StoreView, hits: Sequence[Hit]) -> list[set[str]]:
    """Every input id of each hit's entities."""
    keys = sorted({k for h in hits for k in h.keys})
    ents = view.entities_by_key(keys)
    return [{i for k in h.keys if k in ents for i in ents[k].source_ids} for h in hits]


def county_db(folder: Path, scale: float, seed: int, source: Path | None) -> tuple[Path, Path]:
    """A scanned county database of its own, and its truth file."""
    name = f"county-s{scale:g}-seed{seed}"
    db, truth = folder / f"{name}.db", folder / f"{name}.truth.json"
    if source is not None and (source / f"{name}.db").exists() \
            and (source / f"{name}.truth.json").exists():
        shutil.copyfile(source / f"{name}.db", db)  # never written in place
        shutil.copyfile(source / f"{name}.truth.json", truth)
        store = SqliteStore(db)
    else:
        county = generate_county(folder / name, scale=scale, seed=seed)
        truth = county.truth_path
        store = SqliteStore(db)
        load_folder(county.data_dir, store)
    try:
        if any(not str(f["rule"]).startswith(("CLU", "BRK")) for f in store.view().findings()):
            print(f"  {name}: scanned already", flush=True)
        else:
            t0 = time.perf_counter()
            scan(store)
            print(f"  {name}: scanned in {time.perf_counter() - t0:.1f}s", flush=True)
    finally:
        store.close()
    return db, truth


def pattern_rows(view: StoreView, engine: Engine, truth: Truth, findings: list[dict[str, Any]],
                 scale: float, seed: int, sums: dict[tuple[float, str, str], list[float]]
                 ) -> None:
    """For every pattern with two planted schemes or more: the first one a rule found as
    the seed, recall at 10 and 50 of the pattern's other schemes by ``similar`` and by the
    seed's rule alone."""
    patterns = sorted({(s.family, s.pattern) for s in truth.schemes})
    print(f"  {'pattern':<28} {'others':>6} {'sim@10':>6} {'sim@50':>6} {'rule@10':>7} "
          f"{'rule@50':>7} {'secs':>5}")
    for family, pattern in patterns:
        picked = seed_finding(truth, findings, family, pattern)
        if picked is None:
            continue
        scheme, finding = picked
        others = [s for s in truth.schemes if (s.family, s.pattern) == (family, pattern)
                  and s != scheme]
        if not others:
            continue
        t0 = time.perf_counter()
        ranked = ids_of(view, similar_to(view, finding, top=50, engine=engine))
        took = time.perf_counter() - t0
        by_rule = [set(f["entities"]) for f in sorted(
            (f for f in findings if f["rule"] == finding["rule"] and f["id"] != finding["id"]),
            key=lambda f: (-f["score"], f["id"]))]
        row = [recall(ranked, others, 10), recall(ranked, others, 50),
               recall(by_rule, others, 10), recall(by_rule, others, 50)]
        for name, value in zip(("p_sim10", "p_sim50", "p_rule10", "p_rule50"), row,
                               strict=True):
            if value is not None:
                sums[(scale, "patterns", name)].append(value)
        print(f"  {family + '/' + pattern:<28} {len(others):>6} {_f(row[0]):>6} "
              f"{_f(row[1]):>6} {_f(row[2]):>7} {_f(row[3]):>7} {took:>5.1f}", flush=True)


def _f(x: float | None) -> str:
    return "   -" if x is None else f"{x:4.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--patterns", action="store_true",
                    help="Also seed from every pattern with two schemes or more.")
    ap.add_argument("--no-role", dest="role", action="store_false",
                    help="Leave out the entity fallback (typed-neighbourhood similarity).")
    ap.add_argument("--from", dest="source", type=Path,
                    help="A folder of generated county databases to copy (never written).")
    args = ap.parse_args()
    print("rerun: " + shlex.join(["bench/similar.py", "--scales", *map(str, args.scales),
                                  "--seeds", *map(str, args.seeds),
                                  *(["--from", str(args.source)] if args.source else []),
                                  *([] if args.role else ["--no-role"]),
                                  *(["--patterns"] if args.patterns else [])]))
    head = (f"{'scale':>5} {'seed':>4} {'fam':<4} {'seed scheme':<28} {'others':>6} "
            f"{'sim@10':>6} {'sim@50':>6} {'rule@10':>7} {'rule@50':>7} {'rnd@10':>6} "
            f"{'rnd@50':>6} {'pat':>3} {'pat@10':>6} {'decoy@10':>8} {'places':>6} "
            f"{'secs':>5} {'role@10':>7} {'role@50':>7} {'secs':>5}")
    sums: dict[tuple[float, str, str], list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            for seed in args.seeds:
                db, truth_path = county_db(Path(tmp), scale, seed, args.source)
                truth = read_truth(truth_path)
                store = SqliteStore(db)
                view = store.view()
                findings = view.findings()
                engine = Engine(view)
                print(head, flush=True)
                for family in FAMILIES:
                    picked = seed_finding(truth, findings, family)
                    if picked is None:
                        print(f"{scale:>5g} {seed:>4} {family:<4} no scheme found by a rule")
                        continue
                    scheme, finding = picked
                    others = [s for s in truth.schemes if s.family == family and s != scheme]
                    same = [s for s in others if s.pattern == scheme.pattern]
                    t0 = time.perf_counter()
                    every = similar_to(view, finding, top=1_000_000, engine=engine)
                    took = time.perf_counter() - t0
                    ranked = ids_of(view, every[:50])
                    rule = sorted((f for f in findings if f["rule"] == finding["rule"]
                                   and f["id"] != finding["id"]),
                                  key=lambda f: (-f["score"], f["id"]))
                    by_rule = [set(f["entities"]) for f in rule]
                    everyone = ids_of(view, every)
                    rnd: dict[int, list[float]] = defaultdict(list)

                    for r in range(20):
                        order = list(everyone)
                        random.Random(r).shuffle(order)
                        for k in KS:
                            rnd[k].append(recall(order, others, k) or 0.0)
                    role = {}
                    subject = next((i for i in scheme.anchor if i.startswith("P")), None)
                    t1 = time.perf_counter()
                    if subject is not None and args.role:
                        people = ids_of(view, similar_to(view, subject, top=50, engine=engine))
                        for k in KS:
                            role[k] = (sum(any(ids & set(s.anchor) for ids in people[:k])
                                           for s in others) / len(others)) if others else None
                    role_secs = time.perf_counter() - t1
                    decoys = [d for d in truth.decoys if d.family == family]
                    flagged = sum(any(set(d.anchor) <= ids for ids in ranked[:10])
                                  for d in decoys)
                    row = {"sim10": recall(ranked, others, 10), "sim50": recall(ranked, others, 50),
                           "rule10": recall(by_rule, others, 10),
                           "rule50": recall(by_rule, others, 50),
                           "rnd10": statistics.mean(rnd[10]) if others else None,
                           "rnd50": statistics.mean(rnd[50]) if others else None,
                           "pat10": recall(ranked, same, 10),
                           "role10": role.get(10), "role50": role.get(50)}
                    for name, value in row.items():
                        if value is not None:
                            sums[(scale, family, name)].append(value)
                    sums[(scale, family, "secs")].append(took)
                    if role:
                        sums[(scale, family, "role_secs")].append(role_secs)
                    label = f"{scheme.id} {scheme.pattern}/{scheme.variant}"[:28]
                    print(f"{scale:>5g} {seed:>4} {family:<4} {label:<28} {len(others):>6} "
                          f"{_f(row['sim10']):>6} {_f(row['sim50']):>6} {_f(row['rule10']):>7} "
                          f"{_f(row['rule50']):>7} {_f(row['rnd10']):>6} {_f(row['rnd50']):>6} "
                          f"{len(same):>3} {_f(row['pat10']):>6} {flagged:>4}/{len(decoys):<3} "
                          f"{len(every):>6} {took:>5.1f} {_f(row['role10']):>7} "
                          f"{_f(row['role50']):>7} {role_secs:>5.1f}", flush=True)
                if args.patterns:
                    pattern_rows(view, engine, truth, findings, scale, seed, sums)
                engine.close()
                store.close()
    print("\nmean over seeds:")
    print(f"{'scale':>5} {'fam':<4} {'sim@10':>6} {'sim@50':>6} {'rule@10':>7} {'rule@50':>7} "
          f"{'rnd@10':>6} {'rnd@50':>6} {'pat@10':>6} {'secs':>5} {'role@10':>7} "
          f"{'role@50':>7} {'secs':>5}")
    for scale in args.scales:
        for family in FAMILIES:
            def m(name: str, scale: float = scale, family: str = family) -> str:
                v = sums.get((scale, family, name))
                return _f(statistics.mean(v)) if v else "   -"
            secs = sums.get((scale, family, "secs"))
            rsecs = sums.get((scale, family, "role_secs"))
            print(f"{scale:>5g} {family:<4} {m('sim10'):>6} {m('sim50'):>6} {m('rule10'):>7} "
                  f"{m('rule50'):>7} {m('rnd10'):>6} {m('rnd50'):>6} {m('pat10'):>6} "
                  f"{statistics.mean(secs) if secs else 0:>5.1f} {m('role10'):>7} "
                  f"{m('role50'):>7} {statistics.mean(rsecs) if rsecs else 0:>5.1f}")

    for scale in args.scales:
        got = {n: sums.get((scale, "patterns", n)) for n in
               ("p_sim10", "p_sim50", "p_rule10", "p_rule50")}
        if got["p_sim10"]:
            print(f"{scale:>5g} every pattern, its own schemes: " + "  ".join(
                f"{n[2:]} {statistics.mean(v):.2f}" for n, v in got.items() if v))


if __name__ == "__main__":
    main()
