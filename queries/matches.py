"""Match review: the queue of candidate pairs, decisions on them, merges and their undoing.

:func:`queue` lists the candidate pairs (:mod:`queries.match_candidates`) with each
pair's current decision, and the pairs decided or merged earlier that the finder no
longer proposes (a merged pair is one record now). :func:`decide` records a decision
(author and time, in the store's append-only book, :mod:`graph.store.match_decisions`).
:func:`apply` brings the store in line with the decisions: a pair decided ``same``
is merged (``b`` into ``a``), a merged pair no longer decided ``same`` is undone.
:func:`undo` undoes one merge. After a merge or an undo the stored findings describe
the graph as it was: :func:`rerun` runs the rules again on the graph as it is.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> from graph.store.model import EntityRecord
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "case.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:s:P1", "person", "张伟", {"birth_date": "1970-01-01"}),
...                     EntityRecord("p:s:P2", "person", "张伟", {"birth_date": "1970-01-01"})])
>>> [pair] = queue(store)
>>> decide(store, pair.pair, "same", user="王芳").decision
'same'
>>> done = apply(store, user="王芳")
>>> [e.action for e in done.events], [e.key for e in store.view().entities()]
(['merge'], ['p:s:P1'])
>>> undo(store, pair.pair, user="王芳").action
'undo'
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from graph.errors import UmbrellaError
from graph.store.match_decisions import (
    Decision,
    MatchBook,
    MergeEvent,
    active_merges,
    match_book,
)
from lang import _, pgettext
from queries.match_candidates import Candidate, candidates
from queries.triage import user_name

if TYPE_CHECKING:
    from graph.store import Store
    from queries.scan import ScanResult


class QueueRow(NamedTuple):
    """One pair of the review queue with its current decision and whether it is merged."""

    pair: str
    kind: str
    a: str
    b: str
    score: float
    reasons: tuple[str, ...]
    name_a: str
    name_b: str
    decision: str = ""
    author: str = ""
    at: str = ""
    note: str = ""
    merged: bool = False
    proposed: bool = True


def _row(c: Candidate, d: Decision | None, merged: bool) -> QueueRow:
    return QueueRow(c.pair, c.kind, c.a, c.b, c.score, c.reasons, c.name_a, c.name_b,
                    d.decision if d else "", d.author if d else "", d.at if d else "",
                    d.note if d else "", merged)


def _holding(book: MatchBook, store: Store) -> dict[str, MergeEvent]:
    """The merges in force whose merged-away record was not loaded again since."""
    view = store.view()
    return {p: e for p, e in active_merges(book.merges()).items() if view.get(e.b) is None}


def _queue(book: MatchBook, store: Store, min_score: float,
           limit: int | None) -> list[QueueRow]:
    found = candidates(store, min_score=min_score, limit=limit)
    decided = book.current()
    merged = _holding(book, store)
    rows = [_row(c, decided.get(c.pair), c.pair in merged) for c in found]
    seen = {c.pair for c in found}
    for pair in sorted(set(decided) | set(merged)):
        if pair in seen:
            continue
        d, m = decided.get(pair), merged.get(pair)
        last = d or Decision(pair, "")
        a, b = (m.a, m.b) if m else (last.a, last.b)
        reasons = (*last.reasons, "merged") if m else last.reasons
        rows.append(QueueRow(pair, last.kind, a, b, last.score, reasons, last.name_a,
                             last.name_b, last.decision, last.author, last.at, last.note,
                             m is not None, proposed=False))
    return rows


def queue(store: Store, *, min_score: float = 0.3, limit: int | None = None) -> list[QueueRow]:
    """The review queue: the finder's pairs best first, then the pairs decided or merged
    earlier that it no longer proposes, by pair id."""
    book = match_book(store)
    try:
        return _queue(book, store, min_score, limit)
    finally:
        book.close()


def reason_words() -> dict[str, str]:
    """The finder's reasons in the reader's words (a reason not listed shows as written)."""
    return {"name": pgettext("match_reason", "name"),
            "birth_date": pgettext("match_reason", "birth date"),
            "phone": pgettext("match_reason", "phone"),
            "address": pgettext("match_reason", "address"),
            "ties": pgettext("match_reason", "shared ties"),
            "merged": pgettext("match_reason", "merged")}


def decision_words() -> dict[str, str]:
    """Decision code -> word in the language spoken now."""
    return {"same": pgettext("match_decision", "same"),
            "different": pgettext("match_decision", "different"),
            "unsure": pgettext("match_decision", "unsure")}


def reasons_text(reasons: Sequence[str]) -> str:
    """The reasons of a pair in the reader's words, joined.

    Examples
    --------
    >>> reasons_text(("name", "birth_date", "odd"))
    'name, birth date, odd'
    """
    words = reason_words()
    return _(", ").join(words.get(r, r) for r in reasons)


def _known(rows: list[QueueRow], pair: str, db: str) -> QueueRow:
    for r in rows:
        if r.pair == pair:
            return r
    raise UmbrellaError(_("{pair}: no such pair in the review queue of {db}").format(
        pair=pair, db=db), hint=_("umbrella matches lists the pairs and their ids"))


def decide(store: Store, pair: str, decision: str, *, note: str = "",
           user: str | None = None, rows: list[QueueRow] | None = None) -> Decision:
    """Record ``decision`` (same, different, unsure) on ``pair``, a pair of the queue
    (``rows``, else :func:`queue` now), by ``user`` (else the operating-system user)."""
    book = match_book(store)
    try:
        row = _known(rows if rows is not None else _queue(book, store, 0.0, None), pair,
                     store.location)
        entry = Decision(pair, decision, note=note, author=user_name(user), kind=row.kind,
                         a=row.a, b=row.b, name_a=row.name_a, name_b=row.name_b,
                         score=row.score, reasons=row.reasons)
        book.decide(entry)
        return book.history(pair)[-1]
    finally:
        book.close()


def record_many(store: Store, decisions: Sequence[tuple[str, str, str]], *,
                user: str | None = None) -> tuple[list[Decision], list[str]]:
    """Record each ``(pair, decision, note)`` whose pair is in the queue and differs from
    the pair's current decision or note; return the decisions recorded and the pairs
    refused as unknown (the others are recorded all the same)."""
    book = match_book(store)
    try:
        rows = {r.pair: r for r in _queue(book, store, 0.0, None)}
        current = book.current()
        made: list[Decision] = []
        unknown: list[str] = []
        for pair, decision, note in decisions:
            row = rows.get(pair)
            if row is None:
                unknown.append(pair)
                continue
            last = current.get(pair)
            if last is not None and (last.decision, last.note) == (decision, note):
                continue
            entry = Decision(pair, decision, note=note, author=user_name(user), kind=row.kind,
                             a=row.a, b=row.b, name_a=row.name_a, name_b=row.name_b,
                             score=row.score, reasons=row.reasons)
            book.decide(entry)
            current[pair] = entry
            made.append(book.history(pair)[-1])
        return made, unknown
    finally:
        book.close()


@dataclass
class Applied:
    """What :func:`apply` did: the merge events it made, and the pairs it could not
    bring in line (pair -> why)."""

    events: list[MergeEvent] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)


def survivor(key: str, merged: dict[str, MergeEvent]) -> str:
    """The record ``key`` is part of now, following the merges in force.

    Examples
    --------
    >>> m = {"M-1": MergeEvent("M-1", "merge", "a", "b", "li"),
    ...      "M-2": MergeEvent("M-2", "merge", "c", "a", "li")}
    >>> survivor("b", m), survivor("d", m)
    ('c', 'd')
    """
    into = {e.b: e.a for e in merged.values()}
    seen = {key}
    while key in into and into[key] not in seen:
        key = into[key]
        seen.add(key)
    return key


def apply(store: Store, *, user: str | None = None) -> Applied:
    """Merge every pair whose current decision is ``same`` and is not merged; undo every
    merge whose pair is no longer decided ``same`` (latest first). A pair that cannot be
    brought in line is named in :attr:`Applied.problems`; the others are applied."""
    author = user_name(user)
    done = Applied()
    book = match_book(store)
    try:
        decided = book.current()
        merged = active_merges(book.merges())
        for pair in reversed(list(merged)):
            d = decided.get(pair)
            if d is not None and d.decision != "same":
                try:
                    done.events.append(book.undo(pair, author))
                except UmbrellaError as err:
                    done.problems[pair] = err.message
        merged = _holding(book, store)
        for pair, d in decided.items():
            if d.decision != "same" or pair in merged:
                continue
            a, b = survivor(d.a, merged), survivor(d.b, merged)
            if a == b:
                continue  # one record already, through other merges
            a, b = sorted((a, b))
            try:
                event = book.merge(pair, a, b, author)
            except UmbrellaError as err:
                done.problems[pair] = err.message
                continue
            done.events.append(event)
            merged[pair] = event
        return done
    finally:
        book.close()


def undo(store: Store, pair: str, *, user: str | None = None) -> MergeEvent:
    """Undo the merge of ``pair`` from its journal (the store as it was before it), and
    record ``unsure`` on the pair unless a decision other than ``same`` is on it, so that
    :func:`apply` does not merge it again."""
    book = match_book(store)
    try:
        event = book.undo(pair, user_name(user))
        last = book.current().get(pair)
        if last is None or last.decision == "same":
            base = last or Decision(pair, "unsure", a=event.a, b=event.b)
            book.decide(base._replace(decision="unsure", author=user_name(user),
                                      note=_("merge undone")))
        return event
    finally:
        book.close()


def rerun(store: Store) -> ScanResult:
    """Run every rule again on the graph as it is now (after merges or undos)."""
    from queries.scan import scan

    return scan(store)
