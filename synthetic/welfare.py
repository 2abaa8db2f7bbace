"""Subsidy payments: who gets which program, from which payer, approved by whom.

Each recipient has a bank account of their own; a recurring program pays
quarterly (or monthly) for a while and stops before the recipient dies.

Examples
--------
>>> PROGRAMS["高龄津贴"].min_age
80
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from synthetic.alloc import Alloc
from synthetic.catalog import PROGRAMS, Program
from synthetic.model import County, Payment, Person
from synthetic.officials import PAYMENT_TITLES
from synthetic.pools import Pool
from synthetic.timeline import FIRST, LAST, add_days, add_months, rand_date

_WEIGHTS = {"最低生活保障金": 25, "高龄津贴": 10, "临时救助金": 8, "农机购置补贴": 6,
            "耕地地力保护补贴": 20, "危房改造补助": 5, "城乡居民养老金": 18, "医疗救助金": 6,
            "公益性岗位补贴": 4}


class Welfare:
    """Creates payments for one county."""

    def __init__(self, alloc: Alloc, c: County) -> None:
        self.alloc = alloc
        self.c = c
        self.rng = c.rng
        self.accounts: dict[str, str] = {}

    def account(self, pid: str) -> str:
        """The recipient's own bank account (one per person)."""
        if pid not in self.accounts:
            self.accounts[pid] = self.alloc.account(self.rng)
        return self.accounts[pid]

    def payer(self, program: Program, recipient: Person) -> str:
        """Village committee of the recipient's village, or the paying bureau."""
        c = self.c
        if program.payer == "village":
            if c.orgs[recipient.home].kind == "village_committee":
                return recipient.home
            return c.agency_by_short["县民政局"]
        return c.agency_by_short[program.payer]

    def approver(self, payer: str, day: dt.date, avoid: Sequence[str] = ()) -> str:
        """Someone in post at ``payer`` on ``day`` who signs payments."""
        posts = [p.pid for p in self.c.in_post(payer, day)
                 if p.title in PAYMENT_TITLES and p.pid not in avoid]
        if not posts:
            posts = [p.pid for p in self.c.in_post(payer, day) if p.pid not in avoid]
        return self.rng.choice(posts) if posts else ""

    def pay(self, payer: str, approver: str, recipient: str, amount: int, day: dt.date,
            program: Program, account: str) -> Payment:
        """Register one payment (``amount`` in fen)."""
        pm = Payment(self.alloc.next_id("PM"), payer, approver, recipient, amount, day,
                     program.name, program.sector, account)
        self.c.payments.append(pm)
        return pm

    def schedule(self, program: Program, n: int, first: dt.date,
                 step: int = 0) -> list[dt.date]:
        """Payment dates: quarterly or monthly for recurring programs, else one or two."""
        if not program.recurring and not step:
            return [first] if n == 1 else [first, add_months(first, 6)]
        step = step or (3 if self.rng.random() < 0.7 else 1)
        return [add_months(first, step * i) for i in range(n)]

    def series(self, recipient: str, program: Program, n: int, first: dt.date,
               approver: str = "", payer: str = "", account: str = "",
               amount: int = 0, step: int = 0) -> list[Payment]:
        """Payments of one program to one recipient, approved by officials in post."""
        c, rng = self.c, self.rng
        person = c.persons[recipient]
        payer = payer or self.payer(program, person)
        amount = amount or rng.randint(program.low, program.high) * 100
        account = account or self.account(recipient)
        out: list[Payment] = []
        for day in self.schedule(program, n, first, step):
            who = approver or self.approver(payer, day)
            if who:
                out.append(self.pay(payer, who, recipient, amount, day, program, account))
        return out

    def background(self, n: int, pool: Pool) -> None:
        """About ``n`` clean payments to free recipients, none after a recipient's death."""
        rng = self.rng
        names = list(_WEIGHTS)
        weights = [_WEIGHTS[k] for k in names]
        made = 0
        misses = 0
        while made < n and misses < 200:
            program = PROGRAMS[rng.choices(names, weights)[0]]
            count = rng.randint(3, 8) if program.recurring else rng.choice((1, 1, 2))
            first = rand_date(rng, FIRST, add_months(LAST, -3 * count - 1))
            last = add_months(first, 3 * count)

            def fits(p: Person, program: Program = program, first: dt.date = first,
                     last: dt.date = last) -> bool:
                if p.age(first) < program.min_age:
                    return False
                if p.death is not None and p.death <= add_days(last, 31):
                    return False
                return not (program.payer == "village" and program.name == "耕地地力保护补贴"
                            and self.c.orgs[p.home].kind != "village_committee")

            pid = pool.take(fits)
            if pid is None:
                misses += 1
                continue
            self.c.used.add(pid)
            made += len(self.series(pid, program, count, first))
