"""The UMB and REC rules and the recusal question as pandas joins: the slow, obvious
reference the SQL of :mod:`queries.rules.cases` and :mod:`queries.recusal` is checked
against (``tests/queries/test_cases_reference.py``).

This is the implementation the rules had before they ran on the columnar engine:
whole frames (:meth:`queries.frames.Frames.rel`), kin chains and ties from
:mod:`queries.kin` (through :meth:`queries.context.Context.ties`), merges, a stable
sort and "the first row" of each group. Texts come from the product's modules, so
only the matching and the choices of rows are compared.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from graph.schema import CASE_OFFICIAL_ROLES, CASE_PARTY_ROLES
from lang.message import Msg, names, period, render, word
from queries.findings import Finding, clip, node, rel
from queries.frames import OPEN_END, OPEN_START, Frames, overlaps
from queries.recusal import TEXT as RECUSAL_TEXT
from queries.recusal import RecusalLine
from queries.rules.cases import TEXT, tie_fields, tie_key
from queries.settings import load_settings
from tests.queries.reference.context import RefContext as Context

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
    """(official, case, party) with a tie in force at some time while the case ran."""
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
        steps += [rel(f, r, type_), node(f, nxt, "person")]
    return steps


def _role_step(ctx: Context, role_id: str, person: str, case: str) -> list[dict[str, Any]]:
    f = ctx.frames
    r = f.rel_row("CASE_ROLE", role_id)
    return [node(f, person, "person"), rel(f, r, "CASE_ROLE"), node(f, case, "case")]


def case_findings(ctx: Context, hits: pd.DataFrame, umbrella: bool) -> list[Finding]:
    """One finding per (official, case) of ``hits``."""
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
        evidence = [_role_step(ctx, str(first["off_role_id"]), official, case)]
        fields = {"official": ctx.ent(official),
                  "official_role": word("case_role", str(first["official_role"])),
                  "case_kind": word("case_kind", str(first.get("kind") or "")),
                  "case": ctx.ent(case), "case_period": period(first["cs"], first["ce"]),
                  "outcome": word("outcome", outcome) if outcome else Msg(TEXT["not_recorded"]),
                  "cases": n_cases[official]}
        explanation = [Msg(TEXT["head"], fields)]
        for _, m in group.head(3).iterrows():
            evidence.append(tie_path(ctx, official, str(m["how"]), str(m["path"])))
            evidence.append(_role_step(ctx, str(m["party_role_id"]), str(m["party"]), case))
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
                           [official, case, *parties], evidence, explanation,
                           date=str(first["opened_date"] or "")))
    return out


def umbrella_official(ctx: Context) -> list[Finding]:
    """UMB-001 (``ctx.settings`` are the rule's)."""
    hits = tied_case_officials(ctx, list(ctx.settings["gang_roles"]), ["organized_crime"])
    return case_findings(ctx, hits, True)


def tied_case_official(ctx: Context) -> list[Finding]:
    """REC-001 (``ctx.settings`` are the rule's)."""
    hits = tied_case_officials(ctx, list(CASE_PARTY_ROLES), None)
    return case_findings(ctx, hits, False)


#: Rule code -> (reference function, category).
RULES = {"UMB-001": (umbrella_official, "umbrella"), "REC-001": (tied_case_official, "recusal")}


def findings(frames: Frames, code: str, settings: dict[str, Any]) -> list[Finding]:
    """The reference findings of ``code`` with ``settings``, stamped as a scan stamps them."""
    fn, category = RULES[code]
    found = fn(Context(frames, dict(settings)))
    for f in found:
        f.rule, f.category = code, category
    return found


def recusals(frames: Frames, case: str, max_kin_hops: int | None = None) -> list[RecusalLine]:
    """The officials tied to a party of ``case`` (key), those acting on it first."""
    settings = load_settings().rule("REC-001")
    if max_kin_hops is not None:
        settings["max_kin_hops"] = max_kin_hops
    ctx = Context(frames, settings)
    cases = case_table(ctx)
    row = cases[cases["case"] == case]
    if row.empty:
        return []
    cs, ce = row.iloc[0]["cs"], row.iloc[0]["ce"]
    roles = frames.rel("CASE_ROLE")
    roles = roles[roles["dst"] == case]
    parties = roles[roles["role"].isin(CASE_PARTY_ROLES)]
    acting = roles[roles["role"].isin(CASE_OFFICIAL_ROLES)]
    posts = frames.rel("HOLDS_POST")
    posts = posts[overlaps(posts["s"], posts["e"], cs, ce)]
    officials = set(posts["src"]) | set(acting["src"])
    ties = ctx.ties(int(settings["max_kin_hops"]), officials)
    ties = ties[ties["b"].isin(set(parties["src"]))]
    ties = ties[overlaps(ties["s"], ties["e"], cs, ce)].sort_values(["hops", "path"])
    act = dict(zip(acting["src"], acting["role"], strict=False))
    prole = dict(zip(parties["src"], parties["role"], strict=False))
    lines: list[RecusalLine] = []
    text = RECUSAL_TEXT
    for _, t in ties.drop_duplicates(["a", "b"]).iterrows():
        held = posts[posts["src"] == t["a"]]
        post_text = render(Msg("{posts}", {"posts": names([Msg(text["post"], {
            "title": p.get("title") or Msg(text["in_post"]), "org": ctx.ent(p["dst"]),
            "post_period": period(p["s"], p["e"])}) for _, p in held.iterrows()], None,
            text["post_sep"])}))
        how = str(t["how"]) if t["how"] in ("associate", "co_owner") else (
            "kin1" if int(t["hops"]) == 1 else "kin")
        lines.append(RecusalLine(
            t["a"], act.get(t["a"], ""), post_text, t["b"], prole[t["b"]],
            render(Msg(text[how], {"kin": ctx.kinship(t["a"], str(t["how"]), str(t["path"]),
                                                      back=True),
                                   "party_role": word("case_role", prole[t["b"]]),
                                   "tie_period": period(t["s"], t["e"])})),
            tie_path(ctx, t["a"], t["how"], t["path"])))
    lines.sort(key=lambda x: (x.acting_role == "", frames.names.get(x.official, "")))
    return lines
