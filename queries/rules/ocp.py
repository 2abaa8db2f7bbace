"""OCP: Open Contracting's procurement red flags, as cardinal computes them.

``OCP-NNN`` is cardinal's indicator ``RNNN`` (github.com/open-contracting/cardinal-rs;
the methodology pages are the specification): OCP-003 short submission period,
OCP-018 single bid, OCP-024 price close to the winning bid, OCP-025 tenderer that
rarely wins, OCP-028 identical prices, OCP-030 late bid won, OCP-035 all but the
winner disqualified, OCP-036 lowest bid disqualified, OCP-038 excessive disqualified
bids, OCP-048 heterogeneous supplier, OCP-058 heavily discounted bid. Each rule's page
in ``docs/rules`` says how it reads the data layout and how it differs from the COL
rules. Only OCP-036 reads the bids that name no tenderer (a process's ``unnamed_bids``).

Every indicator reads procurement *processes*: the contract whose id is its
``process_id`` (the OCDS ``ocid``; a contract without one is its own process). As in
cardinal, a process whose tender did not go ahead is left out (our
``closed_contracts``: cancelled, and also unsuccessful or withdrawn), and so is one
whose ``method_details`` is in ``excluded_method_details``. Each finding names its
process(es) among its entities and in ``process_id`` (``process_ids`` for a finding
about a firm or a buyer across processes), and carries cardinal's result as
``indicator`` (``R024``), ``indicator_group`` (``OCID``, ``Tenderer``, ``Buyer``,
``ProcuringEntity``), ``indicator_value`` and ``indicator_tenderers`` (the tenderers
cardinal marks with the result, by published id).

The joins are SQL on the columnar engine (:mod:`queries.engine`); the fences of the
outlier indicators (quartiles of a few values per dataset, computed as cardinal's
statistics library does, :func:`quantile`) are computed in Python over the rows the
SQL returned.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from lang.core import N_
from lang.message import Msg, Template, money, names, number, word
from queries.context import Context
from queries.coverage import covers
from queries.findings import Finding, clip, node, rel
from queries.registry import rule

#: A row of a rule's query, by column name.
Row = dict[str, Any]

#: A word no list setting holds: DuckDB types an empty list parameter poorly, so every
#: list goes in with it.
_NONE = "\x1f"

#: Each contract's process (its ``process_id``, else its own id) and whether it is the
#: process's own row (the one that holds the bids), with the facts the indicators read;
#: ``supplier``/``award_id``: its first award; ``buyer``/``bought_id``: its first buyer.
CONTRACTS = """
    SELECT c.key AS contract, coalesce(c.process_id, a.source_id) AS process,
           (c.process_id IS NULL OR c.process_id = a.source_id) AS own,
           c.title, c.method, c.procurement_method, coalesce(c.method_details, '') AS details,
           c.number_of_tenderers AS tenderers, c.tender_start_at, c.tender_end_at,
           c.tender_start, c.tender_end,
           coalesce(c.awards_active, CASE WHEN aw.dst IS NULL THEN 0 ELSE 1 END) AS awards_active,
           coalesce(c.award_suppliers, CASE WHEN aw.dst IS NULL THEN 0 ELSE 1 END)
               AS award_suppliers,
           coalesce(c.awards_not_final, 0) AS awards_not_final,
           c.active_award_classifications AS classifications, c.procuring_entity_id,
           c.unnamed_bids,
           c.sector, coalesce(c.award_date, '') AS date,
           aw.dst AS supplier, aw.id AS award_id, bo.src AS buyer, bo.id AS bought_id
    FROM ent_contract c
    JOIN (SELECT key, min(source_id) AS source_id FROM aliases WHERE tbl = 'contracts'
          GROUP BY key) a ON a.key = c.key
    LEFT JOIN (SELECT id, src, dst FROM rel_AWARDED_TO
               QUALIFY row_number() OVER (PARTITION BY src ORDER BY id) = 1) aw
           ON aw.src = c.key
    LEFT JOIN (SELECT id, src, dst FROM rel_BOUGHT
               QUALIFY row_number() OVER (PARTITION BY dst ORDER BY id) = 1) bo
           ON bo.dst = c.key
    WHERE c.key NOT IN (SELECT key FROM closed_contracts)
      AND NOT list_contains($excluded_details, coalesce(c.method_details, ''))"""

#: The processes (their own contract rows).
PROCESSES = "SELECT * FROM contracts WHERE own"

#: Bids on the processes: status (blank = valid), the number of tenderers the bid named
#: (1 when the layout does not say), and who bid: ``party`` = the bidder, or the
#: consortium's published ids joined by ``|``.
BIDS = """
    SELECT b.id AS bid_id, b.src AS firm, b.dst AS contract, b.amount,
           coalesce(b.currency, '') AS currency,
           coalesce(nullif(trim(b.status), ''), 'valid') AS status,
           coalesce(b.tenderers, 1) AS named, b.date_at, b.start AS day,
           coalesce(nullif(b.consortium, ''), b.src) AS party
    FROM rel_BID b JOIN processes p ON p.contract = b.dst"""

#: Bids submitted (not merely invited, nor withdrawn).
SUBMITTED = "SELECT * FROM bids WHERE status NOT IN ('invited', 'withdrawn')"

#: Every supplier of an award that counts, by process (any of its contracts).
WINNERS = """
    SELECT c.process, aw.dst AS firm, min(aw.id) AS award_id
    FROM contracts c JOIN rel_AWARDED_TO aw ON aw.src = c.contract
    GROUP BY c.process, aw.dst"""

#: Whether a process's prices are compared: with ``price_comparison_method_details``
#: set, only those methods are; else every method but ``no_price_comparison_...``.
PRICED = """(($price_listed AND list_contains($price_details, p.details))
             OR (NOT $price_listed AND NOT list_contains($no_price_details, p.details)))"""

#: Processes whose awards are all final and that have one active award naming one
#: supplier, which the layout holds (``winner``).
SOLE_AWARD = """
    SELECT p.* FROM processes p
    WHERE p.awards_not_final = 0 AND p.awards_active = 1 AND p.award_suppliers = 1
      AND p.supplier IS NOT NULL"""

_BASE = (f"contracts AS ({CONTRACTS}), processes AS ({PROCESSES}), bids AS ({BIDS}), "
         f"submitted AS ({SUBMITTED}), winners AS ({WINNERS})")

_NO_FACTS = ""


def quantile(values: Sequence[float], tau: float) -> float:
    """The ``tau`` quantile as cardinal's statistics library (statrs) computes it:
    the approximately median-unbiased estimate (R-8, Hyndman and Fan).

    Examples
    --------
    >>> quantile([0, 0, 100, 100, 100, 100, 100, 100, 100], 0.25)  # doctest: +ELLIPSIS
    66.66...
    >>> round(quantile([2, 1, 1, 1, 1], 0.75), 6), quantile([5], 0.25), quantile([], 0.5)
    (1.333333, 5.0, nan)
    """
    xs = sorted(float(v) for v in values)
    n = len(xs)
    if n == 0:
        return math.nan
    h = (n + 1 / 3) * tau + 1 / 3
    hf = math.floor(h)
    if hf <= 0 or tau == 0:
        return xs[0]
    if hf >= n or tau == 1:
        return xs[-1]
    return xs[hf - 1] + (h - hf) * (xs[hf] - xs[hf - 1])


def tukey(values: Sequence[float], upper: bool) -> tuple[float, float]:
    """``(fence, q1)``: the upper fence Q3 + 1.5 IQR (``upper``) or the lower fence
    Q1 - 1.5 IQR of ``values``, with their first quartile.

    Examples
    --------
    >>> tukey([2, 1, 1, 1, 1], upper=True)  # doctest: +ELLIPSIS
    (1.83..., 1.0)
    """
    q1, q3 = quantile(values, 0.25), quantile(values, 0.75)
    return (q3 + 1.5 * (q3 - q1) if upper else q1 - 1.5 * (q3 - q1)), q1


def _words(values: Iterable[str]) -> list[str]:
    return [*values, _NONE]


def _params(ctx: Context) -> dict[str, Any]:
    """The SQL parameters every OCP rule reads from its settings."""
    return _settings_params(ctx.settings)


def _settings_params(st: dict[str, Any]) -> dict[str, Any]:
    price = list(st.get("price_comparison_method_details", []))
    return {"excluded_details": _words(st.get("excluded_method_details", [])),
            "price_listed": bool(price), "price_details": _words(price),
            "no_price_details": _words(st.get("no_price_comparison_method_details", []))}


def _methods(ctx: Context) -> list[str]:
    """``procurement_methods`` (OCDS codes); an empty list means every method."""
    return list(ctx.settings.get("procurement_methods", []))


#: A process's OCDS method: as published, else the layout's method as OCDS names it.
METHOD = """coalesce(p.procurement_method, CASE p.method WHEN 'open' THEN 'open'
             WHEN 'invited' THEN 'selective' WHEN 'direct' THEN 'direct' END)"""


def _method_filter(methods: list[str]) -> str:
    return f"({'TRUE' if not methods else 'FALSE'} OR list_contains($methods, {METHOD}))"


class _Ids:
    """Published (first source) ids of entity keys."""

    def __init__(self, ctx: Context) -> None:
        self.first = ctx.frames.first_ids()

    def __call__(self, key: str) -> str:
        return self.first.get(key, key)


def _process_finding(ctx: Context, code: str, p: Row, value: float, title: Template,
                     text: list[Msg], tenderers: dict[str, float],
                     bid_ids: Sequence[str] = ()) -> Finding:
    """A finding about one process: its contract, tenderers, bids and award as evidence."""
    f = ctx.frames
    ids = _Ids(ctx)
    c = p["contract"]
    evidence: list[list[dict[str, Any]]] = []
    for b in bid_ids:
        row = f.rel_row("BID", b)
        evidence.append([node(f, row["src"], "organization"), rel(f, row, "BID"),
                         node(f, c, "contract")])
    if isinstance(p.get("award_id"), str):
        evidence.append([node(f, c, "contract"),
                         rel(f, f.rel_row("AWARDED_TO", p["award_id"]), "AWARDED_TO"),
                         node(f, p["supplier"], "organization")])
    if isinstance(p.get("bought_id"), str):
        evidence.append([node(f, p["buyer"], "organization"),
                         rel(f, f.rel_row("BOUGHT", p["bought_id"]), "BOUGHT"),
                         node(f, c, "contract")])
    if not evidence:
        evidence.append([node(f, c, "contract")])
    keys = [c, *tenderers]
    score = float(ctx.settings["base_score"]) + ctx.report_bonus(list(tenderers))
    return Finding(clip(score), Msg(title, {"process": ctx.ent(c)}), keys, evidence, text,
                   sector=p["sector"] if isinstance(p.get("sector"), str) else "",
                   date=str(p.get("date") or ""),
                   extra={"indicator": "R" + code[-3:], "indicator_group": "OCID",
                          "indicator_value": value, "process_id": p["process"],
                          "indicator_tenderers": {ids(k): v for k, v in tenderers.items()}})


def _prefetch(ctx: Context, rows: Iterable[Row], bid_cols: Sequence[str] = ()) -> None:
    rows = list(rows)
    f = ctx.frames
    f.prefetch("BID", (r.get(c) for r in rows for c in bid_cols))
    f.prefetch("AWARDED_TO", (r.get("award_id") for r in rows))
    f.prefetch("BOUGHT", (r.get("bought_id") for r in rows))
    f.prefetch_keys(r.get(k) for r in rows for k in ("contract", "supplier", "buyer", "firm"))


def _by(rows: Iterable[Row], key: str) -> dict[Any, list[Row]]:
    out: dict[Any, list[Row]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


TEXT: dict[str, Template] = {
    "list_sep": N_("; "),
    # OCP-003
    "r003_title": N_("Short submission period in {process} (R003)"),
    "r003": N_("The tender of {process} was open for bids from {start} to {end}: {days} "
               "whole day(s), fewer than the {minimum} day(s) required for such tenders."),
    "r003_why": N_("A submission period too short for firms to prepare a bid favours a "
                   "bidder who knew of the tender in advance (Open Contracting red flag "
                   "R003)."),
    # OCP-018
    "r018_title": N_("Single bid received in {process} (R018)"),
    "r018": N_("{tender} {process} states that it received 1 bid."),
    "r018_why": N_("A competitive tender that attracts one bid may have been tailored to "
                   "one firm or advertised so that others did not bid (R018)."),
    # OCP-024 / OCP-058
    "r024_title": N_("Second-lowest bid close to the winning bid in {process} (R024)"),
    "r058_title": N_("Heavily discounted winning bid in {process} (R058)"),
    "gap": N_("{winner} won {process} with {won}; the lowest other valid bid, by {other}, "
              "was {second}: {ratio} above the winning price (the bids' ratio of "
              "difference to winning price)."),
    "r024_fence": N_("Ratios at or below {fence} are flagged; it is the lower fence of "
                     "the ratios of every process compared (or the threshold set)."),
    "r024_why": N_("Cover bids priced just above the winner's mimic competition between "
                   "colluding bidders (R024)."),
    "r058_fence": N_("Ratios at or above {fence} are flagged; it is the upper fence of "
                     "the ratios of every process compared (or the threshold set)."),
    "r058_why": N_("A winning price far below every other bid can come from a bidder who "
                   "expects to recover the difference through contract changes (R058)."),
    # OCP-025
    "r025_title": N_("{firm} bids often and rarely wins (R025)"),
    "r025": N_("{firm} made a valid bid in {n} process(es) and won {won} of them (a "
               "ratio of {ratio}); processes: {processes}."),
    "r025_fence": N_("Flagged: at least {bids} process(es) (the percentile set of all "
                     "tenderers) and a ratio at or below {fence}."),
    "r025_why": N_("A firm that keeps bidding without winning may be placing cover bids "
                   "for others (R025)."),
    # OCP-028
    "r028_title": N_("Identical bid prices from different bidders in {process} (R028)"),
    "r028": N_("In {process}, {groups}."),
    "r028_price": N_("{firms} bid the same price {amount}"),
    "r028_why": N_("Different bidders rarely arrive at exactly the same price unless they "
                   "agreed on it (R028)."),
    # OCP-030
    "r030_title": N_("Late bid won {process} (R030)"),
    "r030": N_("The submission period of {process} ended on {end}; {firm} bid on {date} "
               "and won."),
    "r030_why": N_("A bid accepted after the deadline, by the eventual winner, suggests "
                   "the buyer favoured that bidder (R030)."),
    # OCP-035
    "r035_title": N_("All bids but the winner's disqualified in {process} (R035)"),
    "r035": N_("In {process}, {firm} was the only valid bidder and won; {n} other "
               "bidder(s) were disqualified: {others}."),
    "r035_why": N_("Disqualifying every rival of a pre-chosen bidder is a way to steer an "
                   "award (R035)."),
    # OCP-036
    "r036_title": N_("Lowest bid disqualified in {process} (R036)"),
    "r036": N_("In {process}, the lowest submitted bid in {currency}, {amount}, was "
               "disqualified: {bids}. The lowest valid bid was {valid}; {n} submitted "
               "bid(s) in {currency} were compared, and the process has {awards} active "
               "award(s)."),
    "r036_firm": N_("the bid of {firm}"),
    "r036_unnamed": N_("a bid that names no tenderer (status disqualified, amount "
                       "{amount}), recorded on the process's contract row"),
    "r036_why": N_("When the price decides the award, disqualifying the lowest bid is a "
                   "way to award a pre-chosen, dearer bidder (R036). On its own it is weak: "
                   "a bid far below the others is often rejected lawfully as abnormally "
                   "low, so read the reason given; a buyer that does it again and again is "
                   "OCP-038's lead."),
    # OCP-038
    "r038_title": N_("{subject} has a high share of disqualified bids (R038)"),
    "r038_buyer": N_("Of {n} bid(s) submitted to processes of {subject} as {role}, {d} "
                     "were disqualified ({ratio}); processes: {processes}."),
    "r038_firm": N_("Of {n} bid(s) submitted by {subject}, {d} were disqualified "
                    "({ratio}); processes: {processes}."),
    "r038_fence": N_("Shares at or above {fence} are flagged (the upper fence of all "
                     "shares, or the threshold set)."),
    "r038_why": N_("A buyer can steer awards by disqualifying bidders; a bidder that is "
                   "often disqualified may be placing bids meant to lose (R038)."),
    # OCP-048
    "r048_title": N_("{firm} won awards in many unrelated sectors (R048)"),
    "r048": N_("{firm} was awarded items in {n} process(es), of {segments} different "
               "classification group(s) ({digits} leading digits): {codes}."),
    "r048_fence": N_("Suppliers with {fence} group(s) or more are flagged (the upper "
                     "fence of all suppliers, or the threshold set)."),
    "r048_why": N_("A supplier of everything may be a shell company or an intermediary "
                   "(R048)."),
}

_ROLE = {"Buyer": N_("buyer"), "ProcuringEntity": N_("procuring entity")}


def _ratio(v: float) -> dict[str, Any]:
    return number(v, 4)


# -- OCP-003 -----------------------------------------------------------------------------

#: OCP-003: processes of $methods with a tender period: its ends to the second when both
#: are known so (``tender_*_at``), else its first and last day (the layout's dates: a
#: period of whole days, the last one included); ``seconds`` from start to end.
OCP_003 = f"""
    WITH {_BASE},
    period AS (
        SELECT p.*, CASE WHEN p.tender_start_at IS NOT NULL AND p.tender_end_at IS NOT NULL
                         THEN p.tender_start_at ELSE CAST(p.tender_start AS VARCHAR) END AS t0,
               CASE WHEN p.tender_start_at IS NOT NULL AND p.tender_end_at IS NOT NULL
                    THEN p.tender_end_at ELSE CAST(p.tender_end AS VARCHAR) END AS t1,
               (p.tender_start_at IS NULL OR p.tender_end_at IS NULL) AS by_day
        FROM processes p)
    SELECT p.*, epoch(CAST(p.t1 AS TIMESTAMP)) - epoch(CAST(p.t0 AS TIMESTAMP))
                + CASE WHEN p.by_day THEN 86400 ELSE 0 END AS seconds
    FROM period p
    WHERE p.t0 IS NOT NULL AND p.t1 IS NOT NULL AND {{methods}}
    ORDER BY p.process"""


def _days_by_details(ctx: Context) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in ctx.settings.get("days_by_method_details", []):
        name, _sep, days = str(item).rpartition("=")
        out[name] = int(days)
    return out


@rule("OCP-003", "collusion", "Short submission period (R003)")
def short_submission(ctx: Context) -> list[Finding]:
    """Processes whose tender period was shorter than the minimum for their method."""
    methods = _methods(ctx)
    rows = ctx.rows(OCP_003.replace("{methods}", _method_filter(methods)),
                    {**_params(ctx), "methods": _words(methods)})
    default = int(ctx.settings["min_tender_days"])
    by_details = _days_by_details(ctx)
    hits = []
    for r in rows:
        minimum = by_details.get(r["details"], default)
        seconds = float(r["seconds"])
        if seconds < minimum * 86400:
            hits.append((r, minimum, int(seconds / 86400)))
    _prefetch(ctx, [h[0] for h in hits])
    out = []
    for r, minimum, days in hits:
        fields = {"process": ctx.ent(r["contract"]), "start": r["t0"], "end": r["t1"],
                  "days": days, "minimum": minimum}
        out.append(_process_finding(ctx, "OCP-003", r, 1.0, TEXT["r003_title"],
                                    [Msg(TEXT["r003"], fields), Msg(TEXT["r003_why"])], {}))
    return out


# -- OCP-018 -----------------------------------------------------------------------------

#: OCP-018: processes of $methods whose stated number of tenderers is 1.
OCP_018 = f"""
    WITH {_BASE}
    SELECT p.*, {METHOD} AS ocds_method FROM processes p
    WHERE p.tenderers = 1 AND {{methods}}
    ORDER BY p.process"""


@rule("OCP-018", "collusion", "Single bid received (R018)")
def single_bid_stated(ctx: Context) -> list[Finding]:
    """Competitive processes whose tender states one tenderer."""
    methods = _methods(ctx)
    rows = ctx.rows(OCP_018.replace("{methods}", _method_filter(methods)),
                    {**_params(ctx), "methods": _words(methods)})
    _prefetch(ctx, rows)
    return [_process_finding(
        ctx, "OCP-018", r, 1.0, TEXT["r018_title"],
        [Msg(TEXT["r018"], {"process": ctx.ent(r["contract"]),
                            "tender": word("Tender", r["method"]) if r["method"]
                            else r["ocds_method"]}), Msg(TEXT["r018_why"])], {})
        for r in rows]


# -- OCP-024 and OCP-058 --------------------------------------------------------------------

#: The second-lowest bid ratio of each priced process with one final award to one
#: supplier: the winner's lowest valid bid and the lowest valid bid of anyone else, each
#: by a single tenderer, in the currency compared ($currency, else the currency most
#: valid bids are in), when the other is not lower and the winner's is above zero.
RATIOS = f"""
    WITH {_BASE}, sole AS ({SOLE_AWARD}),
    cur AS (SELECT coalesce(nullif($currency, ''),
                            (SELECT currency FROM bids WHERE status = 'valid' AND currency <> ''
                             AND amount IS NOT NULL
                             GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1))
                   AS currency),
    priced AS (
        SELECT b.*, b.firm = p.supplier AS won
        FROM bids b JOIN sole p ON p.contract = b.contract
        WHERE b.status = 'valid' AND b.amount IS NOT NULL AND b.named = 1
          AND b.currency = (SELECT currency FROM cur) AND {PRICED}),
    w AS (SELECT * FROM priced WHERE won
          QUALIFY row_number() OVER (PARTITION BY contract ORDER BY amount, firm, bid_id) = 1),
    o AS (SELECT * FROM priced WHERE NOT won
          QUALIFY row_number() OVER (PARTITION BY contract ORDER BY amount, firm, bid_id) = 1)
    SELECT p.*, w.firm, w.amount AS won, w.bid_id, o.firm AS other, o.amount AS second,
           o.bid_id AS other_bid, w.currency AS price_currency,
           (o.amount - w.amount) / w.amount AS ratio
    FROM sole p JOIN w ON w.contract = p.contract JOIN o ON o.contract = p.contract
    WHERE o.amount >= w.amount AND w.amount > 0
    ORDER BY p.process"""


def _ratios(ctx: Context) -> list[Row]:
    return ctx.rows(RATIOS, {**_params(ctx), "currency": str(ctx.settings.get("currency", ""))})


def _gap_text(ctx: Context, r: Row, fence_key: str, fence: float, why: str) -> list[Msg]:
    fields = {"process": ctx.ent(r["contract"]), "winner": ctx.ent(r["firm"]),
              "other": ctx.ent(r["other"]), "won": money(r["won"], r["price_currency"]),
              "second": money(r["second"], r["price_currency"]), "ratio": _ratio(r["ratio"]),
              "fence": _ratio(fence)}
    return [Msg(TEXT["gap"], fields), Msg(TEXT[fence_key], fields), Msg(TEXT[why])]


@rule("OCP-024", "collusion", "Price close to the winning bid (R024)")
def close_second_bid(ctx: Context) -> list[Finding]:
    """Processes whose second-lowest bid is a low outlier above the winning bid."""
    rows = _ratios(ctx)
    threshold = float(ctx.settings["max_price_gap"])
    if threshold > 0:
        fence, q1 = threshold, 1.0
    else:
        fence, q1 = tukey([r["ratio"] for r in rows], upper=False)
    if not rows or not (q1 > 0 and fence > 0):
        return []
    hits = [r for r in rows if r["ratio"] <= fence]
    _prefetch(ctx, hits, ("bid_id", "other_bid"))
    return [_process_finding(ctx, "OCP-024", r, float(r["ratio"]), TEXT["r024_title"],
                             _gap_text(ctx, r, "r024_fence", fence, "r024_why"),
                             {r["firm"]: 0.0, r["other"]: 0.0}, (r["bid_id"], r["other_bid"]))
            for r in hits]


@rule("OCP-058", "collusion", "Heavily discounted bid (R058)")
def discounted_bid(ctx: Context) -> list[Finding]:
    """Processes whose second-lowest bid is a high outlier above the winning bid."""
    rows = _ratios(ctx)
    threshold = float(ctx.settings["min_price_gap"])
    fence = threshold if threshold > 0 else tukey([r["ratio"] for r in rows], upper=True)[0]
    if not rows or not fence > 0:
        return []
    hits = [r for r in rows if r["ratio"] >= fence]
    _prefetch(ctx, hits, ("bid_id", "other_bid"))
    return [_process_finding(ctx, "OCP-058", r, float(r["ratio"]), TEXT["r058_title"],
                             _gap_text(ctx, r, "r058_fence", fence, "r058_why"),
                             {r["firm"]: 0.0}, (r["bid_id"], r["other_bid"]))
            for r in hits]


# -- OCP-028 -------------------------------------------------------------------------------

#: OCP-028: submitted bids of priced processes whose exact amount, in the same currency,
#: another party (a bidder or consortium) also bid; each party's first bid at that price.
OCP_028 = f"""
    WITH {_BASE},
    priced AS (
        SELECT b.contract, b.amount, b.currency, b.party, b.firm, min(b.bid_id) AS bid_id
        FROM submitted b JOIN processes p ON p.contract = b.contract
        WHERE b.amount IS NOT NULL AND b.currency <> '' AND {PRICED}
        GROUP BY b.contract, b.amount, b.currency, b.party, b.firm),
    shared AS (SELECT contract, amount, currency FROM priced
               GROUP BY contract, amount, currency HAVING count(DISTINCT party) >= 2)
    SELECT p.*, s.amount AS price, s.currency AS price_currency, s.party, s.firm, s.bid_id
    FROM priced s
    JOIN shared x ON x.contract = s.contract AND x.amount = s.amount AND x.currency = s.currency
    JOIN processes p ON p.contract = s.contract
    ORDER BY p.process, s.currency, s.amount, s.party"""


@rule("OCP-028", "collusion", "Identical bid prices (R028)")
def identical_prices_ocp(ctx: Context) -> list[Finding]:
    """Processes where different bidders submitted exactly the same price."""
    rows = ctx.rows(OCP_028, _params(ctx))
    _prefetch(ctx, rows, ("bid_id",))
    ids = _Ids(ctx)
    out = []
    for g in _by(rows, "contract").values():
        p = g[0]
        tenderers: dict[str, float] = {}
        parts = []
        for (amount, currency), a in _by_price(g).items():
            parts.append(Msg(TEXT["r028_price"], {
                "firms": names([ctx.ent(r["firm"]) for r in a], None),
                "amount": money(amount, currency)}))
            for r in a:
                for member in _members(r, ids):
                    tenderers[member] = 1.0
        finding = _process_finding(
            ctx, "OCP-028", p, 1.0, TEXT["r028_title"],
            [Msg(TEXT["r028"], {"process": ctx.ent(p["contract"]),
                                "groups": names(parts, None, TEXT["list_sep"])}),
             Msg(TEXT["r028_why"])],
            {r["firm"]: 1.0 for r in g}, [r["bid_id"] for r in g])
        finding.extra["indicator_tenderers"] = tenderers
        out.append(finding)
    return out


def _by_price(rows: list[Row]) -> dict[tuple[Any, Any], list[Row]]:
    out: dict[tuple[Any, Any], list[Row]] = {}
    for r in rows:
        out.setdefault((r["price"], r["price_currency"]), []).append(r)
    return out


def _members(r: Row, ids: _Ids) -> list[str]:
    """The published ids of the party that made a bid (a consortium's every member)."""
    party = str(r["party"])
    return party.split("|") if party != r["firm"] else [ids(r["firm"])]


# -- OCP-030 -------------------------------------------------------------------------------

#: OCP-030: valid bids dated after the end of their process's submission period, by a
#: supplier of one of the process's awards (compared to the second when both are known
#: to the second, else by day).
OCP_030 = f"""
    WITH {_BASE}
    SELECT p.*, b.firm, b.bid_id, coalesce(b.date_at, CAST(b.day AS VARCHAR)) AS bid_date,
           coalesce(p.tender_end_at, CAST(p.tender_end AS VARCHAR)) AS end_date
    FROM processes p JOIN bids b ON b.contract = p.contract
    JOIN winners w ON w.process = p.process AND w.firm = b.firm
    WHERE b.status = 'valid'
      AND CASE WHEN b.date_at IS NOT NULL AND p.tender_end_at IS NOT NULL
               THEN b.date_at > p.tender_end_at
               ELSE CAST(b.day AS VARCHAR) > CAST(p.tender_end AS VARCHAR) END
    ORDER BY p.process, b.firm, b.bid_id"""


@rule("OCP-030", "collusion", "Late bid won (R030)")
def late_bid_won(ctx: Context) -> list[Finding]:
    """Processes won by a bid submitted after the submission period."""
    rows = ctx.rows(OCP_030, _params(ctx))
    _prefetch(ctx, rows, ("bid_id",))
    out = []
    for g in _by(rows, "contract").values():
        p = g[0]
        text = [Msg(TEXT["r030"], {"process": ctx.ent(p["contract"]), "end": r["end_date"],
                                   "firm": ctx.ent(r["firm"]), "date": r["bid_date"]})
                for r in g]
        out.append(_process_finding(ctx, "OCP-030", p, 1.0, TEXT["r030_title"],
                                    [*text, Msg(TEXT["r030_why"])],
                                    {r["firm"]: 1.0 for r in g}, [r["bid_id"] for r in g]))
    return out


# -- OCP-035 -------------------------------------------------------------------------------

#: OCP-035: processes whose awards are all final, whose one valid bidder is the one
#: supplier of its awards, with the bidders disqualified who did not also bid validly.
OCP_035 = f"""
    WITH {_BASE},
    final AS (SELECT * FROM processes WHERE awards_not_final = 0 AND awards_active >= 1),
    valid AS (SELECT contract, count(DISTINCT firm) AS n, min(firm) AS firm, min(bid_id) AS bid_id
              FROM bids WHERE status = 'valid' GROUP BY contract),
    won AS (SELECT process, count(*) AS n, min(firm) AS firm FROM winners GROUP BY process),
    hits AS (
        SELECT p.*, v.firm, v.bid_id FROM final p
        JOIN valid v ON v.contract = p.contract AND v.n = 1
        JOIN won w ON w.process = p.process AND w.n = 1 AND w.firm = v.firm)
    SELECT h.*, d.other, d.other_bid
    FROM hits h
    JOIN (SELECT contract, firm AS other, min(bid_id) AS other_bid FROM bids
          WHERE status = 'disqualified' GROUP BY contract, firm) d
      ON d.contract = h.contract AND d.other <> h.firm
    ORDER BY h.process, d.other"""


@rule("OCP-035", "collusion", "All except winning bid disqualified (R035)")
def rivals_disqualified(ctx: Context) -> list[Finding]:
    """Processes where every bidder but the winner was disqualified."""
    rows = ctx.rows(OCP_035, _params(ctx))
    minimum = int(ctx.settings["min_disqualified"])
    groups = [g for g in _by(rows, "contract").values() if len(g) >= minimum]
    _prefetch(ctx, [r for g in groups for r in g], ("bid_id", "other_bid"))
    out = []
    for g in groups:
        p = g[0]
        fields = {"process": ctx.ent(p["contract"]), "firm": ctx.ent(p["firm"]), "n": len(g),
                  "others": names([ctx.ent(r["other"]) for r in g], None)}
        finding = _process_finding(
            ctx, "OCP-035", p, float(len(g)), TEXT["r035_title"],
            [Msg(TEXT["r035"], fields), Msg(TEXT["r035_why"])], {p["firm"]: 0.0},
            [p["bid_id"], *(r["other_bid"] for r in g)])
        finding.keys.extend(r["other"] for r in g)
        out.append(finding)
    return out


# -- OCP-036 -------------------------------------------------------------------------------

#: OCP-036: priced processes with one or more active awards, with the bids naming no
#: tenderer they keep (``unnamed_bids``, read in Python).
OCP_036 = f"""
    WITH {_BASE}
    SELECT p.* FROM processes p
    WHERE p.awards_active >= 1 AND {PRICED}
    ORDER BY p.process"""

#: OCP-036: the submitted bids with an amount and a currency of those processes.
OCP_036_BIDS = f"""
    WITH {_BASE}
    SELECT b.contract, b.bid_id, b.firm, b.amount, b.currency, b.status
    FROM submitted b JOIN processes p ON p.contract = b.contract
    WHERE p.awards_active >= 1 AND {PRICED} AND b.amount IS NOT NULL AND b.currency <> ''
    ORDER BY b.contract, b.bid_id"""


def _unnamed(p: Row) -> list[Row]:
    """The submitted bids with an amount and a currency that process ``p`` keeps in
    ``unnamed_bids`` (bids naming no tenderer), as bid rows without bidder."""
    try:
        listed = json.loads(p.get("unnamed_bids") or "[]")
    except ValueError:
        return []
    out = []
    for b in listed if isinstance(listed, list) else []:
        if not isinstance(b, dict):
            continue
        amount, currency = b.get("amount"), str(b.get("currency") or "").strip().upper()
        status = str(b.get("status") or "").strip() or "valid"
        if (isinstance(amount, (int, float)) and not isinstance(amount, bool) and currency
                and status not in ("invited", "withdrawn")):
            out.append({"contract": p["contract"], "bid_id": None, "firm": None,
                        "amount": float(amount), "currency": currency, "status": status})
    return out


def _commonest(bids: Iterable[Row]) -> str:
    counts: dict[str, int] = {}
    for b in bids:
        counts[b["currency"]] = counts.get(b["currency"], 0) + 1
    return min(counts, key=lambda c: (-counts[c], c)) if counts else ""


@rule("OCP-036", "collusion", "Lowest bid disqualified (R036)")
def lowest_disqualified(ctx: Context) -> list[Finding]:
    """Priced processes with an active award whose lowest submitted bid was disqualified."""
    params = _params(ctx)
    processes = ctx.rows(OCP_036, params)
    named = _by(ctx.rows(OCP_036_BIDS, params), "contract")
    bids = {p["contract"]: [*named.get(p["contract"], []), *_unnamed(p)] for p in processes}
    currency = str(ctx.settings.get("currency", "")) or _commonest(
        b for g in bids.values() for b in g)
    hits = []
    for p in processes:
        compared = [b for b in bids[p["contract"]] if b["currency"] == currency]
        if not any(b["status"] == "valid" for b in compared):
            continue
        low = min(b["amount"] for b in compared)
        out = [b for b in compared if b["amount"] == low and b["status"] == "disqualified"]
        if out:
            valid = min(b["amount"] for b in compared if b["status"] == "valid")
            hits.append((p, out, low, valid, len(compared)))
    _prefetch(ctx, [h[0] for h in hits])
    _prefetch(ctx, [b for h in hits for b in h[1]], ("bid_id",))
    found = []
    for p, out, low, valid, n in hits:
        said = [Msg(TEXT["r036_firm"], {"firm": ctx.ent(b["firm"])}) if b["firm"] else
                Msg(TEXT["r036_unnamed"], {"amount": money(b["amount"], currency)})
                for b in out]
        fields = {"process": ctx.ent(p["contract"]), "currency": currency,
                  "amount": money(low, currency), "bids": names(said, None, TEXT["list_sep"]),
                  "valid": money(valid, currency), "n": n, "awards": p["awards_active"]}
        finding = _process_finding(
            ctx, "OCP-036", p, 1.0, TEXT["r036_title"],
            [Msg(TEXT["r036"], fields), Msg(TEXT["r036_why"])], {},
            [b["bid_id"] for b in out if b["bid_id"]])
        finding.keys.extend(dict.fromkeys(b["firm"] for b in out if b["firm"]))
        found.append(finding)
    return found


# -- OCP-025 -------------------------------------------------------------------------------

#: OCP-025: for each firm that made a valid single-tenderer bid in a process with one
#: final award to one supplier: the process, whether it won, and its first such bid.
OCP_025 = f"""
    WITH {_BASE}, sole AS ({SOLE_AWARD})
    SELECT b.firm, p.contract, p.process, b.firm = p.supplier AS won, min(b.bid_id) AS bid_id
    FROM bids b JOIN sole p ON p.contract = b.contract
    WHERE b.status = 'valid' AND b.named = 1
    GROUP BY b.firm, p.contract, p.process, p.supplier
    ORDER BY b.firm, p.process"""


def _firm_finding(ctx: Context, code: str, key: str, kind: str, group: str, value: float,
                  title: Template, text: list[Msg], processes: list[Row],
                  bid_ids: Sequence[str]) -> Finding:
    """A finding about a firm or body across processes."""
    f = ctx.frames
    most = int(ctx.settings.get("evidence_paths", 20))
    evidence: list[list[dict[str, Any]]] = []
    for b in list(bid_ids)[:most]:
        row = f.rel_row("BID", b)
        evidence.append([node(f, row["src"], "organization"), rel(f, row, "BID"),
                         node(f, row["dst"], "contract")])
    if not evidence:
        evidence = [[node(f, key, kind)]]
    contracts = list(dict.fromkeys(p["contract"] for p in processes))
    score = float(ctx.settings["base_score"]) + ctx.report_bonus([key])
    return Finding(clip(score), Msg(title, {"firm": ctx.ent(key), "subject": ctx.ent(key)}),
                   [key, *contracts], evidence, text,
                   extra={"indicator": "R" + code[-3:], "indicator_group": group,
                          "indicator_value": value,
                          "process_ids": list(dict.fromkeys(p["process"] for p in processes)),
                          "indicator_subject": _Ids(ctx)(key)})


def _process_names(ctx: Context, rows: Sequence[Row]) -> dict[str, Any]:
    return names([ctx.ent(c) for c in dict.fromkeys(r["contract"] for r in rows)], 5)


@rule("OCP-025", "collusion", "Excessive unsuccessful bids (R025)")
def rarely_wins(ctx: Context) -> list[Finding]:
    """Firms that bid in many processes and win an outlier few of them."""
    rows = ctx.rows(OCP_025, _params(ctx))
    firms = _by(rows, "firm")
    if not firms:
        return []
    counts = {k: (sum(bool(r["won"]) for r in g), len(g)) for k, g in firms.items()}
    upper = quantile([n for _w, n in counts.values()], int(ctx.settings["percentile"]) / 100)
    threshold = float(ctx.settings["max_win_ratio"])
    if threshold > 0:
        fence, q1 = threshold, 1.0
    else:
        fence, q1 = tukey([w / n for w, n in counts.values()], upper=False)
    if not (q1 > 0 and fence > 0):
        return []
    hits = [k for k, (w, n) in counts.items() if n >= upper and w / n <= fence]
    _prefetch(ctx, [r for k in hits for r in firms[k]], ("bid_id",))
    out = []
    for k in hits:
        won, n = counts[k]
        g = firms[k]
        fields = {"firm": ctx.ent(k), "n": n, "won": won, "ratio": _ratio(won / n),
                  "processes": _process_names(ctx, g), "bids": number(upper, 2),
                  "fence": _ratio(fence)}
        out.append(_firm_finding(ctx, "OCP-025", k, "organization", "Tenderer", won / n,
                                 TEXT["r025_title"],
                                 [Msg(TEXT["r025"], fields), Msg(TEXT["r025_fence"], fields),
                                  Msg(TEXT["r025_why"])], g, [r["bid_id"] for r in g]))
    return out


# -- OCP-038 -------------------------------------------------------------------------------

#: OCP-038: every submitted bid, with its process's buyer and procuring entity (as an
#: organization key) and whether it was disqualified.
OCP_038 = f"""
    WITH {_BASE},
    pe AS (SELECT source_id, min(key) AS key FROM aliases WHERE tbl = 'organizations'
           GROUP BY source_id)
    SELECT b.bid_id, b.firm, b.status = 'disqualified' AS disqualified, p.contract, p.process,
           p.buyer, e.key AS entity
    FROM submitted b JOIN processes p ON p.contract = b.contract
    LEFT JOIN pe e ON e.source_id = p.procuring_entity_id
    ORDER BY p.process, b.bid_id"""


@rule("OCP-038", "collusion", "Excessive disqualified bids (R038)")
def many_disqualified(ctx: Context) -> list[Finding]:
    """Buyers, procuring entities and tenderers with an outlier share of disqualified
    bids."""
    rows = ctx.rows(OCP_038, _params(ctx))
    st = ctx.settings
    threshold = float(st["min_disqualified_share"])
    out: list[Finding] = []
    for group, col, minimum in (("Buyer", "buyer", int(st["min_bids_received"])),
                                ("ProcuringEntity", "entity", int(st["min_bids_received"])),
                                ("Tenderer", "firm", int(st["min_bids_submitted"]))):
        by = _by((r for r in rows if isinstance(r[col], str)), col)
        shares = {k: sum(bool(r["disqualified"]) for r in g) / len(g)
                  for k, g in by.items() if len(g) >= minimum}
        if not shares:
            continue
        fence = threshold if threshold > 0 else tukey(list(shares.values()), upper=True)[0]
        if not fence > 0:
            continue
        for k, share in shares.items():
            if share < fence:
                continue
            g = by[k]
            d = [r for r in g if r["disqualified"]]
            _prefetch(ctx, g, ("bid_id",))
            fields = {"subject": ctx.ent(k), "n": len(g), "d": len(d), "ratio": _ratio(share),
                      "processes": _process_names(ctx, d), "fence": _ratio(fence),
                      "role": Msg(_ROLE.get(group, N_("buyer")))}
            out.append(_firm_finding(
                ctx, "OCP-038", k, "organization", group, share, TEXT["r038_title"],
                [Msg(TEXT["r038_firm" if group == "Tenderer" else "r038_buyer"], fields),
                 Msg(TEXT["r038_fence"], fields), Msg(TEXT["r038_why"])],
                d, [r["bid_id"] for r in d]))
    return out


# -- OCP-048 -------------------------------------------------------------------------------

#: OCP-048: the processes (own rows) with what their active single-supplier awards buy.
OCP_048 = f"""
    WITH {_BASE}
    SELECT p.contract, p.process, p.classifications FROM processes p
    WHERE p.classifications IS NOT NULL
    ORDER BY p.process"""

#: OCP-048: the supplier keys of the published ids in ``ocp_r048``.
OCP_048_KEYS = """
    SELECT r.supplier, min(a.key) AS key FROM ocp_r048 r
    JOIN aliases a ON a.source_id = r.supplier AND a.tbl = 'organizations'
    GROUP BY r.supplier"""


@rule("OCP-048", "collusion", "Heterogeneous supplier (R048)")
def heterogeneous_supplier(ctx: Context) -> list[Finding]:
    """Suppliers awarded items of an outlier number of classification groups."""
    st = ctx.settings
    digits = int(st["classification_digits"])
    pairs: list[Row] = []
    for r in ctx.rows(OCP_048, _params(ctx)):
        for supplier, code in json.loads(r["classifications"]):
            pairs.append({"supplier": supplier, "code": code, "contract": r["contract"],
                          "process": r["process"]})
    if not pairs:
        return []
    ctx.register("ocp_r048", pa.Table.from_pylist(
        [{"supplier": p["supplier"]} for p in pairs],
        schema=pa.schema([("supplier", pa.string())])))
    keys = {r["supplier"]: r["key"] for r in ctx.rows(OCP_048_KEYS)}
    by = _by(pairs, "supplier")
    groups = {s: sorted({p["code"][:digits] for p in g}) for s, g in by.items()
              if len({p["process"] for p in g}) >= int(st["min_processes"]) and s in keys}
    if not groups:
        return []
    threshold = int(st["min_segments"])
    fence = float(threshold) if threshold > 0 else tukey(
        [len(c) for c in groups.values()], upper=True)[0]
    out = []
    for s, codes in groups.items():
        if len(codes) < fence:
            continue
        k = keys[s]
        ctx.frames.prefetch_keys([k, *(p["contract"] for p in by[s])])
        fields = {"firm": ctx.ent(k), "n": len({p["process"] for p in by[s]}),
                  "segments": len(codes), "digits": digits, "codes": ", ".join(codes),
                  "fence": number(fence, 2)}
        out.append(_firm_finding(ctx, "OCP-048", k, "organization", "Tenderer",
                                 float(len(codes)), TEXT["r048_title"],
                                 [Msg(TEXT["r048"], fields), Msg(TEXT["r048_fence"], fields),
                                  Msg(TEXT["r048_why"])], by[s], []))
    return out


# -- Coverage ------------------------------------------------------------------------------

#: OCP rules assess processes (their own contract rows, the tender gone ahead, the method
#: details not excluded: a contract left out so is not an item). Not assessable, by the
#: first thing a process lacks in each rule's order: ``tender_period`` (no start or end of
#: the submission period: OCP-003, OCP-030), ``tenderers`` (no stated number of tenderers:
#: OCP-018), ``sole_award`` (not one final award to one supplier: OCP-024, -025, -058),
#: ``final_award`` (an award not final, or none active: OCP-035), ``supplier`` (no
#: supplier on record: OCP-030, OCP-048), ``bid`` (no valid bid: OCP-025, OCP-035; no
#: submitted bid: OCP-038), ``bid_amount`` (fewer than two priced valid bids, or submitted
#: ones for OCP-028), ``bid_date`` (no dated valid bid: OCP-030), ``classification`` (no
#: classification of what the active awards buy: OCP-048).
_PROCESS_ITEMS = f"""
    WITH {_BASE}, sole AS ({SOLE_AWARD}),
    b AS (SELECT contract, count(*) AS submitted,
                 count(*) FILTER (WHERE status = 'valid') AS valid,
                 count(*) FILTER (WHERE status = 'valid' AND amount IS NOT NULL) AS priced,
                 count(amount) AS priced_submitted,
                 count(*) FILTER (WHERE status = 'valid'
                                  AND (date_at IS NOT NULL OR day IS NOT NULL)) AS dated
          FROM submitted GROUP BY contract),
    w AS (SELECT DISTINCT process FROM winners)
    SELECT p.contract AS item, CASE {{cases}} END AS missing
    FROM processes p LEFT JOIN b ON b.contract = p.contract
    LEFT JOIN (SELECT contract FROM sole) s ON s.contract = p.contract
    LEFT JOIN w ON w.process = p.process"""

_CASES = {
    "tender_period": "WHEN NOT ((p.tender_start_at IS NOT NULL AND p.tender_end_at IS NOT NULL)"
                     " OR (p.tender_start IS NOT NULL AND p.tender_end IS NOT NULL))"
                     " THEN 'tender_period'",
    "tenderers": "WHEN p.tenderers IS NULL THEN 'tenderers'",
    "sole_award": "WHEN s.contract IS NULL THEN 'sole_award'",
    "final_award": "WHEN NOT (p.awards_not_final = 0 AND p.awards_active >= 1)"
                   " THEN 'final_award'",
    "supplier": "WHEN w.process IS NULL THEN 'supplier'",
    "bid": "WHEN coalesce(b.valid, 0) = 0 THEN 'bid'",
    "active_award": "WHEN p.awards_active < 1 THEN 'final_award'",
    "priced_bid": "WHEN coalesce(b.priced, 0) = 0 AND coalesce(p.unnamed_bids, '') = ''"
                  " THEN 'bid'",
    "submitted": "WHEN coalesce(b.submitted, 0) = 0 THEN 'bid'",
    "bid_amount": "WHEN coalesce(b.priced, 0) < 2 THEN 'bid_amount'",
    "submitted_amount": "WHEN coalesce(b.priced_submitted, 0) < 2 THEN 'bid_amount'",
    "bid_date": "WHEN coalesce(b.dated, 0) = 0 THEN 'bid_date'",
    "classification": "WHEN p.classifications IS NULL THEN 'classification'",
}


def _covers(code: str, *needs: str) -> None:
    cases = " ".join(_CASES[n] for n in needs)
    covers(code, "contract", _PROCESS_ITEMS.replace("{cases}", cases), _settings_params)


_covers("OCP-003", "tender_period")
_covers("OCP-018", "tenderers")
_covers("OCP-024", "sole_award", "bid_amount")
_covers("OCP-025", "sole_award", "bid")
_covers("OCP-028", "submitted_amount")
_covers("OCP-030", "tender_period", "supplier", "bid_date")
_covers("OCP-035", "final_award", "bid")
_covers("OCP-036", "active_award", "priced_bid")
_covers("OCP-038", "submitted")
_covers("OCP-048", "supplier", "classification")
_covers("OCP-058", "sole_award", "bid_amount")
