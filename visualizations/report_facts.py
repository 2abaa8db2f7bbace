"""What a case-file report lists: the entities and the facts (ties) behind a finding or a canvas.

Each fact is one relationship record in words (who is what to whom, the right way
round, in the language spoken now), its dates and every source row (file and line)
the store holds for it; each entity its kind, input ids, identity number (masked
when shown, unless revealed) and the rows that define it. The same rows feed the
report's tables and its picture (:func:`picture_records`).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store, EntityRecord, RelationRecord, AliasRecord
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "x.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张三", {}),
...                     EntityRecord("o:1", "organization", "县教育局", {})])
...     w.put_aliases([AliasRecord("persons", "P1", "p:1", "persons.csv", 2)])
...     w.put_relations([RelationRecord("r1", "HOLDS_POST", "p:1", "o:1", "2019-01-01", None,
...                                     {"title": "局长"}, "positions.csv", 2)])
>>> ents, facts = canvas_facts(store.view(), ["p:1", "o:1"])
>>> [(e.name, e.ids, e.sources) for e in ents]
[('张三', 'P1', 'persons.csv:2'), ('县教育局', '', '')]
>>> [(f.sentence, f.dates, f.sources) for f in facts]
[('张三 holds a post at 县教育局 (局长)', 'from 2019-01-01', 'positions.csv:2')]
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.store import Entity, Relation, StoreView
from lang.kinship import gender_code
from queries.describe import tie_dates, tie_sentence
from visualizations.records import EdgeRecord, NodeRecord, source_texts


@dataclass(frozen=True)
class EntityRow:
    """An entity in the report: key, name, kind, input ids (``/``-joined), identity number
    as stored (masked when shown) and defining rows (``file:line``, comma-separated)."""

    key: str
    name: str
    kind: str
    ids: str
    id_number: str
    sources: str


@dataclass(frozen=True)
class FactRow:
    """A relationship record in the report: the evidence path it is on (0 for a canvas),
    its id, type, ends, the sentence, its dates and every source row."""

    path: int
    id: str
    type: str
    src: str
    dst: str
    sentence: str
    dates: str
    sources: str


def _joined(sources: Iterable[Any]) -> str:
    return ", ".join(source_texts(list(sources)))


def entity_row(key: str, e: Entity | None, step: Mapping[str, Any] | None = None) -> EntityRow:
    """An entity row from the store's entity (its ids and defining rows), else from the
    evidence step that named it (a finding kept after its entity left the store)."""
    if e is not None:
        return EntityRow(key, e.name or "/".join(e.source_ids) or key, e.kind,
                         "/".join(e.source_ids), str(e.props.get("id_number") or ""),
                         _joined(e.sources))
    s = step or {}
    ids = "/".join(str(i) for i in s.get("ids") or ())
    return EntityRow(key, str(s.get("name") or ids or key), str(s.get("node") or ""), ids, "",
                     _joined(s.get("sources") or ()))


def finding_facts(view: StoreView, finding: Mapping[str, Any]
                  ) -> tuple[list[EntityRow], list[FactRow]]:
    """The entities and facts of a finding's evidence paths, in path order (a record on
    two paths is listed once, under the first)."""
    paths = [p.get("path", []) for p in finding.get("evidence", [])]
    node_steps: dict[str, Mapping[str, Any]] = {}
    for path in paths:
        for step in path:
            if "node" in step:
                node_steps.setdefault(str(step["key"]), step)
            elif "rel" in step:
                for k in (str(step["from"]), str(step["to"])):
                    node_steps.setdefault(k, {})
    stored = view.entities_by_key(list(node_steps))
    entities = [entity_row(k, stored.get(k), s) for k, s in node_steps.items()]
    names = {r.key: r.name for r in entities}
    genders = {k: s.get("gender") for k, s in node_steps.items()}
    rel_ids = [str(s["id"]) for p in paths for s in p if "rel" in s and s.get("id")]
    more = view.relation_sources(rel_ids) if rel_ids else {}
    facts: list[FactRow] = []
    listed: set[str] = set()
    for n, path in enumerate(paths, start=1):
        for step in path:
            if "rel" not in step:
                continue
            rid = str(step.get("id") or "")
            if rid and rid in listed:
                continue
            listed.add(rid)
            rows = [*source_texts(step.get("sources")), *source_texts(more.get(rid, []))]
            facts.append(FactRow(n, rid, str(step["rel"]), str(step["from"]), str(step["to"]),
                                 tie_sentence(step, names, genders),
                                 tie_dates(step.get("start"), step.get("end")),
                                 ", ".join(dict.fromkeys(rows))))
    return entities, facts


def relation_step(r: Relation) -> dict[str, Any]:
    """A relationship record as an evidence step (what :func:`tie_sentence` words).

    Examples
    --------
    >>> relation_step(Relation("r1", "KIN", "p:1", "p:2", None, None, {"relation": "spouse"}))
    {'relation': 'spouse', 'rel': 'KIN', 'id': 'r1', 'from': 'p:1', 'to': 'p:2'}
    """
    return {**r.props, "rel": r.type, "id": r.id, "from": r.src, "to": r.dst}


def canvas_facts(view: StoreView, entities: Sequence[str], hidden: Iterable[str] = (),
                 as_of: str | None = None) -> tuple[list[EntityRow], list[FactRow]]:
    """The entities of a canvas that are not ``hidden`` (keys the store no longer holds are
    left out) and every record between two of them (in force on ``as_of`` when given; a
    record whose id is ``hidden`` is left out), by type, date and id."""
    gone = set(hidden)
    keys = [k for k in dict.fromkeys(entities) if k not in gone]
    stored = view.entities_by_key(keys)
    keys = [k for k in keys if k in stored]
    rows = [entity_row(k, stored[k]) for k in keys]
    inside = set(keys)
    rids = sorted({t.rid for t in view.ties(keys, on=as_of)
                   if t.other in inside and t.rid not in gone})
    relations = sorted(view.relations_by_id(rids).values(),
                       key=lambda r: (r.type, r.start or "", r.id))
    names = {r.key: r.name for r in rows}
    genders = {k: gender_code(stored[k].props.get("gender")) for k in keys
               if stored[k].kind == "person"}
    facts = [FactRow(0, r.id, r.type, r.src, r.dst,
                     tie_sentence(relation_step(r), names, genders), tie_dates(r.start, r.end),
                     _joined(r.sources)) for r in relations]
    return rows, facts


def picture_records(entities: Sequence[EntityRow], facts: Sequence[FactRow],
                    highlight: Iterable[str] = ()) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    """The report's picture: a node per entity (those in ``highlight`` drawn bold), a tie
    per fact.

    Examples
    --------
    >>> n, e = picture_records([EntityRow("p:1", "张三", "person", "P1", "", "")],
    ...                        [FactRow(1, "r1", "KIN", "p:1", "p:1", "", "", "")], ["p:1"])
    >>> (n[0].label, n[0].highlight), (e[0].type, e[0].highlight)
    (('张三', True), ('KIN', True))
    """
    bold = set(highlight)
    nodes = [NodeRecord(r.key, r.name, r.kind, highlight=r.key in bold) for r in entities]
    edges = [EdgeRecord(f.src, f.dst, f.type, f.id, highlight=f.path > 0) for f in facts]
    return nodes, edges
