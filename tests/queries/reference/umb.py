"""UMB-002, UMB-003 and UMB-004 as plain loops over the frames: the slow, obvious
reference the SQL of :mod:`queries.rules.umb` and :mod:`queries.rules.umb_rate` is
checked against (``tests/queries/test_umb_reference.py``).

Each function returns, per official flagged, what decides the finding: the cases or
items it covers and the facts that set its score (the strongest tie, whether a tie or a
member's own role lies behind it, the counts of the rate test).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from graph.schema import CASE_OFFICIAL_ROLES, TENDER_CLOSED
from queries.frames import OPEN_END, OPEN_START, Frames
from queries.rules.umb import DECIDED, FAVOURABLE
from queries.rules.umb_rate import disparity
from tests.queries.reference.context import RefContext


def _records(frames: Frames, type_: str) -> list[dict[str, Any]]:
    return list(frames.rel(type_).to_dict("records"))


def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value).strip().lower()


def _cases(frames: Frames) -> dict[str, dict[str, Any]]:
    out = {}
    for c in frames.ents("case").to_dict("records"):
        opened, closed = c.get("opened_date"), c.get("closed_date")
        out[c["key"]] = {"kind": _text(c.get("kind")), "outcome": _text(c.get("outcome")),
                         "cs": opened if isinstance(opened, str) and opened else OPEN_START,
                         "ce": closed if isinstance(closed, str) and closed else OPEN_END}
    return out


def _overlap(s1: str, e1: str, s2: str, e2: str) -> bool:
    return s1 <= e2 and s2 <= e1


@dataclass
class Circle:
    """Gang members (person -> their gang cases) and the circle's links: (party, member,
    start, end, rank) with rank 0 the member himself, 1 kin, 2 an associate."""

    gang: dict[str, set[str]]
    links: list[tuple[str, str, str, str, int]]


def circle(frames: Frames, gang_roles: list[str], associates: bool) -> Circle:
    """The gang members and their circle, read the obvious way."""
    cases = _cases(frames)
    gang: dict[str, set[str]] = defaultdict(set)
    for r in _records(frames, "CASE_ROLE"):
        if (r["role"] in gang_roles and cases[r["dst"]]["kind"] == "organized_crime"
                and str(r["src"]).startswith("p:")):
            gang[r["src"]].add(r["dst"])
    links = [(m, m, OPEN_START, OPEN_END, 0) for m in gang]
    for type_, rank in (("KIN", 1), ("ASSOCIATE", 2)):
        if type_ == "ASSOCIATE" and not associates:
            continue
        for r in _records(frames, type_):
            for a, b in ((r["src"], r["dst"]), (r["dst"], r["src"])):
                if a in gang:
                    links.append((b, a, r["s"], r["e"], rank))
    return Circle(dict(gang), links)


def _ties(ctx: RefContext, hops: int) -> dict[tuple[str, str], list[tuple[str, str, int]]]:
    """(a, b) -> every tie (start, end, strength rank) within ``hops`` kin ties."""
    out: dict[tuple[str, str], list[tuple[str, str, int]]] = defaultdict(list)
    for t in ctx.ties(hops).to_dict("records"):
        if t["how"] in ("associate", "co_owner"):
            rank = 2
        else:
            rank = 0 if int(t["hops"]) == 1 and t["how"] != "in_law" else 1
        out[(t["a"], t["b"])].append((t["s"], t["e"], rank))
    return out


def umb_002(ctx: RefContext, st: dict[str, Any]) -> dict[str, tuple[list[str], int]]:
    """Official -> (the favourable cases of the gang's circle, strongest tie rank)."""
    frames = ctx.frames
    cases = _cases(frames)
    c = circle(frames, list(st["gang_roles"]), True)
    ties = _ties(ctx, int(st["max_kin_hops"]))
    roles = _records(frames, "CASE_ROLE")
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for o in roles:
        case = cases[o["dst"]]
        if o["role"] not in CASE_OFFICIAL_ROLES or case["outcome"] not in FAVOURABLE:
            continue
        for p in roles:
            if p["dst"] != o["dst"] or p["role"] not in st["party_roles"] or p["src"] == o["src"]:
                continue
            for party, member, ls, le, _ in c.links:
                if (party != p["src"] or member == o["src"] or o["dst"] in c.gang[member]
                        or not _overlap(ls, le, case["cs"], case["ce"])):
                    continue
                # the official is tied to the member or to another member of his gang
                gang = [m for m, of in c.gang.items() if of & c.gang[member] and m != o["src"]]
                for tied in gang:
                    for s, e, rank in ties.get((o["src"], tied), []):
                        if _overlap(s, e, case["cs"], case["ce"]):
                            best = found[o["src"]].get(o["dst"], 3)
                            found[o["src"]][o["dst"]] = min(best, rank)
    return {off: (sorted(cs), min(cs.values())) for off, cs in found.items()}


def umb_003(ctx: RefContext, st: dict[str, Any]) -> dict[str, tuple[list[str], bool, bool]]:
    """Official -> (the contracts and payments for the gang's companies, whether a tie to a
    member of the gang lies behind one, whether a member himself holds a role in one)."""
    frames = ctx.frames
    c = circle(frames, list(st["gang_roles"]), False)
    ties = _ties(ctx, int(st["max_kin_hops"]))
    status = {k["key"]: _text(k.get("tender_status"))
              for k in frames.ents("contract").to_dict("records")}
    deals = []
    for ap in _records(frames, "APPROVED"):
        for type_ in ("AWARDED_TO", "PAID_TO"):
            for d in _records(frames, type_):
                if d["src"] != ap["dst"] or d["s"] == OPEN_START:
                    continue
                if type_ == "AWARDED_TO" and status.get(d["src"], "") in TENDER_CLOSED:
                    continue
                if type_ == "PAID_TO" and not str(d["dst"]).startswith("o:"):
                    continue
                deals.append((ap["src"], d["src"], d["dst"], d["s"]))
    found: dict[str, dict[str, tuple[bool, bool]]] = defaultdict(dict)
    for official, item, company, day in deals:
        for r in _records(frames, "COMPANY_ROLE"):
            if r["dst"] != company or r["role"] not in st["roles"] or not r["s"] <= day <= r["e"]:
                continue
            for party, member, ls, le, rank in c.links:
                if party != r["src"] or not ls <= day <= le:
                    continue
                # the official is tied to the member or to another member of his gang
                gang = [m for m, of in c.gang.items() if of & c.gang[member] and m != official]
                tied = any(s <= day <= e for m in gang for s, e, _ in ties.get((official, m), []))
                was = found[official].get(item, (False, False))
                found[official][item] = (was[0] or tied, was[1] or rank == 0)
    return {off: (sorted(items), any(t for t, _ in items.values()),
                  any(s for _, s in items.values())) for off, items in found.items()}


def umb_004(ctx: RefContext, st: dict[str, Any]
            ) -> dict[str, tuple[int, int, tuple[int, int], tuple[int, int]]]:
    """Official -> (favourable, gang-linked cases without a known tie, own other cases
    (favourable, all), peers' gang-linked cases (favourable, all)) for officials flagged."""
    frames = ctx.frames
    c = circle(frames, list(st["gang_roles"]), True)
    gang_cases = {k for of in c.gang.values() for k in of}  # UMB-001's, left out
    cases = {k: v for k, v in _cases(frames).items()
             if v["outcome"] in DECIDED and k not in gang_cases}
    ties = _ties(ctx, int(st["max_kin_hops"]))
    roles = [r for r in _records(frames, "CASE_ROLE") if r["dst"] in cases]
    handled: dict[str, set[str]] = defaultdict(set)
    for r in roles:
        if r["role"] in CASE_OFFICIAL_ROLES:
            handled[r["src"]].add(r["dst"])
    members: dict[str, set[str]] = defaultdict(set)  # case -> members its parties link to
    for p in roles:
        if p["role"] not in st["party_roles"]:
            continue
        case = cases[p["dst"]]
        for party, member, ls, le, _ in c.links:
            if (party == p["src"] and p["dst"] not in c.gang[member]
                    and _overlap(ls, le, case["cs"], case["ce"])):
                members[p["dst"]].add(member)
    fav = {k: int(v["outcome"] in FAVOURABLE) for k, v in cases.items()}
    linked = {k for k in members if any(k in h for h in handled.values())}

    def tied(k: str) -> bool:
        """An official acting on case k is tied to a member of a linked member's gang."""
        gang = {(m, m2) for m in members[k] for m2, of in c.gang.items() if of & c.gang[m]}
        return any(_overlap(s, e, cases[k]["cs"], cases[k]["ce"])
                   for official, mine in handled.items() if k in mine
                   for m, m2 in gang if official not in (m, m2)
                   for s, e, _ in ties.get((official, m2), []))

    untied = {k for k in linked if not tied(k)}
    # the gang a member's link stands for: his first gang case, as the SQL keeps it
    gangs = {k: {min(c.gang[m]) for m in ms} for k, ms in members.items()}
    out = {}
    for official, mine in handled.items():
        other = mine - linked
        own = (sum(fav[k] for k in other), len(other))
        best: tuple[float, tuple[int, int, tuple[int, int], tuple[int, int]]] | None = None
        for gang in sorted({g for k in mine & untied for g in gangs[k]}):
            lk = {k for k in mine & untied if gang in gangs[k]}
            peers = {k for k in untied - mine if gang in gangs[k]}
            peer = (sum(fav[k] for k in peers), len(peers))
            hits = sum(fav[k] for k in lk)
            ps = disparity(hits, len(lk), [own, peer], st)
            if ps is not None and (best is None or min(ps) < best[0]):
                best = (min(ps), (hits, len(lk), own, peer))
        if best is not None:
            out[official] = best[1]
    return out
