"""CLU-001 on real OCDS exports whose findings touch nobody in the community graph.

A publisher's single-bid findings name a contract and a firm with no tie in CLU-001's
graph; the lookup of their nodes then matches nothing, and under pandas' string dtype a
comparison of that empty lookup with the counts raised TypeError and took the whole
scan with it. Reads ``../shared/data`` in place; skips when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import SHARED_DATA

from graph.store import SqliteStore
from loaders.standards import load_any
from queries.scan import scan

SOURCES = [SHARED_DATA / "ocds" / "publishers" / "armenia" / "sample",
           SHARED_DATA / "ocds" / "ocdskit_realdata" / "release-package-2.json"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_a_scan_with_findings_outside_the_community_graph_runs_every_rule(
        source: Path, tmp_path: Path) -> None:
    if not source.exists():
        pytest.skip(f"the shared data {source} is absent")
    store = SqliteStore(tmp_path / "case.db")
    try:
        load_any(source, store)
        result = scan(store)
        assert "CLU-001" in result.counts and "COL-003" in result.counts
        assert not result.failures
        patterns = {c: n for c, n in result.counts.items() if c not in ("CLU-001", "BRK-001")}
        assert sum(patterns.values()) > 0  # findings exist, outside the graph
    finally:
        store.close()
