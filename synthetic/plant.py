"""Shared machinery for planting schemes and decoys in a county.

A :class:`Planter` draws its cast from persons with no tie to any official
(then reserves them and their close kin, so two plants never touch), picks
officials with no other official among their close kin, and checks before
committing a contract that nobody but the intended official is in conflict.

Examples
--------
>>> d = Draft("scheme", "COL", "single_bid", "", ["collusion"], ["C000001"], ["C000001"],
...           "An open tender with one valid bid.")
>>> d.family, d.anchor
('COL', ['C000001'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from synthetic.alloc import Alloc
from synthetic.business import Market
from synthetic.cases import Casework
from synthetic.catalog import Item
from synthetic.checks import Expect
from synthetic.families import Families
from synthetic.model import County, Person, Tie
from synthetic.officials import APPROVER_TITLES, holders_over
from synthetic.pools import Pool, free_persons, tainted
from synthetic.timeline import in_force
from synthetic.welfare import Welfare


@dataclass
class Draft:
    """A scheme or decoy before ids are numbered and person aliases added."""

    kind: str
    family: str
    pattern: str
    variant: str
    categories: list[str]
    anchor: list[str]
    entities: list[str]
    description: str
    why_not: str = ""


@dataclass
class Network:
    """A planted network: kind and member ids."""

    kind: str
    members: list[str] = field(default_factory=list)
    pattern: str = ""


def adult(p: Person) -> bool:
    """Born 1955-1997 and alive.

    Examples
    --------
    >>> from synthetic.timeline import FIRST
    >>> adult(Person("P1", "王伟", "", "男", FIRST.replace(year=1970), None, "", "", "", ""))
    True
    """
    return 1955 <= p.birth.year <= 1997 and p.death is None


def man(p: Person) -> bool:
    """A man born 1962-1995, alive.

    Examples
    --------
    >>> from synthetic.timeline import FIRST
    >>> man(Person("P1", "王芳", "", "女", FIRST.replace(year=1970), None, "", "", "", ""))
    False
    """
    return 1962 <= p.birth.year <= 1995 and p.death is None and p.gender == "男"


class Planter:
    """Everything the scheme and decoy modules need to plant into one county."""

    def __init__(self, alloc: Alloc, c: County, market: Market, welfare: Welfare,
                 casework: Casework, families: Families) -> None:
        self.alloc = alloc
        self.c = c
        self.rng = c.rng
        self.market = market
        self.welfare = welfare
        self.casework = casework
        self.families = families
        self.expect = Expect()
        self.drafts: list[Draft] = []
        self.networks: list[Network] = []
        self.brokers: list[str] = []
        self.reserved: set[str] = set()
        blocked = tainted(c)
        self.pool = Pool(c, free_persons(c, blocked))
        officials = list(c.pos_by_person)
        off_set = set(officials)
        self.isolated: set[str] = {o for o in officials
                                   if not (set(c.reach(o, 2)) & off_set)}

    # -- casting --------------------------------------------------------------
    def claim(self, *pids: str) -> None:
        """Reserve persons (and their close kin) for the current plant."""
        for pid in pids:
            self.c.planted.add(pid)
            self.reserved.add(pid)
            self.reserved.update(self.c.reach(pid, 2))

    def free(self, pid: str) -> bool:
        """Whether a person is still available for a plant."""
        return pid not in self.reserved and pid not in self.c.planted

    def take(self, pred: Callable[[Person], bool] = adult) -> str:
        """A free person with no tie to any official, claimed."""
        pid = self.pool.take(lambda p: self.free(p.pid) and pred(p))
        if pid is None:
            raise RuntimeError("the county ran out of free persons for planting")
        self.claim(pid)
        return pid

    def official(self, orgs: Sequence[str], titles: Iterable[str] | None, lo: dt.date,
                 hi: dt.date, pred: Callable[[str], bool] | None = None) -> str:
        """An isolated, unreserved official holding a post at one of ``orgs`` over ``lo..hi``.

        Returns '' when there is none; the caller claims the one it keeps.
        """
        t = frozenset(titles) if titles is not None else None
        cands: list[str] = []
        for oid in orgs:
            cands += holders_over(self.c, oid, t, lo, hi)
        cands = [p for p in dict.fromkeys(cands) if self.free(p) and (pred is None or pred(p))]
        best = [p for p in cands if p in self.isolated] or cands
        return self.rng.choice(best) if best else ""

    def fresh(self, surname: str, gender: str, birth: dt.date, home: str,
              outsider: bool = False) -> Person:
        """A new person (not from the families) in a new household, claimed."""
        fam = self.families
        p = fam.person(surname, gender, birth, home, fam.address(home), outsider)
        self.claim(p.pid)
        return p

    def tie(self, a: str, b: str, relation: str, start: dt.date | None = None,
            end: dt.date | None = None) -> Tie:
        """Add a planted tie."""
        return self.c.add_tie(Tie(a, b, relation, start, end, flip=self.rng.random() < 0.5))

    def kin(self, pid: str, relation: str, day: dt.date,
            pred: Callable[[Person], bool] = adult) -> str:
        """A free, non-official direct kin of ``pid`` by ``relation`` on ``day``."""
        c = self.c
        for k in c.kin_of(pid, relation, day):
            if k not in self.reserved and k not in c.planted and not c.is_official(k) \
                    and pred(c.persons[k]):
                return k
        return ""

    def sibling(self, pid: str, day: dt.date, pred: Callable[[Person], bool] = adult,
                gender: str = "男") -> str:
        """A free sibling of ``pid`` (a new one, tied by a sibling row, when none is free)."""
        k = self.kin(pid, "sibling", day, lambda p: pred(p) and p.gender == gender)
        if k:
            return k
        p = self.c.persons[pid]
        year = min(max(p.birth.year + self.rng.choice((-5, -3, 2, 4)), 1962), 1995)
        sib = self.fresh(p.surname, gender, p.birth.replace(year=year), p.home)
        self.tie(pid, sib.pid, "sibling")
        return sib.pid

    # -- checks before committing -------------------------------------------
    def conflicts(self, buyer: str, day: dt.date, holders: Sequence[str],
                  approver: str = "") -> set[str]:
        """Officials at ``buyer`` on ``day`` (and the approver) tied to any of ``holders``."""
        c = self.c
        officials = {p.pid for p in c.in_post(buyer, day)}
        if approver:
            officials.add(approver)
        out: set[str] = set()
        for o in officials:
            near = c.reach(o, 2, (day, day))
            if any(h == o or h in near for h in holders):
                out.add(o)
        return out

    def approver(self, buyer: str, day: dt.date, holders: Sequence[str]) -> str:
        """A signing official at ``buyer`` on ``day`` tied to none of ``holders``."""
        c = self.c
        cands = [p.pid for p in c.in_post(buyer, day) if p.title in APPROVER_TITLES]
        self.rng.shuffle(cands)
        for o in cands:
            near = c.reach(o, 2)
            if not any(h == o or h in near for h in holders):
                return o
        return ""

    def buyer_and_day(self, lo: dt.date = dt.date(2016, 1, 1),
                      hi: dt.date = dt.date(2025, 6, 30)) -> tuple[str, dt.date, Item]:
        """A buying body, an award date and an item it buys."""
        ids, weights = self.market.buyers()
        buyer = self.rng.choices(ids, weights)[0]
        day = lo + dt.timedelta(days=self.rng.randint(0, (hi - lo).days))
        return buyer, day, self.rng.choice(self.market.items_for(buyer))

    def post_title(self, pid: str, oid: str, day: dt.date) -> str:
        """The title ``pid`` held at ``oid`` on ``day`` (or their last one there)."""
        titles = [p.title for p in self.c.pos_by_person.get(pid, ()) if p.oid == oid]
        on_day = [p.title for p in self.c.pos_by_person.get(pid, ())
                  if p.oid == oid and in_force(p.start, p.end, day)]
        return (on_day or titles or ["official"])[0]

    # -- records ----------------------------------------------------------------
    def scheme(self, family: str, pattern: str, variant: str, categories: list[str],
               anchor: list[str], entities: Iterable[str], description: str) -> Draft:
        """Record a planted scheme."""
        d = Draft("scheme", family, pattern, variant, categories, list(anchor),
                  [e for e in dict.fromkeys([*anchor, *entities]) if e], description)
        self.drafts.append(d)
        return d

    def decoy(self, family: str, pattern: str, variant: str, categories: list[str],
              anchor: list[str], entities: Iterable[str], description: str,
              why_not: str) -> Draft:
        """Record a look-alike that must not be flagged in ``categories``."""
        d = Draft("decoy", family, pattern, variant, categories, list(anchor),
                  [e for e in dict.fromkeys([*anchor, *entities]) if e], description, why_not)
        self.drafts.append(d)
        return d

    def mark(self, *ids: str) -> None:
        """Mark contracts, payments or cases as planted (kept out of background checks)."""
        self.c.planted.update(ids)

    def his(self, pid: str) -> str:
        """'his' or 'her' for a person."""
        return "his" if self.c.persons[pid].gender == "男" else "her"

    def who(self, pid: str) -> str:
        """'name (id)' of a person or an organization."""
        c = self.c
        if pid in c.persons:
            return f"{c.persons[pid].name} ({pid})"
        return f"{c.orgs[pid].name} ({pid})"
