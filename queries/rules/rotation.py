"""What corroborates a rotation (COL-002), and what explains it away.

Firms taking turns to win is weak evidence on its own: in a small specialised market
the same few firms meet in every tender and win in turn by chance. COL-002 reads, for
each rotating group (``col_groups``: grp, scope, firm; ``col_rot``: grp, contract):

- shared identifiers between members (:func:`queries.rules.rings.firm_links`: phone,
  address, account, the same role holder or staff member);
- kin or known-associate ties between the people behind two members (holders of a
  company role, any time: ``kin_edges`` and ``associate_ties`` of :mod:`queries.shared`);
- cover bids: contracts on which every losing member bid no more than ``cover_ratio``
  above the winning member's bid, in the same currency;
- members that bid on the group's contracts but never won one;
- the market: how many firms bid at all on the contracts of the buyers and sectors of
  the group's contracts (:data:`MARKET`); ``small_market`` firms or fewer is a market
  where a rotation is expected by chance;
- chance: on how many of the market's contracts the members would meet if each chose
  its tenders independently at its own rate (:func:`chance_meetings`), and how likely
  meeting as often as they did would then be; a corroborated rotation that chance
  cannot explain rises.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from queries.context import Context

Row = dict[str, Any]

#: Each member's bids on the group's contracts (every status, amount and currency).
MEMBER_BIDS = """
    SELECT r.grp, r.contract, b.src AS firm, b.amount,
           coalesce(b.currency, '') AS currency,
           coalesce(nullif(trim(b.status), ''), 'valid') AS status
    FROM col_rot r JOIN col_groups g ON g.grp = r.grp
    JOIN rel_BID b ON b.dst = r.contract AND b.src = g.firm
    ORDER BY r.grp, r.contract, b.src, b.id"""

#: Kin or associate ties between persons holding a role in two members of one group (each
#: person's first role record in a firm).
PEOPLE_TIES = """
    WITH people AS (
        SELECT g.grp, g.firm, r.src AS person, min(r.id) AS rec
        FROM col_groups g JOIN rel_COMPANY_ROLE r ON r.dst = g.firm
        WHERE r.src LIKE 'p:%' GROUP BY g.grp, g.firm, r.src),
    ties AS (
        SELECT a, b, relation AS how, id AS path FROM kin_edges
        UNION ALL SELECT a, b, how, path FROM associate_ties)
    SELECT x.grp, x.firm AS a, y.firm AS b, x.person AS pa, y.person AS pb, t.how, t.path,
           x.rec AS rec_a, y.rec AS rec_b
    FROM people x JOIN people y ON y.grp = x.grp AND x.firm < y.firm
    JOIN ties t ON t.a = x.person AND t.b = y.person
    ORDER BY x.grp, x.firm, y.firm, x.person, y.person, t.path"""

#: The market of each group: the contracts, whose tender went ahead and that drew a bid,
#: of the buyer (its first purchase record) and sector of one of the group's contracts (a
#: missing buyer or sector is ''), with the distinct firms that bid on them (any status);
#: one row per member with how many of those contracts it bid on.
MARKET = """
    WITH buyer AS (
        SELECT src, dst FROM rel_BOUGHT
        QUALIFY row_number() OVER (PARTITION BY dst ORDER BY id) = 1),
    cells AS (
        SELECT c.key AS contract, coalesce(bo.src, '') AS buyer,
               coalesce(c.sector, '') AS sector
        FROM ent_contract c LEFT JOIN buyer bo ON bo.dst = c.key
        WHERE c.key NOT IN (SELECT key FROM closed_contracts)),
    scope AS (
        SELECT DISTINCT r.grp, k.buyer, k.sector
        FROM col_rot r JOIN cells k ON k.contract = r.contract),
    bidders AS (
        SELECT DISTINCT s.grp, b.src AS firm, b.dst AS contract
        FROM scope s JOIN cells k ON k.buyer = s.buyer AND k.sector = s.sector
        JOIN rel_BID b ON b.dst = k.contract),
    totals AS (
        SELECT grp, count(DISTINCT contract) AS contracts, count(DISTINCT firm) AS firms
        FROM bidders GROUP BY grp)
    SELECT t.grp, g.firm, count(b.contract) AS bids, t.contracts, t.firms
    FROM totals t JOIN col_groups g ON g.grp = t.grp
    LEFT JOIN bidders b ON b.grp = t.grp AND b.firm = g.firm
    GROUP BY t.grp, g.firm, t.contracts, t.firms ORDER BY t.grp, g.firm"""


def chance_meetings(bids: list[int], contracts: int, least: int) -> float:
    """How many of a market's ``contracts`` would draw bids from at least ``least`` of a
    group's members, in expectation, if each member bid on its own number of them
    (``bids``) chosen at random and independently of the others: for every ``least``
    members, the market's contracts times the product of their shares, summed (a bound
    from above when the group is larger than ``least``).

    Examples
    --------
    Three firms, each bidding on 8 of a market's 200 contracts, meet on 0.0128 of them
    by chance; three that bid on every one of 6 contracts meet on all 6:

    >>> chance_meetings([8, 8, 8], 200, 3)
    0.0128
    >>> chance_meetings([6, 6, 6], 6, 3)
    6.0
    """
    if contracts <= 0 or least <= 0 or len(bids) < least:
        return 0.0
    shares = [min(b, contracts) / contracts for b in bids]
    combos = itertools.combinations(shares, least)
    return min(float(contracts), round(contracts * sum(math.prod(c) for c in combos), 12))


def chance_of(met: int, expected: float) -> float:
    """The chance of meeting on ``met`` contracts or more when ``expected`` are met by
    chance (Poisson tail).

    Examples
    --------
    >>> f"{chance_of(6, 0.0128):.1e}", chance_of(6, 6.0) > 0.5, chance_of(0, 1.0)
    ('6.0e-15', True, 1.0)
    """
    if met <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    # the terms from ``met`` on, each from the one before (no factorial overflows)
    term = math.exp(-expected + met * math.log(expected) - math.lgamma(met + 1))
    total, j = 0.0, met
    while term > 1e-300 and j < met + 1000:
        total += term
        j += 1
        term *= expected / j
    return min(1.0, total)


@dataclass
class Support:
    """What corroborates one group's rotation, or explains it away."""

    links: list[Row] = field(default_factory=list)
    ties: list[Row] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)
    contracts: int = 0
    losers: list[str] = field(default_factory=list)
    market: int = 0
    #: The market's contracts, the members' meetings expected by chance among them
    #: (:func:`chance_meetings`) and the chance of meeting as often as they did.
    market_contracts: int = 0
    expected: float = 0.0
    chance: float = 1.0

    @property
    def corroborated(self) -> bool:
        """Whether anything but the turns themselves points at collusion."""
        return bool(self.links or self.ties or self.cover)

    @property
    def cover(self) -> bool:
        """Whether cover bids were placed on half the group's contracts or more (two at
        least)."""
        return len(self.covered) >= max(2, (self.contracts + 1) // 2)


def covered(bids: Iterable[Row], winner: str | None, ratio: float) -> bool:
    """Whether every losing member's valid bid lies at most ``ratio`` above the winner's
    (and not below it), in the same currency: a contract of cover bids.

    Examples
    --------
    >>> b = [{"firm": "A", "amount": 100.0, "currency": "", "status": "valid"},
    ...      {"firm": "B", "amount": 102.0, "currency": "", "status": "valid"}]
    >>> covered(b, "A", 0.03), covered(b, "A", 0.01), covered(b[:1], "A", 0.03)
    (True, False, False)
    """
    valid = [b for b in bids if b["status"] == "valid" and b["amount"] is not None]
    won = [b for b in valid if b["firm"] == winner]
    lost = [b for b in valid if b["firm"] != winner]
    if not won or not lost:
        return False
    price, cur = min(float(b["amount"]) for b in won), won[0]["currency"]
    if price <= 0:
        return False
    by_firm: dict[str, float] = {}
    for b in lost:
        if b["currency"] != cur:
            return False
        by_firm[b["firm"]] = min(by_firm.get(b["firm"], float("inf")), float(b["amount"]))
    return all(price <= a <= price * (1 + ratio) for a in by_firm.values())


def supports(ctx: Context, groups: dict[int, list[str]], rows: list[Row]) -> dict[int, Support]:
    """The :class:`Support` of each group (by number), from its contracts' ``rows`` (grp,
    contract, firm, supplier); ``col_groups`` is registered."""
    from queries.rules.rings import firm_links  # rings builds on col, which imports this

    st = ctx.settings
    contracts = {(r["grp"], r["contract"]): r["supplier"] for r in rows if r["known"]}
    ctx.register("col_rot", pa.table({
        "grp": pa.array([g for g, _ in contracts], pa.int64()),
        "contract": pa.array([c for _, c in contracts], pa.string())}))
    out = {g: Support() for g in groups}
    links = firm_links(ctx)
    for g, members in groups.items():
        inside = set(members)
        out[g].links = [r for r in links if r["a"] in inside and r["b"] in inside]
        winners = {s for (h, _), s in contracts.items() if h == g}
        out[g].contracts = sum(1 for h, _ in contracts if h == g)
        out[g].losers = [m for m in members if m not in winners]
    for t in ctx.rows(PEOPLE_TIES):
        if {t["a"], t["b"]} <= set(groups.get(int(t["grp"]), ())):
            out[int(t["grp"])].ties.append(t)
    bids: dict[tuple[int, str], list[Row]] = {}
    for b in ctx.rows(MEMBER_BIDS):
        bids.setdefault((int(b["grp"]), b["contract"]), []).append(b)
    ratio = float(st.get("cover_ratio", 0.03))
    for (g, c), supplier in contracts.items():
        if covered(bids.get((g, c), []), supplier, ratio):
            out[g].covered.append(c)
    least = int(st.get("min_firms", 3))
    market_bids: dict[int, list[int]] = {}
    for m in ctx.rows(MARKET):
        market_bids.setdefault(int(m["grp"]), []).append(int(m["bids"]))
        out[int(m["grp"])].market = int(m["firms"])
        out[int(m["grp"])].market_contracts = int(m["contracts"])
    for g, found in market_bids.items():
        s = out[g]
        s.expected = chance_meetings(found, s.market_contracts, least)
        s.chance = chance_of(s.contracts, s.expected)
    return out


def support_score(st: dict[str, Any], s: Support) -> float:
    """The score a rotation's corroboration adds (negative: a market small enough to
    explain it by chance; more for a corroborated one that chance cannot explain).

    Examples
    --------
    >>> st = {"link_bonus": 0.2, "kin_bonus": 0.2, "cover_bonus": 0.15, "loser_bonus": 0.05,
    ...       "market_discount": 0.15, "small_market": 5, "chance_p": 0.001,
    ...       "market_bonus": 0.1}
    >>> support_score(st, Support(market=4, contracts=4))
    -0.15
    >>> round(support_score(st, Support(ties=[{}], covered=["K1", "K2"], contracts=4,
    ...                                 market=9)), 2)
    0.35
    >>> round(support_score(st, Support(ties=[{}], covered=["K1", "K2"], contracts=4,
    ...                                 market=90, chance=1e-9)), 2)
    0.45
    >>> support_score(st, Support(contracts=4, market=90, chance=1e-9))  # turns alone
    0.0
    """
    add = 0.0
    if s.links:
        add += float(st.get("link_bonus", 0.0))
    if s.ties:
        add += float(st.get("kin_bonus", 0.0))
    if s.cover:
        add += float(st.get("cover_bonus", 0.0))
    if s.losers:
        add += float(st.get("loser_bonus", 0.0))
    if s.market <= int(st.get("small_market", 0)):
        add -= float(st.get("market_discount", 0.0))
    elif s.corroborated and s.chance <= float(st.get("chance_p", 0.0)):
        add += float(st.get("market_bonus", 0.0))
    return add
