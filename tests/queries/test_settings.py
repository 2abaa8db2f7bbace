"""The settings file: defaults, overrides and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from queries.registry import RULES, SettingsError, load_settings
from queries.scan import select_rules


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_every_rule_has_settings_a_doc_page_and_a_golden_case() -> None:
    s = load_settings()
    golden = Path(__file__).parent / "golden"
    expected = "".join(p.joinpath("expected.json").read_text(encoding="utf-8")
                       for p in golden.iterdir() if p.joinpath("expected.json").exists())
    for code, rule in RULES.items():
        assert code in s.rules, code
        assert rule.doc.exists(), rule.doc
        text = rule.doc.read_text(encoding="utf-8")
        for part in ("What it flags", "Why it is a red flag", "Data needed", "Settings",
                     "Exclusions", "Assumptions"):
            assert part in text, (code, part)
        assert f'"{code}"' in expected, f"{code} has no golden fixture"


def test_overrides_apply(tmp_path: Path) -> None:
    s = load_settings(_write(tmp_path, "[defaults]\nmax_kin_hops = 1\n[COI-001]\n"
                                       "base_score = 0.5\n"))
    assert s.rule("COI-001")["max_kin_hops"] == 1
    assert s.rule("COI-001")["base_score"] == 0.5
    assert s.rule("COI-002")["base_score"] == load_settings().rule("COI-002")["base_score"]


@pytest.mark.parametrize(("text", "needle"), [
    ("[COI-999]\nbase_score = 1\n", "unknown section"),
    ("[COI-001]\nbase_scor = 1\n", "unknown key 'base_scor'"),
    ("[COI-001]\nbase_score = 'high'\n", "should be float"),
    ("[COI-001]\nroles = 'shareholder'\n", "should be list"),
    ("[defaults]\nmax_kin_hops = 7\n", "must be 1, 2 or 3"),
    ("[COI-001\n", "fix the TOML syntax"),
])
def test_bad_settings_are_named(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(_write(tmp_path, text))
    assert needle in f"{info.value.message} {info.value.hint}"


def test_rule_selection_by_family_and_category() -> None:
    assert select_rules(["coi"]) == ["COI-001", "COI-002"]
    assert "REC-001" in select_rules(None, ["recusal"])
