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
>>> render(Msg(("{n} firm", "{n} firms"), n=3))
'3 firms'
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: A template: one text, or (singular, plural) chosen by the message's ``n``.
Template = str | tuple[str, str]


def N_(template: Template) -> Template:
    """Mark a template for extraction into the translation catalogs; returns it unchanged.

    Examples
    --------
    >>> N_("{official} approved a contract")
    '{official} approved a contract'
    """
    return template


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


def money(amount: Any, currency: str = "CNY") -> dict[str, Any]:
    """An amount of money (``None`` or NaN: unknown)."""
    try:
        value: float | None = float(amount)
    except (TypeError, ValueError):
        value = None
    if value is not None and value != value:
        value = None
    return {"t": "money", "amount": value, "currency": currency}


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


def kin(chain: Sequence[str]) -> dict[str, Any]:
    """A chain of ties read from the first person (``["spouse", "sibling"]``: the
    spouse's sibling)."""
    return {"t": "kin", "chain": list(chain)}


def names(items: Sequence[Any], most: int | None = 4, sep: Template = ", ") -> dict[str, Any]:
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


# -- English rendering --------------------------------------------------------------------

_WORDS: dict[str, dict[str, str]] = {
    "kin": {"in_law": "in-law", "associate": "known associate",
            "co_owner": "co-owner of a company"},
    "case_kind": {"organized_crime": "organized-crime"},
    "link": {"phone": "phone number", "legal_rep": "legal representative"},
    "tender": {"open": "open tender", "invited": "invited tender", "direct": "direct tender",
               "": "tender"},
    "Tender": {"open": "Open tender", "invited": "Invited tender", "direct": "Direct tender",
               "": "Tender"},
    "side": {"official": "officials", "government": "government bodies",
             "company": "companies", "business": "people and firms in business",
             "supplier": "suppliers", "crime": "case suspects and gang members",
             "other": "people with no recorded post, company role or case role"},
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


def _word(vocab: str, code: str) -> str:
    return _WORDS.get(vocab, {}).get(code, code.replace("_", " "))


def _period(s: str | None, e: str | None) -> str:
    if s and e:
        return f"from {s} to {e}"
    if s:
        return f"since {s}"
    if e:
        return f"until {e}"
    return "with no recorded dates"


def _value(v: Any) -> str:
    if isinstance(v, Msg):
        return render(v)
    if not isinstance(v, dict) or "t" not in v:
        return str(v)
    t = v["t"]
    if t == "ent":
        ids = "/".join(v["ids"])
        return f"{v['name']} ({ids})" if v["name"] and v["name"] != ids else (ids or v["name"])
    if t == "money":
        return "an unknown amount" if v["amount"] is None else f"¥{v['amount']:,.2f}"
    if t == "date":
        return str(v["value"])
    if t == "period":
        return _period(v["start"], v["end"])
    if t == "word":
        return _word(str(v["vocab"]), str(v["code"]))
    if t == "kin":
        return "'s ".join(_word("kin", c) for c in v["chain"])
    if t == "list":
        shown = str(v.get("sep", ", ")).join(_value(x) for x in v["items"])
        return shown + (f" and {v['more']} more" if v["more"] else "")
    if t == "dates":
        return (f"on {v['first']}" if v["first"] == v["last"]
                else f"from {v['first']} to {v['last']}")
    if t == "number":
        return f"{v['value']:,.{int(v['digits'])}f}"
    if t == "msg":
        return render(Msg.from_json(v))
    return str(v)


class _Fields(string.Formatter):
    def __init__(self, fields: Mapping[str, Any], n: int | None) -> None:
        self._fields = fields
        self._n = n

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if key == "n" and "n" not in self._fields:
            return self._n
        return self._fields[str(key)]

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec:
            return format(value, format_spec)
        return _value(value)


def render(msg: Msg) -> str:
    """The message as English text.

    Examples
    --------
    >>> render(Msg("{who} is the {how} of {other} (tie {when}).",
    ...            {"who": "张伟", "how": kin(["spouse", "sibling"]), "other": "李娜",
    ...             "when": period("2019-01-01", None)}))
    "张伟 is the spouse's sibling of 李娜 (tie since 2019-01-01)."
    """
    template = msg.template
    if isinstance(template, tuple):
        template = template[0] if msg.n == 1 else template[1]
    return _Fields(msg.fields, msg.n).vformat(template, (), {})


def render_all(msgs: Sequence[Msg], sep: str = " ") -> str:
    """Several sentences, joined."""
    return sep.join(render(m) for m in msgs)
