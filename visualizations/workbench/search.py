"""Search as you type: an in-memory index of names, identity numbers and phones.

Built once when the server starts (a few seconds at scale 10) from the store's view,
so it works the same on every backend:

- names: NFKC, case and blanks folded (``杨 雨`` and full-width ``ＡＢＣ`` match), found
  anywhere in the name (``杨雨`` finds ``杨雨豪``): every folded name is one line of a
  single text, searched with the regular-expression engine; whole-name matches rank
  first, then names that start with the text, then shorter names;
- identity numbers and credit codes (exact, upper-cased), phones (exact, digits only,
  a leading 86 country code dropped);
- source ids are not indexed: the store resolves them exactly.

Examples
--------
>>> idx = SearchIndex.of([("p:1", "person", "杨雨豪", "11010519491231002X", "138 0013 8000"),
...                       ("p:2", "person", "杨 雨", "", ""),
...                       ("o:1", "organization", "雨豪公司", "91110000MA01ABCD1X", "")])
>>> idx.names("杨雨")
[('p:2', 'name'), ('p:1', 'name')]
>>> idx.names("雨豪"), idx.exact("11010519491231002x"), idx.exact("+86 13800138000")
([('o:1', 'name'), ('p:1', 'name')], [('p:1', 'id_number')], [('p:1', 'phone')])
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.store import StoreView

#: Kinds whose names are searched (payments and reports are found by their ids).
NAMED_KINDS = ("person", "organization", "contract", "case")
_KIND_RANK = {k: i for i, k in enumerate(NAMED_KINDS)}
_BLANKS = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"\D+")
#: Most name hits ranked per query (a one-character query can match thousands).
MAX_HITS = 3000


def fold(text: str) -> str:
    """The searched form of a name or a query: NFKC, case-folded, without blanks.

    Examples
    --------
    >>> fold(" 杨　雨 "), fold("ＪＯＨＮ Smith")
    ('杨雨', 'johnsmith')
    """
    return _BLANKS.sub("", unicodedata.normalize("NFKC", text)).casefold()


def phone_digits(text: str) -> str:
    """A phone number as its digits, without a leading 86 country code.

    Examples
    --------
    >>> phone_digits("+86 138-0013-8000"), phone_digits("0731-2661682")
    ('13800138000', '07312661682')
    """
    digits = _NOT_DIGIT.sub("", text)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


@dataclass
class SearchIndex:
    """Folded names of every named entity, and exact identifiers."""

    keys: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    text: str = ""
    ids: dict[str, list[str]] = field(default_factory=dict)
    phones: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, str, str, str]]) -> SearchIndex:
        """From ``(key, kind, name, identity number or credit code, phone)`` rows."""
        idx = cls()
        pos = 0
        for key, kind, name, ident, phone in rows:
            form = fold(name or "")
            if form and kind in _KIND_RANK:
                idx.keys.append(key)
                idx.kinds.append(kind)
                idx.forms.append(form)
                idx.starts.append(pos)
                pos += len(form) + 1
            if ident:
                idx.ids.setdefault(ident.strip().upper(), []).append(key)
            if phone and (digits := phone_digits(phone)):
                idx.phones.setdefault(digits, []).append(key)
        idx.text = "\n".join(idx.forms)
        return idx

    @classmethod
    def build(cls, view: StoreView) -> SearchIndex:
        """From a store's view: every entity of :data:`NAMED_KINDS` (identity numbers of
        persons, credit codes of organizations, phones of both)."""

        def rows() -> Iterable[tuple[str, str, str, str, str]]:
            for kind in NAMED_KINDS:
                f = view.entities_frame(kind)
                if f.empty:
                    continue
                n = len(f)
                ident_col = "id_number" if kind == "person" else "credit_code"
                idents = f[ident_col].fillna("").astype(str).tolist() \
                    if ident_col in f else [""] * n
                phones = f["phone"].fillna("").astype(str).tolist() if "phone" in f else [""] * n
                yield from zip(f["key"].astype(str).tolist(), [kind] * n,
                               f["name"].fillna("").astype(str).tolist(), idents, phones,
                               strict=True)

        return cls.of(rows())

    def names(self, query: str, most: int = MAX_HITS) -> list[tuple[str, str]]:
        """Keys whose folded name holds the folded ``query``: whole names first, then
        names starting with it, then the shortest, persons before organizations."""
        q = fold(query)
        if not q or "\n" in q:
            return []
        hits: list[int] = []
        for m in re.finditer(re.escape(q), self.text):
            i = bisect.bisect_right(self.starts, m.start()) - 1
            if not hits or hits[-1] != i:
                hits.append(i)
            if len(hits) >= most:
                break
        hits.sort(key=lambda i: (self.forms[i] != q, not self.forms[i].startswith(q),
                                 len(self.forms[i]), _KIND_RANK[self.kinds[i]], self.keys[i]))
        return [(self.keys[i], "name") for i in hits]

    def exact(self, query: str) -> list[tuple[str, str]]:
        """Keys with this identity number or credit code, or this phone."""
        out = [(k, "id_number") for k in self.ids.get(query.strip().upper(), [])]
        digits = phone_digits(query)
        if len(digits) >= 5:
            out += [(k, "phone") for k in self.phones.get(digits, [])]
        return out
