"""BRK: brokers, the people through whom government reaches business and crime.

BRK-001 projects the store into a graph of the ties that are *not* official
duties — posts (a person to the body employing them), kin, known
associations, company roles, and the crime side's case roles (suspects and
gang members tied to their case) — and measures, for every person, the share
of shortest paths between two sides of public life that pass through them
(``pairs``, by default government bodies <-> companies and government bodies
<-> case suspects; see :mod:`graph.analysis.roles`). The sides follow the data
(:func:`usable_pairs`): with fewer than two government bodies the officials
stand for government, a pair with nobody on a side is left out, and when none
is left the ``fallback_pairs`` are measured (government bodies to outsiders,
people with no public role). With ``combine = "all"`` a broker must bridge
every pair (the geometric mean of the shares). When a side has more than
``samples`` nodes, paths are followed from a seeded sample of it and the
estimate carries its standard error. Each candidate's score (:func:`scores`)
adds to the betweenness the findings of the pattern rules that name the person
(a go-between whom the shielding or conflict rules also name is the stronger
lead); the brokers reported are the outliers of that score (:func:`outliers`:
above Q3 + 1.5 IQR of every candidate's score, at least ``min_findings``, at
most ``max_findings``), ranked by it (rank 1 = highest score).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from graph.analysis import AnalysisGraph, Betweenness, Projection, node_roles, project
from graph.analysis.centrality import core_numbers, cross_betweenness
from graph.analysis.engine import to_igraph
from graph.analysis.roles import SIDES
from lang.core import N_, NP_
from lang.message import Msg, Template, names, number, word
from queries.context import Context
from queries.findings import Finding, clip
from queries.registry import rule
from queries.rules.clu import (
    FramesSource,
    on_date,
    path_steps,
    pattern_findings,
    prefetch_paths,
    weights_from,
)
from queries.rules.common import any_right
from queries.settings import SettingsError

if TYPE_CHECKING:
    import numpy.typing as npt

TEXT: dict[str, Template] = {
    "lead": N_("{broker} ({sides}) sits on the paths that join {links}. Broker {rank} of "
               "{shown} reported, out of {total} people who sit on such a path."),
    "side_with_side": N_("{a} with {b}"),
    "pair": N_("Between {a} and {b}: {share} of the shortest paths over private ties pass "
               "through this person (more than through anyone else but {before})."),
    "pair_first": N_("Between {a} and {b}: {share} of the shortest paths over private ties "
                     "pass through this person, more than through anyone else."),
    "example": N_("For example, {start} reaches {end} through {via}."),
    "via_sep": N_(", then "),
    "in_100": N_("{n:.1f} in 100"),
    "under": N_("under 0.1 in 100"),
    "others": NP_("{n} other person", "{n} other people"),
    "private": N_("Private ties are posts (a person to the body employing them), kin, known "
                  "associates, company roles and the case roles of suspects; official duties "
                  "such as approving contracts or acting on a case are left out."),
    "sampled": N_("Counted on a sample of the endpoints ({samples}, seed {seed}): the figures "
                  "may be off by about {err:.0%} for this person."),
    "sample": N_("{sources} of {population} {side}"),
    "swapped": N_("The pairs asked for ({asked}) have nobody on one side in these data (or a "
                  "single government body, whose own staff every path passes); measured "
                  "instead: {used}."),
    "no_side": N_("no recorded side"),
    "named": NP_("{n} finding of the pattern rules also names this person ({rules}).",
                 "{n} findings of the pattern rules also name this person ({rules})."),
    "rule_count": N_("{rule} ×{n}"),
    "why": N_("A person through whom {reach} reach each other is where a protective "
              "umbrella, a hidden interest or a go-between would sit. This is a pattern for "
              "review, not an accusation; the evidence shows one such path for each pair, "
              "every tie with its source row."),
    "and_sep": N_(" and "),
    "list_sep": N_("; "),
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
    #: The pairs asked for, when the data made others be used (see :func:`usable_pairs`).
    asked: list[tuple[str, str]] | None = None


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


def usable_pairs(pairs: list[tuple[str, str]], fallback: list[tuple[str, str]],
                 count: dict[str, int]) -> list[tuple[str, str]]:
    """The pairs of sides measured on this graph (``count``: nodes on each side).

    With fewer than two government bodies, every path from the one body runs through its
    own staff and says nothing, so the officials themselves stand for government; a pair
    with a side holding nobody is left out; when no pair asked for is left, the
    ``fallback`` pairs that are usable (e.g. government bodies to people with no public
    role: the outsiders around the officials; firm to firm; suspect to suspect).

    Examples
    --------
    >>> asked = [("government", "company"), ("government", "crime")]
    >>> back = [("government", "other")]
    >>> usable_pairs(asked, back, {"government": 3, "company": 9, "crime": 4, "official": 5})
    [('government', 'company'), ('government', 'crime')]
    >>> usable_pairs(asked, back, {"government": 1, "company": 9, "crime": 4, "official": 5})
    [('official', 'company'), ('official', 'crime')]
    >>> usable_pairs(asked, back, {"government": 3, "company": 0, "crime": 0, "other": 7})
    [('government', 'other')]
    """
    def adapt(ps: list[tuple[str, str]]) -> list[tuple[str, str]]:
        swap = {"government": "official"} if count.get("government", 0) < 2 else {}
        out = [(swap.get(a, a), swap.get(b, b)) for a, b in ps]
        return list(dict.fromkeys(
            (a, b) for a, b in out if count.get(a, 0) > 0 and count.get(b, 0) > 0
            and (a != b or count.get(a, 0) > 1)))
    return adapt(pairs) or adapt(fallback)


def analyse(ctx: Context) -> BrokerAnalysis:
    """Cross-side betweenness of every node under the settings of ``ctx``."""
    st, f = ctx.settings, ctx.frames
    asked = parse_pairs(list(st["pairs"]))
    fallback = parse_pairs(list(st["fallback_pairs"])) if st["fallback_pairs"] else []
    if str(st["combine"]) not in ("all", "any"):
        raise SettingsError(f"[BRK-001]: combine = {st['combine']!r}", hint="use all or any")
    if int(st["samples"]) < 2 or int(st["batches"]) < 2:
        raise SettingsError("[BRK-001]: samples and batches must be at least 2",
                            hint="samples = 256, batches = 8")
    on = on_date(st, "[BRK-001]")
    spec = Projection(weights_from(st), on=on,
                      where={"CASE_ROLE": ("role", tuple(st["case_roles"]))},
                      recorded=bool(st.get("recorded_weights", True)))
    src = FramesSource(f)
    g = project(src, spec, src.order())
    sides = node_roles(src, g, on=on)
    actor = np.isin(g.kinds, ["person", "organization"])
    sides["other"] = actor & ~(sides["official"] | sides["business"] | sides["crime"]
                               | sides["government"])
    pairs = usable_pairs(asked, fallback, {k: int(v.sum()) for k, v in sides.items()})
    kinds = np.isin(g.kinds, list(st["kinds"]))
    if not pairs:
        none = np.zeros(g.n)
        return BrokerAnalysis(g, sides, [], [], none, none, np.zeros(0, dtype=np.int64), kinds,
                              core_numbers(g), bool(st["weighted"]), asked)
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
                          np.isin(g.kinds, list(st["kinds"])), core_numbers(g), weighted,
                          None if pairs == asked else asked)


def outliers(values: npt.NDArray[np.float64], least: int, most: int) -> int:
    """How many of ``values`` (best first) to report: those above the upper fence of all
    of them (Q3 + 1.5 x IQR, Tukey's outliers), at least ``least`` and at most ``most``
    (never more than there are).

    Examples
    --------
    >>> outliers(np.array([9.0, 8.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.7]), 1, 50)
    2
    >>> outliers(np.array([9.0, 8.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.7]), 5, 50)
    5
    >>> outliers(np.array([3.0, 2.0]), 5, 50)
    2
    """
    if not len(values):
        return 0
    q1, q3 = np.percentile(values, [25, 75])
    above = int((values > q3 + 1.5 * (q3 - q1)).sum())
    return min(max(above, least), most, len(values))


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


def _examples(ba: BrokerAnalysis, h: Any, x: int) -> list[list[int]]:
    """One shortest path through the broker ``x`` for each pair of sides (when there is
    one)."""
    weights = (1.0 / ba.graph.weight).tolist() if ba.weighted else None
    found: list[list[int]] = []
    for a, b in ba.pairs:
        p = _example(h, weights, x, np.flatnonzero(ba.sides[a]).astype(np.int64),
                     np.flatnonzero(ba.sides[b] & (~ba.sides[a] | (a == b))).astype(np.int64))
        if p:
            found.append(p)
    return found


def _via(ctx: Context, g: AnalysisGraph, path: list[int]) -> Any:
    """The people and bodies a path passes through between its two ends, by name."""
    inner = [str(g.keys[i]) for i in path[1:-1] if g.kinds[i] in ("person", "organization")]
    return names([ctx.ent(k) for k in inner], 4, TEXT["via_sep"])


def _pairs_words(pairs: list[tuple[str, str]], how: str = "side_to_side") -> Any:
    return names([Msg(TEXT[how], {"a": word("side", a), "b": word("side", b)})
                  for a, b in pairs], None, TEXT["and_sep"])


def _finding(ctx: Context, ba: BrokerAnalysis, x: int, rank: int, shown: int, score: float,
             found: list[list[int]], rules: dict[str, int]) -> Finding:
    f, st, g = ctx.frames, ctx.settings, ba.graph
    key = str(g.keys[x])
    lines: list[Msg] = []
    for (a, b), bt in zip(ba.pairs, ba.per_pair, strict=True):
        pct = 100.0 * float(bt.share()[x])
        share = Msg(TEXT["in_100"], {"n": pct}) if pct >= 0.05 else Msg(TEXT["under"])
        before = int((ba.eligible & (bt.value > bt.value[x])).sum())
        sides = {"a": word("side", a), "b": word("side", b), "share": share}
        others = Msg(TEXT["others"], {"n": number(before)}, n=before)
        lines.append(Msg(TEXT["pair"], {**sides, "before": others}) if before
                     else Msg(TEXT["pair_first"], sides))
    for p in found:
        start, end = str(g.keys[p[0]]), str(g.keys[p[-1]])
        lines.append(Msg(TEXT["example"], {"start": ctx.ent(start), "end": ctx.ent(end),
                                           "via": _via(ctx, g, p)}))
    ends = [str(g.keys[i]) for p in found for i in (p[0], p[-1])]
    evidence = [path_steps(f, g, p) for p in found]
    sampled = [r for bt in ba.per_pair for r in bt.runs if not r.exact]
    side_of = [s for s in ("official", "business", "crime") if ba.sides[s][x]]
    text = [Msg(TEXT["lead"], {
        "broker": ctx.ent(key), "rank": rank, "shown": shown, "total": number(len(ba.ranked)),
        "sides": names([word("person_side", s) for s in side_of], None) if side_of
        else Msg(TEXT["no_side"]), "links": _pairs_words(ba.pairs, "side_with_side")}), *lines]
    if rules:
        text.append(Msg(TEXT["named"], {"rules": names(
            [Msg(TEXT["rule_count"], {"rule": c, "n": k}) for c, k in sorted(rules.items())],
            None)}, n=sum(rules.values())))
    if sampled:
        text.append(Msg(TEXT["sampled"], {
            "samples": names([Msg(TEXT["sample"], {
                "sources": number(r.sources), "population": number(r.population),
                "side": word("side", r.source_side)}) for r in sampled], None,
                TEXT["list_sep"]),
            "seed": int(st["seed"]), "err": 1.96 * float(ba.rel_err[x])}))
    if ba.asked is not None:
        text.append(Msg(TEXT["swapped"], {"asked": _pairs_words(ba.asked),
                                          "used": _pairs_words(ba.pairs)}))
    text += [Msg(TEXT["private"]),
             Msg(TEXT["why"], {"reach": names([word("side", s) for s in dict.fromkeys(
                 s for p in ba.pairs for s in p)], None, TEXT["and_sep"])})]
    starts = list(dict.fromkeys(a for a, _ in ba.pairs))
    if len(starts) == 1:
        title = Msg(TEXT["title_one"], {
            "broker": ctx.name(key), "start": word("side_short", starts[0]), "rank": rank,
            "links": names([Msg(TEXT["to_side"], {"side": word("side_short", b)})
                            for _, b in ba.pairs], None, TEXT["and_sep"])})
    else:
        title = Msg(TEXT["title_many"], {
            "broker": ctx.name(key), "rank": rank,
            "links": names([Msg(TEXT["side_to_side"], {"a": word("side_short", a),
                                                       "b": word("side_short", b)})
                            for a, b in ba.pairs], None, TEXT["and_sep"])})
    core_max = int(ba.core.max()) if len(ba.core) else 0
    extra = {"rank": rank, "broker": f.label(key), "betweenness": {
        f"{a}:{b}": round(float(bt.share()[x]), 6) for (a, b), bt in zip(ba.pairs, ba.per_pair,
                                                                        strict=True)},
        "value": round(float(ba.value[x]), 8),
        "relative_error_95": round(1.96 * float(ba.rel_err[x]), 4),
        "exact": all(bt.exact for bt in ba.per_pair), "core": int(ba.core[x]),
        "core_max": core_max, "sides": side_of,
        "pairs": [f"{a}:{b}" for a, b in ba.pairs], "named_by": dict(sorted(rules.items()))}
    keys = list(dict.fromkeys([key, *ends]))
    return Finding(clip(score), title, keys, evidence, text, extra=extra)


@dataclass
class Named:
    """The pattern-rule findings naming each person: their weight (:func:`weight_of`) and
    rule counts."""

    score: dict[str, float]
    rules: dict[str, dict[str, int]]


def named_in(ctx: Context) -> Named:
    """Which persons the pattern rules' findings name (``count_rules``; [] = every
    pattern rule), with the weight of those findings (:func:`weight_of`, leaving out
    those below ``min_finding_score``)."""
    found = pattern_findings(ctx, list(ctx.settings["count_rules"]))
    rules: dict[str, dict[str, int]] = {}
    for key, rule_ in zip(found["key"].tolist(), found["rule"].tolist(), strict=True):
        counts = rules.setdefault(str(key), {})
        counts[str(rule_)] = counts.get(str(rule_), 0) + 1
    return Named(weight_of(found, float(ctx.settings.get("min_finding_score", 0.0))), rules)


def weight_of(found: pd.DataFrame, least: float = 0.0) -> dict[str, float]:
    """The weight of the findings naming each key (``found``: key, rule, score), by rule:
    per rule, the chance that at least one of its findings is right (:func:`any_right`),
    summed over the rules; findings scored below ``least`` (weak alone by their rule's
    account) left out. Eight findings of one rule about the contracts of one firm are
    one pattern repeated; two rules agreeing count twice.

    Examples
    --------
    >>> f = pd.DataFrame({"key": ["p:a"] * 8 + ["p:b", "p:b", "p:c"],
    ...                   "rule": ["UMB-003"] * 8 + ["A", "B", "OCP-036"],
    ...                   "score": [0.5] * 8 + [0.9, 0.5, 0.25]})
    >>> {k: round(v, 3) for k, v in weight_of(f, least=0.3).items()}
    {'p:a': 0.996, 'p:b': 1.4}
    """
    kept = found[found["score"].astype(float) >= least]
    if kept.empty:
        return {}
    per = any_right(kept, ["key", "rule"]).groupby(level=0, sort=False).sum()
    return {str(k): float(v) for k, v in per.items()}


def scores(ctx: Context, ba: BrokerAnalysis, named: Named) -> npt.NDArray[np.float64]:
    """Score of every ranked candidate: ``base_score + span x sqrt(value / top value) +
    findings_weight x (1 - exp(-sum of the scores of the pattern findings naming the
    person))``, plus the tip-off bonus; at most 1.

    Examples
    --------
    A broker with half the top value and no finding, and one with a hundredth of it whom
    two findings of score 0.9 name:

    >>> round(0.3 + 0.35 * math.sqrt(0.5), 3), round(0.3 + 0.35 * 0.1
    ...                                              + 0.35 * (1 - math.exp(-1.8)), 3)
    (0.547, 0.627)
    """
    st, g = ctx.settings, ba.graph
    top = float(ba.value[ba.ranked[0]])
    out = []
    for x in ba.ranked.tolist():
        key = str(g.keys[x])
        out.append(float(st["base_score"]) + float(st["span"]) * math.sqrt(
            float(ba.value[x]) / top) + float(st["findings_weight"]) * (
            1.0 - math.exp(-named.score.get(key, 0.0))) + ctx.report_bonus([key]))
    return np.clip(np.array(out, dtype=np.float64), 0.0, 1.0)


@rule("BRK-001", "broker", "Person bridging government with business and crime")
def brokers(ctx: Context) -> list[Finding]:
    """The persons of outlying score (:func:`outliers`, :func:`scores`), one finding each,
    ranked by score (rank 1 = highest)."""
    ba = analyse(ctx)
    if not len(ba.ranked):
        return []
    st = ctx.settings
    named = named_in(ctx)
    score = scores(ctx, ba, named)
    order = np.lexsort((np.arange(len(score)), -ba.value[ba.ranked], -np.round(score, 4)))
    score, chosen = score[order], ba.ranked[order]
    n = outliers(score, int(st["min_findings"]), int(st["max_findings"]))
    chosen, score = chosen[:n], score[:n]
    h = to_igraph(ba.graph)
    paths = [_examples(ba, h, int(x)) for x in chosen.tolist()]
    # every entity and record the evidence shows, fetched in a few queries for all of them
    prefetch_paths(ctx.frames, ba.graph, [p for found in paths for p in found])
    return [_finding(ctx, ba, int(x), i + 1, n, float(score[i]), paths[i],
                     named.rules.get(str(ba.graph.keys[x]), {}))
            for i, x in enumerate(chosen.tolist())]


__all__ = ["BrokerAnalysis", "analyse", "brokers", "outliers", "parse_pairs", "usable_pairs"]
