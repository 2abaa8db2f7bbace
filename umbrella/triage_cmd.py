"""``umbrella triage``: set a finding's status, assignee and notes, or show its history.

The click layer only: the entries are added by :func:`queries.triage.record` to the
store's append-only triage book (:mod:`graph.store.triage`).
"""

from __future__ import annotations

from dataclasses import dataclass

import click

from graph.errors import UmbrellaError
from graph.ids import mask_id_numbers
from graph.store.triage import STATUSES, TriageEntry, status_word
from lang import _
from lang.message import localized
from umbrella import console
from umbrella.audit_cmd import USER_ENV, head_option
from umbrella.audit_cmd import record as audit
from umbrella.audit_record import looked, triage_target
from umbrella.options import db_option, open_existing
from umbrella.output import Output, Rows, output_options, write

#: The columns of a finding's history.
HISTORY_COLUMNS = ["at", "author", "status", "assignee", "reason", "note"]


@dataclass(frozen=True)
class History(Rows):
    """A finding's triage entries: JSON keeps the status codes, the other formats show
    the statuses in the reader's words."""

    @property
    def cells(self) -> list[list[str]]:
        at = HISTORY_COLUMNS.index("status")
        return [[status_word(str(v)) if i == at else str(v) for i, v in enumerate(row)]
                for row in self.rows]


def history_rows(entries: list[TriageEntry], found: bool, heading: str = "",
                 reveal: bool = False) -> History:
    """The history of one finding, oldest first, titled with its id, title (``heading``,
    else the one its last entry kept) and whether the last scan still produced it;
    identity numbers written in a reason or a note masked unless ``reveal``."""
    def hide(text: str) -> str:
        return text if reveal else mask_id_numbers(text)

    last = entries[-1] if entries else None
    title = (_("{finding} ({rule}): {title}").format(finding=last.finding, rule=last.rule,
                                                     title=hide(heading or last.title))
             if last else "")
    if last and not found:
        title = _("{heading} — no longer found").format(heading=title)
    rows = [[e.at + " UTC", e.author, e.status, e.assignee, hide(e.reason), hide(e.note)]
            for e in entries]
    return History(HISTORY_COLUMNS, rows, title=title, noun="rows",
                   empty=_("Nobody has triaged this finding yet."))


def _said(entry: TriageEntry, found: bool) -> str:
    """The line that confirms an entry."""
    line = _("{finding}: {status}, assigned to {assignee} (by {author}, {at} UTC)").format(
        finding=entry.finding, status=status_word(entry.status),
        assignee=entry.assignee or _("nobody"), author=entry.author, at=entry.at)
    if not found:
        line += "\n" + _("{finding} is no longer found by the last scan; its triage is kept."
                         ).format(finding=entry.finding)
    return line


@click.command("triage")
@click.argument("finding")
@db_option
@click.option("--status", type=click.Choice(STATUSES), help="The finding's new status.")
@click.option("--reason", default="", help="Why (required with --status dismissed).")
@click.option("--assign", "assignee", help="Who reviews it (an empty text: nobody).")
@click.option("--note", default="", help="A note kept with the entry.")
@click.option("--user", envvar=USER_ENV, help="Author of the entry, as the audit trail "
              f"records it too (env {USER_ENV}) [default: the operating-system user].")
@click.option("--history", "show_history", is_flag=True,
              help="Show every entry of the finding, oldest first, and change nothing.")
@click.option("--reveal", is_flag=True, help="Show identity numbers unmasked.")
@output_options("triage")
@head_option
def triage_command(finding: str, db: str, status: str | None, reason: str,
                   assignee: str | None, note: str, user: str | None, show_history: bool,
                   reveal: bool, out: Output) -> None:
    """Triage a finding: its status, who reviews it, notes; every entry is kept.

    Statuses: new, in_review, confirmed, dismissed (with --reason), needs_data.
    An entry is added, never changed: the current status is the latest entry's.
    A finding a rescan no longer produces keeps its triage and is shown as no
    longer found. Without --status, --assign or --note, shows the history.

    \b
    Example:
      umbrella triage F-3a9c0e12b4d1 --status in_review --assign 王芳
      umbrella triage F-3a9c0e12b4d1 --status dismissed --reason "same person, checked"
      umbrella triage F-3a9c0e12b4d1 --history
      umbrella scan --status confirmed
    """
    from queries.triage import history, record

    changes = status is not None or assignee is not None or bool(note) or bool(reason)
    if show_history and changes:
        raise UmbrellaError(_("--history shows the entries and changes nothing"),
                            hint=_("run the change and the history as two commands"))
    store = open_existing(db)
    try:
        stored = store.view().finding(finding)
        found = stored is not None
        if not changes:
            entries = history(store, finding)
            if not entries and not found:
                raise UmbrellaError(_("{finding}: no such finding in {db}").format(
                    finding=finding, db=db),
                    hint=_("umbrella scan lists the findings and their ids"))
            heading = str(localized(stored)["title"]) if stored else ""
            looked(db, finding, out=out, reveal=reveal, user=user)
            write(history_rows(entries, found, heading, reveal), out)
            return
        entry = record(store, finding, status, reason=reason, assignee=assignee, note=note,
                       user=user)
    finally:
        store.close()
    audit(db, "triage", triage_target(entry.finding, entry.status), user=entry.author)
    _report(entry, found)


def _report(entry: TriageEntry, found: bool) -> None:
    console.out.print(_said(entry, found), soft_wrap=True)

