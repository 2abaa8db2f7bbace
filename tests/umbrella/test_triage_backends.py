"""Triage behaves the same on both backends: a database file and a Neo4j database.

The county is the one of ``test_triage.py``: one account collecting subsidies for
five unrelated people (SUB-003 reports it); kin ties among four of them, loaded
next, make the rule drop it, and the triaged finding is then "no longer found".
The Neo4j runs go to ``NEO4J_URI``, else the Bolt bridge over grafeo (a real
Cypher engine behind the real driver), else they skip with that reason.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from neo4j_stores import open_neo4j, target_env
from samples import write_csv, write_tables
from triage_county import ORGS, PAYMENTS, PERSONS

from exports.tables import COLUMNS
from graph.store import open_store
from graph.store.neo4j_triage import TRIAGE
from graph.store.triage import TriageEntry, triage_book
from queries.triage import no_longer_found, record
from umbrella.cli import cli


class Backend:
    """Where a test's database is, and how the commands reach it."""

    def __init__(self, db: str, env: dict[str, str]) -> None:
        self.db, self.env = db, env

    def run(self, *args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, [*args, "--db", self.db], env=self.env)
        return result.exit_code, result.stdout, result.stderr

    def open(self) -> Any:
        return open_store(self.db)


@pytest.fixture(params=["sqlite", "neo4j"])
def backend(request: pytest.FixtureRequest, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Backend:
    trail = str(tmp_path / "trail" / "case.audit.jsonl")
    Path(trail).parent.mkdir()
    if request.param == "sqlite":
        return Backend(str(tmp_path / "案件.db"), {"UMBRELLA_AUDIT": trail})
    target = request.getfixturevalue("neo4j_db")
    env = {**target_env(target), "UMBRELLA_AUDIT": trail}
    for key, value in env.items():  # open_store in the test reads the same environment
        monkeypatch.setenv(key, value)
    return Backend(target.uri, env)


@pytest.fixture
def county(backend: Backend, tmp_path: Path) -> tuple[Backend, Path, str]:
    """The backend loaded from the county and scanned, the folder, the one finding's id."""
    folder = write_tables(tmp_path / "县", {"persons": PERSONS, "organizations": ORGS,
                                           "payments": PAYMENTS})
    assert backend.run("load", str(folder))[0] == 0
    code, out, _ = backend.run("scan", "--rule", "SUB-003", "--format", "json")
    found = json.loads(out)["findings"]
    assert code == 0 and [f["rule"] for f in found] == ["SUB-003"]
    assert found[0]["status"] == "new"
    return backend, folder, str(found[0]["id"])


def test_history_kept_and_current_status(county: tuple[Backend, Path, str]) -> None:
    backend, _, fid = county
    code, out, _ = backend.run("triage", fid, "--status", "in_review", "--assign", "王芳",
                               "--user", "李强")
    assert code == 0 and "in review" in out and "王芳" in out
    assert backend.run("triage", fid, "--status", "confirmed", "--note", "银行流水已调取",
                       "--user", "张敏")[0] == 0
    code, out, _ = backend.run("triage", fid, "--history", "--format", "json")
    rows = json.loads(out)["rows"]
    assert code == 0 and [(r[1], r[2], r[3]) for r in rows] == [
        ("李强", "in_review", "王芳"), ("张敏", "confirmed", "王芳")]
    assert rows[1][5] == "银行流水已调取" and all(r[0].endswith(" UTC") for r in rows)
    store = backend.open()
    book = triage_book(store)
    try:
        entries = book.history(fid)
        assert [e.seq for e in entries] == [1, 2]
        assert book.current()[fid].status == "confirmed"
        assert entries[0].rule == "SUB-003" and entries[0].title
    finally:
        book.close()
        store.close()


def test_a_rescan_keeps_the_triage_and_exports_carry_it(
        county: tuple[Backend, Path, str], tmp_path: Path) -> None:
    backend, _, fid = county
    assert backend.run("triage", fid, "--status", "needs_data", "--user", "li")[0] == 0
    code, out, _ = backend.run("scan", "--format", "json")
    found = {f["id"]: f["status"] for f in json.loads(out)["findings"]}
    assert code == 0 and found[fid] == "needs_data"
    assert all(s == "new" for i, s in found.items() if i != fid)
    code, out, _ = backend.run("scan", "--status", "needs_data", "--format", "json")
    assert code == 0 and [f["id"] for f in json.loads(out)["findings"]] == [fid]
    code, out, _ = backend.run("scan", "--status", "dismissed", "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == []
    at = COLUMNS.index("status")
    code, out, _ = backend.run("scan", "--format", "csv")
    rows = {r[0]: r for r in csv.reader(io.StringIO(out))}
    assert code == 0 and rows["id"][at] == "status" and rows[fid][at] == "needs_data"
    code, out, _ = backend.run("--lang", "zh", "scan", "--format", "csv")
    rows = {r[0]: r for r in csv.reader(io.StringIO(out))}
    assert code == 0 and rows[fid][at] == "待补充数据"
    pages = tmp_path / "页面"
    assert backend.run("scan", "--html", str(pages))[0] == 0
    index = (pages / "index.html").read_text(encoding="utf-8")
    assert "<th>status</th>" in index and "needs data" in index


def test_no_longer_found_after_a_data_change(county: tuple[Backend, Path, str]) -> None:
    backend, folder, fid = county
    assert backend.run("triage", fid, "--status", "in_review", "--user", "li")[0] == 0
    write_csv(folder / "relationships.csv",
              ["person_id", "other_id", "relation", "start_date", "end_date"],
              [["R1", "R2", "sibling", "", ""], ["R2", "R3", "sibling", "", ""],
               ["R3", "R4", "sibling", "", ""]])
    assert backend.run("load", str(folder))[0] == 0
    code, out, _ = backend.run("scan", "--status", "in_review", "--format", "json")
    shown = json.loads(out)
    assert code == 0 and shown["findings"] == []
    assert [(g["id"], g["status"]) for g in shown["no_longer_found"]] == [(fid, "in_review")]
    code, out, _ = backend.run("triage", fid, "--history")
    assert code == 0 and "no longer found" in out
    code, out, _ = backend.run("triage", fid, "--status", "dismissed", "--reason",
                               "亲属共用账户", "--user", "li")
    assert code == 0 and "no longer found" in out
    store = backend.open()
    try:
        gone = no_longer_found(store)
        assert [(e.finding, e.status, e.reason) for e in gone] == [
            (fid, "dismissed", "亲属共用账户")]
        assert [e.status for e in triage_book(store).history(fid)] == ["in_review",
                                                                       "dismissed"]
    finally:
        store.close()


def test_refusals_are_the_same(county: tuple[Backend, Path, str]) -> None:
    backend, _, fid = county
    code, _, err = backend.run("triage", fid, "--status", "dismissed")
    assert code == 1 and "a dismissal needs a reason" in err
    code, _, err = backend.run("triage", "F-000000000000", "--status", "confirmed")
    assert code == 1 and "no such finding" in err
    code, out, _ = backend.run("triage", fid, "--history")
    assert code == 0 and "Nobody has triaged this finding yet." in out


def test_neo4j_entries_are_nodes_numbered_once_under_concurrent_appends(
        neo4j_db: Any) -> None:
    store = open_neo4j(neo4j_db)
    try:
        with store.writer() as w:
            w.replace_findings([{"id": "F-1", "rule": "COI-001", "category":
                                 "conflict_of_interest", "score": 0.9, "title": "t",
                                 "keys": []}], ["COI-001"])
        failures: list[BaseException] = []

        def add(i: int) -> None:
            other = open_neo4j(neo4j_db)  # its own driver, as a second person's run
            try:
                triage_book(other).append(TriageEntry("F-1", "in_review", note=f"n{i}",
                                                      author=f"user{i}"))
            except BaseException as err:  # pragma: no cover - reported below
                failures.append(err)
            finally:
                other.close()

        threads = [threading.Thread(target=add, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        entries = triage_book(store).history("F-1")
        assert sorted(e.seq for e in entries) == list(range(1, 7))
        assert sorted(e.author for e in entries) == [f"user{i}" for i in range(6)]
        # a rescan replaces the Finding nodes; the entries are nodes of their own
        with store.writer() as w:
            w.replace_findings([], ["COI-001"])
        rows = store.connection.read(f"MATCH (t:{TRIAGE}) RETURN count(t) AS n")
        assert rows[0]["n"] == 6
        # a hostile text is a value, never Cypher
        record(store, "F-1", "in_review", note="'}) DETACH DELETE t //", user="x")
        assert len(triage_book(store).history("F-1")) == 7
    finally:
        store.close()

