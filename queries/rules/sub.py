"""SUB: subsidy fraud around the masses.

SUB-001: a payment approved by an official to himself or to kin within k ties,
the kin chain in force on the payment date. SUB-002: payments to a person
dated after the person's death. SUB-003: one bank account collecting payments
for many recipients who are not kin of each other.

Payments come from the ``payments`` table as three records each: PAID (payer ->
payment), APPROVED (approver -> payment) and PAID_TO (payment -> recipient, with
the amount and bank account), all dated with the payment date. The rules are SQL
(:data:`PAYMENTS`, :data:`SUB_001`, :data:`SUB_002`, :data:`SUB_003_MEMBERS`,
:data:`SUB_003_PAYMENTS`) over the engine's tables and the shared kin chains;
Python only builds the findings from the matched rows, plus two steps SQL cannot
do portably, each on a small set:

- bank accounts are compared NFKC-normalised, and no SQL dialect here has NFKC:
  SQL strips blanks and hyphens from accounts written in ASCII (where NFKC changes
  nothing), and the few distinct accounts holding other characters are normalised
  in Python (:func:`account_forms`) and passed back as a parameter;
- SUB-003's kin groups are connected components (recipients of one account
  joined transitively by kin chains), which a fixed number of SQL joins cannot
  compute exactly: SQL finds the recipients of accounts with at least
  ``min_recipients`` recipients and the kin-linked pairs among them, and
  :func:`kin_groups` joins the pairs (union-find) in Python.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from graph.schema import kind_of_key
from lang.core import N_, NP_
from lang.message import Msg, Template, date, dates, money, names, period
from queries.context import Context
from queries.coverage import covers
from queries.findings import Finding, clip, node, rel
from queries.registry import rule
from queries.rules.common import compact_text

#: One matched row (a payment with its approver, payer, chain...), as the SQL returns it.
Row = dict[str, Any]

#: A character outside ASCII (a parameter of the SQL, never pasted into it).
NON_ASCII = r"[^\x00-\x7F]"
#: What :func:`normalise_account` removes from an ASCII account: Python's ``\s`` on
#: ASCII (tab to carriage return, the four separators 0x1C-0x1F, space) and hyphens.
BLANKS = r"[\x09-\x0D\x1C-\x20\x2D]+"

#: The non-ASCII accounts as Python normalised them: ``$forms`` = [{raw, account}].
FORMS = """
    forms AS (
        SELECT kv.raw AS raw, kv.account AS account
        FROM (SELECT unnest(CAST($forms AS STRUCT(raw VARCHAR, account VARCHAR)[])) AS kv)
             AS given)"""

#: One row per payment: its first PAID_TO, APPROVED and PAID records (by record id),
#: ``date`` '' when blank, ``account`` normalised ('' when blank), program and sector;
#: made once per scan as the table ``sub_payments`` (:func:`payments_table`).
PAYMENTS_TABLE = f"""WITH {FORMS},
    payments AS (
        SELECT pt.src AS payment, pt.dst AS recipient,
               CASE WHEN pt.s = '0000-01-01' THEN '' ELSE pt.s END AS date, pt.amount,
               coalesce(f.account, regexp_replace(pt.bank_account, $blanks, '', 'g'), '')
                   AS account,
               pt.id AS paid_to_id, ap.src AS approver, ap.id AS approve_id,
               pd.src AS payer, pd.id AS paid_id, e.program, e.sector,
               coalesce(e.currency, '') AS currency
        FROM (SELECT * FROM rel_PAID_TO
              QUALIFY row_number() OVER (PARTITION BY src ORDER BY id) = 1) AS pt
        LEFT JOIN forms f ON f.raw = pt.bank_account
        LEFT JOIN (SELECT id, src, dst FROM rel_APPROVED
                   QUALIFY row_number() OVER (PARTITION BY dst ORDER BY id) = 1) AS ap
               ON ap.dst = pt.src
        LEFT JOIN (SELECT id, src, dst FROM rel_PAID
                   QUALIFY row_number() OVER (PARTITION BY dst ORDER BY id) = 1) AS pd
               ON pd.dst = pt.src
        LEFT JOIN ent_payment e ON e.key = pt.src)
    SELECT * FROM payments"""

#: The payments every SUB query starts from.
PAYMENTS = "payments AS (SELECT * FROM sub_payments)"

#: SUB rules assess payments (``sub_payments``, made by the rule before). Not assessable:
#: no approver on record (SUB-001), no payment date (SUB-002), no bank account (SUB-003).
_COVERED = "SELECT payment AS item, CASE WHEN {test} THEN '{field}' END AS missing " \
           "FROM sub_payments"
covers("SUB-001", "payment", _COVERED.format(test="approver IS NULL", field="approver"))
covers("SUB-002", "payment", _COVERED.format(test="date = ''", field="date"))
covers("SUB-003", "payment", _COVERED.format(test="account = ''", field="bank_account"))

#: SUB-001: each approved payment to the approver himself (hops 0) or to kin within
#: $max_kin_hops ties whose chain held on the payment date (an undated payment: a
#: chain with no dates at all); per payment the shortest chain (then the smallest
#: path). With the approver's post on the group's first payment date (the latest
#: begun, when several), ordered by approver, recipient, date, payment.
SUB_001 = f"""
    WITH {PAYMENTS},
    approved AS (SELECT * FROM payments WHERE approver IS NOT NULL),
    matched AS (
        SELECT p.*, 0 AS hops, '' AS path, 'self' AS how,
               '0000-01-01' AS tie_s, '9999-12-31' AS tie_e
        FROM approved p WHERE p.approver = p.recipient
        UNION ALL
        SELECT p.*, k.hops, k.path, k.how, k.s AS tie_s, k.e AS tie_e
        FROM approved p JOIN kin_chains k ON k.a = p.approver AND k.b = p.recipient
        WHERE k.hops <= $max_kin_hops
          AND ((p.date <> '' AND k.s <= p.date AND p.date <= k.e)
               OR (p.date = '' AND k.s = '0000-01-01' AND k.e = '9999-12-31'))),
    chosen AS (
        SELECT * FROM matched
        QUALIFY row_number() OVER (PARTITION BY payment ORDER BY hops, path) = 1),
    pairs AS (
        SELECT approver, recipient, coalesce(min(nullif(date, '')), '0000-01-01') AS day
        FROM chosen GROUP BY approver, recipient),
    posts AS (
        SELECT g.approver, g.recipient, h.id AS post_id, h.dst AS post_org, h.s AS post_s,
               h.e AS post_e, h.title AS post_title
        FROM pairs g JOIN rel_HOLDS_POST h ON h.src = g.approver
        WHERE h.s <= g.day AND g.day <= h.e
        QUALIFY row_number() OVER (PARTITION BY g.approver, g.recipient
                                   ORDER BY h.s DESC, h.id DESC) = 1)
    SELECT c.*, h.post_id, h.post_org, h.post_s, h.post_e, h.post_title
    FROM chosen c
    LEFT JOIN posts h ON h.approver = c.approver AND h.recipient = c.recipient
    ORDER BY c.approver, c.recipient, c.date, c.payment"""

#: SUB-002: dated payments more than $grace_days days after the recipient's death,
#: ordered by recipient, date, payment.
SUB_002 = f"""
    WITH {PAYMENTS},
    late AS (
        SELECT p.*, d.death_date,
               date_diff('day', TRY_CAST(d.death_date AS DATE), TRY_CAST(p.date AS DATE))
                   AS days_after
        FROM payments p JOIN ent_person d ON d.key = p.recipient
        WHERE p.date <> '' AND d.death_date IS NOT NULL)
    SELECT * FROM late WHERE days_after > $grace_days
    ORDER BY recipient, date, payment"""

#: SUB-003, first step: (account, recipient, '') for every recipient of an account
#: paying at least $min_recipients recipients, and (account, recipient, other) for
#: every two of them a kin chain of at most $max_kin_hops ties links, whatever its
#: dates (a chain whose links never held at the same time does not count). The
#: chains are those of ``kin_chains`` (the same joins), followed from these
#: recipients only.
SUB_003_MEMBERS = f"""
    WITH {PAYMENTS},
    held AS (SELECT DISTINCT account, recipient FROM payments WHERE account <> ''),
    members AS (
        SELECT account, recipient FROM held
        QUALIFY count(*) OVER (PARTITION BY account) >= $min_recipients),
    starts AS (SELECT DISTINCT recipient AS key FROM members),
    c1 AS (
        SELECT k.a, k.b, k.s, k.e FROM kin_edges k JOIN starts st ON st.key = k.a),
    c2 AS (
        SELECT c1.a, x.b, greatest(c1.s, x.s) AS s, least(c1.e, x.e) AS e, c1.b AS n1
        FROM c1 JOIN kin_edges x ON x.a = c1.b
        WHERE $max_kin_hops >= 2 AND x.b <> c1.a AND greatest(c1.s, x.s) <= least(c1.e, x.e)),
    c3 AS (
        SELECT c2.a, x.b
        FROM c2 JOIN kin_edges x ON x.a = c2.b
        WHERE $max_kin_hops >= 3 AND x.b <> c2.a AND x.b <> c2.n1
          AND greatest(c2.s, x.s) <= least(c2.e, x.e)),
    chains AS (
        SELECT a, b FROM c1 UNION SELECT a, b FROM c2 UNION SELECT a, b FROM c3),
    linked AS (
        SELECT m.account, m.recipient, n.recipient AS other
        FROM members m
        JOIN members n ON n.account = m.account AND n.recipient <> m.recipient
        JOIN chains c ON c.a = m.recipient AND c.b = n.recipient)
    SELECT account, recipient, '' AS other FROM members
    UNION ALL SELECT account, recipient, other FROM linked
    ORDER BY account, recipient, other"""

#: SUB-003, last step: every payment into the $accounts flagged, ordered by account,
#: date, payment.
SUB_003_PAYMENTS = f"""
    WITH {PAYMENTS}
    SELECT * FROM payments WHERE list_contains($accounts, account)
    ORDER BY account, date, payment"""


def normalise_account(s: pd.Series) -> pd.Series:
    """Bank accounts compared as NFKC text without blanks or hyphens ("" when missing).

    Examples
    --------
    >>> normalise_account(pd.Series(["6228 4800-1234", "６２２８48001234", None])).tolist()
    ['622848001234', '622848001234', '']
    """
    return compact_text(s, r"[\s\-]+")


def account_forms(ctx: Context) -> list[dict[str, str]]:
    """The accounts written with characters beyond ASCII, each with its normalised form
    (:func:`normalise_account`): the ``$forms`` parameter of :data:`PAYMENTS`."""
    raw = sorted(str(r["bank_account"]) for r in ctx.rows(
        "SELECT DISTINCT bank_account FROM rel_PAID_TO "
        "WHERE regexp_matches(bank_account, $non_ascii)", {"non_ascii": NON_ASCII}))
    norm = normalise_account(pd.Series(raw, dtype=object)).tolist()
    return [{"raw": r, "account": str(a)} for r, a in zip(raw, norm, strict=True)]


def _payment_rows(ctx: Context, sql: str, **params: Any) -> list[Row]:
    """Run one of the rules' SQL texts over ``sub_payments``, made first when this scan
    has not made it yet."""
    ctx.materialize("sub_payments", PAYMENTS_TABLE,
                    lambda: {"forms": account_forms(ctx), "blanks": BLANKS})
    return ctx.rows(sql, params)


def _prefetch(ctx: Context, rows: list[Row], keys: Iterable[str | None] = ()) -> None:
    """Fetch in batches every record and entity the payments' evidence will show."""
    f = ctx.frames
    for type_, col in (("PAID_TO", "paid_to_id"), ("APPROVED", "approve_id"),
                       ("PAID", "paid_id")):
        f.prefetch(type_, (r[col] for r in rows))
    f.prefetch_keys([*(r[c] for r in rows for c in ("payment", "recipient", "approver",
                                                     "payer")), *keys])


def payment_paths(ctx: Context, p: Row) -> list[list[dict[str, Any]]]:
    """Evidence for one payment row: approver -> payment -> recipient, and payer -> payment."""
    f = ctx.frames
    path: list[dict[str, Any]] = []
    if isinstance(p["approver"], str):
        path += [node(f, p["approver"], "person"),
                 rel(f, f.rel_row("APPROVED", p["approve_id"]), "APPROVED")]
    path += [node(f, p["payment"], "payment"),
             rel(f, f.rel_row("PAID_TO", p["paid_to_id"]), "PAID_TO"),
             node(f, p["recipient"], kind_of_key(p["recipient"]))]
    out = [path]
    if isinstance(p["payer"], str):
        out.append([node(f, p["payer"], kind_of_key(p["payer"])),
                    rel(f, f.rel_row("PAID", p["paid_id"]), "PAID"),
                    node(f, p["payment"], "payment")])
    return out


TEXT: dict[str, Template] = {
    # one payment in a list of payments
    "pay_dated": N_("{payment} on {date} ({amount})"),
    "pay_dated_program": N_("{payment} on {date} ({amount}, {program})"),
    "pay_undated": N_("{payment} (undated) ({amount})"),
    "pay_undated_program": N_("{payment} (undated) ({amount}, {program})"),
    "list_sep": N_("; "),
    "paid_by": N_("Paid by {payers}."),
    "approved_by": N_("Approved by {approvers}."),
    # SUB-001
    "kin_self": NP_("{approver} approved a payment of {total} to himself or herself: "
                    "{payments}.",
                    "{approver} approved {n} payments totalling {total} to himself or herself: "
                    "{payments}."),
    "kin_self_post": NP_("{approver}, {job} at {org} (post held {post_period}) approved a "
                         "payment of {total} to himself or herself: {payments}.",
                         "{approver}, {job} at {org} (post held {post_period}) approved {n} "
                         "payments totalling {total} to himself or herself: {payments}."),
    "kin_kin": NP_("{approver} approved a payment of {total} to {recipient}, the approver's "
                   "{chains}: {payments}.",
                   "{approver} approved {n} payments totalling {total} to {recipient}, the "
                   "approver's {chains}: {payments}."),
    "kin_kin_post": NP_("{approver}, {job} at {org} (post held {post_period}) approved a payment "
                        "of {total} to {recipient}, the approver's {chains}: {payments}.",
                        "{approver}, {job} at {org} (post held {post_period}) approved {n} "
                        "payments totalling {total} to {recipient}, the approver's {chains}: "
                        "{payments}."),
    "in_post": N_("in post"),
    "chain": N_("{kin} (tie {tie_period})"),
    "chain_sep": N_(" / "),
    "same_person": N_("The approver and the recipient are the same person."),
    "tie_dated": N_("On every payment date the kin tie was in force."),
    "tie_undated": N_("The kin tie carries no dates, so it counts for the undated payment(s)."),
    "kin_why": N_("An official who approves public money for a relative (or for himself) decides "
                  "in his own family's favour; the rules on avoidance require him to step aside, "
                  "and the recipient's eligibility should be checked against the application "
                  "file."),
    "kin_title_self": NP_("{approver} approved a subsidy payment to himself/herself",
                          "{approver} approved {n} subsidy payments to himself/herself"),
    "kin_title_kin": NP_("{approver} approved a subsidy payment to his/her {kin} {recipient}",
                         "{approver} approved {n} subsidy payments to his/her {kin} "
                         "{recipient}"),
    # SUB-002
    "death": N_("{recipient} died on {died} (persons row), yet {n} payment(s) totalling {total} "
                "were made to this person {span}, the first {days} day(s) after the death: "
                "{payments}."),
    "death_grace": N_("{recipient} died on {died} (persons row), yet {n} payment(s) totalling "
                      "{total} were made to this person {span}, the first {days} day(s) after "
                      "the death (more than the {grace}-day grace period): {payments}."),
    "death_accounts": N_("Into account(s) {accounts}."),
    "death_why": N_("Payments to the dead mean the death was not reported to the paying body or "
                    "the benefit kept being drawn by someone else (冒领); check who withdrew the "
                    "money and whether the approver knew."),
    "death_title": N_("{n} subsidy payment(s) to {recipient} after his/her death on {died}"),
    # SUB-003
    "account": N_("Bank account {account} received {n} payment(s) totalling {total} for "
                  "{recipients} recipients who fall into {groups} unrelated groups (no kin chain "
                  "of at most {hops} ties links one group to another): {members}."),
    "account_dated": N_("Bank account {account} received {n} payment(s) totalling {total} {span} "
                        "for {recipients} recipients who fall into {groups} unrelated groups (no "
                        "kin chain of at most {hops} ties links one group to another): "
                        "{members}."),
    "group_kin": N_("{members} (kin of each other)"),
    "group_sep": N_(" + "),
    "account_payments": N_("Payments: {payments}."),
    "account_why": N_("A household may share one account; {groups} unrelated people should not. "
                      "Someone holding the account (often the official who enrolled them) may be "
                      "drawing subsidies in other people's names."),
    "account_placeholder": NP_(
        "Bank account {account} is paid to {n} recipient in {groups} unrelated groups, but "
        "it is too short or one repeated character (a placeholder, not an account), so it "
        "was not used to link anyone.",
        "Bank account {account} is paid to {n} recipients in {groups} unrelated groups, but "
        "it is too short or one repeated character (a placeholder, not an account), so it "
        "was not used to link anyone."),
    "account_too_common": NP_(
        "Bank account {account} is paid to {n} recipient in {groups} unrelated groups, more "
        "than the {max} allowed (an agency's or a program's own account), so it was not used "
        "to link anyone.",
        "Bank account {account} is paid to {n} recipients in {groups} unrelated groups, more "
        "than the {max} allowed (an agency's or a program's own account), so it was not used "
        "to link anyone."),
    "account_title": N_("Bank account {account} collected subsidies for {recipients} recipients "
                        "in {groups} unrelated groups"),
}


def _ents(ctx: Context, keys: list[str]) -> dict[str, Any]:
    return names([ctx.ent(k) for k in dict.fromkeys(keys)], None)


def _pay_list(g: list[Row]) -> dict[str, Any]:
    items = []
    for p in g:
        prog = isinstance(p["program"], str) and bool(p["program"])
        key = ("pay_dated" if p["date"] else "pay_undated") + ("_program" if prog else "")
        items.append(Msg(TEXT[key], {"payment": str(p["payment"]).split(":", 1)[-1],
                                     "date": date(p["date"]) if p["date"] else "",
                                     "amount": money(p["amount"], p["currency"]),
                                     "program": p["program"] if prog else ""}))
    return names(items, None, TEXT["list_sep"])


def _amounts(g: list[Row]) -> np.ndarray:
    return np.array([np.nan if p["amount"] is None else p["amount"] for p in g],
                    dtype=np.float64)


def _sum(g: list[Row]) -> float:
    """The amounts added up as pandas does (blanks left out; numpy's pairwise sum)."""
    return float(np.nansum(_amounts(g)))


def _currency(g: list[Row]) -> str:
    """The one currency of the payments ('' when none is stated, ``*`` when they differ)."""
    found = {str(p.get("currency") or "") for p in g}
    return found.pop() if len(found) == 1 else "*"


def _total(g: list[Row]) -> dict[str, Any]:
    """The total as money (unknown when every amount is blank); payments in different
    currencies are added up per currency, never into one sum."""
    cur = _currency(g)
    if cur == "*":
        by: dict[str, list[Row]] = {}
        for p in g:
            by.setdefault(str(p.get("currency") or ""), []).append(p)
        return names([_total(by[c]) for c in sorted(by)], None, TEXT["list_sep"])
    known = not np.isnan(_amounts(g)).all()
    return money(_sum(g) if known else None, cur)


def _sector(g: list[Row]) -> str:
    values = [p["sector"] for p in g if isinstance(p["sector"], str) and p["sector"]]
    return Counter(values).most_common(1)[0][0] if values else ""


def _first_date(g: list[Row]) -> str:
    days = sorted(p["date"] for p in g if p["date"])
    return days[0] if days else ""


def _present(values: Iterable[Any]) -> list[str]:
    """The text values, first occurrence of each, in order."""
    return list(dict.fromkeys(v for v in values if isinstance(v, str)))


def _first_of_each(rows: list[Row], col: str) -> list[Row]:
    """The first row of each value of ``col``, in order."""
    out: dict[Any, Row] = {}
    for r in rows:
        out.setdefault(r[col], r)
    return list(out.values())


def _groups(rows: list[Row], *cols: str) -> list[list[Row]]:
    """Consecutive rows with the same values in ``cols`` (the SQL orders by them first)."""
    out: list[list[Row]] = []
    last: tuple[Any, ...] | None = None
    for r in rows:
        key = tuple(r[c] for c in cols)
        if key != last:
            out.append([])
            last = key
        out[-1].append(r)
    return out


# -- SUB-001 ------------------------------------------------------------------------------

def _kin_path(ctx: Context, start: str, path: str) -> list[dict[str, Any]]:
    f = ctx.frames
    steps: list[dict[str, Any]] = [node(f, start, "person")]
    for rid in path.split(">"):
        r = f.rel_row("KIN", rid)
        nxt = r["dst"] if r["src"] == steps[-1]["key"] else r["src"]
        steps += [rel(f, r, "KIN"), node(f, nxt, "person")]
    return steps


def _kin_finding(ctx: Context, g: list[Row]) -> Finding:
    f, st = ctx.frames, ctx.settings
    first = g[0]
    approver, recipient = str(first["approver"]), str(first["recipient"])
    is_self = approver == recipient
    hops = min(int(p["hops"]) for p in g)
    score = st["base_score"] - st["hop_penalty"] * max(hops - 1, 0)
    score += st.get("self_bonus", 0.0) if is_self else 0.0
    score += ctx.report_bonus([approver, recipient])
    keys = [approver, *([] if is_self else [recipient]), *(p["payment"] for p in g)]
    evidence: list[list[dict[str, Any]]] = []
    for p in g:
        evidence += payment_paths(ctx, p)
    chains = _first_of_each([p for p in g if p["hops"] > 0], "path")
    for c in chains:
        evidence.append(_kin_path(ctx, approver, str(c["path"])))
    day = _first_date(g)
    fields: dict[str, Any] = {"approver": ctx.ent(approver), "recipient": ctx.ent(recipient),
                              "total": _total(g), "payments": _pay_list(g)}
    post = ""
    if first["post_id"] is not None:
        post = "_post"
        title = first["post_title"]
        fields.update(job=title if isinstance(title, str) and title else Msg(TEXT["in_post"]),
                      org=ctx.ent(first["post_org"]),
                      post_period=period(first["post_s"], first["post_e"]))
        evidence.append([node(f, approver, "person"),
                         rel(f, f.rel_row("HOLDS_POST", first["post_id"]), "HOLDS_POST"),
                         node(f, first["post_org"], "organization")])
    n = len(g)
    if is_self:
        text = [Msg(TEXT["kin_self" + post], fields, n=n)]
        tie_words = Msg(TEXT["same_person"])
        title_msg = Msg(TEXT["kin_title_self"], {"approver": ctx.name(approver)}, n=n)
    else:
        fields["chains"] = names([Msg(TEXT["chain"], {
            "kin": ctx.kinship(approver, str(c["how"]), str(c["path"])),
            "tie_period": period(c["tie_s"], c["tie_e"])}) for c in chains], None,
            TEXT["chain_sep"])
        text = [Msg(TEXT["kin_kin" + post], fields, n=n)]
        tie_words = Msg(TEXT["tie_dated" if all(p["date"] for p in g) else "tie_undated"])
        title_msg = Msg(TEXT["kin_title_kin"], {"approver": ctx.name(approver),
                                                "kin": ctx.kinship(approver, str(chains[0]["how"]),
                                                               str(chains[0]["path"])),
                                                "recipient": ctx.name(recipient)}, n=n)
    payers = [p["payer"] for p in g if isinstance(p["payer"], str)]
    if payers:
        text.append(Msg(TEXT["paid_by"], {"payers": _ents(ctx, payers)}))
    text += [tie_words, Msg(TEXT["kin_why"])]
    return Finding(clip(score), title_msg, keys, evidence, text, sector=_sector(g), date=day,
                   extra={"payments": f.source_ids([p["payment"] for p in g]),
                          "total": _sum(g), "currency": _currency(g)})


@rule("SUB-001", "subsidy_fraud", "Official approved a subsidy to his own kin")
def kin_subsidy(ctx: Context) -> list[Finding]:
    """One finding per (approver, recipient) listing every payment made while the tie held."""
    hits = _payment_rows(ctx, SUB_001, max_kin_hops=int(ctx.settings["max_kin_hops"]))
    f = ctx.frames
    _prefetch(ctx, hits, (p["post_org"] for p in hits))
    f.prefetch("HOLDS_POST", (p["post_id"] for p in hits))
    f.prefetch_chains((str(p["approver"]), str(p["path"])) for p in hits)
    return [_kin_finding(ctx, g) for g in _groups(hits, "approver", "recipient")]


# -- SUB-002 ------------------------------------------------------------------------------

def _death_finding(ctx: Context, g: list[Row]) -> Finding:
    f, st = ctx.frames, ctx.settings
    grace = int(st.get("grace_days", 0))
    first, last = g[0], g[-1]
    recipient, died = str(first["recipient"]), str(first["death_date"])
    approvers = _present(p["approver"] for p in g)
    payers = _present(p["payer"] for p in g)
    accounts = list(dict.fromkeys(p["account"] for p in g if p["account"]))
    keys = [recipient, *(p["payment"] for p in g), *approvers]
    score = st["base_score"] + ctx.report_bonus([recipient, *approvers])
    evidence: list[list[dict[str, Any]]] = [
        [{**node(f, recipient, "person"), "death_date": died}]]
    for p in g:
        evidence += payment_paths(ctx, p)
    n = len(g)
    fields = {"recipient": ctx.ent(recipient), "died": date(died), "n": n, "total": _total(g),
              "span": dates(str(first["date"]), str(last["date"])),
              "days": int(first["days_after"]), "grace": grace, "payments": _pay_list(g)}
    text = [Msg(TEXT["death_grace" if grace else "death"], fields)]
    if payers:
        text.append(Msg(TEXT["paid_by"], {"payers": _ents(ctx, payers)}))
    if approvers:
        text.append(Msg(TEXT["approved_by"], {"approvers": _ents(ctx, approvers)}))
    if accounts:
        text.append(Msg(TEXT["death_accounts"], {"accounts": names(accounts, None)}))
    text.append(Msg(TEXT["death_why"]))
    title = Msg(TEXT["death_title"], {"n": n, "recipient": ctx.name(recipient),
                                      "died": date(died)})
    return Finding(clip(score), title, keys, evidence, text, sector=_sector(g),
                   date=str(first["date"]),
                   extra={"payments": f.source_ids([p["payment"] for p in g]),
                          "total": _sum(g), "currency": _currency(g), "death_date": died,
                          "first_date": str(first["date"]), "last_date": str(last["date"]),
                          "payers": f.source_ids(payers)})


@rule("SUB-002", "subsidy_fraud", "Subsidy paid after the recipient's death")
def paid_after_death(ctx: Context) -> list[Finding]:
    """One finding per deceased recipient listing every late payment."""
    hits = _payment_rows(ctx, SUB_002, grace_days=int(ctx.settings.get("grace_days", 0)))
    _prefetch(ctx, hits)
    return [_death_finding(ctx, g) for g in _groups(hits, "recipient")]


# -- SUB-003 ------------------------------------------------------------------------------

def kin_groups(members: Iterable[tuple[str, str]],
               links: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    """Each account's recipients in kin groups: account -> recipient -> the smallest
    recipient key of its group (the connected component of the account's kin links,
    joined by union-find, so groups of any length of chain come out whole).

    Examples
    --------
    >>> kin_groups([("A", "p:1"), ("A", "p:2"), ("A", "p:3"), ("A", "p:4"), ("B", "p:3")],
    ...            [("A", "p:4", "p:3"), ("A", "p:3", "p:2")])
    {'A': {'p:1': 'p:1', 'p:2': 'p:2', 'p:3': 'p:2', 'p:4': 'p:2'}, 'B': {'p:3': 'p:3'}}
    """
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(x: tuple[str, str]) -> tuple[str, str]:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = list(members)
    for m in order:
        parent[m] = m
    for account, a, b in links:
        ra, rb = root((account, a)), root((account, b))
        if ra != rb:
            low, high = (ra, rb) if ra < rb else (rb, ra)
            parent[high] = low  # a root is always its group's smallest key
    out: dict[str, dict[str, str]] = {}
    for account, r in order:
        out.setdefault(account, {})[r] = root((account, r))[1]
    return out


def _account_finding(ctx: Context, account: str, g: list[Row],
                     labels: dict[str, str]) -> Finding:
    f, st = ctx.frames, ctx.settings
    need = int(st["min_recipients"])
    n_groups = len(set(labels.values()))
    recipients = list(dict.fromkeys(p["recipient"] for p in g))
    approvers = _present(p["approver"] for p in g)
    payers = _present(p["payer"] for p in g)
    keys = [*approvers, *recipients, *(p["payment"] for p in g)]
    score = st["base_score"] + st.get("group_bonus", 0.0) * (n_groups - need)
    score += ctx.report_bonus([*approvers, *recipients])
    evidence: list[list[dict[str, Any]]] = []
    for p in g:
        evidence += payment_paths(ctx, p)
    parts = []
    for label in sorted(set(labels.values())):
        who = [ctx.ent(r) for r in sorted(r for r, lab in labels.items() if lab == label)]
        parts.append(who[0] if len(who) == 1 else Msg(TEXT["group_kin"], {
            "members": names(who, None, TEXT["group_sep"])}))
    days = sorted(p["date"] for p in g if p["date"])
    fields = {"account": account, "n": len(g), "total": _total(g),
              "span": dates(days[0], days[-1]) if days else "",
              "recipients": len(recipients), "groups": n_groups,
              "hops": int(st["max_kin_hops"]), "members": names(parts, None, TEXT["list_sep"]),
              "payments": _pay_list(g)}
    text = [Msg(TEXT["account_dated" if days else "account"], fields)]
    if approvers:
        text.append(Msg(TEXT["approved_by"], {"approvers": _ents(ctx, approvers)}))
    if payers:
        text.append(Msg(TEXT["paid_by"], {"payers": _ents(ctx, payers)}))
    text += [Msg(TEXT["account_payments"], fields), Msg(TEXT["account_why"], fields)]
    title = Msg(TEXT["account_title"], fields)
    return Finding(clip(score), title, keys, evidence, text, sector=_sector(g),
                   date=days[0] if days else "",
                   extra={"bank_account": account, "groups": n_groups,
                          "payments": f.source_ids([p["payment"] for p in g]),
                          "total": _sum(g), "currency": _currency(g)})


def account_unusable(account: str, groups: int, most: int) -> str:
    """Why an account cannot stand for a hidden collector: ``placeholder`` (fewer than
    five characters, or one character repeated), ``too_common`` (more than ``most``
    unrelated groups: an agency's or a program's account; ``most`` 0: no limit), or ''.

    Examples
    --------
    >>> account_unusable("0000000", 6, 50), account_unusable("6222", 6, 50)
    ('placeholder', 'placeholder')
    >>> account_unusable("622848001234", 80, 50), account_unusable("622848001234", 6, 50)
    ('too_common', '')
    """
    if len(account) < 5 or len(set(account)) == 1:
        return "placeholder"
    return "too_common" if most and groups > most else ""


def usable_account(ctx: Context, account: str, labels: dict[str, str]) -> bool:
    """Whether an account with enough unrelated groups may be flagged; when not, the
    account is reported (:meth:`Context.note`, kind ``identifier_not_used``)."""
    n_groups = len(set(labels.values()))
    most = int(ctx.settings.get("max_sharing", 0))
    why = account_unusable(account, n_groups, most)
    if why:
        fields = {"account": account, "n": len(labels), "groups": n_groups, "max": most}
        ctx.note("identifier_not_used",
                 Msg(TEXT["account_" + why], fields, n=len(labels)), identifier="bank_account",
                 value=account, normalised=account, entities=len(labels), groups=n_groups,
                 reason=why, used=False)
    return not why


@rule("SUB-003", "subsidy_fraud", "One bank account collecting subsidies for unrelated people")
def shared_account(ctx: Context) -> list[Finding]:
    """One finding per account whose recipients form at least ``min_recipients`` kin groups."""
    need = int(ctx.settings["min_recipients"])
    rows = _payment_rows(ctx, SUB_003_MEMBERS, min_recipients=need,
                         max_kin_hops=int(ctx.settings["max_kin_hops"]))
    groups = kin_groups([(r["account"], r["recipient"]) for r in rows if not r["other"]],
                        [(r["account"], r["recipient"], r["other"]) for r in rows if r["other"]])
    flagged = sorted(a for a, labels in groups.items() if len(set(labels.values())) >= need)
    flagged = [a for a in flagged if usable_account(ctx, a, groups[a])]
    if not flagged:
        return []
    hits = _payment_rows(ctx, SUB_003_PAYMENTS, accounts=flagged)
    _prefetch(ctx, hits)
    return [_account_finding(ctx, str(g[0]["account"]), g, groups[g[0]["account"]])
            for g in _groups(hits, "account")]
