"""Recusal questions read only the case's neighbourhood; the answer must be the one the
whole graph gives, on the embedded store and on Neo4j."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j_stores import open_neo4j

from graph.store import SqliteStore
from graph.store.copy import copy_store
from queries.frames import Frames
from queries.local import case_neighbourhood
from queries.recusal import recusals, recusals_from_store


@pytest.fixture
def county(read_only_county: SqliteStore) -> SqliteStore:
    return read_only_county


def _cases(store: SqliteStore) -> list[str]:
    return sorted(store.view().entity_names("case"))


@pytest.mark.parametrize("hops", [1, 2, 3])
def test_recusals_from_the_neighbourhood_equal_the_whole_graph(county: SqliteStore,
                                                                hops: int) -> None:
    view = county.view()
    whole = Frames(view)
    lines = 0
    for case in _cases(county):
        local, frames = recusals_from_store(view, case, hops)
        assert local == recusals(whole, case, hops), case
        lines += len(local)
        for line in local:
            assert frames.label(line.official) == whole.label(line.official)
    assert lines >= 5  # planted umbrellas: officials tied to suspects exist


def test_the_neighbourhood_is_small(county: SqliteStore) -> None:
    view = county.view()
    total = sum(view.counts_by_type().values())
    sizes = [sum(case_neighbourhood(view, c, 2).counts_by_type().values())
             for c in _cases(county)]
    assert max(sizes) < total / 20, (max(sizes), total)


@pytest.mark.slow
def test_recusals_on_neo4j_equal_the_embedded_store(county: SqliteStore, neo4j_db: Any) -> None:
    neo = open_neo4j(neo4j_db)
    try:
        copy_store(county, neo)
        found = 0
        for case in _cases(county)[:40]:
            got = recusals_from_store(neo.view(), case)[0]
            assert got == recusals_from_store(county.view(), case)[0], case
            found += len(got)
        assert found > 0
    finally:
        neo.close()
