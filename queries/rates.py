"""Rate tests for rules that compare how often something happens in two groups of cases.

One question, asked exactly with integers: is the share of ``hits`` in a first group
larger than chance would give, against a second group? (One-sided Fisher exact test:
the tail of the hypergeometric distribution, as :func:`scipy.stats.fisher_exact` with
``alternative="greater"`` computes it.)

Examples
--------
>>> round(fisher_greater(7, 8, 3, 40), 7)  # 7 of 8 against 3 of 40
1.22e-05
>>> fisher_greater(0, 5, 3, 40)
1.0
"""

from __future__ import annotations

from fractions import Fraction
from math import comb


def fisher_greater(hits: int, n: int, other_hits: int, other_n: int) -> float:
    """The one-sided Fisher exact p-value that ``hits`` of ``n`` is a larger share than
    ``other_hits`` of ``other_n``: the chance of ``hits`` or more in a first group of
    ``n`` when the ``hits + other_hits`` are spread at random over both groups.

    Examples
    --------
    >>> round(fisher_greater(4, 4, 0, 4), 4)  # 1 / C(8, 4)
    0.0143
    >>> fisher_greater(2, 4, 20, 40) > 0.5
    True
    >>> fisher_greater(0, 0, 3, 5)
    1.0
    """
    if not (0 <= hits <= n and 0 <= other_hits <= other_n):
        raise ValueError("counts must satisfy 0 <= hits <= n")
    total, k = n + other_n, hits + other_hits
    if n == 0 or total == 0:
        return 1.0
    tail = sum(comb(k, x) * comb(total - k, n - x) for x in range(hits, min(n, k) + 1))
    return float(Fraction(tail, comb(total, n)))


def p_text(p: float) -> str:
    """A p-value as a person reads it: two significant digits, or ``< 0.0001``.

    Examples
    --------
    >>> p_text(0.01234), p_text(0.0000013), p_text(1.0)
    ('0.012', '< 0.0001', '1')
    """
    return "< 0.0001" if p < 0.0001 else f"{p:.2g}"
