"""A store view over one neighbourhood, read from the store a few ties at a time.

Questions about one case need only the records around it. :func:`case_neighbourhood`
collects them through :meth:`~graph.store.protocol.StoreView.ties` and
:meth:`~graph.store.protocol.StoreView.relations_by_id` (indexed SQL on the
embedded store, Cypher on Neo4j) and serves them as a :class:`LocalView`, so
the same code (:func:`queries.recusal.recusals`: SQL on the columnar engine, which
reads any store view through its frames) runs on a few hundred records instead of
the whole graph, with the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pandas as pd

from graph.schema import CASE_OFFICIAL_ROLES, CASE_PARTY_ROLES, REL_TYPES, REL_WEIGHT
from graph.store import (
    AliasRecord,
    Entity,
    LoadRun,
    Relation,
    SetAsideRecord,
    SourceRef,
    StoreView,
    Tie,
)
from graph.store.base import BaseView
from graph.store.model import tie_in_force


class LocalView(BaseView):
    """The entities and records of one neighbourhood as a read-only store view.

    Reads of everything local (frames, entities, relations, ties) answer from the
    neighbourhood; findings, the audit log and the store's ids come from the store.

    Examples
    --------
    >>> e = Entity("p:1", "person", "张伟", {})
    >>> r = Relation("r:KIN:1", "KIN", "p:1", "p:2", None, None, {"relation": "spouse"})
    >>> v = LocalView(None, {"p:1": e}, [r])  # type: ignore[arg-type]
    >>> v.counts_by_type(), [t.other for t in v.ties(["p:1"])]
    ({'KIN': 1}, ['p:2'])
    """

    def __init__(self, store: StoreView, entities: dict[str, Entity],
                 relations: Iterable[Relation]) -> None:
        self._store = store
        self._entities = dict(sorted(entities.items()))
        self._relations = {r.id: r for r in sorted(relations, key=lambda r: r.id)}

    # -- answered from the neighbourhood ------------------------------------------------

    def counts_by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self._entities.values():
            out[e.kind] = out.get(e.kind, 0) + 1
        return out

    def counts_by_type(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self._relations.values():
            out[r.type] = out.get(r.type, 0) + 1
        return out

    def get(self, key: str) -> Entity | None:
        return self._entities.get(key)

    def entities_by_key(self, keys: Sequence[str]) -> dict[str, Entity]:
        return {k: self._entities[k] for k in dict.fromkeys(keys) if k in self._entities}

    def entities(self, kind: str | None = None) -> Iterator[Entity]:
        return iter([e for e in self._entities.values() if kind is None or e.kind == kind])

    def relations(self, types: Iterable[str] | None = None) -> Iterator[Relation]:
        wanted = None if types is None else set(types)
        return iter([r for r in self._relations.values() if wanted is None or r.type in wanted])

    def relations_by_id(self, ids: Iterable[str]) -> dict[str, Relation]:
        return {i: self._relations[i] for i in ids if i in self._relations}

    def ties(self, keys: Sequence[str], on: str | None = None) -> list[Tie]:
        want = set(keys)
        out = []
        for r in self._relations.values():
            if tie_in_force(r.type, r.start, r.end, on):
                if r.src in want:
                    out.append(Tie(r.src, r.dst, r.type, r.id))
                if r.dst in want:
                    out.append(Tie(r.dst, r.src, r.type, r.id))
        return out

    def tie_degrees(self, keys: Sequence[str], on: str | None = None) -> dict[str, int]:
        out = dict.fromkeys(keys, 0)
        for t in self.ties(keys, on):
            out[t.key] += 1
        return out

    def entity_names(self, kind: str) -> dict[str, str]:
        return {e.key: e.name for e in self._entities.values() if e.kind == kind}

    def entities_frame(self, kind: str) -> pd.DataFrame:
        ents = [e for e in self._entities.values() if e.kind == kind]
        base = pd.DataFrame({"key": [e.key for e in ents], "name": [e.name for e in ents]})
        props = pd.DataFrame.from_records([e.props for e in ents], index=base.index)
        return pd.concat([base, props.drop(columns=["name"], errors="ignore")], axis=1)

    def relations_frame(self, type_: str) -> pd.DataFrame:
        props = list(REL_TYPES[type_].props)
        rows = [r for r in self._relations.values() if r.type == type_]
        first = [r.sources[0] if r.sources else SourceRef("", 0) for r in rows]
        data: dict[str, list[Any]] = {
            "id": [r.id for r in rows], "src": [r.src for r in rows],
            "dst": [r.dst for r in rows], "start": [r.start for r in rows],
            "end": [r.end for r in rows], "file": [s.file or None for s in first],
            "line": [s.line or None for s in first]}
        for p in props:
            data[p] = [r.props.get(p) for r in rows]
        data[REL_WEIGHT] = [r.props.get(REL_WEIGHT) for r in rows]
        return pd.DataFrame(data, columns=["id", "src", "dst", "start", "end", "file", "line",
                                           *props, REL_WEIGHT])

    def entity_sources(self) -> dict[str, list[SourceRef]]:
        return {k: list(e.sources) for k, e in self._entities.items() if e.sources}

    # -- answered by the store ----------------------------------------------------------

    def key_salt(self) -> str:
        return self._store.key_salt()

    def resolve(self, source_id: str, table: str | None = None) -> str | None:
        return self._store.resolve(source_id, table)

    def claims(self, source_id: str | None = None,
               table: str | None = None) -> list[AliasRecord]:
        return self._store.claims(source_id, table)

    def collisions(self) -> dict[tuple[str, str], list[AliasRecord]]:
        return self._store.collisions()

    def aliases(self) -> dict[tuple[str, str], str]:
        return self._store.aliases()

    def findings(self, key: str | None = None) -> list[dict[str, Any]]:
        return self._store.findings(key)

    def finding(self, finding_id: str) -> dict[str, Any] | None:
        return self._store.finding(finding_id)

    def set_aside(self, load: int | None = None) -> list[SetAsideRecord]:
        return self._store.set_aside(load)

    def loads(self) -> list[dict[str, Any]]:
        return self._store.loads()

    def load_runs(self) -> list[LoadRun]:
        return self._store.load_runs()


def case_neighbourhood(view: StoreView, case: str, max_kin_hops: int) -> LocalView:
    """Every record a recusal question about ``case`` can touch.

    The case's roles; from its parties, kin chains of up to ``max_kin_hops``
    ties, known associates and the other holders of their companies; and the
    posts and case roles of everyone so reached and of the officials acting on
    the case.
    """
    rids: dict[str, str] = {}  # record id -> type

    def take(ties: list[Tie], types: set[str]) -> list[Tie]:
        kept = [t for t in ties if t.type in types]
        rids.update((t.rid, t.type) for t in kept)
        return kept

    roles = take(view.ties([case]), {"CASE_ROLE"})
    role_of = {r.id: r for r in view.relations_by_id([t.rid for t in roles]).values()}
    parties = sorted({r.src for r in role_of.values() if r.props.get("role") in CASE_PARTY_ROLES})
    acting = {r.src for r in role_of.values() if r.props.get("role") in CASE_OFFICIAL_ROLES}
    people, level = set(parties), list(parties)
    for _ in range(max_kin_hops):
        reached = {t.other for t in take(view.ties(level), {"KIN"})} - people
        people |= reached
        level = sorted(reached)
    first = view.ties(parties)
    people |= {t.other for t in take(first, {"ASSOCIATE"})}
    companies = sorted({t.other for t in take(first, {"COMPANY_ROLE"})
                        if t.key.startswith("p:") and t.other.startswith("o:")})
    people |= {t.other for t in take(view.ties(companies), {"COMPANY_ROLE"})
               if t.other.startswith("p:")}
    take(view.ties(sorted(people | acting)), {"HOLDS_POST", "CASE_ROLE"})
    records = view.relations_by_id(sorted(rids))
    keys = {case} | {k for r in records.values() for k in (r.src, r.dst)}
    entities = {k: e for k in sorted(keys) if (e := view.get(k)) is not None}
    return LocalView(view, entities, records.values())
