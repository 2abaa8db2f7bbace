"""Who must step aside from a case, and why (the cross-jurisdiction assignment check).

Everyone who holds a post while the case runs, or acts on it, and is tied to
one of its parties by kin (within k ties), a known association or a shared
company, with the tie in force at some time while the case ran.

The ties are the rules' own (the shared ``ties`` intermediate of
:mod:`queries.shared`, read on the columnar engine, as UMB-001 and REC-001 read
them); the question runs the same over the whole graph and over a case's
neighbourhood (:func:`recusals_from_store`, a :class:`~queries.local.LocalView`
the engine reads through its frames).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.schema import CASE_OFFICIAL_ROLES, CASE_PARTY_ROLES
from graph.store import StoreView
from lang.core import N_
from lang.message import Msg, Template, names, period, render, word
from queries.context import Context
from queries.frames import Frames
from queries.rules.cases import prefetch_ties, tie_path, tie_type
from queries.settings import load_settings

TEXT: dict[str, Template] = {
    "post": N_("{title} at {org} ({post_period})"),
    "in_post": N_("post"),
    "post_sep": N_("; "),
    "kin1": N_("the {kin} of the {party_role} (tie {tie_period})"),
    "kin": N_("kin ({kin}) of the {party_role} (tie {tie_period})"),
    "associate": N_("a known associate of the {party_role} (tie {tie_period})"),
    "co_owner": N_("co-owner of a company with the {party_role} (tie {tie_period})"),
}

#: The case's period ``[cs, ce]`` (open ends filled).
CASE = """
    SELECT coalesce(opened_date, '0000-01-01') AS cs, coalesce(closed_date, '9999-12-31') AS ce
    FROM ent_case WHERE key = $case"""

#: The case's roles, in record order.
ROLES = "SELECT src, role FROM rel_CASE_ROLE WHERE dst = $case ORDER BY id"

#: Officials (in a post that overlaps the case, or acting on it as one of
#: $official_roles) tied to a party of the case (one of $party_roles) by kin within
#: $max_kin_hops ties, association or co-ownership, the tie in force at some time in
#: ``[$cs, $ce]``: the first tie of each (official, party) by (hops, path).
TIED = """
    WITH roles AS (SELECT src, role FROM rel_CASE_ROLE WHERE dst = $case),
    officials AS (
        SELECT src AS official FROM rel_HOLDS_POST WHERE s <= $ce AND $cs <= e
        UNION SELECT src FROM roles WHERE list_contains($official_roles, role))
    SELECT t.a AS official, t.b AS party, t.s, t.e, t.hops, t.path, t.how
    FROM ties t
    WHERE t.a IN (SELECT official FROM officials)
      AND t.b IN (SELECT src FROM roles WHERE list_contains($party_roles, role))
      AND t.hops <= $max_kin_hops AND t.s <= $ce AND $cs <= t.e
    QUALIFY row_number() OVER (PARTITION BY t.a, t.b ORDER BY t.hops, t.path) = 1
    ORDER BY t.hops, t.path, t.a"""

#: The posts of $officials that overlap ``[$cs, $ce]``, in record order.
POSTS = """
    SELECT id, src, dst, title, s, e FROM rel_HOLDS_POST
    WHERE list_contains($officials, src) AND s <= $ce AND $cs <= e
    ORDER BY id"""


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
    """The officials tied to a party of ``case`` (key), those acting on it first.

    Kin chains are the engine's, computed once per frames: frames whose chains already
    stop short of ``max_kin_hops`` ties are refused (:class:`ValueError`).
    """
    settings = load_settings().rule("REC-001")
    if max_kin_hops is not None:
        settings["max_kin_hops"] = max_kin_hops
    hops = int(settings["max_kin_hops"])
    ctx = Context(frames, settings, overrides={"REC-001": {"max_kin_hops": hops}})
    engine = frames.engine
    engine.params.setdefault("chain_hops", ctx.chain_hops())
    if int(engine.params["chain_hops"]) < hops:
        raise ValueError(f"these frames follow kin chains to {engine.params['chain_hops']} "
                         f"ties, not {hops}: ask fresh frames")
    period_row = engine.rows(CASE, {"case": case})
    if not period_row:
        return []
    cs, ce = period_row[0]["cs"], period_row[0]["ce"]
    roles = engine.rows(ROLES, {"case": case})
    act = {r["src"]: r["role"] for r in roles if r["role"] in CASE_OFFICIAL_ROLES}
    prole = {r["src"]: r["role"] for r in roles if r["role"] in CASE_PARTY_ROLES}
    ties = engine.rows(TIED, {"case": case, "cs": cs, "ce": ce, "max_kin_hops": hops,
                              "official_roles": list(CASE_OFFICIAL_ROLES),
                              "party_roles": list(CASE_PARTY_ROLES)})
    officials = list(dict.fromkeys(t["official"] for t in ties))
    held: dict[str, list[dict[str, Any]]] = {}
    for p in engine.rows(POSTS, {"officials": officials, "cs": cs, "ce": ce}) if ties else []:
        held.setdefault(p["src"], []).append(p)
    prefetch_ties(ctx, ties, [*officials, *(p["dst"] for ps in held.values() for p in ps)])
    # the whole-graph frame order among equal (hops, path): a tie read from its record's
    # first person before the same tie read from the other end
    ties.sort(key=lambda t: (t["hops"], t["path"], _from_end(frames, t)))
    lines: list[RecusalLine] = []
    for t in ties:
        post_text = render(Msg("{posts}", {"posts": names([Msg(TEXT["post"], {
            "title": p.get("title") or Msg(TEXT["in_post"]), "org": ctx.ent(p["dst"]),
            "post_period": period(p["s"], p["e"])}) for p in held.get(t["official"], [])],
            None, TEXT["post_sep"])}))
        how = str(t["how"]) if t["how"] in ("associate", "co_owner") else (
            "kin1" if int(t["hops"]) == 1 else "kin")
        lines.append(RecusalLine(
            t["official"], act.get(t["official"], ""), post_text, t["party"],
            prole[t["party"]],
            render(Msg(TEXT[how], {"kin": ctx.kinship(t["official"], str(t["how"]),
                                                      str(t["path"]), back=True),
                                   "party_role": word("case_role", prole[t["party"]]),
                                   "tie_period": period(t["s"], t["e"])})),
            tie_path(ctx, t["official"], t["how"], t["path"])))
    lines.sort(key=lambda x: (x.acting_role == "", frames.names.get(x.official, "")))
    return lines


def _from_end(frames: Frames, tie: dict[str, Any]) -> bool:
    """Whether a tie starts from the second person of its first record."""
    first = str(tie["path"]).split(">")[0]
    return bool(frames.rel_row(tie_type(str(tie["how"])), first)["src"] != tie["official"])
