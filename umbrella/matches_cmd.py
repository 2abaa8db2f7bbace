"""``umbrella matches``: the review queue of records that may be one person or one company.

The click layer only: the queue, decisions, merges and undos are
:mod:`queries.matches`; the workbook round trip is :mod:`exports.match_sheet`; the
decisions and the merge journal live in the store (:mod:`graph.store.match_decisions`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from graph.store.match_decisions import DECISIONS, MergeEvent, decision_word
from lang import _, pgettext
from umbrella import audit_cmd, console
from umbrella.audit_cmd import audit_options, record
from umbrella.options import db_option, open_existing
from umbrella.output import Output, Rows, Table, output_options, write

F = TypeVar("F", bound=Callable[..., Any])
#: The columns of the queue on the terminal and in CSV/JSON.
QUEUE_COLUMNS = ["pair", "score", "names", "reasons", "decision"]


def audit_words() -> dict[str, str]:
    """This command's audit actions in the reader's words (for the catalog)."""
    return {"decide": pgettext("audit_action", "decide"),
            "merge": pgettext("audit_action", "merge"),
            "unmerge": pgettext("audit_action", "unmerge")}


def _headers() -> list[str]:
    return [pgettext("match_column", "pair"), pgettext("match_column", "score"),
            pgettext("match_column", "names"), pgettext("match_column", "reasons"),
            pgettext("match_column", "decision")]


@dataclass(frozen=True)
class Queue(Rows):
    """The queue: JSON keeps machine names and codes; the terminal heads its columns in
    the reader's words."""

    @property
    def table(self) -> Table:
        return Table(self.title, _headers(), self.cells, empty=self.empty, labelled=False)


def _user() -> str | None:
    return audit_cmd._given["user"]


def queue_rows(rows: Sequence[Any], fmt: str) -> Queue:
    """The queue as a table (``json``: every field of every pair)."""
    from queries.matches import reasons_text

    if fmt == "json":
        cols = ["pair", "kind", "a", "b", "score", "reasons", "name_a", "name_b", "decision",
                "author", "at", "note", "merged", "proposed"]
        return Queue(cols, [[*r[:5], list(r.reasons), *r[6:]] for r in rows], title="")
    out = []
    for r in rows:
        names = _("{a} / {b}").format(a=r.name_a, b=r.name_b)
        said = decision_word(r.decision)
        if r.merged:
            said = _("{decision}, merged").format(decision=said) if said else _("merged")
        out.append([r.pair, f"{r.score:.2f}", names, reasons_text(r.reasons), said])
    return Queue(QUEUE_COLUMNS, out, title=_("Review queue: {n} pairs").format(n=len(rows)),
                 empty=_("No candidate pairs: every record is either identified or alone "
                         "in its name."))


def _list_options(f: F) -> F:
    f = click.option("--limit", type=click.IntRange(1), help="At most this many proposed "
                     "pairs.")(f)
    f = click.option("--min-score", default=0.3, show_default=True,
                     type=click.FloatRange(0, 1), help="Only pairs scoring this or more.")(f)
    return f


def _show_queue(db: str, min_score: float, limit: int | None, out: Output) -> None:
    from queries.matches import queue

    store = open_existing(db)
    try:
        rows = queue(store, min_score=min_score, limit=limit)
    finally:
        store.close()
    write(queue_rows(rows, out.fmt), out)


@click.group("matches", invoke_without_command=True)
@db_option
@_list_options
@output_options("matches")
@click.pass_context
def matches(ctx: click.Context, db: str, min_score: float, limit: int | None,
            out: Output) -> None:
    """Review records that may be one person or one company (no identity number to tell).

    Lists candidate pairs (name, birth date, phone, address, shared ties), each
    with its score, reasons and current decision. Decide a pair, or export the
    queue to a workbook, decide there and apply it; a pair decided same is
    merged (undo restores both records), and the rules run again.

    \b
    Example:
      umbrella matches --db case.db
      umbrella matches decide M-3a9c0e12b4d1 same --note "same household register"
      umbrella matches export --out queue.xlsx
      umbrella matches apply queue.xlsx
      umbrella matches undo M-3a9c0e12b4d1
    """
    if ctx.invoked_subcommand is None:
        _show_queue(db, min_score, limit, out)


@matches.command("list")
@db_option
@_list_options
@output_options("matches")
def list_command(db: str, min_score: float, limit: int | None, out: Output) -> None:
    """List the review queue: pair, score, names, reasons, decision.

    \b
    Example:
      umbrella matches list --db case.db --min-score 0.6
      umbrella matches list --format json
    """
    _show_queue(db, min_score, limit, out)


@matches.command("decide")
@click.argument("pair")
@click.argument("decision", type=click.Choice(DECISIONS))
@db_option
@click.option("--note", default="", help="A note kept with the decision.")
@audit_options
def decide_command(pair: str, decision: str, db: str, note: str) -> None:
    """Decide a pair: same, different or unsure; every decision is kept.

    A decision is added, never changed: the pair's current decision is its
    latest. `umbrella matches apply` then merges the pairs decided same.

    \b
    Example:
      umbrella matches decide M-3a9c0e12b4d1 same --note "same phone and address"
      umbrella matches decide M-3a9c0e12b4d1 different --user 王芳
    """
    from queries.matches import decide

    store = open_existing(db)
    try:
        entry = decide(store, pair, decision, note=note, user=_user())
    finally:
        store.close()
    record(db, "decide", f"{pair} {decision}")
    console.out.print(_("{pair}: {decision} ({a} / {b}), by {author}, {at} UTC").format(
        pair=pair, decision=decision_word(entry.decision), a=entry.name_a, b=entry.name_b,
        author=entry.author, at=entry.at), soft_wrap=True)
    console.out.print(_("Next: umbrella matches apply --db {db} (merges the pairs decided "
                        "same, undoes merges no longer decided same, runs the rules again)"
                        ).format(db=db), soft_wrap=True)


@matches.command("export")
@db_option
@click.option("--out", "path", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The workbook to write (.xlsx).")
@_list_options
@click.option("--reveal", is_flag=True, help="Show identity numbers unmasked.")
@audit_options
def export_command(db: str, path: Path, min_score: float, limit: int | None,
                   reveal: bool) -> None:
    """Write the review queue to a workbook: one row per pair, a decision drop-down.

    Both records' facts stand side by side; choose same, different or unsure in
    the decision column, add a note, save, and run `umbrella matches apply FILE`.

    \b
    Example:
      umbrella matches export --out queue.xlsx
      umbrella matches apply queue.xlsx
    """
    from exports.match_sheet import write_queue
    from queries.matches import queue

    store = open_existing(db)
    try:
        rows = queue(store, min_score=min_score, limit=limit)
        keys = [k for r in rows for k in (r.a, r.b)]
        view = store.view()
        record(db, "reveal" if reveal else "export", str(path.resolve()))
        write_queue(rows, view.entities_by_key(keys), view.tie_degrees(keys), path,
                    reveal=reveal)
    finally:
        store.close()
    console.err.print(_("{n} pairs written to {path}").format(n=len(rows), path=path),
                      soft_wrap=True)


def _event_line(e: MergeEvent) -> str:
    if e.action == "merge":
        return _("{pair}: {b} merged into {a}").format(pair=e.pair, a=e.a, b=e.b)
    return _("{pair}: merge undone, {a} and {b} are two records again").format(
        pair=e.pair, a=e.a, b=e.b)


def _rerun(db: str, store: Any, scan: bool, keys: Sequence[str]) -> None:
    """Run the rules again after merges (or say what to run), and name the findings about
    the records merged or split (``keys``) that the last scan did not have."""
    if not scan:
        console.out.print(_("The stored findings describe the graph before this change: run "
                            "umbrella scan --db {db}").format(db=db), soft_wrap=True)
        return
    from lang.message import localized
    from queries.matches import rerun

    before = {str(f["id"]) for f in store.view().findings()}
    result = rerun(store)
    view = store.view()
    new = {str(f["id"]): f for k in dict.fromkeys(keys) for f in view.findings(k)
           if str(f["id"]) not in before}
    console.out.print(_("Rules run again: {n} findings; {new} new about these records.").format(
        n=len(result.findings), new=len(new)), soft_wrap=True)
    for f in sorted(new.values(), key=lambda f: (-f["score"], f["id"]))[:10]:
        console.out.print(f"  {f['id']} {f['rule']} {localized(f)['title']}", soft_wrap=True)


@matches.command("apply")
@click.argument("workbook", required=False, type=click.Path(path_type=Path, exists=True,
                                                            dir_okay=False))
@db_option
@click.option("--no-scan", is_flag=True, help="Do not run the rules again (say what to run).")
@audit_options
def apply_command(workbook: Path | None, db: str, no_scan: bool) -> None:
    """Apply the decisions: read them from a workbook first, when one is given.

    Records the decisions typed into the workbook (each changed one, with its
    author and time), merges every pair decided same, undoes every merge no
    longer decided same, then runs the rules on the graph as it is. A bad
    value or an unknown pair is named by sheet, row and column; the other
    rows are applied (the command then exits 1).

    \b
    Example:
      umbrella matches apply queue.xlsx --user 王芳
      umbrella matches apply --no-scan
    """
    from queries.matches import apply

    refused: list[str] = []
    store = open_existing(db)
    try:
        if workbook is not None:
            from exports.match_sheet import record_sheet

            sheet = record_sheet(store, workbook, user=_user())
            refused = sheet.refused
            console.out.print(_("{path}: {read} decisions read, {recorded} recorded (the "
                                "others were already on record)").format(
                path=workbook.name, read=sheet.read, recorded=sheet.recorded), soft_wrap=True)
        done = apply(store, user=_user())
        for e in done.events:
            record(db, "merge" if e.action == "merge" else "unmerge", f"{e.pair} {e.a} {e.b}")
            console.out.print(_event_line(e), soft_wrap=True)
        if not done.events:
            console.out.print(_("No merge to make or undo: the store is in line with the "
                                "decisions."), soft_wrap=True)
        if done.events:
            _rerun(db, store, not no_scan, [k for e in done.events for k in (e.a, e.b)])
    finally:
        store.close()
    for pair, why in done.problems.items():
        refused.append(_("{pair}: not applied: {why}").format(pair=pair, why=why))
    for line in refused:
        console.err.print(line, soft_wrap=True)
    if refused:
        raise SystemExit(1)


@matches.command("undo")
@click.argument("pair")
@db_option
@click.option("--no-scan", is_flag=True, help="Do not run the rules again (say what to run).")
@audit_options
def undo_command(pair: str, db: str, no_scan: bool) -> None:
    """Undo a merge: both records, their ties and source ids exactly as before it.

    The pair is then decided unsure (unless decided different), so that apply
    does not merge it again; the rules run again.

    \b
    Example:
      umbrella matches undo M-3a9c0e12b4d1
    """
    from queries.matches import undo

    store = open_existing(db)
    try:
        event = undo(store, pair, user=_user())
        record(db, "unmerge", f"{pair} {event.a} {event.b}")
        console.out.print(_event_line(event), soft_wrap=True)
        _rerun(db, store, not no_scan, [event.a, event.b])
    finally:
        store.close()
