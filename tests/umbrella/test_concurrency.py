"""Loads, readers and scans at the same time, for real: processes, files, SQLite on disk.

Every command here runs as its own process (``python -c ... umbrella.cli``), as two
users in two terminals would run them; a load is frozen mid-write with SIGSTOP, or
killed with SIGKILL, to see what the others do meanwhile and afterwards.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from samples import snapshot

from graph.store import SqliteStore
from loaders.load import load_folder
from loaders.standards.ocds import load_ocds
from synthetic import generate_county
from synthetic.ocds import write_releases

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

CLI = "import sys; from umbrella.cli import main; sys.argv[0] = 'umbrella'; main()"
#: A command that has imported everything and starts when the file argv[1] appears, so
#: that it starts at a moment the test chooses (not a second later, after its imports).
ON_CUE = """
import pathlib, sys, time
from umbrella.cli import main
cue = pathlib.Path(sys.argv[1])
while not cue.exists():
    time.sleep(0.002)
sys.argv = ["umbrella", *sys.argv[2:]]
main()
"""
SINCE = r"since (\d{4}-\d\d-\d\d )?\d\d:\d\d"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "COLUMNS": "200",
            "PYTHONIOENCODING": "utf-8"}


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CLI, *args], env=_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CLI, *args], env=_env(), text=True,
                          capture_output=True, timeout=timeout)


def _finish(p: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


def _wait_for(condition: object, what: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.002)


def _write_locked(db: Path) -> bool:
    """Whether another connection holds the database's write lock right now."""
    if not db.exists():
        return False
    conn = sqlite3.connect(db, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc)
    finally:
        conn.close()


def _has_tables(db: Path) -> bool:
    if not db.exists():
        return False
    conn = sqlite3.connect(db, timeout=1)
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'loads'"
                            ).fetchone()[0] == 1
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def _rows(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db, timeout=5)
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.DatabaseError:
        return 0
    finally:
        conn.close()


@pytest.fixture(scope="module")
def counties(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A county (A) and a second source (B) that numbers its persons the same way but
    without identity numbers, asserting the same kin ties."""
    root = tmp_path_factory.mktemp("two-sources")
    a = generate_county(root / "a", scale=0.3, seed=11).data_dir
    b = root / "b"
    b.mkdir()
    with (a / "persons.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    at = rows[0].index("id_number")
    with (b / "persons.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0], *([*r[:at], "", *r[at + 1:]] for r in rows[1:])])
    (b / "relationships.csv").write_bytes((a / "relationships.csv").read_bytes())
    return a, b


def _sequential(tmp_path: Path, *folders: Path) -> tuple[object, ...]:
    """What loading ``folders`` one after the other into a new database gives."""
    store = SqliteStore(tmp_path / f"seq-{'-'.join(f.name for f in folders)}.db")
    try:
        for f in folders:
            load_folder(f, store)
        v = store.view()
        return snapshot(store), v.counts_by_kind(), v.counts_by_type()
    finally:
        store.close()


def test_two_loads_at_once_give_the_graph_of_one_after_the_other(
        counties: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = counties
    db = tmp_path / "case.db"
    cue = tmp_path / "go"
    first = _start("load", str(a), "--db", str(db))
    second = subprocess.Popen([sys.executable, "-c", ON_CUE, str(cue), "load", str(b), "--db",
                               str(db)], env=_env(), text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    _wait_for(lambda: _has_tables(db), "the first load to open the database")
    time.sleep(0.2)  # the first load has claimed the database and is reading its files
    assert first.poll() is None, "the first load ended before the second could start"
    cue.touch()
    code_b, _, err_b = _finish(second)
    code_a, _, err_a = _finish(first)
    assert code_a == 0, err_a
    if code_b != 0:  # refused while the first ran: it says so, then runs after it
        assert re.search(rf"Error: {re.escape(str(db))}: another load is running {SINCE} "
                         rf"\(pid {first.pid} on host .+\): load 1 of {re.escape(str(a))}",
                         err_b), err_b
        assert "Hint: wait until it has finished" in err_b
        again = _run("load", str(b), "--db", str(db))
        assert again.returncode == 0, again.stderr
    store = SqliteStore(db)
    try:
        v = store.view()
        order = [Path(ld["source"]) for ld in v.loads()]
        assert sorted(order) == sorted([a, b])
        assert (snapshot(store), v.counts_by_kind(), v.counts_by_type()) == _sequential(
            tmp_path, *order)
        # the second load checked its ids against the first's: every person id collides
        persons = {c.source_id for c in v.claims() if c.table == "persons"}
        clashes = v.collisions()
        assert v.loads()[-1]["report"]["collisions"]["tables"]["persons"] == len(clashes)
        assert len(clashes) > 0.9 * len(persons) and v.load_runs() == []
    finally:
        store.close()


def test_a_load_told_to_wait_runs_when_the_other_has_finished(
        counties: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = counties
    db = tmp_path / "case.db"
    cue = tmp_path / "go"
    first = _start("load", str(a), "--db", str(db))
    second = subprocess.Popen([sys.executable, "-c", ON_CUE, str(cue), "load", str(b), "--db",
                               str(db), "--wait", "120"], env=_env(), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for(lambda: _rows(db, "SELECT count(*) FROM loads") > 0, "the first load's claim")
    cue.touch()
    code_a, _, err_a = _finish(first)
    code_b, out_b, err_b = _finish(second)
    assert (code_a, code_b) == (0, 0), err_a + err_b
    assert re.search(rf"another load is running {SINCE} \(pid {first.pid} on host .+\): load 1 "
                     rf"of {re.escape(str(a))}; waiting up to 120 s for it to finish",
                     " ".join(err_b.split())), err_b
    assert "(load 2)" in out_b
    store = SqliteStore(db)
    try:
        v = store.view()
        assert [Path(ld["source"]) for ld in v.loads()] == [a, b]
        assert (snapshot(store), v.counts_by_kind(), v.counts_by_type()) == _sequential(
            tmp_path, a, b)
    finally:
        store.close()


def _freeze_mid_write(load: subprocess.Popen[str], db: Path) -> None:
    """Stop ``load`` (SIGSTOP) while it holds the database's write lock for its data."""
    for _ in range(2000):
        if load.poll() is not None:
            break
        if _write_locked(db):
            time.sleep(0.03)  # a claim is a few milliseconds; writing the rows is not
            if _write_locked(db):
                os.kill(load.pid, signal.SIGSTOP)
                if _write_locked(db):
                    return
                os.kill(load.pid, signal.SIGCONT)
        time.sleep(0.002)
    pytest.fail("never caught the load writing")


def test_readers_do_not_wait_for_a_load_that_writes_and_scan_refuses_it(
        counties: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = counties
    db = tmp_path / "case.db"
    store = SqliteStore(db)
    load_folder(a, store)
    store.close()
    load = _start("load", str(b), "--db", str(db))
    try:
        _freeze_mid_write(load, db)
        t0 = time.monotonic()
        stats = _run("stats", "--db", str(db), timeout=60)
        show = _run("show", "O000002", "--db", str(db), timeout=60)
        scan = _run("scan", "--db", str(db), timeout=60)
        took = time.monotonic() - t0
        assert _write_locked(db)  # the load held its write lock all along
    finally:
        os.kill(load.pid, signal.SIGCONT)
    code, _, err = _finish(load)
    assert code == 0, err
    assert stats.returncode == 0, stats.stderr
    assert re.search(rf"Load under way: load 2 of {re.escape(str(b))}, {SINCE} \(pid "
                     rf"{load.pid} on host", stats.stdout), stats.stdout
    assert "person" in stats.stdout and "Loads: 1;" in stats.stdout
    assert show.returncode == 0 and "locked" not in show.stderr, show.stderr
    assert scan.returncode == 1
    assert re.search(rf"Error: {re.escape(str(db))}: a load is running {SINCE} \(pid "
                     rf"{load.pid} on host .+\): load 2 of", scan.stderr), scan.stderr
    assert "findings now would come from a half-loaded database" in scan.stderr
    assert "locked" not in scan.stderr and took < 30
    assert _rows(db, "SELECT count(*) FROM findings") == 0
    after = _run("scan", "--db", str(db), "--format", "json")
    assert after.returncode == 0, after.stderr


def _resume_command(stats: str) -> list[str]:
    m = re.search(r"To resume it by running the same load again \(what it wrote already adds "
                  r"nothing\): (umbrella load .+)", stats)
    assert m, stats
    return shlex.split(m.group(1))[1:]


def test_a_folder_load_killed_half_way_is_marked_and_resumed(
        counties: tuple[Path, Path], tmp_path: Path) -> None:
    a, _ = counties
    db = tmp_path / "case.db"
    load = _start("load", str(a), "--db", str(db))
    _wait_for(lambda: _rows(db, "SELECT count(*) FROM sqlite_master WHERE name = 'entities'"),
              "the load to open the database")
    time.sleep(0.3)  # reading and checking the files
    load.send_signal(signal.SIGKILL)
    assert load.wait(30) == -signal.SIGKILL
    stats = _run("stats", "--db", str(db))
    assert stats.returncode == 0, stats.stderr
    assert re.search(rf"Warning: the load of {re.escape(str(a))} \(load 1, started .+ by pid "
                     rf"{load.pid} on host .+\) did not finish: its process is gone; nothing "
                     r"of it was written", stats.stdout), stats.stdout
    scan = _run("scan", "--db", str(db))
    assert scan.returncode == 1 and "did not finish" in scan.stderr
    assert "Hint: resume it by running the same load again" in scan.stderr
    resumed = _run(*_resume_command(stats.stdout))
    assert resumed.returncode == 0, resumed.stderr
    store = SqliteStore(db)
    try:
        assert store.view().load_runs() == []
        assert snapshot(store) == _sequential(tmp_path, a)[0]
    finally:
        store.close()
    assert "did not finish" not in _run("stats", "--db", str(db)).stdout


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ocds") / "releases.jsonl"
    write_releases(path, 6)  # about three chunks of 20,000 rows
    return path


def test_a_streamed_load_killed_after_a_chunk_refuses_scans_until_it_is_resumed(
        releases: Path, tmp_path: Path) -> None:
    db = tmp_path / "stream.db"
    load = _start("load", str(releases), "--format", "ocds", "--db", str(db))
    _wait_for(lambda: _rows(db, "SELECT count(*) FROM entities") > 0,
              "the first chunk to be written")
    load.send_signal(signal.SIGKILL)
    assert load.wait(30) == -signal.SIGKILL
    part = _rows(db, "SELECT count(*) FROM entities")
    stats = _run("stats", "--db", str(db))
    assert re.search(rf"Warning: the load of {re.escape(str(releases))} \(load 1, started .+ by "
                     rf"pid {load.pid} on host .+\) did not finish: its process is gone; the "
                     r"database holds part of it \(\d+ chunk\(s\) written\)", stats.stdout), (
        stats.stdout)
    assert "Loads: 0;" in stats.stdout
    scan = _run("scan", "--db", str(db))
    assert scan.returncode == 1 and "the database holds part of it" in scan.stderr
    assert _rows(db, "SELECT count(*) FROM findings") == 0
    partial = _run("scan", "--partial", "--db", str(db), "--format", "json")
    assert partial.returncode == 0, partial.stderr
    command = _resume_command(stats.stdout)
    assert command[:4] == ["load", str(releases), "--db", str(db)] and "ocds" in command
    resumed = _run(*command)
    assert resumed.returncode == 0, resumed.stderr
    store = SqliteStore(db)
    reference = SqliteStore(tmp_path / "whole.db")
    try:
        load_ocds(releases, reference)
        v = store.view()
        assert v.load_runs() == [] and len(v.loads()) == 1
        assert part < sum(v.counts_by_kind().values())
        assert (v.counts_by_kind(), v.counts_by_type()) == (
            reference.view().counts_by_kind(), reference.view().counts_by_type())
        assert snapshot(store) == snapshot(reference)
    finally:
        store.close()
        reference.close()
    assert _run("scan", "--db", str(db)).returncode == 0


def test_a_claim_left_by_a_killed_load_does_not_block_the_next(
        counties: tuple[Path, Path], tmp_path: Path) -> None:
    """The claim of a killed load is stale: the next load (another folder) takes over and
    the stopped one stays listed until it is run again."""
    a, b = counties
    db = tmp_path / "case.db"
    load = _start("load", str(a), "--db", str(db))
    _wait_for(lambda: _rows(db, "SELECT count(*) FROM loads") > 0 or _write_locked(db),
              "the load to claim the database")
    time.sleep(0.2)
    load.send_signal(signal.SIGKILL)
    load.wait(30)
    other = _run("load", str(b), "--db", str(db))
    assert other.returncode == 0, other.stderr
    assert "did not finish" in _run("stats", "--db", str(db)).stdout
