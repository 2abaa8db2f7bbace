"""Node and edge records from a store view: entities, relationship records, evidence steps.

Everything here reads through :class:`graph.store.StoreView` only, so the
views work the same on the embedded store and on Neo4j.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.schema import kind_of_key
from graph.store import Entity, Relation, StoreView
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
    return NodeRecord(key, key, kind_of_key(key), [], {}, [], **flags)
