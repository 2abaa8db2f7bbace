"""What a rule sees: the frames, its settings and shared, cached computations."""

from __future__ import annotations

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

    def kin(self, max_hops: int) -> pd.DataFrame:
        """Kin chains up to ``max_hops`` (cached)."""
        key = ("kin", max_hops)
        if key not in self._cache:
            self._cache[key] = kin_chains(self.frames, max_hops)
        return self._cache[key]

    def ties(self, max_hops: int) -> pd.DataFrame:
        """Kin chains, associates and co-owners (cached)."""
        key = ("ties", max_hops)
        if key not in self._cache:
            self._cache[key] = all_ties(self.frames, max_hops, kin=self.kin(max_hops))
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
