"""The workbench's web application: :func:`create_app` over a store, and :func:`run`.

Starlette routes the requests; :class:`~visualizations.workbench.security.GuardMiddleware`
checks each one first; the answers come from :class:`~visualizations.workbench.api.Workbench`,
run on worker threads in the run's language. The page and its scripts are the files of
``static/`` (no CDN: every request stays on this server).

Examples
--------
>>> import tempfile, pathlib, threading, urllib.request
>>> from graph.store import EntityRecord, open_store
>>> path = pathlib.Path(tempfile.mkdtemp()) / "w.db"
>>> store = open_store(path)
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "杨雨豪", {})])
>>> server = start_in_thread(create_app(store, token="t0k", port=0))
>>> opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
>>> _ = opener.open(f"{server.url}/?token=t0k")
>>> import json
>>> from urllib.parse import quote
>>> found = json.loads(opener.open(f"{server.url}/api/search?q={quote('杨雨')}").read())
>>> found["results"][0]["name"]
'杨雨豪'
>>> server.stop(); store.close()
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from graph.errors import UmbrellaError
from graph.store import Store
from graph.store.triage import STATUSES
from lang import _, use_language
from visualizations.workbench.access import SharedAccess, SqliteAccess, StoreAccess, access_for
from visualizations.workbench.api import ApiError, TablesWriter, Workbench, json_body
from visualizations.workbench.api_areas import Areas
from visualizations.workbench.api_areas import routes as area_routes
from visualizations.workbench.security import Guard, GuardMiddleware, new_token
from visualizations.workbench.trail import Log, Recorder
from visualizations.workbench.triage import TriageDesk, TriageRefused

STATIC = Path(__file__).resolve().parent / "static"


class _JSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":"), default=str).encode("utf-8")


def _error(status: int, error: str, hint: str = "") -> Response:
    return _JSON({"error": error, "hint": hint}, status_code=status)


def _int(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text in (None, ""):
        return default
    try:
        return int(text)
    except ValueError:
        raise ApiError(400, _("{name} must be a whole number, not {value}").format(
            name=name, value=repr(text)), "") from None


def _float(request: Request, name: str) -> float | None:
    text = request.query_params.get(name)
    if text in (None, ""):
        return None
    try:
        return float(text)
    except ValueError:
        raise ApiError(400, _("{name} must be a number, not {value}").format(
            name=name, value=repr(text)), "") from None


def _date(request: Request, name: str) -> str | None:
    text = request.query_params.get(name)
    if not text:
        return None
    from lang.formats import parse_date

    try:
        return parse_date(text)
    except Exception:
        raise ApiError(400, _("{name} must be a date (YYYY-MM-DD), not {value}").format(
            name=name, value=repr(text)), "") from None


def create_app(store: Store | StoreAccess | str | Path, *, token: str | None = None,
               lang: str = "en", reveal: bool = False, host: str = "127.0.0.1",
               port: int = 0, tables: TablesWriter | None = None,
               static: Path = STATIC, audit: Recorder | None = None,
               user: str | None = None) -> Starlette:
    """The workbench over ``store`` (read-only: an SQLite file is opened again with
    ``mode=ro``), for the address ``host:port``, with access ``token`` (a new one when
    None; ``app.state.guard.token``). ``tables`` writes CSV/XLSX exports
    (:func:`exports.tables.write_report`; the shell passes it). Builds the search
    index before it returns (a few seconds at scale 10).

    ``port`` 0: the port is set when the socket is bound (:func:`start_in_thread` and
    ``umbrella serve`` do it through :func:`set_port`).

    ``audit`` appends ``(action, target)`` to the audit trail (:mod:`.trail`; the shell
    passes it); ``user`` writes the triage entries (None: the operating system's user)."""
    access = access_for(store)
    bench = Workbench.open(access, reveal=reveal, tables=tables)
    log = Log(audit, reveal)
    desk = TriageDesk(access.path if isinstance(access, SqliteAccess) else
                      access.store if isinstance(access, SharedAccess) else None, user)
    guard = Guard(token or new_token(), host, port)
    areas = Areas(access)

    def answer(work: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            def run() -> Any:
                with use_language(lang):
                    return work(request)

            try:
                result = await asyncio.to_thread(run)
            except (ApiError, TriageRefused) as err:
                return _error(err.status, err.error, err.hint)
            except UmbrellaError as err:
                return _error(400, err.message, err.hint or "")
            if isinstance(result, Response):
                return result
            return _JSON(result)
        return endpoint

    def session(request: Request) -> Any:
        return {"csrf": guard.csrf, "lang": lang, "reveal": reveal, "store": access.kind,
                "user": desk.user, "statuses": list(STATUSES)}

    def strings(request: Request) -> Any:
        try:
            module = importlib.import_module("visualizations.workbench.strings")
        except ImportError:
            return {}
        return module.ui_strings()

    def search(request: Request) -> Any:
        q = request.query_params
        found = bench.search(q.get("q", ""), _int(request, "limit", 20))
        log.searched(q.get("q", ""))
        return found

    def entity(request: Request) -> Any:
        shown = bench.entity(request.path_params["ident"])
        log.viewed(str(shown["entity"]["id"]))
        return shown

    def expand(request: Request) -> Any:
        q = request.query_params
        page = bench.expand(request.path_params["ident"], _int(request, "offset", 0),
                            _int(request, "limit", 25), q.get("types"), _date(request, "on"))
        log.expanded(request.path_params["ident"], int(page["offset"]))
        return page

    def path(request: Request) -> Any:
        q = request.query_params
        if not q.get("from") or not q.get("to"):
            raise ApiError(400, _("give from=ID and to=ID"), "")
        found = bench.path(q["from"], q["to"], q.get("include"), q.get("exclude"),
                           _int(request, "max_hops", 6), _int(request, "hub_degree", 200),
                           _date(request, "on"), _int(request, "max_paths", 3))
        log.path(q["from"], q["to"])
        return found

    def findings(request: Request) -> Any:
        q = request.query_params
        if q.get("status") and q["status"] not in STATUSES:
            raise ApiError(400, _("unknown status {status}").format(status=q["status"]),
                           _("statuses: {statuses}").format(statuses=", ".join(STATUSES)))
        statuses = desk.statuses()
        ids = (areas.finding_ids(q.get("by", "region"), q["area"], statuses)
               if q.get("area") else None)
        return bench.findings(q.get("rule"), q.get("category"), _float(request, "min_score"),
                              q.get("sector"), q.get("region"), _date(request, "from"),
                              _date(request, "to"), _int(request, "offset", 0),
                              _int(request, "limit", 50), q.get("status") or None,
                              statuses, ids=ids)

    def finding(request: Request) -> Any:
        shown = bench.finding(request.path_params["fid"])
        log.viewed(request.path_params["fid"].strip())
        return shown

    def triage_list(request: Request) -> Any:
        return {"no_longer_found": desk.gone(request.query_params.get("status") or None)}

    def triage_book(request: Request) -> Any:
        return desk.book(request.path_params["fid"])

    async def triage_change(request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict):
            return _error(400, _("the body must be JSON"),
                          '{"status": "dismissed", "reason": "...", "note": "..."}')

        def change(r: Request) -> Any:
            fid = r.path_params["fid"].strip()
            done = desk.change(fid, body)
            log.triaged(fid, done["entry"])
            return done

        reply: Response = await answer(change)(request)
        return reply

    async def export(request: Request) -> Response:
        fmt = request.query_params.get("format", "html")
        body = await json_body(request)
        if not isinstance(body, dict):
            return _error(400, _("the body must be JSON"), '{"nodes": [...], "edges": [...]}')
        nodes = [str(n) for n in body.get("nodes") or [] if isinstance(n, str | int)]
        edges = [str(e) for e in body.get("edges") or [] if isinstance(e, str | int)]

        def run() -> tuple[bytes, str, str]:
            with use_language(lang):
                made = bench.export(fmt, nodes, edges)
                log.exported(made[2], nodes, edges)
                return made

        try:
            data, media, name = await asyncio.to_thread(run)
        except ApiError as err:
            return _error(err.status, err.error, err.hint)
        except UmbrellaError as err:
            return _error(400, err.message, err.hint or "")
        return Response(data, media_type=media, headers={
            "content-disposition": f'attachment; filename="{name}"'})

    async def screen(request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict):
            return _error(400, _("the body must be JSON"),
                          '{"left": [...], "right": [...], "on": "YYYY-MM-DD"}')
        sides = [[str(i) for i in body.get(side) or [] if isinstance(i, str | int)]
                 for side in ("left", "right")]
        on = body.get("on") or datetime.date.today().isoformat()
        from lang.formats import parse_date

        try:
            on = parse_date(str(on))
        except Exception:
            return _error(400, _("{name} must be a date (YYYY-MM-DD), not {value}").format(
                name="on", value=repr(on)), "")
        def screened(r: Request) -> Any:
            found = bench.screen(sides[0], sides[1], on)
            log.screened(sides[0], sides[1], on)
            return found

        reply: Response = await answer(screened)(request)
        return reply

    async def index(request: Request) -> Response:
        page = static / "index.html"
        if page.is_file():
            return FileResponse(page, media_type="text/html; charset=utf-8",
                                headers={"cache-control": "no-store"})
        return Response("umbrella workbench", media_type="text/plain; charset=utf-8")

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        if status == 405:
            return _error(405, _("method not allowed"), _("state changes are POST requests"))
        return _error(status, _("no such page: {path}").format(path=request.url.path),
                      _("open the address umbrella serve printed"))

    routes: list[BaseRoute] = [
        Route("/", index),
        Route("/api/session", answer(session)),
        Route("/api/strings", answer(strings)),
        Route("/api/search", answer(search)),
        Route("/api/entity/{ident:path}", answer(entity)),
        Route("/api/expand/{ident:path}", answer(expand)),
        Route("/api/path", answer(path)),
        Route("/api/findings", answer(findings)),
        Route("/api/finding/{fid:path}", answer(finding)),
        Route("/api/export", export, methods=["POST"]),
        Route("/api/screen", screen, methods=["POST"]),
        Route("/api/triage", answer(triage_list)),
        Route("/api/triage/{fid:path}", answer(triage_book), methods=["GET"]),
        Route("/api/triage/{fid:path}", triage_change, methods=["POST"]),
    ]
    from visualizations.workbench.api_investigations import routes as investigation_routes

    routes += investigation_routes(bench, answer, log, desk.user)
    from visualizations.workbench.api_matches import routes as match_routes

    routes += match_routes(access, answer, log, desk.user)
    routes += area_routes(areas, answer, desk.statuses, log)
    if static.is_dir():
        routes.append(Mount("/static", StaticFiles(directory=static), name="static"))
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
    app.add_middleware(GuardMiddleware, guard=guard)
    app.state.guard = guard
    app.state.bench = bench
    app.state.access = access
    app.state.desk = desk
    return app


def set_port(app: Starlette, host: str, port: int) -> None:
    """Tell the guard the port the socket was bound to (for ``port`` 0)."""
    guard: Guard = app.state.guard
    fresh = Guard(guard.token, host, port)
    guard.hosts = fresh.hosts


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # answers go out as a head and a body: without this, Nagle's algorithm holds the body
    # until the client's delayed ACK (40 ms on Linux); accepted sockets inherit it
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@dataclass
class Running:
    """A server started by :func:`start_in_thread`: its address and how to stop it."""

    url: str
    port: int
    token: str
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def serve(app: Starlette, sock: socket.socket, host: str) -> Any:
    """A uvicorn server for ``app`` on the bound ``sock`` (no access log: the first
    request's address holds the token)."""
    import uvicorn

    set_port(app, host, sock.getsockname()[1])
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            server_header=False, date_header=False)
    return uvicorn.Server(config)


def start_in_thread(app: Starlette, host: str = "127.0.0.1", port: int = 0) -> Running:
    """Run ``app`` under uvicorn in a thread on a real socket (tests, the bench)."""
    sock = bind(host, port)
    server = serve(app, sock, host)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _i in range(200):
        if server.started:
            break
        time.sleep(0.05)
    real = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return Running(f"http://{shown}:{real}", real, app.state.guard.token, server, thread)
