"""The networkx baseline a developer would write first, for COI-001 and UMB-001.

Used by ``bench/scan.py``; not part of the product. Everything the stored
graph holds goes into one ``nx.MultiDiGraph`` (node = entity key with its
kind and properties, edge = one relationship record keyed by its id, with
``type``, ``start``, ``end`` and its properties), then each rule is a plain
Python walk over it, one contract or one case at a time.

Dates are ISO text (they compare as dates); a missing start or end is open.
A tie holds on a date when the date lies in every link of its chain, so a
kin chain's interval is the intersection of its links' intervals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import networkx as nx

from graph.schema import NODE_KINDS, REL_TYPES
from graph.store import StoreView

OPEN_START = "0000-01-01"
OPEN_END = "9999-12-31"
OFFICIAL_CASE_ROLES = frozenset({"investigator", "prosecutor", "judge", "approver"})

Edge = dict[str, Any]


def _clean(value: Any) -> Any:
    """NaN (pandas' missing value) as None."""
    return None if isinstance(value, float) and math.isnan(value) else value


def build_graph(view: StoreView) -> nx.MultiDiGraph[str]:
    """Every entity and every relationship record of the store as a MultiDiGraph."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for kind in NODE_KINDS:
        frame = view.entities_frame(kind)
        for node in frame.to_dict("records"):
            props = {str(k): _clean(v) for k, v in node.items() if k != "key"}
            g.add_node(str(node["key"]), entity=kind, **props)
    for type_ in REL_TYPES:
        frame = view.relations_frame(type_)
        if frame.empty:
            continue
        extra = [str(c) for c in frame.columns
                 if c not in ("id", "src", "dst", "start", "end", "file", "line")]
        for rec in frame.to_dict("records"):
            attrs: Edge = {"type": type_, "start": _clean(rec["start"]),
                           "end": _clean(rec["end"])}
            for p in extra:
                v = _clean(rec[p])
                if v is not None:
                    attrs[p] = v
            g.add_edge(str(rec["src"]), str(rec["dst"]), key=str(rec["id"]), **attrs)
    return g


def _s(d: Edge) -> str:
    return str(d["start"] or OPEN_START)


def _e(d: Edge) -> str:
    return str(d["end"] or OPEN_END)


def in_force(d: Edge, on: str) -> bool:
    """Whether the record ``d`` held on the date ``on``."""
    return _s(d) <= on <= _e(d)


def _out(g: nx.MultiDiGraph[str], n: str, type_: str) -> Iterator[tuple[str, Edge]]:
    for _, v, d in g.out_edges(n, data=True):
        if d["type"] == type_:
            yield v, d


def _in(g: nx.MultiDiGraph[str], n: str, type_: str) -> Iterator[tuple[str, Edge]]:
    for u, _, d in g.in_edges(n, data=True):
        if d["type"] == type_:
            yield u, d


def _both(g: nx.MultiDiGraph[str], n: str, type_: str) -> Iterator[tuple[str, Edge]]:
    yield from _out(g, n, type_)
    yield from _in(g, n, type_)


def _held_on(date: str) -> Callable[[Edge], bool]:
    return lambda d: in_force(d, date)


def kin_on(g: nx.MultiDiGraph[str], start: str, hops: int, ok: Callable[[Edge], bool]) -> set[str]:
    """Persons reached from ``start`` over at most ``hops`` KIN edges that pass ``ok`` (BFS)."""
    seen = {start}
    frontier = [start]
    for _ in range(hops):
        nxt = []
        for n in frontier:
            for m, d in _both(g, n, "KIN"):
                if m not in seen and ok(d):
                    seen.add(m)
                    nxt.append(m)
        frontier = nxt
    seen.discard(start)
    return seen


def kin_during(g: nx.MultiDiGraph[str], start: str, hops: int, lo: str, hi: str) -> set[str]:
    """Persons tied to ``start`` by a KIN chain of at most ``hops`` links that held together
    at some time within [lo, hi] (breadth-first over chains, carrying their intersection)."""
    found: set[str] = set()
    level: list[tuple[str, str, str, tuple[str, ...]]] = [(start, OPEN_START, OPEN_END,
                                                           (start,))]
    for _ in range(hops):
        nxt = []
        for n, s, e, path in level:
            for m, d in _both(g, n, "KIN"):
                if m in path:
                    continue
                s2, e2 = max(s, _s(d)), min(e, _e(d))
                if s2 <= e2 and s2 <= hi and lo <= e2:
                    found.add(m)
                    nxt.append((m, s2, e2, (*path, m)))
        level = nxt
    return found


def coi_001(g: nx.MultiDiGraph[str], roles: list[str], hops: int = 2) -> set[tuple[str, str]]:
    """(official, contract): the approver, in post on the award date, or his kin within
    ``hops`` (every link in force that day) held a role in the winner that day."""
    wanted = set(roles)
    hits: set[tuple[str, str]] = set()
    for c, attrs in g.nodes(data=True):
        if attrs.get("entity") != "contract":
            continue
        approvers = [u for u, _ in _in(g, c, "APPROVED")]
        for supplier, award in _out(g, c, "AWARDED_TO"):
            date = award["start"]
            if date is None:
                continue
            for off in approvers:
                if (off, c) in hits:
                    continue
                if not any(in_force(d, date) for _, d in _out(g, off, "HOLDS_POST")):
                    continue
                people = {off} | kin_on(g, off, hops, _held_on(str(date)))
                for holder in people:
                    if any(org == supplier and d.get("role") in wanted and in_force(d, date)
                           for org, d in _out(g, holder, "COMPANY_ROLE")):
                        hits.add((off, c))
                        break
    return hits


def _overlap(s1: str, e1: str, s2: str, e2: str) -> bool:
    return s1 <= e2 and s2 <= e1


def tied_during(g: nx.MultiDiGraph[str], a: str, b: str, lo: str, hi: str, kin: set[str]) -> bool:
    """``a`` and ``b`` are kin (``kin`` = a's kin during the period), associates, or both hold
    roles in one company at the same time, at some time within [lo, hi]."""
    if b in kin:
        return True
    for m, d in _both(g, a, "ASSOCIATE"):
        if m == b and _overlap(_s(d), _e(d), lo, hi):
            return True
    for org, d1 in _out(g, a, "COMPANY_ROLE"):
        for org2, d2 in _out(g, b, "COMPANY_ROLE"):
            if org2 != org:
                continue
            s, e = max(_s(d1), _s(d2)), min(_e(d1), _e(d2))
            if s <= e and _overlap(s, e, lo, hi):
                return True
    return False


def umb_001(g: nx.MultiDiGraph[str], gang_roles: list[str], hops: int = 2) -> set[tuple[str, str]]:
    """(official, case): an official acting on an organized-crime case tied to one of its
    gang members (roles ``gang_roles``) at some time while the case ran."""
    wanted = set(gang_roles)
    hits: set[tuple[str, str]] = set()
    for case, attrs in g.nodes(data=True):
        if attrs.get("entity") != "case" or attrs.get("kind") != "organized_crime":
            continue
        lo = str(attrs.get("opened_date") or OPEN_START)
        hi = str(attrs.get("closed_date") or OPEN_END)
        roles = list(_in(g, case, "CASE_ROLE"))
        officials = {u for u, d in roles if d.get("role") in OFFICIAL_CASE_ROLES}
        parties = {u for u, d in roles if d.get("role") in wanted}
        for off in officials:
            kin = kin_during(g, off, hops, lo, hi)
            if any(p != off and tied_during(g, off, p, lo, hi, kin) for p in parties):
                hits.add((off, case))
    return hits
