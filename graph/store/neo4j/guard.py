"""Refuse writes in ad-hoc Cypher before it reaches the server.

``umbrella query`` runs read-only unless ``--write`` is given. The server
enforces read access for ``execute_read`` too; this check comes first, so a
write is refused with a clear message even by servers (or proxies) that would
accept it. Strings, comments, backtick names, property keys (``n.set``) and map
keys (``{create: 1}``) are not mistaken for clauses.

Examples
--------
>>> write_clauses("MATCH (n:Person) WHERE n.name = 'DELETE me' RETURN n.set")
[]
>>> write_clauses("MATCH (n) DETACH DELETE n")
['DETACH', 'DELETE']
>>> write_clauses("CALL apoc.create.node(['X'], {}) YIELD node RETURN node")
['CALL apoc.create.node']
>>> write_clauses("CALL db.labels() YIELD label RETURN label")
[]
"""

from __future__ import annotations

import re

WRITE_WORDS = frozenset({
    "CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "FOREACH", "LOAD",
    "ALTER", "GRANT", "DENY", "REVOKE", "RENAME", "START", "STOP", "TERMINATE", "ENABLE",
    "DEALLOCATE", "REALLOCATE", "FINISH", "INSERT",
})
#: Procedures that only read (``gds.<algo>.stream``/``stats``/``estimate`` too).
READ_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties", "db.info", "db.ping",
    "dbms.components", "gds.graph.list", "gds.graph.exists", "gds.version", "gds.list",
})
_READ_GDS_MODES = ("stream", "stats", "estimate")
_TOKEN = re.compile(
    r"""(?P<skip>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`|//[^\n]*|/\*.*?\*/)"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)"""
    r"""|(?P<other>\S)""",
    re.DOTALL)


def write_clauses(query: str) -> list[str]:
    """The write clauses and write procedures in ``query`` (empty when it only reads)."""
    found: list[str] = []
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(query)]
    for i, (kind, text) in enumerate(tokens):
        if kind != "word":
            continue
        prev = tokens[i - 1][1] if i else ""
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if prev in (".", ":", "$") or nxt == ":":
            continue  # a property, a label or type, a parameter, or a map key
        word = text.upper()
        if prev.upper() == "CALL" and i >= 1 and tokens[i - 1][0] == "word":
            compact = re.sub(r"\s+", "", text)
            name = compact.lower()
            if name not in READ_PROCEDURES and not (
                    name.startswith("gds.") and name.rsplit(".", 1)[-1] in _READ_GDS_MODES):
                found.append(f"CALL {compact}")
            continue
        if "." not in text and word in WRITE_WORDS:
            found.append(word)
    return found


def refuse_writes(query: str) -> None:
    """Raise :class:`~graph.errors.UmbrellaError` when ``query`` would write.

    Examples
    --------
    >>> refuse_writes("MATCH (n) RETURN count(n)")
    >>> refuse_writes("MATCH (n) SET n.x = 1")
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: the query writes (SET) and was not sent
    """
    from graph.errors import UmbrellaError

    found = write_clauses(query)
    if found:
        raise UmbrellaError(
            f"the query writes ({', '.join(dict.fromkeys(found))}) and was not sent",
            hint="queries are read-only; add --write if you mean to change the database")
