"""The rule registry and the settings file that tunes it.

Each rule registers once with a stable code, its category and a one-line
title; its tunable values live in ``queries/settings.toml`` under its code.

Examples
--------
>>> s = load_settings()
>>> s.rule("COI-001")["max_kin_hops"]
2
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import UmbrellaError
from queries.findings import CATEGORIES

if TYPE_CHECKING:
    from queries.context import Context
    from queries.findings import Finding

DEFAULT_SETTINGS = Path(__file__).with_name("settings.toml")


class SettingsError(UmbrellaError):
    """The settings file is unreadable or holds a value a rule cannot use."""


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


@dataclass(frozen=True)
class Settings:
    """Validated settings: the global defaults and one table per rule code."""

    defaults: dict[str, Any]
    rules: dict[str, dict[str, Any]]
    source: str

    def rule(self, code: str) -> dict[str, Any]:
        """A rule's settings, with the global defaults underneath."""
        return {**self.defaults, **self.rules.get(code, {})}


def _check_type(where: str, key: str, value: Any, default: Any) -> None:
    ok = (isinstance(value, bool) if isinstance(default, bool)
          else isinstance(value, int) and not isinstance(value, bool) if isinstance(default, int)
          else isinstance(value, (int, float)) and not isinstance(value, bool)
          if isinstance(default, float)
          else isinstance(value, list) and all(isinstance(v, str) for v in value)
          if isinstance(default, list) else isinstance(value, type(default)))
    if not ok:
        raise SettingsError(
            f"{where}: {key} = {value!r} should be {type(default).__name__} like {default!r}",
            hint="correct the value in the settings file")


def _parse(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.strerror})",
                            hint="check the --settings path") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}", hint="fix the TOML syntax at that line") from exc


def load_settings(path: Path | None = None) -> Settings:
    """The default settings, overridden by ``path`` when given; validated."""
    base = _parse(DEFAULT_SETTINGS)
    merged = {k: dict(v) for k, v in base.items()}
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
                default = base[code].get(key, base["defaults"].get(key))
                _check_type(where, key, value, default)
                merged[code][key] = value
    hops = int(merged["defaults"]["max_kin_hops"])
    for code, table in merged.items():
        h = int(table.get("max_kin_hops") or hops)
        if not 1 <= h <= 3:
            raise SettingsError(f"[{code}]: max_kin_hops = {h} must be 1, 2 or 3",
                                hint="kin chains longer than 3 ties reach most of a county")
    defaults = merged.pop("defaults")
    return Settings(defaults, merged, str(path or DEFAULT_SETTINGS))
