"""Open the Neo4j backend on a test target (a real server or the Bolt bridge)."""

from __future__ import annotations

from typing import Any

from graph.store.neo4j import Neo4jStore

#: Batch rows against the bridge: grafeo's UNWIND costs the square of the list length.
BRIDGE_BATCH_ROWS = "200"


def target_env(target: Any) -> dict[str, str]:
    """The environment a user would set for ``target`` (credentials never in argv)."""
    env = {"NEO4J_USER": target.user, "NEO4J_PASSWORD": target.password,
           "NEO4J_DATABASE": target.database}
    if target.engine != "neo4j":
        env["UMBRELLA_NEO4J_BATCH_ROWS"] = BRIDGE_BATCH_ROWS
    return env


def open_neo4j(target: Any) -> Neo4jStore:
    """The store on ``target`` as ``--db URI`` with the target's environment would open it."""
    return Neo4jStore.from_env(target.uri, env=target_env(target))
