"""Helpers shared by the rule families (their words are :mod:`lang`'s)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

#: ``frames.rel_row``: a relationship record by type and id.
RowLookup = Callable[[str, str], Any]


def compact_text(s: pd.Series, drop: str = r"\s+") -> pd.Series:
    """NFKC text with every match of ``drop`` removed ("" when missing), for comparing.

    Examples
    --------
    >>> compact_text(pd.Series(["城关镇 人民路１号", None])).tolist()
    ['城关镇人民路1号', '']
    """
    text = s.astype("string").fillna("").str.normalize("NFKC")
    return text.str.replace(drop, "", regex=True).astype(str)
