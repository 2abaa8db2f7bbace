"""Every Cypher text the Neo4j backend sends, built in one place.

Values always travel as parameters. Labels, relationship types and property
names come only from the schema (:mod:`graph.schema`) or from the backend's own
bookkeeping labels below, and are backtick-quoted by :func:`label`,
:func:`rel_type` and :func:`prop`; anything else raises.

Graph model: every entity is ``(:Entity:<Kind> {key, name, ...properties})``;
relationship records are relationships of their schema type carrying ``rid``,
``start``, ``end``, their properties and ``sources`` (``"file:line"`` strings,
first source first). Bookkeeping nodes: ``SourceId`` (input id -> entity key,
with file and line; one per entity an id names), ``SetAside`` (with its load),
``Finding``, ``Load`` (the log, and the claim of a running load) and one
``UmbrellaMeta``, whose ``load_lock`` property every claim of the load lock sets
first: the write lock Neo4j takes on that node makes claims wait for each other
(see :data:`CLAIM_LOCK`).

Examples
--------
>>> label("Person"), rel_type("KIN")
('`Person`', '`KIN`')
>>> label("Person`) DETACH DELETE (n")
Traceback (most recent call last):
...
graph.errors.SchemaError: 'Person`) DETACH DELETE (n' is not a label of the schema
>>> "UNWIND $rows" in merge_entities("person")
True
"""

from __future__ import annotations

from graph.errors import SchemaError
from graph.schema import NODE_KINDS, REL_TYPES, REL_WEIGHT

ENTITY = "Entity"
SOURCE_ID = "SourceId"
SET_ASIDE = "SetAside"
FINDING = "Finding"
LOAD = "Load"
META = "UmbrellaMeta"
BOOKKEEPING = (ENTITY, SOURCE_ID, SET_ASIDE, FINDING, LOAD, META)
KIND_LABELS = {k.label: k.code for k in NODE_KINDS.values()}
LABELS = frozenset((*BOOKKEEPING, *KIND_LABELS))
REL_TYPE_NAMES = frozenset(REL_TYPES)
#: Node and relationship properties the backend itself uses; a record property of the
#: same name is stored with the suffix ``_prop``.
NODE_RESERVED = frozenset({"key", "name"})
REL_RESERVED = frozenset({"rid", "start", "end", "sources"})
RESERVED_SUFFIX = "_prop"


def _quote(name: str) -> str:
    return f"`{name}`"


def label(name: str) -> str:
    """A whitelisted node label, backtick-quoted."""
    if name not in LABELS:
        raise SchemaError(f"{name!r} is not a label of the schema")
    return _quote(name)


def rel_type(name: str) -> str:
    """A whitelisted relationship type, backtick-quoted."""
    if name not in REL_TYPE_NAMES:
        raise SchemaError(f"{name!r} is not a relationship type of the schema")
    return _quote(name)


def prop(type_: str, name: str) -> str:
    """A property of relationship type ``type_`` declared by the schema, backtick-quoted.

    Examples
    --------
    >>> prop("KIN", "relation")
    '`relation`'
    """
    if type_ not in REL_TYPES or name not in REL_TYPES[type_].props:
        raise SchemaError(f"{name!r} is not a property of {type_!r} in the schema")
    return _quote(name if name not in REL_RESERVED else name + RESERVED_SUFFIX)


def kind_label(kind: str) -> str:
    """The quoted label of node kind ``kind`` (``person`` -> ```Person```)."""
    if kind not in NODE_KINDS:
        raise SchemaError(f"{kind!r} is not a node kind of the schema")
    return label(NODE_KINDS[kind].label)


E, S, A, F, L, M = (label(x) for x in BOOKKEEPING)

# --- start-up -------------------------------------------------------------------------

SCHEMA = (
    f"CREATE CONSTRAINT umbrella_entity_key IF NOT EXISTS FOR (n:{E}) REQUIRE n.key IS UNIQUE",
    f"CREATE CONSTRAINT umbrella_source_uid IF NOT EXISTS FOR (n:{S}) REQUIRE n.uid IS UNIQUE",
    f"CREATE CONSTRAINT umbrella_set_aside_uid IF NOT EXISTS FOR (n:{A}) "
    "REQUIRE n.uid IS UNIQUE",
    f"CREATE CONSTRAINT umbrella_finding_id IF NOT EXISTS FOR (n:{F}) REQUIRE n.id IS UNIQUE",
    f"CREATE CONSTRAINT umbrella_load_id IF NOT EXISTS FOR (n:{L}) REQUIRE n.id IS UNIQUE",
    f"CREATE INDEX umbrella_source_key IF NOT EXISTS FOR (n:{S}) ON (n.key)",
    f"CREATE INDEX umbrella_source_id IF NOT EXISTS FOR (n:{S}) ON (n.source_id)",
    f"CREATE INDEX umbrella_finding_rule IF NOT EXISTS FOR (n:{F}) ON (n.rule)",
    f"CREATE INDEX umbrella_set_aside_load IF NOT EXISTS FOR (n:{A}) ON (n.load)",
    f"CREATE INDEX umbrella_set_aside_at IF NOT EXISTS FOR (n:{A}) ON (n.at)",
    f"CREATE INDEX umbrella_load_state IF NOT EXISTS FOR (n:{L}) ON (n.state)",
)


#: Plain indexes on the same keys, for servers whose uniqueness constraints carry no index
#: of their own (Neo4j's do, and refuses these as redundant: that is expected and harmless).
KEY_INDEXES = tuple(
    f"CREATE INDEX umbrella_{name}_lookup IF NOT EXISTS FOR (n:{lbl}) ON (n.{key})"
    for name, lbl, key in (("entity_key", E, "key"), ("source_uid", S, "uid"),
                           ("set_aside_uid", A, "uid"), ("finding_id", F, "id"),
                           ("load_id", L, "id")))


def rel_index(type_: str) -> str:
    """Index on the record id of relationship type ``type_`` (Neo4j 5 syntax)."""
    name = "umbrella_rid_" + type_.lower()
    return f"CREATE INDEX {name} IF NOT EXISTS FOR ()-[r:{rel_type(type_)}]-() ON (r.rid)"


META_OPEN = (
    f"MERGE (m:{M} {{id: 'meta'}}) "
    "ON CREATE SET m.schema_version = $version, m.key_salt = $salt "
    "RETURN m.schema_version AS version, m.key_salt AS salt"
)
META_READ = f"MATCH (m:{M} {{id: 'meta'}}) RETURN m.schema_version AS version, m.key_salt AS salt"
META_SET_SALT = f"MATCH (m:{M} {{id: 'meta'}}) SET m.key_salt = $salt"
#: Version 1 to 2 (``$sep`` is the separator of the identities below): a source id is one
#: node per entity it names, set-aside rows are kept per load, loads have a state.
MIGRATE_V1 = (
    f"MATCH (s:{S}) SET s.uid = s.table + $sep + s.source_id + $sep + s.key",
    f"MATCH (s:{A}) SET s.load = 0, s.seq = 0, "
    "s.at = '0' + $sep + s.file + $sep + toString(s.line), "
    "s.uid = '0' + $sep + s.file + $sep + toString(s.line) + $sep + '0'",
    f"MATCH (l:{L}) WHERE l.state IS NULL SET l.state = 'done'",
    f"MATCH (m:{M} {{id: 'meta'}}) SET m.schema_version = $version",
)

# --- writes ---------------------------------------------------------------------------


def merge_entities(kind: str) -> str:
    """Upsert entities of one kind: an existing node keeps its values, gains missing ones."""
    return (
        f"UNWIND $rows AS row MERGE (n:{E} {{key: row.key}}) "
        f"ON CREATE SET n:{kind_label(kind)}, n.name = row.name "
        "WITH n, row, properties(n) AS old SET n += row.props SET n += old"
    )


MERGE_ALIASES = (
    f"UNWIND $rows AS row MERGE (s:{S} {{uid: row.uid}}) "
    "ON CREATE SET s.table = row.table, s.source_id = row.source_id, s.key = row.key, "
    "s.file = row.file, s.line = row.line"
)


def merge_relations(type_: str) -> str:
    """Upsert relationship records of one type; a known record only gains new sources."""
    return (
        f"UNWIND $rows AS row MATCH (a:{E} {{key: row.src}}) MATCH (b:{E} {{key: row.dst}}) "
        f"MERGE (a)-[r:{rel_type(type_)} {{rid: row.id}}]->(b) "
        "ON CREATE SET r.start = row.start, r.end = row.end, r.sources = [] "
        "WITH r, row, properties(r) AS old SET r += row.props SET r += old "
        "WITH r, row, r.sources AS have "
        "SET r.sources = have + [x IN row.sources WHERE NOT x IN have] "
        "RETURN count(r) AS written"
    )


#: Set-aside rows of one load, file and line (``at``: the three joined), before new ones.
SET_ASIDE_AT = (
    f"UNWIND $ats AS a MATCH (s:{A} {{at: a}}) "
    "RETURN coalesce(s.load, 0) AS load, s.file AS file, s.line AS line, "
    "coalesce(s.seq, 0) AS seq, s.table AS table, s.column AS column, s.code AS code, "
    "s.message AS message, s.row AS row"
)
MERGE_SET_ASIDE = (
    f"UNWIND $rows AS row MERGE (s:{A} {{uid: row.uid}}) "
    "SET s.at = row.at, s.load = row.load, s.file = row.file, s.line = row.line, "
    "s.seq = row.seq, "
    "s.table = row.table, s.column = row.column, s.code = row.code, s.message = row.message, "
    "s.row = row.row"
)
DELETE_FINDINGS = f"MATCH (f:{F}) WHERE f.rule IN $rules DETACH DELETE f"
MERGE_FINDINGS = (
    f"UNWIND $rows AS row MERGE (f:{F} {{id: row.id}}) "
    "SET f.rule = row.rule, f.category = row.category, f.score = row.score, "
    "f.keys = row.keys, f.body = row.body"
)
NEXT_LOAD = f"MATCH (l:{L}) RETURN coalesce(max(l.id), 0) + 1 AS next"
CREATE_LOAD = (
    f"MERGE (l:{L} {{id: $id}}) ON CREATE SET l.at = $at, l.source = $source, "
    "l.report = $report, l.state = 'done'"
)
FINISH_LOAD = (
    f"MATCH (l:{L} {{id: $id}}) SET l.at = $at, l.source = $source, l.report = $report, "
    "l.state = 'done', l.error = '' RETURN l.id AS id"
)
#: Stopped loads of ``$source`` that the finished load ``$id`` resumed.
RESUMED_LOADS = (
    f"MATCH (l:{L}) WHERE l.source = $source AND l.id <> $id "
    "AND l.state IN ['interrupted', 'failed'] SET l.state = 'resumed' RETURN l.id AS id"
)
DELETE_SET_ASIDE_OF = f"MATCH (s:{A}) WHERE s.load IN $loads DELETE s"
NOTE_CHUNK = f"MATCH (l:{L} {{id: $id}}) SET l.chunks = coalesce(l.chunks, 0) + 1"

# --- the load lock (every statement below runs in the transaction CLAIM_LOCK opened) -------

#: First statement of a claim: a write on the one meta node, which Neo4j locks until the
#: transaction ends, so two claims never read the running loads at the same time.
CLAIM_LOCK = f"MATCH (m:{M} {{id: 'meta'}}) SET m.load_lock = coalesce(m.load_lock, 0) + 1"
RUN_COLUMNS = (
    "l.id AS id, l.source AS source, coalesce(l.command, '') AS command, "
    "coalesce(l.started, l.at) AS started, coalesce(l.pid, 0) AS pid, "
    "coalesce(l.host, '') AS host, coalesce(l.token, '') AS token, l.state AS state, "
    "coalesce(l.chunks, 0) AS chunks, coalesce(l.error, '') AS error"
)
RUNNING_LOADS = f"MATCH (l:{L}) WHERE l.state = 'running' RETURN {RUN_COLUMNS} ORDER BY id"
MARK_INTERRUPTED = f"UNWIND $ids AS i MATCH (l:{L} {{id: i}}) SET l.state = 'interrupted'"
CREATE_RUN = (
    f"CREATE (l:{L} {{id: $id, at: $started, source: $source, report: '{{}}', "
    "state: 'running', started: $started, command: $command, pid: $pid, host: $host, "
    "token: $token, chunks: 0, error: ''})"
)
LOAD_STATE = f"MATCH (l:{L} {{id: $id}}) RETURN l.state AS state, coalesce(l.chunks, 0) AS chunks"
FAIL_LOAD = f"MATCH (l:{L} {{id: $id}}) SET l.state = 'failed', l.error = $error"
FORGET_LOAD = f"MATCH (l:{L} {{id: $id}}) DETACH DELETE l"
DELETE_SET_ASIDE_OF_LOAD = f"MATCH (s:{A} {{load: $id}}) DELETE s"

# --- reads ----------------------------------------------------------------------------

KIND_OF = "[x IN labels(n) WHERE x IN $kinds][0]"
COUNT_KINDS = (
    f"MATCH (n:{E}) WITH {KIND_OF} AS kind RETURN kind, count(*) AS n ORDER BY kind"
)
COUNT_TYPES = (
    f"MATCH (:{E})-[r]->(:{E}) WHERE type(r) IN $types "
    "RETURN type(r) AS type, count(*) AS n ORDER BY type"
)
ENTITY_COLUMNS = f"n.key AS key, {KIND_OF} AS kind, n.name AS name, properties(n) AS props"
GET_ENTITY = f"MATCH (n:{E} {{key: $key}}) RETURN {ENTITY_COLUMNS}"
GET_ENTITIES = f"UNWIND $keys AS k MATCH (n:{E} {{key: k}}) RETURN {ENTITY_COLUMNS}"
ENTITY_SOURCES = (
    f"UNWIND $keys AS k MATCH (s:{S} {{key: k}}) "
    "RETURN s.key AS key, s.file AS file, s.line AS line, s.table AS table, "
    "s.source_id AS source_id ORDER BY key, table, source_id"
)
ALL_ENTITY_SOURCES = (
    f"MATCH (s:{S}) RETURN s.key AS key, s.file AS file, s.line AS line, s.table AS table, "
    "s.source_id AS source_id ORDER BY key, table, source_id"
)
CLAIM_COLUMNS = (
    "s.table AS table, s.source_id AS source_id, s.key AS key, coalesce(s.file, '') AS file, "
    "coalesce(s.line, 0) AS line"
)
CLAIM_ORDER = " ORDER BY table, source_id, file, line, key"
#: Claims of one input id (``$table`` null: of every table).
CLAIMS_OF = (
    f"MATCH (s:{S} {{source_id: $source_id}}) WHERE $table IS NULL OR s.table = $table "
    f"RETURN {CLAIM_COLUMNS}" + CLAIM_ORDER
)
#: Every claim (``$table`` null: of every table).
CLAIMS = f"MATCH (s:{S}) WHERE $table IS NULL OR s.table = $table RETURN {CLAIM_COLUMNS}" + (
    CLAIM_ORDER)
#: Claims of the input ids that name two or more entities.
COLLISIONS = (
    f"MATCH (s:{S}) WITH s.table AS t, s.source_id AS i, collect(s) AS c, "
    "count(DISTINCT s.key) AS keys WHERE keys > 1 "
    f"UNWIND c AS s RETURN {CLAIM_COLUMNS}" + CLAIM_ORDER
)
ALIASES = f"MATCH (s:{S}) RETURN s.table AS table, s.source_id AS source_id, s.key AS key"


def entities(kind: str | None) -> str:
    """Entities (of one kind) in key order."""
    node = f"(n:{kind_label(kind)})" if kind else f"(n:{E})"
    return f"MATCH {node} RETURN {ENTITY_COLUMNS} ORDER BY key"


def entity_names(kind: str) -> str:
    """Key and display name of every entity of ``kind``."""
    return f"MATCH (n:{kind_label(kind)}) RETURN n.key AS key, n.name AS name"


REL_COLUMNS = (
    "r.rid AS id, type(r) AS type, a.key AS src, b.key AS dst, r.start AS start, "
    "r.end AS end, properties(r) AS props, r.sources AS sources"
)


def relations(types: list[str]) -> str:
    """Relationship records of the given (whitelisted) types, in id order."""
    alts = "|".join(rel_type(t) for t in types)
    return f"MATCH (a:{E})-[r:{alts}]->(b:{E}) RETURN {REL_COLUMNS} ORDER BY id"


def relations_frame(type_: str) -> str:
    """One row per record of ``type_`` with its first source, schema properties and its own
    recorded strength (``weight``, :data:`graph.schema.REL_WEIGHT`; null when none).

    Examples
    --------
    >>> relations_frame("ASSOCIATE").split(" RETURN ")[1].split(", ")[-1]
    'r.`weight` AS `weight` ORDER BY id'
    """
    quoted = rel_type(type_)
    cols = "".join(f", r.{prop(type_, p)} AS {prop(type_, p)}" for p in REL_TYPES[type_].props)
    weight = _quote(REL_WEIGHT)
    return (
        f"MATCH (a:{E})-[r:{quoted}]->(b:{E}) RETURN r.rid AS id, a.key AS src, "
        f"b.key AS dst, r.start AS start, r.end AS end, r.sources[0] AS source{cols}, "
        f"r.{weight} AS {weight} ORDER BY id"
    )


def relations_by_id(type_: str) -> str:
    """The records of ``type_`` whose ids are in ``$ids``."""
    return (f"MATCH (a:{E})-[r:{rel_type(type_)}]->(b:{E}) WHERE r.rid IN $ids "
            f"RETURN {REL_COLUMNS}")


#: Records whose ids are in ``$ids``, of any schema type (``$types``): for ids that do not
#: name their type, which no index covers.
RELATIONS_BY_ANY_ID = (
    f"MATCH (a:{E})-[r]->(b:{E}) WHERE type(r) IN $types AND r.rid IN $ids "
    f"RETURN {REL_COLUMNS}"
)


#: :func:`graph.store.model.tie_in_force` in Cypher (``$on`` null = every record; ``$events``
#: = the event types; open ends as the literals the frames use).
IN_FORCE = (
    "($on IS NULL OR (coalesce(r.start, '0000-01-01') <= $on "
    "AND (type(r) IN $events OR $on <= coalesce(r.end, '9999-12-31'))))"
)
#: The ties of a batch of entities (``$keys``), for path searches done level by level.
TIES = (
    f"UNWIND $keys AS k MATCH (n:{E} {{key: k}})-[r]-(m:{E}) "
    f"WHERE type(r) IN $types AND {IN_FORCE} "
    "RETURN k AS key, m.key AS other, type(r) AS type, r.rid AS rid"
)
TIE_DEGREES = (
    f"UNWIND $keys AS k MATCH (n:{E} {{key: k}}) "
    f"RETURN k AS key, COUNT {{ (n)-[r]-(:{E}) WHERE type(r) IN $types AND {IN_FORCE} }} "
    "AS degree"
)

FINDINGS = f"MATCH (f:{F}) RETURN f.body AS body ORDER BY f.score DESC, f.id"
FINDINGS_OF = (
    f"MATCH (f:{F}) WHERE $key IN f.keys RETURN f.body AS body ORDER BY f.score DESC, f.id"
)
FINDING = f"MATCH (f:{F} {{id: $id}}) RETURN f.body AS body"
SET_ASIDE_ROWS = (
    f"MATCH (s:{A}) WHERE $load IS NULL OR coalesce(s.load, 0) = $load "
    "RETURN coalesce(s.load, 0) AS load, s.file AS file, s.line AS line, "
    "coalesce(s.seq, 0) AS seq, s.table AS table, s.column AS column, s.code AS code, "
    "s.message AS message, s.row AS row ORDER BY load, file, line, seq"
)
LOADS = (
    f"MATCH (l:{L}) WHERE coalesce(l.state, 'done') = 'done' "
    "RETURN l.id AS id, l.at AS at, l.source AS source, l.report AS report ORDER BY id"
)
LOAD_RUNS = (
    f"MATCH (l:{L}) WHERE l.state IN ['running', 'interrupted', 'failed'] "
    f"RETURN {RUN_COLUMNS} ORDER BY id"
)
IS_EMPTY = f"MATCH (n:{E}) RETURN count(n) = 0 AS empty"
