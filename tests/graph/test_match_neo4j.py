"""Match decisions and merges on the Neo4j backend (a real server when ``NEO4J_URI`` is
set, else the Bolt bridge over grafeo), on the county of ``tests/umbrella/test_matches.py``:
a merge re-creates the merged record's relationships on the survivor, the rules find
the conflict of interest only then, and undo gives back the graph exactly as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from match_county import TABLES
from neo4j_stores import open_neo4j
from samples import write_tables

from graph.errors import UmbrellaError
from graph.store.match_decisions import match_book
from graph.store.neo4j import Neo4jStore
from loaders.load import load_folder
from queries.matches import apply, decide, queue, undo
from queries.scan import scan


@pytest.fixture
def neo(neo4j_db: Any, tmp_path: Path) -> Iterator[Neo4jStore]:
    store = open_neo4j(neo4j_db)
    load_folder(write_tables(tmp_path / "county", TABLES), store)
    yield store
    store.close()


def _state(store: Neo4jStore) -> tuple[Any, ...]:
    v = store.view()
    return ([(e.key, e.kind, e.name, sorted(e.props.items()), e.sources) for e in v.entities()],
            [(r.id, r.type, r.src, r.dst, r.start, r.end, sorted(r.props.items()), r.sources)
             for r in v.relations()], v.claims(), v.aliases())


def test_merge_rerun_and_undo_on_neo4j(neo: Neo4jStore) -> None:
    before = _state(neo)
    scan(neo, ["COI-001"])
    assert neo.view().findings() == []
    pair = next(r.pair for r in queue(neo) if r.name_a == "张伟")
    decide(neo, pair, "same", user="王芳", note="同一户籍")
    assert match_book(neo).current()[pair].author == "王芳"
    [event] = apply(neo, user="王芳").events
    view = neo.view()
    assert view.get(event.b) is None
    assert view.get(event.a).props["address"] == "城关镇人民路1号"  # type: ignore[union-attr]
    assert view.resolve("A2", "persons") == event.a
    assert {r.type for r in view.neighbours(event.a)} == {"HOLDS_POST", "APPROVED", "KIN"}
    assert [f["rule"] for f in scan(neo, ["COI-001"]).findings] == ["COI-001"]
    with pytest.raises(UmbrellaError, match="not in the database"):
        match_book(neo).merge(pair, event.a, event.b, "王芳")
    undo(neo, pair, user="王芳")
    assert _state(neo) == before
    assert match_book(neo).current()[pair].decision == "unsure"
    assert [e.action for e in match_book(neo).merges()] == ["merge", "undo"]
