"""CLU: communities that mix officials, suppliers and case suspects, ranked by risk density.

CLU-001 projects the store into a graph of people, organizations and cases
linked by kin, known associations, company roles, co-bidding (two bids on one
contract), approvals (an official approving a contract or a payment, folded
into a tie to its winner or recipient), case roles and co-offending (two
suspects or gang members of one case); splits it into communities with Leiden
(modularity, seeded) at a resolution the graph chooses (:func:`find_communities`:
the sweep's partition of best modularity once every community above
max(40, 1% of the people and organizations) is split), so a network of 150
people and a county of 200,000 both give communities an investigator can work;
and scores every community by its risk density:

- ``D``, findings inside: the findings of every pattern rule (``count_rules``
  narrows them; below ``min_finding_score`` left out) whose people and
  organizations lie mostly in the community, counted by the people and
  organizations they implicate (:func:`implicated`),
  ``1 - exp(-implicated / implicated_scale)``;
- ``L``, the mix: how over-represented officials, suppliers and case suspects
  are against the whole graph (members and the outsiders its findings name),
  the geometric mean of the two highest lifts (each capped at 5) over 5
  (:func:`kinds_mix`);
- ``M``, money flowing in: contract awards and payments received by members,
  as a log-lift over their share of members.

``score = findings_weight * D + mix_weight * L + money_weight * M``. The best
communities are reported with their members, their tight centre (the highest
k-core of the community), the ties that bind them (shortest paths inside the
community from officials to suspects and suppliers, each record with its
source row) and a reason in words. A community is a pattern for review, not
an accusation.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from graph.analysis import (
    AnalysisGraph,
    Communities,
    Projection,
    node_roles,
    project,
    workable_communities,
)
from graph.analysis.community import RESOLUTIONS, join_groups
from graph.analysis.engine import to_igraph
from graph.analysis.projection import FOLDS, TableSource, edge_records
from graph.analysis.roles import CRIME_ROLES, GOVERNMENT_KINDS
from graph.schema import (
    CASE_OFFICIAL_ROLES,
    EVENT_TYPES,
    NODE_KINDS,
    REL_TYPES,
    REL_WEIGHT,
    kind_of_key,
)
from lang.core import N_, NP_
from lang.message import Msg, Template, money, names, render, word
from queries.context import Context
from queries.findings import Finding, clip, node, rel
from queries.frames import Frames
from queries.registry import RULES, rule
from queries.rules.common import any_right
from queries.settings import SettingsError, check_value

if TYPE_CHECKING:
    import numpy.typing as npt

#: Categories of the algorithm rules (their findings are not counted as "inside").
ALGORITHM_CATEGORIES = ("cluster", "broker")
TEXT: dict[str, Template] = {
    "officials": NP_("{n} official", "{n} officials"),
    "suppliers": NP_("{n} supplier", "{n} suppliers"),
    "suspects": NP_("{n} case suspect", "{n} case suspects"),
    "found_by": N_("Community {rank} of {total}: {people} people and {orgs} organizations "
                   "tied more closely to each other than to the rest of the graph, mixing "
                   "{officials}, {suppliers}, {suspects}."),
    "found_by_cases": N_("Community {rank} of {total}: {people} people and {orgs} "
                         "organizations around {cases} case(s), tied more closely to each other "
                         "than to the rest of the graph, mixing {officials}, {suppliers}, "
                         "{suspects}."),
    "how": N_("How it was found: {method} community search (seed {seed}) at resolution "
              "{resolution:g}, the one of the best modularity ({modularity:.2f}) that leaves no "
              "community larger than {cap} people and organizations an investigator can work."),
    "hubs": N_("Set aside before the search, as tied to nearly everyone of their network "
               "(they belong to every group of it, so they tell nothing of where its groups "
               "lie; look for them among the brokers): {list}."),
    "joined": NP_("{n} community was joined to another because a strong finding names "
                  "people of both.",
                  "{n} communities were joined to others because a strong finding names "
                  "people of both."),
    "none": N_("none"),
    "who_officials": N_("Officials: {list}."),
    "who_suspects": N_("Suspects: {list}."),
    "who_suppliers": N_("Suppliers: {list}."),
    "tie_count": N_("{tie} {n}"),
    "ties": N_("Ties inside: {ties}."),
    "rule_count": N_("{rule} ×{n}"),
    "inside": NP_("{n} finding of the pattern rules lies inside it ({rules}).",
                  "{n} findings of the pattern rules lie inside it ({rules})."),
    "none_inside": N_("No pattern-rule finding lies inside it."),
    "money": N_("{money} of contract awards and payments flowed to its members."),
    "amount": N_("{amount}"),
    "centre": N_("Its tight centre (every one tied to at least {core} others of it): "
                 "{centre}."),
    "density": N_("Risk density {score:.2f}: {fw:g} x findings {d:.2f} + {mw:g} x mix {l:.2f} + "
                  "{monw:g} x money {m:.2f} (each from 0 to 1)."),
    "named": N_("Named by the findings inside it, from outside: {list}."),
    "outside": NP_("Tied to it from outside (a company role linking it to one of its members, "
                   "or an official who is kin or a known associate of one of its suspects): "
                   "{list}; the evidence shows the tie.",
                   "Tied to it from outside (company roles linking them to its members, or "
                   "officials who are kin or known associates of its suspects): {list}; the "
                   "evidence shows each tie."),
    "why": N_("A dense pocket where officials, suppliers and suspects meet is where favours, "
              "shielding and rigged awards are arranged. This is a pattern for review, not an "
              "accusation; the evidence shows the shortest ties joining them."),
    "title": N_("Community of {people} people and {orgs} organizations mixing {officials}, "
                "{suppliers}, {suspects}"),
    "title_inside": NP_("Community of {people} people and {orgs} organizations mixing "
                        "{officials}, {suppliers}, {suspects} ({n} finding inside)",
                        "Community of {people} people and {orgs} organizations mixing "
                        "{officials}, {suppliers}, {suspects} ({n} findings inside)"),
}


# -- shared with BRK ----------------------------------------------------------------------

class FramesSource:
    """The scan's :class:`Frames` as a :class:`graph.analysis.FrameSource`: the projection
    reuses the frames the other rules already read (and their record ids)."""

    def __init__(self, frames: Frames) -> None:
        self.frames = frames

    def relations_frame(self, type_: str) -> pd.DataFrame:
        """Records of one type (with ``s``/``e`` filled)."""
        return self.frames.rel(type_)

    def entities_frame(self, kind: str) -> pd.DataFrame:
        """Entities of one kind."""
        return self.frames.ents(kind)

    def order(self) -> dict[str, str]:
        """Entity key -> its first input id: numbers the graph's nodes the same way in
        every store (person keys are keyed hashes that differ between stores)."""
        return self.frames.first_ids()

    def side_keys(self, on: str | None) -> dict[str, list[str]]:
        """The keys on each side of public life (:func:`graph.analysis.roles.node_roles`),
        one query per side on the engine."""
        engine = self.frames.engine
        held = "($on IS NULL OR (s <= $on AND $on <= e))"
        event = "($on IS NULL OR s <= $on)"
        params = {"on": on, "official_roles": list(CASE_OFFICIAL_ROLES),
                  "crime_roles": list(CRIME_ROLES), "gov": list(GOVERNMENT_KINDS)}
        queries = {
            "official": f"SELECT src FROM rel_HOLDS_POST WHERE {held} UNION "
                        f"SELECT src FROM rel_CASE_ROLE WHERE {held} AND "
                        f"list_contains($official_roles, role) UNION "
                        f"SELECT src FROM rel_APPROVED WHERE {event}",
            "government": "SELECT key FROM ent_organization WHERE list_contains($gov, kind)",
            "company": "SELECT key FROM ent_organization WHERE kind = 'company'",
            "business": "SELECT key FROM ent_organization WHERE kind = 'company' UNION "
                        f"SELECT src FROM rel_COMPANY_ROLE WHERE {held} AND src LIKE 'p:%'",
            "supplier": f"SELECT dst FROM rel_AWARDED_TO WHERE {event} UNION "
                        f"SELECT src FROM rel_BID WHERE {event}",
            "crime": f"SELECT src FROM rel_CASE_ROLE WHERE {held} AND "
                     "list_contains($crime_roles, role)",
        }
        out = {}
        for side, sql in queries.items():
            used = {k: v for k, v in params.items() if f"${k}" in sql}
            out[side] = [str(x) for x in engine.arrow(sql, used).column(0).to_pylist()]
        return out

    def edge_records(self, spec: Projection) -> pd.DataFrame:
        """:func:`graph.analysis.projection.edge_records` as one query on the engine: the
        same rows in the same order, without reading each type as a frame first."""
        sql, params = edge_sql(spec)
        if not sql:
            return edge_records(TableSource(), spec)
        return self.frames.engine.frame(sql, params)


def edge_sql(spec: Projection) -> tuple[str, dict[str, Any]]:
    """The SQL (and its parameters) of the records a projection turns into edges, in the
    order :func:`graph.analysis.projection.edge_records` gives them.

    Examples
    --------
    >>> sql, params = edge_sql(Projection({"KIN": 3.0}))
    >>> "FROM rel_KIN" in sql, params["w0"], "$w0 * coalesce(weight, 1.0)" in sql
    (True, 3.0, True)
    """
    params: dict[str, Any] = {}
    # a record's own recorded strength (blank: 1) multiplies its type's; recorded at 0 or
    # less, it adds nothing (graph.analysis.projection's module text)
    own = f"coalesce({REL_WEIGHT}, 1.0)" if spec.recorded else "1.0"

    def records(type_: str, roles: tuple[str, ...] = ()) -> str:
        conds = [f"{own} > 0"]
        if roles:
            name = f"roles_{len(params)}"
            params[name] = list(roles)
            conds.append(f"list_contains(${name}, role)")
        if type_ in spec.where:
            column, allowed = spec.where[type_]
            if column not in REL_TYPES[type_].props:
                conds.append("FALSE")
            else:
                name = f"allowed_{type_}"
                params[name] = list(allowed)
                conds.append(f"list_contains(${name}, {column})")
        if spec.on is not None:
            params["on"] = spec.on
            conds.append("s <= $on" if type_ in EVENT_TYPES else "s <= $on AND $on <= e")
        return f"SELECT * FROM rel_{type_} WHERE {' AND '.join(conds)}"

    parts = []
    for i, type_ in enumerate(t for t in sorted(spec.weights) if float(spec.weights[t]) > 0):
        params[f"w{i}"] = float(spec.weights[type_])
        if type_ in FOLDS:
            fold = FOLDS[type_]
            (t1, m1), (t2, m2) = fold.first, fold.second
            o1 = "src" if m1 == "dst" else "dst"
            o2 = "src" if m2 == "dst" else "dst"
            keep = "a.u < b.v" if t1 == t2 and m1 == m2 else "a.u <> b.v"
            left, right = records(t1, fold.roles), records(t2, fold.roles)
            parts.append(
                f"SELECT a.u, b.v, '{t1}>{t2}' AS type, a.r1 || '>' || b.r2 AS rid, "
                f"a.via, $w{i} * (a.x1 * b.x2) AS w, {i} AS part, a.r1 AS o1, b.r2 AS o2 "
                f"FROM (SELECT {m1} AS via, {o1} AS u, id AS r1, {own} AS x1 FROM ({left})) a "
                f"JOIN (SELECT {m2} AS via, {o2} AS v, id AS r2, {own} AS x2 FROM ({right})) b "
                f"ON a.via = b.via WHERE {keep}")
        else:
            parts.append(f"SELECT src AS u, dst AS v, '{type_}' AS type, id AS rid, '' AS via, "
                         f"$w{i} * {own} AS w, {i} AS part, id AS o1, '' AS o2 "
                         f"FROM ({records(type_)})")
    if not parts:
        return "", {}
    conds = ["u <> v"]
    if spec.org_kinds is not None:
        params["org_kinds"] = list(spec.org_kinds)
        conds.append("u NOT IN (SELECT key FROM dropped) AND v NOT IN (SELECT key FROM dropped)")
    if spec.node_kinds is not None:
        params["prefixes"] = [NODE_KINDS[k].prefix for k in spec.node_kinds]
        conds.append("list_contains($prefixes, split_part(u, ':', 1)) "
                     "AND list_contains($prefixes, split_part(v, ':', 1))")
    dropped = ("WITH dropped AS (SELECT key FROM ent_organization WHERE kind IS NULL "
               "OR NOT list_contains($org_kinds, kind)) " if spec.org_kinds is not None else "")
    sql = (dropped + "SELECT u, v, type, rid, via, w FROM (" + " UNION ALL ".join(parts)
           + f") WHERE {' AND '.join(conds)} ORDER BY part, o1, o2")
    return sql, params


def weights_from(settings: dict[str, Any]) -> dict[str, float]:
    """Tie strengths from ``w_<type>`` settings (relationship types and folds).

    Examples
    --------
    >>> weights_from({"w_kin": 3.0, "w_co_bid": 1, "w_bid": 0.0, "base_score": 0.5})
    {'KIN': 3.0, 'CO_BID': 1.0}
    """
    out: dict[str, float] = {}
    for label in (*REL_TYPES, *FOLDS):
        value = settings.get(f"w_{label.lower()}")
        if value is not None and float(value) > 0:
            out[label] = float(value)
    return out


def on_date(settings: dict[str, Any], where: str = "[CLU-001]") -> str | None:
    """The ``on`` setting as an ISO date, or None ("" = over all time); a value that is
    not a date (:func:`lang.formats.parse_date`) raises :class:`SettingsError`."""
    on = str(settings.get("on") or "").strip()
    if on:
        check_value(where, "on", on)
    return on or None


def prefetch_paths(f: Frames, g: AnalysisGraph, paths: Iterable[list[int]]) -> None:
    """Fetch, in a few queries, every record and entity :func:`path_steps` will show."""
    by_type: dict[str, list[str]] = {}
    keys: list[str] = []
    vias = g.vias()
    for path in paths:
        keys += [str(g.keys[i]) for i in path]
        for a, b in itertools.pairwise(path):
            j = g.edge_of(a, b)
            for t, rid in zip(str(g.rel_type[j]).split(">"), str(g.rel_id[j]).split(">"),
                              strict=True):
                by_type.setdefault(t, []).append(rid)
            if vias[j]:
                keys.append(str(vias[j]))
    for t, rids in by_type.items():
        f.prefetch(t, rids)
    f.prefetch_keys(keys)


def path_steps(f: Frames, g: AnalysisGraph, path: list[int]) -> list[dict[str, Any]]:
    """Evidence steps along a path of node ids: every record with its source rows; a
    folded tie (two bids on one contract, an approval and its award) shows its
    middle node."""
    keys = g.keys
    vias = g.vias()
    steps: list[dict[str, Any]] = [node(f, str(keys[path[0]]), kind_of_key(str(keys[path[0]])))]
    for a, b in itertools.pairwise(path):
        j = g.edge_of(a, b)
        here, there = str(keys[a]), str(keys[b])
        types, rids = str(g.rel_type[j]).split(">"), str(g.rel_id[j]).split(">")
        if len(types) == 1:
            steps += [rel(f, f.rel_row(types[0], rids[0]), types[0]),
                      node(f, there, kind_of_key(there))]
            continue
        r1, r2 = f.rel_row(types[0], rids[0]), f.rel_row(types[1], rids[1])
        t1, t2 = types
        if here not in (r1["src"], r1["dst"]):
            r1, r2, t1, t2 = r2, r1, t2, t1
        via = str(vias[j])
        steps += [rel(f, r1, t1), node(f, via, kind_of_key(via)), rel(f, r2, t2),
                  node(f, there, kind_of_key(there))]
    return steps


def pattern_findings(ctx: Context, wanted: Iterable[str]) -> pd.DataFrame:
    """Findings of the pattern rules (codes or families in ``wanted``; none named: every
    enabled pattern rule, so rules added later count too; each run once per scan, see
    :meth:`queries.context.Context.run`), one row per entity key: ``fid``, ``rule``,
    ``score``, ``key``."""
    want = [w.upper() for w in wanted]
    rows: list[tuple[str, str, float, str]] = []
    for code in sorted(RULES):
        if RULES[code].category in ALGORITHM_CATEGORIES or (want and not any(
                code == w or code.startswith(w + "-") for w in want)):
            continue
        for found in ctx.run(code):
            rows += [(found.id, code, float(found.score), k) for k in dict.fromkeys(found.keys)]
    return pd.DataFrame(rows, columns=["fid", "rule", "score", "key"])


# -- CLU-001 ------------------------------------------------------------------------------

@dataclass
class ClusterAnalysis:
    """A projection, its communities and one scored row per community (``table``)."""

    graph: AnalysisGraph
    parts: Communities
    roles: dict[str, npt.NDArray[np.bool_]]
    table: pd.DataFrame
    inside: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Money received by each community, per currency, with the currency's record count.
    money_by: dict[str, tuple[npt.NDArray[np.float64], int]] = field(default_factory=dict)
    #: People and organizations outside each community named by a finding inside it:
    #: community, node, score (of the strongest such finding), strongest first.
    named: pd.DataFrame = field(default_factory=pd.DataFrame)


def _money(f: Frames, g: AnalysisGraph, on: str | None
           ) -> dict[str, tuple[npt.NDArray[np.float64], int]]:
    """Contract awards and payments received by every node, per currency ('' when none
    is stated): the amounts added in record order, and how many records there are."""
    out: dict[str, tuple[npt.NDArray[np.float64], int]] = {}
    idx = g.index()
    for kind, type_ in (("contract", "AWARDED_TO"), ("payment", "PAID_TO")):
        got = f.engine.arrow(
            f"SELECT r.dst, e.amount, coalesce(e.currency, '') AS currency "
            f"FROM rel_{type_} r JOIN ent_{kind} e ON e.key = r.src "
            "WHERE e.amount IS NOT NULL AND ($on IS NULL OR r.s <= $on) ORDER BY r.id",
            {"on": on})
        if not got.num_rows:
            continue
        ids = np.array([idx.get(str(k), -1) for k in got.column("dst").to_pylist()],
                       dtype=np.int64)
        amounts = got.column("amount").to_numpy(zero_copy_only=False).astype(np.float64)
        currencies = np.array([str(c) for c in got.column("currency").to_pylist()])
        for cur in sorted(set(currencies.tolist())):
            ok = (ids >= 0) & (currencies == cur)
            per_node, records = out.get(cur, (np.zeros(g.n), 0))
            np.add.at(per_node, ids[ok], amounts[ok])
            out[cur] = (per_node, records + int((currencies == cur).sum()))
    return out


def money_share(by_currency: dict[str, tuple[npt.NDArray[np.float64], int]]
                ) -> npt.NDArray[np.float64]:
    """Each community's share of the money, currencies never added together: its share
    of each currency's total, averaged with each currency's number of records as weight
    (with one currency, simply its share of the total).

    Examples
    --------
    >>> one = {"CNY": (np.array([30.0, 10.0]), 4)}
    >>> money_share(one).tolist()
    [0.75, 0.25]
    >>> two = {"USD": (np.array([100.0, 0.0]), 1), "EUR": (np.array([0.0, 100.0]), 3)}
    >>> money_share(two).tolist()
    [0.25, 0.75]
    """
    parts = [(v / v.sum(), n) for v, n in by_currency.values() if v.sum() > 0]
    if not parts:
        return np.zeros(0)
    weight = float(sum(n for _v, n in parts))
    return np.asarray(sum(share * (n / weight) for share, n in parts), dtype=np.float64)


def _inside(found: pd.DataFrame, g: AnalysisGraph, membership: npt.NDArray[np.int64]
            ) -> pd.DataFrame:
    """Each pattern finding's community: the one holding most of (and at least half of)
    its people and organizations. Columns fid, rule, score, community."""
    if found.empty:
        return pd.DataFrame(columns=["fid", "rule", "score", "community"])
    idx = g.index()
    f = found[found["key"].str.startswith(("p:", "o:"))].copy()
    f["node"] = f["key"].map(idx)
    total = f.groupby("fid")["node"].count()
    f = f.dropna(subset=["node"])
    if f.empty:  # no finding touches the graph (its parties have no tie in it)
        return pd.DataFrame(columns=["fid", "rule", "score", "community"])
    f["community"] = membership[f["node"].astype(np.int64).to_numpy()]
    n = f.groupby(["fid", "rule", "score", "community"]).size().rename("n").reset_index()
    n = n.sort_values(["fid", "n", "community"], ascending=[True, False, True])
    best = n.drop_duplicates("fid")
    # the totals joined by fid, as integers: a lookup by a string column keeps the column's
    # dtype when nothing matches (pandas' string dtype then refuses the comparison)
    best = best.merge(total.rename("total").reset_index(), on="fid", how="inner")
    best = best[best["n"].to_numpy(np.int64) * 2 >= best["total"].to_numpy(np.int64)]
    return best[["fid", "rule", "score", "community"]].reset_index(drop=True)


def named_by(found: pd.DataFrame, inside: pd.DataFrame) -> pd.DataFrame:
    """Each entity key a finding lying inside a community names, with that finding's
    score and community: columns fid, key, score, community.

    Examples
    --------
    >>> found = pd.DataFrame({"fid": ["F1", "F1", "F2"], "rule": ["R"] * 3,
    ...                       "score": [0.9, 0.9, 0.4], "key": ["p:a", "p:c", "p:d"]})
    >>> inside = pd.DataFrame({"fid": ["F1"], "rule": ["R"], "score": [0.9],
    ...                        "community": [0]})
    >>> named_by(found, inside)["key"].tolist()
    ['p:a', 'p:c']
    """
    if inside.empty or found.empty:
        return pd.DataFrame({"fid": pd.Series(dtype=str), "key": pd.Series(dtype=str),
                             "score": pd.Series(dtype=float),
                             "community": pd.Series(dtype=np.int64)})
    return found[["fid", "key"]].merge(inside[["fid", "score", "community"]], on="fid")


def named_outside(told: pd.DataFrame, g: AnalysisGraph,
                  membership: npt.NDArray[np.int64]) -> pd.DataFrame:
    """The people and organizations that findings lying inside a community name
    (``told``: :func:`named_by`), where they are not its members: columns community,
    node, score (the strongest such finding's), strongest first, each (community, node)
    once.

    Examples
    --------
    >>> from graph.analysis.projection import AnalysisGraph
    >>> obj = lambda *x: np.array(x, dtype=object)
    >>> g = AnalysisGraph(obj("p:a", "p:b", "p:c"), obj("person", "person", "person"),
    ...                   np.array([0]), np.array([1]), np.array([1.0]), obj("KIN"),
    ...                   obj("k"), np.array([1]))
    >>> told = pd.DataFrame({"fid": ["F1"] * 3, "key": ["p:a", "p:b", "p:c"],
    ...                      "score": [0.9] * 3, "community": [0] * 3})
    >>> named_outside(told, g, np.array([0, 0, 1])).to_dict("records")
    [{'community': 0, 'node': 2, 'score': 0.9}]
    """
    cols = ["community", "node", "score"]
    if told.empty:
        return pd.DataFrame(columns=cols).astype({"community": np.int64, "node": np.int64})
    idx = g.index()
    f = told.copy()
    f["node"] = f["key"].map(idx)
    f = f.dropna(subset=["node"])
    f["node"] = f["node"].astype(np.int64)
    f["community"] = f["community"].astype(np.int64)
    f = f[membership[f["node"].to_numpy(np.int64)] != f["community"].to_numpy(np.int64)]
    f = f.sort_values(["community", "score", "node"], ascending=[True, False, True])
    out: pd.DataFrame = f.drop_duplicates(["community", "node"])[cols].reset_index(drop=True)
    return out


def with_case_parties(named: pd.DataFrame, g: AnalysisGraph, crime: npt.NDArray[np.bool_],
                      membership: npt.NDArray[np.int64]) -> pd.DataFrame:
    """``named`` (:func:`named_outside`) with, for every case it holds, the case's suspects
    and gang members (``crime``, tied to it in ``g``) that are not members of the
    community: a finding naming the gang case of the gang an official shields names
    the gang, each at that finding's score, after those the findings name themselves.

    Examples
    --------
    >>> from graph.analysis.projection import AnalysisGraph
    >>> obj = lambda *x: np.array(x, dtype=object)
    >>> g = AnalysisGraph(obj("p:a", "case:k", "p:g", "p:h"),
    ...                   obj("person", "case", "person", "person"),
    ...                   np.array([1, 1]), np.array([2, 3]), np.array([3.0, 3.0]),
    ...                   obj("CASE_ROLE", "CASE_ROLE"), obj("r1", "r2"), np.array([1, 1]))
    >>> named = pd.DataFrame({"community": [0], "node": [1], "score": [0.8]})
    >>> crime = np.array([False, False, True, True])
    >>> with_case_parties(named, g, crime, np.array([0, 1, 1, 0]))["node"].tolist()
    [1, 2]
    """
    if named.empty:
        return named
    cases = named[g.kinds[named["node"].to_numpy(np.int64)] == "case"]
    if cases.empty:
        return named
    ends = pd.DataFrame({"case": np.concatenate([g.src, g.dst]),
                         "node": np.concatenate([g.dst, g.src])})
    ends = ends[crime[ends["node"].to_numpy(np.int64)]]
    add = cases.rename(columns={"node": "case"}).merge(ends, on="case")
    add = add[membership[add["node"].to_numpy(np.int64)]
              != add["community"].to_numpy(np.int64)]
    add = add.sort_values(["community", "score", "node"], ascending=[True, False, True])
    out: pd.DataFrame = pd.concat([named, add[["community", "node", "score"]]],
                                  ignore_index=True).drop_duplicates(["community", "node"])
    return out.reset_index(drop=True)


def implicated(told: pd.DataFrame, k: int, least: float = 0.0) -> npt.NDArray[np.float64]:
    """How many people and organizations the findings inside each of ``k`` communities
    (``told``: :func:`named_by`) implicate, in expectation: each one named by a finding
    there (member or not)
    counts the chance that at least one finding naming it is right, reading each score
    as that chance (``1 - prod(1 - score)``). Findings scored below ``least`` (weak alone
    by their own rule's account) do not count. Several people implicated together make
    a network; forty weak findings about one firm each stay weak, one per firm.

    Examples
    --------
    >>> found = pd.DataFrame({"fid": ["A", "A", "A", "B", "C"], "rule": ["R"] * 5,
    ...                       "score": [1.0, 1.0, 1.0, 0.5, 0.2],
    ...                       "key": ["p:x", "p:y", "o:z", "p:x", "o:w"]})
    >>> inside = pd.DataFrame({"fid": ["A", "B", "C"], "rule": ["R"] * 3,
    ...                        "score": [1.0, 0.5, 0.2], "community": [0, 0, 1]})
    >>> told = named_by(found, inside)
    >>> [round(float(x), 2) for x in implicated(told, 2)]
    [3.0, 0.2]
    >>> [round(float(x), 2) for x in implicated(told, 2, least=0.3)]
    [3.0, 0.0]
    """
    out = np.zeros(k, dtype=np.float64)
    if told.empty:
        return out
    f = told[told["key"].astype(str).str.startswith(("p:", "o:"))
             & (told["score"].astype(float) >= least)]
    if f.empty:
        return out
    per = any_right(f.drop_duplicates(["fid", "key"]), ["community", "key"])
    by = per.groupby(level=0).sum()
    out[by.index.to_numpy(np.int64)] = by.to_numpy(np.float64)
    return out


def kinds_mix(lifts: list[npt.NDArray[np.float64]], k: int) -> npt.NDArray[np.float64]:
    """How far a community mixes officials with suppliers or with case suspects: the
    geometric mean of its two highest lifts (each capped at 5), over 5. An umbrella
    (officials and gang members) and a captured tender board (officials and the firms
    they award) both score, without needing the third kind; a community of one kind
    does not. With one kind in the graph, that kind's lift.

    Examples
    --------
    >>> off, sup, sus = np.array([5.0, 5.0, 4.0]), np.array([0.0, 5.0, 0.0]), np.array(
    ...     [5.0, 0.0, 0.0])
    >>> [round(float(x), 2) for x in kinds_mix([off, sup, sus], 3)]
    [1.0, 1.0, 0.0]
    """
    if not lifts:
        return np.zeros(k, dtype=np.float64)
    if len(lifts) == 1:
        return np.asarray(lifts[0], dtype=np.float64) / 5.0
    top = np.sort(np.vstack(lifts), axis=0)[-2:]
    out: npt.NDArray[np.float64] = np.sqrt(top[0] * top[1]) / 5.0
    return out


def share_duties(g: AnalysisGraph, official_records: Iterable[str]) -> int:
    """Spread each official's case duties over his cases: a tie from an investigator,
    prosecutor, judge or approver to a case he acted on (``official_records``, record ids
    of ``CASE_ROLE``) weighs ``w_case_role`` divided by the number of cases he acted on,
    so a judge of fifty cases is not pulled into each one's community while his private
    ties (kin, associates, company roles) count whole. Changes ``g.weight`` in place and
    returns the number of ties changed.

    Examples
    --------
    >>> from graph.analysis.projection import AnalysisGraph
    >>> obj = lambda *x: np.array(x, dtype=object)
    >>> g = AnalysisGraph(obj("case:K1", "case:K2", "p:s:J", "p:s:S"),
    ...                   obj("case", "case", "person", "person"), np.array([0, 1, 0]),
    ...                   np.array([2, 2, 3]), np.array([3.0, 3.0, 3.0]),
    ...                   obj("CASE_ROLE", "CASE_ROLE", "CASE_ROLE"), obj("j1", "j2", "s1"),
    ...                   np.array([1, 1, 1]))
    >>> share_duties(g, ["j1", "j2"]), g.weight.tolist()
    (2, [1.5, 1.5, 3.0])
    """
    wanted = set(official_records)
    duty = np.array([str(t) == "CASE_ROLE" and str(r) in wanted
                     for t, r in zip(g.rel_type.tolist(), g.rel_id.tolist(), strict=True)],
                    dtype=bool)
    if not duty.any():
        return 0
    person = np.where(g.kinds[g.src] == "person", g.src, g.dst)[duty]
    cases = np.bincount(person, minlength=g.n)
    g.weight = g.weight.astype(np.float64)
    g.weight[duty] = g.weight[duty] / cases[person]
    return int(duty.sum())


def find_communities(g: AnalysisGraph, settings: dict[str, Any]) -> Communities:
    """The communities of ``g`` under the settings: ``resolution = 0`` lets the graph
    choose it (:func:`graph.analysis.community.workable_communities`: the sweep's
    partition of highest plain modularity with no community above ``max_size``
    people and organizations; ``max_size = 0``: max(40, 1% of them)); a resolution
    above 0 is used as it is, oversized communities still split.

    Examples
    --------
    >>> from graph.analysis.projection import AnalysisGraph
    >>> obj = lambda *x: np.array(x, dtype=object)
    >>> g = AnalysisGraph(obj("p:s:A", "p:s:B", "p:s:C"), obj("person", "person", "person"),
    ...                   np.array([0, 1]), np.array([1, 2]), np.array([1.0, 1.0]),
    ...                   obj("KIN", "KIN"), obj("r1", "r2"), np.array([1, 1]))
    >>> st = {"method": "leiden", "resolution": 0.0, "max_size": 0, "seed": 0,
    ...       "iterations": 10}
    >>> c = find_communities(g, st)
    >>> c.count, c.cap, c.resolution
    (1, 40, 1.0)
    >>> find_communities(g, {**st, "resolution": 2.5}).resolution
    2.5
    """
    fixed = float(settings["resolution"])
    actor = np.isin(g.kinds, ["person", "organization"]).astype(np.float64)
    return workable_communities(g, actor, cap=int(settings["max_size"]),
                                method=str(settings["method"]), seed=int(settings["seed"]),
                                iterations=int(settings["iterations"]),
                                resolutions=(fixed,) if fixed > 0 else RESOLUTIONS,
                                hub_share=float(settings.get("hub_share", 0.0)),
                                hub_least=int(settings.get("hub_least", 10)))


def joined_by_findings(parts: Communities, found: pd.DataFrame, g: AnalysisGraph,
                       actor: npt.NDArray[np.bool_], least: float) -> Communities:
    """``parts`` with the communities of the people and organizations of every finding
    scored at least ``least`` (strongest first) joined into one, while the joined
    community stays within ``parts.cap`` people and organizations: an official whose
    strong finding names a gang's firm and its holders, who sit in the gang's
    community, is reported with it. ``least = 0``: nothing is joined.

    Examples
    --------
    >>> from graph.analysis.projection import AnalysisGraph
    >>> obj = lambda *x: np.array(x, dtype=object)
    >>> g = AnalysisGraph(obj("p:s:A", "p:s:B", "p:s:C"), obj("person", "person", "person"),
    ...                   np.array([0]), np.array([1]), np.array([1.0]), obj("KIN"),
    ...                   obj("r1"), np.array([1]))
    >>> parts = Communities(np.array([0, 0, 1]), 0.0, "leiden", 0, 1.0, cap=40)
    >>> found = pd.DataFrame({"fid": ["F1", "F1"], "rule": ["R", "R"], "score": [0.8, 0.8],
    ...                       "key": ["p:s:A", "p:s:C"]})
    >>> joined = joined_by_findings(parts, found, g, np.ones(3, dtype=bool), 0.6)
    >>> joined.membership.tolist(), joined.joined
    ([0, 0, 0], 1)
    >>> joined_by_findings(parts, found, g, np.ones(3, dtype=bool), 0.9).joined
    0
    """
    if least <= 0 or found.empty:
        return parts
    idx = g.index()
    strong = found[found["score"].to_numpy(np.float64) >= least].copy()
    strong["node"] = strong["key"].map(idx)
    strong = strong.dropna(subset=["node"])
    if strong.empty:
        return parts
    strong = strong.sort_values(["score", "fid"], ascending=[False, True], kind="stable")
    groups = [grp["node"].to_numpy(np.int64)  # in the order sorted: strongest first
              for _, grp in strong.groupby(["score", "fid"], sort=False)]
    membership, n = join_groups(parts.membership, actor.astype(np.float64), groups, parts.cap)
    return replace(parts, membership=membership, joined=n) if n else parts


def analyse(ctx: Context) -> ClusterAnalysis:
    """Project, find communities and score them (the settings of ``ctx``)."""
    st, f = ctx.settings, ctx.frames
    method = str(st["method"])
    if method not in ("leiden", "louvain"):
        raise SettingsError(f"[CLU-001]: method = {method!r}", hint="use leiden or louvain")
    if float(st["resolution"]) < 0:
        raise SettingsError("[CLU-001]: resolution must be 0 (chosen from the graph) or above",
                            hint="0, or try 1.0 to 8.0")
    on = on_date(st)
    spec = Projection(weights_from(st), org_kinds=tuple(st["org_kinds"]), on=on,
                      recorded=bool(st.get("recorded_weights", True)))
    source = FramesSource(f)
    g = project(source, spec, source.order())
    if bool(st["share_duties"]):
        acts = f.rel("CASE_ROLE")
        if len(acts) and "role" in acts.columns:
            share_duties(g, acts.loc[acts["role"].isin(CASE_OFFICIAL_ROLES), "id"]
                         .astype(str).tolist())
    parts = find_communities(g, st)
    roles = node_roles(source, g, on=on)
    person, org = g.kinds == "person", g.kinds == "organization"
    actor = person | org

    found = pattern_findings(ctx, st["count_rules"])
    parts = joined_by_findings(parts, found, g, actor, float(st.get("join_score", 0.0)))
    m, k = parts.membership, parts.count
    inside = _inside(found, g, m)
    told = named_by(found, inside)
    named = with_case_parties(named_outside(told, g, m), g, roles["crime"], m)
    # the three kinds of the mix (node_roles marks only people and organizations)
    kinds = (roles["official"] & person, roles["supplier"], roles["crime"])

    def count(mask: npt.NDArray[np.bool_], outside: bool = False) -> npt.NDArray[np.float64]:
        """Members per community with ``mask``; with ``outside``, also the outsiders its
        findings name (an official shielding a gang sits with his family, but the gang's
        community is where his finding lies)."""
        got = np.bincount(m, weights=mask.astype(float), minlength=k).astype(np.float64)
        if outside and len(named):
            nodes = named["node"].to_numpy(np.int64)
            got += np.bincount(named["community"].to_numpy(np.int64),
                               weights=mask[nodes].astype(float), minlength=k)
        return got

    n = count(actor)
    off, sup, sus = (count(mask, True) for mask in kinds)
    by_currency = {c: (np.bincount(m, weights=v, minlength=k).astype(np.float64), n)
                   for c, (v, n) in _money(f, g, on).items()}
    share = money_share(by_currency)
    money = (next(iter(by_currency.values()))[0] if len(by_currency) == 1
             else np.full(k, np.nan))  # a sum only in one currency
    score_in = implicated(told, k, float(st.get("min_finding_score", 0.0)))
    n_in = np.bincount(inside["community"].astype(np.int64), minlength=k) if len(inside) else (
        np.zeros(k, dtype=np.int64))
    nn = np.maximum(n, 1.0)
    big_n = max(float(n.sum()), 1.0)
    d = 1.0 - np.exp(-score_in / float(st.get("implicated_scale", 3.0)))

    def lift(x: npt.NDArray[np.float64], mask: npt.NDArray[np.bool_]
             ) -> npt.NDArray[np.float64]:
        rate = float(mask.sum()) / big_n
        return np.minimum((x / nn) / rate, 5.0) if rate > 0 else np.zeros(k, dtype=np.float64)

    # the mix over the kinds the graph holds at all (a network of officials alone, a
    # criminal network with no official: each kind it lacks is left out, not a zero)
    mix = kinds_mix([lift(x, mk) for x, mk in zip((off, sup, sus), kinds, strict=True)
                     if mk.any()], k)
    money_lift = share / (nn / big_n) if len(share) else np.zeros(k)
    mm = np.clip(np.log10(1.0 + money_lift) / math.log10(11.0), 0.0, 1.0)
    score = (float(st["findings_weight"]) * d + float(st["mix_weight"]) * mix
             + float(st["money_weight"]) * mm)
    table = pd.DataFrame({"community": np.arange(k), "members": n.astype(int),
                          "persons": count(person).astype(int),
                          "organizations": count(org).astype(int),
                          "cases": count(g.kinds == "case").astype(int),
                          "officials": off.astype(int), "suppliers": sup.astype(int),
                          "suspects": sus.astype(int), "findings": n_in.astype(int),
                          "finding_score": score_in, "money": money, "D": d, "L": mix,
                          "M": mm, "score": np.clip(score, 0.0, 1.0)})
    table = table.sort_values(["score", "community"], ascending=[False, True], kind="stable")
    table["rank"] = np.arange(1, k + 1)
    return ClusterAnalysis(g, parts, roles, table.reset_index(drop=True), inside, by_currency,
                           named)


def _centre(h: Any, local: npt.NDArray[np.int64]) -> tuple[int, npt.NDArray[np.int64]]:
    """Highest k-core inside the community (k, local node ids of that core)."""
    core = np.asarray(h.coreness(mode="all"), dtype=np.int64)
    if not len(core):
        return 0, local[:0]
    top = int(core.max())
    return top, np.flatnonzero(core == top).astype(np.int64)


def _nearest(h: Any, source: int, targets: npt.NDArray[np.int64]) -> list[int] | None:
    """Shortest path (local ids) from ``source`` to the nearest of ``targets``."""
    targets = targets[targets != source]
    if not len(targets):
        return None
    dist = np.asarray(h.distances(source=[source], target=targets.tolist())[0], dtype=float)
    if not np.isfinite(dist).any():
        return None
    best = int(targets[int(np.argmin(dist))])
    return [int(x) for x in h.get_shortest_path(source, best)]


def _binding_paths(ca: ClusterAnalysis, members: npt.NDArray[np.int64], h: Any,
                   centre: npt.NDArray[np.int64], limit: int) -> list[list[int]]:
    """Paths (global node ids) inside the community joining officials to suspects and
    suppliers, then the strongest ties of its risky members."""
    g, r = ca.graph, ca.roles
    person = g.kinds[members] == "person"
    off = np.flatnonzero(r["official"][members] & person).astype(np.int64)
    sus = np.flatnonzero(r["crime"][members]).astype(np.int64)
    sup = np.flatnonzero(r["supplier"][members]).astype(np.int64)
    central = set(centre.tolist())
    off = np.array(sorted(off.tolist(), key=lambda i: (i not in central, i)), dtype=np.int64)
    paths: list[list[int]] = []
    seen: set[tuple[int, ...]] = set()
    for o in off[:3]:
        for targets in (sus, sup):
            p = _nearest(h, int(o), targets)
            if p and len(p) > 1 and tuple(p) not in seen and len(paths) < limit:
                seen.add(tuple(p))
                paths.append([int(members[i]) for i in p])
    if len(paths) < limit:
        risky = np.zeros(g.n, dtype=bool)
        risky[members] = True
        risky &= r["official"] | r["supplier"] | r["crime"]
        inside = np.zeros(g.n, dtype=bool)
        inside[members] = True
        sel = np.flatnonzero(inside[g.src] & inside[g.dst] & (risky[g.src] | risky[g.dst]))
        order = sel[np.lexsort((sel, -g.weight[sel]))]
        for j in order:
            pair = (int(g.src[j]), int(g.dst[j]))
            if len(paths) >= limit:
                break
            if pair not in seen:
                seen.add(pair)
                paths.append(list(pair))
    return paths


def _ties_words(g: AnalysisGraph, members: npt.NDArray[np.int64]) -> dict[str, Any]:
    """How many records of each tie type bind the members, most first."""
    inside = np.zeros(g.n, dtype=bool)
    inside[members] = True
    sel = inside[g.src] & inside[g.dst]
    counts: Counter[str] = Counter()
    for t, n in zip(g.rel_type[sel].tolist(), g.records[sel].tolist(), strict=True):
        counts[str(t)] += int(n)
    words = {t: word("tie", t) for t in counts}
    order = sorted(counts, key=lambda t: (-counts[t], render(Msg("{w}", {"w": words[t]}))))
    return names([Msg(TEXT["tie_count"], {"tie": words[t], "n": counts[t]}) for t in order],
                 None)


@dataclass
class _Plan:
    """A reported community's members, its tight centre and the paths its evidence shows."""

    members: npt.NDArray[np.int64]
    k_core: int
    centre_local: npt.NDArray[np.int64]
    binding: list[list[int]]
    #: People outside it who control its firms or, as officials, are kin or associates
    #: of its suspects (:func:`attached`), and the tie (a path of two) of each.
    attached: list[list[int]] = field(default_factory=list)
    #: Other people and organizations outside it that its findings name (node ids,
    #: strongest finding first; the findings are the evidence).
    named: list[int] = field(default_factory=list)


#: Private ties through which an official outside a community reaches its suspects.
PRIVATE = ("KIN", "ASSOCIATE")


def attached(g: AnalysisGraph, roles: dict[str, npt.NDArray[np.bool_]],
             members: npt.NDArray[np.int64]) -> list[list[int]]:
    """The people and firms a community's report names beside its members, each with
    the tie ``[outsider, member]``: whoever holds a role in one of its companies, every
    company one of its members holds a role in, and every official who is kin or a
    known associate of one of its suspects. A person belongs to one community only (his
    family, say), but the firm he controls or the gang his friend leads is where an
    investigator needs him named too.

    Examples
    --------
    >>> from graph.analysis.projection import AnalysisGraph
    >>> obj = lambda *x: np.array(x, dtype=object)
    >>> g = AnalysisGraph(obj("o:s:F", "p:s:O", "p:s:S", "p:s:Z"),
    ...                   obj("organization", "person", "person", "person"),
    ...                   np.array([0, 1, 2]), np.array([3, 2, 3]), np.array([2.0, 2.0, 3.0]),
    ...                   obj("COMPANY_ROLE", "ASSOCIATE", "KIN"), obj("c", "a", "k"),
    ...                   np.array([1, 1, 1]))
    >>> roles = {"official": np.array([False, True, False, False]),
    ...          "crime": np.array([False, False, True, False])}
    >>> attached(g, roles, np.array([0, 2]))
    [[1, 2], [3, 0]]
    >>> attached(g, roles, np.array([3]))
    [[0, 3]]
    """
    inside = np.zeros(g.n, dtype=bool)
    inside[members] = True
    types = np.asarray([str(t) for t in g.rel_type.tolist()], dtype=object)
    out: dict[int, int] = {}
    for a, b in ((g.src, g.dst), (g.dst, g.src)):
        firm = (types == "COMPANY_ROLE") & inside[b] & ~inside[a]  # either way round
        tied = (np.isin(types, PRIVATE) & inside[b] & ~inside[a] & roles["official"][a]
                & roles["crime"][b])
        for j in np.flatnonzero(firm | tied).tolist():
            out.setdefault(int(a[j]), int(b[j]))
    return [[x, out[x]] for x in sorted(out)]


def _plan(ca: ClusterAnalysis, row: Any, settings: dict[str, Any]) -> _Plan:
    members = ca.parts.members(int(row["community"]))
    sub, _ = ca.graph.subgraph(members)
    h = to_igraph(sub)
    k_core, centre_local = _centre(h, np.arange(len(members), dtype=np.int64))
    binding = _binding_paths(ca, members, h, centre_local, int(settings["evidence_paths"]))
    tied = attached(ca.graph, ca.roles, members)
    nm = ca.named
    named: list[int] = [int(x) for x in nm.loc[nm["community"] == int(row["community"]), "node"]
                        ] if len(nm) else []
    tied, named = within_cap(ca.graph, ca.roles, members, tied, named, ca.parts.cap)
    return _Plan(members, k_core, centre_local, binding, tied, named)


def within_cap(g: AnalysisGraph, roles: dict[str, npt.NDArray[np.bool_]],
               members: npt.NDArray[np.int64], tied: list[list[int]], named: list[int],
               cap: int) -> tuple[list[list[int]], list[int]]:
    """The outsiders a community's report names, so that its people and organizations
    stay within ``cap`` (what an investigator can work): first the officials tied to
    its suspects, then those its findings name (strongest finding first), then the
    holders of its firms' roles and the firms its members hold roles in.

    Examples
    --------
    >>> from graph.analysis.projection import AnalysisGraph
    >>> obj = lambda *x: np.array(x, dtype=object)
    >>> g = AnalysisGraph(obj("p:a", "p:b", "p:c", "p:d"), obj(*["person"] * 4),
    ...                   np.array([0]), np.array([1]), np.array([1.0]), obj("KIN"),
    ...                   obj("k"), np.array([1]))
    >>> roles = {"official": np.array([False, False, True, False])}
    >>> within_cap(g, roles, np.array([0, 1]), [[3, 0], [2, 1]], [3], cap=3)
    ([[2, 1]], [])
    >>> within_cap(g, roles, np.array([0]), [[3, 0], [2, 1]], [3], cap=4)
    ([[2, 1]], [3])
    """
    actor = (g.kinds == "person") | (g.kinds == "organization")
    room = max(0, cap - int(actor[members].sum()))
    first = [p for p in tied if roles["official"][p[0]]]
    rest = [p for p in tied if not roles["official"][p[0]]]
    keep_tied: list[list[int]] = first[:room]
    seen = {p[0] for p in keep_tied}
    room -= len(keep_tied)
    inside = set(members.tolist())
    keep_named: list[int] = []
    for x in named:
        if room <= 0:
            break
        if x in seen or x in inside or not actor[x]:
            continue
        keep_named.append(x)
        seen.add(x)
        room -= 1
    for p in rest:
        if room <= 0:
            break
        if p[0] not in seen:
            keep_tied.append(p)
            seen.add(p[0])
            room -= 1
    return keep_tied, keep_named


def _finding(ctx: Context, ca: ClusterAnalysis, row: Any, plan: _Plan) -> Finding:
    f, st, g = ctx.frames, ctx.settings, ca.graph
    members, k_core, centre_local = plan.members, plan.k_core, plan.centre_local
    keys = [str(x) for x in g.keys[members].tolist()]
    kinds = g.kinds[members]
    r = ca.roles
    actors = [i for i, kind in enumerate(kinds.tolist()) if kind in ("person", "organization")]
    centre = [keys[i] for i in centre_local.tolist() if kinds[i] in ("person", "organization")]
    officials = [keys[i] for i in actors if r["official"][members[i]] and kinds[i] == "person"]
    suppliers = [keys[i] for i in actors if r["supplier"][members[i]]]
    suspects = [keys[i] for i in actors if r["crime"][members[i]]]
    cases = [keys[i] for i, kind in enumerate(kinds.tolist()) if kind == "case"]
    outside = [str(g.keys[p[0]]) for p in plan.attached]
    named = [str(g.keys[x]) for x in plan.named]
    ordered = list(dict.fromkeys([*centre, *officials, *suspects, *suppliers,
                                  *(keys[i] for i in actors), *outside, *named, *cases]))
    evidence = [path_steps(f, g, p) for p in [*plan.binding, *plan.attached]]
    inside = ca.inside[ca.inside["community"] == row["community"]].sort_values(
        ["score", "fid"], ascending=[False, True])
    rules = Counter(inside["rule"].tolist())
    n_p, n_o = int(row["persons"]), int(row["organizations"])

    def listed(ks: list[str], most: int = 4) -> Any:
        return names([ctx.ent(k) for k in ks], most) if ks else Msg(TEXT["none"])

    fields = {"rank": int(row["rank"]), "total": len(ca.table),
              "method": ca.parts.method.capitalize(), "modularity": ca.parts.modularity,
              "seed": ca.parts.seed, "resolution": ca.parts.resolution, "people": n_p,
              "orgs": n_o, "cases": len(cases),
              "officials": Msg(TEXT["officials"], n=len(officials)),
              "suppliers": Msg(TEXT["suppliers"], n=len(suppliers)),
              "suspects": Msg(TEXT["suspects"], n=len(suspects))}
    how = Msg(TEXT["how"], {**fields, "cap": ca.parts.cap})
    text = [Msg(TEXT["found_by_cases" if cases else "found_by"], fields),
            Msg(TEXT["who_officials"], {"list": listed(officials)}),
            Msg(TEXT["who_suspects"], {"list": listed(suspects)}),
            Msg(TEXT["who_suppliers"], {"list": listed(suppliers)}),
            Msg(TEXT["ties"], {"ties": _ties_words(g, members)})]
    if len(inside):
        text.append(Msg(TEXT["inside"], {"rules": names(
            [Msg(TEXT["rule_count"], {"rule": c, "n": n}) for c, n in sorted(rules.items())],
            None)}, n=len(inside)))
    else:
        text.append(Msg(TEXT["none_inside"]))
    at = int(row["community"])
    sums = [(c, float(v[at])) for c, (v, _n) in sorted(ca.money_by.items())
            if v[at] > 0]  # never one sum of several currencies
    if sums:
        text.append(Msg(TEXT["money"], {"money": names(
            [Msg(TEXT["amount"], {"amount": money(a, c)}) for c, a in sums], None)}))
    if outside:
        text.append(Msg(TEXT["outside"], {"list": listed(outside)}, n=len(outside)))
    if named:
        text.append(Msg(TEXT["named"], {"list": listed(named)}))
    text += [Msg(TEXT["centre"], {"core": k_core, "centre": listed(centre, 6)}),
             Msg(TEXT["density"], {"score": float(row["score"]),
                                   "fw": float(st["findings_weight"]), "d": float(row["D"]),
                                   "mw": float(st["mix_weight"]), "l": float(row["L"]),
                                   "monw": float(st["money_weight"]), "m": float(row["M"])}),
             how]
    if ca.parts.hub_nodes:
        hub_keys = [str(g.keys[i]) for i in ca.parts.hub_nodes]
        text.append(Msg(TEXT["hubs"], {"list": listed(hub_keys, 6)}))
    if ca.parts.joined:
        text.append(Msg(TEXT["joined"], {"n": ca.parts.joined}, n=ca.parts.joined))
    text.append(Msg(TEXT["why"]))
    title = (Msg(TEXT["title_inside"], fields, n=len(inside)) if len(inside)
             else Msg(TEXT["title"], fields))
    extra = {"rank": int(row["rank"]), "members": int(row["members"]),
             "officials": f.source_ids(officials), "suppliers": f.source_ids(suppliers),
             "suspects": f.source_ids(suspects), "centre": f.source_ids(centre),
             "centre_names": [f.names.get(k, k) for k in centre[:6]],
             "attached": f.source_ids(outside), "named": f.source_ids(named),
             "core": k_core, "findings_inside": inside["fid"].tolist(),
             "money_in": (round(float(row["money"]), 2) if row["money"] == row["money"]
                          else None),
             "money_in_by_currency": {c: round(a, 2) for c, a in sums},
             "components": {"findings": round(float(row["D"]), 3),
                            "mix": round(float(row["L"]), 3),
                            "money": round(float(row["M"]), 3)},
             "method": ca.parts.method, "seed": ca.parts.seed,
             "resolution": ca.parts.resolution, "modularity": round(ca.parts.modularity, 4),
             "max_size": ca.parts.cap, "resolutions_tried": {
                 f"{r:g}": q for r, q in ca.parts.tried.items()},
             "hubs": f.source_ids([str(g.keys[i]) for i in ca.parts.hub_nodes]),
             "joined": ca.parts.joined}
    return Finding(clip(float(row["score"])), title, ordered, evidence, text, extra=extra)


def reportable(ca: ClusterAnalysis, settings: dict[str, Any]) -> pd.DataFrame:
    """The communities worth a finding: enough members, at least ``min_kinds`` of
    officials, suppliers and suspects (or as many as the graph holds, or a finding
    inside), score at least
    ``min_score`` (when none reaches it, as in a bare network with no finding and no
    money, those meeting the rest); best ``max_findings``."""
    t = ca.table
    kinds = (t["officials"] > 0).astype(int) + (t["suppliers"] > 0) + (t["suspects"] > 0)
    # never more kinds than the graph holds (a network of officials alone still has some)
    held = int(sum(bool(t[c].sum() > 0) for c in ("officials", "suppliers", "suspects")))
    keep = ((t["members"] >= int(settings["min_members"]))
            & ((kinds >= min(int(settings["min_kinds"]), held)) | (t["findings"] > 0)))
    scored = keep & (t["score"] >= float(settings["min_score"]))
    # a bare network (no pattern finding, no money: every score small) still shows its
    # communities, best first
    return t[scored if scored.any() else keep].head(int(settings["max_findings"]))


@rule("CLU-001", "cluster", "Community mixing officials, suppliers and case suspects")
def risky_communities(ctx: Context) -> list[Finding]:
    """The best-scored communities of the people graph, one finding each."""
    ca = analyse(ctx)
    if ca.graph.n == 0:
        return []
    rows = [row for _, row in reportable(ca, ctx.settings).iterrows()]
    plans = [_plan(ca, row, ctx.settings) for row in rows]
    # every entity and record the evidence shows, fetched in a few queries for all of them
    ctx.frames.prefetch_keys(str(k) for p in plans for k in ca.graph.keys[p.members].tolist())
    prefetch_paths(ctx.frames, ca.graph, [path for p in plans
                                          for path in [*p.binding, *p.attached]])
    return [_finding(ctx, ca, row, plan) for row, plan in zip(rows, plans, strict=True)]
