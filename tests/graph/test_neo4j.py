"""The Neo4j backend end to end: loads, rules, copies, ad-hoc queries, safety.

Runs against ``NEO4J_URI`` when set, else the Bolt bridge over grafeo (a real
Cypher engine behind the real driver: sessions, transactions, batches and every
query text), else skips with that reason.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from neo4j_stores import open_neo4j, target_env
from samples import snapshot, write_csv

from graph.errors import SchemaError, StoreError, UmbrellaError
from graph.store import AliasRecord, SqliteStore, open_store
from graph.store.copy import copy_store
from graph.store.neo4j import Neo4jStore, cypher
from graph.store.neo4j.adhoc import run_query
from graph.store.neo4j.connection import Connection
from loaders.load import load_folder
from queries.scan import scan
from synthetic import generate_county
from umbrella.cli import cli


@pytest.fixture
def neo(neo4j_db: Any) -> Iterator[Neo4jStore]:
    store = open_neo4j(neo4j_db)
    yield store
    store.close()


def _essence(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((f["id"], f["rule"], tuple(f["entities"]), f["score"], f["title"])
                  for f in findings)


def _facts(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Findings named by source ids only (keys of persons differ between databases)."""
    return sorted((f["rule"], tuple(f["entities"]), f["score"]) for f in findings)


@pytest.mark.slow
def test_same_findings_from_both_backends_on_a_generated_county(
        tmp_path: Path, neo: Neo4jStore) -> None:
    county = generate_county(tmp_path / "c", scale=0.2, seed=5)
    lite = SqliteStore(tmp_path / "c.db")
    report_lite = load_folder(county.data_dir, lite)
    report_neo = load_folder(county.data_dir, neo)
    assert (report_neo.read, report_neo.loaded, report_neo.set_aside_count) == (
        report_lite.read, report_lite.loaded, report_lite.set_aside_count)
    assert neo.view().counts_by_kind() == lite.view().counts_by_kind()
    assert neo.view().counts_by_type() == lite.view().counts_by_type()
    found_lite, found_neo = scan(lite).findings, scan(neo).findings
    assert len(found_lite) > 20
    assert {f["category"] for f in found_lite} >= {"conflict_of_interest", "collusion"}
    assert _facts(found_neo) == _facts(found_lite)
    # evidence points at the same source rows
    assert sorted(str(f["evidence"]).count(".csv") for f in found_neo) == sorted(
        str(f["evidence"]).count(".csv") for f in found_lite)
    # stored findings read back the same
    assert _facts(neo.view().findings()) == _facts(lite.view().findings())
    lite.close()


def test_push_then_pull_gives_the_same_store(tmp_path: Path, small: Path,
                                             neo: Neo4jStore) -> None:
    lite = SqliteStore(tmp_path / "a.db")
    load_folder(small, lite)
    scan(lite)
    copy_store(lite, neo)
    copy_store(lite, neo)  # twice: nothing doubles
    back = SqliteStore(tmp_path / "b.db")
    copy_store(neo, back)
    assert snapshot(back) == snapshot(lite) == snapshot(neo)
    assert back.view().key_salt() == lite.view().key_salt() == neo.view().key_salt()
    assert _essence(back.view().findings()) == _essence(lite.view().findings())
    assert len(back.view().loads()) == len(lite.view().loads())
    # persons keyed from identity numbers agree: a reload into the copy adds nobody
    before = back.view().counts_by_kind()
    load_folder(small, back)
    assert back.view().counts_by_kind() == before
    lite.close()
    back.close()


def test_copy_into_a_store_keyed_with_another_secret_is_refused(
        tmp_path: Path, small: Path, neo: Neo4jStore) -> None:
    load_folder(small, neo)
    other = SqliteStore(tmp_path / "other.db")
    load_folder(small, other)
    with pytest.raises(StoreError, match="another secret"):
        copy_store(other, neo)
    other.close()


def test_an_interrupted_load_can_be_run_again_without_duplicates(
        tmp_path: Path, small: Path, neo: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = SqliteStore(tmp_path / "clean.db")
    load_folder(small, clean)
    real = Connection.write_rows
    calls = {"n": 0}

    def dies_after_two_batches(self: Connection, query: str, rows: Any,
                               expect: bool = False) -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise StoreError("connection lost (simulated)")
        real(self, query, rows, expect)

    monkeypatch.setattr(Connection, "write_rows", dies_after_two_batches)
    with pytest.raises(StoreError, match="simulated"):
        load_folder(small, neo)
    assert sum(neo.view().counts_by_kind().values()) > 0  # half a load landed
    monkeypatch.setattr(Connection, "write_rows", real)
    load_folder(small, neo)
    load_folder(small, neo)
    assert snapshot(neo) == snapshot(clean)
    clean.close()


INJECTIONS = [
    "x'}) DETACH DELETE n //",
    'x"}) MATCH (n) DETACH DELETE n RETURN 1 //',
    "`) DETACH DELETE (n",
    "$rows",
    "{name: 'evil'}",
    "\\u0027 OR 1=1 //",
]


def test_injection_through_names_and_ids_is_stored_verbatim(tmp_path: Path,
                                                            neo: Neo4jStore) -> None:
    folder = tmp_path / "evil"
    folder.mkdir()
    write_csv(folder / "persons.csv", ["person_id", "name"],
              [[f"P{i}{s}", s] for i, s in enumerate(INJECTIONS)])
    write_csv(folder / "organizations.csv", ["org_id", "name", "kind"],
              [["O1", "x') DETACH DELETE n", "company"]])
    report = load_folder(folder, neo)
    assert report.loaded == len(INJECTIONS) + 1, report.set_aside
    v = neo.view()
    assert v.counts_by_kind() == {"organization": 1, "person": len(INJECTIONS)}
    names = {e.name for e in v.entities("person")}
    assert names == set(INJECTIONS)
    assert v.resolve(f"P0{INJECTIONS[0]}") is not None


def test_labels_and_types_only_from_the_schema() -> None:
    with pytest.raises(SchemaError):
        cypher.merge_entities("person`) DETACH DELETE (n")
    with pytest.raises(SchemaError):
        cypher.relations_frame("KIN]->() DETACH DELETE r //")
    with pytest.raises(SchemaError):
        cypher.prop("KIN", "relation` = 1 DETACH DELETE r //")


def test_ad_hoc_queries_take_values_as_parameters(small: Path, neo: Neo4jStore) -> None:
    load_folder(small, neo)
    before = neo.view().counts_by_kind()
    for evil in INJECTIONS:
        result = run_query(neo.connection,
                           "MATCH (p:Person) WHERE p.name = $name RETURN count(p) AS n",
                           {"name": evil})
        assert result.rows == [[0]]
    assert neo.view().counts_by_kind() == before


def test_the_server_refuses_writes_in_a_read_transaction(small: Path,
                                                         neo: Neo4jStore) -> None:
    load_folder(small, neo)
    before = neo.view().counts_by_kind()
    with pytest.raises(StoreError):
        neo.connection.read("CREATE (:Person:Entity {key: 'p:x', name: 'x'})")
    assert neo.view().counts_by_kind() == before
    with pytest.raises(UmbrellaError, match="writes"):
        run_query(neo.connection, "MATCH (n) DETACH DELETE n", {})
    assert neo.view().counts_by_kind() == before


def test_query_results_mask_identity_numbers(small: Path, neo: Neo4jStore) -> None:
    load_folder(small, neo)
    q = "MATCH (p:Person) WHERE p.id_number IS NOT NULL RETURN p, p.id_number AS id LIMIT 1"
    masked = run_query(neo.connection, q, {})
    shown = run_query(neo.connection, q, {}, reveal=True)
    assert "*" in masked.rows[0][1] and "*" not in shown.rows[0][1]
    assert "*" in masked.rows[0][0]["properties"]["id_number"]
    assert masked.nodes and all("Person" in n["labels"] for n in masked.nodes.values())


# --- the command line on a Neo4j database --------------------------------------------


#: The audit trail of the commands run on the server (else beside the working folder).
_TRAIL = str(Path(tempfile.mkdtemp()) / "neo4j.audit.jsonl")


def _run(args: list[str], target: Any, **env: str) -> Any:
    return CliRunner().invoke(cli, args, env={**target_env(target), "UMBRELLA_AUDIT": _TRAIL,
                                              **env},
                              catch_exceptions=False)


@pytest.mark.slow
def test_the_commands_work_on_neo4j(tmp_path: Path, small: Path, neo4j_db: Any) -> None:
    uri = neo4j_db.uri
    out = _run(["load", str(small), "--db", uri, "--set-aside", str(tmp_path / "a.csv")],
               neo4j_db)
    assert out.exit_code == 0, out.output
    assert "Set-aside rows" in out.output and (tmp_path / "a.csv").exists()
    out = _run(["stats", "--db", uri], neo4j_db)
    assert out.exit_code == 0 and "person" in out.output, out.output
    out = _run(["scan", "--db", uri, "--format", "json"], neo4j_db)
    assert out.exit_code == 0, out.output
    lite_db = tmp_path / "same.db"  # pulled: same key secret, so same record ids and order
    assert _run(["pull", "--from", uri, "--db", str(lite_db)], neo4j_db).exit_code == 0
    for args in (["show", "P1"], ["path", "P1", "P3"], ["show", "P1", "--reveal"]):
        on_neo = _run([*args, "--db", uri], neo4j_db)
        on_lite = _run([*args, "--db", str(lite_db)], neo4j_db)
        assert on_neo.exit_code == 0, on_neo.output
        assert on_neo.output.replace(uri, "DB") == on_lite.output.replace(str(lite_db), "DB")
    out = _run(["query", "MATCH (p:Person {name: $n}) RETURN p.name AS name",
                "--param", "n=张伟", "--db", uri, "--format", "csv"], neo4j_db)
    assert out.exit_code == 0 and "张伟" in out.output, out.output
    xlsx = tmp_path / "结果.xlsx"
    out = _run(["query", "MATCH (p:Person) RETURN p", "--db", uri, "--format", "xlsx",
                "-o", str(xlsx)], neo4j_db)
    assert out.exit_code == 0 and xlsx.stat().st_size > 0, out.output
    page = tmp_path / "查询.html"
    out = _run(["query", "MATCH (p:Person)-[k:KIN]-(q:Person) RETURN p, k, q", "--db", uri,
                "--html", str(page), "--format", "json"], neo4j_db)
    assert out.exit_code == 0, out.output
    text = page.read_text(encoding="utf-8")
    assert "张伟" in text and "KIN" in text
    views = {}
    for db in (uri, str(lite_db)):
        dest = tmp_path / f"view{len(views)}.html"
        out = _run(["export", "html", "--entity", "P1", "--hops", "2", "--db", db,
                    "-o", str(dest)], neo4j_db)
        assert out.exit_code == 0, out.output
        views[db] = dest.read_text(encoding="utf-8").count('"kind":')
    assert views[uri] == views[str(lite_db)] > 0
    lite = tmp_path / "pulled.db"
    out = _run(["pull", "--from", uri, "--db", str(lite)], neo4j_db)
    assert out.exit_code == 0, out.output
    store = open_store(lite)
    assert store.view().counts_by_kind()["person"] > 0
    store.close()


def test_a_write_query_is_refused_before_any_connection(neo4j_db: Any) -> None:
    # port 9 on loopback has no server: the refusal must come first
    out = _run(["query", "MATCH (n) DETACH DELETE n", "--db", "bolt://127.0.0.1:9"],
               neo4j_db)
    assert out.exit_code != 0
    assert "writes (DETACH, DELETE) and was not sent" in out.output


def test_credentials_never_show(neo4j_db: Any) -> None:
    out = _run(["stats", "--db", neo4j_db.uri], neo4j_db,
               NEO4J_PASSWORD="wrong-secret-3141")
    assert out.exit_code != 0
    assert "refused the user name or password" in out.output
    assert "wrong-secret-3141" not in out.output
    out = _run(["stats", "--db", "neo4j://ana:hunter2@127.0.0.1:7687"], neo4j_db)
    assert out.exit_code != 0 and "hunter2" not in out.output
    assert "NEO4J_PASSWORD" in out.output


def test_tiny_batches_still_load_everything(small: Path, neo4j_db: Any, tmp_path: Path) -> None:
    clean = SqliteStore(tmp_path / "clean.db")
    load_folder(small, clean)
    store = Neo4jStore.from_env(neo4j_db.uri, env={**target_env(neo4j_db),
                                                   "UMBRELLA_NEO4J_BATCH_ROWS": "3",
                                                   "UMBRELLA_NEO4J_BATCH_BYTES": "400"})
    load_folder(small, store)
    assert snapshot(store) == snapshot(clean)
    store.close()
    clean.close()



def test_a_version_1_database_is_brought_to_version_2(neo4j_db: Any) -> None:
    """Nodes as version 1 wrote them: a source id per input id, set-aside rows per file and
    line, loads without a state."""
    from graph.store.neo4j.connection import Settings

    conn = Connection(Settings.from_env(neo4j_db.uri, env=target_env(neo4j_db)))
    try:
        for stmt in cypher.SCHEMA:
            conn.write(stmt)
        conn.write(f"CREATE (:{cypher.M} {{id: 'meta', schema_version: '1', key_salt: 'aa'}})")
        conn.write(f"CREATE (:{cypher.E}:`Person` {{key: 'p:1', name: '张三'}})")
        conn.write(f"CREATE (:{cypher.S} {{uid: $uid, table: 'persons', source_id: 'P1', "
                   "key: 'p:1', file: '/d/persons.csv', line: 2})", uid="persons\x1fP1")
        conn.write(f"CREATE (:{cypher.A} {{uid: $uid, file: '/d/persons.csv', line: 3, "
                   "table: 'persons', column: 'name', code: 'missing_required', "
                   "message: 'name is blank', row: '{}'})", uid="/d/persons.csv\x1f3")
        conn.write(f"CREATE (:{cypher.L} {{id: 1, at: '2024-05-01 06:05:00', source: '/d', "
                   "report: '{}'})")
    finally:
        conn.close()
    store = open_neo4j(neo4j_db)
    try:
        v = store.view()
        assert v.key_salt() == "aa" and v.resolve("P1") == "p:1"
        assert [ld["id"] for ld in v.loads()] == [1] and v.load_runs() == []
        assert [(r.line, r.load) for r in v.set_aside()] == [(3, 0)]
        with store.writer() as w:  # the same mapping again adds nothing; another is kept
            w.put_aliases([AliasRecord("persons", "P1", "p:1", "/d/persons.csv", 2),
                           AliasRecord("persons", "P1", "p:9", "/e/persons.csv", 2)])
        assert [c.key for c in v.claims("P1")] == ["p:1", "p:9"]
        meta = store.connection.read(cypher.META_READ)[0]
        assert meta["version"] == "2"
    finally:
        store.close()
