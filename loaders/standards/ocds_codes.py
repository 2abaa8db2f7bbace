"""OCDS codes read as their codelists mean: bid and tender statuses, placeholder parties.

Publishers write the OCDS codelists with their own words as well (``qualified``,
``not-qualified``, ``active``, ``Valid``...). :data:`BID_STATUS_WORDS` is the one
table that says which word means which layout bid status (``valid``,
``disqualified``, ``withdrawn``, ``pending``, ``invited``: the OCDS ``bidStatus``
codelist); the README's "OCDS bid statuses" section prints it. A word that is not
in it is set aside with the word and the accepted ones named, never guessed.

A party with no name (or only a placeholder such as ``N/A``, ``-``, ``unknown``,
``未知``) and no name behind its id, or whose id is itself a placeholder, is a
*placeholder*: publishers fill a required ``tenderers`` entry with one when they do
not know who bid. It is never a company: no organization, no bid by it.

Examples
--------
>>> bid_status("Valid"), bid_status("not-qualified"), bid_status("active"), bid_status("")
('valid', 'disqualified', 'valid', 'valid')
>>> bid_status("pending"), bid_status("Invited"), bid_status("draft") is None
('pending', 'invited', True)
>>> tender_status("Cancelled"), tender_status("canceled"), tender_status("Evaluarea ofertelor")
('cancelled', 'cancelled', '')
>>> is_placeholder({"id": "NGA-1", "name": ""}), is_placeholder({"id": "A", "name": "Acme"})
(True, False)
>>> is_placeholder({"id": "T1"}), is_placeholder({"id": "N/A"}), is_placeholder({"name": "未知"})
(False, True, True)
>>> is_placeholder({"id": "NG-9", "identifier": {"scheme": "NG", "id": "9"}, "roles": ["tenderer"]})
True
"""

from __future__ import annotations

import re
from typing import Any

from graph.schema import BID_STATUSES, TENDER_STATUSES

#: Bid status as published (lower case; spaces and underscores read as hyphens) ->
#: layout bid status. The OCDS ``bidStatus`` codelist first, then publishers' words.
BID_STATUS_WORDS: dict[str, str] = {
    # the OCDS codelist (bids extension)
    "invited": "invited", "pending": "pending", "valid": "valid",
    "disqualified": "disqualified", "withdrawn": "withdrawn",
    # a bid admitted to evaluation or found compliant
    "active": "valid", "qualified": "valid", "accepted": "valid", "admitted": "valid",
    "responsive": "valid", "compliant": "valid", "successful": "valid", "awarded": "valid",
    "winning": "valid", "won": "valid", "complete": "valid",
    # a bid that competed and did not win: taking part and losing is no disqualification
    # (read so, every losing bid would make OCP-035 and OCP-038 fire)
    "lost": "valid", "unsuccessful": "valid", "not-awarded": "valid", "losing": "valid",
    # a bid rejected at qualification or evaluation
    "not-qualified": "disqualified", "notqualified": "disqualified",
    "unqualified": "disqualified", "non-qualified": "disqualified",
    "rejected": "disqualified", "invalid": "disqualified", "excluded": "disqualified",
    "non-responsive": "disqualified", "nonresponsive": "disqualified",
    "not-responsive": "disqualified", "non-compliant": "disqualified",
    "invalid.pre-qualification": "disqualified",
    # a bid taken back or cancelled by its bidder
    "cancelled": "withdrawn", "canceled": "withdrawn", "retracted": "withdrawn",
    "deleted": "withdrawn",
    # a bid received, not yet evaluated
    "submitted": "pending", "received": "pending", "under-evaluation": "pending",
    "evaluation": "pending", "open": "pending", "opened": "pending",
    # an invitation to bid
    "invitation": "invited", "invitation-sent": "invited", "shortlisted": "invited",
}

#: Tender status as published -> the OCDS ``tenderStatus`` code (the codelist itself and
#: its common misspellings); other words are kept as published, not as a status.
TENDER_STATUS_WORDS: dict[str, str] = {
    **{s: s for s in TENDER_STATUSES}, "canceled": "cancelled", "completed": "complete",
    "withdrew": "withdrawn", "failed": "unsuccessful",
}

#: Names and ids that stand for nobody (compared lower case, blanks trimmed).
PLACEHOLDER_WORDS = frozenset({
    "", "n/a", "na", "n.a.", "n.a", "none", "null", "nil", "nan", "-", "--", "---", "?",
    "unknown", "not known", "not available", "not applicable", "not specified", "tbd",
    "to be determined", "undefined", "anonymous", "no name", "noname",
    "未知", "不详", "无", "暂无", "空", "匿名", "未提供",
})
_FILLER = re.compile(r"^(.)\1*$")  # one character repeated: 0000, ----, ****


def _key(word: str) -> str:
    return re.sub(r"[\s_]+", "-", word.strip().lower())


def bid_status(word: str) -> str | None:
    """The layout bid status a published word means (blank: ``valid``, as the layout reads
    a blank status); None when the word is not in :data:`BID_STATUS_WORDS`."""
    if not word.strip():
        return "valid"
    return BID_STATUS_WORDS.get(_key(word))


def accepted_bid_statuses() -> str:
    """The accepted words, codelist first, for a message."""
    others = sorted(w for w in BID_STATUS_WORDS if w not in BID_STATUSES)
    return ", ".join([*BID_STATUSES, *others])


def tender_status(word: str) -> str:
    """The OCDS tender status a published word means; '' when it names none."""
    return TENDER_STATUS_WORDS.get(_key(word).replace("-", ""), "") if word.strip() else ""


def placeholder_text(value: Any) -> bool:
    """Whether a name or id stands for nobody (blank, ``N/A``, ``-``, ``0000``, ``未知``...).

    Short ids such as ``0`` or ``X`` are real ids in some data (cardinal's fixtures):
    only four zeros or more, or a run of punctuation, are fillers.

    Examples
    --------
    >>> [placeholder_text(v) for v in ("", " n/a ", "----", "0000", "0", "X", "Acme")]
    [True, True, True, True, False, False, False]
    """
    if value is None:
        return True
    s = str(value).strip().lower()
    return s in PLACEHOLDER_WORDS or (bool(_FILLER.match(s)) and not s.isalnum()) or \
        bool(re.fullmatch(r"0{4,}", s))


#: org-id.guide's prefixes that name no country: international, multilateral, European.
_NON_COUNTRY_LISTS = frozenset({"XI", "XM", "XE", "XR"})


def register_scheme(scheme: Any) -> bool:
    """Whether an identifier scheme names a register as org-id.guide codes them: a
    country's two-letter ISO code (or ``XI``, ``XM``, ``XE``, ``XR``), a dash and the
    register's code (``GB-COH``, ``MD-IDNO``, ``NG-CAC``). Publishers also invent schemes
    from a party's initials (``NGA-RV``); such an id identifies nothing outside the file.

    Examples
    --------
    >>> [register_scheme(s) for s in ("GB-COH", "MD-IDNO", "XI-LEI", "NGA-BPPNO", "ZZ-X", None)]
    [True, True, True, False, False, False]
    """
    from graph.matching import COUNTRY_CODES  # rigour's list, read when first needed

    m = re.fullmatch(r"([A-Z]{2})-[A-Z0-9_]{2,}", str(scheme or "").strip())
    return m is not None and (m.group(1) in _NON_COUNTRY_LISTS or m.group(1) in COUNTRY_CODES)


def is_placeholder(obj: dict[str, Any]) -> bool:
    """Whether a party or organization reference stands for nobody.

    It does not when it has a real name (``name`` or ``identifier.legalName``) or, nameless,
    an id in a register (``identifier.scheme`` a register, :func:`register_scheme`, and
    a real ``identifier.id``). Else it does
    when its ids are placeholders, or it states a blank or placeholder name, or it is a
    whole party (roles, identifier, address...) published without any name. A bare
    reference by id (``{"id": "T1"}``) is not a placeholder: it names a party by its
    id, which the release's ``parties`` may describe.

    Examples
    --------
    >>> is_placeholder({"id": "8d97cc04", "name": "", "roles": ["tenderer"]})
    True
    >>> is_placeholder({"id": "T1", "name": "", "roles": ["tenderer"],
    ...                 "identifier": {"scheme": "MD-IDNO", "id": "1003600012345"}})
    False
    >>> is_placeholder({"id": "T1"})
    False
    """
    raw = obj.get("identifier")
    ident: dict[str, Any] = raw if isinstance(raw, dict) else {}
    names = [obj.get("name"), ident.get("legalName")]
    named = any(not placeholder_text(n) for n in names if n is not None)
    if named:
        return False
    if register_scheme(ident.get("scheme")) and not placeholder_text(ident.get("id")):
        return False  # no name, but identified in a register: a real party
    ids = [v for v in (obj.get("id"), ident.get("id")) if v is not None and str(v).strip()]
    if ids and all(placeholder_text(v) for v in ids):
        return True
    stated = "name" in obj or "legalName" in ident
    full = bool(set(obj) - {"id", "name"})  # a party object, not a reference by id
    return stated or full or not ids
