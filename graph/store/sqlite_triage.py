"""The triage book of the embedded store: table ``triage`` in the same SQLite file.

The table is made on the first entry (a file nobody triaged is left as it was), and
two triggers refuse any ``UPDATE`` or ``DELETE`` of it: entries are only added, so the
history of a finding is never overwritten. Reads of a file without the table find no
entry. See :mod:`graph.store.triage`.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> from graph.store.triage import TriageEntry
>>> path = pathlib.Path(tempfile.mkdtemp()) / "case.db"
>>> open_store(path).close()
>>> book = SqliteTriage(path)
>>> book.current()
{}
>>> book.append(TriageEntry("F-1", "in_review", assignee="张伟", author="li"))
1
>>> book._conn.execute("DELETE FROM triage")
Traceback (most recent call last):
...
sqlite3.IntegrityError: triage entries are only added, never changed or removed
>>> book.close()
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from graph.store.base import now_text
from graph.store.sqlite import BUSY_SECONDS, _begin_immediate
from graph.store.triage import TriageEntry, check_entry

_REFUSE = "SELECT RAISE(ABORT, 'triage entries are only added, never changed or removed')"
_DDL = (
    """CREATE TABLE IF NOT EXISTS triage(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, finding_id TEXT NOT NULL, status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '', assignee TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '', author TEXT NOT NULL, at TEXT NOT NULL,
    rule TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '')""",
    "CREATE INDEX IF NOT EXISTS triage_finding ON triage(finding_id, seq)",
    f"CREATE TRIGGER IF NOT EXISTS triage_no_update BEFORE UPDATE ON triage BEGIN {_REFUSE}; END",
    f"CREATE TRIGGER IF NOT EXISTS triage_no_delete BEFORE DELETE ON triage BEGIN {_REFUSE}; END",
)
_COLUMNS = "finding_id, status, reason, assignee, note, author, at, rule, title, seq"


class SqliteTriage:
    """The triage entries of one SQLite store file (its own connection)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_SECONDS)

    def _has_table(self) -> bool:
        return self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'triage'"
        ).fetchone() is not None

    def append(self, entry: TriageEntry) -> int:
        check_entry(entry)
        _begin_immediate(self._conn, self.path)
        try:
            for stmt in _DDL:
                self._conn.execute(stmt)
            cur = self._conn.execute(
                "INSERT INTO triage(finding_id, status, reason, assignee, note, author, at, "
                "rule, title) VALUES (?,?,?,?,?,?,?,?,?)",
                (entry.finding, entry.status, entry.reason, entry.assignee, entry.note,
                 entry.author, now_text(), entry.rule, entry.title))
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return int(cur.lastrowid or 0)

    def _entries(self, where: str, params: tuple[str, ...] = ()) -> list[TriageEntry]:
        if not self._has_table():
            return []
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM triage {where}", params)
        return [TriageEntry(*row) for row in rows]

    def history(self, finding: str) -> list[TriageEntry]:
        return self._entries("WHERE finding_id = ? ORDER BY seq", (finding,))

    def current(self) -> dict[str, TriageEntry]:
        latest = self._entries("WHERE seq IN (SELECT max(seq) FROM triage GROUP BY finding_id) "
                               "ORDER BY finding_id")
        return {e.finding: e for e in latest}

    def close(self) -> None:
        self._conn.close()
