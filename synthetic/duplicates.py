"""Persons registered twice (same identity number written differently) and namesakes.

A duplicate gets a second persons row under a new id: the identity number
with a lower-case x, in full-width digits or with surrounding blanks, the
name with a full-width or stray space. Other rows then use either id.
"""

from __future__ import annotations

from synthetic.alloc import Alloc
from synthetic.model import County, Person
from synthetic.names import name_quirk
from synthetic.truth import Duplicate, Namesake

_FULLWIDTH = {ord(str(i)): chr(0xFF10 + i) for i in range(10)} | {ord("X"): "Ｘ"}
VARIANTS = ("lower_x", "fullwidth", "blanks")


def write_id_number(number: str, variant: str) -> str:
    """The identity number as a careless clerk writes it.

    Examples
    --------
    >>> write_id_number("11010519491231002X", "lower_x")
    '11010519491231002x'
    >>> write_id_number("110105194912310021", "fullwidth")
    '１１０１０５１９４９１２３１００２１'
    >>> write_id_number("110105194912310021", "blanks")
    ' 110105194912310021 '
    """
    if variant == "lower_x" and number.endswith("X"):
        return number[:-1] + "x"
    if variant == "fullwidth":
        return number.translate(_FULLWIDTH)
    return f" {number} "


def _quirks(c: County, p: Person, alias: str, variant: str) -> None:
    p.id_written[alias] = write_id_number(p.id_number, variant)
    p.name_written[alias] = name_quirk(c.rng, p.name, len(p.surname or p.name[:1]))


def make_duplicates(alloc: Alloc, c: County) -> list[Duplicate]:
    """Register about 0.5% of persons (at least three) a second time under another id.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> pl = small_planter()
    >>> dups = make_duplicates(pl.alloc, pl.c)
    >>> len(dups) >= 3, all(len(d.person_ids) == 2 for d in dups)
    (True, True)
    """
    rng = c.rng
    want = max(3, round(0.005 * len(c.persons)))
    out: list[Duplicate] = []
    planted = [p for p in c.persons.values() if p.aliases]
    for i, p in enumerate(planted):
        variant = "lower_x" if p.id_number.endswith("X") else ("blanks", "fullwidth")[i % 2]
        _quirks(c, p, p.aliases[0], variant)
    cands = [p for p in c.persons.values() if p.id_number and not p.aliases
             and p.pid not in c.planted and (p.pid in c.used or rng.random() < 0.4)]
    with_x = [p for p in cands if p.id_number.endswith("X")]
    chosen: list[Person] = []
    if with_x:
        chosen.append(rng.choice(with_x))
    while len(chosen) + len(planted) < want and cands:
        p = cands.pop(rng.randrange(len(cands)))
        if p not in chosen:
            chosen.append(p)
    for i, p in enumerate(chosen):
        alias = alloc.next_id("P")
        p.aliases.append(alias)
        variant = VARIANTS[i % len(VARIANTS)]
        if variant == "lower_x" and not p.id_number.endswith("X"):
            variant = "blanks"
        _quirks(c, p, alias, variant)
    for p in planted + chosen:
        out.append(Duplicate((p.pid, *p.aliases), p.id_number))
    return out


class NamesakeTracker:
    """Pairs of distinct persons sharing a name, across the whole run (chained per name).

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> t = NamesakeTracker()
    >>> t.add(small_planter().c)
    >>> len(t.pairs) > 10
    True
    """

    def __init__(self) -> None:
        self.last: dict[str, str] = {}
        self.pairs: list[Namesake] = []

    def add(self, c: County) -> None:
        """Record the county's persons (those with an identity number)."""
        for p in c.persons.values():
            if not p.id_number:
                continue
            prev = self.last.get(p.name)
            if prev is not None:
                self.pairs.append(Namesake(p.name, (prev, p.pid)))
            self.last[p.name] = p.pid
