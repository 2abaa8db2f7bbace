"""Candidate pairs of persons and of organisations that may be one entity.

Where identity numbers (persons) or credit codes (organisations) are missing,
the same person recorded by two departments stays two entities: the loader only
merges on a valid identifier. :func:`candidates` proposes the pairs a person
should look at, each scored with the evidence for and against shown as whole
sentences in the run's language.

How it scales (blocking): only entities that share something are compared:
the same name (:func:`~queries.match_keys.name_key`, or the same words or
characters in another order), the same phone number or the same bank account
(each carried by at most ``max_sharing`` entities), the same birth date (for
Latin names one letter apart), for organisations also the same
:func:`graph.matching.company_key` or the same legal representative. A name
carried by more than ``max_block`` entities is compared within one birth date
only, so a common name never makes all pairs.

How a pair is scored: a naive-Bayes log-odds sum. It starts at ``-w_prior``; each
piece of evidence adds its ``w_for_*`` weight, each contradiction subtracts its
``w_against_*`` weight (``[MATCH]`` in ``queries/settings.toml``; docs/match-candidates.md
tells what each means); the score is the logistic of the sum. Namesakes born on
different days fall far below the queue's ``min_score``. A pair whose two records
both carry an identity number (or credit code) is never proposed: different
valid numbers are two entities, equal ones are one already.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> from loaders.load import load_folder
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "persons.csv").write_text(
...     "person_id,name,gender,birth_date,phone\\n"
...     "P1,王伟,男,1970-01-02,13800138000\\nP2,王　伟,男,1970-01-02,\\n"
...     "P3,王伟,男,1985-05-05,\\n", encoding="utf-8")
>>> store = open_store(d / "case.db")
>>> _ = load_folder(d, store)
>>> [(c.name_a, c.name_b, round(c.score, 2)) for c in candidates(store)]
[('王伟', '王伟', 0.95)]
>>> candidates(store)[0].reasons[:2]
('Both are named 王伟.', 'Both were born on 1970-01-02.')
>>> store.close()
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, NamedTuple

import pandas as pd

from graph.errors import UmbrellaError
from graph.matching import company_key
from graph.store import Store, StoreView
from lang import _, ngettext
from queries.match_keys import address_key, name_key, one_letter_apart, order_key, phone_key
from queries.settings import load_settings

KINDS = ("person", "organization")
#: Relationship types whose other end is a tie two records of one entity may share.
PERSON_TIES = ("KIN", "ASSOCIATE", "HOLDS_POST", "COMPANY_ROLE", "CASE_ROLE")
ORG_TIES = ("COMPANY_ROLE", "HOLDS_POST", "PART_OF")
#: At most this many shared ties count.
MAX_SHARED_TIES = 3


class Candidate(NamedTuple):
    """Two entities that may be one, with the score and the reasons."""

    pair: str  # stable id "M-" + 12 hex of a hash of the sorted keys
    kind: str  # "person" | "organization"
    a: str
    b: str  # entity keys, a < b
    score: float  # 0..1
    reasons: tuple[str, ...]  # each a whole sentence in the run's language
    name_a: str
    name_b: str


def pair_id(a: str, b: str) -> str:
    """The stable id of a pair of entity keys (either order).

    Examples
    --------
    >>> pair_id("p:1", "p:2") == pair_id("p:2", "p:1"), pair_id("p:1", "p:2")[:2]
    (True, 'M-')
    """
    lo, hi = sorted((a, b))
    return "M-" + hashlib.sha256(f"{lo}\n{hi}".encode()).hexdigest()[:12]


def weights() -> dict[str, Any]:
    """The ``[MATCH]`` settings (weights and limits) of ``queries/settings.toml``.

    Examples
    --------
    >>> w = weights()
    >>> w["w_prior"] > 0, w["max_sharing"]
    (True, 3)
    """
    return load_settings().rule("MATCH")


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


@dataclass
class _Record:
    key: str
    name: str
    nkey: str
    okey: str
    ident: str
    birth: str = ""
    gender: str = ""
    phone: str = ""
    address: str = ""
    address_text: str = ""
    kind: str = ""
    ckey: str = ""
    ties: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)
    reps: set[str] = field(default_factory=set)


def _column(frame: pd.DataFrame, name: str) -> list[str]:
    """A column as stripped text ('' for missing, or for a column the frame lacks)."""
    if name not in frame:
        return [""] * len(frame)
    return [_text(v) for v in frame[name].astype(object).tolist()]


def _cached(fn: Callable[[str], str]) -> Callable[[str], str]:
    """``fn`` computed once per distinct value (many records repeat a value)."""
    seen: dict[str, str] = {}

    def get(value: str) -> str:
        if value not in seen:
            seen[value] = fn(value)
        return seen[value]
    return get


def _records(view: StoreView, kind: str) -> dict[str, _Record]:
    frame = view.entities_frame(kind)
    person = kind == "person"
    phone, address = _cached(phone_key), _cached(address_key)
    out: dict[str, _Record] = {}
    for key, name, ident, birth, gender, tel, addr, what in zip(
            _column(frame, "key"), _column(frame, "name"),
            _column(frame, "id_number" if person else "credit_code"),
            _column(frame, "birth_date" if person else "established_date"),
            _column(frame, "gender"), _column(frame, "phone"), _column(frame, "address"),
            _column(frame, "kind"), strict=True):
        out[key] = _Record(key=key, name=name, nkey=name_key(name), okey=order_key(name),
                           ident=ident.upper(), birth=birth, gender=gender, phone=phone(tel),
                           address=address(addr), address_text=addr, kind=what,
                           ckey="" if person else company_key(name))
    return out


class _Frames:
    """Relationship frames of one view, each read once."""

    def __init__(self, view: StoreView) -> None:
        self.view = view
        self.counts = view.counts_by_type()
        self.read: dict[str, pd.DataFrame] = {}
        self._names: dict[str, str] | None = None

    def names(self) -> dict[str, str]:
        """Key -> name of every person, organisation and case (read once)."""
        if self._names is None:
            self._names = {}
            for kind in ("person", "organization", "case"):
                self._names.update(self.view.entity_names(kind))
        return self._names

    def __call__(self, type_: str) -> pd.DataFrame:
        if type_ not in self.read:
            self.read[type_] = (self.view.relations_frame(type_) if self.counts.get(type_)
                                else pd.DataFrame(columns=["src", "dst"]))
        return self.read[type_]


def _attach_ties(frames: _Frames, recs: Mapping[str, _Record], types: Sequence[str],
                 max_degree: int) -> None:
    """Each record's neighbours over ``types`` (hubs with more ties than ``max_degree``
    left out), its legal representatives (organisations) and its bank accounts."""
    pairs: list[tuple[str, str]] = []
    for t in types:
        f = frames(t)
        pairs += zip(_column(f, "src"), _column(f, "dst"), strict=True)
    degree = Counter(x for p in pairs for x in p)
    for src, dst in pairs:
        for me, other in ((src, dst), (dst, src)):
            if me in recs and (max_degree <= 0 or degree[other] <= max_degree):
                recs[me].ties.add(other)
    roles = frames("COMPANY_ROLE")
    for holder, company, role in zip(_column(roles, "src"), _column(roles, "dst"),
                                     _column(roles, "role"), strict=True):
        if role == "legal_rep" and company in recs:
            recs[company].reps.add(holder)
    paid = frames("PAID_TO")
    for dst, acct in zip(_column(paid, "dst"), _column(paid, "bank_account"), strict=True):
        if acct and dst in recs:
            recs[dst].accounts.add(acct.replace(" ", ""))


def _shared_values(recs: Iterable[_Record], attr: str, limit: int) -> dict[str, list[str]]:
    """Value -> keys of the records carrying it, for values at most ``limit`` carry."""
    by: dict[str, list[str]] = defaultdict(list)
    for r in recs:
        v = getattr(r, attr)
        for x in (v if isinstance(v, set) else [v]):
            if x:
                by[x].append(r.key)
    return {v: ks for v, ks in by.items() if len(ks) >= 2 and (limit <= 0 or len(ks) <= limit)}


def _block_pairs(keys: list[str], recs: Mapping[str, _Record], cap: int) -> Iterator[
        tuple[str, str]]:
    """Pairs of a block; a block bigger than ``cap`` is split by birth date (records
    without one join every part while they are few)."""
    if len(keys) <= cap:
        yield from combinations(keys, 2)
        return
    by_birth: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        by_birth[recs[k].birth].append(k)
    loose = by_birth.pop("", [])
    if len(loose) > cap:
        loose = []
    for part in by_birth.values():
        if len(part) + len(loose) <= cap:
            yield from combinations(part + loose, 2)


def _pairs(recs: Mapping[str, _Record], w: Mapping[str, Any],
           organisations: bool) -> set[tuple[str, str]]:
    cap = int(w["max_block"])
    blocks: list[list[str]] = []
    for attr in ("nkey", "okey", *(("ckey",) if organisations else ())):
        blocks += _shared_values(recs.values(), attr, 0).values()
    for attr in ("phone", "accounts", *(("reps",) if organisations else ())):
        blocks += _shared_values(recs.values(), attr, int(w["max_sharing"])).values()
    out: set[tuple[str, str]] = set()
    for keys in blocks:
        for a, b in _block_pairs(keys, recs, cap):
            out.add((a, b) if a < b else (b, a))
    if not organisations:  # Latin names one letter apart, born on the same day
        by_birth: dict[str, list[str]] = defaultdict(list)
        for r in recs.values():
            if r.birth and r.nkey.isascii():
                by_birth[r.birth].append(r.key)
        for keys in by_birth.values():
            for a, b in combinations(keys, 2):
                if one_letter_apart(recs[a].nkey, recs[b].nkey):
                    out.add((a, b) if a < b else (b, a))
    return out


class _Sum:
    """A log-odds sum and the sentences that explain it."""

    def __init__(self, w: Mapping[str, Any]) -> None:
        self.w = w
        self.total = -float(w["w_prior"])
        self.reasons: list[str] = []

    def add(self, weight: str, sentence: str) -> None:
        value = float(self.w[weight])
        self.total += -value if weight.startswith("w_against_") else value
        self.reasons.append(sentence)


def _names(s: _Sum, a: _Record, b: _Record) -> None:
    if a.nkey and a.nkey == b.nkey:
        s.add("w_for_name_same", _("Both are named {name}.").format(name=a.name)
              if a.name == b.name else
              _("The names {name_a} and {name_b} are the same once case, width and blanks "
                "are set aside.").format(name_a=a.name, name_b=b.name))
    elif a.okey and a.okey == b.okey:
        s.add("w_for_name_order", _("The names {name_a} and {name_b} have the same words or "
                                    "characters in another order.").format(
            name_a=a.name, name_b=b.name))
    elif one_letter_apart(a.nkey, b.nkey):
        s.add("w_for_name_near", _("The names {name_a} and {name_b} are one letter apart.")
              .format(name_a=a.name, name_b=b.name))


def _same_or_not(s: _Sum, x: str, y: str, what: str, same: str, differs: str,
                 one: str | None = None) -> None:
    """Add ``w_for_<what>_same`` or ``w_against_<what>_differs`` with their sentence."""
    if x and y:
        if x == y:
            s.add(f"w_for_{what}_same", same.format(value=x))
        elif f"w_against_{what}_differs" in s.w:
            s.add(f"w_against_{what}_differs", differs.format(value_a=x, value_b=y))
    elif one is not None and (x or y):
        s.reasons.append(one.format(value=x or y))


def _ties(s: _Sum, a: _Record, b: _Record, names: Mapping[str, str]) -> None:
    if b.key in a.ties or a.key in b.ties:
        s.add("w_against_tied", _("One is recorded as a relative, associate or role holder of "
                                  "the other."))
    shared = sorted(a.ties & b.ties)
    if shared:
        for _k in shared[:MAX_SHARED_TIES]:
            s.total += float(s.w["w_for_tie_shared"])
        n = len(shared)
        listed = ", ".join(names.get(k, k) for k in shared[:MAX_SHARED_TIES])
        s.reasons.append(ngettext("Both are tied to {names}.",
                                  "Both are tied to the same {n} entities: {names}.", n).format(
            n=n, names=listed + ("…" if n > MAX_SHARED_TIES else "")))


def _person(a: _Record, b: _Record, w: Mapping[str, Any], addr_ok: set[str],
            names: Mapping[str, str]) -> _Sum:
    s = _Sum(w)
    _names(s, a, b)
    _same_or_not(s, a.birth, b.birth, "birth", _("Both were born on {value}."),
                 _("The birth dates differ: {value_a} and {value_b}."),
                 _("Only one record has a birth date ({value})."))
    _same_or_not(s, a.gender, b.gender, "gender", _("Both are recorded with gender {value}."),
                 _("The genders differ: {value_a} and {value_b}."))
    _contacts(s, a, b, addr_ok)
    accounts = a.accounts & b.accounts
    if accounts:
        s.add("w_for_account_same", _("Both were paid into the bank account ending {tail}.")
              .format(tail=min(accounts)[-4:]))
    _ties(s, a, b, names)
    return s


def _contacts(s: _Sum, a: _Record, b: _Record, addr_ok: set[str]) -> None:
    _same_or_not(s, a.phone, b.phone, "phone", _("Both have the phone number {value}."),
                 _("The phone numbers differ: {value_a} and {value_b}."))
    if a.address and a.address == b.address and a.address in addr_ok:
        s.add("w_for_address_same", _("Both have the address {value}.").format(
            value=a.address_text))
    elif a.address and b.address and a.address != b.address:
        s.add("w_against_address_differs", _("The addresses differ: {value_a} and {value_b}.")
              .format(value_a=a.address_text, value_b=b.address_text))


def _organisation(a: _Record, b: _Record, w: Mapping[str, Any], addr_ok: set[str],
                  names: Mapping[str, str]) -> _Sum:
    s = _Sum(w)
    if a.ckey and a.ckey == b.ckey:
        s.add("w_for_company_key_same",
              _("Both are named {name}.").format(name=a.name) if a.name == b.name else
              _("The names {name_a} and {name_b} are the same once legal forms, blanks and "
                "punctuation are set aside.").format(name_a=a.name, name_b=b.name))
    else:
        _names(s, a, b)
    if a.kind and b.kind and a.kind != b.kind:
        s.add("w_against_kind_differs", _("The kinds differ: {value_a} and {value_b}.").format(
            value_a=a.kind, value_b=b.kind))
    reps = sorted(a.reps & b.reps)
    if reps:
        s.add("w_for_legal_rep_same", _("Both have {name} as legal representative.").format(
            name=names.get(reps[0], reps[0])))
    _same_or_not(s, a.birth, b.birth, "founded", _("Both were established on {value}."),
                 _("The establishment dates differ: {value_a} and {value_b}."))
    _contacts(s, a, b, addr_ok)
    _ties(s, a, b, names)
    return s


def _kind_candidates(frames: _Frames, kind: str, w: Mapping[str, Any],
                     min_score: float) -> list[Candidate]:
    view = frames.view
    recs = _records(view, kind)
    organisations = kind == "organization"
    _attach_ties(frames, recs, ORG_TIES if organisations else PERSON_TIES,
                 int(w["max_tie_degree"]))
    addr_ok = set(_shared_values(recs.values(), "address", int(w["max_address_sharing"])))
    names = frames.names()
    score = _organisation if organisations else _person
    out: list[Candidate] = []
    for a_key, b_key in _pairs(recs, w, organisations):
        a, b = recs[a_key], recs[b_key]
        if a.ident and b.ident:
            continue  # different valid identifiers: two entities (equal: one already)
        s = score(a, b, w, addr_ok, names)
        p = 1.0 / (1.0 + math.exp(-s.total))
        if p >= min_score:
            out.append(Candidate(pair_id(a.key, b.key), kind, a.key, b.key, round(p, 4),
                                 tuple(s.reasons), a.name, b.name))
    return out


def candidates(store: Store, *, kinds: Sequence[str] = KINDS, min_score: float = 0.3,
               limit: int | None = None) -> list[Candidate]:
    """Pairs of entities of ``kinds`` that may be one, scoring at least ``min_score``,
    best first (score descending, then pair id); the first ``limit`` when given.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "empty.db")
    >>> candidates(store, kinds=("organization",))
    []
    >>> store.close()
    """
    w = weights()
    view = store.view()
    frames = _Frames(view)
    out: list[Candidate] = []
    for kind in kinds:
        if kind not in KINDS:
            raise UmbrellaError(_("{kind}: not a kind of entity that can be matched").format(
                kind=kind), hint=_("use one of: {kinds}").format(kinds=", ".join(KINDS)))
        if view.counts_by_kind().get(kind):
            out += _kind_candidates(frames, kind, w, min_score)
    out.sort(key=lambda c: (-c.score, c.pair))
    return out if limit is None else out[:limit]
