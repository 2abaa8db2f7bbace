"""A rule that fails does not take the scan with it; CLU-001 under pandas' string dtype;
each rule's coverage (items assessed, flagged, not assessable for missing data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from samples import REPO, SHARED_DATA

from graph.store import SqliteStore
from loaders.load import load_folder
from queries.registry import RULES, Rule
from queries.rules.clu import _inside
from queries.scan import scan
from umbrella.cli import cli

COI = REPO / "tests" / "queries" / "golden" / "COI"
NIGERIA = SHARED_DATA / "ocds" / "publishers" / "nigeria" / "open-contracting-portal" / "sample"
#: Both ways pandas may hold text: its string dtype (pandas 3's default) and objects.
pytestmark = pytest.mark.filterwarnings("ignore:The 'future.infer_string' option")
STRING_MODES = [pytest.param(True, id="string-dtype"), pytest.param(False, id="object")]


@pytest.fixture
def coi_db(tmp_path: Path) -> Path:
    db = tmp_path / "case.db"
    store = SqliteStore(db)
    load_folder(COI, store)
    store.close()
    return db


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> str:
    """COI-002 raising as a rule's bug would."""
    code = "COI-002"
    rule = RULES[code]

    def boom(ctx: Any) -> list[Any]:
        raise TypeError("Invalid comparison between dtype=str and ndarray")

    monkeypatch.setitem(RULES, code, Rule(rule.code, rule.category, rule.title, boom))
    return code


def test_a_failing_rule_leaves_the_others_findings_stored(coi_db: Path, broken: str) -> None:
    store = SqliteStore(coi_db)
    try:
        alone = scan(store, ["COI-001"]).counts["COI-001"]
        result = scan(store)
        stored = {f["rule"] for f in store.view().findings()}
    finally:
        store.close()
    assert alone > 0
    assert result.counts["COI-001"] == alone
    assert broken not in result.counts and broken not in result.rules_run
    assert result.failures[broken].startswith("TypeError: Invalid comparison")
    assert "queries/" not in result.failures[broken] or ".py:" in result.failures[broken]
    assert set(result.failures) == {broken}
    assert broken not in stored and "COI-001" in stored


def test_the_command_line_names_the_failed_rule_and_exits_non_zero(coi_db: Path,
                                                                   broken: str) -> None:
    run = CliRunner().invoke(cli, ["scan", "--db", str(coi_db), "--format", "json"])
    assert run.exit_code == 1
    body = json.loads(run.stdout)
    assert body["failures"] == [{"rule": broken, "reason": body["rules"][broken]["failed"]}]
    assert body["rules"]["COI-001"]["findings"] == sum(
        f["rule"] == "COI-001" for f in body["findings"]) > 0
    assert f"{broken} failed: TypeError" in run.stderr


def test_the_workbook_has_a_rules_sheet_with_the_jsons_coverage(coi_db: Path,
                                                                 tmp_path: Path) -> None:
    import openpyxl

    from exports.tables import RULE_COLUMNS

    runner = CliRunner()
    body = json.loads(runner.invoke(cli, ["scan", "--db", str(coi_db), "--format", "json"]
                                    ).stdout)
    book = tmp_path / "leads.xlsx"
    run = runner.invoke(cli, ["--lang", "en", "scan", "--db", str(coi_db), "--format", "xlsx",
                              "-o", str(book)])
    assert run.exit_code == 0, run.output
    rows = [list(r) for r in openpyxl.load_workbook(book)["rules"].values]
    assert rows[0] == RULE_COLUMNS
    got = {r[0]: dict(zip(RULE_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert set(got) == set(body["rules"])
    for code, entry in body["rules"].items():
        assert got[code]["rule findings"] == entry["findings"], code
        cov = entry.get("coverage")
        if cov:
            assert [got[code][k] for k in ("items", "assessed", "flagged", "not assessed")] \
                == [cov["items"], cov["assessed"], cov["flagged"], cov["not_assessed"]], code
    assert got["COI-001"]["items"] > 0


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_page_defines_its_coverage(code: str) -> None:
    """The page says what an item is and names every field the coverage query can
    report missing; its Chinese summary says it too."""
    import re

    from queries.coverage import COVERAGE

    page = (REPO / "docs" / "rules" / f"{code}.md").read_text(encoding="utf-8")
    section = re.search(r"^## Coverage\n(.*?)(?=^## )", page, re.M | re.S)
    assert section, f"{code}: no '## Coverage' section"
    assert "**覆盖：**" in page.split("## 中文摘要", 1)[1]
    cov = COVERAGE.get(code)
    if cov is None:
        assert "not items" in section.group(1)
        return
    fields = set(re.findall(r"THEN '(\w+)'", cov.sql))
    assert fields, code
    for name in fields:
        assert f"`{name}`" in section.group(1), f"{code}: the page does not define {name!r}"


@pytest.mark.parametrize("strings", STRING_MODES)
def test_findings_outside_the_graph_are_inside_no_community(strings: bool) -> None:
    class Graph:
        def index(self) -> dict[str, int]:
            return {"p:a": 0, "p:b": 1}

    with pd.option_context("future.infer_string", strings):
        found = pd.DataFrame({"fid": ["F-1", "F-1", "F-2", "F-2", "F-2"],
                              "rule": ["COL-003"] * 5, "score": [0.4] * 5,
                              "key": ["c:k", "o:x", "p:a", "p:b", "o:y"]})
        graph: Any = Graph()
        inside = _inside(found[found["fid"] == "F-1"], graph, np.array([0, 0]))
        assert inside.empty
        both = _inside(found, graph, np.array([3, 3]))
    assert both["fid"].tolist() == ["F-2"] and both["community"].tolist() == [3]


@pytest.mark.skipif(not NIGERIA.is_dir(), reason=f"the shared data folder {NIGERIA} is absent")
@pytest.mark.parametrize("strings", STRING_MODES)
def test_real_ocds_scans_whole_under_both_string_modes(tmp_path: Path, strings: bool) -> None:
    """The Nigerian sample made CLU-001 raise under pandas' string dtype."""
    from loaders.standards import load_any

    with pd.option_context("future.infer_string", strings):
        store = SqliteStore(tmp_path / "ng.db")
        try:
            load_any(NIGERIA / "records", store, "ocds")
            result = scan(store)
            contracts = store.view().counts_by_kind().get("contract", 0)
        finally:
            store.close()
    assert result.failures == {}
    assert set(result.counts) == set(RULES)
    coi = result.coverage["COI-001"]
    assert coi["items"] == contracts > 0
    assert coi["assessed"] + coi["not_assessed"] == coi["items"]
    assert coi["flagged"] <= coi["assessed"]
    assert sum(coi["missing"].values()) == coi["not_assessed"]
    for code, cov in result.coverage.items():
        assert cov["flagged"] <= cov["assessed"], code
        if result.counts[code]:
            assert cov["flagged"] > 0, code


def test_records_of_one_line_written_in_several_calls_are_all_kept(tmp_path: Path) -> None:
    """A JSON package on one line, read in chunks, sets aside rows of several tables: the
    store keeps them all (stats counts what the load reported), and writing one again
    changes nothing."""
    from dataclasses import replace

    from loaders.report import SetAsideRecord

    store = SqliteStore(tmp_path / "x.db")
    r = SetAsideRecord("p.json", 1, "bids", "status", "bad_vocabulary", "", load=1)
    written = [[r, replace(r, table="awards")], [replace(r, table="contracts")],
               [replace(r, table="contracts")]]
    try:
        for batch in written:
            with store.writer() as w:
                w.put_set_aside(batch)
        kept = store.view().set_aside(1)
    finally:
        store.close()
    assert sorted(k.table for k in kept) == ["awards", "bids", "contracts"]
