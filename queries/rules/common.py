"""Helpers shared by the rule families: chains in words, amounts, dates."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

#: ``frames.rel_row``: a relationship record by type and id.
RowLookup = Callable[[str, str], Any]

_ZH = {"spouse": "spouse", "parent": "parent", "child": "child", "sibling": "sibling",
       "grandparent": "grandparent", "grandchild": "grandchild", "in_law": "in-law",
       "associate": "known associate", "co_owner": "co-owner of a company"}


def compact_text(s: pd.Series, drop: str = r"\s+") -> pd.Series:
    """NFKC text with every match of ``drop`` removed ("" when missing), for comparing.

    Examples
    --------
    >>> compact_text(pd.Series(["城关镇 人民路１号", None])).tolist()
    ['城关镇人民路1号', '']
    """
    text = s.astype("string").fillna("").str.normalize("NFKC")
    return text.str.replace(drop, "", regex=True).astype(str)


def chain_words(how: str) -> str:
    """``spouse>sibling`` -> ``spouse's sibling``.

    Examples
    --------
    >>> chain_words("spouse>sibling")
    "spouse's sibling"
    """
    return "'s ".join(_ZH.get(h, h) for h in how.split(">"))


def yuan(amount: Any) -> str:
    """Amount in yuan for sentences.

    Examples
    --------
    >>> yuan(1250000.5), yuan(None), yuan(float("nan"))
    ('¥1,250,000.50', 'an unknown amount', 'an unknown amount')
    """
    try:
        value = float(amount)
    except (TypeError, ValueError):
        return "an unknown amount"
    return "an unknown amount" if math.isnan(value) else f"¥{value:,.2f}"


def since(s: str, e: str) -> str:
    """Interval in words ('since 2019-01-01', 'from 2015-01-01 to 2018-12-31').

    Examples
    --------
    >>> since("0000-01-01", "9999-12-31"), since("2019-01-01", "9999-12-31")
    ('with no recorded dates', 'since 2019-01-01')
    """
    start = "" if s == "0000-01-01" else s
    end = "" if e == "9999-12-31" else e
    if start and end:
        return f"from {start} to {end}"
    if start:
        return f"since {start}"
    if end:
        return f"until {end}"
    return "with no recorded dates"
