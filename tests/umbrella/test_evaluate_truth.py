"""Reading a truth file for ``umbrella evaluate``: every row used or set aside, with why."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import InputError
from graph.store import AliasRecord, EntityRecord, SqliteStore
from queries.evaluate import items_of
from umbrella.evaluate_cmd import read_truth_file


@pytest.fixture
def two_sources(tmp_path: Path) -> SqliteStore:
    """A store where P1 names one person through two ids, and X1 names two people."""
    store = SqliteStore(tmp_path / "t.db")
    with store.writer() as w:
        w.put_entities([EntityRecord("p:1", "person", "张伟", {}),
                        EntityRecord("p:2", "person", "李娜", {}),
                        EntityRecord("p:3", "person", "王芳", {})])
        w.put_aliases([AliasRecord("persons", "P1", "p:1", "/a/persons.csv", 2),
                       AliasRecord("persons", "P1b", "p:1", "/a/persons.csv", 3),
                       AliasRecord("persons", "X1", "p:2", "/a/persons.csv", 4),
                       AliasRecord("persons", "X1", "p:3", "/b/persons.csv", 2)])
    return store


def test_truth_rows_read_are_used_or_set_aside_with_line_and_reason(
        two_sources: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_bytes("id,label,category,group,note\n"
                     "P1,结案 2021,umbrella,,\n"
                     "P1b,duplicate row,保护伞,,\n"  # the category's Chinese word
                     "X1,two people,,,\n"
                     " ,blank,,,\n"
                     "P404,unknown,collusion,G,\n"
                     "P1,bad category,gang,,\n"
                     "P1,too,many,fields,here,x\n".encode("gb18030"))
    t = read_truth_file(two_sources.view(), path)
    assert t.encoding == "gb18030"
    assert t.read == 7 == len(t.rows) + len(t.set_aside)
    assert [(r.line, r.key, r.label, r.category) for r in t.rows] == [
        (2, "p:1", "结案 2021", "umbrella"), (3, "p:1", "duplicate row", "umbrella")]
    aside = [(s.line, s.column, s.reason) for s in t.set_aside]
    assert aside == [(4, "id", "ambiguous_id"), (5, "id", "blank_id"),
                     (6, "id", "unknown_id"), (7, "category", "unknown_category"),
                     (8, "(6)", "bad_field_count")]
    ambiguous = t.set_aside[0].message
    assert "李娜" in ambiguous and "王芳" in ambiguous and "p:2" in ambiguous
    assert "P404" in t.set_aside[2].message and "umbrella show" in t.set_aside[2].message
    assert len(items_of(t.rows)) == 1


def test_a_truth_file_without_a_needed_column_is_refused(two_sources: SqliteStore,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text("identifier,label\nP1,x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_truth_file(two_sources.view(), path)
    assert "line 1" in err.value.message and "no column id" in err.value.message
    assert "id,label" in err.value.hint


def test_a_truth_file_with_no_usable_row_is_refused_naming_the_first_fault(
        two_sources: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "truth.csv"
    path.write_text("id,label\nNOPE,x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_truth_file(two_sources.view(), path)
    assert "line 2" in err.value.message and "NOPE" in err.value.message
