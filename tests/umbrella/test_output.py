"""The one output layer (umbrella/output.py): every format, the refusals, every listing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner
from samples import write_csv

from exports.tables import COLUMNS
from graph.store import SqliteStore
from loaders.load import load_folder
from umbrella.cli import cli
from umbrella.output import Output, Rows, output_options, write

GOLDEN = Path(__file__).parent.parent / "queries" / "golden"
#: Every command that lists things, with the file name it suggests for xlsx.
LISTINGS = {"scan": "leads", "clusters": "clusters", "brokers": "brokers", "query": "results",
            "recuse": "recusals", "set-aside": "set-aside", "evaluate": "evaluation",
            "screen": "screen", "audit": "audit", "triage": "triage", "areas": "areas",
            "matches": "matches", "similar": "similar"}
#: Their arguments, where they take some.
_ARGS = {"query": ["MATCH (n) RETURN n"], "recuse": ["K1"], "evaluate": ["--truth", __file__],
         "screen": ["--left", "O1", "--right", "O2"], "triage": ["F-000000000000"],
         "similar": ["P1"]}


def _run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def coi(store: SqliteStore) -> str:
    """The COI golden county, loaded and not yet scanned."""
    load_folder(GOLDEN / "COI", store)
    return store.location


@pytest.fixture
def case_db(tmp_path: Path, store: SqliteStore) -> str:
    """A case (K1) with one official tied to its gang leader, and one case (K2) with nobody."""
    d = tmp_path / "case"
    d.mkdir()
    write_csv(d / "persons.csv", ["person_id", "name"],
              [["P1", "刘警官"], ["P2", "刘二虎"], ["P3", "路人"]])
    write_csv(d / "organizations.csv", ["org_id", "name", "kind"], [["A1", "县公安局", "agency"]])
    write_csv(d / "positions.csv", ["person_id", "org_id", "title", "start_date"],
              [["P1", "A1", "民警", "2010-01-01"]])
    write_csv(d / "relationships.csv", ["person_id", "other_id", "relation"],
              [["P1", "P2", "sibling"]])
    write_csv(d / "cases.csv", ["case_id", "kind", "title", "opened_date", "outcome"],
              [["K1", "organized_crime", "刘某涉黑案", "2020-01-01", "dropped"],
               ["K2", "other", "路人案", "2021-01-01", "convicted"]])
    write_csv(d / "case_roles.csv", ["case_id", "party_id", "role"],
              [["K1", "P2", "gang_leader"], ["K2", "P3", "suspect"]])
    load_folder(d, store)
    return store.location


def test_findings_in_every_format_carry_the_same_findings(coi: str, tmp_path: Path) -> None:
    code, table, _ = _run("scan", "--db", coi)
    assert code == 0 and "findings" in table and "Rules run:" in table
    code, out, _ = _run("scan", "--db", coi, "--format", "json")
    assert code == 0
    found = json.loads(out)["findings"]
    assert found and all(f["id"] in table for f in found)
    target = tmp_path / "leads.json"
    code, _, err = _run("scan", "--db", coi, "--format", "json", "-o", str(target))
    assert code == 0 and f"{len(found)} findings written to {target}" in err
    assert target.read_text(encoding="utf-8") == out
    code, out, _ = _run("scan", "--db", coi, "--format", "csv")
    assert code == 0 and not out.startswith("\ufeff")
    printed = list(csv.reader(io.StringIO(out)))
    assert printed[0] == COLUMNS and [r[0] for r in printed[1:]] == [f["id"] for f in found]
    target = tmp_path / "leads.csv"
    assert _run("scan", "--db", coi, "--format", "csv", "-o", str(target))[0] == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens the Chinese text correctly
    assert list(csv.reader(io.StringIO(raw.decode("utf-8-sig")))) == printed
    target = tmp_path / "线索.xlsx"
    assert _run("scan", "--db", coi, "--format", "xlsx", "-o", str(target))[0] == 0
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["findings", "evidence", "rules"]  # rules: coverage, failures
    rows = list(wb["findings"].values)
    assert list(rows[0]) == COLUMNS and [r[0] for r in rows[1:]] == [f["id"] for f in found]


@pytest.mark.parametrize("command", sorted(LISTINGS))
def test_xlsx_on_the_terminal_is_refused_with_a_file_name(command: str, coi: str) -> None:
    code, _, err = _run(command, *_ARGS.get(command, []), "--db", coi, "--format", "xlsx")
    assert code == 1
    assert err.splitlines() == ["Error: xlsx needs a file",
                                f"Hint: add -o {LISTINGS[command]}.xlsx"]


@pytest.mark.parametrize("command", sorted(LISTINGS))
def test_a_table_in_a_file_is_refused(command: str, coi: str, tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    code, _, err = _run(command, *_ARGS.get(command, []), "--db", coi, "-o", str(target))
    assert code == 1
    assert err.splitlines() == ["Error: the table format is for the terminal",
                                "Hint: use --format csv, json or xlsx with -o"]
    assert not target.exists()


def test_refusals_come_before_any_work(coi: str, tmp_path: Path) -> None:
    """A refused scan neither runs the rules nor stores findings nor writes pages."""
    pages = tmp_path / "pages"
    assert _run("scan", "--db", coi, "--format", "xlsx", "--html", str(pages))[0] == 1
    assert _run("clusters", "--db", coi, "-o", str(tmp_path / "c.txt"))[0] == 1
    store = SqliteStore(coi)
    assert store.view().findings() == []
    store.close()
    assert not pages.exists()


def test_recusals_in_every_format(case_db: str, tmp_path: Path) -> None:
    code, out, _ = _run("recuse", "K1", "--db", case_db)
    assert code == 0 and "Must step aside from case 刘某涉黑案 (K1)" in out and "刘警官" in out
    code, out, _ = _run("recuse", "K1", "--db", case_db, "--format", "json")
    data = json.loads(out)
    assert data["columns"] == ["official", "acting as", "why", "party", "posts"]
    assert [r[0] for r in data["rows"]] == ["刘警官 (P1)"] and "sibling" in data["rows"][0][2]
    code, out, _ = _run("recuse", "K1", "--db", case_db, "--format", "csv")
    assert list(csv.reader(io.StringIO(out))) == [data["columns"], *data["rows"]]
    target = tmp_path / "回避.xlsx"
    code, _, err = _run("recuse", "K1", "--db", case_db, "--format", "xlsx", "-o", str(target))
    assert code == 0 and f"1 row written to {target}" in err
    ws = openpyxl.load_workbook(target)["results"]
    assert [list(r) for r in ws.values] == [data["columns"], *data["rows"]]


def test_no_recusal_is_said_on_the_terminal_and_empty_in_files(case_db: str) -> None:
    code, out, _ = _run("recuse", "K2", "--db", case_db)
    assert code == 0
    assert out.strip() == "Nobody on record is tied to the parties of case 路人案 (K2)."
    code, out, _ = _run("recuse", "K2", "--db", case_db, "--format", "json")
    assert json.loads(out) == {"columns": ["official", "acting as", "why", "party", "posts"],
                               "rows": []}


def test_rows_keep_values_in_json_and_show_their_text_elsewhere(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = Rows(["node", "n"], [[{"name": "张三"}, 1234]], title="1 rows",
                text=lambda v: v["name"] if isinstance(v, dict) else str(v))
    write(rows, Output("json"))
    assert json.loads(capsys.readouterr().out)["rows"] == [[{"name": "张三"}, 1234]]
    write(rows, Output("csv"))
    assert capsys.readouterr().out.splitlines() == ["node,n", "张三,1234"]
    write(rows, Output("table"))
    shown = capsys.readouterr().out
    assert "1 rows" in shown and "张三" in shown and "1234" in shown and "{" not in shown
    target = tmp_path / "t.json"
    write(rows, Output("json", target))
    assert json.loads(target.read_text(encoding="utf-8"))["rows"] == [[{"name": "张三"}, 1234]]


def test_every_listing_takes_the_shared_options() -> None:
    """No command grows its own --format/-o: they all come from output_options."""

    @click.command()
    @output_options()
    def reference(out: Output) -> None: ...

    want = {p.name: p.to_info_dict() for p in reference.params}
    found = {}
    for name, command in cli.commands.items():
        params = {p.name: p for p in command.params}
        fmt = params.get("fmt")
        if isinstance(fmt, click.Option) and "table" in getattr(fmt.type, "choices", ()):
            found[name] = {k: params[k].to_info_dict() for k in want if k in params}
    assert set(found) == set(LISTINGS)
    assert all(options == want for options in found.values())


def test_an_unknown_format_is_a_usage_error(coi: str) -> None:
    code, _, err = _run("scan", "--db", coi, "--format", "html")
    assert code == 2 and "'html' is not one of" in err
