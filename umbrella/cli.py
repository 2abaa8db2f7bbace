"""The ``umbrella`` command: thin click layer over the rooms' library functions."""

from __future__ import annotations

import os
import shlex
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.markup import escape

from graph.errors import AmbiguousIdError, UmbrellaError
from graph.store import Store, is_server, open_store
from graph.store.triage import STATUSES as TRIAGE_STATUSES
from lang import N_, _, formats
from umbrella import console
from umbrella.audit_cmd import audit_options, record
from umbrella.audit_record import looked
from umbrella.language import prepare, speaking
from umbrella.options import (
    DATE,
    SetAsideFile,
    db_option,
    load_into,
    open_existing,
    wal_files,
)
from umbrella.output import (
    Findings,
    Output,
    Rows,
    Table,
    findings_table,
    output_options,
    print_table,
    vocabulary_word,
    write,
)
from umbrella.standards_cmd import format_option, print_notes

if TYPE_CHECKING:
    from queries.describe import EntityView, FindingView, Step

F = TypeVar("F", bound=Callable[..., Any])

#: The vocabulary of the detail a relationship record carries, by its type (other
#: details, such as a post's title, are data and shown as written).
_DETAIL_VOCABULARY = {"COMPANY_ROLE": "company_role", "CASE_ROLE": "case_role",
                      "KIN": "relation", "ASSOCIATE": "relation"}


def _tie_detail(rel: str, detail: str) -> str:
    """A tie's role or relation in the reader's words (a title as written)."""
    vocab = _DETAIL_VOCABULARY.get(rel)
    return vocabulary_word(vocab, detail) if vocab else detail


class _Failure(click.ClickException):
    """A library error shown as one line plus its fix-it hint."""

    def __init__(self, err: UmbrellaError) -> None:
        super().__init__(err.message)
        self.hint = err.hint

    def show(self, file: Any = None) -> None:
        click.echo(_("Error: {message}").format(message=self.message), err=True)
        if self.hint:
            click.echo(_("Hint: {hint}").format(hint=self.hint), err=True)


def lang_argument(args: Sequence[str]) -> str | None:
    """The language ``--lang`` asks for anywhere on the command line (``--help`` may come
    before it, and click answers an eager option as soon as it meets it).

    Examples
    --------
    >>> lang_argument(["scan", "--help", "--lang", "zh"]), lang_argument(["--lang=en"])
    ('zh', 'en')
    >>> lang_argument(["query", "--", "--lang", "zh"]) is None
    True
    """
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


class _Group(click.Group):
    def main(self, args: Sequence[str] | None = None, *rest: Any, **kwargs: Any) -> Any:
        # every run starts in the language the command line or the environment asks for,
        # and leaves the language of the process as it found it
        import sys

        given = list(sys.argv[1:] if args is None else args)
        with speaking(self, lang_argument(given)):
            return super().main(args, *rest, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UmbrellaError as err:
            raise _Failure(err) from err


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="umbrella")
def cli() -> None:
    """Map protective-umbrella networks from department exports.

    \b
    Example:
      umbrella demo
      umbrella load ./county --db case.db && umbrella stats --db case.db
    """


def _load(store: Store, source: Path, fmt: str = "auto", **kw: Any) -> Any:
    from umbrella.standards_cmd import load_source

    return load_source(store, source, fmt, **kw)


def _listed(items: Iterable[object]) -> str:
    """Items one after another, as the language lists them ("a, b"; "a、b")."""
    return _(", ").join(str(x) for x in items)


def _print_load(report: Any, aside: SetAsideFile, db: str) -> None:
    rows = [(t.table, Path(t.file).name, t.encoding, t.read, t.loaded, t.set_aside)
            for t in report.tables]
    rows.append((_("total"), "", "", report.read, report.loaded, report.set_aside_count))
    console.out.print(console.table(
        _("Loaded {source} (load {load})").format(source=report.source, load=report.load_id),
        ["table", "file", "encoding", "read", "loaded", "set aside"],
        rows, right=("read", "loaded", "set aside")))
    for table, (n, example, other) in report.redefined.items():
        console.out.print(_(
            "Note: {n:,} {table} ids (e.g. {example}) were already defined by {other}, as "
            "the same entities (same identity number or credit code, or an id that is its own "
            "identity), and were taken as those entities. If the two sources number their "
            "rows independently, load them into separate databases.").format(
                n=n, table=table, example=example, other=other))
    if report.collisions:
        _print_collisions(report, db)
    if report.ignored_files:
        console.out.print(_("Not layout tables, not read: {files}").format(
            files=_listed(report.ignored_files)))
    if report.set_aside:
        reasons = Counter(r.code for r in report.set_aside)
        console.out.print(_("Set aside by reason: {reasons}").format(
            reasons=_listed(f"{code} {n}" for code, n in reasons.most_common())))
        console.out.print(_(
            "Set-aside rows of load {load} (file, line, column, reason; identity numbers "
            "masked) written to {path}").format(load=report.load_id, path=aside.path))
        console.out.print(_("  (umbrella set-aside --load {load} --db {db} lists them again)")
                          .format(load=report.load_id, db=db))
        return
    if aside.stale == "removed":
        console.out.print(_(
            "No row was set aside. Removed {path}: it listed the rows an earlier load set "
            "aside (umbrella set-aside --db {db} lists every load's).").format(
                path=aside.path, db=db))
    elif aside.stale == "kept":
        console.out.print(_("No row was set aside. {path} was left as it is: it is not a list "
                            "of set-aside rows.").format(path=aside.path))
    else:
        console.out.print(_("No row was set aside."))


#: Collisions listed after a load and by ``stats`` (``stats --collisions`` lists all).
_SHOWN_COLLISIONS = 10


def _print_collisions(report: Any, db: str) -> None:
    clashes = report.collisions
    by_table = Counter(c.table for c in clashes)
    console.out.print(_(
        "Warning: {n:,} ids of this load ({tables}) name other entities in the database "
        "already: another source numbered its rows the same way. Both are kept: looking such "
        "an id up lists both, and a row of a later load that refers to one is set aside as "
        "ambiguous.").format(n=len(clashes), tables=_listed(
            _("{n:,} {table}").format(n=n, table=t) for t, n in by_table.items())))
    shown = clashes[:_SHOWN_COLLISIONS]
    for c in shown:  # one line each, never wrapped: the paths are for copying
        console.out.print(_("  {table} {id}: {here} (this load); {earlier}").format(
            table=c.table, id=c.source_id, here=c.here, earlier=_("; ").join(c.earlier)))
    if len(clashes) > len(shown):
        console.out.print(_more_collisions(len(clashes) - len(shown), db))


def _more_collisions(n: int, db: str) -> str:
    return _("  … and {n:,} more: umbrella stats --collisions --db {db} lists them all").format(
        n=n, db=db)


def _load_command(db: str, sources: Sequence[Path], mapping: Path | None, fmt: str,
                  encoding: str | None, delimiter: str, strict: bool) -> str:
    """The ``umbrella load`` command that runs this load again (to resume it), with
    absolute paths so that it works from any folder."""
    parts = ["umbrella", "load", *(str(p.resolve()) for p in sources),
             "--db", db if is_server(db) else str(Path(db).resolve())]
    if mapping is not None:
        parts += ["--mapping", str(mapping.resolve())]
    if fmt != "auto":
        parts += ["--format", fmt]
    if encoding:
        parts += ["--encoding", encoding]
    if delimiter != ",":
        parts += ["--delimiter", delimiter]
    if strict:
        parts.append("--strict")
    return shlex.join(parts)


def _run_load(db: str, folder: Path, set_aside: Path | None, *, command: str = "",
              take_over: bool = False, wait: float = 0.0, **kw: Any
              ) -> tuple[Any, SetAsideFile]:
    return load_into(db, set_aside, lambda store: _load(store, folder, **kw), command=command,
                     take_over=take_over, wait=wait)


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@db_option
@click.option("--mapping", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A column mapping (YAML, see `umbrella map`): SOURCES are then the "
              "department exports it reads (files or folders; none = the files beside the "
              "mapping).")
@format_option
@click.option("--encoding", help="Encoding of the CSV files (or a JSON source) when detection "
              "is not enough (e.g. gb18030, gbk, latin-1).")
@click.option("--delimiter", default=",", show_default=True,
              help="Field separator of the CSV files.")
@click.option("--strict", is_flag=True, help="Fail (and write nothing) if any row would be set "
              "aside.")
@click.option("--set-aside", "set_aside", type=click.Path(path_type=Path),
              help="Where to write this load's set-aside rows [default: beside the database, "
              "NAME.set-aside.csv].")
@click.option("--wait", "wait", default=0.0, show_default=True, type=click.FloatRange(min=0),
              metavar="SECONDS", help="Wait up to this long for another load of the database "
              "to finish, instead of refusing at once.")
@click.option("--take-over", is_flag=True, help="Take the database's load lock over from a "
              "load that another machine holds and that is no longer running (umbrella stats "
              "shows it).")
@audit_options
def load(sources: tuple[Path, ...], db: str, mapping: Path | None, fmt: str,
         encoding: str | None, delimiter: str, strict: bool, set_aside: Path | None,
         wait: float, take_over: bool) -> None:
    """Load a layout folder, FtM/OCDS/BODS JSON, or exports through a mapping.

    Every row is checked; a bad row is set aside with its file, line, column and
    reason, never dropped: rows read = rows loaded + rows set aside. A file that
    cannot be read as a whole stops the load and nothing is written.

    One load at a time per database: a second load is refused while the first
    runs (or waits for it, with --wait). A load that stopped half-way (killed, or
    a file that failed after others were written) is resumed by running the same
    load again.

    \b
    Example:
      umbrella load ./county --db case.db
      umbrella load --mapping roster.yaml 干部名册.xlsx 家庭成员.csv --db case.db
      umbrella load releases.jsonl.gz --format ocds --db case.db
    """
    command = _load_command(db, sources, mapping, fmt, encoding, delimiter, strict)
    if mapping is not None:
        from umbrella.mapping_cmd import print_mapped_notes, run_mapped_load

        mapped, aside = run_mapped_load(db, mapping, list(sources), set_aside, strict=strict,
                                        encoding=encoding, command=command,
                                        take_over=take_over, wait=wait)
        record(db, "load", _load_target(mapping, sources))
        _print_load(mapped, aside, db)
        print_mapped_notes(mapped)
        return
    if len(sources) != 1:
        raise click.UsageError(_("give one SOURCE (a layout folder, or an FtM/OCDS/BODS file or "
                                 "folder), or --mapping M.yaml with the export files it reads"))
    report, aside = _run_load(db, sources[0], set_aside, fmt=fmt, encoding=encoding,
                              delimiter=delimiter, strict=strict, command=command,
                              take_over=take_over, wait=wait)
    record(db, "load", _load_target(mapping, sources))
    _print_load(report, aside, db)
    print_notes(report)


def _load_target(mapping: Path | None, sources: Sequence[Path]) -> str:
    """What a load read, as the audit trail records it (absolute paths)."""
    paths = ([mapping] if mapping is not None else []) + list(sources)
    return " ".join(str(p.resolve()) for p in paths)


@cli.command()
@db_option
@click.option("--collisions", "all_collisions", is_flag=True,
              help="List every input id that names two entities (not only the first ten).")
def stats(db: str, all_collisions: bool) -> None:
    """Count nodes and records; list the loads, a load under way or stopped, and ids
    that two sources defined differently.

    A load that stopped half-way is shown with the command that resumes it (the
    same load again: what it wrote already adds nothing). Reading the counts never
    waits for a load that is writing.

    \b
    Example:
      umbrella stats --db case.db
      umbrella stats --collisions --db case.db
    """
    from graph.store.runs import incomplete_message, resume_hint, since
    from loaders.report import set_aside_counts

    store = open_existing(db)
    try:
        view = store.view()
        runs = view.load_runs()
        kinds, types = view.counts_by_kind(), view.counts_by_type()
        loads, aside = view.loads(), set_aside_counts(view.set_aside())
        clashes = view.collisions()
    finally:
        store.close()
    for run in runs:
        if run.state == "running":
            console.out.print(_(
                "Load under way: load {load} of {source}, since {since} (pid {pid} on host "
                "{host}); the counts below include what it wrote so far, and a scan is refused "
                "until it has finished.").format(load=run.id, source=run.source,
                                                 since=since(run.started), pid=run.pid,
                                                 host=run.host))
        else:
            message, hint = incomplete_message(run), resume_hint(run)
            console.out.print(_("Warning: {message}.").format(message=message))
            console.out.print(_("  To {hint}").format(hint=hint))
    total = _("total")
    console.out.print(console.table(
        _("Nodes in {db}").format(db=db), ["kind", "count"],
        [*((vocabulary_word("node_kind", k), n) for k, n in kinds.items()),
         (total, sum(kinds.values()))], right=("count",)))
    console.out.print(console.table(
        _("Relationship records"), ["type", "count"],
        [*((vocabulary_word("rel_type", t), n) for t, n in types.items()),
         (total, sum(types.values()))], right=("count",)))
    if loads:
        shown = loads[-_SHOWN_LOADS:]
        rows = [(ld["id"], since(str(ld["at"])), ld["source"], ld["report"].get("read", ""),
                 ld["report"].get("loaded", ""), aside.get(int(ld["id"]), 0)) for ld in shown]
        title = (_("Loads (the last {n})").format(n=len(shown)) if len(loads) > len(shown)
                 else _("Loads"))
        console.out.print(console.table(
            title, ["load", "at", "source", "read", "loaded", "set aside"], rows,
            right=("read", "loaded", "set aside")))
    counts = {"loads": len(loads), "rows": sum(aside.values())}
    console.out.print(
        _("Loads: {loads}; rows set aside: {rows} (umbrella set-aside --load N lists a load's "
          "rows)").format(**counts) if aside else
        _("Loads: {loads}; rows set aside: {rows}").format(**counts))
    if aside.get(0):
        console.out.print(_("  {n} of them were set aside before this database kept set-aside "
                            "rows per load (load 0).").format(n=aside[0]))
    if clashes:
        _print_stored_collisions(clashes, db, all_collisions)


#: Loads listed by ``stats`` (the most recent).
_SHOWN_LOADS = 10


def _print_stored_collisions(clashes: dict[tuple[str, str], list[Any]], db: str,
                             every: bool) -> None:
    by_table = Counter(table for table, _sid in clashes)
    console.out.print(_(
        "Ids that name two or more entities (two sources defined them differently): "
        "{n:,} ({tables})").format(n=len(clashes), tables=_listed(
            _("{n:,} {table}").format(n=n, table=t) for t, n in by_table.items())))
    items = list(clashes.items())
    shown = items if every else items[:_SHOWN_COLLISIONS]
    for (table, sid), claims in shown:
        console.out.print(_("  {table} {id}: {rows}").format(
            table=table, id=sid, rows=_("; ").join(
                _("{file} line {line}").format(file=c.file, line=c.line) for c in claims)))
    if len(items) > len(shown):
        console.out.print(_more_collisions(len(items) - len(shown), db))


def _generate(out: Path, scale: float, seed: int, background: float = 1.0) -> Any:
    from synthetic import Rates, generate_county

    with console.progress_bar() as p:
        tick = console.progress_callback(p)
        return generate_county(out, scale=scale, seed=seed, progress=lambda stage, done, total:
                               tick(_(_GENERATION_STAGES[stage]) if stage in _GENERATION_STAGES
                                    else stage, done, total),
                               rates=Rates().scaled(background))


#: What the generator is doing, by its stage (:data:`synthetic.run.STAGES`, and ``write``).
_GENERATION_STAGES = {
    "bodies": N_("public bodies"), "families": N_("families"), "posts": N_("posts"),
    "companies": N_("companies"), "schemes": N_("planted schemes"),
    "owners": N_("company owners"), "contracts": N_("contracts"), "payments": N_("payments"),
    "cases": N_("cases"), "checks": N_("checks"), "rows": N_("bad rows"),
    "write": N_("writing the files")}


@cli.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(min=0.05),
              help="County size; 1 is about 20,000 persons.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option("--background", default=1.0, show_default=True, type=click.FloatRange(min=0),
              help="Innocent look-alikes (relatives' firms elsewhere, small markets, "
                   "switchboard phones, agency accounts, dropped cases) as a multiple of the "
                   "documented rates; each kind appears at least once.")
def generate(out: Path, scale: float, seed: int, background: float) -> None:
    """Write a synthetic county in the data layout, with planted schemes.

    The ground truth (planted schemes, decoys, duplicates, bad rows) is written
    beside the folder as OUT.truth.json, never inside it.

    \b
    Example:
      umbrella generate ./county --scale 1 --seed 7
    """
    result = _generate(out, scale, seed, background)
    rows = [(t, n) for t, n in result.rows.items()]
    console.out.print(console.table(_("Generated {folder}").format(folder=result.data_dir),
                                    ["table", "rows"], rows, right=("rows",)))
    console.out.print(_("Ground truth: {path}").format(path=result.truth_path))


@cli.command()
@db_option
@click.option("--scale", default=0.5, show_default=True, type=click.FloatRange(min=0.05),
              help="County size; 1 is about 20,000 persons.")
@click.option("--seed", default=7, show_default=True, type=int, help="Random seed.")
@click.option("--dir", "folder", default="demo-county", show_default=True,
              type=click.Path(path_type=Path), help="Where to write the generated county.")
def demo(db: str, scale: float, seed: int, folder: Path) -> None:
    """Generate a county, load it, run the rules and say what to try next.

    A database that holds only an earlier demo is replaced; any other
    database is left alone.

    \b
    Example:
      umbrella demo --scale 0.5 --seed 7
    """
    _clear_previous_demo(db, folder)
    result = _generate(folder, scale, seed)
    console.out.print(_("Generated a county of {n:,} persons in {folder} (ground truth: "
                        "{truth})").format(n=result.rows.get("persons", 0),
                                           folder=result.data_dir, truth=result.truth_path.name))
    report, aside = _run_load(db, result.data_dir, None)
    _print_load(report, aside, db)
    store = open_store(Path(db))
    try:
        found = _run_scan(store)
    finally:
        store.close()
    print_table(findings_table(found.findings, 15))
    console.out.print("\n" + _("Try next:"))
    for line in _try_next(db, aside.path, found.findings):
        console.out.print(f"  {line}")


def _clear_previous_demo(db: str, folder: Path) -> None:
    """Make room for the demo: refuse a server or a database holding anything but an
    earlier demo of ``folder``; remove that earlier database and county."""
    db_path = Path(db)
    if is_server(db):
        raise UmbrellaError(_("{db}: the demo runs on the embedded store").format(db=db),
                            hint=_("pass --db with a file name"))
    if db_path.exists():
        store = open_store(db_path)
        sources = {ld["source"] for ld in store.view().loads()}
        store.close()
        if sources - {str(folder.resolve())}:
            raise UmbrellaError(
                _("{db}: holds data other than the demo county").format(db=db),
                hint=_("run the demo with --db demo.db, or move that database away"))
        for f in wal_files(db_path):
            f.unlink(missing_ok=True)
    if folder.exists() and _only_layout_files(folder):
        shutil.rmtree(folder)


def _try_next(db: str, set_aside: Path, findings: list[dict[str, Any]]) -> list[str]:
    """The commands the demo suggests, on the leads :func:`queries.describe.first_leads`
    picks."""
    from queries.describe import first_leads

    leads = first_leads(findings)
    lines = [f"umbrella stats --db {db}"]
    if leads.finding:
        lines += [_("umbrella show {finding} --db {db}   # the top lead, with its evidence")
                  .format(finding=leads.finding, db=db),
                  f"umbrella export html --finding {leads.finding} -o lead.html --db {db}",
                  f"umbrella show {leads.first} --db {db}",
                  f"umbrella path {leads.first} {leads.last} --db {db}"]
    if leads.case:
        lines.append(f"umbrella recuse {leads.case} --db {db}")
    lines.append(_("umbrella serve --db {db}   # explore it in the browser (the workbench)")
                 .format(db=db))
    return [*lines, f"umbrella scan --format xlsx -o leads.xlsx --db {db}",
            _("open {path} to see the rows set aside and why").format(path=set_aside)]


def _run_scan(store: Store, **kw: Any) -> Any:
    from queries.scan import scan as run

    with console.progress_bar() as p:
        return run(store, progress=console.progress_callback(p), **kw)


@cli.command()
@db_option
@click.option("--rule", "rules", multiple=True, help="Rule code or family (COI-001, COL); "
              "repeatable. Default: all.")
@click.option("--category", "categories", multiple=True, help="Only this category; repeatable.")
@click.option("--min-score", default=0.0, show_default=True, type=click.FloatRange(0, 1))
@click.option("--sector", help="Only findings of this sector (education, rural, ...).")
@click.option("--settings", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Settings file overriding the rules' defaults (TOML, keyed by rule code).")
@output_options("leads")
@click.option("--limit", default=40, show_default=True, help="Rows shown by the table view.")
@click.option("--html", "html_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Also write one interactive page per top finding, and index.html, into "
              "this folder.")
@click.option("--html-top", default=20, show_default=True, type=click.IntRange(1),
              help="How many of the best findings get a page (with --html).")
@click.option("--reveal", is_flag=True, help="With --html: show identity numbers unmasked.")
@click.option("--partial", is_flag=True, help="Scan even though a load stopped half-way (the "
              "findings then cover only what the database holds; umbrella stats shows it).")
@click.option("--engine", type=click.Choice(["embedded", "spark"]), default="embedded",
              show_default=True, help="Where the pattern rules' SQL runs: the embedded "
              "columnar engine, or Apache Spark over the tables as Parquet.")
@click.option("--spark-master", default="local[2]", show_default=True,
              help="With --engine spark: local[N] on this machine, or a cluster's master "
              "(spark://host:7077, yarn).")
@click.option("--parquet", type=click.Path(), help="With --engine spark: the tables an earlier "
              "`umbrella export parquet` wrote, on storage the cluster reads (default: export "
              "now to a temporary folder).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(TRIAGE_STATUSES),
              help="Only findings whose current triage status is this (umbrella triage); "
              "repeatable.")
@click.option("--no-feedback", "no_feedback", is_flag=True, help="Leave the scores as the "
              "rules give them: do not raise the findings like a confirmed one (this run).")
@audit_options
def scan(db: str, rules: tuple[str, ...], categories: tuple[str, ...], min_score: float,
         sector: str | None, settings: Path | None, out: Output, limit: int,
         html_dir: Path | None, html_top: int, reveal: bool, partial: bool, engine: str,
         spark_master: str, parquet: str | None, statuses: tuple[str, ...],
         no_feedback: bool = False) -> None:
    """Run the rules, store the findings and list them, best first.

    Each finding names the input ids it is about, explains itself and carries
    its evidence back to source file and line. A finding is a pattern for
    review, not an accusation. A scan is refused while a load runs, or after
    one stopped half-way (resume it first, or add --partial).

    \b
    Example:
      umbrella scan --rule COI --min-score 0.6
      umbrella scan --format xlsx -o leads.xlsx
      umbrella scan --html leads/
      umbrella scan --engine spark --spark-master spark://head:7077 --parquet /shared/case
    """
    store = open_existing(db)
    index = None
    runner = None
    try:
        if engine == "spark":
            from queries.spark import runner_for

            with console.progress_bar() as p:
                runner = runner_for(store.view(), spark_master, parquet,
                                    console.progress_callback(p))
        result = _run_scan(store, codes=list(rules) or None,
                           categories=list(categories) or None, min_score=min_score,
                           sector=sector, settings=settings, partial=partial, runner=runner,
                           feedback=not no_feedback)
        gone = _by_status(store, result, statuses)
        sectors = None
        if sector and not result.findings:
            from umbrella.hints import sectors_present

            sectors = sectors_present(store.view())
        if html_dir is not None:
            from umbrella.views import write_scan_pages

            record(db, "reveal" if reveal else "export", str(html_dir.resolve()))
            index = write_scan_pages(store, result.findings, html_dir, top=html_top,
                                     reveal=reveal)
    finally:
        if runner is not None:
            runner.close()
        store.close()
    if index is not None:
        console.err.print(_("Pages for the top {n} findings: {index}").format(
            n=min(html_top, len(result.findings)), index=index))
    said = scan_notes(result.notes)
    notes = [_("Rules run: {counts}").format(
                 counts=_listed(f"{c} {n}" for c, n in result.counts.items())),
             *coverage_lines(result.coverage),
             *_note_lines(said),
             *_sector_lines(sector, sectors),
             *_gone_lines(gone),
             _("Next: umbrella show ID (a finding or an entity), "
               "umbrella scan --format xlsx -o leads.xlsx")]
    if out.path is not None:
        record(db, "export", str(out.path.resolve()))
    write(Findings(result.findings, findings_table(result.findings, limit, notes),
                   extra={**result.summary(), "notes": said,
                          **({"no_longer_found": [
                              {"id": e.finding, "rule": e.rule, "title": e.title,
                               "status": e.status} for e in gone]} if gone else {}),
                          **({"sectors": sectors} if sectors is not None else {})}), out)
    if result.failures:
        for code, reason in sorted(result.failures.items()):
            console.err.print(_("{rule} failed: {reason}").format(rule=code, reason=reason),
                              soft_wrap=True)
        console.err.print(_("The other rules' findings are stored; {rules} gave none "
                            "(their earlier findings were removed).").format(
                                rules=_listed(sorted(result.failures))))
        raise SystemExit(1)


def _by_status(store: Store, result: Any, statuses: Sequence[str]) -> list[Any]:
    """Keep in ``result`` the findings of these statuses (all, without any); return the
    triaged findings of these statuses that the scan no longer produced (their triage
    kept)."""
    from queries.triage import current_statuses, no_longer_found

    current = current_statuses(store)
    if current is None and not statuses:
        return []
    if current is None:
        from graph.store.triage import triage_book

        triage_book(store)  # says the backend keeps no triage
        return []
    if statuses:
        result.findings = [f for f in result.findings if f.get("status") in statuses]
    return [e for e in no_longer_found(store, current) if not statuses or e.status in statuses]


def _gone_lines(gone: Sequence[Any]) -> list[str]:
    """One line per triaged finding the scan no longer produced."""
    from graph.store.triage import status_word

    return [_("{finding} ({rule}, {status}): no longer found: {title}").format(
        finding=e.finding, rule=e.rule, status=status_word(e.status), title=e.title)
        for e in gone]


def _sector_lines(sector: str | None, present: list[str] | None) -> list[str]:
    """What to say when ``--sector`` selected nothing: the sectors the store holds.

    Examples
    --------
    >>> _sector_lines("edu", ["education", "rural"])
    ["No finding of sector 'edu'. Sectors in this database: education, rural"]
    >>> _sector_lines("edu", None), _sector_lines("edu", [])
    ([], ["No finding of sector 'edu'. This database holds no sector."])
    """
    if present is None:
        return []
    if not present:
        return [_("No finding of sector '{sector}'. This database holds no sector.").format(
            sector=sector)]
    return [_("No finding of sector '{sector}'. Sectors in this database: {sectors}").format(
        sector=sector, sectors=_listed(vocabulary_word("sector", s) for s in present))]


def scan_notes(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rules' notes with their message said in the run's language (``text``)."""
    from lang.message import Msg, render

    return [{**{k: v for k, v in n.items() if k != "message"},
             "text": render(Msg.from_json(n["message"]))} for n in notes]


def _note_lines(notes: list[dict[str, Any]], most: int = 10) -> list[str]:
    """The terminal's lines for the rules' notes: the first ``most``, then how many more."""
    lines = [f"{n['rule']}: {n['text']}" for n in notes[:most]]
    if len(notes) > most:
        lines.append(_("... and {n} more notes (in --format json, key \"notes\")").format(
            n=len(notes) - most))
    return lines


def coverage_lines(coverage: dict[str, dict[str, Any]]) -> list[str]:
    """One line per rule: items assessed, flagged, and not assessable by missing field, so
    "no findings" reads apart from "no data to judge".

    Examples
    --------
    >>> coverage_lines({"COI-001": {"item": "contract", "items": 5, "assessed": 3,
    ...                             "flagged": 1, "not_assessed": 2,
    ...                             "missing": {"approver": 2}}})
    ['COI-001: 5 contracts: 3 assessed, 1 flagged; 2 not assessable (no approver 2)']
    >>> coverage_lines({"SUB-001": {"item": "payment", "items": 0, "assessed": 0,
    ...                             "flagged": 0, "not_assessed": 0, "missing": {}}})
    ['SUB-001: no payments to assess']
    """
    from queries.coverage import FIELDS, ITEMS

    lines = []
    for code, c in sorted(coverage.items()):
        item = _(ITEMS.get(c["item"], c["item"]))
        if not c["items"]:
            lines.append(_("{rule}: no {item} to assess").format(rule=code, item=item))
            continue
        line = _("{rule}: {items} {item}: {assessed} assessed, {flagged} flagged").format(
            rule=code, items=c["items"], item=item, assessed=c["assessed"],
            flagged=c["flagged"])
        if c["not_assessed"]:
            lacking = _listed(_("no {field} {n}").format(field=_(FIELDS.get(f, f)), n=n)
                              for f, n in c["missing"].items())
            line = _("{line}; {n} not assessable ({lacking})").format(
                line=line, n=c["not_assessed"], lacking=lacking)
        lines.append(line)
    return lines


@cli.command("set-aside")
@db_option
@click.option("--load", "load", type=click.IntRange(0), help="Only the rows this load set aside "
              "(umbrella stats lists the loads) [default: every load's].")
@output_options("set-aside")
@click.option("--reveal", is_flag=True, help="Show identity numbers unmasked.")
@audit_options
def set_aside_command(db: str, load: int | None, out: Output, reveal: bool) -> None:
    """List the rows loads set aside, and why; export them to correct them.

    Each row names its load, file, line, column and reason, with the cells as
    written. Identity numbers are masked (in the cells and the message) unless
    --reveal. CSV has a byte-order mark, so Excel shows Chinese text.

    \b
    Example:
      umbrella set-aside --db case.db
      umbrella set-aside --load 2 --format csv -o load2.set-aside.csv --db case.db
      umbrella set-aside --format xlsx -o set-aside.xlsx --db case.db
    """
    from loaders.report import cell_text, set_aside_table

    store = open_existing(db)
    try:
        view = store.view()
        records = view.set_aside(load)
        if load is not None and not records:
            known = [int(ld["id"]) for ld in view.loads()] + [r.id for r in view.load_runs()]
            if load not in known:
                raise UmbrellaError(
                    _("{db}: no load {load} (loads: {loads})").format(
                        db=db, load=load, loads=_listed(sorted(known))) if known else
                    _("{db}: no load {load}").format(db=db, load=load),
                    hint=_("umbrella stats --db {db} lists the loads").format(db=db))
    finally:
        store.close()
    looked(db, "set-aside" if load is None else f"set-aside:{load}", out=out, reveal=reveal)
    columns, rows = set_aside_table(records, reveal=reveal)
    if load is None:
        title = _("{n} rows set aside by all loads").format(n=len(rows))
        empty = _("No row was set aside by all loads.")
    else:
        title = _("{n} rows set aside by load {load}").format(n=len(rows), load=load)
        empty = _("No row was set aside by load {load}.").format(load=load)
    write(Rows(columns, rows, title=title, text=cell_text, empty=empty,
               noun="set-aside rows"), out)


def _print_path(steps: Sequence[Step]) -> None:
    """An evidence path, worded by :func:`queries.describe.worded_path`, one step a line."""
    from queries.describe import NodeStep

    for step in steps:
        if isinstance(step, NodeStep):
            what = _("({kind}, {ids})").format(kind=vocabulary_word("node_kind", step.kind),
                                               ids=step.ids)
            console.out.print(f"  [bold]{escape(step.name)}[/bold] {escape(what)}  "
                              f"[dim]{escape(step.sources)}[/dim]", markup=True)
        else:
            said = _("{type}: {sentence}").format(type=vocabulary_word("rel_type", step.rel),
                                                  sentence=step.sentence)
            console.out.print(f"    └─ {escape(said)} {escape(step.dates)}  "
                              f"[dim]{escape(step.sources)}[/dim]", markup=True)


@cli.command()
@click.argument("entity")
@db_option
@click.option("--reveal", is_flag=True, help="Show identity numbers unmasked.")
@click.option("--max-ties", default=200, show_default=True, type=click.IntRange(1),
              help="Most ties listed (by type, then date).")
@audit_options
def show(entity: str, db: str, reveal: bool, max_ties: int) -> None:
    """Who or what an entity (or a finding) is: its ties with dates and sources, its findings.

    ENTITY is an id from the input files (P0001387, C000004, ...), a finding id
    (F-...), an identity number, credit code or phone, or a name or part of one
    (as the workbench searches): when several entities match, they are listed
    with what tells them apart.

    \b
    Example:
      umbrella show P0001387
      umbrella show F-3a9c0e12b4d1
      umbrella show 杨雨
    """
    from queries.describe import FindingView, describe, describe_entity

    store = open_existing(db)
    try:
        view = store.view()
        try:
            shown: EntityView | FindingView = describe(view, entity, reveal=reveal,
                                                       max_ties=max_ties)
        except AmbiguousIdError:
            raise  # an id two sources defined differently: the keys in brackets tell them apart
        except UmbrellaError as err:
            record(db, "search", entity)
            found = _searched(view, entity, err, reveal)
            if isinstance(found, Rows):
                if reveal:  # the namesakes are listed with their numbers unmasked
                    record(db, "reveal", entity)
                write(found, Output("table"))
                return
            shown = describe_entity(view, found, reveal=reveal, max_ties=max_ties)
    finally:
        store.close()
    record(db, "reveal" if reveal else "view",
           str(shown.finding.get("id", entity)) if isinstance(shown, FindingView)
           else "/".join(shown.ids) or shown.key)
    if isinstance(shown, FindingView):
        _print_finding(shown)
    else:
        _print_entity(shown, max_ties)


def _searched(view: Any, text: str, err: UmbrellaError, reveal: bool) -> str | Rows:
    """What ``show`` finds when ``text`` is no id and no single exact name: the key of the
    one entity the workbench's search finds, or the namesakes it finds, listed with what
    tells them apart; an id of no entity raises an error with a hint of its kind."""
    from umbrella.hints import unknown_id
    from umbrella.namesakes import MOST, namesakes

    found = namesakes(view, text, MOST + 1, reveal)
    if len(found) == 1:
        console.err.print(_("The only entity found for '{text}': {name} ({id})").format(
            text=text, name=found[0]["name"], id=found[0]["id"]), soft_wrap=True)
        return str(found[0]["key"])
    if not found:
        raise unknown_id(view, text) or err
    shown = found[:MOST]
    title = (_("{n} entities found for '{text}' (the first {most}); give one id to see it")
             if len(found) > MOST else _("{n} entities found for '{text}'; give one id to "
                                          "see it")).format(n=len(shown), text=text, most=MOST)
    return Rows(["id", "kind", "name", "detail"],
                [(r["id"], r["kind"], r["name"], r["detail"]) for r in shown],
                words={"kind": "node_kind"}, title=title)


def _with_hint(view: Any, texts: Sequence[str], err: UmbrellaError) -> UmbrellaError:
    """``err``, or for the first of ``texts`` that names nothing and looks like an id, the
    error with a hint of its own kind (:func:`umbrella.hints.unknown_id`)."""
    from graph.errors import AmbiguousIdError
    from umbrella.hints import unknown_id

    for text in texts:
        try:
            if view.resolve(text.strip()) is not None or view.get(text.strip()) is not None:
                continue
        except AmbiguousIdError:
            continue
        hinted = unknown_id(view, text)
        if hinted is not None:
            return hinted
    return err


def _print_finding(shown: FindingView) -> None:
    finding = shown.finding
    console.out.print(f"[bold]{escape(finding['title'])}[/bold]", markup=True)
    console.out.print(_("{id}  {rule}  {category}  score {score:.2f}").format(
        id=finding["id"], rule=finding["rule"], score=finding["score"],
        category=vocabulary_word("category", finding["category"])))
    console.out.print(finding["explanation"])
    from queries.naming import entities_cell

    console.out.print(_("Entities: {ids}").format(ids=entities_cell(finding)))
    for i, steps in enumerate(shown.paths, start=1):
        console.out.print(_("Evidence path {n}:").format(n=i))
        _print_path(steps)


def _print_entity(shown: EntityView, max_ties: int) -> None:
    console.out.print("[bold]{name}[/bold] {rest}".format(
        name=escape(shown.name), rest=escape(_("({kind}; ids {ids})").format(
            kind=vocabulary_word("node_kind", shown.kind), ids=_(", ").join(shown.ids)))),
        markup=True)
    from visualizations.words import prop_label

    for k, v in shown.props.items():  # the layout's columns in the reader's words
        console.out.print(f"  {prop_label(k)}: {v}")
    console.out.print(_("  defined by: {rows}").format(rows=_listed(shown.defined_by)))
    title = (_("{n} ties (the first {max} by type and date; raise --max-ties for more)")
             if shown.ties_total > len(shown.ties) else _("{n} ties"))
    print_table(Table(
        title.format(n=shown.ties_total, max=max_ties),
        ["type", "detail", "dir", "other", "start", "end", "source"],
        [(vocabulary_word("rel_type", t.type), _tie_detail(t.type, t.detail),
          *astuple(t)[2:]) for t in shown.ties]))
    if shown.findings:
        print_table(findings_table(shown.findings, 20))
    else:
        console.out.print(_("In no stored finding (run umbrella scan first)."))


@cli.command()
@click.argument("a")
@click.argument("b")
@db_option
@click.option("--on", "on", type=DATE, help="Only ties in force on this date (YYYY-MM-DD).")
@click.option("--max-paths", default=3, show_default=True)
@click.option("--hub-degree", default=100, show_default=True,
              help="Do not pass through nodes with more ties than this.")
@click.option("--include", "include", metavar="TYPE,...",
              help="Walk only ties of these types (KIN, ASSOCIATE, COMPANY_ROLE, ...).")
@click.option("--exclude", "exclude", metavar="TYPE,...",
              help="Never walk ties of these types (e.g. BID,PAID).")
@audit_options
def path(a: str, b: str, db: str, on: str | None, max_paths: int, hub_degree: int,
         include: str | None, exclude: str | None) -> None:
    """The shortest explanation paths between two entities.

    \b
    Example:
      umbrella path P0001387 O000603 --on 2022-02-09
      umbrella path P0001387 O000603 --include KIN,ASSOCIATE,COMPANY_ROLE
    """
    from queries.describe import describe_paths
    from queries.paths import tie_types

    wanted, unwanted = tie_types(include), tie_types(exclude)
    store = open_existing(db)
    try:
        view = store.view()
        try:
            found = describe_paths(view, a, b, on=on, max_paths=max_paths,
                                   hub_degree=hub_degree, include=wanted, exclude=unwanted)
        except UmbrellaError as err:
            raise _with_hint(view, (a, b), err) from err
    finally:
        store.close()
    looked(db, f"{a} -> {b}")
    day = formats.date(on) if on else ""
    if not found.paths:
        console.out.print((_("No path between {a} and {b} on {day}.") if on else
                           _("No path between {a} and {b}.")).format(a=a, b=b, day=day))
    for i, steps in enumerate(found.paths, start=1):
        console.out.print((_("Path {n} ({ties} ties) on {day}:") if on else
                           _("Path {n} ({ties} ties):")).format(n=i, ties=len(steps) // 2,
                                                               day=day))
        _print_path(steps)
    if found.hubs_skipped:
        more = found.hubs_skipped - len(found.hub_labels)
        hubs = _("; ").join(found.hub_labels)
        console.out.print((
            _("Not passed through: {n} hub(s) with more than {degree} ties met on the way: "
              "{hubs} and {more} more (raise --hub-degree to include them).") if more > 0 else
            _("Not passed through: {n} hub(s) with more than {degree} ties met on the way: "
              "{hubs} (raise --hub-degree to include them).")).format(
                n=found.hubs_skipped, degree=hub_degree, hubs=hubs, more=more))


@cli.command()
@click.argument("case")
@db_option
@click.option("--max-kin-hops", type=click.IntRange(1, 3), help="Longest kin chain (default 2).")
@output_options("recusals")
@audit_options
def recuse(case: str, db: str, max_kin_hops: int | None, out: Output) -> None:
    """Who must step aside from a case, and why.

    Lists every official (anyone holding a post while the case runs, or acting
    on it) tied to one of its parties by kin, association or a shared company.

    \b
    Example:
      umbrella recuse K00001
      umbrella recuse K00001 --format xlsx -o recusals.xlsx
    """
    from queries.describe import describe_recusal

    store = open_existing(db)
    try:
        view = store.view()
        try:
            found = describe_recusal(view, case, max_kin_hops)
        except UmbrellaError as err:
            raise _with_hint(view, (case,), err) from err
    finally:
        store.close()
    looked(db, case, out=out)
    write(Rows(["official", "acting as", "why", "party", "posts"],
               [astuple(r) for r in found.rows], words={"acting as": "case_role"},
               title=_("Must step aside from case {case}").format(case=found.case),
               empty=_("Nobody on record is tied to the parties of case {case}.").format(
                   case=found.case)), out)


def _only_layout_files(folder: Path) -> bool:
    from loaders.layout import TABLES

    return all(p.is_file() and p.stem in TABLES and p.suffix == ".csv" for p in folder.iterdir())


def _register() -> None:
    from umbrella.algorithms import brokers, clusters
    from umbrella.areas_cmd import areas_command
    from umbrella.audit_cmd import audit
    from umbrella.evaluate_cmd import evaluate_command
    from umbrella.mapping_cmd import map_command
    from umbrella.matches_cmd import matches
    from umbrella.report_cmd import report_command
    from umbrella.scaffold import new_rule_command
    from umbrella.screen_cmd import screen_command
    from umbrella.serve_cmd import serve_command
    from umbrella.similar_cmd import similar_command
    from umbrella.standards_cmd import export_ftm_command, export_parquet_command
    from umbrella.teamwork import pull, push, query
    from umbrella.triage_cmd import triage_command
    from umbrella.views import export

    export.add_command(export_ftm_command, "ftm")
    export.add_command(export_parquet_command, "parquet")
    for command in (query, push, pull, map_command, export, clusters, brokers,
                    new_rule_command, evaluate_command, serve_command, screen_command, audit,
                    triage_command, report_command, matches,
                    areas_command, similar_command):
        cli.add_command(command)
    from umbrella.investigation_cmd import investigation

    cli.add_command(investigation)
    prepare(cli)


_register()


def main() -> None:
    """Entry point of the ``umbrella`` command."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    cli()
