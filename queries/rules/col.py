"""COL: collusion between bidders (bid rigging) and tenders without competition.

COL-001: co-bidders sharing a phone, an address, a legal representative or a
shareholder (red flag R044 in our mapping). COL-002: a recurring group of
co-bidders whose winner rotates (R053 in our mapping). COL-003: a competitive
tender with a single valid bid (Open Contracting R018). COL-004: different
bidders with exactly the same valid price on one contract (R028).

Bids are BID records (bidder -> contract, amount, status; a blank status was
loaded as ``valid``); the winner is the contract's AWARDED_TO supplier.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
import pandas as pd

from graph.schema import COMPANY_ROLES
from queries.context import Context
from queries.findings import Finding, clip, node, rel
from queries.frames import OPEN_START, Frames, in_force, overlaps
from queries.registry import SettingsError, rule
from queries.rules.common import RowLookup, compact_text, since, yuan

CONTRACT_COLUMNS = ["contract", "title", "method", "sector", "date", "amount", "supplier",
                    "award_id", "buyer", "bought_id"]
_LINK_WORDS = {"phone": "phone number", "address": "address", "legal_rep": "legal representative",
               "shareholder": "shareholder"}


def contracts(ctx: Context) -> pd.DataFrame:
    """One row per contract (columns :data:`CONTRACT_COLUMNS`); ``date`` = award date or ""."""
    key = ("col.contracts",)
    if key not in ctx._cache:
        ctx._cache[key] = _contracts(ctx.frames)
    return ctx._cache[key]


def _contracts(f: Frames) -> pd.DataFrame:
    c = f.ents("contract").rename(columns={"key": "contract"})
    for col in ("title", "method", "sector", "award_date", "amount"):
        if col not in c.columns:
            c[col] = None
    c = c[["contract", "title", "method", "sector", "award_date", "amount"]]
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
        b = ctx.frames.rel("BID")[["id", "src", "dst", "amount", "status"]].rename(
            columns={"id": "bid_id", "src": "firm", "dst": "contract"})
        status = b["status"].astype("string").fillna("").str.strip()
        b = b.assign(status=status.where(status != "", "valid").astype(str))
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


def _name(f: Frames, key: str) -> str:
    return f.names.get(key, key)


def _contract_words(f: Frames, k: Any) -> str:
    """``K1 (title) of buyer, open tender awarded on 2020-05-01 to W``."""
    what = f"{f.label(k['contract'])}"
    if isinstance(k["buyer"], str):
        what += f" of {f.label(k['buyer'])}"
    method = f"{k['method']} tender" if isinstance(k["method"], str) and k["method"] else "tender"
    when = f" awarded on {k['date']}" if k["date"] else " (no award date)"
    to = f" to {f.label(k['supplier'])}" if isinstance(k["supplier"], str) else ""
    return f"{what} ({method},{when}{to})"


def _mode(values: list[Any]) -> str:
    vals = [v for v in values if isinstance(v, str) and v]
    return Counter(vals).most_common(1)[0][0] if vals else ""


def _bid_path(f: Frames, rows: RowLookup, bid_ids: list[str],
              contract: str) -> list[dict[str, Any]]:
    """``A -BID-> K <-BID- B`` (two bids) or ``A -BID-> K`` (one)."""
    first = rows("BID", bid_ids[0])
    path = [node(f, first["src"], "organization"), rel(f, first, "BID"),
            node(f, contract, "contract")]
    for bid in bid_ids[1:2]:
        r = rows("BID", bid)
        path += [rel(f, r, "BID"), node(f, r["src"], "organization")]
    return path


# -- COL-001 ------------------------------------------------------------------------------

def normalise_phone(s: pd.Series) -> pd.Series:
    """Phone numbers as their digits (NFKC first); fewer than 7 digits counts as missing.

    A ``+86``/``0086`` country code before an 11-digit mobile number is dropped;
    a placeholder made of one repeated digit (``0000000``) counts as missing.

    Examples
    --------
    >>> normalise_phone(pd.Series(["0731-123 4567", "０７３１1234567", "110", None,
    ...                            "+86 138-0000-0000", "00000000"])).tolist()
    ['07311234567', '07311234567', '', '', '13800000000', '']
    """
    d = s.astype("string").fillna("").str.normalize("NFKC").str.replace(r"\D+", "", regex=True)
    d = d.str.replace(r"^(?:0086|86)(?=1\d{10}$)", "", regex=True)
    filler = d.str.fullmatch(r"(\d)\1*").fillna(False).astype(bool)
    return d.where((d.str.len() >= 7) & ~filler, "").astype(str)


def normalise_address(s: pd.Series) -> pd.Series:
    """Addresses compared as NFKC text with every blank removed.

    Examples
    --------
    >>> normalise_address(pd.Series(["城关镇 人民路１号", "城关镇人民路1号 ", None])).tolist()
    ['城关镇人民路1号', '城关镇人民路1号', '']
    """
    return compact_text(s)


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
        v = pd.DataFrame({"firm": orgs["key"], "v": norm(orgs[link])})
        v = v[v["v"] != ""]
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


def _link_words(ctx: Context, rows: RowLookup, link: str, g: pd.DataFrame, a: str, b: str) -> str:
    f = ctx.frames
    if link in ("phone", "address"):
        raw = f.prop("organization", link)
        return (f"the {_LINK_WORDS[link]} ({_name(f, a)}: {raw.get(a, '')}; "
                f"{_name(f, b)}: {raw.get(b, '')})")
    parts = []
    for holder, h in g.groupby("value", sort=True):
        ra, rb = rows("COMPANY_ROLE", h.iloc[0]["rec_a"]), rows("COMPANY_ROLE", h.iloc[0]["rec_b"])
        parts.append(f"the {_LINK_WORDS.get(link, link.replace('_', ' '))} {f.label(str(holder))}"
                     f" ({link} of {_name(f, a)} {since(ra['s'], ra['e'])}, of {_name(f, b)} "
                     f"{since(rb['s'], rb['e'])})")
    return "; ".join(parts)


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
    shared = "; ".join(_link_words(ctx, rows, k, g[g["link"] == k], a, b) for k in kinds)
    timed = [k for k in kinds if k in COMPANY_ROLES]
    time_words = (f" The {' and '.join(_LINK_WORDS.get(k, k) for k in timed)} role(s) were in "
                  "force in both companies on the award date of every contract listed."
                  if timed else "")
    won = [k for _, k in kc.iterrows() if k["supplier"] in (a, b)]
    won_words = (f" {len(won)} of these contracts went to one of the two." if won else
                 " Neither of the two won these contracts.")
    n = len(cids)
    explanation = (
        f"{f.label(a)} and {f.label(b)} both bid on {n} contract(s): "
        + "; ".join(_contract_words(f, k) for _, k in kc.iterrows()) + "."
        + f" The two companies share {shared}.{time_words}{won_words} Supposedly competing "
          "bidders with a common phone, address, representative or owner may be one bidder "
          "submitting cover bids under two names (shared contacts between bidders: red "
          "flag R044 in our mapping).")
    title = (f"Co-bidders {_name(f, a)} and {_name(f, b)} share "
             f"the {' and the '.join(_LINK_WORDS.get(k, k) for k in kinds)} "
             f"({n} contract{'s' if n > 1 else ''})")
    return Finding("COL-001", "collusion", clip(score), title, keys, evidence, explanation,
                   sector=_mode(kc["sector"].tolist()),
                   date=str(kc.iloc[0]["date"]) if n else "",
                   extra={"links": kinds, "contracts": f.source_ids(cids)})


@rule("COL-001", "collusion", "Co-bidders share a phone, address, legal rep or shareholder")
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
    return [_pair_finding(ctx, rows, str(a), str(bb), g, ks, bid_of)
            for (a, bb), g in links.groupby(["a", "b"], sort=True)]


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
                  ks: pd.DataFrame, bid_of: dict[tuple[str, str], str]) -> Finding:
    f, st = ctx.frames, ctx.settings
    kc = ks[ks["contract"].isin(set(g["contract"]))].sort_values(["date", "contract"])
    cids = kc["contract"].tolist()
    keys = [*members, *cids]
    score = st["base_score"] + ctx.report_bonus(members)
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
    turns = "; ".join(
        f"{f.label(k['contract'])} on {k['date'] or 'an unknown date'} won by "
        + (_name(f, k["supplier"]) if isinstance(k["supplier"], str) else "nobody recorded")
        for _, k in kc.iterrows())
    tally = ", ".join(f"{_name(f, w)} {n}" for w, n in sorted(wins.items()))
    buyers = [b for b in kc["buyer"].tolist() if isinstance(b, str)]
    dates = [d for d in kc["date"].tolist() if d]
    span = f" from {dates[0]} to {dates[-1]}" if dates else ""
    scope = (f" of {', '.join(f.label(b) for b in dict.fromkeys(buyers))}" if buyers else "")
    explanation = (
        f"{len(members)} firms — {', '.join(f.label(m) for m in members)} — bid together on "
        f"{len(cids)} contracts{scope}{span} (at least {int(st['min_firms'])} of them on "
        f"each), and the winner changed among them: {turns}. Wins: {tally}. Firms that keep "
        "meeting in the same tenders and take turns winning may be sharing the market out "
        "among themselves (bid rotation: red flag R053 in our mapping).")
    title = (f"{len(members)} firms bid together on {len(cids)} contracts and took turns "
             f"winning ({', '.join(_name(f, m) for m in members)})")
    return Finding("COL-002", "collusion", clip(score), title, keys, evidence, explanation,
                   sector=_mode(kc["sector"].tolist()), date=dates[0] if dates else "",
                   extra={"contracts": f.source_ids(cids), "wins": {
                       "/".join(f.ids.get(w, [w])): n for w, n in sorted(wins.items())}})


@rule("COL-002", "collusion", "Recurring co-bidders taking turns to win")
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
    for _, g in m.groupby("group", sort=True):
        per = g.drop_duplicates("contract")
        winners = set(per.loc[per["won"], "supplier"])
        if per["contract"].nunique() < int(st["min_contracts"]) or len(winners) < 2:
            continue
        members = sorted(set(g["firm"]))
        key = (*members, *sorted(set(g["contract"])))
        if key in seen:
            continue
        seen.add(key)
        out.append(_ring_finding(ctx, rows, members, g, ks, bid_of))
    return out


# -- COL-003 ------------------------------------------------------------------------------

def single_bid_contracts(ctx: Context) -> pd.DataFrame:
    """Competitive contracts with exactly one valid bidder (``firm``, ``bid_id``)."""
    methods = list(ctx.settings["competitive_methods"])
    ks = contracts(ctx)
    ks = ks[ks["method"].isin(methods)]
    valid = bids(ctx)
    valid = valid[valid["status"] == "valid"]
    n = valid.groupby("contract")["firm"].nunique()
    one = n[n == 1].index
    v = valid[valid["contract"].isin(one)].drop_duplicates("contract")[
        ["contract", "firm", "bid_id"]]
    return ks.merge(v, on="contract").sort_values("contract").reset_index(drop=True)


def _single_finding(ctx: Context, rows: RowLookup, k: Any, others: pd.DataFrame) -> Finding:
    f, st = ctx.frames, ctx.settings
    c, firm = k["contract"], k["firm"]
    winner = k["supplier"] if isinstance(k["supplier"], str) else None
    keys = [c, firm, *([winner] if winner and winner != firm else [])]
    score = st["base_score"] + ctx.report_bonus([firm, *([winner] if winner else [])])
    first = _bid_path(f, rows, [k["bid_id"]], c)
    if isinstance(k["award_id"], str):
        first += [rel(f, rows("AWARDED_TO", k["award_id"]), "AWARDED_TO"),
                  node(f, k["supplier"], "organization")]
    evidence = [first]
    if isinstance(k["bought_id"], str):
        evidence.append([node(f, k["buyer"], "organization"),
                         rel(f, rows("BOUGHT", k["bought_id"]), "BOUGHT"), node(f, c, "contract")])
    for _, o in others.iterrows():
        evidence.append(_bid_path(f, rows, [o["bid_id"]], c))
    rest = (" The other bid(s) did not count: " + "; ".join(
        f"{f.label(o['firm'])} ({o['status']})" for _, o in others.iterrows()) + "."
        if len(others) else " No other bid was recorded.")
    odd = ("" if winner is None or winner == firm else
           f" The contract went to {f.label(winner)}, not to the only valid bidder.")
    explanation = (
        f"Contract {_contract_words(f, k)}, worth {yuan(k['amount'])}, received a single "
        f"valid bid, from {f.label(firm)}.{rest}{odd} In an {k['method']} procedure a single "
        "valid bid means competition did not happen: it can be the outcome a corrupt buyer "
        "and a pre-arranged bidder want (Open Contracting red flag R018, single bid "
        "received).")
    title = f"{k['method'].capitalize()} tender {_name(f, c)} had a single valid bid"
    return Finding("COL-003", "collusion", clip(score), title, keys, evidence, explanation,
                   sector=k["sector"] if isinstance(k["sector"], str) else "",
                   date=str(k["date"]))


@rule("COL-003", "collusion", "Competitive tender with a single valid bid (R018)")
def single_bid(ctx: Context) -> list[Finding]:
    """One finding per open or invited contract with exactly one valid bidder."""
    hits = single_bid_contracts(ctx)
    if hits.empty:
        return []
    rows = ctx.frames.rel_row
    b = bids(ctx)
    b = b[b["contract"].isin(set(hits["contract"])) & (b["status"] != "valid")]
    other = {c: g for c, g in b.groupby("contract")}
    empty = b.iloc[0:0]
    return [_single_finding(ctx, rows, k, other.get(k["contract"], empty))
            for _, k in hits.iterrows()]


# -- COL-004 ------------------------------------------------------------------------------

def identical_bids(ctx: Context) -> pd.DataFrame:
    """Valid bids whose exact amount another bidder on the same contract also bid."""
    valid = bids(ctx)
    valid = valid[(valid["status"] == "valid") & valid["amount"].notna()]
    n = valid.groupby(["contract", "amount"])["firm"].transform("nunique")
    same = valid[n >= 2]
    return same.sort_values(["contract", "amount", "firm", "bid_id"]).drop_duplicates(
        ["contract", "amount", "firm"]).reset_index(drop=True)


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
    for amount, a in g.groupby("amount", sort=True):
        ids = a["bid_id"].tolist()
        for other in ids[1:]:
            evidence.append(_bid_path(f, rows, [ids[0], other], c))
        parts.append(f"{' and '.join(f.label(x) for x in a['firm'])} each bid exactly "
                     f"{yuan(amount)}")
    won_words = (f" The winning bid, by {f.label(winner)}, is one of them: a matching price "
                 "is how a leaked competitor's bid is beaten or met." if won and winner else "")
    explanation = (
        f"On contract {_contract_words(f, k)}, {'; '.join(parts)}, all valid bids."
        f"{won_words} Independent bidders rarely arrive at the same price to the fen; "
        "identical prices suggest the bids were prepared together or that a price was leaked "
        "(Open Contracting red flag R028, identical bid prices). Withdrawn or disqualified "
        "bids are not counted.")
    title = (f"{len(firms)} bidders submitted identical prices on {_name(f, c)}")
    return Finding("COL-004", "collusion", clip(score), title, keys, evidence, explanation,
                   sector=k["sector"] if isinstance(k["sector"], str) else "",
                   date=str(k["date"]))


@rule("COL-004", "collusion", "Different bidders with identical bid prices (R028)")
def identical_prices(ctx: Context) -> list[Finding]:
    """One finding per contract listing every group of equal valid prices."""
    same = identical_bids(ctx)
    if same.empty:
        return []
    rows = ctx.frames.rel_row
    ks = contracts(ctx).set_index("contract", drop=False)
    return [_identical_finding(ctx, rows, ks.loc[c], g)
            for c, g in same.groupby("contract", sort=True)]
