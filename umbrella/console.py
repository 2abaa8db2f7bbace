"""Terminal output: tables that fit the terminal and align Chinese text, progress bars.

A table is laid out when it is printed, for the width it gets (a terminal's, or
``COLUMNS``; 160 for a file or a pipe). Its columns are named by their machine names
(``score``, ``source``, ``money in``...) and headed by their labels in the run's
language (:mod:`exports.columns`). Rich measures every cell in terminal cells, so a
Chinese character counts two and the borders stay aligned. How each column gives way:

- *whole* columns (ids, scores, rules, dates, counts, money) are never wrapped or cut;
- *token* columns (``file:line`` sources, lists of input ids) wrap only between their
  items, so no ``file:line`` and no id is ever split;
- *text* columns (titles, names, details) wrap, a Chinese name anywhere (a Latin
  word, such as an id, between words), and are the ones that narrow;
- when even that does not fit, the columns least needed go first (the rank, which the
  order already shows; counts repeated elsewhere), and a line under the table names them.

Nothing is cut with an ellipsis: a name or a source row is shown whole, on more lines.

Examples
--------
>>> import io
>>> from rich.console import Console
>>> c = Console(width=48, record=True, markup=False, file=io.StringIO())
>>> c.print(table("1 tie", ["type", "other", "source"],
...               [("KIN", "桃峰县鑫晟建筑工程有限公司 (O000128)", "relationships.csv:1234")]))
>>> print("\\n".join(line.rstrip() for line in c.export_text().splitlines()))
1 tie
┏━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ type ┃ other        ┃ source                 ┃
┡━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━┩
│ KIN  │ 桃峰县鑫晟建 │ relationships.csv:1234 │
│      │ 筑工程有限公 │                        │
│      │ 司 (O000128) │                        │
└──────┴──────────────┴────────────────────────┘
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text


def _width() -> int:
    """The width of output that is not a terminal: ``COLUMNS`` when set, else 160 (wide
    enough that ids and Chinese titles stay whole)."""
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) >= 20 else 160


# No console markup by default: names, titles and cells come from input files, and a
# "[/]" or "[link=...]" in them must print as written (pass markup=True, with the data
# escaped by :func:`rich.markup.escape`, where styling is wanted).
out = Console(highlight=False, soft_wrap=True, markup=False)
if not out.is_terminal:  # files and pipes
    out = Console(highlight=False, soft_wrap=True, width=_width(), markup=False)
err = Console(stderr=True, highlight=False, markup=False)

#: Columns never wrapped nor cut (machine names).
WHOLE = frozenset({
    "id", "score", "rule", "date", "start", "end", "load", "line", "rank", "at", "dir",
    "count", "read", "loaded", "set aside", "rows", "copied", "members", "officials",
    "suppliers", "suspects", "findings", "money in", "error", "k-core", "encoding", "kind",
    "type", "column", "reason",
})
#: Columns of space-separated items (``file:line`` sources, input ids): wrapped between
#: items only.
TOKENS = frozenset({"source", "sources", "entities", "ids", "file", "table"})
#: Columns left out first when a table cannot fit, most dispensable first (the others
#: are always kept).
DROP_ORDER = ("rank", "findings", "encoding", "members", "at", "sides", "error", "k-core",
              "table", "load", "dir")
#: The narrowest a text column is made (terminal cells: six Chinese characters).
TEXT_MIN = 12
#: Latin words (ids, masked identity numbers) up to this wide are not split in a text
#: column unless the table cannot fit otherwise (cells); Chinese wraps between characters.
WORD_MAX = 24
#: The narrowest a header is folded to, where its values are narrower (cells).
HEADER_MIN = 4
#: A Chinese header this wide or narrower (four characters) is never folded (cells).
HEADER_WHOLE = 8


def _lines(text: str) -> list[str]:
    return text.splitlines() or [""]


def _longest(text: str) -> int:
    return max((cell_len(line) for line in _lines(text)), default=0)


def _longest_item(text: str) -> int:
    return max((cell_len(word) for line in _lines(text) for word in line.split()), default=0)


def _header_min(label: str) -> int:
    """The narrowest a header may be folded to: an English word stays whole, and so does
    a Chinese word of up to four characters (公职人员); a longer one folds in two halves
    (犯罪嫌 / 疑人), never one character a line.

    Examples
    --------
    >>> _header_min("money in"), _header_min("公职人员"), _header_min("犯罪嫌疑人")
    (5, 8, 6)
    """
    widest = 0
    for word in label.split():
        width = cell_len(word)
        if not word.isascii() and width > HEADER_WHOLE:
            width = max(HEADER_MIN, (width + 3) // 4 * 2)  # half, in whole characters
        widest = max(widest, width)
    return widest


@dataclass
class _Column:
    name: str
    label: str
    cells: list[str]
    right: bool

    @property
    def natural(self) -> int:
        return max([_longest(self.label), *(_longest(c) for c in self.cells)])

    @property
    def least(self) -> int:
        header = _header_min(self.label)
        if self.name in WHOLE:
            return max([header, *(_longest(c) for c in self.cells)])
        if self.name in TOKENS:
            return max([header, *(_longest_item(c) for c in self.cells)])
        word = max((_longest_item(w) for c in self.cells for w in c.split() if w.isascii()),
                   default=0)  # an id or a masked number in a text: kept whole if it can be
        return max(header, min(self.natural, TEXT_MIN), min(word, WORD_MAX))


def _overhead(n: int) -> int:
    """Borders and padding of a table of ``n`` columns (a space either side of each)."""
    return 3 * n + 1


def fit(columns: list[_Column], width: int) -> tuple[list[_Column], list[int], list[_Column]]:
    """The columns kept, their widths, and the columns left out, for ``width`` cells."""
    kept = list(columns)
    dropped: list[_Column] = []
    for name in DROP_ORDER:
        if sum(c.least for c in kept) + _overhead(len(kept)) <= width:
            break
        gone = [c for c in kept if c.name == name]
        if gone and len(kept) > 1:
            kept.remove(gone[0])
            dropped.append(gone[0])
    widths = [c.least for c in kept]
    over = sum(widths) + _overhead(len(kept)) - width
    for i, c in enumerate(kept):  # still too wide: text columns narrower than TEXT_MIN
        if over > 0 and c.name not in WHOLE and c.name not in TOKENS:
            less = min(over, widths[i] - max(_header_min(c.label), HEADER_MIN))
            if less > 0:
                widths[i] -= less
                over -= less
    spare = width - sum(widths) - _overhead(len(kept))
    if spare > 0:
        # first the whole columns up to their natural width, then the token and text
        # columns in proportion to what they still lack (a title gains more lines than a
        # list of ids does, so it gets the larger share)
        for i, c in enumerate(kept):
            if c.name in WHOLE:
                more = min(spare, c.natural - widths[i])
                widths[i] += more
                spare -= more
        lacking = [(i, kept[i].natural - widths[i]) for i in range(len(kept))
                   if kept[i].natural > widths[i]]
        total = sum(n for _, n in lacking)
        if total:
            share = min(spare, total)
            given = 0
            for j, (i, n) in enumerate(lacking):
                more = share - given if j == len(lacking) - 1 else share * n // total
                widths[i] += more
                given += more
    return kept, widths, dropped


class FitTable:
    """A table laid out for the width it is printed at (see the module docstring)."""

    def __init__(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
                 right: Sequence[str] = (), labelled: bool = True) -> None:
        from exports.columns import label as column_label

        def label(name: str) -> str:
            return column_label(name) if labelled else name

        cells = [[f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)
                  for v in r] for r in rows]
        self.title = title
        self.columns = [_Column(h, label(h), [r[i] if i < len(r) else "" for r in cells],
                                h in right) for i, h in enumerate(headers)]

    def table(self, width: int) -> tuple[Table, list[str]]:
        """The rich table for ``width`` cells, and the labels of the columns left out."""
        kept, widths, dropped = fit(self.columns, width)
        t = Table(title=self.title, title_justify="left", header_style="bold",
                  min_width=min(cell_len(self.title) + 4, width))
        for c, w in zip(kept, widths, strict=True):
            t.add_column(c.label, justify="right" if c.right else "left", width=w,
                         overflow="fold", no_wrap=False)
        index = [self.columns.index(c) for c in kept]
        for row in range(len(self.columns[0].cells) if self.columns else 0):
            t.add_row(*(self.columns[i].cells[row] for i in index))
        return t, [c.label for c in dropped]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from lang import _, gettext

        t, dropped = self.table(options.max_width)
        yield t
        if dropped:
            yield Text(_("Left out at this width: {columns} (a wider terminal, or --format "
                         "csv, shows them).").format(columns=gettext(", ").join(dropped)))


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
          right: Sequence[str] = (), labelled: bool = True) -> FitTable:
    """A table to print: ``headers`` are the columns' machine names, headed by their labels
    in the run's language (``labelled=False``: as given, e.g. a query's own names);
    ``right`` ones right-aligned."""
    return FitTable(title, headers, rows, right, labelled)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A progress bar on stderr (silent when stderr is not a terminal)."""
    with Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as p:
        yield p


def progress_callback(p: Progress) -> Callable[[str, int, int], None]:
    """A ``(stage, done, total)`` callback that drives one task of ``p``."""
    from lang import _

    task = p.add_task(_("starting"), total=None)

    def cb(stage: str, done: int, total: int) -> None:
        p.update(task, description=stage, completed=done, total=total or None)

    return cb
