"""Umbrella networks, recusal problems, and their look-alikes.

An umbrella network is a gang (leader, his brother, members), its sand,
entertainment and construction companies winning public contracts, and
officials who shield it: a deputy police chief who is the leader's
associate and secretly co-owns the gang's construction firm (he approves
the dropping of one case and signs off another that ends in acquittal, and
his bureau buys from the firm), a police officer whose relative is in the
gang, a judge who is the leader's associate.

Examples
--------
>>> REC_VARIANTS
('in_law', 'associate', 'co_owner')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from operator import ne

from synthetic.catalog import ITEMS
from synthetic.model import Case, Role
from synthetic.officials import CASE_APPROVERS, CASE_STAFF
from synthetic.plant import Network, Planter, adult, man
from synthetic.timeline import FIRST, LAST, add_days, iso, rand_date

REC_VARIANTS = ("in_law", "associate", "co_owner")
_TRIES = 200
_BODY = {"organized_crime": "县公安局", "criminal": "县公安局",
         "corruption": "县纪律检查委员会", "disciplinary": "县纪律检查委员会"}
_ITEM_SAND = next(i for i in ITEMS if i.title.startswith("公路养护砂石"))
_ITEM_POLICE = next(i for i in ITEMS if "派出所" in i.title)
_ITEM_ROAD = next(i for i in ITEMS if i.title.startswith("{village}道路硬化"))


def _start(d: dt.date) -> dt.date | None:
    return d if d >= FIRST else None


class CrimePlanter:
    """Plants the UMB and REC schemes, networks and decoys of one county."""

    def __init__(self, pl: Planter) -> None:
        self.pl = pl
        self.c = pl.c
        self.rng = pl.rng

    # -- helpers --------------------------------------------------------------
    def agency(self, short: str) -> str:
        """The org id of a county body."""
        return self.c.agency_by_short[short]

    def staff(self, k: Case, parties: Sequence[str], fixed: dict[str, str]) -> list[str]:
        """Give case ``k`` its officials: ``fixed`` ones, the rest clean of every party."""
        cw, rng = self.pl.casework, self.rng
        body = _BODY[k.kind]
        avoid = list(fixed.values())
        added: list[str] = []

        def put(role: str, short: str, titles: tuple[str, ...]) -> None:
            if role in fixed:
                cw.role(k, fixed[role], role)
                added.append(fixed[role])
                return
            cands = cw.staff(short, titles, k, parties, avoid + added)
            if cands:
                cw.role(k, cands[0], role)
                added.append(cands[0])

        put("investigator", body, (CASE_STAFF[body],))
        if "approver" in fixed or rng.random() < 0.7:
            put("approver", body, CASE_APPROVERS[body])
        if k.outcome in ("convicted", "acquitted", "transferred") and k.kind != "disciplinary":
            put("prosecutor", "县人民检察院", ("检察官",))
        if k.outcome in ("convicted", "acquitted") and k.kind != "disciplinary":
            put("judge", "县人民法院", ("法官",))
        return added

    def parties(self, k: Case, roles: Sequence[tuple[str, str]]) -> list[str]:
        """Register party roles; returns the party ids."""
        for pid, role in roles:
            self.pl.casework.role(k, pid, role)
        return [p for p, _ in roles]

    def gang_case(self, day: dt.date, outcome: str, leader: str, members: Sequence[str],
                  victims: int = 2) -> tuple[Case, list[str]]:
        """An organized-crime case against a gang, with victims and a complainant."""
        pl = self.pl
        k = pl.casework.case("organized_crime", leader, outcome, day)
        pl.mark(k.kid)
        vic = [pl.take(adult) for _ in range(victims)]
        roles = [(leader, "gang_leader"), *((m, "gang_member") for m in members),
                 *((v, "victim") for v in vic)]
        if vic:
            roles.append((vic[0], "complainant"))
        return k, self.parties(k, roles)

    def case_window(self, lo: dt.date, hi: dt.date, min_len: int,
                    max_len: int) -> tuple[dt.date, dt.date]:
        """Opening and closing dates of a case opened in ``lo .. hi``."""
        opened = rand_date(self.rng, lo, hi)
        return opened, min(add_days(opened, self.rng.randint(min_len, max_len)), LAST)

    # -- the umbrella network ---------------------------------------------------
    def network(self, index: int) -> None:
        """Plant one gang with its companies, contracts, cases and protectors."""
        pl, c, rng = self.pl, self.c, self.rng
        police, court = self.agency("县公安局"), self.agency("县人民法院")
        for _ in range(_TRIES):
            d1, c1 = self.case_window(dt.date(2016, 3, 1), dt.date(2019, 3, 1), 150, 400)
            d2, c2 = self.case_window(add_days(c1, 200), add_days(c1, 600), 200, 500)
            if c2 >= dt.date(2025, 6, 1):
                continue
            broker = pl.official([police], CASE_APPROVERS["县公安局"], add_days(d1, -400), c2)
            cop = pl.official([police], ("民警",), d1, c1, partial(ne, broker))
            judge = pl.official([court], ("法官",), d2, c2)
            if broker and cop and judge:
                break
        else:
            raise RuntimeError("no officials serve long enough for an umbrella network")
        pl.claim(broker, cop, judge)
        leader = pl.take(man)
        brother = pl.sibling(leader, d1, man)
        pl.claim(brother)
        members = [brother] + [pl.take(man) for _ in range(rng.randint(4, 8))]
        # the police officer's relative in the gang
        kin_variant = ("sibling", "in_law")[index % 2]
        relative = pl.sibling(cop, d1, man) if kin_variant == "sibling" else ""
        path: list[str] = []
        if relative:
            pl.claim(relative)
        else:
            kin_variant = "in_law"
            relative = pl.take(man)
            pl.tie(cop, relative, "in_law", None, None)
        path.append(relative)
        members.append(relative)
        for m in members[1:3]:
            pl.tie(leader, m, "associate", _start(add_days(d1, -rng.randint(400, 2500))))
        pl.tie(broker, leader, "associate", _start(add_days(d1, -rng.randint(500, 2000))))
        pl.tie(judge, leader, "associate", _start(add_days(d2, -rng.randint(300, 2000))))
        # the gang's companies
        market = pl.market
        sand = market.new_company("sand", rand_date(rng, dt.date(2006, 1, 1), dt.date(2014, 6, 30)),
                             planted=True)
        fun = market.new_company("entertainment", rand_date(rng, dt.date(2008, 1, 1),
                                                       dt.date(2015, 6, 30)), planted=True)
        build = market.new_company("construction", rand_date(rng, dt.date(2008, 1, 1),
                                                        dt.date(2014, 12, 31)), planted=True)
        assert sand.established and fun.established and build.established
        c.add_role(Role(sand.oid, brother, "legal_rep", "", _start(sand.established), None))
        c.add_role(Role(sand.oid, brother, "shareholder", "40", _start(sand.established), None))
        c.add_role(Role(sand.oid, leader, "shareholder", "60", _start(sand.established), None))
        c.add_role(Role(fun.oid, members[1], "legal_rep", "", _start(fun.established), None))
        c.add_role(Role(fun.oid, members[1], "shareholder", "100", _start(fun.established),
                        None))
        c.add_role(Role(fun.oid, leader, "beneficial_owner", "", _start(fun.established), None))
        c.add_role(Role(build.oid, members[2], "legal_rep", "", _start(build.established),
                        None))
        c.add_role(Role(build.oid, members[2], "shareholder", "60", _start(build.established),
                        None))
        c.add_role(Role(build.oid, leader, "shareholder", "40", _start(build.established),
                        None))
        co_start = add_days(d1, -rng.randint(300, 1000))
        c.add_role(Role(build.oid, broker, "beneficial_owner", "", _start(co_start), None))
        # cases
        k1, p1 = self.gang_case(d1, "dropped", leader, members)
        k1.closed = c1
        self.staff(k1, p1, {"investigator": cop, "approver": broker})
        k2, p2 = self.gang_case(d2, "acquitted", leader, members[:4])
        k2.closed = c2
        self.staff(k2, p2, {"judge": judge, "approver": broker})
        cases = [k1, k2]
        if c2 < dt.date(2024, 1, 1) and rng.random() < 0.7:
            d3, c3 = self.case_window(add_days(c2, 120), dt.date(2025, 3, 1), 150, 300)
            k3, p3 = self.gang_case(d3, "convicted", leader, members)
            k3.closed = c3
            self.staff(k3, p3, {})
            cases.append(k3)
        pl.expect.cases[k1.kid] = {broker, cop}
        pl.expect.cases[k2.kid] = {broker, judge}
        # contracts won by the gang's firms
        self.gang_contracts(sand.oid, build.oid, broker, co_start)
        # records
        cats = ["umbrella", "recusal"]
        for k in (k1, k2):
            pl.scheme("UMB", "protector", "associate+co_owner", cats, [broker, k.kid],
                      [leader, build.oid, members[2]],
                      f"{pl.who(broker)}, {pl.post_title(broker, police, k.opened)} of the "
                      f"county police, signed off case {k.kid} '{k.title}' (opened "
                      f"{iso(k.opened)}, {k.outcome}) against {pl.who(leader)}, {pl.his(broker)} "
                      f"associate and partner in {pl.who(build.oid)}, of which the official has "
                      f"been beneficial owner since {iso(co_start)}.")
        noun = "brother" if kin_variant == "sibling" else "in-law"
        pl.scheme("UMB", "protector", kin_variant, cats, [cop, k1.kid], [relative, leader],
                  f"Police officer {pl.who(cop)} investigated case {k1.kid} '{k1.title}' "
                  f"(opened {iso(d1)}, dropped {iso(c1)}), in which {pl.his(cop)} {noun} "
                  f"{pl.who(relative)} is a gang member.")
        pl.scheme("UMB", "protector", "associate", cats, [judge, k2.kid], [leader],
                  f"Judge {pl.who(judge)} tried case {k2.kid} '{k2.title}' (opened {iso(d2)}, "
                  f"acquitted {iso(c2)}) against {pl.who(leader)}, a known associate.")
        members_all = [leader, *members, sand.oid, fun.oid, build.oid, broker, cop, judge,
                       *path]
        pl.networks.append(Network("umbrella_network", list(dict.fromkeys(members_all)),
                                   "protector"))
        pl.brokers.append(broker)
        for subject in (leader, leader, broker, sand.oid):
            pl.casework.report(subject, rand_date(rng, d1, LAST),
                               "person" if subject == leader else "")

    def gang_contracts(self, sand: str, build: str, broker: str, co_start: dt.date) -> list[str]:
        """Sand supply and road works for the gang's firms; a police job signed by the broker."""
        pl, c, rng = self.pl, self.c, self.rng
        m = pl.market
        out: list[str] = []
        transport = self.agency("县交通运输局")
        holders_sand = c.holders(sand)
        for _ in range(rng.randint(2, 3)):
            for _ in range(50):
                day = rand_date(rng, dt.date(2016, 1, 1), dt.date(2025, 6, 30))
                approver = pl.approver(transport, day, holders_sand)
                if approver and not pl.conflicts(transport, day, holders_sand, approver):
                    others = m.pick_bidders(_ITEM_SAND.trades, day, rng.randint(2, 3))
                    k = m.award(transport, approver, sand, others, day,
                                "open" if others else "direct", _ITEM_SAND)
                    pl.mark(k.cid)
                    out.append(k.cid)
                    break
        police = self.agency("县公安局")
        holders_build = c.holders(build)
        for _ in range(50):
            day = rand_date(rng, max(add_days(co_start, 60), dt.date(2016, 1, 1)),
                            dt.date(2025, 6, 30))
            if not any(p.pid == broker for p in c.in_post(police, day)):
                continue
            if pl.conflicts(police, day, holders_build, broker) != {broker}:
                continue
            others = m.pick_bidders(_ITEM_POLICE.trades, day, rng.randint(2, 3))
            k = m.award(police, broker, build, others, day, "invited" if others else "direct",
                        _ITEM_POLICE)
            pl.mark(k.cid)
            pl.expect.coi[k.cid] = {broker}
            out.append(k.cid)
            pl.scheme("COI", "official_role", "beneficial_owner", ["conflict_of_interest"],
                      [k.cid, broker], [build, police],
                      f"{pl.who(broker)} approved contract {k.cid} of the county police on "
                      f"{iso(day)} to {pl.who(build)}, of which the official has been "
                      f"beneficial owner since {iso(co_start)}.")
            break
        town = rng.choice(c.township_ids)
        for _ in range(50):
            day = rand_date(rng, dt.date(2016, 1, 1), dt.date(2025, 6, 30))
            approver = pl.approver(town, day, holders_build)
            if approver and not pl.conflicts(town, day, holders_build, approver):
                others = m.pick_bidders(_ITEM_ROAD.trades, day, rng.randint(2, 4))
                k = m.award(town, approver, build, others, day, "open" if others else "direct",
                            _ITEM_ROAD)
                pl.mark(k.cid)
                out.append(k.cid)
                break
        return out

    # -- recusal ------------------------------------------------------------------
    def tied_official(self, variant: str) -> None:
        """A case official tied to a party of the same (non-gang) case."""
        pl, c, rng = self.pl, self.c, self.rng
        kind = {"in_law": "disciplinary", "associate": "criminal",
                "co_owner": "corruption"}[variant]
        for _ in range(_TRIES):
            opened, closed = self.case_window(dt.date(2016, 1, 1), dt.date(2024, 6, 30), 120,
                                              500)
            body = _BODY[kind]
            if variant == "associate":
                official = pl.official([self.agency("县人民检察院")], ("检察官",), opened, closed)
                role = "prosecutor"
            else:
                official = pl.official([self.agency(body)], (CASE_STAFF[body],), opened, closed)
                role = "investigator"
            if not official:
                continue
            suspect = ""
            if variant == "in_law":
                v = rng.choice(c.village_ids)
                suspect = pl.official([v], ("村支书", "村委会主任"), opened, opened)
                if not suspect:
                    continue
            break
        else:
            raise RuntimeError(f"could not plant a tied_official scheme ({variant})")
        pl.claim(official)
        roles: list[tuple[str, str]] = []
        if variant == "in_law":
            pl.claim(suspect)
            pl.tie(official, suspect, "in_law")
            roles = [(suspect, "suspect"), (pl.take(adult), "complainant")]
            outcome = rng.choice(("sanctioned", "dropped"))
            how = f"is written as {pl.his(official)} in-law"
        elif variant == "associate":
            suspect = pl.take(man)
            pl.tie(official, suspect, "associate",
                   _start(add_days(opened, -rng.randint(300, 2000))))
            roles = [(suspect, "suspect"), (pl.take(adult), "victim")]
            outcome = "convicted"
            how = f"is {pl.his(official)} known associate"
        else:
            suspect = pl.take(adult)
            w = pl.market.new_company("services", rand_date(rng, dt.date(2008, 1, 1),
                                                            add_days(opened, -400)),
                                      planted=True)
            co = add_days(opened, -rng.randint(200, 900))
            c.add_role(Role(w.oid, suspect, "legal_rep", "", _start(co), None))
            c.add_role(Role(w.oid, suspect, "shareholder", "70", _start(co), None))
            c.add_role(Role(w.oid, official, "shareholder", "30", _start(co), None))
            officials = list(c.pos_by_person)
            bribed = rng.choice([o for o in officials if pl.free(o) and o in pl.isolated]
                                or officials)
            pl.claim(bribed)
            roles = [(bribed, "suspect"), (suspect, "suspect")]
            outcome = "transferred"
            how = f"co-owns {pl.who(w.oid)} with the official"
        k = pl.casework.case(kind, roles[0][0], outcome, opened, closed)
        pl.mark(k.kid)
        ids = self.parties(k, roles)
        self.staff(k, ids, {role: official})
        pl.expect.cases[k.kid] = {official}
        pl.scheme("REC", "tied_official", variant, ["recusal"], [official, k.kid],
                  [suspect],
                  f"{pl.who(official)} acted as {role} on case {k.kid} '{k.title}' (opened "
                  f"{iso(opened)}), although the suspect {pl.who(suspect)} {how}.")

    # -- decoys ---------------------------------------------------------------------
    def small_gang(self, day: dt.date, outcome: str,
                   extra: Sequence[str] = ()) -> tuple[Case, list[str]]:
        """A small gang case with fresh parties."""
        pl = self.pl
        leader = pl.take(man)
        members = [pl.take(man) for _ in range(self.rng.randint(2, 3))] + list(extra)
        return self.gang_case(day, outcome, leader, members)

    def victim_tie(self) -> None:
        """An officer investigates a gang whose victim is his relative (recusal, not umbrella)."""
        pl, rng = self.pl, self.rng
        police = self.agency("县公安局")
        for _ in range(_TRIES):
            opened, closed = self.case_window(dt.date(2016, 1, 1), dt.date(2024, 6, 30), 150,
                                              500)
            cop = pl.official([police], ("民警",), opened, closed)
            if not cop:
                continue
            relative = pl.kin(cop, rng.choice(("sibling", "child", "parent")), opened,
                              lambda p: p.death is None) or pl.sibling(cop, opened)
            break
        else:
            raise RuntimeError("could not plant a victim_tie decoy")
        pl.claim(cop, relative)
        k, parties = self.small_gang(opened, "convicted")
        k.closed = closed
        self.parties(k, [(relative, "victim")])
        parties.append(relative)
        self.staff(k, parties, {"investigator": cop})
        pl.expect.cases[k.kid] = {cop}
        text = (f"Police officer {pl.who(cop)} investigated gang case {k.kid} '{k.title}' "
                f"(opened {iso(opened)}), in which {pl.his(cop)} relative {pl.who(relative)} is a "
                f"victim.")
        pl.decoy("UMB", "victim_tie", "kin", ["umbrella"], [cop, k.kid], [relative], text,
                 "the relative is a victim, not a gang member: no protection of the gang "
                 "(but a recusal issue, planted as a REC scheme)")
        pl.scheme("REC", "tied_official", "victim_kin", ["recusal"], [cop, k.kid], [relative],
                  text)

    def tie_ended(self, variant: str) -> None:
        """A case official's tie to a gang member ended before the case opened."""
        pl, c, rng = self.pl, self.c, self.rng
        for _ in range(_TRIES):
            opened, closed = self.case_window(dt.date(2018, 1, 1), dt.date(2024, 6, 30), 150,
                                              500)
            body, titles, role = rng.choice((("县公安局", ("民警",), "investigator"),
                                             ("县人民检察院", ("检察官",), "prosecutor"),
                                             ("县人民法院", ("法官",), "judge")))
            official = pl.official([self.agency(body)], titles, opened, closed)
            if official:
                break
        else:
            raise RuntimeError("could not plant a tie_ended decoy")
        pl.claim(official)
        member = pl.take(man)
        end = add_days(opened, -rng.randint(200, 900))
        start = _start(add_days(end, -rng.randint(400, 2000)))
        if variant == "associate":
            pl.tie(official, member, "associate", start, end)
            how = f"was {pl.his(official)} associate until {iso(end)}"
        else:
            w = pl.market.new_company("trading", rand_date(rng, dt.date(2006, 1, 1),
                                                           dt.date(2014, 12, 31)), planted=True)
            c.add_role(Role(w.oid, member, "legal_rep", "", start, None))
            c.add_role(Role(w.oid, member, "shareholder", "80", start, None))
            c.add_role(Role(w.oid, official, "shareholder", "20", start, end))
            how = f"co-owned {pl.who(w.oid)} with the official until {iso(end)}"
        outcome = rng.choice(("convicted", "acquitted", "convicted"))
        k, parties = self.small_gang(opened, outcome, [member])
        k.closed = closed
        self.staff(k, parties, {role: official})
        pl.decoy("UMB", "tie_ended", variant, ["umbrella", "recusal"], [official, k.kid],
                 [member],
                 f"{pl.who(official)} acted as {role} on gang case {k.kid} (opened "
                 f"{iso(opened)}); gang member {pl.who(member)} {how}.",
                 f"the tie ended on {iso(end)}, before the case opened on {iso(opened)}")

    def other_case(self) -> None:
        """An officer's relative is in a gang whose case he does not handle."""
        pl = self.pl
        police = self.agency("县公安局")
        for _ in range(_TRIES):
            opened, closed = self.case_window(dt.date(2016, 1, 1), dt.date(2024, 6, 30), 150,
                                              500)
            cop = pl.official([police], ("民警",), opened, closed)
            if not cop:
                continue
            relative = pl.kin(cop, "child", opened, man) or pl.sibling(cop, opened, man)
            break
        else:
            raise RuntimeError("could not plant an other_case decoy")
        pl.claim(cop, relative)
        handled, p1 = self.small_gang(opened, "convicted")
        handled.closed = closed
        self.staff(handled, p1, {"investigator": cop})
        day2, close2 = self.case_window(dt.date(2016, 1, 1), dt.date(2024, 6, 30), 150, 500)
        other, p2 = self.small_gang(day2, "convicted", [relative])
        other.closed = close2
        self.staff(other, p2, {})
        pl.decoy("UMB", "other_case", "sibling", ["umbrella", "recusal"], [cop, relative],
                 [handled.kid, other.kid],
                 f"Police officer {pl.who(cop)} investigated gang case {handled.kid}; "
                 f"{pl.his(cop)} relative {pl.who(relative)} is a member of another gang "
                 f"(case {other.kid}), a case the officer did not handle.",
                 "the official and the relative are on different cases")


def plant_crime(pl: Planter, networks: int, rec: int, decoys: int) -> None:
    """Plant umbrella networks, recusal schemes and their decoys.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> pl = small_planter()
    >>> plant_crime(pl, networks=1, rec=3, decoys=1)
    >>> sorted({(d.family, d.pattern) for d in pl.drafts if d.kind == "scheme"})
    [('COI', 'official_role'), ('REC', 'tied_official'), ('UMB', 'protector')]
    >>> len(pl.brokers)
    1
    """
    cp = CrimePlanter(pl)
    for i in range(networks):
        cp.network(i)
    for i in range(max(rec, len(REC_VARIANTS))):
        cp.tied_official(REC_VARIANTS[i % len(REC_VARIANTS)])
    for i in range(decoys):
        cp.victim_tie()
        cp.tie_ended(("associate", "co_owner")[i % 2])
        cp.other_case()
    if decoys == 1:
        cp.tie_ended("co_owner")
