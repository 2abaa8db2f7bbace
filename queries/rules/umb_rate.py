"""UMB-004: an official whose cases with parties of one gang's circle end favourably far
more often than his own other cases, or than other officials' such cases (tested per
gang: the gang whose circle to search for the tie).

A weaker lead than a tie (UMB-002): no tie between the official and the gang is on
record, and the rule says where to look for one. SQL gives one row per (official,
decided case) with whether it ended favourably (:data:`~queries.rules.umb.FAVOURABLE`),
whether a party of it is in a gang's circle (``linked``) and whether the official is
tied to that gang member (``tied``: those cases are UMB-002's and are left out of the
test); Python counts and runs the one-sided Fisher exact test (:mod:`queries.rates`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from graph.schema import CASE_OFFICIAL_ROLES
from lang.core import N_, NP_
from lang.message import Msg, Template, period, word
from queries.context import Context
from queries.coverage import covers
from queries.findings import Finding, clip
from queries.frames import OPEN_START
from queries.rates import fisher_greater, p_text
from queries.registry import rule
from queries.rules.umb import (
    CASES_COVERED,
    CIRCLE,
    DECIDED,
    FAVOURABLE,
    GANG,
    by_source_id,
    cases_covered,
    gang_params,
    link_kin,
    link_steps,
    member_fields,
    prefetch,
    role_step,
)

#: One row per (official in $official_roles, case with an outcome in $decided, linked party
#: and member): ``favourable`` (outcome in $favourable), ``linked`` (a party in $party_roles
#: is in a gang's circle while the case ran, the member not in a gang role of this case;
#: ``pick`` 1 for the link a finding tells, one row with ``pick`` 1 when none), ``tied``
#: (the official is tied to a member so linked, while the case ran).
UMB_004 = f"""
    WITH gang AS ({GANG}),
    circle AS ({CIRCLE}),
    decided AS (
        SELECT key AS case_key, lower(trim(outcome)) AS outcome, kind,
               coalesce(opened_date, '0000-01-01') AS cs,
               coalesce(closed_date, '9999-12-31') AS ce
        FROM ent_case e WHERE list_contains($decided, lower(trim(outcome)))
          AND NOT EXISTS (SELECT 1 FROM gang g WHERE g.gang_case = e.key)),
    handled AS (
        SELECT o.src AS official, o.dst AS case_key, o.id AS off_role_id,
               o.role AS official_role
        FROM rel_CASE_ROLE o JOIN decided c ON c.case_key = o.dst
        WHERE list_contains($official_roles, o.role)
        QUALIFY row_number() OVER (PARTITION BY o.src, o.dst ORDER BY o.id) = 1),
    linked AS (
        SELECT p.dst AS case_key, p.src AS party, p.id AS party_role_id, p.role AS party_role,
               l.member, l.gang_case, l.gang_role_id, l.gang_role, l.link_id, l.link_how,
               l.link_rank
        FROM rel_CASE_ROLE p JOIN decided c ON c.case_key = p.dst
        JOIN circle l ON l.party = p.src AND l.ls <= c.ce AND c.cs <= l.le
        WHERE list_contains($party_roles, p.role)
          AND NOT EXISTS (SELECT 1 FROM gang g
                          WHERE g.member = l.member AND g.gang_case = p.dst)),
    tied AS (
        SELECT DISTINCT h.case_key
        FROM handled h JOIN linked l ON l.case_key = h.case_key
        JOIN decided c ON c.case_key = h.case_key
        JOIN gang g2 ON g2.gang_case = l.gang_case
        JOIN ties t ON t.a = h.official AND t.b = g2.member
        WHERE t.hops <= $max_kin_hops AND t.s <= c.ce AND c.cs <= t.e
          AND l.member <> h.official AND g2.member <> h.official),
    links AS (
        SELECT * FROM linked
        QUALIFY row_number() OVER (PARTITION BY case_key, party, member
                                   ORDER BY link_rank, gang_case, party_role_id,
                                            gang_role_id, link_id) = 1),
    first_link AS (
        SELECT links.*, row_number() OVER (PARTITION BY case_key
                                           ORDER BY link_rank, member, party) AS pick
        FROM links)
    SELECT h.official, h.case_key, h.off_role_id, h.official_role, c.outcome, c.kind, c.cs,
           c.ce, CASE WHEN list_contains($favourable, c.outcome) THEN 1 ELSE 0 END
               AS favourable,
           CASE WHEN f.case_key IS NULL THEN 0 ELSE 1 END AS linked,
           CASE WHEN t.case_key IS NULL THEN 0 ELSE 1 END AS tied,
           f.party, f.party_role_id, f.party_role, f.member, f.gang_case, f.gang_role_id,
           f.gang_role, f.link_id, f.link_how, coalesce(f.pick, 1) AS pick
    FROM handled h JOIN decided c ON c.case_key = h.case_key
    LEFT JOIN first_link f ON f.case_key = h.case_key
    LEFT JOIN tied t ON t.case_key = h.case_key
    ORDER BY h.official, c.cs, h.case_key, pick"""

covers("UMB-004", "case", CASES_COVERED, cases_covered)


TEXT: dict[str, Template] = {
    "rate": N_("{fav} of {n} decided cases with gang-linked parties that {official} acted on "
               "ended favourably for the party (dropped, acquitted or transferred)."),
    "rate_own": N_("Of the official's other decided cases, {fav} of {n} did (one-sided Fisher "
                   "exact test, p = {p})."),
    "rate_peers": N_("Of the decided cases with gang-linked parties and no tie on record that "
                     "other officials acted on, {fav} of {n} did (one-sided Fisher exact test, "
                     "p = {p})."),
    "link_self": N_("In {case_kind} case {case} ({case_period}; outcome: {outcome}), the "
                    "{party_role} {party} is {gang_role} in organized-crime case {gang_case}."),
    "link_kin": N_("In {case_kind} case {case} ({case_period}; outcome: {outcome}), the "
                   "{party_role} {party} is the {kin} of {member}, {gang_role} in "
                   "organized-crime case {gang_case}."),
    "link_associate": N_("In {case_kind} case {case} ({case_period}; outcome: {outcome}), the "
                         "{party_role} {party} is a known associate of {member}, {gang_role} in "
                         "organized-crime case {gang_case}."),
    "more": NP_("{n} more such case is in the evidence.", "{n} more such cases are in the "
                "evidence."),
    "tied_out": NP_("{n} gang-linked case in which an official acting on it is tied to the "
                    "gang is left out of these counts: UMB-002 reports it if it ended "
                    "favourably.",
                    "{n} gang-linked cases in which an official acting on them is tied to the "
                    "gang are left out of these counts: UMB-002 reports those that ended "
                    "favourably."),
    "why": N_("No tie between the official and these gang members is on record. The "
              "disparity is a weaker lead than a tie and proves nothing by itself: it tells the "
              "investigator where to look for one, in the family, associates and business "
              "partners of the official and of the gang members named here. A pattern for "
              "review, not an accusation."),
    "title": N_("{official}: cases with gang-linked parties end favourably far more often than "
                "the official's others"),
}

#: Favourable cases told in the explanation, and linked cases shown in the evidence.
SHOWN, EVIDENCE = 3, 10


def disparity(fav: int, n: int, comparisons: Iterable[tuple[int, int]], st: dict[str, Any]
              ) -> list[float] | None:
    """The p-values of ``fav`` of ``n`` against each comparison group (hits, size) large
    enough to test (``min_other_cases``), when the counts reach the minimums and the rate
    is far above one tested group's (its p-value at most ``max_p``); else None. One group
    suffices: the other's p-value is told, not a veto.

    Examples
    --------
    >>> st = {"min_linked_cases": 4, "min_favourable": 3, "min_other_cases": 5,
    ...       "max_p": 0.05}
    >>> [round(p, 6) for p in disparity(7, 8, [(3, 40), (2, 3)], st)]
    [1.2e-05]
    >>> disparity(7, 8, [(30, 40)], st) is None  # the official's others end as well
    True
    >>> disparity(3, 3, [(0, 40)], st) is None   # too few cases to judge
    True
    >>> round(disparity(3, 4, [(0, 5)], st)[0], 4)  # the smallest pattern that passes
    0.0476
    >>> disparity(3, 4, [(0, 4)], st) is None    # four other cases are too few to compare
    True
    """
    if n < int(st["min_linked_cases"]) or fav < int(st["min_favourable"]):
        return None
    tested = [(h, m) for h, m in comparisons if m >= int(st["min_other_cases"])]
    ps = [fisher_greater(fav, n, h, m) for h, m in tested]
    if any(p <= float(st["max_p"]) and fav * m > h * n for p, (h, m) in zip(ps, tested,
                                                                           strict=True)):
        return ps
    return None


def strength(p: float, max_p: float) -> float:
    """How far below ``max_p`` a p-value lies, from 0 (at it) to 1 (a thousandth of it).

    Examples
    --------
    >>> strength(0.01, 0.01), strength(0.00001, 0.01), round(strength(0.001, 0.01), 3)
    (0.0, 1.0, 0.333)
    """
    if p <= 0:
        return 1.0
    return min(1.0, max(0.0, math.log10(max_p / p) / 3))


def _finding(ctx: Context, official: str, linked: list[dict[str, Any]], own: tuple[int, int],
             peers: tuple[int, int], n_tied: int, ps: dict[str, float],
             rows: list[dict[str, Any]]) -> Finding:
    """One finding: ``linked`` holds a row per gang-linked case without a known tie (the
    link told), ``rows`` every link of the official's cases (for the entities)."""
    st = ctx.settings
    fav = [m for m in linked if m["favourable"]]
    # the bonus follows the weaker of the comparisons tested: a disparity against the
    # official's own cases that his peers' such cases share earns none
    weakest = max(ps.values())
    score = float(st["base_score"]) + float(st["disparity_bonus"]) * strength(
        weakest, float(st["max_p"]))
    shown = (fav + [m for m in linked if not m["favourable"]])[:EVIDENCE]
    told = {str(m["case_key"]) for m in fav}
    behind = [m for m in rows if str(m["case_key"]) in told]
    parties = by_source_id(ctx, (str(m["party"]) for m in behind))
    members = by_source_id(ctx, (str(m["member"]) for m in behind))
    score += ctx.report_bonus([official, *members, *parties])
    explanation = [Msg(TEXT["rate"], {"official": ctx.ent(official), "fav": len(fav),
                                      "n": len(linked)})]
    for key, (hits, size) in (("own", own), ("peers", peers)):
        if key in ps:
            explanation.append(Msg(TEXT[f"rate_{key}"], {"fav": hits, "n": size,
                                                         "p": p_text(ps[key])}))
    evidence: list[list[dict[str, Any]]] = []
    for i, m in enumerate(shown):
        evidence += [role_step(ctx, str(m["off_role_id"])), role_step(ctx, str(m["party_role_id"])),
                     *link_steps(ctx, m, str(m["party"]))]
        if i >= SHOWN or not m["favourable"]:
            continue
        how = m["link_how"] if m["link_how"] in ("self", "associate") else "kin"
        explanation.append(Msg(TEXT[f"link_{how}"], {
            "case": ctx.ent(str(m["case_key"])),
            "case_kind": word("case_kind", str(m.get("kind") or "")),
            "case_period": period(m["cs"], m["ce"]), "outcome": word("outcome", m["outcome"]),
            "party": ctx.ent(str(m["party"])), "party_role": word("case_role", m["party_role"]),
            **member_fields(ctx, m), "kin": link_kin(ctx, m) if how == "kin" else ""}))
    if len(fav) > SHOWN:
        explanation.append(Msg(TEXT["more"], n=len(fav) - SHOWN))
    if n_tied:
        explanation.append(Msg(TEXT["tied_out"], n=n_tied))
    explanation.append(Msg(TEXT["why"]))
    cases = [str(m["case_key"]) for m in fav]
    first = str(fav[0]["cs"])
    return Finding(clip(score), Msg(TEXT["title"], {"official": ctx.name(official)}),
                   [official, *cases, *parties, *members], evidence, explanation,
                   date="" if first == OPEN_START else first,
                   extra={"rate": {"favourable": len(fav), "cases": len(linked),
                                   "own": list(own), "peers": list(peers),
                                   **{f"p_{k}": v for k, v in ps.items()}}})


@rule("UMB-004", "umbrella",
      "Official's cases with gang-linked parties end favourably far more often than others")
def umb_004(ctx: Context) -> list[Finding]:
    """An official whose decided cases with parties of one gang's circle (no tie on record)
    end favourably far more often than his other cases or other officials' cases of that
    gang's circle (see docs/rules/UMB-004.md)."""
    st = ctx.settings
    rows = ctx.rows(UMB_004, {
        **gang_params(ctx, True), "official_roles": list(CASE_OFFICIAL_ROLES),
        "party_roles": list(st["party_roles"]), "favourable": list(FAVOURABLE),
        "decided": list(DECIDED), "max_kin_hops": int(st["max_kin_hops"])})
    gangs: dict[str, set[str]] = defaultdict(set)  # case -> gang cases its parties link to
    for m in rows:
        if m["linked"]:
            gangs[str(m["case_key"])].add(str(m["gang_case"]))
    untied = {str(m["case_key"]): int(m["favourable"]) for m in rows
              if m["linked"] and not m["tied"]}
    hits: list[tuple[str, list[dict[str, Any]], tuple[int, int], tuple[int, int], int,
                     dict[str, float], list[dict[str, Any]]]] = []
    for official, group in groupby(rows, key=lambda m: str(m["official"])):
        every = list(group)
        mine = [m for m in every if int(m["pick"]) == 1]
        other = [m for m in mine if not m["linked"]]
        own = (sum(int(m["favourable"]) for m in other), len(other))
        his = {str(m["case_key"]) for m in mine if m["linked"] and not m["tied"]}
        best: tuple[float, str, list[float], list[str], tuple[int, int]] | None = None
        for gang in sorted({g for k in his for g in gangs[k]}):
            of = sorted(k for k in his if gang in gangs[k])
            fav = sum(untied[k] for k in of)
            theirs = [k for k, g in gangs.items() if gang in g and k in untied and k not in his]
            peers = (sum(untied[k] for k in theirs), len(theirs))
            ps = disparity(fav, len(of), [own, peers], st)
            if ps is not None and (best is None or min(ps) < best[0]):
                best = (min(ps), gang, ps, of, peers)
        if best is None:
            continue
        _, gang, ps, of, peers = best
        # per case, the link to this gang the finding tells
        linked = [next(m for m in every if str(m["case_key"]) == k and m["gang_case"] == gang)
                  for k in of]
        linked.sort(key=lambda m: (str(m["cs"]), str(m["case_key"])))
        tested = [k for k, (_, n) in (("own", own), ("peers", peers))
                  if n >= int(st["min_other_cases"])]
        n_tied = sum(1 for m in mine if m["linked"] and m["tied"])
        hits.append((official, linked, own, peers, n_tied,
                     dict(zip(tested, ps, strict=True)),
                     [m for m in every if m["gang_case"] == gang]))
    shown = [m for h in hits for m in h[1]]
    prefetch(ctx, shown, False, [h[0] for h in hits] + [str(m[c]) for m in shown
                                                         for c in ("case_key", "party")])
    return [_finding(ctx, *h) for h in hits]
