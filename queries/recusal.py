"""Who must step aside from a case, and why (the cross-jurisdiction assignment check).

Everyone who holds a post while the case runs, or acts on it, and is tied to
one of its parties by kin (within k ties), a known association or a shared
company, with the tie in force at some time while the case ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.schema import CASE_OFFICIAL_ROLES, CASE_PARTY_ROLES
from graph.store import StoreView
from lang.message import N_, Msg, kin, period, render, word
from queries.context import Context
from queries.frames import Frames, overlaps
from queries.rules.cases import case_table, tie_path
from queries.settings import load_settings

TEXT = {
    "post": N_("{title} at {org} ({post_period})"),
    "in_post": N_("post"),
    "kin1": N_("the {kin} of the {party_role} (tie {tie_period})"),
    "kin": N_("kin ({kin}) of the {party_role} (tie {tie_period})"),
    "associate": N_("a known associate of the {party_role} (tie {tie_period})"),
    "co_owner": N_("co-owner of a company with the {party_role} (tie {tie_period})"),
}


@dataclass
class RecusalLine:
    """One person who should not handle the case."""

    official: str
    acting_role: str
    posts: str
    party: str
    party_role: str
    tie: str
    evidence: list[dict[str, Any]]


def recusals_from_store(view: StoreView, case: str, max_kin_hops: int | None = None
                        ) -> tuple[list[RecusalLine], Frames]:
    """:func:`recusals` on the neighbourhood of ``case`` only, read from the store a few
    ties at a time (:func:`queries.local.case_neighbourhood`): the same lines, without
    reading the whole graph. Returns the lines and the frames they refer to."""
    from queries.local import case_neighbourhood

    hops = max_kin_hops if max_kin_hops is not None else int(
        load_settings().rule("REC-001")["max_kin_hops"])
    frames = Frames(case_neighbourhood(view, case, hops))
    return recusals(frames, case, hops), frames


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
    for _, t in ties.drop_duplicates(["a", "b"]).iterrows():
        held = posts[posts["src"] == t["a"]]
        post_text = "; ".join(render(Msg(TEXT["post"], {
            "title": p.get("title") or Msg(TEXT["in_post"]), "org": ctx.ent(p["dst"]),
            "post_period": period(p["s"], p["e"])})) for _, p in held.iterrows())
        how = str(t["how"]) if t["how"] in ("associate", "co_owner") else (
            "kin1" if int(t["hops"]) == 1 else "kin")
        lines.append(RecusalLine(
            t["a"], act.get(t["a"], ""), post_text, t["b"], prole[t["b"]],
            render(Msg(TEXT[how], {"kin": kin(str(t["how"]).split(">")),
                                   "party_role": word("case_role", prole[t["b"]]),
                                   "tie_period": period(t["s"], t["e"])})),
            tie_path(ctx, t["a"], t["how"], t["path"])))
    lines.sort(key=lambda x: (x.acting_role == "", frames.names.get(x.official, "")))
    return lines
