"""``umbrella evaluate`` on a generated county, its truth written as a truth file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.evaluate import write_truth_csv
from synthetic.truth import Truth, read_truth
from umbrella.cli import cli


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Truth]:
    """A scanned county (scale 0.2), its database and its truth file."""
    tmp = tmp_path_factory.mktemp("evaluate")
    db = tmp / "c.db"
    for args in (("generate", str(tmp / "c"), "--scale", "0.2", "--seed", "4"),
                 ("load", str(tmp / "c"), "--db", str(db)), ("scan", "--db", str(db))):
        code, out, err = _run(*args)
        assert code in (0, 1), out + err  # a failed rule is reported, not fatal here
    truth = read_truth(tmp / "c.truth.json")
    return db, write_truth_csv(truth, tmp / "truth.csv"), truth


def _findings(db: Path) -> list[dict[str, Any]]:
    from graph.store import SqliteStore

    store = SqliteStore(db)
    try:
        return store.view().findings()
    finally:
        store.close()


def _expected_recall(truth: Truth, findings: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Per category, (found, items), counted from the truth file directly on the findings'
    printed ids (a scheme found when one finding of its category names every anchor id),
    as bench/recall.py counts it."""
    def hit(category: str, ids: tuple[str, ...]) -> bool:
        return any(f["category"] == category and set(ids) <= set(f["entities"])
                   for f in findings)

    groups = [(c, s.anchor) for s in truth.schemes for c in s.categories]
    groups += [("cluster", n.members) for n in truth.networks]
    groups += [("broker", (p,)) for p in truth.brokers]
    out: dict[str, tuple[int, int]] = {}
    for category, ids in groups:
        found, n = out.get(category, (0, 0))
        out[category] = (found + hit(category, ids), n + 1)
    return out


def test_recall_per_category_is_what_the_scan_finds(county: tuple[Path, Path, Truth]) -> None:
    db, truth_csv, truth = county
    code, out, err = _run("evaluate", "--truth", str(truth_csv), "--db", str(db),
                          "--format", "json")
    assert code == 0, out + err
    result = json.loads(out)
    recall = {r["category"]: (r["found"], r["items"]) for r in result["recall"]}
    findings = _findings(db)
    assert recall == _expected_recall(truth, findings)
    assert result["truth"]["set_aside"] == 0 and result["set aside"] == []
    assert result["leads"] == len(findings)
    # precision at k: the top k leads (scan's order) touching a planted id, counted here
    planted = {i for s in truth.schemes for i in s.anchor} | {
        i for n in truth.networks for i in n.members} | set(truth.brokers)
    order = sorted(findings, key=lambda f: (-f["score"], f["rule"], f["id"]))
    for p in result["precision"]:
        hits = sum(bool(planted & set(f["entities"])) for f in order[:p["k"]])
        assert (p["leads"], p["hits"]) == (min(p["k"], len(order)), hits)
    # every found item's rank points at a finding of its category that names all its ids
    by_id = {f["id"]: (i + 1, f) for i, f in enumerate(order)}
    for item in result["items"]:
        if item["found at"] is not None:
            rank, f = by_id[item["finding"]]
            assert rank == item["found at"] and f["category"] == item["category"]
            assert set(item["ids"]) <= set(f["entities"])


def test_the_terminal_shows_every_table(county: tuple[Path, Path, Truth]) -> None:
    db, truth_csv, _ = county
    code, out, _ = _run("evaluate", "--truth", str(truth_csv), "--db", str(db), "--k", "5,10")
    assert code == 0, out
    assert "Precision at k" in out and "Recall per category" in out and "found at" in out
    assert "rows read = " in out and "No row of the truth file was set aside." in out


def test_an_unknown_id_is_set_aside_with_its_line_and_the_fix(
        county: tuple[Path, Path, Truth], tmp_path: Path) -> None:
    db, truth_csv, _ = county
    rows = truth_csv.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "truth.csv"
    bad.write_text("\n".join([*rows[:3], "P9999999,not in this county,umbrella,", *rows[3:]])
                   + "\n", encoding="utf-8")
    code, out, _ = _run("evaluate", "--truth", str(bad), "--db", str(db), "--format", "csv",
                        "--k", "10")
    assert code == 0, out
    sections = out.split("\n\n")  # (the runner reads "\r\n" as "\n")
    aside = list(csv.reader(io.StringIO(sections[-1])))
    assert aside[1] == ["file", "line", "column", "reason", "message"]
    assert aside[2][:4] == ["truth.csv", "4", "id", "unknown_id"]
    assert "P9999999" in aside[2][4] and "umbrella show" in aside[2][4]
    assert f"{len(rows)} rows read = {len(rows) - 1} used + 1 set aside" not in out  # csv
    code, out, _ = _run("evaluate", "--truth", str(bad), "--db", str(db))
    assert f"{len(rows)} rows read = {len(rows) - 1} used + 1 set aside" in out


def test_a_truth_file_without_the_id_column_is_refused(county: tuple[Path, Path, Truth],
                                                        tmp_path: Path) -> None:
    db, _, _ = county
    bad = tmp_path / "truth.csv"
    bad.write_text("person,label\nP0000001,x\n", encoding="utf-8")
    code, _, err = _run("evaluate", "--truth", str(bad), "--db", str(db))
    lines = err.strip().splitlines()
    assert code == 1
    assert lines[0].startswith("Error: ") and "line 1: no column id" in lines[0]
    assert lines[1].startswith("Hint: ") and "id,label" in lines[1]


def test_no_stored_findings_is_refused_with_the_command_to_run(tmp_path: Path,
                                                                small: Path) -> None:
    db = tmp_path / "case.db"
    assert _run("load", str(small), "--db", str(db))[0] == 0
    truth = tmp_path / "truth.csv"
    truth.write_text("id,label\nP1,x\n", encoding="utf-8")
    code, _, err = _run("evaluate", "--truth", str(truth), "--db", str(db))
    assert code == 1 and "no stored findings" in err
    assert f"umbrella scan --db {db}" in err


def test_chinese_headers_and_a_workbook_of_sheets(county: tuple[Path, Path, Truth],
                                                  tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db, truth_csv, _ = county
    code, out, _ = _run("evaluate", "--truth", str(truth_csv), "--db", str(db), "--format",
                        "csv", "--lang", "zh")
    assert code == 0
    assert "召回率" in out and "精确率" in out
    book = tmp_path / "e.xlsx"
    code, _, err = _run("evaluate", "--truth", str(truth_csv), "--db", str(db), "--format",
                        "xlsx", "-o", str(book))
    assert code == 0 and "written to" in err
    assert load_workbook(book).sheetnames == ["precision", "recall", "items", "false leads",
                                              "set aside"]


def test_a_bad_k_is_refused() -> None:
    code, out, err = _run("evaluate", "--truth", __file__, "--k", "0,10")
    assert code == 2 and "10,20,50" in out + err
