"""COL: collusion between bidders (bid rigging) and tenders without competition.

COL-001: co-bidders sharing a phone, an address, a legal representative or a
shareholder (red flag R044 in our mapping). COL-002: a recurring group of
co-bidders whose winner rotates (R053 in our mapping). COL-003: a competitive
tender that received a single bid (Open Contracting R018). COL-004: different
bidders with exactly the same valid price, in the same currency, on one contract
(R028).

Bids are BID records (bidder -> contract, amount, currency, status; a blank status
was loaded as ``valid``); the winner is the contract's AWARDED_TO supplier. A
contract whose tender was cancelled, unsuccessful or withdrawn
(``closed_contracts``) is no competition: none of its bids is read.

The joins are SQL on the columnar engine (:mod:`queries.engine`). Two steps stay
in Python, each over a small table, and hand their result to the SQL as a table
of its own: the phone and address normalisation of the bidding firms (NFKC has no
SQL function in DuckDB or Spark; ``col_contacts``), and the maximal cliques of
frequent co-bidders of COL-002 (networkx on the graph of pairs that the SQL counted;
``col_groups``). The slow pandas version the rules are checked against is
``tests/queries/reference/col.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import networkx as nx
import pandas as pd
import pyarrow as pa

from graph.matching import coarse_addresses, company_key
from graph.schema import COMPANY_ROLES
from lang.core import N_, NP_
from lang.message import Msg, Template, date, dates, money, names, number, period, word
from queries.context import Context
from queries.coverage import covers
from queries.findings import Finding, clip, node, rel
from queries.frames import OPEN_END, OPEN_START, Frames
from queries.registry import rule
from queries.rules.common import RowLookup, compact_text
from queries.rules.rotation import Support, support_score, supports
from queries.settings import SettingsError

#: A row of a rule's query, by column name.
Row = dict[str, Any]

#: One row per contract: its facts, its first award and its first purchase (by record
#: id); ``date`` = the award date, else the award record's start, else ''.
CONTRACTS = """
    SELECT c.key AS contract, c.title, c.method, c.sector, c.amount, c.currency,
           c.number_of_tenderers AS tenderers,
           coalesce(c.award_date, nullif(aw.s, '0000-01-01'), '') AS date,
           aw.dst AS supplier, aw.id AS award_id, bo.src AS buyer, bo.id AS bought_id
    FROM ent_contract c
    LEFT JOIN (SELECT id, src, dst, s FROM rel_AWARDED_TO
               QUALIFY row_number() OVER (PARTITION BY src ORDER BY id) = 1) aw
           ON aw.src = c.key
    LEFT JOIN (SELECT id, src, dst FROM rel_BOUGHT
               QUALIFY row_number() OVER (PARTITION BY dst ORDER BY id) = 1) bo
           ON bo.dst = c.key"""

#: Bid records, but those on a contract whose tender did not go ahead; a blank status
#: counts as valid (statuses are loaded from the layout's vocabulary, so trimming blanks
#: here gives what Python's ``str.strip`` gave); a blank currency is ''.
BIDS = """
    SELECT id AS bid_id, src AS firm, dst AS contract, amount,
           coalesce(currency, '') AS currency,
           coalesce(nullif(trim(status), ''), 'valid') AS status
    FROM rel_BID WHERE dst NOT IN (SELECT key FROM closed_contracts)"""

#: Bid statuses of a bid received and still competing (valid, or not yet evaluated).
COMPETING = ("valid", "pending")

#: Each firm bidding on a contract once (any status), with its first bid record.
BIDDERS = "SELECT contract, firm, min(bid_id) AS bid_id FROM bids GROUP BY contract, firm"

#: Two different firms bidding on the same contract (``a`` < ``b``), with their first bids.
PAIRS = """
    SELECT x.contract, x.firm AS a, y.firm AS b, x.bid_id AS bid_a, y.bid_id AS bid_b
    FROM bidders x JOIN bidders y ON y.contract = x.contract AND x.firm < y.firm"""

_BASE = f"bids AS ({BIDS}), contracts AS ({CONTRACTS}), bidders AS ({BIDDERS})"

#: The contract columns a finding's sentences read.
_FACTS = ("k.contract IS NOT NULL AS known, k.title, k.method, k.sector, k.amount, k.date, "
          "k.supplier, k.award_id, k.buyer, k.bought_id, k.currency, k.tenderers")

#: COL-001: co-bidders sharing a normalised phone or address (``col_contacts``: firm,
#: link, value, raw) or the same holder of one of $roles, in force on the award date in
#: both companies (with no award date, the two roles need only overlap). One row per
#: (pair, contract, link, holder, role records).
COL_001 = f"""
    WITH {_BASE}, pairs AS ({PAIRS}),
    dated AS (
        SELECT p.*, coalesce(k.date, '') AS on_day
        FROM pairs p LEFT JOIN contracts k ON k.contract = p.contract),
    links AS (
        SELECT p.a, p.b, p.contract, p.bid_a, p.bid_b, ca.link, ca.value, '' AS rec_a,
               '' AS rec_b, ca.raw AS raw_a, cb.raw AS raw_b
        FROM dated p
        JOIN col_contacts ca ON ca.firm = p.a
        JOIN col_contacts cb ON cb.firm = p.b AND cb.link = ca.link AND cb.value = ca.value
        UNION ALL
        SELECT p.a, p.b, p.contract, p.bid_a, p.bid_b, ra.role, ra.src, ra.id, rb.id,
               NULL, NULL
        FROM dated p
        JOIN rel_COMPANY_ROLE ra ON ra.dst = p.a
        JOIN rel_COMPANY_ROLE rb ON rb.dst = p.b AND rb.src = ra.src AND rb.role = ra.role
        WHERE list_contains($roles, ra.role)
          AND ((p.on_day <> '' AND ra.s <= p.on_day AND p.on_day <= ra.e
                AND rb.s <= p.on_day AND p.on_day <= rb.e)
               OR (p.on_day = '' AND ra.s <= rb.e AND rb.s <= ra.e)))
    SELECT l.*, {_FACTS}
    FROM links l LEFT JOIN contracts k ON k.contract = l.contract
    ORDER BY l.a, l.b, l.contract, l.link, l.value, l.rec_a, l.rec_b"""

#: COL rules assess contracts by their bids. Not assessable: fewer than two bidding firms
#: on record (``bids``: no pair to compare; COL-001, COL-002), no winner (``supplier``:
#: COL-002 follows who won), no procurement method (``method``: COL-003 judges
#: competitive tenders only) or no bid (``bid``), fewer than two bids with a price
#: (``bid_amount``: COL-004).
_BIDS_PER_CONTRACT = """
    WITH b AS (SELECT dst AS contract, count(DISTINCT src) AS firms, count(*) AS bids,
                      count(amount) AS priced FROM rel_BID GROUP BY dst),
    aw AS (SELECT DISTINCT src AS contract FROM rel_AWARDED_TO)
    SELECT c.key AS item, CASE {cases} END AS missing
    FROM ent_contract c LEFT JOIN b ON b.contract = c.key
    LEFT JOIN aw ON aw.contract = c.key"""
_FEW = "WHEN coalesce(b.firms, 0) < 2 THEN 'bids'"
covers("COL-001", "contract", _BIDS_PER_CONTRACT.format(cases=_FEW))
covers("COL-002", "contract", _BIDS_PER_CONTRACT.format(
    cases=_FEW + " WHEN aw.contract IS NULL THEN 'supplier'"))
covers("COL-003", "contract", _BIDS_PER_CONTRACT.format(
    cases="WHEN coalesce(trim(c.method), '') = '' THEN 'method' "
          "WHEN coalesce(b.bids, 0) = 0 THEN 'bid'"))
covers("COL-004", "contract", _BIDS_PER_CONTRACT.format(
    cases=_FEW + " WHEN b.priced < 2 THEN 'bid_amount'"))

#: The bidding firms' phones and addresses as written, for :func:`contacts`.
#: Every organization's phones and addresses as written, for :func:`contacts` (how many
#: organizations share a value counts every organization, bidding or not).
CONTACTS = """
    SELECT key, phone, address, key IN (SELECT src FROM rel_BID) AS bids
    FROM ent_organization
    WHERE phone IS NOT NULL OR address IS NOT NULL ORDER BY key"""

#: COL-002, step 1: pairs of firms bidding together on $min_contracts contracts or more
#: (per buyer when $same_buyer, else across buyers: scope ``*``).
FREQUENT_PAIRS = f"""
    WITH {_BASE}, pairs AS ({PAIRS}),
    scoped AS (
        SELECT CASE WHEN $same_buyer THEN coalesce(k.buyer, '') ELSE '*' END AS scope,
               p.a, p.b, p.contract
        FROM pairs p LEFT JOIN contracts k ON k.contract = p.contract)
    SELECT scope, a, b FROM scoped
    GROUP BY scope, a, b HAVING count(DISTINCT contract) >= $min_contracts
    ORDER BY scope, a, b"""

#: COL-002, step 3: the contracts on which $min_firms members of a candidate group
#: (``col_groups``: grp, scope, firm) bid (of the group's buyer when $same_buyer); the
#: groups with $min_contracts such contracts won by two members or more. One row per
#: (group, contract, member bidding).
ROTATIONS = f"""
    WITH {_BASE},
    member_bids AS (
        SELECT g.grp, g.firm, b.contract, b.bid_id
        FROM col_groups g JOIN bidders b ON b.firm = g.firm
        LEFT JOIN contracts k ON k.contract = b.contract
        WHERE NOT $same_buyer OR coalesce(k.buyer, '') = g.scope),
    kept AS (
        SELECT * FROM member_bids
        QUALIFY count(*) OVER (PARTITION BY grp, contract) >= $min_firms),
    turns AS (
        SELECT DISTINCT c.grp, c.contract, k.supplier
        FROM kept c JOIN contracts k ON k.contract = c.contract
        JOIN kept w ON w.grp = c.grp AND w.firm = k.supplier),
    rings AS (
        SELECT grp FROM kept GROUP BY grp HAVING count(DISTINCT contract) >= $min_contracts
        INTERSECT
        SELECT grp FROM turns GROUP BY grp HAVING count(DISTINCT supplier) >= 2)
    SELECT c.grp, c.contract, c.firm, c.bid_id, {_FACTS}
    FROM kept c LEFT JOIN contracts k ON k.contract = c.contract
    WHERE c.grp IN (SELECT grp FROM rings)
    ORDER BY c.grp, c.contract, c.firm"""

#: COL-003: contracts of one of $methods, whose tender went ahead, that received one bid:
#: the tender's stated number of tenderers is 1, or, when it states none, exactly one
#: firm's bids are competing (valid or pending; ``firm`` and its first such bid). Each
#: with its other (not competing) bids: one row per other bid, or one row.
COL_003 = f"""
    WITH {_BASE},
    competing AS (
        SELECT contract, count(DISTINCT firm) AS n, min(firm) AS firm, min(bid_id) AS bid_id
        FROM bids WHERE list_contains($competing, status) GROUP BY contract),
    hits AS (
        SELECT k.contract, {_FACTS}, CASE WHEN s.n = 1 THEN s.firm END AS firm,
               CASE WHEN s.n = 1 THEN s.bid_id END AS bid_id
        FROM contracts k LEFT JOIN competing s ON s.contract = k.contract
        WHERE list_contains($methods, k.method)
          AND k.contract NOT IN (SELECT key FROM closed_contracts)
          AND coalesce(k.tenderers, s.n) = 1)
    SELECT h.*, o.firm AS other_firm, o.bid_id AS other_bid, o.status AS other_status
    FROM hits h LEFT JOIN bids o ON o.contract = h.contract
                                AND NOT list_contains($competing, o.status)
    ORDER BY h.contract, o.firm, o.bid_id"""

#: COL-004: valid bids (each firm's first at each price) whose exact amount, in the same
#: currency, another firm also bid on the same contract (100 USD and 100 EUR differ).
COL_004 = f"""
    WITH {_BASE},
    priced AS (
        SELECT contract, amount, currency, firm, min(bid_id) AS bid_id
        FROM bids WHERE status = 'valid' AND amount IS NOT NULL
        GROUP BY contract, amount, currency, firm),
    same AS (
        SELECT * FROM priced
        QUALIFY count(*) OVER (PARTITION BY contract, amount, currency) >= 2)
    SELECT s.contract, s.amount AS price, s.currency AS price_currency, s.firm, s.bid_id,
           {_FACTS}
    FROM same s JOIN contracts k ON k.contract = s.contract
    ORDER BY s.contract, s.currency, s.amount, s.firm"""


def _grouped(rows: Iterable[Row], *by: str) -> dict[Any, list[Row]]:
    """Rows by the value(s) of ``by``, in the order met (the query's order)."""
    out: dict[Any, list[Row]] = {}
    for r in rows:
        key = r[by[0]] if len(by) == 1 else tuple(r[b] for b in by)
        out.setdefault(key, []).append(r)
    return out


def _known(rows: Iterable[Row]) -> list[Row]:
    """The contracts of rows that are stored contracts, once each, by award date then id."""
    ks = {r["contract"]: r for r in rows if r["known"]}
    return sorted(ks.values(), key=lambda k: (k["date"], k["contract"]))


def _prefetch(ctx: Context, hits: list[Row], records: dict[str, tuple[str, ...]],
              keys: tuple[str, ...]) -> None:
    """Fetch in batches the records (type -> id columns) and entities (key columns) the
    findings of ``hits`` will show."""
    f = ctx.frames
    for type_, cols in records.items():
        f.prefetch(type_, (h.get(c) for h in hits for c in cols))
    f.prefetch_keys(h.get(c) for h in hits for c in keys)


TEXT: dict[str, Template] = {
    # a contract in a sentence, by what is known of it
    "k_buyer_dated_won": N_("{contract} of {buyer} ({tender}, awarded on {date} to {supplier})"),
    "k_buyer_dated": N_("{contract} of {buyer} ({tender}, awarded on {date})"),
    "k_buyer_won": N_("{contract} of {buyer} ({tender}, no award date, to {supplier})"),
    "k_buyer": N_("{contract} of {buyer} ({tender}, no award date)"),
    "k_dated_won": N_("{contract} ({tender}, awarded on {date} to {supplier})"),
    "k_dated": N_("{contract} ({tender}, awarded on {date})"),
    "k_won": N_("{contract} ({tender}, no award date, to {supplier})"),
    "k": N_("{contract} ({tender}, no award date)"),
    "list_sep": N_("; "),
    "and_sep": N_(" and "),
    # COL-001
    "pair_bids": N_("{a} and {b} both bid on {n} contract(s): {contracts}."),
    "pair_shares": N_("The two companies share {shared}."),
    "share_contact": N_("the {link} ({a_name}: {a_value}; {b_name}: {b_value})"),
    "share_role": N_("the {link} {holder} ({role} of {a_name} {a_period}, of {b_name} "
                     "{b_period})"),
    "pair_roles_in_force": N_("The {links} role(s) were in force in both companies on the award "
                              "date of every contract listed."),
    "pair_won": N_("{won} of these contracts went to one of the two."),
    "pair_not_won": N_("Neither of the two won these contracts."),
    "coarse_contact": NP_("{n} organization has the {link} “{value}” ({bidders} of them "
                          "bidders); it names only a country, a region or a postcode, so it "
                          "was not used to link anyone.",
                          "{n} organizations share the {link} “{value}” ({bidders} of "
                          "them bidders); it names only a country, a region or a postcode, "
                          "so it was not used to link anyone."),
    "common_contact": NP_("{n} organization has the {link} “{value}” ({bidders} of "
                          "them bidders), more than the {max} allowed to share one (a "
                          "switchboard, an agency's or an agent's office), so it was not used "
                          "to link anyone.",
                          "{n} organizations share the {link} “{value}” ({bidders} of "
                          "them bidders), more than the {max} allowed to share one (a "
                          "switchboard, an agency's or an agent's office), so it was not used "
                          "to link anyone."),
    "same_company": NP_("{a} and {b} bid on the same contract and share {links}, but their "
                        "names differ only in punctuation, blanks or legal form ({key}): "
                        "possibly one company recorded twice, to review as a match, not as "
                        "collusion.",
                        "{a} and {b} bid on the same {n} contracts and share {links}, but "
                        "their names differ only in punctuation, blanks or legal form "
                        "({key}): possibly one company recorded twice, to review as a "
                        "match, not as collusion."),
    "pair_why": N_("Supposedly competing bidders with a common phone, address, representative "
                   "or owner may be one bidder submitting cover bids under two names (shared "
                   "contacts between bidders: red flag R044 in our mapping)."),
    "pair_title": NP_("Co-bidders {a} and {b} share the {links} ({n} contract)",
                      "Co-bidders {a} and {b} share the {links} ({n} contracts)"),
    "links_sep": N_(" and the "),
    "folded_note": NP_("{n} pair finding inside the ring of {members} is shown as that one "
                       "ring (COL-005); set fold_into_rings = false in [COL-001] to list it.",
                       "{n} pair findings inside the ring of {members} are shown as that one "
                       "ring (COL-005); set fold_into_rings = false in [COL-001] to list "
                       "them."),
    # COL-002
    "ring_bids": N_("{n} firms — {members} — bid together on {k} contracts (at least {min} of "
                    "them on each), and the winner changed among them: {turns}."),
    "ring_bids_span": N_("{n} firms — {members} — bid together on {k} contracts {span} (at "
                         "least {min} of them on each), and the winner changed among them: "
                         "{turns}."),
    "ring_bids_buyers": N_("{n} firms — {members} — bid together on {k} contracts of {buyers} "
                           "(at least {min} of them on each), and the winner changed among "
                           "them: {turns}."),
    "ring_bids_buyers_span": N_("{n} firms — {members} — bid together on {k} contracts of "
                                "{buyers} {span} (at least {min} of them on each), and the "
                                "winner changed among them: {turns}."),
    "held_by": N_("Behind the firms: {holders}."),
    "holder_of": N_("{holder}, {role} of {firm}"),
    "turn": N_("{contract} on {date} won by {winner}"),
    "unknown_date": N_("an unknown date"),
    "nobody": N_("nobody recorded"),
    "tally": N_("{firm} {n}"),
    "ring_wins": N_("Wins: {tally}."),
    "ring_why": N_("Firms that keep meeting in the same tenders and take turns winning may be "
                   "sharing the market out among themselves (bid rotation: red flag R053 in our "
                   "mapping)."),
    "ring_title": N_("{n} firms bid together on {k} contracts and took turns winning "
                     "({members})"),
    "rot_alone": N_("Taking turns is the only sign here: no shared identifier, no tie "
                    "between the people behind the firms and no cover bids were found. "
                    "Rotation alone is weak evidence, so the score is low."),
    "rot_market": NP_("{m} firm bid at all on contracts of the same buyer(s) and sector(s).",
                      "{m} firms bid at all on contracts of the same buyer(s) and sector(s)."),
    "rot_chance": NP_("Had each of them chosen its tenders at random among the market's "
                      "{contracts} contracts, bidding as often as it did, they would have "
                      "met on {expected} contracts; they met on {k} (chance of that or more: "
                      "{chance}).",
                      "Had each of them chosen its tenders at random among the market's "
                      "{contracts} contracts, bidding as often as it did, they would have "
                      "met on {expected} contracts; they met on {k} (chance of that or more: "
                      "{chance})."),
    "rot_small": N_("In a market this small ({max} firms or fewer) the same firms meet in "
                    "every tender and win in turn by chance; the score is lowered."),
    "rot_shares": N_("Members share identifiers: {shared}."),
    "rot_ties": N_("People behind the members are tied: {ties}."),
    "rot_tie": N_("{pb} (behind {b}) is the {kin} of {pa} (behind {a})"),
    "rot_cover": N_("On {c} of the {k} contracts every losing member bid at most {ratio}% "
                    "above the winner (cover bids): {contracts}."),
    "rot_losers": N_("{losers} bid but never won."),
    "rot_note": N_("{members} took turns winning {k} contracts in a market where {m} firms "
                   "bid; with what corroborates it the rotation scores {score}, below "
                   "min_score {min}: not reported."),
    # COL-003
    "single": N_("Contract {contract}, worth {amount}, received a single valid bid, from "
                 "{firm}."),
    "single_others": N_("The other bid(s) did not count: {others}."),
    "other_bid": N_("{firm} ({status})"),
    "single_no_other": N_("No other bid was recorded."),
    "single_odd": N_("The contract went to {winner}, not to the only valid bidder."),
    "single_why": N_("In an {method} procedure a single valid bid means competition did not "
                     "happen: it can be the outcome a corrupt buyer and a pre-arranged bidder "
                     "want (Open Contracting red flag R018, single bid received)."),
    "single_title": N_("{Tender} {contract} had a single valid bid"),
    "single_counted": N_("Contract {contract}, worth {amount}, received a single bid: the "
                         "tender records one tenderer."),
    "single_counted_won": N_("Contract {contract}, worth {amount}, received a single bid: the "
                             "tender records one tenderer, and the contract went to "
                             "{winner}."),
    "single_counted_title": N_("{Tender} {contract} received a single bid"),
    # COL-004
    "same_price": N_("{firms} each bid exactly {amount}"),
    "identical": N_("On contract {contract}, {groups}, all valid bids."),
    "identical_won": N_("The winning bid, by {winner}, is one of them: a matching price is how a "
                        "leaked competitor's bid is beaten or met."),
    "identical_why": N_("Independent bidders rarely arrive at the same price to the fen; "
                        "identical prices suggest the bids were prepared together or that a "
                        "price was leaked (Open Contracting red flag R028, identical bid "
                        "prices). Withdrawn or disqualified bids are not counted."),
    "identical_title": N_("{n} bidders submitted identical prices on {contract}"),
}


def _tender(k: Any) -> dict[str, Any]:
    return word("tender", k["method"] if isinstance(k["method"], str) else "")


def _contract_words(ctx: Context, k: Any) -> Msg:
    """``K1 of buyer (open tender, awarded on 2020-05-01 to W)``, by what is known."""
    key = "k" + ("_buyer" if isinstance(k["buyer"], str) else "") + (
        "_dated" if k["date"] else "") + ("_won" if isinstance(k["supplier"], str) else "")
    return Msg(TEXT[key], {
        "contract": ctx.ent(k["contract"]), "tender": _tender(k),
        "date": date(k["date"]) if k["date"] else "",
        "buyer": ctx.ent(k["buyer"]) if isinstance(k["buyer"], str) else "",
        "supplier": ctx.ent(k["supplier"]) if isinstance(k["supplier"], str) else ""})


def _mode(values: list[Any]) -> str:
    vals = [v for v in values if isinstance(v, str) and v]
    return Counter(vals).most_common(1)[0][0] if vals else ""


def _bid_path(f: Frames, rows: RowLookup, bid_ids: list[str],
              contract: str) -> list[dict[str, Any]]:
    """``A -BID-> K <-BID- B`` (two bids) or ``A -BID-> K`` (one)."""
    first = rows("BID", bid_ids[0])
    path = [node(f, first["src"], "organization"), rel(f, first, "BID"),
            node(f, contract, "contract")]
    for bid in bid_ids[1:2]:
        r = rows("BID", bid)
        path += [rel(f, r, "BID"), node(f, r["src"], "organization")]
    return path


# -- COL-001 ------------------------------------------------------------------------------

def normalise_phone(s: pd.Series) -> pd.Series:
    """Phone numbers as their digits (NFKC first); fewer than 7 digits counts as missing.

    A ``+86``/``0086`` country code before an 11-digit mobile number is dropped;
    a placeholder made of one repeated digit (``0000000``) counts as missing.

    Examples
    --------
    >>> normalise_phone(pd.Series(["0731-123 4567", "０７３１1234567", "110", None,
    ...                            "+86 138-0000-0000", "00000000"])).tolist()
    ['07311234567', '07311234567', '', '', '13800000000', '']
    """
    d = s.astype("string").fillna("").str.normalize("NFKC").str.replace(r"\D+", "", regex=True)
    d = d.str.replace(r"^(?:0086|86)(?=1\d{10}$)", "", regex=True)
    filler = d.str.fullmatch(r"(\d)\1*").fillna(False).astype(bool)
    return d.where((d.str.len() >= 7) & ~filler, "").astype(str)


def normalise_address(s: pd.Series) -> pd.Series:
    """Addresses compared as NFKC text with every blank removed.

    Examples
    --------
    >>> normalise_address(pd.Series(["城关镇 人民路１号", "城关镇人民路1号 ", None])).tolist()
    ['城关镇人民路1号', '城关镇人民路1号', '']
    """
    return compact_text(s)


CONTACT_NORMS = {"phone": normalise_phone, "address": normalise_address}


def contacts(ctx: Context, links: list[str], most: int | None = None,
             notes: bool = True) -> pa.Table:
    """(firm, link, value, raw): the bidding firms' phones and addresses (those of
    ``links``) normalised, blank ones left out, and so are the values that link nobody.

    An address naming only a country, a region or a postcode
    (:func:`graph.matching.is_coarse_address`), and a phone or address that more than
    ``max_sharing`` organizations share (a switchboard, an agency's or an agent's
    office), are left out; each one that two bidding firms or more share is reported
    (:meth:`Context.note`, kind ``identifier_not_used``) when ``notes``. ``most`` is
    ``max_sharing`` when the rule running reads another rule's links.

    Normalised here, with :func:`normalise_phone` and :func:`normalise_address`: NFKC
    has no SQL function in DuckDB or Spark, and the table is small (one row per
    organization and link).
    """
    orgs = ctx.frames.engine.frame(CONTACTS)
    if most is None:
        most = int(ctx.settings.get("max_sharing", 0)) or None
    parts = []
    for link, norm in CONTACT_NORMS.items():
        if link not in links:
            continue
        v = pd.DataFrame({"firm": orgs["key"].astype(object), "link": link,
                          "value": norm(orgs[link]), "raw": orgs[link].astype(object),
                          "bids": orgs["bids"].astype(bool)})
        v = v[v["value"] != ""]
        sharing = v.groupby("value")["firm"].transform("nunique")
        coarse = (coarse_addresses(v["raw"]) if link == "address"
                  else pd.Series(False, index=v.index))
        common = (sharing > most) if most else pd.Series(False, index=v.index)
        dropped = v[coarse | common].assign(n=sharing[coarse | common],
                                            coarse=coarse[coarse | common])
        if notes:
            _note_unused(ctx, dropped, most)
        parts.append(v[~(coarse | common) & v["bids"]][["firm", "link", "value", "raw"]])
    schema = pa.schema([(c, pa.string()) for c in ("firm", "link", "value", "raw")])
    if not parts:
        return schema.empty_table()
    return pa.Table.from_pandas(pd.concat(parts, ignore_index=True), schema=schema,
                                preserve_index=False)


def _note_unused(ctx: Context, dropped: pd.DataFrame, most: int | None) -> None:
    """Report each phone or address left out that two bidding firms or more share."""
    for value, g in dropped[dropped["bids"]].groupby("value", sort=True):
        if g["firm"].nunique() < 2:
            continue
        link, raw, n = str(g["link"].iloc[0]), str(g["raw"].iloc[0]), int(g["n"].iloc[0])
        coarse = bool(g["coarse"].iloc[0])
        fields = {"link": word("link", link), "value": raw, "n": n, "max": most or 0,
                  "bidders": int(g["firm"].nunique())}
        ctx.note("identifier_not_used",
                 Msg(TEXT["coarse_contact" if coarse else "common_contact"], fields, n=n),
                 identifier=link, value=raw, normalised=str(value), entities=n,
                 bidders=int(g["firm"].nunique()),
                 reason="coarse" if coarse else "too_common", used=False)


def shared_links(ctx: Context) -> list[Row]:
    """(a, b, contract, link, value, rec_a, rec_b, raw_a, raw_b, bid_a, bid_b + the
    contract's facts) for co-bidders linked on that contract.

    ``link`` is ``phone`` or ``address`` (``value`` the normalised text, ``raw_a`` and
    ``raw_b`` as written, the records empty) or a company role (``value`` the holder's
    key, ``rec_a``/``rec_b`` the role records, both in force on the award date; with no
    award date the two roles need only overlap in time).
    """
    links = list(ctx.settings["links"])
    unknown = [x for x in links if x not in ("phone", "address", *COMPANY_ROLES)]
    if unknown:
        known = ", ".join(COMPANY_ROLES)
        raise SettingsError(f"[COL-001]: links {unknown} unknown",
                            hint=f"use phone, address or a company role: {known}")
    ctx.register("col_contacts", contacts(ctx, links))
    roles = list(dict.fromkeys(x for x in links if x in COMPANY_ROLES))
    return ctx.rows(COL_001, {"roles": roles})


def _link_words(ctx: Context, rows: RowLookup, link: str, lg: list[Row], a: str,
                b: str) -> list[Msg]:
    names_ab = {"a_name": ctx.name(a), "b_name": ctx.name(b), "link": word("link", link)}
    if link in ("phone", "address"):
        return [Msg(TEXT["share_contact"], {**names_ab, "a_value": lg[0]["raw_a"] or "",
                                            "b_value": lg[0]["raw_b"] or ""})]
    parts = []
    first = {r["value"]: r for r in reversed(lg)}
    for holder in sorted(first):
        ra = rows("COMPANY_ROLE", first[holder]["rec_a"])
        rb = rows("COMPANY_ROLE", first[holder]["rec_b"])
        parts.append(Msg(TEXT["share_role"], {
            **names_ab, "holder": ctx.ent(str(holder)), "role": word("company_role", link),
            "a_period": period(ra["s"], ra["e"]), "b_period": period(rb["s"], rb["e"])}))
    return parts


def _pair_finding(ctx: Context, a: str, b: str, g: list[Row]) -> Finding:
    f, st = ctx.frames, ctx.settings
    rows = f.rel_row
    kc = _known(g)
    cids = [k["contract"] for k in kc]
    present = {r["link"] for r in g}
    holders = sorted({r["value"] for r in g if r["link"] in COMPANY_ROLES})
    kinds = list(dict.fromkeys(x for x in st["links"] if x in present))
    keys = [a, b, *cids, *holders]
    score = (st["base_score"] + st.get("link_bonus", 0.0) * (len(kinds) - 1)
             + st.get("repeat_bonus", 0.0) * (len(cids) - 1))
    score += ctx.report_bonus([a, b, *holders])
    evidence: list[list[dict[str, Any]]] = [
        _bid_path(f, rows, [k["bid_a"], k["bid_b"]], k["contract"]) for k in kc]
    by_link = _grouped(g, "link")
    for link in kinds:
        lg = by_link[link]
        if link in ("phone", "address"):
            evidence.append([{**node(f, x, "organization"), "shared": link, link: raw or ""}
                             for x, raw in ((a, lg[0]["raw_a"]), (b, lg[0]["raw_b"]))])
            continue
        for rec_a, rec_b, holder in dict.fromkeys((r["rec_a"], r["rec_b"], r["value"])
                                                  for r in lg):
            holder_kind = "organization" if str(holder).startswith("o:") else "person"
            evidence.append([node(f, a, "organization"),
                             rel(f, rows("COMPANY_ROLE", rec_a), "COMPANY_ROLE"),
                             node(f, holder, holder_kind),
                             rel(f, rows("COMPANY_ROLE", rec_b), "COMPANY_ROLE"),
                             node(f, b, "organization")])
    shared = [m for k in kinds for m in _link_words(ctx, rows, k, by_link[k], a, b)]
    timed = [k for k in kinds if k in COMPANY_ROLES]
    won = [k for k in kc if k["supplier"] in (a, b)]
    n = len(cids)
    fields = {"a": ctx.ent(a), "b": ctx.ent(b), "n": n,
              "contracts": names([_contract_words(ctx, k) for k in kc], None, TEXT["list_sep"]),
              "shared": names(shared, None, TEXT["list_sep"]), "won": len(won),
              "links": names([word("link", k) for k in timed], None, TEXT["and_sep"])}
    text = [Msg(TEXT["pair_bids"], fields), Msg(TEXT["pair_shares"], fields)]
    if timed:
        text.append(Msg(TEXT["pair_roles_in_force"], fields))
    text += [Msg(TEXT["pair_won" if won else "pair_not_won"], fields), Msg(TEXT["pair_why"])]
    title = Msg(TEXT["pair_title"], {
        "a": ctx.name(a), "b": ctx.name(b),
        "links": names([word("link", k) for k in kinds], None, TEXT["links_sep"])}, n=n)
    return Finding(clip(score), title, keys, evidence, text,
                   sector=_mode([k["sector"] for k in kc]),
                   date=str(kc[0]["date"]) if n else "",
                   extra={"links": kinds, "contracts": f.source_ids(cids)})


def same_company(ctx: Context, a: str, b: str) -> str:
    """The name key two firms share (:func:`graph.matching.company_key`), '' when their
    names differ by more than punctuation, blanks, letter case and legal-form words."""
    ka, kb = company_key(ctx.name(a)), company_key(ctx.name(b))
    return ka if ka and ka == kb else ""


def _match_note(ctx: Context, a: str, b: str, key: str, g: list[Row]) -> None:
    """Report two linked co-bidders whose names make them possibly one company."""
    f = ctx.frames
    links = list(dict.fromkeys(x for x in ctx.settings["links"] if x in {r["link"] for r in g}))
    contracts = list(dict.fromkeys(r["contract"] for r in g))
    fields = {"a": ctx.ent(a), "b": ctx.ent(b), "key": key, "n": len(contracts),
              "links": names([word("link", x) for x in links], None, TEXT["links_sep"])}
    ctx.note("possible_same_company", Msg(TEXT["same_company"], fields, n=len(contracts)),
             name_key=key, links=links, contracts=f.source_ids(contracts),
             sides=[node(f, a, "organization"), node(f, b, "organization")])


@rule("COL-001", "collusion", "Co-bidders share a phone, address, legal rep or shareholder")
def shared_contact(ctx: Context) -> list[Finding]:
    """One finding per pair of co-bidders, listing every contract where a link held.

    A pair whose two firms lie in one ring that COL-005 reports is folded into that ring
    (``fold_into_rings``; a note per ring says how many pairs). A pair whose names are
    one company's written two ways (:func:`same_company`, with ``name_match``) is
    reported as possibly the same company, not as a finding."""
    from queries.rules.rings import folded_pairs  # COL-005 builds on this module

    hits = shared_links(ctx)
    _prefetch(ctx, hits, {"BID": ("bid_a", "bid_b"), "COMPANY_ROLE": ("rec_a", "rec_b")},
              ("a", "b", "contract", "value", "buyer", "supplier"))
    rings = folded_pairs(ctx)
    folded = [0] * len(rings)
    out = []
    for (a, b), g in _grouped(hits, "a", "b").items():
        key = same_company(ctx, a, b) if ctx.settings.get("name_match", True) else ""
        inside = [i for i, m in enumerate(rings) if a in m and b in m]
        if key:
            _match_note(ctx, a, b, key, g)
        elif inside:
            folded[inside[0]] += 1
        else:
            out.append(_pair_finding(ctx, a, b, g))
    for members, n in zip(rings, folded, strict=True):
        if n:
            ring = sorted(members)
            ctx.note("folded_into_ring", Msg(TEXT["folded_note"], {
                "n": n, "members": names([ctx.name(m) for m in ring], 4)}, n=n),
                ring=ctx.frames.source_ids(ring), pairs=n)
    return out


# -- COL-002 ------------------------------------------------------------------------------

def rotating_groups(ctx: Context) -> list[tuple[str, list[str]]]:
    """(scope, firms) of candidate groups: maximal cliques of frequent co-bidders.

    Two firms are frequent co-bidders when they bid on the same ``min_contracts``
    contracts or more (of one buyer when ``same_buyer``; counted in SQL); a group is a
    maximal clique of at least ``min_firms`` such firms (networkx, on the small graph
    of frequent pairs), by scope then firms.
    """
    st = ctx.settings
    need_n = int(st["min_firms"])
    strong = ctx.rows(FREQUENT_PAIRS, {"min_contracts": int(st["min_contracts"]),
                                       "same_buyer": bool(st.get("same_buyer", False))})
    out: list[tuple[str, list[str]]] = []
    for scope, g in sorted(_grouped(strong, "scope").items()):
        graph: nx.Graph[str] = nx.Graph()
        graph.add_edges_from((r["a"], r["b"]) for r in g)
        cliques = sorted(sorted(c) for c in nx.find_cliques(graph) if len(c) >= need_n)
        out += [(str(scope), c) for c in cliques]
    return out


def rotation_contracts(ctx: Context) -> list[Row]:
    """(grp, contract, firm, bid_id + the contract's facts) of the candidate groups
    (numbered as :func:`rotating_groups` lists them) that bid together on enough
    contracts (``min_firms`` members on each) won by two members or more."""
    st = ctx.settings
    groups = rotating_groups(ctx)
    if not groups:
        return []
    members = [(gid, scope, firm) for gid, (scope, firms) in enumerate(groups)
               for firm in firms]
    ctx.register("col_groups", pa.table({
        "grp": pa.array([m[0] for m in members], pa.int64()),
        "scope": pa.array([m[1] for m in members], pa.string()),
        "firm": pa.array([m[2] for m in members], pa.string())}))
    return ctx.rows(ROTATIONS, {"min_contracts": int(st["min_contracts"]),
                                "min_firms": int(st["min_firms"]),
                                "same_buyer": bool(st.get("same_buyer", False))})


def _support_words(ctx: Context, s: Support, kc: list[Row]) -> list[Msg]:
    """What corroborates the rotation, or explains it away, in sentences."""
    from queries.rules.rings import identifier_words, identifiers

    st = ctx.settings
    out = []
    if s.links:
        order = list(ctx.rule_settings("COL-005")["links"])
        out.append(Msg(TEXT["rot_shares"], {"shared": names(
            [identifier_words(ctx, *i) for i in identifiers(ctx, s.links, order)], 4,
            TEXT["list_sep"])}))
    if s.ties:
        out.append(Msg(TEXT["rot_ties"], {"ties": names([Msg(TEXT["rot_tie"], {
            "pa": ctx.ent(t["pa"]), "pb": ctx.ent(t["pb"]), "a": ctx.name(t["a"]),
            "b": ctx.name(t["b"]), "kin": ctx.kinship(t["pa"], str(t["how"]), str(t["path"]))})
            for t in s.ties], 4, TEXT["list_sep"])}))
    if s.cover:
        ratio = float(st.get("cover_ratio", 0.03)) * 100
        out.append(Msg(TEXT["rot_cover"], {
            "c": len(s.covered), "k": len(kc), "ratio": number(ratio, 1),
            "contracts": names([ctx.ent(c) for c in s.covered], 5)}))
    if s.losers:
        out.append(Msg(TEXT["rot_losers"], {"losers": names([ctx.ent(m) for m in s.losers],
                                                             5, TEXT["and_sep"])}))
    out.append(Msg(TEXT["rot_market"], {"m": s.market}, n=s.market))
    if s.market <= int(st.get("small_market", 0)):
        out.append(Msg(TEXT["rot_small"], {"max": int(st.get("small_market", 0))}))
    elif s.market_contracts:
        out.append(Msg(TEXT["rot_chance"], {
            "contracts": s.market_contracts, "expected": number(s.expected, 2),
            "k": s.contracts, "chance": f"{s.chance:.0e}" if s.chance < 0.001
            else number(s.chance, 3)}, n=s.contracts))
    if not s.corroborated:
        out.append(Msg(TEXT["rot_alone"]))
    return out


def _support_evidence(ctx: Context, s: Support) -> list[list[dict[str, Any]]]:
    """The records behind the corroboration: shared identifiers and tied people."""
    from queries.rules.rings import identifier_evidence, identifiers

    f = ctx.frames
    order = list(ctx.rule_settings("COL-005")["links"])
    out = [p for i in identifiers(ctx, s.links, order) for p in identifier_evidence(ctx, *i)]
    for t in s.ties:
        tie_type = "ASSOCIATE" if t["how"] == "associate" else "KIN"
        out.append([node(f, t["a"], "organization"),
                    rel(f, f.rel_row("COMPANY_ROLE", t["rec_a"]), "COMPANY_ROLE"),
                    node(f, t["pa"], "person"), rel(f, f.rel_row(tie_type, t["path"]), tie_type),
                    node(f, t["pb"], "person"),
                    rel(f, f.rel_row("COMPANY_ROLE", t["rec_b"]), "COMPANY_ROLE"),
                    node(f, t["b"], "organization")])
    return out


#: Company roles that control a firm (a supervisor oversees it and is left out).
CONTROL_ROLES = ("shareholder", "legal_rep", "director", "manager", "beneficial_owner")


def controllers(ctx: Context, firms: list[str], days: list[str]) -> list[Row]:
    """The role records (:data:`CONTROL_ROLES`) by which a person or body controlled one
    of ``firms`` while the group bid (between the first and the last of ``days``; none:
    at any time), in the order of ``firms``, then by holder: the people a ring
    implicates besides its firms.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> roles = pd.DataFrame({"id": ["r1", "r2", "r3"], "src": ["p:A", "p:B", "p:C"],
    ...                       "dst": ["o:1", "o:1", "o:2"],
    ...                       "role": ["legal_rep", "supervisor", "shareholder"],
    ...                       "s": ["2018-01-01", OPEN_START, OPEN_START],
    ...                       "e": [OPEN_END, OPEN_END, "2016-12-31"]})
    >>> ctx = SimpleNamespace(frames=SimpleNamespace(rel=lambda type_: roles))
    >>> [r["src"] for r in controllers(ctx, ["o:1", "o:2"], ["2019-05-01"])]
    ['p:A']
    >>> [r["src"] for r in controllers(ctx, ["o:1", "o:2"], [])]
    ['p:A', 'p:C']
    """
    roles = ctx.frames.rel("COMPANY_ROLE")
    if roles.empty or not firms:
        return []
    lo, hi = (min(days), max(days)) if days else (OPEN_START, OPEN_END)
    sel = roles[roles["dst"].isin(firms) & roles["role"].isin(CONTROL_ROLES)
                & (roles["s"] <= hi) & (roles["e"] >= lo)].copy()
    sel["at"] = sel["dst"].map({k: i for i, k in enumerate(firms)})
    ordered = sel.sort_values(["at", "src", "id"]).drop(columns="at")
    return [{str(k): v for k, v in r.items()} for r in ordered.to_dict("records")]


def controller_words(ctx: Context, held: list[Row], most: int = 6) -> Msg:
    """``Behind the firms: X, legal representative of A; ...`` (``most`` told)."""
    return Msg(TEXT["held_by"], {"holders": names(
        [Msg(TEXT["holder_of"], {"holder": ctx.ent(str(r["src"])),
                                 "role": word("company_role", str(r["role"])),
                                 "firm": ctx.name(str(r["dst"]))}) for r in held],
        most, TEXT["list_sep"])})


def controller_evidence(ctx: Context, held: list[Row]) -> list[list[dict[str, Any]]]:
    """Evidence: each holder, the role record, the firm."""
    f = ctx.frames
    return [[node(f, str(r["src"]), "person" if str(r["src"]).startswith("p:")
                  else "organization"), rel(f, r, "COMPANY_ROLE"),
             node(f, str(r["dst"]), "organization")] for r in held]


def _ring_finding(ctx: Context, members: list[str], g: list[Row], s: Support) -> Finding:
    f, st = ctx.frames, ctx.settings
    rows = f.rel_row
    kc = _known(g)
    cids = [k["contract"] for k in kc]
    held = controllers(ctx, members, [k["date"] for k in kc if k["date"]])
    keys = [*members, *cids, *dict.fromkeys(p for t in s.ties for p in (t["pa"], t["pb"])),
            *dict.fromkeys(str(r["src"]) for r in held)]
    score = st["base_score"] + support_score(st, s) + ctx.report_bonus(members)
    by_contract = _grouped(g, "contract")
    evidence: list[list[dict[str, Any]]] = []
    for k in kc:
        c = k["contract"]
        for r in sorted(by_contract[c], key=lambda r: r["firm"]):
            evidence.append(_bid_path(f, rows, [r["bid_id"]], c))
        if isinstance(k["award_id"], str):
            evidence.append([node(f, c, "contract"), rel(f, rows("AWARDED_TO", k["award_id"]),
                                                          "AWARDED_TO"),
                             node(f, k["supplier"], "organization")])
    wins = Counter(k["supplier"] for k in kc if k["supplier"] in set(members))
    turns = [Msg(TEXT["turn"], {
        "contract": ctx.ent(k["contract"]),
        "date": date(k["date"]) if k["date"] else Msg(TEXT["unknown_date"]),
        "winner": ctx.name(k["supplier"]) if isinstance(k["supplier"], str)
        else Msg(TEXT["nobody"])}) for k in kc]
    buyers = [k["buyer"] for k in kc if isinstance(k["buyer"], str)]
    days = [k["date"] for k in kc if k["date"]]
    fields = {"n": len(members), "members": names([ctx.ent(m) for m in members], None),
              "k": len(cids), "buyers": names([ctx.ent(b) for b in dict.fromkeys(buyers)], None),
              "span": dates(days[0], days[-1]) if days else "", "min": int(st["min_firms"]),
              "turns": names(turns, None, TEXT["list_sep"]),
              "tally": names([Msg(TEXT["tally"], {"firm": ctx.name(w), "n": n})
                              for w, n in sorted(wins.items())], None)}
    key = "ring_bids" + ("_buyers" if buyers else "") + ("_span" if days else "")
    evidence += _support_evidence(ctx, s) + controller_evidence(ctx, held)
    text = [Msg(TEXT[key], fields), Msg(TEXT["ring_wins"], fields),
            *_support_words(ctx, s, kc), *([controller_words(ctx, held)] if held else []),
            Msg(TEXT["ring_why"])]
    title = Msg(TEXT["ring_title"], {**fields, "members": names([ctx.name(m) for m in members],
                                                                None)})
    return Finding(clip(score), title, keys, evidence, text,
                   sector=_mode([k["sector"] for k in kc]), date=days[0] if days else "",
                   extra={"contracts": f.source_ids(cids), "wins": {
                       "/".join(f.ids.get(w, [w])): n for w, n in sorted(wins.items())},
                       "corroboration": {
                           "shared_identifiers": len(s.links), "people_ties": len(s.ties),
                           "cover_bid_contracts": f.source_ids(s.covered),
                           "never_won": f.source_ids(s.losers), "market_firms": s.market,
                           "market_contracts": s.market_contracts,
                           "chance_meetings": round(s.expected, 6),
                           "chance": float(f"{s.chance:.3g}"),
                           "corroborated": s.corroborated}})


@rule("COL-002", "collusion", "Recurring co-bidders taking turns to win")
def rotating_winners(ctx: Context) -> list[Finding]:
    """One finding per group that bid together often enough with at least two winners
    (a group found again with the same members and contracts, once), scored by what
    corroborates the rotation (:mod:`queries.rules.rotation`); a group scoring below
    ``min_score`` is a note (``rotation_not_reported``), not a finding."""
    st = ctx.settings
    hits = rotation_contracts(ctx)
    _prefetch(ctx, hits, {"BID": ("bid_id",), "AWARDED_TO": ("award_id",)},
              ("firm", "contract", "buyer", "supplier"))
    if not hits:
        return []
    by_group = _grouped(hits, "grp")
    support = supports(ctx, {int(g): sorted({r["firm"] for r in rs})
                             for g, rs in by_group.items()}, hits)
    for s in support.values():
        ctx.frames.prefetch("COMPANY_ROLE", (t[c] for t in s.ties for c in ("rec_a", "rec_b")))
        ctx.frames.prefetch("KIN", (t["path"] for t in s.ties if t["how"] != "associate"))
        ctx.frames.prefetch("ASSOCIATE", (t["path"] for t in s.ties if t["how"] == "associate"))
        ctx.frames.prefetch_keys(t[c] for t in s.ties for c in ("pa", "pb"))
    out: list[Finding] = []
    seen: set[tuple[str, ...]] = set()
    least = float(st.get("min_score", 0.0))
    for grp, g in by_group.items():
        members = sorted({r["firm"] for r in g})
        key = (*members, *sorted({r["contract"] for r in g}))
        if key in seen:
            continue
        seen.add(key)
        found = _ring_finding(ctx, members, g, support[int(grp)])
        if found.score >= least:
            out.append(found)
        else:
            _rotation_note(ctx, members, support[int(grp)], found.score, least)
    return out


def _rotation_note(ctx: Context, members: list[str], s: Support, score: float,
                   least: float) -> None:
    """Report a rotation the market's size explains, scored below ``min_score``."""
    f = ctx.frames
    ctx.note("rotation_not_reported", Msg(TEXT["rot_note"], {
        "members": names([ctx.name(m) for m in members], 4), "k": s.contracts,
        "m": s.market, "score": number(score, 2), "min": number(least, 2)}),
        members=f.source_ids(members), market_firms=s.market, score=round(score, 3))


# -- COL-003 ------------------------------------------------------------------------------

def single_bid_contracts(ctx: Context) -> list[Row]:
    """Competitive contracts, whose tender went ahead, that received one bid: one row per
    other (not competing) bid (``other_firm``, ``other_bid``, ``other_status``; empty when
    none). ``firm`` and ``bid_id`` are the one competing bidder and its first bid, None
    when the stated number of tenderers (``tenderers``) alone says one."""
    return ctx.rows(COL_003, {"methods": list(ctx.settings["competitive_methods"]),
                              "competing": list(COMPETING)})


def _single_finding(ctx: Context, k: Row, others: list[Row]) -> Finding:
    f, st = ctx.frames, ctx.settings
    rows = f.rel_row
    c = k["contract"]
    winner = k["supplier"] if isinstance(k["supplier"], str) else None
    by_bid = isinstance(k["firm"], str)
    firm = k["firm"] if by_bid else winner  # counted: the winner was the one tenderer
    keys = [c, *([firm] if firm else []), *([winner] if winner and winner != firm else [])]
    score = st["base_score"] + ctx.report_bonus([x for x in (firm, winner) if x])
    first = _bid_path(f, rows, [k["bid_id"]], c) if by_bid else [node(f, c, "contract")]
    if isinstance(k["award_id"], str):
        first += [rel(f, rows("AWARDED_TO", k["award_id"]), "AWARDED_TO"),
                  node(f, k["supplier"], "organization")]
    evidence = [first]
    if isinstance(k["bought_id"], str):
        evidence.append([node(f, k["buyer"], "organization"),
                         rel(f, rows("BOUGHT", k["bought_id"]), "BOUGHT"), node(f, c, "contract")])
    for o in others:
        evidence.append(_bid_path(f, rows, [o["other_bid"]], c))
    fields = {"contract": _contract_words(ctx, k),
              "amount": money(k["amount"], k["currency"]),
              "firm": ctx.ent(firm) if firm else "", "winner": ctx.ent(winner) if winner else "",
              "others": names([Msg(TEXT["other_bid"], {
                  "firm": ctx.ent(o["other_firm"]),
                  "status": word("bid_status", o["other_status"])}) for o in others],
                  None, TEXT["list_sep"]),
              "method": word("method", k["method"])}
    if by_bid:
        text = [Msg(TEXT["single"], fields)]
    else:
        text = [Msg(TEXT["single_counted_won" if firm else "single_counted"], fields)]
    text.append(Msg(TEXT["single_others" if others else "single_no_other"], fields))
    if by_bid and winner is not None and winner != firm:
        text.append(Msg(TEXT["single_odd"], fields))
    text.append(Msg(TEXT["single_why"], fields))
    title = Msg(TEXT["single_title" if by_bid else "single_counted_title"],
                {"Tender": word("Tender", k["method"]), "contract": ctx.name(c)})
    return Finding(clip(score), title, keys, evidence, text,
                   sector=k["sector"] if isinstance(k["sector"], str) else "",
                   date=str(k["date"]),
                   extra={"counted_from": "bids" if by_bid else "number_of_tenderers"})


@rule("COL-003", "collusion", "Competitive tender with a single valid bid (R018)")
def single_bid(ctx: Context) -> list[Finding]:
    """One finding per open or invited contract with exactly one valid bidder."""
    hits = single_bid_contracts(ctx)
    _prefetch(ctx, hits, {"BID": ("bid_id", "other_bid"), "AWARDED_TO": ("award_id",),
                          "BOUGHT": ("bought_id",)},
              ("contract", "firm", "other_firm", "buyer", "supplier"))
    return [_single_finding(ctx, g[0], [o for o in g if o["other_bid"] is not None])
            for g in _grouped(hits, "contract").values()]


# -- COL-004 ------------------------------------------------------------------------------

def identical_bids(ctx: Context) -> list[Row]:
    """Valid bids (``price``, ``firm``, ``bid_id`` + the contract's facts) whose exact
    amount another bidder on the same contract also bid: each firm's first bid at that
    price, by contract, price and firm."""
    return ctx.rows(COL_004)


def _identical_finding(ctx: Context, g: list[Row]) -> Finding:
    f, st = ctx.frames, ctx.settings
    rows = f.rel_row
    k = g[0]
    c = k["contract"]
    firms = list(dict.fromkeys(r["firm"] for r in g))
    winner = k["supplier"] if isinstance(k["supplier"], str) else None
    won = winner in firms
    keys = [c, *firms]
    score = st["base_score"] + (st.get("winner_bonus", 0.0) if won else 0.0)
    score += ctx.report_bonus(firms)
    evidence: list[list[dict[str, Any]]] = []
    parts = []
    for (amount, currency), a in _grouped(g, "price", "price_currency").items():
        ids = [r["bid_id"] for r in a]
        for other in ids[1:]:
            evidence.append(_bid_path(f, rows, [ids[0], other], c))
        parts.append(Msg(TEXT["same_price"], {
            "firms": names([ctx.ent(r["firm"]) for r in a], None, TEXT["and_sep"]),
            "amount": money(amount, currency)}))
    fields = {"contract": _contract_words(ctx, k), "groups": names(parts, None, TEXT["list_sep"]),
              "winner": ctx.ent(winner) if winner else ""}
    text = [Msg(TEXT["identical"], fields)]
    if won and winner:
        text.append(Msg(TEXT["identical_won"], fields))
    text.append(Msg(TEXT["identical_why"]))
    title = Msg(TEXT["identical_title"], {"n": len(firms), "contract": ctx.name(c)})
    return Finding(clip(score), title, keys, evidence, text,
                   sector=k["sector"] if isinstance(k["sector"], str) else "",
                   date=str(k["date"]))


@rule("COL-004", "collusion", "Different bidders with identical bid prices (R028)")
def identical_prices(ctx: Context) -> list[Finding]:
    """One finding per contract listing every group of equal valid prices."""
    hits = identical_bids(ctx)
    _prefetch(ctx, hits, {"BID": ("bid_id",)}, ("contract", "firm", "buyer", "supplier"))
    return [_identical_finding(ctx, g) for g in _grouped(hits, "contract").values()]
