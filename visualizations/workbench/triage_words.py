"""The words of the workbench's triage (``static/triage.js``), in the run's language.

Part of ``GET /api/strings`` (:func:`visualizations.workbench.strings.ui_strings` adds
them): keys ``triage.*`` for the panel, the filter and the "no longer found" list, and
``status.<code>`` for each status (:data:`graph.store.triage.STATUS_WORDS`).

Examples
--------
>>> from lang import use_language
>>> w = triage_words()
>>> w["status.in_review"], w["triage.title"]
('in review', 'Triage')
>>> with use_language("zh"):
...     z = triage_words()
>>> z["status.dismissed"], sorted(set(w) ^ set(z))
('已排除', [])
"""

from __future__ import annotations

from graph.store.triage import STATUSES
from lang import pgettext
from visualizations.words import status_said


def _words() -> dict[str, str]:
    return {
        "triage.title": pgettext("workbench", "Triage"),
        "triage.current": pgettext("workbench", "Status: {status}"),
        "triage.assigned": pgettext("workbench", "Status: {status}, assigned to {assignee}"),
        "triage.never": pgettext("workbench", "Nobody has triaged this lead yet: its status is "
                                              "new."),
        "triage.set": pgettext("workbench", "Set the status"),
        "triage.assignee": pgettext("workbench", "Assignee"),
        "triage.note": pgettext("workbench", "Note"),
        "triage.reason": pgettext("workbench", "Reason for the dismissal"),
        "triage.dismiss": pgettext("workbench", "Dismiss with this reason"),
        "triage.need_reason": pgettext("workbench",
                                       "A dismissal needs a reason: write it in the box."),
        "triage.save": pgettext("workbench", "Save the note and the assignee"),
        "triage.nothing": pgettext("workbench", "Write a note or change the assignee first."),
        "triage.saved": pgettext("workbench", "{id}: {status}, recorded by {author}."),
        "triage.history": pgettext("workbench", "History"),
        "triage.history_none": pgettext("workbench", "No entry yet."),
        "triage.entry": pgettext("workbench", "{at} · {author} · {status}"),
        "triage.entry_assignee": pgettext("workbench", "assignee: {assignee}"),
        "triage.entry_reason": pgettext("workbench", "reason: {reason}"),
        "triage.user": pgettext("workbench", "Entries are written as {user}."),
        "triage.filter": pgettext("workbench", "Status"),
        "triage.col.status": pgettext("workbench", "Status"),
        "triage.gone_title": pgettext("workbench", "No longer found ({n})"),
        "triage.gone_help": pgettext(
            "workbench", "Triaged leads the last scan no longer produced. Their triage is kept; "
                         "a click shows it."),
        "triage.gone_one": pgettext(
            "workbench", "The last scan no longer produced this lead: it is no longer found. "
                         "Its triage is kept."),
        "triage.col.last": pgettext("workbench", "Last entry"),
    }


def triage_words() -> dict[str, str]:
    """Every word of the triage on the page, in the language spoken now, by stable key."""
    out = _words()
    out.update({f"status.{s}": status_said(s) for s in STATUSES})
    return out
