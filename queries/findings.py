"""Findings: what a rule reports, with its evidence path back to source rows.

The JSON form follows the findings contract of the data layout: ``rule``,
``category``, ``score``, ``title``, ``entities`` (every source id of every
entity, merged duplicates included), ``evidence`` (paths of nodes and
relationship records, each with its source file and line) and
``explanation``. A finding is a pattern for review, not an accusation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.schema import REL_TYPES
from graph.store import Entity, Relation
from lang.kinship import gender_code
from lang.message import Msg, render, render_all
from queries.frames import OPEN_END, OPEN_START, Frames

CATEGORIES = ("conflict_of_interest", "subsidy_fraud", "collusion", "umbrella", "recusal",
              "cluster", "broker")


@dataclass
class Finding:
    """One lead: a rule's match, scored and explained.

    ``title`` and ``explanation`` are messages (templates with named fields, see
    :mod:`lang.message`); ``rule`` and ``category`` are stamped by
    :meth:`queries.context.Context.run` from the rule's registration.
    """

    score: float
    title: Msg
    keys: list[str]
    evidence: list[list[dict[str, Any]]]
    explanation: list[Msg]
    sector: str = ""
    date: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    rule: str = ""
    category: str = ""

    @property
    def id(self) -> str:
        """Stable id: the same rule on the same entities and facts gives the same id."""
        facts = sorted({str(step.get("id") or step.get("key")) for path in self.evidence
                        for step in path})
        text = "|".join([self.rule, *sorted(self.keys), *facts])
        return "F-" + hashlib.blake2b(text.encode(), digest_size=6).hexdigest()

    def to_dict(self, frames: Frames) -> dict[str, Any]:
        """The contract's JSON object (plus ``id``, ``keys``, ``sector``, ``date``)."""
        return {
            "id": self.id, "rule": self.rule, "category": self.category,
            "score": round(clip(float(self.score)), 3), "title": render(self.title),
            "entities": frames.source_ids(self.keys), "keys": list(dict.fromkeys(self.keys)),
            "evidence": [{"path": path} for path in self.evidence],
            "explanation": render_all(self.explanation), "sector": self.sector,
            "date": self.date, **self.extra,
            "text": {"title": self.title.to_json(),
                     "explanation": [m.to_json() for m in self.explanation]},
        }


def _src(file: Any, line: Any) -> dict[str, Any]:
    return {"file": Path(str(file)).name, "path": str(file), "line": int(line)}


def node(frames: Frames, key: str, kind: str) -> dict[str, Any]:
    """A node step: key, kind, name, source ids and the rows that define it; a person's
    gender on record (``m``/``f``) too, so kin ties can be worded by it."""
    sources = frames.sources(key)
    step: dict[str, Any] = {"node": kind, "key": key, "name": frames.names.get(key, ""),
            "ids": frames.ids.get(key, [key]),
            "sources": [_src(s.file, s.line) for s in sources]}
    gender = frames.gender(key) if kind == "person" else None
    if gender is not None:
        step["gender"] = gender
    return step


def rel(frames: Frames, row: Any, type_: str) -> dict[str, Any]:
    """A relationship step from a frame row of :meth:`Frames.rel` (id, src, dst, dates...)."""
    rt = REL_TYPES[type_]
    step: dict[str, Any] = {
        "rel": type_, "id": row["id"], "from": row["src"], "to": row["dst"],
        "meaning": rt.meaning,
        "start": None if row["s"] == OPEN_START else row["s"],
        "end": None if row["e"] == OPEN_END else row["e"],
    }
    for p in rt.props:
        if p in row and row[p] == row[p] and row[p] is not None:
            step[p] = plain(row[p])
    refs = {(str(row["file"]), int(row["line"]))} | {
        (s.file, s.line) for s in frames.extra_sources([row["id"]]).get(row["id"], [])}
    step["sources"] = [_src(f, n) for f, n in sorted(refs)]
    return step


def entity_step(entity: Entity) -> dict[str, Any]:
    """A node step as :func:`node` makes it, from an entity read on its own.

    Examples
    --------
    >>> from graph.store import SourceRef
    >>> e = Entity("p:1", "person", "张伟", {"gender": "男"},
    ...            (SourceRef("/d/persons.csv", 2, "persons", "P1"),))
    >>> entity_step(e)["ids"], entity_step(e)["sources"][0]["line"], entity_step(e)["gender"]
    (['P1'], 2, 'm')
    """
    ids = list(dict.fromkeys(s.source_id for s in entity.sources))
    step: dict[str, Any] = {"node": entity.kind, "key": entity.key, "name": entity.name,
            "ids": ids or [entity.key], "sources": [_src(s.file, s.line) for s in entity.sources]}
    gender = gender_code(entity.props.get("gender")) if entity.kind == "person" else None
    if gender is not None:
        step["gender"] = gender
    return step


def relation_step(r: Relation) -> dict[str, Any]:
    """A relationship step as :func:`rel` makes it, from a record read on its own.

    Examples
    --------
    >>> from graph.store import SourceRef
    >>> r = Relation("r:KIN:1", "KIN", "p:1", "p:2", None, None, {"relation": "spouse"},
    ...              (SourceRef("/d/relationships.csv", 7),))
    >>> step = relation_step(r)
    >>> step["relation"], step["start"], step["sources"][0]["file"]
    ('spouse', None, 'relationships.csv')
    """
    rt = REL_TYPES[r.type]
    step: dict[str, Any] = {"rel": r.type, "id": r.id, "from": r.src, "to": r.dst,
                            "meaning": rt.meaning, "start": r.start, "end": r.end}
    for p in rt.props:
        value = r.props.get(p)
        if value is not None and value == value:
            step[p] = plain(value)
    step["sources"] = [_src(s.file, s.line) for s in r.sources]
    return step


def plain(value: Any) -> Any:
    """A numpy scalar as the matching Python value (JSON-ready).

    Examples
    --------
    >>> import numpy as np
    >>> type(plain(np.int64(3))).__name__, plain("x")
    ('int', 'x')
    """
    return value.item() if hasattr(value, "item") else value


def clip(score: float) -> float:
    """Clamp a score into [0, 1].

    Examples
    --------
    >>> clip(1.3), clip(-0.1), clip(0.42)
    (1.0, 0.0, 0.42)
    """
    return min(max(score, 0.0), 1.0)
