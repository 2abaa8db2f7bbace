"""UMB and REC: case officials tied to the parties of their own case.

UMB-001 (umbrella): an official who acted on an organized-crime case
(investigator, prosecutor, judge, approver) is tied to its gang members by
kin, a known association or co-ownership of a company, while the case ran.
REC-001 (recusal): on any case, an official tied the same way to any party
(suspect, gang member, victim, complainant) — who should have stepped aside.

Both are one SQL query over the case roles and the shared ``ties`` intermediate
(:mod:`queries.shared`: kin chains, associates, co-owners, each with the interval
``[s, e]`` it held); :func:`tie_path` turns a tie into evidence steps, also for the
recusal question (:mod:`queries.recusal`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import groupby
from typing import Any

from graph.schema import CASE_OFFICIAL_ROLES, CASE_PARTY_ROLES
from lang.core import N_, NP_
from lang.message import Msg, Template, period, word
from queries.context import Context
from queries.coverage import covers
from queries.findings import Finding, clip, node, rel
from queries.registry import rule

_TIE_TYPE = {"associate": "ASSOCIATE", "co_owner": "COMPANY_ROLE"}


def tie_type(how: str) -> str:
    """The relationship type of the records along a tie, from its ``how``.

    Examples
    --------
    >>> tie_type("spouse>sibling"), tie_type("associate"), tie_type("co_owner")
    ('KIN', 'ASSOCIATE', 'COMPANY_ROLE')
    """
    return _TIE_TYPE.get(how, "KIN")


#: An official acting on a case (one of $official_roles) and a party of it (one of
#: $party_roles), with the case's facts and its period ``[cs, ce]`` (open ends filled).
CASE_PAIRS = """
    SELECT o.id AS off_role_id, o.src AS official, o.dst AS case_key, o.role AS official_role,
           p.id AS party_role_id, p.src AS party, p.role AS party_role,
           c.kind, c.outcome, c.opened_date,
           coalesce(c.opened_date, '0000-01-01') AS cs,
           coalesce(c.closed_date, '9999-12-31') AS ce
    FROM rel_CASE_ROLE o
    JOIN rel_CASE_ROLE p ON p.dst = o.dst AND p.src <> o.src
    JOIN ent_case c ON c.key = o.dst
    WHERE list_contains($official_roles, o.role) AND list_contains($party_roles, p.role)"""

#: (official, case, party) tied by kin within $max_kin_hops ties, association or
#: co-ownership, the tie in force at some time while the case ran: the first tie by
#: (hops, how, path), then the official's and the party's first role records; with
#: ``cases``, the number of cases in which the official is so tied. Ordered by official,
#: case, then as chosen.
TIED = """
    WITH pairs AS ({pairs}),
    tied AS (
        SELECT p.off_role_id, p.official, p.case_key, p.official_role, p.party_role_id,
               p.party, p.party_role, p.kind, p.outcome, p.opened_date, p.cs, p.ce,
               t.s, t.e, t.hops, t.path, t.how
        FROM pairs p JOIN ties t ON t.a = p.official AND t.b = p.party
        WHERE t.hops <= $max_kin_hops AND t.s <= p.ce AND p.cs <= t.e
        QUALIFY row_number() OVER (PARTITION BY p.official, p.case_key, p.party
                                   ORDER BY t.hops, t.how, t.path, p.off_role_id,
                                            p.party_role_id) = 1),
    per_official AS (
        SELECT official, count(DISTINCT case_key) AS cases FROM tied GROUP BY official)
    SELECT tied.*, n.cases
    FROM tied JOIN per_official n ON n.official = tied.official
    ORDER BY tied.official, tied.case_key, tied.hops, tied.how, tied.path, tied.party,
             tied.off_role_id, tied.party_role_id"""

#: The case kind UMB-001 reads.
ORGANIZED_CRIME = "organized_crime"

#: UMB-001: organized-crime cases ($case_kind), parties in the gang.
UMB_001 = TIED.format(pairs=CASE_PAIRS + "\n      AND c.kind = $case_kind")

#: REC-001: any case, any party.
REC_001 = TIED.format(pairs=CASE_PAIRS)

#: REC-001 assesses cases, UMB-001 organized-crime cases ($case_kind; a case of no
#: recorded kind may be one). Not assessable: no kind (``kind``, UMB-001), no official
#: acting on it (``official``), no party to it (``party``: for UMB-001 a gang member).
#: Per case, whether an official in $official_roles and a party in $party_roles act on it.
ROLES_PER_CASE = """
    SELECT dst AS case_key,
           max(CASE WHEN list_contains($official_roles, role) THEN 1 ELSE 0 END) AS officials,
           max(CASE WHEN list_contains($party_roles, role) THEN 1 ELSE 0 END) AS parties
    FROM rel_CASE_ROLE GROUP BY dst"""

CASES_COVERED = f"""
    WITH r AS ({ROLES_PER_CASE})
    SELECT c.key AS item,
           CASE WHEN $by_kind AND coalesce(trim(c.kind), '') = '' THEN 'kind'
                WHEN coalesce(r.officials, 0) = 0 THEN 'official'
                WHEN coalesce(r.parties, 0) = 0 THEN 'party' END AS missing
    FROM ent_case c LEFT JOIN r ON r.case_key = c.key
    WHERE NOT $by_kind OR coalesce(trim(c.kind), '') IN ('', $case_kind)"""
covers("REC-001", "case", CASES_COVERED, lambda st: {
    "official_roles": list(CASE_OFFICIAL_ROLES), "party_roles": list(CASE_PARTY_ROLES),
    "by_kind": False, "case_kind": ORGANIZED_CRIME})
covers("UMB-001", "case", CASES_COVERED, lambda st: {
    "official_roles": list(CASE_OFFICIAL_ROLES), "party_roles": list(st["gang_roles"]),
    "by_kind": True, "case_kind": ORGANIZED_CRIME})


def tie_path(ctx: Context, start: str, how: str, path: str) -> list[dict[str, Any]]:
    """Evidence steps from ``start`` along a tie (kin chain, associate or co-owners)."""
    f = ctx.frames
    steps: list[dict[str, Any]] = [node(f, start, "person")]
    if how == "co_owner":
        first, second = path.split(">")
        r1 = f.rel_row("COMPANY_ROLE", first)
        r2 = f.rel_row("COMPANY_ROLE", second)
        return [*steps, rel(f, r1, "COMPANY_ROLE"), node(f, r1["dst"], "organization"),
                rel(f, r2, "COMPANY_ROLE"), node(f, r2["src"], "person")]
    type_ = tie_type(how)
    for rid in path.split(">"):
        r = f.rel_row(type_, rid)
        nxt = r["dst"] if r["src"] == steps[-1]["key"] else r["src"]
        steps += [rel(f, r, type_), node(f, nxt, "person")]
    return steps


def _role_step(ctx: Context, role_id: str, person: str, case: str) -> list[dict[str, Any]]:
    f = ctx.frames
    r = f.rel_row("CASE_ROLE", role_id)
    return [node(f, person, "person"), rel(f, r, "CASE_ROLE"), node(f, case, "case")]


TEXT: dict[str, Template] = {
    "head": N_("{official} acted as {official_role} on {case_kind} case {case} ({case_period}; "
               "outcome {outcome})."),
    "not_recorded": N_("not recorded"),
    "tie_kin1": N_("{official} is the {kin} of {party}, {party_role} in the case (tie "
                   "{tie_period})."),
    "tie_kin": N_("{official} is kin ({kin}) of {party}, {party_role} in the case (tie "
                  "{tie_period})."),
    "tie_associate": N_("{official} is a known associate of {party}, {party_role} in the case "
                        "(tie {tie_period})."),
    "tie_co_owner": N_("{official} is co-owner of a company with {party}, {party_role} in the "
                       "case (tie {tie_period})."),
    "more": NP_("{n} more tied party is not shown.", "{n} more tied parties are not shown."),
    "why_umb": N_("An official tied to the gang the official is meant to pursue is the pattern "
                  "of a protective umbrella."),
    "why_umb_outcome": N_("An official tied to the gang the official is meant to pursue is the "
                          "pattern of a protective umbrella; the case was {outcome}."),
    "why_umb_repeat": N_("An official tied to the gang the official is meant to pursue is the "
                         "pattern of a protective umbrella; the official is tied to gang members "
                         "in {cases} organized-crime cases."),
    "why_umb_outcome_repeat": N_("An official tied to the gang the official is meant to pursue "
                                 "is the pattern of a protective umbrella; the case was "
                                 "{outcome}; the official is tied to gang members in {cases} "
                                 "organized-crime cases."),
    "why_rec": N_("The official should have declared the tie and stepped aside; the case may "
                  "need reassigning to another jurisdiction."),
    "title_umb": N_("{official} ({official_role}) is tied to gang members of a case the official "
                    "acted on"),
    "title_rec": N_("{official} ({official_role}) is tied to a party of a case the official "
                    "acted on"),
}


def tie_key(m: Any) -> str:
    """Which ``tie_*`` template of :data:`TEXT` says how an official is tied to a party.

    Examples
    --------
    >>> tie_key({"how": "spouse", "hops": 1}), tie_key({"how": "associate", "hops": 1})
    ('tie_kin1', 'tie_associate')
    """
    if m["how"] in ("co_owner", "associate"):
        return f"tie_{m['how']}"
    return "tie_kin1" if int(m["hops"]) == 1 else "tie_kin"


def tie_fields(ctx: Context, official: str, m: Any) -> dict[str, Any]:
    """The fields of a ``tie_*`` template for one tied (official, party) row; ``kin`` says
    what the official is to the party (the chain read back from the party)."""
    return {"official": ctx.ent(official), "party": ctx.ent(m["party"]),
            "kin": ctx.kinship(official, str(m["how"]), str(m["path"]), back=True),
            "party_role": word("case_role", m["party_role"]),
            "tie_period": period(m["s"], m["e"])}


def tie_records(ties: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Relationship type -> the ids of the records along ``ties`` (rows with ``how``, ``path``).

    Examples
    --------
    >>> tie_records([{"how": "spouse>sibling", "path": "r:KIN:1>r:KIN:2"},
    ...              {"how": "co_owner", "path": "r:CR:1>r:CR:2"}])
    {'KIN': ['r:KIN:1', 'r:KIN:2'], 'COMPANY_ROLE': ['r:CR:1', 'r:CR:2']}
    """
    out: dict[str, list[str]] = {}
    for m in ties:
        out.setdefault(tie_type(str(m["how"])), []).extend(str(m["path"]).split(">"))
    return out


def prefetch_ties(ctx: Context, ties: Iterable[Mapping[str, Any]], keys: Iterable[str]) -> None:
    """Fetch in batches the records along ``ties``, and the source rows of every entity
    they pass through and of ``keys``, so that :func:`tie_path` runs no query."""
    f = ctx.frames
    records = tie_records(ties)
    for type_, ids in records.items():
        f.prefetch(type_, ids)
    through = [k for type_, ids in records.items() for rid in ids
               for k in (f.rel_row(type_, rid)["src"], f.rel_row(type_, rid)["dst"])]
    f.prefetch_keys([*keys, *through])


def _findings(ctx: Context, sql: str, umbrella: bool, party_roles: list[str]) -> list[Finding]:
    hits = ctx.rows(sql, {"official_roles": list(CASE_OFFICIAL_ROLES), "party_roles": party_roles,
                          "max_kin_hops": int(ctx.settings["max_kin_hops"]),
                          **({"case_kind": ORGANIZED_CRIME} if umbrella else {})})
    groups = [list(g) for _, g in groupby(hits, key=lambda m: (m["official"], m["case_key"]))]
    shown = [m for g in groups for m in g[:3]]
    ctx.frames.prefetch("CASE_ROLE", [*(g[0]["off_role_id"] for g in groups),
                                      *(m["party_role_id"] for m in shown)])
    prefetch_ties(ctx, shown, (k for m in hits for k in (m["official"], m["case_key"],
                                                         m["party"])))
    return [_finding(ctx, g, umbrella) for g in groups]


def _finding(ctx: Context, group: list[dict[str, Any]], umbrella: bool) -> Finding:
    """One finding from the tied parties of one (official, case), first tie first."""
    st = ctx.settings
    first = group[0]
    official, case, n_cases = str(first["official"]), str(first["case_key"]), first["cases"]
    outcome = str(first.get("outcome") or "")
    score = float(st["base_score"])
    if umbrella:
        if outcome in ("dropped", "acquitted"):
            score += float(st["outcome_bonus"])
        score += float(st["repeat_bonus"]) * (int(n_cases) - 1)
    parties = list(dict.fromkeys(str(m["party"]) for m in group))
    score += ctx.report_bonus([official, *parties])
    evidence = [_role_step(ctx, str(first["off_role_id"]), official, case)]
    fields = {"official": ctx.ent(official),
              "official_role": word("case_role", str(first["official_role"])),
              "case_kind": word("case_kind", str(first.get("kind") or "")),
              "case": ctx.ent(case), "case_period": period(first["cs"], first["ce"]),
              "outcome": word("outcome", outcome) if outcome else Msg(TEXT["not_recorded"]),
              "cases": n_cases}
    explanation = [Msg(TEXT["head"], fields)]
    for m in group[:3]:
        evidence.append(tie_path(ctx, official, str(m["how"]), str(m["path"])))
        evidence.append(_role_step(ctx, str(m["party_role_id"]), str(m["party"]), case))
        explanation.append(Msg(TEXT[tie_key(m)], tie_fields(ctx, official, m)))
    if len(group) > 3:
        explanation.append(Msg(TEXT["more"], n=len(group) - 3))
    if umbrella:
        why = "why_umb" + ("_outcome" if outcome in ("dropped", "acquitted") else "") + (
            "_repeat" if n_cases > 1 else "")
        title = "title_umb"
    else:
        why, title = "why_rec", "title_rec"
    explanation.append(Msg(TEXT[why], fields))
    return Finding(clip(score), Msg(TEXT[title], {**fields, "official": ctx.name(official)}),
                   [official, case, *parties], evidence, explanation,
                   date=str(first["opened_date"] or ""))


@rule("UMB-001", "umbrella", "Official acting on an organized-crime case is tied to its gang")
def umbrella_official(ctx: Context) -> list[Finding]:
    """Investigators, prosecutors, judges or approvers tied to the gang of their case."""
    return _findings(ctx, UMB_001, True, list(ctx.settings["gang_roles"]))


@rule("REC-001", "recusal", "Case official tied to a party of the same case")
def tied_case_official(ctx: Context) -> list[Finding]:
    """Any case: an official acting on it tied to one of its parties."""
    return _findings(ctx, REC_001, False, list(CASE_PARTY_ROLES))
