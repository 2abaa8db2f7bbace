"""UMB: the protective umbrella away from the gang's own case (UMB-001 is that case).

A gang member is a person in one of ``gang_roles`` in an ``organized_crime`` case
(:data:`GANG`); the gang's circle is its members, their kin (one tie) and their known
associates (:data:`CIRCLE`). Around them:

- UMB-002: an official tied to a gang member (kin within ``max_kin_hops``, a known
  association, co-ownership: the shared ``ties``) acted on another case of any kind
  in which the member, or a kin or associate of the member, was a party, and the case
  ended favourably for the party (:data:`FAVOURABLE`);
- UMB-003: an official approved contracts or payments for companies in which a gang
  member or a member's kin held a role on the award or payment date;
- UMB-004 (:mod:`queries.rules.umb_rate`): an official whose cases with parties of a
  gang's circle end favourably far more often than his own other cases or than other
  officials' such cases, with no tie on record.

"Another case" leaves out the cases in which the gang member himself holds a gang
role: UMB-001 reports an official tied to the gang of its own case.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import Any

from graph.schema import CASE_OFFICIAL_ROLES
from lang.core import N_, NP_
from lang.message import Msg, Template, date, money, period, word
from queries.context import Context
from queries.coverage import covers
from queries.findings import Finding, clip, node, rel
from queries.frames import OPEN_START
from queries.registry import rule
from queries.rules.cases import (
    CASE_PAIRS,
    ORGANIZED_CRIME,
    ROLES_PER_CASE,
    prefetch_ties,
    tie_path,
)

#: Case outcomes that end a case favourably for its suspects: ``dropped`` (not pursued),
#: ``acquitted``, ``transferred`` (sent away from those who would pursue it). The one
#: place the rules map the layout's outcome vocabulary (``cases.outcome``) to shielding.
FAVOURABLE = ("dropped", "acquitted", "transferred")
#: Outcomes that end a case against its suspects. ``pending`` and a blank outcome are
#: not decided: the rate test of UMB-004 leaves such cases out.
UNFAVOURABLE = ("convicted", "sanctioned")
DECIDED = (*FAVOURABLE, *UNFAVOURABLE)

#: Gang members: persons in one of $gang_roles in a case of kind $case_kind
#: (organized crime), one row per (member, gang case, role record).
GANG = """
    SELECT r.src AS member, r.dst AS gang_case, r.id AS gang_role_id, r.role AS gang_role
    FROM rel_CASE_ROLE r JOIN ent_case c ON c.key = r.dst
    WHERE lower(trim(c.kind)) = $case_kind AND list_contains($gang_roles, r.role)
      AND r.src LIKE 'p:%'"""

#: A gang's circle, read from ``gang``: each ``party`` who is a member (``link_how``
#: ``self``), kin of a member by one tie (``link_how`` = what the party is to the member,
#: ``link_id`` the record) or, with $with_associates, a known associate, while the link
#: held (``[ls, le]``).
CIRCLE = """
    SELECT g.member AS party, g.member, g.gang_case, g.gang_role_id, g.gang_role,
           '' AS link_id, 'self' AS link_how, '0000-01-01' AS ls, '9999-12-31' AS le,
           0 AS link_rank
    FROM gang g
    UNION ALL
    SELECT k.b, g.member, g.gang_case, g.gang_role_id, g.gang_role, k.id, k.relation, k.s,
           k.e, 1
    FROM gang g JOIN kin_edges k ON k.a = g.member
    UNION ALL
    SELECT t.b, g.member, g.gang_case, g.gang_role_id, g.gang_role, t.path, 'associate', t.s,
           t.e, 2
    FROM gang g JOIN associate_ties t ON t.a = g.member
    WHERE $with_associates"""

#: How strong a tie (``t``) is: 0 close kin (one kin tie, not an in-law), 1 an in-law or
#: kin further away, 2 a known associate or co-owner.
TIE_RANK = """CASE WHEN t.how IN ('associate', 'co_owner') THEN 2
                   WHEN t.hops = 1 AND t.how <> 'in_law' THEN 0 ELSE 1 END"""

#: UMB-002: (official, case, gang member, party) where the official acted on a case ending
#: in one of $favourable, the party (in $party_roles) is in the member's circle while the
#: case ran, the member is not in a gang role of this case, and the official is tied while
#: the case ran to a member of the same gang (``tied``: the member himself or another
#: member of his gang case; the strongest tie of each). Ordered by official, case, then
#: ``pick``: 1 for the row a finding tells (the strongest tie; persons by key before record
#: ids), the others name every member and party behind the case.
UMB_002 = f"""
    WITH gang AS ({GANG}),
    circle AS ({CIRCLE}),
    pairs AS ({CASE_PAIRS}
      AND list_contains($favourable, lower(trim(c.outcome)))),
    hits AS (
        SELECT p.off_role_id, p.official, p.case_key, p.official_role, p.party_role_id,
               p.party, p.party_role, p.kind, lower(trim(p.outcome)) AS outcome, p.cs, p.ce,
               l.member, l.gang_case, l.gang_role_id, l.gang_role, l.link_id, l.link_how,
               l.link_rank, t.s, t.e, t.hops, t.path, t.how, {TIE_RANK} AS tie_rank,
               g2.member AS tied_member, g2.gang_role_id AS tied_role_id, g2.gang_role AS tied_role
        FROM pairs p
        JOIN circle l ON l.party = p.party AND l.ls <= p.ce AND p.cs <= l.le
        JOIN gang g2 ON g2.gang_case = l.gang_case
        JOIN ties t ON t.a = p.official AND t.b = g2.member
        WHERE t.hops <= $max_kin_hops AND t.s <= p.ce AND p.cs <= t.e
          AND l.member <> p.official AND g2.member <> p.official
          AND NOT EXISTS (SELECT 1 FROM gang g
                          WHERE g.member = l.member AND g.gang_case = p.case_key)
        QUALIFY row_number() OVER (
            PARTITION BY p.official, p.case_key, l.member, p.party
            ORDER BY {TIE_RANK}, (g2.member <> l.member), l.link_rank, t.hops, l.gang_case,
                     g2.member, t.path, l.gang_role_id, g2.gang_role_id, l.link_id,
                     p.party_role_id, p.off_role_id) = 1)
    SELECT hits.*, row_number() OVER (PARTITION BY official, case_key
                                      ORDER BY tie_rank, link_rank, hops, member, party)
                   AS pick
    FROM hits ORDER BY official, cs, case_key, pick"""

#: What an official approved: awards of contracts that went ahead and payments to an
#: organization, on their dates (``0000-01-01`` when undated).
DEALS = """
    SELECT ap.id AS approve_id, ap.src AS official, aw.src AS item, 'contract' AS item_kind,
           aw.id AS deal_id, aw.dst AS company, aw.s AS date, c.amount, c.currency, c.sector
    FROM rel_APPROVED ap JOIN rel_AWARDED_TO aw ON aw.src = ap.dst
    LEFT JOIN ent_contract c ON c.key = aw.src
    WHERE aw.src NOT IN (SELECT key FROM closed_contracts)
    UNION ALL
    SELECT ap.id, ap.src, pt.src, 'payment', pt.id, pt.dst, pt.s, e.amount, e.currency, e.sector
    FROM rel_APPROVED ap JOIN rel_PAID_TO pt ON pt.src = ap.dst
    LEFT JOIN ent_payment e ON e.key = pt.src
    WHERE pt.dst LIKE 'o:%'"""

#: UMB-003: (official, contract or payment, holder, gang member) where the company had, on
#: the dated award or payment, a holder of one of $roles who was the gang member or the
#: member's kin (the kin tie in force that day), with the official's tie that day to a
#: member of the same gang (``tied_member``: the member himself or another member of his
#: gang case, the strongest tie), if any. ``any_tie`` (1: a tie behind any item of the
#: official) and ``best_link`` (0: a member himself holds a role in one of them). Ordered
#: by official, date, item, then ``pick``: 1 for the row a finding tells (a tie first,
#: then the member himself, the strongest tie; persons by key before record ids).
UMB_003 = f"""
    WITH gang AS ({GANG}),
    circle AS ({CIRCLE}),
    deals AS ({DEALS}),
    hits AS (
        SELECT d.*, r.id AS role_id, r.src AS holder, r.role, r.s AS role_s, r.e AS role_e,
               l.member, l.gang_case, l.gang_role_id, l.gang_role, l.link_id, l.link_how,
               l.link_rank, t.hops, t.path, t.how, t.s AS tie_s, t.e AS tie_e,
               t.tied_member, t.tied_role_id, t.tied_role,
               CASE WHEN t.a IS NULL THEN 0 ELSE 1 END AS tied, {TIE_RANK} AS tie_rank,
               max(CASE WHEN t.a IS NULL THEN 0 ELSE 1 END)
                   OVER (PARTITION BY d.official) AS any_tie,
               min(l.link_rank) OVER (PARTITION BY d.official) AS best_link
        FROM deals d
        JOIN rel_COMPANY_ROLE r ON r.dst = d.company
        JOIN circle l ON l.party = r.src
        LEFT JOIN (SELECT g2.gang_case AS tied_case, g2.member AS tied_member,
                          g2.gang_role_id AS tied_role_id, g2.gang_role AS tied_role, k.*
                   FROM gang g2 JOIN ties k ON k.b = g2.member) t
               ON t.tied_case = l.gang_case AND t.a = d.official
              AND t.tied_member <> d.official AND t.hops <= $max_kin_hops
              AND t.s <= d.date AND d.date <= t.e
        WHERE d.date <> '0000-01-01' AND list_contains($roles, r.role)
          AND r.s <= d.date AND d.date <= r.e AND l.ls <= d.date AND d.date <= l.le
        QUALIFY row_number() OVER (
            PARTITION BY d.official, d.item, r.src, l.member
            ORDER BY CASE WHEN t.a IS NULL THEN 1 ELSE 0 END, l.link_rank, {TIE_RANK},
                     (t.tied_member <> l.member), t.hops, l.gang_case, t.tied_member, t.path,
                     r.id, l.gang_role_id, t.tied_role_id, l.link_id, d.approve_id,
                     d.deal_id) = 1)
    SELECT hits.*, row_number() OVER (PARTITION BY official, item
                                      ORDER BY tied DESC, link_rank, tie_rank, hops, member,
                                               holder) AS pick
    FROM hits ORDER BY official, date, item, pick"""

def gang_params(ctx: Context, with_associates: bool) -> dict[str, Any]:
    """The parameters of :data:`GANG` and :data:`CIRCLE` from a rule's settings."""
    return {"case_kind": ORGANIZED_CRIME, "gang_roles": list(ctx.settings["gang_roles"]),
            "with_associates": with_associates}


#: UMB-002 and UMB-004 assess cases. Not assessable: no official acting on it
#: (``official``), no party in $party_roles (``party``), no decided outcome (``outcome``:
#: pending or blank; one of $decided).
CASES_COVERED = f"""
    WITH r AS ({ROLES_PER_CASE})
    SELECT c.key AS item,
           CASE WHEN coalesce(r.officials, 0) = 0 THEN 'official'
                WHEN coalesce(r.parties, 0) = 0 THEN 'party'
                WHEN NOT list_contains($decided, lower(trim(coalesce(c.outcome, ''))))
                    THEN 'outcome' END AS missing
    FROM ent_case c LEFT JOIN r ON r.case_key = c.key"""


def cases_covered(st: dict[str, Any]) -> dict[str, Any]:
    """The parameters of :data:`CASES_COVERED` from a rule's settings."""
    return {"official_roles": list(CASE_OFFICIAL_ROLES), "party_roles": list(st["party_roles"]),
            "decided": list(DECIDED)}


covers("UMB-002", "case", CASES_COVERED, cases_covered)

#: UMB-003 assesses contracts that went ahead and payments to organizations. Not
#: assessable: no approver (``approver``), no date (``award_date``, ``date``: roles must be
#: in force on it).
_DEALS_COVERED = """
    WITH ap AS (SELECT DISTINCT dst FROM rel_APPROVED),
    items AS (
        SELECT src AS item, 'award_date' AS date_field,
               max(CASE WHEN s <> '0000-01-01' THEN 1 ELSE 0 END) AS dated
        FROM rel_AWARDED_TO WHERE src NOT IN (SELECT key FROM closed_contracts) GROUP BY src
        UNION ALL
        SELECT src, 'date', max(CASE WHEN s <> '0000-01-01' THEN 1 ELSE 0 END)
        FROM rel_PAID_TO WHERE dst LIKE 'o:%' GROUP BY src)
    SELECT i.item, CASE WHEN ap.dst IS NULL THEN 'approver' WHEN i.dated = 0 THEN i.date_field
                   END AS missing
    FROM items i LEFT JOIN ap ON ap.dst = i.item"""
covers("UMB-003", "deal", _DEALS_COVERED)

TEXT: dict[str, Template] = {
    "tie_kin1": N_("{official} is the {kin} of {member}, {gang_role} in organized-crime case "
                   "{gang_case} (tie {tie_period})."),
    "tie_kin": N_("{official} is kin ({kin}) of {member}, {gang_role} in organized-crime case "
                  "{gang_case} (tie {tie_period})."),
    "tie_associate": N_("{official} is a known associate of {member}, {gang_role} in "
                        "organized-crime case {gang_case} (tie {tie_period})."),
    "tie_co_owner": N_("{official} is co-owner of a company with {member}, {gang_role} in "
                       "organized-crime case {gang_case} (tie {tie_period})."),
    "case_self": N_("{official} acted as {official_role} on {case_kind} case {case} "
                    "({case_period}), in which the gang member {party} was {party_role}; "
                    "outcome: {outcome}."),
    "case_kin": N_("{official} acted as {official_role} on {case_kind} case {case} "
                   "({case_period}), in which {party}, the {kin} of gang member {member}, was "
                   "{party_role}; outcome: {outcome}."),
    "case_associate": N_("{official} acted as {official_role} on {case_kind} case {case} "
                         "({case_period}), in which {party}, a known associate of gang member "
                         "{member}, was {party_role}; outcome: {outcome}."),
    "more_cases": NP_("{n} more such case is in the evidence.",
                      "{n} more such cases are in the evidence."),
    "why_shield": NP_("A case against a gang member, or against a member's kin or associate, "
                      "that ends dropped, acquitted or transferred away while an official tied "
                      "to the gang acts on it is the pattern of a protective umbrella shielding "
                      "the gang outside its own case; here {n} case. A pattern for review, not "
                      "an accusation: check who decided the outcome, and on what grounds.",
                      "A case against a gang member, or against a member's kin or associate, "
                      "that ends dropped, acquitted or transferred away while an official tied "
                      "to the gang acts on it is the pattern of a protective umbrella shielding "
                      "the gang outside its own case; here {n} cases. A pattern for review, not "
                      "an accusation: check who decided the outcomes, and on what grounds."),
    "title_shield": NP_("{official}, tied to a gang, acted on {n} case of its members or "
                        "their kin or associates that ended favourably",
                        "{official}, tied to a gang, acted on {n} cases of its members or "
                        "their kin or associates that ended favourably"),
    "deal_contract": N_("{official} approved contract {item} worth {amount}, awarded on {date} "
                        "to {company}."),
    "deal_payment": N_("{official} approved payment {item} of {amount} to {company}, paid on "
                       "{date}."),
    "holder_self": N_("That day {holder}, {gang_role} in organized-crime case {gang_case}, was "
                      "{role} of {company} ({role_period})."),
    "holder_kin": N_("That day {holder}, the {kin} of {member} ({gang_role} in organized-crime "
                     "case {gang_case}), was {role} of {company} ({role_period})."),
    "more_deals": NP_("{n} more such contract or payment is in the evidence.",
                      "{n} more such contracts or payments are in the evidence."),
    "why_business": N_("Public money going to companies a gang controls is how a protective "
                       "umbrella feeds the gang; no tie between the official and the gang "
                       "member is on record, so whether the official knew is the question to "
                       "check. A pattern for review, not an accusation."),
    "why_business_tied": N_("Public money going to companies a gang controls, approved by an "
                            "official tied to the gang, is the pattern of a protective "
                            "umbrella feeding it. A pattern for review, not an accusation."),
    "title_business": NP_("{official} approved {n} contract or payment for companies controlled "
                          "by gang members or their kin",
                          "{official} approved {n} contracts or payments for companies "
                          "controlled by gang members or their kin"),
}

#: Cases and deals told in the explanation (the rest are in the evidence).
SHOWN = 3


def tie_key(how: str, hops: int) -> str:
    """Which ``tie_*`` template says how an official is tied to a gang member.

    Examples
    --------
    >>> tie_key("spouse", 1), tie_key("spouse>sibling", 2), tie_key("co_owner", 1)
    ('tie_kin1', 'tie_kin', 'tie_co_owner')
    """
    if how in ("co_owner", "associate"):
        return f"tie_{how}"
    return "tie_kin1" if hops == 1 else "tie_kin"


def tie_bonus(st: dict[str, Any], rank: int) -> float:
    """The score a tie's strength adds (:data:`TIE_RANK`: 0 close kin, 1 in-law or further
    kin, 2 associate or co-owner).

    Examples
    --------
    >>> st = {"kin_bonus": 0.15, "in_law_bonus": 0.1, "associate_bonus": 0.0}
    >>> [tie_bonus(st, r) for r in (0, 1, 2)]
    [0.15, 0.1, 0.0]
    """
    return float(st[("kin_bonus", "in_law_bonus", "associate_bonus")[rank]])


def by_source_id(ctx: Context, keys: Iterable[str]) -> list[str]:
    """Entity keys once each, in the order of their published ids (keys are salted per
    database, so ordering by key would differ from one store to another)."""
    first = ctx.frames.first_ids()
    return sorted(dict.fromkeys(keys), key=lambda k: (first.get(k, k), k))


def role_step(ctx: Context, role_id: str) -> list[dict[str, Any]]:
    """Evidence: a party or official, the case role record, the case."""
    f = ctx.frames
    r = f.rel_row("CASE_ROLE", role_id)
    return [node(f, r["src"], "person" if str(r["src"]).startswith("p:") else "organization"),
            rel(f, r, "CASE_ROLE"), node(f, r["dst"], "case")]


def member_fields(ctx: Context, m: dict[str, Any]) -> dict[str, Any]:
    """The fields naming a gang member and the gang case that makes him one."""
    return {"member": ctx.ent(str(m["member"])), "gang_role": word("case_role", m["gang_role"]),
            "gang_case": ctx.ent(str(m["gang_case"]))}


def tied_fields(ctx: Context, m: dict[str, Any]) -> dict[str, Any]:
    """The fields naming the gang member an official is tied to (``tied_member``: the
    member behind the row or another member of his gang case) and that gang case."""
    return member_fields(ctx, {"member": m["tied_member"], "gang_role": m["tied_role"],
                               "gang_case": m["gang_case"]})


def link_steps(ctx: Context, m: dict[str, Any], start: str) -> list[list[dict[str, Any]]]:
    """Evidence from a party of the circle (``start``) to the gang member (the kin or
    association record, unless the party is the member) and the member's gang role."""
    out: list[list[dict[str, Any]]] = []
    if m["link_how"] != "self":
        out.append(tie_path(ctx, start, str(m["link_how"]), str(m["link_id"])))
    out.append(role_step(ctx, str(m["gang_role_id"])))
    return out


def link_kin(ctx: Context, m: dict[str, Any]) -> dict[str, Any]:
    """What a party of the circle is to the gang member, as a message field."""
    return ctx.kinship(str(m["member"]), str(m["link_how"]), str(m["link_id"]))


def prefetch(ctx: Context, hits: list[dict[str, Any]], ties: bool, keys: Iterable[str]) -> None:
    """Fetch in batches every record and entity the findings of ``hits`` will show."""
    f = ctx.frames
    f.prefetch("CASE_ROLE", (m.get(c) for m in hits
                             for c in ("off_role_id", "party_role_id", "gang_role_id",
                                       "tied_role_id") if m.get(c)))
    chains = [{"how": m["link_how"], "path": m["link_id"]} for m in hits
              if m["link_how"] != "self"]
    if ties:
        chains += [{"how": m["how"], "path": m["path"]} for m in hits if m.get("path")]
    prefetch_ties(ctx, chains, [*keys, *(str(m[c]) for m in hits
                                         for c in ("member", "tied_member", "gang_case")
                                         if m.get(c))])


# -- UMB-002 ------------------------------------------------------------------------------

def _shield_finding(ctx: Context, rows: list[dict[str, Any]]) -> Finding:
    """One finding from every row of one official: a case each (its first row, ``pick``
    1), every gang member and party behind them among its entities."""
    st = ctx.settings
    group = [m for m in rows if int(m["pick"]) == 1]
    official = str(group[0]["official"])
    n = len(group)
    best = min(int(m["tie_rank"]) for m in group)
    members = by_source_id(ctx, (str(m[c]) for m in rows for c in ("tied_member", "member")))
    parties = by_source_id(ctx, (str(m["party"]) for m in rows))
    cases = [str(m["case_key"]) for m in group]
    score = float(st["base_score"]) + float(st["repeat_bonus"]) * (n - 1) + tie_bonus(st, best)
    score += ctx.report_bonus([official, *members, *parties])
    explanation: list[Msg] = []
    told: set[str] = set()
    for m in sorted(group, key=lambda m: (int(m["tie_rank"]), int(m["hops"]))):
        if str(m["tied_member"]) in told or len(told) == SHOWN:
            continue
        told.add(str(m["tied_member"]))
        explanation.append(Msg(TEXT[tie_key(str(m["how"]), int(m["hops"]))], {
            "official": ctx.ent(official), **tied_fields(ctx, m),
            "kin": ctx.kinship(official, str(m["how"]), str(m["path"]), back=True),
            "tie_period": period(m["s"], m["e"])}))
    evidence: list[list[dict[str, Any]]] = []
    for i, m in enumerate(group):
        evidence += [role_step(ctx, str(m["off_role_id"])), role_step(ctx, str(m["party_role_id"])),
                     *link_steps(ctx, m, str(m["party"])),
                     *([role_step(ctx, str(m["tied_role_id"]))] if m["tied_member"] != m["member"]
                       else []),
                     tie_path(ctx, official, str(m["how"]), str(m["path"]))]
        if i >= SHOWN:
            continue
        how = m["link_how"] if m["link_how"] in ("self", "associate") else "kin"
        explanation.append(Msg(TEXT[f"case_{how}"], {
            "official": ctx.ent(official), "official_role": word("case_role", m["official_role"]),
            "case_kind": word("case_kind", str(m.get("kind") or "")),
            "case": ctx.ent(str(m["case_key"])), "case_period": period(m["cs"], m["ce"]),
            "party": ctx.ent(str(m["party"])), "party_role": word("case_role", m["party_role"]),
            "outcome": word("outcome", str(m["outcome"])), "member": ctx.ent(str(m["member"])),
            "kin": link_kin(ctx, m) if how == "kin" else ""}))
    if n > SHOWN:
        explanation.append(Msg(TEXT["more_cases"], n=n - SHOWN))
    explanation.append(Msg(TEXT["why_shield"], n=n))
    title = Msg(TEXT["title_shield"], {"official": ctx.name(official)}, n=n)
    gangs = list(dict.fromkeys(str(m["gang_case"]) for m in rows))
    return Finding(clip(score), title, [official, *cases, *members, *parties, *gangs], evidence,
                   explanation, date="" if group[0]["cs"] == OPEN_START else str(group[0]["cs"]),
                   extra={"cases": n, "case_ids": ctx.frames.source_ids(cases),
                          "gang_cases": ctx.frames.source_ids(gangs)})


@rule("UMB-002", "umbrella",
      "Official tied to a gang acted on other cases of its members or their kin that ended "
      "favourably")
def umb_002(ctx: Context) -> list[Finding]:
    """An official tied to a gang member acted on another case of the member, or of the
    member's kin or associate, that ended dropped, acquitted or transferred (see
    docs/rules/UMB-002.md)."""
    hits = ctx.rows(UMB_002, {
        **gang_params(ctx, True), "official_roles": list(CASE_OFFICIAL_ROLES),
        "party_roles": list(ctx.settings["party_roles"]), "favourable": list(FAVOURABLE),
        "max_kin_hops": int(ctx.settings["max_kin_hops"])})
    prefetch(ctx, hits, True, (str(m[c]) for m in hits for c in ("official", "case_key",
                                                                  "party")))
    return [_shield_finding(ctx, list(g)) for _, g in groupby(hits, key=lambda m: m["official"])]


# -- UMB-003 ------------------------------------------------------------------------------

def _business_finding(ctx: Context, rows: list[dict[str, Any]]) -> Finding:
    """One finding from every row of one official: an item each (its first row, ``pick``
    1), every holder and gang member behind them among its entities."""
    st = ctx.settings
    f = ctx.frames
    group = [m for m in rows if int(m["pick"]) == 1]
    official = str(group[0]["official"])
    n = len(group)
    tied = int(group[0]["any_tie"]) == 1
    score = float(st["base_score"]) + float(st["repeat_bonus"]) * (n - 1)
    score += float(st["tie_bonus"]) if tied else 0.0
    if int(group[0]["best_link"]) > 0:
        score -= float(st["kin_holder_penalty"])
    holders = by_source_id(ctx, (str(m["holder"]) for m in rows))
    members = by_source_id(ctx, (str(m[c]) for m in rows for c in ("member", "tied_member")
                                 if m.get(c)))
    companies = list(dict.fromkeys(str(m["company"]) for m in group))
    items = [str(m["item"]) for m in group]
    score += ctx.report_bonus([official, *holders, *members])
    explanation: list[Msg] = []
    evidence: list[list[dict[str, Any]]] = []
    for i, m in enumerate(group):
        kind = str(m["item_kind"])
        deal_type = "AWARDED_TO" if kind == "contract" else "PAID_TO"
        company = str(m["company"])
        evidence += [
            [node(f, official, "person"),
             rel(f, f.rel_row("APPROVED", m["approve_id"]), "APPROVED"),
             node(f, str(m["item"]), kind), rel(f, f.rel_row(deal_type, m["deal_id"]), deal_type),
             node(f, company, "organization")],
            [node(f, str(m["holder"]), "person"),
             rel(f, f.rel_row("COMPANY_ROLE", m["role_id"]), "COMPANY_ROLE"),
             node(f, company, "organization")],
            *link_steps(ctx, m, str(m["holder"]))]
        if m.get("path"):
            if m["tied_member"] != m["member"]:
                evidence.append(role_step(ctx, str(m["tied_role_id"])))
            evidence.append(tie_path(ctx, official, str(m["how"]), str(m["path"])))
        if i >= SHOWN:
            continue
        fields = {"official": ctx.ent(official), "item": ctx.ent(str(m["item"])),
                  "amount": money(m.get("amount"), m.get("currency")),
                  "date": date(str(m["date"])), "company": ctx.ent(company),
                  "holder": ctx.ent(str(m["holder"])), "role": word("company_role", m["role"]),
                  "role_period": period(m["role_s"], m["role_e"]), **member_fields(ctx, m),
                  "kin": link_kin(ctx, m) if m["link_how"] != "self" else ""}
        explanation += [Msg(TEXT[f"deal_{kind}"], fields),
                        Msg(TEXT["holder_self" if m["link_how"] == "self" else "holder_kin"],
                            fields)]
        if m.get("path"):
            explanation.append(Msg(TEXT[tie_key(str(m["how"]), int(m["hops"]))], {
                **fields, **tied_fields(ctx, m),
                "kin": ctx.kinship(official, str(m["how"]), str(m["path"]), back=True),
                "tie_period": period(m["tie_s"], m["tie_e"])}))
    if n > SHOWN:
        explanation.append(Msg(TEXT["more_deals"], n=n - SHOWN))
    explanation.append(Msg(TEXT["why_business_tied" if tied else "why_business"]))
    title = Msg(TEXT["title_business"], {"official": ctx.name(official)}, n=n)
    gangs = list(dict.fromkeys(str(m["gang_case"]) for m in rows))
    return Finding(clip(score), title,
                   [official, *companies, *items, *holders, *members, *gangs],
                   evidence, explanation, sector=str(group[0].get("sector") or ""),
                   date=str(group[0]["date"]),
                   extra={"deals": n, "gang_cases": ctx.frames.source_ids(gangs)})


@rule("UMB-003", "umbrella",
      "Official approved contracts or payments for companies controlled by gang members or "
      "their kin")
def umb_003(ctx: Context) -> list[Finding]:
    """Contracts or payments an official approved for companies in which a gang member or
    a member's kin held a role that day (see docs/rules/UMB-003.md)."""
    hits = ctx.rows(UMB_003, {**gang_params(ctx, False), "roles": list(ctx.settings["roles"]),
                              "max_kin_hops": int(ctx.settings["max_kin_hops"])})
    f = ctx.frames
    for type_, col in (("APPROVED", "approve_id"), ("COMPANY_ROLE", "role_id")):
        f.prefetch(type_, (m[col] for m in hits))
    f.prefetch("AWARDED_TO", (m["deal_id"] for m in hits if m["item_kind"] == "contract"))
    f.prefetch("PAID_TO", (m["deal_id"] for m in hits if m["item_kind"] == "payment"))
    prefetch(ctx, hits, True, (str(m[c]) for m in hits
                               for c in ("official", "item", "company", "holder")))
    return [_business_finding(ctx, list(g))
            for _, g in groupby(hits, key=lambda m: m["official"])]
