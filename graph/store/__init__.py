"""Stores: the protocol, its records and the backends.

:func:`open_store` picks the backend from the location: a file path opens the
embedded SQLite store.

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
    Relation,
    RelationRecord,
    SetAsideRecord,
    SourceRef,
)
from graph.store.protocol import Store, StoreView, StoreWriter
from graph.store.sqlite import SqliteStore

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")

__all__ = [
    "AliasRecord", "Entity", "EntityRecord", "Relation", "RelationRecord", "SetAsideRecord",
    "SourceRef", "SqliteStore", "Store", "StoreView", "StoreWriter", "is_server", "open_store",
]


def is_server(location: str | Path) -> bool:
    """True when ``location`` names a Neo4j server rather than a file.

    Examples
    --------
    >>> is_server("bolt://localhost:7687"), is_server("case.db")
    (True, False)
    """
    return str(location).startswith(NEO4J_SCHEMES)


def open_store(location: str | Path) -> Store:
    """Open the store at ``location`` (an SQLite file path)."""
    if is_server(location):
        raise StoreError(
            f"{location}: the Neo4j backend is not part of this version",
            hint="use a file path for --db (the embedded store)",
        )
    path = Path(location)
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file",
                         hint="pass --db with a file name such as case.db")
    return SqliteStore(path)
