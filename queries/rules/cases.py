"""UMB and REC: case officials tied to the parties of their own case.

UMB-001 (umbrella): an official who acted on an organized-crime case
(investigator, prosecutor, judge, approver) is tied to its gang members by
kin, a known association or co-ownership of a company, while the case ran.
REC-001 (recusal): on any case, an official tied the same way to any party
(suspect, gang member, victim, complainant) — who should have stepped aside.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from graph.schema import CASE_OFFICIAL_ROLES, CASE_PARTY_ROLES
from lang.message import N_, Msg, kin, period, word
from queries.context import Context
from queries.findings import Finding, clip, node, rel
from queries.frames import OPEN_END, OPEN_START, overlaps
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


TEXT = {
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
    "more": N_(("{n} more tied party is not shown.", "{n} more tied parties are not shown.")),
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
    """The fields of a ``tie_*`` template for one tied (official, party) row."""
    return {"official": ctx.ent(official), "party": ctx.ent(m["party"]),
            "kin": kin(str(m["how"]).split(">")), "party_role": word("case_role", m["party_role"]),
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


def _case_findings(ctx: Context, hits: pd.DataFrame, umbrella: bool) -> list[Finding]:
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
        fields = {"official": ctx.ent(official),
                  "official_role": word("case_role", str(first["official_role"])),
                  "case_kind": word("case_kind", str(first.get("kind") or "")),
                  "case": ctx.ent(case), "case_period": period(first["cs"], first["ce"]),
                  "outcome": word("outcome", outcome) if outcome else Msg(TEXT["not_recorded"]),
                  "cases": n_cases[official]}
        explanation = [Msg(TEXT["head"], fields)]
        for _, m in group.head(3).iterrows():
            evidence.append(tie_path(ctx, str(official), str(m["how"]), str(m["path"])))
            evidence.append(_role_step(ctx, str(m["party_role_id"]), str(m["party"]),
                                       str(case)))
            explanation.append(Msg(TEXT[tie_key(m)], tie_fields(ctx, official, m)))
        if len(group) > 3:
            explanation.append(Msg(TEXT["more"], n=len(group) - 3))
        if umbrella:
            why = "why_umb" + ("_outcome" if outcome in ("dropped", "acquitted") else "") + (
                "_repeat" if n_cases[official] > 1 else "")
            title = "title_umb"
        else:
            why, title = "why_rec", "title_rec"
        explanation.append(Msg(TEXT[why], fields))
        out.append(Finding(clip(score), Msg(TEXT[title], {**fields,
                                                           "official": ctx.name(official)}),
                           [str(official), str(case), *parties], evidence, explanation,
                           date=str(first["opened_date"] or "")))
    return out


@rule("UMB-001", "umbrella", "Official acting on an organized-crime case is tied to its gang")
def umbrella_official(ctx: Context) -> list[Finding]:
    """Investigators, prosecutors, judges or approvers tied to the gang of their case."""
    hits = tied_case_officials(ctx, list(ctx.settings["gang_roles"]), ["organized_crime"])
    return _case_findings(ctx, hits, True)


@rule("REC-001", "recusal", "Case official tied to a party of the same case")
def tied_case_official(ctx: Context) -> list[Finding]:
    """Any case: an official acting on it tied to one of its parties."""
    hits = tied_case_officials(ctx, list(CASE_PARTY_ROLES), None)
    return _case_findings(ctx, hits, False)
