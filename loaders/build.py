"""Turn validated tables into store frames: entities, aliases and relationship records.

Everything is computed column-wise. Kin ties are stored in one canonical
direction (``dst`` is ``src``'s relation; child/grandchild rows become
parent/grandparent rows, symmetric ties are ordered by key), so a mirrored
row is the same record and only adds its source line.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.schema import KIN
from graph.store.jsoncols import join, json_objects, text_array, text_series
from loaders.chunk import POINTER
from loaders.layout import TABLE_KIND
from loaders.read import LINE
from loaders.validate import KEY, Checked

_SYMMETRIC = [k for k, v in KIN.items() if v.inverse == k] + ["associate"]
REL_COLUMNS = ["id", "type", "src", "dst", "start", "end", "props", "file", "line"]


def entity_frames(checked: Checked) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Entities (key, kind, name, props) and aliases of a keyed table.

    Rows sharing a key (the same person under two ids) become one entity: the
    first row's values win, later rows fill gaps, other spellings of the name
    are kept in ``other_names``.

    Examples
    --------
    >>> import pathlib
    >>> from loaders.layout import TABLES
    >>> f = pd.DataFrame({"person_id": ["P1", "P2"], "name": ["张三", "张 三"],
    ...                   "gender": ["", "男"], "_line": [2, 3], "_key": ["p:h:1", "p:h:1"]})
    >>> ents, aliases = entity_frames(Checked(TABLES["persons"], pathlib.Path("persons.csv"),
    ...                                       "utf-8", 2, f))
    >>> ents[["key", "name", "props"]].values.tolist()
    [['p:h:1', '张三', '{"gender":"男","other_names":["张 三"]}']]
    >>> aliases["source_id"].tolist()
    ['P1', 'P2']
    """
    spec, f = checked.spec, checked.frame
    assert spec.key is not None
    skip = {LINE, KEY, spec.key, "name"}
    prop_cols = [c for c in f.columns if c not in skip]
    if "name" in f.columns:
        names = f["name"]
    elif "title" in f.columns:  # contracts and cases are named by their title
        names = f["title"].str.replace("\n", " ", regex=False).where(f["title"] != "",
                                                                     f[spec.key])
    else:
        names = f[spec.key]
    props = json_objects({c: f[c] for c in prop_cols}, length=len(f))
    ents = pd.DataFrame({"key": f[KEY], "kind": TABLE_KIND[spec.name], "name": names,
                         "props": props})
    dup = f[KEY].duplicated(keep=False).to_numpy()
    if dup.any():
        ents.loc[dup, "props"] = _merged_props(f[dup], prop_cols)
        ents = ents.drop_duplicates("key", keep="first")
    aliases = pd.DataFrame({"table": spec.name, "source_id": f[spec.key], "key": f[KEY],
                            "file": str(checked.path), "line": f[LINE].astype(int)})
    return ents.reset_index(drop=True), aliases


def item_entities(checked: Checked) -> pd.DataFrame:
    """The ``items`` rows as a property of the contracts they belong to: ``items``, the
    items as JSON text (a list of objects with the row's columns, its file and line),
    merged into the contract node (a node keeps the values it had). An item published
    again in a later release of the same process is kept once.

    Examples
    --------
    >>> import pathlib
    >>> from loaders.layout import TABLES
    >>> f = pd.DataFrame({"contract_id": ["K1", "K1"], "classification": ["CPV-1", "CPV-2"],
    ...                   "description": ["", "x"], "quantity": ["2", ""], "unit_price": ["", ""],
    ...                   "currency": ["", ""], "_line": [2, 3]})
    >>> c = Checked(TABLES["items"], pathlib.Path("items.csv"), "utf-8", 2, f,
    ...             refs={"contract_id": pd.Series(["c:K1", "c:K1"])})
    >>> ents = item_entities(c)
    >>> ents["key"].tolist(), json.loads(json.loads(ents["props"][0])["items"])[0]
    (['c:K1'], {'classification': 'CPV-1', 'quantity': 2.0, 'line': 2})
    """
    f = checked.frame
    cols = [c for c in f.columns if c not in (LINE, "contract_id") and not c.startswith("_")]
    numeric = {"quantity", "unit_price"}
    by: dict[str, list[dict[str, Any]]] = {}
    keys = checked.refs["contract_id"].tolist()
    for key, (_, row) in zip(keys, f.iterrows(), strict=True):
        item: dict[str, Any] = {}
        for c in cols:
            v = row[c]
            if v != "":
                item[c] = float(v) if c in numeric else v
        have = by.setdefault(str(key), [])
        same = {k: v for k, v in item.items() if k != POINTER}
        if not any({k: v for k, v in h.items() if k not in (POINTER, "line")} == same
                   for h in have):  # the same item published again (another release)
            have.append({**item, "line": int(row[LINE])})
    rows = [(k, "contract", k, json.dumps(
        {"items": json.dumps(v, ensure_ascii=False, separators=(",", ":"))},
        ensure_ascii=False, separators=(",", ":"))) for k, v in by.items()]
    return pd.DataFrame(rows, columns=["key", "kind", "name", "props"])


def _merged_props(rows: pd.DataFrame, prop_cols: list[str]) -> list[str]:
    """Props of rows that share a key: first filled value per column, other names listed."""
    merged: dict[str, dict[str, object]] = {}
    first_name: dict[str, str] = {}
    keys = rows[KEY].tolist()
    names = rows["name"].tolist() if "name" in rows.columns else [""] * len(keys)
    table = rows[prop_cols].to_numpy().tolist()
    for key, name, values in zip(keys, names, table, strict=True):
        have = merged.setdefault(key, {})
        first_name.setdefault(key, name)
        for col, v in zip(prop_cols, values, strict=True):
            if v != "" and col not in have:
                have[col] = v
        if name != first_name[key]:
            others = have.setdefault("other_names", [])
            if isinstance(others, list) and name not in others:
                others.append(name)
    text = {k: json.dumps(v, ensure_ascii=False, separators=(",", ":")) for k, v in merged.items()}
    return [text[k] for k in keys]


def _ids(type_: pd.Series | str, src: pd.Series, dst: pd.Series, start: pd.Series,
         end: pd.Series, *identity: pd.Series) -> pa.Array:
    """Same ids as :func:`graph.store.model.relation_id`, for whole columns (the text is
    joined in Arrow; only the hash is computed row by row)."""
    t = type_ if isinstance(type_, str) else text_array(type_)
    parts = [text_array(p) for p in (src, dst, start, end, *identity)]
    text = join(t, *parts, sep="\x1f") if parts else text_array(pd.Series([type_] * len(src)))
    blake = hashlib.blake2b
    digests = [blake(b, digest_size=8).hexdigest()
               for b in text.cast(pa.large_binary()).to_pylist()]
    return join("r:", t, ":", pa.array(digests, pa.large_string()))


def _frame(type_: str | pd.Series, src: pd.Series, dst: pd.Series, start: pd.Series,
           end: pd.Series, props: pd.Series, checked: Checked,
           identity: tuple[pd.Series, ...] = (), *, need_dst: bool = False) -> pd.DataFrame:
    """Records of the rows whose ``src`` (and, with ``need_dst``, ``dst``) is filled."""
    cols: dict[str, pd.Series | str] = {
        "src": src, "dst": dst, "start": start, "end": end, "props": props,
        "line": checked.frame[LINE].astype(int)}
    if not isinstance(type_, str):
        cols["type"] = type_
    if identity:
        cols.update({f"_id{i}": x for i, x in enumerate(identity)})
    out = pd.DataFrame({k: v.reset_index(drop=True) if isinstance(v, pd.Series) else v
                        for k, v in cols.items()})
    keep = out["src"] != ""
    if need_dst:
        keep &= out["dst"] != ""
    if not keep.all():
        out = out[keep.to_numpy()].reset_index(drop=True)
    ty = out["type"] if "type" in out.columns else type_
    start_, end_ = text_array(out["start"]), text_array(out["end"])
    none = pa.scalar(None, pa.large_string())
    return pd.DataFrame({
        "id": text_series(_ids(ty, out["src"], out["dst"], out["start"], out["end"],
                               *(out[f"_id{i}"] for i in range(len(identity))))),
        "type": ty, "src": out["src"], "dst": out["dst"],
        "start": text_series(pc.if_else(pc.equal(start_, ""), none, start_)),
        "end": text_series(pc.if_else(pc.equal(end_, ""), none, end_)),
        "props": out["props"], "file": str(checked.path), "line": out["line"],
    }, columns=REL_COLUMNS)


def _blank(n: int) -> pd.Series:
    return pd.Series([""] * n, dtype=str)


def relation_frame(checked: Checked) -> pd.DataFrame:
    """Relationship records asserted by one table's rows (columns :data:`REL_COLUMNS`).

    A relation table's columns that the layout does not declare (``bids.currency``, a
    mapping's ``extra:`` fields) become properties of the records, as they do of
    entities.
    """
    return _with_extras(checked, _relation_frame(checked))


def _relation_frame(checked: Checked) -> pd.DataFrame:
    name, f, r = checked.spec.name, checked.frame, checked.refs
    n = len(f)
    if n == 0:
        return pd.DataFrame(columns=REL_COLUMNS)
    if name == "positions":
        return _frame("HOLDS_POST", r["person_id"], r["org_id"], f["start_date"], f["end_date"],
                      json_objects({"title": f["title"]}), checked, (f["title"],))
    if name == "relationships":
        return _ties(checked)
    if name == "company_roles":
        props = json_objects({"role": f["role"], "share_pct": f["share_pct"]},
                             numeric={"share_pct"})
        return _frame("COMPANY_ROLE", r["holder_id"], r["company_id"], f["start_date"],
                      f["end_date"], props, checked, (f["role"],))
    if name == "organizations":
        return _frame("PART_OF", f[KEY], r["parent_org_id"], _blank(n), _blank(n),
                      pd.Series(["{}"] * n), checked, need_dst=True)
    if name == "contracts":
        return _events(checked, "award_date", [
            ("BOUGHT", r["buyer_org_id"], f[KEY], {}),
            ("APPROVED", r["approver_id"], f[KEY], {}),
            ("AWARDED_TO", f[KEY], r["supplier_id"], {"amount": f["amount"]}),
        ])
    if name == "bids":
        status = f["status"].where(f["status"] != "", "valid")
        props = json_objects({"amount": f["amount"], "status": status,
                              "currency": f["currency"], "tenderers": f["tenderers"],
                              "date_at": f["date_at"],
                              "consortium": f["consortium"]}, numeric={"amount", "tenderers"})
        return _frame("BID", r["bidder_id"], r["contract_id"], f["date"], f["date"], props,
                      checked, (f["amount"],))
    if name == "payments":
        return _events(checked, "date", [
            ("PAID", r["payer_org_id"], f[KEY], {}),
            ("PAID", r["payer_person_id"], f[KEY], {}),
            ("APPROVED", r["approver_id"], f[KEY], {}),
            ("PAID_TO", f[KEY], r["recipient_id"],
             {"amount": f["amount"], "bank_account": f["bank_account"]}),
        ])
    if name == "case_roles":
        return _frame("CASE_ROLE", r["party_id"], r["case_id"], f["start_date"], _blank(n),
                      json_objects({"role": f["role"]}), checked, (f["role"],))
    if name == "reports":
        return _frame("REPORTED", f[KEY], r["subject_id"], f["date"], f["date"],
                      pd.Series(["{}"] * n), checked)
    return pd.DataFrame(columns=REL_COLUMNS)


def _with_extras(c: Checked, rel: pd.DataFrame) -> pd.DataFrame:
    """Keep a relation table's unknown columns as relationship properties (layout rule:
    unknown columns are kept as properties)."""
    if c.spec.key is not None or rel.empty or len(rel) != len(c.frame):
        return rel
    known = set(c.spec.column_names()) | {LINE, POINTER}
    extra = [x for x in c.frame.columns if x not in known and not x.startswith("_")]
    if not extra:
        return rel
    values = c.frame[extra].to_dict("records")
    merged = []
    for props, more in zip(rel["props"].tolist(), values, strict=True):
        d: dict[str, Any] = json.loads(props)
        d.update({str(k): v for k, v in more.items() if v != "" and str(k) not in d})
        merged.append(json.dumps(d, ensure_ascii=False, separators=(",", ":")))
    return rel.assign(props=merged)


def _events(checked: Checked, date_col: str,
            edges: list[tuple[str, pd.Series, pd.Series, dict[str, pd.Series]]]) -> pd.DataFrame:
    """Edges of a dated event row (contract, payment): each dated start = end = the event date."""
    f = checked.frame
    d = f[date_col]
    frames = []
    for type_, src, dst, props in edges:
        js = json_objects(props, numeric={"amount"}) if props else pd.Series(["{}"] * len(f))
        frames.append(_frame(type_, src, dst, d, d, js, checked, need_dst=True))
    return pd.concat(frames, ignore_index=True)


def _ties(checked: Checked) -> pd.DataFrame:
    f, r = checked.frame, checked.refs
    a, b, rel = r["person_id"].astype(str), r["other_id"].astype(str), f["relation"]
    sym = rel.isin(_SYMMETRIC).to_numpy()
    inv = rel.isin(["child", "grandchild"]).to_numpy()
    swap = (sym & (a > b).to_numpy()) | inv
    src = pd.Series(np.where(swap, b, a), dtype=str)
    dst = pd.Series(np.where(swap, a, b), dtype=str)
    rel = rel.replace({"child": "parent", "grandchild": "grandparent"}).reset_index(drop=True)
    is_assoc = rel == "associate"
    type_ = pd.Series(np.where(is_assoc, "ASSOCIATE", "KIN"), dtype=str)
    degree = rel.map({k: v.degree for k, v in KIN.items()})
    props = json_objects({"relation": rel.where(~is_assoc, ""),
                          "degree": degree.where(~is_assoc, None)}, numeric={"degree"})
    props = props.str.replace(r'"degree":(\d+)\.0', r'"degree":\1', regex=True)
    identity = rel.where(~is_assoc, "")
    return _frame(type_, src, dst, f["start_date"], f["end_date"], props, checked, (identity,))
