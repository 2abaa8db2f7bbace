"""One contract for every store backend: the embedded store and Neo4j.

Every member of :class:`~graph.store.protocol.StoreWriter`,
:class:`~graph.store.protocol.StoreView` and :class:`~graph.store.protocol.Store`
is exercised here on both backends; :data:`CONTRACT` says by which tests, and
:func:`test_every_protocol_member_has_a_contract_test` fails when a member is
added to the protocol without one (or when a test stops calling what the table
says it calls).

The Neo4j half runs against ``NEO4J_URI`` when set, else against the Bolt bridge
over grafeo (see ``tests/neo4j_server.py``), else it is skipped with that reason.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import graph.errors as errors
from graph.errors import StoreError
from graph.store import (
    AliasRecord,
    EntityRecord,
    RelationRecord,
    SetAsideRecord,
    SourceRef,
    SqliteStore,
    Store,
    StoreView,
    StoreWriter,
    open_store,
)
from graph.store.model import relation_id
from graph.store.neo4j import Neo4jStore, Neo4jView, Neo4jWriter
from graph.store.sqlite import SqliteView, SqliteWriter

Opener = Callable[[], Store]


@pytest.fixture(params=["sqlite", "neo4j"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens the backend's store at one location (a fresh one per test), as often as asked."""
    opened: list[Store] = []
    if request.param == "neo4j":
        from neo4j_stores import open_neo4j

        target = request.getfixturevalue("neo4j_db")

        def again() -> Store:
            opened.append(open_neo4j(target))
            return opened[-1]
    else:
        def again() -> Store:
            opened.append(open_store(tmp_path / "contract.db"))
            return opened[-1]
    yield again
    for store in opened:
        store.close()


@pytest.fixture
def backend(opener: Opener) -> Store:
    return opener()


def _rel(src: str, dst: str, line: int, start: str | None = "2020-01-01") -> RelationRecord:
    rid = relation_id("KIN", src, dst, start, None, "spouse")
    return RelationRecord(rid, "KIN", src, dst, start, None, {"relation": "spouse", "degree": 1},
                          "/d/relationships.csv", line)


KIN = _rel("p:1", "p:2", 2).id


def _fill(store: Store) -> None:
    with store.writer() as w:
        w.put_entities([EntityRecord("p:1", "person", "张三", {"gender": "男"}),
                        EntityRecord("p:2", "person", "李四", {})])
        w.put_aliases([AliasRecord("persons", "P1", "p:1", "/d/persons.csv", 2),
                       AliasRecord("persons", "P1b", "p:1", "/d/persons.csv", 9),
                       AliasRecord("persons", "P2", "p:2", "/d/persons.csv", 3)])
        w.put_relations([_rel("p:1", "p:2", 5), _rel("p:1", "p:2", 2)])
        w.put_set_aside([SetAsideRecord("/d/persons.csv", 4, "persons", "name",
                                        "missing_required", "name is blank", {"person_id": "P3"})])
        w.log_load("/d", {"read": 4})


def _more(store: Store) -> None:
    """An organisation, a payment (an event), an ended association and a second table."""
    with store.writer() as w:
        w.put_entities([EntityRecord("pay:1", "payment", "PM1", {}),
                        EntityRecord("p:3", "person", "王五", {}),
                        EntityRecord("o:1", "organization", "水利局", {"kind": "agency"})])
        w.put_aliases([AliasRecord("organizations", "P1", "o:1", "/d/organizations.csv", 2)])
        w.put_relations([
            RelationRecord("r:PAID_TO:1", "PAID_TO", "pay:1", "p:2", "2019-05-01", None,
                           {"amount": 900}, "/d/payments.csv", 2),
            RelationRecord("r:ASSOCIATE:1", "ASSOCIATE", "p:2", "p:3", "2015-01-01",
                           "2016-12-31", {}, "/d/relationships.csv", 8),
            RelationRecord("r:HOLDS_POST:1", "HOLDS_POST", "p:1", "o:1", "2018-01-01", None,
                           {"title": "局长"}, "/d/positions.csv", 2)])


# ---- writer -----------------------------------------------------------------------------


def test_write_and_read_back(backend: Store) -> None:
    _fill(backend)
    v = backend.view()
    assert v.counts_by_kind() == {"person": 2}
    assert v.counts_by_type() == {"KIN": 1}
    e = v.get("p:1")
    assert e is not None and e.name == "张三" and e.props == {"gender": "男"}
    assert e.kind == "person" and e.source_ids == ["P1", "P1b"]
    assert e.sources[0] == SourceRef("/d/persons.csv", 2, "persons", "P1")
    assert v.get("p:9") is None
    assert v.aliases() == {("persons", "P1"): "p:1", ("persons", "P1b"): "p:1",
                           ("persons", "P2"): "p:2"}
    assert [r.line for r in v.set_aside()] == [4]
    assert len(v.loads()) == 1


def test_frames_are_the_bulk_write(backend: Store) -> None:
    """The loaders' path: whole frames, blank dates as None or NaN, further columns ignored."""
    entities = pd.DataFrame({
        "key": ["p:1", "p:2", "p:1"], "kind": ["person"] * 3, "name": ["张三", "李四", "张叁"],
        "props": ['{"gender":"男"}', "{}", '{"gender":"女","phone":"1"}'],
        "extra": ["x", "y", "z"]})
    aliases = pd.DataFrame({
        "table": ["persons", "persons", "persons", "persons"],
        "source_id": ["P1", "P2", "P1", "P2"], "key": ["p:1", "p:2", "p:1", "p:2"],
        "file": ["/d/persons.csv"] * 3 + ["/e/persons.csv"], "line": [2, 3, 7, 9]})
    kin = relation_id("KIN", "p:1", "p:2", None, None, "spouse")
    relations = pd.DataFrame({
        "id": [kin, kin, "r:ASSOCIATE:1"], "type": ["KIN", "KIN", "ASSOCIATE"],
        "src": ["p:1", "p:1", "p:2"], "dst": ["p:2", "p:2", "p:1"],
        "start": [None, None, "2015-01-01"], "end": [float("nan"), float("nan"), None],
        "props": ['{"relation":"spouse","degree":1}'] * 2 + ["{}"],
        "file": ["/d/relationships.csv"] * 3, "line": [9, 4, 6]})
    with backend.writer() as w:
        w.write_relations(relations)  # before the entities: nodes are written first anyway
        w.write_entities(entities)
        w.write_aliases(aliases)
    v = backend.view()
    p1 = v.get("p:1")
    # first row's values win, later rows fill gaps; a source id keeps its first file and line
    assert p1 is not None and p1.name == "张三" and p1.props == {"gender": "男", "phone": "1"}
    assert v.resolve("P1") == "p:1" and v.resolve("P2") == "p:2"
    assert [(c.file, c.line) for c in v.claims("P2")] == [("/d/persons.csv", 3)]
    got = v.relations_by_id([kin, "r:ASSOCIATE:1"])
    assert (got[kin].start, got[kin].end) == (None, None)
    assert [s.line for s in got[kin].sources] == [4, 9]
    assert got[kin].props == {"relation": "spouse", "degree": 1}
    assert v.relations_frame("KIN")["line"].tolist() == [4]
    assert v.counts_by_type() == {"ASSOCIATE": 1, "KIN": 1}


def test_a_frame_without_a_column_is_refused_and_an_empty_frame_writes_nothing(
        backend: Store) -> None:
    with pytest.raises(StoreError, match=r"without column\(s\) props$"), backend.writer() as w:
        w.write_entities(pd.DataFrame({"key": ["p:1"], "kind": ["person"], "name": ["x"]}))
    with pytest.raises(StoreError, match=r"without column\(s\) line$"), backend.writer() as w:
        w.write_aliases(pd.DataFrame({"table": ["persons"], "source_id": ["P1"], "key": ["p:1"],
                                      "file": ["/d/persons.csv"]}))
    with pytest.raises(StoreError, match=r"without column\(s\) file, line$"), backend.writer() as w:
        w.write_relations(pd.DataFrame({c: ["x"] for c in ("id", "type", "src", "dst", "start",
                                                           "end", "props")}))
    with backend.writer() as w:
        w.write_entities(pd.DataFrame())
        w.write_aliases(pd.DataFrame(columns=["table", "source_id", "key", "file", "line"]))
        w.write_relations(pd.DataFrame())
    assert backend.is_empty() and backend.view().counts_by_type() == {}


def test_rewriting_the_same_records_changes_nothing(backend: Store) -> None:
    _fill(backend)
    v = backend.view()
    before = (v.counts_by_kind(), v.counts_by_type(), v.set_aside(), v.aliases(),
              v.relation_sources([KIN]))
    _fill(backend)
    v = backend.view()
    assert (v.counts_by_kind(), v.counts_by_type(), v.set_aside(), v.aliases(),
            v.relation_sources([KIN])) == before


def test_existing_values_win_and_gaps_are_filled(backend: Store) -> None:
    _fill(backend)
    with backend.writer() as w:
        w.put_entities([EntityRecord("p:1", "person", "张叁", {"gender": "女", "phone": "1"})])
    e = backend.view().get("p:1")
    assert e is not None and e.name == "张三" and e.props == {"gender": "男", "phone": "1"}


def test_a_known_record_gains_only_new_source_rows(backend: Store) -> None:
    _fill(backend)
    with backend.writer() as w:
        w.put_relations([_rel("p:1", "p:2", 5), _rel("p:1", "p:2", 7)])
    assert backend.view().relation_sources([KIN]) == {
        KIN: [SourceRef("/d/relationships.csv", n) for n in (2, 5, 7)]}


def test_an_error_inside_the_writer_leaves_the_store_as_it_was(backend: Store) -> None:
    _fill(backend)
    v = backend.view()
    before = (v.counts_by_kind(), v.set_aside(), v.loads(), v.findings())
    with pytest.raises(RuntimeError), backend.writer() as w:
        w.put_entities([EntityRecord("p:3", "person", "王五", {})])
        w.put_set_aside([SetAsideRecord("/d/persons.csv", 8, "persons", "name", "x", "y")])
        w.replace_findings([_finding("F-1", 0.5, ["p:3"])], ["COI-001"])
        w.log_load("/e", {"read": 1})
        raise RuntimeError("disk full")
    v = backend.view()
    assert (v.counts_by_kind(), v.set_aside(), v.loads(), v.findings()) == before
    assert v.get("p:3") is None


def test_writes_only_inside_the_with_block(backend: Store) -> None:
    w = backend.writer()
    writes: list[Callable[[], Any]] = [
        lambda: w.put_entities([EntityRecord("p:1", "person", "张三", {})]),
        lambda: w.write_entities(pd.DataFrame({"key": ["p:1"], "kind": ["person"],
                                               "name": ["x"], "props": ["{}"]})),
        lambda: w.put_set_aside([]), lambda: w.replace_findings([], ["COI-001"]),
        lambda: w.log_load("/d", {})]
    for write in writes:
        with pytest.raises(StoreError, match="outside a `with"):
            write()
    with w, pytest.raises(StoreError, match="already open"), w:
        pass
    with w:  # a closed writer opens again
        w.put_entities([EntityRecord("p:1", "person", "张三", {})])
    assert not backend.is_empty() and backend.view().loads() == []


def test_set_aside_records_of_one_line_written_in_several_writes_are_all_kept(
        backend: Store) -> None:
    """A second write for the same load, file and line adds its records beside the first's.

    The contract once said the second write replaced the first: written before loads were
    numbered on their rows, it let a reload of a file replace that file's old rows. A
    reload is now another load, whose rows are kept under its own number, and a load
    stopped half-way loses its rows when it is run again (see
    ``test_a_load_that_stops_is_listed_until_it_is_run_again``), so nothing needs
    replacing within one load; replacing lost records: a JSON package on one line, read
    in several chunks, kept only its last chunk's, and stats counted fewer rows set aside
    than the load reported. Writing records stored already still adds nothing."""
    _fill(backend)
    first = backend.view().set_aside()
    again = SetAsideRecord("/d/persons.csv", 4, "persons", "id_number", "bad_id",
                           "checksum fails", {"person_id": "P3", "id_number": "1"})
    other = SetAsideRecord("/d/contracts.csv", 2, "contracts", "amount", "bad_number",
                           "not a number", {})
    with backend.writer() as w:
        w.put_set_aside([other, again])
    assert backend.view().set_aside() == [other, *first, again]
    with backend.writer() as w:
        w.put_set_aside([again, other, *first])
    assert backend.view().set_aside() == [other, *first, again]


def test_set_aside_rows_are_kept_per_load(backend: Store) -> None:
    """Every record of a load is kept (one row set aside from two tables: two records), under
    its load; a later load's rows of the same file and line are kept beside them."""
    one = [SetAsideRecord("/d/roster.csv", 7, "persons", "身份证号", "bad_id_number", "x", {},
                          load=1),
           SetAsideRecord("/d/roster.csv", 7, "positions", "编号", "refers_to_set_aside", "y",
                          {}, load=1),
           SetAsideRecord("/d/roster.csv", 3, "persons", "name", "missing_required", "z", {},
                          load=1)]
    two = [SetAsideRecord("/d/roster.csv", 7, "persons", "身份证号", "bad_id_number", "x", {},
                          load=2)]
    with backend.writer() as w:
        w.put_set_aside(one)
    with backend.writer() as w:
        w.put_set_aside(two)
        w.put_set_aside(one[:2])  # written again: stored already, adds nothing
    v = backend.view()
    assert v.set_aside(1) == [one[2], one[0], one[1]]  # by file and line, then as given
    assert v.set_aside(2) == two and v.set_aside(3) == []
    assert v.set_aside() == [one[2], one[0], one[1], *two]


def _finding(fid: str, score: float, keys: list[str], rule: str = "COI-001") -> dict[str, Any]:
    return {"id": fid, "rule": rule, "category": "conflict_of_interest", "score": score,
            "keys": keys, "title": f"标题 {fid}", "evidence": [{"rel": "KIN", "line": 2}]}


def test_findings_are_replaced_rule_by_rule(backend: Store) -> None:
    _fill(backend)
    first = [_finding("F-1", 0.5, ["p:1"]), _finding("F-2", 0.9, ["p:1", "p:2"]),
             _finding("F-3", 0.5, ["p:2"], rule="SUB-001")]
    with backend.writer() as w:
        w.replace_findings(first, ["COI-001", "SUB-001"])
    v = backend.view()
    assert [f["id"] for f in v.findings()] == ["F-2", "F-1", "F-3"]  # best first, then by id
    assert [f["id"] for f in v.findings("p:2")] == ["F-2", "F-3"]
    assert v.findings("p:9") == []
    assert v.finding("F-2") == first[1] and v.finding("F-9") is None
    with backend.writer() as w:
        w.replace_findings([_finding("F-4", 0.7, ["p:2"])], ["COI-001"])
    v = backend.view()
    assert [f["id"] for f in v.findings()] == ["F-4", "F-3"]
    assert v.finding("F-1") is None and [f["id"] for f in v.findings("p:1")] == []
    with backend.writer() as w:  # a finding read back and stored again is about its keys only
        w.replace_findings([_finding("F-3", 0.6, ["p:1"], rule="SUB-001")], [])
    assert [f["id"] for f in backend.view().findings("p:2")] == ["F-4"]
    assert backend.view().finding("F-3") == _finding("F-3", 0.6, ["p:1"], rule="SUB-001")


def test_an_id_two_sources_define_differently_keeps_both(backend: Store) -> None:
    """Two sources numbering their rows alike: each mapping is kept, the id is ambiguous."""
    _fill(backend)
    with backend.writer() as w:
        w.put_entities([EntityRecord("p:9", "person", "王五", {})])
        w.put_aliases([AliasRecord("persons", "P1", "p:9", "/e/persons.csv", 2),
                       AliasRecord("persons", "P2", "p:2", "/e/persons.csv", 3)])
    v = backend.view()
    first, second = (AliasRecord("persons", "P1", "p:1", "/d/persons.csv", 2),
                     AliasRecord("persons", "P1", "p:9", "/e/persons.csv", 2))
    assert v.claims("P1") == [first, second] and v.claims("P1", "organizations") == []
    assert v.collisions() == {("persons", "P1"): [first, second]}  # P2: the same entity
    assert ("persons", "P1") not in v.aliases() and v.aliases()[("persons", "P2")] == "p:2"
    with pytest.raises(errors.AmbiguousIdError, match=r"persons id P1 names 2 entities") as err:
        v.resolve("P1")
    assert "张三 [p:1] from /d/persons.csv line 2" in err.value.message
    assert "王五 [p:9] from /e/persons.csv line 2" in err.value.message and err.value.hint
    assert v.resolve("P2") == "p:2" and v.resolve("P1b") == "p:1"
    p9 = v.get("p:9")
    assert p9 is not None and p9.source_ids == ["P1"]
    assert [c.source_id for c in v.claims()] == ["P1", "P1", "P1b", "P2"]


def test_the_load_log_numbers_loads_in_order(backend: Store) -> None:
    with backend.writer() as w:
        first = w.log_load("/d/one", {"read": 4, "tables": [{"name": "persons"}]})
    with backend.writer() as w:
        second = w.log_load("/d/two", {"read": 1})
        third = w.log_load("/d/three", {})
    assert (first, second, third) == (1, 2, 3)
    loads = backend.view().loads()
    assert [(ld["id"], ld["source"], ld["report"]) for ld in loads] == [
        (1, "/d/one", {"read": 4, "tables": [{"name": "persons"}]}), (2, "/d/two", {"read": 1}),
        (3, "/d/three", {})]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", ld["at"]) for ld in loads)


# ---- the load lock ----------------------------------------------------------------------

SINCE = r"since (\d{4}-\d\d-\d\d )?\d\d:\d\d"
_DIE = """
import os, sys
from graph.store import open_store
store = open_store(os.environ["UMBRELLA_TEST_DB"])
load = store.start_load(sys.argv[1], "umbrella load " + sys.argv[1])
with store.writer() as w:
    if sys.argv[2] == "wrote":
        w.note_chunk(load)
print(load, flush=True)
os._exit(0)  # gone without releasing the lock, as a killed load
"""


def _claim_and_die(store: Store, source: str, wrote: bool) -> int:
    """Claim the load lock in another process that then exits without releasing it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    if isinstance(store, Neo4jStore):
        s = store.settings
        env.update(UMBRELLA_TEST_DB=s.uri, NEO4J_USER=s.user or "", NEO4J_DATABASE=s.database,
                   NEO4J_PASSWORD=s.password or "")
    else:
        env["UMBRELLA_TEST_DB"] = store.location
    done = subprocess.run([sys.executable, "-c", _DIE, source, "wrote" if wrote else "no"],
                          env=env, capture_output=True, text=True, timeout=120, check=True)
    return int(done.stdout.split()[-1])


def test_one_load_at_a_time(backend: Store, opener: Opener) -> None:
    first = backend.start_load("/d/one", "umbrella load /d/one --db case.db")
    v = backend.view()
    (run,) = v.load_runs()
    assert (run.id, run.source, run.command, run.state, run.pid, run.chunks) == (
        first, "/d/one", "umbrella load /d/one --db case.db", "running", os.getpid(), 0)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", run.started)
    other = opener()  # another connection, as a second command would open
    with pytest.raises(errors.LoadLockedError, match=rf"another load is running {SINCE} \(pid "
                       rf"{os.getpid()} on host .+\): load {first} of /d/one$") as err:
        other.start_load("/d/two")
    assert err.value.hint and other.view().load_runs() == [run]
    with backend.writer() as w:
        w.note_chunk(first)
        w.note_chunk(first)
        assert w.log_load("/d/one", {"read": 1}, load=first) == first  # finished: lock released
    assert v.load_runs() == [] and [(ld["id"], ld["report"]) for ld in v.loads()] == [
        (first, {"read": 1})]
    second = other.start_load("/d/two")
    assert second == first + 1 and [r.id for r in v.load_runs()] == [second]
    other.end_load(second)  # ended without writing anything: forgotten
    assert v.load_runs() == [] and len(v.loads()) == 1


def test_a_load_that_stops_is_listed_until_it_is_run_again(backend: Store) -> None:
    gone = _claim_and_die(backend, "/d/gone", wrote=True)
    nothing = _claim_and_die(backend, "/d/nothing", wrote=False)
    runs = backend.view().load_runs()
    assert [(r.id, r.source, r.state, r.chunks, r.command) for r in runs] == [
        (gone, "/d/gone", "interrupted", 1, "umbrella load /d/gone"),
        (nothing, "/d/nothing", "interrupted", 0, "umbrella load /d/nothing")]
    assert runs[0].pid != os.getpid() and runs[0].wrote_anything
    with backend.writer() as w:  # what the stopped load had set aside
        w.put_set_aside([SetAsideRecord("/d/gone/p.csv", 3, "persons", "name", "x", "y", {},
                                        load=gone)])
    failed = backend.start_load("/d/failed")  # a dead holder does not hold the lock
    with backend.writer() as w:
        w.note_chunk(failed)
    backend.end_load(failed, "p.csv: line 9: bad header")
    again = backend.start_load("/d/gone")
    with backend.writer() as w:
        w.put_set_aside([SetAsideRecord("/d/gone/p.csv", 3, "persons", "name", "x", "y", {},
                                        load=again)])
        w.note_chunk(again)
        w.log_load("/d/gone", {"read": 3}, load=again)  # resumes the load that stopped
    runs = backend.view().load_runs()
    assert [(r.id, r.state, r.error) for r in runs] == [
        (nothing, "interrupted", ""), (failed, "failed", "p.csv: line 9: bad header")]
    assert [r.load for r in backend.view().set_aside()] == [again]
    assert [ld["id"] for ld in backend.view().loads()] == [again]


def test_a_lock_held_on_another_host_is_taken_over_only_when_asked(
        backend: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.store.base as base
    from graph.store.runs import Holder

    with monkeypatch.context() as m:
        m.setattr(base, "this_process", lambda: Holder(4242, "another-host", "1"))
        theirs = backend.start_load("/d/theirs")
    with pytest.raises(errors.LoadLockedError, match=r"pid 4242 on host another-host"):
        backend.start_load("/d/mine")
    mine = backend.start_load("/d/mine", take_over=True)
    assert [(r.id, r.state) for r in backend.view().load_runs()] == [
        (theirs, "interrupted"), (mine, "running")]


# ---- view -------------------------------------------------------------------------------


def test_entities_by_key_in_one_batch(backend: Store) -> None:
    _fill(backend)
    _more(backend)
    v = backend.view()
    found = v.entities_by_key(["p:3", "nope", "p:1", "p:1"])
    assert list(found) == ["p:3", "p:1"]
    assert found["p:1"] == v.get("p:1") and found["p:3"] == v.get("p:3")
    assert found["p:1"].source_ids == ["P1", "P1b"] and found["p:3"].sources == ()
    assert v.entities_by_key([]) == {}


def test_entities_and_relations_in_order(backend: Store) -> None:
    _fill(backend)
    _more(backend)
    v = backend.view()
    assert [e.key for e in v.entities()] == ["o:1", "p:1", "p:2", "p:3", "pay:1"]
    people = list(v.entities("person"))
    assert [e.key for e in people] == ["p:1", "p:2", "p:3"]
    assert people[0].source_ids == ["P1", "P1b"] and people[2].sources == ()
    assert list(v.entities("case")) == []
    assert [r.id for r in v.relations()] == sorted(
        [KIN, "r:PAID_TO:1", "r:ASSOCIATE:1", "r:HOLDS_POST:1"])
    (post,) = v.relations(["HOLDS_POST"])
    assert (post.src, post.dst, post.start, post.end, post.props) == (
        "p:1", "o:1", "2018-01-01", None, {"title": "局长"})
    assert post.sources == (SourceRef("/d/positions.csv", 2),)
    assert [r.id for r in v.relations(["KIN", "ASSOCIATE"])] == sorted([KIN, "r:ASSOCIATE:1"])
    assert list(v.relations([])) == []
    assert v.entity_names("person") == {"p:1": "张三", "p:2": "李四", "p:3": "王五"}
    assert v.entity_names("case") == {}


def test_source_ids_resolve_to_entities(backend: Store) -> None:
    _fill(backend)
    _more(backend)
    v = backend.view()
    assert v.resolve("P1b") == "p:1" and v.resolve("P1b", "organizations") is None
    assert v.resolve("P1", "organizations") == "o:1"
    assert v.resolve("P1") == "o:1"  # no table: the first table by name that holds the id
    assert v.resolve("P9") is None
    assert v.entity_sources() == {
        "o:1": [SourceRef("/d/organizations.csv", 2, "organizations", "P1")],
        "p:1": [SourceRef("/d/persons.csv", 2, "persons", "P1"),
                SourceRef("/d/persons.csv", 9, "persons", "P1b")],
        "p:2": [SourceRef("/d/persons.csv", 3, "persons", "P2")]}


def test_neighbours_and_the_sources_of_records(backend: Store) -> None:
    _fill(backend)
    _more(backend)
    v = backend.view()
    (kin,) = v.neighbours("p:1", ["KIN"])
    assert kin.id == KIN and [s.line for s in kin.sources] == [2, 5]
    assert kin.in_force("2021-01-01") and not kin.in_force("2019-12-31")
    assert [r.id for r in v.neighbours("p:2")] == sorted([KIN, "r:PAID_TO:1", "r:ASSOCIATE:1"])
    assert [r.id for r in v.neighbours("p:1", ["HOLDS_POST", "ASSOCIATE"])] == ["r:HOLDS_POST:1"]
    assert v.neighbours("p:9") == [] and v.neighbours("p:3", []) == []
    assert v.relation_sources([KIN, "r:PAID_TO:1", "r:KIN:unknown"]) == {
        KIN: [SourceRef("/d/relationships.csv", 2), SourceRef("/d/relationships.csv", 5)],
        "r:PAID_TO:1": [SourceRef("/d/payments.csv", 2)], "r:KIN:unknown": []}


def test_ties_and_records_by_id(backend: Store) -> None:
    """What path searches read: ties of a few entities, as of a date, and records by id."""
    _fill(backend)
    _more(backend)
    v = backend.view()
    assert sorted(v.ties(["p:2", "nobody"])) == sorted([
        ("p:2", "p:1", "KIN", KIN), ("p:2", "pay:1", "PAID_TO", "r:PAID_TO:1"),
        ("p:2", "p:3", "ASSOCIATE", "r:ASSOCIATE:1")])
    # as of 2020-06-01: the KIN tie holds, the payment (an event) happened, the association ended
    assert sorted(t.other for t in v.ties(["p:2"], on="2020-06-01")) == ["p:1", "pay:1"]
    assert [t.other for t in v.ties(["p:2"], on="2016-06-01")] == ["p:3"]
    both = v.ties(["p:1", "p:2"], on="2020-06-01")
    assert sorted(t.key for t in both if t.rid == KIN) == ["p:1", "p:2"]  # once from each end
    assert v.tie_degrees(["p:1", "p:2", "nobody"]) == {"p:1": 2, "p:2": 3, "nobody": 0}
    assert v.tie_degrees(["p:2"], on="2020-06-01") == {"p:2": 2}
    got = v.relations_by_id([KIN, "r:PAID_TO:1", "r:KIN:unknown", "x"])
    assert sorted(got) == sorted([KIN, "r:PAID_TO:1"])
    assert [s.line for s in got[KIN].sources] == [2, 5] and got[KIN].props["relation"] == "spouse"
    assert got["r:PAID_TO:1"].props["amount"] == 900


def test_records_whose_ids_do_not_name_their_type(backend: Store) -> None:
    _fill(backend)
    with backend.writer() as w:
        w.put_relations([RelationRecord("r1", "ASSOCIATE", "p:1", "p:2", None, None, {},
                                        "/d/relationships.csv", 3)])
    v = backend.view()
    assert list(v.relations_by_id(["r1", "r2"])) == ["r1"]
    assert [r.id for r in v.neighbours("p:2", ["ASSOCIATE"])] == ["r1"]
    assert v.relation_sources(["r1"]) == {"r1": [SourceRef("/d/relationships.csv", 3)]}


def test_frames_of_one_kind_or_type(backend: Store) -> None:
    _fill(backend)
    _more(backend)
    v = backend.view()
    people = v.entities_frame("person")
    assert people["key"].tolist() == ["p:1", "p:2", "p:3"]
    assert people["name"].tolist() == ["张三", "李四", "王五"]
    assert people.loc[0, "gender"] == "男" and people["gender"].isna().tolist()[1:] == [True] * 2
    orgs = v.entities_frame("organization")
    assert orgs.to_dict("records") == [{"key": "o:1", "name": "水利局", "kind": "agency"}]
    assert v.entities_frame("case").empty
    kin = v.relations_frame("KIN")
    assert kin.columns.tolist() == ["id", "src", "dst", "start", "end", "file", "line",
                                    "relation", "degree", "weight"]
    assert kin.to_dict("records") == [{
        "id": KIN, "src": "p:1", "dst": "p:2", "start": "2020-01-01", "end": None,
        "file": "/d/relationships.csv", "line": 2, "relation": "spouse", "degree": 1,
        "weight": None}]
    paid = v.relations_frame("PAID_TO")
    assert paid.loc[0, "amount"] == 900 and paid["bank_account"].isna().all()
    empty = v.relations_frame("CASE_ROLE")
    assert empty.empty and empty.columns.tolist()[:7] == ["id", "src", "dst", "start", "end",
                                                          "file", "line"]


# ---- store ------------------------------------------------------------------------------


def test_what_was_written_is_there_after_closing_and_opening_again(
        backend: Store, opener: Opener) -> None:
    assert backend.is_empty()
    _fill(backend)
    assert not backend.is_empty()
    salt = backend.view().key_salt()
    backend.close()
    again = opener()
    assert again.location == backend.location
    assert again.view().key_salt() == salt
    assert again.view().counts_by_type() == {"KIN": 1} and not again.is_empty()


def test_the_location_is_the_address_it_was_opened_with(backend: Store,
                                                        tmp_path: Path) -> None:
    if isinstance(backend, SqliteStore):
        assert backend.location == str(tmp_path / "contract.db")
    else:
        assert backend.location.startswith(("bolt://", "neo4j://", "bolt+s://", "neo4j+s://"))
        assert "@" not in backend.location


def test_the_key_secret_is_adopted_only_while_empty(backend: Store) -> None:
    salt = backend.view().key_salt()
    assert re.fullmatch(r"[0-9a-f]{32}", salt)
    backend.adopt_salt("0" * 32)
    assert backend.view().key_salt() == "0" * 32
    _fill(backend)
    backend.adopt_salt("0" * 32)  # the same secret: nothing to do
    with pytest.raises(StoreError, match="another secret") as err:
        backend.adopt_salt(salt)
    assert err.value.hint
    assert backend.view().key_salt() == "0" * 32


# ---- backends on their own ----------------------------------------------------------------


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


#: The tables of a version-1 file that version 2 changed (as umbrella made them).
V1_TABLES = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE entities(key TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
                      props TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE files(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);
CREATE TABLE aliases(tbl TEXT NOT NULL, source_id TEXT NOT NULL, key TEXT NOT NULL,
                     file_id INTEGER, line INTEGER, PRIMARY KEY(tbl, source_id)) WITHOUT ROWID;
CREATE TABLE relations(id TEXT PRIMARY KEY, type TEXT NOT NULL, src TEXT NOT NULL,
                       dst TEXT NOT NULL, start_date TEXT, end_date TEXT, props TEXT NOT NULL,
                       file_id INTEGER, line INTEGER) WITHOUT ROWID;
CREATE TABLE relation_sources(rel_id TEXT NOT NULL, file_id INTEGER NOT NULL,
                              line INTEGER NOT NULL, PRIMARY KEY(rel_id, file_id, line))
                              WITHOUT ROWID;
CREATE TABLE set_aside(file TEXT NOT NULL, line INTEGER NOT NULL, tbl TEXT, col TEXT, code TEXT,
                       message TEXT, row TEXT, PRIMARY KEY(file, line)) WITHOUT ROWID;
CREATE TABLE findings(id TEXT PRIMARY KEY, rule TEXT NOT NULL, category TEXT NOT NULL,
                      score REAL NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE finding_entities(key TEXT NOT NULL, finding_id TEXT NOT NULL,
                              PRIMARY KEY(key, finding_id)) WITHOUT ROWID;
CREATE TABLE loads(id INTEGER PRIMARY KEY, at TEXT NOT NULL DEFAULT (datetime('now')),
                   source TEXT, report TEXT);
CREATE INDEX aliases_key ON aliases(key);
INSERT INTO meta VALUES ('schema_version', '1'), ('key_salt', 'aa');
INSERT INTO entities VALUES ('p:1', 'person', '张三', '{}');
INSERT INTO files VALUES (1, '/d/persons.csv');
INSERT INTO aliases VALUES ('persons', 'P1', 'p:1', 1, 2);
INSERT INTO set_aside VALUES ('/d/persons.csv', 3, 'persons', 'name', 'missing_required',
                              'name is blank', '{"person_id":"P2"}');
INSERT INTO loads VALUES (1, '2024-05-01 06:05:00', '/d', '{"read": 2}');
"""


def test_a_version_1_file_is_brought_to_version_2(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_TABLES)
    store = open_store(path)
    try:
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                                ).fetchone() == ("2",)
        v = store.view()
        assert v.key_salt() == "aa" and v.resolve("P1") == "p:1"
        assert [(ld["id"], ld["report"]) for ld in v.loads()] == [(1, {"read": 2})]
        # the rows of the only load are that load's
        assert v.set_aside(1) == [SetAsideRecord("/d/persons.csv", 3, "persons", "name",
                                                 "missing_required", "name is blank",
                                                 {"person_id": "P2"}, load=1)]
        assert v.load_runs() == []
        with store.writer() as w:  # a second mapping of P1 is kept now
            w.put_aliases([AliasRecord("persons", "P1", "p:9", "/e/persons.csv", 2)])
        assert len(v.collisions()[("persons", "P1")]) == 2
    finally:
        store.close()
    open_store(path).close()  # opened again: nothing more to do


def test_opening_an_up_to_date_file_writes_nothing(tmp_path: Path) -> None:
    """A reader opens the file while another connection holds the write lock (a load
    writing), at once, instead of waiting for the lock and failing."""
    import sqlite3

    path = tmp_path / "case.db"
    open_store(path).close()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO entities VALUES ('p:1', 'person', '张三', '{}')")
    try:
        t0 = time.monotonic()
        store = open_store(path)
        assert store.view().counts_by_kind() == {} and store.view().load_runs() == []
        store.close()
        assert time.monotonic() - t0 < 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_database_umbrella_did_not_make_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers(id INTEGER)")
    with pytest.raises(StoreError, match=r"not one umbrella made \(it holds customers\)"):
        open_store(path)
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["customers"]


# ---- the contract covers the protocol ---------------------------------------------------

#: Protocol member -> contract tests that exercise it (each runs on every backend).
CONTRACT: dict[str, tuple[str, ...]] = {
    "StoreView.entities_by_key": ("test_entities_by_key_in_one_batch",),
    "StoreWriter.__enter__": ("test_writes_only_inside_the_with_block",),
    "StoreWriter.__exit__": ("test_an_error_inside_the_writer_leaves_the_store_as_it_was",
                             "test_writes_only_inside_the_with_block"),
    "StoreWriter.write_entities": (
        "test_frames_are_the_bulk_write",
        "test_a_frame_without_a_column_is_refused_and_an_empty_frame_writes_nothing"),
    "StoreWriter.write_aliases": (
        "test_frames_are_the_bulk_write",
        "test_a_frame_without_a_column_is_refused_and_an_empty_frame_writes_nothing"),
    "StoreWriter.write_relations": (
        "test_frames_are_the_bulk_write",
        "test_a_frame_without_a_column_is_refused_and_an_empty_frame_writes_nothing"),
    "StoreWriter.put_entities": ("test_write_and_read_back",
                                 "test_existing_values_win_and_gaps_are_filled"),
    "StoreWriter.put_aliases": ("test_write_and_read_back",),
    "StoreWriter.put_relations": ("test_a_known_record_gains_only_new_source_rows",),
    "StoreWriter.put_set_aside": (
        "test_set_aside_records_of_one_line_written_in_several_writes_are_all_kept",
        "test_set_aside_rows_are_kept_per_load"),
    "StoreWriter.replace_findings": ("test_findings_are_replaced_rule_by_rule",),
    "StoreWriter.log_load": ("test_the_load_log_numbers_loads_in_order",
                             "test_one_load_at_a_time",
                             "test_a_load_that_stops_is_listed_until_it_is_run_again"),
    "StoreWriter.note_chunk": ("test_one_load_at_a_time",
                               "test_a_load_that_stops_is_listed_until_it_is_run_again"),
    "StoreView.key_salt": ("test_the_key_secret_is_adopted_only_while_empty",),
    "StoreView.counts_by_kind": ("test_write_and_read_back",),
    "StoreView.counts_by_type": ("test_write_and_read_back", "test_frames_are_the_bulk_write"),
    "StoreView.get": ("test_write_and_read_back", "test_existing_values_win_and_gaps_are_filled"),
    "StoreView.resolve": ("test_source_ids_resolve_to_entities",
                          "test_an_id_two_sources_define_differently_keeps_both"),
    "StoreView.claims": ("test_an_id_two_sources_define_differently_keeps_both",
                         "test_frames_are_the_bulk_write"),
    "StoreView.collisions": ("test_an_id_two_sources_define_differently_keeps_both",),
    "StoreView.aliases": ("test_write_and_read_back",
                          "test_an_id_two_sources_define_differently_keeps_both"),
    "StoreView.entities": ("test_entities_and_relations_in_order",),
    "StoreView.relations": ("test_entities_and_relations_in_order",),
    "StoreView.relations_by_id": ("test_ties_and_records_by_id",
                                  "test_records_whose_ids_do_not_name_their_type"),
    "StoreView.neighbours": ("test_neighbours_and_the_sources_of_records",),
    "StoreView.ties": ("test_ties_and_records_by_id",),
    "StoreView.tie_degrees": ("test_ties_and_records_by_id",),
    "StoreView.entity_names": ("test_entities_and_relations_in_order",),
    "StoreView.entities_frame": ("test_frames_of_one_kind_or_type",),
    "StoreView.relations_frame": ("test_frames_of_one_kind_or_type",),
    "StoreView.relation_sources": ("test_neighbours_and_the_sources_of_records",
                                   "test_a_known_record_gains_only_new_source_rows"),
    "StoreView.entity_sources": ("test_source_ids_resolve_to_entities",),
    "StoreView.findings": ("test_findings_are_replaced_rule_by_rule",),
    "StoreView.finding": ("test_findings_are_replaced_rule_by_rule",),
    "StoreView.set_aside": (
        "test_set_aside_records_of_one_line_written_in_several_writes_are_all_kept",
        "test_set_aside_rows_are_kept_per_load"),
    "StoreView.loads": ("test_the_load_log_numbers_loads_in_order", "test_one_load_at_a_time"),
    "StoreView.load_runs": ("test_one_load_at_a_time",
                            "test_a_load_that_stops_is_listed_until_it_is_run_again",
                            "test_a_lock_held_on_another_host_is_taken_over_only_when_asked"),
    "Store.location": ("test_the_location_is_the_address_it_was_opened_with",),
    "Store.writer": ("test_write_and_read_back",),
    "Store.view": ("test_write_and_read_back",),
    "Store.is_empty": ("test_what_was_written_is_there_after_closing_and_opening_again",),
    "Store.adopt_salt": ("test_the_key_secret_is_adopted_only_while_empty",),
    "Store.start_load": ("test_one_load_at_a_time",
                         "test_a_load_that_stops_is_listed_until_it_is_run_again",
                         "test_a_lock_held_on_another_host_is_taken_over_only_when_asked"),
    "Store.end_load": ("test_one_load_at_a_time",
                       "test_a_load_that_stops_is_listed_until_it_is_run_again"),
    "Store.close": ("test_what_was_written_is_there_after_closing_and_opening_again",),
}
PROTOCOLS = (StoreWriter, StoreView, Store)
BACKENDS = {StoreWriter: (SqliteWriter, Neo4jWriter), StoreView: (SqliteView, Neo4jView),
            Store: (SqliteStore, Neo4jStore)}


def protocol_members(proto: type) -> list[str]:
    """The public members a protocol declares (methods, attributes, and the ``with`` pair)."""
    names = set(inspect.get_annotations(proto))
    names |= {n for n, v in vars(proto).items() if callable(v)
              and (not n.startswith("_") or n in ("__enter__", "__exit__"))}
    return sorted(names)


def _used_names(fn: Callable[..., Any], seen: set[str] | None = None) -> set[str]:
    """Attribute names a test reads (``x.name``), also through this module's helpers;
    a ``with`` over a writer counts as ``__enter__`` and ``__exit__``."""
    seen = set() if seen is None else seen
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    used: set[str] = set()
    module = sys.modules[__name__]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.With):
            used |= {"__enter__", "__exit__"}
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id.startswith("_") and node.func.id not in seen
              and inspect.isfunction(helper := getattr(module, node.func.id, None))):
            seen.add(node.func.id)
            used |= _used_names(helper, seen)
    return used


def test_every_protocol_member_has_a_contract_test() -> None:
    members = {f"{p.__name__}.{m}" for p in PROTOCOLS for m in protocol_members(p)}
    assert sorted(members - set(CONTRACT)) == [], "protocol members without a contract test"
    assert sorted(set(CONTRACT) - members) == [], "CONTRACT names members the protocol lacks"
    module = sys.modules[__name__]
    for member, tests in CONTRACT.items():
        name = member.split(".", 1)[1]
        for test in tests:
            fn = getattr(module, test, None)
            assert inspect.isfunction(fn), f"{member}: no test {test}"
            assert "backend" in inspect.signature(fn).parameters, (
                f"{test} does not run on every backend")
            assert name in _used_names(fn), f"{test} does not call {member}"


def test_every_backend_implements_every_member() -> None:
    """A backend method left out falls back to the protocol's empty body: caught here at
    run time, as mypy catches it at check time."""
    for proto, classes in BACKENDS.items():
        for cls in classes:
            assert not getattr(cls, "__abstractmethods__", ()), (cls, cls.__abstractmethods__)
            for name in protocol_members(proto):
                if name in vars(proto) and callable(vars(proto)[name]):
                    assert getattr(cls, name) is not vars(proto)[name], (
                        f"{cls.__name__}.{name} is the protocol's placeholder")
