"""The columnar engine the pattern rules run on: DuckDB over the store's tables.

The store of record stays where it is (SQLite, Neo4j); for a scan its tables are
read as Arrow (:mod:`graph.store.arrow`: ``rel_<TYPE>``, ``ent_<kind>``,
``aliases``, ``relation_sources``) into an embedded DuckDB database, when a rule
first needs them. Every rule is SQL over those tables and over shared
intermediates (kin chains, ties, awards, payments... :mod:`queries.shared`), which
are computed once per scan. The same SQL runs on Spark (:mod:`queries.spark`).

Values reach SQL only as parameters (``$name``), never pasted into the text.
DuckDB spills to a temporary folder when a county does not fit in memory.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, RelationRecord, SqliteStore
>>> store = SqliteStore(pathlib.Path(tempfile.mkdtemp()) / "case.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张三", {}),
...                     EntityRecord("p:2", "person", "李四", {})])
...     w.put_relations([RelationRecord("r:KIN:1", "KIN", "p:1", "p:2", None, None,
...                                     {"relation": "spouse", "degree": 1}, "rel.csv", 2)])
>>> engine = Engine(store.view())
>>> engine.rows("SELECT src, dst, s, e FROM rel_KIN WHERE relation = $r", {"r": "spouse"})
[{'src': 'p:1', 'dst': 'p:2', 's': '0000-01-01', 'e': '9999-12-31'}]
>>> engine.close(); store.close()
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlglot import exp

from graph.schema import NODE_KINDS, REL_TYPES
from graph.store import StoreView
from graph.store.arrow import alias_table, entity_table, relation_source_table, relation_table
from lang import _

#: Open interval ends, so a tie's interval is always ``[s, e]``.
OPEN_START = "0000-01-01"
OPEN_END = "9999-12-31"

#: Environment variables: DuckDB's memory limit ("8GB"), and where it spills beyond it.
MEMORY_ENV = "UMBRELLA_ENGINE_MEMORY"
TEMP_ENV = "UMBRELLA_ENGINE_TEMP"

#: Table name -> the reader that fills it from a store view.
Reader = Callable[[StoreView], pa.RecordBatchReader]


class SqlRunner(Protocol):
    """What runs a rule's SQL: the embedded engine, or Spark (:mod:`queries.spark`)."""

    params: dict[str, Any]

    def rows(self, sql: str, params: Mapping[str, Any] | None = None
             ) -> list[dict[str, Any]]:
        """The rows of a query over the base tables and the shared intermediates."""

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table readable as ``name`` (a table a rule computed in Python)."""

    def materialize(self, name: str, sql: str, params: Mapping[str, Any]) -> None:
        """Make the result of a query a table ``name`` (computed now, read many times)."""


def base_tables() -> dict[str, Reader]:
    """Every table read from the store, by name.

    Examples
    --------
    >>> sorted(base_tables())[:3]
    ['aliases', 'ent_case', 'ent_contract']
    """
    out: dict[str, Reader] = {"aliases": alias_table, "relation_sources": relation_source_table}
    for t in REL_TYPES:
        out[f"rel_{t}"] = lambda v, t=t: relation_table(v, t)  # type: ignore[misc]
    for k in NODE_KINDS:
        out[f"ent_{k}"] = lambda v, k=k: entity_table(v, k)  # type: ignore[misc]
    return out


@functools.lru_cache(maxsize=1024)
def referenced(sql: str) -> list[str]:
    """The table names an SQL text reads (CTE names left out).

    Examples
    --------
    >>> sorted(referenced("WITH x AS (SELECT * FROM rel_KIN) SELECT * FROM x JOIN ent_person p "
    ...                   "ON 1=1"))
    ['ent_person', 'rel_KIN']
    """
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    out: dict[str, None] = {}
    for t in tree.find_all(exp.Table):
        if t.name and t.name not in ctes:
            out[t.name] = None
    return list(out)


class Engine:
    """An embedded DuckDB database holding a store's tables, filled when first read.

    Parameters
    ----------
    view:
        The store view tables are read from.
    shared:
        Name -> SQL of the shared intermediates (``SELECT`` texts, created as tables
        the first time a query reads them); :data:`queries.shared.SHARED` by default.
    params:
        Parameters the shared intermediates read (``$name``).
    memory_limit:
        DuckDB's memory limit (e.g. ``"8GB"``; default ``UMBRELLA_ENGINE_MEMORY``, else
        DuckDB's own, 80% of the machine's memory); beyond it, work spills to ``temp_dir``
        (default ``UMBRELLA_ENGINE_TEMP``, else a new folder in the system's temporary
        folder, removed on :meth:`close`).
    """

    def __init__(self, view: StoreView, shared: Mapping[str, str] | None = None,
                 params: Mapping[str, Any] | None = None, memory_limit: str | None = None,
                 temp_dir: Path | None = None) -> None:
        if shared is None:
            from queries.shared import SHARED
            shared = SHARED
        self.view = view
        self.shared = dict(shared)
        self.params = dict(params or {})
        memory_limit = memory_limit or os.environ.get(MEMORY_ENV) or None
        base = temp_dir or (Path(os.environ[TEMP_ENV]) if os.environ.get(TEMP_ENV) else None)
        self._tmp = tempfile.TemporaryDirectory(prefix="umbrella-engine-", dir=base) \
            if temp_dir is None else None
        spill = temp_dir or Path(self._tmp.name if self._tmp else ".")
        self.con = duckdb.connect(config={"temp_directory": str(spill),
                                          "preserve_insertion_order": "true"})
        self.con.execute("SET enable_progress_bar = false").fetchall()
        if memory_limit:
            self.con.execute("SET memory_limit = $m", {"m": memory_limit}).fetchall()
        self._readers = base_tables()
        self._have: set[str] = set()
        self._sqlite: bool | None = None

    def close(self) -> None:
        """Release the database (and its spill folder)."""
        self.con.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    # -- tables ----------------------------------------------------------------------

    def has_source_table(self) -> bool:
        """Whether the store's further source rows come as one table (the embedded store)."""
        if self._sqlite is None:
            from graph.store.arrow import sqlite_path

            self._sqlite = sqlite_path(self.view) is not None
        return self._sqlite

    def ensure(self, name: str) -> None:
        """Make table ``name`` exist: read it from the store, or compute a shared one."""
        if name in self._have:
            return
        if name in self._readers and not self.has_source_table():
            # a view answered through its frames (a case's neighbourhood, Neo4j): small
            # tables, read as Arrow and scanned in place
            table = self._readers[name](self.view).read_all()
            if name.startswith("rel_"):
                table = table.append_column("s", pc.coalesce(table.column("start"),
                                                              pa.scalar(OPEN_START)))
                table = table.append_column("e", pc.coalesce(table.column("end"),
                                                              pa.scalar(OPEN_END)))
            self.con.register(name, table)
        elif name in self._readers:
            reader = self._readers[name](self.view)
            self.con.register("_incoming", reader)
            extra = (", coalesce(start, '0000-01-01') AS s, coalesce(\"end\", '9999-12-31') AS e"
                     if name.startswith("rel_") else "")
            self.con.execute(f"CREATE TABLE {_ident(name)} AS SELECT *{extra} FROM _incoming"
                             ).fetchall()
            self.con.unregister("_incoming")
        elif name in self.shared:
            sql = self.shared[name]
            self._ensure_all(sql)
            self.con.execute(f"CREATE TABLE {_ident(name)} AS {sql}",
                             self._params_for(sql, self.params)).fetchall()
        else:
            return  # a CTE or a table the query itself makes
        self._have.add(name)

    def materialize(self, name: str, sql: str, params: Mapping[str, Any]) -> None:
        """Compute a query once into table ``name`` (its tables read or computed first)."""
        self._ensure_all(sql)
        merged = {**self.params, **params}
        self.con.execute(f"CREATE OR REPLACE TABLE {_ident(name)} AS {sql}",
                         self._params_for(sql, merged)).fetchall()
        self._have.add(name)

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table readable as ``name`` (replacing an earlier one of that name)."""
        self.con.register(name, table)
        self._have.add(name)

    def _ensure_all(self, sql: str) -> None:
        for name in referenced(sql):
            self.ensure(name)

    @staticmethod
    def _params_for(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters an SQL text names (DuckDB refuses unused ones)."""
        used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", sql))
        missing = used - set(params)
        if missing:
            raise KeyError(f"SQL parameter(s) {sorted(missing)} not given")
        return {k: v for k, v in params.items() if k in used}

    # -- queries ---------------------------------------------------------------------

    def arrow(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run a query (its tables read or computed first) and return an Arrow table."""
        self._ensure_all(sql)
        merged = {**self.params, **(params or {})}
        return self.con.sql(sql, params=self._params_for(sql, merged)).to_arrow_table()

    def frame(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """:meth:`arrow` as a pandas frame (text as Python strings)."""
        frame: pd.DataFrame = self.arrow(sql, params).to_pandas(types_mapper=None)
        return frame

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """:meth:`arrow` as a list of dicts."""
        return list(self.arrow(sql, params).to_pylist())

    def export_parquet(self, folder: Path, progress: Callable[[str, int, int], None] | None = None
                       ) -> dict[str, int]:
        """Write every base table (as the rules read it) to ``folder/<table>.parquet``;
        returns the rows written per table. Written a batch at a time."""
        import pyarrow.parquet as pq

        folder.mkdir(parents=True, exist_ok=True)
        counts: dict[str, int] = {}
        names = sorted(self._readers)
        for i, name in enumerate(names):
            if progress:
                progress(_("writing {table}").format(table=name), i, len(names))
            self.ensure(name)
            reader = self.con.sql(f"SELECT * FROM {_ident(name)}").to_arrow_reader()
            n = 0
            with pq.ParquetWriter(folder / f"{name}.parquet", reader.schema) as w:
                for batch in reader:
                    w.write_batch(batch)
                    n += batch.num_rows
            counts[name] = n
        if progress:
            progress(_("done"), len(names), len(names))
        return counts

    def by_id(self, table: str, column: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Rows of ``table`` whose ``column`` is one of ``ids``, by that value."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        rows = self.rows(f"SELECT * FROM {_ident(table)} WHERE {_ident(column)} IN "
                         "(SELECT unnest($ids))", {"ids": wanted})
        return {str(r[column]): r for r in rows}


def _ident(name: str) -> str:
    """A table or column name from the schema, quoted (never from data)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"not an identifier: {name!r}")
    return f'"{name}"'
