"""Load speed into Neo4j by batch size, next to the embedded store in the same run.

Rerun:
    NEO4J_URI=bolt://host:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=... \\
        .venv/bin/python bench/neo4j_load.py --scales 0.2 1 --batches 1000 5000 20000 --wipe
    .venv/bin/python bench/neo4j_load.py --bridge --scales 0.2 --batches 200 1000

``--wipe`` empties the target database first (required unless it is empty); point
it only at a scratch database. ``--bridge`` starts the test Bolt bridge over
grafeo instead of a real server (needs .venv-bridge; grafeo's UNWIND costs the
square of the batch length, so its figures say nothing about Neo4j's).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the rooms before tests/

from graph.store import SqliteStore
from graph.store.neo4j import Neo4jStore
from loaders.load import load_folder
from synthetic import generate_county


@contextlib.contextmanager
def _target(bridge: bool, tmp: Path) -> Iterator[dict[str, str]]:
    if not bridge:
        if "NEO4J_URI" not in os.environ:
            sys.exit("set NEO4J_URI (and NEO4J_USER / NEO4J_PASSWORD), or pass --bridge")
        yield {"uri": os.environ["NEO4J_URI"], "engine": "neo4j"}
        return
    from neo4j_server import start_bridge

    with start_bridge(tmp) as t:
        os.environ.update({"NEO4J_USER": t.user, "NEO4J_PASSWORD": t.password})
        yield {"uri": t.uri, "engine": t.engine}


def _wipe(store: Neo4jStore) -> None:
    conn = store.connection
    while conn.write("MATCH (n) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS n")[0][
            "n"]:
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[0.2, 1.0])
    ap.add_argument("--batches", type=int, nargs="+", default=[1000, 5000, 20000])
    ap.add_argument("--wipe", action="store_true", help="empty the target database first")
    ap.add_argument("--bridge", action="store_true", help="use the grafeo Bolt bridge")
    args = ap.parse_args()
    args.wipe = args.wipe or args.bridge  # the bridge is a throwaway database
    tmp = Path(tempfile.mkdtemp(prefix="neo4j-bench-"))
    with _target(args.bridge, tmp) as target:
        print(f"target: {target['uri']} ({target['engine']})")
        print(f"{'scale':>6} {'rows':>9} {'store':>14} {'batch':>7} {'seconds':>8} "
              f"{'rows/s':>9} {'vs sqlite':>9}")
        for scale in args.scales:
            county = generate_county(tmp / f"c{scale}", scale=scale, seed=1)
            t0 = time.perf_counter()
            lite = SqliteStore(tmp / f"c{scale}.db")
            report = load_folder(county.data_dir, lite)
            lite.close()
            base = time.perf_counter() - t0
            rows = report.read
            print(f"{scale:>6} {rows:>9,} {'sqlite':>14} {'-':>7} {base:>8.1f} "
                  f"{rows / base:>9,.0f} {1.0:>9.1f}")
            for batch in args.batches:
                os.environ["UMBRELLA_NEO4J_BATCH_ROWS"] = str(batch)
                store = Neo4jStore.from_env(target["uri"])
                if not store.is_empty():
                    if not args.wipe:
                        sys.exit("the target database is not empty: pass --wipe (it deletes "
                                 "everything in it) or point NEO4J_DATABASE elsewhere")
                    _wipe(store)
                    store.close()
                    store = Neo4jStore.from_env(target["uri"])
                t0 = time.perf_counter()
                load_folder(county.data_dir, store)
                took = time.perf_counter() - t0
                store.close()
                print(f"{scale:>6} {rows:>9,} {target['engine'][:14]:>14} {batch:>7,} "
                      f"{took:>8.1f} {rows / took:>9,.0f} {took / base:>9.1f}")


if __name__ == "__main__":
    main()
