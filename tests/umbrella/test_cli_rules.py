"""scan, show, path and recuse as a user types them."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from graph.schema import REL_TYPES
from umbrella.cli import cli

GOLDEN_COI = Path(__file__).parent.parent / "queries" / "golden" / "COI"


def _run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "coi.db")
    code, _, err = _run("load", str(GOLDEN_COI), "--db", path)
    assert code == 0, err
    return path


def test_scan_table_json_csv_xlsx(db: str, tmp_path: Path) -> None:
    code, out, _ = _run("scan", "--db", db)
    assert code == 0 and "COI-001" in out and "王建国" in out
    code, out, _ = _run("scan", "--db", db, "--format", "json")
    data = json.loads(out)["findings"]
    # the pattern rules find the planted conflict; the cluster rules may add the pocket
    # it sits in, never anything else
    assert [f["rule"] for f in data if not f["rule"].startswith(("CLU", "BRK"))] == [
        "COI-001", "COI-002"]
    coi = next(f for f in data if f["rule"] == "COI-001")
    assert sorted(coi["entities"]) == ["C1", "K1", "P1", "P3"]
    target = tmp_path / "leads.csv"
    assert _run("scan", "--db", db, "--format", "csv", "-o", str(target))[0] == 0
    with target.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    # a broker (an official holding a company role) may come first: find the conflict's row
    row = next(r for r in rows if r["rule"] == "COI-001")
    assert "relationships.csv" in row["sources"]
    xlsx = tmp_path / "线索.xlsx"
    assert _run("scan", "--db", db, "--format", "xlsx", "-o", str(xlsx))[0] == 0
    wb = openpyxl.load_workbook(xlsx)
    sheet = wb["findings"]
    at = next(r for r in range(2, sheet.max_row + 1)
              if sheet.cell(r, 3).value == "COI-001")
    assert sheet.cell(at, 5).value.startswith("王建国")
    assert wb["evidence"].max_row > 5


def test_scan_filters(db: str) -> None:
    code, out, _ = _run("scan", "--db", db, "--min-score", "0.99", "--format", "json")
    assert json.loads(out)["findings"] == []
    code, _, err = _run("scan", "--db", db, "--rule", "XYZ")
    assert code == 1 and "unknown rule" in err


def test_show_entity_and_finding(db: str) -> None:
    code, out, _ = _run("show", "P1", "--db", db)
    assert code == 0 and "no stored finding" in out.lower()
    _run("scan", "--db", db)
    code, out, _ = _run("show", "P1", "--db", db)
    assert "COI-001" in out and "KIN" in out and "relationships.csv:2" in out
    fid = next(f["id"] for f in json.loads(_run("scan", "--db", db, "--format", "json")[1])
               ["findings"] if f["rule"] == "COI-001")
    code, out, _ = _run("show", fid, "--db", db)
    assert code == 0 and "Evidence path 1" in out and "contracts.csv:2" in out


def test_show_lists_ties_by_type_and_date_up_to_a_limit(db: str) -> None:
    code, out, _ = _run("show", "P1", "--db", db)
    total = int(re.search(r"(\d+) ties", out).group(1))  # type: ignore[union-attr]
    assert code == 0 and total >= 2 and "raise --max-ties" not in out
    types = _tie_types(out)
    assert types == sorted(types) and len(types) == total
    code, out, _ = _run("show", "P1", "--db", db, "--max-ties", "1")
    assert f"{total} ties (the first 1 by type and date" in out
    assert len(_tie_types(out)) == 1


def _tie_types(out: str) -> list[str]:
    """The type column of the ties table (first cell of each row)."""
    return [t for t in re.findall(r"^[│|] ([A-Z][A-Z_]+) +[│|]", out, re.M) if t in REL_TYPES]


def test_show_by_shared_name_lists_the_namesakes(db: str) -> None:
    code, out, _ = _run("show", "王磊", "--db", db)
    assert code == 0 and "P4" in out and "P5" in out and "give one id to see it" in out


def test_path_is_time_aware(db: str) -> None:
    code, out, _ = _run("path", "P1", "P3", "--db", db)
    assert code == 0 and "Path 1 (2 ties)" in out and "wife" in out and "brother" in out
    code, out, _ = _run("path", "P7", "P8", "--db", db, "--on", "2019-03-01")
    assert "wife" not in out  # the marriage had ended by then
    code, out, _ = _run("path", "P7", "P8", "--db", db, "--on", "2016-01-01")
    assert "wife" in out


def test_recuse_lists_who_must_step_aside(tmp_path: Path) -> None:
    d = tmp_path / "case"
    d.mkdir()
    (d / "persons.csv").write_text(
        "person_id,name\nP1,刘警官\nP2,刘二虎\nP3,张检察\nP4,无关人\n", encoding="utf-8")
    (d / "organizations.csv").write_text("org_id,name,kind\nA1,县公安局,agency\n",
                                         encoding="utf-8")
    (d / "positions.csv").write_text(
        "person_id,org_id,title,start_date\nP1,A1,民警,2010-01-01\nP3,A1,科员,2010-01-01\n",
        encoding="utf-8")
    (d / "relationships.csv").write_text("person_id,other_id,relation\nP1,P2,sibling\n",
                                         encoding="utf-8")
    (d / "cases.csv").write_text(
        "case_id,kind,title,opened_date,outcome\nK1,organized_crime,刘某涉黑案,2020-01-01,"
        "dropped\n", encoding="utf-8")
    (d / "case_roles.csv").write_text(
        "case_id,party_id,role\nK1,P2,gang_leader\nK1,P3,prosecutor\n", encoding="utf-8")
    db = str(tmp_path / "c.db")
    assert _run("load", str(d), "--db", db)[0] == 0
    code, out, _ = _run("recuse", "K1", "--db", db)
    assert code == 0 and "刘警官" in out and "sibling" in out and "无关人" not in out
    assert "张检察" not in out  # acting on the case but tied to nobody in it
    (d / "case_roles.csv").write_text(
        "case_id,party_id,role\nK1,P2,gang_leader\nK1,P1,investigator\n", encoding="utf-8")
    db = str(tmp_path / "acting.db")
    assert _run("load", str(d), "--db", db)[0] == 0
    code, out, _ = _run("recuse", "K1", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)["rows"][0][1] == "investigator"
    from lang.message import word_in

    chinese = word_in("case_role", "investigator", "zh")
    assert chinese and chinese != "investigator"
    code, out, _ = _run("--lang", "zh", "recuse", "K1", "--db", db, "--format", "json")
    assert code == 0 and json.loads(out)["rows"][0][1] == "investigator", out  # a code
    code, out, _ = _run("--lang", "zh", "recuse", "K1", "--db", db, "--format", "csv")
    assert code == 0 and chinese in out and "investigator" not in out, out


def test_path_names_the_hubs_it_did_not_pass_through(tmp_path: Path) -> None:
    from samples import write_small

    db = str(tmp_path / "s.db")
    assert _run("load", str(write_small(tmp_path / "small")), "--db", db)[0] == 0
    code, out, _ = _run("path", "P3", "P6", "--db", db)
    assert code == 0 and "Path 1 (2 ties)" in out and "Not passed through" not in out
    code, out, _ = _run("path", "P3", "P6", "--db", db, "--hub-degree", "1")
    assert code == 0 and "No path between P3 and P6" in out
    assert "1 hub(s) with more than 1 ties met on the way: 张伟 (P1/P2)" in out


def test_names_print_as_written_and_ties_read_the_right_way(tmp_path: Path) -> None:
    """Console markup in the data ("[/]", "[link=...]") is text; kin steps say who is whose."""
    from samples import write_csv

    d = tmp_path / "odd"
    d.mkdir()
    write_csv(d / "persons.csv", ["person_id", "name"],
              [["P1", "张[/]伟"], ["P2", "[link=http://x.invalid]李娜[/link]"],
               ["P3", "王[red]芳"]])
    write_csv(d / "relationships.csv", ["person_id", "other_id", "relation"],
              [["P1", "P2", "child"], ["P2", "P3", "spouse"]])
    db = str(tmp_path / "odd.db")
    assert _run("load", str(d), "--db", db)[0] == 0
    code, out, err = _run("show", "P1", "--db", db)
    assert code == 0, err
    assert "张[/]伟" in out and "[link=http://x.invalid]李娜[/link]" in out
    code, out, err = _run("path", "P1", "P3", "--db", db)
    assert code == 0, err
    assert "王[red]芳" in out
    # P2 is P1's child: the record reads the other way (P1 is P2's parent) and says so
    assert "KIN: 张[/]伟 is [link=http://x.invalid]李娜[/link]'s parent" in out
