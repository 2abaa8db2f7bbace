"""One contract for every store backend: the embedded store and Neo4j.

The Neo4j half runs against ``NEO4J_URI`` when set, else against the Bolt bridge
over grafeo (see ``tests/neo4j_server.py``), else it is skipped with that reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.errors import StoreError
from graph.store import (
    AliasRecord,
    EntityRecord,
    RelationRecord,
    SetAsideRecord,
    Store,
    open_store,
)
from graph.store.model import relation_id


@pytest.fixture(params=["sqlite", "neo4j"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "neo4j":
        from neo4j_stores import open_neo4j

        store = open_neo4j(request.getfixturevalue("neo4j_db"))
    else:
        store = open_store(tmp_path / "contract.db")
    yield store
    store.close()


def _rel(src: str, dst: str, line: int, start: str | None = "2020-01-01") -> RelationRecord:
    rid = relation_id("KIN", src, dst, start, None, "spouse")
    return RelationRecord(rid, "KIN", src, dst, start, None, {"relation": "spouse", "degree": 1},
                          "/d/relationships.csv", line)


def _fill(store: Store) -> None:
    with store.writer() as w:
        w.put_entities([EntityRecord("p:1", "person", "张三", {"gender": "男"}),
                        EntityRecord("p:2", "person", "李四", {})])
        w.put_aliases([AliasRecord("persons", "P1", "p:1", "/d/persons.csv", 2),
                       AliasRecord("persons", "P1b", "p:1", "/d/persons.csv", 9),
                       AliasRecord("persons", "P2", "p:2", "/d/persons.csv", 3)])
        w.put_relations([_rel("p:1", "p:2", 2), _rel("p:1", "p:2", 5)])
        w.put_set_aside([SetAsideRecord("/d/persons.csv", 4, "persons", "name",
                                        "missing_required", "name is blank", {"person_id": "P3"})])
        w.log_load("/d", {"read": 4})


def test_write_and_read_back(backend: Store) -> None:
    _fill(backend)
    v = backend.view()
    assert v.counts_by_kind() == {"person": 2}
    assert v.counts_by_type() == {"KIN": 1}
    e = v.get("p:1")
    assert e is not None and e.name == "张三" and e.source_ids == ["P1", "P1b"]
    assert v.resolve("P1b") == "p:1" and v.resolve("P1b", "organizations") is None
    (rel,) = v.neighbours("p:2")
    assert [s.line for s in rel.sources] == [2, 5]
    assert rel.in_force("2021-01-01") and not rel.in_force("2019-12-31")
    frame = v.relations_frame("KIN")
    assert frame.loc[0, "relation"] == "spouse" and frame.loc[0, "start"] == "2020-01-01"
    assert v.entities_frame("person")["name"].tolist() == ["张三", "李四"]
    assert [r.line for r in v.set_aside()] == [4]
    assert len(v.loads()) == 1


def test_ties_and_records_by_id(backend: Store) -> None:
    """What path searches read: ties of a few entities, as of a date, and records by id."""
    _fill(backend)
    event = RelationRecord("r:PAID_TO:1", "PAID_TO", "pay:1", "p:2", "2019-05-01", None,
                           {"amount": 900}, "/d/payments.csv", 2)
    closed = RelationRecord("r:ASSOCIATE:1", "ASSOCIATE", "p:2", "p:3", "2015-01-01",
                            "2016-12-31", {}, "/d/relationships.csv", 8)
    with backend.writer() as w:
        w.put_entities([EntityRecord("pay:1", "payment", "PM1", {}),
                        EntityRecord("p:3", "person", "王五", {})])
        w.put_relations([event, closed])
    v = backend.view()
    kin = _rel("p:1", "p:2", 2).id
    assert sorted(v.ties(["p:2", "nobody"])) == sorted([
        ("p:2", "p:1", "KIN", kin), ("p:2", "pay:1", "PAID_TO", "r:PAID_TO:1"),
        ("p:2", "p:3", "ASSOCIATE", "r:ASSOCIATE:1")])
    # as of 2020-06-01: the KIN tie holds, the payment (an event) happened, the association ended
    assert sorted(t.other for t in v.ties(["p:2"], on="2020-06-01")) == ["p:1", "pay:1"]
    assert [t.other for t in v.ties(["p:2"], on="2016-06-01")] == ["p:3"]
    assert v.ties(["p:1", "p:2"], on="2020-06-01")[0].key in ("p:1", "p:2")
    assert v.tie_degrees(["p:1", "p:2", "nobody"]) == {"p:1": 1, "p:2": 3, "nobody": 0}
    assert v.tie_degrees(["p:2"], on="2020-06-01") == {"p:2": 2}
    got = v.relations_by_id([kin, "r:PAID_TO:1", "r:KIN:unknown", "x"])
    assert sorted(got) == sorted([kin, "r:PAID_TO:1"])
    assert [s.line for s in got[kin].sources] == [2, 5] and got[kin].props["relation"] == "spouse"
    assert got["r:PAID_TO:1"].props["amount"] == 900


def test_rewriting_the_same_records_changes_nothing(backend: Store) -> None:
    _fill(backend)
    before = (backend.view().counts_by_kind(), backend.view().counts_by_type(),
              len(backend.view().set_aside()), backend.view().aliases())
    _fill(backend)
    v = backend.view()
    assert (v.counts_by_kind(), v.counts_by_type(), len(v.set_aside()), v.aliases()) == before


def test_existing_values_win_and_gaps_are_filled(backend: Store) -> None:
    _fill(backend)
    with backend.writer() as w:
        w.put_entities([EntityRecord("p:1", "person", "张三", {"gender": "女", "phone": "1"})])
    e = backend.view().get("p:1")
    assert e is not None and e.props == {"gender": "男", "phone": "1"}


def test_an_error_inside_the_writer_leaves_the_store_as_it_was(backend: Store) -> None:
    _fill(backend)
    before = backend.view().counts_by_kind()
    with pytest.raises(RuntimeError), backend.writer() as w:
        w.put_entities([EntityRecord("p:3", "person", "王五", {})])
        raise RuntimeError("disk full")
    assert backend.view().counts_by_kind() == before
    assert backend.view().get("p:3") is None


def test_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("this is not sqlite " * 100)
    with pytest.raises(StoreError, match="cannot open"):
        open_store(bad)


def test_a_database_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    open_store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 0"):
        open_store(path)
