"""Unique values across a whole generation run: ids, identity numbers, phones, accounts.

One :class:`Alloc` serves every county of a run, so ids never repeat and no
two people share an identity number, a phone or a bank account by accident.

Examples
--------
>>> import datetime as dt, random
>>> from graph.ids import is_valid_id_number, is_valid_credit_code
>>> a = Alloc()
>>> a.next_id("P"), a.next_id("P"), a.next_id("O")
('P0000001', 'P0000002', 'O000001')
>>> rng = random.Random(0)
>>> n = a.id_number(rng, "431221", dt.date(1970, 5, 6), "女")
>>> is_valid_id_number(n), n[6:14], int(n[16]) % 2
(True, '19700506', 0)
>>> is_valid_credit_code(a.credit_code(rng, "431221"))
True
"""

from __future__ import annotations

import datetime as dt
import random

from graph.ids import USCC_ALPHABET, credit_code_check_char, make_credit_code, make_id_number

_WIDTH = {"P": 7, "O": 6, "C": 6, "PM": 7, "K": 5, "R": 6}
_MOBILE = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
           "152", "153", "155", "156", "157", "158", "159", "166", "173", "177", "180",
           "181", "182", "183", "186", "187", "188", "189", "191", "198", "199")
_ORG_CODE = USCC_ALPHABET.replace("0", "").replace("1", "")


class Alloc:
    """Counters and sets that keep identifiers unique over a run."""

    def __init__(self) -> None:
        self.counters: dict[str, int] = {}
        self.unknown: dict[str, int] = {}
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()
        self.accounts: set[str] = set()
        self.credit_codes: set[str] = set()
        self.names: set[str] = set()

    def next_id(self, prefix: str) -> str:
        """The next id of a table: ``P`` persons, ``O`` orgs, ``C``, ``PM``, ``K``, ``R``."""
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        width = _WIDTH[prefix]
        if n >= 9 * 10 ** (width - 1):
            raise ValueError(f"too many {prefix} ids for the id format")
        return f"{prefix}{n:0{width}d}"

    def unknown_id(self, prefix: str) -> str:
        """An id of the table's format that no row defines (it starts with 9)."""
        n = self.unknown.get(prefix, 0) + 1
        self.unknown[prefix] = n
        width = _WIDTH[prefix]
        return f"{prefix}9{n * 7919 % 10 ** (width - 1):0{width - 1}d}"

    def id_number(self, rng: random.Random, region: str, birth: dt.date, gender: str) -> str:
        """A valid, unused identity number; the 17th digit is odd for men."""
        male = gender == "男"
        while True:
            seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
            number = make_id_number(region, birth, seq)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def mobile(self, rng: random.Random) -> str:
        """An unused mobile number 1[3-9]xxxxxxxxx."""
        while True:
            phone = rng.choice(_MOBILE) + f"{rng.randrange(10 ** 8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def landline(self, rng: random.Random, area: str) -> str:
        """An unused landline number of the area, e.g. 0745-8231234."""
        while True:
            phone = f"{area}-{rng.choice('2345678')}{rng.randrange(10 ** 6):06d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def account(self, rng: random.Random) -> str:
        """An unused 19-digit bank card number."""
        while True:
            acct = rng.choice(("6217", "6228", "6230", "6214", "6222")) + \
                f"{rng.randrange(10 ** 15):015d}"
            if acct not in self.accounts:
                self.accounts.add(acct)
                return acct

    def credit_code(self, rng: random.Random, region: str, kind: str = "91") -> str:
        """An unused valid credit code; ``kind`` 91 company, 11 agency, 54 village, 12 other."""
        while True:
            body = "".join(rng.choice(_ORG_CODE) for _ in range(9))
            if kind == "91":
                code = make_credit_code(region, body)
            else:
                first = f"{kind}{region}{body}"
                code = first + credit_code_check_char(first)
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def unique_name(self, name: str) -> bool:
        """Claim an organization name; False when it is taken."""
        if name in self.names:
            return False
        self.names.add(name)
        return True
