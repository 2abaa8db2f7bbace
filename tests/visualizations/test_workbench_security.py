"""The workbench's guard on a real server: token and cookie, Host, Origin, CSRF, methods,
headers, and no token in any log line of ``umbrella serve``."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from samples import REPO
from workbench_county import Client, make_county

from visualizations.workbench.app import Running, create_app, start_in_thread
from visualizations.workbench.security import CSP


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_county(tmp_path_factory.mktemp("wb-sec"))[0]


@pytest.fixture(scope="module")
def server(db: Path) -> Iterator[Running]:
    running = start_in_thread(create_app(db, token="tok-sec"))
    yield running
    running.stop()


def _raw(server: Running, method: str, path: str, headers: dict[str, str] | None = None,
         body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _cookie(server: Running) -> str:
    status, headers, _b = _raw(server, "GET", f"/?token={server.token}",
                               {"Host": f"127.0.0.1:{server.port}"})
    assert status == 303 and headers["location"] == "/"
    cookie = headers["set-cookie"]
    for attr in ("HttpOnly", "SameSite=Strict", "Path=/"):
        assert attr in cookie
    assert server.token not in cookie
    return cookie.split(";")[0]


def test_no_cookie_401(server: Running) -> None:
    for path in ("/api/session", "/api/search?q=x", "/"):
        status, headers, body = _raw(server, "GET", path)
        assert status == 401, path
        assert json.loads(body)["hint"]
        assert headers["content-security-policy"] == CSP


def test_wrong_token_401_and_forged_cookie_401(server: Running) -> None:
    assert _raw(server, "GET", "/?token=guess")[0] == 401
    assert _raw(server, "GET", "/api/session",
                {"Cookie": "umbrella_session=" + server.token})[0] == 401


def test_wrong_host_400(server: Running) -> None:
    cookie = _cookie(server)
    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1:1"):
        status, _h, _b = _raw(server, "GET", "/api/session", {"Host": host, "Cookie": cookie})
        assert status == 400, host
    for host in (f"localhost:{server.port}", f"127.0.0.1:{server.port}"):
        assert _raw(server, "GET", "/api/session", {"Host": host, "Cookie": cookie})[0] == 200


def test_foreign_origin_403(server: Running) -> None:
    cookie = _cookie(server)
    status, _h, _b = _raw(server, "GET", "/api/session",
                          {"Origin": "http://evil.example", "Cookie": cookie})
    assert status == 403
    same = f"http://127.0.0.1:{server.port}"
    assert _raw(server, "GET", "/api/session", {"Origin": same, "Cookie": cookie})[0] == 200


def test_post_needs_csrf_and_get_on_post_route_405(server: Running) -> None:
    cookie = _cookie(server)
    body = json.dumps({"nodes": [], "edges": []}).encode()
    status, _h, _b = _raw(server, "POST", "/api/export?format=html", {"Cookie": cookie}, body)
    assert status == 403
    status, _h, _b = _raw(server, "POST", "/api/export?format=html",
                          {"Cookie": cookie, "X-CSRF-Token": "forged"}, body)
    assert status == 403
    _s, _h, session = _raw(server, "GET", "/api/session", {"Cookie": cookie})
    csrf = json.loads(session)["csrf"]
    status, _h, _b = _raw(server, "POST", "/api/export?format=html",
                          {"Cookie": cookie, "X-CSRF-Token": csrf}, body)
    assert status == 200
    status, _h, body405 = _raw(server, "GET", "/api/export?format=html", {"Cookie": cookie})
    assert status == 405 and json.loads(body405)["error"]


def test_headers_on_every_answer(server: Running) -> None:
    cookie = _cookie(server)
    for path in ("/", "/api/session", "/api/entity/P404404", "/api/nothing"):
        _s, headers, _b = _raw(server, "GET", path, {"Cookie": cookie})
        assert headers["content-security-policy"] == CSP, path
        assert "'unsafe-inline'" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        if path.startswith("/api/"):
            assert headers["cache-control"] == "no-store"


def test_store_opened_read_only(server: Running, db: Path) -> None:
    before = db.stat().st_mtime_ns
    c = Client.login(server.url, server.token)
    c.get("/api/search?q=a")
    assert db.stat().st_mtime_ns == before


def test_serve_refuses_remote_host_without_flag(db: Path) -> None:
    out = subprocess.run([sys.executable, "-c", _MAIN, "serve", "--db", str(db), "--host",
                          "0.0.0.0"], capture_output=True, text=True, cwd=REPO, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode != 0 and "--allow-remote" in out.stderr


_MAIN = "import sys; sys.argv[0] = 'umbrella'; from umbrella.cli import main; main()"


def test_serve_prints_address_and_logs_no_token(db: Path, tmp_path: Path) -> None:
    out_file, err_file = tmp_path / "out.txt", tmp_path / "err.txt"
    with out_file.open("w") as out, err_file.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-c", _MAIN, "serve", "--db", str(db),
                                 "--port", "0"], stdout=out, stderr=err, cwd=tmp_path,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        url = ""
        for _i in range(300):
            found = re.search(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", out_file.read_text())
            if found:
                url = found.group(0)
                break
            time.sleep(0.1)
        assert url, err_file.read_text()
        base, token = url.split("/?token=")
        c = Client.login(base, token)
        assert c.get("/api/session")["store"] == "sqlite"
        c.get("/api/search?q=%E6%9D%8E")
        c.raw("/api/entity/P404")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
    printed = out_file.read_text().splitlines()
    assert [line for line in printed if token in line] == [
        line for line in printed if url in line]  # only the address line holds it
    assert token not in err_file.read_text()
