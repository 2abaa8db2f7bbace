"""The match book of the Neo4j store: ``MatchDecision`` and ``MatchMerge`` nodes, and
merges applied to its entity nodes, relationships and ``SourceId`` nodes.

The same model as the embedded store (:mod:`graph.store.sqlite_match_decisions`):
decisions and merge events are only ever created (the commands never change or remove
one; Neo4j has no trigger to refuse it, so a person with write access to the server
could); a merge, in one write transaction, gives ``a`` the properties it lacked,
re-creates every relationship of ``b`` on ``a`` (a relationship cannot change its
ends: its type, ``rid``, dates, properties and sources are copied as they were),
re-keys ``b``'s source ids to ``a`` and removes ``b``; the journal stored with the
event holds ``b``'s node, ``a``'s properties, every relationship of ``b`` and ``b``'s
source-id nodes, and undo puts them back. Cypher values travel as parameters;
labels and relationship types come from the schema and are quoted by
:mod:`graph.store.neo4j.cypher`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from graph.errors import UmbrellaError
from graph.schema import REL_TYPES
from graph.store.base import now_text
from graph.store.match_decisions import (
    Decision,
    MergeEvent,
    check_decision,
    undoable,
)
from graph.store.neo4j import cypher
from graph.text import _

if TYPE_CHECKING:
    import neo4j

    from graph.store.neo4j import Neo4jStore

_D, _M = "`MatchDecision`", "`MatchMerge`"
E, S = cypher.label(cypher.ENTITY), cypher.label(cypher.SOURCE_ID)
SEP = "\x1f"
_FIELDS = ("pair", "decision", "note", "author", "at", "kind", "a", "b", "name_a", "name_b",
           "score", "seq")
CREATE_DECISION = (
    f"OPTIONAL MATCH (x:{_D}) WITH coalesce(max(x.seq), 0) + 1 AS seq "
    f"CREATE (d:{_D}) SET d = $row, d.seq = seq RETURN seq")
DECISIONS = (f"MATCH (d:{_D}) WHERE $pair IS NULL OR d.pair = $pair "
             "RETURN properties(d) AS d ORDER BY d.seq")
CREATE_MERGE = (
    f"OPTIONAL MATCH (x:{_M}) WITH coalesce(max(x.seq), 0) + 1 AS seq "
    f"CREATE (m:{_M}) SET m = $row, m.seq = seq RETURN seq")
MERGES = f"MATCH (m:{_M}) RETURN properties(m) AS m ORDER BY m.seq"
NODE = f"MATCH (n:{E} {{key: $key}}) RETURN properties(n) AS props, labels(n) AS labels"
TIES_OF = (f"MATCH (n:{E} {{key: $key}})-[r]-(:{E}) WHERE type(r) IN $types "
           "RETURN DISTINCT type(r) AS type, properties(r) AS props, "
           "startNode(r).key AS src, endNode(r).key AS dst ORDER BY props.rid")
SOURCES_OF = f"MATCH (s:{S} {{key: $key}}) RETURN properties(s) AS s ORDER BY s.uid"
HAS_SOURCE = f"MATCH (s:{S} {{uid: $uid}}) RETURN count(s) AS n"
GAIN = (f"MATCH (n:{E} {{key: $key}}) WITH n, properties(n) AS old "
        "SET n += $props SET n += old")
SET_PROPS = f"MATCH (n:{E} {{key: $key}}) SET n = $props"
DELETE_TIES = f"MATCH (n:{E} {{key: $key}})-[r]-() WHERE type(r) IN $types DELETE r"
DELETE_MOVED = (f"MATCH (n:{E} {{key: $key}})-[r]-() WHERE type(r) IN $types AND r.rid IN $rids "
                "DELETE r")
DELETE_NODE = f"MATCH (n:{E} {{key: $key}}) DETACH DELETE n"
DELETE_SOURCES = f"UNWIND $uids AS u MATCH (s:{S} {{uid: u}}) DELETE s"
CREATE_SOURCES = f"UNWIND $rows AS row CREATE (s:{S}) SET s = row"


def _create_ties(type_: str) -> str:
    """Create relationships of one (whitelisted) type from ``$rows`` (src, dst, props)."""
    return (f"UNWIND $rows AS row MATCH (a:{E} {{key: row.src}}) MATCH (b:{E} "
            f"{{key: row.dst}}) CREATE (a)-[r:{cypher.rel_type(type_)}]->(b) SET r = row.props")


def _create_node(kind_label: str) -> str:
    return f"CREATE (n:{E}:{kind_label}) SET n = $props"


def _rows(tx: neo4j.ManagedTransaction, query: str, **params: Any) -> list[dict[str, Any]]:
    return [r.data() for r in tx.run(query, params)]


class Neo4jMatchBook:
    """The decisions and merges of one Neo4j store (the store's own connection)."""

    def __init__(self, store: Neo4jStore) -> None:
        self._conn = store.connection
        self.location = store.location

    def decide(self, entry: Decision) -> int:
        check_decision(entry)
        row = {f: getattr(entry, f) for f in _FIELDS if f != "seq"}
        row.update(author=entry.author.strip(), at=now_text(), reasons=list(entry.reasons))
        return int(self._conn.write(CREATE_DECISION, row=row)[0]["seq"])

    def _decisions(self, pair: str | None) -> list[Decision]:
        out = []
        for r in self._conn.read(DECISIONS, pair=pair):
            d = r["d"]
            values = [d.get(f, "") for f in _FIELDS[:-2]]
            out.append(Decision._make((*values, float(d.get("score") or 0.0), int(d["seq"]),
                                       tuple(d.get("reasons") or ()))))
        return out

    def history(self, pair: str) -> list[Decision]:
        return self._decisions(pair)

    def current(self) -> dict[str, Decision]:
        latest: dict[str, Decision] = {}
        for d in self._decisions(None):
            latest[d.pair] = d
        return dict(sorted(latest.items()))

    def merges(self) -> list[MergeEvent]:
        return [MergeEvent(m["pair"], m["action"], m["a"], m["b"], m["author"], m["at"],
                           json.loads(m["journal"]), int(m["seq"]))
                for m in (r["m"] for r in self._conn.read(MERGES))]

    def _log(self, tx: neo4j.ManagedTransaction, pair: str, action: str, a: str, b: str,
             author: str, journal: dict[str, Any]) -> MergeEvent:
        at = now_text()
        row = {"pair": pair, "action": action, "a": a, "b": b, "author": author, "at": at,
               "journal": json.dumps(journal, ensure_ascii=False)}
        seq = _rows(tx, CREATE_MERGE, row=row)[0]["seq"]
        return MergeEvent(pair, action, a, b, author, at, journal, int(seq))

    def merge(self, pair: str, a: str, b: str, author: str) -> MergeEvent:
        return self._conn.run_in_write(lambda tx: self._merge(tx, pair, a, b, author))

    def _merge(self, tx: neo4j.ManagedTransaction, pair: str, a: str, b: str,
               author: str) -> MergeEvent:
        if a == b:
            raise UmbrellaError(_("{pair}: both records are {key} already").format(
                pair=pair, key=a), hint=_("nothing to merge"))
        keep, gone = _rows(tx, NODE, key=a), _rows(tx, NODE, key=b)
        for key, row in ((a, keep), (b, gone)):
            if not row:
                raise UmbrellaError(
                    _("{pair}: {key} is not in the database").format(pair=pair, key=key),
                    hint=_("it was merged into another record or never loaded: umbrella "
                           "matches lists the pairs as they stand"))
        kinds = [sorted(set(r[0]["labels"]) & set(cypher.KIND_LABELS)) for r in (keep, gone)]
        if kinds[0] != kinds[1]:
            raise UmbrellaError(_("{pair}: {a} is a {kind_a} and {b} a {kind_b}").format(
                pair=pair, a=a, b=b, kind_a="/".join(kinds[0]), kind_b="/".join(kinds[1])),
                hint=_("only records of one kind can be one entity"))
        types = sorted(REL_TYPES)
        ties = _rows(tx, TIES_OF, key=b, types=types)
        sources = [r["s"] for r in _rows(tx, SOURCES_OF, key=b)]
        added = []
        for s in sources:
            uid = f"{s['table']}{SEP}{s['source_id']}{SEP}{a}"
            if not _rows(tx, HAS_SOURCE, uid=uid)[0]["n"]:
                added.append({**s, "key": a, "uid": uid})
        b_props = {k: v for k, v in gone[0]["props"].items() if k not in ("key", "name")}
        tx.run(GAIN, {"key": a, "props": b_props})
        tx.run(DELETE_TIES, {"key": b, "types": types})
        moved = [{**t, "src": a if t["src"] == b else t["src"],
                  "dst": a if t["dst"] == b else t["dst"]} for t in ties]
        self._create_ties(tx, moved)
        tx.run(DELETE_SOURCES, {"uids": [s["uid"] for s in sources]})
        tx.run(CREATE_SOURCES, {"rows": added})
        tx.run(DELETE_NODE, {"key": b})
        journal = {"a_props": keep[0]["props"], "b": gone[0]["props"], "b_kinds": kinds[1],
                   "ties": ties, "sources": sources, "added": [s["uid"] for s in added]}
        return self._log(tx, pair, "merge", a, b, author, journal)

    @staticmethod
    def _create_ties(tx: neo4j.ManagedTransaction, ties: list[dict[str, Any]]) -> None:
        by: dict[str, list[dict[str, Any]]] = {}
        for t in ties:
            by.setdefault(str(t["type"]), []).append(t)
        for type_, rows in by.items():
            tx.run(_create_ties(type_), {"rows": rows})

    def undo(self, pair: str, author: str) -> MergeEvent:
        return self._conn.run_in_write(lambda tx: self._undo(tx, pair, author))

    def _undo(self, tx: neo4j.ManagedTransaction, pair: str, author: str) -> MergeEvent:
        merged = undoable(self.merges(), pair)
        j, a, b = merged.journal, merged.a, merged.b
        if _rows(tx, NODE, key=b):
            raise UmbrellaError(
                _("{pair}: {key} is in the database again (loaded again since the merge)"
                  ).format(pair=pair, key=b),
                hint=_("decide the pair again: umbrella matches decide {pair} same|different"
                       ).format(pair=pair))
        if not _rows(tx, NODE, key=a):
            raise UmbrellaError(_("{pair}: {key} is not in the database").format(
                pair=pair, key=a), hint=_("umbrella matches lists the pairs as they stand"))
        tx.run(_create_node(":".join(cypher.label(k) for k in j["b_kinds"])),
               {"props": j["b"]})
        tx.run(SET_PROPS, {"key": a, "props": j["a_props"]})
        rids = {str(t["props"].get("rid")) for t in j["ties"]}
        # the moved relationships are those of a with a journalled rid: remove, re-create
        tx.run(DELETE_MOVED, {"key": a, "types": sorted(REL_TYPES), "rids": sorted(rids)})
        self._create_ties(tx, j["ties"])
        tx.run(DELETE_SOURCES, {"uids": j["added"]})
        tx.run(CREATE_SOURCES, {"rows": j["sources"]})
        return self._log(tx, pair, "undo", a, b, author, {})

    def close(self) -> None:
        """Nothing to release: the store owns the connection."""
