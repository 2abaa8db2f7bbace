"""The COL rules as they were before the columnar engine: pandas joins over whole frames.

A slow, obvious reference the engine's rules (:mod:`queries.rules.col`) are checked
against (``tests/queries/test_col_engine.py``): the same findings, to the byte. The
texts, the contract sentence, the bid path and the phone and address normalisation
are the module's own (they are not what is being checked).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
import pandas as pd

from graph.matching import company_key, is_coarse_address
from graph.schema import COMPANY_ROLES
from lang.message import Msg, date, dates, money, names, period, word
from queries.findings import Finding, clip, node, rel
from queries.frames import OPEN_START, Frames, in_force, overlaps
from queries.rules.col import (
    CONTROL_ROLES,
    TEXT,
    _bid_path,
    _contract_words,
    _mode,
    _rotation_note,
    _support_evidence,
    _support_words,
    controller_evidence,
    controller_words,
    normalise_address,
    normalise_phone,
)
from queries.rules.common import RowLookup
from queries.rules.rotation import Support, support_score
from queries.settings import SettingsError
from tests.queries.reference.context import RefContext as Context
from tests.queries.reference.rotation import supports as ref_supports

CONTRACT_COLUMNS = ["contract", "title", "method", "sector", "date", "amount", "supplier",
                    "award_id", "buyer", "bought_id", "currency", "tenderers", "closed"]
#: Tender statuses of a procurement that did not go ahead.
CLOSED = ("cancelled", "unsuccessful", "withdrawn")
#: Bid statuses of a bid received and still competing.
COMPETING = ("valid", "pending")


def contracts(ctx: Context) -> pd.DataFrame:
    """One row per contract (columns :data:`CONTRACT_COLUMNS`); ``date`` = award date or ""."""
    key = ("col.contracts",)
    if key not in ctx._cache:
        ctx._cache[key] = _contracts(ctx.frames)
    return ctx._cache[key]


def _contracts(f: Frames) -> pd.DataFrame:
    c = f.ents("contract").rename(columns={"key": "contract"})
    for col in ("title", "method", "sector", "award_date", "amount", "currency",
                "number_of_tenderers", "tender_status"):
        if col not in c.columns:
            c[col] = None
    c = c.assign(closed=c["tender_status"].astype("string").fillna("").str.strip().str.lower()
                 .isin(CLOSED).astype(bool),
                 tenderers=c["number_of_tenderers"].astype("Float64"))
    c = c[["contract", "title", "method", "sector", "award_date", "amount", "currency",
           "tenderers", "closed"]]
    aw = f.rel("AWARDED_TO")[["id", "src", "dst", "s"]].rename(
        columns={"id": "award_id", "src": "contract", "dst": "supplier", "s": "award_s"})
    bo = f.rel("BOUGHT")[["id", "src", "dst"]].rename(
        columns={"id": "bought_id", "src": "buyer", "dst": "contract"})
    out = c.merge(aw.drop_duplicates("contract"), on="contract", how="left")
    out = out.merge(bo.drop_duplicates("contract"), on="contract", how="left")
    award_s = out["award_s"].where(out["award_s"] != OPEN_START)
    out["date"] = out["award_date"].fillna(award_s).fillna("").astype(str)
    return out[CONTRACT_COLUMNS].reset_index(drop=True)


def bids(ctx: Context) -> pd.DataFrame:
    """Bid records: ``bid_id``, ``firm``, ``contract``, ``amount``, ``status`` (blank = valid)."""
    key = ("col.bids",)
    if key not in ctx._cache:
        rel = ctx.frames.rel("BID")
        if "currency" not in rel.columns:
            rel = rel.assign(currency=None)
        b = rel[["id", "src", "dst", "amount", "status", "currency"]].rename(
            columns={"id": "bid_id", "src": "firm", "dst": "contract"})
        status = b["status"].astype("string").fillna("").str.strip()
        b = b.assign(status=status.where(status != "", "valid").astype(str),
                     currency=b["currency"].astype("string").fillna("").astype(str))
        closed = set(_contracts(ctx.frames).query("closed")["contract"])
        b = b[~b["contract"].isin(closed)]
        ctx._cache[key] = b.sort_values(["contract", "firm", "bid_id"]).reset_index(drop=True)
    return ctx._cache[key]


def co_bidders(ctx: Context) -> pd.DataFrame:
    """Pairs of different firms that bid (any status) on the same contract: ``a`` < ``b``."""
    key = ("col.pairs",)
    if key not in ctx._cache:
        bb = bids(ctx)[["contract", "firm"]].drop_duplicates()
        p = bb.merge(bb, on="contract", suffixes=("_a", "_b"))
        p = p[p["firm_a"] < p["firm_b"]].rename(columns={"firm_a": "a", "firm_b": "b"})
        ctx._cache[key] = p.reset_index(drop=True)
    return ctx._cache[key]



# -- COL-001 ------------------------------------------------------------------------------

def shared_links(ctx: Context) -> pd.DataFrame:
    """(contract, a, b, link, value, rec_a, rec_b) for co-bidders linked on that contract.

    ``link`` is ``phone`` or ``address`` (``value`` the normalised text, the
    records empty) or a company role (``value`` the holder's key, ``rec_a``/``rec_b``
    the role records, both in force on the award date; with no award date the
    two roles need only overlap in time).
    """
    f = ctx.frames
    links = list(ctx.settings["links"])
    unknown = [x for x in links if x not in ("phone", "address", *COMPANY_ROLES)]
    if unknown:
        known = ", ".join(COMPANY_ROLES)
        raise SettingsError(f"[COL-001]: links {unknown} unknown",
                            hint=f"use phone, address or a company role: {known}")
    pairs = co_bidders(ctx).merge(contracts(ctx)[["contract", "date"]], on="contract",
                                  how="left")
    pairs["date"] = pairs["date"].fillna("")
    out: list[pd.DataFrame] = []
    orgs = f.ents("organization")
    for link, norm in (("phone", normalise_phone), ("address", normalise_address)):
        if link not in links or link not in orgs.columns:
            continue
        v = pd.DataFrame({"firm": orgs["key"], "v": norm(orgs[link]), "raw": orgs[link]})
        v = v[v["v"] != ""]
        if link == "address":  # only a country, a region or a postcode: links nobody
            v = v[v["raw"].map(lambda x: not is_coarse_address(x)).astype(bool)]
        most = int(ctx.settings.get("max_sharing", 0))
        if most:  # shared by more organizations (bidding or not) than allowed: links nobody
            sharing = orgs.assign(v=norm(orgs[link])).groupby("v")["key"].nunique()
            v = v[v["v"].map(sharing) <= most]
        v = v[["firm", "v"]]
        m = pairs.merge(v.rename(columns={"firm": "a", "v": "va"}), on="a")
        m = m.merge(v.rename(columns={"firm": "b", "v": "vb"}), on="b")
        m = m[m["va"] == m["vb"]]
        out.append(pd.DataFrame({"contract": m["contract"], "a": m["a"], "b": m["b"],
                                 "link": link, "value": m["va"], "rec_a": "", "rec_b": ""}))
    roles = f.rel("COMPANY_ROLE")
    for link in [x for x in links if x in COMPANY_ROLES]:
        r = roles[roles["role"] == link][["id", "src", "dst", "s", "e"]]
        ra = r.rename(columns={"id": "rec_a", "src": "holder", "dst": "a", "s": "s_a",
                               "e": "e_a"})
        rb = r.rename(columns={"id": "rec_b", "src": "holder", "dst": "b", "s": "s_b",
                               "e": "e_b"})
        m = pairs.merge(ra, on="a").merge(rb, on=["b", "holder"])
        dated = m["date"] != ""
        held = in_force(m["s_a"], m["e_a"], m["date"]) & in_force(m["s_b"], m["e_b"], m["date"])
        both = overlaps(m["s_a"], m["e_a"], m["s_b"], m["e_b"])
        m = m[(dated & held) | (~dated & both)]
        out.append(pd.DataFrame({"contract": m["contract"], "a": m["a"], "b": m["b"],
                                 "link": link, "value": m["holder"], "rec_a": m["rec_a"],
                                 "rec_b": m["rec_b"]}))
    out = [o for o in out if not o.empty]
    if not out:
        return pd.DataFrame(columns=["contract", "a", "b", "link", "value", "rec_a", "rec_b"])
    return pd.concat(out, ignore_index=True).sort_values(
        ["a", "b", "contract", "link", "value", "rec_a", "rec_b"]).reset_index(drop=True)


def _link_words(ctx: Context, rows: RowLookup, link: str, g: pd.DataFrame, a: str,
                b: str) -> list[Msg]:
    f = ctx.frames
    names_ab = {"a_name": ctx.name(a), "b_name": ctx.name(b), "link": word("link", link)}
    if link in ("phone", "address"):
        raw = f.prop("organization", link)
        return [Msg(TEXT["share_contact"], {**names_ab, "a_value": raw.get(a, ""),
                                            "b_value": raw.get(b, "")})]
    parts = []
    for holder, h in g.groupby("value", sort=True):
        ra, rb = rows("COMPANY_ROLE", h.iloc[0]["rec_a"]), rows("COMPANY_ROLE", h.iloc[0]["rec_b"])
        parts.append(Msg(TEXT["share_role"], {
            **names_ab, "holder": ctx.ent(str(holder)), "role": word("company_role", link),
            "a_period": period(ra["s"], ra["e"]), "b_period": period(rb["s"], rb["e"])}))
    return parts


def _pair_finding(ctx: Context, rows: RowLookup, a: str, b: str, g: pd.DataFrame,
                  ks: pd.DataFrame, bid_of: dict[tuple[str, str], str]) -> Finding:
    f, st = ctx.frames, ctx.settings
    kc = ks[ks["contract"].isin(set(g["contract"]))].sort_values(["date", "contract"])
    cids = kc["contract"].tolist()
    holders = sorted(set(g.loc[g["link"].isin(COMPANY_ROLES), "value"]))
    kinds = list(dict.fromkeys(x for x in ctx.settings["links"] if x in set(g["link"])))
    keys = [a, b, *cids, *holders]
    score = (st["base_score"] + st.get("link_bonus", 0.0) * (len(kinds) - 1)
             + st.get("repeat_bonus", 0.0) * (len(cids) - 1))
    score += ctx.report_bonus([a, b, *holders])
    evidence: list[list[dict[str, Any]]] = [
        _bid_path(f, rows, [bid_of[(a, c)], bid_of[(b, c)]], c) for c in cids]
    for link in kinds:
        lg = g[g["link"] == link]
        if link in ("phone", "address"):
            raw = f.prop("organization", link)
            evidence.append([{**node(f, x, "organization"), "shared": link, link: raw.get(x, "")}
                             for x in (a, b)])
            continue
        for _, r in lg.drop_duplicates(["rec_a", "rec_b"]).iterrows():
            ra, rb = rows("COMPANY_ROLE", r["rec_a"]), rows("COMPANY_ROLE", r["rec_b"])
            holder_kind = "organization" if str(r["value"]).startswith("o:") else "person"
            evidence.append([node(f, a, "organization"), rel(f, ra, "COMPANY_ROLE"),
                             node(f, r["value"], holder_kind), rel(f, rb, "COMPANY_ROLE"),
                             node(f, b, "organization")])
    shared = [m for k in kinds for m in _link_words(ctx, rows, k, g[g["link"] == k], a, b)]
    timed = [k for k in kinds if k in COMPANY_ROLES]
    won = [k for _, k in kc.iterrows() if k["supplier"] in (a, b)]
    n = len(cids)
    fields = {"a": ctx.ent(a), "b": ctx.ent(b), "n": n,
              "contracts": names([_contract_words(ctx, k) for _, k in kc.iterrows()], None,
                                 TEXT["list_sep"]),
              "shared": names(shared, None, TEXT["list_sep"]), "won": len(won),
              "links": names([word("link", k) for k in timed], None, TEXT["and_sep"])}
    text = [Msg(TEXT["pair_bids"], fields), Msg(TEXT["pair_shares"], fields)]
    if timed:
        text.append(Msg(TEXT["pair_roles_in_force"], fields))
    text += [Msg(TEXT["pair_won" if won else "pair_not_won"], fields), Msg(TEXT["pair_why"])]
    title = Msg(TEXT["pair_title"], {
        "a": ctx.name(a), "b": ctx.name(b),
        "links": names([word("link", k) for k in kinds], None, TEXT["links_sep"])}, n=n)
    return Finding(clip(score), title, keys, evidence, text,
                   sector=_mode(kc["sector"].tolist()),
                   date=str(kc.iloc[0]["date"]) if n else "",
                   extra={"links": kinds, "contracts": f.source_ids(cids)})


def shared_contact(ctx: Context) -> list[Finding]:
    """One finding per pair of co-bidders, listing every contract where a link held."""
    links = shared_links(ctx)
    if links.empty:
        return []
    rows = ctx.frames.rel_row
    ks = contracts(ctx)
    ks = ks[ks["contract"].isin(set(links["contract"]))]
    firms = set(links["a"]) | set(links["b"])
    b = bids(ctx)
    b = b[b["firm"].isin(firms) & b["contract"].isin(set(ks["contract"]))]
    bid_of: dict[tuple[str, str], str] = {}
    for firm, contract, bid in zip(b["firm"], b["contract"], b["bid_id"], strict=True):
        bid_of.setdefault((firm, contract), bid)
    out = []
    for (a, bb), g in links.groupby(["a", "b"], sort=True):
        ka, kb = company_key(ctx.name(str(a))), company_key(ctx.name(str(bb)))
        if ctx.settings.get("name_match", True) and ka and ka == kb:
            continue  # one company written two ways: a match to review, not collusion
        out.append(_pair_finding(ctx, rows, str(a), str(bb), g, ks, bid_of))
    return out



# -- COL-002 ------------------------------------------------------------------------------

def rotating_groups(ctx: Context) -> pd.DataFrame:
    """(group, scope, firm) of candidate groups: maximal cliques of frequent co-bidders.

    Two firms are frequent co-bidders when they bid on the same ``min_contracts``
    contracts or more (of one buyer when ``same_buyer``); a group is a maximal
    clique of at least ``min_firms`` such firms.
    """
    st = ctx.settings
    need_k, need_n = int(st["min_contracts"]), int(st["min_firms"])
    pairs = co_bidders(ctx)
    if st.get("same_buyer", False):
        buyer = contracts(ctx)[["contract", "buyer"]]
        pairs = pairs.merge(buyer, on="contract", how="left")
        pairs["scope"] = pairs["buyer"].fillna("").astype(str)
    else:
        pairs = pairs.assign(scope="*")
    n = pairs.groupby(["scope", "a", "b"])["contract"].nunique().rename("n").reset_index()
    strong = n[n["n"] >= need_k]
    out: list[tuple[int, str, str]] = []
    gid = 0
    for scope, g in strong.groupby("scope", sort=True):
        graph: nx.Graph[str] = nx.Graph()
        graph.add_edges_from(zip(g["a"], g["b"], strict=True))
        cliques = sorted(sorted(c) for c in nx.find_cliques(graph) if len(c) >= need_n)
        for c in cliques:
            out += [(gid, str(scope), firm) for firm in c]
            gid += 1
    return pd.DataFrame(out, columns=["group", "scope", "firm"])


def rotation_contracts(ctx: Context) -> pd.DataFrame:
    """(group, contract, firms bidding, winner) where >= ``min_firms`` group members bid."""
    need_n = int(ctx.settings["min_firms"])
    groups = rotating_groups(ctx)
    ks = contracts(ctx)[["contract", "supplier", "buyer", "date"]]
    bb = bids(ctx)[["contract", "firm"]].drop_duplicates()
    m = groups.merge(bb, on="firm").merge(ks, on="contract", how="left")
    if ctx.settings.get("same_buyer", False):
        m = m[m["buyer"].fillna("") == m["scope"]]
    n = m.groupby(["group", "contract"])["firm"].transform("nunique")
    m = m[n >= need_n]
    member = m.groupby("group")["firm"].agg(set)
    m = m.assign(won=[isinstance(s, str) and s in member[g]
                      for g, s in zip(m["group"], m["supplier"], strict=True)])
    return m.sort_values(["group", "date", "contract", "firm"]).reset_index(drop=True)


def _ring_finding(ctx: Context, rows: RowLookup, members: list[str], g: pd.DataFrame,
                  ks: pd.DataFrame, bid_of: dict[tuple[str, str], str], s: Support) -> Finding:
    f, st = ctx.frames, ctx.settings
    kc = ks[ks["contract"].isin(set(g["contract"]))].sort_values(["date", "contract"])
    cids = kc["contract"].tolist()
    days = [d for d in kc["date"].tolist() if d]
    held = holders(ctx, members, days)
    keys = [*members, *cids, *dict.fromkeys(p for t in s.ties for p in (t["pa"], t["pb"])),
            *dict.fromkeys(str(r["src"]) for r in held)]
    score = st["base_score"] + support_score(st, s) + ctx.report_bonus(members)
    evidence: list[list[dict[str, Any]]] = []
    for _, k in kc.iterrows():
        c = k["contract"]
        bidders = sorted(set(g.loc[g["contract"] == c, "firm"]))
        for firm in bidders:
            evidence.append(_bid_path(f, rows, [bid_of[(firm, c)]], c))
        if isinstance(k["award_id"], str):
            evidence.append([node(f, c, "contract"), rel(f, rows("AWARDED_TO", k["award_id"]),
                                                          "AWARDED_TO"),
                             node(f, k["supplier"], "organization")])
    wins = Counter(s for s in kc["supplier"].tolist() if s in set(members))
    turns = [Msg(TEXT["turn"], {
        "contract": ctx.ent(k["contract"]),
        "date": date(k["date"]) if k["date"] else Msg(TEXT["unknown_date"]),
        "winner": ctx.name(k["supplier"]) if isinstance(k["supplier"], str)
        else Msg(TEXT["nobody"])}) for _, k in kc.iterrows()]
    buyers = [b for b in kc["buyer"].tolist() if isinstance(b, str)]
    fields = {"n": len(members), "members": names([ctx.ent(m) for m in members], None),
              "k": len(cids), "buyers": names([ctx.ent(b) for b in dict.fromkeys(buyers)], None),
              "span": dates(days[0], days[-1]) if days else "", "min": int(st["min_firms"]),
              "turns": names(turns, None, TEXT["list_sep"]),
              "tally": names([Msg(TEXT["tally"], {"firm": ctx.name(w), "n": n})
                              for w, n in sorted(wins.items())], None)}
    key = "ring_bids" + ("_buyers" if buyers else "") + ("_span" if days else "")
    evidence += _support_evidence(ctx, s) + controller_evidence(ctx, held)
    text = [Msg(TEXT[key], fields), Msg(TEXT["ring_wins"], fields),
            *_support_words(ctx, s, kc.to_dict("records")),
            *([controller_words(ctx, held)] if held else []), Msg(TEXT["ring_why"])]
    title = Msg(TEXT["ring_title"], {**fields, "members": names([ctx.name(m) for m in members],
                                                                None)})
    return Finding(clip(score), title, keys, evidence, text,
                   sector=_mode(kc["sector"].tolist()), date=days[0] if days else "",
                   extra={"contracts": f.source_ids(cids), "wins": {
                       "/".join(f.ids.get(w, [w])): n for w, n in sorted(wins.items())},
                       "corroboration": {
                           "shared_identifiers": len(s.links), "people_ties": len(s.ties),
                           "cover_bid_contracts": f.source_ids(s.covered),
                           "never_won": f.source_ids(s.losers), "market_firms": s.market,
                           "market_contracts": s.market_contracts,
                           "chance_meetings": round(s.expected, 6),
                           "chance": float(f"{s.chance:.3g}"),
                           "corroborated": s.corroborated}})


def holders(ctx: Context, firms: list[str], days: list[str]) -> list[dict[str, Any]]:
    """The controlling role records of ``firms`` in force between the first and the last
    of ``days`` (any time when none), by firm then holder: a plain loop."""
    lo, hi = (min(days), max(days)) if days else ("0000-01-01", "9999-12-31")
    out = []
    roles = ctx.frames.rel("COMPANY_ROLE").to_dict("records")
    for at, firm in enumerate(firms):
        for r in roles:
            if (r["dst"] == firm and r["role"] in CONTROL_ROLES and r["s"] <= hi
                    and lo <= r["e"]):
                out.append((at, str(r["src"]), str(r["id"]), {str(k): v for k, v in r.items()}))
    return [r for *_, r in sorted(out, key=lambda x: x[:3])]


def rotating_winners(ctx: Context) -> list[Finding]:
    """One finding per group that bid together often enough with at least two winners."""
    st = ctx.settings
    m = rotation_contracts(ctx)
    if m.empty:
        return []
    rows = ctx.frames.rel_row
    ks = contracts(ctx)
    ks = ks[ks["contract"].isin(set(m["contract"]))]
    b = bids(ctx)
    b = b[b["contract"].isin(set(m["contract"]))]
    bid_of: dict[tuple[str, str], str] = {}
    for firm, contract, bid in zip(b["firm"], b["contract"], b["bid_id"], strict=True):
        bid_of.setdefault((firm, contract), bid)
    out: list[Finding] = []
    seen: set[tuple[str, ...]] = set()
    chosen: dict[int, pd.DataFrame] = {}
    for grp, g in m.groupby("group", sort=True):
        per = g.drop_duplicates("contract")
        winners = set(per.loc[per["won"], "supplier"])
        if per["contract"].nunique() < int(st["min_contracts"]) or len(winners) < 2:
            continue
        chosen[int(grp)] = g
    known = set(ks["contract"])
    support = ref_supports(ctx, {grp: sorted(set(g["firm"])) for grp, g in chosen.items()}, {
        grp: {c: (s if isinstance(s, str) else None) for c, s in sorted(
            g.drop_duplicates("contract")[["contract", "supplier"]].itertuples(index=False))
            if c in known}
        for grp, g in chosen.items()})
    least = float(st.get("min_score", 0.0))
    for grp, g in chosen.items():
        members = sorted(set(g["firm"]))
        key = (*members, *sorted(set(g["contract"])))
        if key in seen:
            continue
        seen.add(key)
        found = _ring_finding(ctx, rows, members, g, ks, bid_of, support[grp])
        if found.score >= least:
            out.append(found)
        else:
            _rotation_note(ctx, members, support[grp], found.score, least)
    return out



# -- COL-003 ------------------------------------------------------------------------------

def single_bid_contracts(ctx: Context) -> pd.DataFrame:
    """Competitive contracts whose tender went ahead that received one bid: the stated
    number of tenderers is 1, or, when none is stated, one firm's bids are competing
    (``firm``, ``bid_id``: that firm and its first such bid, else None)."""
    methods = list(ctx.settings["competitive_methods"])
    ks = contracts(ctx)
    ks = ks[ks["method"].isin(methods) & ~ks["closed"]]
    live = bids(ctx)
    live = live[live["status"].isin(COMPETING)]
    n = live.groupby("contract")["firm"].nunique()
    one = n[n == 1].index
    v = live[live["contract"].isin(one)].drop_duplicates("contract")[
        ["contract", "firm", "bid_id"]]
    out = ks.merge(v, on="contract", how="left")
    counted = out["contract"].map(n).astype("Float64")
    stated = out["tenderers"].astype("Float64")
    single = stated.where(stated.notna(), counted) == 1
    out = out[single.fillna(False).astype(bool)]
    return out.sort_values("contract").reset_index(drop=True)


def _single_finding(ctx: Context, rows: RowLookup, k: Any, others: pd.DataFrame) -> Finding:
    f, st = ctx.frames, ctx.settings
    c = k["contract"]
    winner = k["supplier"] if isinstance(k["supplier"], str) else None
    by_bid = isinstance(k["firm"], str)
    firm = k["firm"] if by_bid else winner
    keys = [c, *([firm] if firm else []), *([winner] if winner and winner != firm else [])]
    score = st["base_score"] + ctx.report_bonus([x for x in (firm, winner) if x])
    first = _bid_path(f, rows, [k["bid_id"]], c) if by_bid else [node(f, c, "contract")]
    if isinstance(k["award_id"], str):
        first += [rel(f, rows("AWARDED_TO", k["award_id"]), "AWARDED_TO"),
                  node(f, k["supplier"], "organization")]
    evidence = [first]
    if isinstance(k["bought_id"], str):
        evidence.append([node(f, k["buyer"], "organization"),
                         rel(f, rows("BOUGHT", k["bought_id"]), "BOUGHT"), node(f, c, "contract")])
    for _, o in others.iterrows():
        evidence.append(_bid_path(f, rows, [o["bid_id"]], c))
    currency = k["currency"] if isinstance(k["currency"], str) else None
    fields = {"contract": _contract_words(ctx, k), "amount": money(k["amount"], currency),
              "firm": ctx.ent(firm) if firm else "", "winner": ctx.ent(winner) if winner else "",
              "others": names([Msg(TEXT["other_bid"], {"firm": ctx.ent(o["firm"]),
                                                       "status": word("bid_status", o["status"])})
                               for _, o in others.iterrows()], None, TEXT["list_sep"]),
              "method": word("method", k["method"])}
    first_line = "single" if by_bid else "single_counted_won" if firm else "single_counted"
    text = [Msg(TEXT[first_line], fields),
            Msg(TEXT["single_others" if len(others) else "single_no_other"], fields)]
    if by_bid and winner is not None and winner != firm:
        text.append(Msg(TEXT["single_odd"], fields))
    text.append(Msg(TEXT["single_why"], fields))
    title = Msg(TEXT["single_title" if by_bid else "single_counted_title"],
                {"Tender": word("Tender", k["method"]), "contract": ctx.name(c)})
    return Finding(clip(score), title, keys, evidence, text,
                   sector=k["sector"] if isinstance(k["sector"], str) else "",
                   date=str(k["date"]),
                   extra={"counted_from": "bids" if by_bid else "number_of_tenderers"})


def single_bid(ctx: Context) -> list[Finding]:
    """One finding per open or invited contract with exactly one valid bidder."""
    hits = single_bid_contracts(ctx)
    if hits.empty:
        return []
    rows = ctx.frames.rel_row
    b = bids(ctx)
    b = b[b["contract"].isin(set(hits["contract"])) & ~b["status"].isin(COMPETING)]
    other = {c: g for c, g in b.groupby("contract")}
    empty = b.iloc[0:0]
    return [_single_finding(ctx, rows, k, other.get(k["contract"], empty))
            for _, k in hits.iterrows()]



# -- COL-004 ------------------------------------------------------------------------------

def identical_bids(ctx: Context) -> pd.DataFrame:
    """Valid bids whose exact amount another bidder on the same contract also bid."""
    valid = bids(ctx)
    valid = valid[(valid["status"] == "valid") & valid["amount"].notna()]
    n = valid.groupby(["contract", "amount", "currency"])["firm"].transform("nunique")
    same = valid[n >= 2]
    return same.sort_values(["contract", "currency", "amount", "firm", "bid_id"]
                            ).drop_duplicates(["contract", "amount", "currency", "firm"]
                                              ).reset_index(drop=True)


def _identical_finding(ctx: Context, rows: RowLookup, k: Any, g: pd.DataFrame) -> Finding:
    f, st = ctx.frames, ctx.settings
    c = k["contract"]
    firms = list(dict.fromkeys(g["firm"].tolist()))
    winner = k["supplier"] if isinstance(k["supplier"], str) else None
    won = winner in firms
    keys = [c, *firms]
    score = st["base_score"] + (st.get("winner_bonus", 0.0) if won else 0.0)
    score += ctx.report_bonus(firms)
    evidence: list[list[dict[str, Any]]] = []
    parts = []
    for (currency, amount), a in g.groupby(["currency", "amount"], sort=True):
        ids = a["bid_id"].tolist()
        for other in ids[1:]:
            evidence.append(_bid_path(f, rows, [ids[0], other], c))
        parts.append(Msg(TEXT["same_price"], {
            "firms": names([ctx.ent(x) for x in a["firm"]], None, TEXT["and_sep"]),
            "amount": money(amount, currency)}))
    fields = {"contract": _contract_words(ctx, k), "groups": names(parts, None, TEXT["list_sep"]),
              "winner": ctx.ent(winner) if winner else ""}
    text = [Msg(TEXT["identical"], fields)]
    if won and winner:
        text.append(Msg(TEXT["identical_won"], fields))
    text.append(Msg(TEXT["identical_why"]))
    title = Msg(TEXT["identical_title"], {"n": len(firms), "contract": ctx.name(c)})
    return Finding(clip(score), title, keys, evidence, text,
                   sector=k["sector"] if isinstance(k["sector"], str) else "",
                   date=str(k["date"]))


def identical_prices(ctx: Context) -> list[Finding]:
    """One finding per contract listing every group of equal valid prices."""
    same = identical_bids(ctx)
    if same.empty:
        return []
    rows = ctx.frames.rel_row
    ks = contracts(ctx).set_index("contract", drop=False)
    return [_identical_finding(ctx, rows, ks.loc[c], g)
            for c, g in same.groupby("contract", sort=True)]


#: Rule code -> the reference implementation.
REFERENCE = {"COL-001": shared_contact, "COL-002": rotating_winners, "COL-003": single_bid,
             "COL-004": identical_prices}
