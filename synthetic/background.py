"""The innocent background: what real data holds that looks like a pattern and is not.

Each kind is recorded in the truth as a look-alike (a decoy) in the category
a rule could wrongly flag it in, so that evaluation measures precision too:

``kin_firm_elsewhere`` (conflict_of_interest)
    A close relative of an official owns a firm that wins contracts, but
    never from a body the official serves in.
``small_market`` (collusion)
    A specialised item one body buys now and then: the same 3-4 firms are the
    only bidders and each wins by chance. No shared identifiers, no kin, and
    the losing bids lie 3-15% above the winner.
``switchboard_phone`` (collusion)
    An agent (bookkeeping firm, park service centre) registers 12-30 unrelated
    firms under its own phone; two of them once bid on the same tender.
``agency_account`` (subsidy_fraud)
    A welfare home's or a township's collective account receives one program's
    payments for 60-150 unrelated recipients.
``dropped_no_tie`` (umbrella)
    A gang member, or a relative of one, is the suspect of a later criminal
    case dropped for want of evidence; nobody acting on it is tied to the gang.

Namesakes come with the shielding schemes (:mod:`synthetic.plant_shield`) and
from the name generator itself (the truth's ``namesakes``).

Examples
--------
>>> counts(Rates(), companies=900, payments=12_000, cases=200)
{'kin_firms': 27, 'small_markets': 3, 'switchboards': 1, 'agency_accounts': 1, 'dropped_cases': 4}
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from synthetic.business import pair
from synthetic.catalog import PROGRAMS
from synthetic.model import Person, Role
from synthetic.plant import Planter, adult
from synthetic.plant_col import ColPlanter
from synthetic.plant_shield import ShieldPlanter
from synthetic.timeline import FIRST, add_days, iso, rand_date

_TRIES = 200


@dataclass(frozen=True)
class Rates:
    """How much innocent background a county gets; every kind appears at least once.

    The defaults are judgements, sized to stay a few percent of each table:

    ``kin_firms`` = 0.03 of companies are run by an official's close relative
    (spouse, child, sibling or parent). A county with ~850 officials and ~10
    close relatives each has more kin in business than that; 3% is a low guess.
    ``small_market_firms`` = 0.012 of companies sit in a specialised market of
    3-4 firms (about three such markets per 900 companies).
    ``switchboard_firms`` = 0.02 of companies are registered at an agent's
    phone (one switchboard of 12-30 firms per 900 companies; agents in a
    county seat serve dozens).
    ``agency_payments`` = 0.01 of payments go into a collective account
    (60-150 recipients each, so one account per county of reference size).
    ``dropped_cases`` = 0.02 of cases are a gang member's (or relative's)
    later case dropped with no tie (case-withdrawal rates for lack of
    evidence run to several percent of criminal cases; a judgement).
    """

    kin_firms: float = 0.03
    small_market_firms: float = 0.012
    switchboard_firms: float = 0.02
    agency_payments: float = 0.01
    dropped_cases: float = 0.02

    def scaled(self, factor: float) -> Rates:
        """Every rate times ``factor`` (0 turns the background off, except one of each kind).

        Examples
        --------
        >>> Rates().scaled(2).kin_firms
        0.06
        """
        return Rates(**{k: v * factor for k, v in asdict(self).items()})


def counts(rates: Rates, companies: int, payments: int, cases: int) -> dict[str, int]:
    """How many of each background kind a county of these sizes gets (at least one).

    Examples
    --------
    >>> counts(Rates(), companies=180, payments=2_400, cases=40)["small_markets"]
    1
    """
    def k(x: float) -> int:
        return max(1, round(x))
    return {"kin_firms": k(rates.kin_firms * companies),
            "small_markets": k(rates.small_market_firms * companies / 3.5),
            "switchboards": k(rates.switchboard_firms * companies / 21),
            "agency_accounts": k(rates.agency_payments * payments / 105),
            "dropped_cases": k(rates.dropped_cases * cases)}


class BackgroundPlanter:
    """Plants the innocent look-alikes of one county."""

    def __init__(self, pl: Planter) -> None:
        self.pl = pl
        self.c = pl.c
        self.rng = pl.rng
        self.col = ColPlanter(pl)
        self.shield = ShieldPlanter(pl)
        self.phones: set[str] = set()
        self.officials = sorted(pl.isolated)

    def kin_firm(self) -> None:
        """An official's relative runs a firm that wins only from other bodies."""
        pl, c, rng, m = self.pl, self.c, self.rng, self.pl.market
        for _ in range(_TRIES):
            o = rng.choice(self.officials)
            day = rand_date(rng, dt.date(2016, 1, 1), dt.date(2025, 6, 30))
            relation = rng.choice(("spouse", "child", "sibling", "parent"))
            kin = pl.kin(o, relation, day) if pl.free(o) else ""
            if kin:
                break
        else:
            raise RuntimeError("no official with a free relative for a kin_firm_elsewhere decoy")
        pl.claim(o, kin)
        bodies = {p.oid for p in c.pos_by_person[o]}
        ids, weights = m.buyers()
        item = rng.choice(m.items_for(rng.choice([b for b in ids if b not in bodies])))
        est = add_days(day, -rng.randint(400, 3000))
        w = m.new_company(item.trades[0], est, planted=True)
        start = est if est >= FIRST else None
        c.add_role(Role(w.oid, kin, "legal_rep", "", start, None))
        c.add_role(Role(w.oid, kin, "shareholder", "100", start, None))
        cids: list[str] = []
        want = rng.choice((1, 1, 2, 3))
        for _ in range(40):
            if len(cids) >= want:
                break
            buyer = rng.choices(ids, weights)[0]
            when = rand_date(rng, max(add_days(est, 90), dt.date(2016, 1, 1)),
                             dt.date(2025, 6, 30))
            approver = pl.approver(buyer, when, [kin])
            if buyer in bodies or not approver or pl.conflicts(buyer, when, [kin], approver):
                continue
            others = m.pick_bidders(item.trades, when, rng.randint(2, 4))
            k = m.award(buyer, approver, w.oid, others, when, "open" if others else "direct",
                        item)
            pl.mark(k.cid)
            cids.append(k.cid)
        noun = {"spouse": "spouse", "child": "child", "sibling": "sibling",
                "parent": "parent"}[relation]
        pl.decoy("COI", "kin_firm_elsewhere", relation, ["conflict_of_interest"], [o, w.oid],
                 [kin, *cids],
                 f"{pl.who(kin)}, {pl.his(o)} {noun} of {pl.who(o)}, runs {pl.who(w.oid)}, "
                 f"which won {len(cids)} contract(s) ({', '.join(cids) or 'none'}), none from a "
                 "body the official serves in.",
                 "the relative's firm never deals with the official's body")

    def small_market(self) -> None:
        """3-4 firms are the only bidders on one body's specialised item and win by chance."""
        pl, c, rng, m = self.pl, self.c, self.rng, self.pl.market
        ids, weights = m.buyers()
        buyer = rng.choices(ids, weights)[0]
        item = rng.choice(m.items_for(buyer))
        first = dt.date(rng.randint(2016, 2020), rng.randint(1, 12), rng.randint(1, 28))
        n = rng.randint(3, 4)
        firms = [self.col.firm(item.trades[0], first).oid for _ in range(n)]
        holders = [h for w in firms for h in c.holders(w)]
        cids: list[str] = []
        winners: list[str] = []
        day = first
        target = rng.randint(5, 8)
        for _ in range(60):
            if len(cids) >= target or day > dt.date(2025, 10, 31):
                break
            approver = pl.approver(buyer, day, holders)
            if not approver:
                day = add_days(day, 30)
                continue
            winner = rng.choice(firms)
            base = rng.randint(item.low // 1000, item.high // 1000) * 1000 * 100
            low = round(base * rng.uniform(0.85, 0.97) / 100) * 100
            prices = {winner: low}
            ups = rng.sample(range(30, 160, 15), n - 1)
            rest = [w for w in firms if w != winner]
            for w, up in zip(rest, ups, strict=True):
                prices[w] = round(low * (1 + up / 1000) / 100) * 100
            k = m.award(buyer, approver, winner, rest, day, rng.choice(("open", "invited")),
                        item, prices=prices)
            pl.mark(k.cid)
            cids.append(k.cid)
            winners.append(winner)
            day = add_days(day, rng.randint(120, 400))
        self.col.ring(firms)
        won = {w: winners.count(w) for w in firms}
        pl.decoy("COL", "small_market", f"{n}_firms", ["collusion"], firms, [*cids, buyer],
                 f"{', '.join(pl.who(w) for w in firms)} are the only bidders on the "
                 f"{len(cids)} tenders of {pl.who(buyer)} for one specialised item from "
                 f"{iso(first)}; wins by firm: {', '.join(str(v) for v in won.values())}.",
                 "a small market: the few firms able to supply the item meet every time and "
                 "win by chance; no shared identifier, no kin, losing bids 3-15% above")

    def switchboard(self) -> None:
        """12-30 unrelated firms registered at one agent's phone; two once co-bid."""
        pl, c, rng, m = self.pl, self.c, self.rng, self.pl.market
        # firms that already bid somewhere keep their own phone: their tenders are settled
        busy = {b.bidder for bids in c.bids_by_contract.values() for b in bids}
        for _ in range(_TRIES):
            buyer, day, item = pl.buyer_and_day()
            same = [o for t in item.trades for o in m.by_trade.get(t, ())
                    if (c.orgs[o].established or FIRST) < add_days(day, -60)
                    and c.orgs[o].phone not in self.phones and o not in busy]
            approver = pl.approver(buyer, day, [])
            if len(same) >= 4 and approver:
                break
        else:
            raise RuntimeError("no market for a switchboard_phone decoy")
        a, b = rng.sample(same, 2)
        rest = [o for t in sorted(m.by_trade) for o in m.by_trade[t]
                if o not in (a, b) and c.orgs[o].phone not in self.phones and o not in busy]
        group = [a, b, *rng.sample(rest, min(len(rest), rng.randint(10, 28)))]
        phone = pl.alloc.landline(rng, m.area)
        self.phones.add(phone)
        for o in group:
            c.orgs[o].phone = phone
        for i, x in enumerate(group):
            for y in group[i + 1:]:
                m.forbidden.add(pair(x, y))
        others = m.pick_bidders(item.trades, day, rng.randint(1, 3), avoid=group)
        base = rng.randint(item.low // 1000, item.high // 1000) * 1000 * 100
        k = m.competitive(buyer, approver, [a, b, *others], day, "open", item, base)
        pl.mark(k.cid)
        pl.expect.col_shared.add((k.cid, pair(a, b)))
        pl.decoy("COL", "switchboard_phone", f"{len(group)}_orgs", ["collusion"], [a, b, k.cid],
                 [o for o in group if o not in (a, b)],
                 f"{pl.who(a)} and {pl.who(b)} both bid on contract {k.cid} of {pl.who(buyer)} "
                 f"({iso(day)}); their phone {phone} is an agent's switchboard shared by "
                 f"{len(group)} unrelated firms.",
                 f"the phone is shared by {len(group)} unrelated firms: it links nobody")

    def agency_account(self) -> None:
        """A collective account receives one program's payments for 60-150 recipients."""
        pl, c, rng = self.pl, self.c, self.rng
        program = PROGRAMS["城乡居民养老金"]
        day = rand_date(rng, dt.date(2016, 1, 1), dt.date(2025, 6, 30))
        payer = c.agency_by_short[program.payer]

        def fits(p: Person) -> bool:
            return p.age(day) >= program.min_age and (p.death is None or
                                                       p.death > add_days(day, 60))
        recipients: list[str] = []
        for _ in range(rng.randint(60, 150)):
            pid = pl.pool.take(lambda p: pl.free(p.pid) and fits(p))
            if pid is None:
                break
            c.planted.add(pid)
            recipients.append(pid)
        if len(recipients) < 30:
            raise RuntimeError("too few free elderly persons for an agency_account decoy")
        acct = pl.alloc.account(rng)
        pmids: list[str] = []
        for r in recipients:
            when = add_days(day, rng.randint(0, 20))
            pmids += [pm.pmid for pm in pl.welfare.series(r, program, 1, when, payer=payer,
                                                           account=acct)]
        pl.expect.shared_accounts.add(acct)
        pl.mark(*pmids)
        pl.decoy("SUB", "agency_account", f"{len(recipients)}_recipients", ["subsidy_fraud"],
                 pmids, [*recipients, payer],
                 f"Bank account {acct} of a welfare home received {program.name} for "
                 f"{len(recipients)} residents from {pl.who(payer)} around {iso(day)}.",
                 "a collective account of an institution paying many residents, not a hidden "
                 "collector")

    def dropped_case(self, variant: str) -> None:
        """A gang member's (or a relative's) later criminal case is dropped; nobody is tied."""
        pl, rng = self.pl, self.rng
        sp = self.shield
        day = rand_date(rng, dt.date(2015, 6, 1), dt.date(2021, 6, 30))
        g = sp.gang(day, *sp.cast())
        member = rng.choice(g.members)
        suspect = member if variant == "member" else sp.relative(member, day)
        lo = add_days(day, rng.randint(100, 900))
        opened = rand_date(rng, lo, add_days(lo, 300))
        k = pl.casework.case("criminal", suspect, "dropped", opened,
                             add_days(opened, rng.randint(60, 300)))
        pl.mark(k.kid)
        parties = sp.crime.parties(k, [(suspect, "suspect"), (pl.take(adult), "victim")])
        staff = sp.crime.staff(k, parties, {})
        noun = "gang member" if variant == "member" else "relative of gang member " + \
            pl.who(member)
        pl.decoy("UMB", "dropped_no_tie", variant, ["umbrella"], [k.kid],
                 [suspect, member, g.case.kid, *staff],
                 f"Case {k.kid} against {pl.who(suspect)}, {noun} (case {g.case.kid}), was "
                 f"dropped on {iso(k.closed)}; no official acting on it is tied to the gang.",
                 "dropped for want of evidence: nobody acting on the case is tied to the gang")


def plant_background(pl: Planter, n: dict[str, int]) -> None:
    """Plant ``n[kind]`` look-alikes of each background kind (see :func:`counts`).

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> pl = small_planter()
    >>> plant_background(pl, counts(Rates(), 108, 1_440, 24))
    >>> sorted({d.pattern for d in pl.drafts})
    ['agency_account', 'dropped_no_tie', 'kin_firm_elsewhere', 'small_market', 'switchboard_phone']
    """
    bp = BackgroundPlanter(pl)
    for _ in range(n["kin_firms"]):
        bp.kin_firm()
    for _ in range(n["small_markets"]):
        bp.small_market()
    for _ in range(n["switchboards"]):
        bp.switchboard()
    for i in range(max(2, n["dropped_cases"])):
        bp.dropped_case(("member", "kin")[i % 2])
    for _ in range(n["agency_accounts"]):
        bp.agency_account()
