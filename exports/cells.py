"""Spreadsheet cells that a spreadsheet will not run: every CSV and XLSX the tool writes.

Names, titles and ids come from the data sources, and a source can hold
``=HYPERLINK("http://x","a")``, ``=cmd|' /C notepad'!A1``, ``+cmd`` or
``@SUM(1)``: text that Excel, LibreOffice or WPS would evaluate as a formula
when the file is opened. As OWASP's "CSV Injection" page describes, a text
cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a line break is
neutralised:

- in CSV, by a leading apostrophe (``'=cmd…``), which spreadsheets show as text;
- in XLSX, by storing the cell as a string (never a formula) with the
  "quote prefix" style, so the text shows exactly as written and stays text
  when the cell is edited.

Numbers stay numbers (a negative amount is a number, not text), and text that
is itself a plain number (``-12.5``) is left alone, since a spreadsheet reads
it as that number and nothing else. Text that merely starts like a number
(``+86 138 0000 0000``) is neutralised and stays readable. The stored data and
the JSON outputs are never changed. Characters XML cannot hold (control
characters) are shown as ``\\x07``-style escapes in XLSX instead of breaking the file.

Examples
--------
>>> [csv_cell(v) for v in ['=1+1', '+86 138 0000 0000', '-12.5', -3, '@SUM(1)', '张三']]
["'=1+1", "'+86 138 0000 0000", '-12.5', -3, "'@SUM(1)", '张三']
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

#: The first characters that make a spreadsheet evaluate a text cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DASHES = re.compile(r"-+")  # a placeholder such as "-" is text in every spreadsheet
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def risky(value: Any) -> bool:
    """True for text a spreadsheet would evaluate (not for numbers, nor plain number text).

    Examples
    --------
    >>> risky("=HYPERLINK(\\"http://x\\",\\"a\\")"), risky("-5"), risky(-5), risky("a=b")
    (True, False, False, False)
    >>> risky("-"), risky("+86 138 0000 0000")
    (False, True)
    """
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and _NUMBER.fullmatch(value) is None and _DASHES.fullmatch(value) is None)


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell that a spreadsheet shows as written."""
    return "'" + value if risky(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """:func:`csv_cell` of every value of a row."""
    return [csv_cell(v) for v in values]


def write_csv(fh: TextIO, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    """Write a header and rows as CSV with every cell neutralised.

    Examples
    --------
    >>> import io
    >>> buf = io.StringIO()
    >>> write_csv(buf, ["name"], [["=cmd|' /C notepad'!A1"]])
    >>> buf.getvalue().splitlines()[1]
    "'=cmd|' /C notepad'!A1"
    """
    w = csv.writer(fh)
    w.writerow(csv_row(header))
    for r in rows:
        w.writerow(csv_row(r))


def xlsx_text(value: str) -> str:
    """Text with the characters XML cannot hold shown as escapes.

    Examples
    --------
    >>> xlsx_text("a\\x07b")
    'a\\\\x07b'
    """
    return _ILLEGAL_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def append_row(ws: Any, values: Sequence[Any]) -> None:
    """Append a row to an openpyxl worksheet: numbers as numbers, every text as a string
    cell (never a formula), risky text with the quote-prefix style.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> append_row(ws, ["=1+1", -5, "张三"])
    >>> [(c.value, c.data_type, c.quotePrefix) for c in ws[1]]
    [('=1+1', 's', True), (-5, 'n', False), ('张三', 's', False)]
    """
    ws.append([xlsx_text(v) if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if risky(cell.value):
                cell.quotePrefix = True
