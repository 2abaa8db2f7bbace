"""The words a page shows around the data, in the run's language (:mod:`lang`).

Titles, legend, kind and tie-type names, filters, the search box, tooltips' labels,
the notes on what a view left out and the index page's headers all come from the
catalog; names, titles, ids and addresses from the input files are shown as written.
The page's own script is the same in every language (its hash is in the page's
Content-Security-Policy): it reads its words from the page's data (:func:`script_words`).

Examples
--------
>>> from lang import use_language
>>> kind_word("person"), tie_word("HOLDS_POST"), count_of("person", 3)
('person', 'HOLDS_POST', '3 persons')
>>> with use_language("zh"):
...     html_lang(), kind_word("person"), tie_word("HOLDS_POST"), count_of("person", 3)
('zh-CN', '人员', '任职', '3名人员')
>>> with use_language("zh"):
...     detail_word("KIN", "relation", "spouse"), prop_label("birth_date"), prop_label("x_y")
('配偶', '出生日期', 'x_y')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.errors import SchemaError
from graph.schema import BID_STATUSES, CASE_ROLES, COMPANY_ROLES, KIN, NODE_KINDS, REL_TYPES
from graph.store.triage import STATUS_WORDS
from lang import NP_, _, gettext, language, ngettext, pgettext
from lang.formats import number
from lang.kinship import kin_words
from lang.message import word_in


def html_lang() -> str:
    """The page's ``lang`` attribute: the language spoken now."""
    return {"zh": "zh-CN"}.get(language(), "en")


def kind_word(kind: str) -> str:
    """A node kind's word (a kind outside the schema as written; none: other)."""
    if kind in NODE_KINDS:
        return word_in("node_kind", kind, language())
    return kind or pgettext("node_kind", "other")


def tie_word(type_: str) -> str:
    """A relationship type's word (in English, and outside the schema, the type as
    written: ``HOLDS_POST``, what the filters and exports always showed)."""
    if type_ in REL_TYPES and language() != "en":
        return word_in("rel_type", type_, language())
    return type_ or pgettext("rel_type", "other")


def _meanings() -> dict[str, str]:
    return {
        "HOLDS_POST": pgettext("tie meaning", "holds a post at"),
        "KIN": pgettext("tie meaning", "is kin of"),
        "ASSOCIATE": pgettext("tie meaning", "is a known associate of"),
        "COMPANY_ROLE": pgettext("tie meaning", "holds a role in"),
        "PART_OF": pgettext("tie meaning", "is part of"),
        "BOUGHT": pgettext("tie meaning", "bought"),
        "APPROVED": pgettext("tie meaning", "approved"),
        "AWARDED_TO": pgettext("tie meaning", "was awarded to"),
        "BID": pgettext("tie meaning", "bid on"),
        "PAID": pgettext("tie meaning", "paid"),
        "PAID_TO": pgettext("tie meaning", "was paid to"),
        "CASE_ROLE": pgettext("tie meaning", "stands in case"),
        "REPORTED": pgettext("tie meaning", "reports on"),
    }


def meaning(type_: str) -> str:
    """What a tie of this type says, in words ("holds a post at"); "" outside the schema."""
    return _meanings().get(type_, "")


def check_meanings() -> None:
    """Fail fast when the schema's meanings and the words here part ways.

    Examples
    --------
    >>> check_meanings()
    """
    from lang import use_language

    with use_language("en"):
        ours = _meanings()
    wrong = [t for t, r in REL_TYPES.items() if ours.get(t) != r.meaning]
    if wrong:
        raise SchemaError(f"the views' words for {', '.join(wrong)} differ from the schema",
                          hint="update _meanings in visualizations/words.py")


def _counts() -> dict[str, tuple[str, str]]:
    return {
        "person": NP_("{n} person", "{n} persons"),
        "organization": NP_("{n} organization", "{n} organizations"),
        "contract": NP_("{n} contract", "{n} contracts"),
        "payment": NP_("{n} payment", "{n} payments"),
        "case": NP_("{n} case", "{n} cases"),
        "report": NP_("{n} report", "{n} reports"),
    }


def counted(forms: tuple[str, str], n: int) -> str:
    """``n`` things, with the form ``n`` takes and the language's digit grouping.

    Examples
    --------
    >>> counted(NP_("{n} tie", "{n} ties"), 1200)
    '1,200 ties'
    """
    return ngettext(forms[0], forms[1], n).format(n=number(n))


def count_of(kind: str, n: int) -> str:
    """``n`` nodes of a kind, as a counted phrase."""
    forms = _counts().get(kind)
    if forms is None:
        return ngettext("{n} other node", "{n} other nodes", n).format(n=number(n)) \
            if not kind else f"{number(n)} {kind}"
    return counted(forms, n)


def nodes(n: int) -> str:
    """``n`` nodes."""
    return counted(NP_("{n} node", "{n} nodes"), n)


def ties(n: int) -> str:
    """``n`` ties."""
    return counted(NP_("{n} tie", "{n} ties"), n)


def listed(items: Sequence[str], more: int = 0) -> str:
    """Items joined as the language joins a list (``and N more`` when some are left out)."""
    text = gettext(", ").join(items)
    return _("{items} and {n} more").format(items=text, n=number(more)) if more else text


#: Edge properties whose values are codes of a vocabulary, by relationship type.
_CODES: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("COMPANY_ROLE", "role"): ("company_role", COMPANY_ROLES),
    ("CASE_ROLE", "role"): ("case_role", CASE_ROLES),
    ("BID", "status"): ("bid_status", BID_STATUSES),
}


def detail_word(type_: str, prop: str, value: Any) -> str:
    """A tie's detail: a vocabulary code (kin relation, company or case role, bid status)
    in words, anything else (a post's title) as written."""
    text = str(value)
    if type_ == "KIN" and prop == "relation" and text in KIN:
        return kin_words([text], None, None, language())
    found = _CODES.get((type_, prop))
    if found is not None and text in found[1]:
        return word_in(found[0], text, language())
    return text


def _props() -> dict[str, str]:
    return {
        "name": pgettext("property", "name"), "gender": pgettext("property", "gender"),
        "birth_date": pgettext("property", "birth_date"),
        "death_date": pgettext("property", "death_date"),
        "id_number": pgettext("property", "id_number"),
        "phone": pgettext("property", "phone"), "address": pgettext("property", "address"),
        "region": pgettext("property", "region"), "kind": pgettext("property", "kind"),
        "credit_code": pgettext("property", "credit_code"),
        "parent_org_id": pgettext("property", "parent_org_id"),
        "established_date": pgettext("property", "established_date"),
        "title": pgettext("property", "title"),
        "buyer_org_id": pgettext("property", "buyer_org_id"),
        "approver_id": pgettext("property", "approver_id"),
        "supplier_id": pgettext("property", "supplier_id"),
        "amount": pgettext("property", "amount"),
        "award_date": pgettext("property", "award_date"),
        "method": pgettext("property", "method"), "sector": pgettext("property", "sector"),
        "payer_org_id": pgettext("property", "payer_org_id"),
        "payer_person_id": pgettext("property", "payer_person_id"),
        "recipient_id": pgettext("property", "recipient_id"),
        "date": pgettext("property", "date"), "program": pgettext("property", "program"),
        "bank_account": pgettext("property", "bank_account"),
        "opened_date": pgettext("property", "opened_date"),
        "closed_date": pgettext("property", "closed_date"),
        "status": pgettext("property", "status"), "outcome": pgettext("property", "outcome"),
        "subject_id": pgettext("property", "subject_id"),
        "channel": pgettext("property", "channel"), "topic": pgettext("property", "topic"),
        "share_pct": pgettext("property", "share_pct"),
        "degree": pgettext("property", "degree"), "relation": pgettext("property", "relation"),
        "role": pgettext("property", "role"),
    }


def prop_label(key: str) -> str:
    """A property's label: the layout's columns in the language spoken now (in English
    the column name itself), any other key as written."""
    return _props().get(key, key)


def category_word(code: str) -> str:
    """A finding category in words (an unknown category as written)."""
    words = {
        "conflict_of_interest": pgettext("category", "conflict of interest"),
        "subsidy_fraud": pgettext("category", "subsidy fraud"),
        "collusion": pgettext("category", "collusion"),
        "umbrella": pgettext("category", "protective umbrella"),
        "recusal": pgettext("category", "recusal"),
        "cluster": pgettext("category", "cluster"),
        "broker": pgettext("category", "broker"),
    }
    return words.get(code, code)


def status_said(status: str) -> str:
    """A triage status as a person reads it, in the language spoken now (the language
    package's catalog, :data:`graph.store.triage.STATUS_WORDS`; an unknown code as
    written).

    Examples
    --------
    >>> status_said("needs_data"), status_said("odd")
    ('needs data', 'odd')
    """
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def column(name: str) -> str:
    """A column header of the index page (the same words as the exported tables')."""
    words = {
        "score": pgettext("column", "score"), "rule": pgettext("column", "rule"),
        "finding": pgettext("column", "finding"), "entities": pgettext("column", "entities"),
        "date": pgettext("column", "date"), "id": pgettext("column", "id"),
        "status": pgettext("column", "status"),
    }
    return words.get(name, name)


def script_words() -> dict[str, str]:
    """The words the page's script puts on screen (templates with ``{fields}``)."""
    return {
        "found": _("{n} found"),
        "count": _("{name} ({n})"),
        "context": _("surrounding ties (faded)"),
    }


def chrome() -> dict[str, str]:
    """The words of the page's fixed markup (filled in, escaped, by the template)."""
    return {
        "FIND_LABEL": pgettext("view", "Find"),
        "FIND_PLACEHOLDER": _("name or id, Enter for next"),
        "FIND_BUTTON": pgettext("view", "Find"),
        "FIT_BUTTON": _("Fit"),
        "LEGEND": _("Legend"),
        "NOSCRIPT": _("This view needs JavaScript to draw the graph (it runs only the "
                      "scripts inside this file and makes no request)."),
    }


check_meanings()
