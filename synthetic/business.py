"""Companies, their owners, public contracts and bids.

The :class:`Market` keeps the bookkeeping that keeps the background clean:
every company has its own phone and address, no two co-bidders share a
holder, no pair of companies bids together more than twice, bid prices on
one contract differ by at least half a percent, and every open or invited
award has at least two valid bids.

Examples
--------
>>> import random
>>> from synthetic.alloc import Alloc
>>> from synthetic.model import County
>>> c = County(0, "云溪县", "431221", 1.0, random.Random(0))
>>> m = Market(Alloc(), c)
>>> prices = m.prices(100_000_00, 4)
>>> len(set(prices)) == 4 and all(b >= a * 1.005 for a, b in zip(prices, prices[1:]))
True
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence

from synthetic.alloc import Alloc
from synthetic.catalog import ITEMS_BY_SECTOR, PHASES, RIVERS, TRADES, Item
from synthetic.county import AGENCY_SPEC
from synthetic.model import Bid, Contract, County, Org, Person, Role
from synthetic.names import STREETS, TOWN_SEAT, brand_name
from synthetic.officials import APPROVER_TITLES
from synthetic.pools import Pool
from synthetic.timeline import FIRST, LAST, add_days, rand_date

Pair = tuple[str, str]
PAIR_CAP = 2
_PARKS = ("工业园区创业路", "工业园区兴业大道", "经济开发区科技路", "物流园区")


def pair(a: str, b: str) -> Pair:
    """An unordered pair as a sorted tuple.

    Examples
    --------
    >>> pair("O000002", "O000001")
    ('O000001', 'O000002')
    """
    return (a, b) if a < b else (b, a)


class Market:
    """The county's companies and contracts, with the co-bidding bookkeeping."""

    def __init__(self, alloc: Alloc, c: County) -> None:
        self.alloc = alloc
        self.c = c
        self.rng = c.rng
        self.area = f"07{31 + c.index % 69:02d}"
        self.by_trade: dict[str, list[str]] = {}
        self.pair_count: dict[Pair, int] = {}
        self.forbidden: set[Pair] = set()
        self.addresses: set[str] = set()
        self.schools: list[str] = []
        self.hospitals: list[str] = []

    # -- companies ------------------------------------------------------------
    def address(self) -> str:
        """An unused business address in the county seat or an industrial park."""
        rng, c = self.rng, self.c
        while True:
            where = TOWN_SEAT + rng.choice(STREETS) if rng.random() < 0.7 else \
                rng.choice(_PARKS)
            text = f"{c.name}{where}{rng.randint(1, 400)}号"
            if text not in self.addresses:
                self.addresses.add(text)
                return text + (f",{rng.randint(2, 9)}楼" if rng.random() < 0.02 else "")

    def new_company(self, trade: str, established: dt.date | None = None,
                    planted: bool = False) -> Org:
        """A company with a unique name, credit code, phone and address."""
        rng, c, alloc = self.rng, self.c, self.alloc
        suffixes = TRADES[trade].suffixes
        while True:
            prefix = c.name if rng.random() < 0.8 else ""
            name = f"{prefix}{brand_name(rng)}{rng.choice(suffixes)}"
            if alloc.unique_name(name):
                break
        if established is None:
            established = rand_date(rng, dt.date(1998, 1, 1), dt.date(2023, 6, 30))
        phone = alloc.landline(rng, self.area) if rng.random() < 0.6 else alloc.mobile(rng)
        org = c.add_org(Org(alloc.next_id("O"), name, "company",
                            alloc.credit_code(rng, c.region), "", c.region, self.address(), phone,
                            established, "", trade))
        c.company_ids.append(org.oid)
        if planted:
            c.planted.add(org.oid)
        else:
            self.by_trade.setdefault(trade, []).append(org.oid)
        return org

    def build_companies(self, n: int) -> None:
        """Create ``n`` background companies spread over the trades."""
        keys = list(TRADES)
        weights = [TRADES[k].weight for k in keys]
        for _ in range(n):
            self.new_company(self.rng.choices(keys, weights)[0])

    def assign_holders(self, pool: Pool) -> None:
        """Give every background company its legal representative, shareholders and managers."""
        c, rng = self.c, self.rng

        def adult(p: Person) -> bool:
            return 1950 <= p.birth.year <= 1997 and p.death is None

        companies = [o for trade in sorted(self.by_trade) for o in self.by_trade[trade]]
        for oid in companies:
            org = c.orgs[oid]
            assert org.established is not None
            start = org.established if org.established >= FIRST else None
            people: list[str] = []
            for _ in range(rng.choices((1, 2, 3), (45, 40, 15))[0]):
                pid = pool.take(adult)
                if pid is None:
                    raise RuntimeError("the county has too few free adults to own its companies")
                c.used.add(pid)
                people.append(pid)
            shares = _split_shares(rng, len(people))
            c.add_role(Role(oid, people[0], "legal_rep", "", start, None))
            for pid, share in zip(people, shares, strict=True):
                c.add_role(Role(oid, pid, "shareholder", share, start, None))
            if rng.random() < 0.3:
                extra = pool.take(adult)
                if extra is not None:
                    c.used.add(extra)
                    c.add_role(Role(oid, extra, rng.choice(("manager", "supervisor", "director")),
                                    "", start, None))
            if len(people) > 1 and rng.random() < 0.25:
                c.add_role(Role(oid, people[1], "supervisor", "", start, None))
            if rng.random() < 0.2:
                c.add_role(Role(oid, people[0], "beneficial_owner", "", start, None))
            if rng.random() < 0.12:
                self._share_change(pool, oid, people[-1], adult)
        self._corporate_shareholders(companies)

    def _share_change(self, pool: Pool, oid: str, leaving: str,
                      adult: Callable[[Person], bool]) -> None:
        """A shareholder sells out to a newcomer: one role ends, another begins."""
        c, rng = self.c, self.rng
        roles = [r for r in c.roles_by_company[oid] if r.holder == leaving and
                 r.role == "shareholder"]
        newcomer = pool.take(adult)
        if not roles or newcomer is None:
            return
        c.used.add(newcomer)
        role = roles[0]
        lo = max(FIRST, add_days(role.start, 200) if role.start else FIRST)
        if lo >= dt.date(2025, 1, 1):
            return
        day = rand_date(rng, lo, dt.date(2024, 12, 31))
        role.end = add_days(day, -1)
        c.add_role(Role(oid, newcomer, "shareholder", role.share, day, None))

    def _corporate_shareholders(self, companies: list[str]) -> None:
        """A few companies hold shares in another (and then never bid against it)."""
        c, rng = self.c, self.rng
        parents: set[str] = set()
        for oid in companies:
            if rng.random() >= 0.03:
                continue
            parent = rng.choice(companies)
            if parent == oid or parent in parents or oid in parents or any(
                    r.holder in c.orgs for r in c.roles_by_company.get(parent, ())):
                continue
            parents.add(parent)
            org = c.orgs[oid]
            assert org.established is not None
            start = org.established if org.established >= FIRST else None
            c.add_role(Role(oid, parent, "shareholder", str(rng.choice((10, 15, 20, 30))),
                            start, None))
            self.forbidden.add(pair(oid, parent))

    # -- bids -----------------------------------------------------------------
    def can_cobid(self, chosen: Sequence[str], cand: str) -> bool:
        """Whether ``cand`` may bid alongside every company in ``chosen``."""
        for o in chosen:
            p = pair(o, cand)
            if p in self.forbidden or self.pair_count.get(p, 0) >= PAIR_CAP:
                return False
        return True

    def pick_bidders(self, trades: Sequence[str], day: dt.date, k: int,
                     chosen: Sequence[str] = (), avoid: Sequence[str] = ()) -> list[str]:
        """Up to ``k`` background companies of the trades, founded before ``day``."""
        rng, c = self.rng, self.c
        out = list(chosen)
        cands = [o for t in trades for o in self.by_trade.get(t, ())]
        limit = add_days(day, -60)
        for _ in range(min(len(cands), 8 * k + 20)):
            if len(out) >= k:
                break
            o = rng.choice(cands)
            est = c.orgs[o].established
            if o in out or o in avoid or (est is not None and est > limit):
                continue
            if self.can_cobid(out, o):
                out.append(o)
        return out

    def count_pairs(self, bidders: Sequence[str]) -> None:
        """Record that these companies bid together once more."""
        for i, a in enumerate(bidders):
            for b in bidders[i + 1:]:
                p = pair(a, b)
                self.pair_count[p] = self.pair_count.get(p, 0) + 1

    def prices(self, base: int, n: int, gap: float = 0.005) -> list[int]:
        """``n`` ascending bid prices in fen around ``base``, each at least ``gap`` apart."""
        rng = self.rng
        f = rng.uniform(0.86, 0.97)
        out: list[int] = []
        for _ in range(n):
            cents = round(base * f / 100.0) * 100
            if out and cents < out[-1] * (1 + gap):
                cents = math.ceil(out[-1] * (1 + gap) / 100.0) * 100
            out.append(cents)
            f += rng.uniform(gap * 1.5, 0.05)
        return out

    # -- contracts ----------------------------------------------------------
    def title(self, item: Item, buyer: Org) -> str:
        """A contract title for ``item`` bought by ``buyer``."""
        c, rng = self.c, self.rng
        towns = c.township_ids
        town = c.orgs[buyer.oid].short if buyer.oid in towns else c.orgs[rng.choice(towns)].short
        villages = [v for v in c.village_ids if c.orgs[v].town == buyer.oid] or c.village_ids
        if not self.schools:
            for o in c.orgs.values():
                if o.kind == "other":
                    school = "学" in o.short
                    (self.schools if school else self.hospitals).append(o.short)
        schools, hospitals = self.schools, self.hospitals
        text = item.title.format(
            school=rng.choice(schools).removeprefix("县"), hospital=rng.choice(hospitals)
            .removeprefix("县"), town=town, town2=c.orgs[rng.choice(towns)].short,
            village=c.orgs[rng.choice(villages)].short, street=rng.choice(STREETS),
            river=rng.choice(RIVERS))
        r = rng.random()
        if r < 0.004:
            text += f"\n（{rng.choice(PHASES)}期）"
        elif r < 0.014:
            text += rng.choice((",含附属设施", ",设计施工一体化", ",含三年运维"))
        return text

    def award(self, buyer: str, approver: str, winner: str, others: Sequence[str],
              day: dt.date, method: str, item: Item, *, title: str = "",
              base: int = 0, statuses: dict[str, str] | None = None,
              prices: dict[str, int] | None = None) -> Contract:
        """Create a contract and its bids; the winner's bid is the contract amount.

        Without explicit ``prices`` the winner bids lowest and the others above it,
        at least half a percent apart; ``statuses`` overrides the default 'valid'.
        """
        c, rng = self.c, self.rng
        org = c.orgs[buyer]
        if not base:
            base = rng.randint(item.low // 1000, item.high // 1000) * 1000 * 100
        bidders = [winner, *others]
        if prices is None:
            ladder = self.prices(base, len(bidders))
            prices = dict(zip(bidders, ladder, strict=True))
        statuses = statuses or {}
        k = Contract(self.alloc.next_id("C"), title or self.title(item, org), buyer, approver,
                     winner, prices[winner], day, method, org.sector)
        c.contracts.append(k)
        order = list(bidders)
        rng.shuffle(order)
        for b in order:
            c.add_bid(Bid(k.cid, b, prices[b], statuses.get(b, "valid")))
        self.count_pairs(bidders)
        return k

    def approver(self, buyer: str, day: dt.date, avoid: Sequence[str] = ()) -> str:
        """Someone in post at ``buyer`` on ``day`` who signs awards."""
        posts = [p.pid for p in self.c.in_post(buyer, day)
                 if p.title in APPROVER_TITLES and p.pid not in avoid]
        if not posts:
            posts = [p.pid for p in self.c.in_post(buyer, day) if p.pid not in avoid]
        return self.rng.choice(posts) if posts else ""

    def buyers(self) -> tuple[list[str], list[float]]:
        """Bodies that buy, with how much each buys."""
        c = self.c
        ids: list[str] = []
        weights: list[float] = []
        for short, oid in c.agency_by_short.items():
            w = AGENCY_SPEC[short].buys
            if w > 0:
                ids.append(oid)
                weights.append(w)
        for tid in c.township_ids:
            ids.append(tid)
            weights.append(1.2)
        return ids, weights

    def items_for(self, buyer: str) -> tuple[Item, ...]:
        """What ``buyer`` buys: its sector's items (townships also roads), some general."""
        org = self.c.orgs[buyer]
        own = ITEMS_BY_SECTOR.get(org.sector, ())
        if buyer in self.c.township_ids:
            own = own + ITEMS_BY_SECTOR["infrastructure"][1:2]
        if not own or self.rng.random() < 0.15:
            own = own + ITEMS_BY_SECTOR["other"]
        return own

    def background_contracts(self, n: int) -> None:
        """Create ``n`` clean awards spread over the buying bodies and the years."""
        rng = self.rng
        ids, weights = self.buyers()
        for _ in range(n):
            buyer = rng.choices(ids, weights)[0]
            day = rand_date(rng, FIRST, LAST)
            item = rng.choice(self.items_for(buyer))
            base = rng.randint(item.low // 1000, item.high // 1000) * 1000 * 100
            direct = base < 400_000_00 and rng.random() < 0.45
            method = "direct" if direct else ("open" if rng.random() < 0.7 else "invited")
            k = 1 if direct else rng.randint(3, 6 if method == "open" else 5)
            bidders = self.pick_bidders(item.trades, day, k)
            if not bidders:
                continue
            if len(bidders) < 2:
                method, bidders = "direct", bidders[:1]
            approver = self.approver(buyer, day)
            if not approver:
                continue
            self.competitive(buyer, approver, bidders, day, method, item, base)

    def ensure_quirks(self) -> None:
        """Make sure a few background titles hold a comma and one an embedded newline."""
        rng = self.rng
        own = [k for k in self.c.contracts if k.cid not in self.c.planted]
        if own and not any("\n" in k.title for k in own):
            rng.choice(own).title += f"\n（{rng.choice(PHASES)}期）"
        if own and not any("," in k.title for k in own):
            rng.choice(own).title += ",含附属设施"

    def competitive(self, buyer: str, approver: str, bidders: list[str], day: dt.date,
                    method: str, item: Item, base: int) -> Contract:
        """An award to the lowest valid bid; now and then a loser is disqualified or withdraws."""
        rng = self.rng
        ladder = self.prices(base, len(bidders))
        statuses: dict[str, str] = {}
        order = list(bidders)
        rng.shuffle(order)
        prices = dict(zip(order, ladder, strict=True))
        winner = order[0]
        if len(order) >= 4 and rng.random() < 0.12:
            # the cheapest bid is disqualified; the next one wins
            statuses[order[0]] = "disqualified"
            winner = order[1]
        elif len(order) >= 4 and rng.random() < 0.06:
            statuses[order[-1]] = "withdrawn"
        others = [b for b in order if b != winner]
        return self.award(buyer, approver, winner, others, day, method, item, base=base,
                          statuses=statuses, prices=prices)


def _split_shares(rng: random.Random, n: int) -> list[str]:
    """Percentages summing to 100 for ``n`` shareholders."""
    if n == 1:
        return ["100"]
    if n == 2:
        a = rng.choice((51, 55, 60, 65, 70, 80, 90))
        return [str(a), str(100 - a)]
    a = rng.choice((40, 45, 50, 60))
    b = rng.choice((20, 25, 30))
    return [str(a), str(b), str(100 - a - b)]
