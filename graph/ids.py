"""Identifier checks for PRC resident id numbers and unified social credit codes.

* Resident identity number (GB 11643-1999): 17 digits and a check character
  (``0-9`` or ``X``) computed with ISO 7064 MOD 11-2; digits 7-14 are the
  birth date.
* Unified social credit code (GB 32100-2015): 18 characters from a 31-symbol
  alphabet (no I, O, Z, S, V); the last is a MOD 31 check character.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

from graph.text import N_, _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_id_number(value: str) -> str:
    """Full-width characters to half-width, blanks trimmed, a trailing ``x`` upper-cased.

    Examples
    --------
    >>> normalize_id_number(" 11010519491231002x ")
    '11010519491231002X'
    >>> normalize_id_number("１１０１０５１９４９１２３１００２ｘ")
    '11010519491231002X'
    """
    return unicodedata.normalize("NFKC", value).strip().upper()


def id_number_check_char(first17: str) -> str:
    """Return the GB 11643 check character for 17 leading digits.

    Examples
    --------
    >>> id_number_check_char("11010519491231002")
    'X'
    """
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_fault(value: str) -> tuple[str, str] | None:
    """What is wrong with a resident id number, as a code and its detail, or ``None`` when
    valid: ``length`` (how many characters), ``characters`` (not 17 digits and a digit or
    X), ``birth_date`` (the impossible date, digits 7-14), ``checksum`` (the check
    character it should have).

    Examples
    --------
    >>> id_number_fault("11010519491231002X") is None
    True
    >>> id_number_fault("110105194912310021"), id_number_fault("1101051949")
    (('checksum', 'X'), ('length', '10'))
    """
    v = normalize_id_number(value)
    if len(v) != 18:
        return ("length", str(len(v)))
    if not v[:17].isascii() or not v[:17].isdigit() or v[17] not in "0123456789X":
        return ("characters", "")
    try:
        _dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return ("birth_date", v[6:14])
    expected = id_number_check_char(v[:17])
    if v[17] != expected:
        return ("checksum", expected)
    return None


#: What each fault of an identity number says (``{detail}`` as :func:`id_number_fault`).
ID_NUMBER_FAULTS = {
    "length": N_("has {detail} characters, not 18"),
    "characters": N_("must be 17 digits followed by a digit or X"),
    "birth_date": N_("embeds an impossible birth date {detail}"),
    "checksum": N_("fails the GB 11643 checksum (check character should be {detail})"),
}


def id_number_problem(value: str) -> str | None:
    """Say what is wrong with a resident id number, or ``None`` when valid.

    Examples
    --------
    >>> id_number_problem("11010519491231002X") is None
    True
    >>> id_number_problem("110105194912310021")
    'fails the GB 11643 checksum (check character should be X)'
    >>> id_number_problem("1101051949")
    'has 10 characters, not 18'
    """
    fault = id_number_fault(value)
    return None if fault is None else _(ID_NUMBER_FAULTS[fault[0]]).format(detail=fault[1])


def is_valid_id_number(value: str) -> bool:
    """True when ``value`` is a well-formed resident id number.

    Examples
    --------
    >>> is_valid_id_number("11010519491231002x")
    True
    >>> is_valid_id_number("110105194912310021")
    False
    """
    return id_number_problem(value) is None


def make_id_number(region: str, birth: _dt.date, sequence: int) -> str:
    """Build a valid id number from a 6-digit region code, birth date and 3-digit sequence.

    Examples
    --------
    >>> make_id_number("110105", _dt.date(1949, 12, 31), 2)
    '11010519491231002X'
    """
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100 check character for 17 leading characters.

    Examples
    --------
    >>> credit_code_check_char("91350100M000100Y4")
    '3'
    """
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError("need 17 characters from the credit-code alphabet")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def credit_code_fault(value: str) -> tuple[str, str] | None:
    """What is wrong with a unified social credit code, as a code and its detail, or
    ``None`` when valid: ``length`` (how many characters), ``alphabet`` (the characters
    outside it), ``checksum`` (the check character it should have).

    Examples
    --------
    >>> credit_code_fault("91350100M000100Y43") is None
    True
    >>> credit_code_fault("91350100M000100Y44"), credit_code_fault("91350100M000100O43")
    (('checksum', '3'), ('alphabet', 'O'))
    """
    v = unicodedata.normalize("NFKC", value).strip().upper()
    if len(v) != 18:
        return ("length", str(len(v)))
    bad = sorted({c for c in v if c not in _USCC_VALUE})
    if bad:
        return ("alphabet", "".join(bad))
    expected = credit_code_check_char(v[:17])
    if v[17] != expected:
        return ("checksum", expected)
    return None


#: What each fault of a credit code says (``{detail}`` as :func:`credit_code_fault`).
CREDIT_CODE_FAULTS = {
    "length": N_("has {detail} characters, not 18"),
    "alphabet": N_("contains characters outside the GB 32100 alphabet: {detail}"),
    "checksum": N_("fails the GB 32100 checksum (check character should be {detail})"),
}


def credit_code_problem(value: str) -> str | None:
    """Say what is wrong with a unified social credit code, or ``None`` when valid.

    Examples
    --------
    >>> credit_code_problem("91350100M000100Y43") is None
    True
    >>> credit_code_problem("91350100M000100Y44")
    'fails the GB 32100 checksum (check character should be 3)'
    """
    fault = credit_code_fault(value)
    return None if fault is None else _(CREDIT_CODE_FAULTS[fault[0]]).format(detail=fault[1])


def is_valid_credit_code(value: str) -> bool:
    """True when ``value`` is a well-formed unified social credit code.

    Examples
    --------
    >>> is_valid_credit_code("91350100M000100Y43")
    True
    """
    return credit_code_problem(value) is None


def make_credit_code(region: str, body: str) -> str:
    """Build a valid credit code: ``91`` (enterprise), a 6-digit region, a 9-char body.

    Examples
    --------
    >>> make_credit_code("350100", "M000100Y4")
    '91350100M000100Y43'
    """
    first17 = f"91{region}{body}"
    return first17 + credit_code_check_char(first17)


#: A token shaped like a resident identity number (17 digits and a digit or X), whatever
#: its checksum, standing alone (no letter or digit either side).
_ID_LIKE = re.compile(r"(?<![A-Za-z\d])\d{17}[\dXx](?![A-Za-z\d])")


def mask_id_numbers(text: str) -> str:
    """Mask every token of ``text`` shaped like a resident identity number, valid or not
    (a number set aside for a bad checksum is still someone's identity number).

    Examples
    --------
    >>> mask_id_numbers("id 11010519491231002X; typo 110105194912310021, phone 13800138000")
    'id 110105***********X; typo 110105***********1, phone 13800138000'
    >>> mask_id_numbers("身份证11010519491231002X。")
    '身份证110105***********X。'
    >>> mask_id_numbers("P11010519491231002X9")  # part of a longer code: not a number
    'P11010519491231002X9'
    """
    if len(text) < 18:
        return text
    return _ID_LIKE.sub(lambda m: mask_id_number(m.group(0)), text)


def mask_id_number(value: str) -> str:
    """Mask an identity number for display, keeping the region and last character.

    Examples
    --------
    >>> mask_id_number("11010519491231002X")
    '110105***********X'
    """
    v = value.strip()
    if len(v) <= 7:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 7) + v[-1]
