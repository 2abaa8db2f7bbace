"""Loading a small hand-made folder: every reason, merges, reloads, encodings, Excel."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from samples import SMALL, SMALL_SET_ASIDE, snapshot, write_csv, write_small

from graph.errors import InputError
from graph.store import SqliteStore
from loaders.load import load_folder


def test_every_bad_row_is_set_aside_with_line_reason_and_column(small: Path,
                                                                store: SqliteStore) -> None:
    report = load_folder(small, store)
    got = {(r.table, r.line, r.code, r.column) for r in report.set_aside}
    assert got == SMALL_SET_ASIDE
    for t in report.tables:
        assert t.read == t.loaded + t.set_aside == len(SMALL[t.table][1])


def test_same_id_number_is_one_person_and_names_never_merge(small: Path,
                                                            store: SqliteStore) -> None:
    load_folder(small, store)
    v = store.view()
    k1, k2, k6 = v.resolve("P1"), v.resolve("P2"), v.resolve("P6")
    assert k1 is not None and k1 == k2
    assert k6 is not None and k6 != k1  # same name 张伟, no id number: another person
    e = v.get(k1)
    assert e is not None and e.source_ids == ["P1", "P2"] and e.name == "张伟"
    assert "11010519491231002X" not in k1  # keys do not reveal identity numbers


def test_mirrored_kin_rows_are_one_tie_with_both_sources(small: Path, store: SqliteStore) -> None:
    load_folder(small, store)
    kin = [r for r in store.view().relations(["KIN"]) if r.props["relation"] == "spouse"]
    assert len(kin) == 1
    assert [s.line for s in kin[0].sources] == [2, 3]
    # a child row is stored as the inverse parent tie
    (parent,) = [r for r in store.view().relations(["KIN"]) if r.props["relation"] == "parent"]
    assert parent.src == store.view().resolve("P6") and parent.dst == store.view().resolve("P1")


def test_quoted_newline_keeps_physical_line_numbers(small: Path, store: SqliteStore) -> None:
    report = load_folder(small, store)
    # C1 spans lines 2-3, so C2 (bad amount) is line 4
    assert ("contracts", 4) in {(r.table, r.line) for r in report.set_aside}
    c1 = store.view().get("c:C1")
    assert c1 is not None and c1.props["title"] == "校舍维修\n二期"
    assert c1.sources[0].line == 2


def test_loading_twice_changes_nothing(small: Path, store: SqliteStore) -> None:
    load_folder(small, store)
    first = snapshot(store)
    load_folder(small, store)
    assert snapshot(store) == first
    assert len(store.view().loads()) == 2


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk"])
def test_chinese_encodings_load_identically(tmp_path: Path, encoding: str) -> None:
    results = []
    for enc in ("utf-8", encoding):
        folder = write_small(tmp_path / enc / "county", enc)
        store = SqliteStore(tmp_path / enc / "case.db")
        report = load_folder(folder, store)
        # plain ASCII files read as UTF-8 whatever they were saved as
        wide = [t for t in report.tables if not Path(t.file).read_bytes().isascii()]
        assert len(wide) >= 3
        assert {t.encoding for t in wide} == {enc if enc != "gbk" else "gb18030"}
        snap = snapshot(store)
        store.close()
        results.append(snap)
    assert results[0] == results[1]


def test_xlsx_table_loads_like_its_csv_twin(tmp_path: Path) -> None:
    csv_dir = write_small(tmp_path / "csv" / "county")
    xlsx_dir = write_small(tmp_path / "xlsx" / "county")
    for table in ("persons", "contracts"):
        (xlsx_dir / f"{table}.csv").unlink()
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        header, rows = SMALL[table]
        ws.append(header)
        line = 2
        for row in rows:
            ws.append(row)
            line += 1 + row[1].count("\n") if table == "contracts" else 1
            if table == "contracts" and "\n" in row[1]:
                ws.append([])  # keep Excel row numbers equal to the CSV's physical lines
        wb.save(xlsx_dir / f"{table}.xlsx")
    snaps = []
    for d in (csv_dir, xlsx_dir):
        store = SqliteStore(d.parent / "case.db")
        load_folder(d, store)
        snaps.append(snapshot(store))
        store.close()
    assert snaps[0] == snaps[1]


def test_excel_dates_and_numbers_become_text(tmp_path: Path) -> None:
    import datetime as dt

    folder = tmp_path / "x"
    folder.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["person_id", "name", "birth_date", "phone"])
    ws.append(["P1", "张伟", dt.datetime(1980, 5, 6), 13800000001])
    wb.save(folder / "persons.xlsx")
    store = SqliteStore(tmp_path / "c.db")
    load_folder(folder, store)
    e = store.view().get("p:s:P1")
    assert e is not None and e.props == {"birth_date": "1980-05-06", "phone": "13800000001"}
    store.close()


def _fails(folder: Path, store: SqliteStore, *needles: str) -> InputError:
    before = snapshot(store)
    with pytest.raises(InputError) as info:
        load_folder(folder, store)
    assert snapshot(store) == before, "a failed load must leave the store as it was"
    text = f"{info.value.message} | {info.value.hint}"
    for n in needles:
        assert n in text, text
    assert "\n" not in info.value.message
    return info.value


@pytest.fixture
def loaded(small: Path, store: SqliteStore) -> SqliteStore:
    load_folder(small, store)
    return store


def test_missing_required_column(tmp_path: Path, loaded: SqliteStore) -> None:
    d = write_small(tmp_path / "m")
    write_csv(d / "persons.csv", ["person_id", "full_name"], [["P1", "张伟"]])
    _fails(d, loaded, "persons.csv", "line 1", "name", "rename")


def test_wrong_delimiter(tmp_path: Path, loaded: SqliteStore) -> None:
    d = write_small(tmp_path / "m")
    (d / "organizations.csv").write_text("org_id;name;kind\nO1;县教育局;agency\n")
    _fails(d, loaded, "organizations.csv", "semicolon", "comma-separated")


def test_empty_file(tmp_path: Path, loaded: SqliteStore) -> None:
    d = write_small(tmp_path / "m")
    (d / "contracts.csv").write_bytes(b"")
    _fails(d, loaded, "contracts.csv", "empty", "header")


def test_unreadable_encoding(tmp_path: Path, loaded: SqliteStore) -> None:
    d = write_small(tmp_path / "m")
    (d / "persons.csv").write_bytes("person_id,name\nP1,José Müller\n".encode("latin-1"))
    _fails(d, loaded, "persons.csv", "line 2", "--encoding")


def test_unreadable_file(tmp_path: Path, loaded: SqliteStore) -> None:
    d = write_small(tmp_path / "m")
    (d / "persons.csv").unlink()
    (d / "persons.csv").mkdir()
    (d / "persons.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    _fails(d, loaded, "persons.xlsx", ".xlsx", "save it again")


def test_reference_to_a_table_nobody_defines(tmp_path: Path, store: SqliteStore) -> None:
    d = tmp_path / "m"
    d.mkdir()
    write_csv(d / "persons.csv", ["person_id", "name"], [["P1", "张伟"]])
    write_csv(d / "positions.csv", ["person_id", "org_id", "title"], [["P1", "O1", "局长"]])
    _fails(d, store, "positions.csv", "line 2", "org_id", "organizations.csv")


def test_strict_refuses_set_aside_rows(small: Path, store: SqliteStore) -> None:
    with pytest.raises(InputError, match="would be set aside"):
        load_folder(small, store, strict=True)
    assert store.view().counts_by_kind() == {}


def test_wrong_field_count_is_set_aside_not_fatal(tmp_path: Path, store: SqliteStore) -> None:
    d = tmp_path / "f"
    d.mkdir()
    (d / "persons.csv").write_text("person_id,name\nP1,张伟\nP2,李,娜\nP3,王芳\n")
    report = load_folder(d, store)
    assert [(r.line, r.code) for r in report.set_aside] == [(3, "bad_field_count")]
    assert report.read == 3 and report.loaded == 2


def test_ids_from_an_earlier_load_resolve(tmp_path: Path, small: Path, store: SqliteStore) -> None:
    load_folder(small, store)
    later = tmp_path / "later"
    later.mkdir()
    write_csv(later / "positions.csv", ["person_id", "org_id", "title", "start_date"],
              [["P1", "O1", "局长", "2018-01-01"]])
    report = load_folder(later, store)
    assert report.set_aside == [] and store.view().counts_by_type()["HOLDS_POST"] == 1


def test_folder_problems(tmp_path: Path, store: SqliteStore, small: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        load_folder(tmp_path / "nope", store)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no layout table"):
        load_folder(empty, store)
    shutil.copy(small / "persons.csv", small / "PERSONS.xlsx")
    with pytest.raises(InputError, match="both"):
        load_folder(small, store)


def test_ids_defined_by_another_file_are_reported(tmp_path: Path, small: Path,
                                                  store: SqliteStore) -> None:
    load_folder(small, store)
    other = tmp_path / "other"
    other.mkdir()
    write_csv(other / "persons.csv", ["person_id", "name"], [["P1", "另一个人"], ["P77", "新人"]])
    write_csv(other / "organizations.csv", ["org_id", "name", "kind"], [["O1", "水利局", "agency"]])
    report = load_folder(other, store)
    # O1 has no credit code on either side: its id is its identity, one entity
    n, example, first_file = report.redefined["organizations"]
    assert (n, example) == (1, "O1") and first_file.endswith("small/organizations.csv")
    # P1 is someone else here (the first P1 has an identity number): both kept, ambiguous
    (clash,) = report.collisions
    assert (clash.table, clash.source_id) == ("persons", "P1")
    assert clash.here.endswith("other/persons.csv line 2")
    assert [e.endswith("small/persons.csv line 2") for e in clash.earlier] == [True]
    again = load_folder(small, store)  # the same files again: nothing redefined
    assert again.redefined == {}
    assert [c.source_id for c in again.collisions] == ["P1"]  # P1 is still ambiguous


def test_a_person_can_pay(tmp_path: Path, small: Path, store: SqliteStore) -> None:
    """``payer_person_id`` (a donor, say): a PAID tie from the person; unknown ids set aside."""
    load_folder(small, store)
    later = tmp_path / "donations"
    later.mkdir()
    write_csv(later / "payments.csv",
              ["payment_id", "recipient_id", "amount", "date", "payer_person_id"],
              [["D1", "O1", "5000", "2020-03-01", "P1"], ["D2", "O1", "100", "2020-03-02", "P999"]])
    report = load_folder(later, store)
    assert (report.read, report.loaded) == (2, 1)
    (aside,) = report.set_aside
    assert (aside.line, aside.column) == (3, "payer_person_id")
    v = store.view()
    (paid,) = [r for r in v.relations(["PAID"]) if r.dst == v.resolve("D1", "payments")]
    assert paid.src == v.resolve("P1", "persons") and paid.start == "2020-03-01"


def test_unknown_columns_of_a_relation_table_are_kept_on_its_records(
        tmp_path: Path, small: Path, store: SqliteStore) -> None:
    folder = tmp_path / "more"
    shutil.copytree(small, folder)
    write_csv(folder / "positions.csv", ["person_id", "org_id", "title", "start_date",
                                         "end_date", "grade"],
              [["P1", "O1", "局长", "2015-01-01", "", "正处级"]])
    load_folder(folder, store)
    (post,) = store.view().relations(["HOLDS_POST"])
    assert post.props == {"title": "局长", "grade": "正处级"}
