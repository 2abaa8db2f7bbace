"""UMB and REC: case officials tied to the parties of their own case.

UMB-001 (umbrella): an official who acted on an organized-crime case
(investigator, prosecutor, judge, approver) is tied to its gang members by
kin, a known association or co-ownership of a company, while the case ran.
REC-001 (recusal): on any case, an official tied the same way to any party
(suspect, gang member, victim, complainant) — who should have stepped aside.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from graph.schema import CASE_OFFICIAL_ROLES, CASE_PARTY_ROLES
from queries.context import Context
from queries.findings import Finding, clip, node, rel
from queries.frames import OPEN_END, OPEN_START, overlaps
from queries.registry import rule
from queries.rules.common import chain_words, since

_TIE_TYPE = {"associate": "ASSOCIATE", "co_owner": "COMPANY_ROLE"}


def case_table(ctx: Context) -> pd.DataFrame:
    """Cases with their period ``cs``..``ce`` (open ends filled)."""
    c = ctx.frames.ents("case").copy()
    for col in ("kind", "outcome", "opened_date", "closed_date", "title", "status"):
        if col not in c.columns:
            c[col] = None
    c["cs"] = c["opened_date"].fillna(OPEN_START)
    c["ce"] = c["closed_date"].fillna(OPEN_END)
    return c.rename(columns={"key": "case"})


def tied_case_officials(ctx: Context, party_roles: list[str],
                        case_kinds: list[str] | None) -> pd.DataFrame:
    """(official, case, party) with a tie in force at some time while the case ran.

    Columns: official, case, party, official_role, party_role, role ids, the
    tie (``how``, ``hops``, ``path``, ``s``, ``e``) and case columns.
    """
    roles = ctx.frames.rel("CASE_ROLE")[["id", "src", "dst", "role"]]
    cases = case_table(ctx)
    if case_kinds is not None:
        cases = cases[cases["kind"].isin(case_kinds)]
    off = roles[roles["role"].isin(CASE_OFFICIAL_ROLES)].rename(
        columns={"id": "off_role_id", "src": "official", "dst": "case", "role": "official_role"})
    par = roles[roles["role"].isin(party_roles)].rename(
        columns={"id": "party_role_id", "src": "party", "dst": "case", "role": "party_role"})
    pairs = off.merge(par, on="case").merge(cases, on="case")
    pairs = pairs[pairs["official"] != pairs["party"]]
    ties = ctx.ties(int(ctx.settings["max_kin_hops"]), set(pairs["official"])).rename(
        columns={"a": "official", "b": "party"})
    m = pairs.merge(ties, on=["official", "party"])
    m = m[overlaps(m["s"], m["e"], m["cs"], m["ce"])]
    m = m.sort_values(["hops", "how", "path", "party"], kind="stable")
    return m.drop_duplicates(["official", "case", "party"], keep="first").reset_index(drop=True)


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
    type_ = _TIE_TYPE.get(how, "KIN")
    for rid in path.split(">"):
        r = f.rel_row(type_, rid)
        nxt = r["dst"] if r["src"] == steps[-1]["key"] else r["src"]
        steps += [rel(f, r, str(_TIE_TYPE.get(how, "KIN"))), node(f, nxt, "person")]
    return steps


def _role_step(ctx: Context, role_id: str, person: str, case: str) -> list[dict[str, Any]]:
    f = ctx.frames
    r = f.rel_row("CASE_ROLE", role_id)
    return [node(f, person, "person"), rel(f, r, "CASE_ROLE"), node(f, case, "case")]


def tie_words(m: Any) -> str:
    """How the official is tied to the party, in words."""
    if m["how"] == "co_owner":
        return "co-owner of a company with"
    if m["how"] == "associate":
        return "a known associate of"
    return f"the {chain_words(m['how'])} of" if int(m["hops"]) == 1 else (
        f"kin ({chain_words(m['how'])}) of")


def _case_findings(ctx: Context, hits: pd.DataFrame, code: str, category: str,
                   umbrella: bool) -> list[Finding]:
    f = ctx.frames
    st = ctx.settings
    out: list[Finding] = []
    n_cases = hits.groupby("official")["case"].nunique().to_dict()
    for (off, cas), group in hits.groupby(["official", "case"], sort=True):
        official, case = str(off), str(cas)
        first = group.iloc[0]
        outcome = str(first.get("outcome") or "")
        score = float(st["base_score"])
        if umbrella:
            if outcome in ("dropped", "acquitted"):
                score += float(st["outcome_bonus"])
            score += float(st["repeat_bonus"]) * (int(n_cases[official]) - 1)
        parties = list(dict.fromkeys(group["party"].tolist()))
        score += ctx.report_bonus([official, *parties])
        evidence = [_role_step(ctx, str(first["off_role_id"]), str(official), str(case))]
        lines = []
        for _, m in group.head(3).iterrows():
            evidence.append(tie_path(ctx, str(official), str(m["how"]), str(m["path"])))
            evidence.append(_role_step(ctx, str(m["party_role_id"]), str(m["party"]),
                                       str(case)))
            lines.append(f"{f.label(official)} is {tie_words(m)} {f.label(m['party'])}, "
                         f"{m['party_role'].replace('_', ' ')} in the case (tie "
                         f"{since(m['s'], m['e'])}).")
        more = f" {len(group) - 3} more tied parties are not shown." if len(group) > 3 else ""
        period = since(first["cs"], first["ce"])
        kind = str(first.get("kind") or "").replace("_", "-")
        head = (f"{f.label(official)} acted as {first['official_role']} on {kind} case "
                f"{f.label(case)} ({period}; outcome {outcome or 'not recorded'}).")
        if umbrella:
            dropped = f"; the case was {outcome}" if outcome in ("dropped", "acquitted") else ""
            repeat = (f"; the official is tied to gang members in {n_cases[official]} "
                      "organized-crime cases" if n_cases[official] > 1 else "")
            why = (" An official tied to the gang the official is meant to pursue is the "
                   f"pattern of a protective umbrella{dropped}{repeat}.")
            title = (f"{f.names.get(official, official)} ({first['official_role']}) is tied "
                     f"to gang members of a case the official acted on")
        else:
            why = (" The official should have declared the tie and stepped aside; the case "
                   "may need reassigning to another jurisdiction.")
            title = (f"{f.names.get(official, official)} ({first['official_role']}) is tied to "
                     f"a party of a case the official acted on")
        out.append(Finding(code, category, clip(score), title, [str(official), str(case),
                                                                *parties],
                           evidence, " ".join([head, *lines]) + more + why,
                           date=str(first["opened_date"] or "")))
    return out


@rule("UMB-001", "umbrella", "Official acting on an organized-crime case is tied to its gang")
def umbrella_official(ctx: Context) -> list[Finding]:
    """Investigators, prosecutors, judges or approvers tied to the gang of their case."""
    hits = tied_case_officials(ctx, list(ctx.settings["gang_roles"]), ["organized_crime"])
    return _case_findings(ctx, hits, "UMB-001", "umbrella", True)


@rule("REC-001", "recusal", "Case official tied to a party of the same case")
def tied_case_official(ctx: Context) -> list[Finding]:
    """Any case: an official acting on it tied to one of its parties."""
    hits = tied_case_officials(ctx, list(CASE_PARTY_ROLES), None)
    return _case_findings(ctx, hits, "REC-001", "recusal", False)
