"""Cases (organized crime, corruption, discipline, ordinary crime), their roles, and tip-offs.

Background cases are handled by officials with no tie to any party: the
officials are picked so that no party is within two ties of them.

Examples
--------
>>> OUTCOME_STATUS["pending"], OUTCOME_STATUS["convicted"]
('办理中', '已结案')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from synthetic.alloc import Alloc
from synthetic.catalog import CASE_TITLES, CHANNELS, REPORT_TOPICS
from synthetic.model import Case, CaseRole, County, Person, Report
from synthetic.officials import CASE_APPROVERS, CASE_STAFF, holders_over
from synthetic.pools import Pool
from synthetic.timeline import FIRST, LAST, add_days, rand_date

OUTCOME_STATUS = {"pending": "办理中", "transferred": "已移送", "convicted": "已结案",
                  "sanctioned": "已结案", "acquitted": "已结案", "dropped": "已撤案"}
_OUTCOMES: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "organized_crime": (("convicted", "pending", "dropped", "acquitted", "transferred"),
                        (60, 15, 10, 5, 10)),
    "corruption": (("convicted", "transferred", "sanctioned", "pending", "dropped"),
                   (40, 25, 15, 10, 10)),
    "disciplinary": (("sanctioned", "dropped", "pending"), (60, 20, 20)),
    "criminal": (("convicted", "pending", "dropped", "acquitted", "transferred"),
                 (55, 15, 15, 5, 10)),
}
#: Which bodies act on a case of each kind, by how far the case went.
_BODIES = {"organized_crime": "县公安局", "criminal": "县公安局", "corruption": "县纪律检查委员会",
           "disciplinary": "县纪律检查委员会"}


def _adult(p: Person) -> bool:
    return 1955 <= p.birth.year <= 2000 and p.death is None


def _man(p: Person) -> bool:
    return _adult(p) and p.gender == "男" and p.birth.year >= 1962


class Casework:
    """Creates cases, case roles and reports for one county."""

    def __init__(self, alloc: Alloc, c: County) -> None:
        self.alloc = alloc
        self.c = c
        self.rng = c.rng

    # -- building blocks ------------------------------------------------------
    def case(self, kind: str, lead: str, outcome: str, opened: dt.date,
             closed: dt.date | None = None) -> Case:
        """Register a case named after its lead party."""
        c, rng = self.c, self.rng
        if outcome != "pending" and closed is None:
            closed = min(add_days(opened, rng.randint(60, 700)), LAST)
        title = rng.choice(CASE_TITLES[kind]).format(name=c.persons[lead].name)
        k = Case(self.alloc.next_id("K"), kind, title, opened,
                 None if outcome == "pending" else closed, OUTCOME_STATUS[outcome], outcome)
        c.cases.append(k)
        return k

    def role(self, k: Case, party: str, role: str) -> None:
        """Register a role in a case, from the day it opened."""
        self.c.case_roles.append(CaseRole(k.kid, party, role, k.opened))

    def staff(self, body: str, roles: tuple[str, ...], k: Case, parties: Sequence[str],
              avoid: Sequence[str] = ()) -> list[str]:
        """Officials of ``body`` with one of ``roles`` titles over the case, tied to no party."""
        c = self.c
        oid = c.agency_by_short[body]
        lo, hi = k.window
        cands = holders_over(c, oid, roles, lo, hi) or [
            p.pid for p in c.in_post(oid, lo) if p.title in roles]
        self.rng.shuffle(cands)
        out = []
        for pid in cands:
            if pid in avoid or pid in parties:
                continue
            near = c.reach(pid, 2)
            co = c.coholders(pid)
            if any(p in near or p in co for p in parties):
                continue
            out.append(pid)
        return out

    def officials(self, k: Case, parties: Sequence[str], avoid: Sequence[str] = ()) -> None:
        """Investigator, approver, and prosecutor/judge when the case went that far."""
        rng = self.rng
        body = _BODIES[k.kind]
        inv = self.staff(body, (CASE_STAFF[body],), k, parties, avoid)
        for pid in inv[: rng.choice((1, 2, 2))]:
            self.role(k, pid, "investigator")
        if rng.random() < 0.7:
            appr = self.staff(body, CASE_APPROVERS[body], k, parties, avoid)
            if appr:
                self.role(k, appr[0], "approver")
        if k.outcome in ("convicted", "acquitted", "transferred") and k.kind != "disciplinary":
            pros = self.staff("县人民检察院", ("检察官",), k, parties, avoid)
            if pros:
                self.role(k, pros[0], "prosecutor")
        if k.outcome in ("convicted", "acquitted") and k.kind != "disciplinary":
            judges = self.staff("县人民法院", ("法官",), k, parties, avoid)
            if judges:
                self.role(k, judges[0], "judge")

    # -- background -----------------------------------------------------------
    def background(self, n: int, pool: Pool, suspects: list[str]) -> None:
        """``n`` clean cases; ``suspects`` are officials who may face discipline."""
        rng, c = self.rng, self.c
        kinds = ("organized_crime", "corruption", "disciplinary", "criminal")
        for _ in range(n):
            kind = rng.choices(kinds, (12, 18, 35, 35))[0]
            names, weights = _OUTCOMES[kind]
            outcome = rng.choices(names, weights)[0]
            opened = rand_date(rng, FIRST, dt.date(2025, 6, 30))
            parties: list[tuple[str, str]] = []
            if kind == "organized_crime":
                lead = pool.take(_man)
                members = [pool.take(_man) for _ in range(rng.randint(4, 9))]
                victims = [pool.take(_adult) for _ in range(rng.randint(2, 4))]
                if lead is None:
                    continue
                parties = [(lead, "gang_leader")] + [(m, "gang_member") for m in members if m] \
                    + [(v, "victim") for v in victims if v]
                if victims and victims[0] and rng.random() < 0.5:
                    parties.append((victims[0], "complainant"))
            elif kind in ("corruption", "disciplinary"):
                lead = self._suspect(suspects, opened)
                if not lead:
                    continue
                parties = [(lead, "suspect")]
                if kind == "corruption" and rng.random() < 0.4:
                    briber = pool.take(_adult)
                    if briber:
                        parties.append((briber, "suspect"))
                if rng.random() < 0.5:
                    comp = pool.take(_adult)
                    if comp:
                        parties.append((comp, "complainant"))
            else:
                lead = pool.take(_adult)
                if lead is None:
                    continue
                parties = [(lead, "suspect")]
                if rng.random() < 0.3:
                    extra = pool.take(_adult)
                    if extra:
                        parties.append((extra, "suspect"))
                for _ in range(rng.randint(1, 3)):
                    v = pool.take(_adult)
                    if v:
                        parties.append((v, "victim"))
            k = self.case(kind, lead, outcome, opened)
            ids = [p for p, _ in parties]
            for pid, role in parties:
                c.used.add(pid)
                self.role(k, pid, role)
            self.officials(k, ids)

    def _suspect(self, suspects: list[str], day: dt.date) -> str:
        """An official in post on ``day`` (not one who handles cases) to face a complaint."""
        c, rng = self.c, self.rng
        for _ in range(30):
            pid = rng.choice(suspects)
            if pid in c.planted:
                continue
            if any((p.start is None or p.start <= day) and (p.end is None or p.end >= day)
                   for p in c.pos_by_person[pid]):
                return pid
        return ""

    # -- reports ----------------------------------------------------------------
    def report(self, subject: str, day: dt.date | None = None, topic_kind: str = "",
               sector: str = "") -> Report:
        """A tip-off about a person or an organization."""
        c, rng = self.c, self.rng
        if subject in c.persons:
            name = c.persons[subject].name
            kind = topic_kind or ("official" if c.is_official(subject) else "person")
            if not sector:
                posts = c.pos_by_person.get(subject)
                sector = c.orgs[posts[0].oid].sector if posts else "social_security"
        else:
            name = c.orgs[subject].name
            kind = topic_kind or "company"
            sector = sector or rng.choice(("infrastructure", "rural", "other"))
        r = Report(self.alloc.next_id("R"), subject, day or rand_date(rng, FIRST, LAST),
                   rng.choice(CHANNELS), rng.choice(REPORT_TOPICS[kind]).format(name=name),
                   sector)
        c.reports.append(r)
        return r

    def background_reports(self, n: int) -> None:
        """``n`` tip-offs about officials, companies and villagers."""
        c, rng = self.c, self.rng
        officials = list(c.pos_by_person)
        companies = [o for o in c.company_ids if o not in c.planted]
        others = [p for p in c.persons if p in c.used and not c.is_official(p)]
        for _ in range(n):
            r = rng.random()
            if r < 0.55 or not (companies and others):
                self.report(rng.choice(officials))
            elif r < 0.8:
                self.report(rng.choice(companies))
            else:
                self.report(rng.choice(others))
