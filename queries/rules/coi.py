"""COI: an official, or kin within k ties, holds a role in the company that won a contract
the official approved (COI-001) or that the official's own body bought (COI-002).

The kin tie, the company role and the official's post must all be in force on
the award date. Ties that had ended or had not begun do not count.
"""

from __future__ import annotations

from typing import Any

from lang.core import N_
from lang.message import Msg, Template, date, money, period, word
from queries.context import Context
from queries.coverage import covers
from queries.findings import Finding, clip, node, rel
from queries.registry import rule

#: Awards with their contract's facts and buyer: one row per (award, purchase) record.
AWARDS = """
    SELECT aw.id AS award_id, aw.src AS contract, aw.dst AS supplier, aw.s AS date,
           c.amount, c.currency, c.sector, c.title, b.src AS buyer, b.id AS bought_id
    FROM rel_AWARDED_TO aw
    LEFT JOIN ent_contract c ON c.key = aw.src
    LEFT JOIN rel_BOUGHT b ON b.dst = aw.src
    WHERE aw.src NOT IN (SELECT key FROM closed_contracts)"""

#: The official, or kin within $max_kin_hops ties, holds one of $roles in the supplier:
#: tie and role in force on the award date. Reads ``posted`` (official, contract, date, ...).
HOLDERS = """
    holders AS (
        SELECT o.*, o.official AS holder, 0 AS hops, '' AS path, 'self' AS how,
               '0000-01-01' AS tie_s, '9999-12-31' AS tie_e
        FROM posted o
        UNION ALL
        SELECT o.*, k.b AS holder, k.hops, k.path, k.how, k.s AS tie_s, k.e AS tie_e
        FROM posted o JOIN kin_chains k ON k.a = o.official
        WHERE k.hops <= $max_kin_hops AND k.s <= o.date AND o.date <= k.e)
    SELECT h.*, r.id AS role_id, r.role, r.s AS role_s, r.e AS role_e
    FROM holders h JOIN rel_COMPANY_ROLE r ON r.src = h.holder AND r.dst = h.supplier
    WHERE list_contains($roles, r.role) AND r.s <= h.date AND h.date <= r.e
    QUALIFY row_number() OVER (PARTITION BY h.official, h.contract, h.holder
                               ORDER BY h.hops, r.id, h.path) = 1
    ORDER BY h.hops, role_id, h.path"""

#: COI-001: the approver of a contract in post on the award date.
COI_001 = f"""
    WITH awards AS ({AWARDS}),
    pairs AS (
        SELECT aw.*, ap.id AS approve_id, ap.src AS official
        FROM awards aw JOIN rel_APPROVED ap ON ap.dst = aw.contract),
    posted AS (
        SELECT p.*, h.id AS post_id, h.dst AS post_org, h.s AS post_s, h.e AS post_e,
               h.title AS post_title
        FROM pairs p JOIN rel_HOLDS_POST h ON h.src = p.official
        WHERE h.s <= p.date AND p.date <= h.e
        QUALIFY row_number() OVER (PARTITION BY p.official, p.contract
                                   ORDER BY p.award_id, p.bought_id, p.approve_id, h.id) = 1),
    {HOLDERS}"""

#: COI-002: an official in post at the buying body on the award date, not its approver.
COI_002 = f"""
    WITH awards AS ({AWARDS}),
    posted AS (
        SELECT aw.*, h.src AS official, h.id AS post_id, h.dst AS post_org, h.s AS post_s,
               h.e AS post_e, h.title AS post_title
        FROM awards aw JOIN rel_HOLDS_POST h ON h.dst = aw.buyer
        WHERE h.s <= aw.date AND aw.date <= h.e
          AND NOT EXISTS (SELECT 1 FROM rel_APPROVED a
                          WHERE a.src = h.src AND a.dst = aw.contract)
        QUALIFY row_number() OVER (PARTITION BY h.src, aw.contract
                                   ORDER BY aw.award_id, aw.bought_id, h.id) = 1),
    {HOLDERS}"""

#: COI-001/COI-002 assess contracts. Not assessable: no winner on record (``supplier``),
#: no approver (COI-001) or buyer (COI-002), or an award without a date (``award_date``:
#: the ties must be in force on it).
_COVERED = """
    WITH aw AS (SELECT src, max(CASE WHEN s <> '0000-01-01' THEN 1 ELSE 0 END) AS dated
                FROM rel_AWARDED_TO GROUP BY src),
    who AS (SELECT DISTINCT {end} AS contract FROM rel_{type})
    SELECT c.key AS item,
           CASE WHEN aw.src IS NULL THEN 'supplier' WHEN who.contract IS NULL THEN '{field}'
                WHEN aw.dated = 0 THEN 'award_date' END AS missing
    FROM ent_contract c LEFT JOIN aw ON aw.src = c.key LEFT JOIN who ON who.contract = c.key"""
covers("COI-001", "contract", _COVERED.format(end="dst", type="APPROVED", field="approver"))
covers("COI-002", "contract", _COVERED.format(end="dst", type="BOUGHT", field="buyer"))


TEXT: dict[str, Template] = {
    "deal_approved": N_("{official}, {post} at {post_org} ({post_period}), approved contract "
                        "{contract} worth {amount}, awarded on {date} to {supplier}."),
    "deal_bought": N_("{official}, {post} at {post_org} ({post_period}), holds a post in the "
                      "buying body {buyer}, which bought contract {contract} worth {amount}, "
                      "awarded on {date} to {supplier}."),
    "holder_self": N_("The official is {role} of {supplier} ({role_period})."),
    "holder_kin": N_("{holder}, the official's {kin} (tie {tie_period}) is {role} of {supplier} "
                     "({role_period})."),
    "why_self": N_("On {date} the post and the role were both in force: the official had a "
                   "personal interest in the winner and should have declared it and stepped "
                   "aside."),
    "why_kin": N_("On {date} the post, the kin tie and the role were all in force: the official "
                  "had a personal interest in the winner and should have declared it and "
                  "stepped aside."),
    "title_approved_self": N_("{official} approved a contract won by a company in which the "
                              "official is {role}"),
    "title_approved_kin": N_("{official} approved a contract won by a company in which the "
                             "official's {kin} is {role}"),
    "title_bought_self": N_("{official}: the official’s body bought a contract won by a company "
                            "in which the official is {role}"),
    "title_bought_kin": N_("{official}: the official’s body bought a contract won by a company "
                           "in which the official's {kin} is {role}"),
    "post": N_("post"),
}


def _finding(ctx: Context, m: Any, approved: bool) -> Finding:
    f = ctx.frames
    st = ctx.settings
    official, holder = m["official"], m["holder"]
    is_self = official == holder
    score = st["base_score"] + (st["self_bonus"] if is_self else 0.0)
    score -= st["hop_penalty"] * max(int(m["hops"]) - 1, 0)
    keys = [official, m["contract"], m["supplier"]] + ([] if is_self else [holder])
    score += ctx.report_bonus([official, holder, m["supplier"]])
    deal = [node(f, official, "person")]
    if approved:
        deal += [rel(f, f.rel_row("APPROVED", m["approve_id"]), "APPROVED")]
    else:
        deal = [node(f, m["buyer"], "organization"),
                rel(f, f.rel_row("BOUGHT", m["bought_id"]), "BOUGHT")]
    deal += [node(f, m["contract"], "contract"),
             rel(f, f.rel_row("AWARDED_TO", m["award_id"]), "AWARDED_TO"),
             node(f, m["supplier"], "organization")]
    tie: list[dict[str, Any]] = [node(f, official, "person")]
    if not is_self:
        for rid in str(m["path"]).split(">"):
            r = f.rel_row("KIN", rid)
            nxt = r["dst"] if r["src"] == tie[-1]["key"] else r["src"]
            tie += [rel(f, r, "KIN"), node(f, nxt, "person")]
    tie += [rel(f, f.rel_row("COMPANY_ROLE", m["role_id"]), "COMPANY_ROLE"),
            node(f, m["supplier"], "organization")]
    post = [node(f, official, "person"),
            rel(f, f.rel_row("HOLDS_POST", m["post_id"]), "HOLDS_POST"),
            node(f, m["post_org"], "organization")]
    fields = {
        "official": ctx.ent(official), "post_org": ctx.ent(m["post_org"]),
        "post": m["post_title"] or Msg(TEXT["post"]),
        "post_period": period(m["post_s"], m["post_e"]), "contract": ctx.ent(m["contract"]),
        "amount": money(m.get("amount"), m.get("currency")), "date": date(str(m["date"])),
        "supplier": ctx.ent(m["supplier"]),
        "buyer": ctx.ent(m["buyer"]) if not approved else "", "holder": ctx.ent(holder),
        "kin": ctx.kinship(official, str(m["how"]), str(m["path"])),
        "tie_period": period(m["tie_s"], m["tie_e"]),
        "role": word("company_role", m["role"]), "role_period": period(m["role_s"], m["role_e"]),
    }
    who = "self" if is_self else "kin"
    explanation = [Msg(TEXT["deal_approved" if approved else "deal_bought"], fields),
                   Msg(TEXT[f"holder_{who}"], fields), Msg(TEXT[f"why_{who}"], fields)]
    title = Msg(TEXT[f"title_{'approved' if approved else 'bought'}_{who}"],
                {**fields, "official": ctx.name(official)})
    return Finding(clip(score), title, keys, [deal, tie, post], explanation,
                   sector=str(m.get("sector") or ""), date=str(m["date"]))


def _findings(ctx: Context, sql: str, approved: bool) -> list[Finding]:
    hits = ctx.rows(sql, {"roles": list(ctx.settings["roles"]),
                          "max_kin_hops": int(ctx.settings["max_kin_hops"])})
    f = ctx.frames
    for type_, col in (("APPROVED", "approve_id"), ("BOUGHT", "bought_id"),
                       ("AWARDED_TO", "award_id"), ("COMPANY_ROLE", "role_id"),
                       ("HOLDS_POST", "post_id")):
        f.prefetch(type_, (m.get(col) for m in hits))
    f.prefetch_chains((m["official"], str(m["path"])) for m in hits)
    f.prefetch_keys(k for m in hits for k in (m["official"], m["holder"], m["supplier"],
                                               m["contract"], m["post_org"], m["buyer"]))
    return [_finding(ctx, m, approved) for m in hits]


@rule("COI-001", "conflict_of_interest",
      "Official approved a contract won by a company the official or kin hold a role in")
def approved_own_interest(ctx: Context) -> list[Finding]:
    """The approving official, or kin within k ties, held a role in the winner."""
    return _findings(ctx, COI_001, True)


@rule("COI-002", "conflict_of_interest",
      "Official's own body bought from a company the official or kin hold a role in")
def body_bought_own_interest(ctx: Context) -> list[Finding]:
    """An official in post at the buyer (not the approver) had kin or himself in the winner."""
    return _findings(ctx, COI_002, False)
