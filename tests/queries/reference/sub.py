"""The SUB rules as they were written before the columnar engine: pandas joins over whole
relationship frames and kin chains from :mod:`queries.kin`. A slow, obvious reference the
SQL in :mod:`queries.rules.sub` is checked against (``tests/queries/test_sub_engine.py``);
the texts are the rule module's own (``TEXT``), so only the matching and the evidence are
compared. Nothing here registers a rule: :data:`REFERENCE` maps each code to its function.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from graph.schema import kind_of_key
from lang.message import Msg, date, dates, money, names, period
from queries.findings import Finding, clip, node, rel
from queries.frames import OPEN_END, OPEN_START, Frames, in_force
from queries.rules.common import RowLookup, compact_text
from queries.rules.sub import TEXT
from tests.queries.reference.context import RefContext as Context

PAYMENT_COLUMNS = ["payment", "recipient", "date", "dated", "amount", "account", "paid_to_id",
                   "approver", "approve_id", "payer", "paid_id", "program", "sector", "currency"]


def payments(ctx: Context) -> pd.DataFrame:
    """One row per payment (columns :data:`PAYMENT_COLUMNS`); ``date`` is "" when blank.

    ``account`` is the bank account as written, NFKC-normalised with blanks and
    hyphens removed ("" when missing).
    """
    key = ("sub.payments",)
    if key not in ctx._cache:
        ctx._cache[key] = _payments(ctx.frames)
    return ctx._cache[key]


def _payments(f: Frames) -> pd.DataFrame:
    pt = f.rel("PAID_TO")
    if pt.empty:
        return pd.DataFrame({c: pd.Series(dtype=bool if c == "dated" else object)
                             for c in PAYMENT_COLUMNS})
    out = pd.DataFrame({
        "payment": pt["src"], "recipient": pt["dst"],
        "date": pt["s"].where(pt["s"] != OPEN_START, ""), "amount": pt["amount"],
        "account": normalise_account(pt["bank_account"]), "paid_to_id": pt["id"]})
    out["dated"] = out["date"] != ""
    out = out.drop_duplicates("payment", keep="first")
    ap = f.rel("APPROVED")[["id", "src", "dst"]].rename(
        columns={"id": "approve_id", "src": "approver", "dst": "payment"})
    paid = f.rel("PAID")[["id", "src", "dst"]].rename(
        columns={"id": "paid_id", "src": "payer", "dst": "payment"})
    out = out.merge(ap.drop_duplicates("payment"), on="payment", how="left")
    out = out.merge(paid.drop_duplicates("payment"), on="payment", how="left")
    ents = f.ents("payment")
    cols = [c for c in ("program", "sector", "currency") if c in ents.columns]
    out = out.merge(ents[["key", *cols]].rename(columns={"key": "payment"}), on="payment",
                    how="left")
    for c in ("program", "sector", "currency"):
        if c not in out.columns:
            out[c] = None
    out["currency"] = out["currency"].astype("string").fillna("").astype(str)
    return out[PAYMENT_COLUMNS].reset_index(drop=True)


def normalise_account(s: pd.Series) -> pd.Series:
    """Bank accounts compared as NFKC text without blanks or hyphens ("" when missing).

    Examples
    --------
    >>> normalise_account(pd.Series(["6228 4800-1234", "６２２８48001234", None])).tolist()
    ['622848001234', '622848001234', '']
    """
    return compact_text(s, r"[\s\-]+")


def payment_paths(ctx: Context, rows: RowLookup, p: Any) -> list[list[dict[str, Any]]]:
    """Evidence for one payment row: approver -> payment -> recipient, and payer -> payment."""
    f = ctx.frames
    path: list[dict[str, Any]] = []
    if isinstance(p["approver"], str):
        path += [node(f, p["approver"], "person"), rel(f, rows("APPROVED", p["approve_id"]),
                                                       "APPROVED")]
    path += [node(f, p["payment"], "payment"), rel(f, rows("PAID_TO", p["paid_to_id"]), "PAID_TO"),
             node(f, p["recipient"], kind_of_key(p["recipient"]))]
    out = [path]
    if isinstance(p["payer"], str):
        out.append([node(f, p["payer"], kind_of_key(p["payer"])),
                    rel(f, rows("PAID", p["paid_id"]), "PAID"),
                    node(f, p["payment"], "payment")])
    return out




def _ents(ctx: Context, keys: list[str]) -> dict[str, Any]:
    return names([ctx.ent(k) for k in dict.fromkeys(keys)], None)


def _pay_list(g: pd.DataFrame) -> dict[str, Any]:
    items = []
    for _, p in g.iterrows():
        prog = isinstance(p["program"], str) and bool(p["program"])
        key = ("pay_dated" if p["date"] else "pay_undated") + ("_program" if prog else "")
        items.append(Msg(TEXT[key], {"payment": str(p["payment"]).split(":", 1)[-1],
                                     "date": date(p["date"]) if p["date"] else "",
                                     "amount": money(p["amount"], p["currency"]),
                                     "program": p["program"] if prog else ""}))
    return names(items, None, TEXT["list_sep"])


def _currency(g: pd.DataFrame) -> str:
    found = set(g["currency"])
    return found.pop() if len(found) == 1 else "*"


def _total(g: pd.DataFrame) -> dict[str, Any]:
    """Added up per currency, never across currencies."""
    if _currency(g) == "*":
        return names([_total(x) for _, x in g.groupby("currency", sort=True)], None,
                     TEXT["list_sep"])
    return money(g["amount"].sum(min_count=1), _currency(g))


def _sector(g: pd.DataFrame) -> str:
    values = [s for s in g["sector"].tolist() if isinstance(s, str) and s]
    return Counter(values).most_common(1)[0][0] if values else ""


def _first_date(g: pd.DataFrame) -> str:
    dates = sorted(d for d in g["date"].tolist() if d)
    return dates[0] if dates else ""


# -- SUB-001 ------------------------------------------------------------------------------

def kin_payments(ctx: Context) -> pd.DataFrame:
    """Payments whose approver is the recipient or kin of the recipient on the payment date.

    Columns: the payment columns plus the chain (``hops``, ``path``, ``how``,
    ``tie_s``, ``tie_e``); ``hops`` 0 = the approver paid himself. An undated
    payment counts only through a chain with no recorded dates at all.
    """
    pm = payments(ctx).dropna(subset=["approver"])
    hops = int(ctx.settings["max_kin_hops"])
    own = pm[pm["approver"] == pm["recipient"]].assign(
        hops=0, path="", how="self", tie_s=OPEN_START, tie_e=OPEN_END)
    kin = ctx.kin(hops, set(pm["approver"]))
    kin = kin.loc[:, ["a", "b", "s", "e", "hops", "path", "how"]]
    kin = kin.rename(columns={"a": "approver", "b": "recipient", "s": "tie_s", "e": "tie_e"})
    via = pm.merge(kin, on=["approver", "recipient"])
    held = in_force(via["tie_s"], via["tie_e"], via["date"])
    timeless = (via["tie_s"] == OPEN_START) & (via["tie_e"] == OPEN_END)
    dated = via["dated"].astype(bool)
    via = via[(dated & held) | (~dated & timeless)]
    both = pd.concat([own, via], ignore_index=True)
    both = both.sort_values(["hops", "path", "payment"], kind="stable")
    both = both.drop_duplicates("payment", keep="first")
    return both.sort_values(["approver", "recipient", "date", "payment"]).reset_index(drop=True)


def _post_of(ctx: Context, people: list[str]) -> dict[str, pd.DataFrame]:
    posts = ctx.frames.rel("HOLDS_POST")
    posts = posts[posts["src"].isin(people)].sort_values(["s", "id"])
    return {str(k): g for k, g in posts.groupby("src")}


def _kin_path(ctx: Context, rows: RowLookup, start: str, path: str) -> list[dict[str, Any]]:
    f = ctx.frames
    steps: list[dict[str, Any]] = [node(f, start, "person")]
    for rid in path.split(">"):
        r = rows("KIN", rid)
        nxt = r["dst"] if r["src"] == steps[-1]["key"] else r["src"]
        steps += [rel(f, r, "KIN"), node(f, nxt, "person")]
    return steps


def _kin_finding(ctx: Context, rows: RowLookup, g: pd.DataFrame,
                 posts: dict[str, pd.DataFrame]) -> Finding:
    f, st = ctx.frames, ctx.settings
    first = g.iloc[0]
    approver, recipient = str(first["approver"]), str(first["recipient"])
    is_self = approver == recipient
    hops = int(g["hops"].min())
    score = st["base_score"] - st["hop_penalty"] * max(hops - 1, 0)
    score += st.get("self_bonus", 0.0) if is_self else 0.0
    score += ctx.report_bonus([approver, recipient])
    keys = [approver, *([] if is_self else [recipient]), *g["payment"].tolist()]
    evidence: list[list[dict[str, Any]]] = []
    for _, p in g.iterrows():
        evidence += payment_paths(ctx, rows, p)
    chains = g[g["hops"] > 0].drop_duplicates("path")
    for _, c in chains.iterrows():
        evidence.append(_kin_path(ctx, rows, approver, str(c["path"])))
    day = _first_date(g)
    fields: dict[str, Any] = {"approver": ctx.ent(approver), "recipient": ctx.ent(recipient),
                              "total": _total(g), "payments": _pay_list(g)}
    held = posts.get(approver)
    post = ""
    if held is not None:
        on = held[in_force(held["s"], held["e"], day or OPEN_START)]
        if not on.empty:
            ph = on.iloc[-1]
            post = "_post"
            fields.update(job=ph["title"] if isinstance(ph["title"], str) and ph["title"]
                          else Msg(TEXT["in_post"]), org=ctx.ent(ph["dst"]),
                          post_period=period(ph["s"], ph["e"]))
            evidence.append([node(f, approver, "person"), rel(f, ph, "HOLDS_POST"),
                             node(f, ph["dst"], "organization")])
    n = len(g)
    if is_self:
        text = [Msg(TEXT["kin_self" + post], fields, n=n)]
        tie_words = Msg(TEXT["same_person"])
        title = Msg(TEXT["kin_title_self"], {"approver": ctx.name(approver)}, n=n)
    else:
        fields["chains"] = names([Msg(TEXT["chain"], {
            "kin": ctx.kinship(approver, str(c["how"]), str(c["path"])),
            "tie_period": period(c["tie_s"], c["tie_e"])}) for _, c in chains.iterrows()],
            None, TEXT["chain_sep"])
        text = [Msg(TEXT["kin_kin" + post], fields, n=n)]
        tie_words = Msg(TEXT["tie_dated" if g["dated"].all() else "tie_undated"])
        title = Msg(TEXT["kin_title_kin"], {"approver": ctx.name(approver),
                                            "kin": ctx.kinship(approver,
                                                               str(chains.iloc[0]["how"]),
                                                               str(chains.iloc[0]["path"])),
                                            "recipient": ctx.name(recipient)}, n=n)
    payers = [p for p in g["payer"].tolist() if isinstance(p, str)]
    if payers:
        text.append(Msg(TEXT["paid_by"], {"payers": _ents(ctx, payers)}))
    text += [tie_words, Msg(TEXT["kin_why"])]
    return Finding(clip(score), title, keys, evidence, text, sector=_sector(g), date=day,
                   extra={"payments": f.source_ids(g["payment"].tolist()),
                          "total": float(g["amount"].sum()), "currency": _currency(g)})


def kin_subsidy(ctx: Context) -> list[Finding]:
    """One finding per (approver, recipient) listing every payment made while the tie held."""
    hits = kin_payments(ctx)
    if hits.empty:
        return []
    rows = ctx.frames.rel_row
    posts = _post_of(ctx, sorted(set(hits["approver"])))
    return [_kin_finding(ctx, rows, g, posts)
            for _, g in hits.groupby(["approver", "recipient"], sort=True)]


# -- SUB-002 ------------------------------------------------------------------------------

def after_death_payments(ctx: Context) -> pd.DataFrame:
    """Dated payments to persons more than ``grace_days`` days after their death_date."""
    grace = int(ctx.settings.get("grace_days", 0))
    pm = payments(ctx)
    pm = pm.loc[pm["dated"].astype(bool)]
    people = ctx.frames.ents("person")
    if "death_date" not in people.columns or pm.empty:
        return pm.assign(death_date="", days_after=0).iloc[0:0]
    deaths = people[["key", "death_date"]].dropna().rename(columns={"key": "recipient"})
    m = pm.merge(deaths, on="recipient")
    paid = pd.to_datetime(m["date"], format="%Y-%m-%d", errors="coerce")
    died = pd.to_datetime(m["death_date"], format="%Y-%m-%d", errors="coerce")
    m["days_after"] = (paid - died).dt.days
    m = m[m["days_after"] > grace]
    return m.sort_values(["recipient", "date", "payment"]).reset_index(drop=True)


def _death_finding(ctx: Context, rows: RowLookup, g: pd.DataFrame) -> Finding:
    f, st = ctx.frames, ctx.settings
    grace = int(st.get("grace_days", 0))
    first = g.iloc[0]
    recipient, died = str(first["recipient"]), str(first["death_date"])
    approvers = list(dict.fromkeys(a for a in g["approver"].tolist() if isinstance(a, str)))
    payers = list(dict.fromkeys(a for a in g["payer"].tolist() if isinstance(a, str)))
    accounts = list(dict.fromkeys(a for a in g["account"].tolist() if a))
    keys = [recipient, *g["payment"].tolist(), *approvers]
    score = st["base_score"] + ctx.report_bonus([recipient, *approvers])
    evidence: list[list[dict[str, Any]]] = [
        [{**node(f, recipient, "person"), "death_date": died}]]
    for _, p in g.iterrows():
        evidence += payment_paths(ctx, rows, p)
    n = len(g)
    last = g.iloc[-1]
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
                   extra={"payments": f.source_ids(g["payment"].tolist()),
                          "total": float(g["amount"].sum()), "currency": _currency(g),
                          "death_date": died,
                          "first_date": str(first["date"]), "last_date": str(last["date"]),
                          "payers": f.source_ids(payers)})


def paid_after_death(ctx: Context) -> list[Finding]:
    """One finding per deceased recipient listing every late payment."""
    hits = after_death_payments(ctx)
    rows = ctx.frames.rel_row
    return [_death_finding(ctx, rows, g) for _, g in hits.groupby("recipient", sort=True)]


# -- SUB-003 ------------------------------------------------------------------------------

def account_groups(ctx: Context) -> pd.DataFrame:
    """(account, recipient, group) for accounts paying at least ``min_recipients`` recipients.

    ``group`` is the smallest recipient key of the recipient's kin-connected
    group among the account's recipients (kin chains of at most
    ``max_kin_hops`` ties, whatever their dates, joined transitively).
    """
    need = int(ctx.settings["min_recipients"])
    pm = payments(ctx)
    rc = pm.loc[pm["account"] != "", ["account", "recipient"]].drop_duplicates()
    counts = rc.groupby("account")["recipient"].transform("nunique")
    rc = rc[counts >= need].reset_index(drop=True)
    if rc.empty:
        return rc.assign(group="")
    kin = ctx.kin(int(ctx.settings["max_kin_hops"]), set(rc["recipient"]))
    kin = kin.loc[:, ["a", "b"]].drop_duplicates()
    pairs = rc.merge(rc, on="account", suffixes=("", "2"))
    pairs = pairs[pairs["recipient"] != pairs["recipient2"]]
    edges = pairs.merge(kin, left_on=["recipient", "recipient2"], right_on=["a", "b"])[
        ["account", "recipient", "recipient2"]]
    labels = rc.assign(group=rc["recipient"])
    while not edges.empty:
        near = edges.merge(labels.rename(columns={"recipient": "recipient2", "group": "g2"}),
                           on=["account", "recipient2"])
        low = near.groupby(["account", "recipient"], as_index=False)["g2"].min()
        new = labels.merge(low, on=["account", "recipient"], how="left")
        g2 = new["g2"].fillna(new["group"])
        new["group"] = g2.where(g2 < new["group"], new["group"])
        new = new.drop(columns="g2")
        if (new["group"] == labels["group"]).all():
            break
        labels = new
    return labels


def _account_finding(ctx: Context, rows: RowLookup, account: str, g: pd.DataFrame,
                     groups: pd.DataFrame) -> Finding:
    f, st = ctx.frames, ctx.settings
    need = int(st["min_recipients"])
    n_groups = groups["group"].nunique()
    recipients = list(dict.fromkeys(g["recipient"].tolist()))
    approvers = list(dict.fromkeys(a for a in g["approver"].tolist() if isinstance(a, str)))
    payers = list(dict.fromkeys(a for a in g["payer"].tolist() if isinstance(a, str)))
    keys = [*approvers, *recipients, *g["payment"].tolist()]
    score = st["base_score"] + st.get("group_bonus", 0.0) * (n_groups - need)
    score += ctx.report_bonus([*approvers, *recipients])
    evidence: list[list[dict[str, Any]]] = []
    for _, p in g.iterrows():
        evidence += payment_paths(ctx, rows, p)
    parts = []
    for _, members in groups.sort_values(["group", "recipient"]).groupby("group", sort=True):
        who = [ctx.ent(r) for r in members["recipient"]]
        parts.append(who[0] if len(who) == 1 else Msg(TEXT["group_kin"], {
            "members": names(who, None, TEXT["group_sep"])}))
    days = sorted(d for d in g["date"].tolist() if d)
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
                   extra={"bank_account": account, "groups": int(n_groups),
                          "payments": f.source_ids(g["payment"].tolist()),
                          "total": float(g["amount"].sum()), "currency": _currency(g)})


def shared_account(ctx: Context) -> list[Finding]:
    """One finding per account whose recipients form at least ``min_recipients`` kin groups."""
    labels = account_groups(ctx)
    if labels.empty:
        return []
    n = labels.groupby("account")["group"].nunique()
    most = int(ctx.settings.get("max_sharing", 0))
    n = n[n >= int(ctx.settings["min_recipients"])]
    if most:
        n = n[n <= most]  # more unrelated groups: an agency's or a program's account
    # a placeholder: fewer than five characters, or one character repeated
    flagged = sorted(a for a in n.index if len(str(a)) >= 5 and len(set(str(a))) > 1)
    if not flagged:
        return []
    pm = payments(ctx)
    pm = pm[pm["account"].isin(flagged)].sort_values(["account", "date", "payment"])
    rows = ctx.frames.rel_row
    by_account = {a: grp for a, grp in labels[labels["account"].isin(flagged)].groupby("account")}
    return [_account_finding(ctx, rows, str(a), g, by_account[a])
            for a, g in pm.groupby("account", sort=True)]


#: Rule code -> the reference function (run with the rule's settings in ``ctx.settings``).
REFERENCE = {"SUB-001": kin_subsidy, "SUB-002": paid_after_death, "SUB-003": shared_account}
