"""Row validation for one layout table, vectorised with pandas.

Each row gets at most one reason (the first check it fails, in the order of
:data:`CHECK_ORDER`); failing rows are set aside with file, line, column and
a message that says how to fix them. Nothing is dropped silently:
``read == loaded + set aside``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from graph.errors import InputError
from graph.ids import credit_code_fault, id_number_fault, mask_id_number
from graph.normalize import (
    clean_text,
    credit_codes_valid,
    dates_valid,
    id_numbers_valid,
    normalize_name,
)
from graph.store.model import SetAsideRecord
from lang import N_, _
from loaders.layout import CURRENCIES, ColType, Reason, TableSpec
from loaders.read import LINE, RawTable
from loaders.registry import Registry, SetAsideRef
from loaders.report import place

KEY = "_key"


@dataclass
class Checked:
    """One table after validation: good rows (normalised) and the rows set aside."""

    spec: TableSpec
    path: Path
    encoding: str
    read: int
    frame: pd.DataFrame
    set_aside: list[SetAsideRecord] = field(default_factory=list)
    refs: dict[str, pd.Series] = field(default_factory=dict)
    """Resolved entity key per reference column, aligned with ``frame``."""

    @property
    def loaded(self) -> int:
        """Rows loaded."""
        return len(self.frame)


class _Marks:
    """First failing check per row: code, column and an optional detail."""

    def __init__(self, frame: pd.DataFrame) -> None:
        n = len(frame)
        self.index = frame.index
        self.code = np.full(n, "", dtype=object)
        self.column = np.full(n, "", dtype=object)
        self.detail = np.full(n, "", dtype=object)

    def mark(self, mask: pd.Series | np.ndarray, code: Reason, column: str,
             detail: pd.Series | str = "") -> None:
        m = np.asarray(mask, dtype=bool) & (self.code == "")
        if not m.any():
            return
        self.code[m] = code.value
        self.column[m] = column
        self.detail[m] = detail.to_numpy()[m] if isinstance(detail, pd.Series) else detail

    @property
    def bad(self) -> np.ndarray:
        return np.asarray(self.code != "")


def _normalise(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    for col in spec.columns:
        if col.name not in frame.columns:
            frame[col.name] = ""
    for name in frame.columns:
        if name == LINE:
            continue
        if name == "name":
            frame[name] = normalize_name(frame[name])
        else:
            frame[name] = clean_text(frame[name])
    for col in spec.columns:
        if col.type in (ColType.ID_NUMBER, ColType.CREDIT_CODE, ColType.CURRENCY):
            frame[col.name] = frame[col.name].str.upper()
        elif col.type == ColType.VOCAB:
            frame[col.name] = frame[col.name].str.lower().str.replace(" ", "_", regex=False)
    return frame


def check_columns(spec: TableSpec, raw: RawTable) -> None:
    """Raise when a required column is missing from the header."""
    missing = [c.name for c in spec.required_columns() if c.name not in raw.header]
    if missing:
        fields = {"file": raw.path, "columns": ", ".join(missing),
                  "header": ", ".join(raw.header)}
        raise InputError(
            (_("{file}: line 1: required columns {columns} missing (the header has: {header})")
             if len(missing) > 1 else
             _("{file}: line 1: required column {columns} missing (the header has: {header})"))
            .format(**fields),
            hint=_("rename the matching column(s) to {columns} (columns of {table}: {all})")
            .format(columns=", ".join(missing), table=spec.name,
                    all=", ".join(spec.column_names())),
        )


def _check_values(spec: TableSpec, frame: pd.DataFrame, marks: _Marks) -> None:
    for col in spec.required_columns():
        marks.mark(frame[col.name] == "", Reason.MISSING_REQUIRED, col.name)
    for col in spec.columns:
        s = frame[col.name]
        filled = s != ""
        if col.type == ColType.VOCAB:
            marks.mark(filled & ~s.isin(col.vocab), Reason.BAD_VOCABULARY, col.name)
        elif col.type == ColType.DATE:
            marks.mark(filled & ~dates_valid(s), Reason.BAD_DATE, col.name)
        elif col.type in (ColType.AMOUNT, ColType.PCT):
            num = pd.to_numeric(s.where(s.str.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)"), None),
                                errors="coerce")
            if col.type == ColType.AMOUNT:
                marks.mark(filled & num.isna(), Reason.BAD_AMOUNT, col.name)
            else:
                marks.mark(filled & (num.isna() | (num < 0) | (num > 100)),
                           Reason.BAD_SHARE_PCT, col.name)
        elif col.type == ColType.CURRENCY:
            marks.mark(filled & ~s.isin(CURRENCIES), Reason.BAD_CURRENCY, col.name)
        elif col.type == ColType.COUNT:
            marks.mark(filled & ~s.str.fullmatch(r"\+?\d+(\.0*)?"), Reason.BAD_COUNT, col.name)
        elif col.type == ColType.ID_NUMBER:
            marks.mark(filled & ~id_numbers_valid(s), Reason.BAD_ID_NUMBER, col.name)
        elif col.type == ColType.CREDIT_CODE:
            marks.mark(filled & ~credit_codes_valid(s), Reason.BAD_CREDIT_CODE, col.name)
    for start, end in spec.date_pairs:
        a, b = frame[start], frame[end]
        marks.mark((a != "") & (b != "") & (b < a), Reason.DATE_ORDER, end)


def _check_duplicates(spec: TableSpec, frame: pd.DataFrame, marks: _Marks) -> None:
    if spec.key is None:
        return
    keys = frame[spec.key]
    dup = keys.duplicated(keep="first") & (keys != "")
    if dup.any():
        first_line = frame[LINE].groupby(keys).transform("first").astype(str)
        marks.mark(dup, Reason.DUPLICATE_KEY, spec.key, first_line)


def _lookup(s: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """``mapping[value]`` per cell, '' where absent (object dtype even when nothing matches).

    One dictionary probe per cell: the cost follows the column, not the registry (which
    grows with every chunk of a streamed load).

    Examples
    --------
    >>> _lookup(pd.Series(["P1", "P9", ""]), {"P1": "p:s:P1"}).tolist()
    ['p:s:P1', '', '']
    """
    if not mapping:
        return pd.Series(np.full(len(s), "", dtype=object), index=s.index)
    values = np.array(list(map(mapping.get, s.tolist())), dtype=object)
    values[pd.isna(values)] = ""
    return pd.Series(values, index=s.index)


def _aside_text(s: pd.Series, aside: Mapping[str, SetAsideRef]) -> pd.Series:
    """Where each cell's id was set aside, as text ('' for an id that was not).

    Examples
    --------
    >>> _aside_text(pd.Series(["P1", "P2"]), {"P2": SetAsideRef("/d/p.csv", 3, "bad_date")}
    ...             ).tolist()
    ['', 'p.csv line 3 (bad_date)']
    """
    out = np.full(len(s), "", dtype=object)
    if aside:
        for i, v in enumerate(map(aside.get, s.tolist())):
            if v is not None:
                out[i] = _("{place} ({reason})").format(place=place(Path(v.file).name, v.line),
                                                       reason=v.code)
    return pd.Series(out, index=s.index)


def _resolve_refs(spec: TableSpec, frame: pd.DataFrame, marks: _Marks, reg: Registry,
                  path: Path, self_table: bool) -> dict[str, pd.Series]:
    resolved: dict[str, pd.Series] = {}
    for col in spec.columns:
        if col.type != ColType.REF or (col.ref == (spec.name,)) != self_table:
            continue
        s = frame[col.name]
        key = pd.Series(np.full(len(s), "", dtype=object), index=s.index)
        aside = pd.Series(np.full(len(s), "", dtype=object), index=s.index)
        amb = aside
        for target in col.ref:
            hit = _lookup(s, reg.table_known(target))
            key = key.where(key != "", hit)
            gone = _aside_text(s, reg.table_aside(target))
            aside = aside.where(aside != "", gone)
            if reg.ambiguous.get(target):
                amb = amb.where(amb != "", _lookup(s, reg.ambiguous[target]))
        filled = s != ""
        marks.mark(filled & (key == "") & (amb != ""), Reason.AMBIGUOUS_REFERENCE, col.name, amb)
        marks.mark(filled & (key == "") & (aside != ""), Reason.REFERS_TO_SET_ASIDE, col.name,
                   aside)
        unknown = filled & (key == "") & (aside == "")
        targets = _(" or ").join(col.ref)
        if unknown.any() and not any(reg.has_rows(t) for t in col.ref):
            first = frame[LINE][unknown].iloc[0]
            raise InputError(
                _("{file}: line {line}, column {column}: refers to {tables}, but no {tables} "
                  "row is defined in this folder or in the database (first id: '{id}')").format(
                    file=path, line=first, column=col.name, tables=targets,
                    id=s[unknown].iloc[0]),
                hint=_("add {table}.csv to the folder, or load the folder that defines them "
                       "first").format(table=col.ref[0]),
            )
        marks.mark(unknown, Reason.UNKNOWN_REFERENCE, col.name)
        resolved[col.name] = key
    return resolved


#: What a set-aside row's message says, by reason: the column, the value as written (an
#: identity number masked) and, where a reason has one, its ``{detail}``.
MESSAGES: dict[Reason, str] = {
    Reason.MISSING_REQUIRED: N_("{column} is blank but required; fill it in from the source "
                                "record"),
    Reason.BAD_DATE: N_("{column} '{value}' is not a calendar date written YYYY-MM-DD; "
                        "rewrite it so"),
    Reason.DATE_ORDER: N_("{column} '{value}' is before the start date; check both dates"),
    Reason.BAD_AMOUNT: N_("{column} '{value}' is not a decimal number of yuan; write digits "
                          "only, e.g. 12500.50 (no separators or units)"),
    Reason.BAD_SHARE_PCT: N_("{column} '{value}' is not a percentage from 0 to 100"),
    Reason.BAD_VOCABULARY: N_("{column} '{value}' is not one of: {detail}"),
    Reason.UNKNOWN_REFERENCE: N_("{column} '{value}' is defined by no row of {detail} (nor in "
                                 "the database); add that row or correct the id"),
    Reason.REFERS_TO_SET_ASIDE: N_("{column} '{value}' refers to a row that was set aside "
                                   "({detail}); fix that row and this one loads too"),
    Reason.AMBIGUOUS_REFERENCE: N_("{column} '{value}' names two entities in the database, "
                                   "defined by different sources ({detail}); load this row "
                                   "together with the row that defines the id it means"),
    Reason.DUPLICATE_KEY: N_("{column} '{value}' is already defined at line {detail}; ids must "
                             "be unique"),
    Reason.SELF_TIE: N_("person_id and other_id are the same person; a tie needs two people"),
    Reason.BAD_CURRENCY: N_("{column} '{value}' is not an ISO 4217 currency code; write the "
                            "three-letter code, e.g. CNY, USD, EUR"),
    Reason.BAD_COUNT: N_("{column} '{value}' is not a whole number of zero or more; write "
                         "digits only, e.g. 3"),
}

#: An identity number set aside, by what is wrong with it (:func:`graph.ids.id_number_fault`).
ID_NUMBER_MESSAGES = {
    "length": N_("{column} '{value}' has {detail} characters, not 18; correct it from the "
                 "source record, or blank it to load the person without it"),
    "characters": N_("{column} '{value}' must be 17 digits followed by a digit or X; correct "
                     "it from the source record, or blank it to load the person without it"),
    "birth_date": N_("{column} '{value}' embeds an impossible birth date {detail}; correct it "
                     "from the source record, or blank it to load the person without it"),
    "checksum": N_("{column} '{value}' fails the GB 11643 checksum (check character should be "
                   "{detail}); correct it from the source record, or blank it to load the "
                   "person without it"),
}

#: A credit code set aside, by what is wrong with it (:func:`graph.ids.credit_code_fault`).
CREDIT_CODE_MESSAGES = {
    "length": N_("{column} '{value}' has {detail} characters, not 18; correct it, or blank it "
                 "to load the organization without it"),
    "alphabet": N_("{column} '{value}' contains characters outside the GB 32100 alphabet: "
                   "{detail}; correct it, or blank it to load the organization without it"),
    "checksum": N_("{column} '{value}' fails the GB 32100 checksum (check character should be "
                   "{detail}); correct it, or blank it to load the organization without it"),
}


def _message(spec: TableSpec, code: str, column: str, value: str, detail: str) -> str:
    """Why a row was set aside and how to fix it, in the language spoken now.

    Examples
    --------
    >>> from loaders.layout import TABLES
    >>> _message(TABLES["persons"], "bad_id_number", "id_number", "110105194912310021", "")
    "id_number '110105***********1' fails the GB 11643 checksum (check character should \
be X); correct it from the source record, or blank it to load the person without it"
    """
    r = Reason(code)
    fields = {"column": column, "value": value, "detail": detail}
    if r is Reason.BAD_ID_NUMBER:
        fault = id_number_fault(value) or ("characters", "")
        return _(ID_NUMBER_MESSAGES[fault[0]]).format(
            column=column, value=mask_id_number(value), detail=fault[1])
    if r is Reason.BAD_CREDIT_CODE:
        fault = credit_code_fault(value) or ("alphabet", "")
        return _(CREDIT_CODE_MESSAGES[fault[0]]).format(column=column, value=value,
                                                        detail=fault[1])
    if r is Reason.BAD_VOCABULARY:
        fields["detail"] = ", ".join(spec.column(column).vocab)
    elif r is Reason.UNKNOWN_REFERENCE:
        fields["detail"] = _(" or ").join(spec.column(column).ref)
    template = MESSAGES.get(r)
    return _(template).format(**fields) if template else detail


def _set_aside_records(spec: TableSpec, path: Path, frame: pd.DataFrame, raw: pd.DataFrame,
                       marks: _Marks, raw_cols: list[str]) -> list[SetAsideRecord]:
    """Records for the marked rows; ``row`` keeps the cells exactly as written."""
    out: list[SetAsideRecord] = []
    positions = np.flatnonzero(marks.bad)
    values = frame.iloc[positions]
    originals = raw.iloc[positions][raw_cols].to_dict("records")
    for pos, line, original, (_index, row) in zip(positions, values[LINE], originals,
                                             values.iterrows(), strict=True):
        code, column, detail = marks.code[pos], marks.column[pos], marks.detail[pos]
        value = str(row.get(column, ""))
        out.append(SetAsideRecord(
            file=str(path), line=int(line), table=spec.name, column=column, code=code,
            message=_message(spec, code, column, value, str(detail)),
            row={str(c): str(v) for c, v in original.items()}))
    return out


def _home_currency(spec: TableSpec, frame: pd.DataFrame, home: str) -> None:
    """Fill a blank ``currency`` with ``home`` on rows that state an amount."""
    if not home or "currency" not in spec.column_names():
        return
    amounts = [c.name for c in spec.columns if c.type == ColType.AMOUNT]
    stated = np.zeros(len(frame), dtype=bool)
    for a in amounts:
        stated |= (frame[a] != "").to_numpy()
    blank = (frame["currency"] == "").to_numpy()
    frame.loc[stated & blank, "currency"] = home


def check_table(spec: TableSpec, raw: RawTable, reg: Registry) -> Checked:
    """Validate ``raw`` against ``spec``, resolve its references and register its ids.

    Returns the good rows with resolved keys (``_key`` for keyed tables, one
    ``refs`` series per reference column) and the set-aside records.
    """
    check_columns(spec, raw)
    path = raw.path
    frame = _normalise(spec, raw.frame.copy())
    _home_currency(spec, frame, raw.home_currency)
    marks = _Marks(frame)
    _check_values(spec, frame, marks)
    _check_duplicates(spec, frame, marks)
    refs = _resolve_refs(spec, frame, marks, reg, path, self_table=False)
    if spec.name == "relationships":
        same = (refs["person_id"] == refs["other_id"]) & (refs["person_id"] != "")
        marks.mark(same, Reason.SELF_TIE, "other_id")
    if spec.key is not None:
        _register(spec, frame, marks, reg, path)
        refs.update(_resolve_self_refs(spec, frame, marks, reg, path))
    aside = _set_aside_records(spec, path, frame, raw.frame, marks, raw.header)
    aside += [
        SetAsideRecord(str(path), bad.line, spec.name, bad.column, bad.code, bad.message,
                       {(raw.header[i] if i < len(raw.header) else f"({i + 1})"): v
                        for i, v in enumerate(bad.cells)})
        for bad in raw.malformed
    ]
    good = ~marks.bad
    return Checked(spec, path, raw.encoding, len(frame) + len(raw.malformed),
                   frame[good].reset_index(drop=True), sorted(aside, key=lambda r: r.line),
                   {k: v[good].reset_index(drop=True) for k, v in refs.items()})


def _register(spec: TableSpec, frame: pd.DataFrame, marks: _Marks, reg: Registry,
              path: Path) -> None:
    assert spec.key is not None
    ids = frame[spec.key]
    if spec.name == "persons":
        keys = reg.person_keys(ids.tolist(), frame["id_number"].tolist())
    elif spec.name == "organizations":
        keys = [reg.org_key(o, c)
                for o, c in zip(ids.tolist(), frame["credit_code"].tolist(), strict=True)]
    else:
        prefix = Registry.simple_key(spec.name, "")
        keys = [prefix + i for i in ids.tolist()]
    frame[KEY] = keys
    _update_registry(spec, frame, marks, reg, path)


def _update_registry(spec: TableSpec, frame: pd.DataFrame, marks: _Marks, reg: Registry,
                     path: Path) -> None:
    """Good rows define their ids; ids defined only by set-aside rows are recorded as such."""
    assert spec.key is not None
    known, aside = reg.table_known(spec.name), reg.table_aside(spec.name)
    bad = marks.bad
    ids = frame[spec.key].to_numpy()
    good_ids = set(ids[~bad])
    lines = frame[LINE].to_numpy()
    for pos in np.flatnonzero(bad):
        sid = ids[pos]
        if sid and sid not in good_ids and sid not in aside:
            known.pop(sid, None)
            aside[sid] = SetAsideRef(str(path), int(lines[pos]), str(marks.code[pos]))
    reg.define(spec.name, dict(zip(ids[~bad].tolist(), frame[KEY].to_numpy()[~bad].tolist(),
                                   strict=True)))
    if aside:
        for sid in good_ids.intersection(aside):
            aside.pop(sid, None)


def _resolve_self_refs(spec: TableSpec, frame: pd.DataFrame, marks: _Marks, reg: Registry,
                       path: Path) -> dict[str, pd.Series]:
    """References within one table (parent organizations): repeat until nothing changes."""
    out: dict[str, pd.Series] = {}
    while True:
        before = int(marks.bad.sum())
        out = _resolve_refs(spec, frame, marks, reg, path, self_table=True)
        _update_registry(spec, frame, marks, reg, path)
        if int(marks.bad.sum()) == before:
            return out
