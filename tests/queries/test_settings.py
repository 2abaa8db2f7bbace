"""The settings file: defaults, overrides and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from queries.registry import RULES
from queries.scan import select_rules
from queries.settings import SettingsError, load_settings


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
    ("[COI-001]\nbase_score = 'high'\n", "should be a number from 0 to 1"),
    ("[COI-001]\nroles = 'shareholder'\n", "should be a list of: shareholder"),
    ("[defaults]\nmax_kin_hops = 7\n", "should be a whole number from 1 to 3"),
    ("[COI-001\n", "fix the TOML syntax"),
    # out of range: each would turn into false leads or none
    ("[SUB-003]\nmin_recipients = -1\n", "min_recipients = -1 is out of range"),
    ("[SUB-002]\ngrace_days = -30\n", "a whole number from 0 to 3650"),
    ("[COI-001]\nbase_score = nan\n", "not a finite number"),
    ("[COI-001]\nbase_score = inf\n", "not a finite number"),
    ("[COI-001]\nbase_score = 1.5\n", "a number from 0 to 1"),
    ("[COI-001]\nroles = []\n", "must not be empty"),
    ("[COI-001]\nroles = [\"owner\"]\n", "has 'owner'"),
    ("[COL-002]\nmin_firms = 1\n", "a whole number from 2 to 1000"),
    ("[CLU-001]\nmethod = \"spectral\"\n", "one of: leiden, louvain"),
    ("[CLU-001]\nresolution = -1.0\n", "out of range"),
    ("[CLU-001]\niterations = 0\n", "is 0"),
    ("[CLU-001]\non = \"2021-13-01\"\n", "not a real date"),
    ("[BRK-001]\npairs = [\"government:mafia\"]\n", "side:side pairs"),
    ("[BRK-001]\nsamples = true\n", "should be a whole number"),
    ("[COI-001]\nenabled = 1\n", "should be true or false"),
])
def test_bad_settings_are_named(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(_write(tmp_path, text))
    assert needle in f"{info.value.message} {info.value.hint}"


def test_a_settings_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    p = tmp_path / "s.toml"
    p.write_bytes("[COI-001]\n# 基础分\nbase_score = 0.5\n".encode("gb18030"))
    with pytest.raises(SettingsError) as info:
        load_settings(p)
    assert "line 2: not UTF-8" in info.value.message and "UTF-8" in info.value.hint


def test_every_key_of_the_defaults_has_a_spec() -> None:
    import tomllib

    from queries.settings import DEFAULT_SETTINGS, spec_of
    base = tomllib.loads(DEFAULT_SETTINGS.read_text(encoding="utf-8"))
    assert [(c, k) for c, t in base.items() for k in t if spec_of(k) is None] == []


def test_rule_selection_by_family_and_category() -> None:
    assert select_rules(["coi"]) == ["COI-001", "COI-002"]
    assert "REC-001" in select_rules(None, ["recusal"])
