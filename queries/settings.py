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
from lang import N_, _
from lang.formats import DateError, parse_date

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
        """The allowed values in words, in the language spoken now (for error messages).

        Examples
        --------
        >>> Spec(float, 0, 1).describe(), Spec(list, choices=("a", "b")).describe()
        ('a number from 0 to 1', 'a list of: a, b')
        """
        fields = {"low": self.low, "high": self.high, "choices": ", ".join(self.choices)}
        if self.kind is bool:
            return _("true or false")
        if self.kind in (int, float):
            whole = self.kind is int
            if self.low is not None and self.high is not None:
                words = (N_("a whole number from {low:g} to {high:g}") if whole
                         else N_("a number from {low:g} to {high:g}"))
            elif self.low is not None:
                words = (N_("a whole number of at least {low:g}") if whole
                         else N_("a number of at least {low:g}"))
            else:
                words = N_("a whole number") if whole else N_("a number")
            return _(words).format(**fields)
        what = _(self.what or N_("text")).format(sides=", ".join(_SIDES_ALL))
        if self.kind is list:
            return (_("a list of: {choices}").format(**fields) if self.choices
                    else _("a list of {what}").format(what=what))
        return _("one of: {choices}").format(**fields) if self.choices else what

    def check(self, value: Any) -> tuple[str, str] | None:
        """Why ``value`` is not allowed, as a key of :data:`PROBLEMS` and the values at
        fault (None when it is allowed)."""
        if self.kind is bool:
            return None if isinstance(value, bool) else ("bool", "")
        if self.kind in (int, float):
            ok_type = (isinstance(value, int) if self.kind is int
                       else isinstance(value, int | float)) and not isinstance(value, bool)
            if not ok_type:
                return ("type", "")
            if isinstance(value, float) and not math.isfinite(value):
                return ("finite", "")
            if (self.low is not None and value < self.low) or (
                    self.high is not None and value > self.high):
                return ("range", "")
            return None
        items = value if self.kind is list else [value]
        if self.kind is list and not (isinstance(value, list)
                                      and all(isinstance(v, str) for v in value)):
            return ("list", "")
        if self.kind is str and not isinstance(value, str):
            return ("text", "")
        if not self.empty and not any(str(v) for v in items):
            return ("empty", "")
        bad = [v for v in items if v and (
            (self.choices and v not in self.choices)
            or (self.pattern and not re.fullmatch(self.pattern, v)))]
        return ("bad", ", ".join(map(repr, bad))) if bad else None


#: What is wrong with a setting's value: ``{where}`` (file and section), ``{key}``,
#: ``{value}`` (as written in TOML), ``{allowed}`` (:meth:`Spec.describe`), ``{bad}``.
PROBLEMS = {
    "bool": N_("{where}: {key} = {value} should be true or false"),
    "type": N_("{where}: {key} = {value} should be {allowed}"),
    "finite": N_("{where}: {key} = {value} is not a finite number; it should be {allowed}"),
    "range": N_("{where}: {key} = {value} is out of range; it should be {allowed}"),
    "list": N_('{where}: {key} = {value} should be {allowed}, like ["a", "b"]'),
    "text": N_("{where}: {key} = {value} should be text: {allowed}"),
    "empty": N_("{where}: {key} = {value} must not be empty; it should be {allowed}"),
    "bad": N_("{where}: {key} = {value} has {bad}; it should be {allowed}"),
    "iterations": N_("{where}: {key} = {value} is 0; it should be -1 (until stable) or a number "
                     "of passes from 1 to 1000"),
    "date": N_('{where}: {key} = {value} is not a real date; it should be YYYY-MM-DD or ""'),
}


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
    "min_finding_score": _SHARE, "join_score": _SHARE, "hub_share": _SHARE,
    "hub_least": Spec(int, 3, 1_000_000_000), "implicated_scale": Spec(float, 0.1, 1000),
    "roles": Spec(list, choices=COMPANY_ROLES),
    "grace_days": Spec(int, 0, 3650),
    "min_recipients": Spec(int, 2, 100_000),
    "max_sharing": Spec(int, 0, 10_000_000),
    "max_address_sharing": Spec(int, 0, 10_000_000),
    "max_tie_degree": Spec(int, 0, 10_000_000),
    "max_block": Spec(int, 2, 1_000_000),
    "name_match": Spec(bool),
    "gang_roles": Spec(list, choices=CASE_PARTY_ROLES),
    "party_roles": Spec(list, choices=CASE_PARTY_ROLES),
    "kin_bonus": _SHARE, "in_law_bonus": _SHARE, "associate_bonus": _SHARE,
    "tie_bonus": _SHARE, "kin_holder_penalty": _SHARE, "disparity_bonus": _SHARE,
    "min_linked_cases": Spec(int, 1, 1_000_000),
    "min_favourable": Spec(int, 1, 1_000_000),
    "min_other_cases": Spec(int, 1, 1_000_000),
    "max_p": Spec(float, 1e-12, 1),
    "links": Spec(list, choices=("phone", "address", "bank_account", *COMPANY_ROLES, "staff")),
    "fold_into_rings": Spec(bool),
    "cover_bonus": _SHARE, "loser_bonus": _SHARE, "cover_ratio": _SHARE,
    "market_discount": _SHARE, "market_bonus": _SHARE, "chance_p": _SHARE,
    "small_market": Spec(int, 0, 1_000_000),
    "min_contracts": Spec(int, 2, 100_000),
    "min_firms": Spec(int, 2, 1_000),
    "same_buyer": Spec(bool),
    "competitive_methods": Spec(list, choices=CONTRACT_METHODS),
    "method": Spec(str, choices=("leiden", "louvain")),
    "resolution": Spec(float, 0, 10_000),
    "max_size": Spec(int, 0, 1_000_000_000),
    "share_duties": Spec(bool),
    "recorded_weights": Spec(bool),
    "seed": Spec(int, 0, 2**31 - 1),
    "iterations": Spec(int, -1, 1_000),
    "on": Spec(str, pattern=r"\d{4}-\d{2}-\d{2}", empty=True,
               what=N_("a date YYYY-MM-DD or \"\"")),
    "org_kinds": Spec(list, choices=ORG_KINDS),
    "count_rules": Spec(list, pattern=r"[A-Z]{3}(-\d{3})?", empty=True,
                        what=N_("rule codes or families such as COI or SUB-001")),
    "min_members": Spec(int, 2, 1_000_000),
    "min_kinds": Spec(int, 0, 3),
    "max_findings": Spec(int, 1, 100_000),
    "min_findings": Spec(int, 0, 100_000),
    "evidence_paths": Spec(int, 1, 100),
    "pairs": Spec(list, pattern=_PAIR, what=N_("side:side pairs with sides {sides}")),
    "fallback_pairs": Spec(list, pattern=_PAIR, empty=True,
                           what=N_("side:side pairs with sides {sides}")),
    "combine": Spec(str, choices=("all", "any")),
    "case_roles": Spec(list, choices=CASE_ROLES),
    "weighted": Spec(bool),
    "samples": Spec(int, 2, 1_000_000),
    "batches": Spec(int, 1, 1_000),
    "kinds": Spec(list, choices=tuple(NODE_KINDS)),
    # Open Contracting's indicators (OCP-NNN), named after cardinal's settings
    "min_tender_days": Spec(int, 1, 3650),
    "procurement_methods": Spec(list, choices=("open", "selective", "limited", "direct"),
                                empty=True),
    "days_by_method_details": Spec(list, pattern=r".*=\d{1,4}", empty=True,
                                   what=N_("method=days pairs such as emergency=10")),
    "excluded_method_details": Spec(list, empty=True),
    "price_comparison_method_details": Spec(list, empty=True),
    "no_price_comparison_method_details": Spec(list, empty=True),
    "max_price_gap": Spec(float, 0, 1e9), "min_price_gap": Spec(float, 0, 1e9),
    "currency": Spec(str, pattern=r"[A-Z]{3}", empty=True,
                     what=N_("an ISO 4217 currency code or \"\"")),
    "percentile": Spec(int, 0, 100),
    "max_win_ratio": _SHARE,
    "min_disqualified": Spec(int, 1, 100_000),
    "min_disqualified_share": _SHARE,
    "min_bids_received": Spec(int, 1, 1_000_000),
    "min_bids_submitted": Spec(int, 1, 1_000_000),
    "classification_digits": Spec(int, 1, 40),
    "min_segments": Spec(int, 0, 100_000),
    "min_processes": Spec(int, 1, 1_000_000),
    # confirmed cases feed back ([FEEDBACK], queries.feedback)
    "bonus": _SHARE, "min_similarity": _SHARE,
    "top": Spec(int, 1, 10_000),
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
        raise SettingsError(_("{where}: {key} has no declared type").format(where=where, key=key),
                            hint=_("declare it in queries.settings.SPECS"))
    problem = spec.check(value)
    if problem is None and key == "iterations" and value == 0:
        problem = ("iterations", "")
    if problem is None and key == "on" and value:
        try:
            parse_date(value)
        except DateError:
            problem = ("date", "")
    if problem is not None:
        raise SettingsError(_(PROBLEMS[problem[0]]).format(
            where=where, key=key, value=repr(value), bad=problem[1], allowed=spec.describe()),
            hint=_("correct the value in the settings file"))


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
        raise SettingsError(_("{file}: cannot be read ({error})").format(file=path,
                                                                         error=exc.strerror),
                            hint=_("check the --settings path")) from exc
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise SettingsError(_("{file}: line {line}: not UTF-8 text").format(file=path, line=line),
                            hint=_("save the settings file as UTF-8")) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}",
                            hint=_("fix the TOML syntax at that line")) from exc


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
                raise SettingsError(_("{where}: unknown section").format(where=where),
                                    hint=_("use one of: {sections}").format(sections=known))
            for key, value in table.items():
                if key not in base[code] and not (code != "defaults" and key in base["defaults"]):
                    raise SettingsError(
                        _("{where}: unknown key {key!r}").format(where=where, key=key),
                        hint=_("keys of [{section}]: {keys}").format(
                            section=code, keys=", ".join(base[code])))
                check_value(where, key, value)
                merged[code][key] = value
    defaults = merged.pop("defaults")
    return Settings(defaults, merged, str(path or DEFAULT_SETTINGS))
