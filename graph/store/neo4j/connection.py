"""Connecting to Neo4j: address, database, credentials from the environment, retries.

Credentials come only from ``NEO4J_USER`` / ``NEO4J_PASSWORD``; an address that
carries a user name or password is refused (it would show in process lists and
shell history). Reads go through ``execute_read`` and writes through
``execute_write``, so a routing cluster sends each to the right member, and the
driver retries transient errors (deadlocks, leader changes) on its own.

Examples
--------
>>> settings = Settings.from_env("bolt://localhost:7687", env={"NEO4J_USER": "ana"})
>>> settings.user, settings.database, settings.redacted()
('ana', 'neo4j', 'bolt://localhost:7687 (database neo4j)')
>>> Settings.from_env("neo4j://ana:secret@host:7687", env={})
Traceback (most recent call last):
...
graph.errors.StoreError: neo4j://***@host:7687: a user name or password in the address ...
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import neo4j
from neo4j import exceptions as nx

from graph.errors import StoreError
from graph.text import _

USER_ENV, PASSWORD_ENV, DATABASE_ENV = "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"
BATCH_ROWS_ENV, BATCH_BYTES_ENV = "UMBRELLA_NEO4J_BATCH_ROWS", "UMBRELLA_NEO4J_BATCH_BYTES"
DEFAULT_BATCH_ROWS = 5000
DEFAULT_BATCH_BYTES = 4 * 1024 * 1024
T = TypeVar("T")
Row = dict[str, Any]


@dataclass(frozen=True)
class Settings:
    """Where and how to connect; the password is kept out of ``repr``."""

    uri: str
    database: str = "neo4j"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    batch_rows: int = DEFAULT_BATCH_ROWS
    batch_bytes: int = DEFAULT_BATCH_BYTES

    @classmethod
    def from_env(cls, uri: str, database: str | None = None,
                 env: Mapping[str, str] | None = None) -> Settings:
        """Settings for ``uri`` with credentials, database and batch sizes from ``env``."""
        env = os.environ if env is None else env
        parts = urlsplit(uri)
        if parts.username or parts.password:
            shown = f"{parts.scheme}://***@{parts.hostname}" + (
                f":{parts.port}" if parts.port else "")
            raise StoreError(
                _("{address}: a user name or password in the address is not accepted").format(
                    address=shown),
                hint=_("put them in the environment: {user}=... {password}=...").format(
                    user=USER_ENV, password=PASSWORD_ENV))
        return cls(
            uri=uri, database=database or env.get(DATABASE_ENV) or "neo4j",
            user=env.get(USER_ENV), password=env.get(PASSWORD_ENV),
            batch_rows=_positive(env, BATCH_ROWS_ENV, DEFAULT_BATCH_ROWS),
            batch_bytes=_positive(env, BATCH_BYTES_ENV, DEFAULT_BATCH_BYTES))

    def redacted(self) -> str:
        """The address and database, safe to print."""
        return f"{self.uri} (database {self.database})"


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise StoreError(_("{name}={value!r} is not a positive whole number").format(
            name=name, value=raw), hint=_("unset {name} or give a number such as {default}")
            .format(name=name, default=default))
    return int(raw)


def batches(rows: Sequence[Row], max_rows: int, max_bytes: int) -> Iterator[list[Row]]:
    """Split ``rows`` into batches of at most ``max_rows`` rows and about ``max_bytes``.

    Examples
    --------
    >>> rows = [{"k": "x" * 10}] * 5
    >>> [len(b) for b in batches(rows, 2, 10_000)], [len(b) for b in batches(rows, 9, 80)]
    ([2, 2, 1], [2, 2, 1])
    """
    batch: list[Row] = []
    size = 0
    for row in rows:
        n = _size(row)
        if batch and (len(batch) >= max_rows or size + n > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += n
    if batch:
        yield batch


def _size(value: Any) -> int:
    if isinstance(value, str):
        return len(value) * 3 + 2
    if isinstance(value, dict):
        return sum(len(k) + _size(v) for k, v in value.items()) + 2
    if isinstance(value, list | tuple):
        return sum(_size(v) for v in value) + 2
    return 9


class Connection:
    """One driver for one database; the only place that talks to the server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        auth = (settings.user or "neo4j", settings.password or "") if (
            settings.user or settings.password) else None
        try:
            self._driver = neo4j.GraphDatabase.driver(settings.uri, auth=auth)
            self._driver.verify_connectivity()
        except Exception as exc:
            raise _store_error(settings, exc) from exc

    def read(self, query: str, **params: Any) -> list[Row]:
        """Run one read query (``execute_read``) and return its rows as dicts."""
        return self._call(lambda s: s.execute_read(_fetch, query, params))

    def write(self, query: str, **params: Any) -> list[Row]:
        """Run one write query (``execute_write``) and return its rows as dicts."""
        return self._call(lambda s: s.execute_write(_fetch, query, params))

    def write_rows(self, query: str, rows: Sequence[Row], expect: bool = False) -> None:
        """Run an ``UNWIND $rows`` query over ``rows`` in batches, one transaction each.

        With ``expect``, the query returns ``written`` and a batch that wrote fewer rows
        than it sent (a tie whose end is not in the database) is an error."""
        for batch in batches(rows, self.settings.batch_rows, self.settings.batch_bytes):
            out = self.write(query, rows=batch)
            if expect and (written := sum(int(r["written"]) for r in out)) != len(batch):
                raise StoreError(
                    _("{where}: {n} of {total} relationship records name an entity the "
                      "database does not hold").format(where=self.settings.redacted(),
                                                       n=len(batch) - written, total=len(batch)),
                    hint=_("load the entities first; a rerun of the same load is safe"))

    def run_in_read(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """Run ``work`` in one read transaction."""
        return self._call(lambda s: s.execute_read(work))

    def run_in_write(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """Run ``work`` in one write transaction."""
        return self._call(lambda s: s.execute_write(work))

    def _call(self, fn: Callable[[neo4j.Session], T]) -> T:
        try:
            with self._driver.session(database=self.settings.database) as session:
                return fn(session)
        except StoreError:
            raise
        except Exception as exc:
            raise _store_error(self.settings, exc) from exc

    def close(self) -> None:
        """Close the driver and its connections."""
        self._driver.close()


def _fetch(tx: neo4j.ManagedTransaction, query: str, params: dict[str, Any]) -> list[Row]:
    return [r.data() for r in tx.run(query, params)]


def _store_error(settings: Settings, exc: Exception) -> StoreError:
    where = settings.redacted()
    if isinstance(exc, nx.AuthError):
        return StoreError(
            _("{where}: the server refused the user name or password").format(where=where),
            hint=_("set {user} and {password} in the environment").format(
                user=USER_ENV, password=PASSWORD_ENV))
    if isinstance(exc, nx.ServiceUnavailable):
        return StoreError(_("{where}: cannot reach the server ({error})").format(
            where=where, error=exc),
            hint=_("check the address and that Neo4j is running; after an interrupted load, "
                   "run the same load again (it adds no duplicates)"))
    if isinstance(exc, nx.ClientError) and "database" in str(exc.message or "").lower() and (
            "not found" in str(exc.message or "").lower()
            or "does not exist" in str(exc.message or "").lower()):
        return StoreError(_("{where}: no such database").format(where=where),
                          hint=_("pass --neo4j-database or set NEO4J_DATABASE"))
    if isinstance(exc, nx.Neo4jError):
        return StoreError(f"{where}: {exc.code}: {exc.message}",
                          hint=_("an interrupted load can be run again: it adds no duplicates"))
    if isinstance(exc, nx.DriverError | ValueError):
        return StoreError(f"{where}: {exc}", hint=_("check the address given to --db"))
    raise exc
