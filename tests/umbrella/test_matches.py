"""Match review (``umbrella matches``) on a real store on disk, with a real workbook.

The county is ``tests/match_county.py``: one official recorded twice without an
identity number (张伟), the approval on one record and the kin tie on the other, so
COI-001 appears only once the two are merged, and goes again when the merge is undone.
Two more pairs: 刘洋 (twice), decided different, and a name written as a formula
(twice), for neutralisation and a bad value typed into its decision cell.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from match_county import FORMULA, TABLES
from openpyxl import load_workbook
from rich.cells import cell_len
from samples import write_tables

from graph.errors import UmbrellaError
from graph.store import SqliteStore
from graph.store.match_decisions import match_book
from queries.matches import apply, decide, queue, undo
from queries.scan import scan
from umbrella.cli import cli


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    folder = write_tables(tmp_path / "县数据", TABLES)
    path = tmp_path / "案件.db"
    code, _out, err = _run("load", str(folder), "--db", str(path))
    assert code == 0, err
    return path


def _snapshot(path: Path) -> dict[str, Any]:
    """Everything a merge may touch, as the store's view and its tables show it."""
    store = SqliteStore(path)
    try:
        view = store.view()
        return {"entities": [(e.key, e.kind, e.name, e.props, e.sources)
                             for e in view.entities()],
                "relations": [(r.id, r.type, r.src, r.dst, r.start, r.end, r.props, r.sources)
                              for r in view.relations()],
                "claims": view.claims(), "aliases": view.aliases(),
                "props_text": sqlite3.connect(path).execute(
                    "SELECT key, props FROM entities ORDER BY key").fetchall()}
    finally:
        store.close()


def _pair(path: Path, name: str) -> str:
    store = SqliteStore(path)
    try:
        return next(r.pair for r in queue(store) if r.name_a == name)
    finally:
        store.close()


def _coi(path: Path) -> list[dict[str, Any]]:
    store = SqliteStore(path)
    try:
        return [f for f in store.view().findings() if f["rule"] == "COI-001"]
    finally:
        store.close()


def test_queue_proposes_the_three_pairs(db: Path) -> None:
    store = SqliteStore(db)
    try:
        rows = queue(store)
    finally:
        store.close()
    assert sorted(r.name_a for r in rows) == sorted([FORMULA, "刘洋", "张伟"])
    zhang = next(r for r in rows if r.name_a == "张伟")
    said = " ".join(zhang.reasons)
    assert "张伟" in said and "1970-05-01" in said and zhang.decision == ""
    assert zhang.a < zhang.b and zhang.pair.startswith("M-") and len(zhang.pair) == 14


def test_merge_then_undo_restores_the_store_exactly(db: Path) -> None:
    before = _snapshot(db)
    pair = _pair(db, "张伟")
    store = SqliteStore(db)
    try:
        decide(store, pair, "same", user="王芳", note="同一户籍")
        done = apply(store, user="王芳")
        assert [e.action for e in done.events] == ["merge"] and not done.problems
        a, b = done.events[0].a, done.events[0].b
        view = store.view()
        assert view.get(b) is None
        assert view.get(a).props["address"] == "城关镇人民路1号"  # type: ignore[union-attr]
        assert view.resolve("A2", "persons") == a == view.resolve("A1", "persons")
        assert {r.type for r in view.neighbours(a)} == {"HOLDS_POST", "APPROVED", "KIN"}
        assert {s.source_id for s in view.get(a).sources} == {"A1", "A2"}  # type: ignore[union-attr]
        with pytest.raises(UmbrellaError, match="not in the database"):
            match_book(store).merge(pair, a, b, "王芳")  # b is gone: nothing merged twice
        event = undo(store, pair, user="王芳")
        assert (event.action, event.a, event.b) == ("undo", a, b)
        book = match_book(store)
        assert book.current()[pair].decision == "unsure"  # apply will not merge it again
        assert [d.author for d in book.history(pair)] == ["王芳", "王芳"]
        book.close()
        assert apply(store, user="王芳").events == []
    finally:
        store.close()
    assert _snapshot(db) == before


def test_the_books_are_append_only(db: Path) -> None:
    pair = _pair(db, "刘洋")
    assert _run("matches", "decide", pair, "same", "--db", str(db), "--user", "李娜")[0] == 0
    assert _run("matches", "apply", "--db", str(db), "--no-scan")[0] == 0
    conn = sqlite3.connect(db)
    for table in ("match_decisions", "match_merges"):
        with pytest.raises(sqlite3.IntegrityError, match="only added"):
            conn.execute(f"DELETE FROM {table}")
        with pytest.raises(sqlite3.IntegrityError, match="only added"):
            conn.execute(f"UPDATE {table} SET author = 'x'")
    conn.close()


def test_rules_rerun_find_the_conflict_only_the_merge_shows(db: Path) -> None:
    store = SqliteStore(db)
    scan(store)
    store.close()
    assert _coi(db) == []
    pair = _pair(db, "张伟")
    code, out, err = _run("matches", "decide", pair, "same", "--db", str(db), "--user", "王芳")
    assert code == 0, err
    code, out, err = _run("--lang", "zh", "matches", "apply", "--db", str(db))
    assert code == 0, err
    assert "合并" in out and "COI-001" in out
    [finding] = _coi(db)
    assert "张伟" in json.dumps(finding, ensure_ascii=False)
    code, out, err = _run("matches", "undo", pair, "--db", str(db), "--user", "王芳")
    assert code == 0, err
    assert _coi(db) == []
    trail = (db.parent / "案件.audit.jsonl").read_text("utf-8")
    assert all(f'"{a}"' in trail for a in ("decide", "merge", "unmerge"))


def test_undo_refuses_what_a_later_merge_built_on(db: Path, tmp_path: Path) -> None:
    store = SqliteStore(db)
    try:
        book = match_book(store)
        keys = {e.name: e.key for e in store.view().entities("person")}
        liu = sorted(k for k in (store.view().resolve("L1", "persons"),
                                 store.view().resolve("L2", "persons")) if k)
        book.merge("M-000000000001", liu[0], liu[1], "li")
        book.merge("M-000000000002", liu[0], keys["李娜"], "li")
        with pytest.raises(UmbrellaError, match="M-000000000002"):
            book.undo("M-000000000001", "li")
        book.undo("M-000000000002", "li")
        book.undo("M-000000000001", "li")
        book.close()
    finally:
        store.close()


def test_decide_refuses_an_unknown_pair(db: Path) -> None:
    code, _out, err = _run("matches", "decide", "M-00000000beef", "same", "--db", str(db))
    assert code == 1 and "M-00000000beef" in err and "umbrella matches" in err


def test_workbook_round_trip(db: Path, tmp_path: Path) -> None:
    book = tmp_path / "待核查队列.xlsx"
    code, _out, err = _run("--lang", "zh", "matches", "export", "--out", str(book),
                           "--db", str(db))
    assert code == 0, err
    wb = load_workbook(book)
    ws = wb.active
    assert ws is not None
    header = [c.value for c in ws[1]]
    assert header[:3] == ["配对编号", "判定", "备注"]
    rows = {r[header.index("名称（A）")].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == {"张伟", "刘洋", FORMULA}
    zhang = rows["张伟"]
    assert zhang[header.index("电话（A）")].value == zhang[header.index("电话（B）")].value \
        == "13800000001"
    assert "persons.csv" in zhang[header.index("来源行（A）")].value
    bad = rows[FORMULA][header.index("名称（B）")]
    assert bad.data_type == "s" and bad.quotePrefix  # text, never a formula
    [rule] = ws.data_validations.dataValidation
    assert rule.type == "list" and rule.formula1 == '"相同,不同,不确定"'
    assert str(rule.sqref) == f"B2:B{ws.max_row}"
    # decided as a person would: a word from the drop-down, a code, a typo, an unknown pair
    col = header.index("判定")
    zhang[col].value = "相同"
    zhang[header.index("备注")].value = "户籍核对一致"
    rows["刘洋"][col].value = "different"
    rows[FORMULA][col].value = "也许"
    ws.append(["M-0000deadbeef", "same"])
    wb.save(book)
    code, out, err = _run("--lang", "zh", "matches", "apply", str(book), "--db", str(db),
                          "--user", "王芳")
    assert code == 1  # two rows refused; the others applied
    assert f"{book.name}，工作表 {ws.title}，第 {rows[FORMULA][0].row} 行，第 B 列" in err
    assert "也许" in err and "M-0000deadbeef" in err and f"第 {ws.max_row} 行" in err
    assert "COI-001" in out
    store = SqliteStore(db)
    try:
        decided = {r.name_a: r for r in queue(store)}
    finally:
        store.close()
    assert decided["张伟"].decision == "same" and decided["张伟"].merged
    assert decided["张伟"].author == "王芳" and decided["张伟"].note == "户籍核对一致"
    assert decided["张伟"].at  # the time it was recorded
    assert decided["刘洋"].decision == "different" and not decided["刘洋"].merged
    assert decided[FORMULA].decision == ""
    assert len(_coi(db)) == 1
    # applied again, the same workbook records nothing new
    code, out, err = _run("matches", "apply", str(book), "--db", str(db), "--user", "王芳")
    assert "0 recorded" in out


def test_queue_in_chinese_at_100_columns(db: Path) -> None:
    pair = _pair(db, "张伟")
    assert _run("matches", "decide", pair, "same", "--db", str(db))[0] == 0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "COLUMNS": "100",
           "PYTHONIOENCODING": "utf-8"}
    cmd = "import sys; from umbrella.cli import main; sys.argv[0] = 'umbrella'; main()"
    done = subprocess.run([sys.executable, "-c", cmd, "--lang", "zh", "matches", "--db",
                           str(db)], env=env, text=True, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(cell_len(line) <= 100 for line in lines)
    assert "配对编号" in done.stdout and "相同" in done.stdout and pair in done.stdout
    assert "张伟 / 张伟" in done.stdout and "出生日期" in done.stdout


def test_a_reload_brings_the_record_back_and_apply_merges_it_again(db: Path,
                                                                   tmp_path: Path) -> None:
    pair = _pair(db, "张伟")
    assert _run("matches", "decide", pair, "same", "--db", str(db))[0] == 0
    assert _run("matches", "apply", "--db", str(db), "--no-scan")[0] == 0
    code, _out, err = _run("load", str(tmp_path / "县数据"), "--db", str(db))
    assert code == 0, err
    store = SqliteStore(db)
    try:
        again = {r.pair: r for r in queue(store)}[pair]
        assert again.decision == "same" and again.proposed and not again.merged
        assert store.view().get(again.b) is not None
        assert [e.action for e in apply(store, user="li").events] == ["merge"]
        assert store.view().get(again.b) is None
        assert store.view().resolve("A2", "persons") == again.a
    finally:
        store.close()
