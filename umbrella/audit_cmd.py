"""``umbrella audit``: list the audit trail, verify its chain; and the commands' way to log.

The trail itself is :mod:`graph.audit`. Commands that read or write what an office
must account for call :func:`record` (``load``: load; ``show``: view, or reveal with
``--reveal``, and search for a name; ``scan -o`` / ``--html``: export; ``triage``:
triage; the other commands that show or write out data through
:mod:`umbrella.audit_record`). Who is
recorded: ``--user`` (env ``UMBRELLA_USER``), else the operating system's user.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from graph.audit import Break, Trail, Verdict, verify
from graph.ids import mask_id_numbers
from graph.store import is_server
from lang import _, pgettext
from umbrella import console
from umbrella.options import db_option
from umbrella.output import Output, Rows, output_options, write

F = TypeVar("F", bound=Callable[..., Any])
USER_ENV = "UMBRELLA_USER"
HEAD_ENV = "UMBRELLA_AUDIT_HEAD"
TRAIL_ENV = "UMBRELLA_AUDIT"
_given: dict[str, str | None] = {"user": None, "head": None}


def action_words() -> dict[str, str]:
    """The trail's actions in the reader's words (one literal call each, for the catalog)."""
    return {"search": pgettext("audit_action", "search"),
            "view": pgettext("audit_action", "view"),
            "export": pgettext("audit_action", "export"),
            "reveal": pgettext("audit_action", "reveal"),
            "triage": pgettext("audit_action", "triage"),
            "load": pgettext("audit_action", "load"),
            "expand": pgettext("audit_action", "expand"),
            "path": pgettext("audit_action", "path"),
            "screen": pgettext("audit_action", "screen"),
            "save": pgettext("audit_action", "save")}


def _remember(key: str) -> Callable[[click.Context, click.Parameter, str | None], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        _given[key] = value or None
    return callback


def head_option(f: F) -> F:
    """``--audit-head``: where the trail's head file is (env UMBRELLA_AUDIT_HEAD)."""
    return click.option(
        "--audit-head", envvar=HEAD_ENV, expose_value=False, callback=_remember("head"),
        type=click.Path(dir_okay=False), help="The audit trail's head file, kept apart from "
        f"the trail (env {HEAD_ENV}) [default: beside the database, NAME.audit.head].")(f)


def audit_options(f: F) -> F:
    """``--user`` and ``--audit-head``, on every command that writes to the trail."""
    f = head_option(f)
    return click.option(
        "--user", envvar=USER_ENV, expose_value=False, callback=_remember("user"),
        help=f"Who is recorded in the audit trail (env {USER_ENV}) [default: the "
        "operating system's user].")(f)


def trail_for(db: str) -> Trail:
    """The trail of ``--db``: the file ``UMBRELLA_AUDIT`` names (its head beside it), else
    beside a database file; for a Neo4j server, in the current folder, named after the
    server (``neo4j-HOST-PORT.audit.jsonl``).

    Examples
    --------
    >>> trail_for("cases/county.db").path.as_posix()
    'cases/county.audit.jsonl'
    >>> trail_for("neo4j://db.example:7687").path.name
    'neo4j-db.example-7687.audit.jsonl'
    """
    if named := os.environ.get(TRAIL_ENV):
        path = Path(named)
        return Trail(path, Path(_given["head"] or path.with_suffix(".head")))
    if is_server(db):
        host = re.sub(r"^[A-Za-z0-9+.-]+://", "", db).split("/")[0]
        stem = "neo4j-" + re.sub(r"[^A-Za-z0-9.]+", "-", host)
        return Trail.beside(Path(stem + ".db"), _given["head"])
    return Trail.beside(db, _given["head"])


def given_user() -> str | None:
    """The ``--user`` this run was given (env ``UMBRELLA_USER``), or None."""
    return _given["user"]


def record(db: str, action: str, target: str, user: str | None = None) -> None:
    """Append ``action`` on ``target`` by ``user`` (else this run's user) to the trail of
    ``--db``; an identity number in ``target`` (a search for one, a query's parameter)
    is kept masked: the trail says who looked, never the numbers."""
    trail_for(db).append(action, mask_id_numbers(target), user=user or _given["user"])


@click.group(invoke_without_command=True)
@db_option
@head_option
@output_options("audit")
@click.pass_context
def audit(ctx: click.Context, db: str, out: Output) -> None:
    """List the audit trail: who searched, viewed, exported, revealed or loaded what, when.

    The trail is NAME.audit.jsonl beside the database, one entry a line, each
    chained to the one before by its SHA-256 hash; `umbrella audit verify` checks
    the chain.

    \b
    Example:
      umbrella audit --db case.db
      umbrella audit --db case.db --format xlsx -o audit.xlsx
    """
    if ctx.invoked_subcommand is not None:
        return
    trail = trail_for(db)
    full = out.fmt != "table"
    columns = ["entry", "at", "user", "action", "target", *(["prev", "hash"] if full else [])]
    rows = [[e.n, e.at, e.user, e.action, e.target, *([e.prev, e.hash] if full else [])]
            for e in trail.entries()]
    write(Rows(columns, rows, title=_("Audit trail {path} (times in UTC)").format(path=trail.path),
               words={"action": "audit_action"}, noun="entries",
               empty=_("No audit trail yet at {path}.").format(path=trail.path)), out)


def break_message(broken: Break, verdict: Verdict, trail: Trail) -> str:
    """Where and how the chain breaks, in one sentence."""
    if broken.kind == "unreadable":
        return _("Line {line} of the trail is no audit entry: it was edited or cut.").format(
            line=broken.line)
    if broken.kind == "edited":
        return _("Entry {n} (line {line}) was edited: its fields no longer give the hash "
                 "the chain holds for it.").format(n=broken.n, line=broken.line)
    if broken.kind == "removed":
        return _("Entry {n} was removed: line {line} holds a later entry.").format(
            n=broken.n, line=broken.line)
    if broken.kind == "reordered":
        return _("Entries were reordered: line {line} holds entry {n} out of turn.").format(
            line=broken.line, n=broken.n)
    if broken.kind == "no head":
        return _("No head file at {path}: the trail cannot be checked against it (it was "
                 "removed, or --audit-head names another place).").format(
                     path=trail.head_path)
    noted = verdict.noted
    return _("The head file holds entry {noted} ({noted_hash}) but the trail ends at entry "
             "{n} ({hash}): the chain was recomputed after an edit, or entries were cut off "
             "its end.").format(noted=noted.n if noted else "?",
                                noted_hash=noted.hash if noted else "?",
                                n=verdict.entries, hash=verdict.head)


@audit.command("verify")
@db_option
@head_option
@click.option("--noted", metavar="HASH", help="A head noted down earlier: the trail must "
              "still hold it (nothing before it changed).")
def verify_command(db: str, noted: str | None) -> None:
    """Check the audit trail's hash chain and its head file; print the head to note down.

    Says where the chain breaks (an entry edited, removed or reordered, or a head
    that does not match: the chain was recomputed) and exits 1.

    \b
    Example:
      umbrella audit verify --db case.db
      umbrella audit verify --db case.db --noted 3f9a...
    """
    trail = trail_for(db)
    verdict = verify(trail)
    if verdict.broken is not None:
        console.err.print(break_message(verdict.broken, verdict, trail), soft_wrap=True)
        raise SystemExit(1)
    if verdict.entries == 0:
        console.out.print(_("No audit trail yet at {path}.").format(path=trail.path),
                          soft_wrap=True)
        return
    if noted and not any(e.hash == noted.strip().lower() for e in trail.entries()):
        console.err.print(_("The noted head {hash} is in no entry of the trail: the chain "
                            "was recomputed since it was noted.").format(hash=noted),
                          soft_wrap=True)
        raise SystemExit(1)
    console.out.print(_("The trail is whole: {n} entries, each chained to the one before, "
                        "and the head file matches.").format(n=verdict.entries),
                      soft_wrap=True)
    console.out.print(_("Head (note it down with today's date): entry {n} {hash}").format(
        n=verdict.entries, hash=verdict.head), soft_wrap=True)
