"""Dates of the synthetic county: the data window and small date helpers.

Every event (posts, ties, roles, awards, payments, cases, reports) lies in
:data:`FIRST` .. :data:`LAST`; births and company foundings may be earlier.

Examples
--------
>>> import random
>>> d = rand_date(random.Random(0), FIRST, LAST)
>>> FIRST <= d <= LAST
True
>>> iso(None), iso(FIRST)
('', '2015-01-01')
"""

from __future__ import annotations

import datetime as dt
import random

FIRST = dt.date(2015, 1, 1)
LAST = dt.date(2025, 12, 31)
#: Open interval ends used when a start or end date is blank.
MIN_DATE = dt.date(1, 1, 1)
MAX_DATE = dt.date(9999, 12, 31)
ONE_DAY = dt.timedelta(days=1)


def rand_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    """A uniformly drawn date in ``lo .. hi`` (inclusive).

    Examples
    --------
    >>> rand_date(random.Random(0), FIRST, FIRST)
    datetime.date(2015, 1, 1)
    """
    span = (hi - lo).days
    return lo + dt.timedelta(days=rng.randint(0, max(span, 0)))


def iso(d: dt.date | None) -> str:
    """ISO text of a date, '' for none.

    Examples
    --------
    >>> iso(dt.date(2021, 3, 4))
    '2021-03-04'
    """
    return "" if d is None else d.isoformat()


def add_days(d: dt.date, days: int) -> dt.date:
    """``d`` shifted by ``days`` days.

    Examples
    --------
    >>> add_days(FIRST, -1)
    datetime.date(2014, 12, 31)
    """
    return d + dt.timedelta(days=days)


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` shifted by whole months, the day clipped to 28.

    Examples
    --------
    >>> add_months(dt.date(2020, 11, 30), 3)
    datetime.date(2021, 2, 28)
    """
    m = d.month - 1 + months
    return dt.date(d.year + m // 12, m % 12 + 1, min(d.day, 28))


def in_force(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
    """Whether an interval with optional (blank) ends covers ``day``.

    Examples
    --------
    >>> in_force(None, dt.date(2020, 1, 1), dt.date(2020, 1, 1))
    True
    >>> in_force(dt.date(2020, 1, 2), None, dt.date(2020, 1, 1))
    False
    """
    return (start is None or start <= day) and (end is None or day <= end)
