"""Write clauses in ad-hoc Cypher are found, however they are dressed."""

from __future__ import annotations

import pytest

from graph.errors import UmbrellaError
from graph.store.neo4j.guard import refuse_writes, write_clauses

WRITES = [
    "CREATE (n:Person {name: 'x'})",
    "match (n) detach delete n",
    "MATCH (n) /* harmless */ SET n.name = 'y'",
    "MATCH (n)\nREMOVE n.name",
    "MERGE (n:Entity {key: $k})",
    "MATCH (n) CALL { WITH n DELETE n } RETURN 1",
    "UNWIND [1] AS x FOREACH (i IN [1] | CREATE (:X))",
    "LOAD CSV FROM 'file:///x.csv' AS row RETURN row",
    "DROP CONSTRAINT umbrella_entity_key",
    "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DELETE n', {})",
    "CALL db.createLabel('X')",
    "CALL gds.pageRank.write('g', {writeProperty: 'pr'})",
    "CALL dbms.security.createUser('x', 'y', false)",
    "MATCH (n) WITH n SET n:`Person`",
    "ALTER USER neo4j SET PASSWORD 'x'",
    "CREATE DATABASE evil",
    "MATCH (n) RETURN n UNION MATCH (m) DETACH DELETE m RETURN m",
    # names dressed the ways Cypher allows
    "CALL `apoc`.`create`.`node`(['X'], {name: 'x'}) YIELD node RETURN node",
    "CALL `apoc.create.node`(['X'], {}) YIELD node RETURN node",
    "CALL apoc . create . node(['X'], {})",
    "CALL apoc./* a comment */create.node(['X'], {})",
    "CALL apoc.//line comment\ncreate.node(['X'], {})",
    "CALL `db`.createLabel('X')",
    "MATCH (n) \\u0044ETACH \\u0044ELETE n",
    "CALL apoc.\\u0063reate.node(['X'], {})",
    "CALL `ap``oc`.create.node(['X'], {})",
]

READS = [
    "MATCH (n:Person) RETURN n.name",
    "MATCH (n) WHERE n.name = 'CREATE (x)' RETURN n",
    'MATCH (n) WHERE n.name = "DETACH DELETE" RETURN n',
    "MATCH (n) RETURN n.set, n.delete, n.create",
    "MATCH (n) RETURN {create: 1, merge: 2} AS m",
    "MATCH (n:`DELETE`) RETURN n  // DELETE everything",
    "MATCH (n) WHERE n.key = $delete RETURN n",
    "CALL db.labels() YIELD label RETURN label",
    "CALL gds.pageRank.stream('g') YIELD nodeId, score RETURN nodeId, score",
    "MATCH p = shortestPath((a)-[*..5]-(b)) RETURN p",
    "MATCH (n) RETURN n.name AS `SET`",
    "SHOW INDEXES",
    "RETURN '\\u0044ELETE' AS word",
    "MATCH (`CREATE`:Person) RETURN `CREATE`.name",
    "MATCH (n) RETURN n.`delete`",
]


@pytest.mark.parametrize("query", WRITES)
def test_writes_are_found(query: str) -> None:
    assert write_clauses(query), query
    with pytest.raises(UmbrellaError, match="was not sent"):
        refuse_writes(query)


@pytest.mark.parametrize("query", READS)
def test_reads_pass(query: str) -> None:
    assert write_clauses(query) == [], query
