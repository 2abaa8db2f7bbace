"""COL-005: bid-rigging rings, one finding per connected group of linked co-bidders.

Two bidding firms are *linked* when they share an identifier that should belong to
one firm only: a phone, an address or a bank account (the account payments were made
to), normalised as COL-001 does and never a coarse address or a value more than
``max_sharing`` organizations share (a switchboard, an agency's account); or the same
holder of one of the company roles of ``links`` (legal representative, shareholder,
director...) or the same member of staff (a post held in both), the two records
overlapping in time. A *ring* is a connected group of linked firms in which every
member bid on at least one contract together with another member
(:func:`ring_groups`), of ``min_firms`` firms or more. Two firms whose names are one
company's written two ways (:func:`queries.rules.col.same_company`) are not linked:
COL-001 reports them as possibly one company.

The firms' links (:func:`firm_links`) are computed once per scan and also read by
COL-002, which takes shared identifiers among a rotating group as corroboration.
COL-001's pair findings whose two firms lie in one ring are folded into the ring's
finding when both rules report (``fold_into_rings``).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd
import pyarrow as pa

from graph.schema import COMPANY_ROLES
from lang.core import N_, NP_
from lang.message import Msg, Template, names, word
from queries.context import Context
from queries.coverage import covers
from queries.findings import Finding, clip, node, rel
from queries.registry import rule
from queries.rules import col
from queries.rules.col import controller_evidence, controller_words, controllers
from queries.settings import SettingsError

Row = dict[str, Any]

#: Identifiers read from the organizations' and payments' values (the rest are roles).
VALUE_LINKS = ("phone", "address", "bank_account")
#: Every kind of link COL-005 knows.
LINK_KINDS = (*VALUE_LINKS, *COMPANY_ROLES, "staff")

#: Bank accounts payments went to, as written, with the recipient and the record.
ACCOUNTS = """
    SELECT dst AS firm, bank_account AS raw, id AS rec FROM rel_PAID_TO
    WHERE bank_account IS NOT NULL AND trim(bank_account) <> '' ORDER BY id"""

#: Pairs of bidding firms (``a`` < ``b``) sharing a value of ``ring_values`` (firm, link,
#: value, raw, rec), or the same holder of a role of $roles (or, with $staff, of a post)
#: held by no more than $most firms (0: no limit), the two records overlapping in time.
LINKS = """
    WITH bidders AS (
        SELECT DISTINCT src AS firm FROM rel_BID
        WHERE dst NOT IN (SELECT key FROM closed_contracts)),
    held AS (
        SELECT id, src, dst, role AS link, s, e FROM rel_COMPANY_ROLE
        WHERE list_contains($roles, role) AND dst IN (SELECT firm FROM bidders)
        UNION ALL
        SELECT id, src, dst, 'staff' AS link, s, e FROM rel_HOLDS_POST
        WHERE $staff AND dst IN (SELECT firm FROM bidders)),
    spread AS (SELECT src, link, count(DISTINCT dst) AS n FROM held GROUP BY src, link),
    kept AS (
        SELECT h.* FROM held h JOIN spread w ON w.src = h.src AND w.link = h.link
        WHERE $most = 0 OR w.n <= $most)
    SELECT x.firm AS a, y.firm AS b, x.link, x.value, x.raw AS raw_a, y.raw AS raw_b,
           x.rec AS rec_a, y.rec AS rec_b
    FROM ring_values x JOIN ring_values y
      ON y.link = x.link AND y.value = x.value AND x.firm < y.firm
    WHERE x.firm IN (SELECT firm FROM bidders) AND y.firm IN (SELECT firm FROM bidders)
    UNION ALL
    SELECT x.dst, y.dst, x.link, x.src, NULL, NULL, x.id, y.id
    FROM kept x JOIN kept y
      ON y.src = x.src AND y.link = x.link AND x.dst < y.dst AND x.s <= y.e AND y.s <= x.e
    ORDER BY 1, 2, 3, 4, 7, 8"""

#: Pairs of firms (``a`` < ``b``) both linked to some firm that bid on the same contract,
#: with their first bids and the contract's facts.
CO_BIDS = f"""
    WITH {col._BASE}, pairs AS ({col.PAIRS}),
    linked AS (SELECT a AS firm FROM ring_links UNION SELECT b FROM ring_links)
    SELECT p.*, {col._FACTS}
    FROM pairs p LEFT JOIN contracts k ON k.contract = p.contract
    WHERE p.a IN (SELECT firm FROM linked) AND p.b IN (SELECT firm FROM linked)
    ORDER BY p.a, p.b, p.contract"""

covers("COL-005", "contract", col._BIDS_PER_CONTRACT.format(cases=col._FEW))


def normalise_account(s: pd.Series) -> pd.Series:
    """Bank accounts as their letters and digits (NFKC, upper case); fewer than 6 left, or
    one character repeated, counts as missing.

    Examples
    --------
    >>> normalise_account(pd.Series(["6222 0211-0000 1234", "６２２２０２１１００００１２３４",
    ...                              "12-34", "000000000", None])).tolist()
    ['6222021100001234', '6222021100001234', '', '', '']
    """
    def one(v: Any) -> str:
        t = "".join(c for c in unicodedata.normalize("NFKC", str(v)).upper() if c.isalnum())
        return t if len(t) >= 6 and len(set(t)) > 1 else ""
    return pd.Series([one(v) if isinstance(v, str) else "" for v in s], index=s.index,
                     dtype=object)


def _account_values(ctx: Context, most: int) -> pd.DataFrame:
    """(firm, link, value, raw, rec) of the accounts payments went to, an account more
    than ``most`` recipients share (an agency's, a payroll account) left out."""
    acc = ctx.frames.engine.frame(ACCOUNTS)
    v = pd.DataFrame({"firm": acc["firm"].astype(object), "link": "bank_account",
                      "value": normalise_account(acc["raw"]), "raw": acc["raw"].astype(object),
                      "rec": acc["rec"].astype(object)})
    v = v[v["value"] != ""].drop_duplicates(["firm", "value"])
    if most:
        v = v[v.groupby("value")["firm"].transform("nunique") <= most]
    return v


def firm_links(ctx: Context) -> list[Row]:
    """(a, b, link, value, raw_a, raw_b, rec_a, rec_b): every pair of bidding firms
    sharing an identifier, by COL-005's settings (``links``, ``max_sharing``), once per
    scan.

    ``value`` is the normalised phone, address or account (``raw_*`` as written;
    ``rec_*`` the payment records of an account) or the key of the role holder or staff
    member (``rec_*`` the two role or post records).
    """
    if "ring_links" in ctx.cache:
        return list(ctx.cache["ring_links"])
    st = ctx.rule_settings("COL-005")
    links = list(st["links"])
    unknown = [x for x in links if x not in LINK_KINDS]
    if unknown:
        raise SettingsError(f"[COL-005]: links {unknown} unknown",
                            hint="use " + ", ".join(LINK_KINDS))
    most = int(st.get("max_sharing", 0))
    found = col.contacts(ctx, [x for x in links if x in col.CONTACT_NORMS], most=most,
                         notes=False).to_pandas()
    parts = [found.assign(rec="")]
    if "bank_account" in links:
        parts.append(_account_values(ctx, most))
    values = pd.concat(parts, ignore_index=True)[["firm", "link", "value", "raw", "rec"]]
    ctx.register("ring_values", pa.Table.from_pandas(
        values.astype(str), schema=pa.schema([(c, pa.string()) for c in values.columns]),
        preserve_index=False))
    roles = [x for x in links if x in COMPANY_ROLES]
    rows = ctx.rows(LINKS, {"roles": roles, "staff": "staff" in links, "most": most})
    ctx.register("ring_links", pa.table({
        "a": pa.array([r["a"] for r in rows], pa.string()),
        "b": pa.array([r["b"] for r in rows], pa.string())}))
    ctx.cache["ring_links"] = rows
    return list(rows)


@dataclass
class Ring:
    """A ring: its members (sorted keys), their links and their co-bids."""

    members: list[str]
    links: list[Row]
    bids: list[Row]


def ring_groups(edges: Iterable[tuple[str, str]], co_bids: Iterable[tuple[str, str]],
                min_firms: int) -> list[list[str]]:
    """Connected groups of linked firms in which every member bid together with another
    member, of ``min_firms`` or more, sorted.

    A member bidding with nobody else of its group is taken out and the groups are
    formed again (taking a firm out may split a group), until every member bids with
    another.

    Examples
    --------
    >>> ring_groups([("A", "B"), ("B", "C"), ("C", "D"), ("E", "F")],
    ...             [("A", "B"), ("B", "C"), ("A", "C"), ("E", "F")], 3)
    [['A', 'B', 'C']]
    >>> ring_groups([("A", "B"), ("B", "C")], [("A", "C"), ("B", "D")], 3)  # B bids with no member
    []
    """
    links: nx.Graph[str] = nx.Graph()
    links.add_edges_from(edges)
    bid_with: dict[str, set[str]] = {}
    for a, b in co_bids:
        bid_with.setdefault(a, set()).add(b)
        bid_with.setdefault(b, set()).add(a)
    members = set(links.nodes)
    while True:
        groups = [set(c) for c in nx.connected_components(links.subgraph(members))]
        keep = {m for g in groups for m in g if bid_with.get(m, set()) & (g - {m})}
        if keep == members:
            break
        members = keep
    return sorted(sorted(g) for g in groups if len(g) >= min_firms)


def rings(ctx: Context) -> list[Ring]:
    """The rings of the scan by COL-005's settings (computed once per scan)."""
    if "rings" in ctx.cache:
        return list(ctx.cache["rings"])
    st = ctx.rule_settings("COL-005")
    links = firm_links(ctx)
    if st.get("name_match", True):
        links = [r for r in links if not col.same_company(ctx, r["a"], r["b"])]
    bids = ctx.rows(CO_BIDS) if links else []
    groups = ring_groups(((r["a"], r["b"]) for r in links), ((r["a"], r["b"]) for r in bids),
                         int(st.get("min_firms", 3)))
    out = []
    for g in groups:
        inside = set(g)
        out.append(Ring(g, [r for r in links if r["a"] in inside and r["b"] in inside],
                        [r for r in bids if r["a"] in inside and r["b"] in inside]))
    ctx.cache["rings"] = out
    return list(out)


def folded_pairs(ctx: Context) -> list[set[str]]:
    """The members of each ring COL-001 folds its pair findings into: none unless COL-001
    has ``fold_into_rings`` and COL-005 reports in this scan."""
    if not ctx.settings.get("fold_into_rings", True) or not ctx.reports("COL-005"):
        return []
    return [set(r.members) for r in rings(ctx)]


TEXT: dict[str, Template] = {
    "ring_members": N_("{n} firms are tied to one another by shared identifiers and bid on "
                       "the same contracts: {members}."),
    "ring_shares": N_("Shared identifiers: {shared}."),
    "ring_value": N_("the {link} “{value}” ({firms})"),
    "ring_holder": N_("{holder} as {link} of {firms}"),
    "ring_contracts": NP_("They bid together on {k} contract: {contracts}.",
                          "They bid together on {k} contracts: {contracts}."),
    "ring_won": N_("Members won {won} of them: {tally}."),
    "ring_not_won": N_("No member won any of them."),
    "ring_tally": N_("{firm} {n}"),
    "ring_why": N_("Firms that present themselves as competitors but share a phone, an "
                   "address, an account or the people behind them may be one bidder "
                   "submitting cover bids under several names (a bid-rigging ring). This is "
                   "a pattern to review, not proof: a group of companies or a shared office "
                   "can explain it."),
    "ring_title": NP_("Ring of {n} firms sharing the {links} bid together ({k} contract): "
                      "{members}",
                      "Ring of {n} firms sharing the {links} bid together ({k} contracts): "
                      "{members}"),
    "links_sep": N_(", the "),
    "firms_sep": N_(", "),
}


def identifiers(ctx: Context, links: list[Row], order: list[str]) -> list[tuple[str, str, list[
        str], list[Row]]]:
    """(link, value, firms, rows) of each identifier shared within ``links``, by the kind's
    place in ``order`` then value."""
    by: dict[tuple[str, str], list[Row]] = {}
    for r in links:
        by.setdefault((r["link"], str(r["value"])), []).append(r)
    rank = {k: i for i, k in enumerate(order)}
    out = []
    for (link, value), rs in sorted(by.items(), key=lambda x: (rank.get(x[0][0], 99), x[0][1])):
        firms = sorted({f for r in rs for f in (r["a"], r["b"])})
        out.append((link, value, firms, rs))
    return out


def identifier_words(ctx: Context, link: str, value: str, firms: list[str],
                     rs: list[Row]) -> Msg:
    """One shared identifier in words: the value as written, then its firms by name."""
    firm_names = names([ctx.name(f) for f in firms], 4, TEXT["firms_sep"])
    if link in VALUE_LINKS:
        return Msg(TEXT["ring_value"], {"link": word("link", link),
                                        "value": rs[0]["raw_a"] or value, "firms": firm_names})
    return Msg(TEXT["ring_holder"], {"holder": ctx.ent(value), "link": word("link", link),
                                     "firms": firm_names})


def identifier_evidence(ctx: Context, link: str, value: str, firms: list[str],
                        rs: list[Row]) -> list[list[dict[str, Any]]]:
    """Evidence of one shared identifier: the firms showing the value, or the records
    tying each pair to the holder, payer account or post."""
    f = ctx.frames
    if link in ("phone", "address"):
        raw = {r["a"]: r["raw_a"] for r in rs} | {r["b"]: r["raw_b"] for r in rs}
        return [[{**node(f, x, "organization"), "shared": link, link: raw.get(x) or ""}
                 for x in firms]]
    out: list[list[dict[str, Any]]] = []
    rel_type = {"bank_account": "PAID_TO", "staff": "HOLDS_POST"}.get(link, "COMPANY_ROLE")
    for r in rs:
        ra, rb = f.rel_row(rel_type, r["rec_a"]), f.rel_row(rel_type, r["rec_b"])
        if link == "bank_account":
            out.append([node(f, ra["src"], "payment"), rel(f, ra, rel_type),
                        {**node(f, r["a"], "organization"), "shared": link, link: r["raw_a"]}])
            out.append([node(f, rb["src"], "payment"), rel(f, rb, rel_type),
                        {**node(f, r["b"], "organization"), "shared": link, link: r["raw_b"]}])
            continue
        kind = "organization" if value.startswith("o:") else "person"
        out.append([node(f, r["a"], "organization"), rel(f, ra, rel_type), node(f, value, kind),
                    rel(f, rb, rel_type), node(f, r["b"], "organization")])
    return out


def _prefetch(ctx: Context, found: list[Ring]) -> None:
    f = ctx.frames
    links = [r for g in found for r in g.links]
    for link, type_ in (("bank_account", "PAID_TO"), ("staff", "HOLDS_POST")):
        f.prefetch(type_, (r[c] for r in links if r["link"] == link
                           for c in ("rec_a", "rec_b")))
    f.prefetch("COMPANY_ROLE", (r[c] for r in links if r["link"] in COMPANY_ROLES
                                for c in ("rec_a", "rec_b")))
    bids = [r for g in found for r in g.bids]
    f.prefetch("BID", (r[c] for r in bids for c in ("bid_a", "bid_b")))
    f.prefetch_keys([*(r[c] for r in links for c in ("a", "b", "value")),
                     *(r[c] for r in bids for c in ("contract", "buyer", "supplier"))])


def _ring_finding(ctx: Context, ring: Ring) -> Finding:
    f, st = ctx.frames, ctx.settings
    members = ring.members
    kc = col._known(ring.bids)
    cids = [k["contract"] for k in kc]
    order = list(st["links"])
    ids = identifiers(ctx, ring.links, order)
    kinds = list(dict.fromkeys(link for link, *_ in ids))
    holders = [v for link, v, *_ in ids if link not in VALUE_LINKS]
    held = controllers(ctx, members, [str(k["date"]) for k in kc if k["date"]])
    keys = [*members, *cids, *dict.fromkeys([*holders, *(str(r["src"]) for r in held)])]
    score = (st["base_score"] + st.get("link_bonus", 0.0) * (len(kinds) - 1)
             + st.get("repeat_bonus", 0.0) * max(len(cids) - 1, 0)
             + st.get("group_bonus", 0.0) * (len(members) - int(st.get("min_firms", 3))))
    score += ctx.report_bonus(keys)
    evidence = [p for i in ids for p in identifier_evidence(ctx, *i)]
    seen: set[tuple[str, str]] = set()
    for r in ring.bids:
        for firm, bid in ((r["a"], r["bid_a"]), (r["b"], r["bid_b"])):
            if r["known"] and (firm, r["contract"]) not in seen:
                seen.add((firm, r["contract"]))
                evidence.append(col._bid_path(f, f.rel_row, [bid], r["contract"]))
    inside = set(members)
    wins = Counter(k["supplier"] for k in kc if k["supplier"] in inside)
    fields = {"n": len(members), "k": len(cids), "won": sum(wins.values()),
              "members": names([ctx.ent(m) for m in members], 6),
              "shared": names([identifier_words(ctx, *i) for i in ids], 6, col.TEXT["list_sep"]),
              "contracts": names([col._contract_words(ctx, k) for k in kc], 5,
                                 col.TEXT["list_sep"]),
              "tally": names([Msg(TEXT["ring_tally"], {"firm": ctx.name(w), "n": n})
                              for w, n in sorted(wins.items())], 6)}
    text = [Msg(TEXT["ring_members"], fields), Msg(TEXT["ring_shares"], fields),
            Msg(TEXT["ring_contracts"], fields, n=len(cids)),
            Msg(TEXT["ring_won" if wins else "ring_not_won"], fields)]
    if held:
        text.append(controller_words(ctx, held))
        evidence += controller_evidence(ctx, held)
    text.append(Msg(TEXT["ring_why"]))
    title = Msg(TEXT["ring_title"], {
        "n": len(members), "k": len(cids),
        "links": names([word("link", k) for k in kinds], 3, TEXT["links_sep"]),
        "members": names([ctx.name(m) for m in members], 3)}, n=len(cids))
    pairs = sorted({(r["a"], r["b"]) for r in ring.links})
    return Finding(clip(score), title, keys, evidence, text,
                   sector=col._mode([k["sector"] for k in kc]),
                   date=str(kc[0]["date"]) if kc else "",
                   extra={"members": f.source_ids(members), "links": kinds,
                          "contracts": f.source_ids(cids),
                          "identifiers": [{"link": link, "value": value if link in VALUE_LINKS
                                           else "/".join(f.ids.get(value, [value])),
                                           "firms": f.source_ids(firms)}
                                          for link, value, firms, _ in ids],
                          "pairs": [f.source_ids([a, b]) for a, b in pairs]})


@rule("COL-005", "collusion", "Bid-rigging ring: firms tied by shared identifiers bid together")
def bid_rigging_rings(ctx: Context) -> list[Finding]:
    """One finding per ring (:func:`rings`), listing its members, every identifier they
    share and the contracts they bid on together."""
    found = rings(ctx)
    _prefetch(ctx, found)
    return [_ring_finding(ctx, g) for g in found]
