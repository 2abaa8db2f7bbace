"""Saved investigations on both backends: versions kept, names checked, copies, refusals.

The same contract runs on a real SQLite file and on the Neo4j backend (``NEO4J_URI``,
else the Bolt bridge over grafeo, else skipped with that reason).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j_stores import open_neo4j

from graph.errors import UmbrellaError
from graph.store import Store, open_store
from graph.store.investigations import (
    NAME_MAX,
    Investigation,
    InvestigationBook,
    check_name,
    copy,
    investigation_book,
)
from graph.store.sqlite_investigations import SqliteInvestigations

CANVAS = Investigation(
    "校舍维修 2023", ("P0001", "O0002", "C0003"),
    {"P0001": (-120.5, 40.0), "O0002": (230.0, -15.25), "C0003": (0.0, 0.0)},
    ("C0003",), "2023-09-12", "王芳: 先看合同\n第二行", author="王芳")


@pytest.fixture(params=["sqlite", "neo4j"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        store: Store = open_store(tmp_path / "case.db")
    else:
        store = open_neo4j(request.getfixturevalue("neo4j_db"))
    yield store
    store.close()


@pytest.fixture
def book(backend: Store) -> Iterator[InvestigationBook]:
    b = investigation_book(backend)
    yield b
    b.close()


def test_a_saved_canvas_reads_back_whole(book: InvestigationBook) -> None:
    saved = book.save(CANVAS)
    assert saved.version == 1 and len(saved.saved_at) == 19
    got = book.get("校舍维修 2023")
    assert got == saved
    assert got is not None and got.positions["O0002"] == (230.0, -15.25)
    assert got.hidden == ("C0003",) and got.notes == CANVAS.notes and got.author == "王芳"


def test_saving_again_adds_a_version_and_keeps_the_earlier(book: InvestigationBook) -> None:
    book.save(CANVAS)
    moved = {**CANVAS.positions, "P0001": (999.0, 1.0)}
    second = book.save(CANVAS._replace(positions=moved, notes="第二稿", author="李明"))
    assert second.version == 2
    assert [(v.version, v.notes, v.author) for v in book.versions(CANVAS.name)] == [
        (1, CANVAS.notes, "王芳"), (2, "第二稿", "李明")]
    first = book.get(CANVAS.name, version=1)
    assert first is not None and first.positions["P0001"] == (-120.5, 40.0)
    latest = book.get(CANVAS.name)
    assert latest is not None and latest.version == 2 and latest.positions["P0001"] == (999.0, 1.0)
    assert book.get(CANVAS.name, version=3) is None and book.get("nobody") is None


def test_list_gives_each_name_once_at_its_latest(book: InvestigationBook) -> None:
    assert book.list() == []
    book.save(CANVAS)
    book.save(CANVAS._replace(notes="v2"))
    book.save(CANVAS._replace(name="Alpha", entities=("P9",), positions={}, hidden=(), notes=""))
    assert [(i.name, i.version, i.notes) for i in book.list()] == [
        ("Alpha", 1, ""), ("校舍维修 2023", 2, "v2")]


def test_copy_makes_version_one_of_a_new_name(book: InvestigationBook) -> None:
    book.save(CANVAS)
    book.save(CANVAS._replace(notes="v2"))
    dup = copy(book, CANVAS.name, "副本", "李明")
    assert (dup.name, dup.version, dup.notes, dup.author) == ("副本", 1, "v2", "李明")
    assert dup.positions == CANVAS.positions and dup.entities == CANVAS.entities
    with pytest.raises(UmbrellaError, match="exists already"):
        copy(book, CANVAS.name, "副本", "李明")
    with pytest.raises(UmbrellaError, match="no investigation named 没有"):
        copy(book, "没有", "x", "李明")
    assert len(book.versions(CANVAS.name)) == 2


@pytest.mark.parametrize(("change", "words"), [
    ({"name": ""}, "needs a name"),
    ({"name": "x" * (NAME_MAX + 1)}, "at most 100"),
    ({"name": "a\x1bb"}, "control character (U+001B) at character 2"),
    ({"name": "甲\u2028乙"}, "U+2028"),
    ({"entities": ()}, "no entity"),
    ({"positions": {"P7": (1.0, 2.0)}}, "P7, which is not on the canvas"),
    ({"positions": {"P0001": (float("nan"), 2.0)}}, "not a number"),
    ({"hidden": ("Z1",)}, "Z1 is hidden but not on the canvas"),
    ({"as_of": "2023-13-01"}, "is not a date"),
    ({"author": " "}, "no author"),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
        book: InvestigationBook, change: dict[str, Any], words: str) -> None:
    with pytest.raises(UmbrellaError, match=re.escape(words)) as err:
        book.save(CANVAS._replace(**change))
    assert err.value.hint
    assert book.list() == []


def test_names_are_trimmed_and_chinese_names_work() -> None:
    assert check_name(" 王建国 · 关联公司 ") == "王建国 · 关联公司"
    assert check_name("x" * NAME_MAX) == "x" * NAME_MAX


def test_sqlite_versions_cannot_be_changed_or_removed(tmp_path: Path) -> None:
    path = tmp_path / "case.db"
    open_store(path).close()
    book = SqliteInvestigations(path)
    book.save(CANVAS)
    for stmt in ("UPDATE investigations SET notes = 'edited'", "DELETE FROM investigations"):
        with pytest.raises(sqlite3.IntegrityError, match="never changed or removed"):
            book._conn.execute(stmt)
    book.close()
    reader = SqliteInvestigations(path, read_only=True)
    assert reader.get(CANVAS.name) is not None
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader._conn.execute("INSERT INTO investigations(name) VALUES ('x')")
    reader.close()


def test_a_file_nobody_saved_in_is_left_without_the_table(tmp_path: Path) -> None:
    path = tmp_path / "case.db"
    store = open_store(path)
    book = investigation_book(store)
    assert book.list() == [] and book.get("x") is None
    book.close()
    store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'investigations'"
                            ).fetchone() == (0,)
