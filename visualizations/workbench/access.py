"""How the workbench reads a store: a small interface, one implementation per backend.

The server answers requests on several threads at once. :class:`StoreAccess` hands
each thread a :class:`~graph.store.StoreView` it may use, says which backend it is,
and may give every entity's tie count at start (``degrees``, used to put hubs last
when a node is expanded). :class:`SqliteAccess` opens the file **read-only**
(``mode=ro``: the workbench cannot write to it, whatever it does), one connection
per thread; :class:`SharedAccess` serves a store whose view is safe to share between
threads (the Neo4j backend: its driver keeps a pool and each read is its own session).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, open_store
>>> path = pathlib.Path(tempfile.mkdtemp()) / "a.db"
>>> store = open_store(path)
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张三", {})])
>>> store.close()
>>> access = SqliteAccess(path)
>>> access.kind, access.view().get("p:1").name
('sqlite', '张三')
>>> access.view()._conn.execute("DELETE FROM entities")
Traceback (most recent call last):
...
sqlite3.OperationalError: attempt to write a readonly database
>>> access.close()
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Protocol, cast
from urllib.parse import quote

from graph.errors import StoreError
from graph.store import Store, StoreView
from graph.store.sqlite import SCHEMA_VERSION, SqliteStore, SqliteView
from lang import _


class StoreAccess(Protocol):
    """What the workbench needs of a store."""

    #: ``sqlite`` or ``neo4j`` (what ``/api/session`` reports).
    kind: str

    def view(self) -> StoreView:
        """A read view the calling thread may use."""

    def degrees(self) -> dict[str, int] | None:
        """Every entity's number of relationship records, or None when counting them all
        at start would be slow (each expansion then counts its neighbours' ties)."""

    def close(self) -> None:
        """Release connections."""


class SqliteAccess:
    """An SQLite store file opened read-only, one connection per thread."""

    kind = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(_("{db}: no such database").format(db=self.path),
                             hint=_("load data first (umbrella load FOLDER), or pass --db"))
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._connect()
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(
                _("{path}: cannot open as an umbrella database ({error})").format(
                    path=self.path, error=exc),
                hint=_("pass --db with a new file name, or the path of a database umbrella "
                       "made")) from exc
        if row is None or str(row[0]) != SCHEMA_VERSION:
            raise StoreError(
                _("{path}: database schema version {version}, this umbrella reads version "
                  "{expected}").format(path=self.path, version=row[0] if row else "?",
                                       expected=SCHEMA_VERSION),
                hint=_("load the data again into a new database file (--db new.db)"))

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30.0,
                                   check_same_thread=False)
            conn.execute("PRAGMA cache_size=-8000")  # 8 MB a thread
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def view(self) -> StoreView:
        return SqliteView(self._connect())

    def degrees(self) -> dict[str, int]:
        rows = self._connect().execute(
            "SELECT k, count(*) FROM (SELECT src AS k FROM relations UNION ALL "
            "SELECT dst FROM relations) GROUP BY k")
        return {str(k): int(n) for k, n in rows}

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


class SharedAccess:
    """A store whose view any thread may use (the Neo4j backend)."""

    def __init__(self, store: Store, kind: str = "neo4j") -> None:
        self._store = store
        self._view = store.view()
        self.kind = kind

    def view(self) -> StoreView:
        return self._view

    @property
    def store(self) -> Store:
        """The store itself (the saved investigations are kept in it)."""
        return self._store

    def degrees(self) -> dict[str, int] | None:
        return None

    def close(self) -> None:
        self._store.close()


def access_for(store: Store | StoreAccess | str | Path) -> StoreAccess:
    """The access for a store, a store's location, or an access already made: an SQLite
    store is opened again read-only (and the store given is left open to its owner)."""
    if isinstance(store, str | Path):
        from graph.store import is_server, open_store

        if not is_server(store):
            return SqliteAccess(store)
        store = open_store(store)
    if isinstance(store, SqliteStore):
        return SqliteAccess(store.path)
    if isinstance(store, SqliteAccess | SharedAccess):
        return store
    return SharedAccess(cast(Store, store))
