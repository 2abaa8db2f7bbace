"""Helpers shared by the rule families (their words are :mod:`lang`'s)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def any_right(found: pd.DataFrame, by: Sequence[str]) -> pd.Series:
    """Per group of ``found`` (columns ``by`` and ``score``), the chance that at least one
    of its findings is right, reading each score as that chance: ``1 - prod(1 - score)``
    (scores clipped to 0-1). Forty weak findings of one pattern stay below one sure one.

    Examples
    --------
    >>> f = pd.DataFrame({"key": ["a", "a", "b"], "score": [0.5, 0.5, 1.0]})
    >>> any_right(f, ["key"]).to_dict()
    {'a': 0.75, 'b': 1.0}
    """
    keep = 1.0 - found["score"].astype(float).clip(0.0, 1.0)
    return 1.0 - keep.groupby([found[c] for c in by], sort=False).prod()
