"""Large frames reach SQLite through Arrow staging files, without a Python object per row.

The embedded store's bulk writes (:class:`graph.store.sqlite.SqliteWriter`) hand a
large frame to the ADBC SQLite driver, which writes it as one table into a private
file (C code binding Arrow columns, no journal, no sync: the file is scratch). The
store's own connection then attaches that file and copies the rows with one
``INSERT ... SELECT``, inside the store's transaction, so a load stays all or
nothing: the staging file holds no data of record, and it is detached and deleted
once the transaction ends, committed or not.

The driver carries its own copy of SQLite; two copies of SQLite must never open the
same file at once (each keeps its own account of the process's POSIX locks), so the
driver only ever opens the staging file, and closes it before the store's connection
attaches it.

Examples
--------
>>> import sqlite3, pyarrow as pa
>>> conn = sqlite3.connect(":memory:", isolation_level=None)
>>> _ = conn.execute("CREATE TABLE t(a TEXT, b INTEGER)")
>>> stage = Staging(conn)
>>> _ = conn.execute("BEGIN")
>>> name = stage.attach(pa.table({"a": ["x", None], "b": [1, 2]}))
>>> _ = conn.execute(f"INSERT INTO t SELECT a, b FROM {name} ORDER BY rowid")
>>> _ = conn.execute("COMMIT")
>>> stage.close()
>>> conn.execute("SELECT a, b FROM t").fetchall(), stage.files
([('x', 1), (None, 2)], [])
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from contextlib import suppress
from pathlib import Path

import pyarrow as pa

__all__ = ["MAX_STAGES", "STAGE_ROWS", "Staging", "arrow_table"]

#: Frames of at least this many rows are staged; smaller ones are bound row by row.
STAGE_ROWS = 20_000
#: Staging files attached at once (SQLite attaches at most 10 databases to a connection).
MAX_STAGES = 6


def arrow_table(columns: dict[str, pa.Array | pa.ChunkedArray]) -> pa.Table:
    """Columns as a table ADBC can ingest: text as ``large_string``, whole numbers as
    ``int64``, other numbers as ``float64`` (a column of nulls only becomes text).

    Examples
    --------
    >>> arrow_table({"a": pa.array([None, None]), "n": pa.array([1, 2])}).schema.types
    [DataType(large_string), DataType(int64)]
    """
    out = {}
    for name, col in columns.items():
        t = col.type
        if pa.types.is_floating(t):
            out[name] = col.cast(pa.float64())
        elif pa.types.is_integer(t) or pa.types.is_boolean(t):
            out[name] = col.cast(pa.int64())
        else:
            out[name] = col.cast(pa.large_string())
    return pa.table(out)


def _ingest(path: str, table: pa.Table) -> None:
    """Write ``table`` as table ``rows`` of a new SQLite file (the driver's own connection)."""
    import adbc_driver_sqlite.dbapi as dbapi

    conn = dbapi.connect(path, autocommit=True)
    try:
        cur = conn.cursor()
        try:
            cur.execute("PRAGMA journal_mode=OFF")
            cur.fetchall()
            cur.execute("PRAGMA synchronous=OFF")
            cur.adbc_ingest("rows", table, mode="create")
        finally:
            cur.close()
    finally:
        conn.close()


class Staging:
    """The staging files attached to one connection during one transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.files: list[tuple[str, str]] = []
        """(schema name, path) of each attached staging file."""

    @property
    def available(self) -> bool:
        """Whether another staging file may be attached in this transaction."""
        return len(self.files) < MAX_STAGES

    def attach(self, table: pa.Table) -> str:
        """Write ``table`` to a new staging file, attach it; return the staged table's name
        (``schema.rows``: its rows in the order given, by ``rowid``)."""
        fd, path = tempfile.mkstemp(prefix="umbrella-stage-", suffix=".db")
        os.close(fd)
        try:
            _ingest(path, table)
            name = f"umbrella_stage_{len(self.files)}"
            self._conn.execute(f"ATTACH DATABASE ? AS {name}", (path,))
        except BaseException:
            Path(path).unlink(missing_ok=True)
            raise
        self.files.append((name, path))
        return f"{name}.rows"

    def close(self) -> None:
        """Detach and delete every staging file (once the transaction has ended)."""
        for name, path in self.files:
            with suppress(sqlite3.Error):
                self._conn.execute(f"DETACH DATABASE {name}")
            Path(path).unlink(missing_ok=True)
        self.files.clear()
