"""Turn validated tables into store records: entities, aliases and relations.

Kin ties are stored in one canonical direction (``dst`` is ``src``'s
relation; child/grandchild rows are turned into parent/grandparent rows,
symmetric ties ordered by key), so a mirrored row is the same record and
only adds its source line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graph.schema import KIN
from graph.store.model import AliasRecord, EntityRecord, RelationRecord, relation_id
from loaders.layout import TABLE_KIND
from loaders.read import LINE
from loaders.validate import KEY, Checked

_SYMMETRIC = {k for k, v in KIN.items() if v.inverse == k} | {"associate"}


def _none(v: str) -> str | None:
    return v or None


def _props(row: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v != "" and k not in skip}


def entities(checked: Checked) -> tuple[list[EntityRecord], list[AliasRecord]]:
    """Entity and alias records of a keyed table; rows with one key merge (first row wins).

    Examples
    --------
    >>> import pandas as pd, pathlib
    >>> from loaders.layout import TABLES
    >>> f = pd.DataFrame({"person_id": ["P1", "P2"], "name": ["张三", "张 三"],
    ...                   "gender": ["", "男"], "_line": [2, 3], "_key": ["p:h:1", "p:h:1"]})
    >>> ents, aliases = entities(Checked(TABLES["persons"], pathlib.Path("persons.csv"),
    ...                                  "utf-8", 2, f))
    >>> [(e.key, e.name, e.props) for e in ents]
    [('p:h:1', '张三', {'gender': '男', 'other_names': ['张 三']})]
    >>> [a.source_id for a in aliases]
    ['P1', 'P2']
    """
    spec = checked.spec
    assert spec.key is not None
    kind = TABLE_KIND[spec.name]
    skip = {LINE, KEY, spec.key, "name"}
    merged: dict[str, EntityRecord] = {}
    aliases: list[AliasRecord] = []
    file = str(checked.path)
    for row in checked.frame.to_dict("records"):
        key = row[KEY]
        name = row.get("name", "") or row[spec.key]
        aliases.append(AliasRecord(spec.name, row[spec.key], key, file, int(row[LINE])))
        props = _props(row, skip)
        have = merged.get(key)
        if have is None:
            merged[key] = EntityRecord(key, kind, name, props)
            continue
        for k, v in props.items():
            have.props.setdefault(k, v)
        if name != have.name and name not in have.props.setdefault("other_names", []):
            have.props["other_names"].append(name)
    return list(merged.values()), aliases


def _rel(type_: str, src: str, dst: str, start: str, end: str, props: dict[str, Any],
         file: str, line: int, identity: tuple[Any, ...] = ()) -> RelationRecord:
    s, e = _none(start), _none(end)
    return RelationRecord(relation_id(type_, src, dst, s, e, *identity), type_, src, dst, s, e,
                          props, file, line)


def _num(v: str) -> float | None:
    return float(v) if v else None


def relations(checked: Checked) -> Iterator[RelationRecord]:
    """Relationship records asserted by one table's rows."""
    name = checked.spec.name
    f, r = checked.frame, checked.refs
    file = str(checked.path)
    lines = f[LINE].astype(int).tolist()
    if name == "positions":
        for src, dst, title, s, e, ln in zip(r["person_id"], r["org_id"], f["title"],
                                             f["start_date"], f["end_date"], lines, strict=True):
            yield _rel("HOLDS_POST", src, dst, s, e, {"title": title} if title else {}, file, ln,
                       (title,))
    elif name == "relationships":
        yield from _ties(checked, file, lines)
    elif name == "company_roles":
        for src, dst, role, pct, s, e, ln in zip(r["holder_id"], r["company_id"], f["role"],
                                                 f["share_pct"], f["start_date"], f["end_date"],
                                                 lines, strict=True):
            props: dict[str, Any] = {"role": role}
            if pct:
                props["share_pct"] = float(pct)
            yield _rel("COMPANY_ROLE", src, dst, s, e, props, file, ln, (role,))
    elif name == "organizations":
        for src, dst, ln in zip(f[KEY], r["parent_org_id"], lines, strict=True):
            if dst:
                yield _rel("PART_OF", src, dst, "", "", {}, file, ln)
    elif name == "contracts":
        yield from _contract_edges(checked, file, lines)
    elif name == "bids":
        for src, dst, amount, status, ln in zip(r["bidder_id"], r["contract_id"], f["amount"],
                                                f["status"], lines, strict=True):
            props = {"amount": _num(amount), "status": status or "valid"}
            yield _rel("BID", src, dst, "", "", props, file, ln, (amount,))
    elif name == "payments":
        yield from _payment_edges(checked, file, lines)
    elif name == "case_roles":
        for src, dst, role, s, ln in zip(r["party_id"], r["case_id"], f["role"], f["start_date"],
                                         lines, strict=True):
            yield _rel("CASE_ROLE", src, dst, s, "", {"role": role}, file, ln, (role,))
    elif name == "reports":
        for src, dst, d, ln in zip(f[KEY], r["subject_id"], f["date"], lines, strict=True):
            yield _rel("REPORTED", src, dst, d, d, {}, file, ln)


def _ties(checked: Checked, file: str, lines: list[int]) -> Iterator[RelationRecord]:
    f, r = checked.frame, checked.refs
    for a, b, rel, s, e, ln in zip(r["person_id"], r["other_id"], f["relation"], f["start_date"],
                                   f["end_date"], lines, strict=True):
        if rel in _SYMMETRIC:
            a, b = min(a, b), max(a, b)
        elif rel in ("child", "grandchild"):
            a, b, rel = b, a, KIN[rel].inverse
        if rel == "associate":
            yield _rel("ASSOCIATE", a, b, s, e, {}, file, ln)
        else:
            yield _rel("KIN", a, b, s, e, {"relation": rel, "degree": KIN[rel].degree}, file, ln,
                       (rel,))


def _contract_edges(checked: Checked, file: str, lines: list[int]) -> Iterator[RelationRecord]:
    f, r = checked.frame, checked.refs
    for key, buyer, approver, supplier, d, amount, ln in zip(
            f[KEY], r["buyer_org_id"], r["approver_id"], r["supplier_id"], f["award_date"],
            f["amount"], lines, strict=True):
        if buyer:
            yield _rel("BOUGHT", buyer, key, d, d, {}, file, ln)
        if approver:
            yield _rel("APPROVED", approver, key, d, d, {}, file, ln)
        if supplier:
            yield _rel("AWARDED_TO", key, supplier, d, d, {"amount": _num(amount)}, file, ln)


def _payment_edges(checked: Checked, file: str, lines: list[int]) -> Iterator[RelationRecord]:
    f, r = checked.frame, checked.refs
    for key, payer, approver, recipient, d, amount, account, ln in zip(
            f[KEY], r["payer_org_id"], r["approver_id"], r["recipient_id"], f["date"], f["amount"],
            f["bank_account"], lines, strict=True):
        if payer:
            yield _rel("PAID", payer, key, d, d, {}, file, ln)
        if approver:
            yield _rel("APPROVED", approver, key, d, d, {}, file, ln)
        props: dict[str, Any] = {"amount": _num(amount)}
        if account:
            props["bank_account"] = account
        yield _rel("PAID_TO", key, recipient, d, d, props, file, ln)
