"""Read a department export as a sheet of text cells: CSV or any sheet of an .xlsx.

Unlike the layout reader, the header may sit below title rows (``header_row``)
and span several rows (``header_rows``) with merged cells: each column is then
named by its header cells top to bottom, joined by ``/`` ("任职情况/职务").
Merged cells in the data are filled with their value (a unit written once for
three officials applies to all three). Blank rows are skipped; every row keeps
its physical CSV line or its Excel row number.

Examples
--------
>>> import tempfile
>>> p = Path(tempfile.mkdtemp()) / "亲属.csv"
>>> _ = p.write_bytes("名单\\n姓名,称谓\\n\\n张三,配偶\\n".encode("gbk"))
>>> s = read_sheet(p, header_row=2)
>>> s.header, s.cells.values.tolist(), s.lines, s.encoding
(['姓名', '称谓'], [['张三', '配偶']], [4], 'gb18030')
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from graph.errors import InputError
from graph.normalize import clean_text
from lang import _
from loaders import limits
from loaders.csvrecords import (
    BadRow,
    Records,
    check_delimiter,
    cut,
    field_count_row,
    read_bytes,
)
from loaders.limits import describe, over, too_long_message
from loaders.read import decode
from loaders.xlsx import Merges, cell_text, merged_ranges, open_workbook, reading, sheet_rows


@dataclass
class Sheet:
    """Cells of one CSV file or one worksheet, below its header."""

    path: Path
    sheet: str | None
    encoding: str
    header: list[str]
    header_lines: tuple[int, int]
    cells: pd.DataFrame
    """Text cells (``''`` when blank), one column per header name, in order."""
    lines: list[int]
    malformed: list[BadRow] = field(default_factory=list)
    """Rows set aside while reading: filled cells beyond the header (in a CSV file, also
    fewer fields than the header), a stray quote, a field over the field limit."""
    _clean: dict[str, pd.Series] = field(default_factory=dict, repr=False)

    def cleaned(self, column: str) -> pd.Series:
        """A column NFKC-normalised and trimmed (computed once per sheet)."""
        if column not in self._clean:
            self._clean[column] = clean_text(self.cells[column])
        return self._clean[column]

    @property
    def label(self) -> str:
        """Where the rows come from, as provenance keeps it: the path, and ``#sheet``."""
        return f"{self.path}#{self.sheet}" if self.sheet is not None else str(self.path)


def clean_header(text: str) -> str:
    """A header cell: NFKC, trimmed, no blanks between Chinese characters.

    Examples
    --------
    >>> clean_header(" 出生\\n年月 "), clean_header("Donor  Type")
    ('出生年月', 'Donor Type')
    """
    s = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", s)


def _letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def combine_header(rows: Sequence[Sequence[str]]) -> list[str]:
    """One name per column from header rows (already filled across merged cells).

    Parts are joined top to bottom with ``/``, blanks and repeats dropped; a
    column without any header text is named by its letter, e.g. ``(C)``; a name
    seen before gets ``.2``, ``.3``.

    Examples
    --------
    >>> combine_header([["姓名", "任职情况", "任职情况", ""], ["姓名", "单位", "职务", "x"]])
    ['姓名', '任职情况/单位', '任职情况/职务', 'x']
    >>> combine_header([["姓名", "姓名", ""]])
    ['姓名', '姓名.2', '(C)']
    """
    width = max((len(r) for r in rows), default=0)
    names: list[str] = []
    seen: dict[str, int] = {}
    for c in range(width):
        parts: list[str] = []
        for r in rows:
            text = clean_header(r[c]) if c < len(r) else ""
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        name = "/".join(parts) or f"({_letter(c)})"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}.{seen[name]}")
    return names


def _trim(rows: list[list[str]]) -> int:
    """Width of the header: up to its last filled cell."""
    width = 0
    for r in rows:
        filled = [i for i, v in enumerate(r) if v.strip()]
        width = max(width, filled[-1] + 1 if filled else 0)
    return width


Record = tuple[int, list[str]] | BadRow


def _build(path: Path, sheet: str | None, encoding: str, records: Iterable[Record],
           header_row: int, header_rows: int, fill_header_right: bool,
           fields: Callable[[int], None] | None = None) -> Sheet:
    """A sheet from its records; ``fields`` (CSV) is told the header's number of fields,
    and a CSV row with fewer fields than the header is set aside too."""
    head: list[list[str]] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    malformed: list[BadRow] = []
    last_header = header_row + header_rows - 1
    where = (_("{file} (sheet {sheet})").format(file=path, sheet=sheet) if sheet is not None
             else str(path))
    width = 0
    names: list[str] = []
    cap = limits.limit("field_chars")
    for rec in records:
        if isinstance(rec, BadRow):
            if rec.line <= last_header:
                raise InputError(_("{file}: line {line}: {problem}").format(
                    file=where, line=rec.line, problem=rec.message),
                    hint=_("fix the header rows of the file"))
            malformed.append(rec)
            continue
        line, cells = rec
        if line < header_row:
            continue
        if line <= last_header:
            head.append(cells)
            if line == last_header:
                width = _trim(head)
                if width == 0:
                    break
                if width > limits.limit("columns"):
                    raise over("columns", _("{file}: line {line}: the header has {n:,} "
                                            "columns, over {limit}").format(
                        file=where, line=line, n=width, limit=describe("columns")), width)
                longest = max((len(c) for r in head for c in r), default=0)
                if longest > limits.limit("field_chars"):
                    raise over("field_chars", _("{file}: line {line}: a header cell of {n:,} "
                                                "characters, over {limit}").format(
                        file=where, line=line, n=longest, limit=describe("field_chars")),
                        longest)
                names = _header(head, width, fill_header_right)
                if fields is not None:
                    fields(len(cells))
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            malformed.append(field_count_row(line, cells, names) if fields is not None
                             else _beyond(line, cells, width))
            continue
        if fields is not None and len(cells) < width:
            malformed.append(field_count_row(line, cells, names))
            continue
        if max(map(len, cells), default=0) > cap:
            malformed.append(_long_cell(line, cells, names))
            continue
        rows.append((cells + [""] * width)[:width])
        lines.append(line)
    if width == 0:
        raise InputError(
            (_("{file}: no header found at rows {first}-{last}") if header_rows > 1 else
             _("{file}: no header found at row {first}")).format(
                file=where, first=header_row, last=last_header),
            hint=_("set header_row (and header_rows for a header over several rows) in the "
                   "mapping; umbrella map FILE --template guesses them"))
    frame = pd.DataFrame(rows, columns=names, dtype=str) if rows else pd.DataFrame(
        {h: pd.Series([], dtype=str) for h in names})
    return Sheet(path, sheet, encoding, names, (header_row, last_header), frame, lines,
                 malformed)


def _header(head: list[list[str]], width: int, fill_right: bool) -> list[str]:
    """The column names of the header rows ``head`` (``fill_right``: a CSV's group
    headings stand over the blank cells to their right, as merged cells would)."""
    head = [(r + [""] * width)[:width] for r in head]
    if fill_right:
        for r in head[:-1]:
            for i in range(1, width):
                r[i] = r[i] or r[i - 1]
    return combine_header(head)


def _beyond(line: int, cells: list[str], width: int) -> BadRow:
    filled = max(i for i, c in enumerate(cells) if c.strip()) + 1
    return BadRow(line, "bad_field_count", f"({width + 1})",
                  _("the row has {n} filled cells but the header has {width}: cell {cell} has "
                    "no column; delete it or give its column a header").format(
                      n=filled, width=width, cell=width + 1),
                  [cut(c) for c in cells[:filled]])


def _long_cell(line: int, cells: list[str], names: list[str]) -> BadRow:
    i = max(range(len(cells)), key=lambda k: len(cells[k]))
    name = names[i] if i < len(names) else f"({i + 1})"
    return BadRow(line, "field_too_long", name, too_long_message(name, len(cells[i])),
                  [cut(c) for c in cells])


def _csv_text(path: Path, encoding: str | None) -> tuple[str, str]:
    data = read_bytes(path)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(_("{file}: the file is empty").format(file=path),
                         hint=_("export it again"))
    text, enc = decode(data, path, encoding)
    return text.lstrip("\ufeff"), enc


def read_csv_sheet(path: Path, *, header_row: int = 1, header_rows: int = 1,
                   encoding: str | None = None, delimiter: str = ",") -> Sheet:
    """Read a CSV export (encoding detected as the layout reader does).

    Records are read as :class:`~loaders.csvrecords.Records` (line limit, stray quotes,
    field limit); a row with more or fewer fields than the header is set aside.
    """
    delimiter = check_delimiter(delimiter)
    text, enc = _csv_text(path, encoding)
    records = Records(io.StringIO(text, newline=""), delimiter, path)

    def fields(n: int) -> None:
        records.width = n

    return _build(path, None, enc, records, header_row, header_rows, fill_header_right=True,
                  fields=fields)


@dataclass
class Peek:
    """The first rows of a sheet as written (merged cells not filled), for guessing."""

    sheet: str | None
    rows: list[list[str]]
    merged: list[tuple[int, int, int, int]]
    """``(min_row, min_col, max_row, max_col)`` of each merged range (1-based)."""


def peek(path: Path, *, limit: int = 40, encoding: str | None = None) -> list[Peek]:
    """The first ``limit`` rows of each sheet of an .xlsx, or of a CSV file, as written
    (merged cells not filled; their ranges are listed).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text("标题\\n姓名,性别\\n", encoding="utf-8")
    >>> peek(p)[0].rows
    [['标题'], ['姓名', '性别']]
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        text, _encoding = _csv_text(path, encoding)
        first: list[list[str]] = []
        for rec in Records(io.StringIO(text, newline=""), ",", path):
            line, cells = rec if isinstance(rec, tuple) else (rec.line, rec.cells)
            if line > limit:
                break
            first += [[] for _ in range(line - 1 - len(first))]
            first.append(list(cells))
        return [Peek(None, first, [])]
    wb = open_workbook(path, read_only=True)
    try:
        out: list[Peek] = []
        for ws in wb.worksheets:
            with reading(path):
                ws.reset_dimensions()
            ranges = [m for m in merged_ranges(path, ws) if m[0] <= limit]
            rows = [[cell_text(v) for v in values] for _, values in
                    zip(range(limit), sheet_rows(ws, path), strict=False)]
            out.append(Peek(ws.title, rows, ranges))
        return out
    finally:
        wb.close()


def _columns() -> int:
    """How far merged cells are filled to the right: the columns limit."""
    return limits.limit("columns")


def _texts(fill: Merges, row: int, values: tuple[Any, ...]) -> list[str]:
    return [cell_text(v) for v in fill.fill(row, list(values))]


def read_xlsx_sheet(path: Path, sheet: str | int | None = None, *, header_row: int = 1,
                    header_rows: int = 1) -> Sheet:
    """Read one worksheet (by name, 1-based number, or the first); line = Excel row.

    Cells become text as :func:`loaders.xlsx.cell_text` says, as in a layout folder.
    The sheet streams (openpyxl's read-only mode); merged cells are read from its XML
    and filled row by row (:class:`loaders.xlsx.Merges`).
    """
    wb = open_workbook(path, read_only=True)
    try:
        names = list(wb.sheetnames)
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int):
            if not 1 <= sheet <= len(names):
                raise InputError(_("{file}: has no sheet number {sheet} (it has {n})").format(
                    file=path, sheet=sheet, n=len(names)),
                    hint=_("sheets: {sheets}").format(sheets=", ".join(names)))
            name = names[sheet - 1]
        elif sheet in names:
            name = sheet
        else:
            raise InputError(_("{file}: has no sheet '{sheet}'").format(file=path, sheet=sheet),
                             hint=_("sheets: {sheets}").format(sheets=", ".join(names)))
        with reading(path):
            ws = wb[name]
            ws.reset_dimensions()
        fill = Merges(merged_ranges(path, ws), _columns())

        def records() -> Iterable[Record]:
            for r, values in enumerate(sheet_rows(ws, path), start=1):
                yield r, _texts(fill, r, values)

        return _build(path, name, "xlsx", records(), header_row, header_rows,
                      fill_header_right=False)
    finally:
        wb.close()


def read_sheet(path: Path, sheet: str | int | None = None, *, header_row: int = 1,
               header_rows: int = 1, encoding: str | None = None,
               delimiter: str = ",") -> Sheet:
    """Read ``path`` by its suffix: ``.xlsx`` (one sheet) or CSV."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx_sheet(path, sheet, header_row=header_row, header_rows=header_rows)
    return read_csv_sheet(path, header_row=header_row, header_rows=header_rows,
                          encoding=encoding, delimiter=delimiter)
