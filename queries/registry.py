"""The rule registry: each rule registers once with a stable code, its category and a
one-line title; its tunable values live in ``queries/settings.toml`` under its code
(:mod:`queries.settings`).

Examples
--------
>>> from queries import rules as _  # registers the rules
>>> RULES["COI-001"].category
'conflict_of_interest'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from queries.findings import CATEGORIES

if TYPE_CHECKING:
    from queries.context import Context
    from queries.findings import Finding

@dataclass(frozen=True)
class Rule:
    """A registered rule: code, category, title, doc page and the function that runs it."""

    code: str
    category: str
    title: str
    run: Callable[[Context], list[Finding]]

    @property
    def doc(self) -> Path:
        """Its documentation page."""
        return Path(__file__).resolve().parent.parent / "docs" / "rules" / f"{self.code}.md"


RULES: dict[str, Rule] = {}


def rule(code: str, category: str, title: str) -> Callable[[Callable[[Context], list[Finding]]],
                                                          Callable[[Context], list[Finding]]]:
    """Register a rule function under a stable code."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")

    def wrap(fn: Callable[[Context], list[Finding]]) -> Callable[[Context], list[Finding]]:
        if code in RULES:
            raise ValueError(f"rule {code} registered twice")
        RULES[code] = Rule(code, category, title, fn)
        return fn

    return wrap
