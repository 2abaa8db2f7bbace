"""Shared fixtures: small layout folders written in real encodings, real stores on disk."""

from __future__ import annotations

import os

# The tests read English unless a test asks for another language: a machine whose
# locale or UMBRELLA_LANG says Chinese must not change what they expect.
os.environ["UMBRELLA_LANG"] = "en"

from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j_server import (
    Neo4jTarget,
    bridge_python_or_skip,
    start_bridge,
    target_from_env,
    wipe,
)
from samples import write_small

from graph.store import SqliteStore


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_small(tmp_path / "small")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "case.db")
    yield s
    s.close()


@pytest.fixture(scope="session")
def neo4j_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jTarget]:
    """A Neo4j to test against: NEO4J_URI's server, else the grafeo Bolt bridge.

    Skips without either, or fails when UMBRELLA_REQUIRE_NEO4J=1 (CI sets it).
    """
    target = target_from_env()
    if target is not None:
        yield target
        return
    python = bridge_python_or_skip()
    with start_bridge(tmp_path_factory.mktemp("neo4j-bridge"), python=python) as bridge:
        yield bridge


@pytest.fixture
def neo4j_db(neo4j_target: Neo4jTarget) -> Neo4jTarget:
    """``neo4j_target`` with its database wiped (nodes and relationships) before the test."""
    wipe(neo4j_target)
    return neo4j_target
