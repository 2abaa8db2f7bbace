"""One output path for every command that lists things: ``--format``/``-o`` and one writer.

After sqlite-utils' ``output_options`` / ``output_rows``: a listing command takes
the :func:`output_options` decorator (which hands it an :class:`Output`), calls
one library function, wraps what comes back as :class:`Findings` or
:class:`Rows`, and passes that to :func:`write`. The terminal table, CSV and
JSON (on the terminal or in a file) and Excel (in a file) all come from here;
the file writers themselves live in :mod:`exports.tables`.

- ``table`` (the default) is for the terminal; with ``-o`` it is refused.
- ``csv`` and ``json`` print, or go to ``-o FILE`` (CSV with a byte-order mark).
- ``xlsx`` needs ``-o FILE``.

Both refusals come before the command does any work. Columns are named by their
stable machine names (what JSON carries); the terminal table, CSV and XLSX head them
with their labels in the run's language (:mod:`exports.columns`: in English, the
machine names themselves).

Examples
--------
>>> import tempfile, pathlib
>>> out = Output("csv", pathlib.Path(tempfile.mkdtemp()) / "t.csv")
>>> write(Rows(["名字", "n"], [["张三", 1234]], title="1 rows"), out)
>>> out.path.read_text(encoding="utf-8-sig").splitlines()
['名字,n', '张三,1234']
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from exports.tables import FORMATS
from graph.errors import UmbrellaError
from lang import NP_, _, ngettext
from umbrella import console

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Output:
    """Where and how a command writes its result: ``--format`` and ``-o``.

    ``stem`` names the file suggested when ``xlsx`` is asked for without one.
    An ``Output`` is always one the writer can honour: the refusals are raised here.

    Examples
    --------
    >>> Output("xlsx", stem="leads")
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: xlsx needs a file
    >>> Output("table", Path("leads.txt"))
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: the table format is for the terminal
    """

    fmt: str = "table"
    path: Path | None = None
    stem: str = "results"

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise UmbrellaError(_("unknown format {format}").format(format=repr(self.fmt)),
                                hint=_("use one of {formats}").format(formats=", ".join(FORMATS)))
        if self.fmt == "table" and self.path is not None:
            raise UmbrellaError(_("the table format is for the terminal"),
                                hint=_("use --format csv, json or xlsx with -o"))
        if self.fmt == "xlsx" and self.path is None:
            raise UmbrellaError(_("xlsx needs a file"),
                                hint=_("add -o {file}").format(file=f"{self.stem}.xlsx"))


def output_options(stem: str = "results") -> Callable[[F], F]:
    """``--format table|csv|json|xlsx`` and ``-o/--output``, checked before the command runs.

    The command receives them as one argument, ``out`` (an :class:`Output`);
    ``stem`` names the file suggested when ``xlsx`` is asked for without ``-o``.

    Examples
    --------
    >>> from click.testing import CliRunner
    >>> @click.command()
    ... @output_options("things")
    ... def things(out: Output) -> None:
    ...     write(Rows(["thing"], [["茶"]], title="1 thing"), out)
    >>> print(CliRunner().invoke(things, ["--format", "csv"]).output.strip())
    thing
    茶
    >>> str(CliRunner().invoke(things, ["--format", "xlsx"]).exception)
    'xlsx needs a file'
    """
    def decorate(command: F) -> F:
        @functools.wraps(command)
        def with_output(*args: Any, fmt: str, output: Path | None, **kwargs: Any) -> Any:
            return command(*args, out=Output(fmt, output, stem), **kwargs)

        with_output = click.option(
            "-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
            help="Write to this file (csv, json or xlsx).")(with_output)
        with_output = click.option(
            "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
            help="table: for the terminal; csv, json: printed, or to -o FILE; "
                 "xlsx: to -o FILE.")(with_output)
        return cast(F, with_output)

    return decorate


@dataclass(frozen=True)
class Table:
    """What the terminal shows: a titled table (``right`` columns right-aligned), then
    ``notes`` line by line; ``empty``, when given, is said instead of a table with no row.
    ``columns`` are machine names, headed by their labels (``labelled=False``: as given)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    right: Sequence[str] = ()
    notes: Sequence[str] = ()
    empty: str = ""
    labelled: bool = True


@dataclass(frozen=True)
class Findings:
    """Findings: files and ``json``/``csv`` hold them whole (:mod:`exports.tables`), the
    terminal shows ``table``; ``noun`` counts them in "N findings written to FILE"."""

    findings: list[dict[str, Any]]
    table: Table
    noun: str = "findings"
    #: keys written beside ``findings`` in JSON (the scan's ``notes``)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rows:
    """A table of named columns: ``json`` keeps the values, every other format shows
    ``text(value)``; ``empty`` is said on the terminal when there is no row. The columns
    are machine names, headed in CSV, XLSX and on the terminal by their labels in the
    run's language (``labelled=False``: names of the user's own, e.g. a query's, as given).

    Examples
    --------
    >>> Rows(["n"], [[1234]], title="1 rows").table.rows
    [['1234']]
    """

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    title: str
    text: Callable[[Any], str] = str
    noun: str = "rows"
    empty: str = ""
    labelled: bool = True
    words: Mapping[str, str] = field(default_factory=dict)
    """Columns holding vocabulary codes, and their vocabulary: shown in the reader's
    words (a code as stored in English), kept as codes in JSON."""

    @property
    def cells(self) -> list[list[str]]:
        """Every value as its text."""
        vocab = [self.words.get(c) for c in self.columns]
        return [[vocabulary_word(w, v) if w and v else self.text(v)
                 for w, v in zip(vocab, row, strict=False)] for row in self.rows]

    @property
    def table(self) -> Table:
        """The rows as the terminal shows them."""
        return Table(self.title, self.columns, self.cells, empty=self.empty,
                     labelled=self.labelled)


@dataclass(frozen=True)
class Section:
    """One table of a :class:`Report`: ``name`` its machine name (the JSON key), ``title``
    in the run's language (the terminal's title, the CSV section line), ``sheet`` its short
    name (the sheet's), ``values`` for JSON and ``cells`` (the same rows as text) for every
    other format."""

    name: str
    title: str
    sheet: str
    columns: Sequence[str]
    values: Sequence[Sequence[Any]]
    cells: Sequence[Sequence[str]]
    right: Sequence[str] = ()
    empty: str = ""

    @property
    def table(self) -> Table:
        """The section as the terminal shows it."""
        return Table(self.title, self.columns, self.cells, right=self.right, empty=self.empty)


@dataclass(frozen=True)
class Report:
    """A result of several tables (``umbrella evaluate``): the terminal shows each, then
    ``notes``; JSON holds every table as a list of objects, with ``extra`` keys beside
    them; CSV the tables one after another; XLSX a sheet each.

    Examples
    --------
    >>> s = Section("recall", "Recall", "recall", ["category", "found"], [["umbrella", 2]],
    ...             [["umbrella", "2"]])
    >>> write(Report([s], extra={"leads": 5}), Output("json"))
    {
     "recall": [
      {
       "category": "umbrella",
       "found": 2
      }
     ],
     "leads": 5
    }
    """

    sections: Sequence[Section]
    notes: Sequence[str] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    noun: str = "rows"


def vocabulary_word(vocab: str, code: Any) -> str:
    """A vocabulary code (a node kind, a relationship type, a role) in the reader's words:
    the code as stored in English, the catalog's word in another language.

    Examples
    --------
    >>> from lang import use_language
    >>> vocabulary_word("company_role", "legal_rep")
    'legal_rep'
    >>> with use_language("zh"):
    ...     vocabulary_word("company_role", "legal_rep")
    '法定代表人'
    """
    from lang import language
    from lang.message import word_in

    lang = language()
    return str(code) if lang == "en" or not code else word_in(vocab, str(code), lang)


def print_table(table: Table) -> None:
    """Show ``table`` on the terminal (stdout), then its notes, wrapped between words at
    the terminal's width (a word longer than the width, e.g. a path, is never split)."""
    if table.empty and not table.rows:
        console.out.print(table.empty)
    else:
        console.out.print(console.table(table.title, table.columns, table.rows,
                                        right=table.right, labelled=table.labelled))
    for note in table.notes:
        for line in wrap_cells(note, console.out.width):
            console.out.print(line, soft_wrap=True, crop=False)


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells (a Chinese character is
    two), broken between words; a word wider than the line (a path) stands alone, whole.

    Examples
    --------
    >>> wrap_cells("规则：BRK-001 15、CLU-001 19、COI-001 10", 26)
    ['规则：BRK-001 15、CLU-001', '19、COI-001 10']
    >>> wrap_cells("see /a/very/long/path/to/a/file.csv now", 10)
    ['see', '/a/very/long/path/to/a/file.csv', 'now']

    Chinese written without blanks breaks between its characters (never inside a run of
    Latin letters, digits and signs, such as a phone number or an id, and never before
    closing punctuation):

    >>> wrap_cells("COL-001: 22家机构共用电话号码“0731-7682159”，未用作关联。", 24)
    ['COL-001: 22家机构共用电', '话号码“0731-7682159”，未', '用作关联。']
    """
    from rich.cells import cell_len

    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if cell_len(candidate) > width and any(cell_len(ch) == 2 for ch in word):
            for i, piece in enumerate(_cjk_pieces(word)):
                joined = (f"{line} {piece}" if i == 0 else line + piece) if line else piece
                if line and cell_len(joined) > width:
                    lines.append(line)
                    line = piece
                else:
                    line = joined
        elif line and cell_len(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line]


#: Punctuation a Chinese line never starts with: it stays with the character before it.
_CLOSING = set("，。、；：！？）】」』”’》")


def _cjk_pieces(word: str) -> list[str]:
    """``word`` cut before each wide (Chinese) character, runs of narrow ones kept whole.

    Examples
    --------
    >>> _cjk_pieces("电话“0731-7682159”，共")
    ['电', '话', '“0731-7682159”，', '共']
    """
    from rich.cells import cell_len

    pieces: list[str] = []
    for ch in word:
        wide = cell_len(ch) == 2
        if pieces and (ch in _CLOSING or (not wide and cell_len(pieces[-1][-1]) == 1)
                       or pieces[-1][-1] in "“‘（【「『《"):
            pieces[-1] += ch
        else:
            pieces.append(ch)
    return pieces


def write(result: Findings | Rows | Report, out: Output) -> None:
    """Write ``result`` as ``out`` says: the terminal table, CSV or JSON on stdout, or a
    file (then "N rows written to FILE" on stderr)."""
    from exports.tables import dump_findings, dump_table, write_findings, write_table

    if isinstance(result, Report):
        _write_report(result, out)
        return
    if out.fmt == "table":
        print_table(result.table)
        return
    if isinstance(result, Findings):
        count = len(result.findings)
        if out.path is None:
            dump_findings(result.findings, out.fmt, sys.stdout, result.extra)
        else:
            write_findings(result.findings, out.path, out.fmt, result.extra)
    else:
        count = len(result.rows)
        values = result.rows if out.fmt == "json" else result.cells
        if out.path is None:
            dump_table(result.columns, values, out.fmt, sys.stdout, result.labelled)
        else:
            write_table(result.columns, values, out.path, out.fmt, result.labelled)
    if out.path is not None:  # one line, however long the path: it is copied from here
        console.err.print(written(count, result.noun, out.path), soft_wrap=True)


def _write_report(report: Report, out: Output) -> None:
    """:func:`write` for a :class:`Report`."""
    from exports.tables import dump_report, write_report

    if out.fmt == "table":
        for section in report.sections:
            print_table(section.table)
        for note in report.notes:
            for line in wrap_cells(note, console.out.width):
                console.out.print(line, soft_wrap=True, crop=False)
        return
    tables = [(s.name, s.title, s.sheet, s.columns, s.values, s.cells)
              for s in report.sections]
    if out.path is None:
        dump_report(tables, out.fmt, sys.stdout, report.extra)
        return
    write_report(tables, out.path, out.fmt, report.extra)
    count = sum(len(s.values) for s in report.sections)
    console.err.print(written(count, report.noun, out.path), soft_wrap=True)


def written(n: int, noun: str, path: Path) -> str:
    """"N things written to FILE", counted in the run's language (``noun``: what a
    listing calls its rows: findings, clusters, brokers, set-aside rows, rows).

    Examples
    --------
    >>> written(1, "findings", Path("a.csv")), written(2, "set-aside rows", Path("b.csv"))
    ('1 finding written to a.csv', '2 set-aside rows written to b.csv')
    """
    forms = {
        "findings": NP_("{n} finding written to {path}", "{n} findings written to {path}"),
        "clusters": NP_("{n} cluster written to {path}", "{n} clusters written to {path}"),
        "brokers": NP_("{n} broker written to {path}", "{n} brokers written to {path}"),
        "set-aside rows": NP_("{n} set-aside row written to {path}",
                              "{n} set-aside rows written to {path}"),
        "entries": NP_("{n} audit entry written to {path}", "{n} audit entries written to {path}"),
    }.get(noun, NP_("{n} row written to {path}", "{n} rows written to {path}"))
    return ngettext(*forms, n).format(n=n, path=path)


def findings_table(findings: list[dict[str, Any]], limit: int,
                   notes: Sequence[str] = ()) -> Table:
    """The terminal's view of findings, best first: score, rule, title (in the run's
    language), the first four entities (their names beside their ids), date and id of the
    first ``limit``.

    Examples
    --------
    >>> f = {"score": 0.9, "rule": "COI-001", "title": "…", "id": "F-1",
    ...      "entities": ["P1", "C1", "O1", "P2", "P3"]}
    >>> t = findings_table([f, f], 1)
    >>> t.title, t.rows
    ('2 findings (top 1 shown)', [('0.90', 'COI-001', '…', 'P1 C1 O1 P2 …', '', 'F-1')])
    """
    from lang.message import localized
    from queries.naming import entities_cell

    rows = [(f"{f['score']:.2f}", f["rule"], localized(f)["title"], entities_cell(f, 4),
             f.get("date", ""), f["id"])
            for f in findings[:limit]]
    if len(findings) > limit:
        title = ngettext("{n} finding (top {top} shown)", "{n} findings (top {top} shown)",
                         len(findings)).format(n=len(findings), top=limit)
    else:
        title = ngettext("{n} finding", "{n} findings", len(findings)).format(n=len(findings))
    return Table(title, ["score", "rule", "title", "entities", "date", "id"], rows,
                 right=("score",), notes=notes)
