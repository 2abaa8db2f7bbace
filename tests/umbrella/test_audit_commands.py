"""Every command that changes a triage, shows data or writes it out is in the audit trail.

A real store on disk, loaded from the COI golden county (Chinese names) plus a
case whose suspect is the official's brother-in-law; each command runs as a person
would, with ``--user`` or ``UMBRELLA_USER``; afterwards ``umbrella audit`` lists
each one with its user, action and target, and ``umbrella audit verify`` finds
the chain whole. The Neo4j commands (query, push, pull, triage on a server) run
against ``NEO4J_URI``, else the Bolt bridge, else skip.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from neo4j_stores import target_env

from umbrella.cli import cli

GOLDEN_COI = Path(__file__).parent.parent / "queries" / "golden" / "COI"


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), env=env)
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The county loaded and scanned (the trail then holds the load)."""
    folder = tmp_path / "县"
    shutil.copytree(GOLDEN_COI, folder, ignore=shutil.ignore_patterns("*.json"))
    (folder / "cases.csv").write_text(
        "case_id,kind,title,opened_date,closed_date,status,outcome\n"
        "AJ1,corruption,李强行贿案,2020-09-01,,在办,\n", encoding="utf-8")
    (folder / "case_roles.csv").write_text(
        "case_id,party_id,role,start_date\nAJ1,P3,suspect,2020-09-01\n", encoding="utf-8")
    path = tmp_path / "案件.db"
    code, _, err = _run("load", str(folder), "--db", str(path), "--user", "loader")
    assert code == 0, err
    code, _, err = _run("scan", "--db", str(path), "--rule", "COI", "--rule", "REC")
    assert code == 0, err
    return path


def _entries(db: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    code, out, err = _run("audit", "--db", db, "--format", "json", env=env)
    assert code == 0, err
    table = json.loads(out)
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


def _verified(db: str, env: dict[str, str] | None = None) -> str:
    code, out, err = _run("audit", "verify", "--db", db, env=env)
    assert code == 0, err + out
    return out


def _finding(db: Path) -> str:
    code, out, _ = _run("scan", "--db", str(db), "--rule", "COI", "--format", "json")
    assert code == 0
    return str(json.loads(out)["findings"][0]["id"])


def test_every_triage_change_is_recorded_with_its_new_status(db: Path) -> None:
    fid = _finding(db)
    assert _run("triage", fid, "--status", "in_review", "--assign", "王芳", "--user",
                "李强", "--db", str(db))[0] == 0
    assert _run("triage", fid, "--note", "已调取银行流水", "--db", str(db),
                env={"UMBRELLA_USER": "张敏"})[0] == 0
    assert _run("triage", fid, "--status", "dismissed", "--reason", "同名不同人",
                "--user", "王芳", "--db", str(db))[0] == 0
    code, _, _ = _run("triage", fid, "--status", "dismissed", "--db", str(db))
    assert code == 1  # refused (no reason): nothing happened, nothing recorded
    assert _run("triage", fid, "--history", "--user", "赵敏", "--db", str(db))[0] == 0
    assert _run("triage", fid, "--history", "--reveal", "--user", "赵敏",
                "--db", str(db))[0] == 0
    got = [(e["user"], e["action"], e["target"]) for e in _entries(str(db))[1:]]
    assert got == [("李强", "triage", f"{fid}: in_review"),
                   ("张敏", "triage", f"{fid}: in_review"),  # a note keeps the status
                   ("王芳", "triage", f"{fid}: dismissed"),
                   ("赵敏", "view", fid), ("赵敏", "reveal", fid)]
    # the trail's author is the triage entry's author
    code, out, _ = _run("triage", fid, "--history", "--format", "json", "--db", str(db))
    assert [r[1] for r in json.loads(out)["rows"]] == ["李强", "张敏", "王芳"]
    assert "7 entries" in _verified(str(db))  # the load, three triages, three views
    code, listed, _ = _run("--lang", "zh", "audit", "--db", str(db))
    assert code == 0 and "研判" in listed and "查看未遮蔽号码" in listed


def test_the_commands_that_show_or_write_out_data_are_recorded(db: Path,
                                                                tmp_path: Path) -> None:
    d = str(db)
    out = tmp_path / "出"
    out.mkdir()
    truth = tmp_path / "truth.csv"
    truth.write_text("id,label,category,group\nP1,王建国,,\n", encoding="utf-8")
    runs: list[tuple[list[str], str, str]] = [  # (command, action, target)
        (["path", "P1", "C1"], "view", "P1 -> C1"),
        (["recuse", "AJ1"], "view", "AJ1"),
        (["recuse", "AJ1", "--format", "csv", "-o", str(out / "回避.csv")], "export",
         str((out / "回避.csv").resolve())),
        (["set-aside"], "view", "set-aside"),
        (["set-aside", "--load", "1", "--reveal"], "reveal", "set-aside:1"),
        (["set-aside", "--format", "xlsx", "-o", str(out / "sa.xlsx")], "export",
         str((out / "sa.xlsx").resolve())),
        (["screen", "--left", "P1", "--right", "C1", "--on", "2021-06-01"], "view",
         "P1 | C1"),
        (["screen", "--left", "P1", "--right", "C1", "--reveal"], "reveal", "P1 | C1"),
        (["evaluate", "--truth", str(truth)], "view", str(truth.resolve())),
        (["evaluate", "--truth", str(truth), "--format", "json", "-o", str(out / "e.json")],
         "export", str((out / "e.json").resolve())),
        (["export", "html", "--entity", "P1", "-o", str(out / "p1.html")], "export",
         str((out / "p1.html").resolve())),
        (["export", "html", "--entity", "P1", "--reveal", "-o", str(out / "p1r.html")],
         "reveal", str((out / "p1r.html").resolve())),
        (["export", "ftm", "-o", str(out / "c.ftm.json")], "export",
         str((out / "c.ftm.json").resolve())),
        (["export", "ftm", "--reveal", "-o", str(out / "r.ftm.json")], "reveal",
         str((out / "r.ftm.json").resolve())),
        (["export", "parquet", str(out / "pq")], "export", str((out / "pq").resolve())),
        (["clusters", "--format", "json", "-o", str(out / "cl.json")], "export",
         str((out / "cl.json").resolve())),
        (["brokers", "--html", str(out / "br"), "--reveal"], "reveal",
         str((out / "br").resolve())),
    ]
    for i, (args, _, _) in enumerate(runs):
        code, _, err = _run(*args, "--db", d, "--user", f"u{i}")
        assert code == 0, (args, err)
    got = [(e["user"], e["action"], e["target"]) for e in _entries(d)[1:]]
    assert got == [(f"u{i}", action, target) for i, (_, action, target) in enumerate(runs)]
    # shown on the terminal or not, a scan of clusters lists: no export, as scan
    assert _run("clusters", "--db", d)[0] == 0 and len(_entries(d)) == len(runs) + 1
    assert f"{len(runs) + 1} entries" in _verified(d)


def test_a_failed_lookup_records_no_view(db: Path) -> None:
    code, _, _ = _run("recuse", "AJ9", "--db", str(db), "--user", "li")
    assert code == 1
    assert [e["action"] for e in _entries(str(db))] == ["load"]


def test_the_neo4j_commands_are_recorded(db: Path, tmp_path: Path, neo4j_db: Any) -> None:
    trail = tmp_path / "server" / "team.audit.jsonl"
    trail.parent.mkdir()
    env = {**target_env(neo4j_db), "UMBRELLA_AUDIT": str(trail)}
    uri = neo4j_db.uri
    code, _, err = _run("push", "--db", str(db), "--to", uri, "--user", "推送人",
                        env=target_env(neo4j_db))  # recorded beside the file pushed
    assert code == 0, err
    code, _, err = _run("query", "MATCH (p:Person {name: $name}) RETURN p.name AS name",
                        "--param", "name=王建国", "--db", uri, "--user", "查询人", env=env)
    assert code == 0, err
    code, _, err = _run("query", "MATCH (p:Person {id_number: $n}) RETURN p.name AS name",
                        "--param", "n=11010519491231002X", "--db", uri, "--user", "查询人",
                        env=env)
    assert code == 0, err
    code, _, err = _run("query", "MATCH (p:Person) RETURN p.name AS name", "--reveal",
                        "--format", "csv", "-o", str(tmp_path / "q.csv"), "--db", uri,
                        "--user", "查询人", env=env)
    assert code == 0, err
    code, out, err = _run("scan", "--db", uri, "--rule", "COI", "--format", "json", env=env)
    fid = json.loads(out)["findings"][0]["id"]
    assert _run("triage", fid, "--status", "confirmed", "--user", "核查人", "--db", uri,
                env=env)[0] == 0
    mine = tmp_path / "mine.db"
    code, _, err = _run("pull", "--from", uri, "--db", str(mine), "--user", "拉取人", env=env)
    assert code == 0, err
    got = [(e["user"], e["action"], e["target"]) for e in _entries(uri, env)]
    assert got == [
        ("查询人", "search", "MATCH (p:Person {name: $name}) RETURN p.name AS name "
                             "[name=王建国]"),
        ("查询人", "search", "MATCH (p:Person {id_number: $n}) RETURN p.name AS name "
                             "[n=110105***********X]"),  # never the number itself
        ("查询人", "search", "MATCH (p:Person) RETURN p.name AS name"),
        ("查询人", "reveal", str((tmp_path / "q.csv").resolve())),
        ("核查人", "triage", f"{fid}: confirmed"),
        ("拉取人", "export", str(mine.resolve()))]
    assert "6 entries" in _verified(uri, env)
    assert "11010519491231002X" not in trail.read_text(encoding="utf-8")
    pushed = [(e["user"], e["action"], e["target"]) for e in _entries(str(db))]
    assert pushed[-1] == ("推送人", "export", uri)
    _verified(str(db))
