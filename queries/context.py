"""What a rule sees: the frames, its settings and shared, cached computations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from queries.frames import Frames
from queries.kin import all_ties, kin_chains


@dataclass
class Context:
    """Frames plus caches shared between rules during one scan."""

    frames: Frames
    settings: dict[str, Any] = field(default_factory=dict)
    _cache: dict[tuple[Any, ...], pd.DataFrame] = field(default_factory=dict)

    def kin(self, max_hops: int, starts: Iterable[str] | None = None) -> pd.DataFrame:
        """Kin chains up to ``max_hops`` (from ``starts`` only, when given; cached)."""
        begin = None if starts is None else frozenset(starts)
        key = ("kin", max_hops, begin)
        if key not in self._cache:
            full = self._cache.get(("kin", max_hops, None))
            self._cache[key] = (kin_chains(self.frames, max_hops, begin) if full is None
                                else full[full["a"].isin(begin or ())])
        return self._cache[key]

    def ties(self, max_hops: int, starts: Iterable[str] | None = None) -> pd.DataFrame:
        """Kin chains, associates and co-owners (from ``starts`` only, when given; cached)."""
        begin = None if starts is None else frozenset(starts)
        key = ("ties", max_hops, begin)
        if key not in self._cache:
            self._cache[key] = all_ties(self.frames, max_hops, kin=self.kin(max_hops, begin),
                                        starts=begin)
        return self._cache[key]

    def report_counts(self) -> dict[str, int]:
        """How many tip-offs name each entity."""
        key = ("reports",)
        if key not in self._cache:
            r = self.frames.rel("REPORTED")
            self._cache[key] = r.groupby("dst").size().rename("n").reset_index()
        f = self._cache[key]
        return dict(zip(f["dst"].tolist(), f["n"].tolist(), strict=True)) if len(f) else {}

    def report_bonus(self, keys: list[str]) -> float:
        """Score bonus for tip-offs naming the finding's persons."""
        counts = self.report_counts()
        n = sum(counts.get(k, 0) for k in set(keys))
        bonus: float = self.settings.get("report_bonus", 0.05) * n
        return float(min(bonus, self.settings.get("report_bonus_max", 0.1)))
