"""Read one layout file (CSV in UTF-8/GB18030 or .xlsx) into a frame of text.

Every cell comes back as a ``str`` ('' when blank) with the physical line
of its record in ``_line``; rows that cannot be split into the header's
fields (a field more or less, a stray quote, a field over the field limit) come
back separately as :class:`~loaders.csvrecords.BadRow`, to be set aside, and
every other row keeps its columns. Whole-file problems (empty, undecodable,
wrong delimiter, a line or header over the input limits of :mod:`loaders.limits`)
raise :class:`graph.errors.InputError`.

A CSV file is checked on its bytes first (:mod:`loaders.csvfast`) and handed to
pandas when its quoting is plain; otherwise the careful reader
(:mod:`loaders.csvrecords`) reads it record by record. Both give the same rows.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from graph.errors import InputError
from lang import N_, _
from loaders.csvfast import fast_rows
from loaders.csvrecords import (
    BadRow,
    Records,
    check_delimiter,
    cut,
    field_count_row,
    read_bytes,
)
from loaders.limits import describe, limit, over, too_long_message
from loaders.xlsx import cell_text, open_workbook, reading, sheet_rows

__all__ = ["LINE", "BadRow", "RawTable", "decode", "read_csv", "read_table_file", "read_xlsx"]

LINE = "_line"
#: Separators a one-column header may really be split by (each has its message below).
_DELIMITERS = (";", "\t", "|", "，")


@dataclass
class RawTable:
    """A file read as text: the frame, its encoding and rows that did not split."""

    path: Path
    frame: pd.DataFrame
    encoding: str
    header: list[str]
    malformed: list[BadRow] = field(default_factory=list)
    """Rows set aside while reading (wrong number of fields, stray quote, field too long)."""
    home_currency: str = "CNY"
    """The currency of an amount whose row states none: yuan for the layout and its
    mappings (the layout's rule), '' for a standard that states its currencies (an
    amount published without one keeps no currency rather than being called yuan)."""


def _plausible_chinese(text: str) -> bool:
    """Whether non-ASCII text decoded as GB18030 looks like real Chinese text."""
    odd = total = 0
    for ch in text:
        if ord(ch) < 128:
            continue
        total += 1
        o = ord(ch)
        if not (0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
                or 0x2000 <= o <= 0x206F or 0x3400 <= o <= 0x4DBF or o in (0xB7, 0xD7)):
            odd += 1
    return total == 0 or odd / total < 0.05


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode file bytes: the given encoding, else UTF-8 (BOM or not), else GB18030.

    Returns the text and the encoding used. GB18030 is accepted only when
    the result reads as Chinese; otherwise the user is asked for
    ``--encoding`` rather than given silently wrong text.

    Examples
    --------
    >>> decode("姓名".encode("gb18030"), Path("x.csv"))
    ('姓名', 'gb18030')
    >>> decode(b"\\xef\\xbb\\xbfname", Path("x.csv"))
    ('name', 'utf-8-sig')
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(_("{file}: cannot be decoded as {encoding} ({error})").format(
                file=path, encoding=encoding, error=exc),
                hint=_("check the --encoding value (e.g. utf-8, gb18030, gbk)")) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    else:
        enc = "utf-8"
    try:
        return data.decode(enc), enc
    except UnicodeDecodeError as utf_err:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = ""
        if text and _plausible_chinese(text):
            return text, "gb18030"
        before = data[: utf_err.start]
        line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
        col = utf_err.start - max(before.rfind(b"\n"), before.rfind(b"\r"))
        raise InputError(
            _("{file}: line {line}, column {column}: byte 0x{byte:02x} is not UTF-8, and the "
              "file does not read as GB18030 Chinese either").format(
                file=path, line=line, column=col, byte=data[utf_err.start]),
            hint=_("re-save the file as UTF-8, or name its encoding with --encoding "
                   "(e.g. --encoding latin-1)"),
        ) from utf_err


def _separator_problem(path: Path, header_line: str) -> None:
    """A one-column header that is really several names between separators."""
    runs = [r for r in re.findall(r"[^\w\s\"']+", header_line) if r not in ("-", ".")]
    if not runs:
        return
    sep = Counter(runs).most_common(1)[0][0]
    if len([p for p in header_line.split(sep) if p.strip()]) < 2:
        return
    shown = header_line[:60]
    if len(sep) > 1:
        raise InputError(
            _("{file}: line 1: the header is one column '{header}' — its names are separated "
              "by {sep!r}, and fields are separated by one character").format(
                file=path, header=shown, sep=sep),
            hint=_("replace each {sep!r} in the file with a comma, then load it again").format(
                sep=sep))
    raise _one_column(path, shown, sep)


#: A header that reads as one column, by the separator its names have between them.
_ONE_COLUMN = {
    ";": N_("{file}: line 1: the header is one column '{header}' — the file looks "
            "semicolon-separated"),
    "\t": N_("{file}: line 1: the header is one column '{header}' — the file looks "
             "tab-separated"),
    "|": N_("{file}: line 1: the header is one column '{header}' — the file looks "
            "vertical bar-separated"),
    "，": N_("{file}: line 1: the header is one column '{header}' — the file looks "
            "full-width comma-separated"),
    "": N_("{file}: line 1: the header is one column '{header}' — the file looks "
           "{sep!r}-separated"),
}


def _one_column(path: Path, header: str, sep: str) -> InputError:
    """The refusal of a header that is one column because its names are ``sep``-separated."""
    return InputError(
        _(_ONE_COLUMN.get(sep, _ONE_COLUMN[""])).format(file=path, header=header, sep=sep),
        hint=_("save it as comma-separated CSV (or pass --delimiter {sep!r} to read it as it "
               "is)").format(sep=sep))


def _header_problem(path: Path, header_line: str, names: list[str]) -> None:
    if len(names) <= 1:
        for delim in _DELIMITERS:
            if delim in header_line and len(delim) == 1 and delim * 2 not in header_line:
                raise _one_column(path, header_line[:60], delim)
        _separator_problem(path, header_line)
    blank = [i + 1 for i, n in enumerate(names) if not n]
    if blank:
        raise InputError(_("{file}: line 1, column {column}: the header has a blank column "
                           "name").format(file=path, column=blank[0]),
                         hint=_("name every column in the header row, or delete the empty "
                                "column"))
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in seen:
            raise InputError(_("{file}: line 1, column {column}: column '{name}' appears "
                               "twice").format(file=path, column=i + 1, name=n),
                             hint=_("rename or delete one of the two columns"))
        seen.add(n)


def _clean_header(cells: list[str]) -> list[str]:
    return [unicodedata.normalize("NFKC", c).strip().lstrip("\ufeff").lower() for c in cells]


def _first_line(text: str) -> str:
    """The text of the first physical line (up to \\r\\n, \\n or a lone \\r)."""
    m = re.search(r"[\r\n]", text)
    return text if m is None else text[: m.start()]


def _check_header(path: Path, line: str, cells: list[str]) -> list[str]:
    """The header's column names, after the whole-file checks (count, blanks, repeats)."""
    too_many(path, len(cells), cells)
    header = _clean_header(cells)
    _header_problem(path, line, header)
    return header


def too_many(path: Path | str, columns: int, names: list[str] | None = None) -> None:
    """Refuse a header of more columns than the columns limit, or (``names``) with a name
    longer than the field limit.

    Examples
    --------
    >>> too_many("p.csv", 2, ["id", "name"])
    >>> too_many("p.csv", 5_000)
    Traceback (most recent call last):
    ...
    loaders.limits.LimitError: p.csv: line 1: the header has 5,000 columns, over the limit ...
    """
    if columns > limit("columns"):
        raise over("columns", _("{file}: line 1: the header has {n:,} columns, over {limit}")
                   .format(file=path, n=columns, limit=describe("columns")), columns)
    longest = max(map(len, names or []), default=0)
    if longest > limit("field_chars"):
        i = [len(n) for n in names or []].index(longest)
        raise over("field_chars", _("{file}: line 1, column {column}: a column name of {n:,} "
                                    "characters, over {limit}").format(
            file=path, column=i + 1, n=longest, limit=describe("field_chars")), longest)


def read_csv(path: Path, encoding: str | None = None, delimiter: str = ",") -> RawTable:
    """Read a CSV file of the layout.

    Rows whose number of fields differs from the header's, and records broken by a stray
    quote or a field over the field limit, come back in ``malformed`` (see
    :mod:`loaders.csvrecords`); every other row keeps its columns.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "persons.csv"
    >>> _ = p.write_bytes('person_id,name\\nP1,"张三"\\n\\nP2,李四\\n'.encode("gb18030"))
    >>> t = read_csv(p)
    >>> t.encoding, t.frame["name"].tolist(), t.frame["_line"].tolist()
    ('gb18030', ['张三', '李四'], [2, 4])
    >>> _ = p.write_text("person_id,name,gender\\nP1,a,男,X\\nP2,b,女\\n", encoding="utf-8")
    >>> t = read_csv(p)
    >>> t.frame["name"].tolist(), [(b.line, b.code) for b in t.malformed]
    (['b'], [(2, 'bad_field_count')])
    """
    delimiter = check_delimiter(delimiter)
    data = read_bytes(path)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(_("{file}: the file is empty (no header row)").format(file=path),
                         hint=_("delete the file, or write at least its header row"))
    text, enc = decode(data, path, encoding)
    first = _first_line(text)
    if '"' not in first:
        too_many(path, first.count(delimiter) + 1)
        header = _check_header(path, first, first.split(delimiter))
        fast = fast_rows(data, text, enc, delimiter, header)
        if fast is not None:
            return RawTable(path, fast[0], enc, header, fast[1])
    records = Records(io.StringIO(text, newline=""), delimiter, path)
    it = iter(records)
    head = next(it)
    if isinstance(head, BadRow):
        raise InputError(_("{file}: line 1: the header row is broken: {problem}").format(
            file=path, problem=head.message), hint=_("fix the header row (line 1) of the file"))
    if head[0] != 1:
        raise InputError(_("{file}: line 1 is blank, where the header row should be").format(
            file=path), hint=_("delete the blank lines above the header"))
    header = _check_header(path, first, head[1])
    records.width, records.names = len(header), header
    rows: list[list[str]] = []
    line_nos: list[int] = []
    malformed: list[BadRow] = []
    for rec in it:
        if isinstance(rec, BadRow):
            malformed.append(rec)
        elif len(rec[1]) != len(header):
            malformed.append(field_count_row(rec[0], rec[1], header))
        else:
            rows.append(rec[1])
            line_nos.append(rec[0])
    return RawTable(path, _frame(rows, header, line_nos), enc, header, malformed)


def _frame(rows: list[list[str]], header: list[str], lines: list[int]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(
        {h: pd.Series([], dtype=str) for h in header})
    frame[LINE] = lines
    return frame


def read_xlsx(path: Path) -> RawTable:
    """Read the first sheet of an ``.xlsx`` workbook; line = the Excel row number.

    Cells become text as :func:`loaders.xlsx.cell_text` says (dates ISO, whole
    numbers without ``.0``). A row with filled cells beyond the header, or a cell
    longer than the field limit, is set aside; the workbook is checked for size and
    compression before it is opened (:func:`loaders.xlsx.open_workbook`).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> p = Path(tempfile.mkdtemp()) / "persons.xlsx"
    >>> wb = openpyxl.Workbook()
    >>> for row in (["person_id", "name"], ["P1", "张三", "多余"], ["P2", "李四"]):
    ...     wb.active.append(row)
    >>> wb.save(p)
    >>> t = read_xlsx(p)
    >>> t.frame.values.tolist(), [(b.line, b.code, b.column) for b in t.malformed]
    ([['P2', '李四', 3]], [(2, 'bad_field_count', '(3)')])
    """
    wb = open_workbook(path, read_only=True)
    rows: list[list[str]] = []
    line_nos: list[int] = []
    malformed: list[BadRow] = []
    cap = limit("field_chars")
    try:
        with reading(path):
            ws = wb.worksheets[0]
            ws.reset_dimensions()  # pad rows to their last cell, not to a stated size
        it = sheet_rows(ws, path)
        first = next(it, None)
        if first is None or not _trimmed(first):
            raise InputError(_("{file}: the first sheet is empty (no header row)").format(
                file=path), hint=_("put the header in row 1 of the first sheet"))
        cells = _trimmed(first)
        too_many(path, len(cells), cells)
        header = _clean_header(cells)
        _header_problem(path, ",".join(header), header)
        width = len(header)
        for n, values in enumerate(it, start=2):
            if not values:
                continue
            extra = values[width:]
            if extra.count(None) != len(extra) and len(_trimmed(values)) > width:
                texts = _trimmed(values)
                malformed.append(BadRow(
                    n, "bad_field_count", f"({width + 1})",
                    _("the row has {n} filled cells but the header has {width}: cell {cell} has "
                      "no column; delete it or name its column in row 1").format(
                        n=len(texts), width=width, cell=width + 1),
                    [cut(t) for t in texts]))
                continue
            texts = [cell_text(v) for v in values[:width]]
            if max(map(len, texts), default=0) > cap:
                malformed.append(_long_cell(n, texts, header))
                continue
            if not any(t.strip() for t in texts):
                continue
            rows.append(texts + [""] * (width - len(texts)))
            line_nos.append(n)
    finally:
        wb.close()
    return RawTable(path, _frame(rows, header, line_nos), "xlsx", header, malformed)


def _trimmed(values: tuple[object, ...]) -> list[str]:
    """Cell texts up to the last one that is not blank."""
    texts = [cell_text(v) for v in values]
    while texts and not texts[-1].strip():
        texts.pop()
    return texts


def _long_cell(line: int, texts: list[str], header: list[str]) -> BadRow:
    i = max(range(len(texts)), key=lambda k: len(texts[k]))
    n = len(texts[i])
    return BadRow(line, "field_too_long", header[i],
                  too_long_message(header[i], n), [cut(t) for t in texts])


def read_table_file(path: Path, encoding: str | None = None, delimiter: str = ",") -> RawTable:
    """Read ``path`` by its suffix (``.csv`` or ``.xlsx``)."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path)
    return read_csv(path, encoding, delimiter)
