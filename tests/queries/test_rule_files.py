"""Every registered rule has its four parts: code, settings block, doc page, golden fixture.

A rule added with ``umbrella new-rule`` fails here (and in the golden test) until its
doc page and golden fixture are filled in.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from samples import REPO

from queries import rules as _rules  # noqa: F401  (registers the rules)
from queries.registry import RULES
from queries.settings import DEFAULT_SETTINGS

GOLDEN = REPO / "tests" / "queries" / "golden"
SECTIONS = ("What it flags", "Why it is a red flag", "Data needed", "Settings", "Exclusions")


def _golden() -> list[dict[str, object]]:
    return [json.loads((d / "expected.json").read_text(encoding="utf-8"))
            for d in sorted(GOLDEN.iterdir()) if (d / "expected.json").exists()]


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_settings_block(code: str) -> None:
    settings = tomllib.loads(DEFAULT_SETTINGS.read_text(encoding="utf-8"))
    assert code in settings, f"queries/settings.toml has no [{code}] block"
    assert "enabled" in settings[code]


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_doc_page(code: str) -> None:
    doc = RULES[code].doc
    assert doc.exists(), f"no doc page {doc}"
    text = doc.read_text(encoding="utf-8")
    assert text.startswith(f"# {code} ")
    for section in SECTIONS:
        assert re.search(rf"^## {section}", text, re.M), f"{doc.name}: no section '{section}'"
    assert "TODO" not in text, f"{doc.name} still has TODO"


#: The doc page's summary for Chinese readers, and the scaffold's placeholder for it.
ZH_SUMMARY = "中文摘要"
_HAN = re.compile(r"[\u4e00-\u9fff]")


def zh_summary_problem(text: str) -> str | None:
    r"""What is wrong with a doc page's Chinese summary section (None when it is there,
    filled in, and in Chinese: what it finds, its evidence and its limits).

    >>> zh_summary_problem("# X\n## 中文摘要\nTODO(中文摘要): 用中文简要说明")
    'Chinese summary is still a TODO placeholder'
    >>> zh_summary_problem("# X\n## Exclusions\nnone")
    "no '## 中文摘要' section"
    """
    found = re.search(rf"^## {ZH_SUMMARY}[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if found is None:
        return f"no '## {ZH_SUMMARY}' section"
    body = found.group(1)
    if "TODO" in body.upper():
        return "Chinese summary is still a TODO placeholder"
    if len(_HAN.findall(body)) < 60:
        return "Chinese summary is too short to say what the rule finds, its evidence and limits"
    return None


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_doc_page_has_a_chinese_summary(code: str) -> None:
    doc = RULES[code].doc
    problem = zh_summary_problem(doc.read_text(encoding="utf-8"))
    assert problem is None, f"{doc.name}: {problem}"


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_golden_fixture(code: str) -> None:
    covering = [e for e in _golden() if code in e["rules"]]  # type: ignore[operator]
    assert covering, f"no golden fixture runs {code}"
    assert any(f["rule"] == code for e in covering for f in e["findings"]), (  # type: ignore
        f"no golden fixture expects a finding of {code}")
    assert any(e["not_flagged"] for e in covering), f"no look-alike for {code}"


def test_scaffold_writes_a_rule_that_registers_and_fails_until_filled(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    root.mkdir()
    for entry in REPO.iterdir():
        if not entry.name.startswith(".") and entry.suffix != ".db" and entry.name not in (
                "build", "demo-county"):
            subprocess.run(["cp", "-r", str(entry), str(root / entry.name)], check=True)
    from umbrella.scaffold import new_rule

    written = new_rule(root, "ZZZ-001", "zzz", "collusion", "Firms doing something odd")
    assert {p.name for p in written} >= {"zzz.py", "settings.toml", "ZZZ-001.md", "ZZZ-001"}
    probe = (
        "from queries.registry import RULES; from queries import rules; "
        "r = RULES['ZZZ-001']; print(r.category, r.doc.exists())")
    out = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True,
                         text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["collusion", "True"]
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/queries/test_rule_files.py", "tests/queries/test_golden.py", "-k", "ZZZ"],
        cwd=root, capture_output=True, text=True,
        env={"PYTHONPATH": f"{root}:{root / 'tests'}", "PATH": "/usr/bin:/bin"})
    assert tests.returncode == 1, tests.stdout[-2000:]
    assert "is not filled in" in tests.stdout and "still has TODO" in tests.stdout
    assert "Chinese summary is still a TODO placeholder" in tests.stdout
