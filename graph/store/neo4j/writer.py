"""Writes to Neo4j: buffered while the loader works, sent in batches on a clean exit.

An error inside ``with store.writer()`` sends nothing (as with the embedded
store). The writes themselves are ``UNWIND $rows MERGE`` batches, each its own
transaction: a load interrupted half-way (server gone, network cut) can be run
again and adds no duplicates, because every node, source id, record and source
row is merged on its identity.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd

from graph.store.base import BaseWriter, FindingRow, SetAsideRow, unstored_set_aside
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


def _none(value: Any) -> Any:
    """None for a blank cell (None or NaN)."""
    return None if value is None or (isinstance(value, float) and value != value) else value


class Neo4jWriter(BaseWriter):
    """Collects writes; on a clean exit sends them in batches (nodes before ties)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._steps: list[tuple[int, Step]] = []
        self._next_load: int | None = None

    def _begin(self) -> None:
        self._steps = []

    def _commit(self) -> None:
        steps, self._steps = self._steps, []
        for _, step in sorted(steps, key=lambda s: s[0]):
            step()

    def _rollback(self) -> None:
        self._steps = []

    _STAGES = ("progress", "entities", "aliases", "relations", "set_aside", "findings", "loads")

    def _add(self, stage: str, step: Step) -> None:
        """Queue ``step``; nodes go before the ties that need them, whatever the call order."""
        self._steps.append((self._STAGES.index(stage), step))

    def _rows_step(self, query: str, rows: list[Row], expect: bool = False) -> Step:
        def step() -> None:
            self._conn.write_rows(query, rows, expect=expect)
        return step

    # --- nodes ---------------------------------------------------------------------------

    def _write_entities(self, frame: pd.DataFrame) -> None:
        by_kind: dict[str, dict[str, Row]] = {}
        for key, kind, name, text in zip(frame["key"], frame["kind"], frame["name"],
                                         frame["props"], strict=True):
            rows = by_kind.setdefault(kind, {})
            props = _clean(json.loads(text), cypher.NODE_RESERVED)
            if key not in rows:
                rows[key] = {"key": key, "name": name, "props": props}
            else:  # the first row's values win, later rows fill gaps
                rows[key]["props"] = {**props, **rows[key]["props"]}
        for kind, rows in sorted(by_kind.items()):
            self._add("entities", self._rows_step(cypher.merge_entities(kind),
                                                  list(rows.values())))

    def _write_aliases(self, frame: pd.DataFrame) -> None:
        rows: dict[str, Row] = {}
        for table, sid, key, file, line in zip(frame["table"], frame["source_id"], frame["key"],
                                               frame["file"], frame["line"], strict=True):
            uid = f"{table}\x1f{sid}\x1f{key}"
            if uid not in rows:  # the first row wins
                rows[uid] = {"uid": uid, "table": table, "source_id": sid, "key": key,
                             "file": file, "line": int(line)}
        self._add("aliases", self._rows_step(cypher.MERGE_ALIASES, list(rows.values())))

    # --- relationship records ------------------------------------------------------------

    def _write_relations(self, frame: pd.DataFrame) -> None:
        cols = [frame[c].tolist() for c in ("id", "type", "src", "dst", "start", "end", "props",
                                            "file", "line")]
        order = sorted(range(len(frame)), key=lambda i: (cols[0][i], cols[7][i], cols[8][i]))
        by_type: dict[str, dict[str, Row]] = {}
        for i in order:
            rid, type_, src, dst, start, end, props, file, line = (c[i] for c in cols)
            rows = by_type.setdefault(type_, {})
            row = rows.get(rid)
            if row is None:
                rows[rid] = {"id": rid, "src": src, "dst": dst, "start": _none(start),
                             "end": _none(end),
                             "props": _clean(json.loads(props), cypher.REL_RESERVED),
                             "sources": [source_text(file, line)]}
            elif (text := source_text(file, line)) not in row["sources"]:
                row["sources"].append(text)
        for type_, rows in sorted(by_type.items()):
            self._add("relations", self._rows_step(cypher.merge_relations(type_),
                                                   list(rows.values()), expect=True))

    # --- bookkeeping ---------------------------------------------------------------------

    def _write_set_aside(self, rows: list[SetAsideRow]) -> None:
        ats = list(dict.fromkeys(f"{r.load}\x1f{r.file}\x1f{r.line}" for r in rows))

        def step() -> None:  # read when the write runs: after the earlier writes' rows
            stored = [SetAsideRow(int(s["load"]), str(s["file"]), int(s["line"]),
                                  int(s["seq"]), str(s["table"]), str(s["column"]),
                                  str(s["code"]), str(s["message"]), str(s["row"]))
                      for i in range(0, len(ats), 200)
                      for s in self._conn.read(cypher.SET_ASIDE_AT, ats=ats[i:i + 200])]
            batch = [{"uid": f"{r.load}\x1f{r.file}\x1f{r.line}\x1f{r.seq}",
                      "at": f"{r.load}\x1f{r.file}\x1f{r.line}", **r._asdict()}
                     for r in unstored_set_aside(rows, stored)]
            self._conn.write_rows(cypher.MERGE_SET_ASIDE, batch)
        self._add("set_aside", step)

    def _replace_findings(self, rows: list[FindingRow], rules: list[str]) -> None:
        batch = [{**f._asdict(), "keys": list(f.keys)} for f in rows]

        def step() -> None:
            self._conn.write(cypher.DELETE_FINDINGS, rules=rules)
            self._conn.write_rows(cypher.MERGE_FINDINGS, batch)
        self._add("findings", step)

    def _log_load(self, source: str, at: str, report: str, load: int | None) -> int:
        if load is not None:
            def finish() -> None:
                if not self._conn.write(cypher.FINISH_LOAD, id=load, at=at, source=source,
                                        report=report):
                    self._conn.write(cypher.CREATE_LOAD, id=load, at=at, source=source,
                                     report=report)
                resumed = [int(r["id"]) for r in self._conn.write(
                    cypher.RESUMED_LOADS, id=load, source=source)]
                if resumed:
                    self._conn.write(cypher.DELETE_SET_ASIDE_OF, loads=resumed)
            self._add("loads", finish)
            return load
        if self._next_load is None:
            self._next_load = int(self._conn.read(cypher.NEXT_LOAD)[0]["next"])
        number = self._next_load
        self._next_load += 1

        def step() -> None:
            self._conn.write(cypher.CREATE_LOAD, id=number, at=at, source=source, report=report)
        self._add("loads", step)
        return number

    def _note_chunk(self, load: int) -> None:
        def step() -> None:  # before the batches: a load stopped half-way then says it
            self._conn.write(cypher.NOTE_CHUNK, id=load)  # may have written part
        self._add("progress", step)
