"""Read JSON sources as a stream of records: JSON lines, JSON documents, ``.gz``.

:func:`records` yields one :class:`Item` per record with where it came from:

- JSON lines (one value per line): ``line`` = the physical line, pointer ``""``;
- a JSON document up to :data:`IN_MEMORY` bytes: read whole; a top-level array
  gives one item per element (``line`` = element number, pointer ``/N``), an
  object is one item with ``line`` 0 (the whole document: the converter looks
  inside packages itself and numbers what it finds there);
- a larger document: streamed with ijson; a top-level array item by item, an
  object through the first of ``array_keys`` that holds an array
  (``/releases/N``, ``container`` says which key).

Memory stays bounded by the largest single record, whatever the file size, and
the input limits (:mod:`loaders.limits`) hold while the bytes stream: nesting
deeper than ``UMBRELLA_MAX_DEPTH`` refuses a document (:mod:`loaders.standards.jsonguard`
checks the bytes before they are parsed) or sets one JSON line aside; a line of a
JSON-lines file longer than ``UMBRELLA_MAX_LINE_BYTES`` is set aside without being
kept in memory, and a streamed document refuses a record larger than that; a
``.gz`` source that inflates more than ``UMBRELLA_MAX_RATIO`` times (a gzip bomb) is
refused as it streams. A record holding a lone surrogate (``"\\udfff"``, which no
UTF-8 text can store) comes back as an item in error. Text must be UTF-8 unless
``encoding`` says otherwise; a file that is not is refused with a hint, never guessed.

Examples
--------
>>> import tempfile
>>> p = Path(tempfile.mkdtemp()) / "r.jsonl"
>>> _ = p.write_text('{"a": 1}\\n\\n{"a": 2}\\n', encoding="utf-8")
>>> [(i.line, i.value) for i in records(p)]
[(1, {'a': 1}), (3, {'a': 2})]
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import ijson  # type: ignore[import-untyped]

from graph.errors import InputError
from lang import _
from loaders.limits import RATIO_GRACE, LimitError, describe, limit, over, raise_hint
from loaders.standards.jsonguard import SURROGATE, Gauge, Guarded, lone_surrogate, too_deep

IN_MEMORY = 32 * 1024 * 1024
_SNIFF = 4 * 1024 * 1024
ByteProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class Item:
    """One record: where it is (line or number, JSON pointer) and its value.

    ``error`` is set instead of ``value`` for a JSON line that does not parse."""

    line: int
    pointer: str
    value: Any
    container: str = ""
    error: str = ""


class _Source:
    """An opened file (gzip-aware) that knows how far it has read in the raw file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.raw = path.open("rb")
        self.total = path.stat().st_size
        self.gz = _is_gzip(path)
        self.fh: IO[bytes] = (gzip.GzipFile(fileobj=self.raw) if self.gz  # type: ignore[assignment]
                              else self.raw)
        self.ratio = limit("ratio")

    def done(self) -> int:
        return self.raw.tell()

    def check_ratio(self) -> None:
        """Refuse a .gz source that inflates beyond the ratio limit (a gzip bomb)."""
        if not self.gz:
            return
        out, packed = self.fh.tell(), max(self.raw.tell(), 1)
        if out > RATIO_GRACE and out > self.ratio * packed:
            raise over("ratio", _("{file}: {packed:,} compressed bytes inflate to more than "
                                  "{size:,} ({times:,} times, as a gzip bomb does), over {limit}")
                       .format(file=self.path, packed=packed, size=out, times=out // packed,
                               limit=describe("ratio")), out // packed + 1)

    def close(self) -> None:
        self.fh.close()
        self.raw.close()


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _head(path: Path, size: int) -> bytes:
    src = _Source(path)
    try:
        data = src.fh.read(size)
        src.check_ratio()
        return data
    except (OSError, EOFError) as exc:
        raise InputError(_("{file}: cannot be read ({error})").format(file=path, error=exc),
                         hint=_("check that the file is complete (a .gz may be truncated)")
                         ) from exc
    finally:
        src.close()


def check_encoding(path: Path, encoding: str | None = None) -> str:
    """The text encoding to read ``path`` with: ``encoding`` if given, else UTF-8.

    Raises :class:`~graph.errors.InputError` when the start of the file is not
    UTF-8 (e.g. an ISO-8859-1 export), naming the byte and suggesting ``--encoding``.
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InputError(_("{file}: unknown encoding {encoding!r}").format(
                file=path, encoding=encoding),
                hint=_("name an encoding such as utf-8, latin-1, gb18030")) from exc
        return encoding
    head = _head(path, _SNIFF)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as err:
        raise InputError(
            _("{file}: byte {n} (0x{byte:02x}) is not UTF-8, as JSON must be: '{before}'")
            .format(file=path, n=err.start + 1, byte=head[err.start],
                    before=head[max(0, err.start - 30):err.start].decode("utf-8", "replace")),
            hint=_("name the file's encoding with --encoding (e.g. --encoding latin-1 for "
                   "ISO-8859-1), or re-save it as UTF-8")) from err
    return "utf-8"


def _first_char(head: bytes) -> str:
    s = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return chr(s[0]) if s else ""


def is_json_lines(path: Path, encoding: str = "utf-8") -> bool:
    """Whether the file holds one JSON value per line (its first line parses alone, or is
    a whole line too deeply nested to parse)."""
    cap = limit("line_bytes")
    head = _head(path, cap + 1)
    if _first_char(head) != "{":
        return False
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)
    if len(first) == 1 and len(head) > cap:
        return False
    try:
        if too_deep(first[0], limit("depth")):
            Gauge(str(path)).feed(first[0])
        json.loads(first[0].decode(encoding))
    except LimitError:
        return len(first) == 2
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def _text(src: _Source, encoding: str) -> IO[Any]:
    if encoding.replace("-", "").lower() in ("utf8", "utf8sig"):
        return src.fh
    return io.TextIOWrapper(src.fh, encoding=encoding)


def _skip_line(src: _Source) -> int:
    """Read to the end of the line without keeping it; how many bytes that was."""
    n = 0
    if not src.gz:  # read in blocks (three times faster than readline) and step back
        while chunk := src.fh.read(1 << 20):
            end = chunk.find(b"\n")
            if end >= 0:
                src.fh.seek(end + 1 - len(chunk), io.SEEK_CUR)
                return n + end + 1
            n += len(chunk)
        return n
    while chunk := src.fh.readline(1 << 20):
        src.check_ratio()
        n += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return n


def _line_item(n: int, raw: bytes, path: Path, encoding: str) -> Item:
    """One JSON line as an item (``error`` set when it is bad, too deep, or holds a lone
    surrogate): the careful way, for lines the quick test in :func:`_lines` let through."""
    try:
        if too_deep(raw, limit("depth")):
            Gauge(path.name, n).feed(raw)
        line = raw.decode(encoding)
        value = json.loads(line.lstrip("\ufeff") if n == 1 else line)
        lone = lone_surrogate(value) if SURROGATE.search(raw) else ""
        return Item(n, "", None, error=lone) if lone else Item(n, "", value)
    except LimitError as err:
        return Item(n, "", None, error=_("{message}; {hint}").format(message=err.message,
                                                                      hint=err.hint))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        return Item(n, "", None, error=_("not valid JSON ({error})").format(error=str(exc)[:200]))


def _lines(src: _Source, encoding: str, progress: ByteProgress | None) -> Iterator[Item]:
    cap, max_depth = limit("line_bytes"), limit("depth")
    readline, loads = src.fh.readline, json.loads
    n = 0
    while raw := readline(cap + 1):
        n += 1
        if n % 256 == 0:
            src.check_ratio()
            if progress and n % 2048 == 0:
                progress(src.done(), src.total)
        if len(raw) > cap and not raw.endswith(b"\n"):
            size = len(raw) + _skip_line(src)
            yield Item(n, "", None, error=_(
                "the line has {n:,} bytes, over {limit}; it was not read; {hint}").format(
                    n=size, limit=describe("line_bytes"), hint=raise_hint("line_bytes", size)))
            continue
        if n == 1 or b"\\ud" in raw or b"\\uD" in raw or \
                raw.count(b"[") + raw.count(b"{") > max_depth:
            if raw.strip():
                yield _line_item(n, raw, src.path, encoding)
            continue
        try:  # the usual line: plain, shallow
            yield Item(n, "", loads(raw.decode(encoding)))
        except (ValueError, UnicodeDecodeError) as exc:
            if raw.strip():
                yield Item(n, "", None, error=_("not valid JSON ({error})").format(
                    error=str(exc)[:200]))


def _top_level(stream: Guarded, array_keys: Sequence[str]) -> tuple[str, str]:
    """``("array", "")``, ``("key", KEY)`` or ``("object", "")`` from the first events."""
    for prefix, event, value in ijson.parse(stream):
        stream.mark()
        if prefix == "" and event == "start_array":
            return "array", ""
        if prefix == "" and event == "map_key" and value in array_keys:
            return "key", str(value)
    return "object", ""


def _stream(path: Path, encoding: str, array_keys: Sequence[str],
            progress: ByteProgress | None) -> Iterator[Item]:
    src = _Source(path)
    try:
        shape, key = _top_level(Guarded(_text(src, encoding), str(path), src.check_ratio),
                                array_keys)
    finally:
        src.close()
    src = _Source(path)
    try:
        stream = Guarded(_text(src, encoding), str(path), src.check_ratio)
        if shape == "object":
            stream.mark("/ (the whole document, one object)")
            yield _checked(Item(0, "", json.loads(stream.read())), True)
            return
        prefix = "item" if shape == "array" else f"{key}.item"
        base = "" if shape == "array" else f"/{key}"
        stream.mark(f"{base}/0")
        for n, value in enumerate(ijson.items(stream, prefix, use_float=True)):
            stream.mark(f"{base}/{n + 1}")
            if progress and n % 500 == 0:
                progress(src.done(), src.total)
            yield _checked(Item(n + 1, f"{base}/{n}", value, key), stream.escapes)
    finally:
        src.close()


def _checked(item: Item, escapes: bool) -> Item:
    """``item``, or an item in error when (``escapes``: the text had surrogate escapes) its
    value holds a lone surrogate, which no store can write."""
    lone = lone_surrogate(item.value) if escapes else ""
    return replace(item, value=None, error=lone) if lone else item


def _document(path: Path, encoding: str) -> tuple[Any, bool]:
    """A document small enough to read whole, its depth checked before it is parsed; and
    whether it has surrogate escapes."""
    data = path.read_bytes()
    text = data.decode(encoding)
    raw = data if encoding.replace("-", "").lower() in ("utf8", "utf8sig") else text.encode()
    if too_deep(raw, limit("depth")):
        Gauge(str(path)).feed(raw)
    return json.loads(text.lstrip("\ufeff")), SURROGATE.search(raw) is not None


def records(path: Path, encoding: str | None = None,
            array_keys: Sequence[str] = ("releases", "records"),
            progress: ByteProgress | None = None) -> Iterator[Item]:
    """The records of a JSON or JSON-lines file (see the module notes).

    Whole-file problems (empty, not JSON, not UTF-8) raise
    :class:`~graph.errors.InputError`; a bad line of a JSON-lines file is an
    :class:`Item` with ``error`` set.
    """
    enc = check_encoding(path, encoding)
    head = _head(path, 64)
    first = _first_char(head) if enc.startswith("utf") else _first_char(
        head.decode(enc, "replace").encode())
    if not first:
        raise InputError(_("{file}: the file is empty").format(file=path),
                         hint=_("delete the file or export it again"))
    if first not in "[{":
        raise InputError(_("{file}: is not JSON (it starts with {start!r})").format(
            file=path, start=first), hint=_("pass a JSON or JSON-lines file, or check --format"))
    try:
        if first == "{" and is_json_lines(path, enc):
            src = _Source(path)
            try:
                yield from _lines(src, enc, progress)
            finally:
                src.close()
        elif path.stat().st_size <= IN_MEMORY and not _is_gzip(path):
            doc, escapes = _document(path, enc)
            if isinstance(doc, list):
                for n, value in enumerate(doc):
                    yield _checked(Item(n + 1, f"/{n}", value), escapes)
            else:
                yield _checked(Item(0, "", doc), escapes)
        else:
            yield from _stream(path, enc, array_keys, progress)
    except (ValueError, ijson.JSONError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise InputError(_("{file}: is not valid JSON ({error})").format(
            file=path, error=str(exc)[:200].strip()),
            hint=_("check that the file is complete, or pass --encoding if it is not UTF-8")
        ) from exc
    except RecursionError as exc:  # the depth gauge should have refused it first
        raise over("depth", _("{file}: JSON nested too deeply to read, over {limit}").format(
            file=path, limit=describe("depth"))) from exc
    if progress:
        progress(path.stat().st_size, path.stat().st_size)
