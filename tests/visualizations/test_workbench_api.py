"""The workbench's JSON API on a real server (uvicorn on a socket) over a generated county,
on both stores: the SQLite file, and the same county copied into Neo4j (a server named by
``NEO4J_URI``, else the grafeo Bolt bridge; see ``tests/neo4j_server.py``)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from samples import REPO
from workbench_county import HOSTILE, Client, make_county

from graph.store import SqliteStore, Store
from graph.store.copy import copy_store
from umbrella.serve_cmd import write_tables
from visualizations.workbench.app import Running, create_app, start_in_thread


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    return make_county(tmp_path_factory.mktemp("wb-county"))


@dataclass(frozen=True)
class Backend:
    """A store holding the county: its kind, its ``--db`` location and the environment a
    user would set for it, and how to open it for :func:`create_app` (the SQLite file's
    path, or a Neo4j store the workbench closes when it stops)."""

    kind: str
    location: str
    env: dict[str, str]
    open: Callable[[], Store | Path]


def _refuse_writes(store: Store) -> Store:
    """``store`` with its Neo4j connection refusing every write: the workbench only reads."""
    def refuse(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("the workbench wrote to the Neo4j store")

    conn = store.connection  # type: ignore[attr-defined]
    conn.write = conn.write_rows = conn.run_in_write = refuse
    return store


@pytest.fixture(scope="module", params=["sqlite", "neo4j"])
def backend(request: pytest.FixtureRequest, county: tuple[Path, dict[str, str]]) -> Backend:
    """The county's SQLite file, or its copy in Neo4j (the server of ``NEO4J_URI``, else
    the Bolt bridge; missing both fails the test under UMBRELLA_REQUIRE_NEO4J=1)."""
    if request.param == "sqlite":
        return Backend("sqlite", str(county[0]), {}, lambda: county[0])
    from neo4j_server import wipe
    from neo4j_stores import open_neo4j, target_env

    target = request.getfixturevalue("neo4j_target")
    wipe(target)
    src, dst = SqliteStore(county[0]), open_neo4j(target)
    try:
        copy_store(src, dst)
    finally:
        src.close()
        dst.close()
    return Backend("neo4j", target.uri, target_env(target),
                   lambda: _refuse_writes(open_neo4j(target)))


def _start(backend: Backend, token: str, **options: Any) -> Running:
    return start_in_thread(create_app(backend.open(), token=token, **options))


def _stop(running: Running) -> None:
    running.stop()
    running.server.config.app.state.access.close()


@pytest.fixture(scope="module")
def server(backend: Backend) -> Iterator[Running]:
    running = _start(backend, "tok-api", tables=write_tables)
    yield running
    _stop(running)


@pytest.fixture(scope="module")
def client(server: Running) -> Client:
    return Client.login(server.url, server.token)


def _some_person(db: Path, min_ties: int = 3) -> tuple[str, str, str]:
    store = SqliteStore(db)
    try:
        rows = store._conn.execute(  # a person with a name of three characters or more
            "SELECT a.source_id, e.name, json_extract(e.props, '$.id_number') FROM entities e "
            "JOIN aliases a ON a.key = e.key WHERE e.kind = 'person' AND length(e.name) >= 3 "
            "AND (SELECT count(*) FROM relations r WHERE r.src = e.key OR r.dst = e.key) >= ? "
            "AND json_extract(e.props, '$.id_number') IS NOT NULL ORDER BY a.source_id LIMIT 1",
            (min_ties,)).fetchone()
    finally:
        store.close()
    return str(rows[0]), str(rows[1]), str(rows[2])


def test_session(client: Client, backend: Backend) -> None:
    got = client.get("/api/session")
    assert got["store"] == backend.kind and got["reveal"] is False and got["lang"] == "en"
    assert len(got["csrf"]) > 20


def test_search_partial_name_exact_id_and_masked_identity(client: Client,
                                                          county: tuple[Path, Any]) -> None:
    pid, name, id_number = _some_person(county[0])
    partial = name[:2]
    found = client.get(f"/api/search?q={quote(partial)}&limit=50")["results"]
    assert found and all(partial in r["name"] for r in found[:10])
    assert any(r["name"] == name for r in client.get(
        f"/api/search?q={quote(name)}&limit=50")["results"])
    assert all(r["detail"] and r["match"] == "name" for r in found)
    # blanks and full width do not matter
    spaced = " ".join(name)
    assert any(r["id"] == pid for r in client.get(
        f"/api/search?q={quote(spaced)}&limit=100")["results"])
    by_id = client.get(f"/api/search?q={pid}")["results"]
    assert by_id[0]["id"] == pid and by_id[0]["match"] == "id"
    by_number = client.get(f"/api/search?q={id_number}")["results"]
    assert by_number[0]["id"] == pid and by_number[0]["match"] == "id_number"
    entity = client.get(f"/api/entity/{pid}")
    assert entity["entity"]["props"]["id_number"] != id_number
    assert id_number[:6] in entity["entity"]["props"]["id_number"]
    assert id_number not in json.dumps(entity, ensure_ascii=False)


def test_reveal_shows_identity_numbers(county: tuple[Path, Any],
                                      backend: Backend) -> None:
    pid, _name, id_number = _some_person(county[0])
    running = _start(backend, "tok-r", reveal=True)
    try:
        c = Client.login(running.url, running.token)
        assert c.get(f"/api/entity/{pid}")["entity"]["props"]["id_number"] == id_number
        assert c.get("/api/session")["reveal"] is True
    finally:
        _stop(running)


def test_entity_page(client: Client, county: tuple[Path, Any]) -> None:
    pid, name, _n = _some_person(county[0])
    got = client.get(f"/api/entity/{pid}")
    assert got["entity"]["id"] == pid and got["entity"]["name"] == name
    assert got["ties"] and got["ties_total"] >= len(got["ties"])
    for tie in got["ties"]:
        assert tie["words"] and tie["other"]["id"] and tie["sources"]
        assert all(s["file"].endswith(".csv") and s["line"] > 1 for s in tie["sources"])
    dates = [t["date"] for t in got["timeline"]]
    assert dates == sorted(dates)
    status, _h, body = client.raw("/api/entity/P404404")
    assert status == 404 and json.loads(body)["hint"]
    status, _h, body = client.raw("/api/entity/F-000")
    assert status == 404 and "F-" in json.loads(body)["hint"]


def _hub(db: Path) -> str:
    """The input id of an organization with many ties of several types."""
    store = SqliteStore(db)
    try:
        row = store._conn.execute(
            "SELECT a.source_id FROM aliases a JOIN entities e ON e.key = a.key "
            "JOIN relations r ON r.src = e.key OR r.dst = e.key WHERE e.kind = 'organization' "
            "GROUP BY a.source_id HAVING count(DISTINCT r.type) >= 3 AND count(*) BETWEEN 30 "
            "AND 200 ORDER BY count(*) DESC LIMIT 1").fetchone()
    finally:
        store.close()
    return str(row[0])


def test_expand_pages_strongest_first(client: Client, county: tuple[Path, Any]) -> None:
    hub = _hub(county[0])
    first = client.get(f"/api/expand/{hub}?limit=5")
    total = first["total"]
    assert total > 5 and first["more"] == total - 5
    assert first["nodes"][0]["id"] == hub and len(first["nodes"]) == 6
    ids = {n["id"] for n in first["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in first["edges"])
    second = client.get(f"/api/expand/{hub}?offset=5&limit=5")
    assert second["more"] == max(total - 10, 0)
    assert not ({n["id"] for n in first["nodes"][1:]} & {n["id"] for n in second["nodes"][1:]})
    everything = client.get(f"/api/expand/{hub}?limit=200")
    degrees = [n["degree"] for n in everything["nodes"][1:]]
    order = ("KIN", "ASSOCIATE", "COMPANY_ROLE", "HOLDS_POST", "CASE_ROLE", "APPROVED",
             "AWARDED_TO", "PAID_TO", "PAID", "REPORTED", "PART_OF", "BOUGHT", "BID")
    best = {}
    for e in everything["edges"]:
        other = e["to"] if e["from"] == hub else e["from"]
        best[other] = min(best.get(other, 99), order.index(e["type"]))
    ranks = [best[n["id"]] for n in everything["nodes"][1:]]
    assert ranks == sorted(ranks)  # strongest tie type first
    for r in set(ranks):  # then the least connected first: hubs last
        same = [d for d, k in zip(degrees, ranks, strict=True) if k == r]
        assert same == sorted(same)
    only = client.get(f"/api/expand/{hub}?types=HOLDS_POST&limit=200")
    assert {e["type"] for e in only["edges"]} <= {"HOLDS_POST"}
    status, _h, _b = client.raw(f"/api/expand/{hub}?types=NOPE")
    assert status == 400


def test_expand_on_a_date_keeps_ties_in_force(client: Client) -> None:
    findings = client.get("/api/findings?rule=COI&limit=1")["findings"]
    person = next(e for e in findings[0]["entities"] if e.startswith("P"))
    early = client.get(f"/api/expand/{person}?on=1900-01-01&limit=200")
    for e in early["edges"]:
        assert e["start"] is None or e["start"] <= "1900-01-01"


def test_path(client: Client) -> None:
    f = client.get("/api/findings?rule=COI&limit=1")["findings"][0]
    lead = client.get(f"/api/finding/{f['id']}")
    ends = [n for n in lead["evidence_nodes"]]
    a, b = ends[0], ends[-1]
    got = client.get(f"/api/path?from={a}&to={b}")
    assert got["found"] and got["paths"][0][0] == a and got["paths"][0][-1] == b
    ids = {n["id"] for n in got["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in got["edges"])
    hops = len(got["paths"][0]) - 1
    if hops > 1:
        assert not client.get(f"/api/path?from={a}&to={b}&max_hops={hops - 1}")["found"]
    used = {e["type"] for e in got["edges"]}
    cut = client.get(f"/api/path?from={a}&to={b}&exclude={','.join(used)}")
    assert not any(e["type"] in used for e in cut["edges"])
    only = client.get(f"/api/path?from={a}&to={b}&include={','.join(used)}")
    assert only["found"]


def test_findings_filters_and_one_finding(client: Client) -> None:
    every = client.get("/api/findings?limit=500")
    assert every["total"] == len(every["findings"]) > 0
    assert every["coverage"] and sum(c["findings"] for c in every["coverage"].values()) \
        == every["total"]
    coi = client.get("/api/findings?rule=COI&limit=500")["findings"]
    assert coi and all(f["rule"].startswith("COI") for f in coi)
    assert all(f["names"] for f in coi)
    high = client.get("/api/findings?min_score=0.9&limit=500")["findings"]
    assert all(f["score"] >= 0.9 for f in high)
    cat = client.get("/api/findings?category=umbrella&limit=500")["findings"]
    assert all(f["category"] == "umbrella" for f in cat)
    dated = [f for f in every["findings"] if f["date"]]
    if dated:
        d = dated[0]["date"]
        same = client.get(f"/api/findings?from={d}&to={d}&limit=500")["findings"]
        assert same and all(f["date"] == d for f in same)
    page = client.get("/api/findings?offset=1&limit=1")
    assert page["findings"][0]["id"] == every["findings"][1]["id"]
    one = client.get(f"/api/finding/{coi[0]['id']}")
    assert one["finding"]["id"] == coi[0]["id"] and one["evidence_edges"]
    edge_ids = {e["id"] for e in one["edges"]}
    node_ids = {n["id"] for n in one["nodes"]}
    assert set(one["evidence_edges"]) <= edge_ids and set(one["evidence_nodes"]) <= node_ids
    assert client.raw("/api/finding/F-nope")[0] == 404


def _csrf(client: Client) -> str:
    return str(client.get("/api/session")["csrf"])


def _hostile_id(county: tuple[Path, dict[str, str]]) -> str:
    return county[1]["person_id"]


def test_export_html_is_offline_and_escaped(client: Client, county: tuple[Path, Any]) -> None:
    pid = _hostile_id(county)
    around = client.get(f"/api/expand/{pid}?limit=10")
    body = json.dumps({"nodes": [n["id"] for n in around["nodes"]],
                       "edges": [e["id"] for e in around["edges"]]}).encode()
    status, headers, page = client.raw("/api/export?format=html", method="POST", body=body,
                                       headers={"X-CSRF-Token": _csrf(client),
                                                "Content-Type": "application/json"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    text = page.decode("utf-8")
    assert "<script>alert(1)</script>" not in text
    assert not re.search(r"(src|href)\s*=\s*[\"']?https?://", text)
    assert "attachment" in headers["content-disposition"]


def test_export_csv_and_xlsx_neutralise_formulas(client: Client,
                                                 county: tuple[Path, Any]) -> None:
    pid = _hostile_id(county)
    around = client.get(f"/api/expand/{pid}?limit=10")
    body = json.dumps({"nodes": [n["id"] for n in around["nodes"]],
                       "edges": [e["id"] for e in around["edges"]]}).encode()
    hdr = {"X-CSRF-Token": _csrf(client)}
    status, headers, data = client.raw("/api/export?format=csv", method="POST", body=body,
                                       headers=hdr)
    assert status == 200 and headers["content-type"].startswith("text/csv")
    cells = [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]
    assert "'" + HOSTILE in cells and HOSTILE not in cells
    assert len([c for c in cells if c == pid]) >= 1
    status, _h, data = client.raw("/api/export?format=xlsx", method="POST", body=body,
                                  headers=hdr)
    assert status == 200 and data[:2] == b"PK"
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    hits = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value == HOSTILE]
    assert hits and all(c.data_type == "s" and c.quotePrefix for c in hits)
    status, _h, _d = client.raw("/api/export?format=pdf", method="POST", body=body,
                                headers=hdr)
    assert status == 400


_MAIN = "import sys; sys.argv[0] = 'umbrella'; from umbrella.cli import main; main()"


def test_umbrella_serve_on_the_store(backend: Backend, county: tuple[Path, Any],
                                     tmp_path: Path) -> None:
    """``umbrella serve --db LOCATION`` as a user runs it: a Neo4j address takes its
    credentials from the environment, and neither they nor the token reach a log line."""
    pid, name, _n = _some_person(county[0])
    out_file, err_file = tmp_path / "out.txt", tmp_path / "err.txt"
    argv = [sys.executable, "-c", _MAIN, "serve", "--db", backend.location, "--port", "0"]
    with out_file.open("w") as out, err_file.open("w") as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=tmp_path,
                                env={**os.environ, **backend.env, "PYTHONPATH": str(REPO)})
    try:
        found = None
        for _i in range(600):
            found = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)",
                              out_file.read_text())
            if found or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert found, err_file.read_text()
        c = Client.login(found.group(1), found.group(2))
        assert c.get("/api/session")["store"] == backend.kind
        hits = c.get(f"/api/search?q={quote(name)}&limit=100")["results"]
        assert pid in [r["id"] for r in hits]
        assert c.get(f"/api/entity/{pid}")["entity"]["name"] == name
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    printed = out_file.read_text() + err_file.read_text()
    password = backend.env.get("NEO4J_PASSWORD")
    assert not password or (password not in printed and password not in " ".join(argv))
    assert backend.location in printed  # "Indexing LOCATION for search…"


def _same_order(answer: Any) -> Any:
    """An answer with its lists of records in one order (by id), for comparing stores."""
    if isinstance(answer, dict):
        return {k: _same_order(v) for k, v in answer.items()}
    if isinstance(answer, list):
        items = [_same_order(v) for v in answer]
        if items and all(isinstance(v, dict) and "id" in v for v in items):
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
        return items
    return answer


def test_answers_equal_the_embedded_store(client: Client, county: tuple[Path, Any],
                                          backend: Backend) -> None:
    """Every endpoint answers on this store what it answers on the SQLite file (the leads
    with the statuses this store's triage book gives, when it keeps one)."""
    from visualizations.workbench.access import SqliteAccess
    from visualizations.workbench.api import Workbench
    from visualizations.workbench.triage import TriageDesk

    opened = backend.open()
    try:
        statuses = TriageDesk(opened).statuses()
    finally:
        if not isinstance(opened, Path):
            opened.close()

    pid, name, _n = _some_person(county[0])
    hub = _hub(county[0])
    lead = client.get("/api/findings?rule=COI&limit=1")["findings"][0]
    ends = client.get(f"/api/finding/{lead['id']}")["evidence_nodes"]
    access = SqliteAccess(county[0])
    try:
        local = Workbench.open(access, tables=write_tables)
        asked = [
            (f"/api/search?q={quote(name[:2])}&limit=50", lambda: local.search(name[:2], 50)),
            (f"/api/entity/{pid}", lambda: local.entity(pid)),
            (f"/api/entity/{hub}", lambda: local.entity(hub)),
            (f"/api/expand/{hub}?limit=30", lambda: local.expand(hub, 0, 30)),
            (f"/api/expand/{pid}?on=2015-01-01", lambda: local.expand(pid, 0, 25, None,
                                                                     "2015-01-01")),
            (f"/api/path?from={ends[0]}&to={ends[-1]}",
             lambda: local.path(ends[0], ends[-1])),
            ("/api/findings?limit=500", lambda: local.findings(limit=500,
                                                               statuses=statuses)),
            (f"/api/finding/{lead['id']}", lambda: local.finding(lead["id"])),
        ]
        for path, here in asked:
            want = json.loads(json.dumps(here(), ensure_ascii=False, default=str))
            assert _same_order(client.get(path)) == _same_order(want), path
    finally:
        access.close()
