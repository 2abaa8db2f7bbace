"""Refuse writes in ad-hoc Cypher before it reaches the server.

``umbrella query`` runs read-only unless ``--write`` is given, on two fences:
the query runs in a read transaction (``execute_read``), in which Neo4j itself
refuses to write (``Neo.ClientError.Statement.AccessMode``), and before that this
check refuses a write with a clear message, even on servers (or proxies) that
would accept it. Names are read the way Cypher reads them: comments dropped,
``\\uXXXX`` escapes decoded, backtick names unquoted and dotted procedure names
joined (``CALL `apoc`.`create`.node`` is ``apoc.create.node``). Strings, property
keys (``n.set``) and map keys (``{create: 1}``) are not mistaken for clauses.

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

from graph.text import _

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
    r"""(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    r"""|(?P<comment>//[^\n]*|/\*.*?(?:\*/|$))"""
    r"""|(?P<quoted>`(?:[^`]|``)*`)"""
    r"""|(?P<ident>[^\W\d]\w*)"""
    r"""|(?P<space>\s+)"""
    r"""|(?P<other>.)""",
    re.DOTALL)
_UNICODE = re.compile(r"\\u([0-9a-fA-F]{4})")
_STRINGS = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""", re.DOTALL)


def _tokens(query: str) -> list[tuple[str, str]]:
    """Cypher tokens as the server reads them: comments dropped, ``\\uXXXX`` escapes outside
    strings decoded, backtick names unquoted, and a dotted name (``apoc . `create`.node``)
    joined into one ``name`` token."""
    raw: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(query):
        kind, text = str(m.lastgroup), m.group()
        if kind == "string":
            raw.append(("string", text))
        elif kind in ("comment", "space"):
            raw.append(("space", " "))
        elif kind == "quoted":
            raw.append(("name", text[1:-1].replace("``", "`")))
        elif kind == "ident":
            raw.append(("word", text))
        else:
            raw.append(("other", text))
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(raw):
        kind, text = raw[i]
        if kind not in ("word", "name"):
            if kind != "space":
                out.append((kind, text))
            i += 1
            continue
        parts, j = [text], i + 1
        while True:
            k = j
            while k < len(raw) and raw[k][0] == "space":
                k += 1
            if k < len(raw) and raw[k] == ("other", "."):
                k += 1
                while k < len(raw) and raw[k][0] == "space":
                    k += 1
                if k < len(raw) and raw[k][0] in ("word", "name"):
                    parts.append(raw[k][1])
                    kind = "word" if kind == "word" and raw[k][0] == "word" else "name"
                    j = k + 1
                    continue
            break
        out.append((kind if len(parts) == 1 else "dotted", ".".join(parts)))
        i = j
    return out


def write_clauses(query: str) -> list[str]:
    """The write clauses and write procedures in ``query`` (empty when it only reads).

    Examples
    --------
    >>> write_clauses("CALL `apoc`.`create`.`node`(['X'], {}) YIELD node RETURN node")
    ['CALL apoc.create.node']
    >>> write_clauses("CALL apoc./* hidden */create . node(['X'], {})")
    ['CALL apoc.create.node']
    >>> write_clauses("MATCH (n) \\u0044ELETE n"), write_clauses("RETURN '\\u0044ELETE'")
    (['DELETE'], [])
    >>> write_clauses("MATCH (`CREATE`) RETURN `CREATE`")
    []
    """
    pieces = _STRINGS.split(query)  # odd pieces are string literals, kept as written
    tokens = _tokens("".join(p if i % 2 else _UNICODE.sub(lambda u: chr(int(u.group(1), 16)), p)
                             for i, p in enumerate(pieces)))
    found: list[str] = []
    for i, (kind, text) in enumerate(tokens):
        if kind not in ("word", "dotted", "name"):
            continue
        prev_kind, prev = tokens[i - 1] if i else ("", "")
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if prev in (".", ":", "$") or nxt == ":":
            continue  # a property, a label or type, a parameter, or a map key
        if prev_kind == "word" and prev.upper() == "CALL":
            name = text.lower()
            if name not in READ_PROCEDURES and not (
                    name.startswith("gds.") and name.rsplit(".", 1)[-1] in _READ_GDS_MODES):
                found.append(f"CALL {text}")
            continue
        if kind == "word" and text.upper() in WRITE_WORDS:
            found.append(text.upper())
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
            _("the query writes ({clauses}) and was not sent").format(
                clauses=", ".join(dict.fromkeys(found))),
            hint=_("queries are read-only; add --write if you mean to change the database"))
