"""Messages: a template with named fields, kept as data until it is shown.

A rule, a command or a page never glues a sentence together from pieces; it
names a template (a whole sentence with ``{fields}``) and gives the fields as
typed values: data as written (names, ids, titles), and values the interface
language formats (money, dates, periods, words from a vocabulary, kin chains,
counted nouns, lists of names). :func:`render` turns a message into text.

A message is plain JSON (:meth:`Msg.to_json`), so a finding stores the
messages of its title and explanation beside their text and can be shown
again later, or in another language.

Examples
--------
>>> m = Msg("{who} approved contract {what} worth {amount}.",
...         {"who": ent("张伟", ["P1"]), "what": ent("Road works", ["K7"]),
...          "amount": money(612180)})
>>> render(m)
'张伟 (P1) approved contract Road works (K7) worth ¥612,180.00.'
>>> render(Msg.from_json(m.to_json())) == render(m)
True
>>> from lang.core import NP_
>>> render(Msg(NP_("{n} firm", "{n} firms"), n=3))
'3 firms'
>>> render(m, "zh")
'张伟 (P1) approved contract Road works (K7) worth ¥612,180.00.'
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lang import formats
from lang.core import N_, language, translations
from lang.kinship import kin_words

#: A template: one text, or (singular, plural) chosen by the message's ``n``.
Template = str | tuple[str, str]


@dataclass(frozen=True)
class Msg:
    """A template and its fields (``n`` picks the plural form of a two-form template)."""

    template: Template
    fields: Mapping[str, Any] = field(default_factory=dict)
    n: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain-data form (fields that are messages become nested objects)."""
        out: dict[str, Any] = {"msg": list(self.template) if isinstance(self.template, tuple)
                               else self.template,
                               "fields": {k: _field_json(v) for k, v in self.fields.items()}}
        if self.n is not None:
            out["n"] = self.n
        return out

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Msg:
        """The message :meth:`to_json` wrote."""
        raw = data["msg"]
        template: Template = (str(raw[0]), str(raw[1])) if isinstance(raw, list) else str(raw)
        fields = {str(k): _field_from_json(v) for k, v in dict(data.get("fields", {})).items()}
        n = data.get("n")
        return Msg(template, fields, None if n is None else int(n))


def _field_json(value: Any) -> Any:
    if isinstance(value, Msg):
        return {"t": "msg", **value.to_json()}
    if isinstance(value, list):
        return [_field_json(v) for v in value]
    return value


def _field_from_json(value: Any) -> Any:
    if isinstance(value, dict) and value.get("t") == "msg":
        return Msg.from_json(value)
    if isinstance(value, list):
        return [_field_from_json(v) for v in value]
    return value


# -- typed field values (plain dicts, so findings stay JSON) ------------------------------

def ent(name: str, ids: Sequence[str], key: str = "") -> dict[str, Any]:
    """An entity shown as ``name (id1/id2)`` (its ids alone when it has no name).

    Examples
    --------
    >>> render(Msg("{e}", {"e": ent("张伟", ["P1", "P2"])}))
    '张伟 (P1/P2)'
    >>> render(Msg("{e}", {"e": ent("", ["K1"])}))
    'K1'
    """
    return {"t": "ent", "name": name, "ids": list(ids), "key": key}


def money(amount: Any, currency: str | None = "CNY") -> dict[str, Any]:
    """An amount of money (``None`` or NaN: unknown) in ``currency`` (an ISO 4217 code;
    ``None`` or '': the source stated none, and none is shown)."""
    try:
        value: float | None = float(amount)
    except (TypeError, ValueError):
        value = None
    if value is not None and value != value:
        value = None
    code = currency.strip().upper() if isinstance(currency, str) else ""
    return {"t": "money", "amount": value, "currency": code}


def date(iso: str) -> dict[str, Any]:
    """A calendar date (ISO text)."""
    return {"t": "date", "value": iso}


def period(start: str | None, end: str | None) -> dict[str, Any]:
    """The interval a tie held (``None``, ``0000-01-01`` or ``9999-12-31``: open)."""
    s = None if not start or start == "0000-01-01" else start
    e = None if not end or end == "9999-12-31" else end
    return {"t": "period", "start": s, "end": e}


def word(vocab: str, code: str) -> dict[str, Any]:
    """A word of a vocabulary (company roles, case roles, kinds, methods...) by its code."""
    return {"t": "word", "vocab": vocab, "code": code}


def kin(chain: Sequence[str], genders: Sequence[str | None] | None = None,
        ego: str | None = None) -> dict[str, Any]:
    """A chain of ties read from the first person (``["spouse", "sibling"]``: the
    spouse's sibling), with the gender (``m``/``f``/None) of each relative along it and
    of the first person, so the words can be the plain ones (岳父, father-in-law)."""
    out: dict[str, Any] = {"t": "kin", "chain": list(chain)}
    if genders is not None and any(genders):
        out["genders"] = list(genders)
    if ego:
        out["ego"] = ego
    return out


#: The separator of a list unless a message names another.
LIST_SEP = N_(", ")


def names(items: Sequence[Any], most: int | None = 4, sep: Template = LIST_SEP
          ) -> dict[str, Any]:
    """The first ``most`` of a list (entities, text or messages; all when None), how many
    more there are, and what stands between two items.

    Examples
    --------
    >>> render(Msg("{x}", {"x": names(["a", "b", "c"], 2)}))
    'a, b and 1 more'
    >>> render(Msg("{x}", {"x": names(["a", "b"], None, N_("; "))}))
    'a; b'
    """
    shown = list(items if most is None else items[:most])
    return {"t": "list", "items": [_field_json(x) for x in shown],
            "more": len(items) - len(shown), "sep": sep if isinstance(sep, str) else sep[0]}


def dates(first: str, last: str) -> dict[str, Any]:
    """The days something happened: ``on first`` when one day, else ``from first to last``.

    Examples
    --------
    >>> render(Msg("{d}", {"d": dates("2020-01-01", "2020-03-01")}))
    'from 2020-01-01 to 2020-03-01'
    """
    return {"t": "dates", "first": first, "last": last}


def number(value: float, digits: int = 0) -> dict[str, Any]:
    """A number with thousands separators and ``digits`` decimals."""
    return {"t": "number", "value": float(value), "digits": digits}


# -- rendering in the interface language --------------------------------------------

#: The English word of a vocabulary code, where it is not the code with spaces; the
#: word is the message id the catalogs translate (with the vocabulary as context).
_WORDS: dict[str, dict[str, str]] = {
    "case_kind": {"organized_crime": "organized-crime"},
    "relation": {"relative": "relative (kin not stated)"},
    "link": {"phone": "phone number", "address": "address", "legal_rep": "legal representative",
             "shareholder": "shareholder", "director": "director", "supervisor": "supervisor",
             "manager": "manager", "beneficial_owner": "beneficial owner",
             "bank_account": "bank account", "staff": "staff member"},
    "tender": {"open": "open tender", "invited": "invited tender", "direct": "direct tender",
               "": "tender"},
    "Tender": {"open": "Open tender", "invited": "Invited tender", "direct": "Direct tender",
               "": "Tender"},
    "side": {"official": "officials", "government": "government bodies",
             "company": "companies", "business": "people and firms in business",
             "supplier": "suppliers", "crime": "case suspects and gang members",
             "other": "people with no recorded post, company role or case role"},
    "person_side": {"official": "official", "business": "business", "crime": "crime"},
    "side_short": {"official": "officials", "government": "government",
                   "company": "companies", "business": "business", "supplier": "suppliers",
                   "crime": "case suspects", "other": "outsiders"},
    "tie": {"KIN": "kin", "ASSOCIATE": "known association", "COMPANY_ROLE": "company role",
            "BID>BID": "co-bidding", "APPROVED>AWARDED_TO": "approved award",
            "APPROVED>PAID_TO": "approved payment", "CASE_ROLE": "case role",
            "CASE_ROLE>CASE_ROLE": "same case", "HOLDS_POST": "post", "PART_OF": "part of",
            "BID": "bid", "AWARDED_TO": "award", "APPROVED": "approval", "PAID_TO": "payment",
            "PAID": "payment", "BOUGHT": "purchase", "REPORTED": "tip-off"},
}


def english_word(vocab: str, code: str) -> str:
    """The English word of a vocabulary code (the catalogs' message id for it).

    Examples
    --------
    >>> english_word("link", "legal_rep"), english_word("company_role", "beneficial_owner")
    ('legal representative', 'beneficial owner')
    """
    return _WORDS.get(vocab, {}).get(code, code.replace("_", " "))


def word_in(vocab: str, code: str, lang: str) -> str:
    """A vocabulary word in a language (its English word when the catalog lacks it; an
    empty code is an empty word, never the catalog's header).

    Examples
    --------
    >>> word_in("case_kind", "", "zh")
    ''
    """
    text = english_word(vocab, code)
    return translations(lang).pgettext(vocab, text) if text else ""


def _value(v: Any, lang: str) -> str:
    if isinstance(v, Msg):
        return render(v, lang)
    if not isinstance(v, dict) or "t" not in v:
        return str(v)
    t = v["t"]
    if t == "ent":
        ids = "/".join(v["ids"])
        return f"{v['name']} ({ids})" if v["name"] and v["name"] != ids else (ids or v["name"])
    if t == "money":
        return formats.money(v["amount"], str(v.get("currency", "CNY") or ""), lang)
    if t == "date":
        return formats.date(str(v["value"]), lang)
    if t == "period":
        return formats.period(v["start"], v["end"], lang)
    if t == "word":
        return word_in(str(v["vocab"]), str(v["code"]), lang)
    if t == "kin":
        return kin_words(v["chain"], v.get("genders"), v.get("ego"), lang)
    if t == "list":
        sep = translations(lang).gettext(str(v.get("sep", ", ")))
        shown = sep.join(_value(x, lang) for x in v["items"])
        if not v["more"]:
            return shown
        return translations(lang).gettext(N_("{items} and {n} more")).format(items=shown,
                                                                             n=v["more"])
    if t == "dates":
        return formats.days(str(v["first"]), str(v["last"]), lang)
    if t == "number":
        return formats.number(float(v["value"]), int(v["digits"]), lang)
    if t == "msg":
        return render(Msg.from_json(v), lang)
    return str(v)


class _Fields(string.Formatter):
    def __init__(self, fields: Mapping[str, Any], n: int | None, lang: str) -> None:
        self._fields = fields
        self._n = n
        self._lang = lang

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if key == "n" and "n" not in self._fields:
            return self._n
        return self._fields[str(key)]

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec:
            return format(value, format_spec)
        return _value(value, self._lang)


def render(msg: Msg, lang: str | None = None) -> str:
    """The message in ``lang`` (the language spoken now by default).

    Examples
    --------
    >>> m = Msg("{who} is the {how} of {other} (tie {when}).",
    ...         {"who": "张伟", "how": kin(["spouse", "sibling"]), "other": "李娜",
    ...          "when": period("2019-01-01", None)})
    >>> render(m, "en")
    "张伟 is the spouse's sibling of 李娜 (tie since 2019-01-01)."
    """
    code = lang or language()
    catalog = translations(code)
    template = msg.template
    if isinstance(template, tuple):
        text = catalog.ngettext(template[0], template[1], msg.n if msg.n is not None else 2)
    else:
        text = catalog.gettext(template)
    return _Fields(msg.fields, msg.n, code).vformat(text, (), {})


def render_all(msgs: Sequence[Msg], lang: str | None = None) -> str:
    """Several sentences, joined as the language joins them (a space in English)."""
    code = lang or language()
    return ("" if code == "zh" else " ").join(render(m, code) for m in msgs)


def localized(finding: Mapping[str, Any], lang: str | None = None) -> dict[str, Any]:
    """A finding (as stored) with its title and explanation in ``lang`` (the language
    spoken now by default), rendered again from its messages; its machine fields as
    they are.

    Examples
    --------
    >>> f = {"rule": "X-1", "title": "old", "explanation": "old",
    ...      "text": {"title": Msg("{n} firms", {"n": 2}).to_json(),
    ...               "explanation": [Msg("One.").to_json(), Msg("Two.").to_json()]}}
    >>> g = localized(f, "en")
    >>> g["title"], g["explanation"], g["rule"]
    ('2 firms', 'One. Two.', 'X-1')
    """
    out = dict(finding)
    text = finding.get("text")
    if isinstance(text, Mapping) and "title" in text:
        out["title"] = render(Msg.from_json(text["title"]), lang)
        out["explanation"] = render_all([Msg.from_json(m) for m in text.get("explanation", [])],
                                        lang)
    return out
