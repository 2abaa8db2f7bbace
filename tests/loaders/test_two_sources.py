"""Two sources that number their rows the same way: every input id stays findable.

County A and county B both call their first person ``P1``; they are different people
(different identity numbers). Loading B after A keeps both mappings of ``P1``, B's
own rows mean B's ``P1``, the collision is reported, and a later row that names
``P1`` without saying which is set aside as ambiguous.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import write_csv

from graph.errors import UmbrellaError
from graph.store import SqliteStore
from loaders.load import load_folder

#: Valid identity numbers (GB 11643 checksums).
ZHANG, WANG, LI, ZHAO = ("11010519491231002X", "110105198001010016", "110105198503070035",
                         "110105199001010010")


def _county(folder: Path, persons: list[list[str]], ties: list[list[str]]) -> Path:
    folder.mkdir(parents=True)
    write_csv(folder / "persons.csv", ["person_id", "name", "id_number"], persons)
    write_csv(folder / "relationships.csv", ["person_id", "other_id", "relation"], ties)
    return folder


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path]:
    a = _county(tmp_path / "a", [["P1", "张三", ZHANG], ["P2", "王五", WANG]],
                [["P1", "P2", "spouse"]])
    b = _county(tmp_path / "b", [["P1", "李四", LI], ["P2", "赵六", ZHAO], ["P3", "孙七", ""]],
                [["P1", "P2", "sibling"], ["P1", "P3", "child"]])
    return a, b


def test_both_mappings_are_kept_and_each_load_means_its_own_rows(
        two: tuple[Path, Path], store: SqliteStore) -> None:
    a, b = two
    load_folder(a, store)
    report = load_folder(b, store)
    v = store.view()
    by_name = {e.name: e for e in v.entities("person")}
    # B's persons are found by their input ids too (they used to lose them to A's)
    assert by_name["李四"].source_ids == ["P1"] and by_name["张三"].source_ids == ["P1"]
    assert by_name["赵六"].source_ids == ["P2"] and by_name["王五"].source_ids == ["P2"]
    # B's ties are between B's people, A's between A's
    names = {e.key: e.name for e in v.entities("person")}
    ties = {(r.props["relation"], names[r.src], names[r.dst]) if r.props["relation"] == "parent"
            else (r.props["relation"], *sorted((names[r.src], names[r.dst])))
            for r in v.relations(["KIN"])}  # symmetric ties: stored in key order
    assert ties == {("spouse", "张三", "王五"), ("sibling", "李四", "赵六"),
                    ("parent", "孙七", "李四")}
    # the collisions: in the report (table, id, both sources) and in the store
    assert [(c.table, c.source_id) for c in report.collisions] == [("persons", "P1"),
                                                                  ("persons", "P2")]
    assert report.collisions[0].here == f"{b / 'persons.csv'} line 2"
    assert report.collisions[0].earlier == (f"{a / 'persons.csv'} line 2",)
    assert report.as_dict()["collisions"] == {
        "count": 2, "tables": {"persons": 2},
        "first": [["persons", "P1", f"{b / 'persons.csv'} line 2", f"{a / 'persons.csv'} line 2"],
                  ["persons", "P2", f"{b / 'persons.csv'} line 3", f"{a / 'persons.csv'} line 3"]]}
    assert [(t, sid, [c.file for c in cs]) for (t, sid), cs in v.collisions().items()] == [
        ("persons", "P1", [str(a / "persons.csv"), str(b / "persons.csv")]),
        ("persons", "P2", [str(a / "persons.csv"), str(b / "persons.csv")])]
    with pytest.raises(UmbrellaError, match="persons id P1 names 2 entities"):
        v.resolve("P1")
    assert v.resolve("P3") == by_name["孙七"].key


def test_a_later_row_naming_an_ambiguous_id_is_set_aside(two: tuple[Path, Path],
                                                        store: SqliteStore,
                                                        tmp_path: Path) -> None:
    a, b = two
    load_folder(a, store)
    load_folder(b, store)
    later = tmp_path / "later"
    later.mkdir()
    write_csv(later / "relationships.csv", ["person_id", "other_id", "relation"],
              [["P1", "P3", "associate"], ["P2", "P3", "associate"]])
    report = load_folder(later, store)
    assert (report.read, report.loaded, report.set_aside_count) == (2, 0, 2)
    first = report.set_aside[0]
    assert (first.line, first.column, first.code) == (2, "person_id", "ambiguous_reference")
    assert first.message.startswith(
        "person_id 'P1' names two entities in the database, defined by different sources "
        "(persons.csv line 2; persons.csv line 2)")
    # a load that defines the id itself means its own row
    mine = _county(tmp_path / "mine", [["P1", "周八", ""]], [["P1", "P3", "associate"]])
    assert load_folder(mine, store).set_aside == []


def test_reloading_a_source_adds_no_mapping(two: tuple[Path, Path], store: SqliteStore) -> None:
    a, b = two
    load_folder(a, store)
    load_folder(b, store)
    before = store.view().entity_sources()
    again = load_folder(a, store)
    # P1 and P2 are still ambiguous, and the report says so again
    assert [c.source_id for c in getattr(again, "collisions", [])] == ["P1", "P2"]
    assert store.view().entity_sources() == before
    assert len(store.view().claims()) == 5
