"""The store's tables as Arrow, for the columnar engine: typed, one table per kind and type.

The rule engine (:mod:`queries.engine`) computes on these tables; the store of
record stays where it is. Each relationship type becomes ``rel_<TYPE>`` (``id``,
``src``, ``dst``, ``start``, ``end``, ``file``, ``line``, the type's properties,
:data:`graph.schema.REL_PROPS`, and the record's own recorded strength ``weight``,
:data:`graph.schema.REL_WEIGHT`, blank when its source records none), each node kind
``ent_<kind>`` (``key``, ``name`` and the kind's properties,
:data:`graph.schema.ENTITY_PROPS`), and the source ids
``aliases`` (``key``, ``tbl``, ``source_id``, ``file``, ``line``) and the further
source rows of relationship records ``relation_sources`` (``id``, ``file``, ``line``).

On the embedded store the rows come straight from SQLite into Arrow through the
ADBC SQLite driver (C code, no Python object per row); any other store answers
through its view's frames. Numbers are ``float64``, everything else text, blank
as null.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, RelationRecord, SqliteStore
>>> store = SqliteStore(pathlib.Path(tempfile.mkdtemp()) / "case.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张三", {"gender": "男"}),
...                     EntityRecord("p:2", "person", "李四", {})])
...     w.put_relations([RelationRecord("r:KIN:1", "KIN", "p:1", "p:2", "2019-01-01", None,
...                                     {"relation": "spouse", "degree": 1}, "rel.csv", 2)])
>>> t = relation_table(store.view(), "KIN").read_all()
>>> t.column_names
['id', 'src', 'dst', 'start', 'end', 'file', 'line', 'relation', 'degree', 'weight']
>>> t.to_pylist()[0]["relation"], t.to_pylist()[0]["end"], t.to_pylist()[0]["degree"]
('spouse', None, 1)
>>> entity_table(store.view(), "person").read_all().column("gender").to_pylist()
['男', None]
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graph.schema import ENTITY_PROPS, REL_PROPS, REL_WEIGHT
from graph.store.protocol import StoreView

#: Rows per Arrow batch read from SQLite (memory stays bounded for any store size).
BATCH_ROWS = 200_000


_ARROW = {"number": pa.float64(), "integer": pa.int64()}


def relation_schema(type_: str) -> pa.Schema:
    """The columns of ``rel_<type_>``."""
    props = [(p, _ARROW.get(kind, pa.string())) for p, kind in REL_PROPS.get(type_, ())]
    return pa.schema([("id", pa.string()), ("src", pa.string()), ("dst", pa.string()),
                      ("start", pa.string()), ("end", pa.string()), ("file", pa.string()),
                      ("line", pa.int64()), *props, (REL_WEIGHT, pa.float64())])


def entity_schema(kind: str) -> pa.Schema:
    """The columns of ``ent_<kind>``."""
    props = [(p, _ARROW.get(t, pa.string())) for p, t in ENTITY_PROPS.get(kind, ())]
    return pa.schema([("key", pa.string()), ("name", pa.string()), *props])


ALIAS_SCHEMA = pa.schema([("key", pa.string()), ("tbl", pa.string()), ("source_id", pa.string()),
                          ("file", pa.string()), ("line", pa.int64())])
SOURCE_SCHEMA = pa.schema([("id", pa.string()), ("file", pa.string()), ("line", pa.int64())])


def _typed(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Text columns as text (blank = null), number columns as float64 (unreadable = null)."""
    cols = []
    for field in schema:
        col = batch.column(field.name)
        if field.type == pa.float64():
            text = pc.cast(col, pa.string())
            text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
            ok = pc.match_substring_regex(text, r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
            col = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64())
        elif field.type == pa.int64():
            if col.type != pa.int64():  # text such as "1" or "1.0"
                text = pc.cast(col, pa.string())
                ok = pc.match_substring_regex(text, r"^\s*[+-]?\d+(\.0*)?\s*$")
                col = pc.cast(pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())),
                                      pa.float64()), pa.int64())
        else:
            col = pc.cast(col, pa.string())
            col = pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)
        cols.append(col)
    return pa.RecordBatch.from_arrays(cols, schema=schema)


def _reader(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> pa.RecordBatchReader:
    return pa.RecordBatchReader.from_batches(schema, (_typed(b, schema) for b in batches))


@contextmanager
def _adbc(path: str) -> Iterator[Any]:
    import adbc_driver_sqlite.dbapi as dbapi

    conn = dbapi.connect(f"file:{path}?mode=ro", autocommit=True)
    try:
        yield conn
    finally:
        conn.close()


def _sqlite_batches(path: str, sql: str, params: tuple[Any, ...]) -> Iterator[pa.RecordBatch]:
    """Rows of a query on the SQLite file, as Arrow batches (every column read as text or
    integer by the query itself, so each batch has the same types)."""
    with _adbc(path) as conn:
        cur = conn.cursor()
        cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
        cur.execute(sql, params)
        reader = cur.fetch_record_batch()
        yield from reader
        cur.close()


def sqlite_path(view: StoreView) -> str | None:
    """The database file behind an embedded store's view (None for any other store)."""
    from graph.store.sqlite import SqliteView

    if not isinstance(view, SqliteView):
        return None
    rows = view._conn.execute("PRAGMA database_list").fetchall()
    return next((str(r[2]) for r in rows if r[1] == "main" and r[2]), None)


def _text(expr: str) -> str:
    return f"coalesce(CAST({expr} AS TEXT), '')"


def relation_table(view: StoreView, type_: str) -> pa.RecordBatchReader:
    """The records of one relationship type (:func:`relation_schema`), in id order."""
    schema = relation_schema(type_)
    props = [*(p for p, _ in REL_PROPS.get(type_, ())), REL_WEIGHT]
    path = sqlite_path(view)
    if path is not None:
        extract = "".join(", " + _text(f"json_extract(r.props, {_quote('$.' + p)})")
                          for p in props)
        sql = ("SELECT r.id, r.src, r.dst, " + _text("r.start_date") + ", " + _text("r.end_date")
               + ", " + _text("f.path") + ", coalesce(r.line, 0)" + extract
               + " FROM relations r LEFT JOIN files f ON f.id = r.file_id WHERE r.type = ? "
               "ORDER BY r.id")
        return _reader(schema, _renamed(_sqlite_batches(path, sql, (type_,)), schema))
    frame = view.relations_frame(type_)
    return _from_frame(frame, schema)


def entity_table(view: StoreView, kind: str) -> pa.RecordBatchReader:
    """The entities of one node kind (:func:`entity_schema`), in key order."""
    schema = entity_schema(kind)
    props = [p for p, _ in ENTITY_PROPS.get(kind, ())]
    path = sqlite_path(view)
    if path is not None:
        extract = "".join(", " + _text(f"json_extract(props, {_quote('$.' + p)})")
                          for p in props)
        sql = f"SELECT key, name{extract} FROM entities WHERE kind = ? ORDER BY key"
        return _reader(schema, _renamed(_sqlite_batches(path, sql, (kind,)), schema))
    return _from_frame(view.entities_frame(kind), schema)


def alias_table(view: StoreView) -> pa.RecordBatchReader:
    """Every source id: which entity it stands for and the row that defined it."""
    path = sqlite_path(view)
    if path is not None:
        sql = ("SELECT a.key, a.tbl, a.source_id, " + _text("f.path") + ", coalesce(a.line, 0) "
               "FROM aliases a LEFT JOIN files f ON f.id = a.file_id "
               "ORDER BY a.key, a.tbl, a.source_id")
        return _reader(ALIAS_SCHEMA, _renamed(_sqlite_batches(path, sql, ()), ALIAS_SCHEMA))
    rows = [(k, s.table, s.source_id, s.file, s.line)
            for k, refs in view.entity_sources().items() for s in refs]
    return pa.Table.from_pylist([dict(zip(ALIAS_SCHEMA.names, r, strict=True)) for r in rows],
                                schema=ALIAS_SCHEMA).to_reader()


FIRST_SCHEMA = pa.schema([("key", pa.string()), ("source_id", pa.string())])


def first_source_ids(view: StoreView) -> pa.Table:
    """Each entity's first input id (by table, then id), in key order: numbers graphs the
    same way in every store (person keys are keyed hashes that differ between stores)."""
    path = sqlite_path(view)
    if path is not None:
        sql = ("SELECT key, source_id FROM (SELECT key, source_id, row_number() OVER "
               "(PARTITION BY key ORDER BY tbl, source_id) AS rn FROM aliases) "
               "WHERE rn = 1 ORDER BY key")
        return _reader(FIRST_SCHEMA, _renamed(_sqlite_batches(path, sql, ()), FIRST_SCHEMA)
                       ).read_all()
    rows = [{"key": k, "source_id": refs[0].source_id}
            for k, refs in sorted(view.entity_sources().items()) if refs]
    return pa.Table.from_pylist(rows, schema=FIRST_SCHEMA)


def relation_source_table(view: StoreView) -> pa.RecordBatchReader:
    """The source rows of relationship records beyond the first (kept on the record)."""
    path = sqlite_path(view)
    if path is not None:
        sql = ("SELECT s.rel_id, " + _text("f.path") + ", s.line FROM relation_sources s "
               "JOIN files f ON f.id = s.file_id ORDER BY s.rel_id, f.path, s.line")
        return _reader(SOURCE_SCHEMA, _renamed(_sqlite_batches(path, sql, ()), SOURCE_SCHEMA))
    return pa.Table.from_pylist([], schema=SOURCE_SCHEMA).to_reader()


def _quote(text: str) -> str:
    """A JSON path as an SQL string literal (paths come from the schema, never from data)."""
    return "'" + text.replace("'", "''") + "'"


def _renamed(batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    for b in batches:
        yield pa.RecordBatch.from_arrays(b.columns, names=schema.names)


def _from_frame(frame: Any, schema: pa.Schema) -> pa.RecordBatchReader:
    """A view's frame as the table's batches: every column as text (``line`` a number),
    then typed as the SQLite path types them."""
    import pandas as pd

    raw_fields = [(f.name, pa.int64() if f.name == "line" else pa.string()) for f in schema]
    cols = []
    n = len(frame)
    for name, type_ in raw_fields:
        if name not in frame.columns:
            cols.append(pa.nulls(n, type_))
        elif type_ == pa.int64():
            cols.append(pa.array(pd.to_numeric(frame[name], errors="coerce").fillna(0)
                                 .astype("int64").to_numpy(), type=pa.int64()))
        else:
            cols.append(pa.array(frame[name].astype("string"), type=pa.string(),
                                 from_pandas=True))
    batch = pa.RecordBatch.from_arrays(cols, schema=pa.schema(raw_fields))
    return _reader(schema, iter([batch]))
