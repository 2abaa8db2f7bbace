"""Rows a loader must set aside: one defect each, at least one per reason code.

Every template makes a row that is valid except for its one defect, refers
only to persons and bodies that play no part in any planted scheme, and
(for keyed tables) defines an id nothing else refers to -- except the
``refers_to_set_aside`` pairs, whose second row points at the first.

Examples
--------
>>> sorted(TEMPLATES) == sorted(r.value for r in FOLDER_REASONS)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from graph.ids import id_number_check_char
from loaders.layout import FOLDER_REASONS, Reason  # noqa: F401  (the doctests use it)
from synthetic.alloc import Alloc
from synthetic.model import County
from synthetic.names import person_name, pick_surname
from synthetic.timeline import FIRST, LAST, add_days, iso, rand_date
from synthetic.writer import COLUMNS, BadLine, Cell, Row, money


@dataclass
class Insert:
    """A bad row to insert into a table (after the row defining ``after`` when it reuses a key)."""

    table: str
    line: BadLine
    after: str = ""


class BadRows:
    """Makes the bad rows of one county against its written row lists."""

    def __init__(self, alloc: Alloc, c: County, tables: dict[str, list[Cell]],
                 involved: set[str]) -> None:
        self.alloc = alloc
        self.c = c
        self.rng = c.rng
        self.tables = tables
        self.inserts: list[Insert] = []
        out = involved | c.planted
        self.inert = [p for p in c.persons.values() if p.pid not in c.used and
                      p.pid not in out and not c.is_official(p.pid) and not p.aliases
                      and p.death is None and 1950 <= p.birth.year <= 2000]
        self.rng.shuffle(self.inert)
        self.companies = [o for o in c.company_ids if o not in out] or c.company_ids
        self.contracts = [k for k in c.contracts if k.cid not in out and k.supplier not in out
                          and k.approver not in out] or c.contracts
        self.cases = [k for k in c.cases if k.kid not in out] or c.cases
        self.out = out

    # -- helpers --------------------------------------------------------------
    def person(self) -> str:
        """An inert person id (no part in anything)."""
        return self.rng.choice(self.inert).pid

    def two(self) -> tuple[str, str]:
        """Two different inert persons."""
        a, b = self.rng.sample(self.inert, 2)
        return a.pid, b.pid

    def add(self, table: str, row: Row, code: Reason, column: str, after: str = "") -> None:
        """Queue a bad row (a contract's optional tender columns left blank)."""
        if table == "contracts":
            row = (*row, *[""] * (len(COLUMNS["contracts"]) - len(row)))
        self.inserts.append(Insert(table, BadLine(row, code.value, column), after))

    def new_person_row(self, birth: dt.date | None = None, **over: str) -> Row:
        """A fresh, valid persons row (fields overridable)."""
        rng, c = self.rng, self.c
        gender = rng.choice(("男", "女"))
        birth = birth or dt.date(rng.randint(1950, 1998), rng.randint(1, 12), rng.randint(1, 28))
        sur = pick_surname(rng)
        row = {"person_id": self.alloc.next_id("P"),
               "name": person_name(rng, sur, gender, birth.year),
               "id_number": self.alloc.id_number(rng, c.region, birth, gender),
               "gender": gender, "birth_date": iso(birth), "death_date": "",
               "phone": self.alloc.mobile(rng), "address": self.rng.choice(self.inert).address,
               "region": c.region}
        row.update(over)
        return tuple(row.values())

    def keyed(self, table: str) -> Row:
        """A random existing row of a keyed table (not a planted one)."""
        rows = self.tables[table]
        if table == "persons":
            pid = self.person()
            return next(r for r in rows if not isinstance(r, BadLine) and r[0] == pid)
        for _ in range(400):
            row = rows[self.rng.randrange(len(rows))]
            if not isinstance(row, BadLine) and not set(row) & self.out:
                return row
        raise RuntimeError(f"no row of {table} to reuse")

    def date_text(self, d: dt.date) -> str:
        """A date written wrongly: slashes, or an impossible day."""
        if self.rng.random() < 0.5:
            return f"{d.year}/{d.month}/{d.day}"
        return f"{d.year}-02-30" if self.rng.random() < 0.5 else f"{d.year}-{d.month:02d}-32"

    # -- the templates, by reason -------------------------------------------
    def missing_required(self) -> None:
        rng, c = self.rng, self.c
        choice = rng.randrange(6)
        if choice == 0:
            self.add("persons", self.new_person_row(name=""), Reason.MISSING_REQUIRED, "name")
        elif choice == 1:
            self.add("relationships", (*self.two(), "", "", ""),
                     Reason.MISSING_REQUIRED, "relation")
        elif choice == 2:
            k = rng.choice(self.contracts)
            self.add("bids", (k.cid, "", money(k.amount + 500000), "valid"),
                     Reason.MISSING_REQUIRED, "bidder_id")
        elif choice == 3:
            self.add("reports", (self.alloc.next_id("R"), "", iso(rand_date(rng, FIRST, LAST)),
                                 "来信", "反映村干部作风问题", "rural"),
                     Reason.MISSING_REQUIRED, "subject_id")
        elif choice == 4:
            case = rng.choice(self.cases)
            self.add("case_roles", (case.kid, self.person(), "", iso(case.opened)),
                     Reason.MISSING_REQUIRED, "role")
        else:
            v = rng.choice(c.village_ids)
            self.add("payments", (self.alloc.next_id("PM"), v, "", "", "600.00",
                                  iso(rand_date(rng, FIRST, LAST)), "最低生活保障金",
                                  "social_security", self.alloc.account(rng)),
                     Reason.MISSING_REQUIRED, "recipient_id")

    def bad_date(self) -> None:
        rng, c = self.rng, self.c
        choice = rng.randrange(6)
        day = rand_date(rng, FIRST, LAST)
        if choice == 0:
            birth = dt.date(rng.randint(1950, 1995), rng.randint(1, 12), rng.randint(1, 28))
            self.add("persons", self.new_person_row(
                birth, birth_date=f"{birth.year}/{birth.month}/{birth.day}"),
                Reason.BAD_DATE, "birth_date")
        elif choice == 1:
            self.add("relationships", (*self.two(), "associate", self.date_text(day), ""),
                     Reason.BAD_DATE, "start_date")
        elif choice == 2:
            k = rng.choice(self.contracts)
            self.add("contracts", (self.alloc.next_id("C"), "办公用品采购", k.buyer, "",
                                   k.supplier, "56000.00", self.date_text(day), "direct",
                                   k.sector), Reason.BAD_DATE, "award_date")
        elif choice == 3:
            v = rng.choice(c.village_ids)
            self.add("payments", (self.alloc.next_id("PM"), v, "", self.person(), "450.00",
                                  self.date_text(day), "高龄津贴", "social_security",
                                  self.alloc.account(rng)), Reason.BAD_DATE, "date")
        elif choice == 4:
            self.add("reports", (self.alloc.next_id("R"), self.person(), self.date_text(day),
                                 "网络举报", "反映违规领取补贴", "social_security"),
                     Reason.BAD_DATE, "date")
        else:
            o = rng.choice(self.companies)
            self.add("company_roles", (o, self.person(), "supervisor", "", self.date_text(day),
                                       ""), Reason.BAD_DATE, "start_date")

    def date_order(self) -> None:
        rng, c = self.rng, self.c
        choice = rng.randrange(5)
        start = rand_date(rng, dt.date(2016, 1, 1), LAST)
        end = add_days(start, -rng.randint(30, 700))
        if choice == 0:
            self.add("persons", self.new_person_row(death_date=iso(dt.date(1949, 5, 1))),
                     Reason.DATE_ORDER, "death_date")
        elif choice == 1:
            self.add("relationships", (*self.two(), "associate", iso(start), iso(end)),
                     Reason.DATE_ORDER, "end_date")
        elif choice == 2:
            o = rng.choice(self.companies)
            self.add("company_roles", (o, self.person(), "manager", "", iso(start), iso(end)),
                     Reason.DATE_ORDER, "end_date")
        elif choice == 3:
            self.add("cases", (self.alloc.next_id("K"), "criminal", "盗窃案", iso(start),
                               iso(end), "已结案", "convicted"), Reason.DATE_ORDER, "closed_date")
        else:
            v = rng.choice(c.village_ids)
            self.add("positions", (self.person(), v, "村会计", iso(start), iso(end)),
                     Reason.DATE_ORDER, "end_date")

    def bad_amount(self) -> None:
        rng, c = self.rng, self.c
        text = rng.choice(("约12万", "壹仟贰佰元整", "12O00.00", "8万元"))
        choice = rng.randrange(3)
        if choice == 0:
            k = rng.choice(self.contracts)
            self.add("contracts", (self.alloc.next_id("C"), "会议服务采购", k.buyer, "",
                                   k.supplier, text, iso(k.date), "direct", k.sector),
                     Reason.BAD_AMOUNT, "amount")
        elif choice == 1:
            k = rng.choice(self.contracts)
            self.add("bids", (k.cid, rng.choice(self.companies), text, "disqualified"),
                     Reason.BAD_AMOUNT, "amount")
        else:
            v = rng.choice(c.village_ids)
            self.add("payments", (self.alloc.next_id("PM"), v, "", self.person(), text,
                                  iso(rand_date(rng, FIRST, LAST)), "临时救助金",
                                  "social_security", self.alloc.account(rng)),
                     Reason.BAD_AMOUNT, "amount")

    def bad_currency(self) -> None:
        k = self.rng.choice(self.contracts)
        self.add("contracts", (self.alloc.next_id("C"), "物业服务采购", k.buyer, "", k.supplier,
                               "64000.00", iso(k.date), "direct", k.sector,
                               self.rng.choice(("RMB", "YUAN", "元"))),
                 Reason.BAD_CURRENCY, "currency")

    def bad_count(self) -> None:
        k = self.rng.choice(self.contracts)
        self.add("contracts", (self.alloc.next_id("C"), "保洁服务采购", k.buyer, "", k.supplier,
                               "36000.00", iso(k.date), "open", k.sector, "", "", "", "",
                               self.rng.choice(("-1", "2.5", "三"))),
                 Reason.BAD_COUNT, "number_of_tenderers")

    def bad_share_pct(self) -> None:
        o = self.rng.choice(self.companies)
        self.add("company_roles", (o, self.person(), "shareholder",
                                   self.rng.choice(("120", "150", "-5")), "", ""),
                 Reason.BAD_SHARE_PCT, "share_pct")

    def bad_id_number(self) -> Row:
        row = self.new_person_row()
        number = row[2]
        wrong = next(ch for ch in "0123456789X" if ch != id_number_check_char(number[:17]))
        bad = (*row[:2], number[:17] + wrong, *row[3:])
        self.add("persons", bad, Reason.BAD_ID_NUMBER, "id_number")
        return bad

    def bad_credit_code(self) -> None:
        rng, c, alloc = self.rng, self.c, self.alloc
        code = alloc.credit_code(rng, c.region)
        wrong = "0" if code[-1] != "0" else "1"
        self.add("organizations", (alloc.next_id("O"), f"{c.name}顺达劳务有限公司", "company",
                                   code[:17] + wrong, "", c.region, f"{c.name}城关镇建设路88号",
                                   alloc.mobile(rng), "2012-05-18"),
                 Reason.BAD_CREDIT_CODE, "credit_code")

    def bad_vocabulary(self) -> None:
        rng, c = self.rng, self.c
        choice = rng.randrange(7)
        if choice == 0:
            self.add("relationships", (*self.two(), "cousin", "", ""),
                     Reason.BAD_VOCABULARY, "relation")
        elif choice == 1:
            self.add("organizations", (self.alloc.next_id("O"), f"{c.name}兴农种植专业合作社",
                                       "cooperative", "", "", c.region, "", "", ""),
                     Reason.BAD_VOCABULARY, "kind")
        elif choice == 2:
            k = rng.choice(self.contracts)
            self.add("contracts", (self.alloc.next_id("C"), "培训服务采购", k.buyer, "",
                                   k.supplier, "88000.00", iso(k.date), "negotiated", k.sector),
                     Reason.BAD_VOCABULARY, "method")
        elif choice == 3:
            k = rng.choice(self.contracts)
            self.add("bids", (k.cid, rng.choice(self.companies), money(k.amount + 700000),
                              "won"), Reason.BAD_VOCABULARY, "status")
        elif choice == 4:
            case = rng.choice(self.cases)
            self.add("case_roles", (case.kid, self.person(), "witness", iso(case.opened)),
                     Reason.BAD_VOCABULARY, "role")
        elif choice == 5:
            o = rng.choice(self.companies)
            self.add("company_roles", (o, self.person(), "owner", "", "", ""),
                     Reason.BAD_VOCABULARY, "role")
        else:
            self.add("reports", (self.alloc.next_id("R"), self.person(),
                                 iso(rand_date(rng, FIRST, LAST)), "来访", "反映邻里纠纷",
                                 "welfare"), Reason.BAD_VOCABULARY, "sector")

    def unknown_reference(self) -> None:
        rng, alloc = self.rng, self.alloc
        choice = rng.randrange(6)
        if choice == 0:
            self.add("relationships", (self.person(), alloc.unknown_id("P"), "sibling", "", ""),
                     Reason.UNKNOWN_REFERENCE, "other_id")
        elif choice == 1:
            self.add("positions", (self.person(), alloc.unknown_id("O"), "科员", "", ""),
                     Reason.UNKNOWN_REFERENCE, "org_id")
        elif choice == 2:
            o = rng.choice(self.companies)
            self.add("company_roles", (o, alloc.unknown_id("P"), "shareholder", "10", "", ""),
                     Reason.UNKNOWN_REFERENCE, "holder_id")
        elif choice == 3:
            k = rng.choice(self.contracts)
            self.add("bids", (k.cid, alloc.unknown_id("O"), money(k.amount + 300000), "valid"),
                     Reason.UNKNOWN_REFERENCE, "bidder_id")
        elif choice == 4:
            case = rng.choice(self.cases)
            self.add("case_roles", (case.kid, alloc.unknown_id("P"), "victim", iso(case.opened)),
                     Reason.UNKNOWN_REFERENCE, "party_id")
        else:
            self.add("reports", (alloc.next_id("R"),
                                 alloc.unknown_id("P"), iso(rand_date(rng, FIRST, LAST)),
                                 "12388热线", "反映违规占地", "rural"),
                     Reason.UNKNOWN_REFERENCE, "subject_id")

    def refers_to_set_aside(self) -> None:
        rng = self.rng
        choice = rng.randrange(3)
        if choice == 0:
            bad = self.bad_id_number()
            self.add("relationships", (self.person(), bad[0], "sibling", "", ""),
                     Reason.REFERS_TO_SET_ASIDE, "other_id")
        elif choice == 1:
            k = rng.choice(self.contracts)
            cid = self.alloc.next_id("C")
            self.add("contracts", (cid, "绿化养护服务", k.buyer, "", k.supplier, "120000.00",
                                   self.date_text(k.date), "direct", k.sector),
                     Reason.BAD_DATE, "award_date")
            self.add("bids", (cid, k.supplier, "120000.00", "valid"),
                     Reason.REFERS_TO_SET_ASIDE, "contract_id")
        else:
            kid = self.alloc.next_id("K")
            day = rand_date(rng, FIRST, LAST)
            self.add("cases", (kid, "economic", "非法集资案", iso(day), "", "办理中", "pending"),
                     Reason.BAD_VOCABULARY, "kind")
            self.add("case_roles", (kid, self.person(), "suspect", iso(day)),
                     Reason.REFERS_TO_SET_ASIDE, "case_id")

    def duplicate_key(self) -> None:
        rng, c, alloc = self.rng, self.c, self.alloc
        table = rng.choice(("persons", "organizations", "contracts", "payments", "cases",
                            "reports"))
        row = self.keyed(table)
        if table == "persons":
            new = self.new_person_row(person_id=row[0])
        elif table == "organizations":
            new = (row[0], f"{c.name}{rng.choice('恒瑞昌')}达物流有限公司", "company",
                   alloc.credit_code(rng, c.region), "", c.region,
                   f"{c.name}物流园区{rng.randint(500, 900)}号", alloc.mobile(rng), "2016-03-01")
        elif table == "contracts":
            new = (*row[:5], money(rng.randint(50_000, 500_000) * 100), *row[6:])
        elif table == "payments":
            new = (*row[:4], money(rng.randint(100, 900) * 100), *row[5:])
        elif table == "cases":
            new = (row[0], row[1], row[2] + "（补录）", *row[3:])
        else:
            new = (row[0], row[1], iso(rand_date(rng, FIRST, LAST)), row[3], row[4] + "（重复）",
                   row[5])
        self.add(table, new, Reason.DUPLICATE_KEY, TABLE_KEY[table], after=row[0])

    def self_tie(self) -> None:
        pid = self.person()
        self.add("relationships", (pid, pid, self.rng.choice(("sibling", "associate")), "", ""),
                 Reason.SELF_TIE, "other_id")

    def bad_field_count(self) -> None:
        row = self.new_person_row()
        addr = row[7] or "城关镇建设路1号"
        split = (*row[:7], addr, "3单元", row[8])
        # the reader names the first field beyond the header: "(10)"
        self.add("persons", split, Reason.BAD_FIELD_COUNT, f"({len(split)})")


TABLE_KEY = {"persons": "person_id", "organizations": "org_id", "contracts": "contract_id",
             "payments": "payment_id", "cases": "case_id", "reports": "report_id"}
TEMPLATES: dict[str, Callable[[BadRows], object]] = {
    Reason.MISSING_REQUIRED.value: BadRows.missing_required,
    Reason.BAD_DATE.value: BadRows.bad_date,
    Reason.DATE_ORDER.value: BadRows.date_order,
    Reason.BAD_AMOUNT.value: BadRows.bad_amount,
    Reason.BAD_SHARE_PCT.value: BadRows.bad_share_pct,
    Reason.BAD_CURRENCY.value: BadRows.bad_currency,
    Reason.BAD_COUNT.value: BadRows.bad_count,
    Reason.BAD_ID_NUMBER.value: BadRows.bad_id_number,
    Reason.BAD_CREDIT_CODE.value: BadRows.bad_credit_code,
    Reason.BAD_VOCABULARY.value: BadRows.bad_vocabulary,
    Reason.UNKNOWN_REFERENCE.value: BadRows.unknown_reference,
    Reason.REFERS_TO_SET_ASIDE.value: BadRows.refers_to_set_aside,
    Reason.DUPLICATE_KEY.value: BadRows.duplicate_key,
    Reason.SELF_TIE.value: BadRows.self_tie,
    "bad_field_count": BadRows.bad_field_count,
}


def add_bad_rows(alloc: Alloc, c: County, tables: dict[str, list[Cell]],
                 involved: set[str]) -> int:
    """Insert about 0.2% bad rows (at least one per reason) into ``tables``; returns the count.

    ``involved`` are ids named by a scheme or decoy: no bad row refers to them.

    Examples
    --------
    >>> from synthetic.run import build_county
    >>> b = build_county(Alloc(), 0, "云溪县", "431221", 0.05, 0, lambda stage: None)
    >>> bad = [x for rows in b.tables.values() for x in rows if isinstance(x, BadLine)]
    >>> {x.code for x in bad} == {r.value for r in FOLDER_REASONS}
    True
    """
    br = BadRows(alloc, c, tables, involved)
    rng = c.rng
    total = sum(len(v) for v in tables.values())
    codes = [r.value for r in Reason if r.value in TEMPLATES]
    for code in codes:
        TEMPLATES[code](br)
    want = max(len(codes), round(0.002 * total))
    while len(br.inserts) < want:
        TEMPLATES[rng.choice(codes)](br)
    for ins in br.inserts:
        rows = tables[ins.table]
        lo = 0
        if ins.after:
            lo = 1 + next(i for i, r in enumerate(rows)
                          if not isinstance(r, BadLine) and r[0] == ins.after)
        rows.insert(rng.randint(lo, len(rows)), ins.line)
    return len(br.inserts)
