"""A generated county end to end: counts, duplicates, planted bad rows, reloads, encodings."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from samples import snapshot

from graph.store import SqliteStore
from loaders.load import LoadReport, load_folder
from synthetic import GeneratedCounty, generate_county
from synthetic.truth import Truth, read_truth


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCounty:
    return generate_county(tmp_path_factory.mktemp("gen") / "county", scale=1.0, seed=3)


@pytest.fixture(scope="module")
def truth(county: GeneratedCounty) -> Truth:
    return read_truth(county.truth_path)


@pytest.fixture(scope="module")
def loaded(county: GeneratedCounty, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[SqliteStore, LoadReport]:
    store = SqliteStore(tmp_path_factory.mktemp("db") / "county.db")
    return store, load_folder(county.data_dir, store)


def test_rows_read_are_loaded_or_set_aside(county: GeneratedCounty,
                                           loaded: tuple[SqliteStore, LoadReport]) -> None:
    _, report = loaded
    assert {t.table: t.read for t in report.tables} == county.rows
    for t in report.tables:
        assert t.read == t.loaded + t.set_aside, t
    assert report.read > 50_000


def test_exactly_the_planted_bad_rows_are_set_aside(truth: Truth,
                                                    loaded: tuple[SqliteStore, LoadReport]) -> None:
    _, report = loaded
    got = {(Path(r.file).name, r.line, r.code, r.column) for r in report.set_aside}
    want = {(b.file, b.line, b.code, b.column) for b in truth.bad_rows}
    assert got - want == set(), "set aside but not planted"
    assert want - got == set(), "planted but not set aside"
    assert len(report.set_aside) == len(truth.bad_rows)
    codes = Counter(r.code for r in report.set_aside)
    assert len(codes) >= 10, codes  # the generator plants every reason


def test_duplicate_person_records_are_one_node(truth: Truth,
                                               loaded: tuple[SqliteStore, LoadReport]) -> None:
    store, _ = loaded
    view = store.view()
    assert truth.duplicates
    for dup in truth.duplicates:
        keys = {view.resolve(pid, "persons") for pid in dup.person_ids}
        assert len(keys) == 1 and None not in keys, dup
        entity = view.get(keys.pop() or "")
        assert entity is not None and set(dup.person_ids) <= set(entity.source_ids)
    for ns in truth.namesakes:
        keys = {view.resolve(pid, "persons") for pid in ns.person_ids}
        assert len(keys) == len(ns.person_ids), ns


def test_person_nodes_are_rows_less_merges(county: GeneratedCounty, truth: Truth,
                                           loaded: tuple[SqliteStore, LoadReport]) -> None:
    store, report = loaded
    persons = next(t for t in report.tables if t.table == "persons")
    merged_away = sum(len(d.person_ids) - 1 for d in truth.duplicates)
    assert store.view().counts_by_kind()["person"] == persons.loaded - merged_away


def test_loading_the_county_twice_gives_the_same_counts(
        county: GeneratedCounty, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "twice.db")
    one = load_folder(county.data_dir, store)
    v = store.view()
    first = (v.counts_by_kind(), v.counts_by_type(), len(v.aliases()), v.collisions())
    two = load_folder(county.data_dir, store)
    v = store.view()
    assert (v.counts_by_kind(), v.counts_by_type(), len(v.aliases()), v.collisions()) == first
    # each load keeps the rows it set aside: the same rows, under its own number
    aside = [[replace(r, load=0) for r in v.set_aside(n)] for n in (one.load_id, two.load_id)]
    assert aside[0] == aside[1] and len(aside[0]) == one.set_aside_count == two.set_aside_count
    store.close()


@pytest.fixture(scope="module")
def small_county(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCounty:
    return generate_county(tmp_path_factory.mktemp("gen") / "small", scale=0.3, seed=11)


def _recode(src: Path, dst: Path, encoding: str) -> None:
    dst.mkdir(parents=True)
    for f in src.glob("*.csv"):
        (dst / f.name).write_bytes(f.read_text(encoding="utf-8").encode(encoding))


def test_gb18030_folder_loads_like_the_utf8_one(small_county: GeneratedCounty,
                                                tmp_path: Path) -> None:
    twin = tmp_path / "gb" / "small"
    _recode(small_county.data_dir, twin, "gb18030")
    snaps = []
    for folder, db in ((small_county.data_dir, tmp_path / "u.db"), (twin, tmp_path / "g.db")):
        store = SqliteStore(db)
        report = load_folder(folder, store)
        if folder == twin:
            assert "gb18030" in {t.encoding for t in report.tables}
        snaps.append(snapshot(store))
        store.close()
    assert snaps[0] == snaps[1]


def test_xlsx_persons_load_like_the_csv(small_county: GeneratedCounty, tmp_path: Path) -> None:
    twin = tmp_path / "x" / "small"
    twin.mkdir(parents=True)
    for f in small_county.data_dir.glob("*.csv"):
        if f.stem != "persons":
            (twin / f.name).write_bytes(f.read_bytes())
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    with (small_county.data_dir / "persons.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert all("\n" not in cell for row in rows for cell in row)  # lines = Excel rows
    for row in rows:
        ws.append(row)
    wb.save(twin / "persons.xlsx")
    snaps = []
    for folder, db in ((small_county.data_dir, tmp_path / "c.db"), (twin, tmp_path / "x.db")):
        store = SqliteStore(db)
        load_folder(folder, store)
        snaps.append(snapshot(store))
        store.close()
    assert snaps[0] == snaps[1]


def test_a_large_folder_loads_file_by_file_like_one_transaction(
        small_county: GeneratedCounty, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above UMBRELLA_CHUNK_BYTES a folder is written one file per transaction (memory
    follows the largest file): the same entities, records and set-aside rows, with the
    same reasons and lines, as the whole folder in one transaction."""
    results = []
    for name, limit in (("whole", None), ("by-file", "0")):
        if limit is not None:
            monkeypatch.setenv("UMBRELLA_CHUNK_BYTES", limit)
        store = SqliteStore(tmp_path / f"{name}.db")
        report = load_folder(small_county.data_dir, store)
        results.append((snapshot(store), report.read, report.loaded,
                        sorted((r.file, r.line, r.code, r.message) for r in report.set_aside),
                        [(t.table, t.read, t.loaded, t.set_aside) for t in report.tables]))
        commits = store.view().loads()
        store.close()
    assert results[0] == results[1]
    assert results[0][3], "the county plants bad rows of every reason"
    assert len(commits) == 1, "one load, written in several transactions"
