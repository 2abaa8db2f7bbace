"""Saved investigations in a Neo4j database: one ``UmbrellaInvestigation`` node a version.

Each node holds the name, version, entity ids and hidden ids (lists of text), the
positions (JSON text: Neo4j properties hold no maps), the as-of date, notes, author and
time. The next version number is read and the node created in one write transaction;
nodes are never changed or removed by umbrella. Every value goes in as a parameter.
See :mod:`graph.store.investigations`.
"""

from __future__ import annotations

import json
from typing import Any

import neo4j

from graph.store.base import now_text
from graph.store.investigations import Investigation, check_investigation
from graph.store.neo4j.connection import Connection

LABEL = "UmbrellaInvestigation"
_FIELDS = ("i.name AS name, i.entities AS entities, i.positions AS positions, "
           "i.hidden AS hidden, i.as_of AS as_of, i.notes AS notes, i.author AS author, "
           "i.saved_at AS saved_at, i.version AS version")
NEXT_VERSION = (f"OPTIONAL MATCH (i:{LABEL} {{name: $name}}) "
                "RETURN coalesce(max(i.version), 0) + 1 AS version")
CREATE = (f"CREATE (i:{LABEL} {{name: $name, version: $version, entities: $entities, "
          "positions: $positions, hidden: $hidden, as_of: $as_of, notes: $notes, "
          "author: $author, saved_at: $saved_at}) RETURN i.version AS version")
GET_LATEST = (f"MATCH (i:{LABEL} {{name: $name}}) RETURN {_FIELDS} "
              "ORDER BY i.version DESC LIMIT 1")
GET_VERSION = f"MATCH (i:{LABEL} {{name: $name, version: $version}}) RETURN {_FIELDS}"
VERSIONS = f"MATCH (i:{LABEL} {{name: $name}}) RETURN {_FIELDS} ORDER BY i.version"
LATEST = (f"MATCH (i:{LABEL}) WITH i.name AS n, max(i.version) AS v "
          f"MATCH (i:{LABEL} {{name: n, version: v}}) RETURN {_FIELDS} ORDER BY i.name")


def _investigation(row: dict[str, Any]) -> Investigation:
    pos = {str(k): (float(v[0]), float(v[1]))
           for k, v in json.loads(row["positions"] or "{}").items()}
    return Investigation(str(row["name"]), tuple(str(e) for e in row["entities"] or []), pos,
                         tuple(str(h) for h in row["hidden"] or []), str(row["as_of"] or ""),
                         str(row["notes"] or ""), str(row["author"] or ""),
                         str(row["saved_at"] or ""), int(row["version"]))


class Neo4jInvestigations:
    """The saved investigations of one Neo4j database (the store's connection)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def save(self, inv: Investigation) -> Investigation:
        inv = check_investigation(inv)
        at = now_text()

        def work(tx: neo4j.ManagedTransaction) -> int:
            version = int(tx.run(NEXT_VERSION, name=inv.name).single(strict=True)["version"])
            tx.run(CREATE, name=inv.name, version=version, entities=list(inv.entities),
                   positions=json.dumps({k: list(v) for k, v in inv.positions.items()},
                                        ensure_ascii=False),
                   hidden=list(inv.hidden), as_of=inv.as_of, notes=inv.notes,
                   author=inv.author, saved_at=at).consume()
            return version

        version = self._conn.run_in_write(work)
        return inv._replace(saved_at=at, version=version)

    def get(self, name: str, version: int | None = None) -> Investigation | None:
        rows = (self._conn.read(GET_LATEST, name=name) if version is None
                else self._conn.read(GET_VERSION, name=name, version=version))
        return _investigation(rows[0]) if rows else None

    def versions(self, name: str) -> list[Investigation]:
        return [_investigation(r) for r in self._conn.read(VERSIONS, name=name)]

    def list(self) -> list[Investigation]:
        return [_investigation(r) for r in self._conn.read(LATEST)]

    def close(self) -> None:
        """Nothing to release: the connection is the store's."""
