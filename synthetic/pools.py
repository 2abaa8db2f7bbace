"""Who may still be cast in a part: persons free of ties to officials and unused.

The background must not contain a planted pattern by accident, so company
holders, subsidy recipients and case parties are drawn only from persons
more than two ties (kin or associate, dates ignored) away from every
official, and each person gets one part.

Examples
--------
>>> import random
>>> from synthetic.model import County, Person, Tie, Position
>>> from synthetic.timeline import FIRST
>>> c = County(0, "云溪县", "431221", 1.0, random.Random(0))
>>> for i in range(4):
...     _ = c.add_person(Person(f"P{i}", "王伟", "", "男", FIRST.replace(year=1970), None,
...                             "", "", "431221", ""))
>>> _ = c.add_position(Position("P0", "O1", "局长", None, None))
>>> _ = c.add_tie(Tie("P0", "P1", "sibling", None, None))
>>> sorted(tainted(c))
['P0', 'P1']
>>> pool = Pool(c, free_persons(c, tainted(c)))
>>> sorted([pool.take(), pool.take()]), pool.take()
(['P2', 'P3'], None)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from synthetic.model import County, Person


def tainted(c: County) -> set[str]:
    """Officials and everyone within two ties of one, or sharing a company with one.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> c = small_planter().c
    >>> set(c.pos_by_person) <= tainted(c) < set(c.persons)
    True
    """
    out: set[str] = set()
    for pid in c.pos_by_person:
        out.add(pid)
        out.update(c.reach(pid, 2))
        out.update(c.coholders(pid))
    return out


def free_persons(c: County, blocked: set[str]) -> list[str]:
    """Persons not blocked, not planted and not yet used, in creation order.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> c = small_planter().c
    >>> free = free_persons(c, tainted(c))
    >>> 0 < len(free) < len(c.persons), free == sorted(free)
    (True, True)
    """
    return [pid for pid in c.persons
            if pid not in blocked and pid not in c.planted and pid not in c.used]


class Pool:
    """Random draws without replacement from a list of person ids."""

    def __init__(self, c: County, pids: Iterable[str]) -> None:
        self.c = c
        self.items = list(pids)

    def take(self, pred: Callable[[Person], bool] | None = None, tries: int = 60) -> str | None:
        """Draw a person satisfying ``pred`` (skipping those used or planted meanwhile)."""
        c, items = self.c, self.items
        rng = c.rng
        for _ in range(tries):
            if not items:
                return None
            i = rng.randrange(len(items))
            pid = items[i]
            if pid in c.used or pid in c.planted:
                items[i] = items[-1]
                items.pop()
                continue
            if pred is None or pred(c.persons[pid]):
                items[i] = items[-1]
                items.pop()
                return pid
        for i, pid in enumerate(items):
            if pid not in c.used and pid not in c.planted and (
                    pred is None or pred(c.persons[pid])):
                items[i] = items[-1]
                items.pop()
                return pid
        return None
