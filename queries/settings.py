"""The settings file that tunes the rules, validated by type and range for every key.

``queries/settings.toml`` holds the defaults, one table per rule code (and
``[defaults]`` under every rule); a file given with ``--settings`` overrides
some of them. Every key has a :class:`Spec` in :data:`SPECS`: its type and the
values it may take. A value of the wrong type, out of range, not finite or
not in its vocabulary is refused with the allowed range in the message, so a
typo never turns into a flood of false leads.

Examples
--------
>>> s = load_settings()
>>> s.rule("COI-001")["max_kin_hops"]
2
>>> SPECS["min_recipients"].describe()
'a whole number from 2 to 100000'
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.analysis.roles import SIDES
from graph.errors import UmbrellaError
from graph.schema import (
    CASE_PARTY_ROLES,
    CASE_ROLES,
    COMPANY_ROLES,
    CONTRACT_METHODS,
    NODE_KINDS,
    ORG_KINDS,
)

DEFAULT_SETTINGS = Path(__file__).with_name("settings.toml")


class SettingsError(UmbrellaError):
    """The settings file is unreadable or holds a value a rule cannot use."""


@dataclass(frozen=True)
class Spec:
    """What one settings key may hold.

    ``kind`` is ``bool``, ``int``, ``float``, ``str`` or ``list`` (of text);
    ``low``/``high`` bound numbers (inclusive); ``choices`` lists the allowed
    words (of a text value, or of every item of a list); ``pattern`` is a
    regular expression every text (or item) must match; ``empty`` allows an
    empty list or text.
    """

    kind: type
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    pattern: str = ""
    empty: bool = False
    what: str = ""

    def describe(self) -> str:
        """The allowed values in words, for error messages.

        Examples
        --------
        >>> Spec(float, 0, 1).describe(), Spec(list, choices=("a", "b")).describe()
        ('a number from 0 to 1', 'a list of: a, b')
        """
        if self.kind is bool:
            return "true or false"
        if self.kind in (int, float):
            noun = "a whole number" if self.kind is int else "a number"
            if self.low is not None and self.high is not None:
                return f"{noun} from {self.low:g} to {self.high:g}"
            if self.low is not None:
                return f"{noun} of at least {self.low:g}"
            return noun
        words = f"one of: {', '.join(self.choices)}" if self.choices else (
            self.what or "text")
        if self.kind is list:
            return ("a list of: " + ", ".join(self.choices) if self.choices
                    else f"a list of {self.what or 'text'}")
        return words

    def check(self, value: Any) -> str | None:
        """Why ``value`` is not allowed (None when it is)."""
        if self.kind is bool:
            return None if isinstance(value, bool) else "should be true or false"
        if self.kind in (int, float):
            ok_type = (isinstance(value, int) if self.kind is int
                       else isinstance(value, int | float)) and not isinstance(value, bool)
            if not ok_type:
                return f"should be {self.describe()}"
            if isinstance(value, float) and not math.isfinite(value):
                return f"is not a finite number; it should be {self.describe()}"
            if (self.low is not None and value < self.low) or (
                    self.high is not None and value > self.high):
                return f"is out of range; it should be {self.describe()}"
            return None
        items = value if self.kind is list else [value]
        if self.kind is list and not (isinstance(value, list)
                                      and all(isinstance(v, str) for v in value)):
            return f"should be {self.describe()}, like [\"a\", \"b\"]"
        if self.kind is str and not isinstance(value, str):
            return f"should be text: {self.describe()}"
        if not self.empty and not any(str(v) for v in items):
            return f"must not be empty; it should be {self.describe()}"
        bad = [v for v in items if v and (
            (self.choices and v not in self.choices)
            or (self.pattern and not re.fullmatch(self.pattern, v)))]
        return f"has {', '.join(map(repr, bad))}; it should be {self.describe()}" if bad else None


_SHARE = Spec(float, 0, 1)
_WEIGHT = Spec(float, 0, 100)
_SIDES_ALL = (*SIDES, "other")
_PAIR = "(" + "|".join(_SIDES_ALL) + "):(" + "|".join(_SIDES_ALL) + ")"

#: Every key of the settings file and what it may hold (the same key means the same
#: thing in every rule).
SPECS: dict[str, Spec] = {
    "enabled": Spec(bool),
    "max_kin_hops": Spec(int, 1, 3),
    "report_bonus": _SHARE, "report_bonus_max": _SHARE,
    "base_score": _SHARE, "self_bonus": _SHARE, "hop_penalty": _SHARE,
    "outcome_bonus": _SHARE, "repeat_bonus": _SHARE, "link_bonus": _SHARE,
    "group_bonus": _SHARE, "winner_bonus": _SHARE, "span": _SHARE, "min_score": _SHARE,
    "findings_weight": _SHARE, "mix_weight": _SHARE, "money_weight": _SHARE,
    "roles": Spec(list, choices=COMPANY_ROLES),
    "grace_days": Spec(int, 0, 3650),
    "min_recipients": Spec(int, 2, 100_000),
    "gang_roles": Spec(list, choices=CASE_PARTY_ROLES),
    "links": Spec(list, choices=("phone", "address", *COMPANY_ROLES)),
    "min_contracts": Spec(int, 2, 100_000),
    "min_firms": Spec(int, 2, 1_000),
    "same_buyer": Spec(bool),
    "competitive_methods": Spec(list, choices=CONTRACT_METHODS),
    "method": Spec(str, choices=("leiden", "louvain")),
    "resolution": Spec(float, 0.0001, 10_000),
    "reference_weight": Spec(float, 0, 1e12),
    "seed": Spec(int, 0, 2**31 - 1),
    "iterations": Spec(int, -1, 1_000),
    "on": Spec(str, pattern=r"\d{4}-\d{2}-\d{2}", empty=True, what="a date YYYY-MM-DD or \"\""),
    "org_kinds": Spec(list, choices=ORG_KINDS),
    "count_rules": Spec(list, pattern=r"[A-Z]{3}(-\d{3})?",
                        what="rule codes or families such as COI or SUB-001"),
    "min_members": Spec(int, 2, 1_000_000),
    "min_kinds": Spec(int, 0, 3),
    "max_findings": Spec(int, 1, 100_000),
    "evidence_paths": Spec(int, 1, 100),
    "pairs": Spec(list, pattern=_PAIR, what="side:side pairs with sides " + ", ".join(_SIDES_ALL)),
    "combine": Spec(str, choices=("all", "any")),
    "case_roles": Spec(list, choices=CASE_ROLES),
    "weighted": Spec(bool),
    "samples": Spec(int, 2, 1_000_000),
    "batches": Spec(int, 1, 1_000),
    "kinds": Spec(list, choices=tuple(NODE_KINDS)),
}


def spec_of(key: str) -> Spec | None:
    """The spec of a key (``w_*`` tie weights share one)."""
    if key in SPECS:
        return SPECS[key]
    return _WEIGHT if key.startswith("w_") else None


def check_value(where: str, key: str, value: Any) -> None:
    """Raise :class:`SettingsError` unless ``value`` is allowed for ``key``.

    Examples
    --------
    >>> try:
    ...     check_value("[SUB-003]", "min_recipients", -1)
    ... except SettingsError as err:
    ...     print(err.message)
    [SUB-003]: min_recipients = -1 is out of range; it should be a whole number from 2 to 100000
    """
    spec = spec_of(key)
    if spec is None:
        raise SettingsError(f"{where}: {key} has no declared type",
                            hint="declare it in queries.settings.SPECS")
    problem = spec.check(value)
    if problem is None and key == "iterations" and value == 0:
        problem = "is 0; it should be -1 (until stable) or a number of passes from 1 to 1000"
    if problem is None and key == "on" and value:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            problem = "is not a real date; it should be YYYY-MM-DD or \"\""
    if problem is not None:
        raise SettingsError(f"{where}: {key} = {value!r} {problem}",
                            hint="correct the value in the settings file")


@dataclass(frozen=True)
class Settings:
    """Validated settings: the global defaults and one table per rule code."""

    defaults: dict[str, Any]
    rules: dict[str, dict[str, Any]]
    source: str

    def rule(self, code: str) -> dict[str, Any]:
        """A rule's settings, with the global defaults underneath."""
        return {**self.defaults, **self.rules.get(code, {})}


def _parse(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.strerror})",
                            hint="check the --settings path") from exc
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise SettingsError(f"{path}: line {line}: not UTF-8 text",
                            hint="save the settings file as UTF-8") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}", hint="fix the TOML syntax at that line") from exc


def load_settings(path: Path | None = None) -> Settings:
    """The default settings, overridden by ``path`` when given; every value validated."""
    base = _parse(DEFAULT_SETTINGS)
    merged = {k: dict(v) for k, v in base.items()}
    for code, table in base.items():
        for key, value in table.items():
            check_value(f"{DEFAULT_SETTINGS.name}: [{code}]", key, value)
    if path is not None:
        for code, table in _parse(path).items():
            where = f"{path}: [{code}]"
            if code not in base or not isinstance(table, dict):
                known = ", ".join(sorted(base))
                raise SettingsError(f"{where}: unknown section", hint=f"use one of: {known}")
            for key, value in table.items():
                if key not in base[code] and not (code != "defaults" and key in base["defaults"]):
                    raise SettingsError(f"{where}: unknown key {key!r}",
                                        hint=f"keys of [{code}]: {', '.join(base[code])}")
                check_value(where, key, value)
                merged[code][key] = value
    defaults = merged.pop("defaults")
    return Settings(defaults, merged, str(path or DEFAULT_SETTINGS))
