"""Collusion (bid-rigging) schemes and their look-alikes.

Schemes: co-bidders sharing a phone, an address, a legal representative or
a shareholder; a ring of firms taking turns to win one body's tenders; an
open tender with a single valid bid; two valid bids with the same price.
Decoys: firms sharing a phone that never meet in a tender, prices that are
close but not equal, a single bid on a direct award, an equal price on a
withdrawn bid.

Examples
--------
>>> SHARED_VARIANTS
('phone', 'address', 'legal_rep', 'shareholder')
"""

from __future__ import annotations

import datetime as dt

from synthetic.business import pair
from synthetic.catalog import Item
from synthetic.checks import shared_contacts
from synthetic.model import Org, Role
from synthetic.plant import Network, Planter, adult
from synthetic.timeline import FIRST, add_days, iso

SHARED_VARIANTS = ("phone", "address", "legal_rep", "shareholder")
#: Identifiers a firm of a shared-identifier ring shares with an earlier member.
LINKS = ("phone", "address", "legal_rep")
_TRIES = 100


class ColPlanter:
    """Plants the COL schemes and decoys of one county."""

    def __init__(self, pl: Planter) -> None:
        self.pl = pl
        self.c = pl.c
        self.rng = pl.rng

    def ring(self, firms: list[str]) -> None:
        """Record every pair of ``firms`` as one ring (the truth's pairs) and keep the
        market from pairing them again by chance."""
        for i, a in enumerate(firms):
            for b in firms[i + 1:]:
                self.pl.expect.ring_pairs.add(pair(a, b))
                self.pl.market.forbidden.add(pair(a, b))

    def cover_prices(self, item: Item, winner: str, rest: list[str], least: float,
                     most: float) -> dict[str, int]:
        """A ring's prices on one tender, in fen: the winner's 88-97% of a price drawn
        from the item's range, each of the ``rest`` a distinct cover bid between
        ``least`` and ``most`` above it."""
        rng = self.rng
        base = rng.randint(item.low // 1000, item.high // 1000) * 1000 * 100
        low = round(base * rng.uniform(0.88, 0.97) / 100) * 100
        cover = sorted({round(low * (1 + rng.uniform(least, most)) / 100) * 100
                        for _ in range(4 * (len(rest) + 1))} - {low})
        return {winner: low, **dict(zip(rest, rng.sample(cover, len(rest)), strict=True))}

    def firm(self, trade: str, day: dt.date, legal: str = "", holder: str = "") -> Org:
        """A planted company founded before ``day`` with its own legal rep and shareholders."""
        pl, c, rng = self.pl, self.c, self.rng
        est = add_days(day, -rng.randint(400, 4000))
        w = pl.market.new_company(trade, est, planted=True)
        start = est if est >= FIRST else None
        rep = legal or pl.take(adult)
        c.add_role(Role(w.oid, rep, "legal_rep", "", start, None))
        if holder:
            c.add_role(Role(w.oid, rep, "shareholder", "60", start, None))
            c.add_role(Role(w.oid, holder, "shareholder", "40", start, None))
        else:
            c.add_role(Role(w.oid, rep, "shareholder", "100", start, None))
        return w

    def setting(self, lo: dt.date = dt.date(2016, 1, 1)) -> tuple[str, dt.date, Item, str]:
        """A buyer, a day, an item and a clean approver."""
        pl = self.pl
        for _ in range(_TRIES):
            buyer, day, item = pl.buyer_and_day(lo)
            approver = pl.approver(buyer, day, [])
            if approver:
                return buyer, day, item, approver
        raise RuntimeError("no body with a signing official")

    # -- schemes ----------------------------------------------------------------
    def shared_contact(self, variant: str) -> None:
        """Two co-bidders share a phone, an address, a legal rep or a shareholder."""
        pl, c, rng, m = self.pl, self.c, self.rng, self.pl.market
        buyer, day, item, _ = self.setting()
        trade = item.trades[0]
        shared = pl.take(adult) if variant in ("legal_rep", "shareholder") else ""
        x = self.firm(trade, day, legal=shared if variant == "legal_rep" else "",
                      holder=shared if variant == "shareholder" else "")
        y = self.firm(trade, day, legal=shared if variant == "legal_rep" else "",
                      holder=shared if variant == "shareholder" else "")
        if variant == "phone":
            y.phone = x.phone
            what = f"phone {x.phone}"
        elif variant == "address":
            y.address = x.address
            what = f"address {x.address}"
        else:
            what = f"{variant.replace('_', ' ')} {pl.who(shared)}"
        others = m.pick_bidders(item.trades, day, rng.randint(1, 3))
        holders = c.holders(x.oid) + c.holders(y.oid)
        approver = pl.approver(buyer, day, holders)
        if not approver:
            raise RuntimeError("no clean approver for a shared_contact scheme")
        winner = x.oid if rng.random() < 0.5 or not others else others[0]
        rest = [b for b in (x.oid, y.oid, *others) if b != winner]
        k = m.award(buyer, approver, winner, rest, day, "open", item)
        pl.mark(k.cid)
        pl.expect.col_shared.add((k.cid, pair(x.oid, y.oid)))
        m.forbidden.add(pair(x.oid, y.oid))
        pl.scheme("COL", "shared_contact", variant, ["collusion"], [x.oid, y.oid, k.cid],
                  [buyer, *([shared] if shared else [])],
                  f"{pl.who(x.oid)} and {pl.who(y.oid)}, which share the {what}, both bid on "
                  f"contract {k.cid} of {pl.who(buyer)} awarded on {iso(day)}.")

    def rotation(self) -> None:
        """A ring of 3-4 firms bids together on one body's tenders and takes turns winning;
        the losers place cover bids 0.4-2.5% above the winner (bid rotation comes with cover
        bidding: the losers' bids are there to be lost)."""
        pl, c, rng, m = self.pl, self.c, self.rng, self.pl.market
        ids, weights = m.buyers()
        buyer = rng.choices(ids, weights)[0]
        items = [i for i in m.items_for(buyer) if "construction" in i.trades] or \
            list(m.items_for(buyer))
        item = rng.choice(items)
        first = dt.date(rng.randint(2016, 2021), rng.randint(1, 12), rng.randint(1, 28))
        n = rng.randint(3, 4)
        ring = [self.firm(item.trades[0], first) for _ in range(n)]
        ring_ids = [w.oid for w in ring]
        holders = [h for w in ring_ids for h in c.holders(w)]
        contracts: list[str] = []
        day = first
        target = rng.randint(4, 6)
        for _ in range(40):
            if len(contracts) >= target or day > dt.date(2025, 10, 31):
                break
            approver = pl.approver(buyer, day, holders)
            if not approver:
                day = add_days(day, 30)
                continue
            winner = ring_ids[len(contracts) % n]
            rest = [b for b in ring_ids if b != winner]
            prices = self.cover_prices(item, winner, rest, 0.004, 0.025)
            k = m.award(buyer, approver, winner, rest, day, rng.choice(("open", "invited")),
                        item, prices=prices)
            pl.mark(k.cid)
            contracts.append(k.cid)
            day = add_days(day, rng.randint(60, 200))
        if len(contracts) < 4:
            raise RuntimeError("a bid-rigging ring needs at least four contracts")
        self.ring(ring_ids)
        reps = [c.holders(w)[0] for w in ring_ids]
        pl.scheme("COL", "rotation", f"{n}_firms", ["collusion"], ring_ids, [*contracts, buyer],
                  f"{', '.join(pl.who(w) for w in ring_ids)} bid together on {len(contracts)} "
                  f"contracts of {pl.who(buyer)} from {iso(first)} and took turns winning, "
                  "the losers bidding 0.4-2.5% above the winner.")
        pl.networks.append(Network("bid_rigging_ring", ring_ids + reps, "rotation"))

    def shared_ring(self) -> None:
        """A ring of 3-5 firms linked by shared identifiers co-bids, with cover bids just above.

        Each firm after the first shares one identifier with an earlier one
        (phone, address or legal representative), so the ring is one connected
        group; every ring firm bids on each of 4-6 tenders of one or two bodies,
        one of them wins (now in turn, now the same firm again) and the others
        bid 0.3-1.5% above the winner.
        """
        pl, c, rng, m = self.pl, self.c, self.rng, self.pl.market
        ids, weights = m.buyers()
        b0 = rng.choices(ids, weights)[0]
        peers = [b for b in ids if b != b0 and c.orgs[b].sector == c.orgs[b0].sector]
        buyers = [b0, *rng.sample(peers, min(1, len(peers)))]
        item = rng.choice(m.items_for(b0))
        first = dt.date(rng.randint(2016, 2021), rng.randint(1, 12), rng.randint(1, 28))
        n = rng.randint(3, 5)
        ring = [self.firm(item.trades[0], first)]
        links: list[str] = []
        shared_people: list[str] = []
        for _ in range(n - 1):
            to = rng.choice(ring)
            how = rng.choice(LINKS)
            if how == "legal_rep":
                rep = c.holders(to.oid)[0]
                w = self.firm(item.trades[0], first, legal=rep)
                shared_people.append(rep)
                links.append(f"{pl.who(to.oid)} and {pl.who(w.oid)}: legal representative "
                             f"{pl.who(rep)}")
            else:
                w = self.firm(item.trades[0], first)
                if how == "phone":
                    w.phone = to.phone
                else:
                    w.address = to.address
                links.append(f"{pl.who(to.oid)} and {pl.who(w.oid)}: {how} "
                             f"{getattr(to, how)}")
            ring.append(w)
        ring_ids = [w.oid for w in ring]
        holders = [h for w in ring_ids for h in c.holders(w)]
        contracts: list[str] = []
        day = first
        target = rng.randint(4, 6)
        winner = rng.choice(ring_ids)
        for _ in range(40):
            if len(contracts) >= target or day > dt.date(2025, 10, 31):
                break
            buyer = rng.choice(buyers)
            approver = pl.approver(buyer, day, holders)
            if not approver:
                day = add_days(day, 30)
                continue
            if rng.random() < 0.6:
                winner = ring_ids[(ring_ids.index(winner) + 1) % n]
            rest = [b for b in ring_ids if b != winner]
            prices = self.cover_prices(item, winner, rest, 0.003, 0.015)
            k = m.award(buyer, approver, winner, rest, day, rng.choice(("open", "invited")),
                        item, prices=prices)
            pl.mark(k.cid)
            contracts.append(k.cid)
            pl.expect.col_shared.update((k.cid, p) for p in shared_contacts(c, k))
            day = add_days(day, rng.randint(60, 240))
        if len(contracts) < 4:
            raise RuntimeError("a shared-identifier ring needs at least four contracts")
        self.ring(ring_ids)
        reps = list(dict.fromkeys(c.holders(w)[0] for w in ring_ids))
        pl.scheme("COL", "shared_ring", f"{n}_firms", ["collusion"], ring_ids,
                  [*contracts, *buyers, *shared_people],
                  f"{n} firms linked by shared identifiers ({'; '.join(links)}) bid together on "
                  f"{len(contracts)} contracts ({', '.join(contracts)}); the losing ring members "
                  "bid 0.3-1.5% above the winner each time.")
        pl.networks.append(Network("bid_rigging_ring", ring_ids + reps, "shared_ring"))

    def single_bid(self) -> None:
        """An open or invited tender with one valid bid (the others disqualified or withdrawn)."""
        pl, rng, m = self.pl, self.rng, self.pl.market
        for _ in range(_TRIES):
            buyer, day, item, approver = self.setting()
            bidders = m.pick_bidders(item.trades, day, rng.randint(1, 3))
            if bidders:
                break
        else:
            raise RuntimeError("no bidder for a single_bid scheme")
        winner, rest = bidders[0], bidders[1:]
        statuses = {b: rng.choice(("disqualified", "withdrawn")) for b in rest}
        method = rng.choice(("open", "invited"))
        k = m.award(buyer, approver, winner, rest, day, method, item, statuses=statuses)
        pl.mark(k.cid)
        pl.expect.single_bid.add(k.cid)
        pl.scheme("COL", "single_bid", method, ["collusion"], [k.cid], [buyer, winner],
                  f"Contract {k.cid} of {pl.who(buyer)} ({method} tender, {iso(day)}) had a "
                  f"single valid bid, from {pl.who(winner)}.")

    def identical_prices(self) -> None:
        """Two valid losing bids with exactly the same price."""
        pl, rng, m = self.pl, self.rng, self.pl.market
        for _ in range(_TRIES):
            buyer, day, item, approver = self.setting()
            bidders = m.pick_bidders(item.trades, day, rng.randint(3, 5))
            if len(bidders) >= 3:
                break
        else:
            raise RuntimeError("too few bidders for an identical_prices scheme")
        base = rng.randint(item.low // 1000, item.high // 1000) * 1000 * 100
        ladder = m.prices(base, len(bidders))
        prices = dict(zip(bidders, ladder, strict=True))
        prices[bidders[2]] = prices[bidders[1]]
        k = m.award(buyer, approver, bidders[0], bidders[1:], day, "open", item, prices=prices)
        pl.mark(k.cid)
        pl.expect.identical.add(k.cid)
        pl.scheme("COL", "identical_prices", "", ["collusion"], [k.cid],
                  [buyer, bidders[1], bidders[2]],
                  f"On contract {k.cid} of {pl.who(buyer)} ({iso(day)}), {pl.who(bidders[1])} and "
                  f"{pl.who(bidders[2])} both bid exactly {prices[bidders[1]] / 100:.2f} yuan.")

    # -- decoys -------------------------------------------------------------------
    def shared_phone_apart(self) -> None:
        """Two firms share a phone but never bid on the same contract."""
        pl, rng, m = self.pl, self.rng, self.pl.market
        buyer, day, item, approver = self.setting()
        x = self.firm(item.trades[0], day)
        y = self.firm(item.trades[0], day)
        y.phone = x.phone
        m.forbidden.add(pair(x.oid, y.oid))
        cids = []
        for w in (x, y):
            buyer, day, item, approver = self.setting()
            others = m.pick_bidders(item.trades, day, rng.randint(2, 3))
            k = m.award(buyer, approver, w.oid, others, day, "open" if others else "direct",
                        item)
            pl.mark(k.cid)
            cids.append(k.cid)
        pl.decoy("COL", "shared_phone_apart", "phone", ["collusion"], [x.oid, y.oid], cids,
                 f"{pl.who(x.oid)} and {pl.who(y.oid)} share the phone {x.phone} but bid on "
                 f"different contracts ({', '.join(cids)}).",
                 "the two firms never bid on the same contract")

    def near_identical(self) -> None:
        """Two valid bids a few yuan apart."""
        pl, rng, m = self.pl, self.rng, self.pl.market
        for _ in range(_TRIES):
            buyer, day, item, approver = self.setting()
            bidders = m.pick_bidders(item.trades, day, rng.randint(3, 5))
            if len(bidders) >= 3:
                break
        else:
            raise RuntimeError("too few bidders for a near_identical decoy")
        base = rng.randint(item.low // 1000, item.high // 1000) * 1000 * 100
        ladder = m.prices(base, len(bidders))
        prices = dict(zip(bidders, ladder, strict=True))
        prices[bidders[2]] = prices[bidders[1]] + rng.choice((100, 500, 1000, 5000))
        k = m.award(buyer, approver, bidders[0], bidders[1:], day, "open", item, prices=prices)
        pl.mark(k.cid)
        a, b = prices[bidders[1]], prices[bidders[2]]
        pl.decoy("COL", "near_identical", "", ["collusion"], [k.cid], [bidders[1], bidders[2]],
                 f"On contract {k.cid}, {pl.who(bidders[1])} bid {a / 100:.2f} and "
                 f"{pl.who(bidders[2])} {b / 100:.2f} yuan.",
                 "the prices are close but not identical")

    def direct_single(self) -> None:
        """A direct award with its single bid."""
        pl, m = self.pl, self.pl.market
        for _ in range(_TRIES):
            buyer, day, item, approver = self.setting()
            bidders = m.pick_bidders(item.trades, day, 1)
            if bidders:
                break
        else:
            raise RuntimeError("no bidder for a direct_single decoy")
        base = min(item.high, 380_000) // 1000 * 1000 * 100
        k = m.award(buyer, approver, bidders[0], [], day, "direct", item, base=base)
        pl.mark(k.cid)
        pl.decoy("COL", "direct_single", "", ["collusion"], [k.cid], [bidders[0], buyer],
                 f"Contract {k.cid} of {pl.who(buyer)} was awarded directly to "
                 f"{pl.who(bidders[0])} on {iso(day)} with a single bid.",
                 "a direct award has one bid by nature; single-bid is a red flag only for "
                 "open or invited tenders")

    def withdrawn_identical(self) -> None:
        """A withdrawn bid has the same price as a valid one."""
        pl, rng, m = self.pl, self.rng, self.pl.market
        for _ in range(_TRIES):
            buyer, day, item, approver = self.setting()
            bidders = m.pick_bidders(item.trades, day, rng.randint(3, 5))
            if len(bidders) >= 3:
                break
        else:
            raise RuntimeError("too few bidders for a withdrawn_identical decoy")
        base = rng.randint(item.low // 1000, item.high // 1000) * 1000 * 100
        ladder = m.prices(base, len(bidders))
        prices = dict(zip(bidders, ladder, strict=True))
        prices[bidders[2]] = prices[bidders[1]]
        k = m.award(buyer, approver, bidders[0], bidders[1:], day, "open", item, prices=prices,
                    statuses={bidders[2]: "withdrawn"})
        pl.mark(k.cid)
        pl.decoy("COL", "withdrawn_identical", "", ["collusion"], [k.cid],
                 [bidders[1], bidders[2]],
                 f"On contract {k.cid}, the withdrawn bid of {pl.who(bidders[2])} equals the "
                 f"valid bid of {pl.who(bidders[1])}.",
                 "one of the two equal bids was withdrawn")


def plant_col(pl: Planter, shared: int, rings: int, single: int, identical: int,
              decoys: int, shared_rings: int = 0) -> None:
    """Plant the COL schemes (every shared-contact variant at least once) and decoys.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> pl = small_planter()
    >>> plant_col(pl, shared=4, rings=1, single=1, identical=1, decoys=1)
    >>> len([d for d in pl.drafts if d.kind == "scheme"]), len(pl.networks)
    (7, 1)
    """
    cp = ColPlanter(pl)
    for i in range(max(shared, len(SHARED_VARIANTS))):
        cp.shared_contact(SHARED_VARIANTS[i % len(SHARED_VARIANTS)])
    for _ in range(rings):
        cp.rotation()
    for _ in range(shared_rings):
        cp.shared_ring()
    for _ in range(single):
        cp.single_bid()
    for _ in range(identical):
        cp.identical_prices()
    for _ in range(decoys):
        cp.shared_phone_apart()
        cp.near_identical()
        cp.direct_single()
        cp.withdrawn_identical()
