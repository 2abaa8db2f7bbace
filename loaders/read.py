"""Read one layout file (CSV in UTF-8/GB18030 or .xlsx) into a frame of text.

Every cell comes back as a ``str`` ('' when blank) with the physical line
of its record in ``_line``; rows that cannot be split into the header's
fields come back separately, to be set aside. Whole-file problems (empty,
undecodable, wrong delimiter) raise :class:`graph.errors.InputError`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from graph.errors import InputError
from loaders.xlsx import cell_text, open_workbook

LINE = "_line"
_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "vertical bar", "，": "full-width comma"}


@dataclass
class RawTable:
    """A file read as text: the frame, its encoding and rows that did not split."""

    path: Path
    frame: pd.DataFrame
    encoding: str
    header: list[str]
    malformed: list[tuple[int, int, list[str]]] = field(default_factory=list)
    """``(line, number of fields, cells)`` for rows whose field count differs from the header."""


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
            raise InputError(f"{path}: cannot be decoded as {encoding} ({exc})",
                             hint="check the --encoding value (e.g. utf-8, gb18030, gbk)") from exc
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
        line = data[: utf_err.start].count(b"\n") + 1
        col = utf_err.start - (data.rfind(b"\n", 0, utf_err.start) + 1) + 1
        raise InputError(
            f"{path}: line {line}, column {col}: byte 0x{data[utf_err.start]:02x} is not "
            "UTF-8, and the file does not read as GB18030 Chinese either",
            hint="re-save the file as UTF-8, or name its encoding with --encoding "
                 "(e.g. --encoding latin-1)",
        ) from utf_err


def _header_problem(path: Path, header_line: str, names: list[str]) -> None:
    if len(names) <= 1:
        for delim, label in _DELIMITERS.items():
            if delim in header_line:
                raise InputError(
                    f"{path}: line 1: the header is one column '{header_line[:60]}' — the file "
                    f"looks {label}-separated",
                    hint="save it as comma-separated CSV (or pass --delimiter "
                         f"{delim!r} to read it as it is)",
                )
    blank = [i + 1 for i, n in enumerate(names) if not n]
    if blank:
        raise InputError(f"{path}: line 1, column {blank[0]}: the header has a blank column name",
                         hint="name every column in the header row, or delete the empty column")
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in seen:
            raise InputError(f"{path}: line 1, column {i + 1}: column '{n}' appears twice",
                             hint="rename or delete one of the two columns")
        seen.add(n)


def _clean_header(cells: list[str]) -> list[str]:
    return [unicodedata.normalize("NFKC", c).strip().lstrip("\ufeff").lower() for c in cells]


def _record_lines(text: str) -> list[int] | None:
    r"""Physical line of each record after the header, or None when quotes span lines.

    Examples
    --------
    >>> _record_lines('a,b\n1,2\n\n"x,y",3\n')
    [2, 4]
    >>> _record_lines('a,b\n"1\n2",3\n') is None
    True
    """
    if '"' in text and any("\n" in seg for seg in text.split('"')[1::2]):
        return None
    lines = text.split("\n")
    if lines and not lines[-1].strip(" \t\r"):
        lines.pop()
    if not re.search(r"\n[ \t\r]*\n", text.rstrip(" \t\r\n") + "\n"):
        return list(range(2, len(lines) + 1))
    return [i + 1 for i, line in enumerate(lines) if line.strip(" \t\r")][1:]


def read_csv(path: Path, encoding: str | None = None, delimiter: str = ",") -> RawTable:
    """Read a CSV file of the layout.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "persons.csv"
    >>> _ = p.write_bytes('person_id,name\\nP1,"张三"\\n\\nP2,李四\\n'.encode("gb18030"))
    >>> t = read_csv(p)
    >>> t.encoding, t.frame["name"].tolist(), t.frame["_line"].tolist()
    ('gb18030', ['张三', '李四'], [2, 4])
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})",
                         hint="check the file exists and you may read it") from exc
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError(f"{path}: the file is empty (no header row)",
                         hint="delete the file, or write at least its header row")
    text, enc = decode(data, path, encoding)
    header_line = text.split("\n", 1)[0].rstrip("\r")
    header = _clean_header(next(csv.reader([header_line], delimiter=delimiter)))
    _header_problem(path, header_line, header)
    starts = _record_lines(text)
    if starts is not None:
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                sep=delimiter, header=None, names=header, skiprows=1,
                                engine="c", quoting=csv.QUOTE_MINIMAL)
        except pd.errors.ParserError:
            frame = None
        if frame is not None and len(frame) == len(starts):
            frame = frame.fillna("").astype(str)
            frame[LINE] = starts
            return RawTable(path, frame, enc, header)
    return _read_csv_slow(path, text, enc, header, delimiter)


def _read_csv_slow(path: Path, text: str, enc: str, header: list[str],
                   delimiter: str) -> RawTable:
    """The csv-module path: quoted newlines and rows with a wrong field count."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)
    rows: list[list[str]] = []
    line_nos: list[int] = []
    malformed: list[tuple[int, int, list[str]]] = []
    last = reader.line_num
    for cells in reader:
        start = last + 1
        last = reader.line_num
        if not cells or (all(not c.strip() for c in cells) and len(cells) == 1):
            continue
        if len(cells) != len(header):
            if len(cells) < len(header) and all(not c.strip() for c in cells[len(header):]):
                cells = cells + [""] * (len(header) - len(cells))
            elif len(cells) > len(header) and all(not c.strip() for c in cells[len(header):]):
                cells = cells[: len(header)]
            else:
                malformed.append((start, len(cells), cells))
                continue
        rows.append(cells)
        line_nos.append(start)
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(
        {h: pd.Series([], dtype=str) for h in header})
    frame[LINE] = line_nos
    return RawTable(path, frame, enc, header, malformed)


def read_xlsx(path: Path) -> RawTable:
    """Read the first sheet of an ``.xlsx`` workbook; line = the Excel row number.

    Cells become text as :func:`loaders.xlsx.cell_text` says (dates ISO, whole
    numbers without ``.0``).
    """
    wb = open_workbook(path, read_only=True)
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        first = next(it, None)
        if first is None or all(v is None for v in first):
            raise InputError(f"{path}: the first sheet is empty (no header row)",
                             hint="put the header in row 1 of the first sheet")
        cells = [cell_text(v) for v in first]
        while cells and not cells[-1].strip():
            cells.pop()
        header = _clean_header(cells)
        _header_problem(path, ",".join(header), header)
        rows: list[list[str]] = []
        line_nos: list[int] = []
        malformed: list[tuple[int, int, list[str]]] = []
        for n, values in enumerate(it, start=2):
            texts = [cell_text(v) for v in values]
            while texts and not texts[-1].strip():
                texts.pop()
            if not texts:
                continue
            if len(texts) > len(header):
                malformed.append((n, len(texts), texts))
                continue
            texts += [""] * (len(header) - len(texts))
            rows.append(texts)
            line_nos.append(n)
    finally:
        wb.close()
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(
        {h: pd.Series([], dtype=str) for h in header})
    frame[LINE] = line_nos
    return RawTable(path, frame, "xlsx", header, malformed)


def read_table_file(path: Path, encoding: str | None = None, delimiter: str = ",") -> RawTable:
    """Read ``path`` by its suffix (``.csv`` or ``.xlsx``)."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx(path)
    return read_csv(path, encoding, delimiter)
