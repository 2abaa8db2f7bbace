"""Neighbourhoods: the entities within a few ties of one entity, read from the store a ring
at a time, hubs shown but not expanded.

Everything here reads through :class:`graph.store.StoreView` only, so it works the
same on the embedded store and on Neo4j.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.store import Relation, StoreView, Tie
from graph.store.model import tie_in_force


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
