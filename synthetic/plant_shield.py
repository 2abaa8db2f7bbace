"""Umbrellas that shield a gang somewhere else than in its own case.

A gang is known from the roles of an organized-crime case (leader and
members). Three kinds of protection are planted around such gangs:

``shield_other_cases``
    An official tied to the gang (the leader's associate, a member's in-law,
    or the brother of a member) acts on three or four *other* criminal cases
    in which a gang member, or a relative of one, is the suspect, and every
    one of them ends favourably (dropped, acquitted or transferred away).
    The official is never tied to a party of the case he acts on: the tie
    runs through the gang.
``shield_business``
    An approver who is the gang leader's associate signs two or three
    awards of his body to a company controlled (legal representative and
    shareholder on the award date) by a gang member or a member's relative.
``outcome_disparity``
    An official with no recorded tie to the gang sees six of seven cases
    against its members or their relatives end favourably, while the 8-10
    other cases planted on him all end in conviction (his ordinary caseload
    comes on top).

Look-alikes: a dropped case handled by a shielding official whose suspect
merely shares a gang member's name (a different person: other birth date
and identity number).

Examples
--------
>>> SHIELD_VARIANTS
('associate', 'in_law', 'sibling')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from synthetic.model import Case, Role
from synthetic.officials import APPROVER_TITLES, CASE_APPROVERS
from synthetic.plant import Network, Planter, adult, man
from synthetic.plant_crime import CrimePlanter
from synthetic.timeline import FIRST, add_days, rand_date

SHIELD_VARIANTS = ("associate", "in_law", "sibling")
#: Where a shielding official sits, his title and the role he takes on a case,
#: with the outcomes a case can have when that role acts on it.
_SEATS: tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...] = (
    ("县公安局", ("民警",), "investigator", ("dropped", "dropped", "transferred")),
    ("县公安局", CASE_APPROVERS["县公安局"], "approver", ("dropped", "transferred", "acquitted")),
    ("县人民检察院", ("检察官",), "prosecutor", ("acquitted", "transferred")),
    ("县人民法院", ("法官",), "judge", ("acquitted",)),
)
_TRIES = 200
_EARLIEST = dt.date(2015, 3, 1)
_SPAN = 1200


class Gang:
    """A gang as its organized-crime case records it."""

    def __init__(self, case: Case, leader: str, members: list[str]) -> None:
        self.case = case
        self.leader = leader
        self.members = members


class ShieldPlanter:
    """Plants the shielding schemes and their namesake look-alikes of one county."""

    def __init__(self, pl: Planter) -> None:
        self.pl = pl
        self.c = pl.c
        self.rng = pl.rng
        self.crime = CrimePlanter(pl)

    # -- building blocks ------------------------------------------------------
    def cast(self, extra: Sequence[str] = ()) -> tuple[str, list[str]]:
        """A fresh gang leader and 4-6 members (plus ``extra`` members)."""
        pl = self.pl
        leader = pl.take(man)
        return leader, [pl.take(man) for _ in range(self.rng.randint(4, 6))] + list(extra)

    def gang(self, day: dt.date, leader: str, members: list[str]) -> Gang:
        """The gang's own organized-crime case, convicted or pending, staffed by clean officials.

        Ties to the gang must be in place before: the case staff is chosen clear of them.
        """
        rng = self.rng
        outcome = rng.choice(("convicted", "convicted", "pending"))
        k, parties = self.crime.gang_case(day, outcome, leader, members)
        if outcome != "pending":
            k.closed = min(add_days(day, rng.randint(200, 500)), dt.date(2025, 12, 1))
        self.crime.staff(k, parties, {})
        return Gang(k, leader, members)

    def seat(self, index: int, lo: dt.date,
             hi: dt.date) -> tuple[str, str, str, tuple[str, ...]]:
        """An official serving over ``lo .. hi`` in a seat: (pid, body, role, outcomes)."""
        body, titles, role, outcomes = _SEATS[index % len(_SEATS)]
        oid = self.crime.agency(body)
        return self.pl.official([oid], titles, lo, hi), oid, role, outcomes

    def seated(self, index: int, scheme: str
               ) -> tuple[dt.date, dt.date, str, str, str, tuple[str, ...]]:
        """A stretch of time and an official (claimed) serving over it in a seat, tried
        from seat ``index`` on: (lo, hi, pid, body, role, outcomes)."""
        for attempt in range(_TRIES):
            lo, hi = self.span()
            official, body, role, outcomes = self.seat(index + attempt // 50, lo, hi)
            if official:
                self.pl.claim(official)
                return lo, hi, official, body, role, outcomes
        raise RuntimeError(f"no official serves long enough for a {scheme} scheme")

    def span(self) -> tuple[dt.date, dt.date]:
        """A stretch of about three years in which the shielded cases fall."""
        lo = rand_date(self.rng, dt.date(2016, 1, 1), dt.date(2019, 12, 31))
        return lo, add_days(lo, _SPAN)

    def gang_day(self, lo: dt.date, after: int) -> dt.date:
        """When the gang's own case opened: up to 600 days before ``lo``, ``after`` days after."""
        return rand_date(self.rng, max(add_days(lo, -600), _EARLIEST), add_days(lo, after))

    def clear_of(self, official: str, pid: str) -> bool:
        """Whether ``pid`` is more than two ties from ``official`` and shares no company."""
        c = self.c
        return pid != official and pid not in c.reach(official, 2) and \
            pid not in c.coholders(official)

    def relative(self, member: str, day: dt.date) -> str:
        """A free relative of a gang member (a new brother when none is free), claimed."""
        pl = self.pl
        k = pl.kin(member, self.rng.choice(("sibling", "child", "spouse")), day) or \
            pl.sibling(member, day, adult, self.rng.choice(("男", "女")))
        pl.claim(k)
        return k

    def case_on(self, official: str, role: str, suspect: str, outcome: str, lo: dt.date,
                hi: dt.date, kind: str = "criminal") -> Case:
        """A case against ``suspect`` opened in ``lo .. hi``; ``official`` takes ``role``."""
        pl, rng = self.pl, self.rng
        opened = rand_date(rng, lo, add_days(hi, -400))
        closed = add_days(opened, rng.randint(90, 380))
        k = pl.casework.case(kind, suspect, outcome, opened, closed)
        pl.mark(k.kid)
        roles = [(suspect, "suspect"), *((pl.take(adult), "victim")
                                         for _ in range(rng.randint(1, 2)))]
        parties = self.crime.parties(k, roles)
        self.crime.staff(k, parties, {role: official})
        return k

    # -- schemes --------------------------------------------------------------
    def other_cases(self, index: int) -> None:
        """An official tied to a gang acts on 3-4 other cases of its members or their kin."""
        pl, c, rng = self.pl, self.c, self.rng
        variant = SHIELD_VARIANTS[index % len(SHIELD_VARIANTS)]
        lo, hi, official, body, role, outcomes = self.seated(index, "shield_other_cases")
        tie_from = add_days(lo, -rng.randint(300, 1500))
        start = tie_from if tie_from >= FIRST else None
        sibling = pl.sibling(official, lo, man) if variant == "sibling" else ""
        if sibling:
            pl.claim(sibling)
        leader, members = self.cast([sibling] if sibling else [])
        if variant == "associate":
            tied = leader
            pl.tie(official, tied, "associate", start)
            how = "associate of the gang leader"
        elif variant == "in_law":
            tied = members[0]
            pl.tie(official, tied, "in_law")
            how = "in-law of a gang member"
        else:
            tied = sibling
            how = "brother of a gang member"
        g = self.gang(self.gang_day(lo, 300), leader, members)
        cases: list[Case] = []
        want = rng.randint(3, 4)
        targets = [m for m in g.members if m != tied]
        rng.shuffle(targets)
        for member in targets:
            if len(cases) >= want:
                break
            suspect = member if len(cases) % 2 == 0 else self.relative(member, lo)
            if self.clear_of(official, suspect):
                cases.append(self.case_on(official, role, suspect, rng.choice(outcomes), lo, hi))
        if len(cases) < 3:
            raise RuntimeError("a shield_other_cases scheme needs three shielded cases")
        parties = [r.party for r in c.case_roles if r.kid in {k.kid for k in cases}
                   and r.role == "suspect"]
        title = pl.post_title(official, body, cases[0].opened)
        pl.scheme("UMB", "shield_other_cases", variant, ["umbrella"], [official],
                  [tied, g.leader, g.case.kid, *(k.kid for k in cases), *parties],
                  f"{pl.who(official)}, {title}, is the {how} of case {g.case.kid}; as "
                  f"{role} {pl.his(official)} cases "
                  + ", ".join(f"{k.kid} ({k.outcome})" for k in cases)
                  + f" against gang members or their relatives ({', '.join(parties)}) all "
                  "ended favourably.")
        pl.networks.append(Network("umbrella_network", list(dict.fromkeys(
            [g.leader, *g.members, official, *parties])), "shield_other_cases"))
        pl.brokers.append(official)
        self.namesake_case(official, role, outcomes, g, lo, hi)

    def business(self, index: int) -> None:
        """The gang leader's associate signs awards to a company a member (or kin) controls."""
        pl, c, rng, m = self.pl, self.c, self.rng, self.pl.market
        variant = ("member", "member_kin")[index % 2]
        ids, _ = m.buyers()
        for _ in range(_TRIES):
            lo, hi = self.span()
            buyer = rng.choice(ids)
            official = pl.official([buyer], APPROVER_TITLES, lo, hi)
            if official:
                break
        else:
            raise RuntimeError("no approver serves long enough for a shield_business scheme")
        pl.claim(official)
        leader, members = self.cast()
        tie_from = add_days(lo, -rng.randint(300, 1500))
        pl.tie(official, leader, "associate", tie_from if tie_from >= FIRST else None)
        g = self.gang(self.gang_day(lo, 600), leader, members)
        member = g.members[0]
        holder = member if variant == "member" else self.relative(member, lo)
        item = rng.choice(m.items_for(buyer))
        est = add_days(lo, -rng.randint(400, 3000))
        w = m.new_company(item.trades[0], est, planted=True)
        start = add_days(lo, -rng.randint(60, 300))
        c.add_role(Role(w.oid, holder, "legal_rep", "", start if start >= FIRST else None, None))
        c.add_role(Role(w.oid, holder, "shareholder", "100", start if start >= FIRST else None,
                        None))
        if not self.clear_of(official, holder):
            raise RuntimeError("a shield_business holder is tied to the approver")
        cids: list[str] = []
        for _ in range(60):
            if len(cids) >= rng.randint(2, 3):
                break
            day = rand_date(rng, lo, hi)
            if pl.conflicts(buyer, day, [holder], official):
                continue
            others = m.pick_bidders(item.trades, day, rng.randint(2, 3))
            if len(others) < 2:
                continue
            k = m.award(buyer, official, w.oid, others, day, "open", item)
            pl.mark(k.cid)
            cids.append(k.cid)
        if len(cids) < 2:
            raise RuntimeError("a shield_business scheme needs two awards")
        noun = "gang member" if variant == "member" else "relative of gang member " + \
            pl.who(member)
        pl.scheme("UMB", "shield_business", variant, ["umbrella"], [official, w.oid],
                  [*cids, holder, member, g.leader, g.case.kid, buyer],
                  f"{pl.who(official)}, associate of the gang leader {pl.who(g.leader)} (case "
                  f"{g.case.kid}), approved {len(cids)} awards of {pl.who(buyer)} "
                  f"({', '.join(cids)}) to {pl.who(w.oid)}, whose legal representative and "
                  f"owner is {pl.who(holder)}, {noun}.")
        pl.networks.append(Network("umbrella_network", list(dict.fromkeys(
            [g.leader, *g.members, official, holder, w.oid])), "shield_business"))
        pl.brokers.append(official)

    def disparity(self, index: int) -> None:
        """No recorded tie: gang cases of one official end favourably, his others convicted."""
        pl, rng = self.pl, self.rng
        lo, hi, official, body, role, outcomes = self.seated(index, "outcome_disparity")
        g = self.gang(self.gang_day(lo, 300), *self.cast())
        # far more often: 6 of 7 gang cases against none of the 8-10 others planted on him
        # (his ordinary caseload, about a third favourable, comes on top), so that a rate
        # test can tell it from chance
        n = 7
        gang_cases: list[Case] = []
        for i in range(n):
            member = g.members[i % len(g.members)]
            suspect = member if i % 2 == 0 else self.relative(member, lo)
            outcome = rng.choice(outcomes) if i else "convicted"
            gang_cases.append(self.case_on(official, role, suspect, outcome, lo, hi))
        own = [self.case_on(official, role, pl.take(adult), "convicted", lo, hi)
               for _ in range(rng.randint(8, 10))]
        good = sum(k.outcome != "convicted" for k in gang_cases)
        title = pl.post_title(official, body, gang_cases[0].opened)
        pl.scheme("UMB", "outcome_disparity", "no_recorded_tie", ["umbrella"], [official],
                  [g.leader, g.case.kid, *(k.kid for k in gang_cases), *(k.kid for k in own)],
                  f"{pl.who(official)}, {title}, acted as {role} on {n} cases against members "
                  f"of the gang of case {g.case.kid} or their relatives; {good} of them ended "
                  f"favourably, while all {len(own)} of {pl.his(official)} other planted cases "
                  "ended in conviction. No tie to the gang is recorded.")

    # -- look-alikes ------------------------------------------------------------
    def namesake_case(self, official: str, role: str, outcomes: Sequence[str], g: Gang,
                      lo: dt.date, hi: dt.date) -> None:
        """A dropped case of the shielding official against a namesake of a gang member."""
        pl, c, rng = self.pl, self.c, self.rng
        member = c.persons[rng.choice([m for m in g.members if self.clear_of(official, m)])]
        homes = [v for v in c.village_ids if v != member.home]
        birth = member.birth.replace(year=min(max(member.birth.year + rng.choice(
            (-9, -6, 5, 8)), 1960), 1997), day=min(member.birth.day, 28))
        twin = pl.fresh(member.surname, "男", birth, rng.choice(homes))
        twin.name = member.name
        k = self.case_on(official, role, twin.pid, rng.choice(outcomes), lo, hi)
        pl.decoy("UMB", "namesake_party", "gang_member_name", ["umbrella"], [official, k.kid],
                 [twin.pid, member.pid, g.case.kid],
                 f"{pl.who(official)} acted as {role} on case {k.kid} ({k.outcome}) against "
                 f"{pl.who(twin.pid)}, who has the name of gang member {pl.who(member.pid)} "
                 f"(case {g.case.kid}) but another birth date and identity number.",
                 "the suspect is a namesake of the gang member, not the gang member")


def plant_shield(pl: Planter, other_cases: int, business: int, disparity: int) -> None:
    """Plant the shielding schemes (each variant at least once) and their namesake look-alikes.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> pl = small_planter()
    >>> plant_shield(pl, other_cases=3, business=2, disparity=1)
    >>> sorted({(d.kind, d.pattern) for d in pl.drafts})
    [('decoy', 'namesake_party'), ('scheme', 'outcome_disparity'),
     ('scheme', 'shield_business'), ('scheme', 'shield_other_cases')]
    """
    sp = ShieldPlanter(pl)
    for i in range(max(other_cases, len(SHIELD_VARIANTS))):
        sp.other_cases(i)
    for i in range(max(business, 2)):
        sp.business(i)
    for i in range(disparity):
        sp.disparity(i)
