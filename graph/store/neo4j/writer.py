"""Writes to Neo4j: buffered while the loader works, sent in batches on a clean exit.

An error inside ``with store.writer()`` sends nothing (as with the embedded
store). The writes themselves are ``UNWIND $rows MERGE`` batches, each its own
transaction: a load interrupted half-way (server gone, network cut) can be run
again and adds no duplicates, because every node, source id, record and source
row is merged on its identity.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import pandas as pd

from graph.store.model import AliasRecord, EntityRecord, RelationRecord, SetAsideRecord
from graph.store.neo4j import cypher
from graph.store.neo4j.connection import Connection, Row

Step = Callable[[], None]


def _clean(props: dict[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    """Properties Neo4j can hold: no nulls, no maps; reserved names suffixed."""
    out: dict[str, Any] = {}
    for k, v in props.items():
        if v is None or (isinstance(v, float) and v != v):
            continue
        if isinstance(v, dict):
            v = json.dumps(v, ensure_ascii=False, sort_keys=True)
        out[k + cypher.RESERVED_SUFFIX if k in reserved else k] = v
    return out


def source_text(file: str, line: int) -> str:
    """How a source row is kept on a relationship: ``file:line``.

    Examples
    --------
    >>> source_text("/d/relationships.csv", 12)
    '/d/relationships.csv:12'
    """
    return f"{file}:{int(line)}"


class Neo4jWriter:
    """Collects writes; on a clean exit sends them in batches (nodes before ties)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._steps: list[tuple[int, Step]] = []
        self._next_load: int | None = None

    def __enter__(self) -> Neo4jWriter:
        self._steps = []
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        steps, self._steps = self._steps, []
        if exc_type is None:
            for _, step in sorted(steps, key=lambda s: s[0]):
                step()

    _STAGES = ("entities", "aliases", "relations", "set_aside", "findings", "loads")

    def _add(self, stage: str, step: Step) -> None:
        """Queue ``step``; nodes go before the ties that need them, whatever the call order."""
        self._steps.append((self._STAGES.index(stage), step))

    def _rows_step(self, query: str, rows: list[Row], expect: bool = False) -> Step:
        def step() -> None:
            self._conn.write_rows(query, rows, expect=expect)
        return step

    # --- nodes ---------------------------------------------------------------------------

    def write_entities(self, frame: pd.DataFrame) -> None:
        """Bulk insert nodes from columns key, kind, name, props (JSON text)."""
        self.put_entities(EntityRecord(k, kd, n, json.loads(p)) for k, kd, n, p in zip(
            frame["key"], frame["kind"], frame["name"], frame["props"], strict=True))

    def put_entities(self, records: Iterable[EntityRecord]) -> None:
        """Insert nodes; an existing node keeps its values and gains missing ones."""
        by_kind: dict[str, dict[str, Row]] = {}
        for r in records:
            rows = by_kind.setdefault(r.kind, {})
            if r.key not in rows:
                rows[r.key] = {"key": r.key, "name": r.name,
                               "props": _clean(r.props, cypher.NODE_RESERVED)}
        for kind, rows in sorted(by_kind.items()):
            query = cypher.merge_entities(kind)
            batch = list(rows.values())
            self._add("entities", self._rows_step(query, batch))

    def write_aliases(self, frame: pd.DataFrame) -> None:
        """Bulk insert source ids from columns table, source_id, key, file, line."""
        self.put_aliases(AliasRecord(t, s, k, f, int(n)) for t, s, k, f, n in zip(
            frame["table"], frame["source_id"], frame["key"], frame["file"], frame["line"],
            strict=True))

    def put_aliases(self, records: Iterable[AliasRecord]) -> None:
        """Record which entity each source id resolved to (the first record wins)."""
        rows: dict[str, Row] = {}
        for r in records:
            uid = f"{r.table}\x1f{r.source_id}"
            rows.setdefault(uid, {"uid": uid, "table": r.table, "source_id": r.source_id,
                                  "key": r.key, "file": r.file, "line": int(r.line)})
        batch = list(rows.values())
        self._add("aliases", self._rows_step(cypher.MERGE_ALIASES, batch))

    # --- relationship records ------------------------------------------------------------

    def write_relations(self, frame: pd.DataFrame) -> None:
        """Bulk insert records from columns id, type, src, dst, start, end, props (JSON
        text), file, line; a known record only gains the new source rows."""
        def none(v: Any) -> Any:
            return None if v is None or (isinstance(v, float) and v != v) else v

        self.put_relations(
            RelationRecord(i, t, s, d, none(a), none(b), json.loads(p), f, int(n))
            for i, t, s, d, a, b, p, f, n in zip(
                frame["id"], frame["type"], frame["src"], frame["dst"], frame["start"],
                frame["end"], frame["props"], frame["file"], frame["line"], strict=True))

    def put_relations(self, records: Iterable[RelationRecord]) -> None:
        """Insert relationship records; a known record only gains the new source rows."""
        ordered = sorted(records, key=lambda r: (r.id, r.file, r.line))
        by_type: dict[str, dict[str, Row]] = {}
        for r in ordered:
            rows = by_type.setdefault(r.type, {})
            row = rows.get(r.id)
            if row is None:
                rows[r.id] = {"id": r.id, "src": r.src, "dst": r.dst, "start": r.start,
                              "end": r.end, "props": _clean(r.props, cypher.REL_RESERVED),
                              "sources": [source_text(r.file, r.line)]}
            elif (src := source_text(r.file, r.line)) not in row["sources"]:
                row["sources"].append(src)
        for type_, rows in sorted(by_type.items()):
            query = cypher.merge_relations(type_)
            batch = list(rows.values())
            self._add("relations", self._rows_step(query, batch, expect=True))

    # --- bookkeeping ---------------------------------------------------------------------

    def put_set_aside(self, records: Iterable[SetAsideRecord]) -> None:
        """Keep rows that were not loaded (same file and line replaces the old entry)."""
        batch = [{"uid": f"{r.file}\x1f{r.line}", "file": r.file, "line": r.line,
                  "table": r.table, "column": r.column, "code": r.code, "message": r.message,
                  "row": json.dumps(r.row, ensure_ascii=False, sort_keys=True)}
                 for r in records]
        self._add("set_aside", self._rows_step(cypher.MERGE_SET_ASIDE, batch))

    def replace_findings(self, findings: list[dict[str, Any]], rules: list[str]) -> None:
        """Replace the stored findings of ``rules`` (each dict carries id, rule, category,
        score and ``keys``, the entities it is about)."""
        rows = [{"id": f["id"], "rule": f["rule"], "category": f["category"],
                 "score": float(f["score"]), "keys": list(f.get("keys", ())),
                 "body": json.dumps(f, ensure_ascii=False, sort_keys=True)} for f in findings]

        def step() -> None:
            self._conn.write(cypher.DELETE_FINDINGS, rules=list(rules))
            self._conn.write_rows(cypher.MERGE_FINDINGS, rows)
        self._add("findings", step)

    def log_load(self, source: str, report: dict[str, Any]) -> int:
        """Append to the audit log; returns the load number."""
        if self._next_load is None:
            self._next_load = int(self._conn.read(cypher.NEXT_LOAD)[0]["next"])
        number = self._next_load
        self._next_load += 1
        at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        text = json.dumps(report, ensure_ascii=False, sort_keys=True)

        def step() -> None:
            self._conn.write(cypher.CREATE_LOAD, id=number, at=at, source=source, report=text)
        self._add("loads", step)
        return number
