"""Excel workbooks as text: opening one, and the one rule for what text a cell holds.

Both readers of ``.xlsx`` files, the data layout's (:func:`loaders.read.read_xlsx`)
and the mappings' (:func:`loaders.mapping.sources.read_xlsx_sheet`), open workbooks
and turn cells into text here, so one workbook cell is the same text whichever
way it is loaded:

- a date, or a date-time at midnight (what Excel stores for a date cell):
  ISO ``YYYY-MM-DD``, as the data layout writes dates;
- a date-time with a time of day: ISO 8601, ``YYYY-MM-DDTHH:MM:SS`` (a layout
  date column sets it aside as no calendar date; a mapping's date field reads
  the date part);
- a whole number, also one Excel stores as a float: its digits, no ``.0``;
- blank: ``''``; anything else (text, other numbers, times, booleans): ``str``.

Examples
--------
>>> from datetime import date, datetime
>>> [cell_text(v) for v in (date(2019, 3, 5), datetime(2019, 3, 5), 13800000001.0, None)]
['2019-03-05', '2019-03-05', '13800000001', '']
>>> cell_text(datetime(2019, 3, 5, 8, 30)), cell_text(2.5), cell_text(7)
('2019-03-05T08:30:00', '2.5', '7')
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import InputError
from lang import N_, _
from loaders.limits import RATIO_GRACE, describe, limit, over

if TYPE_CHECKING:  # openpyxl is imported when a workbook is opened, not before
    from openpyxl.workbook.workbook import Workbook

_HINT = N_("open it in Excel and save it again as .xlsx, or export it as CSV")


def cell_text(value: object) -> str:
    """The text of one workbook cell's value (see the module notes)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_archive(path: Path) -> None:
    """Refuse a workbook whose parts would inflate beyond the limits, before it is opened.

    Reads only the zip directory: the size each part declares (Python's ``zipfile``,
    which openpyxl reads through, never inflates a part beyond it) and its compressed
    size. A part over 1 MiB that inflates more than ``UMBRELLA_MAX_RATIO`` times,
    or parts that add up to more than ``UMBRELLA_MAX_XLSX_BYTES``, refuse the file:
    a zip bomb of a few KB is refused at once instead of running for minutes.

    Examples
    --------
    >>> import tempfile
    >>> from loaders.limits import override
    >>> p = Path(tempfile.mkdtemp()) / "bomb.xlsx"
    >>> with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("xl/worksheets/sheet1.xml", b"0" * 3_000_000)
    >>> check_archive(p)
    Traceback (most recent call last):
    ...
    loaders.limits.LimitError: ...bomb.xlsx: part xl/worksheets/sheet1.xml: ... times), over ...
    """
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError) as exc:
        raise InputError(_("{file}: cannot be read as an .xlsx workbook ({error})").format(
            file=path, error=exc), hint=_(_HINT)) from exc
    ratio = limit("ratio")
    for info in infos:
        packed = max(info.compress_size, 1)
        if info.file_size > RATIO_GRACE and info.file_size > ratio * packed:
            times = info.file_size / packed
            raise over("ratio", _(
                "{file}: part {part}: {packed:,} bytes that inflate to {size:,} bytes "
                "({times:,.0f} times, as a zip bomb does; a sheet compresses 5-30 times), over "
                "{limit}").format(
                    file=path, part=info.filename, packed=info.compress_size,
                    size=info.file_size, times=times, limit=describe("ratio")), int(times) + 1)
    total = sum(i.file_size for i in infos)
    if total > limit("xlsx_bytes"):
        biggest = max(infos, key=lambda i: i.file_size)
        raise over("xlsx_bytes", _(
            "{file}: {n} parts (the largest {part}): they inflate to {size:,} bytes, over "
            "{limit}").format(file=path, n=len(infos), part=biggest.filename, size=total,
                              limit=describe("xlsx_bytes")), total)


@contextmanager
def reading(path: Path, where: str = "") -> Iterator[None]:
    """Turn a failure of openpyxl on a damaged or hostile workbook into an InputError
    (``where``: the sheet and row it was reading).

    openpyxl raises many kinds of exception on bad files (``KeyError``, ``ValueError``,
    ``TypeError``, XML ``ParseError``, ``zlib.error``...); wrap only its calls.

    Examples
    --------
    >>> with reading(Path("r.xlsx"), "sheet 1, row 3"):
    ...     raise KeyError("xl/sharedStrings.xml")
    Traceback (most recent call last):
    ...
    graph.errors.InputError: r.xlsx: sheet 1, row 3: cannot be read as an .xlsx workbook ...
    """
    try:
        yield
    except InputError:
        raise
    except Exception as exc:
        detail = (f"{exc}" if isinstance(exc, (zipfile.BadZipFile, OSError))
                  else f"{type(exc).__name__}: {exc}")
        raise InputError((
            _("{file}: {where}: cannot be read as an .xlsx workbook ({error})") if where else
            _("{file}: cannot be read as an .xlsx workbook ({error})")).format(
                file=path, where=where, error=detail[:300]), hint=_(_HINT)) from exc


def sheet_rows(ws: Any, path: Path, **options: Any) -> Iterator[tuple[Any, ...]]:
    """``ws.iter_rows(values_only=True, **options)``, a failure of openpyxl as InputError
    (naming the row after the last one read).

    Examples
    --------
    >>> import openpyxl
    >>> ws = openpyxl.Workbook().active
    >>> ws.append(["a", 1])
    >>> list(sheet_rows(ws, Path("x.xlsx")))
    [('a', 1)]
    """
    with reading(path):
        it = iter(ws.iter_rows(values_only=True, **options))
    end = object()
    n = 0
    while True:
        with reading(path, f"sheet {ws.title}, row {n + 1}"):
            row = next(it, end)
        if row is end:
            return
        n += 1
        yield tuple(row)  # type: ignore[arg-type]


def open_workbook(path: Path, *, read_only: bool = False) -> Workbook:
    """Open an ``.xlsx`` workbook for its values (formulas read as their last result).

    ``read_only`` streams rows (fast, little memory) but knows no merged cells. The
    archive is checked first (:func:`check_archive`); a file that is no workbook raises
    :class:`graph.errors.InputError`.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.xlsx"
    >>> _ = p.write_text("not a workbook")
    >>> open_workbook(p)
    Traceback (most recent call last):
    ...
    graph.errors.InputError: ...x.xlsx: cannot be read as an .xlsx workbook (File is not a zip file)
    """
    check_archive(path)
    import openpyxl

    with reading(path):
        return openpyxl.load_workbook(path, read_only=read_only, data_only=True)


_MERGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref="\$?([A-Z]{1,3})\$?([0-9]{1,7})'
                    rb'(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?"')
_KEEP = 512
_MAX_MERGES = 1_000_000


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def merged_ranges(path: Path, ws: Any) -> list[tuple[int, int, int, int]]:
    """``(min_row, min_col, max_row, max_col)`` of the merged cells of a read-only sheet.

    openpyxl reads merged cells only when it loads a whole workbook, and then makes an
    object for every cell of every range: one range over a whole sheet (17 billion
    cells) in a 5 KB file had not opened after 20 s. Here the ranges are read from the
    sheet's XML as it streams, so a reader can fill only the cells it reads.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> p = Path(tempfile.mkdtemp()) / "m.xlsx"
    >>> wb = openpyxl.Workbook()
    >>> wb.active.merge_cells("A1:C2")
    >>> wb.save(p)
    >>> wb = open_workbook(p, read_only=True)
    >>> merged_ranges(p, wb.worksheets[0])
    [(1, 1, 2, 3)]
    >>> wb.close()
    """
    member = getattr(ws, "_worksheet_path", None)
    if not member:
        return []
    out: list[tuple[int, int, int, int]] = []
    with reading(path), zipfile.ZipFile(path) as z, z.open(member) as fh:
        carry = b""
        while True:
            chunk = fh.read(1 << 20)
            buf = carry + chunk
            upto = len(buf) if not chunk else len(buf) - _KEEP
            end = 0
            for m in _MERGE.finditer(buf):
                if m.end() > upto:
                    break
                a, b = _column(m.group(1)), int(m.group(2))
                c = _column(m.group(3)) if m.group(3) else a
                d = int(m.group(4)) if m.group(4) else b
                out.append((min(b, d), min(a, c), max(b, d), max(a, c)))
                end = m.end()
            if len(out) > _MAX_MERGES:
                raise InputError(_("{file}: sheet {sheet} has more than {n:,} merged ranges")
                                 .format(file=path, sheet=ws.title, n=_MAX_MERGES),
                                 hint=_(_HINT))
            if not chunk:
                return out
            carry = buf[max(end, upto):]


class Merges:
    """Fills merged cells row by row with their top-left value, up to ``columns``.

    Examples
    --------
    >>> m = Merges([(1, 1, 3, 1), (2, 2, 2, 3)], columns=10)
    >>> [m.fill(r, cells) for r, cells in enumerate([["A", "x"], [None, "B"], [None]], 1)]
    [['A', 'x'], ['A', 'B', 'B'], ['A']]
    """

    def __init__(self, ranges: list[tuple[int, int, int, int]], columns: int) -> None:
        self._ranges = sorted(ranges)
        self._next = 0
        self._active: list[tuple[int, int, int, int]] = []
        self._top: dict[tuple[int, int, int, int], object] = {}
        self._columns = columns

    def fill(self, row: int, cells: list[Any]) -> list[Any]:
        """``cells`` of sheet row ``row`` (rows in order) with merged cells filled."""
        while self._next < len(self._ranges) and self._ranges[self._next][0] <= row:
            self._active.append(self._ranges[self._next])
            self._next += 1
        if not self._active:
            return cells
        self._active = [a for a in self._active if a[2] >= row]
        for rng in self._active:
            r0, c0, _, c1 = rng
            if r0 == row:
                self._top[rng] = cells[c0 - 1] if c0 - 1 < len(cells) else None
            hi = min(c1, self._columns)
            if c0 > hi:
                continue
            if len(cells) < hi:
                cells = cells + [None] * (hi - len(cells))
            value = self._top.get(rng)
            for c in range(c0 - 1, hi):
                cells[c] = value
        return cells
