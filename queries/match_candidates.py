"""Candidate pairs of records that may be one person or one organisation.

A simple finder: two persons with the same normalised name and the same birth date,
or two organisations with the same :func:`graph.matching.company_keys` key, whose
identity numbers (credit codes) do not tell them apart. Each pair has a stable id
(``M-`` and 12 hex digits of the two keys), a score in [0, 1] and its reasons.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> from graph.store.model import EntityRecord
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "case.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:s:P1", "person", "张伟", {"birth_date": "1970-01-01"}),
...                     EntityRecord("p:s:P2", "person", "张 伟", {"birth_date": "1970-01-01"})])
>>> [(c.a, c.b, c.reasons) for c in candidates(store)]
[('p:s:P1', 'p:s:P2', ('name', 'birth_date'))]
>>> store.close()
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

from graph.matching import company_keys
from graph.normalize import normalize_name

if TYPE_CHECKING:
    from graph.store import Store


class Candidate(NamedTuple):
    """Two records that may be one entity, with why."""

    pair: str  # "M-" + 12 hex, stable
    kind: str  # "person" | "organization"
    a: str
    b: str  # entity keys, a < b
    score: float
    reasons: tuple[str, ...]
    name_a: str
    name_b: str


def pair_id(a: str, b: str) -> str:
    """The stable id of the pair of keys ``a`` and ``b`` (in either order).

    Examples
    --------
    >>> pair_id("p:s:P1", "p:s:P2") == pair_id("p:s:P2", "p:s:P1")
    True
    """
    low, high = sorted((a, b))
    return "M-" + hashlib.sha256(f"{low}\n{high}".encode()).hexdigest()[:12]


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str).str.strip()


def _pairs(frame: pd.DataFrame, kind: str) -> list[Candidate]:
    out: list[Candidate] = []
    reasons: tuple[str, ...]
    if frame.empty:
        return out
    if kind == "person":
        names = normalize_name(frame["name"]).fillna("").astype(str).str.replace(" ", "")
        group = names + "|" + _text(frame, "birth_date")
        ok = (names != "") & (_text(frame, "birth_date") != "")
        ident = _text(frame, "id_number")
        extra = [("phone", _text(frame, "phone")), ("address", _text(frame, "address"))]
        base, reasons = 0.6, ("name", "birth_date")
    else:
        group = company_keys(frame["name"])
        ok = group != ""
        ident = _text(frame, "credit_code")
        extra = [("phone", _text(frame, "phone")), ("address", _text(frame, "address"))]
        base, reasons = 0.5, ("name",)
    keys = frame["key"].astype(str)
    by: dict[str, list[int]] = {}
    for i, g in enumerate(group.tolist()):
        if ok.iloc[i]:
            by.setdefault(str(g), []).append(i)
    for rows in by.values():
        for x in range(len(rows)):
            for y in range(x + 1, len(rows)):
                i, j = sorted((rows[x], rows[y]), key=lambda r: keys.iloc[r])
                if ident.iloc[i] and ident.iloc[j]:
                    continue  # both identified: the numbers decide, not a person
                same = tuple(n for n, s in extra if s.iloc[i] and s.iloc[i] == s.iloc[j])
                score = min(1.0, base + 0.2 * len(same))
                out.append(Candidate(pair_id(keys.iloc[i], keys.iloc[j]), kind, keys.iloc[i],
                                     keys.iloc[j], round(score, 3), reasons + same,
                                     str(frame["name"].iloc[i]), str(frame["name"].iloc[j])))
    return out


def candidates(store: Store, *, kinds: tuple[str, ...] = ("person", "organization"),
               min_score: float = 0.3, limit: int | None = None) -> list[Candidate]:
    """Candidate pairs of ``kinds`` scoring ``min_score`` or more, best first (then by
    pair id); at most ``limit``."""
    view = store.view()
    found: list[Candidate] = []
    for kind in kinds:
        found += _pairs(view.entities_frame(kind), kind)
    found = sorted((c for c in found if c.score >= min_score), key=lambda c: (-c.score, c.pair))
    return found[:limit] if limit is not None else found
