"""Where the Neo4j tests run: a real server from the environment, or the grafeo Bolt bridge.

``NEO4J_URI`` (with ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``) names a
real server; the tests wipe that database (every node and relationship).
Otherwise the bridge, ``tests/neo4j_bridge/bolt_grafeo.py``, is started under a
Python >= 3.12 that has grafeo: ``UMBRELLA_BRIDGE_PYTHON`` or
``<repo>/.venv-bridge/bin/python`` (``.ci/run`` creates it).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BRIDGE_SCRIPT = REPO / "tests" / "neo4j_bridge" / "bolt_grafeo.py"
BRIDGE_VENV_PYTHON = REPO / ".venv-bridge" / "bin" / "python"
NO_NEO4J = ("no Neo4j: set NEO4J_URI to a scratch database, or create .venv-bridge "
            "(Python >= 3.12 with grafeo) as .ci/run does")
WIPE_BATCH = 10_000


@dataclass(frozen=True)
class Neo4jTarget:
    """A Neo4j endpoint for tests; ``engine`` is "neo4j" or "grafeo-bolt-bridge"."""

    uri: str
    user: str
    password: str
    database: str
    engine: str

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    def with_scheme(self, scheme: str) -> Neo4jTarget:
        """The same endpoint under another URI scheme, e.g. ``neo4j`` for routing.

        >>> Neo4jTarget("bolt://h:1", "u", "p", "neo4j", "neo4j").with_scheme("neo4j").uri
        'neo4j://h:1'
        """
        return replace(self, uri=f"{scheme}://{self.uri.split('://', 1)[1]}")


def find_bridge_python() -> str | None:
    """The Python that runs the bridge: ``UMBRELLA_BRIDGE_PYTHON``, else ``.venv-bridge``."""
    env = os.environ.get("UMBRELLA_BRIDGE_PYTHON")
    if env:
        return env
    return str(BRIDGE_VENV_PYTHON) if BRIDGE_VENV_PYTHON.exists() else None


def neo4j_required() -> bool:
    """True when missing Neo4j must fail the tests instead of skipping them (CI)."""
    return os.environ.get("UMBRELLA_REQUIRE_NEO4J") == "1"


def bridge_python_or_skip() -> str:
    """The bridge's Python; skip the test without one (fail when Neo4j is required)."""
    python = find_bridge_python()
    if python is None:
        if neo4j_required():
            pytest.fail(NO_NEO4J + " (UMBRELLA_REQUIRE_NEO4J=1)", pytrace=False)
        pytest.skip(NO_NEO4J)
    return python


def target_from_env() -> Neo4jTarget | None:
    """The real server named by ``NEO4J_URI``, if any."""
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    return Neo4jTarget(uri=uri, user=os.environ.get("NEO4J_USER", "neo4j"),
                       password=os.environ.get("NEO4J_PASSWORD", ""),
                       database=os.environ.get("NEO4J_DATABASE", "neo4j"), engine="neo4j")


@contextmanager
def start_bridge(tmp_dir: Path, fail_commits: Sequence[int] | None = None, *,
                 python: str | None = None, persistent: bool = False,
                 bolt: str | None = None, timeout: float = 30.0) -> Iterator[Neo4jTarget]:
    """Run the grafeo Bolt bridge for the duration of the ``with`` block.

    The password is random and passed in the environment (never argv); the
    bridge's stderr goes to ``tmp_dir/bridge.stderr`` and is quoted if it does
    not come up within ``timeout`` seconds.
    """
    python = python or find_bridge_python()
    if python is None:
        raise RuntimeError(NO_NEO4J)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    port_file = tmp_dir / "bridge.port"
    port_file.unlink(missing_ok=True)
    stderr_path = tmp_dir / "bridge.stderr"
    user, password = "neo4j", secrets.token_urlsafe(18)
    cmd = [python, str(BRIDGE_SCRIPT), "--host", "127.0.0.1", "--port", "0",
           "--port-file", str(port_file)]
    if persistent:
        cmd += ["--path", str(tmp_dir / "data")]
    if fail_commits:
        cmd += ["--fail-commits", ",".join(str(n) for n in fail_commits)]
    if bolt:
        cmd += ["--bolt", bolt]
    env = {**os.environ, "BRIDGE_USER": user, "BRIDGE_PASSWORD": password}
    with stderr_path.open("wb") as stderr:
        try:
            proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=stderr)
        except OSError as exc:
            raise RuntimeError(f"cannot start the Neo4j bridge with {python}: {exc}") from exc
    try:
        port = _wait_for_port(proc, port_file, stderr_path, timeout)
        yield Neo4jTarget(uri=f"bolt://127.0.0.1:{port}", user=user, password=password,
                          database="neo4j", engine="grafeo-bolt-bridge")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for_port(proc: subprocess.Popen[bytes], port_file: Path, stderr_path: Path,
                   timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_file.exists():
            text = port_file.read_text().strip()
            if text.isdigit():
                return int(text)
        if proc.poll() is not None:
            raise RuntimeError(f"the Neo4j bridge exited with code {proc.returncode}:\n"
                               + _tail(stderr_path))
        time.sleep(0.02)
    raise RuntimeError(f"the Neo4j bridge did not report a port within {timeout:g} s:\n"
                       + _tail(stderr_path))


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-limit:]
    except OSError:
        return "(no stderr)"


def wipe(target: Neo4jTarget) -> None:
    """Delete every node and relationship of the target database; keep its schema."""
    import neo4j

    with neo4j.GraphDatabase.driver(target.uri, auth=target.auth) as driver:
        while True:
            records, _, _ = driver.execute_query(
                "MATCH (n) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted",
                batch=WIPE_BATCH, database_=target.database)
            if records[0]["deleted"] < WIPE_BATCH:
                return
