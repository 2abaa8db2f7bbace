"""Limits on JSON as it is read: nesting depth and record size, checked on the bytes.

Python's ``json`` recurses once per level and raises ``RecursionError`` near 1,000
levels (``'[' * 100_000`` is a 200 KB file); ijson builds any depth, and so would
the converters that walk the values. :class:`Gauge` follows the nesting of JSON bytes
fed to it piece by piece (strings and escapes skipped, so ``"[[["`` inside a string
does not count) and raises :class:`~loaders.limits.LimitError` at the first bracket
deeper than ``UMBRELLA_MAX_DEPTH``, naming its line and column, before anything is
parsed. It runs at C speed (regular expressions, ``bytes.translate``, numpy) and
falls back to a character loop only to locate an error.

:class:`Guarded` wraps a stream that ijson reads: every piece goes through a gauge,
and the bytes read since the last record was handed out are counted, so a single
record (or value) larger than ``UMBRELLA_MAX_LINE_BYTES`` is refused while it is
being read, not after it has filled memory.

Examples
--------
>>> from loaders.limits import override
>>> with override(depth=3):
...     g = Gauge("deep.json")
...     g.feed(b'{"a": ["[[[[", {"b": ')
...     assert g.depth == 3  # the brackets inside the string do not count
...     g.feed(b'[1]}]}')
Traceback (most recent call last):
...
loaders.limits.LimitError: deep.json: line 1, column 22: JSON nested 4 levels deep, over the \
limit of 3 levels (UMBRELLA_MAX_DEPTH)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from lang import _
from loaders.limits import describe, limit, over

_ESCAPE = re.compile(rb"\\.", re.S)
#: A ``\uD800``-``\uDFFF`` escape: half of a surrogate pair, maybe a lone one.
SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


def lone_surrogate(value: object) -> str:
    """An error message when ``value`` holds a lone surrogate (from an escape such as
    ``"\\udfff"`` that JSON allows and UTF-8 cannot store), else ''.

    Examples
    --------
    >>> import json
    >>> lone_surrogate(json.loads('["\\\\ud83d\\\\ude00"]'))  # a pair is one character
    ''
    >>> lone_surrogate(json.loads('{"a": "\\\\udfff"}'))
    'a string holds \\\\udfff, half of a character (a lone surrogate), which no UTF-8 ...'
    """
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as err:
        bad = err.object[err.start:err.end]
        return _("a string holds \\u{code:04x}, half of a character (a lone surrogate), which "
                 "no UTF-8 text can hold; fix the \\u escape").format(code=ord(bad[0]))
    return ""


def too_deep(data: bytes, max_depth: int) -> bool:
    """Cheap test: could ``data`` nest deeper than ``max_depth``? (False = certainly not.)

    Examples
    --------
    >>> too_deep(b'{"a": [1, 2]}', 2), too_deep(b'[[[]]]', 2)
    (False, True)
    """
    return data.count(b"[") + data.count(b"{") > max_depth


class Gauge:
    """The exact nesting depth of JSON bytes fed in pieces (see the module notes)."""

    def __init__(self, where: str, first_line: int = 1) -> None:
        self.where = where
        self.first_line = first_line
        self.max_depth = limit("depth")
        self.depth = 0
        self.in_string = False
        self.pending = b""
        self.fed = 0
        """Bytes fed so far."""
        self.lines = 0
        """Line breaks fed so far."""
        self.line_start = 0
        """Offset (in bytes fed) where the current line starts."""

    def feed(self, data: bytes) -> None:
        """Follow ``data``, the next piece of the document."""
        state = (self.depth, self.in_string, self.fed - len(self.pending), self.lines,
                 self.line_start)
        chunk = self.pending + data
        self.pending = b""
        self.fed += len(data)
        breaks = data.count(b"\n")
        if breaks:
            self.lines += breaks
            self.line_start = self.fed - len(data) + data.rfind(b"\n") + 1
        tail = len(chunk) - len(chunk.rstrip(b"\\"))
        if tail % 2:  # an escape cut in two: finish it with the next piece
            chunk, self.pending = chunk[:-1], chunk[-1:]
        text = _ESCAPE.sub(b"", chunk) if b"\\" in chunk else chunk
        if self.in_string:
            close = text.find(b'"')
            if close < 0:
                return
            text, self.in_string = text[close + 1:], False
        if b'"' in text:
            text = _STRING.sub(b"", text)
            open_at = text.find(b'"')
            if open_at >= 0:
                text, self.in_string = text[:open_at], True
        brackets = text.translate(None, _NOT_BRACKETS)
        opens = brackets.count(b"[") + brackets.count(b"{")
        if self.depth + opens > self.max_depth:
            steps = np.where(np.frombuffer(brackets, dtype=np.uint8) % 4 == 3, 1, -1)
            if int(np.cumsum(steps).max()) + self.depth > self.max_depth:
                self._locate(chunk, state)  # '[' 91 and '{' 123 are 3 mod 4
        self.depth += 2 * opens - len(brackets)

    def _locate(self, chunk: bytes, state: tuple[int, bool, int, int, int]) -> None:
        """Walk ``chunk`` character by character from the state before it; raise where the
        depth first goes over the limit."""
        depth, in_string, offset, lines, line_start = state
        escaped = False
        for i, ch in enumerate(chunk):
            if ch == 10:
                lines += 1
                line_start = offset + i + 1
            if in_string:
                if escaped:
                    escaped = False
                elif ch == 92:
                    escaped = True
                elif ch == 34:
                    in_string = False
            elif ch == 34:
                in_string = True
            elif ch in (91, 123):
                depth += 1
                if depth > self.max_depth:
                    column = offset + i - line_start + 1
                    line = self.first_line + lines
                    raise over("depth", _("{where}: line {line}, column {column}: JSON nested "
                                          "{n} levels deep, over {limit}").format(
                        where=self.where, line=line, column=column, n=depth,
                        limit=describe("depth")), depth)
            elif ch in (93, 125):
                depth -= 1


class Guarded:
    """A binary (or text) stream for ijson: every piece through a :class:`Gauge`, and no
    more than ``UMBRELLA_MAX_LINE_BYTES`` read between two :meth:`mark` calls.

    Examples
    --------
    >>> import io
    >>> from loaders.limits import override
    >>> with override(line_bytes=10):
    ...     g = Guarded(io.BytesIO(b'[1, 2, "a long string"]'), "a.json")
    ...     g.mark("/0")
    ...     _ = g.read(8)
    ...     _ = g.read(20)
    Traceback (most recent call last):
    ...
    loaders.limits.LimitError: a.json: line 1: the record at /0 runs over 23 bytes, over ...
    """

    def __init__(self, stream: IO[Any], where: str,
                 check: Callable[[], None] | None = None) -> None:
        self.stream = stream
        self.check = check
        self.gauge = Gauge(where)
        self.where = where
        self.cap = limit("line_bytes")
        self.since = 0
        self.escapes = False
        """Whether a surrogate escape went by (records are then checked for lone ones)."""
        self._tail = b""
        self.record = ""
        """What the next record will be called in a refusal (``/releases/7``)."""

    def read(self, size: int = -1) -> Any:
        """Read from the stream, checking depth and record size."""
        data = self.stream.read(size)
        if self.check is not None:
            self.check()
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self.gauge.feed(raw)
        if not self.escapes and b"\\u" in self._tail + raw:
            self.escapes = SURROGATE.search(self._tail + raw) is not None
        self._tail = raw[-5:]
        self.since += len(raw)
        if self.since > self.cap:
            fields = {"where": self.where, "line": self.gauge.lines + 1, "n": self.since,
                      "record": self.record, "limit": describe("line_bytes")}
            raise over("line_bytes", (
                _("{where}: line {line}: the record at {record} runs over {n:,} bytes, over "
                  "{limit}") if self.record else
                _("{where}: line {line}: one JSON value runs over {n:,} bytes, over {limit}"))
                .format(**fields), None)
        return data

    def mark(self, record: str = "") -> None:
        """A record was handed out: count the next one from here."""
        self.since = 0
        self.record = record
