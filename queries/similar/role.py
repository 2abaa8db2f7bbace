"""Structural role similarity: typed-neighbourhood count vectors and their cosine."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from graph.schema import REL_TYPES
from lang.message import Msg, word
from queries.similar.graph import (
    Graph,
    inverse,
)
from queries.similar.model import (
    SYMMETRIC,
    TEXT,
    Hit,
)

# -- structural role similarity ---------------------------------------------------------


def role_vectors(graph: Graph, keys: Iterable[str], hub: int = 100
                 ) -> dict[str, Counter[str]]:
    """Typed-neighbourhood counts of each node: its ties by (type, direction, telling
    property, other end's kind), and the two-step walks of those (not through hubs).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import EntityRecord, RelationRecord, SqliteStore
    >>> store = SqliteStore(pathlib.Path(tempfile.mkdtemp()) / "r.db")
    >>> with store.writer() as w:
    ...     w.put_entities([EntityRecord("p:1", "person", "张三", {}),
    ...                     EntityRecord("p:2", "person", "李四", {})])
    ...     w.put_relations([RelationRecord("r:KIN:1", "KIN", "p:1", "p:2", None, None,
    ...                                     {"relation": "spouse"}, "rel.csv", 2)])
    >>> from queries.engine import Engine
    >>> engine = Engine(store.view()); g = Graph(engine); g.load(REL_TYPES)
    >>> g.load_kinds(["person"])
    >>> dict(role_vectors(g, ["p:1"])["p:1"])
    {'KIN>spouse>person': 1}
    >>> engine.close(); store.close()
    """
    first: dict[str, list[tuple[str, str]]] = {}

    def one(key: str) -> list[tuple[str, str]]:
        if key not in first:
            out = []
            for t in graph.out:
                for forward in (True, False):
                    for r in graph.ties(key, t, forward):
                        other = r[2] if forward else r[1]
                        prop = "/".join(v for _p, v in r[5])
                        if t in SYMMETRIC and not forward and t == "KIN":
                            prop = inverse(prop)
                        arrow = ">" if forward or t in SYMMETRIC else "<"
                        out.append((f"{t}{arrow}{prop}>{graph.kind.get(other, '?')}", other))
            first[key] = out
        return first[key]

    vectors: dict[str, Counter[str]] = {}
    for key in keys:
        c: Counter[str] = Counter()
        near = one(key)
        for f, other in near:
            c[f] += 1
            further = one(other)
            if len(further) > hub:
                continue
            for f2, o2 in further:
                if o2 != key:
                    c[f"{f}|{f2}"] += 1
        vectors[key] = c
    return vectors


def cosine(a: Mapping[str, int], b: Mapping[str, int]) -> float:
    """Cosine of two count vectors, counts log-scaled (``1 + log n``).

    Examples
    --------
    >>> cosine({"x": 1}, {"x": 5}), cosine({"x": 1}, {"y": 1})
    (1.0, 0.0)
    """
    def w(n: int) -> float:
        return 1.0 + math.log(n) if n > 0 else 0.0
    dot = sum(w(n) * w(b[k]) for k, n in a.items() if k in b)
    na = math.sqrt(sum(w(n) ** 2 for n in a.values()))
    nb = math.sqrt(sum(w(n) ** 2 for n in b.values()))
    return round(dot / (na * nb), 6) if na and nb else 0.0


def _feature_words(feature: str) -> str:
    from lang.message import render
    parts = []
    for hop in feature.split("|"):
        t, _sep, rest = hop.partition("<") if "<" in hop.split(">")[0] else hop.partition(">")
        prop, _s, kind = rest.rpartition(">")
        tie = render(Msg("{w}", {"w": word("tie", t)}))
        node = render(Msg("{w}", {"w": word("node_kind", kind)}))
        parts.append(f"{tie}{' ' + prop if prop else ''} → {node}")
    return " → ".join(parts)


def structural(graph: Graph, seed_key: str, kind: str, top: int, hub: int = 100,
               label: str = "") -> list[Hit]:
    """The nodes of ``kind`` whose typed neighbourhoods are most like ``seed_key``'s."""
    graph.load(REL_TYPES)
    graph.load_kinds(["person", "organization", "contract", "payment", "case", "report"])
    keys = [k for k, v in graph.kind.items() if v == kind]
    vectors = role_vectors(graph, keys, hub)
    mine = vectors.get(seed_key) or Counter()
    scored = sorted(((cosine(mine, vec), k) for k, vec in vectors.items() if k != seed_key),
                    key=lambda x: (-x[0], x[1]))[:top]
    hits = []
    for score, key in scored:
        vec = vectors[key]
        one_hop = [f for f in mine if "|" not in f]
        shared = sorted((f for f in one_hop if f in vec), key=lambda f: -min(mine[f], vec[f]))
        differs = [Msg(TEXT["differs_count"], {"feature": _feature_words(f), "found": vec[f],
                                               "wanted": mine[f]})
                   for f in sorted({*one_hop, *(f for f in vec if "|" not in f)},
                                   key=lambda f: (-abs(vec[f] - mine[f]), f))
                   if vec[f] != mine[f]][:3]
        matches = [Msg(TEXT["shared"], {"seed": label or seed_key, "features": "; ".join(
            f"{min(mine[f], vec[f])} × {_feature_words(f)}" for f in shared[:4])})]
        hits.append(Hit(round(score, 4), [key], matches, differs, method="role"))
    return hits


