"""Saved investigations in the embedded store: table ``investigations`` in the same file.

One row per version; the table is made on the first save (a file nobody saved a canvas
in is left as it was), and two triggers refuse any ``UPDATE`` or ``DELETE``: a version,
once saved, stays as it was. Entities, positions and hidden items are kept as JSON
text. ``read_only`` opens the file with ``mode=ro`` (the workbench's reads). See
:mod:`graph.store.investigations`.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> from graph.store.investigations import Investigation
>>> path = pathlib.Path(tempfile.mkdtemp()) / "case.db"
>>> open_store(path).close()
>>> SqliteInvestigations(path, read_only=True).list()
[]
>>> book = SqliteInvestigations(path)
>>> book.save(Investigation("案卷", ("P1",), {"P1": (1.5, -2.0)}, (), "2023-01-31", "",
...                         author="li")).positions
{'P1': (1.5, -2.0)}
>>> book._conn.execute("UPDATE investigations SET notes = 'x'")
Traceback (most recent call last):
...
sqlite3.IntegrityError: saved investigations are only added, never changed or removed
>>> book.close()
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from graph.store.base import now_text
from graph.store.investigations import Investigation, check_investigation
from graph.store.sqlite import BUSY_SECONDS, _begin_immediate

_REFUSE = ("SELECT RAISE(ABORT, 'saved investigations are only added, never changed or "
           "removed')")
_DDL = (
    """CREATE TABLE IF NOT EXISTS investigations(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, version INTEGER NOT NULL,
    entities TEXT NOT NULL, positions TEXT NOT NULL, hidden TEXT NOT NULL,
    as_of TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '', author TEXT NOT NULL,
    saved_at TEXT NOT NULL, UNIQUE(name, version))""",
    f"CREATE TRIGGER IF NOT EXISTS investigations_no_update BEFORE UPDATE ON investigations "
    f"BEGIN {_REFUSE}; END",
    f"CREATE TRIGGER IF NOT EXISTS investigations_no_delete BEFORE DELETE ON investigations "
    f"BEGIN {_REFUSE}; END",
)
_COLUMNS = "name, entities, positions, hidden, as_of, notes, author, saved_at, version"


def _row(row: tuple[Any, ...]) -> Investigation:
    name, entities, positions, hidden, as_of, notes, author, saved_at, version = row
    pos = {str(k): (float(v[0]), float(v[1])) for k, v in json.loads(positions).items()}
    return Investigation(str(name), tuple(json.loads(entities)), pos,
                         tuple(json.loads(hidden)), str(as_of), str(notes), str(author),
                         str(saved_at), int(version))


class SqliteInvestigations:
    """The saved investigations of one SQLite store file (its own connection)."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only:
            uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, isolation_level=None,
                                         timeout=BUSY_SECONDS, check_same_thread=False)
        else:
            self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_SECONDS)

    def _has_table(self) -> bool:
        return self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'investigations'"
        ).fetchone() is not None

    def save(self, inv: Investigation) -> Investigation:
        inv = check_investigation(inv)
        _begin_immediate(self._conn, self.path)
        try:
            for stmt in _DDL:
                self._conn.execute(stmt)
            (last,) = self._conn.execute(
                "SELECT coalesce(max(version), 0) FROM investigations WHERE name = ?",
                (inv.name,)).fetchone()
            saved = inv._replace(saved_at=now_text(), version=int(last) + 1)
            self._conn.execute(
                f"INSERT INTO investigations({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                (saved.name, json.dumps(list(saved.entities), ensure_ascii=False),
                 json.dumps({k: list(v) for k, v in saved.positions.items()},
                            ensure_ascii=False),
                 json.dumps(list(saved.hidden), ensure_ascii=False), saved.as_of, saved.notes,
                 saved.author, saved.saved_at, saved.version))
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return saved

    def _select(self, where: str, params: tuple[Any, ...] = ()) -> list[Investigation]:
        if not self._has_table():
            return []
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM investigations {where}", params)
        return [_row(r) for r in rows]

    def get(self, name: str, version: int | None = None) -> Investigation | None:
        if version is None:
            found = self._select("WHERE name = ? ORDER BY version DESC LIMIT 1", (name,))
        else:
            found = self._select("WHERE name = ? AND version = ?", (name, version))
        return found[0] if found else None

    def versions(self, name: str) -> list[Investigation]:
        return self._select("WHERE name = ? ORDER BY version", (name,))

    def list(self) -> list[Investigation]:
        return self._select("WHERE seq IN (SELECT max(seq) FROM investigations GROUP BY name) "
                            "ORDER BY name")

    def close(self) -> None:
        self._conn.close()
