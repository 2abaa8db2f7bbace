"""The match book of the embedded store: tables ``match_decisions`` and ``match_merges``
in the same SQLite file, and merges applied to its entities, relations and aliases.

Both tables are made on first use (a file nobody reviewed is left as it was), and
triggers refuse any ``UPDATE`` or ``DELETE`` of them: decisions and merge events are
only added.

A merge of ``b`` into ``a``, in one transaction: ``a`` gains the properties it lacked
from ``b`` (its own values stay, as a second load of ``a`` would do); every relation
record with ``b`` at either end is re-pointed to ``a`` (its id, dates, properties and
source rows unchanged); every source id of ``b`` now names ``a`` (file and line
unchanged); ``b`` is removed. The journal, stored with the event, holds what the
merge changed: ``b``'s row, ``a``'s properties as they were, each re-pointed record's
ends and ``b``'s source ids. An undo puts exactly those back. See
:mod:`graph.store.match_decisions` and ``docs/matches.md``.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> from graph.store.model import EntityRecord
>>> path = pathlib.Path(tempfile.mkdtemp()) / "case.db"
>>> store = open_store(path)
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:s:P1", "person", "张伟", {}),
...                     EntityRecord("p:s:P2", "person", "张伟", {"phone": "13800000000"})])
>>> book = SqliteMatchBook(path)
>>> book.merge("M-0123456789ab", "p:s:P1", "p:s:P2", "li").action
'merge'
>>> store.view().get("p:s:P1").props, store.view().get("p:s:P2")
({'phone': '13800000000'}, None)
>>> book.undo("M-0123456789ab", "li").action
'undo'
>>> sorted(e.key for e in store.view().entities())
['p:s:P1', 'p:s:P2']
>>> book.close(); store.close()
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from graph.errors import UmbrellaError
from graph.store.base import now_text
from graph.store.match_decisions import (
    Decision,
    MergeEvent,
    check_decision,
    undoable,
)
from graph.store.sqlite import BUSY_SECONDS, _begin_immediate
from graph.text import _

_REFUSE = "SELECT RAISE(ABORT, 'match decisions and merges are only added, never changed')"
_DDL = (
    """CREATE TABLE IF NOT EXISTS match_decisions(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, pair TEXT NOT NULL, decision TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '', author TEXT NOT NULL, at TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '', a TEXT NOT NULL DEFAULT '', b TEXT NOT NULL DEFAULT '',
    name_a TEXT NOT NULL DEFAULT '', name_b TEXT NOT NULL DEFAULT '',
    score REAL NOT NULL DEFAULT 0, reasons TEXT NOT NULL DEFAULT '')""",
    "CREATE INDEX IF NOT EXISTS match_decisions_pair ON match_decisions(pair, seq)",
    """CREATE TABLE IF NOT EXISTS match_merges(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, pair TEXT NOT NULL, action TEXT NOT NULL,
    a TEXT NOT NULL, b TEXT NOT NULL, author TEXT NOT NULL, at TEXT NOT NULL,
    journal TEXT NOT NULL)""",
    *(f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} BEGIN {_REFUSE}; END"
      for t in ("match_decisions", "match_merges") for op in ("UPDATE", "DELETE")),
)
_DECISION_COLUMNS = ("pair, decision, note, author, at, kind, a, b, name_a, name_b, score, seq, "
                     "reasons")


class SqliteMatchBook:
    """The decisions and merges of one SQLite store file (its own connection)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_SECONDS)

    def _has(self, table: str) -> bool:
        return self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone() is not None

    def _begin(self) -> None:
        _begin_immediate(self._conn, self.path)
        for stmt in _DDL:
            self._conn.execute(stmt)

    def decide(self, entry: Decision) -> int:
        check_decision(entry)
        self._begin()
        try:
            cur = self._conn.execute(
                "INSERT INTO match_decisions(pair, decision, note, author, at, kind, a, b, "
                "name_a, name_b, score, reasons) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (entry.pair, entry.decision, entry.note, entry.author.strip(), now_text(),
                 entry.kind, entry.a, entry.b, entry.name_a, entry.name_b, entry.score,
                 ",".join(entry.reasons)))
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return int(cur.lastrowid or 0)

    def _decisions(self, where: str, params: tuple[str, ...] = ()) -> list[Decision]:
        if not self._has("match_decisions"):
            return []
        rows = self._conn.execute(f"SELECT {_DECISION_COLUMNS} FROM match_decisions {where}",
                                  params)
        return [Decision._make((*row[:-1], tuple(r for r in str(row[-1]).split(",") if r)))
                for row in rows]

    def history(self, pair: str) -> list[Decision]:
        return self._decisions("WHERE pair = ? ORDER BY seq", (pair,))

    def current(self) -> dict[str, Decision]:
        latest = self._decisions(
            "WHERE seq IN (SELECT max(seq) FROM match_decisions GROUP BY pair) ORDER BY pair")
        return {d.pair: d for d in latest}

    def merges(self) -> list[MergeEvent]:
        if not self._has("match_merges"):
            return []
        rows = self._conn.execute(
            "SELECT pair, action, a, b, author, at, journal, seq FROM match_merges ORDER BY seq")
        return [MergeEvent(p, act, a, b, who, at, json.loads(j), int(s))
                for p, act, a, b, who, at, j, s in rows]

    def _row(self, key: str) -> tuple[str, str, str, str] | None:
        row = self._conn.execute("SELECT key, kind, name, props FROM entities WHERE key = ?",
                                 (key,)).fetchone()
        return (str(row[0]), str(row[1]), str(row[2]), str(row[3])) if row else None

    def _log(self, pair: str, action: str, a: str, b: str, author: str,
             journal: dict[str, Any]) -> MergeEvent:
        at = now_text()
        cur = self._conn.execute(
            "INSERT INTO match_merges(pair, action, a, b, author, at, journal) "
            "VALUES (?,?,?,?,?,?,?)", (pair, action, a, b, author, at,
                                       json.dumps(journal, ensure_ascii=False)))
        return MergeEvent(pair, action, a, b, author, at, journal, int(cur.lastrowid or 0))

    def merge(self, pair: str, a: str, b: str, author: str) -> MergeEvent:
        self._begin()
        try:
            event = self._merge(pair, a, b, author)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return event

    def _merge(self, pair: str, a: str, b: str, author: str) -> MergeEvent:
        if a == b:
            raise UmbrellaError(_("{pair}: both records are {key} already").format(
                pair=pair, key=a), hint=_("nothing to merge"))
        keep, gone = self._row(a), self._row(b)
        for key, row in ((a, keep), (b, gone)):
            if row is None:
                raise UmbrellaError(
                    _("{pair}: {key} is not in the database").format(pair=pair, key=key),
                    hint=_("it was merged into another record or never loaded: umbrella "
                           "matches lists the pairs as they stand"))
        assert keep is not None and gone is not None
        if keep[1] != gone[1]:
            raise UmbrellaError(_("{pair}: {a} is a {kind_a} and {b} a {kind_b}").format(
                pair=pair, a=a, b=b, kind_a=keep[1], kind_b=gone[1]),
                hint=_("only records of one kind can be one entity"))
        rels = [[str(i), str(s), str(d)] for i, s, d in self._conn.execute(
            "SELECT id, src, dst FROM relations WHERE src = ?1 OR dst = ?1 ORDER BY id", (b,))]
        aliases = [[str(t), str(s), f, n] for t, s, f, n in self._conn.execute(
            "SELECT tbl, source_id, file_id, line FROM aliases WHERE key = ? "
            "ORDER BY tbl, source_id", (b,))]
        added = [[t, s] for t, s, _f, _n in aliases if self._conn.execute(
            "SELECT 1 FROM aliases WHERE tbl = ? AND source_id = ? AND key = ?",
            (t, s, a)).fetchone() is None]
        self._conn.execute("UPDATE entities SET props = json_patch(?, props) WHERE key = ?",
                           (gone[3], a))
        self._conn.execute("UPDATE relations SET src = ? WHERE src = ?", (a, b))
        self._conn.execute("UPDATE relations SET dst = ? WHERE dst = ?", (a, b))
        self._conn.execute(
            "INSERT OR IGNORE INTO aliases(tbl, source_id, key, file_id, line) "
            "SELECT tbl, source_id, ?, file_id, line FROM aliases WHERE key = ?", (a, b))
        self._conn.execute("DELETE FROM aliases WHERE key = ?", (b,))
        self._conn.execute("DELETE FROM entities WHERE key = ?", (b,))
        journal = {"a_props": keep[3], "b": list(gone), "relations": rels,
                   "aliases": aliases, "added": added}
        return self._log(pair, "merge", a, b, author, journal)

    def undo(self, pair: str, author: str) -> MergeEvent:
        self._begin()
        try:
            event = self._undo(pair, author)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return event

    def _undo(self, pair: str, author: str) -> MergeEvent:
        events = self.merges()
        merged = undoable(events, pair)
        j = merged.journal
        a, b = merged.a, merged.b
        if self._row(b) is not None:
            raise UmbrellaError(
                _("{pair}: {key} is in the database again (loaded again since the merge)"
                  ).format(pair=pair, key=b),
                hint=_("decide the pair again: umbrella matches decide {pair} same|different"
                       ).format(pair=pair))
        if self._row(a) is None:
            raise UmbrellaError(_("{pair}: {key} is not in the database").format(
                pair=pair, key=a), hint=_("umbrella matches lists the pairs as they stand"))
        self._conn.execute("INSERT INTO entities(key, kind, name, props) VALUES (?,?,?,?)",
                           tuple(j["b"]))
        self._conn.execute("UPDATE entities SET props = ? WHERE key = ?", (j["a_props"], a))
        self._conn.executemany("UPDATE relations SET src = ?, dst = ? WHERE id = ?",
                               [(s, d, i) for i, s, d in j["relations"]])
        self._conn.executemany(
            "DELETE FROM aliases WHERE tbl = ? AND source_id = ? AND key = ?",
            [(t, s, a) for t, s in j["added"]])
        self._conn.executemany(
            "INSERT OR IGNORE INTO aliases(tbl, source_id, key, file_id, line) "
            "VALUES (?,?,?,?,?)", [(t, s, b, f, n) for t, s, f, n in j["aliases"]])
        return self._log(pair, "undo", a, b, author, {})

    def close(self) -> None:
        self._conn.close()
