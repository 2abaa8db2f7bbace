"""In-memory records of one synthetic county, with the indexes the planting needs.

Records hold canonical entity ids; which source id (a duplicate person has
two) ends up in a row is decided when rows are written. Amounts are integer
fen (cents) so that equal prices are exactly equal.

Examples
--------
>>> import random
>>> c = County(0, "云溪县", "431221", 1.0, random.Random(0))
>>> a = c.add_person(Person("P1", "王伟", "", "男", FIRST, None, "", "", "431221", ""))
>>> b = c.add_person(Person("P2", "李娜", "", "女", FIRST, None, "", "", "431221", ""))
>>> _ = c.add_tie(Tie("P1", "P2", "spouse", None, None))
>>> c.reach("P1")
{'P2': 1}
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from graph.schema import KIN
from synthetic.timeline import FIRST, LAST, MAX_DATE, MIN_DATE, in_force

Window = tuple[dt.date, dt.date]


@dataclass(slots=True)
class Person:
    """A person; ``home`` is the village (or township) org id they live in."""

    pid: str
    name: str
    id_number: str
    gender: str
    birth: dt.date
    death: dt.date | None
    phone: str
    address: str
    region: str
    home: str
    surname: str = ""
    aliases: list[str] = field(default_factory=list)
    id_written: dict[str, str] = field(default_factory=dict)
    name_written: dict[str, str] = field(default_factory=dict)

    def age(self, day: dt.date) -> int:
        """Age in whole years on ``day``."""
        return day.year - self.birth.year - ((day.month, day.day) < (self.birth.month,
                                                                      self.birth.day))


@dataclass(slots=True)
class Org:
    """An organization; ``sector``/``short`` for agencies, ``trade`` for companies."""

    oid: str
    name: str
    kind: str
    credit_code: str
    parent: str
    region: str
    address: str
    phone: str
    established: dt.date | None
    sector: str = "other"
    trade: str = ""
    town: str = ""
    short: str = ""


@dataclass(slots=True)
class Position:
    """A post held at an organization between two optional dates."""

    pid: str
    oid: str
    title: str
    start: dt.date | None
    end: dt.date | None


@dataclass(slots=True)
class Tie:
    """"b is a's <relation>"; ``flip`` writes it from b's side, ``mirror`` both ways."""

    a: str
    b: str
    relation: str
    start: dt.date | None
    end: dt.date | None
    flip: bool = False
    mirror: bool = False

    def other(self, pid: str) -> str:
        """The person at the other end."""
        return self.b if pid == self.a else self.a


@dataclass(slots=True)
class Role:
    """A role in a company; ``holder_ref`` forces the source id written for the holder."""

    company: str
    holder: str
    role: str
    share: str
    start: dt.date | None
    end: dt.date | None
    holder_ref: str = ""


@dataclass(slots=True)
class Contract:
    """A public contract; ``amount`` in fen."""

    cid: str
    title: str
    buyer: str
    approver: str
    supplier: str
    amount: int
    date: dt.date
    method: str
    sector: str


@dataclass(slots=True)
class Bid:
    """A bid on a contract; ``amount`` in fen."""

    cid: str
    bidder: str
    amount: int
    status: str


@dataclass(slots=True)
class Payment:
    """A subsidy payment; ``amount`` in fen."""

    pmid: str
    payer: str
    approver: str
    recipient: str
    amount: int
    date: dt.date
    program: str
    sector: str
    account: str


@dataclass(slots=True)
class Case:
    """An organized-crime, corruption, disciplinary or criminal case."""

    kid: str
    kind: str
    title: str
    opened: dt.date
    closed: dt.date | None
    status: str
    outcome: str
    sector: str = "law_enforcement"

    @property
    def window(self) -> Window:
        """The dates the case ran (open cases run to the end of the data)."""
        return (self.opened, self.closed or LAST)


@dataclass(slots=True)
class CaseRole:
    """Who stands where in a case."""

    kid: str
    party: str
    role: str
    start: dt.date | None


@dataclass(slots=True)
class Report:
    """A public tip-off about a person or an organization."""

    rid: str
    subject: str
    date: dt.date
    channel: str
    topic: str
    sector: str


class County:
    """Everything generated for one county, with lookup indexes.

    Parameters
    ----------
    index:
        Position of the county in the run (0-based).
    name, region:
        County name (e.g. 云溪县) and 6-digit region code.
    fraction:
        Size relative to the reference county (about 20,000 persons).
    rng:
        The county's own random generator.
    """

    def __init__(self, index: int, name: str, region: str, fraction: float,
                 rng: random.Random) -> None:
        self.index = index
        self.name = name
        self.region = region
        self.fraction = fraction
        self.rng = rng
        self.persons: dict[str, Person] = {}
        self.orgs: dict[str, Org] = {}
        self.positions: list[Position] = []
        self.ties: list[Tie] = []
        self.roles: list[Role] = []
        self.contracts: list[Contract] = []
        self.bids: list[Bid] = []
        self.payments: list[Payment] = []
        self.cases: list[Case] = []
        self.case_roles: list[CaseRole] = []
        self.reports: list[Report] = []
        self.adj: dict[str, list[Tie]] = {}
        self.pos_by_org: dict[str, list[Position]] = {}
        self.pos_by_person: dict[str, list[Position]] = {}
        self.roles_by_company: dict[str, list[Role]] = {}
        self.roles_by_holder: dict[str, list[Role]] = {}
        self.bids_by_contract: dict[str, list[Bid]] = {}
        self.planted: set[str] = set()
        """Entities reserved by planted schemes and decoys (kept out of the background)."""
        self.used: set[str] = set()
        """Persons given a background part (holder, recipient, party)."""
        self.township_ids: list[str] = []
        self.village_ids: list[str] = []
        self.agency_by_short: dict[str, str] = {}
        self.company_ids: list[str] = []
        self.lineage_of: dict[str, int] = {}
        """Lineage index of each person born into a county family."""

    # -- adding records ---------------------------------------------------
    def add_person(self, p: Person) -> Person:
        """Register a person."""
        self.persons[p.pid] = p
        return p

    def add_org(self, o: Org) -> Org:
        """Register an organization."""
        self.orgs[o.oid] = o
        return o

    def add_tie(self, t: Tie) -> Tie:
        """Register a tie between two persons."""
        self.ties.append(t)
        self.adj.setdefault(t.a, []).append(t)
        self.adj.setdefault(t.b, []).append(t)
        return t

    def add_position(self, p: Position) -> Position:
        """Register a post."""
        self.positions.append(p)
        self.pos_by_org.setdefault(p.oid, []).append(p)
        self.pos_by_person.setdefault(p.pid, []).append(p)
        return p

    def add_role(self, r: Role) -> Role:
        """Register a company role."""
        self.roles.append(r)
        self.roles_by_company.setdefault(r.company, []).append(r)
        self.roles_by_holder.setdefault(r.holder, []).append(r)
        return r

    def add_bid(self, b: Bid) -> Bid:
        """Register a bid."""
        self.bids.append(b)
        self.bids_by_contract.setdefault(b.cid, []).append(b)
        return b

    def reindex(self) -> None:
        """Rebuild every lookup index from the record lists (after ids changed)."""
        self.adj, self.pos_by_org, self.pos_by_person = {}, {}, {}
        self.roles_by_company, self.roles_by_holder, self.bids_by_contract = {}, {}, {}
        for t in self.ties:
            self.adj.setdefault(t.a, []).append(t)
            self.adj.setdefault(t.b, []).append(t)
        for p in self.positions:
            self.pos_by_org.setdefault(p.oid, []).append(p)
            self.pos_by_person.setdefault(p.pid, []).append(p)
        for r in self.roles:
            self.roles_by_company.setdefault(r.company, []).append(r)
            self.roles_by_holder.setdefault(r.holder, []).append(r)
        for b in self.bids:
            self.bids_by_contract.setdefault(b.cid, []).append(b)

    # -- queries ------------------------------------------------------------
    def is_official(self, pid: str) -> bool:
        """Whether the person ever held a post."""
        return pid in self.pos_by_person

    def in_post(self, oid: str, day: dt.date) -> list[Position]:
        """Posts at ``oid`` in force on ``day``."""
        return [p for p in self.pos_by_org.get(oid, ()) if in_force(p.start, p.end, day)]

    def reach(self, pid: str, hops: int = 2, window: Window | None = None,
              associates: bool = True) -> dict[str, int]:
        """Persons tied to ``pid`` within ``hops`` ties, with the fewest hops.

        With a ``window`` only ties whose dates all overlap it (and each
        other along the path) count; without, dates are ignored.
        ``associates=False`` follows kin ties only.
        """
        lo, hi = window if window is not None else (MIN_DATE, MAX_DATE)
        out: dict[str, int] = {}
        frontier: list[tuple[str, dt.date, dt.date]] = [(pid, lo, hi)]
        for h in range(1, hops + 1):
            nxt: list[tuple[str, dt.date, dt.date]] = []
            for node, a, b in frontier:
                for t in self.adj.get(node, ()):
                    if not associates and t.relation == "associate":
                        continue
                    if window is not None:
                        na = max(a, t.start or MIN_DATE)
                        nb = min(b, t.end or MAX_DATE)
                        if na > nb:
                            continue
                    else:
                        na, nb = a, b
                    o = t.other(node)
                    if o == pid:
                        continue
                    if o not in out:
                        out[o] = h
                    nxt.append((o, na, nb))
            frontier = nxt
        return out

    def coholders(self, pid: str, window: Window | None = None) -> set[str]:
        """Holders of a role in a company where ``pid`` holds one (overlapping in ``window``)."""
        out: set[str] = set()
        lo, hi = window if window is not None else (MIN_DATE, MAX_DATE)
        for r in self.roles_by_holder.get(pid, ()):
            a, b = max(lo, r.start or MIN_DATE), min(hi, r.end or MAX_DATE)
            if a > b:
                continue
            for r2 in self.roles_by_company.get(r.company, ()):
                if r2.holder == pid:
                    continue
                if max(a, r2.start or MIN_DATE) <= min(b, r2.end or MAX_DATE):
                    out.add(r2.holder)
        return out

    def holders(self, company: str, day: dt.date | None = None) -> list[str]:
        """Holders of any role in ``company`` (on ``day`` when given), in row order."""
        seen: dict[str, None] = {}
        for r in self.roles_by_company.get(company, ()):
            if day is None or in_force(r.start, r.end, day):
                seen[r.holder] = None
        return list(seen)

    def kin_of(self, pid: str, relation: str, day: dt.date = FIRST) -> list[str]:
        """Persons who are ``pid``'s <relation> by a direct tie in force on ``day``."""
        out: list[str] = []
        for t in self.adj.get(pid, ()):
            if not in_force(t.start, t.end, day):
                continue
            if t.a == pid and t.relation == relation:
                out.append(t.b)
            elif t.b == pid and t.relation == (KIN[relation].inverse if relation in KIN
                                               else relation):
                out.append(t.a)
        return out
