"""Posts: who holds which office where, and how holders change over the years.

Every post (slot) is filled on every day of the data window. Holders
change now and then; a third of the changes in county and township bodies
are transfers, so one position row ends the day before another begins.
Officials come from a limited set of "official families" (a brother or a
daughter of an official is often an official too).

Examples
--------
>>> import random
>>> from synthetic.alloc import Alloc
>>> from synthetic.county import build_bodies
>>> from synthetic.families import build_families
>>> from synthetic.model import County
>>> from synthetic.timeline import FIRST, LAST
>>> a, c = Alloc(), County(0, "云溪县", "431221", 0.1, random.Random(0))
>>> build_bodies(a, c)
>>> _ = build_families(a, c, 2000)
>>> build_posts(c)
>>> police = c.agency_by_short["县公安局"]
>>> all(len([p for p in c.in_post(police, d) if p.title == "局长"]) == 1
...     for d in (FIRST, LAST))
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from synthetic.model import County, Person, Position
from synthetic.timeline import add_days, rand_date

# (title, count at the reference size, leader?)
_STAFF: dict[str, tuple[tuple[str, int, bool], ...]] = {
    "县人民政府": (("县长", 1, True), ("副县长", 3, True)),
    "县纪律检查委员会": (("书记", 1, True), ("副书记", 1, True), ("纪检监察员", 8, False)),
    "县公安局": (("局长", 1, True), ("副局长", 3, True), ("民警", 24, False)),
    "县人民检察院": (("检察长", 1, True), ("副检察长", 1, True), ("检察官", 9, False)),
    "县人民法院": (("院长", 1, True), ("副院长", 1, True), ("法官", 9, False)),
}
_AGENCY = (("局长", 1, True), ("副局长", 2, True), ("科长", 2, False))
_TOWN = (("党委书记", 1, True), ("{head}长", 1, True), ("副{head}长", 2, True))
_VILLAGE = (("村支书", 1, True), ("村委会主任", 1, True))
#: Titles that sign contract awards.
APPROVER_TITLES = frozenset({"局长", "副局长", "县长", "副县长", "检察长", "副检察长", "院长",
                             "副院长", "镇长", "副镇长", "乡长", "副乡长", "党委书记", "书记",
                             "副书记"})
#: Titles that sign subsidy payments.
PAYMENT_TITLES = frozenset({"村支书", "村委会主任", "科长", "副局长"})
#: Case-handling titles per body: (investigator, prosecutor, judge) and approvers.
CASE_STAFF = {"县公安局": "民警", "县人民检察院": "检察官", "县人民法院": "法官",
              "县纪律检查委员会": "纪检监察员"}
CASE_APPROVERS = {"县公安局": ("局长", "副局长"), "县人民检察院": ("检察长", "副检察长"),
                  "县人民法院": ("院长", "副院长"), "县纪律检查委员会": ("书记", "副书记")}


@dataclass
class Slot:
    """One post at one organization; ``current`` is its open position row."""

    org: str
    title: str
    leader: bool
    village: bool
    current: Position


class _Supply:
    """Hands out future officials, preferring the families of existing ones."""

    def __init__(self, c: County) -> None:
        self.c = c
        self.taken: set[str] = set()
        self.by_home: dict[str, list[str]] = {}
        self.gov_lineages: list[int] = []
        self.members: dict[int, list[str]] = {}
        for p in c.persons.values():
            if self._eligible(p):
                self.by_home.setdefault(p.home, []).append(p.pid)
                lin = c.lineage_of.get(p.pid)
                if lin is not None:
                    self.members.setdefault(lin, []).append(p.pid)
        self.seat = c.township_ids[0]
        self.homes = sorted(self.by_home)

    @staticmethod
    def _eligible(p: Person) -> bool:
        return 1962 <= p.birth.year <= 1993 and p.death is None

    def _claim(self, pid: str) -> str:
        self.taken.add(pid)
        lin = self.c.lineage_of.get(pid)
        if lin is not None and lin not in self.gov_lineages:
            self.gov_lineages.append(lin)
        return pid

    def take(self, home: str | None) -> str:
        """An unused eligible person (living in ``home`` when given)."""
        rng = self.c.rng
        if home is None and self.gov_lineages and rng.random() < 0.4:
            lin = rng.choice(self.gov_lineages)
            free = [p for p in self.members.get(lin, ()) if p not in self.taken]
            if free:
                return self._claim(rng.choice(free))
        for _ in range(40):
            h = home if home is not None else (self.seat if rng.random() < 0.5
                                               else rng.choice(self.homes))
            pool = self.by_home.get(h, [])
            while pool:
                pid = pool.pop(rng.randrange(len(pool)))
                if pid not in self.taken:
                    return self._claim(pid)
            if home is not None:
                home = None
        raise RuntimeError("the county has too few adults to fill its posts")


def _slots(c: County) -> list[tuple[str, str, bool, bool]]:
    f = c.fraction
    out: list[tuple[str, str, bool, bool]] = []
    for short, oid in c.agency_by_short.items():
        for title, n, leader in _STAFF.get(short, _AGENCY):
            count = 1 if n == 1 else max(1 if leader else 2, round(n * f))
            if short in CASE_STAFF and n > 1:
                count = max(2 if leader else (8 if short == "县公安局" else 5), count)
            out += [(oid, title, leader, False)] * count
    for tid in c.township_ids:
        head = "乡" if c.orgs[tid].short.endswith("乡") else "镇"
        for title, n, leader in _TOWN:
            count = 1 if n == 1 else max(1, round(n * f))
            out += [(tid, title.format(head=head), leader, False)] * count
    for vid in c.village_ids:
        out += [(vid, t, True, True) for t, _, _ in _VILLAGE]
    return out


def build_posts(c: County) -> None:
    """Fill every post of the county's bodies from 2015 to 2025, with changes and transfers.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> c = small_planter().c
    >>> ended = [p for p in c.positions if p.end is not None]
    >>> moved = [p for p in ended if len(c.pos_by_person[p.pid]) > 1]
    >>> len(ended) > 10, len(moved) > 0
    (True, True)
    """
    rng = c.rng
    supply = _Supply(c)
    slots: list[Slot] = []
    for oid, title, leader, village in _slots(c):
        home = oid if village else None
        pid = supply.take(home)
        slots.append(Slot(oid, title, leader, village,
                          c.add_position(Position(pid, oid, title, None, None))))
    events: list[tuple[dt.date, int]] = []
    for i, _ in enumerate(slots):
        n = rng.choices((0, 1, 2), (80, 18, 2))[0]
        days = sorted(rand_date(rng, dt.date(2015, 3, 1), dt.date(2025, 9, 30)) for _ in range(n))
        if n == 2 and (days[1] - days[0]).days < 400:
            days = days[:1]
        events += [(d, i) for d in days]
    events.sort()
    for day, i in events:
        slot = slots[i]
        if slot.current.start is not None and slot.current.start >= day:
            continue
        slot.current.end = add_days(day, -1)
        incoming = ""
        if not slot.village and rng.random() < 0.35:
            incoming = _transfer(c, supply, slots, slot, day)
        if not incoming:
            incoming = supply.take(slot.org if slot.village else None)
        slot.current = c.add_position(Position(incoming, slot.org, slot.title, day, None))


def _transfer(c: County, supply: _Supply, slots: list[Slot], slot: Slot, day: dt.date) -> str:
    """Move someone from a comparable post elsewhere; their old post gets a new holder."""
    rng = c.rng
    for _ in range(6):
        other = rng.choice(slots)
        cur = other.current
        if other.village or other.leader != slot.leader or other.org == slot.org:
            continue
        if cur.start is not None and (day - cur.start).days < 365:
            continue
        cur.end = add_days(day, -1)
        other.current = c.add_position(Position(supply.take(None), other.org, other.title,
                                                day, None))
        return cur.pid
    return ""


def holders_over(c: County, oid: str, titles: frozenset[str] | tuple[str, ...] | None,
                 lo: dt.date, hi: dt.date) -> list[str]:
    """Persons who held a post at ``oid`` (with one of ``titles``) over all of ``lo .. hi``.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> from synthetic.timeline import FIRST
    >>> c = small_planter().c
    >>> police = c.agency_by_short["县公安局"]
    >>> len(holders_over(c, police, ("局长",), FIRST, FIRST))
    1
    """
    out: list[str] = []
    for p in c.pos_by_org.get(oid, ()):
        if titles is not None and p.title not in titles:
            continue
        if (p.start is None or p.start <= lo) and (p.end is None or p.end >= hi):
            out.append(p.pid)
    return out
