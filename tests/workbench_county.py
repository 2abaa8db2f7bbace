"""A generated county for the workbench's API tests, served by a real server on a socket.

One person's name is made hostile (a spreadsheet formula and markup), so that the
exports and pages are tested on it.
"""

from __future__ import annotations

import csv
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import quote

from graph.store import SqliteStore
from loaders.load import load_folder
from queries.scan import scan
from synthetic import generate_county

HOSTILE = '=HYPERLINK("http://evil.example","x")<script>alert(1)</script>'


def make_county(root: Path) -> tuple[Path, dict[str, str]]:
    """A scale-0.2 county (seed 11) loaded and scanned (COI and UMB rules) into
    ``root/c.db``; returns the path and the hostile person's row."""
    c = generate_county(root / "county", scale=0.2, seed=11)
    persons = c.data_dir / "persons.csv"
    with persons.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    hostile = dict(zip(head, rows[1], strict=False))
    rows[1][head.index("name")] = HOSTILE
    with persons.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    store = SqliteStore(root / "c.db")
    try:
        load_folder(c.data_dir, store)
        scan(store, ["COI", "UMB-001"])
    finally:
        store.close()
    return root / "c.db", hostile


@dataclass
class Client:
    """A browser-like client: a cookie jar, the server's address, JSON helpers."""

    url: str
    opener: urllib.request.OpenerDirector

    @classmethod
    def login(cls, url: str, token: str) -> Client:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        opener.open(f"{url}/?token={quote(token)}").read()
        return cls(url, opener)

    def raw(self, path: str, *, method: str = "GET", body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers=headers or {})
        try:
            with self.opener.open(req) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()

    def get(self, path: str) -> Any:
        status, _h, body = self.raw(path)
        assert status == 200, (status, body[:300])
        return json.loads(body)
