"""A generated county in the embedded store, shared by the tests that only read it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.store import SqliteStore
from loaders.load import load_folder
from synthetic import generate_county


@pytest.fixture(scope="session")
def read_only_county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    """A scale-0.2 county (seed 11), loaded once; tests must not write to it."""
    root = tmp_path_factory.mktemp("county-0.2")
    c = generate_county(root / "county", scale=0.2, seed=11)
    store = SqliteStore(root / "c.db")
    load_folder(c.data_dir, store)
    yield store
    store.close()
