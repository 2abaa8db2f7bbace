"""Reads from Neo4j: the same :class:`~graph.store.protocol.StoreView` the rules use."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pandas as pd

from graph.schema import EVENT_TYPES, REL_TYPES, REL_WEIGHT
from graph.store.base import BaseView
from graph.store.model import AliasRecord, Entity, LoadRun, Relation, SetAsideRecord, SourceRef, Tie
from graph.store.neo4j import cypher
from graph.store.neo4j.connection import Connection, Row
from graph.store.runs import run_state

_KIND_LABELS = sorted(cypher.KIND_LABELS)
_TYPES = sorted(REL_TYPES)
_EVENTS = sorted(EVENT_TYPES)
#: Keys or ids per round trip of the batched reads (one parameter list each).
_CHUNK = 1000


def _chunks(items: list[str]) -> Iterator[list[str]]:
    """``items`` in lists of at most :data:`_CHUNK`.

    >>> [len(c) for c in _chunks(["x"] * 2500)]
    [1000, 1000, 500]
    """
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def parse_source(text: str) -> SourceRef:
    """``file:line`` back to a :class:`SourceRef`.

    Examples
    --------
    >>> parse_source("C:/data/relationships.csv:12")
    SourceRef(file='C:/data/relationships.csv', line=12, table='', source_id='')
    """
    file, _, line = text.rpartition(":")
    return SourceRef(file, int(line))


def _props(props: dict[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    out = {k: v for k, v in props.items() if k not in reserved}
    for k in [k for k in out if k.endswith(cypher.RESERVED_SUFFIX)]:
        base = k[: -len(cypher.RESERVED_SUFFIX)]
        if base in reserved:
            out[base] = out.pop(k)
    return out


def _ids_by_type(ids: Iterable[str]) -> dict[str, list[str]]:
    """Record ids (``r:TYPE:hash``) grouped by their schema type; others left out.

    Examples
    --------
    >>> _ids_by_type(["r:KIN:1", "r:BID:2", "r:KIN:3", "r:DROP TABLE:4", "x"])
    {'KIN': ['r:KIN:1', 'r:KIN:3'], 'BID': ['r:BID:2']}
    """
    by_type: dict[str, list[str]] = {}
    for rid in dict.fromkeys(ids):
        parts = rid.split(":")
        if len(parts) >= 3 and parts[1] in REL_TYPES:
            by_type.setdefault(parts[1], []).append(rid)
    return by_type


class Neo4jView(BaseView):
    """Read view over a Neo4j database written by :class:`~graph.store.neo4j.Neo4jStore`."""

    def __init__(self, conn: Connection, salt: str) -> None:
        self._conn = conn
        self._salt = salt

    def key_salt(self) -> str:
        return self._salt

    def counts_by_kind(self) -> dict[str, int]:
        rows = self._conn.read(cypher.COUNT_KINDS, kinds=_KIND_LABELS)
        return {cypher.KIND_LABELS[r["kind"]]: int(r["n"]) for r in rows if r["kind"]}

    def counts_by_type(self) -> dict[str, int]:
        rows = self._conn.read(cypher.COUNT_TYPES, types=_TYPES)
        return {str(r["type"]): int(r["n"]) for r in rows}

    def _entity(self, row: Row, sources: list[SourceRef]) -> Entity:
        return Entity(str(row["key"]), cypher.KIND_LABELS[row["kind"]], str(row["name"]),
                      _props(row["props"], cypher.NODE_RESERVED), tuple(sources))

    def get(self, key: str) -> Entity | None:
        rows = self._conn.read(cypher.GET_ENTITY, key=key, kinds=_KIND_LABELS)
        if not rows:
            return None
        return self._entity(rows[0], self._sources(cypher.ENTITY_SOURCES, keys=[key]).get(key, []))

    def entities_by_key(self, keys: Sequence[str]) -> dict[str, Entity]:
        wanted = list(dict.fromkeys(keys))
        rows = self._conn.read(cypher.GET_ENTITIES, keys=wanted, kinds=_KIND_LABELS)
        sources = self._sources(cypher.ENTITY_SOURCES, keys=wanted)
        found = {str(r["key"]): self._entity(r, sources.get(str(r["key"]), [])) for r in rows}
        return {k: found[k] for k in wanted if k in found}

    @staticmethod
    def _claims(rows: list[Row]) -> list[AliasRecord]:
        return [AliasRecord(str(r["table"]), str(r["source_id"]), str(r["key"]), str(r["file"]),
                            int(r["line"])) for r in rows]

    def claims(self, source_id: str | None = None,
               table: str | None = None) -> list[AliasRecord]:
        if source_id is None:
            return self._claims(self._conn.read(cypher.CLAIMS, table=table))
        return self._claims(self._conn.read(cypher.CLAIMS_OF, source_id=source_id, table=table))

    def collisions(self) -> dict[tuple[str, str], list[AliasRecord]]:
        out: dict[tuple[str, str], list[AliasRecord]] = {}
        for c in self._claims(self._conn.read(cypher.COLLISIONS)):
            out.setdefault((c.table, c.source_id), []).append(c)
        return out

    def aliases(self) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        twice: set[tuple[str, str]] = set()
        for r in self._conn.read(cypher.ALIASES):
            at = (str(r["table"]), str(r["source_id"]))
            if at in out and out[at] != str(r["key"]):
                twice.add(at)
            out[at] = str(r["key"])
        for at in twice:
            del out[at]
        return out

    def entities(self, kind: str | None = None) -> Iterator[Entity]:
        rows = self._conn.read(cypher.entities(kind), kinds=_KIND_LABELS)
        sources = self.entity_sources()
        for row in rows:
            yield self._entity(row, sources.get(str(row["key"]), []))

    def _relations(self, rows: list[Row]) -> list[Relation]:
        return [Relation(str(r["id"]), str(r["type"]), str(r["src"]), str(r["dst"]),
                         r["start"], r["end"], _props(r["props"], cypher.REL_RESERVED),
                         tuple(sorted((parse_source(s) for s in r["sources"] or ()),
                                      key=lambda s: (s.file, s.line))))
                for r in rows]

    def relations(self, types: Iterable[str] | None = None) -> Iterator[Relation]:
        wanted = sorted(set(types)) if types is not None else _TYPES
        if not wanted:
            return iter(())
        return iter(self._relations(self._conn.read(cypher.relations(wanted))))

    def relations_by_id(self, ids: Iterable[str]) -> dict[str, Relation]:
        wanted = list(dict.fromkeys(ids))
        by_type = _ids_by_type(wanted)
        out: dict[str, Relation] = {}
        for type_, typed in sorted(by_type.items()):
            for chunk in _chunks(typed):
                rows = self._conn.read(cypher.relations_by_id(type_), ids=chunk)
                out.update((r.id, r) for r in self._relations(rows))
        # ids not made by relation_id (no type in them): looked for among every type
        typed_ids = {rid for typed in by_type.values() for rid in typed}
        for chunk in _chunks([rid for rid in wanted if rid not in typed_ids]):
            rows = self._conn.read(cypher.RELATIONS_BY_ANY_ID, ids=chunk, types=_TYPES)
            out.update((r.id, r) for r in self._relations(rows))
        return out

    def ties(self, keys: Sequence[str], on: str | None = None) -> list[Tie]:
        out: list[Tie] = []
        for chunk in _chunks(list(dict.fromkeys(keys))):
            rows = self._conn.read(cypher.TIES, keys=chunk, types=_TYPES, events=_EVENTS, on=on)
            out.extend(Tie(str(r["key"]), str(r["other"]), str(r["type"]), str(r["rid"]))
                       for r in rows)
        return out

    def tie_degrees(self, keys: Sequence[str], on: str | None = None) -> dict[str, int]:
        wanted = list(dict.fromkeys(keys))
        out = dict.fromkeys(wanted, 0)
        for chunk in _chunks(wanted):
            rows = self._conn.read(cypher.TIE_DEGREES, keys=chunk, types=_TYPES, events=_EVENTS,
                                   on=on)
            out.update((str(r["key"]), int(r["degree"])) for r in rows)
        return out

    def entity_names(self, kind: str) -> dict[str, str]:
        rows = self._conn.read(cypher.entity_names(kind))
        return {str(r["key"]): str(r["name"]) for r in rows}

    def entities_frame(self, kind: str) -> pd.DataFrame:
        rows = self._conn.read(cypher.entities(kind), kinds=_KIND_LABELS)
        base = pd.DataFrame({"key": [r["key"] for r in rows], "name": [r["name"] for r in rows]})
        props = pd.DataFrame.from_records(
            [_props(r["props"], cypher.NODE_RESERVED) for r in rows], index=base.index)
        return pd.concat([base, props.drop(columns=["name"], errors="ignore")], axis=1)

    def relations_frame(self, type_: str) -> pd.DataFrame:
        props = list(REL_TYPES[type_].props)
        rows = self._conn.read(cypher.relations_frame(type_))
        quoted = [cypher.prop(type_, p).strip("`") for p in props]
        files, lines = [], []
        for r in rows:
            ref = parse_source(r["source"]) if r["source"] else None
            files.append(ref.file if ref else None)
            lines.append(ref.line if ref else None)
        data: dict[str, list[Any]] = {c: [r[c] for r in rows]
                                      for c in ("id", "src", "dst", "start", "end")}
        data["file"], data["line"] = files, lines
        for p, q in zip(props, quoted, strict=True):
            data[p] = [r[q] for r in rows]
        data[REL_WEIGHT] = [r[REL_WEIGHT] for r in rows]
        return pd.DataFrame(data, columns=["id", "src", "dst", "start", "end", "file", "line",
                                           *props, REL_WEIGHT])

    def entity_sources(self) -> dict[str, list[SourceRef]]:
        return self._sources(cypher.ALL_ENTITY_SOURCES)

    def _sources(self, query: str, **params: Any) -> dict[str, list[SourceRef]]:
        out: dict[str, list[SourceRef]] = {}
        for r in self._conn.read(query, **params):
            out.setdefault(str(r["key"]), []).append(
                SourceRef(str(r["file"]), int(r["line"]), str(r["table"]),
                          str(r["source_id"])))
        return out

    def findings(self, key: str | None = None) -> list[dict[str, Any]]:
        rows = (self._conn.read(cypher.FINDINGS) if key is None
                else self._conn.read(cypher.FINDINGS_OF, key=key))
        return [json.loads(r["body"]) for r in rows]

    def finding(self, finding_id: str) -> dict[str, Any] | None:
        rows = self._conn.read(cypher.FINDING, id=finding_id)
        return json.loads(rows[0]["body"]) if rows else None

    def set_aside(self, load: int | None = None) -> list[SetAsideRecord]:
        return [SetAsideRecord(str(r["file"]), int(r["line"]), str(r["table"]),
                               str(r["column"]), str(r["code"]), str(r["message"]),
                               json.loads(r["row"]), int(r["load"]))
                for r in self._conn.read(cypher.SET_ASIDE_ROWS, load=load)]

    def loads(self) -> list[dict[str, Any]]:
        return [{"id": int(r["id"]), "at": r["at"], "source": r["source"],
                 "report": json.loads(r["report"])} for r in self._conn.read(cypher.LOADS)]

    def load_runs(self) -> list[LoadRun]:
        return [load_run(r) for r in self._conn.read(cypher.LOAD_RUNS)]


def load_run(r: Row) -> LoadRun:
    """A row of :data:`~graph.store.neo4j.cypher.RUN_COLUMNS` as a :class:`LoadRun`."""
    return LoadRun(int(r["id"]), str(r["source"] or ""), str(r["command"]), str(r["started"]),
                   int(r["pid"]), str(r["host"]),
                   run_state(str(r["state"]), int(r["pid"]), str(r["host"]), str(r["token"])),
                   int(r["chunks"]), str(r["error"]))

