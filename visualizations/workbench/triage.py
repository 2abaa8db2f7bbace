"""Triage in the workbench: a finding's status, assignee and notes, read and written.

:class:`TriageDesk` answers the triage endpoints of :mod:`visualizations.workbench.app`
as plain data, through :mod:`queries.triage` (``record``, ``history``,
``current_statuses``, ``no_longer_found``) and so through the store's triage book
(:func:`graph.store.triage.triage_book`). The workbench reads the store through
read-only connections (:mod:`visualizations.workbench.access`); the triage book of an
SQLite file lives in that same file, so every triage call opens the file on its own
short-lived connection (:meth:`TriageDesk.store`), uses it and closes it: reading the
book only reads (``SELECT``), and only an append takes the write lock, for the length
of one ``INSERT``. A store shared between threads (Neo4j) is used as it is.

Entries are written by the server's user (``umbrella serve --user``, else the
operating system's user) and checked by the book (a dismissal needs a reason).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> path = pathlib.Path(tempfile.mkdtemp()) / "case.db"
>>> store = open_store(path)
>>> with store.writer() as w:
...     w.replace_findings([{"id": "F-1", "rule": "COI-001", "category": "conflict_of_interest",
...                          "score": 0.9, "title": "t", "keys": []}], ["COI-001"])
>>> store.close()
>>> desk = TriageDesk(path, user="王芳")
>>> desk.change("F-1", {"status": "in_review", "assignee": "张伟", "note": "查工商档案"}
...             )["current"]["status"]
'in_review'
>>> [(e["author"], e["status"], e["note"]) for e in desk.book("F-1")["history"]]
[('王芳', 'in_review', '查工商档案')]
>>> desk.statuses()
{'F-1': 'in_review'}
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graph.errors import StoreError
from graph.store import Store
from graph.store.triage import STATUSES, TriageEntry
from lang import _
from queries import triage as triage_q
from visualizations.words import status_said

#: Longest note, reason or assignee the page may send (characters).
MAX_TEXT = 4000


class TriageRefused(Exception):
    """A triage request the desk refuses: HTTP status, message and fix-it hint."""

    def __init__(self, status: int, error: str, hint: str = "") -> None:
        super().__init__(error)
        self.status, self.error, self.hint = status, error, hint


def entry_json(entry: TriageEntry) -> dict[str, Any]:
    """One triage entry as the page gets it (the status also in words).

    Examples
    --------
    >>> entry_json(TriageEntry("F-1", "needs_data", author="li", at="2026-12-05T20:00:00Z"))[
    ...     "status_word"]
    'needs data'
    """
    return {"finding": entry.finding, "status": entry.status,
            "status_word": status_said(entry.status), "reason": entry.reason,
            "assignee": entry.assignee, "note": entry.note, "author": entry.author,
            "at": entry.at, "rule": entry.rule, "title": entry.title, "seq": entry.seq}


def _text(body: Mapping[str, Any], name: str) -> str | None:
    """A text field of the request body (None when absent), checked."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TriageRefused(400, _("{name} must be text").format(name=name), "")
    if len(value) > MAX_TEXT:
        raise TriageRefused(400, _("{name} is longer than {most} characters").format(
            name=name, most=MAX_TEXT), _("shorten it, or keep the long text in a file"))
    return value


class TriageDesk:
    """The triage of one store, for the workbench (see the module docstring).

    ``store``: the SQLite file's path (opened anew for each call), a store any thread
    may use (kept open by its owner), or None (no triage here); ``user``: who writes
    the entries (None: the operating system's user).
    """

    def __init__(self, store: Path | Store | None, user: str | None = None) -> None:
        self._store = store
        self.user = triage_q.user_name(user)

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The store for one triage call: an SQLite file on its own connection, closed
        after the call; a shared store as it is."""
        if self._store is None:
            raise StoreError(_("this workbench keeps no triage"),
                             hint=_("serve a database file (--db case.db) to triage its leads"))
        if not isinstance(self._store, Path):
            yield self._store
            return
        from graph.store import open_store

        opened = open_store(self._store)
        try:
            yield opened
        finally:
            opened.close()

    def statuses(self) -> dict[str, str] | None:
        """Every triaged finding's current status, by finding id (None: the backend keeps
        no triage)."""
        if self._store is None:
            return None
        with self.store() as store:
            current = triage_q.current_statuses(store)
        return None if current is None else {k: e.status for k, e in current.items()}

    def book(self, fid: str) -> dict[str, Any]:
        """A finding's triage: its current entry (None when never triaged), its history,
        oldest first, and whether the last scan still produced it."""
        fid = fid.strip()
        with self.store() as store:
            try:
                entries = triage_q.history(store, fid)
            except StoreError as err:
                raise TriageRefused(501, err.message, err.hint or "") from err
            found = store.view().finding(fid) is not None
        if not found and not entries:
            raise TriageRefused(404, _("no finding {id} in this database").format(id=repr(fid)),
                                _("run umbrella scan first, then use an id it lists (F-...)"))
        return {"finding": fid, "found": found, "user": self.user,
                "current": entry_json(entries[-1]) if entries else None,
                "history": [entry_json(e) for e in entries],
                "statuses": [{"code": s, "word": status_said(s)} for s in STATUSES]}

    def change(self, fid: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Add one entry for ``fid`` from the request ``body`` (``status``, ``reason``,
        ``assignee``, ``note``; what is absent carries over) and return the finding's
        triage as :meth:`book` does, with ``entry`` the entry written."""
        status = _text(body, "status")
        if status is not None and status not in STATUSES:
            raise TriageRefused(400, _("unknown status {status}").format(status=status),
                                _("statuses: {statuses}").format(statuses=", ".join(STATUSES)))
        reason, assignee, note = (_text(body, k) for k in ("reason", "assignee", "note"))
        if status is None and assignee is None and not (note or "").strip():
            raise TriageRefused(400, _("nothing to record: give a status, an assignee or a note"),
                                '{"status": "in_review", "note": "..."}')
        with self.store() as store:
            try:
                entry = triage_q.record(store, fid.strip(), status, reason=reason or "",
                                        assignee=assignee.strip() if assignee is not None
                                        else None, note=(note or "").strip(), user=self.user)
            except StoreError as err:
                raise TriageRefused(501, err.message, err.hint or "") from err
        return {**self.book(fid), "entry": entry_json(entry)}

    def gone(self, status: str | None = None) -> list[dict[str, Any]]:
        """The triaged findings the last scan no longer produced (their latest entries),
        of ``status`` when given: listed, never dropped."""
        if self._store is None:
            return []
        with self.store() as store:
            current = triage_q.current_statuses(store)
            if not current:
                return []
            entries = triage_q.no_longer_found(store, current)
        return [entry_json(e) for e in entries if not status or e.status == status]
