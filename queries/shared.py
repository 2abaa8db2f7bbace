"""Intermediates several rules share, each computed once per scan (SQL over the engine's tables).

Kin chains carry the intersection ``[s, e]`` of their links' intervals (a chain
holds on a date when every link does), the record ids along the chain (``path``,
joined by ``>``) and the relations in order (``how``: ``spouse>sibling`` is the
spouse's sibling). A chain never comes back to a person it passed through.

``chain_starts`` is everyone a rule starts a chain from: officials (a post, an
approval, an official role in a case); chains are followed to ``$chain_hops`` ties
(the largest ``max_kin_hops`` of the rules in the scan) and each rule keeps its own.

Examples
--------
>>> sorted(SHARED)[:4]
['associate_ties', 'chain_starts', 'closed_contracts', 'co_owner_ties']
"""

from __future__ import annotations

from graph.schema import CASE_OFFICIAL_ROLES, KIN, TENDER_CLOSED


def _inverse_case(column: str) -> str:
    """SQL giving the inverse of a kin relation (from the schema's declarations)."""
    whens = " ".join(f"WHEN '{code}' THEN '{k.inverse}'" for code, k in KIN.items()
                     if k.inverse != code)
    return f"CASE {column} {whens} ELSE {column} END"


_OFFICIAL_ROLES = ", ".join(f"'{r}'" for r in CASE_OFFICIAL_ROLES)
_CLOSED = ", ".join(f"'{s}'" for s in TENDER_CLOSED)

SHARED: dict[str, str] = {
    # kin links in both directions: b is a's relation
    "kin_edges": f"""
        SELECT src AS a, dst AS b, s, e, id, relation FROM rel_KIN
        UNION ALL
        SELECT dst AS a, src AS b, s, e, id, {_inverse_case('relation')} AS relation
        FROM rel_KIN""",
    "chain_starts": f"""
        SELECT src AS key FROM rel_HOLDS_POST
        UNION SELECT src FROM rel_APPROVED
        UNION SELECT src FROM rel_CASE_ROLE WHERE role IN ({_OFFICIAL_ROLES})""",
    "kin_chains": """
        WITH c1 AS (
            SELECT a, b, s, e, 1 AS hops, id AS path, relation AS how, b AS n1
            FROM kin_edges WHERE a IN (SELECT key FROM chain_starts)),
        c2 AS (
            SELECT c1.a, x.b, greatest(c1.s, x.s) AS s, least(c1.e, x.e) AS e, 2 AS hops,
                   c1.path || '>' || x.id AS path, c1.how || '>' || x.relation AS how,
                   c1.n1, x.b AS n2
            FROM c1 JOIN kin_edges x ON x.a = c1.b
            WHERE $chain_hops >= 2 AND x.b <> c1.a AND greatest(c1.s, x.s) <= least(c1.e, x.e)),
        c3 AS (
            SELECT c2.a, x.b, greatest(c2.s, x.s) AS s, least(c2.e, x.e) AS e, 3 AS hops,
                   c2.path || '>' || x.id AS path, c2.how || '>' || x.relation AS how
            FROM c2 JOIN kin_edges x ON x.a = c2.n2
            WHERE $chain_hops >= 3 AND x.b <> c2.a AND x.b <> c2.n1
              AND greatest(c2.s, x.s) <= least(c2.e, x.e))
        SELECT a, b, s, e, hops, path, how FROM c1 WHERE a <> b
        UNION ALL SELECT a, b, s, e, hops, path, how FROM c2 WHERE a <> b
        UNION ALL SELECT a, b, s, e, hops, path, how FROM c3 WHERE a <> b""",
    "associate_ties": """
        SELECT src AS a, dst AS b, s, e, 1 AS hops, id AS path, 'associate' AS how
        FROM rel_ASSOCIATE
        UNION ALL
        SELECT dst, src, s, e, 1, id, 'associate' FROM rel_ASSOCIATE""",
    "co_owner_ties": """
        SELECT r1.src AS a, r2.src AS b, greatest(r1.s, r2.s) AS s, least(r1.e, r2.e) AS e,
               1 AS hops, r1.id || '>' || r2.id AS path, 'co_owner' AS how
        FROM rel_COMPANY_ROLE r1 JOIN rel_COMPANY_ROLE r2 ON r1.dst = r2.dst
        WHERE r1.src LIKE 'p:%' AND r2.src LIKE 'p:%' AND r1.src <> r2.src
          AND greatest(r1.s, r2.s) <= least(r1.e, r2.e)""",
    # kin chains, known associates and co-owners of a company: how two persons are tied
    "ties": """
        SELECT a, b, s, e, hops, path, how FROM kin_chains
        UNION ALL SELECT a, b, s, e, hops, path, how FROM associate_ties
        UNION ALL SELECT a, b, s, e, hops, path, how FROM co_owner_ties""",
    # contracts whose tender did not go ahead (cancelled, unsuccessful, withdrawn): no
    # rule reads their bids or award as a competition or a purchase that took place
    "closed_contracts": f"""
        SELECT key FROM ent_contract WHERE lower(trim(tender_status)) IN ({_CLOSED})""",
    # how many tip-offs name each entity
    "report_counts": "SELECT dst AS key, count(*) AS n FROM rel_REPORTED GROUP BY dst",
}
