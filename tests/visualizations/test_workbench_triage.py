"""Triage and the audit trail in the workbench, on a real ``umbrella serve`` process.

A generated county is loaded and scanned; one finding is triaged from the library and
then dropped by a rescan (so it is "no longer found"); then ``umbrella serve --user 王芳``
runs as its own process and is driven over HTTP as the page drives it: status changes,
notes, an assignee, a dismissal (refused without a reason), the status filter of the
leads, the list of leads no longer found, the CSRF refusal of a POST without the token.
Asserted besides: reads leave the store as it was (SQLite's ``data_version`` seen from
another connection), a search answers while another process holds the store's write
lock, and every search, view, expansion, path, screen, export and triage change is in
the audit trail, by the server's user, whose chain ``umbrella audit verify`` passes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from samples import REPO
from workbench_county import Client, make_county

from graph.audit import Trail
from graph.store import SqliteStore
from queries import triage as triage_q

_MAIN = "import sys; sys.argv[0] = 'umbrella'; from umbrella.cli import main; main()"
USER = "王芳"


@dataclass
class Served:
    """The county's database, the finding dropped by the rescan, and the server."""

    db: Path
    gone: str
    gone_rule: str
    url: str
    client: Client
    csrf: str

    def post(self, fid: str, body: dict[str, Any], csrf: str | None = "") -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf or self.csrf
        status, _h, raw = self.client.raw(f"/api/triage/{quote(fid)}", method="POST",
                                          body=json.dumps(body).encode(), headers=headers)
        return status, json.loads(raw)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UMBRELLA_AUDIT")}
    return subprocess.run([sys.executable, "-c", _MAIN, *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120,
                          env={**env, "PYTHONPATH": str(REPO), "UMBRELLA_USER": ""})


def _drop_from_findings(db: Path) -> tuple[str, str]:
    """Triage one finding of the rule with most findings as 李明, then rescan that rule
    without it (as a rescan that no longer produces it does); return its id and rule."""
    store = SqliteStore(db)
    try:
        every = store.view().findings()
        rule = max(sorted({f["rule"] for f in every}),
                   key=lambda r: sum(f["rule"] == r for f in every))
        found = [f for f in every if f["rule"] == rule]
        assert len(found) >= 2
        gone = found[0]["id"]
        triage_q.record(store, gone, "confirmed", assignee="赵强", note="已核实", user="李明")
        with store.writer() as w:
            w.replace_findings(found[1:], [rule])
        assert store.view().finding(gone) is None
    finally:
        store.close()
    return str(gone), rule


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("wb-triage")
    db, _hostile = make_county(root)
    gone, gone_rule = _drop_from_findings(db)
    out_file, err_file = root / "out.txt", root / "err.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UMBRELLA_AUDIT")}
    with out_file.open("w") as out, err_file.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-c", _MAIN, "serve", "--db", str(db),
                                 "--port", "0", "--user", USER], stdout=out, stderr=err,
                                cwd=root, env={**env, "PYTHONPATH": str(REPO)})
    try:
        url = ""
        for _i in range(600):
            hit = re.search(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", out_file.read_text())
            if hit:
                url = hit.group(0)
                break
            assert proc.poll() is None, err_file.read_text()
            time.sleep(0.1)
        assert url, err_file.read_text()
        base, token = url.split("/?token=")
        client = Client.login(base, token)
        yield Served(db, gone, gone_rule, base, client, client.get("/api/session")["csrf"])
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)


def _pick(served: Served, i: int) -> str:
    """The id of the ``i``-th stored finding, best first (each test triages its own)."""
    return str(served.client.get("/api/findings?limit=500")["findings"][i]["id"])


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(served: Served) -> None:
    fid = _pick(served, 0)
    for csrf in (None, "forged-token"):
        status, body = served.post(fid, {"status": "confirmed"}, csrf=csrf)
        assert status == 403 and "CSRF" in body["error"]
    assert served.client.get(f"/api/triage/{fid}")["history"] == []
    status, _h, _b = served.client.raw(f"/api/triage/{fid}", method="PUT", body=b"{}")
    assert status == 405


def test_status_assignee_notes_and_history(served: Served) -> None:
    fid = _pick(served, 1)
    book = served.client.get(f"/api/triage/{fid}")
    assert book["current"] is None and book["found"] and book["user"] == USER
    assert [s["code"] for s in book["statuses"]] == [
        "new", "in_review", "confirmed", "dismissed", "needs_data"]
    status, done = served.post(fid, {"status": "in_review", "assignee": "张伟",
                                     "note": "调取工商档案"})
    assert status == 200, done
    assert done["entry"]["author"] == USER and done["current"]["status"] == "in_review"
    status, done = served.post(fid, {"note": "已约谈审批人 <b>x</b>"})  # a note alone
    assert status == 200 and done["current"]["status"] == "in_review"
    assert done["current"]["assignee"] == "张伟"
    status, done = served.post(fid, {"status": "needs_data"})
    history = served.client.get(f"/api/triage/{fid}")["history"]
    assert [(e["status"], e["assignee"], e["note"], e["author"]) for e in history] == [
        ("in_review", "张伟", "调取工商档案", USER),
        ("in_review", "张伟", "已约谈审批人 <b>x</b>", USER), ("needs_data", "张伟", "", USER)]
    assert all(re.match(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d", e["at"]) for e in history)
    assert [e["seq"] for e in history] == sorted(e["seq"] for e in history)


def test_a_dismissal_needs_a_reason_and_bad_input_is_refused(served: Served) -> None:
    fid = _pick(served, 2)
    status, body = served.post(fid, {"status": "dismissed"})
    assert status == 400 and "reason" in body["error"] and body["hint"]
    status, body = served.post(fid, {"status": "closed"})
    assert status == 400 and "closed" in body["error"]
    status, body = served.post(fid, {})
    assert status == 400 and body["error"]
    status, body = served.post(fid, {"note": ["not", "text"]})
    assert status == 400
    status, body = served.post("F-nope", {"status": "confirmed"})
    assert status == 400 and "F-nope" in body["error"]
    assert served.client.get(f"/api/triage/{fid}")["history"] == []
    status, done = served.post(fid, {"status": "dismissed", "reason": "亲属关系已于招标前终止"})
    assert status == 200 and done["current"]["reason"] == "亲属关系已于招标前终止"
    status, _h, raw = served.client.raw("/api/triage/F-nope")
    assert status == 404 and json.loads(raw)["hint"]


def test_the_leads_carry_their_status_and_filter_by_it(served: Served) -> None:
    fid = _pick(served, 3)
    assert served.post(fid, {"status": "confirmed", "note": "属实"})[0] == 200
    every = served.client.get("/api/findings?limit=500")
    statuses = {f["id"]: f["status"] for f in every["findings"]}
    assert statuses[fid] == "confirmed" and "new" in statuses.values()
    confirmed = served.client.get("/api/findings?status=confirmed&limit=500")
    assert fid in {f["id"] for f in confirmed["findings"]}
    assert {f["status"] for f in confirmed["findings"]} == {"confirmed"}
    assert confirmed["total"] == sum(1 for s in statuses.values() if s == "confirmed")
    new = served.client.get("/api/findings?status=new&limit=500")
    assert new["total"] == sum(1 for s in statuses.values() if s == "new")
    assert fid not in {f["id"] for f in new["findings"]}
    status, _h, raw = served.client.raw("/api/findings?status=closed")
    assert status == 400 and "in_review" in json.loads(raw)["hint"]


def test_a_triaged_finding_the_rescan_dropped_is_listed_as_no_longer_found(
        served: Served) -> None:
    listed = served.client.get("/api/triage")["no_longer_found"]
    assert [(e["finding"], e["status"], e["author"], e["rule"]) for e in listed] == [
        (served.gone, "confirmed", "李明", served.gone_rule)]
    assert listed[0]["title"]  # named by the title its triage kept
    assert served.client.get("/api/triage?status=confirmed")["no_longer_found"]
    assert served.client.get("/api/triage?status=new")["no_longer_found"] == []
    book = served.client.get(f"/api/triage/{served.gone}")
    assert book["found"] is False and book["history"][0]["note"] == "已核实"
    status, done = served.post(served.gone, {"status": "in_review", "note": "复核"})
    assert status == 200 and done["found"] is False
    assert [e["author"] for e in done["history"]] == ["李明", USER]
    status, _h, _b = served.client.raw(f"/api/finding/{served.gone}")
    assert status == 404  # not among the leads, yet listed above: never hidden


def test_reads_leave_the_store_as_it_was_and_a_post_appends(served: Served) -> None:
    fid = _pick(served, 4)
    conn = sqlite3.connect(served.db)
    try:
        before = _data_version(conn)
        rows = conn.execute("SELECT count(*) FROM triage").fetchone()[0]
        for path in ("/api/search?q=%E6%9D%8E", "/api/findings?limit=500",
                     "/api/findings?status=new", "/api/triage", f"/api/triage/{fid}"):
            served.client.get(path)
        assert _data_version(conn) == before
        assert conn.execute("SELECT count(*) FROM triage").fetchone()[0] == rows
        assert served.post(fid, {"note": "补充"})[0] == 200
        assert _data_version(conn) != before
        assert conn.execute("SELECT count(*) FROM triage").fetchone()[0] == rows + 1
    finally:
        conn.close()


def test_a_search_is_logged_while_a_load_holds_the_write_lock(served: Served) -> None:
    trail = Trail.beside(served.db)
    conn = sqlite3.connect(served.db, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")  # what a load holds while it writes
        started = time.monotonic()
        served.client.get("/api/search?q=lock-test")
        assert time.monotonic() - started < 5
        assert trail.entries()[-1].target == "lock-test"
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_every_action_is_in_the_trail_and_the_chain_verifies(served: Served) -> None:
    c = served.client
    fid = _pick(served, 5)
    lead = c.get(f"/api/finding/{fid}")
    a, b = lead["evidence_nodes"][0], lead["evidence_nodes"][-1]
    c.get(f"/api/search?q={quote('杨雨')}")
    c.get(f"/api/entity/{a}")
    c.get(f"/api/expand/{a}?limit=5")
    c.get(f"/api/path?from={a}&to={b}")
    headers = {"Content-Type": "application/json", "X-CSRF-Token": served.csrf}
    status, _h, _b = c.raw("/api/export?format=csv", method="POST", headers=headers,
                           body=json.dumps({"nodes": [a, b], "edges": []}).encode())
    assert status == 200
    status, _h, _b = c.raw("/api/screen", method="POST", headers=headers,
                           body=json.dumps({"left": [a], "right": [b]}).encode())
    assert status == 200
    assert served.post(fid, {"status": "confirmed", "assignee": "张伟"})[0] == 200
    entries = Trail.beside(served.db).entries()
    mine = [(e.action, e.target) for e in entries if e.user == USER]
    assert {e.user for e in entries} == {USER}
    for want in [("view", fid), ("search", "杨雨"), ("view", a), ("expand", a),
                 ("path", f"{a} -> {b}"), ("triage", f"{fid}: confirmed @张伟")]:
        assert want in mine, want
    assert any(act == "export" and t.startswith("umbrella-canvas.csv: 2 nodes, 0 ties")
               for act, t in mine)
    assert any(act == "screen" and t.startswith(f"{a} | {b} @ ") for act, t in mine)
    assert "reveal" not in {act for act, _t in mine}
    verified = _cli("audit", "verify", "--db", str(served.db), cwd=served.db.parent)
    assert verified.returncode == 0, verified.stderr
    assert f"{len(entries)} entries" in verified.stdout
    listed = _cli("audit", "--db", str(served.db), "--format", "json", cwd=served.db.parent)
    assert listed.returncode == 0 and "expand" in listed.stdout


def test_a_reveal_server_logs_that_the_view_showed_numbers(tmp_path: Path,
                                                          served: Served) -> None:
    from visualizations.workbench.app import create_app, start_in_thread

    trail = Trail(tmp_path / "r.audit.jsonl", tmp_path / "r.audit.head")
    app = create_app(served.db, token="tok-reveal", reveal=True, user="周敏",
                     audit=lambda action, target: trail.append(action, target, user="周敏"))
    running = start_in_thread(app)
    try:
        c = Client.login(running.url, running.token)
        person = c.get("/api/findings?limit=1")["findings"][0]["entities"][0]
        c.get(f"/api/entity/{person}")
        assert c.get("/api/session")["user"] == "周敏"
    finally:
        running.stop()
        app.state.access.close()
    assert [(e.action, e.target, e.user) for e in trail.entries()] == [
        ("reveal", person, "周敏")]
