"""The Neo4j backend: the store protocol over the official ``neo4j`` driver.

Selected by ``--db neo4j://host:7687`` (or ``bolt://``, ``neo4j+s://`` ...).
See :mod:`graph.store.neo4j.cypher` for the graph model and every query text.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping

import neo4j

from graph.errors import StoreError
from graph.schema import REL_TYPES
from graph.store.base import BaseStore
from graph.store.model import LoadRun
from graph.store.neo4j import cypher
from graph.store.neo4j.connection import Connection, Settings
from graph.store.neo4j.view import Neo4jView, load_run
from graph.store.neo4j.writer import Neo4jWriter
from graph.store.runs import Holder
from graph.text import N_, _

SCHEMA_VERSION = "2"

__all__ = ["Neo4jStore", "Neo4jView", "Neo4jWriter", "Settings"]


class Neo4jStore(BaseStore):
    """A Neo4j database holding the graph; creates constraints and indexes on first use.

    ``warnings`` lists what the server did not accept at start-up (for instance
    relationship-property indexes on servers without them); nothing else depends on them.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.location = settings.uri
        self.warnings: list[str] = []
        self._conn = Connection(settings)
        try:
            self._prepare()
        except BaseException:
            self._conn.close()
            raise

    @classmethod
    def from_env(cls, uri: str, database: str | None = None,
                 env: Mapping[str, str] | None = None) -> Neo4jStore:
        """Open ``uri`` with credentials and settings from the environment."""
        return cls(Settings.from_env(uri, database, env))

    def _prepare(self) -> None:
        for stmt in cypher.SCHEMA:
            self._conn.write(stmt)
        optional = [*cypher.KEY_INDEXES, *(cypher.rel_index(t) for t in sorted(REL_TYPES))]
        for stmt in optional:
            try:
                self._conn.write(stmt)
            except StoreError as err:
                self.warnings.append(_("not created: {statement} ({error})").format(
                    statement=stmt, error=err.message))
        row = self._conn.write(cypher.META_OPEN, version=SCHEMA_VERSION,
                               salt=secrets.token_hex(16))[0]
        if str(row["version"]) == "1":  # a source id per entity, set-aside rows per load
            for stmt in cypher.MIGRATE_V1:
                self._conn.write(stmt, sep="\x1f", version=SCHEMA_VERSION)
            row = {**row, "version": SCHEMA_VERSION}
        if str(row["version"]) != SCHEMA_VERSION:
            raise StoreError(
                _("{where}: umbrella schema version {version}, this umbrella reads version "
                  "{expected}").format(where=self.settings.redacted(), version=row["version"],
                                       expected=SCHEMA_VERSION),
                hint=_("load the data again into an empty database (--neo4j-database)"))
        self._salt = str(row["salt"])

    _FRESH_HINT = N_("push into an empty database, or load the source files into this one")

    def _where(self) -> str:
        return self.settings.redacted()

    def is_empty(self) -> bool:
        return bool(self._conn.read(cypher.IS_EMPTY)[0]["empty"])

    def _set_salt(self, salt: str) -> None:
        self._conn.write(cypher.META_SET_SALT, salt=salt)
        self._salt = salt

    def _claim(self, source: str, command: str, me: Holder, started: str,
               decide: Callable[[list[LoadRun]], list[int]]) -> int:
        decide([load_run(r) for r in self._conn.read(cypher.RUNNING_LOADS)])  # refuse at once

        def work(tx: neo4j.ManagedTransaction) -> int:
            tx.run(cypher.CLAIM_LOCK).consume()  # from here on, other claims wait for this one
            running = [load_run(r.data()) for r in tx.run(cypher.RUNNING_LOADS)]
            stale = decide(running)
            if stale:
                tx.run(cypher.MARK_INTERRUPTED, ids=stale).consume()
            number = int(tx.run(cypher.NEXT_LOAD).single(strict=True)["next"])
            tx.run(cypher.CREATE_RUN, id=number, started=started, source=source,
                   command=command, pid=me.pid, host=me.host, token=me.token).consume()
            return number

        return self._conn.run_in_write(work)

    def end_load(self, load: int, error: str | None = None) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            row = tx.run(cypher.LOAD_STATE, id=load).single()
            if row is None or row["state"] not in ("running", "interrupted"):
                return
            if error is not None and int(row["chunks"]) > 0:
                tx.run(cypher.FAIL_LOAD, id=load, error=error).consume()
                return
            if int(row["chunks"]) == 0:
                tx.run(cypher.DELETE_SET_ASIDE_OF_LOAD, id=load).consume()
            tx.run(cypher.FORGET_LOAD, id=load).consume()

        self._conn.run_in_write(work)

    def writer(self) -> Neo4jWriter:
        return Neo4jWriter(self._conn)

    def view(self) -> Neo4jView:
        return Neo4jView(self._conn, self._salt)

    def close(self) -> None:
        self._conn.close()

    @property
    def connection(self) -> Connection:
        """The connection, for ad-hoc queries (``umbrella query``)."""
        return self._conn
