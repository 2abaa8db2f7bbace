"""The context the slow pandas references run in: the rule context plus kin chains and
ties computed in pandas (:mod:`tests.queries.reference.kin`), cached per context."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from queries.context import Context
from tests.queries.reference.kin import all_ties, kin_chains


@dataclass
class RefContext(Context):
    """A :class:`~queries.context.Context` with the pandas kin chains the references use."""

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
