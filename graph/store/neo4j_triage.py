"""The triage book of a Neo4j store: one ``TriageEntry`` node per entry.

Each entry is its own node, never tied to the ``Finding`` it is about (a rescan
deletes and writes findings again; the entries stay)::

    (:TriageEntry {finding, seq, status, reason, assignee, note, author, at, rule, title})

Entries are only added: the book has no statement that changes or removes one.
``seq`` numbers them 1, 2, ... in the order they were added, across all findings:
an append first increments ``triage_seq`` on the store's one ``UmbrellaMeta`` node,
and the write lock Neo4j takes on that node until the transaction ends makes two
appends take turns (as two claims of the load lock do), so no number is given
twice; a uniqueness constraint on ``seq`` says so again where the server keeps
constraints. Every value travels as a parameter. The book shares the store's
connection, so closing the book leaves the store open. See
:mod:`graph.store.triage`.

Examples
--------
>>> "$finding" in APPEND and "SET m.triage_seq" in APPEND
True
>>> [name for name in ("DELETE", "REMOVE") if name in APPEND + HISTORY + ALL]
[]
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING, Any

from graph.errors import StoreError
from graph.store.base import now_text
from graph.store.triage import TriageEntry, check_entry

if TYPE_CHECKING:
    from graph.store.neo4j.connection import Connection

#: The label of an entry (a fixed name, never built from input).
TRIAGE = "`TriageEntry`"
SCHEMA = (
    f"CREATE CONSTRAINT umbrella_triage_seq IF NOT EXISTS FOR (t:{TRIAGE}) "
    "REQUIRE t.seq IS UNIQUE",
    f"CREATE INDEX umbrella_triage_finding IF NOT EXISTS FOR (t:{TRIAGE}) ON (t.finding)",
)
#: Number the entry under the meta node's write lock, then add it.
APPEND = (
    "MATCH (m:`UmbrellaMeta` {id: 'meta'}) "
    "SET m.triage_seq = coalesce(m.triage_seq, 0) + 1 "
    "WITH m.triage_seq AS seq "
    f"CREATE (t:{TRIAGE} {{finding: $finding, seq: seq, status: $status, reason: $reason, "
    "assignee: $assignee, note: $note, author: $author, at: $at, rule: $rule, "
    "title: $title}) RETURN seq"
)
_COLUMNS = (
    "t.finding AS finding, t.status AS status, coalesce(t.reason, '') AS reason, "
    "coalesce(t.assignee, '') AS assignee, coalesce(t.note, '') AS note, "
    "t.author AS author, t.at AS at, coalesce(t.rule, '') AS rule, "
    "coalesce(t.title, '') AS title, t.seq AS seq"
)
HISTORY = f"MATCH (t:{TRIAGE}) WHERE t.finding = $finding RETURN {_COLUMNS} ORDER BY seq"
ALL = f"MATCH (t:{TRIAGE}) RETURN {_COLUMNS} ORDER BY seq"


def _entry(row: dict[str, Any]) -> TriageEntry:
    return TriageEntry(str(row["finding"]), str(row["status"]), str(row["reason"]),
                       str(row["assignee"]), str(row["note"]), str(row["author"]),
                       str(row["at"]), str(row["rule"]), str(row["title"]), int(row["seq"]))


class Neo4jTriage:
    """The triage entries of one Neo4j database, over the store's connection."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._prepared = False

    def _prepare(self) -> None:
        """The constraint and index, on the first entry of this book (a server that keeps
        neither still numbers the entries under the meta node's lock)."""
        if self._prepared:
            return
        for stmt in SCHEMA:
            with suppress(StoreError):
                self._conn.write(stmt)
        self._prepared = True

    def append(self, entry: TriageEntry) -> int:
        check_entry(entry)
        self._prepare()
        rows = self._conn.write(
            APPEND, finding=entry.finding, status=entry.status, reason=entry.reason,
            assignee=entry.assignee, note=entry.note, author=entry.author, at=now_text(),
            rule=entry.rule, title=entry.title)
        if not rows:
            raise StoreError(f"{self._conn.settings.redacted()}: no umbrella meta node",
                             hint="open the database with umbrella once (umbrella stats)")
        return int(rows[0]["seq"])

    def history(self, finding: str) -> list[TriageEntry]:
        return [_entry(r) for r in self._conn.read(HISTORY, finding=finding)]

    def current(self) -> dict[str, TriageEntry]:
        latest: dict[str, TriageEntry] = {}
        for row in self._conn.read(ALL):  # oldest first: the last one of a finding wins
            entry = _entry(row)
            latest[entry.finding] = entry
        return dict(sorted(latest.items()))

    def close(self) -> None:
        """Nothing to release: the connection is the store's."""
