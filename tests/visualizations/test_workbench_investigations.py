"""Saved investigations through the workbench's JSON API: ``umbrella serve`` as a real
process on an SQLite file (the workbench reads it read-only, a save writes through its
own short-lived connection), and a server on both stores (the SQLite file and the same
county in Neo4j: ``NEO4J_URI``, else the grafeo Bolt bridge)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from samples import REPO, write_tables
from workbench_county import Client

from graph.audit import Trail, verify
from graph.store import SqliteStore, Store
from graph.store.copy import copy_store
from graph.store.sqlite_investigations import SqliteInvestigations
from umbrella.cli import cli
from visualizations.workbench.app import Running, create_app, start_in_thread

ID_NUMBER = "110101199003078515"
TABLES = {
    "persons": (["person_id", "name", "id_number", "gender", "birth_date", "death_date",
                 "phone"],
                [["P1", "王建国", ID_NUMBER, "男", "1990-03-07", "", ""],
                 ["P2", "李秀英", "", "女", "", "", ""],
                 ["P3", "赵敏<img src=x onerror=alert(1)>", "", "女", "", "", ""]]),
    "organizations": (["org_id", "name", "kind", "credit_code", "parent_org_id"],
                      [["O1", "宏达建筑公司", "company", "", ""]]),
    "relationships": (["person_id", "other_id", "relation", "start_date", "end_date"],
                      [["P1", "P2", "spouse", "2001-05-01", ""],
                       ["P2", "P3", "sibling", "", ""]]),
    "company_roles": (["company_id", "holder_id", "role", "share_pct", "start_date",
                       "end_date"], [["O1", "P2", "legal_rep", "", "2015-01-01", ""]]),
}
CANVAS = {"name": "王建国 · 宏达", "entities": ["P1", "P2", "O1"],
          "positions": {"P1": {"x": -120.5, "y": 40}, "P2": {"x": 0, "y": 0},
                        "O1": {"x": 233.25, "y": -80}},
          "hidden": ["O1"], "as_of": "2023-09-12", "notes": f"证号 {ID_NUMBER}，先看合同"}
_MAIN = "import sys; sys.argv[0] = 'umbrella'; from umbrella.cli import main; main()"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wb-inv")
    folder = write_tables(root / "county", TABLES)
    path = root / "c.db"
    result = CliRunner().invoke(cli, ["load", str(folder), "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _csrf(c: Client) -> dict[str, str]:
    return {"Content-Type": "application/json",
            "X-CSRF-Token": c.get("/api/session")["csrf"]}


def _post(c: Client, path: str, body: Any, headers: dict[str, str] | None = None
          ) -> tuple[int, Any]:
    status, _h, raw = c.raw(path, method="POST", body=json.dumps(body).encode("utf-8"),
                            headers=_csrf(c) if headers is None else headers)
    return status, json.loads(raw)


def _round_trip(c: Client) -> None:
    """Save, save again, list, reopen both versions, duplicate: the checks both stores pass."""
    assert c.get("/api/investigations") == {"investigations": []}
    status, saved = _post(c, "/api/investigation/save", CANVAS)
    assert status == 200, saved
    assert (saved["name"], saved["version"], saved["entities"]) == (
        CANVAS["name"], 1, ["P1", "P2", "O1"])
    assert ID_NUMBER not in json.dumps(saved, ensure_ascii=False)
    moved = {**CANVAS, "positions": {**CANVAS["positions"], "P1": {"x": 500, "y": 501}},
             "hidden": [], "notes": "第二稿"}
    assert _post(c, "/api/investigation/save", moved)[1]["version"] == 2
    listed = c.get("/api/investigations")["investigations"]
    assert [(i["name"], i["version"], i["n"], i["notes"]) for i in listed] == [
        (CANVAS["name"], 2, 3, "第二稿")]
    got = c.get(f"/api/investigation?name={quote(CANVAS['name'])}&version=1")
    inv = got["investigation"]
    assert inv["positions"] == {"P1": {"x": -120.5, "y": 40.0}, "P2": {"x": 0.0, "y": 0.0},
                                "O1": {"x": 233.25, "y": -80.0}}
    assert inv["hidden"] == ["O1"] and inv["as_of"] == "2023-09-12"
    assert "先看合同" in inv["notes"] and ID_NUMBER not in json.dumps(got, ensure_ascii=False)
    assert sorted(n["id"] for n in got["nodes"]) == ["O1", "P1", "P2"]
    assert sorted((e["from"], e["to"], e["type"]) for e in got["edges"]) == [
        ("P1", "P2", "KIN"), ("P2", "O1", "COMPANY_ROLE")]  # P2-P3: P3 is not on the canvas
    assert got["missing"] == []
    latest = c.get(f"/api/investigation?name={quote(CANVAS['name'])}")["investigation"]
    assert latest["version"] == 2 and latest["positions"]["P1"] == {"x": 500.0, "y": 501.0}
    status, dup = _post(c, "/api/investigation/copy", {"name": CANVAS["name"],
                                                       "new_name": "副本"})
    assert status == 200 and (dup["name"], dup["version"]) == ("副本", 1)
    status, again = _post(c, "/api/investigation/copy", {"name": CANVAS["name"],
                                                         "new_name": "副本"})
    assert status == 400 and "exists already" in again["error"] and again["hint"]


def test_umbrella_serve_saves_through_its_own_write_connection(db: Path, tmp_path: Path
                                                               ) -> None:
    out_file, err_file = tmp_path / "out.txt", tmp_path / "err.txt"
    argv = [sys.executable, "-c", _MAIN, "serve", "--db", str(db), "--port", "0"]
    with out_file.open("w") as out, err_file.open("w") as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=tmp_path,
                                env={**os.environ, "PYTHONPATH": str(REPO),
                                     "UMBRELLA_USER": "王芳"})
    try:
        found = None
        for _i in range(600):
            found = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)", out_file.read_text())
            if found or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert found, err_file.read_text()
        c = Client.login(found.group(1), found.group(2))
        status, _body = _post(c, "/api/investigation/save", CANVAS,
                             headers={"Content-Type": "application/json"})
        assert status == 403  # no CSRF token: refused, nothing saved
        status, _h, _b = c.raw("/api/investigation/save", method="GET")
        assert status == 405
        _round_trip(c)
        for bad, words in [({**CANVAS, "name": "a\x07b"}, "control character (U+0007)"),
                           ({**CANVAS, "entities": ["P1", "P404"], "positions": {},
                             "hidden": []}, "no entity with id P404"),
                           ({**CANVAS, "positions": {"P1": {"x": "left", "y": 0}}},
                            "position of P1 must be two numbers"),
                           ([1, 2], "the body must be JSON")]:
            status, answer = _post(c, "/api/investigation/save", bad)
            assert status == 400 and words in answer["error"], answer
        status, _h, raw = c.raw(f"/api/investigation?name={quote('没有')}")
        assert status == 404 and "no investigation named 没有" in json.loads(raw)["error"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    book = SqliteInvestigations(db, read_only=True)
    try:
        versions = book.versions(CANVAS["name"])
        assert [(v.version, v.author) for v in versions] == [(1, "王芳"), (2, "王芳")]
        assert ID_NUMBER in versions[0].notes  # stored as written; masked when shown
        assert [i.name for i in book.list()] == ["副本", CANVAS["name"]]
    finally:
        book.close()
    entries = Trail.beside(db).entries()
    saves = [(e.action, e.target, e.user) for e in entries if e.action == "save"]
    name = CANVAS["name"]
    assert saves == [("save", f"investigation:{name} v1", "王芳"),
                     ("save", f"investigation:{name} v2", "王芳"),
                     ("save", "investigation:副本 v1", "王芳")]
    assert ("view", f"investigation:{name} v1") in {(e.action, e.target) for e in entries}
    assert verify(Trail.beside(db)).ok


@pytest.fixture(params=["sqlite", "neo4j"])
def server(request: pytest.FixtureRequest, db: Path, tmp_path: Path) -> Iterator[Running]:
    fresh = tmp_path / "c.db"
    fresh.write_bytes(db.read_bytes())
    for stale in tmp_path.glob("c.db-*"):
        stale.unlink()
    src = SqliteStore(fresh)
    store: Store | Path = fresh
    if request.param == "neo4j":
        from neo4j_server import wipe
        from neo4j_stores import open_neo4j

        target = request.getfixturevalue("neo4j_target")
        wipe(target)
        store = open_neo4j(target)
        copy_store(src, store)
    else:
        with src._conn:  # a copy made before any save: the table must not exist yet
            assert src._conn.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                                     "'investigations'").fetchone() == (0,)
    src.close()
    running = start_in_thread(create_app(store, token="tok-inv"))
    yield running
    running.stop()
    running.server.config.app.state.access.close()


def test_save_reopen_and_duplicate_on_both_stores(server: Running) -> None:
    c = Client.login(server.url, server.token)
    _round_trip(c)


def test_the_box_speaks_chinese(db: Path) -> None:
    running = start_in_thread(create_app(db, token="tok-zh", lang="zh"))
    try:
        words = Client.login(running.url, running.token).get("/api/investigations/strings")
    finally:
        running.stop()
        running.server.config.app.state.access.close()
    assert words["inv.save"] != "Save the canvas" and "{name}" in words["inv.saved"]
