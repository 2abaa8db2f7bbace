"""Subsidy-fraud schemes and their look-alikes.

Schemes: an official approves a subsidy to a relative (``kin_subsidy``);
payments continue after the recipient's death (``after_death``); one bank
account collects for five or more unrelated recipients (``shared_account``).
Decoys: payments that stop before the death, a household's members sharing
one account, a recipient who merely shares the approver's surname and village.

Examples
--------
>>> sorted(KIN_SUBSIDY_VARIANTS)
['in_law', 'parent', 'sibling', 'spouse>sibling']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from synthetic.catalog import PROGRAMS
from synthetic.model import Payment, Person
from synthetic.plant import Planter, adult
from synthetic.timeline import FIRST, LAST, add_days, add_months, iso, rand_date

KIN_SUBSIDY_VARIANTS = ("parent", "sibling", "in_law", "spouse>sibling")
_TRIES = 150


def _village_official(pl: Planter, day: dt.date) -> tuple[str, str]:
    """An isolated, free village cadre in post on ``day`` and the village."""
    c, rng = pl.c, pl.rng
    for _ in range(40):
        v = rng.choice(c.village_ids)
        o = pl.official([v], ("村支书", "村委会主任"), day, day)
        if o:
            return o, v
    return "", ""


def _alive(p: Person) -> bool:
    return p.death is None


def _grown(day: dt.date) -> Callable[[Person], bool]:
    def ok(p: Person) -> bool:
        return p.death is None and p.age(day) >= 18
    return ok


def _ids(pms: list[Payment]) -> list[str]:
    return [p.pmid for p in pms]


class SubPlanter:
    """Plants the SUB schemes and decoys of one county."""

    def __init__(self, pl: Planter) -> None:
        self.pl = pl
        self.c = pl.c
        self.rng = pl.rng

    def kin_subsidy(self, variant: str) -> None:
        """A village cadre approves a one-off subsidy to a relative."""
        pl, c, rng = self.pl, self.c, self.rng
        for attempt in range(_TRIES):
            create = attempt > _TRIES // 2
            day = rand_date(rng, dt.date(2016, 1, 1), dt.date(2025, 9, 30))
            o, v = _village_official(pl, day)
            if not o:
                continue
            path: list[str] = []
            if variant == "spouse>sibling":
                s = c.kin_of(o, "spouse", day)
                if s and pl.free(s[0]) and not c.is_official(s[0]):
                    direct = {t.other(o) for t in c.adj.get(o, ())}
                    x = pl.kin(s[0], "sibling", day, _alive)
                    if (not x or x in direct) and create:
                        x = pl.sibling(s[0], day, adult, rng.choice(("男", "女")))
                    if x and x not in direct:
                        path = [s[0], x]
            elif variant == "in_law":
                x = pl.kin(o, "in_law", day, _alive)
                if not x:
                    sp = c.kin_of(o, "spouse", day)
                    if sp and pl.free(sp[0]):
                        for par in c.kin_of(sp[0], "parent", day):
                            if pl.free(par) and c.persons[par].death is None and \
                                    not c.is_official(par):
                                pl.tie(o, par, "in_law")
                                x = par
                                break
                if not x and create:
                    p = c.persons[o]
                    x = pl.fresh(rng.choice(("王", "李", "张", "刘")), "女",
                                 p.birth.replace(year=p.birth.year - 25), p.home).pid
                    pl.tie(o, x, "in_law")
                path = [x] if x else []
            else:
                x = pl.kin(o, variant, day, _grown(day))
                if not x and create and variant == "sibling":
                    x = pl.sibling(o, day, adult, rng.choice(("男", "女")))
                elif not x and create:
                    p = c.persons[o]
                    x = pl.fresh(p.surname, "男", p.birth.replace(year=p.birth.year - 26),
                                 p.home).pid
                    pl.tie(o, x, "parent")
                path = [x] if x else []
            if not path:
                continue
            r = path[-1]
            pl.claim(o, *path)
            program = PROGRAMS["最低生活保障金"]
            pms = pl.welfare.series(r, program, 1, day, approver=o, payer=v)
            pl.expect.sub_kin.update(_ids(pms))
            pl.mark(*_ids(pms))
            noun = {"parent": "parent", "sibling": "sibling", "in_law": "in-law",
                    "spouse>sibling": "spouse's sibling"}[variant]
            title = pl.post_title(o, v, day)
            pl.scheme("SUB", "kin_subsidy", variant, ["subsidy_fraud"],
                      [*_ids(pms), o, r], [*path, v],
                      f"{pl.who(o)}, {title} of {pl.who(v)}, approved payment {pms[0].pmid} of "
                      f"{program.name} on {iso(day)} to {pl.his(o)} {noun} {pl.who(r)}.")
            if rng.random() < 0.6:
                pl.casework.report(o, rand_date(rng, day, LAST), "official")
            return
        raise RuntimeError(f"could not plant a kin_subsidy scheme ({variant})")

    def _deceased(self, lo: dt.date) -> str:
        """A free elderly person who died after ``lo`` (one is made if none is left)."""
        pl, c, rng = self.pl, self.c, self.rng
        pid = pl.pool.take(lambda p: p.death is not None and p.death >= lo and pl.free(p.pid)
                           and p.death <= dt.date(2025, 3, 1))
        if pid is not None:
            pl.claim(pid)
            return pid
        home = rng.choice(c.village_ids)
        p = pl.fresh(rng.choice(("王", "李", "张", "刘")), rng.choice(("男", "女")),
                     dt.date(rng.randint(1930, 1940), rng.randint(1, 12), rng.randint(1, 28)),
                     home)
        p.death = rand_date(rng, lo, dt.date(2025, 3, 1))
        return p.pid

    def after_death(self, after: int) -> None:
        """A monthly allowance keeps being paid for ``after`` months after the death."""
        pl, c, rng = self.pl, self.c, self.rng
        pid = self._deceased(dt.date(2017, 1, 1))
        person = c.persons[pid]
        assert person.death is not None
        program = PROGRAMS["高龄津贴" if person.age(person.death) >= 80 else "城乡居民养老金"]
        before = rng.randint(2, 5)
        first = add_months(person.death, -before)
        first = first.replace(day=min(first.day, 28))
        if first < FIRST:
            first = FIRST
        pms = pl.welfare.series(pid, program, before + after + 1, first, payer=(
            person.home if program.payer == "village" and
            c.orgs[person.home].kind == "village_committee" else ""), step=1)
        late = [p for p in pms if p.date > person.death]
        if not late:
            raise RuntimeError("after_death plant produced no late payment")
        pl.expect.after_death.update(_ids(late))
        pl.mark(*_ids(pms))
        pl.scheme("SUB", "after_death", f"{len(late)}_late", ["subsidy_fraud"],
                  [*_ids(late), pid], [*_ids(pms), *dict.fromkeys(p.approver for p in pms)],
                  f"{pl.who(pid)} died on {iso(person.death)}, yet {len(late)} payment(s) of "
                  f"{program.name} ({', '.join(_ids(late))}) were paid from "
                  f"{iso(late[0].date)} to the same account.")

    def shared_account(self) -> None:
        """One bank account collects subsidies for 5-7 unrelated villagers."""
        pl, c, rng = self.pl, self.c, self.rng
        day = rand_date(rng, dt.date(2016, 1, 1), dt.date(2025, 6, 30))
        o, v = _village_official(pl, day)
        if not o:
            raise RuntimeError("no village cadre for a shared_account scheme")
        pl.claim(o)
        acct = pl.alloc.account(rng)
        program = PROGRAMS["耕地地力保护补贴"]
        recipients: list[str] = []
        for _ in range(rng.randint(5, 7)):
            r = pl.take(lambda p: p.age(day) >= 25 and p.death is None)
            if any(r in c.reach(q, 3) for q in recipients):
                continue
            recipients.append(r)
        if len(recipients) < 5:
            raise RuntimeError("could not find five unrelated recipients")
        pms: list[Payment] = []
        for r in recipients:
            pms += pl.welfare.series(r, program, 1, day, approver=o, payer=v,
                                     account=acct)
        pl.expect.shared_accounts.add(acct)
        pl.mark(*_ids(pms))
        pl.scheme("SUB", "shared_account", f"{len(recipients)}_recipients", ["subsidy_fraud"],
                  _ids(pms), [*recipients, o, v],
                  f"Bank account {acct} received {program.name} for {len(recipients)} unrelated "
                  f"villagers ({', '.join(recipients)}), all approved by {pl.who(o)} around "
                  f"{iso(day)}.")
        pl.casework.report(o, rand_date(rng, day, LAST), "official")

    # -- decoys -----------------------------------------------------------------
    def before_death(self) -> None:
        """An allowance that stops before the recipient dies."""
        pl, c, rng = self.pl, self.c, self.rng
        pid = self._deceased(dt.date(2017, 6, 1))
        person = c.persons[pid]
        assert person.death is not None
        program = PROGRAMS["高龄津贴" if person.age(person.death) >= 80 else "城乡居民养老金"]
        last = add_days(person.death, -rng.randint(3, 25))
        n = rng.randint(3, 6)
        first = add_months(last, -(n - 1))
        if first < FIRST:
            first = FIRST
        pms: list[Payment] = []
        for i in range(n):
            d = add_months(first, i) if i < n - 1 else last
            if d > last or (pms and d <= pms[-1].date):
                continue
            pms += pl.welfare.series(pid, program, 1, d, payer=(
                person.home if c.orgs[person.home].kind == "village_committee" and
                program.payer == "village" else ""), account=pl.welfare.account(pid))
        pl.mark(*_ids(pms))
        pl.decoy("SUB", "before_death", "", ["subsidy_fraud"], [*_ids(pms), pid],
                 [p.approver for p in pms],
                 f"{pl.who(pid)} received {program.name} until {iso(pms[-1].date)} and died on "
                 f"{iso(person.death)}.",
                 "every payment is dated before the death")

    def household_account(self) -> None:
        """Five members of one household (all kin of each other) share one account."""
        pl, rng = self.pl, self.rng
        day = rand_date(rng, dt.date(2016, 1, 1), dt.date(2025, 6, 30))
        o, v = _village_official(pl, day)
        if not o:
            raise RuntimeError("no village cadre for a household_account decoy")
        pl.claim(o)
        sur = rng.choice(("王", "李", "张", "刘", "陈", "杨"))
        y = rng.randint(1944, 1950)
        gm = pl.fresh(sur, "女", dt.date(y, rng.randint(1, 12), rng.randint(1, 28)), v)
        son = pl.fresh(sur, "男", dt.date(y + 24, rng.randint(1, 12), rng.randint(1, 28)), v)
        wife = pl.fresh(rng.choice(("赵", "周", "吴", "孙")), "女",
                        dt.date(y + 26, rng.randint(1, 12), rng.randint(1, 28)), v)
        k1 = pl.fresh(sur, "男", dt.date(y + 47, rng.randint(1, 12), rng.randint(1, 28)), v)
        k2 = pl.fresh(sur, "女", dt.date(y + 50, rng.randint(1, 12), rng.randint(1, 28)), v)
        members = [gm, son, wife, k1, k2]
        for p in members:
            p.address = gm.address
        pl.tie(son.pid, gm.pid, "parent")
        pl.tie(son.pid, wife.pid, "spouse")
        pl.tie(wife.pid, gm.pid, "in_law")
        for k in (k1, k2):
            pl.tie(k.pid, son.pid, "parent")
            pl.tie(k.pid, wife.pid, "parent")
            pl.tie(k.pid, gm.pid, "grandparent")
        pl.tie(k1.pid, k2.pid, "sibling")
        acct = pl.alloc.account(rng)
        program = PROGRAMS["耕地地力保护补贴"]
        pms: list[Payment] = []
        for p in members:
            pms += pl.welfare.series(p.pid, program, 1, day, approver=o, payer=v,
                                     account=acct)
        pl.expect.shared_accounts.add(acct)
        pl.mark(*_ids(pms))
        pl.decoy("SUB", "household_account", "5_kin", ["subsidy_fraud"], _ids(pms),
                 [p.pid for p in members] + [o, v],
                 f"Bank account {acct} received {program.name} for the five members of one "
                 f"household at {gm.address}: {', '.join(pl.who(p.pid) for p in members)}.",
                 "the five recipients are one family, each a direct relative of the others")

    def unrelated_approver(self) -> None:
        """The recipient shares the approver's surname and village, but no tie."""
        pl, c, rng = self.pl, self.c, self.rng
        index: dict[tuple[str, str], list[str]] = {}
        for pid in pl.pool.items:
            p = c.persons[pid]
            if pl.free(pid) and adult(p):
                index.setdefault((p.home, p.surname), []).append(pid)
        for _ in range(_TRIES):
            day = rand_date(rng, dt.date(2016, 1, 1), dt.date(2025, 9, 30))
            o, v = _village_official(pl, day)
            if not o:
                continue
            near = c.reach(o, 3)
            cands = [p for p in index.get((v, c.persons[o].surname), ())
                     if p not in near and pl.free(p)]
            if not cands:
                continue
            r = rng.choice(cands)
            pl.claim(o, r)
            pms = pl.welfare.series(r, PROGRAMS["最低生活保障金"], 1, day, approver=o, payer=v)
            pl.mark(*_ids(pms))
            pl.decoy("SUB", "unrelated_approver", "same_surname", ["subsidy_fraud"],
                     [*_ids(pms), o, r], [v],
                     f"{pl.who(o)} approved payment {pms[0].pmid} on {iso(day)} to {pl.who(r)}, "
                     f"who shares {pl.his(o)} surname and village.",
                     "same surname and village, but no kin tie within three hops")
            return
        raise RuntimeError("could not plant an unrelated_approver decoy")


def plant_sub(pl: Planter, kin: int, after: int, shared: int, decoys: int) -> None:
    """Plant the SUB schemes (each kin variant at least once) and decoys.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> pl = small_planter()
    >>> plant_sub(pl, kin=4, after=1, shared=1, decoys=1)
    >>> sorted({d.pattern for d in pl.drafts if d.kind == "decoy"})
    ['before_death', 'household_account', 'unrelated_approver']
    """
    sp = SubPlanter(pl)
    variants = list(KIN_SUBSIDY_VARIANTS) + [pl.rng.choice(KIN_SUBSIDY_VARIANTS[:2])
                                             for _ in range(max(0, kin - 4))]
    for v in variants:
        sp.kin_subsidy(v)
    for i in range(after):
        sp.after_death(1 + i % 3)
    for _ in range(shared):
        sp.shared_account()
    for _ in range(decoys):
        sp.before_death()
        sp.household_account()
        sp.unrelated_approver()
