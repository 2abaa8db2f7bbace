"""Triage a stored finding, and read each finding's current status.

:func:`record` adds one entry to the store's triage book
(:mod:`graph.store.triage`): what is not given is carried over from the finding's
latest entry (its status, its assignee), so a note alone or an assignment alone
keeps the status. :func:`current_statuses` gives every triaged finding's current
status; :func:`with_status` adds it to findings as ``status`` (``new`` when nobody
triaged one), as every findings export carries it; :func:`no_longer_found` lists the
triaged findings the last scan no longer produced (their triage is kept).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "case.db")
>>> with store.writer() as w:
...     w.replace_findings([{"id": "F-1", "rule": "COI-001", "category": "conflict_of_interest",
...                          "score": 0.9, "title": "t", "keys": []}], ["COI-001"])
>>> record(store, "F-1", "in_review", assignee="张伟", user="li").assignee
'张伟'
>>> e = record(store, "F-1", note="asked the bureau", user="li")
>>> e.status, e.assignee
('in_review', '张伟')
>>> [f["status"] for f in with_status(store.view().findings(), current_statuses(store))]
['in_review']
>>> store.close()
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from typing import Any

from graph.errors import StoreError, UmbrellaError
from graph.store import Store
from graph.store.triage import TriageEntry, triage_book
from lang import _


def user_name(given: str | None = None) -> str:
    """``given`` (``--user``), else the operating-system user, else ``unknown``.

    Examples
    --------
    >>> user_name("王芳")
    '王芳'
    >>> bool(user_name())
    True
    """
    if given and given.strip():
        return given.strip()
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):
        return "unknown"


def record(store: Store, finding: str, status: str | None = None, *, reason: str = "",
           assignee: str | None = None, note: str = "", user: str | None = None) -> TriageEntry:
    """Add a triage entry for ``finding`` (a stored finding, or one triaged before that a
    rescan no longer produces) and return it as stored."""
    book = triage_book(store)
    try:
        past = book.history(finding)
        stored = store.view().finding(finding)
        if stored is None and not past:
            raise UmbrellaError(_("{finding}: no such finding in {db}").format(
                finding=finding, db=store.location),
                hint=_("umbrella scan lists the findings and their ids"))
        last = past[-1] if past else None
        rule = str(stored["rule"]) if stored else (last.rule if last else "")
        title = str(stored.get("title", "")) if stored else (last.title if last else "")
        entry = TriageEntry(
            finding, status or (last.status if last else "new"), reason=reason,
            assignee=(last.assignee if last else "") if assignee is None else assignee,
            note=note, author=user_name(user), rule=rule, title=title)
        seq = book.append(entry)
        return book.history(finding)[-1] if seq else entry
    finally:
        book.close()


def history(store: Store, finding: str) -> list[TriageEntry]:
    """Every triage entry of ``finding``, oldest first."""
    book = triage_book(store)
    try:
        return book.history(finding)
    finally:
        book.close()


def current_statuses(store: Store) -> dict[str, TriageEntry] | None:
    """The latest entry of every triaged finding, or None when the backend keeps no
    triage."""
    try:
        book = triage_book(store)
    except StoreError:
        return None
    try:
        return book.current()
    finally:
        book.close()


def with_status(findings: Iterable[dict[str, Any]],
                current: dict[str, TriageEntry] | None) -> list[dict[str, Any]]:
    """``findings`` each with its current ``status`` (``new`` when never triaged); as
    they are when ``current`` is None (no triage on the backend).

    Examples
    --------
    >>> with_status([{"id": "F-1"}, {"id": "F-2"}],
    ...             {"F-1": TriageEntry("F-1", "confirmed")})
    [{'id': 'F-1', 'status': 'confirmed'}, {'id': 'F-2', 'status': 'new'}]
    """
    if current is None:
        return list(findings)
    return [{**f, "status": current[f["id"]].status if f["id"] in current else "new"}
            for f in findings]


def no_longer_found(store: Store,
                    current: dict[str, TriageEntry] | None = None) -> list[TriageEntry]:
    """The latest entry of each triaged finding that is no longer stored (the last scan
    of its rule did not produce it), by finding id."""
    current = current_statuses(store) if current is None else current
    if not current:
        return []
    view = store.view()
    return [e for fid, e in sorted(current.items()) if view.finding(fid) is None]
