"""Shared fixtures: small layout folders written in real encodings, real stores on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
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
