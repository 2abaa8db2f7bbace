"""The embedded default store: one SQLite file (standard library, transactional).

Layout: ``entities`` (nodes), ``aliases`` (source id -> entity: one row per entity
an id was mapped to, so an id two sources defined differently keeps both),
``relations`` (records with dates, properties and their first source row),
``relation_sources`` (further source rows of every record), ``set_aside`` (rows not
loaded, with reasons, under the load that set them aside) and ``loads`` (the audit
log, and the claim of a load that is running: see :mod:`graph.store.runs`). Any
SQLite tool can read the file.

The file is in write-ahead-log mode: readers never wait for a load's write
transaction, and opening an existing file writes nothing. A statement that needs
the write lock waits up to :data:`BUSY_SECONDS` for it, then fails with a
:class:`~graph.errors.StoreError` that says so. A version-1 file (before set-aside
rows were kept per load) is brought to version 2 when opened.

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
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.errors import StoreError
from graph.schema import EVENT_TYPES, REL_TYPES, REL_WEIGHT
from graph.store.base import (
    ALIAS_COLUMNS,
    ENTITY_COLUMNS,
    RELATION_COLUMNS,
    BaseStore,
    BaseView,
    BaseWriter,
    FindingRow,
    SetAsideRow,
    unstored_set_aside,
)
from graph.store.model import (
    AliasRecord,
    Entity,
    LoadRun,
    Relation,
    SetAsideRecord,
    SourceRef,
    Tie,
)
from graph.store.runs import Holder, run_state
from graph.store.staging import STAGE_ROWS, Staging, arrow_table
from graph.text import N_, _

SCHEMA_VERSION = "2"
#: How long a statement waits for another connection's write lock before it gives up.
BUSY_SECONDS = 30.0

#: Columns of ``loads`` beside the log itself (version 2): the claim of a running load.
_LOAD_RUN_COLUMNS = (
    ("state", "TEXT NOT NULL DEFAULT 'done'"), ("started", "TEXT"),
    ("command", "TEXT NOT NULL DEFAULT ''"), ("pid", "INTEGER NOT NULL DEFAULT 0"),
    ("host", "TEXT NOT NULL DEFAULT ''"), ("token", "TEXT NOT NULL DEFAULT ''"),
    ("chunks", "INTEGER NOT NULL DEFAULT 0"), ("error", "TEXT NOT NULL DEFAULT ''"))

_TABLES = (
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID",
    """CREATE TABLE IF NOT EXISTS entities(
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, props TEXT NOT NULL
) WITHOUT ROWID""",
    "CREATE TABLE IF NOT EXISTS files(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE)",
    """CREATE TABLE IF NOT EXISTS aliases(
    tbl TEXT NOT NULL, source_id TEXT NOT NULL, key TEXT NOT NULL, file_id INTEGER, line INTEGER,
    PRIMARY KEY(tbl, source_id, key)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS relations(
    id TEXT PRIMARY KEY, type TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL,
    start_date TEXT, end_date TEXT, props TEXT NOT NULL, file_id INTEGER, line INTEGER
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS relation_sources(
    rel_id TEXT NOT NULL, file_id INTEGER NOT NULL, line INTEGER NOT NULL,
    PRIMARY KEY(rel_id, file_id, line)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS set_aside(
    load_id INTEGER NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL, seq INTEGER NOT NULL,
    tbl TEXT, col TEXT, code TEXT, message TEXT, row TEXT,
    PRIMARY KEY(load_id, file, line, seq)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS findings(
    id TEXT PRIMARY KEY, rule TEXT NOT NULL, category TEXT NOT NULL, score REAL NOT NULL,
    body TEXT NOT NULL
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS finding_entities(
    key TEXT NOT NULL, finding_id TEXT NOT NULL, PRIMARY KEY(key, finding_id)
) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS loads(
    id INTEGER PRIMARY KEY, at TEXT NOT NULL DEFAULT (datetime('now')), source TEXT,
    report TEXT, """ + ", ".join(f"{c} {t}" for c, t in _LOAD_RUN_COLUMNS) + """
)""",
)
#: Secondary indexes by table; a bulk write larger than half a table drops and rebuilds them.
_INDEXES = {
    "entities": {"entities_kind": "kind"},
    "aliases": {"aliases_key": "key"},
    "relations": {"relations_src": "src", "relations_dst": "dst", "relations_type": "type"},
}
_INDEX_DDL = "".join(
    f"CREATE INDEX IF NOT EXISTS {name} ON {table}({col});\n"
    for table, idx in _INDEXES.items() for name, col in idx.items())

_BATCH = 5000


def _batches(records: Iterable[Any], size: int = _BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for r in records:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _is_busy(exc: sqlite3.Error) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc))


def _busy_error(where: object) -> StoreError:
    return StoreError(
        _("{where}: the database is busy: another process has been writing to it for over "
          "{seconds:.0f} seconds").format(where=where, seconds=BUSY_SECONDS),
        hint=_("wait for it to finish (umbrella stats shows a running load), then run this "
               "again"))


def _begin_immediate(conn: sqlite3.Connection, where: object) -> None:
    """Take the write lock (waiting up to :data:`BUSY_SECONDS`), or say who has it."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        if _is_busy(exc):
            raise _busy_error(where) from exc
        raise StoreError(_("{where}: cannot write to the database ({error})").format(
            where=where, error=exc),
            hint=_("check that the file and its folder are writable")) from exc


def _arrow(frame: pd.DataFrame, columns: Sequence[str]) -> pa.Table:
    """The ``columns`` of ``frame`` as Arrow: text as ``large_string``, whole numbers as
    ``int64``, NaN and None as null."""
    t = pa.Table.from_pandas(frame[list(columns)], preserve_index=False)
    return arrow_table({c: t.column(c) for c in columns})


def _sorted(t: pa.Table, keys: list[str]) -> pa.Table:
    """``t`` sorted by ``keys`` (a stable sort: among equal keys the first row stays first;
    sorted rows are B-tree appends)."""
    return t.take(pc.sort_indices(t, [(k, "ascending") for k in keys])) if t.num_rows else t


class SqliteWriter(BaseWriter):
    """All-or-nothing writer over one connection (``BEGIN IMMEDIATE`` ... ``COMMIT``).

    A frame of :data:`~graph.store.staging.STAGE_ROWS` rows or more reaches SQLite
    through an Arrow staging file (:mod:`graph.store.staging`) and one
    ``INSERT ... SELECT`` per table; a smaller one is bound row by row. Both give the
    same rows: each frame is sorted by the table's key (stably, so that among rows of
    one key the first wins), and written in that order.
    """

    def __init__(self, conn: sqlite3.Connection, where: object = "") -> None:
        self._conn = conn
        self._where = where
        self._relations_before = 0
        self._staging = Staging(conn)

    def _begin(self) -> None:
        _begin_immediate(self._conn, self._where)
        self._relations_before = self._count("relations")

    def _commit(self) -> None:
        try:
            try:
                for stmt in _INDEX_DDL.splitlines():
                    self._conn.execute(stmt)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        finally:
            self._staging.close()

    def _rollback(self) -> None:
        try:
            self._conn.execute("ROLLBACK")
        finally:
            self._staging.close()

    def _count(self, table: str) -> int:
        return int(self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def _defer_indexes(self, table: str, incoming: int, have: int | None = None) -> None:
        """Drop a table's secondary indexes when the write is large next to the table."""
        have = self._count(table) if have is None else have
        if incoming > 1000 and incoming * 2 > have:
            for name in _INDEXES[table]:
                self._conn.execute(f"DROP INDEX IF EXISTS {name}")

    def _file_ids(self, paths: pa.ChunkedArray) -> pa.Array:
        """The ``files`` id of each path (new paths added)."""
        for path in pc.unique(paths).to_pylist():
            self._conn.execute("INSERT OR IGNORE INTO files(path) VALUES (?)", (path,))
        known = self._conn.execute("SELECT path, id FROM files").fetchall()
        at = pc.index_in(paths, value_set=pa.array([p for p, _ in known], pa.large_string()))
        return pc.take(pa.array([i for _, i in known], pa.int64()), at)

    def _write(self, sql: str, rows: pa.Table) -> None:
        """Run ``sql`` (``INSERT ... {rows} ...``) on ``rows``, in their order: staged when
        large (``{rows}`` becomes a ``SELECT`` of the staged rows), else bound row by row
        (``VALUES (?, ...)``)."""
        if rows.num_rows >= STAGE_ROWS and self._staging.available:
            staged = self._staging.attach(rows)
            cols = ", ".join(f'"{c}"' for c in rows.column_names)
            self._conn.execute(sql.format(
                rows=f"SELECT {cols} FROM {staged} WHERE true ORDER BY rowid"))
        elif rows.num_rows:
            marks = ",".join("?" * rows.num_columns)
            self._conn.executemany(sql.format(rows=f"VALUES ({marks})"),
                                   zip(*(c.to_pylist() for c in rows.columns), strict=True))

    def _restore_indexes(self, table: str) -> None:
        """Build the secondary indexes of ``table`` that a large write dropped (the commit
        builds any left; built here, they are built while the caller does other work)."""
        for name, col in _INDEXES[table].items():
            self._conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table}({col})")

    def _write_entities(self, frame: pd.DataFrame) -> None:
        self._defer_indexes("entities", len(frame))
        rows = _sorted(_arrow(frame, ENTITY_COLUMNS), ["key"])
        self._write(
            "INSERT INTO entities(key, kind, name, props) {rows} "
            "ON CONFLICT(key) DO UPDATE SET props = json_patch(excluded.props, entities.props)",
            rows)
        self._restore_indexes("entities")

    def _write_aliases(self, frame: pd.DataFrame) -> None:
        self._defer_indexes("aliases", len(frame))
        t = _arrow(frame, ALIAS_COLUMNS)
        t = t.set_column(t.schema.get_field_index("file"), "file",
                         self._file_ids(t.column("file")))
        self._write("INSERT OR IGNORE INTO aliases(tbl, source_id, key, file_id, line) {rows}",
                    _sorted(t, ["table", "source_id"]))
        self._restore_indexes("aliases")

    def _write_relations(self, frame: pd.DataFrame) -> None:
        self._defer_indexes("relations", len(frame))
        t = _arrow(frame, RELATION_COLUMNS)
        t = t.set_column(t.schema.get_field_index("file"), "file",
                         self._file_ids(t.column("file")))
        t = _sorted(t, ["id", "file", "line"])
        ids = t.column("id").combine_chunks()
        again = pa.concat_arrays([pa.array([False]),  # the rows after a record's first
                                  pc.equal(ids[1:], ids[:-1]).fill_null(False)])[:len(ids)]
        # a record known before this load may lack any of the rows as a further source
        extra = pc.or_(again, pa.scalar(bool(self._relations_before)))
        rel_sql = ("INSERT OR IGNORE INTO relations(id, type, src, dst, start_date, end_date, "
                   "props, file_id, line) {rows}")
        src_sql = ("WITH x(id, file_id, line) AS ({rows}) "
                   "INSERT OR IGNORE INTO relation_sources(rel_id, file_id, line) "
                   "SELECT id, file_id, line FROM x WHERE NOT EXISTS (SELECT 1 FROM relations r "
                   "WHERE r.id = x.id AND r.file_id = x.file_id AND r.line = x.line)")
        if t.num_rows < STAGE_ROWS or not self._staging.available:
            self._write(rel_sql, t.filter(pc.invert(again)))
            self._write(src_sql, t.filter(extra).select(["id", "file", "line"]))
            return
        staged = self._staging.attach(t.append_column("again", again.cast(pa.int64())))
        cols = 'id, type, src, dst, start, "end", props, file, line'
        self._conn.execute(rel_sql.format(
            rows=f"SELECT {cols} FROM {staged} WHERE again = 0 ORDER BY rowid"))
        self._conn.execute(src_sql.format(
            rows=f"SELECT id, file, line FROM {staged} WHERE again = 1 OR "
                 f"{int(bool(self._relations_before))} ORDER BY rowid"))

    def _write_set_aside(self, rows: list[SetAsideRow]) -> None:
        lines: dict[tuple[int, str], list[int]] = {}
        for r in rows:
            lines.setdefault((r.load, r.file), []).append(r.line)
        stored: list[SetAsideRow] = []
        for (load, file), at in lines.items():
            at = sorted(set(at))
            for i in range(0, len(at), 500):
                part = at[i:i + 500]
                stored += [SetAsideRow(*row) for row in self._conn.execute(
                    "SELECT load_id, file, line, seq, tbl, col, code, message, row "
                    "FROM set_aside WHERE load_id = ? AND file = ? "
                    f"AND line IN ({','.join('?' * len(part))})", [load, file, *part])]
        rows = unstored_set_aside(rows, stored)
        self._conn.executemany(
            "INSERT INTO set_aside(load_id, file, line, seq, tbl, col, code, message, row) "
            "VALUES (?,?,?,?,?,?,?,?,?)", rows)

    def _replace_findings(self, rows: list[FindingRow], rules: list[str]) -> None:
        marks = ",".join("?" * len(rules))
        self._conn.execute(
            f"DELETE FROM finding_entities WHERE finding_id IN "
            f"(SELECT id FROM findings WHERE rule IN ({marks}))", rules)
        self._conn.execute(f"DELETE FROM findings WHERE rule IN ({marks})", rules)
        self._conn.executemany(
            "DELETE FROM finding_entities WHERE finding_id = ?", [(f.id,) for f in rows])
        self._conn.executemany(
            "INSERT OR REPLACE INTO findings(id, rule, category, score, body) VALUES (?,?,?,?,?)",
            [(f.id, f.rule, f.category, f.score, f.body) for f in rows])
        self._conn.executemany(
            "INSERT OR IGNORE INTO finding_entities(key, finding_id) VALUES (?, ?)",
            [(k, f.id) for f in rows for k in f.keys])

    def _log_load(self, source: str, at: str, report: str, load: int | None) -> int:
        if load is not None:
            done = self._conn.execute(
                "UPDATE loads SET at = ?, source = ?, report = ?, state = 'done', error = '' "
                "WHERE id = ?", (at, source, report, load)).rowcount
            if done:
                resumed = [int(r[0]) for r in self._conn.execute(
                    "SELECT id FROM loads WHERE source = ? AND id <> ? "
                    "AND state IN ('interrupted', 'failed')", (source, load))]
                self._conn.executemany("UPDATE loads SET state = 'resumed' WHERE id = ?",
                                       [(i,) for i in resumed])
                self._conn.executemany("DELETE FROM set_aside WHERE load_id = ?",
                                       [(i,) for i in resumed])
                return load
        cur = self._conn.execute(
            "INSERT INTO loads(id, at, source, report) VALUES (?, ?, ?, ?)",
            (load, at, source, report))
        return int(cur.lastrowid or 0)

    def _note_chunk(self, load: int) -> None:
        self._conn.execute("UPDATE loads SET chunks = chunks + 1 WHERE id = ?", (load,))


def _runs(conn: sqlite3.Connection, where: str) -> list[LoadRun]:
    """Loads in the given states, as :class:`LoadRun` (a dead holder's as interrupted)."""
    rows = conn.execute(
        "SELECT id, source, command, coalesce(started, at), pid, host, token, state, chunks, "
        f"error FROM loads WHERE {where} ORDER BY id")
    return [LoadRun(int(i), str(src or ""), str(cmd), str(st), int(pid), str(host),
                    run_state(str(state), int(pid), str(host), str(token)), int(chunks),
                    str(err))
            for i, src, cmd, st, pid, host, token, state, chunks, err in rows]


def _refs(rows: Iterable[tuple[Any, ...]]) -> tuple[SourceRef, ...]:
    return tuple(SourceRef(str(r[0]), int(r[1]), str(r[2] or ""), str(r[3] or "")) for r in rows)


class SqliteView(BaseView):
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
        rows = self._conn.execute(
            "SELECT type, count(*) FROM relations GROUP BY type ORDER BY type")
        return {str(k): int(n) for k, n in rows}

    def _entity(self, row: tuple[Any, ...]) -> Entity:
        key = str(row[0])
        srcs = self._conn.execute(
            "SELECT f.path, a.line, a.tbl, a.source_id FROM aliases a JOIN files f "
            "ON f.id = a.file_id WHERE a.key = ? ORDER BY a.tbl, a.source_id", (key,))
        return Entity(key, str(row[1]), str(row[2]), json.loads(row[3]), _refs(srcs))

    def get(self, key: str) -> Entity | None:
        row = self._conn.execute(
            "SELECT key, kind, name, props FROM entities WHERE key = ?", (key,)).fetchone()
        return self._entity(row) if row else None

    def entities_by_key(self, keys: Sequence[str]) -> dict[str, Entity]:
        out: dict[str, Entity] = {}
        for chunk in _batches(dict.fromkeys(keys), self._TIE_CHUNK):
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT key, kind, name, props FROM entities WHERE key IN ({marks})",
                chunk).fetchall()
            refs: dict[str, list[tuple[Any, ...]]] = {}
            for r in self._conn.execute(
                    "SELECT a.key, f.path, a.line, a.tbl, a.source_id FROM aliases a JOIN files f "
                    f"ON f.id = a.file_id WHERE a.key IN ({marks}) "
                    "ORDER BY a.key, a.tbl, a.source_id", chunk):
                refs.setdefault(str(r[0]), []).append(r[1:])
            for key, kind, name, props in rows:
                out[str(key)] = Entity(str(key), str(kind), str(name), json.loads(props),
                                       _refs(refs.get(str(key), [])))
        return {k: out[k] for k in dict.fromkeys(keys) if k in out}

    _CLAIM = ("SELECT a.tbl, a.source_id, a.key, coalesce(f.path, ''), coalesce(a.line, 0) "
              "FROM aliases a LEFT JOIN files f ON f.id = a.file_id")
    _CLAIM_ORDER = " ORDER BY a.tbl, a.source_id, 4, 5, a.key"

    def claims(self, source_id: str | None = None,
               table: str | None = None) -> list[AliasRecord]:
        if source_id is None:
            where, params = (" WHERE a.tbl = ?", [table]) if table else ("", [])
            rows = self._conn.execute(self._CLAIM + where + self._CLAIM_ORDER, params)
            return [AliasRecord(*r) for r in rows]
        tables = [table] if table else [str(r[0]) for r in self._conn.execute(
            "SELECT DISTINCT tbl FROM aliases ORDER BY tbl")]
        out: list[AliasRecord] = []
        for tbl in tables:  # one primary-key probe per table
            rows = self._conn.execute(
                self._CLAIM + " WHERE a.tbl = ? AND a.source_id = ?" + self._CLAIM_ORDER,
                (tbl, source_id))
            out += [AliasRecord(*r) for r in rows]
        return out

    def collisions(self) -> dict[tuple[str, str], list[AliasRecord]]:
        rows = self._conn.execute(
            self._CLAIM + " WHERE (a.tbl, a.source_id) IN (SELECT tbl, source_id FROM aliases "
            "GROUP BY tbl, source_id HAVING count(*) > 1)" + self._CLAIM_ORDER)
        out: dict[tuple[str, str], list[AliasRecord]] = {}
        for r in rows:
            out.setdefault((r[0], r[1]), []).append(AliasRecord(*r))
        return out

    def aliases(self) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        twice: set[tuple[str, str]] = set()
        for t, sid, k in self._conn.execute("SELECT tbl, source_id, key FROM aliases"):
            at = (str(t), str(sid))
            if at in out:
                twice.add(at)
            out[at] = str(k)
        for at in twice:
            del out[at]
        return out

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
            "SELECT f.path, s.line, '', '' FROM ("
            "SELECT file_id, line FROM relations WHERE id = ?1 UNION "
            "SELECT file_id, line FROM relation_sources WHERE rel_id = ?1) s "
            "JOIN files f ON f.id = s.file_id ORDER BY f.path, s.line", (row[0],))
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

    def relations_by_id(self, ids: Iterable[str]) -> dict[str, Relation]:
        out: dict[str, Relation] = {}
        for chunk in _batches(dict.fromkeys(ids), self._TIE_CHUNK):
            rows = self._conn.execute(
                f"SELECT {self._REL_COLS} FROM relations WHERE id IN ({','.join('?' * len(chunk))})"
                " ORDER BY id", chunk).fetchall()
            out.update((str(row[0]), self._relation(row)) for row in rows)
        return out

    #: Keys per query of :meth:`ties` (SQLite allows 32,766 parameters).
    _TIE_CHUNK = 500

    @staticmethod
    def _in_force_sql(on: str | None) -> tuple[str, list[str]]:
        """The SQL of :func:`~graph.store.model.tie_in_force` and its parameters."""
        if on is None:
            return "", []
        events = sorted(EVENT_TYPES)
        marks = ",".join("?" * len(events))
        return (f" AND (start_date IS NULL OR start_date <= ?) AND (type IN ({marks}) "
                "OR end_date IS NULL OR ? <= end_date)", [on, *events, on])

    def ties(self, keys: Sequence[str], on: str | None = None) -> list[Tie]:
        cond, params = self._in_force_sql(on)
        out: list[Tie] = []
        for chunk in _batches(dict.fromkeys(keys), self._TIE_CHUNK):
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT src, dst, type, id FROM relations WHERE src IN ({marks}){cond} "
                f"UNION ALL SELECT dst, src, type, id FROM relations WHERE dst IN ({marks}){cond}",
                [*chunk, *params, *chunk, *params])
            out.extend(Tie(*r) for r in rows)
        return out

    def tie_degrees(self, keys: Sequence[str], on: str | None = None) -> dict[str, int]:
        cond, params = self._in_force_sql(on)
        wanted = list(dict.fromkeys(keys))
        out = dict.fromkeys(wanted, 0)
        for chunk in _batches(wanted, self._TIE_CHUNK):
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT k, count(*) FROM (SELECT src AS k FROM relations WHERE src IN ({marks})"
                f"{cond} UNION ALL SELECT dst FROM relations WHERE dst IN ({marks}){cond}) "
                "GROUP BY k", [*chunk, *params, *chunk, *params])
            out.update((str(k), int(n)) for k, n in rows)
        return out

    def entity_names(self, kind: str) -> dict[str, str]:
        rows = self._conn.execute("SELECT key, name FROM entities WHERE kind = ?", (kind,))
        return {str(k): str(n) for k, n in rows}

    def entities_frame(self, kind: str) -> pd.DataFrame:
        rows = self._conn.execute(
            "SELECT key, name, props FROM entities WHERE kind = ? ORDER BY key", (kind,)).fetchall()
        props = pd.DataFrame.from_records(json.loads("[" + ",".join(r[2] for r in rows) + "]"))
        base = pd.DataFrame({"key": [r[0] for r in rows], "name": [r[1] for r in rows]})
        return pd.concat([base, props.drop(columns=["name"], errors="ignore")], axis=1)

    def relations_frame(self, type_: str) -> pd.DataFrame:
        props = [*(REL_TYPES[type_].props if type_ in REL_TYPES else ()), REL_WEIGHT]
        extract = "".join(f", json_extract(r.props, '$.{p}')" for p in props)
        rows = self._conn.execute(
            "SELECT r.id, r.src, r.dst, r.start_date, r.end_date, f.path, r.line" + extract +
            " FROM relations r LEFT JOIN files f ON f.id = r.file_id WHERE r.type = ? "
            "ORDER BY r.id", (type_,)).fetchall()
        return pd.DataFrame.from_records(
            rows, columns=["id", "src", "dst", "start", "end", "file", "line", *props])

    def entity_sources(self) -> dict[str, list[SourceRef]]:
        rows = self._conn.execute(
            "SELECT a.key, f.path, a.line, a.tbl, a.source_id FROM aliases a "
            "JOIN files f ON f.id = a.file_id ORDER BY a.key, a.tbl, a.source_id")
        out: dict[str, list[SourceRef]] = {}
        for key, path, line, tbl, sid in rows:
            out.setdefault(str(key), []).append(SourceRef(str(path), int(line), str(tbl),
                                                          str(sid)))
        return out

    def findings(self, key: str | None = None) -> list[dict[str, Any]]:
        if key is None:
            rows = self._conn.execute("SELECT body FROM findings ORDER BY score DESC, id")
        else:
            rows = self._conn.execute(
                "SELECT f.body FROM findings f JOIN finding_entities e ON e.finding_id = f.id "
                "WHERE e.key = ? ORDER BY f.score DESC, f.id", (key,))
        return [json.loads(r[0]) for r in rows]

    def finding(self, finding_id: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT body FROM findings WHERE id = ?",
                                 (finding_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_aside(self, load: int | None = None) -> list[SetAsideRecord]:
        where, params = (" WHERE load_id = ?", [load]) if load is not None else ("", [])
        rows = self._conn.execute(
            "SELECT file, line, tbl, col, code, message, row, load_id FROM set_aside" + where +
            " ORDER BY load_id, file, line, seq", params)
        return [SetAsideRecord(str(f), int(n), str(t), str(c), str(k), str(m), json.loads(r),
                               int(ld)) for f, n, t, c, k, m, r, ld in rows]

    def loads(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT id, at, source, report FROM loads WHERE state = 'done' ORDER BY id")
        return [{"id": i, "at": at, "source": s, "report": json.loads(r)} for i, at, s, r in rows]

    def load_runs(self) -> list[LoadRun]:
        return _runs(self._conn, "state IN ('running', 'interrupted', 'failed')")


#: The version-1 layout of the tables version 2 changed (for the migration).
_V1_TO_V2 = (
    *(f"ALTER TABLE loads ADD COLUMN {c} {t}" for c, t in _LOAD_RUN_COLUMNS),
    "ALTER TABLE aliases RENAME TO aliases_v1",
    "ALTER TABLE set_aside RENAME TO set_aside_v1",
    _TABLES[3], _TABLES[6],
    "INSERT INTO aliases(tbl, source_id, key, file_id, line) "
    "SELECT tbl, source_id, key, file_id, line FROM aliases_v1",
    # a version-1 file kept the rows of its last load of each file: a single load's are its
    "INSERT INTO set_aside(load_id, file, line, seq, tbl, col, code, message, row) "
    "SELECT CASE WHEN (SELECT count(*) FROM loads) = 1 THEN (SELECT id FROM loads) ELSE 0 END, "
    "file, line, 0, tbl, col, code, message, row FROM set_aside_v1",
    "DROP TABLE aliases_v1", "DROP TABLE set_aside_v1",
    "UPDATE meta SET value = '2' WHERE key = 'schema_version'",
)


class SqliteStore(BaseStore):
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
            self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_SECONDS)
        except sqlite3.Error as exc:
            raise self._unreadable(exc) from exc
        try:
            version = self._open()
        except BaseException:
            self._conn.close()
            raise
        if version != SCHEMA_VERSION:
            self._conn.close()
            raise StoreError(
                _("{path}: database schema version {version}, this umbrella reads version "
                  "{expected}").format(path=self.path, version=version,
                                       expected=SCHEMA_VERSION),
                hint=_("load the data again into a new database file (--db new.db)"))

    def _unreadable(self, exc: BaseException) -> StoreError:
        return StoreError(
            _("{path}: cannot open as an umbrella database ({error})").format(path=self.path,
                                                                              error=exc),
            hint=_("pass --db with a new file name, or the path of a database umbrella made"))

    def _open(self) -> str:
        """Set the connection up; create the tables of a new file, bring a version-1 file
        to version 2; return the file's schema version. An up-to-date file is only read."""
        try:
            self._conn.executescript(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
                "PRAGMA cache_size=-200000;")
            version = self._version()
            if version is None or version == "1":
                _begin_immediate(self._conn, self.path)
                try:
                    version = self._version()  # another process may have been first
                    if version is None:
                        self._create()
                    elif version == "1":
                        for stmt in _V1_TO_V2:
                            self._conn.execute(stmt)
                    for stmt in _INDEX_DDL.splitlines():
                        self._conn.execute(stmt)
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                version = self._version()
        except sqlite3.Error as exc:
            if _is_busy(exc):
                raise _busy_error(self.path) from exc
            raise self._unreadable(exc) from exc
        return str(version)

    def _version(self) -> str | None:
        """The schema version, or None for a file without umbrella's tables."""
        tables = {str(r[0]) for r in self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            if tables:
                raise StoreError(
                    _("{path}: an SQLite database, but not one umbrella made (it holds "
                      "{tables})").format(path=self.path, tables=", ".join(sorted(tables)[:5])),
                    hint=_("pass --db with a new file name, or the path of a database umbrella "
                           "made"))
            return None
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return str(row[0]) if row else "?"

    def _create(self) -> None:
        for stmt in _TABLES:
            self._conn.execute(stmt)
        self._conn.executemany(
            "INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)",
            [("schema_version", SCHEMA_VERSION), ("key_salt", secrets.token_hex(16))])

    _FRESH_HINT = N_("pull into a new database file (--db new.db)")

    def is_empty(self) -> bool:
        return self._conn.execute("SELECT 1 FROM entities LIMIT 1").fetchone() is None

    def _set_salt(self, salt: str) -> None:
        self._conn.execute("UPDATE meta SET value = ? WHERE key = 'key_salt'", (salt,))

    def _claim(self, source: str, command: str, me: Holder, started: str,
               decide: Callable[[list[LoadRun]], list[int]]) -> int:
        running = "state = 'running'"
        decide(_runs(self._conn, running))  # refuse at once, without waiting for the lock
        try:
            _begin_immediate(self._conn, self.path)
        except StoreError:
            decide(_runs(self._conn, running))  # a load may have claimed it meanwhile
            raise
        try:
            stale = decide(_runs(self._conn, running))
            self._conn.executemany("UPDATE loads SET state = 'interrupted' WHERE id = ?",
                                   [(i,) for i in stale])
            cur = self._conn.execute(
                "INSERT INTO loads(at, source, report, state, started, command, pid, host, "
                "token) VALUES (?, ?, '{}', 'running', ?, ?, ?, ?, ?)",
                (started, source, started, command, me.pid, me.host, me.token))
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return int(cur.lastrowid or 0)

    def end_load(self, load: int, error: str | None = None) -> None:
        _begin_immediate(self._conn, self.path)
        try:
            row = self._conn.execute("SELECT state, chunks FROM loads WHERE id = ?",
                                     (load,)).fetchone()
            if row is not None and row[0] in ("running", "interrupted"):
                if error is not None and int(row[1]) > 0:
                    self._conn.execute(
                        "UPDATE loads SET state = 'failed', error = ? WHERE id = ?",
                        (error, load))
                else:
                    if int(row[1]) == 0:
                        self._conn.execute("DELETE FROM set_aside WHERE load_id = ?", (load,))
                    self._conn.execute("DELETE FROM loads WHERE id = ?", (load,))
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def writer(self) -> SqliteWriter:
        return SqliteWriter(self._conn, self.path)

    def view(self) -> SqliteView:
        return SqliteView(self._conn)

    def close(self) -> None:
        self._conn.close()
