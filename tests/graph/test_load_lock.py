"""The load lock between real processes, on both backends (SQLite on disk, Neo4j or the
grafeo Bolt bridge): processes that claim it at the same moment, and a load killed on a
team server.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from neo4j_stores import open_neo4j, target_env

from graph.store import open_store

#: Opens the store, waits for its cue file, claims the lock, holds it a moment, releases.
CLAIMER = """
import os, pathlib, sys, time
from graph.errors import LoadLockedError
from graph.store import open_store
from graph.store.neo4j import Neo4jStore
db, cue, name = sys.argv[1:4]
store = (Neo4jStore.from_env(db) if db.startswith("bolt://") else open_store(db))
print("ready", flush=True)
while not pathlib.Path(cue).exists():
    time.sleep(0.001)
try:
    load = store.start_load(name)
except LoadLockedError as err:
    print("refused", err, flush=True)
else:
    held = time.time()
    time.sleep(1.5)
    print("won", load, held, time.time(), flush=True)
    store.end_load(load)
store.close()
"""


@pytest.fixture(params=["sqlite", "neo4j"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, dict[str, str]]:
    """A database location and the environment a process needs to open it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    if request.param == "neo4j":
        target = request.getfixturevalue("neo4j_db")
        open_neo4j(target).close()  # constraints and the meta node, as a first user would
        return target.uri, {**env, **target_env(target)}
    return str(tmp_path / "case.db"), env


def test_processes_that_claim_at_once_take_turns(where: tuple[str, dict[str, str]],
                                                 tmp_path: Path) -> None:
    db, env = where
    for round_ in range(2):
        cue = tmp_path / f"go-{round_}"
        procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, db, str(cue), f"/d/{n}"],
                                  env=env, text=True, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for n in range(3)]
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        cue.touch()
        said = {}
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            said[p.pid] = out.strip()
        # a process either held the lock alone for a while, or was refused naming one
        # that held it (on Neo4j a contender may also wait, retrying, and win after it)
        held = sorted((float(a), float(b), pid) for pid, text in said.items()
                      if text.startswith("won") for a, b in [text.split()[2:4]])
        assert held, said
        assert all(end <= start for (_, end, _), (start, _, _) in pairwise(held)), said
        for text in said.values():
            if not text.startswith("won"):
                m = re.fullmatch(r"refused .+: another load is running since .+ \(pid (\d+) on "
                                 r"host .+\): load \d+ of /d/\d", text)
                assert m and int(m.group(1)) in {pid for *_, pid in held}, text
    store = _open(db, env)
    try:
        assert store.view().load_runs() == [] and store.view().loads() == []
    finally:
        store.close()


def _open(db: str, env: dict[str, str]) -> Any:
    if db.startswith("bolt://"):
        from graph.store.neo4j import Neo4jStore

        return Neo4jStore.from_env(db, env=env)
    return open_store(db)


CLI = "import sys; from umbrella.cli import main; sys.argv[0] = 'umbrella'; main()"


def test_a_load_killed_on_a_team_server_is_listed_and_resumed(
        small: Path, neo4j_db: Any, tmp_path: Path) -> None:
    """On Neo4j (here the bridge): kill a load, and see it listed, scans refused, and the
    same load run again complete it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **target_env(neo4j_db),
           "UMBRELLA_NEO4J_BATCH_ROWS": "5"}  # many small transactions: killed among them
    db = neo4j_db.uri
    store = open_neo4j(neo4j_db)
    load = subprocess.Popen([sys.executable, "-c", CLI, "load", str(small), "--db", db],
                            env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + 60
        while not any(r.chunks for r in store.view().load_runs()):
            assert load.poll() is None and time.monotonic() < end, load.communicate()
            time.sleep(0.01)
        load.send_signal(signal.SIGKILL)
        load.wait(30)
        (run,) = store.view().load_runs()
        assert (run.state, run.pid, run.source) == ("interrupted", load.pid, str(small.resolve()))
        assert run.wrote_anything
    finally:
        store.close()

    def umbrella(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", CLI, *args, "--db", db], env=env,
                              text=True, capture_output=True, timeout=300)

    stats = umbrella("stats")
    assert re.search(rf"the load of {re.escape(str(small.resolve()))} \(load 1, started .+ by "
                     rf"pid {load.pid} on host .+\) did not finish: its process is gone; the "
                     r"database holds part of it", stats.stdout), stats.stdout + stats.stderr
    scan = umbrella("scan")
    assert scan.returncode == 1 and "did not finish" in scan.stderr
    again = umbrella("load", str(small))
    assert again.returncode == 0, again.stderr
    assert "did not finish" not in umbrella("stats").stdout
    assert umbrella("scan").returncode == 0


def test_a_copy_refuses_a_source_with_a_load_under_way(tmp_path: Path) -> None:
    from graph.errors import IncompleteLoadError
    from graph.store.copy import copy_store

    src, dst = open_store(tmp_path / "a.db"), open_store(tmp_path / "b.db")
    try:
        load = src.start_load("/d/county")
        with pytest.raises(IncompleteLoadError, match="a load is running since"):
            copy_store(src, dst)
        src.end_load(load)
        copy_store(src, dst)
        assert dst.view().load_runs() == [] and dst.view().loads() == []
    finally:
        src.close()
        dst.close()
