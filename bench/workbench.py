"""The workbench over HTTP: p50/p95/max per endpoint and the server's memory.

Run:  .venv/bin/python bench/workbench.py [--db /tmp/umbrella-bench/county-s10-seed1.db]
                 [--work /tmp/umbrella-bench/workbench] [--requests 200] [--seed 1]
                 [--neo4j-bridge]

The database is copied into ``--work`` first (the bench never opens the original; the
server opens its copy read-only). ``umbrella serve --port 0`` is started as a
subprocess on 127.0.0.1 (the time until it prints its address, index included, is
"start"); one client then sends a bounded loop of requests, one at a time, each
endpoint ``--requests`` times after 5 warm-up requests that are not counted:

- search: a two-character part of a random person's name (1 in 2), a whole name,
  an input id, an identity number or a phone (1 in 8 each);
- entity: a random person (4 in 5) or organization;
- expand: the first page (25) of a random person's or organization's neighbours;
- path: between a random person and the end of a random walk of 2 to 4 ties from
  them (ends that are joined, as an investigator asks), hubs above 200 ties avoided;
- findings: the first page of the leads, with a random filter.

Times are wall-clock per request on the client (connection kept open). Memory: the
server process's resident set (``VmRSS``) and peak (``VmHWM``) from /proc after the loop.

``--neo4j-bridge``: the copy is pushed (:func:`graph.store.copy.copy_store`, batches of
200 rows) into the test Bolt bridge over grafeo (``tests/neo4j_server.py``; needs
``.venv-bridge`` or ``UMBRELLA_BRIDGE_PYTHON``), and the server runs with ``--db
bolt://...``, its credentials in the environment as a user would set them. The
bridge's own memory is printed too. Its figures are grafeo's, for information: they
say nothing about a real Neo4j's speed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
MAIN = "import sys; sys.argv[0] = 'umbrella'; from umbrella.cli import main; main()"


def _inputs(db: Path, rng: random.Random) -> dict[str, Any]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    persons = conn.execute(
        "SELECT e.key, a.source_id, e.name, json_extract(e.props, '$.id_number'), "
        "json_extract(e.props, '$.phone') FROM entities e JOIN aliases a ON a.key = e.key "
        "WHERE e.kind = 'person' AND a.tbl = 'persons'").fetchall()
    orgs = conn.execute(
        "SELECT a.source_id FROM aliases a WHERE a.tbl = 'organizations'").fetchall()
    ids = {k: sid for k, sid, *_rest in persons}
    pairs = []
    while len(pairs) < 400:
        start = rng.choice(persons)
        here, hops = start[0], rng.randint(2, 4)
        for _i in range(hops):
            nxt = [r[0] for r in conn.execute(
                "SELECT dst FROM relations WHERE src = ? UNION SELECT src FROM relations "
                "WHERE dst = ?", (here, here))]
            if not nxt:
                break
            here = rng.choice(nxt)
        end = conn.execute("SELECT source_id FROM aliases WHERE key = ? LIMIT 1",
                           (here,)).fetchone()
        if end and here != start[0]:
            pairs.append((ids[start[0]], str(end[0])))
    rules = [r[0] for r in conn.execute("SELECT DISTINCT rule FROM findings")]
    conn.close()
    return {"persons": persons, "orgs": [o[0] for o in orgs], "pairs": pairs, "rules": rules}


def _search(rng: random.Random, inp: dict[str, Any]) -> str:
    _k, sid, name, idn, phone = rng.choice(inp["persons"])
    pick = rng.random()
    if pick < 0.5 and len(name) >= 2:
        i = rng.randrange(0, len(name) - 1)
        q = name[i:i + 2]
    elif pick < 0.625:
        q = name
    elif pick < 0.75:
        q = sid
    elif pick < 0.875:
        q = idn or sid
    else:
        q = phone or sid
    return f"/api/search?q={quote(q)}&limit=20"


def _entity_id(rng: random.Random, inp: dict[str, Any]) -> str:
    return rng.choice(inp["orgs"]) if rng.random() < 0.2 else rng.choice(inp["persons"])[1]


def _findings(rng: random.Random, inp: dict[str, Any]) -> str:
    filters = ["", "min_score=0.8", "category=umbrella",
               f"rule={rng.choice(inp['rules'])}" if inp["rules"] else ""]
    return f"/api/findings?limit=50&{rng.choice(filters)}"


REQUESTS = {
    "search": _search,
    "entity": lambda rng, inp: f"/api/entity/{quote(_entity_id(rng, inp))}",
    "expand": lambda rng, inp: f"/api/expand/{quote(_entity_id(rng, inp))}?limit=25",
    "path": lambda rng, inp: "/api/path?from={}&to={}&hub_degree=200".format(
        *rng.choice(inp["pairs"])),
    "findings": _findings,
}


def _status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            name, value = line.split(":")
            out[name] = int(value.split()[0]) // 1024
    return out


def _children(name: str) -> list[int]:
    """Ids of this process's child processes whose command line holds ``name``."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and name.encode() in cmdline:
            out.append(int(stat.parent.name))
    return out


@contextlib.contextmanager
def _bridge(copy: Path, work: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The grafeo Bolt bridge holding ``copy``: its address and the environment to reach
    it (credentials never in argv)."""
    sys.path.insert(0, str(REPO / "tests"))
    sys.path.insert(0, str(REPO))  # the rooms before tests/
    from neo4j_server import start_bridge
    from neo4j_stores import BRIDGE_BATCH_ROWS

    from graph.store import SqliteStore
    from graph.store.copy import copy_store
    from graph.store.neo4j import Neo4jStore

    with start_bridge(work / "bridge", timeout=120) as target:
        env = {"NEO4J_USER": target.user, "NEO4J_PASSWORD": target.password,
               "NEO4J_DATABASE": target.database, "UMBRELLA_NEO4J_BATCH_ROWS": BRIDGE_BATCH_ROWS}
        t = time.perf_counter()
        src, dst = SqliteStore(copy), Neo4jStore.from_env(target.uri, env=env)
        try:
            copy_store(src, dst)
        finally:
            src.close()
            dst.close()
        print(f"pushed {copy.name} into the grafeo bridge in {time.perf_counter() - t:.0f} s",
              file=sys.stderr)
        yield target.uri, env


def _loop(db: str, env: dict[str, str], inp: dict[str, Any], rng: random.Random,
          args: argparse.Namespace) -> dict[str, Any]:
    """Start ``umbrella serve --db db``, run the request loop, stop the server."""
    log = args.work / "serve.out"
    t0 = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-c", MAIN, "serve", "--db", db,
                                 "--port", "0"], stdout=out, stderr=subprocess.DEVNULL,
                                cwd=args.work,
                                env={**os.environ, **env, "PYTHONPATH": str(REPO)})
    try:
        url = ""
        while not url:
            if proc.poll() is not None:
                raise SystemExit("umbrella serve stopped; see " + str(log))
            found = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", log.read_text())
            if found:
                url = found.group(0)
            time.sleep(0.05)
        start = time.perf_counter() - t0
        assert found is not None
        port, token = int(found.group(1)), found.group(2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", f"/?token={token}")
        resp = conn.getresponse()
        resp.read()
        cookie = resp.getheader("set-cookie", "").split(";")[0]
        rss_idle = _status(proc.pid)
        times: dict[str, list[float]] = {}
        bad = 0
        for name, make in REQUESTS.items():
            for i in range(args.requests + 5):
                path = make(rng, inp)
                t = time.perf_counter()
                conn.request("GET", path, headers={"Cookie": cookie})
                r = conn.getresponse()
                body = r.read()
                took = (time.perf_counter() - t) * 1000
                if r.status != 200:
                    bad += 1
                    print(f"  {r.status} {path}: {body[:200]!r}", file=sys.stderr)
                if i >= 5:
                    times.setdefault(name, []).append(took)
                json.loads(body)
        mem = _status(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    return {"start": start, "times": times, "bad": bad, "idle": rss_idle, "mem": mem}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("/tmp/umbrella-bench/county-s10-seed1.db"))
    ap.add_argument("--work", type=Path, default=Path("/tmp/umbrella-bench/workbench"))
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--neo4j-bridge", action="store_true",
                    help="serve the county from the grafeo Bolt bridge (figures for "
                    "information: they say nothing about a real Neo4j)")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    copy = args.work / args.db.name
    if not copy.exists() or copy.stat().st_size != args.db.stat().st_size:
        shutil.copyfile(args.db, copy)
    rng = random.Random(args.seed)
    inp = _inputs(copy, rng)
    bridge_mem: dict[str, int] = {}
    if args.neo4j_bridge:
        with _bridge(copy, args.work) as (uri, env):
            got = _loop(uri, env, inp, rng, args)
            for pid in _children("bolt_grafeo.py"):
                bridge_mem = _status(pid)
        store = "the grafeo Bolt bridge (for information, not a Neo4j's speed)"
    else:
        got = _loop(str(copy), {}, inp, rng, args)
        store = "SQLite"
    counts = sqlite3.connect(f"file:{copy}?mode=ro", uri=True).execute(
        "SELECT count(*) FROM entities WHERE kind = 'person'").fetchone()[0]
    print(f"workbench bench: {copy.name} ({counts:,} persons) on {store}, {args.requests} "
          f"requests per endpoint, one client, seed {args.seed}")
    print(f"server start (index built, address printed): {got['start']:.1f} s")
    print(f"{'endpoint':<10}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, ts in got["times"].items():
        ts.sort()
        p95 = ts[min(len(ts) - 1, round(0.95 * (len(ts) - 1)))]
        print(f"{name:<10}{statistics.median(ts):>9.1f}{p95:>9.1f}{ts[-1]:>9.1f}")
    idle, mem = got["idle"], got["mem"]
    print(f"server memory: {idle.get('VmRSS', 0)} MB resident when ready, "
          f"{mem.get('VmRSS', 0)} MB after the loop, peak {mem.get('VmHWM', 0)} MB")
    if bridge_mem:
        print(f"bridge memory: {bridge_mem.get('VmRSS', 0)} MB resident after the loop, "
              f"peak {bridge_mem.get('VmHWM', 0)} MB")
    print(f"non-200 answers: {got['bad']}")
    print("rerun: cd " + str(REPO) + " && " + " ".join(
        [sys.executable, "bench/workbench.py", "--db", str(args.db), "--work", str(args.work),
         "--requests", str(args.requests), "--seed", str(args.seed)]
        + (["--neo4j-bridge"] if args.neo4j_bridge else [])))


if __name__ == "__main__":
    main()
