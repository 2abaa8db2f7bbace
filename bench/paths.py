"""Path and recusal questions pushed down to the store, next to reading the whole graph.

Rerun:
    .venv/bin/python bench/paths.py --scales 0.2 1 10 --pairs 20
    .venv/bin/python bench/paths.py --scales 0.2 1 --pairs 10 --bridge
    NEO4J_URI=bolt://host:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=... \\
        .venv/bin/python bench/paths.py --scales 1 --neo4j --wipe

For each scale a county is generated and loaded into the embedded store (cached
under ``--work``; not counted). The same seeded pairs of entities are then
asked for their shortest paths (default settings: at most 3 paths, hubs above
100 ties avoided), both ways, on each store:

- **pushdown**: :func:`queries.paths.explain_paths`, which asks the store for
  the ties of one search level at a time (SQL on the embedded store, Cypher on
  Neo4j) and reads only the entities and records on the paths found;
- **whole graph**: :func:`queries.paths.reference_paths` over fresh frames,
  i.e. every relationship record read from the store into memory first (what
  a path question cost before the pushdown).

The same for ``umbrella recuse`` on seeded cases: the case's neighbourhood
read a few ties at a time (:func:`queries.recusal.recusals_from_store`) against
:func:`queries.recusal.recusals` over fresh frames of the whole graph.

Both must give the same answers; the script checks it. ``--bridge`` copies the
county into the test Bolt bridge over grafeo (needs .venv-bridge; its figures
are grafeo's, not Neo4j's); ``--neo4j`` into the server of ``NEO4J_URI``
(``--wipe`` empties that database first: point it only at a scratch database).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1] / "tests"))
sys.path.insert(0, str(HERE.parents[1]))  # the rooms before tests/

from graph.store import SqliteStore, Store, StoreView  # noqa: E402
from graph.store.copy import copy_store  # noqa: E402
from graph.store.neo4j import Neo4jStore  # noqa: E402
from loaders.load import load_folder  # noqa: E402
from queries.frames import Frames  # noqa: E402
from queries.paths import PathResult, explain_paths, reference_paths  # noqa: E402
from queries.recusal import recusals, recusals_from_store  # noqa: E402
from synthetic import generate_county  # noqa: E402


def county_db(work: Path, scale: float, seed: int) -> Path:
    """The embedded database of a generated county, built once under ``work``."""
    db = work / f"county-s{scale:g}-seed{seed}.db"
    if not db.exists():
        t0 = time.perf_counter()
        county = generate_county(work / f"county-s{scale:g}-seed{seed}", scale=scale, seed=seed)
        part = db.with_suffix(".part")
        part.unlink(missing_ok=True)
        store = SqliteStore(part)
        load_folder(county.data_dir, store)
        store.close()
        part.rename(db)
        print(f"  generated and loaded in {time.perf_counter() - t0:.0f} s (not counted)")
    return db


def pairs_of(view: StoreView, n: int, seed: int) -> list[tuple[str, str]]:
    people = sorted(view.entity_names("person"))
    others = people + sorted(view.entity_names("organization"))
    rng = random.Random(seed)
    return [(rng.choice(people), rng.choice(others)) for _ in range(n)]


def timed(ask: Callable[[str, str], PathResult],
          pairs: list[tuple[str, str]]) -> tuple[list[float], list[PathResult]]:
    times, results = [], []
    for a, b in pairs:
        t0 = time.perf_counter()
        results.append(ask(a, b))
        times.append(time.perf_counter() - t0)
    return times, results


def report(label: str, view: StoreView, pairs: list[tuple[str, str]]) -> None:
    explain_paths(view, *pairs[0])  # warm-up: first queries compile and cache
    down, got = timed(lambda a, b: explain_paths(view, a, b), pairs)
    whole, want = timed(lambda a, b: reference_paths(Frames(view), a, b), pairs)
    if got != want:
        sys.exit(f"{label}: the pushdown and the whole-graph answers differ")
    joined = sum(1 for r in got if r.paths)
    hops = statistics.median(len(r.paths[0]) // 2 for r in got if r.paths) if joined else 0
    mid_down, mid_whole = statistics.median(down), statistics.median(whole)
    print(f"  {label:<14} {len(pairs):>5} {joined:>6} {hops:>6} {mid_down:>10.3f} "
          f"{max(down):>8.3f} {mid_whole:>10.3f} {mid_whole / mid_down:>7.1f}x")


def report_recusals(label: str, view: StoreView, cases: list[str]) -> None:
    recusals_from_store(view, cases[0])  # warm-up
    down, whole, found = [], [], 0
    for case in cases:
        t0 = time.perf_counter()
        got = recusals_from_store(view, case)[0]
        t1 = time.perf_counter()
        want = recusals(Frames(view), case)
        whole.append(time.perf_counter() - t1)
        down.append(t1 - t0)
        if got != want:
            sys.exit(f"{label}: recusals of {case} differ")
        found += len(got)
    mid_down, mid_whole = statistics.median(down), statistics.median(whole)
    print(f"  {label:<14} {len(cases):>5} {found:>6} {'':>6} {mid_down:>10.3f} "
          f"{max(down):>8.3f} {mid_whole:>10.3f} {mid_whole / mid_down:>7.1f}x")


@contextmanager
def neo4j_copy(lite: Store, bridge: bool, wipe: bool, tmp: Path) -> Iterator[Neo4jStore]:
    """The county copied into the bridge or into ``NEO4J_URI``'s database."""
    if bridge:
        from neo4j_server import start_bridge

        with start_bridge(tmp) as t:
            os.environ.update({"NEO4J_USER": t.user, "NEO4J_PASSWORD": t.password})
            store = Neo4jStore.from_env(t.uri)
            copy_store(lite, store)
            yield store
            store.close()
        return
    if "NEO4J_URI" not in os.environ:
        sys.exit("set NEO4J_URI (and NEO4J_USER / NEO4J_PASSWORD), or pass --bridge")
    store = Neo4jStore.from_env(os.environ["NEO4J_URI"])
    if not store.is_empty():
        if not wipe:
            sys.exit("the target database is not empty: pass --wipe (it deletes everything "
                     "in it) or point NEO4J_DATABASE elsewhere")
        conn = store.connection
        while conn.write("MATCH (n) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS n")[0][
                "n"]:
            pass
    copy_store(lite, store)
    yield store
    store.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[0.2, 1.0, 10.0])
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "umbrella-bench")
    ap.add_argument("--bridge", action="store_true", help="also on the grafeo Bolt bridge")
    ap.add_argument("--neo4j", action="store_true", help="also on NEO4J_URI's database")
    ap.add_argument("--wipe", action="store_true", help="empty the Neo4j database first")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    print("Rerun: .venv/bin/python bench/paths.py " + " ".join(sys.argv[1:]))
    print("seconds per path question (median, max); the whole-graph read is the baseline")
    for scale in args.scales:
        print(f"\nscale {scale:g}:")
        lite = SqliteStore(county_db(args.work, scale, args.seed))
        pairs = pairs_of(lite.view(), args.pairs, args.seed)
        print(f"  {'path A B':<14} {'pairs':>5} {'joined':>6} {'ties':>6} "
              f"{'pushdown':>10} {'max':>8} {'whole':>10} {'ratio':>8}")
        cases = sorted(lite.view().entity_names("case"))
        cases = random.Random(args.seed).sample(cases, min(args.pairs, len(cases)))
        report("sqlite", lite.view(), pairs)
        print(f"  {'recuse CASE':<14} {'cases':>5} {'lines':>6}")
        report_recusals("sqlite", lite.view(), cases)
        if args.bridge or args.neo4j:
            t0 = time.perf_counter()
            with neo4j_copy(lite, args.bridge, args.wipe,
                            Path(tempfile.mkdtemp(prefix="paths-bench-"))) as neo:
                print(f"  (copied into {'the grafeo bridge' if args.bridge else 'Neo4j'} in "
                      f"{time.perf_counter() - t0:.0f} s, not counted)")
                print(f"  {'path A B':<14} {'pairs':>5} {'joined':>6} {'ties':>6}")
                report("grafeo-bridge" if args.bridge else "neo4j", neo.view(), pairs)
                print(f"  {'recuse CASE':<14} {'cases':>5} {'lines':>6}")
                report_recusals("grafeo-bridge" if args.bridge else "neo4j", neo.view(), cases)
        lite.close()


if __name__ == "__main__":
    main()
