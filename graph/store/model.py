"""Records that cross the store boundary: entities, relations, provenance.

Relations are records first ("intervals are not edges"): each keeps its
dates, its properties and every source row that asserted it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graph.schema import EVENT_TYPES


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A row of an input file: path, physical line, table and the row's own id."""

    file: str
    line: int
    table: str = ""
    source_id: str = ""

    def short(self) -> str:
        """``persons.csv:12`` style reference.

        Examples
        --------
        >>> SourceRef("/data/county/persons.csv", 12).short()
        'persons.csv:12'
        """
        return f"{self.file.replace(chr(92), '/').rsplit('/', 1)[-1]}:{self.line}"


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """A node to write: canonical key, kind, display name and properties."""

    key: str
    kind: str
    name: str
    props: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AliasRecord:
    """A source id (as written in an input table) resolved to an entity key."""

    table: str
    source_id: str
    key: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A relationship record with dates, properties and one source row."""

    id: str
    type: str
    src: str
    dst: str
    start: str | None
    end: str | None
    props: dict[str, Any]
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class SetAsideRecord:
    """A row that was not loaded, with where it is, why, and the load that set it aside
    (``load`` 0: not yet numbered, or set aside before loads were numbered on their rows)."""

    file: str
    line: int
    table: str
    column: str
    code: str
    message: str
    row: dict[str, str] = field(default_factory=dict)
    load: int = 0


#: States of a load that started and did not finish (see :class:`LoadRun`).
RUN_STATES = ("running", "interrupted", "failed")


@dataclass(frozen=True, slots=True)
class LoadRun:
    """A load that started and has not finished: who runs it, or how it stopped.

    ``state`` is ``running`` (its process is alive, or on another host and so taken as
    alive), ``interrupted`` (its process is gone: killed, crashed, machine restarted) or
    ``failed`` (it stopped on an error). ``chunks`` counts the transactions it wrote:
    0 means the database holds nothing of it. ``command`` is how it was started (to run
    it again), ``started`` its start (UTC, ``YYYY-MM-DD HH:MM:SS``).

    Examples
    --------
    >>> run = LoadRun(3, "/d/county", "umbrella load /d/county", "2024-05-01 06:05:00",
    ...               412, "laptop", "running", 0)
    >>> run.wrote_anything
    False
    """

    id: int
    source: str
    command: str
    started: str
    pid: int
    host: str
    state: str
    chunks: int
    error: str = ""

    @property
    def wrote_anything(self) -> bool:
        """Whether the database may hold part of this load."""
        return self.chunks > 0


@dataclass(frozen=True)
class Entity:
    """A node as read back: with every source id that resolved to it."""

    key: str
    kind: str
    name: str
    props: dict[str, Any]
    sources: tuple[SourceRef, ...] = ()

    @property
    def source_ids(self) -> list[str]:
        """Distinct input ids of this entity, in a stable order."""
        return sorted({s.source_id for s in self.sources if s.source_id})


@dataclass(frozen=True)
class Relation:
    """A relationship as read back, with all its source rows."""

    id: str
    type: str
    src: str
    dst: str
    start: str | None
    end: str | None
    props: dict[str, Any]
    sources: tuple[SourceRef, ...] = ()

    def in_force(self, on: str) -> bool:
        """True when ISO date ``on`` lies within [start, end] (blank = open).

        Examples
        --------
        >>> r = Relation("x", "KIN", "a", "b", "2019-01-01", None, {})
        >>> r.in_force("2020-05-01"), r.in_force("2018-12-31")
        (True, False)
        """
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


class Tie(NamedTuple):
    """A relationship record seen from one of its ends, for path searches.

    Examples
    --------
    >>> Tie("p:1", "o:2", "HOLDS_POST", "r:HOLDS_POST:9").other
    'o:2'
    """

    key: str
    other: str
    type: str
    rid: str


def tie_in_force(type_: str, start: str | None, end: str | None, on: str | None) -> bool:
    """Whether a record counts as of ``on``: an event (:data:`graph.schema.EVENT_TYPES`)
    when dated on or before it, a tie when its interval holds that day; all when None.

    Examples
    --------
    >>> tie_in_force("PAID", "2019-05-01", None, "2020-01-01")
    True
    >>> tie_in_force("HOLDS_POST", "2015-01-01", "2018-12-31", "2020-01-01")
    False
    """
    if on is None:
        return True
    if start is not None and on < start:
        return False
    return type_ in EVENT_TYPES or end is None or on <= end


def relation_id(type_: str, src: str, dst: str, start: str | None, end: str | None,
                *identity: object) -> str:
    """Deterministic id of a relationship record: same facts, same id.

    Examples
    --------
    >>> rid = relation_id("KIN", "p:1", "p:2", None, None, "spouse")
    >>> rid.startswith("r:KIN:"), rid == relation_id("KIN", "p:1", "p:2", None, None, "spouse")
    (True, True)
    """
    text = "\x1f".join([type_, src, dst, start or "", end or "", *map(str, identity)])
    return f"r:{type_}:{hashlib.blake2b(text.encode(), digest_size=8).hexdigest()}"
