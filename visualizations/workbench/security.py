"""The workbench's guard: who may talk to it, from where, and what every answer carries.

A local web server is reachable by every page the investigator's browser opens, so:

- **a token per start** (``secrets.token_urlsafe(32)``): the first visit, with
  ``?token=``, sets the ``umbrella_session`` cookie (HttpOnly, SameSite=Strict,
  Path=/) and is redirected to ``/`` without it (the token leaves the address bar and
  the history); every other request needs the cookie (401 otherwise);
- **Host checked** against the server's own addresses (``127.0.0.1:PORT``,
  ``localhost:PORT``, ``[::1]:PORT``): a DNS-rebinding page names another host (400);
- **Origin checked** when a browser sends one: it must be the server's own (403);
- **state changes by POST only**, with header ``X-CSRF-Token`` equal to the value
  ``GET /api/session`` gives (403 otherwise);
- **headers on every answer**: a Content-Security-Policy with no inline script,
  ``nosniff``, no referrer, no framing; ``Cache-Control: no-store`` on ``/api``.

The token is compared in constant time and never written to a log.

Examples
--------
>>> g = Guard(token="t", host="127.0.0.1", port=8000)
>>> sorted(g.hosts)
['127.0.0.1:8000', '[::1]:8000', 'localhost:8000']
>>> g.host_ok("localhost:8000"), g.host_ok("evil.example:8000")
(True, False)
>>> g.origin_ok(None, "127.0.0.1:8000"), g.origin_ok("http://evil.example", "127.0.0.1:8000")
(True, False)
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode

from lang import _

COOKIE = "umbrella_session"
CSRF_HEADER = "x-csrf-token"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()),
           (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"),
           (b"x-frame-options", b"DENY"),
           (b"cross-origin-opener-policy", b"same-origin"),
           (b"cross-origin-resource-policy", b"same-origin")]
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_token() -> str:
    """A fresh access token (one per start)."""
    return secrets.token_urlsafe(32)


class Guard:
    """The checks, and the per-start secrets: the token, the session cookie's value and
    the CSRF value."""

    def __init__(self, token: str, host: str, port: int) -> None:
        self.token = token
        self.session = secrets.token_urlsafe(32)
        self.csrf = secrets.token_urlsafe(32)
        names = {*LOOPBACK}
        if host not in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "::"):
            names.add(f"[{host}]" if ":" in host else host)
        self.hosts = {f"{n}:{port}" for n in names}

    def host_ok(self, host: str | None) -> bool:
        return host is not None and host.lower() in self.hosts

    def origin_ok(self, origin: str | None, host: str) -> bool:
        return origin is None or origin.lower() == f"http://{host.lower()}"

    def has_session(self, cookie_header: str | None) -> bool:
        if not cookie_header:
            return False
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie_header)
        except Exception:
            return False
        got = jar.get(COOKIE)
        return got is not None and hmac.compare_digest(got.value.encode(), self.session.encode())

    def token_ok(self, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.token.encode())

    def csrf_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.csrf.encode())


async def _send(send: Send, status: int, body: bytes, content_type: bytes,
                extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
               *HEADERS, *(extra or []), (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def error_body(error: str, hint: str = "") -> bytes:
    return json.dumps({"error": error, "hint": hint}, ensure_ascii=False).encode()


class GuardMiddleware:
    """ASGI middleware applying :class:`Guard` to every HTTP request."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app, self.guard = app, guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        g = self.guard
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        host = headers.get("host")
        path: str = scope.get("path", "")
        json_type = b"application/json; charset=utf-8"
        if not g.host_ok(host):
            await _send(send, 400, error_body(
                _("this server answers only at its own address"),
                _("open the address umbrella serve printed")), json_type)
            return
        assert host is not None
        if not g.origin_ok(headers.get("origin"), host):
            await _send(send, 403, error_body(
                _("requests from other sites are refused"),
                _("open the address umbrella serve printed")), json_type)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if "token" in query and scope.get("method") == "GET" and not path.startswith("/api/"):
            if not g.token_ok(query["token"][0]):
                await _send(send, 401, error_body(
                    _("wrong or old access token"),
                    _("open the address umbrella serve printed at its last start")),
                    json_type)
                return
            rest = {k: v for k, v in query.items() if k != "token"}
            location = path + ("?" + urlencode(rest, doseq=True) if rest else "")
            cookie = (f"{COOKIE}={g.session}; HttpOnly; SameSite=Strict; Path=/").encode()
            await _send(send, 303, b"", b"text/plain; charset=utf-8",
                        [(b"location", location.encode()), (b"set-cookie", cookie)])
            return
        if not g.has_session(headers.get("cookie")):
            await _send(send, 401, error_body(
                _("no session: open the workbench with its access token"),
                _("open the address umbrella serve printed (with ?token=...)")), json_type)
            return
        if (scope.get("method") == "POST" and path.startswith("/api/")
                and not g.csrf_ok(headers.get(CSRF_HEADER))):
            await _send(send, 403, error_body(
                _("missing or wrong CSRF token"),
                _("send the X-CSRF-Token header with the value GET /api/session gives")),
                json_type)
            return

        api = path.startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _v in message.get("headers", [])}
                extra = [h for h in HEADERS if h[0] not in have]
                if api and b"cache-control" not in have:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
