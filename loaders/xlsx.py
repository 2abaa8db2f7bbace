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

import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from graph.errors import InputError

if TYPE_CHECKING:  # openpyxl is imported when a workbook is opened, not before
    from openpyxl.workbook.workbook import Workbook


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


def open_workbook(path: Path, *, read_only: bool = False) -> Workbook:
    """Open an ``.xlsx`` workbook for its values (formulas read as their last result).

    ``read_only`` streams rows (fast, little memory) but knows no merged cells.
    A file that is no workbook raises :class:`graph.errors.InputError`.

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
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=read_only, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{path}: cannot be read as an .xlsx workbook ({exc})",
                         hint="open it in Excel and save it again as .xlsx, or export it "
                              "as CSV") from exc
