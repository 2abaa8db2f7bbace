"""The embedded store's two write paths (Arrow staging files, rows bound one by one) store
the same rows, keep a load all or nothing, and leave no staging file behind."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graph.store import SqliteStore, staging

TABLES = {
    "entities": "SELECT key, kind, name, props FROM entities ORDER BY key",
    "aliases": "SELECT a.tbl, a.source_id, a.key, f.path, a.line, typeof(a.line) FROM aliases a "
               "JOIN files f ON f.id = a.file_id ORDER BY 1, 2, 3",
    "relations": "SELECT r.id, r.type, r.src, r.dst, r.start_date, r.end_date, r.props, f.path, "
                 "r.line, typeof(r.start_date), typeof(r.line) FROM relations r "
                 "JOIN files f ON f.id = r.file_id ORDER BY 1",
    "relation_sources": "SELECT s.rel_id, f.path, s.line FROM relation_sources s "
                        "JOIN files f ON f.id = s.file_id ORDER BY 1, 2, 3",
}


def _frames(n: int, shift: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Entities, aliases and relations with repeated keys, blanks and odd text."""
    k = np.arange(n) + shift
    ents = pd.DataFrame({
        "key": [f"p:s:{i % (n // 2)}" for i in k],  # every key twice
        "kind": "person", "name": [f"名{i}" for i in k],
        "props": [f'{{"a{i % 3}":"{i}","t":"x\\u0000y"}}' for i in k]})
    aliases = pd.DataFrame({
        "table": "persons", "source_id": [f"P{i % (n - 3)}" for i in k],
        "key": [f"p:s:{i}" for i in k], "file": [f"/d/{i % 2}.csv" for i in k],
        "line": k + 2})
    rels = pd.DataFrame({
        "id": [f"r:KIN:{i % (n // 3)}" for i in k], "type": "KIN",
        "src": [f"p:s:{i}" for i in k], "dst": [f"p:s:{i + 1}" for i in k],
        "start": [None if i % 5 else "2020-01-01" for i in k],
        "end": [np.nan if i % 7 else "2021-01-01" for i in k],
        "props": "{}", "file": [f"/d/{i % 3}.csv" for i in k], "line": k + 2})
    return ents, aliases, rels


def _load(db: Path, frames: list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]
          ) -> dict[str, list[tuple[object, ...]]]:
    store = SqliteStore(db)
    for ents, aliases, rels in frames:
        with store.writer() as w:
            w.write_relations(rels)
            w.write_entities(ents)
            w.write_aliases(aliases)
    store.close()
    conn = sqlite3.connect(db)
    out = {t: conn.execute(q).fetchall() for t, q in TABLES.items()}
    conn.close()
    return out


def test_staged_and_bound_rows_are_the_same(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    loads = [_frames(600), _frames(600, shift=300)]  # the second overlaps the first
    monkeypatch.setattr(staging, "STAGE_ROWS", 10**9)
    monkeypatch.setattr("graph.store.sqlite.STAGE_ROWS", 10**9)
    bound = _load(tmp_path / "bound.db", loads)
    monkeypatch.setattr("graph.store.sqlite.STAGE_ROWS", 1)
    staged = _load(tmp_path / "staged.db", loads)
    assert bound == staged
    assert len(staged["relation_sources"]) > 0 and len(staged["entities"]) == 300
    assert all(r[4] is None or r[9] == "text" for r in staged["relations"])


def test_a_failed_write_keeps_nothing_and_no_staging_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("graph.store.sqlite.STAGE_ROWS", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    store = SqliteStore(tmp_path / "case.db")
    ents, _, rels = _frames(100)
    with pytest.raises(RuntimeError), store.writer() as w:
        w.write_entities(ents)
        w.write_relations(rels)
        assert len(list(tmp_path.glob("umbrella-stage-*"))) == 2
        raise RuntimeError("stop")
    assert store.is_empty() and store.view().counts_by_type() == {}
    assert not list(tmp_path.glob("umbrella-stage-*"))
    with store.writer() as w:
        w.write_entities(ents)
    assert store.view().counts_by_kind() == {"person": 50}
    assert not list(tmp_path.glob("umbrella-stage-*"))
    store.close()


def test_staging_files_run_out_and_rows_are_bound(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """More large frames in one transaction than SQLite can attach: the rest are bound."""
    monkeypatch.setattr("graph.store.sqlite.STAGE_ROWS", 1)
    store = SqliteStore(tmp_path / "case.db")
    with store.writer() as w:
        for i in range(staging.MAX_STAGES + 3):
            w.write_entities(_frames(10, shift=10 * i)[0].assign(
                key=lambda f, i=i: f["key"] + f"-{i}"))
    assert store.view().counts_by_kind() == {"person": 5 * (staging.MAX_STAGES + 3)}
    store.close()
