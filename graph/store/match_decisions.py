"""Match review: the decisions people take on candidate pairs, and the merges they apply.

A candidate pair (``M-`` and 12 hex digits, :mod:`queries.match_candidates`) is two
records that may be one person or one organisation. A reviewer decides it
(:data:`DECISIONS`: ``same``, ``different``, ``unsure``); the decision is kept with its
author, its time (UTC) and a note, in an append-only book: a pair's current decision
is its latest, its history every decision in order.

A ``same`` decision is applied as a merge: record ``b`` is folded into record ``a``
(the store then holds one entity, so the rules see one). Each merge is journalled,
and ``undo`` uses the journal to put the store back exactly as it was. The merge
log is append-only too: an ``undo`` is a new event, not an erased merge.

A backend keeps both behind :class:`MatchBook`; :func:`match_book` opens it. The
embedded store keeps them in the same SQLite file
(:class:`graph.store.sqlite_match_decisions.SqliteMatchBook`), a Neo4j store on the
server (:class:`graph.store.neo4j_match_decisions.Neo4jMatchBook`).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "case.db")
>>> book = match_book(store)
>>> book.decide(Decision("M-0123456789ab", "same", author="王芳", a="p:s:P1", b="p:s:P2"))
1
>>> book.current()["M-0123456789ab"].decision
'same'
>>> book.close(); store.close()
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from graph.errors import StoreError, UmbrellaError
from graph.text import N_, _

if TYPE_CHECKING:
    from graph.store.protocol import Store

#: Every decision on a pair.
DECISIONS = ("same", "different", "unsure")
#: The decisions as a person reads them (translated when shown).
DECISION_WORDS = {"same": N_("same"), "different": N_("different"), "unsure": N_("unsure")}
#: A pair id: ``M-`` and 12 lower-case hex digits.
PAIR_ID = re.compile(r"M-[0-9a-f]{12}")


def decision_word(decision: str) -> str:
    """A decision as a person reads it, in the run's language ('' for none).

    Examples
    --------
    >>> decision_word("same"), decision_word("")
    ('same', '')
    """
    return _(DECISION_WORDS[decision]) if decision in DECISION_WORDS else decision


class Decision(NamedTuple):
    """One decision on one pair (``seq`` and ``at`` are set by the book); ``a``, ``b``,
    the names and the score are the pair as it was shown, so a pair merged or gone can
    still be named."""

    pair: str
    decision: str
    note: str = ""
    author: str = ""
    at: str = ""
    kind: str = ""
    a: str = ""
    b: str = ""
    name_a: str = ""
    name_b: str = ""
    score: float = 0.0
    seq: int = 0
    reasons: tuple[str, ...] = ()


class MergeEvent(NamedTuple):
    """One merge of ``b`` into ``a`` (``action`` ``merge``) or its undoing (``undo``),
    with the journal that undoes it."""

    pair: str
    action: str
    a: str
    b: str
    author: str
    at: str = ""
    journal: dict[str, Any] = {}  # noqa: RUF012 - a NamedTuple field default, never mutated
    seq: int = 0


def check_decision(entry: Decision) -> None:
    """Refuse a malformed pair id, an unknown decision, or no author.

    Examples
    --------
    >>> check_decision(Decision("M-0123456789ab", "maybe", author="li"))
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: M-0123456789ab: unknown decision maybe
    """
    if not PAIR_ID.fullmatch(entry.pair):
        raise UmbrellaError(_("{pair}: not a pair id").format(pair=entry.pair),
                            hint=_("a pair id is M- and 12 hex digits, as umbrella matches "
                                   "lists them"))
    if entry.decision not in DECISIONS:
        raise UmbrellaError(_("{pair}: unknown decision {decision}").format(
            pair=entry.pair, decision=entry.decision),
            hint=_("decisions: {decisions}").format(decisions=", ".join(DECISIONS)))
    if not entry.author.strip():
        raise UmbrellaError(_("{pair}: a decision needs an author").format(pair=entry.pair),
                            hint=_("pass --user NAME"))


class MatchBook(Protocol):
    """The decisions and merges of one store: added, never changed nor removed."""

    def decide(self, entry: Decision) -> int:
        """Add ``entry`` (checked by :func:`check_decision`; ``at`` set to now, UTC) and
        return its number."""

    def history(self, pair: str) -> list[Decision]:
        """Every decision on ``pair``, oldest first."""

    def current(self) -> dict[str, Decision]:
        """The latest decision on every decided pair, by pair id."""

    def merge(self, pair: str, a: str, b: str, author: str) -> MergeEvent:
        """Fold entity ``b`` into ``a`` and journal it, in one transaction."""

    def undo(self, pair: str, author: str) -> MergeEvent:
        """Undo the pair's merge from its journal, in one transaction."""

    def merges(self) -> list[MergeEvent]:
        """Every merge and undo, oldest first."""

    def close(self) -> None:
        """Release connections."""


def active_merges(events: list[MergeEvent]) -> dict[str, MergeEvent]:
    """The merges in force: each pair's latest event, when it is a merge (by pair id, in
    the order they were made).

    Examples
    --------
    >>> ev = [MergeEvent("M-1", "merge", "a", "b", "li"), MergeEvent("M-1", "undo", "a", "b",
    ...       "li"), MergeEvent("M-2", "merge", "a", "c", "li")]
    >>> list(active_merges(ev))
    ['M-2']
    """
    last: dict[str, MergeEvent] = {}
    for e in events:
        last.pop(e.pair, None)
        last[e.pair] = e
    return {p: e for p, e in last.items() if e.action == "merge"}


def undoable(events: list[MergeEvent], pair: str) -> MergeEvent:
    """The merge of ``pair`` that an undo reverses: in force, and no later merge in force
    involves its records (else an error that says which to undo first).

    Examples
    --------
    >>> ev = [MergeEvent("M-1", "merge", "a", "b", "li"), MergeEvent("M-2", "merge", "a", "c",
    ...       "li", seq=2)]
    >>> undoable(ev, "M-2").b
    'c'
    >>> undoable(ev, "M-1")
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: M-1: a later merge (M-2) involves the same records
    """
    active = active_merges(events)
    merged = active.get(pair)
    if merged is None:
        raise UmbrellaError(_("{pair}: not merged").format(pair=pair),
                            hint=_("umbrella matches lists the merged pairs"))
    later = [e for e in active.values() if e.seq > merged.seq
             and {e.a, e.b} & {merged.a, merged.b}]
    if later:
        raise UmbrellaError(
            _("{pair}: a later merge ({later}) involves the same records").format(
                pair=pair, later=later[-1].pair),
            hint=_("undo {later} first").format(later=later[-1].pair))
    return merged


def match_book(store: Store) -> MatchBook:
    """The match book of ``store``: in the SQLite file, or on the Neo4j server."""
    from graph.store.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        from graph.store.sqlite_match_decisions import SqliteMatchBook

        return SqliteMatchBook(store.path)
    from graph.store.neo4j import Neo4jStore

    if isinstance(store, Neo4jStore):
        from graph.store.neo4j_match_decisions import Neo4jMatchBook

        return Neo4jMatchBook(store)
    raise StoreError(_("{where}: this kind of store keeps no match decisions").format(
        where=store.location), hint=_("review the matches of a database file (--db case.db) "
                                      "or of a Neo4j server"))
