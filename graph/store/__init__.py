"""Stores: the protocol, its records and the backends.

:func:`open_store` picks the backend from the location: a file path opens the
embedded SQLite store; ``neo4j://``, ``bolt://`` (and their ``+s``/``+ssc`` forms)
open the Neo4j backend, with credentials from ``NEO4J_USER``/``NEO4J_PASSWORD``.

Examples
--------
>>> import tempfile, pathlib
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "x.db")
>>> store.view().counts_by_type()
{}
>>> store.close()
"""

from __future__ import annotations

from pathlib import Path

from graph.errors import StoreError
from graph.store.model import (
    AliasRecord,
    Entity,
    EntityRecord,
    LoadRun,
    Relation,
    RelationRecord,
    SetAsideRecord,
    SourceRef,
    Tie,
)
from graph.store.protocol import Store, StoreView, StoreWriter
from graph.store.sqlite import SqliteStore
from graph.text import _

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")

__all__ = [
    "AliasRecord", "Entity", "EntityRecord", "LoadRun", "Relation", "RelationRecord",
    "SetAsideRecord", "SourceRef", "SqliteStore", "Store", "StoreView", "StoreWriter", "Tie",
    "is_server", "open_store",
]


def is_server(location: str | Path) -> bool:
    """True when ``location`` names a Neo4j server rather than a file.

    Examples
    --------
    >>> is_server("bolt://localhost:7687"), is_server("case.db")
    (True, False)
    """
    return str(location).startswith(NEO4J_SCHEMES)


def open_store(location: str | Path, database: str | None = None) -> Store:
    """Open the store at ``location``: an SQLite file path or a Neo4j address.

    ``database`` names the Neo4j database (default: env ``NEO4J_DATABASE``, else
    ``neo4j``); it is ignored for a file.
    """
    if is_server(location):
        from graph.store.neo4j import Neo4jStore

        return Neo4jStore.from_env(str(location), database)
    path = Path(location)
    if path.is_dir():
        raise StoreError(_("{path}: is a folder, not a database file").format(path=path),
                         hint=_("pass --db with a file name such as case.db"))
    return SqliteStore(path)
