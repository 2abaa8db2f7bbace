"""COI: an official, or kin within k ties, holds a role in the company that won a contract
the official approved (COI-001) or that the official's own body bought (COI-002).

The kin tie, the company role and the official's post must all be in force on
the award date. Ties that had ended or had not begun do not count.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from lang.message import N_, Msg, kin, money, period, word
from queries.context import Context
from queries.findings import Finding, clip, node, rel
from queries.frames import in_force
from queries.registry import rule


def _awards(ctx: Context) -> pd.DataFrame:
    """contract, supplier, date, award record id, buyer, amount, sector, title."""
    f = ctx.frames
    aw = f.rel("AWARDED_TO")
    c = f.ents("contract")
    out = aw[["id", "src", "dst", "s"]].rename(
        columns={"id": "award_id", "src": "contract", "dst": "supplier", "s": "date"})
    cols = [x for x in ("key", "amount", "sector", "title") if x in c.columns]
    out = out.merge(c[cols], left_on="contract", right_on="key", how="left").drop(columns="key")
    bought = f.rel("BOUGHT")[["src", "dst", "id"]].rename(
        columns={"src": "buyer", "dst": "contract", "id": "bought_id"})
    return out.merge(bought, on="contract", how="left")


def _posts_on(ctx: Context, pairs: pd.DataFrame, person: str, org: str | None) -> pd.DataFrame:
    """Rows of ``pairs`` with the post record the person held on ``date`` (at ``org``)."""
    posts = ctx.frames.rel("HOLDS_POST")[["id", "src", "dst", "s", "e", "title"]].rename(
        columns={"id": "post_id", "src": person, "dst": "post_org", "s": "post_s",
                 "e": "post_e", "title": "post_title"})
    m = pairs.merge(posts, on=person)
    m = m[in_force(m["post_s"], m["post_e"], m["date"])]
    if org is not None:
        m = m[m["post_org"] == m[org]]
    return m


def _holders(ctx: Context, officials: pd.DataFrame, roles: list[str]) -> pd.DataFrame:
    """Officials' own roles and their kin's roles in the supplier, all in force on the date."""
    hops = int(ctx.settings["max_kin_hops"])
    r = ctx.frames.rel("COMPANY_ROLE")
    r = r[r["role"].isin(roles)][["id", "src", "dst", "s", "e", "role"]].rename(
        columns={"id": "role_id", "src": "holder", "dst": "supplier", "s": "role_s",
                 "e": "role_e"})
    own = officials.assign(holder=officials["official"], hops=0, path="", how="self",
                           tie_s="0000-01-01", tie_e="9999-12-31")
    kin = ctx.kin(hops, set(officials["official"])).rename(
        columns={"a": "official", "b": "holder", "s": "tie_s", "e": "tie_e"})
    via = officials.merge(kin, on="official")
    via = via[in_force(via["tie_s"], via["tie_e"], via["date"])]
    both = pd.concat([own, via], ignore_index=True)
    m = both.merge(r, on=["holder", "supplier"])
    m = m[in_force(m["role_s"], m["role_e"], m["date"])]
    m = m.sort_values(["hops", "role_id", "path"]).drop_duplicates(
        ["official", "contract", "holder"], keep="first")
    return m.reset_index(drop=True)


TEXT = {
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
        "amount": money(m.get("amount")), "date": m["date"], "supplier": ctx.ent(m["supplier"]),
        "buyer": ctx.ent(m["buyer"]) if not approved else "", "holder": ctx.ent(holder),
        "kin": kin(str(m["how"]).split(">")), "tie_period": period(m["tie_s"], m["tie_e"]),
        "role": word("company_role", m["role"]), "role_period": period(m["role_s"], m["role_e"]),
    }
    who = "self" if is_self else "kin"
    explanation = [Msg(TEXT["deal_approved" if approved else "deal_bought"], fields),
                   Msg(TEXT[f"holder_{who}"], fields), Msg(TEXT[f"why_{who}"], fields)]
    title = Msg(TEXT[f"title_{'approved' if approved else 'bought'}_{who}"],
                {**fields, "official": ctx.name(official)})
    return Finding(clip(score), title, keys, [deal, tie, post], explanation,
                   sector=str(m.get("sector") or ""), date=str(m["date"]))


@rule("COI-001", "conflict_of_interest",
      "Official approved a contract won by a company the official or kin hold a role in")
def approved_own_interest(ctx: Context) -> list[Finding]:
    """The approving official, or kin within k ties, held a role in the winner."""
    awards = _awards(ctx)
    ap = ctx.frames.rel("APPROVED")[["id", "src", "dst"]].rename(
        columns={"id": "approve_id", "src": "official", "dst": "contract"})
    pairs = awards.merge(ap, on="contract")
    pairs = _posts_on(ctx, pairs, "official", None).drop_duplicates(
        ["official", "contract"], keep="first")
    hits = _holders(ctx, pairs, list(ctx.settings["roles"]))
    return [_finding(ctx, m, True)
            for _, m in hits.iterrows()]


@rule("COI-002", "conflict_of_interest",
      "Official's own body bought from a company the official or kin hold a role in")
def body_bought_own_interest(ctx: Context) -> list[Finding]:
    """An official in post at the buyer (not the approver) had kin or himself in the winner."""
    awards = _awards(ctx).dropna(subset=["buyer"])
    posts = ctx.frames.rel("HOLDS_POST")[["src", "dst"]].rename(
        columns={"src": "official", "dst": "buyer"}).drop_duplicates()
    pairs = awards.merge(posts, on="buyer")
    pairs = _posts_on(ctx, pairs, "official", "buyer").drop_duplicates(
        ["official", "contract"], keep="first")
    ap = ctx.frames.rel("APPROVED")[["src", "dst"]].rename(
        columns={"src": "official", "dst": "contract"}).assign(approver=True)
    pairs = pairs.merge(ap, on=["official", "contract"], how="left")
    pairs = pairs[pairs["approver"].isna()].drop(columns="approver")
    hits = _holders(ctx, pairs, list(ctx.settings["roles"]))
    return [_finding(ctx, m, False)
            for _, m in hits.iterrows()]
