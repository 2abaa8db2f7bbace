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

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from graph.errors import InputError
from graph.normalize import clean_text
from loaders.read import decode
from loaders.xlsx import cell_text, open_workbook


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
    malformed: list[tuple[int, int, list[str]]] = field(default_factory=list)
    """``(line, number of fields, cells)`` of rows with filled cells beyond the header."""
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


def _build(path: Path, sheet: str | None, encoding: str, records: Iterable[tuple[int, list[str]]],
           header_row: int, header_rows: int, fill_header_right: bool) -> Sheet:
    head: list[list[str]] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    malformed: list[tuple[int, int, list[str]]] = []
    last_header = header_row + header_rows - 1
    width = 0
    for line, cells in records:
        if line < header_row:
            continue
        if line <= last_header:
            head.append(cells)
            if line == last_header:
                width = _trim(head)
                if width == 0:
                    break
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            malformed.append((line, len(cells), cells))
            continue
        rows.append((cells + [""] * width)[:width])
        lines.append(line)
    where = f"{path}" + (f" (sheet {sheet})" if sheet is not None else "")
    if width == 0:
        raise InputError(
            f"{where}: no header found at row {header_row}"
            + (f"-{last_header}" if header_rows > 1 else ""),
            hint="set header_row (and header_rows for a header over several rows) in the "
                 "mapping; umbrella map FILE --template guesses them")
    head = [(r + [""] * width)[:width] for r in head]
    if fill_header_right:
        for r in head[:-1]:
            for i in range(1, width):
                r[i] = r[i] or r[i - 1]
    header = combine_header(head)
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(
        {h: pd.Series([], dtype=str) for h in header})
    return Sheet(path, sheet, encoding, header, (header_row, last_header), frame, lines,
                 malformed)


def _csv_records(text: str, delimiter: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    last = 0
    for cells in reader:
        start = last + 1
        last = reader.line_num
        yield start, cells


def read_csv_sheet(path: Path, *, header_row: int = 1, header_rows: int = 1,
                   encoding: str | None = None, delimiter: str = ",") -> Sheet:
    """Read a CSV export (encoding detected as the layout reader does)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})",
                         hint="check the file exists and you may read it") from exc
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(f"{path}: the file is empty", hint="export it again")
    text, enc = decode(data, path, encoding)
    text = text.lstrip("\ufeff")
    return _build(path, None, enc, _csv_records(text, delimiter), header_row, header_rows,
                  fill_header_right=True)


@dataclass
class Peek:
    """The first rows of a sheet as written (merged cells not filled), for guessing."""

    sheet: str | None
    rows: list[list[str]]
    merged: list[tuple[int, int, int, int]]
    """``(min_row, min_col, max_row, max_col)`` of each merged range (1-based)."""


def peek(path: Path, *, limit: int = 40, encoding: str | None = None) -> list[Peek]:
    """The first ``limit`` rows of each sheet of an .xlsx, or of a CSV file.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text("标题\\n姓名,性别\\n", encoding="utf-8")
    >>> peek(p)[0].rows
    [['标题'], ['姓名', '性别']]
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})",
                             hint="check the file exists and you may read it") from exc
        text = decode(data, path, encoding)[0].lstrip("\ufeff")
        first = [cells for _, (_, cells) in
                 zip(range(limit), _csv_records(text, ","), strict=False)]
        return [Peek(None, first, [])]
    wb = open_workbook(path)
    try:
        out: list[Peek] = []
        for ws in wb.worksheets:
            rows = [[cell_text(v) for v in values] for _, values in
                    zip(range(limit), ws.iter_rows(values_only=True), strict=False)]
            merged = [(r.min_row, r.min_col, r.max_row, r.max_col)
                      for r in ws.merged_cells.ranges]
            out.append(Peek(ws.title, rows, merged))
        return out
    finally:
        wb.close()


def read_xlsx_sheet(path: Path, sheet: str | int | None = None, *, header_row: int = 1,
                    header_rows: int = 1) -> Sheet:
    """Read one worksheet (by name, 1-based number, or the first); line = Excel row.

    Cells become text as :func:`loaders.xlsx.cell_text` says, as in a layout folder.
    """
    wb = open_workbook(path)
    try:
        names = list(wb.sheetnames)
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int):
            if not 1 <= sheet <= len(names):
                raise InputError(f"{path}: has no sheet number {sheet} (it has {len(names)})",
                                 hint=f"sheets: {', '.join(names)}")
            name = names[sheet - 1]
        elif sheet in names:
            name = sheet
        else:
            raise InputError(f"{path}: has no sheet '{sheet}'",
                             hint=f"sheets: {', '.join(names)}")
        ws = wb[name]
        merged: dict[tuple[int, int], object] = {}
        for rng in ws.merged_cells.ranges:
            top = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    merged[(r, c)] = top

        def records() -> Iterable[tuple[int, list[str]]]:
            for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [cell_text(merged.get((r, c + 1), v)) for c, v in enumerate(values)]
                yield r, cells

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
