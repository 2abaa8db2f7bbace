"""Conflict-of-interest schemes and their look-alikes.

Schemes: an official approves an award to a company in which he himself
(``official_role``) or a relative (``kin_role``, one or two ties away)
holds a role, or his own body buys from a relative's company while a
colleague signs (``body_bought``). Decoys: the relative's role had ended,
the official had left the body, the holder is three ties away, or the
holder merely shares a name with the official's son.

Examples
--------
>>> KIN_VARIANTS[:3]
('spouse', 'child', 'sibling')
"""

from __future__ import annotations

import datetime as dt

from synthetic.catalog import Item
from synthetic.model import Org, Person, Role
from synthetic.officials import APPROVER_TITLES
from synthetic.plant import Planter, adult
from synthetic.timeline import FIRST, add_days, in_force, iso, rand_date

KIN_VARIANTS = ("spouse", "child", "sibling", "parent", "spouse>sibling", "in_law",
                "duplicate")
_NOUN = {"spouse": "spouse", "child": "child", "sibling": "sibling", "parent": "parent",
         "spouse>sibling": "spouse's sibling", "in_law": "in-law", "duplicate": "child"}
_HOLD = ("shareholder", "legal_rep", "director", "beneficial_owner")
_TRIES = 150


def _alive_parent(p: Person) -> bool:
    return p.death is None and p.birth.year >= 1930


class CoiPlanter:
    """Plants the COI schemes and decoys of one county."""

    def __init__(self, pl: Planter) -> None:
        self.pl = pl
        self.c = pl.c
        self.rng = pl.rng

    # -- helpers --------------------------------------------------------------
    def _company(self, item: Item, role_start: dt.date) -> Org:
        est = rand_date(self.rng, dt.date(2005, 1, 1), add_days(role_start, -30))
        return self.pl.market.new_company(item.trades[0], est, planted=True)

    def _roles(self, w: Org, holder: str, role: str, start: dt.date | None,
               end: dt.date | None = None, holder_ref: str = "") -> str:
        """Give ``holder`` a role in ``w``; a front person takes the legal representation."""
        c = self.c
        start = start if start is not None and start >= FIRST else None
        share = str(self.rng.choice((30, 40, 51, 60, 70))) if role == "shareholder" else ""
        c.add_role(Role(w.oid, holder, role, share, start, end, holder_ref))
        front = ""
        if role != "legal_rep" or end is not None:
            front = self.pl.take(adult)
            fstart = start if end is None else add_days(end, 1)
            c.add_role(Role(w.oid, front, "legal_rep", "", fstart, None))
            if role == "shareholder":
                c.add_role(Role(w.oid, front, "shareholder", str(100 - int(share)), fstart,
                                None))
        elif role == "legal_rep":
            c.add_role(Role(w.oid, holder, "shareholder", "100", start, None, holder_ref))
        return front

    def _award(self, buyer: str, approver: str, w: Org, day: dt.date, item: Item) -> str:
        """Award ``item`` to ``w``, with honest co-bidders when there are some."""
        m = self.pl.market
        others = m.pick_bidders(item.trades, day, self.rng.randint(2, 4))
        method = self.rng.choice(("open", "invited")) if others else "direct"
        k = m.award(buyer, approver, w.oid, others, day, method, item)
        self.pl.mark(k.cid)
        return k.cid

    def _kin(self, o: str, variant: str, day: dt.date,
             create: bool = False) -> tuple[str, list[str]]:
        """A relative of ``o`` for ``variant`` and the persons on the path (created if need be)."""
        pl, c, rng = self.pl, self.c, self.rng
        p = c.persons[o]
        if variant in ("spouse", "child", "parent"):
            k = pl.kin(o, variant, day, _alive_parent if variant == "parent" else adult)
            if k or not create:
                return (k, [k]) if k else ("", [])
            if variant == "child" and p.birth.year <= 1972:
                kid = pl.fresh(p.surname, rng.choice(("男", "女")),
                               p.birth.replace(year=p.birth.year + rng.randint(24, 25)), p.home)
                pl.tie(o, kid.pid, "child")
                return kid.pid, [kid.pid]
            if variant == "parent":
                par = pl.fresh(p.surname, "男",
                               p.birth.replace(year=p.birth.year - rng.randint(24, 30)), p.home)
                pl.tie(o, par.pid, "parent")
                return par.pid, [par.pid]
            return "", []
        if variant in ("sibling", "duplicate"):
            k = pl.kin(o, "child", day) if variant == "duplicate" else ""
            k = k or pl.kin(o, "sibling", day)
            if not k:
                sib = pl.fresh(p.surname, self.rng.choice(("男", "女")),
                               p.birth.replace(year=min(p.birth.year + self.rng.choice(
                                   (-4, -2, 2, 3)), 1996), day=min(p.birth.day, 28)), p.home)
                pl.tie(o, sib.pid, "sibling")
                k = sib.pid
            return k, [k]
        if variant == "spouse>sibling":
            s = c.kin_of(o, "spouse", day)
            if not s or c.is_official(s[0]) or not pl.free(s[0]):
                return "", []
            direct = {t.other(o) for t in c.adj.get(o, ())}
            x = pl.kin(s[0], "sibling", day)
            if not x or x in direct:
                sp = c.persons[s[0]]
                sib = pl.fresh(sp.surname, self.rng.choice(("男", "女")),
                               sp.birth.replace(year=min(sp.birth.year + 3, 1996),
                                                day=min(sp.birth.day, 28)), sp.home)
                pl.tie(s[0], sib.pid, "sibling")
                x = sib.pid
            return x, [s[0], x]
        # in_law: a brother- or sister-in-law written directly as in_law
        k = pl.kin(o, "in_law", day)
        if not k:
            spouse = c.kin_of(o, "spouse", day)
            surname = c.persons[spouse[0]].surname if spouse else p.surname
            inlaw = pl.fresh(surname, "男", p.birth.replace(year=min(p.birth.year + 2, 1996),
                                                            day=min(p.birth.day, 28)), p.home)
            pl.tie(o, inlaw.pid, "in_law")
            k = inlaw.pid
        return k, [k]

    # -- schemes ----------------------------------------------------------------
    def official_role(self) -> None:
        """The approving official himself holds a role in the winner."""
        pl, rng = self.pl, self.rng
        for _ in range(_TRIES):
            buyer, day, item = pl.buyer_and_day()
            o = pl.official([buyer], APPROVER_TITLES, day, day)
            if not o or pl.conflicts(buyer, day, [o], o) != {o}:
                continue
            pl.claim(o)
            start = add_days(day, -rng.randint(200, 1500))
            w = self._company(item, start)
            role = rng.choice(("shareholder", "beneficial_owner"))
            front = self._roles(w, o, role, start)
            if pl.conflicts(buyer, day, [o, front], o) != {o}:
                raise RuntimeError("official_role plant conflicts with another official")
            cid = self._award(buyer, o, w, day, item)
            pl.expect.coi[cid] = {o}
            title = pl.post_title(o, buyer, day)
            pl.scheme("COI", "official_role", role, ["conflict_of_interest"], [cid, o],
                      [w.oid, front, buyer],
                      f"{pl.who(o)}, {title} of {pl.who(buyer)}, approved contract {cid} on "
                      f"{iso(day)} awarding it to {pl.who(w.oid)}, in which {pl.his(o)} own "
                      f"role of {role} dates from "
                      f"{iso(start) if start >= FIRST else 'before 2015'}.")
            pl.casework.report(o)
            return
        raise RuntimeError("could not plant an official_role scheme")

    def kin_role(self, variant: str, body: bool = False) -> None:
        """A relative of the official holds a role in the winner; he signs or his body buys."""
        pl, c, rng = self.pl, self.c, self.rng
        for attempt in range(_TRIES):
            buyer, day, item = pl.buyer_and_day()
            titles = None if body else APPROVER_TITLES
            o = pl.official([buyer], titles, day, day)
            if not o:
                continue
            k, path = self._kin(o, variant, day, create=attempt > _TRIES // 2)
            if not k:
                continue
            approver = o
            if body:
                approver = pl.approver(buyer, day, [k, o])
                if not approver or approver == o:
                    continue
            if pl.conflicts(buyer, day, [k], approver) != {o}:
                continue
            pl.claim(o, *path)
            start = add_days(day, -rng.randint(120, 1400))
            w = self._company(item, start)
            role = rng.choice(_HOLD)
            ref = ""
            if variant == "duplicate":
                ref = self.pl.alloc.next_id("P")
                c.persons[k].aliases.append(ref)
            front = self._roles(w, k, role, start, holder_ref=ref)
            holders = [k] + ([front] if front else [])
            if pl.conflicts(buyer, day, holders, approver) != {o}:
                raise RuntimeError(f"kin_role plant ({variant}) conflicts: "
                                   f"{pl.conflicts(buyer, day, holders, approver)} vs {o}")
            cid = self._award(buyer, approver, w, day, item)
            pl.expect.coi[cid] = {o}
            title = pl.post_title(o, buyer, day)
            noun = _NOUN[variant]
            via = f" (through {pl.who(path[0])})" if len(path) > 1 else ""
            signer = "approved" if not body else f"held the post while {pl.who(approver)} approved"
            anchor = [cid, o, k]
            pattern = "body_bought" if body else "kin_role"
            since = iso(start) if start >= FIRST else "before 2015"
            pl.scheme("COI", pattern, variant, ["conflict_of_interest"], anchor,
                      [*path, w.oid, buyer, approver, *([front] if front else [])],
                      f"{pl.who(o)}, {title} of {pl.who(buyer)}, {signer} contract {cid} on "
                      f"{iso(day)}, awarded to {pl.who(w.oid)}, where {pl.his(o)} {noun} "
                      f"{pl.who(k)}{via} has been {role} since {since}.")
            if rng.random() < 0.5:
                pl.casework.report(o)
            return
        raise RuntimeError(f"could not plant a kin_role scheme ({variant})")

    # -- decoys -----------------------------------------------------------------
    def role_ended(self) -> None:
        """The relative's role in the winner ended before the award."""
        pl, rng = self.pl, self.rng
        for _ in range(_TRIES):
            buyer, day, item = pl.buyer_and_day(dt.date(2018, 1, 1))
            o = pl.official([buyer], APPROVER_TITLES, day, day)
            if not o:
                continue
            variant = rng.choice(("spouse", "sibling", "child"))
            k, path = self._kin(o, variant, day)
            if not k:
                continue
            pl.claim(o, *path)
            end = add_days(day, -rng.randint(90, 700))
            start = add_days(end, -rng.randint(300, 1500))
            w = self._company(item, start)
            role = rng.choice(_HOLD)
            front = self._roles(w, k, role, start, end)
            if pl.conflicts(buyer, day, [front], o):
                raise RuntimeError("role_ended decoy conflicts")
            cid = self._award(buyer, o, w, day, item)
            pl.decoy("COI", "role_ended", variant, ["conflict_of_interest"], [cid, o, k],
                     [*path, w.oid, front, buyer],
                     f"{pl.who(o)} approved contract {cid} on {iso(day)} to {pl.who(w.oid)}; "
                     f"{pl.his(o)} {_NOUN[variant]} {pl.who(k)} was {role} there until {iso(end)}.",
                     f"the relative's role ended on {iso(end)}, before the award on {iso(day)}")
            return
        raise RuntimeError("could not plant a role_ended decoy")

    def left_post(self) -> None:
        """The official's relative holds the winner, but the official left the body before."""
        pl, c, rng = self.pl, self.c, self.rng
        ids, _ = pl.market.buyers()
        ended = [p for b in ids for p in c.pos_by_org.get(b, ()) if p.end is not None
                 and p.end < dt.date(2025, 1, 1)]
        rng.shuffle(ended)
        ended.sort(key=lambda p: p.pid not in pl.isolated)
        for post in ended[:_TRIES]:
            if not pl.free(post.pid):
                continue
            buyer = post.oid
            assert post.end is not None
            o = post.pid
            day = add_days(post.end, rng.randint(60, 400))
            if day > dt.date(2025, 10, 1) or any(
                    p.oid == buyer and in_force(p.start, p.end, day)
                    for p in c.pos_by_person[o]):
                continue
            variant = rng.choice(("spouse", "sibling", "child"))
            k, path = self._kin(o, variant, day)
            if not k:
                continue
            approver = pl.approver(buyer, day, [k])
            if not approver or approver == o or pl.conflicts(buyer, day, [k], approver):
                continue
            pl.claim(o, *path)
            item = rng.choice(pl.market.items_for(buyer))
            start = add_days(post.end, -rng.randint(200, 900))
            w = self._company(item, start)
            role = rng.choice(_HOLD)
            front = self._roles(w, k, role, start)
            if pl.conflicts(buyer, day, [k, front], approver):
                raise RuntimeError("left_post decoy conflicts")
            cid = self._award(buyer, approver, w, day, item)
            pl.decoy("COI", "left_post", variant, ["conflict_of_interest"], [cid, o, k],
                     [*path, w.oid, buyer, approver, front],
                     f"{pl.who(o)} held the post of {post.title} at {pl.who(buyer)} until "
                     f"{iso(post.end)}; on {iso(day)} the body awarded contract {cid} to "
                     f"{pl.who(w.oid)}, where {pl.his(o)} {_NOUN[variant]} {pl.who(k)} is "
                     f"{role}.",
                     f"the official had left {c.orgs[buyer].name} on {iso(post.end)}, before "
                     "the award")
            return
        raise RuntimeError("could not plant a left_post decoy")

    def kin_3hops(self) -> None:
        """The holder is three kin ties from the approving official (spouse-sibling-spouse)."""
        pl, c, rng = self.pl, self.c, self.rng
        for _ in range(_TRIES):
            buyer, day, item = pl.buyer_and_day()
            o = pl.official([buyer], APPROVER_TITLES, day, day)
            if not o:
                continue
            s = c.kin_of(o, "spouse", day)
            if not s or c.is_official(s[0]):
                continue
            sp = c.persons[s[0]]
            sib = pl.fresh(sp.surname, "女", sp.birth.replace(year=min(sp.birth.year + 2, 1996),
                                                             day=min(sp.birth.day, 28)), sp.home)
            pl.tie(s[0], sib.pid, "sibling")
            x = pl.fresh(rng.choice(("王", "李", "陈", "赵", "周")), "男",
                         sib.birth.replace(year=sib.birth.year - 2), sib.home)
            pl.tie(sib.pid, x.pid, "spouse")
            pl.claim(o, s[0])
            if x.pid in c.reach(o, 2):
                raise RuntimeError("kin_3hops decoy is closer than three ties")
            start = add_days(day, -rng.randint(200, 1200))
            w = self._company(item, start)
            front = self._roles(w, x.pid, "legal_rep", start)
            if pl.conflicts(buyer, day, [x.pid] + ([front] if front else []), o):
                raise RuntimeError("kin_3hops decoy conflicts")
            cid = self._award(buyer, o, w, day, item)
            pl.decoy("COI", "kin_3hops", "spouse>sibling>spouse", ["conflict_of_interest"],
                     [cid, o, x.pid], [s[0], sib.pid, w.oid, buyer],
                     f"{pl.who(o)} approved contract {cid} on {iso(day)} to {pl.who(w.oid)}, "
                     f"whose legal representative {pl.who(x.pid)} is married to the sister "
                     f"{pl.who(sib.pid)} of {pl.his(o)} spouse {pl.who(s[0])}.",
                     "the holder is three kin ties away, beyond the default of two")
            return
        raise RuntimeError("could not plant a kin_3hops decoy")

    def namesake_son(self) -> None:
        """A shareholder of the winner has the same name as the official's son."""
        pl, c, rng = self.pl, self.c, self.rng
        for _ in range(_TRIES):
            buyer, day, item = pl.buyer_and_day()
            o = pl.official([buyer], APPROVER_TITLES, day, day)
            if not o:
                continue
            sons = [k for k in c.kin_of(o, "child", day) if c.persons[k].gender == "男"]
            if not sons:
                continue
            son = c.persons[sons[0]]
            homes = [v for v in c.village_ids if v != son.home]
            birth = son.birth.replace(year=min(max(son.birth.year + rng.choice((-7, -5, 4, 6)),
                                                   1960), 1997))
            n = pl.fresh(son.surname, "男", birth, rng.choice(homes))
            n.name = son.name
            pl.claim(o, son.pid)
            start = add_days(day, -rng.randint(200, 1500))
            w = self._company(item, start)
            front = self._roles(w, n.pid, "shareholder", start)
            if pl.conflicts(buyer, day, [n.pid, front], o):
                raise RuntimeError("namesake_son decoy conflicts")
            cid = self._award(buyer, o, w, day, item)
            pl.decoy("COI", "namesake_son", "namesake", ["conflict_of_interest"],
                     [cid, o, n.pid], [son.pid, w.oid, front, buyer],
                     f"{pl.who(o)} approved contract {cid} on {iso(day)} to {pl.who(w.oid)}; "
                     f"its shareholder {pl.who(n.pid)} has the same name as {pl.his(o)} son "
                     f"{pl.who(son.pid)} but a different identity number.",
                     "a namesake of the son, not the son: different id_number, no kin tie")
            return
        raise RuntimeError("could not plant a namesake_son decoy")


def plant_coi(pl: Planter, official_role: int, kin_extra: int, body: int,
              decoys: int) -> None:
    """Plant the COI schemes (every kin variant at least once) and decoys.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> pl = small_planter()
    >>> plant_coi(pl, official_role=1, kin_extra=0, body=1, decoys=1)
    >>> sorted({d.pattern for d in pl.drafts})
    ['body_bought', 'kin_3hops', 'kin_role', 'left_post', 'namesake_son', 'official_role',
     'role_ended']
    """
    cp = CoiPlanter(pl)
    for _ in range(official_role):
        cp.official_role()
    variants = list(KIN_VARIANTS) + [pl.rng.choice(KIN_VARIANTS[:4]) for _ in range(kin_extra)]
    for v in variants:
        cp.kin_role(v)
    for _ in range(body):
        cp.kin_role(pl.rng.choice(("spouse", "child", "sibling")), body=True)
    for _ in range(decoys):
        cp.role_ended()
        cp.left_post()
        cp.kin_3hops()
        cp.namesake_son()
