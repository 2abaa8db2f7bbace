"""What each rule could judge: items assessed, flagged, and not assessable for missing data.

"No findings" and "no data to judge" look alike in a findings list. Each pattern
rule therefore declares, next to its SQL, what one *item* of its work is (a
contract for COI and COL, a payment for SUB, a case for REC and UMB) and a query
giving one row per item: ``item`` (the entity key) and ``missing`` (the name of the
first field the rule needs that the item lacks, NULL when it can be assessed).
After a rule ran, :func:`measure` runs that query on the scan's SQL runner (the
embedded engine or Spark) and counts:

- ``items``: every item in the database;
- ``assessed``: items with every needed field;
- ``flagged``: assessed items a finding of the rule is about (among its entity
  keys or the nodes of its evidence);
- ``not_assessed``: items lacking a needed field, and ``missing``: how many lack
  each field (an item counts under the first field it lacks, in the rule's order).

The community and broker rules (CLU-001, BRK-001) judge the whole graph, not
items, and declare no coverage.

Examples
--------
>>> c = Coverage("contract", "SELECT 1")
>>> summarise(c, [("K1", None), ("K2", "approver"), ("K3", None)], {"K3"})
{'item': 'contract', 'items': 3, 'assessed': 2, 'flagged': 1, 'not_assessed': 1, \
'missing': {'approver': 1}}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lang.core import N_

if TYPE_CHECKING:
    from queries.context import Context
    from queries.findings import Finding

#: What an item is, as the terminal names it (plural: the counts are totals).
ITEMS = {"contract": N_("contracts"), "payment": N_("payments"), "case": N_("cases"),
         "deal": N_("contracts and payments")}

#: A needed field, as the terminal names it ("not assessable: no approver 3").
FIELDS = {
    "supplier": N_("winner"), "approver": N_("approver"), "buyer": N_("buyer"),
    "award_date": N_("award date"), "bids": N_("second bidder"), "method": N_("method"),
    "bid": N_("bid"),
    "bid_amount": N_("second priced bid"), "date": N_("payment date"),
    "bank_account": N_("bank account"), "official": N_("official on the case"),
    "party": N_("party to the case"), "kind": N_("case kind"),
    "tender_period": N_("submission period"), "tenderers": N_("number of tenderers"),
    "sole_award": N_("single final award"), "final_award": N_("final award"),
    "bid_date": N_("bid date"), "outcome": N_("decided outcome"),
    "classification": N_("classification of what was bought"),
}


@dataclass(frozen=True)
class Coverage:
    """A rule's items: what one is and the SQL giving (``item``, ``missing``) per item;
    ``params`` gives the SQL's parameters from the rule's settings."""

    item: str
    sql: str
    params: Callable[[dict[str, Any]], dict[str, Any]] | None = None


#: Rule code -> its coverage (filled by :func:`covers` in the rule modules).
COVERAGE: dict[str, Coverage] = {}


def covers(code: str, item: str, sql: str,
           params: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> None:
    """Declare what rule ``code`` assesses (see the module's description)."""
    if item not in ITEMS:
        raise ValueError(f"unknown item {item!r}")
    COVERAGE[code] = Coverage(item, sql, params)


def flagged_keys(findings: Iterable[Finding]) -> set[str]:
    """Every entity key the findings are about: their keys and their evidence's nodes."""
    keys: set[str] = set()
    for f in findings:
        keys.update(f.keys)
        keys.update(str(step["key"]) for path in f.evidence for step in path if "key" in step)
    return keys


def summarise(cov: Coverage, rows: Iterable[tuple[str, str | None]],
              flagged: set[str]) -> dict[str, Any]:
    """The coverage object of one rule from its (item, missing) rows."""
    seen: dict[str, str | None] = {}
    for item, missing in rows:
        if item not in seen or seen[item] is not None:  # an item assessable once counts so
            seen[item] = missing or None
    lacking = Counter(m for m in seen.values() if m is not None)
    assessed = [k for k, m in seen.items() if m is None]
    return {"item": cov.item, "items": len(seen), "assessed": len(assessed),
            "flagged": sum(k in flagged for k in assessed),
            "not_assessed": sum(lacking.values()), "missing": dict(sorted(lacking.items()))}


def measure(ctx: Context, code: str, findings: list[Finding]) -> dict[str, Any] | None:
    """Rule ``code``'s coverage on this scan (None when it declares none)."""
    cov = COVERAGE.get(code)
    if cov is None:
        return None
    settings = ctx.rule_settings(code)
    rows = ctx.rows(cov.sql, cov.params(settings) if cov.params else {})
    return summarise(cov, ((str(r["item"]), r["missing"]) for r in rows),
                     flagged_keys(findings))
