"""Where the database is: ``--db``, else ``UMBRELLA_DB``, else ``./umbrella.db``.

A Neo4j address (``neo4j://``, ``bolt://`` ...) selects the Neo4j backend; its
database comes from ``--neo4j-database`` or ``NEO4J_DATABASE`` and its
credentials only from ``NEO4J_USER`` / ``NEO4J_PASSWORD``.
"""

from __future__ import annotations

DEFAULT_DB = "umbrella.db"
DB_ENV = "UMBRELLA_DB"
NEO4J_DATABASE_ENV = "NEO4J_DATABASE"
