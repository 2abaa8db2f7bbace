"""Projections: the stored graph as an analysis graph with integer node ids.

A :class:`Projection` says which relationship types become edges and how
strong each is (its weight), which node kinds and organization kinds stay,
and, optionally, the date on which a tie must be in force. :func:`project`
builds an undirected :class:`AnalysisGraph` from the store's typed relation
frames, column-wise: several records between the same two nodes become one
edge whose weight is the sum of theirs, and the edge remembers its first
record (type and id) so every algorithmic result can point back to a source
row.

A record's own recorded strength (its ``weight`` property,
:data:`graph.schema.REL_WEIGHT`: a network's co-appearance count, a ``weight``
column of a relation table) multiplies its type's: a record weighs
``type weight x recorded weight`` (1 when the source records none; a folded
tie, the product of its two records'), and a record recorded at 0 or less
adds nothing, as a type weighted 0 does. ``Projection(recorded=False)``
counts every record at its type's weight alone.

Examples
--------
>>> src = TableSource(relations={"KIN": pd.DataFrame({
...     "id": ["r1", "r2"], "src": ["p:s:A", "p:s:B"], "dst": ["p:s:B", "p:s:C"],
...     "start": [None, "2020-01-01"], "end": [None, None]})})
>>> g = project(src, Projection({"KIN": 3.0}))
>>> g.keys.tolist(), g.src.tolist(), g.dst.tolist(), g.weight.tolist()
(['p:s:A', 'p:s:B', 'p:s:C'], [0, 1], [1, 2], [3.0, 3.0])
>>> project(src, Projection({"KIN": 3.0}, on="2019-06-30")).keys.tolist()
['p:s:A', 'p:s:B']

A recorded strength multiplies the type's (blank: 1):

>>> src.relations["KIN"]["weight"] = [2.5, None]
>>> project(src, Projection({"KIN": 3.0})).weight.tolist()
[7.5, 3.0]
>>> project(src, Projection({"KIN": 3.0}, recorded=False)).weight.tolist()
[3.0, 3.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import networkx as nx
import numpy as np
import pandas as pd

from graph.schema import EVENT_TYPES, NODE_KINDS, PREFIX_KIND, REL_TYPES, REL_WEIGHT

if TYPE_CHECKING:
    import numpy.typing as npt

#: Key prefix -> node kind (``p:...`` is a person, ``pay:...`` a payment).

@dataclass(frozen=True)
class Fold:
    """Two records meeting at an event node, folded into one tie between their other ends.

    ``first`` and ``second`` are ``(type, column)``: the relationship type and the
    column (``src`` or ``dst``) that holds the middle node. The same type twice
    pairs up every two records of the same middle node (co-bidders of a contract).
    ``roles``, when given, keeps only records whose ``role`` is one of them.
    """

    name: str
    first: tuple[str, str]
    second: tuple[str, str]
    meaning: str
    roles: tuple[str, ...] = ()


#: Folds a projection may use by name, as if they were relationship types.
FOLDS: dict[str, Fold] = {f.name: f for f in (
    Fold("CO_BID", ("BID", "dst"), ("BID", "dst"), "bid on the same contract as"),
    Fold("APPROVED_AWARD", ("APPROVED", "dst"), ("AWARDED_TO", "src"),
         "approved a contract awarded to"),
    Fold("APPROVED_PAYMENT", ("APPROVED", "dst"), ("PAID_TO", "src"),
         "approved a payment to"),
    Fold("CO_CASE", ("CASE_ROLE", "dst"), ("CASE_ROLE", "dst"), "stands in the same case as"),
    Fold("CO_OFFENDER", ("CASE_ROLE", "dst"), ("CASE_ROLE", "dst"),
         "is a suspect or gang member of the same case as",
         ("suspect", "gang_leader", "gang_member")),
)}


class FrameSource(Protocol):
    """Where typed frames come from: a :class:`graph.store.StoreView` or an adapter."""

    def relations_frame(self, type_: str) -> pd.DataFrame:
        """Records of one type: at least id, src, dst, start, end (and properties)."""

    def entities_frame(self, kind: str) -> pd.DataFrame:
        """Entities of one kind: key, name and properties."""


@dataclass
class TableSource:
    """A :class:`FrameSource` over frames held in memory (tests, notebooks)."""

    relations: dict[str, pd.DataFrame] = field(default_factory=dict)
    entities: dict[str, pd.DataFrame] = field(default_factory=dict)

    def relations_frame(self, type_: str) -> pd.DataFrame:
        """The frame given for ``type_``, or an empty one."""
        return self.relations.get(type_, pd.DataFrame(columns=["id", "src", "dst", "start",
                                                               "end"]))

    def entities_frame(self, kind: str) -> pd.DataFrame:
        """The frame given for ``kind``, or an empty one."""
        return self.entities.get(kind, pd.DataFrame(columns=["key", "name"]))


@dataclass(frozen=True)
class Projection:
    """Which records become edges, how strong each type is, and as of when.

    Parameters
    ----------
    weights:
        Relationship type (or a fold of :data:`FOLDS`) -> tie strength; types left
        out, or given 0, add no edge.
    org_kinds:
        Organization kinds kept as nodes (``None`` keeps all). Government bodies
        are hubs that join everyone who works there: leave them out for communities.
    node_kinds:
        Node kinds kept (``None`` keeps all).
    on:
        ISO date: only ties in force that day, and events dated on or before it.
    where:
        Relationship type -> (property, allowed values): only those records of the
        type count, e.g. ``{"CASE_ROLE": ("role", ("suspect", "gang_member"))}``.
    recorded:
        Multiply each record's own recorded strength (``weight``, blank = 1) into its
        type's; a record recorded at 0 or less adds no edge. ``False``: the type's
        strength alone.
    """

    weights: Mapping[str, float]
    org_kinds: tuple[str, ...] | None = None
    node_kinds: tuple[str, ...] | None = None
    on: str | None = None
    where: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    recorded: bool = True

    def __post_init__(self) -> None:
        unknown = sorted(set(self.weights) - set(REL_TYPES) - set(FOLDS))
        if unknown:
            raise ValueError(f"unknown relationship types {unknown}")
        bad = sorted(set(self.node_kinds or ()) - set(NODE_KINDS))
        if bad:
            raise ValueError(f"unknown node kinds {bad}")


@dataclass
class AnalysisGraph:
    """An undirected weighted graph over integer node ids ``0 .. n-1``.

    ``keys[i]`` is node i's entity key and ``kinds[i]`` its node kind. Edge j
    joins ``src[j] < dst[j]`` (edges sorted by that pair) with ``weight[j]`` (summed
    over ``records[j]`` merged records); ``rel_type[j]``/``rel_id[j]`` name its first
    record. A folded tie names both records (``BID>BID``, ``r1>r2``) and ``via[j]`` the key of the
    event node between them ("" for a plain record). These three are arrays of
    text (numpy object arrays, or pandas Arrow string arrays when the frames held
    Arrow strings).
    """

    keys: npt.NDArray[Any]
    kinds: npt.NDArray[Any]
    src: npt.NDArray[np.int64]
    dst: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]
    rel_type: Any
    rel_id: Any
    records: npt.NDArray[np.int64]
    via: Any = None
    projection: Projection | None = None
    _index: dict[str, int] | None = field(default=None, repr=False)
    _pair_keys: npt.NDArray[np.int64] | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.keys)

    @property
    def m(self) -> int:
        """Number of edges."""
        return len(self.src)

    def index(self) -> dict[str, int]:
        """Entity key -> node id."""
        if self._index is None:
            self._index = {str(k): i for i, k in enumerate(self.keys.tolist())}
        return self._index

    def ids(self, keys: list[str]) -> npt.NDArray[np.int64]:
        """Node ids of the given keys (keys not in the graph are left out)."""
        idx = self.index()
        return np.array([idx[k] for k in keys if k in idx], dtype=np.int64)

    def degree(self) -> npt.NDArray[np.int64]:
        """Number of distinct neighbours of every node."""
        return np.bincount(np.concatenate([self.src, self.dst]), minlength=self.n).astype(
            np.int64)

    def edge_of(self, u: int, v: int) -> int:
        """Index of the edge joining nodes ``u`` and ``v`` (either order); ``KeyError`` if none.

        Edges are sorted by ``(src, dst)``, so this is a binary search.
        """
        a, b = (u, v) if u < v else (v, u)
        if self._pair_keys is None:
            self._pair_keys = self.src * max(self.n, 1) + self.dst
        key = a * max(self.n, 1) + b
        j = int(np.searchsorted(self._pair_keys, key))
        if j >= self.m or int(self._pair_keys[j]) != key:
            raise KeyError((u, v))
        return j

    def to_networkx(self) -> nx.Graph[str]:
        """The graph for users and notebooks: nodes are entity keys with a ``kind``;
        edges carry ``weight``, ``type`` and ``rid`` (the first record) and ``records``.

        Examples
        --------
        >>> src = TableSource(relations={"ASSOCIATE": pd.DataFrame({
        ...     "id": ["r1"], "src": ["p:s:A"], "dst": ["p:s:B"], "start": [None],
        ...     "end": [None]})})
        >>> g = project(src, Projection({"ASSOCIATE": 2.0})).to_networkx()
        >>> sorted(g.nodes(data="kind")), g.edges["p:s:A", "p:s:B"]["weight"]
        ([('p:s:A', 'person'), ('p:s:B', 'person')], 2.0)
        """
        g: nx.Graph[str] = nx.Graph()
        keys = self.keys.tolist()
        g.add_nodes_from((k, {"kind": kind}) for k, kind in
                         zip(keys, self.kinds.tolist(), strict=True))
        g.add_edges_from(
            (keys[a], keys[b], {"weight": w, "type": t, "rid": r, "records": c, "via": x})
            for a, b, w, t, r, c, x in zip(self.src.tolist(), self.dst.tolist(),
                                           self.weight.tolist(), self.rel_type.tolist(),
                                           self.rel_id.tolist(), self.records.tolist(),
                                           self.vias().tolist(), strict=True))
        return g

    def vias(self) -> Any:
        """``via`` with "" for every edge when no tie was folded."""
        return self.via if self.via is not None else np.full(self.m, "", dtype=object)

    def subgraph(self, nodes: npt.NDArray[np.int64]) -> tuple[AnalysisGraph,
                                                              npt.NDArray[np.int64]]:
        """The graph induced by ``nodes`` and the old id of each new node."""
        keep = np.unique(nodes)
        new = np.full(self.n, -1, dtype=np.int64)
        new[keep] = np.arange(len(keep))
        sel = (new[self.src] >= 0) & (new[self.dst] >= 0)
        sub = AnalysisGraph(self.keys[keep], self.kinds[keep], new[self.src[sel]],
                            new[self.dst[sel]], self.weight[sel], self.rel_type[sel],
                            self.rel_id[sel], self.records[sel], self.vias()[sel],
                            self.projection)
        return sub, keep


def kinds_of(keys: pd.Series) -> pd.Series:
    """Node kind of every key, from its prefix ("" when unknown).

    Examples
    --------
    >>> kinds_of(pd.Series(["p:h:1f", "pay:PM1", "o:s:O1", "x"])).tolist()
    ['person', 'payment', 'organization', '']
    """
    text = keys.astype("string")
    out = np.full(len(text), "", dtype=object)
    for prefix, kind in PREFIX_KIND.items():
        out[text.str.startswith(prefix + ":").fillna(False).to_numpy(dtype=bool)] = kind
    return pd.Series(out, index=keys.index, dtype=object)


def in_force_mask(frame: pd.DataFrame, on: str, event: bool) -> pd.Series:
    """Records in force on ``on`` (an event: dated on or before it; blank = open)."""
    start = frame["start"].fillna("0000-01-01").astype(str)
    if event:
        return start <= on
    end = frame["end"].fillna("9999-12-31").astype(str)
    return (start <= on) & (on <= end)


def _excluded_orgs(source: FrameSource, org_kinds: tuple[str, ...] | None) -> set[str]:
    if org_kinds is None:
        return set()
    orgs = source.entities_frame("organization")
    if orgs.empty or "kind" not in orgs.columns:
        return set()
    return set(orgs.loc[~orgs["kind"].isin(org_kinds), "key"].astype(str))


def recorded_weight(frame: pd.DataFrame) -> pd.Series:
    """Each record's own recorded strength (:data:`graph.schema.REL_WEIGHT`; blank or not a
    number: 1).

    Examples
    --------
    >>> recorded_weight(pd.DataFrame({"weight": [2.0, None, "x", "0.5"]})).tolist()
    [2.0, 1.0, 1.0, 0.5]
    >>> recorded_weight(pd.DataFrame({"id": ["r1"]})).tolist()
    [1.0]
    """
    if REL_WEIGHT not in frame.columns:
        return pd.Series(1.0, index=frame.index, dtype=np.float64)
    return pd.to_numeric(frame[REL_WEIGHT], errors="coerce").fillna(1.0).astype(np.float64)


def _records(source: FrameSource, type_: str, on: str | None,
             where: Mapping[str, tuple[str, tuple[str, ...]]],
             recorded: bool = True) -> pd.DataFrame:
    """The records of ``type_`` that count, with their own strength ``rw`` (1 unless
    ``recorded``; records recorded at 0 or less left out)."""
    f = source.relations_frame(type_)
    if f.empty:
        return f
    own = recorded_weight(f) if recorded else pd.Series(1.0, index=f.index)
    f = f.assign(rw=own.to_numpy())[own.to_numpy() > 0]
    if type_ in where:
        column, allowed = where[type_]
        f = f[f[column].isin(allowed)] if column in f.columns else f.iloc[0:0]
    if on is not None:
        f = f[in_force_mask(f, on, type_ in EVENT_TYPES)]
    if not f["id"].is_monotonic_increasing:
        f = f.sort_values("id", kind="stable")
    return f


def _fold(source: FrameSource, fold: Fold, on: str | None,
          where: Mapping[str, tuple[str, tuple[str, ...]]], recorded: bool = True
          ) -> pd.DataFrame:
    """Pairs of records meeting at one middle node: ``u``, ``v``, ``rid``, ``via`` and
    ``rw``, the product of the two records' own strengths."""
    (t1, m1), (t2, m2) = fold.first, fold.second
    o1, o2 = ("src" if m1 == "dst" else "dst"), ("src" if m2 == "dst" else "dst")
    f1 = _records(source, t1, on, where, recorded)
    f2 = f1 if t2 == t1 else _records(source, t2, on, where, recorded)
    if fold.roles:
        f1, f2 = (f if f.empty else f[f["role"].isin(fold.roles)] if "role" in f.columns
                  else f.iloc[0:0] for f in (f1, f2))
    if f1.empty or f2.empty:
        return pd.DataFrame(columns=["u", "v", "rid", "via", "rw"])
    a = pd.DataFrame({"via": f1[m1].astype(str), "u": f1[o1].astype(str),
                      "r1": f1["id"].astype(str), "x1": f1["rw"]})
    b = pd.DataFrame({"via": f2[m2].astype(str), "v": f2[o2].astype(str),
                      "r2": f2["id"].astype(str), "x2": f2["rw"]})
    p = a.merge(b, on="via")
    p = p[p["u"] < p["v"]] if t1 == t2 and m1 == m2 else p[p["u"] != p["v"]]
    return pd.DataFrame({"u": p["u"].to_numpy(), "v": p["v"].to_numpy(),
                         "rid": (p["r1"] + ">" + p["r2"]).to_numpy(),
                         "via": p["via"].to_numpy(),
                         "rw": (p["x1"] * p["x2"]).to_numpy(dtype=np.float64)})


def edge_records(source: FrameSource, spec: Projection) -> pd.DataFrame:
    """Every record (or folded pair) that becomes part of an edge: ``u``, ``v``, ``type``,
    ``rid``, ``via`` and ``w`` (the type's weight times the record's own, see the module
    text)."""
    parts: list[pd.DataFrame] = []
    for type_ in sorted(spec.weights):
        w = float(spec.weights[type_])
        if w <= 0:
            continue
        if type_ in FOLDS:
            fold = FOLDS[type_]
            f = _fold(source, fold, spec.on, spec.where, spec.recorded)
            label = f"{fold.first[0]}>{fold.second[0]}"
            parts.append(f.assign(type=label, w=w * f["rw"].astype(np.float64))[
                ["u", "v", "type", "rid", "via", "w"]])
            continue
        f = _records(source, type_, spec.on, spec.where, spec.recorded)
        if f.empty:
            continue
        parts.append(pd.DataFrame({"u": f["src"].astype(str).to_numpy(),
                                   "v": f["dst"].astype(str).to_numpy(), "type": type_,
                                   "rid": f["id"].astype(str).to_numpy(), "via": "",
                                   "w": w * f["rw"].to_numpy(dtype=np.float64)}))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                             (("u", str), ("v", str), ("type", str), ("rid", str),
                              ("via", str), ("w", float))})
    e = pd.concat(parts, ignore_index=True)
    e = e[e["u"] != e["v"]]
    drop = _excluded_orgs(source, spec.org_kinds)
    if drop:
        e = e[~e["u"].isin(drop) & ~e["v"].isin(drop)]
    if spec.node_kinds is not None:
        e = e[kinds_of(e["u"]).isin(spec.node_kinds) & kinds_of(e["v"]).isin(spec.node_kinds)]
    return e.reset_index(drop=True)


def project(source: FrameSource, spec: Projection,
            order: Mapping[str, str] | None = None) -> AnalysisGraph:
    """Build the analysis graph of ``spec`` from ``source``'s typed frames.

    Node ids follow the entity keys sorted by kind and ``order[key]`` (when given,
    e.g. each entity's first input id) then by key; edges follow the pairs of node
    ids. The same data gives the same graph, id for id — also in two stores whose
    person keys differ (keys are keyed hashes), when ``order`` names input ids.
    A source that can list the edge records itself (an ``edge_records(spec)`` method,
    e.g. as one query on a columnar engine) is asked for them instead.
    """
    own = getattr(source, "edge_records", None)
    records = own(spec) if callable(own) else edge_records(source, spec)
    return from_records(records, spec, order)


def from_records(e: pd.DataFrame, spec: Projection | None = None,
                 order: Mapping[str, str] | None = None) -> AnalysisGraph:
    """The graph of :func:`edge_records`' output: integer ids, one edge per pair of
    nodes with the summed weight and the first record, all column-wise."""
    codes, uniques = pd.factorize(pd.concat([e["u"], e["v"]], ignore_index=True), sort=True)
    keys = np.asarray(uniques, dtype=object)
    kinds = kinds_of(pd.Series(keys, dtype=object)).to_numpy(dtype=object)
    if order is not None and len(keys):
        labels = np.asarray([order.get(k, k) for k in keys.tolist()], dtype=object)
        perm = np.lexsort((np.arange(len(keys)), labels.astype(str), kinds.astype(str)))
        rank = np.empty(len(keys), dtype=np.int64)
        rank[perm] = np.arange(len(keys))
        codes, keys, kinds = rank[codes], keys[perm], kinds[perm]
    half = len(e)
    u, v = codes[:half].astype(np.int64), codes[half:].astype(np.int64)
    a, b = np.minimum(u, v), np.maximum(u, v)
    order_ = np.lexsort((b, a))  # stable: records of one pair stay in (type, id) order
    a, b = a[order_], b[order_]
    w = e["w"].to_numpy(dtype=np.float64)[order_]
    starts = np.flatnonzero(np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]) if half else (
        np.zeros(0, dtype=np.int64))
    counts = np.diff(np.r_[starts, half]).astype(np.int64)
    first = order_[starts]  # the first record of each pair, as a row of ``e``

    def firsts(column: str) -> Any:
        # text of each edge's first record, kept compact: Arrow strings stay Arrow
        # strings (no Python object per edge) and repeated values share one object
        col = e[column].iloc[first]
        if column == "type":
            cat = pd.Categorical(col)
            return np.asarray(cat.categories, dtype=object)[cat.codes]
        return col.array if isinstance(col.dtype, pd.StringDtype) else col.to_numpy(
            dtype=object)

    return AnalysisGraph(
        keys=keys, kinds=kinds, src=a[starts], dst=b[starts],
        weight=np.add.reduceat(w, starts) if half else np.zeros(0),
        rel_type=firsts("type"), rel_id=firsts("rid"), records=counts, via=firsts("via"),
        projection=spec)
