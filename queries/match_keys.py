"""Values as compared for "possibly the same person or organisation".

Each function reads one value as two records of one entity may write it:

- :func:`name_key`: NFKC, case folded, every blank and punctuation mark out
  (``王　伟`` and ``王伟``, ``John  O'Brien`` and ``john obrien`` agree);
  Chinese names are compared by their characters, never through pinyin (``王伟``
  and ``汪伟`` differ).
- :func:`order_key`: the same words (Latin) or characters (Chinese) in any order.
- :func:`phone_key`: the digits of a phone number (a leading 86 country code
  dropped; fewer than six digits: none).
- :func:`address_key`: an address as :func:`name_key` reads it; a coarse one
  (only a country, region or postcode, :func:`graph.matching.is_coarse_address`)
  gives none, as it links nobody.
- :func:`one_letter_apart`: two Latin names one typing slip apart.

Examples
--------
>>> name_key(" 王　伟 "), name_key("John  O'Brien"), name_key("ＪＯＨＮ OBRIEN")
('王伟', 'johnobrien', 'johnobrien')
>>> order_key("Smith John") == order_key("john smith"), order_key("伟王") == order_key("王伟")
(True, True)
>>> phone_key("+86 138-0013-8000"), phone_key("0731-4246732"), phone_key("110")
('13800138000', '07314246732', '')
>>> address_key("湖南省"), address_key("城关镇 人民路１号")
('', '城关镇人民路1号')
>>> one_letter_apart("jonathan smith", "jonathon smith"), one_letter_apart("王伟", "王玮")
(True, False)
"""

from __future__ import annotations

import re
import unicodedata

from graph.matching import is_coarse_address

_NOT_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _text(value: object) -> str:
    """A stored value as text ('' for missing: None, NaN, blank)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return unicodedata.normalize("NFKC", str(value)).casefold().strip()


def name_key(value: object) -> str:
    """A name with case, width, blanks and punctuation set aside."""
    return _NOT_WORD.sub("", _text(value))


def order_key(value: object) -> str:
    """The words of a Latin name, or the characters of a Chinese one, in sorted order."""
    text = _text(value)
    if _CJK.search(text):
        return "".join(sorted(_NOT_WORD.sub("", text)))
    return " ".join(sorted(_NOT_WORD.sub(" ", text).split()))


def phone_key(value: object) -> str:
    """The digits of a phone number, without a leading 86 country code ('' when too short)."""
    digits = "".join(c for c in _text(value) if c.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if len(digits) >= 6 else ""


def address_key(value: object) -> str:
    """An address as compared ('' when missing or coarse)."""
    text = _text(value)
    if not text or is_coarse_address(text):
        return ""
    return _NOT_WORD.sub("", text)


def one_letter_apart(a: str, b: str) -> bool:
    """Two Latin names of six letters or more that differ by one letter added, dropped or
    changed (Chinese names never: one character changed is another name)."""
    if a == b or _CJK.search(a) or _CJK.search(b) or min(len(a), len(b)) < 6:
        return False
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]
