"""Rates of areas against their county's own rate: a Poisson-Gamma empirical-Bayes estimate.

Each area ``i`` has ``observed`` findings and ``heads`` (its people and organisations in
the graph). At the county's rate (all findings over all heads of the level) it would have
``expected = heads * rate``. The raw ratio ``observed / expected`` makes an area with
one finding and three heads look ten times worse than the county by chance alone, so
each ratio is shrunk towards 1 as far as its own evidence is thin: the ratios are taken
to come from a Gamma(alpha, beta) spread whose mean and variance are estimated from all
areas by Marshall's method of moments (Marshall 1991, *Applied Statistics* 40:283; the
Poisson-Gamma model of Clayton and Kaldor 1987, *Biometrics* 43:671). An area's ratio is
then Gamma(alpha + observed, beta + expected): its mean is the estimate, its 2.5 % and
97.5 % quantiles the 95 % credible interval. A big area's estimate stays near its raw
ratio; a small one moves towards the county's.

Examples
--------
>>> est = shrink([30, 1, 14], [300, 3, 30])
>>> [round(e.raw, 2) for e in est]
[0.74, 2.47, 3.45]
>>> [round(e.ratio, 2) for e in est]  # the small area with 1 finding is pulled towards 1
[0.75, 1.27, 2.7]
>>> round(est[2].low, 2)  # the area with 14 findings for 30 heads stands clear of the county
1.54
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

#: The smallest variance of the ratios between areas, as a share of the squared mean:
#: when the areas differ no more than chance gives, every estimate is (almost) the county's.
MIN_SPREAD = 1e-4
#: The credible interval's coverage.
LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """One area's rate against the county's: ``expected`` findings at the county's rate,
    the ``raw`` ratio, the shrunk ``ratio`` and its credible interval ``low``-``high``."""

    observed: int
    heads: int
    expected: float
    raw: float
    ratio: float
    low: float
    high: float


@dataclass(frozen=True)
class Prior:
    """The spread of the ratios between areas (Gamma ``alpha``, ``beta``) and the county's
    ``rate`` (findings per head)."""

    alpha: float
    beta: float
    rate: float


def prior(observed: Sequence[int], heads: Sequence[int]) -> Prior:
    """The county's rate and the Gamma spread of the areas' ratios (method of moments).

    Examples
    --------
    >>> p = prior([10, 10, 10], [100, 100, 100])  # areas alike: no spread beyond chance
    >>> p.rate, p.alpha == p.beta, p.alpha >= 1000
    (0.1, True, True)
    """
    n = len(observed)
    total_heads = sum(heads)
    rate = sum(observed) / total_heads if total_heads else 0.0
    expected = [h * rate for h in heads]
    total_expected = sum(expected)
    if n == 0 or total_expected <= 0:
        return Prior(1.0 / MIN_SPREAD, 1.0 / MIN_SPREAD, rate)
    mean = sum(observed) / total_expected
    spread = sum(e * (o / e - mean) ** 2 for o, e in zip(observed, expected, strict=True)
                 if e > 0) / total_expected
    variance = max(spread - mean / (total_expected / n), MIN_SPREAD * mean * mean)
    return Prior(mean * mean / variance, mean / variance, rate)


def shrink(observed: Sequence[int], heads: Sequence[int]) -> list[Estimate]:
    """Each area's ratio to the county's rate, shrunk (see the module's description);
    an area with no head counts as one."""
    heads = [max(int(h), 1) for h in heads]
    p = prior(observed, heads)
    out = []
    for o, h in zip(observed, heads, strict=True):
        e = h * p.rate
        a, b = p.alpha + o, p.beta + e
        tail = (1.0 - LEVEL) / 2
        out.append(Estimate(int(o), h, e, o / e if e > 0 else 0.0, a / b,
                            gamma_quantile(tail, a) / b, gamma_quantile(1 - tail, a) / b))
    return out


def gamma_p(a: float, x: float) -> float:
    """The regularised lower incomplete gamma function P(a, x) (series below ``a + 1``,
    Lentz's continued fraction above).

    Examples
    --------
    >>> round(gamma_p(1.0, 1.0), 6)  # 1 - e^-1
    0.632121
    >>> round(gamma_p(5.0, 5.0), 6)
    0.559507
    """
    if x <= 0:
        return 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        k = a
        for _ in range(100000):
            k += 1
            term *= x / k
            total += term
            if abs(term) < abs(total) * 1e-14:
                break
        return min(1.0, total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-14:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)


#: Above this shape the Wilson-Hilferty approximation is used (relative error < 1e-5).
LARGE_SHAPE = 500.0


@lru_cache(maxsize=4096)
def gamma_quantile(q: float, a: float) -> float:
    """The ``q`` quantile of Gamma(shape ``a``, rate 1): by bisection on :func:`gamma_p`,
    or for a shape above :data:`LARGE_SHAPE` by the Wilson-Hilferty cube-root normal
    approximation (areas with the same count share one computation).

    Examples
    --------
    >>> round(gamma_quantile(0.5, 1.0), 6)  # the exponential's median, ln 2
    0.693147
    >>> round(gamma_quantile(0.975, 10.0), 3)  # chi-squared(20) 0.975 / 2
    17.085
    >>> round(gamma_quantile(0.975, 1000.0), 1)  # the normal approximation's region
    1062.9
    """
    if a > LARGE_SHAPE:
        z = NormalDist().inv_cdf(q)
        return a * (1 - 1 / (9 * a) + z * math.sqrt(1 / (9 * a))) ** 3
    lo, hi = 0.0, max(1.0, a)
    while gamma_p(a, hi) < q:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if gamma_p(a, mid) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-10 * max(1.0, hi):
            break
    return (lo + hi) / 2
