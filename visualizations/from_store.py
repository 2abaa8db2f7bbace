"""Node and edge records from a store view: entities, relationship records, evidence steps.

Everything here reads through :class:`graph.store.StoreView` only, so the
views work the same on the embedded store and on Neo4j.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.store import Entity, Relation, StoreView, Tie
from graph.store.model import tie_in_force
from queries.frames import kind_of
from visualizations.records import EdgeRecord, NodeRecord, source_texts

#: Keys of an evidence step that are not properties of the tie.
_STEP_KEYS = {"rel", "id", "from", "to", "meaning", "start", "end", "sources", "node", "key",
              "name", "ids"}


def entity_node(e: Entity, **flags: Any) -> NodeRecord:
    """A node record for an entity (its properties, source ids and defining rows).

    Examples
    --------
    >>> from graph.store import SourceRef
    >>> n = entity_node(Entity("p:1", "person", "张三", {"gender": "男"},
    ...                        (SourceRef("/data/persons.csv", 2, "persons", "P1"),)))
    >>> n.id, n.ids, n.sources
    ('p:1', ['P1'], ['persons.csv:2'])
    """
    return NodeRecord(e.key, e.name, e.kind, list(e.source_ids), dict(e.props),
                      source_texts(e.sources), **flags)


def relation_edge(r: Relation, **flags: Any) -> EdgeRecord:
    """An edge record for a relationship record (dates, properties, every source row).

    Examples
    --------
    >>> e = relation_edge(Relation("r1", "KIN", "p:1", "p:2", "2001-05-01", None,
    ...                            {"relation": "spouse"}), faded=True)
    >>> e.type, e.start, e.props, e.faded
    ('KIN', '2001-05-01', {'relation': 'spouse'}, True)
    """
    return EdgeRecord(r.src, r.dst, r.type, r.id, "", r.start, r.end, dict(r.props),
                      source_texts(r.sources), **flags)


def step_edge(step: dict[str, Any], **flags: Any) -> EdgeRecord:
    """An edge record for a relationship step of a finding's evidence path.

    Examples
    --------
    >>> e = step_edge({"rel": "COMPANY_ROLE", "id": "r2", "from": "p:2", "to": "o:2",
    ...                "role": "shareholder", "start": "2016-01-01", "end": None,
    ...                "meaning": "holds a role in",
    ...                "sources": [{"file": "company_roles.csv", "line": 2}]}, highlight=True)
    >>> e.src, e.dst, e.props, e.sources, e.highlight
    ('p:2', 'o:2', {'role': 'shareholder'}, ['company_roles.csv:2'], True)
    """
    props = {k: v for k, v in step.items() if k not in _STEP_KEYS}
    return EdgeRecord(step["from"], step["to"], step["rel"], str(step.get("id") or ""), "",
                      step.get("start"), step.get("end"), props,
                      source_texts(step.get("sources")), **flags)


def step_node(step: dict[str, Any], **flags: Any) -> NodeRecord:
    """A node record for a node step (used when the store no longer holds the entity).

    Examples
    --------
    >>> step_node({"node": "person", "key": "p:1", "name": "张三", "ids": ["P1"]}).label
    '张三'
    """
    return NodeRecord(step["key"], str(step.get("name") or ""), str(step.get("node") or ""),
                      [str(i) for i in step.get("ids") or ()], {},
                      source_texts(step.get("sources")), **flags)


def holds_on(r: Relation, on: str | None) -> bool:
    """Whether a tie counts on date ``on``: in force then, or (an event) dated on or before it.

    Examples
    --------
    >>> holds_on(Relation("r", "KIN", "a", "b", "2019-01-01", "2019-12-31", {}), "2020-01-01")
    False
    >>> holds_on(Relation("r", "BID", "a", "b", "2019-01-01", None, {}), "2020-01-01")
    True
    """
    return tie_in_force(r.type, r.start, r.end, on)


@dataclass
class Reach:
    """What a neighbourhood search found: hops per entity, the ties, what it did not expand."""

    hops: dict[str, int] = field(default_factory=dict)
    relations: dict[str, Relation] = field(default_factory=dict)
    hubs: list[str] = field(default_factory=list)
    stopped_after: int | None = None
    #: Entities of the outermost ring left out to stay within the budget (least connected).
    trimmed: list[str] = field(default_factory=list)


def reach(view: StoreView, key: str, hops: int, on: str | None = None, hub_degree: int = 100,
          budget: int | None = None) -> Reach:
    """Entities within ``hops`` ties of ``key`` (ties that hold ``on``), breadth first.

    Hubs (more than ``hub_degree`` ties, other than ``key`` itself) are shown
    but not expanded. Once ``budget`` entities are found the search stops at
    the end of that hop, and the outermost ring keeps only its best-connected
    entities that fit in the budget (the others are listed in ``trimmed``).
    Ties among the outermost ring are looked up too, so the view holds every
    tie between the entities it keeps. The store is asked for the ties of a
    whole ring at once, and for the records kept at the end.
    """
    out = Reach(hops={key: 0})
    ends: dict[str, tuple[str, str]] = {}  # record id -> its two ends, as found
    frontier = [key]
    for hop in range(1, hops + 1):
        nxt: list[str] = []
        for k, ties in _ties_by_key(view, frontier, on):
            if k != key and len(ties) > hub_degree:
                out.hubs.append(k)
                _keep_inner(out, ends, ties)
                continue
            for t in ties:
                ends[t.rid] = (t.key, t.other)
                if t.other not in out.hops:
                    out.hops[t.other] = hop
                    nxt.append(t.other)
        frontier = nxt
        if budget is not None and len(out.hops) >= budget and hop < hops:
            out.stopped_after = hop
            break
    if budget is not None and len(out.hops) > budget:
        frontier = _trim(out, ends, frontier, budget)
    for _, ties in _ties_by_key(view, frontier, on):
        _keep_inner(out, ends, ties)
    found = view.relations_by_id(sorted(ends))
    out.relations = {i: found[i] for i in sorted(ends) if i in found}
    return out


def _ties_by_key(view: StoreView, keys: list[str], on: str | None
                 ) -> list[tuple[str, list[Tie]]]:
    """The ties of each of ``keys`` (in force ``on``), in key order then record id order."""
    by_key: dict[str, list[Tie]] = {k: [] for k in keys}
    for t in view.ties(keys, on):
        by_key[t.key].append(t)
    return [(k, sorted(by_key[k], key=lambda t: t.rid)) for k in keys]


def _trim(out: Reach, ends: dict[str, tuple[str, str]], ring: list[str],
          budget: int) -> list[str]:
    """Keep the best-connected entities of the outermost ring that fit in ``budget``."""
    degree: Counter[str] = Counter()
    for a, b in ends.values():
        degree[a] += 1
        degree[b] += 1
    room = max(budget - (len(out.hops) - len(ring)), 0)
    ranked = sorted(ring, key=lambda k: (-degree[k], k))
    out.trimmed = ranked[room:]
    for k in out.trimmed:
        del out.hops[k]
    for rid in [i for i, (a, b) in ends.items() if a not in out.hops or b not in out.hops]:
        del ends[rid]
    return ranked[:room]


def _keep_inner(out: Reach, ends: dict[str, tuple[str, str]], ties: Iterable[Tie]) -> None:
    for t in ties:
        if t.key in out.hops and t.other in out.hops:
            ends[t.rid] = (t.key, t.other)


def nodes_for(view: StoreView, keys: Iterable[str]) -> dict[str, Entity | None]:
    """The entity of each key (None when the store does not hold it)."""
    return {k: view.get(k) for k in dict.fromkeys(keys)}


def fallback_node(key: str, **flags: Any) -> NodeRecord:
    """A bare node for a key the store does not hold.

    Examples
    --------
    >>> fallback_node("c:C9").kind
    'contract'
    """
    return NodeRecord(key, key, kind_of(key), [], {}, [], **flags)
