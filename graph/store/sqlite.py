"""The embedded default store: one SQLite file (standard library, transactional).

Layout: ``entities`` (nodes), ``aliases`` (source id -> entity), ``relations``
(records with dates and properties), ``relation_sources`` (every source row of
every record), ``set_aside`` (rows not loaded, with reasons) and ``loads`` (the
audit log). Any SQLite tool can read the file.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store.model import EntityRecord
>>> d = tempfile.mkdtemp()
>>> store = SqliteStore(pathlib.Path(d) / "case.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:s:P1", "person", "张三", {"gender": "男"})])
>>> store.view().counts_by_kind()
{'person': 1}
>>> store.close()
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from graph.errors import StoreError
from graph.store.model import (
    AliasRecord,
    Entity,
    EntityRecord,
    Relation,
    RelationRecord,
    SetAsideRecord,
    SourceRef,
)

SCHEMA_VERSION = "1"

_DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities(
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, props TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entities_kind ON entities(kind);
CREATE TABLE IF NOT EXISTS aliases(
    tbl TEXT NOT NULL, source_id TEXT NOT NULL, key TEXT NOT NULL, file TEXT, line INTEGER,
    PRIMARY KEY(tbl, source_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aliases_key ON aliases(key);
CREATE INDEX IF NOT EXISTS aliases_source ON aliases(source_id);
CREATE TABLE IF NOT EXISTS relations(
    id TEXT PRIMARY KEY, type TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL,
    start_date TEXT, end_date TEXT, props TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS relations_src ON relations(src);
CREATE INDEX IF NOT EXISTS relations_dst ON relations(dst);
CREATE INDEX IF NOT EXISTS relations_type ON relations(type);
CREATE TABLE IF NOT EXISTS relation_sources(
    rel_id TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL,
    PRIMARY KEY(rel_id, file, line)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS set_aside(
    file TEXT NOT NULL, line INTEGER NOT NULL, tbl TEXT, col TEXT, code TEXT, message TEXT,
    row TEXT, PRIMARY KEY(file, line)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS loads(
    id INTEGER PRIMARY KEY, at TEXT NOT NULL DEFAULT (datetime('now')), source TEXT,
    report TEXT
);
"""

_BATCH = 5000


def _dumps(props: dict[str, Any]) -> str:
    return json.dumps(props, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _batches(records: Iterable[Any], size: int = _BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for r in records:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class SqliteWriter:
    """All-or-nothing writer over one connection (``BEGIN IMMEDIATE`` ... ``COMMIT``)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> SqliteWriter:
        self._conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._conn.execute("ROLLBACK" if exc_type else "COMMIT")

    def put_entities(self, records: Iterable[EntityRecord]) -> None:
        sql = (
            "INSERT INTO entities(key, kind, name, props) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET props = json_patch(excluded.props, entities.props)"
        )
        for batch in _batches(records):
            self._conn.executemany(sql, [(r.key, r.kind, r.name, _dumps(r.props)) for r in batch])

    def put_aliases(self, records: Iterable[AliasRecord]) -> None:
        sql = "INSERT OR IGNORE INTO aliases(tbl, source_id, key, file, line) VALUES (?,?,?,?,?)"
        for batch in _batches(records):
            self._conn.executemany(
                sql, [(r.table, r.source_id, r.key, r.file, r.line) for r in batch])

    def put_relations(self, records: Iterable[RelationRecord]) -> None:
        rel_sql = (
            "INSERT OR IGNORE INTO relations(id, type, src, dst, start_date, end_date, props) "
            "VALUES (?,?,?,?,?,?,?)"
        )
        src_sql = "INSERT OR IGNORE INTO relation_sources(rel_id, file, line) VALUES (?,?,?)"
        for batch in _batches(records):
            self._conn.executemany(rel_sql, [
                (r.id, r.type, r.src, r.dst, r.start, r.end, _dumps(r.props)) for r in batch])
            self._conn.executemany(src_sql, [(r.id, r.file, r.line) for r in batch])

    def put_set_aside(self, records: Iterable[SetAsideRecord]) -> None:
        sql = (
            "INSERT OR REPLACE INTO set_aside(file, line, tbl, col, code, message, row) "
            "VALUES (?,?,?,?,?,?,?)"
        )
        for batch in _batches(records):
            self._conn.executemany(sql, [
                (r.file, r.line, r.table, r.column, r.code, r.message, _dumps(r.row))
                for r in batch])

    def log_load(self, source: str, report: dict[str, Any]) -> int:
        cur = self._conn.execute(
            "INSERT INTO loads(source, report) VALUES (?, ?)", (source, _dumps(report)))
        return int(cur.lastrowid or 0)


def _refs(rows: Iterable[tuple[Any, ...]]) -> tuple[SourceRef, ...]:
    return tuple(SourceRef(str(r[0]), int(r[1]), str(r[2] or ""), str(r[3] or "")) for r in rows)


class SqliteView:
    """Read view over the SQLite store."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def key_salt(self) -> str:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'key_salt'").fetchone()
        return str(row[0])

    def counts_by_kind(self) -> dict[str, int]:
        rows = self._conn.execute("SELECT kind, count(*) FROM entities GROUP BY kind ORDER BY kind")
        return {str(k): int(n) for k, n in rows}

    def counts_by_type(self) -> dict[str, int]:
        rows = self._conn.execute("SELECT type, count(*) FROM relations GROUP BY type ORDER BY type")
        return {str(k): int(n) for k, n in rows}

    def _entity(self, row: tuple[Any, ...]) -> Entity:
        key = str(row[0])
        srcs = self._conn.execute(
            "SELECT file, line, tbl, source_id FROM aliases WHERE key = ? ORDER BY tbl, source_id",
            (key,))
        return Entity(key, str(row[1]), str(row[2]), json.loads(row[3]), _refs(srcs))

    def get(self, key: str) -> Entity | None:
        row = self._conn.execute(
            "SELECT key, kind, name, props FROM entities WHERE key = ?", (key,)).fetchone()
        return self._entity(row) if row else None

    def resolve(self, source_id: str, table: str | None = None) -> str | None:
        if table is None:
            row = self._conn.execute(
                "SELECT key FROM aliases WHERE source_id = ? ORDER BY tbl LIMIT 1", (source_id,)
            ).fetchone()
        else:
            row = self._conn.execute(
                "SELECT key FROM aliases WHERE tbl = ? AND source_id = ?", (table, source_id)
            ).fetchone()
        return str(row[0]) if row else None

    def aliases(self, table: str | None = None) -> dict[tuple[str, str], str]:
        if table is None:
            rows = self._conn.execute("SELECT tbl, source_id, key FROM aliases")
        else:
            rows = self._conn.execute(
                "SELECT tbl, source_id, key FROM aliases WHERE tbl = ?", (table,))
        return {(str(t), str(s)): str(k) for t, s, k in rows}

    def entities(self, kind: str | None = None) -> Iterator[Entity]:
        if kind is None:
            rows = self._conn.execute("SELECT key, kind, name, props FROM entities ORDER BY key")
        else:
            rows = self._conn.execute(
                "SELECT key, kind, name, props FROM entities WHERE kind = ? ORDER BY key", (kind,))
        for row in rows.fetchall():
            yield self._entity(row)

    def _relation(self, row: tuple[Any, ...]) -> Relation:
        srcs = self._conn.execute(
            "SELECT file, line, '', '' FROM relation_sources WHERE rel_id = ? ORDER BY file, line",
            (row[0],))
        return Relation(str(row[0]), str(row[1]), str(row[2]), str(row[3]), row[4], row[5],
                        json.loads(row[6]), _refs(srcs))

    _REL_COLS = "id, type, src, dst, start_date, end_date, props"

    def relations(self, types: Iterable[str] | None = None) -> Iterator[Relation]:
        if types is None:
            rows = self._conn.execute(f"SELECT {self._REL_COLS} FROM relations ORDER BY id")
        else:
            wanted = list(types)
            marks = ",".join("?" * len(wanted))
            rows = self._conn.execute(
                f"SELECT {self._REL_COLS} FROM relations WHERE type IN ({marks}) ORDER BY id",
                wanted)
        for row in rows.fetchall():
            yield self._relation(row)

    def neighbours(self, key: str, types: Iterable[str] | None = None) -> list[Relation]:
        rows = self._conn.execute(
            f"SELECT {self._REL_COLS} FROM relations WHERE src = ? UNION "
            f"SELECT {self._REL_COLS} FROM relations WHERE dst = ? ORDER BY id", (key, key)
        ).fetchall()
        wanted = set(types) if types is not None else None
        return [self._relation(r) for r in rows if wanted is None or r[1] in wanted]

    def entities_frame(self, kind: str) -> pd.DataFrame:
        rows = self._conn.execute(
            "SELECT key, name, props FROM entities WHERE kind = ? ORDER BY key", (kind,)).fetchall()
        props = pd.DataFrame.from_records([json.loads(r[2]) for r in rows])
        base = pd.DataFrame({"key": [r[0] for r in rows], "name": [r[1] for r in rows]})
        return pd.concat([base, props.drop(columns=["name"], errors="ignore")], axis=1)

    def relations_frame(self, type_: str) -> pd.DataFrame:
        rows = self._conn.execute(
            "SELECT id, src, dst, start_date, end_date, props FROM relations WHERE type = ? "
            "ORDER BY id", (type_,)).fetchall()
        base = pd.DataFrame.from_records(
            [r[:5] for r in rows], columns=["id", "src", "dst", "start", "end"])
        props = pd.DataFrame.from_records([json.loads(r[5]) for r in rows])
        return pd.concat([base, props], axis=1)

    def set_aside(self) -> list[SetAsideRecord]:
        rows = self._conn.execute(
            "SELECT file, line, tbl, col, code, message, row FROM set_aside ORDER BY file, line")
        return [SetAsideRecord(str(f), int(n), str(t), str(c), str(k), str(m), json.loads(r))
                for f, n, t, c, k, m, r in rows]

    def loads(self) -> list[dict[str, Any]]:
        rows = self._conn.execute("SELECT id, at, source, report FROM loads ORDER BY id")
        return [{"id": i, "at": at, "source": s, "report": json.loads(r)} for i, at, s, r in rows]


class SqliteStore:
    """One SQLite file holding the whole graph.

    Parameters
    ----------
    path:
        The database file; created with its tables when absent.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None)
            self._conn.executescript(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
                "PRAGMA cache_size=-200000;")
            self._conn.executescript(_DDL)
            self._conn.executemany(
                "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
                [("schema_version", SCHEMA_VERSION), ("key_salt", secrets.token_hex(16))])
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: cannot open as an umbrella database ({exc})",
                hint="pass --db with a new file name, or the path of a database umbrella made",
            ) from exc

    def writer(self) -> SqliteWriter:
        return SqliteWriter(self._conn)

    def view(self) -> SqliteView:
        return SqliteView(self._conn)

    def close(self) -> None:
        self._conn.close()
