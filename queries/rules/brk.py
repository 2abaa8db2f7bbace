"""BRK: brokers, the people through whom government reaches business and crime.

BRK-001 projects the store into a graph of the ties that are *not* official
duties — posts (a person to the body employing them), kin, known
associations, company roles, and the crime side's case roles (suspects and
gang members tied to their case) — and measures, for every person, the share
of shortest paths between two sides of public life that pass through them
(``pairs``, by default government bodies <-> companies and government bodies
<-> case suspects; see :mod:`graph.analysis.roles`). With ``combine = "all"``
a broker must bridge every pair (the geometric mean of the shares), so the
official who is both a company's hidden owner and a gang leader's friend
comes first. When a side has more than ``samples`` nodes, paths are followed
from a seeded sample of it and the estimate carries its standard error. Each
broker's k-core number says how deep in the tight centre of the graph they sit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.analysis import AnalysisGraph, Betweenness, Projection, node_roles, project
from graph.analysis.centrality import core_numbers, cross_betweenness
from graph.analysis.engine import to_igraph
from graph.analysis.roles import SIDES
from lang.core import N_
from lang.message import Msg, Template, names, number, word
from queries.context import Context
from queries.findings import Finding, clip
from queries.registry import rule
from queries.rules.clu import (
    FramesSource,
    on_date,
    path_steps,
    prefetch_paths,
    weights_from,
)
from queries.settings import SettingsError

if TYPE_CHECKING:
    import numpy.typing as npt

TEXT: dict[str, Template] = {
    "share": N_("{share:.2%} of the shortest paths between {a} and {b} (rank {rank})"),
    "share_err": N_("{share:.2%} ±{err:.2%} of the shortest paths between {a} and {b} (rank "
                    "{rank})"),
    "on_sep": N_("; and on "),
    "and_sep": N_(" and "),
    "list_sep": N_("; "),
    "broker": N_("{broker} ({sides}) is broker number {rank} of {total}: in the graph of posts, "
                 "kin, known associations, company roles and the case roles of suspects "
                 "(official duties such as approvals and acting on cases are left out), the "
                 "person lies on {shares}."),
    "no_side": N_("no recorded side"),
    "exact": N_("Computed exactly over every pair of endpoints."),
    "sampled": N_("Estimated from a seeded sample: {samples} (seed {seed}); the combined value "
                  "is within ±{err:.0%} at 95% for this person."),
    "sample": N_("{sources} of {population} {side}"),
    "core": N_("k-core number {core} (the tightest centre of the graph has k = {core_max})."),
    "why": N_("A person through whom government bodies reach {reach} is where a protective "
              "umbrella, a hidden interest or a go-between would sit; the evidence shows one such "
              "path for each pair, every tie with its source row."),
    "to_side": N_("to {side}"),
    "side_to_side": N_("{a} to {b}"),
    "title_one": N_("{broker} bridges {start} {links} (broker rank {rank})"),
    "title_many": N_("{broker} bridges {links} (broker rank {rank})"),
}


@dataclass
class BrokerAnalysis:
    """The projection, each pair's betweenness, the combined value and k-cores."""

    graph: AnalysisGraph
    sides: dict[str, npt.NDArray[np.bool_]]
    pairs: list[tuple[str, str]]
    per_pair: list[Betweenness]
    value: npt.NDArray[np.float64]
    rel_err: npt.NDArray[np.float64]
    ranked: npt.NDArray[np.int64]
    eligible: npt.NDArray[np.bool_]
    core: npt.NDArray[np.int64]
    weighted: bool


def parse_pairs(values: list[str]) -> list[tuple[str, str]]:
    """``["government:company"]`` -> ``[("government", "company")]``, checked.

    Examples
    --------
    >>> parse_pairs(["government:crime", "official:other"])
    [('government', 'crime'), ('official', 'other')]
    """
    out: list[tuple[str, str]] = []
    known = (*SIDES, "other")
    for v in values:
        a, _, b = v.partition(":")
        if a not in known or b not in known:
            raise SettingsError(f"[BRK-001]: pair {v!r} is not two sides",
                                hint=f"write SIDE:SIDE with sides from {', '.join(known)}")
        out.append((a, b))
    if not out:
        raise SettingsError("[BRK-001]: pairs is empty", hint='e.g. pairs = ["government:crime"]')
    return out


def analyse(ctx: Context) -> BrokerAnalysis:
    """Cross-side betweenness of every node under the settings of ``ctx``."""
    st, f = ctx.settings, ctx.frames
    pairs = parse_pairs(list(st["pairs"]))
    if str(st["combine"]) not in ("all", "any"):
        raise SettingsError(f"[BRK-001]: combine = {st['combine']!r}", hint="use all or any")
    if int(st["samples"]) < 2 or int(st["batches"]) < 2:
        raise SettingsError("[BRK-001]: samples and batches must be at least 2",
                            hint="samples = 256, batches = 8")
    on = on_date(st, "[BRK-001]")
    spec = Projection(weights_from(st), on=on,
                      where={"CASE_ROLE": ("role", tuple(st["case_roles"]))})
    src = FramesSource(f)
    g = project(src, spec, src.order())
    sides = node_roles(src, g, on=on)
    actor = np.isin(g.kinds, ["person", "organization"])
    sides["other"] = actor & ~(sides["official"] | sides["business"] | sides["crime"]
                               | sides["government"])
    weighted = bool(st["weighted"])
    per_pair = [cross_betweenness(g, sides, [p], samples=int(st["samples"]),
                                  batches=int(st["batches"]), seed=int(st["seed"]),
                                  weighted=weighted) for p in pairs]
    shares = np.vstack([b.share() for b in per_pair]) if per_pair else np.zeros((0, g.n))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.vstack([np.where(b.value > 0, b.stderr / b.value, 0.0) for b in per_pair])
    if str(st["combine"]) == "all":
        value = np.exp(np.log(np.maximum(shares, 1e-300)).mean(axis=0))
        value[(shares <= 0).any(axis=0)] = 0.0
        rel_err = np.sqrt((rel ** 2).sum(axis=0)) / len(pairs)
    else:
        value = shares.sum(axis=0)
        var = sum(((b.stderr / b.pairs) ** 2 if b.pairs else 0 * b.stderr) for b in per_pair)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel_err = np.where(value > 0, np.sqrt(var) / value, 0.0)
    eligible = np.isin(g.kinds, list(st["kinds"])) & (value > 0)
    cand = np.flatnonzero(eligible)
    ranked = cand[np.lexsort((cand, -value[cand]))].astype(np.int64)
    return BrokerAnalysis(g, sides, pairs, per_pair, value, rel_err, ranked,
                          np.isin(g.kinds, list(st["kinds"])), core_numbers(g), weighted)


def _example(h: Any, weights: list[float] | None, x: int, a: npt.NDArray[np.int64],
             b: npt.NDArray[np.int64]) -> list[int] | None:
    """A shortest path from side ``a`` to side ``b`` that runs through ``x``."""
    a, b = a[a != x], b[b != x]
    if not len(a) or not len(b):
        return None
    ends = np.unique(np.r_[a, b])
    near = np.asarray(h.distances(source=[x], target=ends.tolist(), weights=weights)[0],
                      dtype=float)
    da, db = near[np.searchsorted(ends, a)], near[np.searchsorted(ends, b)]
    ok = np.isfinite(da)
    cand = a[ok][np.lexsort((a[ok], da[ok]))][:4]
    if not len(cand):
        return None
    dist = np.asarray(h.distances(source=cand.tolist(), target=b.tolist(), weights=weights),
                      dtype=float)
    for i, s in enumerate(cand.tolist()):
        through = (np.isfinite(db) & (b != s)
                   & np.isclose(dist[i], da[np.flatnonzero(a == s)[0]] + db))
        if through.any():
            hits = np.flatnonzero(through)
            t = int(b[hits[np.lexsort((b[hits], db[hits]))[0]]])
            first = h.get_shortest_path(s, x, weights=weights)
            second = h.get_shortest_path(x, t, weights=weights)
            return [int(v) for v in [*first, *second[1:]]]
    return None


def _examples(ba: BrokerAnalysis, h: Any, position: int) -> list[list[int]]:
    """One shortest path through the broker for each pair of sides (when there is one)."""
    x = int(ba.ranked[position])
    weights = (1.0 / ba.graph.weight).tolist() if ba.weighted else None
    found: list[list[int]] = []
    for a, b in ba.pairs:
        p = _example(h, weights, x, np.flatnonzero(ba.sides[a]).astype(np.int64),
                     np.flatnonzero(ba.sides[b] & (~ba.sides[a] | (a == b))).astype(np.int64))
        if p:
            found.append(p)
    return found


def _finding(ctx: Context, ba: BrokerAnalysis, position: int,
             found: list[list[int]]) -> Finding:
    f, st, g = ctx.frames, ctx.settings, ba.graph
    x = int(ba.ranked[position])
    key = str(g.keys[x])
    parts: list[Msg] = []
    for (a, b), bt in zip(ba.pairs, ba.per_pair, strict=True):
        share = float(bt.share()[x])
        rank = int((ba.eligible & (bt.value > bt.value[x])).sum()) + 1
        err = 1.96 * float(bt.stderr[x]) / bt.pairs if not bt.exact and bt.pairs else None
        parts.append(Msg(TEXT["share" if err is None else "share_err"], {
            "share": share, "err": err or 0.0, "a": word("side", a), "b": word("side", b),
            "rank": rank}))
    ends = [str(g.keys[i]) for p in found for i in (p[0], p[-1])]
    evidence = [path_steps(f, g, p) for p in found]
    runs = [r for bt in ba.per_pair for r in bt.runs]
    sampled = [r for r in runs if not r.exact]
    how = Msg(TEXT["exact"]) if not sampled else Msg(TEXT["sampled"], {
        "samples": names([Msg(TEXT["sample"], {
            "sources": number(r.sources), "population": number(r.population),
            "side": word("side", r.source_side)}) for r in sampled], None, TEXT["list_sep"]),
        "seed": int(st["seed"]), "err": 1.96 * float(ba.rel_err[x])})
    side_of = [s for s in ("official", "business", "crime") if ba.sides[s][x]]
    top = float(ba.value[ba.ranked[0]])
    score = float(st["base_score"]) + float(st["span"]) * math.sqrt(float(ba.value[x]) / top)
    score += ctx.report_bonus([key])
    core_max = int(ba.core.max()) if len(ba.core) else 0
    text = [
        Msg(TEXT["broker"], {
            "broker": ctx.ent(key), "rank": position + 1, "total": number(len(ba.ranked)),
            "sides": names([word("person_side", s) for s in side_of], None) if side_of
            else Msg(TEXT["no_side"]),
            "shares": names(parts, None, TEXT["on_sep"])}),
        how,
        Msg(TEXT["core"], {"core": int(ba.core[x]), "core_max": core_max}),
        Msg(TEXT["why"], {"reach": names([word("side", b) for _, b in ba.pairs], None,
                                         TEXT["and_sep"])})]
    starts = list(dict.fromkeys(a for a, _ in ba.pairs))
    if len(starts) == 1:
        title = Msg(TEXT["title_one"], {
            "broker": ctx.name(key), "start": word("side_short", starts[0]), "rank": position + 1,
            "links": names([Msg(TEXT["to_side"], {"side": word("side_short", b)})
                            for _, b in ba.pairs], None, TEXT["and_sep"])})
    else:
        title = Msg(TEXT["title_many"], {
            "broker": ctx.name(key), "rank": position + 1,
            "links": names([Msg(TEXT["side_to_side"], {"a": word("side_short", a),
                                                       "b": word("side_short", b)})
                            for a, b in ba.pairs], None, TEXT["and_sep"])})
    extra = {"rank": position + 1, "broker": f.label(key), "betweenness": {
        f"{a}:{b}": round(float(bt.share()[x]), 6) for (a, b), bt in zip(ba.pairs, ba.per_pair,
                                                                        strict=True)},
        "relative_error_95": round(1.96 * float(ba.rel_err[x]), 4),
        "exact": all(bt.exact for bt in ba.per_pair), "core": int(ba.core[x]),
        "core_max": core_max, "sides": side_of}
    keys = list(dict.fromkeys([key, *ends]))
    return Finding(clip(score), title, keys, evidence, text, extra=extra)


@rule("BRK-001", "broker", "Person bridging government with business and crime")
def brokers(ctx: Context) -> list[Finding]:
    """The persons with the highest cross-side betweenness, one finding each."""
    ba = analyse(ctx)
    if not len(ba.ranked):
        return []
    h = to_igraph(ba.graph)
    n = min(int(ctx.settings["max_findings"]), len(ba.ranked))
    paths = [_examples(ba, h, i) for i in range(n)]
    # every entity and record the evidence shows, fetched in a few queries for all of them
    prefetch_paths(ctx.frames, ba.graph, [p for found in paths for p in found])
    return [_finding(ctx, ba, i, paths[i]) for i in range(n)]


__all__ = ["BrokerAnalysis", "analyse", "brokers", "parse_pairs"]
