"""The fast path of the layout's CSV reader: field counts from the raw bytes, rows by pandas.

``pandas.read_csv`` is quick but lenient in ways that corrupt data: a first data row
with one field too many makes the first column the row labels and shifts every
column, a short row is padded without a word. So before pandas sees a file, its
bytes are checked here with numpy, and every physical line gets its exact number of
fields. This is sound only for files whose quotes open at the start of a field and
close at its end (RFC 4180): then a delimiter inside quotes is one whose count of
quotes before it is odd. Anything else (a quote in the middle of a field, a quoted
line break, a lone ``\\r``, a line longer than the field limit, an encoding where
``,`` and ``"`` are not single bytes) returns ``None``, and the careful reader
(:class:`loaders.csvrecords.Records`) reads the file instead.

Lines with the wrong number of fields become :class:`~loaders.csvrecords.BadRow`;
pandas skips them and blank lines, so it never guesses.

Examples
--------
>>> data = "id,name,gender\\nP1,a,男,X\\nP2,\\"b,c\\",女\\n\\nP3,d\\n".encode()
>>> frame, bad = fast_rows(data, data.decode(), "utf-8", ",", ["id", "name", "gender"])
>>> frame.values.tolist(), [(b.line, b.code, b.column) for b in bad]
([['P2', 'b,c', '女', 3]], [(2, 'bad_field_count', '(4)'), (5, 'bad_field_count', 'gender')])
"""

from __future__ import annotations

import codecs
import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from loaders.csvrecords import BadRow, field_count_row
from loaders.limits import limit

LINE = "_line"
_UTF8 = {codecs.lookup(e).name for e in ("utf-8", "utf-8-sig", "ascii")}
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
#: Encodings whose bytes for ``,`` ``"`` ``\\n`` ``\\r`` (and any ASCII delimiter) never
#: occur inside another character.
_ASCII_SAFE = {codecs.lookup(e).name for e in (
    "utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5", "shift_jis", "euc-jp",
    "euc-kr", "ascii", "latin-1", "cp1252")}


def _header_end(data: bytes) -> int | None:
    """Where the second line starts, when the header is one line without quotes."""
    n, r = data.find(b"\n"), data.find(b"\r")
    if n < 0 and r < 0:
        return len(data)
    if r >= 0 and (n < 0 or r < n) and r + 1 != n:
        return None  # a lone \r
    end = min(x for x in (n, r) if x >= 0)
    if b'"' in data[:end]:
        return None
    return n + 1 if n >= 0 else len(data)


def fast_rows(data: bytes, text: str, encoding: str, delimiter: str, header: list[str]
              ) -> tuple[pd.DataFrame, list[BadRow]] | None:
    """The rows of a CSV file (its bytes, and the same decoded as ``text``; header on line 1)
    as a frame of text with ``_line``, and the lines with a wrong number of fields;
    ``None`` when the file needs the careful reader (see the module notes).

    Examples
    --------
    >>> data = b'id,name\\nP1,"a ""b"" c"\\nP2,d\\r\\n'
    >>> frame, bad = fast_rows(data, data.decode(), "utf-8", ",", ["id", "name"])
    >>> frame.values.tolist(), bad
    ([['P1', 'a "b" c', 2], ['P2', 'd', 3]], [])
    >>> fast_rows(b'id,name\\nP1,a"b\\n', 'id,name\\nP1,a"b\\n', "utf-8", ",", ["id", "name"])
    """
    if codecs.lookup(encoding).name not in _ASCII_SAFE or ord(delimiter) > 127:
        return None
    offset = _header_end(data)
    if offset is None:
        return None
    if data.count(b"\r", offset) != data.count(b"\r\n", offset):
        return None
    body = np.frombuffer(data, dtype=np.uint8, offset=offset) if offset < len(data) else \
        np.zeros(0, dtype=np.uint8)
    n = len(body)
    nl = np.flatnonzero(body == 10)
    starts = np.concatenate(([0], nl + 1))
    ends = np.concatenate((nl, [n]))
    if n == 0 or body[-1] == 10:
        starts, ends = starts[:-1], ends[:-1]
    if len(ends) and int((ends - starts).max()) > limit("field_chars"):
        return None
    d = ord(delimiter)
    quotes = np.flatnonzero(body == 34)
    delims = np.flatnonzero(body == d)
    if len(quotes):
        if len(quotes) % 2 or not _quotes_well_placed(body, quotes, d):
            return None
        if len(nl) and (np.searchsorted(quotes, nl) % 2).any():
            return None  # a quoted line break
        delims = delims[np.searchsorted(quotes, delims) % 2 == 0]
    fields = np.bincount(np.searchsorted(nl, delims), minlength=len(starts))[:len(starts)] + 1
    blank = np.zeros(len(starts), dtype=bool)
    for k in np.flatnonzero(fields == 1).tolist():
        blank[k] = not data[offset + starts[k]:offset + ends[k]].strip(b" \t\r")
    wrong = (fields != len(header)) & ~blank
    first = 2  # the line number of body line 0
    bad = [_bad_line(data[offset + starts[k]:offset + ends[k]], encoding, delimiter, header,
                     first + k) for k in np.flatnonzero(wrong).tolist()]
    keep = ~wrong & ~blank
    lines = np.flatnonzero(keep) + first
    body_bytes = data[offset:] if codecs.lookup(encoding).name in _UTF8 else \
        text.split("\n", 1)[1].encode() if "\n" in text else b""
    frame = _arrow_rows(body_bytes, delimiter, header, len(lines))
    if frame is None:
        skip = [0, *(np.flatnonzero(~keep) + 1).tolist()]
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, na_filter=False, sep=delimiter,
                                header=None, names=header, skiprows=skip, index_col=False,
                                engine="c", quoting=csv.QUOTE_MINIMAL, skip_blank_lines=False)
        except (pd.errors.ParserError, ValueError):
            return None
        if len(frame) != len(lines) or not isinstance(frame.index, pd.RangeIndex):
            return None
    frame[LINE] = lines
    return frame, bad


def _arrow_rows(body: bytes, delimiter: str, header: list[str], kept: int
                ) -> pd.DataFrame | None:
    """The rows of ``body`` (UTF-8, after the header) read by Arrow's CSV reader, skipping
    the lines of a wrong number of fields and blank lines, as the checks above found
    them; None when Arrow keeps another number of rows, or cannot read the text.

    Arrow reads well-placed quotes as pandas does (a doubled quote is one quote, no
    escape character, nothing read as missing), on both cores.

    Examples
    --------
    >>> _arrow_rows(b'P1,"a ""b"", c"\\r\\n\\nP2\\nP3,\\n', ",", ["id", "name"], 2
    ...             ).values.tolist()
    [['P1', 'a "b", c'], ['P3', '']]
    >>> _arrow_rows(b"P1,a\\n", ",", ["id", "name"], 2) is None
    True
    """
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=header,
                                           block_size=max(1 << 20, 8 * limit("field_chars"))),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"',
                                             double_quote=True, escape_char=False,
                                             newlines_in_values=False, ignore_empty_lines=True,
                                             invalid_row_handler=_skip),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowException, ValueError):
        return None
    if table.num_rows != kept:
        return None
    return pd.DataFrame({h: pd.Series(table.column(i), dtype=_TEXT)
                         for i, h in enumerate(header)})


def _skip(row: pacsv.InvalidRow) -> str:
    return "skip"


def _quotes_well_placed(body: np.ndarray, quotes: np.ndarray, d: int) -> bool:
    """Whether each quote opens a field at its start or closes it at its end (a doubled
    quote inside a quoted field being one closing and one opening quote side by side)."""
    n = len(body)
    opens, closes = quotes[0::2], quotes[1::2]
    before = body[np.maximum(opens - 1, 0)]
    ok_open = (opens == 0) | (before == d) | (before == 10) | (before == 34)
    after = body[np.minimum(closes + 1, n - 1)]
    ok_close = (closes == n - 1) | (after == d) | (after == 10) | (after == 13) | (after == 34)
    return bool(ok_open.all() and ok_close.all())


def _bad_line(raw: bytes, encoding: str, delimiter: str, header: list[str], line: int
              ) -> BadRow:
    text = raw.decode(encoding).rstrip("\r")
    cells = next(csv.reader([text], delimiter=delimiter), [])
    return field_count_row(line, cells, header)
