"""Families of the county: three-generation lineages, marriages across them, associates.

A lineage is a couple born 1932-1962, their children and grandchildren.
Children marry within the township (linking two lineages, so that a
spouse's sibling is two ties away) or marry someone from elsewhere. The
kinship register is incomplete as real ones are: not every tie is written,
some are written from the other side, a few twice; some marriages end in
divorce.

Examples
--------
>>> import random
>>> from synthetic.alloc import Alloc
>>> from synthetic.county import build_bodies
>>> from synthetic.model import County
>>> a, c = Alloc(), County(0, "云溪县", "431221", 0.05, random.Random(0))
>>> build_bodies(a, c)
>>> _ = build_families(a, c, 500)
>>> 400 < len(c.persons) < 600, len(c.ties) > 300
(True, True)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from synthetic.alloc import Alloc
from synthetic.model import County, Person, Tie
from synthetic.names import STREETS, TOWN_SEAT, person_name, pick_surname
from synthetic.timeline import FIRST, LAST, add_days, rand_date

OUTSIDE_REGIONS = ("430521", "431021", "430624", "431126", "360724", "520123", "441581",
                   "450881", "510322", "420624", "362430", "430424", "433123", "431322")
#: Average persons per lineage (measured), used to size the families to a target.
PERSONS_PER_LINEAGE = 8.0


@dataclass
class Lineage:
    """One family line: founding couple, children, grandchildren."""

    home: str
    g1: list[str] = field(default_factory=list)
    g2: list[str] = field(default_factory=list)
    g3: list[str] = field(default_factory=list)


class Families:
    """Builder of the county's families (one per county)."""

    def __init__(self, alloc: Alloc, c: County) -> None:
        self.alloc = alloc
        self.c = c
        self.rng = c.rng
        self.house_no: dict[str, int] = {}
        self.lineages: list[Lineage] = []
        self.spouse_of: dict[str, str] = {}

    # -- persons ----------------------------------------------------------
    def address(self, home: str) -> str:
        """A new household address in a village or in the county seat."""
        c, rng = self.c, self.rng
        org = c.orgs[home]
        n = self.house_no.get(home, 0) + rng.randint(1, 3)
        self.house_no[home] = n
        if org.kind == "village_committee":
            group = 1 + n % 9
            return f"{org.short}{group}组{n}号"
        street = STREETS[n % len(STREETS)]
        text = f"{TOWN_SEAT}{street}{n // len(STREETS) + 1}号"
        if rng.random() < 0.3:
            text += f"{rng.randint(1, 12)}栋{rng.randint(1, 4)}单元{rng.randint(1, 6)}0" \
                    f"{rng.randint(1, 4)}室"
        elif rng.random() < 0.02:
            text += f",{rng.randint(2, 6)}楼"
        return text

    def person(self, surname: str, gender: str, birth: dt.date, home: str, address: str,
               outsider: bool = False) -> Person:
        """Create and register a person with a valid identity number and a phone."""
        c, rng, alloc = self.c, self.rng, self.alloc
        region = rng.choice(OUTSIDE_REGIONS) if outsider else c.region
        number = alloc.id_number(rng, region, birth, gender)
        if rng.random() < 0.01:
            number = ""
        adult = birth <= dt.date(2007, 1, 1)
        phone = alloc.mobile(rng) if adult and rng.random() < 0.92 else ""
        p = Person(alloc.next_id("P"), person_name(rng, surname, gender, birth.year), number,
                   gender, birth, None, phone, address, c.region, home, surname)
        return c.add_person(p)

    def tie(self, a: str, b: str, relation: str, start: dt.date | None = None,
            end: dt.date | None = None) -> Tie:
        """Register a tie, written from either side and now and then twice."""
        rng = self.rng
        t = Tie(a, b, relation, start, end, flip=rng.random() < 0.5, mirror=rng.random() < 0.03)
        return self.c.add_tie(t)

    # -- lineages ---------------------------------------------------------
    def build(self, target: int) -> None:
        """Create lineages until about ``target`` persons live in the county."""
        c, rng = self.c, self.rng
        homes = list(c.village_ids)
        seat = c.township_ids[0]
        n_lineages = max(4, round(target / PERSONS_PER_LINEAGE))
        for i in range(n_lineages):
            home = seat if rng.random() < 0.22 else homes[i % len(homes)]
            self.lineage(home)
        self.marry()
        for lin in self.lineages:
            for child in lin.g2:
                if child in self.spouse_of and c.persons[child].gender == "男":
                    self.children(lin, child, self.spouse_of[child])
            for child in lin.g2:
                sp = self.spouse_of.get(child)
                if sp and c.persons[child].gender == "女" and sp not in self.lineage_of:
                    self.children(lin, sp, child)
        for lin in self.lineages:
            for p in lin.g3:
                self.late_marriage(p)
        self.associates()

    @property
    def lineage_of(self) -> dict[str, int]:
        """Lineage index of each lineage member (spouses from elsewhere excluded)."""
        return self.c.lineage_of

    def lineage(self, home: str) -> Lineage:
        """Founding couple and their children."""
        c, rng = self.c, self.rng
        lin = Lineage(home)
        idx = len(self.lineages)
        self.lineages.append(lin)
        year = rng.randint(1932, 1962)
        surname = pick_surname(rng)
        addr = self.address(home)
        gp = self.person(surname, "男", dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                         home, addr)
        gm_year = year + rng.randint(-2, 4)
        gm = self.person(pick_surname(rng), "女",
                         dt.date(gm_year, rng.randint(1, 12), rng.randint(1, 28)), home, addr)
        lin.g1 = [gp.pid, gm.pid]
        self.tie(gp.pid, gm.pid, "spouse")
        for p in (gp, gm):
            if p.birth.year <= 1950 and rng.random() < 0.35:
                p.death = rand_date(rng, max(FIRST, dt.date(p.birth.year + 66, 1, 1)), LAST)
        n_children = rng.choices((1, 2, 3, 4), (25, 38, 25, 12))[0]
        first_year = max(year, gm_year) + rng.randint(21, 27)
        for k in range(n_children):
            by = min(first_year + 3 * k + rng.randint(0, 2), 2003)
            gender = rng.choice(("男", "女"))
            kid = self.person(surname, gender,
                              dt.date(by, rng.randint(1, 12), rng.randint(1, 28)), home, addr)
            lin.g2.append(kid.pid)
            c.lineage_of[kid.pid] = idx
            self.parent_ties(kid.pid, gp.pid, gm.pid)
        for i, a in enumerate(lin.g2):
            for b in lin.g2[i + 1:]:
                if rng.random() < 0.3:
                    self.tie(a, b, "sibling")
        c.lineage_of[gp.pid] = idx
        c.lineage_of[gm.pid] = idx
        return lin

    def parent_ties(self, kid: str, father: str, mother: str) -> None:
        """The child's ties to its parents: the father usually, the mother often."""
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            self.tie(kid, father, "parent")
        elif r < 0.8:
            self.tie(kid, mother, "parent")
        else:
            self.tie(kid, father, "parent")
            self.tie(kid, mother, "parent")

    def marry(self) -> None:
        """Marry adult children within their township, or to someone from elsewhere."""
        c, rng = self.c, self.rng
        town_of = {v: c.orgs[v].town for v in c.village_ids}
        seat = c.township_ids[0]
        grooms: dict[str, list[str]] = {}
        brides: list[str] = []
        for lin in self.lineages:
            for pid in lin.g2:
                p = c.persons[pid]
                if p.birth.year > 2000 or rng.random() > 0.88:
                    continue
                if p.gender == "男":
                    grooms.setdefault(town_of.get(lin.home, seat), []).append(pid)
                else:
                    brides.append(pid)
        rng.shuffle(brides)
        for bride in brides:
            b = c.persons[bride]
            town = town_of.get(b.home, seat)
            pool = grooms.get(town, [])
            match = ""
            if rng.random() < 0.5:
                for i in range(min(len(pool), 12)):
                    g = c.persons[pool[i]]
                    if -3 <= b.birth.year - g.birth.year <= 8 and \
                            c.lineage_of[g.pid] != c.lineage_of[bride] and \
                            g.pid not in self.spouse_of:
                        match = pool.pop(i)
                        break
            if match:
                self.wed(match, bride)
            else:
                self.wed_outsider(bride)
        for town in sorted(grooms):
            for groom in grooms[town]:
                if groom not in self.spouse_of:
                    self.wed_outsider(groom)

    def wed(self, groom: str, bride: str) -> None:
        """Marry two lineage members: the bride moves to the groom's new household."""
        c, rng = self.c, self.rng
        g, b = c.persons[groom], c.persons[bride]
        wed_year = min(max(g.birth.year, b.birth.year) + rng.randint(22, 30), 2025)
        start = dt.date(wed_year, rng.randint(1, 11), rng.randint(1, 28))
        self.spouse_of[groom] = bride
        self.spouse_of[bride] = groom
        addr = self.address(g.home)
        g.address = addr
        b.address = addr
        b.home = g.home
        self._spouse_tie(groom, bride, start)
        if rng.random() < 0.15:
            lin = self.lineages[c.lineage_of[groom]]
            self.tie(bride, rng.choice(lin.g1), "in_law", start if start >= FIRST else None)

    def wed_outsider(self, pid: str) -> None:
        """Marry a lineage member to someone born elsewhere."""
        c, rng = self.c, self.rng
        p = c.persons[pid]
        gender = "女" if p.gender == "男" else "男"
        by = p.birth.year + (rng.randint(-2, 4) if gender == "女" else rng.randint(-4, 2))
        birth = dt.date(min(by, 2003), rng.randint(1, 12), rng.randint(1, 28))
        if p.gender == "男" or rng.random() < 0.5:
            addr = self.address(p.home)
            p.address = addr
        sp = self.person(pick_surname(rng), gender, birth, p.home, p.address,
                         outsider=rng.random() < 0.6)
        self.spouse_of[pid] = sp.pid
        self.spouse_of[sp.pid] = pid
        wed_year = min(max(p.birth.year, by) + rng.randint(22, 30), 2025)
        self._spouse_tie(pid, sp.pid, dt.date(wed_year, rng.randint(1, 11), rng.randint(1, 28)))

    def _spouse_tie(self, a: str, b: str, wed: dt.date) -> None:
        """A marriage; about one in twenty-five ends in divorce (and may be followed by another)."""
        rng = self.rng
        start = wed if wed >= FIRST else None
        if wed < dt.date(2022, 1, 1) and rng.random() < 0.04:
            end = rand_date(rng, max(FIRST, add_days(wed, 400)), dt.date(2024, 6, 30))
            self.tie(a, b, "spouse", start, end)
            if rng.random() < 0.5:
                p = self.c.persons[a]
                gender = "女" if p.gender == "男" else "男"
                sp = self.person(pick_surname(rng), gender,
                                 dt.date(p.birth.year + rng.randint(-3, 6), rng.randint(1, 12),
                                         rng.randint(1, 28)), p.home, p.address,
                                 outsider=rng.random() < 0.5)
                self.tie(a, sp.pid, "spouse", rand_date(rng, add_days(end, 120), LAST), None)
        else:
            self.tie(a, b, "spouse", start, None)

    def children(self, lin: Lineage, father: str, mother: str) -> None:
        """Children of a couple, living in the couple's household."""
        c, rng = self.c, self.rng
        f, m = c.persons[father], c.persons[mother]
        n = rng.choices((0, 1, 2, 3), (10, 38, 40, 12))[0]
        base = max(f.birth.year, m.birth.year) + rng.randint(22, 29)
        kids: list[str] = []
        idx = c.lineage_of.get(father, c.lineage_of.get(mother, 0))
        for k in range(n):
            by = base + 2 * k + rng.randint(0, 2)
            if by > 2024:
                break
            surname = f.surname if rng.random() < 0.95 else m.surname
            kid = self.person(surname, rng.choice(("男", "女")),
                              dt.date(by, rng.randint(1, 12), rng.randint(1, 28)), f.home,
                              f.address)
            kids.append(kid.pid)
            lin.g3.append(kid.pid)
            c.lineage_of[kid.pid] = idx
            self.parent_ties(kid.pid, father, mother)
            if rng.random() < 0.1:
                self.tie(kid.pid, rng.choice(lin.g1), "grandparent")
        for i, a in enumerate(kids):
            for b in kids[i + 1:]:
                if rng.random() < 0.3:
                    self.tie(a, b, "sibling")

    def late_marriage(self, pid: str) -> None:
        """Grandchildren born before 1998 marry someone from elsewhere half the time."""
        p = self.c.persons[pid]
        if p.birth.year <= 1997 and self.rng.random() < 0.5:
            self.wed_outsider(pid)

    def associates(self) -> None:
        """Known non-kin ties (classmates, partners) between adults of one township."""
        c, rng = self.c, self.rng
        adults = [p for p in c.persons.values() if p.birth.year <= 1995]
        if len(adults) < 2:
            return
        for p in adults:
            if rng.random() >= 0.035:
                continue
            for _ in range(5):
                q = rng.choice(adults)
                if q.pid != p.pid and c.lineage_of.get(q.pid) != c.lineage_of.get(p.pid) \
                        and q.pid != self.spouse_of.get(p.pid):
                    r = rng.random()
                    start = rand_date(rng, FIRST, dt.date(2023, 1, 1)) if r < 0.3 else None
                    end = rand_date(rng, dt.date(2023, 6, 1), LAST) if r < 0.1 else None
                    self.tie(p.pid, q.pid, "associate", start, end)
                    break


def build_families(alloc: Alloc, c: County, target: int) -> Families:
    """Create about ``target`` persons in families and return the builder (its lineages).

    Examples
    --------
    >>> import random
    >>> from synthetic.county import build_bodies
    >>> a, c = Alloc(), County(0, "云溪县", "431221", 0.05, random.Random(1))
    >>> build_bodies(a, c)
    >>> fam = build_families(a, c, 300)
    >>> len(fam.lineages), c.persons[fam.lineages[0].g1[0]].gender
    (38, '男')
    """
    fam = Families(alloc, c)
    fam.build(target)
    return fam
