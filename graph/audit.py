"""The audit trail: who searched, viewed, exported, revealed, triaged or loaded what, when.

An append-only JSON Lines file beside the store (``case.db`` -> ``case.audit.jsonl``),
never inside it: writing an entry takes the trail's own file lock, not the store's,
so a search never waits on a load, and the trail stays readable with any text tool.
Each entry is one line::

    {"n": 3, "at": "2026-12-05T20:31:07Z", "user": "wang", "action": "view",
     "target": "P0001387", "prev": "<hash of entry 2>", "hash": "<hash of this entry>"}

``hash`` is the SHA-256 of the entry's other fields (canonical JSON), ``prev`` the
hash of the entry before (entry 1 chains to :data:`GENESIS`): editing, removing or
reordering an entry breaks the chain where it was done. Whoever can edit the trail
can recompute the whole chain, so the latest hash is also kept apart, in a head file
(``case.audit.head``, anywhere the office chooses), and :func:`verify` compares the
two; the office notes the head down from time to time.

The library raises nothing the reader must translate: :func:`verify` returns a
:class:`Verdict` naming the break's kind and place, and the shell words it.

Examples
--------
>>> import tempfile
>>> trail = Trail.beside(Path(tempfile.mkdtemp()) / "case.db")
>>> trail.path.name, trail.head_path.name
('case.audit.jsonl', 'case.audit.head')
>>> trail.append("view", "P0001387", user="wang").n
1
>>> trail.append("reveal", "P0001387", user="wang").prev == trail.entries()[0].hash
True
>>> verdict = verify(trail)
>>> verdict.ok, verdict.entries, verdict.head == trail.entries()[-1].hash
(True, 2, True)
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from graph.errors import UmbrellaError

#: What an entry may record (``expand``, ``path``, ``screen``: the workbench's canvas;
#: ``save``: an investigation saved, copied or imported; ``decide``, ``merge``, ``unmerge``:
#: match review).
ACTIONS = ("search", "view", "export", "reveal", "triage", "load", "expand", "path", "screen",
           "save", "decide", "merge", "unmerge")
#: The ``prev`` of the first entry.
GENESIS = "0" * 64
#: How a break in the chain is named (:attr:`Break.kind`).
BREAKS = ("unreadable", "edited", "removed", "reordered", "head", "no head")
_FIELDS = ("n", "at", "user", "action", "target", "prev")


class AuditError(UmbrellaError):
    """The audit trail cannot be read or written."""


@dataclass(frozen=True)
class Entry:
    """One line of the trail."""

    n: int
    at: str
    user: str
    action: str
    target: str
    prev: str
    hash: str

    def body(self) -> dict[str, Any]:
        """The fields the hash covers."""
        return {"n": self.n, "at": self.at, "user": self.user, "action": self.action,
                "target": self.target, "prev": self.prev}


def entry_hash(body: dict[str, Any]) -> str:
    """SHA-256 of an entry's fields as canonical JSON (sorted keys, no spaces, UTF-8).

    Examples
    --------
    >>> a = entry_hash({"n": 1, "target": "杨雨", "prev": GENESIS})
    >>> a == entry_hash({"prev": GENESIS, "n": 1, "target": "杨雨"}), len(a)
    (True, 64)
    """
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_user() -> str:
    """The operating system's name of the user running this (``getpass.getuser``)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container), no USER variable
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def _locked(fh: IO[bytes]) -> Iterator[None]:
    """Hold an exclusive lock on an open file (every appender takes the same one)."""
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
        try:
            yield
        finally:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _parse(line: bytes) -> Entry:
    """An entry from its line; ``ValueError`` when it is no entry."""
    data = json.loads(line.decode("utf-8"))
    if not isinstance(data, dict) or set(data) != {*_FIELDS, "hash"}:
        raise ValueError("not an entry")
    if not isinstance(data["n"], int) or not all(
            isinstance(data[k], str) for k in (*_FIELDS[1:], "hash")):
        raise ValueError("not an entry")
    return Entry(**data)


def _last_line(fh: IO[bytes]) -> bytes:
    """The file's last non-empty line (read from the end)."""
    end = fh.seek(0, os.SEEK_END)
    size = 4096
    while True:
        start = max(0, end - size)
        fh.seek(start)
        chunk = fh.read(end - start).rstrip(b"\n")
        if b"\n" in chunk or start == 0:
            return chunk.rsplit(b"\n", 1)[-1]
        size *= 4


@dataclass(frozen=True)
class Head:
    """What the head file holds: the number and hash of the latest entry."""

    n: int
    hash: str


@dataclass(frozen=True)
class Trail:
    """An audit trail file and its head file."""

    path: Path
    head_path: Path

    @classmethod
    def beside(cls, db: str | Path, head: str | Path | None = None) -> Trail:
        """The trail of a database file: ``NAME.audit.jsonl`` beside it, its head
        ``NAME.audit.head`` beside it too unless ``head`` names another place."""
        db = Path(db)
        path = db.with_name(db.stem + ".audit.jsonl")
        return cls(path, Path(head) if head else db.with_name(db.stem + ".audit.head"))

    def append(self, action: str, target: str, user: str | None = None) -> Entry:
        """Append one entry (chained to the last), then move the head to it.

        Two processes appending at once take turns on the trail's lock, so each
        entry chains to the one written just before it.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        try:
            with open(self.path, "ab+") as fh, _locked(fh):
                last = _last_line(fh)
                if last:
                    before = _parse(last)
                    n, prev = before.n + 1, before.hash
                else:
                    n, prev = 1, GENESIS
                draft = Entry(n, _now(), user or current_user(), action, target, prev, "")
                body = draft.body()
                entry = Entry(**{**body, "hash": entry_hash(body)})
                line = json.dumps({**body, "hash": entry.hash}, ensure_ascii=False)
                fh.seek(0, os.SEEK_END)
                fh.write(line.encode("utf-8") + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
                self._write_head(Head(entry.n, entry.hash))
        except ValueError as err:
            raise AuditError(f"{self.path}: last line is no audit entry",
                             hint="umbrella audit verify") from err
        except OSError as err:
            raise AuditError(f"{self.path}: {err.strerror or err}") from err
        return entry

    def _write_head(self, head: Head) -> None:
        self.head_path.parent.mkdir(parents=True, exist_ok=True)
        part = self.head_path.with_name(self.head_path.name + ".part")
        part.write_text(f"{head.n} {head.hash}\n", encoding="ascii")
        os.replace(part, self.head_path)

    def head(self) -> Head | None:
        """The head file's latest entry, or None when there is no (readable) head file."""
        try:
            n, value = self.head_path.read_text(encoding="ascii").split()
            return Head(int(n), value)
        except (OSError, ValueError, UnicodeDecodeError):
            return None

    def lines(self) -> list[bytes]:
        """The trail's lines as stored (none when there is no trail yet)."""
        try:
            return [line for line in self.path.read_bytes().split(b"\n") if line.strip()]
        except FileNotFoundError:
            return []

    def entries(self) -> list[Entry]:
        """Every entry, in file order; :class:`AuditError` on a line that is no entry."""
        out = []
        for i, line in enumerate(self.lines(), 1):
            try:
                out.append(_parse(line))
            except ValueError as err:
                raise AuditError(f"{self.path}: line {i} is no audit entry",
                                 hint="umbrella audit verify") from err
        return out


@dataclass(frozen=True)
class Break:
    """Where and how the chain breaks: ``line`` the line of the trail (1 = first),
    ``n`` the entry number found there, or expected there (``removed``: the first one
    missing; ``head``: the head's), ``kind`` one of :data:`BREAKS`."""

    kind: str
    line: int
    n: int


@dataclass(frozen=True)
class Verdict:
    """What :func:`verify` found: ``entries`` read, ``head`` the latest hash of the
    trail (to note down), ``noted`` the head file's, and the first ``broken`` place."""

    entries: int
    head: str
    noted: Head | None
    broken: Break | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(trail: Trail) -> Verdict:
    """Check the chain line by line, then the head file against its end.

    Names the first break: a line that is no entry (``unreadable``), an entry whose
    fields no longer give its hash or whose ``prev`` is not the hash of the entry
    before (``edited``), a missing number (``removed``), a number out of turn
    (``reordered``), and a chain whole in itself whose end is not the head file's
    (``head``: the chain was recomputed, or entries were cut off its end).

    Examples
    --------
    >>> import tempfile
    >>> trail = Trail.beside(Path(tempfile.mkdtemp()) / "c.db")
    >>> for who in ("li", "wang", "zhao"):
    ...     _ = trail.append("view", "P1", user=who)
    >>> lines = trail.path.read_text(encoding="utf-8").splitlines()
    >>> _ = trail.path.write_text(lines[0] + "\\n" + lines[2] + "\\n", encoding="utf-8")
    >>> verify(trail).broken
    Break(kind='removed', line=2, n=2)
    """
    lines = trail.lines()
    noted = trail.head()
    parsed: list[Entry | None] = []
    for line in lines:
        try:
            parsed.append(_parse(line))
        except ValueError:
            parsed.append(None)
    later = [{e.n for e in parsed[i + 1:] if e is not None} for i in range(len(parsed))]
    prev, expected, last = GENESIS, 1, GENESIS
    for i, entry in enumerate(parsed):
        where = i + 1
        if entry is None:
            return Verdict(len(lines), last, noted, Break("unreadable", where, expected))
        if entry.n != expected:
            if entry.n < expected or expected in later[i]:
                return Verdict(len(lines), last, noted, Break("reordered", where, entry.n))
            return Verdict(len(lines), last, noted, Break("removed", where, expected))
        if entry_hash(entry.body()) != entry.hash:
            return Verdict(len(lines), last, noted, Break("edited", where, entry.n))
        if entry.prev != prev:
            # this entry's own hash holds: the one before was edited and rehashed
            return Verdict(len(lines), last, noted, Break("edited", where - 1, entry.n - 1))
        prev, expected, last = entry.hash, expected + 1, entry.hash
    count = len(parsed)
    if noted is None:
        return Verdict(count, last, noted, Break("no head", count, count) if count else None)
    if noted.n != count or noted.hash != last:
        return Verdict(count, last, noted, Break("head", count, noted.n))
    return Verdict(count, last, noted)
