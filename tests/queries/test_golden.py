"""Golden fixtures: each rule family's small input, what must be flagged, what must not.

Each folder under ``golden/`` holds a layout folder and ``expected.json``:
``rules`` to run, ``findings`` (rule + sorted source ids, exactly the findings
expected) and ``not_flagged`` (look-alikes whose ids must not appear together
in any finding of those rules); ``overrides`` (optional) sets some rules' settings for
the fixture, as ``scan --settings`` would (a fixed threshold instead of one computed
from the data, so a small fixture can test a rule's joins).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.store import SqliteStore
from loaders.load import load_folder
from queries.scan import scan

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "expected.json").exists())


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, tmp_path: Path) -> None:
    folder = GOLDEN / case
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert "todo" not in expected, f"golden fixture {case} is not filled in: {expected['todo']}"
    store = SqliteStore(tmp_path / "g.db")
    report = load_folder(folder, store)
    assert report.set_aside == [], report.set_aside
    result = scan(store, codes=expected["rules"], overrides=expected.get("overrides"))
    got = sorted((f["rule"], sorted(f["entities"])) for f in result.findings)
    want = sorted((f["rule"], sorted(f["entities"])) for f in expected["findings"])
    assert got == want
    for f in result.findings:
        assert 0 <= f["score"] <= 1 and f["explanation"] and f["evidence"]
    for decoy in expected["not_flagged"]:
        for f in result.findings:
            assert not set(decoy["entities"]) <= set(f["entities"]), (decoy, f["title"])
    store.close()
