"""The one load pipeline: chunks known up front or streamed, strict, reloads, counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from graph.errors import InputError
from graph.store import SetAsideRecord, SqliteStore
from loaders.chunk import SPAN, Chunk, Part
from loaders.pipeline import run
from loaders.read import RawTable
from loaders.report import LoadReport


def _raw(path: str, rows: list[tuple[str, str]], first_line: int = 2) -> RawTable:
    frame = pd.DataFrame({"person_id": [r[0] for r in rows], "name": [r[1] for r in rows],
                          "_line": list(range(first_line, first_line + len(rows)))})
    return RawTable(Path(path), frame, "utf-8", ["person_id", "name"])


def _persons(path: str, rows: list[tuple[str, str]], first_line: int = 2) -> Chunk:
    return Chunk.of({"persons": _raw(path, rows, first_line)})


def _stream(*chunks: Chunk) -> Iterator[Chunk]:
    yield from chunks


def _broken_file() -> RawTable:
    raise InputError("b.csv: the file is empty")


def test_a_stream_commits_chunk_by_chunk(store: SqliteStore) -> None:
    good = _persons("a.csv", [("P1", "张三")])
    bad = Chunk([Part("persons", _broken_file, "b.csv")])
    with pytest.raises(InputError, match="empty"):
        run(lambda: _stream(good, bad), store, LoadReport("s"))
    assert store.view().counts_by_kind() == {"person": 1}  # the first chunk stays written
    assert store.view().loads() == []  # but the load was never logged
    (stopped,) = store.view().load_runs()  # it says so, and why
    assert (stopped.source, stopped.state, stopped.chunks, stopped.error) == (
        "s", "failed", 1, "b.csv: the file is empty")
    run(lambda: _stream(good), store, LoadReport("s"))  # the same source again: resumed
    assert store.view().load_runs() == [] and len(store.view().loads()) == 1


def test_a_whole_file_problem_before_any_write_leaves_no_trace(store: SqliteStore) -> None:
    bad = Chunk([Part("persons", _broken_file, "b.csv")])
    with pytest.raises(InputError, match="empty"):
        run(lambda: _stream(bad), store, LoadReport("s"))
    assert store.view().load_runs() == [] and store.view().loads() == []


def test_chunks_known_up_front_write_nothing_before_a_whole_file_problem(
        store: SqliteStore) -> None:
    good = _persons("a.csv", [("P1", "张三")])
    broken = Chunk([*good.parts, Part("organizations", _broken_file, "b.csv")])
    with pytest.raises(InputError, match="empty"):
        run([broken], store, LoadReport("s"))
    assert store.view().counts_by_kind() == {} and store.view().loads() == []


@pytest.mark.parametrize("streamed", [True, False])
def test_strict_writes_nothing_even_when_the_last_chunk_has_the_bad_row(
        store: SqliteStore, streamed: bool) -> None:
    chunks = [_persons("a.csv", [("P1", "张三")]), _persons("a.csv", [("P2", "")], 3)]
    with pytest.raises(InputError, match=r"a.csv: line 3, column name: .*1 row\(s\) would"):
        run((lambda: _stream(*chunks)) if streamed else chunks, store, LoadReport("s"),
            strict=True)
    assert store.view().counts_by_kind() == {} and store.view().loads() == []


def test_counts_add_up_per_file_over_chunks_and_parts_stay_apart(store: SqliteStore) -> None:
    one = Chunk([Part("persons", lambda: _raw("a.csv", [("P1", "张三"), ("P2", "")]), "a"),
                 Part("persons", lambda: _raw("a.csv", [("P3", "李四")], 5), "a")])
    two = _persons("a.csv", [("P4", "王五")], 9)
    report = run(lambda: _stream(one, two), store, LoadReport("s"))
    assert [(t.file, t.read, t.loaded, t.set_aside) for t in report.tables] == [
        ("a.csv", 3, 2, 1), ("a.csv", 1, 1, 0)]
    assert report.read == report.loaded + report.set_aside_count == 4
    assert store.view().counts_by_kind() == {"person": 3}
    (log,) = store.view().loads()
    assert log["report"]["read"] == 4 and report.load_id > 0


def test_a_chunk_of_several_files_gives_rows_their_own_file_and_line(
        store: SqliteStore) -> None:
    mixed = _raw("2-files", [("P1", "张三"), ("P2", "")])
    mixed.frame["_line"] = [0 * SPAN + 4, 1 * SPAN + 7]
    report = run([Chunk.of({"persons": mixed}, files=["a.json", "b.json"])], store,
                 LoadReport("s"))
    assert [(t.file, t.read, t.loaded, t.set_aside) for t in report.tables] == [
        ("a.json", 1, 1, 0), ("b.json", 1, 0, 1)]
    assert [(r.file, r.line) for r in store.view().set_aside()] == [("b.json", 7)]
    assert {(s.file, s.line) for refs in store.view().entity_sources().values()
            for s in refs} == {("a.json", 4)}


def test_records_that_became_no_row_are_read_and_set_aside(store: SqliteStore) -> None:
    lost = SetAsideRecord("a.json", 9, "(not converted)", "", "not_convertible", "no kind")
    chunk = Chunk.of({"persons": _raw("a.json", [("P1", "张三")])}, unconverted=[lost])
    report = run([chunk], store, LoadReport("s"))
    assert [(t.table, t.read, t.set_aside) for t in report.tables] == [
        ("persons", 1, 0), ("(not converted)", 1, 1)]
    assert [r.code for r in store.view().set_aside()] == ["not_convertible"]


def test_loading_the_same_chunks_twice_changes_nothing(store: SqliteStore) -> None:
    def chunks() -> Iterator[Chunk]:
        return _stream(_persons("a.csv", [("P1", "张三"), ("P2", "")]),
                       _persons("b.csv", [("P3", "李四")]))

    first = run(chunks, store, LoadReport("s"))
    view = store.view()
    before = (list(view.entities()), view.aliases(), view.collisions())
    again = run(chunks, store, LoadReport("s"))
    assert (list(view.entities()), view.aliases(), view.collisions()) == before
    assert again.redefined == {} and again.collisions == [] and again.read == 3
    # each load keeps what it set aside, under its own number
    assert [r.load for r in view.set_aside()] == [first.load_id, again.load_id]
