"""The grafeo Bolt bridge through the real neo4j driver.

Tests taking ``neo4j_db`` hold for Neo4j itself too: with NEO4J_URI set they run
against that server (and wipe its database), so the bridge is checked against
the real thing. Tests taking ``bridge`` need a bridge of their own (credentials
they know, failing commits, several databases, Bolt versions).
"""

from __future__ import annotations

import datetime as dt
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import neo4j_server
import pytest
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import AuthError, ClientError, ConstraintError, CypherSyntaxError
from neo4j.graph import Node, Relationship
from neo4j.graph import Path as GraphPath
from neo4j.time import Date, DateTime, Duration, Time
from neo4j_bridge import bolt_grafeo as bolt
from neo4j_server import Neo4jTarget, bridge_python_or_skip, start_bridge

FAST_RETRIES: dict[str, Any] = {"initial_retry_delay": 0.01, "retry_delay_jitter_factor": 0.0}


@pytest.fixture(scope="module")
def bridge_python() -> str:
    python: str = bridge_python_or_skip()
    return python


@pytest.fixture(scope="module")
def bridge(bridge_python: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jTarget]:
    with start_bridge(tmp_path_factory.mktemp("bridge"), python=bridge_python) as target:
        yield target


def driver_for(target: Neo4jTarget, **config: Any) -> neo4j.Driver:
    return GraphDatabase.driver(target.uri, auth=target.auth, **config)


def count(target: Neo4jTarget, label: str, database: str | None = None) -> int:
    with driver_for(target) as driver:
        records, _, _ = driver.execute_query(f"MATCH (n:{label}) RETURN count(n) AS c",
                                             database_=database or target.database)
    return int(records[0]["c"])


# ---- connecting -----------------------------------------------------------


def test_wrong_password_is_an_auth_error(bridge: Neo4jTarget) -> None:
    with GraphDatabase.driver(bridge.uri, auth=(bridge.user, "wrong")) as driver, \
            pytest.raises(AuthError) as err:
        driver.verify_connectivity()
    assert err.value.code == "Neo.ClientError.Security.Unauthorized"


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_direct_and_routing_schemes(bridge: Neo4jTarget, scheme: str) -> None:
    target = bridge.with_scheme(scheme)
    with driver_for(target) as driver:
        driver.verify_connectivity()
        driver.execute_query("CREATE (:Scheme {name: $s})", s=scheme, database_="neo4j")
        records, summary, keys = driver.execute_query(
            "MATCH (n:Scheme {name: $s}) RETURN n.name AS name", s=scheme,
            database_="neo4j", routing_=neo4j.RoutingControl.READ)
        info = driver.get_server_info()
    assert keys == ["name"] and [r["name"] for r in records] == [scheme]
    assert summary.database == "neo4j" and summary.query_type == "r"
    assert info.agent.startswith("Neo4j/5") and info.protocol_version == (5, 8)


@pytest.mark.parametrize("version", ["5.0", "5.3", "5.4", "5.6"])
def test_older_bolt_5_versions(bridge_python: str, tmp_path: Path, version: str) -> None:
    """5.0 authenticates in HELLO; 5.1+ with LOGON; 5.4+ adds TELEMETRY; <5.7 old FAILUREs."""
    with start_bridge(tmp_path, python=bridge_python, bolt=version) as target, \
            driver_for(target) as driver:
        assert driver.get_server_info().protocol_version == tuple(map(int, version.split(".")))
        with driver.session() as session:
            session.execute_write(lambda tx: tx.run("CREATE (:V {v: $v})", v=version).consume())
            assert session.execute_read(
                lambda tx: tx.run("MATCH (n:V) RETURN n.v AS v").single(strict=True)["v"]
            ) == version
            with pytest.raises(CypherSyntaxError):
                session.run("RETURN 1 +").consume()
        with GraphDatabase.driver(target.uri, auth=(target.user, "nope")) as intruder, \
                pytest.raises(AuthError):
            intruder.verify_connectivity()


# ---- values ---------------------------------------------------------------


def test_parameters_big_lists_long_strings_and_chinese(neo4j_db: Neo4jTarget) -> None:
    rows = [{"id": i, "name": f"官员{i}号", "tags": ["甲", "乙"], "score": i / 4, "ok": i % 2 == 0}
            for i in range(5000)]
    long_ascii = "x" * 70_000
    long_chinese = "县教育局" * 20_000  # 80,000 characters, 240 KB of UTF-8
    with driver_for(neo4j_db) as driver, driver.session(database=neo4j_db.database) as session:
        record = session.run(
            "RETURN size($rows) AS n, $rows AS rows, $a AS a, $c AS c, size($c) AS nc",
            rows=rows, a=long_ascii, c=long_chinese).single(strict=True)
        assert record["n"] == 5000 and record["rows"] == rows
        assert record["a"] == long_ascii and record["c"] == long_chinese
        assert record["nc"] == len(long_chinese)
        session.execute_write(lambda tx: tx.run(
            "UNWIND $rows AS r CREATE (:Row {id: r.id, name: r.name, text: $c})",
            rows=rows, c=long_chinese).consume())
        names = session.run("MATCH (r:Row) WHERE r.id IN [0, 4999] RETURN r.name AS name, "
                            "r.text AS text ORDER BY name").data()
    assert [n["name"] for n in names] == ["官员0号", "官员4999号"]
    assert all(n["text"] == long_chinese for n in names)
    assert count(neo4j_db, "Row") == 5000


def test_scalars_round_trip(neo4j_db: Neo4jTarget) -> None:
    values: dict[str, Any] = {
        "none": None, "t": True, "f": False, "small": -16, "i8": -100, "i16": 30_000,
        "i32": -2_000_000_000, "i64": 2**62, "min": -(2**63), "max": 2**63 - 1, "float": 1.25,
        "bytes": b"\x00\x01\xfe\xff" * 100, "empty": "", "nested": {"a": [1, {"b": ["c", None]}]},
    }
    with driver_for(neo4j_db) as driver:
        records, _, keys = driver.execute_query(
            "RETURN " + ", ".join(f"$p.{k} AS {k}" for k in values), p=values,
            database_=neo4j_db.database)
    assert keys == list(values)
    assert dict(records[0]) == values


def test_nodes_relationships_and_paths(neo4j_db: Neo4jTarget) -> None:
    with driver_for(neo4j_db) as driver:
        records, _, _ = driver.execute_query(
            "CREATE (a:Person {name: '张伟'})-[r:KNOWS {since: 2020}]->"
            "(b:Person:Official {name: '李娜'}) RETURN a, r, b", database_=neo4j_db.database)
        a, r, b = records[0]["a"], records[0]["r"], records[0]["b"]
        assert isinstance(a, Node) and isinstance(b, Node) and isinstance(r, Relationship)
        assert a.labels == {"Person"} and b.labels == {"Person", "Official"}
        assert dict(a) == {"name": "张伟"} and b["name"] == "李娜"
        assert r.type == "KNOWS" and r["since"] == 2020
        assert r.start_node is not None and r.end_node is not None
        assert (r.start_node.element_id, r.end_node.element_id) == (a.element_id, b.element_id)

        records, _, _ = driver.execute_query(
            "MATCH p = (x:Official)<-[:KNOWS]-(y) RETURN p, nodes(p) AS ns, relationships(p) AS rs",
            database_=neo4j_db.database)
        p = records[0]["p"]
        assert isinstance(p, GraphPath) and len(p) == 1
        assert [n["name"] for n in p.nodes] == ["李娜", "张伟"]
        assert p.start_node.element_id == b.element_id and p.end_node.element_id == a.element_id
        (rel,) = p.relationships
        assert rel.type == "KNOWS" and rel.element_id == r.element_id
        assert rel.start_node is not None and rel.start_node.element_id == a.element_id
        assert [n.element_id for n in records[0]["ns"]] == [b.element_id, a.element_id]
        assert [x.element_id for x in records[0]["rs"]] == [r.element_id]

        records, _, _ = driver.execute_query(
            "MATCH (n) WHERE elementId(n) = $id RETURN n.name AS name", id=a.element_id,
            database_=neo4j_db.database)
        assert [rec["name"] for rec in records] == ["张伟"]


def test_temporal_values_round_trip(neo4j_db: Neo4jTarget) -> None:
    params: dict[str, Any] = {
        "d": dt.date(1949, 12, 31), "leap": dt.date(2024, 2, 29),
        "ldt": dt.datetime(2024, 1, 2, 3, 4, 5, 123456),
        "lt": dt.time(23, 59, 58, 1000),
        "dates": [dt.date(2000, 1, 1), dt.date(1970, 1, 1)],
    }
    with driver_for(neo4j_db) as driver:
        driver.execute_query("CREATE (:Birth {d: $d, ldt: $ldt, dates: $dates})", params,
                             database_=neo4j_db.database)
        records, _, _ = driver.execute_query(
            "MATCH (b:Birth) RETURN b.d AS d, b.ldt AS ldt, b.dates AS dates, $leap AS leap, "
            "$lt AS lt, time('08:30:00+08:00') AS t, date('2024-01-02') AS literal, "
            "datetime('2024-01-02T03:04:05+02:00') AS zoned, duration('P1Y2M3DT4H') AS dur",
            params, database_=neo4j_db.database)
    rec = records[0]
    assert isinstance(rec["d"], Date) and rec["d"].to_native() == params["d"]
    assert rec["leap"].to_native() == params["leap"]
    assert rec["ldt"].to_native() == params["ldt"]
    assert [d.to_native() for d in rec["dates"]] == params["dates"]
    assert isinstance(rec["lt"], Time) and rec["lt"].to_native() == params["lt"]
    # (a zoned time cannot be a parameter: the driver fails to pack datetime.time with a tzinfo)
    assert rec["t"].to_native() == dt.time(8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert rec["literal"] == Date(2024, 1, 2)
    zoned = rec["zoned"]
    assert isinstance(zoned, DateTime) and zoned.utcoffset() == dt.timedelta(hours=2)
    assert zoned.to_native() == dt.datetime(2024, 1, 2, 1, 4, 5, tzinfo=dt.UTC)
    assert rec["dur"] == Duration(months=14, days=3, hours=4)


# ---- transactions ---------------------------------------------------------


def test_execute_write_commits(neo4j_db: Neo4jTarget) -> None:
    def create(tx: ManagedTransaction, n: int) -> int:
        summary = tx.run("UNWIND range(1, $n) AS i CREATE (:Kept {i: i})", n=n).consume()
        return summary.counters.nodes_created

    with driver_for(neo4j_db) as driver, driver.session(database=neo4j_db.database) as session:
        assert session.execute_write(create, 3) == 3
        bookmarks = session.last_bookmarks()
    assert count(neo4j_db, "Kept") == 3
    assert bookmarks.raw_values


def test_exception_in_managed_transaction_rolls_back(neo4j_db: Neo4jTarget) -> None:
    def create_then_fail(tx: ManagedTransaction) -> None:
        tx.run("CREATE (:Doomed)").consume()
        raise RuntimeError("boom")

    with driver_for(neo4j_db) as driver, driver.session(database=neo4j_db.database) as session, \
            pytest.raises(RuntimeError, match="boom"):
        session.execute_write(create_then_fail)
    assert count(neo4j_db, "Doomed") == 0


def test_explicit_transaction_rollback(neo4j_db: Neo4jTarget) -> None:
    with driver_for(neo4j_db) as driver, driver.session(database=neo4j_db.database) as session:
        tx = session.begin_transaction()
        tx.run("CREATE (:Undone)").consume()
        assert tx.run("MATCH (n:Undone) RETURN count(n) AS c").single(strict=True)["c"] == 1
        tx.rollback()
        with pytest.raises(RuntimeError), session.begin_transaction() as tx2:
            tx2.run("CREATE (:Undone)").consume()
            raise RuntimeError("leaving the block by an exception rolls back")
        with session.begin_transaction() as tx3:
            tx3.run("CREATE (:Done)").consume()
            tx3.commit()
    assert count(neo4j_db, "Undone") == 0
    assert count(neo4j_db, "Done") == 1


def test_write_in_execute_read_is_refused(neo4j_db: Neo4jTarget) -> None:
    def consume(tx: ManagedTransaction, query: str) -> None:
        tx.run(query).consume()

    with driver_for(neo4j_db) as driver, driver.session(database=neo4j_db.database) as session:
        session.run("CREATE (:Existing {v: 1})").consume()
        for query in ("CREATE (:Sneaky)", "MATCH (n:Existing) SET n.v = 2",
                      "MATCH (n:Existing) SET n:Sneaky", "MATCH (n:Nothing) DETACH DELETE n"):
            with pytest.raises(ClientError) as err:
                session.execute_read(consume, query)
            assert err.value.code == "Neo.ClientError.Statement.AccessMode", query
            assert err.value.message.startswith("Writing in read access mode not allowed")
        assert session.execute_read(
            lambda tx: tx.run("MATCH (n:Existing) RETURN n.v AS v").single(strict=True)["v"]) == 1
    assert count(neo4j_db, "Sneaky") == 0


def test_syntax_error_then_the_session_still_works(neo4j_db: Neo4jTarget) -> None:
    with driver_for(neo4j_db) as driver, driver.session(database=neo4j_db.database) as session:
        with pytest.raises(CypherSyntaxError) as err:
            session.run("MATCH (n RETURN n").consume()
        assert err.value.code == "Neo.ClientError.Statement.SyntaxError"
        assert session.run("RETURN 1 AS x").single(strict=True)["x"] == 1
        tx = session.begin_transaction()
        tx.run("CREATE (:Lost)").consume()
        with pytest.raises(CypherSyntaxError):
            tx.run("RETURN 1 +").consume()
        tx.close()
        with session.begin_transaction() as tx:
            tx.run("CREATE (:After)").consume()
            tx.commit()
    assert count(neo4j_db, "After") == 1
    assert count(neo4j_db, "Lost") == 0


def test_results_are_fetched_in_batches_and_interleaved(neo4j_db: Neo4jTarget) -> None:
    with driver_for(neo4j_db) as driver, \
            driver.session(database=neo4j_db.database, fetch_size=7) as session:
        assert [r["i"] for r in session.run("UNWIND range(1, 30) AS i RETURN i")] == list(
            range(1, 31))
        with session.begin_transaction() as tx:
            first = tx.run("UNWIND range(1, 20) AS i RETURN i")
            second = tx.run("UNWIND range(101, 120) AS i RETURN i")
            got = [next(first)["i"], next(second)["i"], next(first)["i"]]
            rest = [r["i"] for r in second]
            tail = [r["i"] for r in first]
            tx.commit()
    assert got == [1, 101, 2]
    assert rest == list(range(102, 121)) and tail == list(range(3, 21))


# ---- bridge-only behaviour ------------------------------------------------


def test_execute_write_retries_failed_commits_and_writes_once(
        bridge_python: str, tmp_path: Path) -> None:
    attempts: list[int] = []

    def create(tx: ManagedTransaction) -> None:
        attempts.append(1)
        tx.run("CREATE (:Once)").consume()

    with start_bridge(tmp_path, fail_commits=[2, 3], python=bridge_python) as target, \
            driver_for(target, **FAST_RETRIES) as driver:
        with driver.session() as session:
            session.execute_write(lambda tx: tx.run("CREATE (:Setup)").consume())  # commit 1
            session.execute_write(create)  # commits 2 and 3 fail, 4 succeeds
        assert len(attempts) == 3
        assert count(target, "Once") == 1


def test_databases_are_separate(bridge: Neo4jTarget) -> None:
    with driver_for(bridge) as driver:
        driver.execute_query("CREATE (:Site {db: 'one'})", database_="one")
        driver.execute_query("CREATE (:Site {db: 'two'}), (:Site {db: 'two'})", database_="two")
        for name, expected in (("one", ["one"]), ("two", ["two", "two"]), ("ONE", ["one"])):
            records, summary, _ = driver.execute_query(
                "MATCH (n:Site) RETURN n.db AS db", database_=name)
            assert [r["db"] for r in records] == expected
            assert summary.database == name.lower()
    assert count(bridge, "Site", database="neo4j") == 0


def test_persistent_databases_survive_a_restart(bridge_python: str, tmp_path: Path) -> None:
    for round_ in (1, 2):
        with start_bridge(tmp_path, python=bridge_python, persistent=True) as target, \
                driver_for(target) as driver:
            driver.execute_query("CREATE (:Run {n: $n})", n=round_)
            records, _, _ = driver.execute_query("MATCH (r:Run) RETURN r.n AS n ORDER BY n")
            assert [r["n"] for r in records] == list(range(1, round_ + 1))


def test_grafeo_errors_map_to_neo4j_codes(bridge: Neo4jTarget) -> None:
    with driver_for(bridge) as driver, driver.session(database="errors") as session:
        session.run("CREATE CONSTRAINT official_key IF NOT EXISTS "
                    "FOR (o:Official) REQUIRE o.key IS UNIQUE").consume()
        session.run("CREATE (:Official {key: 'k1'})").consume()
        with pytest.raises(ConstraintError) as err:
            session.run("CREATE (:Official {key: 'k1'})").consume()
        assert err.value.code == "Neo.ClientError.Schema.ConstraintValidationFailed"
        cases = {
            "CALL db.nope()": "Neo.ClientError.Procedure.ProcedureNotFound",
            "RETURN $missing AS x": "Neo.ClientError.Statement.ParameterMissing",
            "RETURN 1 / 0 AS x": "Neo.ClientError.Statement.ArithmeticError",
            "RETURN nope(1) AS x": "Neo.ClientError.Statement.SyntaxError",
        }
        for query, code in cases.items():
            with pytest.raises(ClientError) as client_err:
                session.run(query).consume()
            assert client_err.value.code == code, query
        assert session.run("MATCH (o:Official) RETURN count(o) AS c").single(strict=True)["c"] == 1


def test_summary_counters_and_query_types(bridge: Neo4jTarget) -> None:
    with driver_for(bridge) as driver:
        _, summary, _ = driver.execute_query("CREATE (a:C {x: 1})-[:R]->(:C)", database_="sums")
        counters = summary.counters
        assert (counters.nodes_created, counters.relationships_created) == (2, 1)
        assert counters.properties_set == 1 and counters.labels_added == 2
        assert summary.query_type == "w" and counters.contains_updates
        _, summary, _ = driver.execute_query("MATCH (n:C) RETURN n", database_="sums")
        assert summary.query_type == "r" and not summary.counters.contains_updates
        _, summary, _ = driver.execute_query("MATCH (n:C) DETACH DELETE n RETURN count(*) AS c",
                                             database_="sums")
        assert summary.query_type == "rw" and summary.counters.nodes_deleted == 2


# ---- the protocol itself, below the driver --------------------------------


class RawBolt:
    """A bare Bolt client: enough to check the server's handshake and state machine."""

    def __init__(self, target: Neo4jTarget, proposals: bytes) -> None:
        host, port = target.uri.split("://", 1)[1].rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.sendall(b"\x60\x60\xb0\x17" + proposals)
        self.agreed = self.read(4)

    def read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("server closed the connection")
            data += chunk
        return data

    def send(self, tag: int, *fields: Any) -> None:
        self.sock.sendall(bolt.frame(bolt.pack(bolt.Structure(tag, list(fields)))))

    def receive(self) -> tuple[str, list[Any]]:
        data = b""
        while size := int.from_bytes(self.read(2), "big"):
            data += self.read(size)
        message = bolt.Unpacker(data).unpack()
        names = {0x70: "SUCCESS", 0x71: "RECORD", 0x7E: "IGNORED", 0x7F: "FAILURE"}
        return names[message.tag], message.fields

    def close(self) -> None:
        self.sock.close()


def test_classic_handshake_and_the_failed_state(bridge: Neo4jTarget) -> None:
    # proposals 4.4, then 5.6 with a range of 2 (5.4 to 5.6): the server picks 5.6
    raw = RawBolt(bridge, b"\x00\x00\x04\x04" + b"\x00\x02\x06\x05" + b"\x00" * 8)
    try:
        assert raw.agreed == b"\x00\x00\x06\x05"
        raw.send(0x01, {"user_agent": "raw/1.0"})
        raw.send(0x6A, {"scheme": "basic", "principal": bridge.user,
                        "credentials": bridge.password})
        hello, logon = raw.receive(), raw.receive()
        assert hello[0] == "SUCCESS" and hello[1][0]["server"].startswith("Neo4j/5")
        assert hello[1][0]["hints"] == {"telemetry.enabled": True} and logon[0] == "SUCCESS"
        # pipelined: a failing RUN, its PULL and another RUN; then RESET
        raw.send(0x10, "RETURN 1 +", {}, {})
        raw.send(0x3F, {"n": -1})
        raw.send(0x10, "RETURN 1 AS one", {}, {})
        raw.send(0x0F)
        failure = raw.receive()
        assert failure[0] == "FAILURE"
        assert failure[1][0]["code"] == "Neo.ClientError.Statement.SyntaxError"  # Bolt < 5.7
        assert [raw.receive()[0] for _ in range(3)] == ["IGNORED", "IGNORED", "SUCCESS"]
        raw.send(0x10, "UNWIND [1, 2, 3] AS i RETURN i", {}, {"db": "raw"})
        raw.send(0x3F, {"n": 2})
        raw.send(0x2F, {"n": -1})
        run = raw.receive()
        assert run[0] == "SUCCESS" and run[1][0]["fields"] == ["i"]
        assert [raw.receive() for _ in range(3)] == [
            ("RECORD", [[1]]), ("RECORD", [[2]]), ("SUCCESS", [{"has_more": True}])]
        summary = raw.receive()
        assert summary[0] == "SUCCESS" and summary[1][0]["bookmark"].startswith("FB:")
        assert summary[1][0]["type"] == "r" and summary[1][0]["db"] == "raw"
        raw.send(0x12)  # COMMIT outside a transaction: a protocol error, then IGNORED
        raw.send(0x10, "RETURN 1", {}, {})
        assert [raw.receive()[0] for _ in range(2)] == ["FAILURE", "IGNORED"]
        raw.send(0x02)  # GOODBYE
    finally:
        raw.close()


def test_a_client_without_bolt_5_is_turned_away(bridge: Neo4jTarget) -> None:
    raw = RawBolt(bridge, b"\x00\x00\x04\x04" + b"\x00\x00\x00\x03" + b"\x00" * 8)
    try:
        assert raw.agreed == b"\x00\x00\x00\x00"
    finally:
        raw.close()


# ---- the test helpers -----------------------------------------------------


def test_without_a_bridge_python_tests_skip_or_fail(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    monkeypatch.delenv("UMBRELLA_BRIDGE_PYTHON", raising=False)
    monkeypatch.setattr(neo4j_server, "BRIDGE_VENV_PYTHON", tmp_path / "missing" / "python")
    assert neo4j_server.find_bridge_python() is None
    monkeypatch.delenv("UMBRELLA_REQUIRE_NEO4J", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Neo4j: set NEO4J_URI"):
        neo4j_server.bridge_python_or_skip()
    monkeypatch.setenv("UMBRELLA_REQUIRE_NEO4J", "1")
    with pytest.raises(pytest.fail.Exception, match="no Neo4j: set NEO4J_URI"):
        neo4j_server.bridge_python_or_skip()
    monkeypatch.setenv("UMBRELLA_BRIDGE_PYTHON", "/opt/python3.13/bin/python")
    assert neo4j_server.find_bridge_python() == "/opt/python3.13/bin/python"


def test_target_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    assert neo4j_server.target_from_env() is None
    monkeypatch.setenv("NEO4J_URI", "neo4j://db.example:7687")
    monkeypatch.setenv("NEO4J_USER", "tester")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret")
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    assert neo4j_server.target_from_env() == Neo4jTarget(
        "neo4j://db.example:7687", "tester", "s3cret", "neo4j", "neo4j")


def test_a_bridge_that_cannot_start_reports_its_stderr(tmp_path: Path) -> None:
    # the project's own Python has no grafeo: the bridge exits and says why
    with pytest.raises(RuntimeError, match="grafeo is not installed"), \
            start_bridge(tmp_path, python=sys.executable):
        pass
