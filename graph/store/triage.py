"""Triage of findings: an append-only book of entries, kept beside the findings.

Each entry records one review step on one finding: its status (:data:`STATUSES`),
the reason a dismissal needs, the assignee, a note, who wrote it and when (UTC).
Entries are only ever added: a finding's current state is its latest entry, and its
history is every entry in order. The book is keyed by the finding's stable id
(:attr:`queries.findings.Finding.id`), so a rescan, which replaces the stored
findings of the rules it ran, leaves the triage as it was; an entry also keeps the
finding's rule and title, so a finding a rescan no longer produces can still be
named.

A backend keeps the book behind :class:`TriageBook`; :func:`triage_book` opens it.
The embedded store keeps it in the same SQLite file
(:class:`graph.store.sqlite_triage.SqliteTriage`), a Neo4j store as ``TriageEntry``
nodes (:class:`graph.store.neo4j_triage.Neo4jTriage`); any other store has none
(:class:`~graph.errors.StoreError` says so).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "case.db")
>>> book = triage_book(store)
>>> book.append(TriageEntry("F-1", "confirmed", author="wang", rule="COI-001", title="t"))
1
>>> book.current()["F-1"].status, len(book.history("F-1"))
('confirmed', 1)
>>> store.close()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol

from graph.errors import StoreError, UmbrellaError
from graph.text import N_, _

if TYPE_CHECKING:
    from graph.store.protocol import Store

#: Every status, in the order a review moves through them; ``new`` is the status of a
#: finding nobody has triaged.
STATUSES = ("new", "in_review", "confirmed", "dismissed", "needs_data")
#: The statuses as a person reads them (translated when shown).
STATUS_WORDS = {"new": N_("new"), "in_review": N_("in review"), "confirmed": N_("confirmed"),
                "dismissed": N_("dismissed"), "needs_data": N_("needs data")}


def status_word(status: str) -> str:
    """A status as a person reads it, in the run's language (an unknown code as written).

    Examples
    --------
    >>> status_word("in_review"), status_word("odd")
    ('in review', 'odd')
    """
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else status


class TriageEntry(NamedTuple):
    """One review step on one finding (``seq`` and ``at`` are set by the book)."""

    finding: str
    status: str
    reason: str = ""
    assignee: str = ""
    note: str = ""
    author: str = ""
    at: str = ""
    rule: str = ""
    title: str = ""
    seq: int = 0


def check_entry(entry: TriageEntry) -> None:
    """Refuse an entry with an unknown status, a dismissal without a reason, or no author.

    Examples
    --------
    >>> check_entry(TriageEntry("F-1", "dismissed", author="li"))
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: F-1: a dismissal needs a reason
    """
    if entry.status not in STATUSES:
        raise UmbrellaError(_("unknown status {status}").format(status=entry.status),
                            hint=_("statuses: {statuses}").format(statuses=", ".join(STATUSES)))
    if entry.status == "dismissed" and not entry.reason.strip():
        raise UmbrellaError(_("{finding}: a dismissal needs a reason").format(
            finding=entry.finding), hint=_("say why with --reason"))
    if not entry.author.strip():
        raise UmbrellaError(_("{finding}: a triage entry needs an author").format(
            finding=entry.finding), hint=_("pass --user NAME"))


class TriageBook(Protocol):
    """The triage entries of one store: added, never changed nor removed."""

    def append(self, entry: TriageEntry) -> int:
        """Add ``entry`` (checked by :func:`check_entry`; ``at`` set to now, UTC) and
        return its number (1, 2, ... in the order entries were added)."""

    def history(self, finding: str) -> list[TriageEntry]:
        """Every entry of ``finding``, oldest first."""

    def current(self) -> dict[str, TriageEntry]:
        """The latest entry of every triaged finding, by finding id."""

    def close(self) -> None:
        """Release connections."""


def triage_book(store: Store) -> TriageBook:
    """The triage book of ``store``: the embedded store's or a Neo4j store's."""
    from graph.store import is_server
    from graph.store.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        from graph.store.sqlite_triage import SqliteTriage

        return SqliteTriage(store.path)
    if is_server(store.location):
        from graph.store.neo4j import Neo4jStore

        if isinstance(store, Neo4jStore):
            from graph.store.neo4j_triage import Neo4jTriage

            return Neo4jTriage(store.connection)
    raise StoreError(_("{where}: this store keeps no triage").format(
        where=store.location), hint=_("triage the findings of a database file (--db case.db) "
                                      "or of a Neo4j database (--db bolt://...)"))
