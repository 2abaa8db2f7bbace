"""What corroborates a rotation (COL-002), as pandas joins over whole frames.

The slow reference of :mod:`queries.rules.rotation` and of
:func:`queries.rules.rings.firm_links`: the same :class:`Support` per group. The
normalisation of phones, addresses and accounts, the cover test on one contract and
the chance arithmetic (:func:`queries.rules.rotation.chance_meetings`) are the
modules' own (they are not what is being checked).
"""

from __future__ import annotations

import pandas as pd

from graph.matching import is_coarse_address
from graph.schema import COMPANY_ROLES, KIN
from queries.rules.col import normalise_address, normalise_phone
from queries.rules.rings import normalise_account
from queries.rules.rotation import Row, Support, chance_meetings, chance_of, covered
from tests.queries.reference.context import RefContext as Context

LINK_COLUMNS = ["a", "b", "link", "value", "raw_a", "raw_b", "rec_a", "rec_b"]


def _closed(ctx: Context) -> set[str]:
    from tests.queries.reference.col import contracts

    c = contracts(ctx)
    return set(c.loc[c["closed"], "contract"])


def _bidders(ctx: Context) -> set[str]:
    from tests.queries.reference.col import bids

    return set(bids(ctx)["firm"])


def _value_pairs(v: pd.DataFrame) -> pd.DataFrame:
    """Pairs (a < b) of firms with the same (link, value) in ``v`` (firm, link, value, raw,
    rec)."""
    m = v.merge(v, on=["link", "value"], suffixes=("_a", "_b"))
    m = m[m["firm_a"] < m["firm_b"]]
    return m.rename(columns={"firm_a": "a", "firm_b": "b"})[LINK_COLUMNS]


def firm_links(ctx: Context) -> list[Row]:
    """Every pair of bidding firms sharing an identifier, by COL-005's settings."""
    f = ctx.frames
    st = ctx.rule_settings("COL-005")
    links, most = list(st["links"]), int(st.get("max_sharing", 0))
    bidders = _bidders(ctx)
    orgs = f.ents("organization")
    parts: list[pd.DataFrame] = []
    for link, norm in (("phone", normalise_phone), ("address", normalise_address)):
        if link not in links or link not in orgs.columns:
            continue
        v = pd.DataFrame({"firm": orgs["key"], "link": link, "value": norm(orgs[link]),
                          "raw": orgs[link], "rec": ""})
        v = v[v["value"] != ""]
        if link == "address":
            v = v[v["raw"].map(lambda x: not is_coarse_address(x)).astype(bool)]
        if most:
            v = v[v.groupby("value")["firm"].transform("nunique") <= most]
        parts.append(_value_pairs(v[v["firm"].isin(bidders)]))
    paid = f.rel("PAID_TO")
    if "bank_account" in links and "bank_account" in paid.columns:
        p = paid[paid["bank_account"].notna()].sort_values("id")
        p = p[p["bank_account"].astype(str).str.strip() != ""]
        v = pd.DataFrame({"firm": p["dst"], "link": "bank_account",
                          "value": normalise_account(p["bank_account"]),
                          "raw": p["bank_account"], "rec": p["id"]})
        v = v[v["value"] != ""].drop_duplicates(["firm", "value"])
        if most:
            v = v[v.groupby("value")["firm"].transform("nunique") <= most]
        parts.append(_value_pairs(v[v["firm"].isin(bidders)]))
    held = []
    roles = f.rel("COMPANY_ROLE")
    chosen = [x for x in links if x in COMPANY_ROLES]
    held.append(roles[roles["role"].isin(chosen)].assign(link=roles["role"]))
    if "staff" in links:
        held.append(f.rel("HOLDS_POST").assign(link="staff"))
    h = pd.concat(held, ignore_index=True)
    h = h[h["dst"].isin(bidders)]
    if most:
        h = h[h.groupby(["src", "link"])["dst"].transform("nunique") <= most]
    m = h.merge(h, on=["src", "link"], suffixes=("_a", "_b"))
    m = m[(m["dst_a"] < m["dst_b"]) & (m["s_a"] <= m["e_b"]) & (m["s_b"] <= m["e_a"])]
    parts.append(pd.DataFrame({"a": m["dst_a"], "b": m["dst_b"], "link": m["link"],
                               "value": m["src"], "raw_a": None, "raw_b": None,
                               "rec_a": m["id_a"], "rec_b": m["id_b"]}))
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["a", "b", "link", "value", "rec_a", "rec_b"])
    return [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in r.items()}
            for r in out.to_dict("records")]


def _ties(ctx: Context, groups: dict[int, list[str]]) -> list[Row]:
    f = ctx.frames
    kin = f.rel("KIN")
    inverse = {code: k.inverse for code, k in KIN.items()}
    edges = pd.concat([
        pd.DataFrame({"pa": kin["src"], "pb": kin["dst"], "how": kin["relation"],
                      "path": kin["id"]}),
        pd.DataFrame({"pa": kin["dst"], "pb": kin["src"],
                      "how": kin["relation"].map(lambda r: inverse.get(r, r)),
                      "path": kin["id"]})])
    assoc = f.rel("ASSOCIATE")
    edges = pd.concat([edges,
                       pd.DataFrame({"pa": assoc["src"], "pb": assoc["dst"], "how": "associate",
                                     "path": assoc["id"]}),
                       pd.DataFrame({"pa": assoc["dst"], "pb": assoc["src"], "how": "associate",
                                     "path": assoc["id"]})])
    roles = f.rel("COMPANY_ROLE")
    roles = roles[roles["src"].str.startswith("p:")]
    people = pd.DataFrame([(g, firm) for g, ms in groups.items() for firm in ms],
                          columns=["grp", "firm"]).merge(
        roles.rename(columns={"dst": "firm", "src": "person", "id": "rec"})[
            ["firm", "person", "rec"]], on="firm")
    people = people.groupby(["grp", "firm", "person"], as_index=False)["rec"].min()
    m = people.merge(people, on="grp", suffixes=("_a", "_b"))
    m = m[m["firm_a"] < m["firm_b"]].rename(columns={"person_a": "pa", "person_b": "pb"})
    m = m.merge(edges, on=["pa", "pb"])
    m = m.rename(columns={"firm_a": "a", "firm_b": "b"}).sort_values(
        ["grp", "a", "b", "pa", "pb", "path"])
    return list(m[["grp", "a", "b", "pa", "pb", "how", "path", "rec_a", "rec_b"]]
                .to_dict("records"))


def _markets(ctx: Context, groups: dict[int, list[str]],
             group_contracts: dict[int, list[str]]) -> dict[int, tuple[int, int, list[int]]]:
    """Each group's market: its firms, its contracts (those with a bid) and how many of
    them each member bid on."""
    from tests.queries.reference.col import contracts

    c = contracts(ctx)
    cells = c[~c["closed"]].assign(buyer=c["buyer"].fillna("").astype(str),
                                   sector=c["sector"].fillna("").astype(str))
    bid = ctx.frames.rel("BID")[["src", "dst"]].rename(columns={"dst": "contract"})
    firms = cells.merge(bid, on="contract")
    out = {}
    for g, ks in group_contracts.items():
        scope = set(zip(cells.loc[cells["contract"].isin(ks), "buyer"],
                        cells.loc[cells["contract"].isin(ks), "sector"], strict=True))
        inside = firms[[(b, s) in scope for b, s in zip(firms["buyer"], firms["sector"],
                                                         strict=True)]]
        per = [int(inside.loc[inside["src"] == m, "contract"].nunique()) for m in groups[g]]
        out[g] = (int(inside["src"].nunique()), int(inside["contract"].nunique()), per)
    return out


def supports(ctx: Context, groups: dict[int, list[str]],
             winners: dict[int, dict[str, str | None]]) -> dict[int, Support]:
    """The :class:`Support` of each group: ``winners`` = its contracts and their winners."""
    from tests.queries.reference.col import bids

    ratio = float(ctx.settings.get("cover_ratio", 0.03))
    links = firm_links(ctx)
    out: dict[int, Support] = {}
    b = bids(ctx).sort_values("bid_id")
    for g, members in groups.items():
        inside = set(members)
        won = winners[g]
        s = Support(links=[r for r in links if r["a"] in inside and r["b"] in inside],
                    contracts=len(won), losers=[m for m in members if m not in won.values()])
        mine = b[b["firm"].isin(inside) & b["contract"].isin(set(won))]
        for c, supplier in won.items():
            rows = mine[mine["contract"] == c]
            rows_ = [{"firm": r["firm"], "amount": None if pd.isna(r["amount"]) else r["amount"],
                      "currency": r["currency"], "status": r["status"]}
                     for r in rows.to_dict("records")]
            if covered(rows_, supplier, ratio):
                s.covered.append(c)
        out[g] = s
    for t in _ties(ctx, groups):
        out[int(t["grp"])].ties.append(t)
    least = int(ctx.settings.get("min_firms", 3))
    for g, (n, k, per) in _markets(ctx, groups, {g: list(w) for g, w in winners.items()}
                                   ).items():
        out[g].market, out[g].market_contracts = n, k
        out[g].expected = chance_meetings(per, k, least)
        out[g].chance = chance_of(out[g].contracts, out[g].expected)
    return out
