"""Scan time: all rules, each rule, and COI-001 + UMB-001 against a networkx baseline.

Run:  .venv/bin/python bench/scan.py [--scales 1 5 10] [--seed 1] [--no-memory]

For each scale: generate a county and load it into a new embedded (SQLite)
database -- neither is counted in the results; their durations are printed
apart. Then, in the same run and on the same stored graph:

1. the full scan, ``queries.scan.scan(store)``: every registered rule, findings
   turned into dicts and written back to the store (total seconds);
2. the same rules one by one on one shared ``Context``, in the scan's order:
   seconds per rule, with the frames and shared caches (kin chains, ties) each
   rule was the first to need -- it pays for them, later rules get them free;
   then those caches timed on their own over the loaded frames;
3. "ours": COI-001 then UMB-001 on a fresh ``Context`` (frames read from the
   store, kin chains, ties, findings with their evidence paths);
4. the baseline of ``bench/baseline_nx.py``: every entity and relationship
   record of the store into one ``nx.MultiDiGraph`` (build, timed apart), then
   COI-001 and UMB-001 as per-contract / per-case walks over it. Its hits
   (official, contract) and (official, case) are compared with the full
   scan's findings' ``keys[0:2]``; differences are printed, a few of each.

Both sides read the store through the same view calls (``relations_frame``,
``entities_frame``), so the speed-up (baseline build + rules / ours) measures
the rule work, not the reader. Memory (unless ``--no-memory``): the peak of
Python-traced allocations (``tracemalloc``; numpy/pandas buffers included,
SQLite's own page cache not) of the full scan, of ours and of the baseline
(graph and both rules), each in a separate pass after the timed ones, since
tracing slows the code down. Absolute times on a shared 2-core machine are
noisy: read the ratios, which are measured in the same run.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from baseline_nx import build_graph, coi_001, umb_001

from graph.store import SqliteStore, StoreView
from loaders.load import load_folder
from queries.context import Context
from queries.engine import Engine
from queries.frames import Frames
from queries.registry import RULES
from queries.scan import scan
from queries.settings import load_settings
from synthetic import generate_county

T = TypeVar("T")
Pair = tuple[str, str]
HitSets = tuple[set[Pair], set[Pair]]


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Run ``fn`` once (after a garbage collection): its result and wall seconds."""
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def peak_mb(fn: Callable[[], object]) -> float:
    """Peak traced allocation (MB) above the level when ``fn`` began."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


@dataclass
class RuleTime:
    """One rule's run on the shared context and what it was first to compute."""

    code: str
    seconds: float
    findings: int
    paid_for: list[str] = field(default_factory=list)


def per_rule(store: SqliteStore) -> tuple[list[RuleTime], float, dict[str, float]]:
    """Every enabled rule on one shared context, in scan order; then the shared caches alone.

    Returns the rule times, the seconds spent turning findings into dicts, and
    the stand-alone seconds of the shared ``kin_chains`` and ``ties`` tables on a fresh
    engine whose base tables are already read.
    """
    config = load_settings()
    frames = Frames(store.view())
    ctx = Context(frames, config=config)
    times: list[RuleTime] = []
    to_dict = 0.0
    # pattern rules first: the algorithm rules reuse their findings
    for code in sorted(RULES, key=lambda c: (RULES[c].category in ("cluster", "broker"), c)):
        if not ctx.enabled(code):
            continue
        tables = set(frames.engine._have)
        t0 = time.perf_counter()
        found = ctx.run(code)
        seconds = time.perf_counter() - t0
        paid = sorted(frames.engine._have - tables)
        times.append(RuleTime(code, seconds, len(found), paid))
        t0 = time.perf_counter()
        for f in found:
            f.to_dict(frames)
        to_dict += time.perf_counter() - t0
    fresh = Engine(store.view(), params={"chain_hops": ctx.chain_hops()})
    for name in ("rel_KIN", "rel_ASSOCIATE", "rel_COMPANY_ROLE", "rel_HOLDS_POST",
                 "rel_APPROVED", "rel_CASE_ROLE", "rel_PAID_TO"):
        fresh.ensure(name)
    alone = {}
    for name in ("kin_chains", "ties"):
        t0 = time.perf_counter()
        fresh.ensure(name)
        alone[name] = time.perf_counter() - t0
    fresh.close()
    return times, to_dict, alone


def ours(store: SqliteStore) -> dict[str, int]:
    """COI-001 then UMB-001 on a fresh context: findings per rule."""
    ctx = Context(Frames(store.view()))
    counts = {}
    for code in ("COI-001", "UMB-001"):
        counts[code] = len(ctx.run(code))
    return counts


@dataclass
class Baseline:
    """The networkx baseline's hits, seconds per step and graph size."""

    coi_hits: set[Pair]
    umb_hits: set[Pair]
    build_s: float
    coi_s: float
    umb_s: float
    nodes: int
    edges: int

    @property
    def total_s(self) -> float:
        return self.build_s + self.coi_s + self.umb_s


def baseline(view: StoreView) -> Baseline:
    """Build the MultiDiGraph and run both baseline rules; the graph is freed on return."""
    config = load_settings()
    coi, umb = config.rule("COI-001"), config.rule("UMB-001")
    g, build_s = timed(lambda: build_graph(view))
    coi_hits, coi_s = timed(lambda: coi_001(g, list(coi["roles"]), int(coi["max_kin_hops"])))
    umb_hits, umb_s = timed(
        lambda: umb_001(g, list(umb["gang_roles"]), int(umb["max_kin_hops"])))
    return Baseline(coi_hits, umb_hits, build_s, coi_s, umb_s, g.number_of_nodes(),
                    g.number_of_edges())


def _diff(name: str, ours_: set[Pair], base: set[Pair], examples: int) -> tuple[bool, str]:
    """Whether two hit sets agree, and a note (with a few examples when they do not)."""
    if ours_ == base:
        return True, f"{name}: rules and baseline agree on {len(ours_)} hits"
    only_ours = sorted(ours_ - base)
    only_base = sorted(base - ours_)
    lines = [f"{name}: DISAGREE -- rules {len(ours_)}, baseline {len(base)}, "
             f"only in rules {len(only_ours)}, only in baseline {len(only_base)}"]
    lines += [f"    only in rules:    {a} {b}" for a, b in only_ours[:examples]]
    lines += [f"    only in baseline: {a} {b}" for a, b in only_base[:examples]]
    return False, "\n".join(lines)


@dataclass
class Row:
    """One scale's figures for the summary table."""

    scale: float
    persons: int
    records: int
    scan_s: float
    ours_s: float
    base: Baseline
    agree: bool
    memory: dict[str, float] = field(default_factory=dict)

    @property
    def speedup(self) -> float:
        return self.base.total_s / self.ours_s if self.ours_s else float("inf")


def run_scale(scale: float, seed: int, examples: int, memory: bool) -> Row:
    """Generate, load, scan, compare: one scale, everything freed on return."""
    with tempfile.TemporaryDirectory(prefix="umbrella-bench-") as tmp:
        county, gen_s = timed(lambda: generate_county(Path(tmp) / "county", scale=scale,
                                                      seed=seed))
        store = SqliteStore(Path(tmp) / "bench.db")
        try:
            _, load_s = timed(lambda: load_folder(county.data_dir, store))
            view = store.view()
            persons = view.counts_by_kind().get("person", 0)
            records = sum(view.counts_by_type().values())
            print(f"\n== scale {scale:g} (seed {seed}): {persons:,} persons, {records:,} "
                  f"relationship records; generated in {gen_s:.1f} s, loaded in {load_s:.1f} s "
                  "(neither counted below)", flush=True)

            result, scan_s = timed(lambda: scan(store))
            print(f"full scan: {scan_s:.2f} s, findings {result.counts}", flush=True)
            found: dict[str, set[Pair]] = {"COI-001": set(), "UMB-001": set()}
            for f in result.findings:
                if f["rule"] in found:
                    found[f["rule"]].add((f["keys"][0], f["keys"][1]))
            del result

            (times, to_dict, alone), _ = timed(lambda: per_rule(store))
            print("per rule (one shared context, scan order; a rule pays for what it is "
                  "first to need):", flush=True)
            for t in times:
                print(f"  {t.code:<8} {t.seconds:>8.2f} s  {t.findings:>5} findings  "
                      f"pays for: {', '.join(t.paid_for) or '-'}", flush=True)
            print(f"  findings -> dicts {to_dict:.2f} s; shared tables alone (base tables read): "
                  f"kin_chains {alone['kin_chains']:.2f} s, ties {alone['ties']:.2f} s",
                  flush=True)

            counts, ours_s = timed(lambda: ours(store))
            print(f"ours COI-001 + UMB-001 (fresh context): {ours_s:.2f} s, findings {counts}",
                  flush=True)

            base = baseline(view)
            print(f"baseline: build {base.build_s:.2f} s ({base.nodes:,} nodes, "
                  f"{base.edges:,} edges), COI-001 {base.coi_s:.2f} s, UMB-001 "
                  f"{base.umb_s:.2f} s", flush=True)
            ok_coi, note_coi = _diff("COI-001", found["COI-001"], base.coi_hits, examples)
            ok_umb, note_umb = _diff("UMB-001", found["UMB-001"], base.umb_hits, examples)
            print(note_coi, note_umb, sep="\n", flush=True)

            row = Row(scale, persons, records, scan_s, ours_s, base, ok_coi and ok_umb)
            if memory:
                row.memory = {"scan": peak_mb(lambda: scan(store)),
                              "ours": peak_mb(lambda: ours(store)),
                              "nx": peak_mb(lambda: baseline(view))}
                print("peak traced memory (tracemalloc, separate pass): " + ", ".join(
                    f"{k} {v:.0f} MB" for k, v in row.memory.items()), flush=True)
        finally:
            store.close()
    gc.collect()
    return row


def print_table(rows: list[Row]) -> None:
    """The summary: one row per scale."""
    print(f"\n{'scale':>5} {'persons':>9} {'records':>9} {'scan s':>7} {'ours s':>7} "
          f"{'nx build s':>10} {'nx rules s':>10} {'speed-up':>8} {'agree':>5} "
          f"{'scan MB':>7} {'ours MB':>7} {'nx MB':>6}")
    for r in rows:
        mem = " ".join(f"{r.memory[k]:>{w}.0f}" if k in r.memory else f"{'-':>{w}}"
                       for k, w in (("scan", 7), ("ours", 7), ("nx", 6)))
        print(f"{r.scale:>5g} {r.persons:>9,} {r.records:>9,} {r.scan_s:>7.2f} "
              f"{r.ours_s:>7.2f} {r.base.build_s:>10.2f} {r.base.coi_s + r.base.umb_s:>10.2f} "
              f"{r.speedup:>7.1f}x {'yes' if r.agree else 'NO':>5} {mem}")
    print("scan s: full scan (all rules, findings stored). ours s: COI-001 + UMB-001 on a fresh "
          "context.\nnx: networkx baseline (graph build; both rules). speed-up: nx build + "
          "rules / ours.\nagree: baseline hits == rule hits. MB: tracemalloc peak, separate "
          "untimed pass.", flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 5.0, 10.0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--examples", type=int, default=5,
                    help="differences shown per rule when the baseline disagrees")
    ap.add_argument("--no-memory", action="store_true",
                    help="skip the tracemalloc passes")
    args = ap.parse_args(argv)
    rows = []
    for scale in args.scales:
        rows.append(run_scale(scale, args.seed, args.examples, not args.no_memory))
        print_table(rows[-1:])
    if len(rows) > 1:
        print("\n== all scales")
        print_table(rows)


if __name__ == "__main__":
    main()
