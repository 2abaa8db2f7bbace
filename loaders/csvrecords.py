"""CSV text as records, read defensively: long lines, stray quotes, runaway fields.

Both CSV readers (the layout's :mod:`loaders.read` and the exports'
:mod:`loaders.mapping.sources`) read files through here:

- :func:`read_bytes` reads a file in blocks and refuses it as soon as one physical
  line grows beyond the line limit (:mod:`loaders.limits`), before the rest is read;
- :func:`physical_lines` splits text at ``\\r\\n``, ``\\n`` and a lone ``\\r`` (old Mac
  files), as an editor numbers lines;
- :class:`Records` parses the lines with the ``csv`` module in strict mode and
  yields ``(line, cells)`` per record (blank lines are no records), or a
  :class:`BadRow` to set aside.

What counts as a broken record, and what is done about it (never silently):

- a quote that is never closed (the end of the file is reached inside a quoted
  field), or a closing quote followed by more text before the next delimiter
  (``"abc"def``): ``bad_quote``;
- a quoted field that spans several lines when most of those lines, read alone,
  have exactly the header's number of fields: the quote is a stray that swallowed
  whole rows (a genuine quoted line break, such as an address on two lines, ends
  its last line with the rest of its row, so that line has fewer fields):
  ``bad_quote``;
- a field longer than the field limit: ``field_too_long`` on one line; when it
  spans lines, the quote is taken as unclosed: ``bad_quote``.

In each case the record's *first line* is set aside and reading starts again on
the next line, so the rows a stray quote swallowed are read as the rows they are
(and checked like any other). A row whose number of fields differs from the
header's is set aside as ``bad_field_count`` by the reader that knows the header
(:func:`field_count_row`).

Examples
--------
>>> text = 'id,name\\nP1,"unterminated\\nP2,李四\\nP3,王五\\n'
>>> recs = Records(physical_lines(text), ",", Path("p.csv"))
>>> recs.width = 2
>>> for r in recs:
...     print(r if isinstance(r, tuple) else (r.line, r.code, r.column))
(1, ['id', 'name'])
(2, 'bad_quote', 'field 2')
(3, ['P2', '李四'])
(4, ['P3', '王五'])
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import InputError
from lang import _
from loaders.limits import describe, limit, over, raise_hint

#: Why the readers set a row aside, beside the layout's own reasons.
READ_REASONS = {
    "bad_field_count": "the row has more or fewer fields than the header",
    "bad_quote": "a quote opens a field and is not closed where a field can end, or it "
                 "swallows whole rows",
    "field_too_long": "a field longer than the field limit (UMBRELLA_MAX_FIELD_CHARS)",
}
_BLOCK = 1 << 20
_SHOWN = 200
"""Characters of a cell kept in a set-aside row when the cell is too long to keep."""
_EXTRA = 20
"""Fields beyond the header kept in a set-aside row (the rest are counted)."""


@dataclass(frozen=True)
class BadRow:
    """A record a reader sets aside: where, why, and its cells as read."""

    line: int
    code: str
    column: str
    """The header's name of the column at fault, ``(N)`` for a field beyond the header,
    ``field N`` when the header is not known."""
    message: str
    cells: list[str] = field(default_factory=list)


def _first_break(chunk: bytes) -> int:
    n, r = chunk.find(b"\n"), chunk.find(b"\r")
    return min(n, r) if n >= 0 and r >= 0 else max(n, r)


def _line_number(data: bytes) -> int:
    """The physical line that starts after ``data`` (\\r\\n, \\n and a lone \\r break lines)."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") + 1


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``, refusing it while reading when a line exceeds the line limit.

    Examples
    --------
    >>> import tempfile
    >>> from loaders.limits import override
    >>> p = Path(tempfile.mkdtemp()) / "p.csv"
    >>> _ = p.write_bytes(b"id,name\\r" + b"x" * 50 + b"\\r")
    >>> with override(line_bytes=20):
    ...     read_bytes(p)
    Traceback (most recent call last):
    ...
    loaders.limits.LimitError: ...p.csv: line 2: a line of 50 bytes, over the limit of 20 bytes ...
    """
    cap = limit("line_bytes")
    block = max(1, min(_BLOCK, cap))
    chunks: list[bytes] = []
    since = 0  # bytes since the last line break
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(block):
                first = _first_break(chunk)
                if first >= 0 and since + first <= cap:
                    last = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
                    since = len(chunk) - last - 1
                else:
                    since += len(chunk) if first < 0 else first
                if since > cap:
                    done = b"".join(chunks) + chunk
                    end = len(done) if first < 0 else len(done) - len(chunk) + first
                    line = _line_number(done[:max(end - since, 0)])
                    n = since if first >= 0 else _rest_of_line(fh, since)
                    raise over("line_bytes", _("{file}: line {line}: a line of {n:,} bytes, "
                                               "over {limit}").format(
                        file=path, line=line, n=n, limit=describe("line_bytes")), n)
                chunks.append(chunk)
    except OSError as exc:
        raise InputError(_("{file}: cannot be read ({error})").format(
            file=path, error=exc.strerror or exc),
            hint=_("check the file exists and you may read it")) from exc
    return b"".join(chunks)


def _rest_of_line(fh: io.BufferedReader, since: int) -> int:
    """The length of a line ``since`` bytes into it, read on to its end without keeping it."""
    n = since
    while chunk := fh.read(_BLOCK):
        first = _first_break(chunk)
        if first >= 0:
            return n + first
        n += len(chunk)
    return n


def check_delimiter(delimiter: str, what: str = "--delimiter") -> str:
    """The delimiter to split fields at: one character, not a quote or a line break.

    ``\\t`` (as typed in a shell) and ``tab`` mean a tab; ``what`` names the setting in
    messages.

    Examples
    --------
    >>> check_delimiter(";"), check_delimiter("\\\\t")
    (';', '\\t')
    >>> check_delimiter("::")
    Traceback (most recent call last):
    ...
    graph.errors.InputError: --delimiter '::' is 2 characters; fields are separated by one ...
    """
    if delimiter in ("\\t", "tab", "TAB"):
        return "\t"
    if len(delimiter) != 1:
        fields = {"what": what, "delimiter": delimiter, "n": len(delimiter)}
        raise InputError(
            _("{what} {delimiter!r} is {n} characters; fields are separated by one character "
              "(such as ',', ';', '|' or a tab)").format(**fields),
            hint=(_("if the file separates its fields with {delimiter!r}, replace each "
                    "{delimiter!r} with a comma, then load without {what}") if delimiter
                  else _("leave {what} out for comma-separated files")).format(**fields))
    if delimiter in "\"\r\n":
        raise InputError(_("{what} {delimiter!r} cannot separate fields (it is the quote "
                           "character or a line break)").format(what=what, delimiter=delimiter),
                         hint=_("pass the character between the fields, e.g. {what} ';'").format(
                             what=what))
    return delimiter


def physical_lines(text: str) -> list[str]:
    """The lines of ``text`` with their ends, split at \\r\\n, \\n and a lone \\r.

    Examples
    --------
    >>> physical_lines("a\\rb\\r\\nc\\nd")
    ['a\\r', 'b\\r\\n', 'c\\n', 'd']
    """
    return io.StringIO(text, newline="").readlines()


def cut(cell: str) -> str:
    """A cell as kept in a set-aside row: whole, or its start when longer than 200 characters.

    Examples
    --------
    >>> cut("x" * 300)[-28:]
    'xxx… (300 characters in all)'
    """
    if len(cell) <= _SHOWN:
        return cell
    return _("{start}… ({n:,} characters in all)").format(start=cell[:_SHOWN], n=len(cell))


def column_name(names: list[str], index: int) -> str:
    """The header's name of field ``index`` (0-based), ``(N)`` beyond it, ``field N`` without.

    Examples
    --------
    >>> column_name(["id", "name"], 1), column_name(["id", "name"], 2), column_name([], 0)
    ('name', '(3)', 'field 1')
    """
    if not names:
        return _("field {n}").format(n=index + 1)
    return names[index] if index < len(names) else f"({index + 1})"


def field_count_row(line: int, cells: list[str], names: list[str]) -> BadRow:
    """The set-aside row for a record with more or fewer fields than the header ``names``.

    Examples
    --------
    >>> r = field_count_row(2, ["P1", "a", "男", "X"], ["person_id", "name", "gender"])
    >>> r.code, r.column
    ('bad_field_count', '(4)')
    >>> print(r.message)
    the row has 4 fields but the header has 3 (person_id, name, gender): field 4 'X' has no \
column, so every value may sit one column off; quote values that contain the delimiter \
("a,b") and check the row for an extra delimiter
    """
    n, w = len(cells), len(names)
    head = ", ".join(names) if w <= 12 else ", ".join(names[:12]) + ", ..."
    fields = {"n": n, "width": w, "header": head}
    if n > w:
        message = _("the row has {n:,} fields but the header has {width} ({header}): field "
                    "{field} '{value}' has no column, so every value may sit one column off; "
                    "quote values that contain the delimiter (\"a,b\") and check the row for "
                    "an extra delimiter").format(field=w + 1, value=cut(cells[w])[:40], **fields)
        column = f"({w + 1})"
    else:
        message = _("the row has {n:,} fields but the header has {width} ({header}): the row "
                    "ends before column {column}, so every value may sit one column off; quote "
                    "values that contain the delimiter (\"a,b\") and check the row for a "
                    "missing delimiter").format(column=names[n], **fields)
        column = names[n]
    kept = [cut(c) for c in cells[:w + _EXTRA]]
    if n > len(kept):
        kept.append(_("… ({n:,} more fields)").format(n=n - len(kept)))
    return BadRow(line, "bad_field_count", column, message, kept)


class _Feed:
    """Lines handed to a ``csv.reader`` one at a time: it counts them, keeps those of the
    record being read (``taken``), and can take some back to hand them out again."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._source = iter(lines)
        self._back: list[str] = []  # taken back, the next one last
        self.line = 0
        """Lines handed out so far (the next one is line ``line + 1``)."""
        self.taken: list[str] = []

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self._back.pop() if self._back else next(self._source)
        self.line += 1
        self.taken.append(line)
        return line

    def start(self) -> int:
        """A record starts: forget the lines of the last one; the number of its first line."""
        self.taken = []
        return self.line + 1

    def again(self, lines: list[str]) -> None:
        """Hand ``lines`` (the last ones handed out) out once more."""
        self._back.extend(reversed(lines))
        self.line -= len(lines)

    def more(self) -> bool:
        """Whether any line is left."""
        if not self._back:
            line = next(self._source, None)
            if line is None:
                return False
            self._back.append(line)
        return True


@dataclass
class _Trouble:
    """What a scan of a broken record found: kind, line offset in it, field index."""

    kind: str  # "unclosed", "stray", "too_long" or ""
    offset: int = 0
    index: int = 0
    length: int = 0


def _scan(lines: list[str], delimiter: str, cap: int) -> _Trouble:
    """Walk one record's lines character by character to say where it breaks (slow; only
    for records the csv module refused)."""
    state, index, opened, flen, fstart = "start", 0, (0, 0), 0, 0
    for off, line in enumerate(lines):
        for ch in line:
            if state == "quoted":
                if ch == '"':
                    state = "quote_in_quoted"
                    continue
            elif state == "quote_in_quoted":
                if ch == '"':
                    state = "quoted"
                elif ch == delimiter or ch in "\r\n":
                    state, index, flen, fstart = "start", index + 1, 0, off
                    continue
                else:
                    return _Trouble("stray", off, index)
            elif ch == delimiter:
                state, index, flen, fstart = "start", index + 1, 0, off
                continue
            elif ch in "\r\n":
                continue
            elif state == "start" and ch == '"':
                state, opened = "quoted", (off, index)
                continue
            elif state == "start":
                state = "plain"
            flen += 1
            if flen > cap:
                return _Trouble("too_long", fstart, index, flen)
    if state == "quoted":
        return _Trouble("unclosed", *opened)
    return _Trouble("")


class Records:
    """The records of CSV lines (see the module notes); set ``width`` (and ``names``) once
    the header is known, for field counts and stray quotes. ``lines`` is read once, in
    order (``io.StringIO(text, newline="")`` will do): only the lines of the record being
    read are kept."""

    def __init__(self, lines: Iterable[str], delimiter: str, path: Path) -> None:
        self.lines, self.delimiter, self.path = lines, delimiter, path
        self.width: int | None = None
        self.names: list[str] = []

    def __iter__(self) -> Iterator[tuple[int, list[str]] | BadRow]:
        cap = limit("field_chars")
        before = csv.field_size_limit(cap)  # the csv module's limit is global: put it back
        try:
            yield from self._records(_Feed(self.lines), cap)
        finally:
            csv.field_size_limit(before)

    def _records(self, feed: _Feed, cap: int) -> Iterator[tuple[int, list[str]] | BadRow]:
        while True:
            reader = csv.reader(feed, delimiter=self.delimiter, strict=True)
            while True:
                first = feed.start()
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error:
                    taken = feed.taken
                    feed.again(taken[1:])  # read again from the line after the first
                    yield self._broken(first, taken, cap, feed.more())
                    break
                taken = feed.taken
                if len(taken) > 1:
                    if self._swallows(taken):
                        feed.again(taken[1:])
                        yield self._stray(first, taken)
                        break
                elif len(cells) < 2 and not taken[0].strip(" \t\r\n"):
                    continue  # a blank line
                yield first, cells

    def _alone(self, line: str) -> list[str]:
        """One line's fields read on their own (lenient: an open quote runs to its end)."""
        try:
            return next(csv.reader([line.rstrip("\r\n")], delimiter=self.delimiter), [])
        except csv.Error:
            return line.rstrip("\r\n").split(self.delimiter)

    def _swallows(self, taken: list[str]) -> bool:
        """Whether most lines after the first of a multi-line record read as whole rows."""
        if self.width is None or self.width < 2:
            return False
        rest = [ln for ln in taken[1:] if ln.strip(" \t\r\n")]
        whole = sum(1 for ln in rest if len(self._alone(ln)) == self.width)
        return bool(rest) and 2 * whole > len(rest)

    def _stray(self, first: int, taken: list[str]) -> BadRow:
        cells = self._alone(taken[0])
        column = column_name(self.names, max(len(cells) - 1, 0))
        return BadRow(
            first, "bad_quote", column,
            _("the quote that opens {column} is closed only on line {closed}, and the lines "
              "between read as whole rows: it is taken as a stray quote; this line is set aside "
              "and line {next} is read as the next row; remove the stray quote, or write a "
              "quote inside a value as two (\"\")").format(
                column=column, closed=first + len(taken) - 1, next=first + 1),
            [cut(c) for c in cells])

    def _broken(self, first: int, taken: list[str], cap: int, more: bool) -> BadRow:
        """The set-aside row for a record the csv module refused (its lines ``taken``)."""
        found = _scan(taken, self.delimiter, cap)
        cells = [cut(c) for c in (self._alone(taken[0]) if found.kind != "too_long"
                                  else taken[0].rstrip("\r\n").split(self.delimiter))]
        column = column_name(self.names, found.index)
        if found.kind == "too_long" and found.offset == 0 and len(taken) == 1:
            return BadRow(first, "field_too_long", column,
                          _("{column} holds more than {n:,} characters, over {limit}; {hint}")
                          .format(column=column, n=cap, limit=describe("field_chars"),
                                  hint=raise_hint("field_chars")), cells)
        if found.kind == "too_long":
            what = _("a quoted field that starts in {column} runs over {lines} lines and more "
                     "than {n:,} characters ({limit}): its quote is taken as never closed"
                     ).format(column=column, lines=len(taken), n=cap,
                              limit=describe("field_chars"))
        elif found.kind == "stray":
            what = _("the quoted value of {column} is followed by more text before the next "
                     "delimiter (on line {line})").format(column=column,
                                                          line=first + found.offset)
        else:
            what = _("the quote that opens {column} is never closed: the rest of the file "
                     "would be one value").format(column=column)
        return BadRow(first, "bad_quote", column, (
            _("{problem}; this line is set aside; line {next} is read as the next row; close "
              "the quote, or write a quote inside a value as two (\"\")") if more else
            _("{problem}; this line is set aside; close the quote, or write a quote inside a "
              "value as two (\"\")")).format(problem=what, next=first + 1), cells)
