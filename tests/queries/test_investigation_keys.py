"""``keys_of`` gives what ``StoreView.resolve`` gives, id by id, on both backends: in
batches (one read of the id table) and one by one, with ids held by two tables, ids that
name two entities, entity keys and unknown ids."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j_stores import open_neo4j

from graph.errors import AmbiguousIdError
from graph.store import AliasRecord, EntityRecord, Store, open_store
from queries.investigations import BATCH_IDS, keys_of, known_keys


@pytest.fixture(params=["sqlite", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s: Store = (open_store(tmp_path / "k.db") if request.param == "sqlite"
                else open_neo4j(request.getfixturevalue("neo4j_db")))
    with s.writer() as w:
        w.put_entities([EntityRecord(f"p:{i}", "person", f"人{i}", {}) for i in range(12)]
                       + [EntityRecord("o:1", "organization", "宏达公司", {})])
        w.put_aliases([AliasRecord("persons", f"P{i}", f"p:{i}", "persons.csv", i + 2)
                       for i in range(12)]
                      # X1 is an organisation's id and a person's: organizations sorts first
                      + [AliasRecord("organizations", "X1", "o:1", "organizations.csv", 2),
                         AliasRecord("persons", "X1", "p:11", "persons.csv", 40),
                         # D1 names two people in one table
                         AliasRecord("persons", "D1", "p:1", "persons.csv", 41),
                         AliasRecord("persons", "D1", "p:2", "persons.csv", 42)])
    yield s
    s.close()


def test_batches_agree_with_resolve_id_by_id(store: Store) -> None:
    view = store.view()
    ids = [f"P{i}" for i in range(12)] + ["X1", "p:4", "P404", " P3 "]
    assert len(ids) >= BATCH_IDS
    expected = {i: view.resolve(i.strip()) for i in ids}
    expected["p:4"] = "p:4"
    assert keys_of(view, ids) == expected
    assert expected["X1"] == "o:1" and expected["P404"] is None and expected[" P3 "] == "p:3"
    assert {i: keys_of(view, [i])[i] for i in ids} == expected


def test_an_id_naming_two_entities_is_refused_or_left_out(store: Store) -> None:
    view = store.view()
    ids = [f"P{i}" for i in range(BATCH_IDS)] + ["D1"]
    with pytest.raises(AmbiguousIdError):
        keys_of(view, ids)
    with pytest.raises(AmbiguousIdError):
        keys_of(view, ["D1"])
    shown = known_keys(view, ids)
    assert shown["D1"] is None and shown["P0"] == "p:0"
