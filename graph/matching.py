"""When an identifier links nobody, and when two names are one company.

Two questions the linking rules ask before they let a shared identifier tie two
entities together:

- :func:`coarse_addresses`: is this "address" only a country, a region (a
  province, state, county, city or township named alone) or a bare postcode? Such
  a value is shared by everyone in that place and links nobody. Publishers fill
  ``address`` with ``countryName`` or a region when they have no street; the
  words that make an address coarse are :data:`REGION_WORDS`, the country names
  and ISO codes of the FollowTheMoney country list, and the Chinese division
  suffixes of :data:`CJK_DIVISIONS`.
- :func:`company_keys`: the name of a company as compared for "possibly the same
  company" (NFKC, case folded, :data:`LEGAL_FORMS` removed, then every blank and
  punctuation mark): ``Acme Nig Ltd`` and ``Acme Nig.Ltd`` give ``acmenig``,
  ``华信建设有限公司`` and ``华信建设(有限公司)`` give ``华信建设``. Equal keys are a
  lead to review, never a merge: names alone never merge entities.

Examples
--------
>>> import pandas as pd
>>> coarse_addresses(pd.Series(["NG", "Lagos State", "广东省深圳市", "100101",
...                             "12 Marina Road, Lagos", "城关镇人民路1号", None])).tolist()
[True, True, True, True, False, False, True]
>>> company_keys(pd.Series(["Acme Nig Ltd", "Acme Nig.Ltd", "华信建设(有限公司)", "Ltd"])).tolist()
['acmenig', 'acmenig', '华信建设', '']
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
from rigour.territories import get_ftm_countries

#: Legal-form words removed before company names are compared (as written here, then
#: case folded and with punctuation read as blanks: ``S.A.`` matches ``SA``, ``s a``).
#: Latin forms count only as whole words; Chinese forms wherever they stand.
LEGAL_FORMS: tuple[str, ...] = (
    # English and Commonwealth
    "Ltd", "Limited", "Inc", "Incorporated", "Corp", "Corporation", "Co", "Company",
    "LLC", "L.L.C.", "LLP", "LP", "PLC", "Pvt", "Pty", "Private", "Public",
    # continental Europe, Latin America
    "GmbH", "AG", "KG", "mbH", "e.V.", "S.A.", "SA", "S.A.S.", "SAS", "S.R.L.", "SRL",
    "S.p.A.", "SpA", "S.L.", "SL", "B.V.", "BV", "N.V.", "NV", "S.A. de C.V.", "SA de CV", "SARL",
    "Sp. z o.o.", "OOO", "OAO", "ZAO", "PAO", "AO", "AB", "AS", "A/S", "ApS", "Oy", "Oyj",
    "SPY", "CJSC", "OJSC", "JSC", "Ltda", "EIRL",
    # Chinese (mainland and Taiwan)
    "股份有限公司", "有限责任公司", "有限公司", "集团有限公司", "集团", "公司",
    "股份有限公司分公司", "分公司", "有限合伙", "合伙企业", "个体工商户",
)

#: Words that name a kind of region, removed before asking whether anything but a
#: place name is left of an address.
REGION_WORDS: frozenset[str] = frozenset({
    "state", "province", "region", "county", "district", "city", "municipality", "oblast",
    "krai", "marz", "prefecture", "governorate", "territory", "capital", "federal",
    "republic", "of", "the", "and", "metropolitan", "area", "lga", "council", "division",
    "department", "departement", "canton", "voivodeship", "town", "village", "country",
})

#: Chinese administrative divisions, down to township: an address made only of
#: names ending in these says where, not who.
CJK_DIVISIONS = ("特别行政区", "自治区", "自治州", "自治县", "地区", "街道", "省", "市", "州",
                 "盟", "县", "旗", "区", "乡", "镇")

_PUNCT = re.compile(r"[^\w]+|_+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_COUNTRY = re.compile(r"^(?:中华人民共和国|中国|中國|台湾|台灣|香港|澳门|澳門)")
_CJK_ONLY_DIVISIONS = re.compile(
    r"^(?:[\u3400-\u9fff]{1,12}?(?:" + "|".join(CJK_DIVISIONS) + r"))*$")
_POSTCODE = re.compile(r"^(?:\d[\d ]{2,9}|[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}|\d{5}-\d{4})$")


def _words(text: str) -> str:
    """NFKC, case folded, punctuation read as blanks, blanks folded."""
    t = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_PUNCT.sub(" ", t).split())


#: FollowTheMoney's territories: code -> English name.
_TERRITORIES = {t.code: t.name for t in get_ftm_countries()}

#: ISO 3166 two-letter country codes, upper case (an org-id.guide register code starts
#: with one).
COUNTRY_CODES = frozenset(c.upper() for c in _TERRITORIES if len(c) == 2)


def _countries() -> frozenset[str]:
    """Country names (English) and ISO 3166 two-letter codes, as :func:`_words` gives them
    (a three-letter code alone is one word, coarse already)."""
    names = {_words(n) for n in _TERRITORIES.values()}
    names |= {c.casefold() for c in _TERRITORIES}
    return frozenset(n for n in names if n)


COUNTRIES = _countries()
_LONGEST_COUNTRY = max(len(c.split()) for c in COUNTRIES)


def _strip_countries(words: list[str]) -> list[str]:
    """The words left when every run of words naming a country is taken out."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(_LONGEST_COUNTRY, len(words) - i), 0, -1):
            if " ".join(words[i:i + n]) in COUNTRIES:
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def is_coarse_address(value: str | None) -> bool:
    """Whether an address names only a country, a region or a postcode (or nothing).

    Examples
    --------
    >>> [is_coarse_address(a) for a in ("AM", "Republic of Armenia", "Abuja, FCT, Nigeria",
    ...                                  "中国", "浙江省杭州市西湖区", "SW1A 1AA",
    ...                                  "Plot 5, Wuse II, Abuja", "杭州市西湖区文三路90号")]
    [True, True, True, True, True, True, False, False]
    """
    text = _words(value or "")
    if not text or _POSTCODE.match(text):
        return True
    if _CJK.search(text):
        compact = _CJK_COUNTRY.sub("", text.replace(" ", ""))
        compact = " ".join(_strip_countries([compact])) if compact else ""
        return bool(_CJK_ONLY_DIVISIONS.match(compact))
    words = [w for w in _strip_countries(text.split()) if w not in REGION_WORDS]
    # one word left (a city or a state named alone), or two when one is a short code
    # such as FCT or CA beside a place name
    if len(words) <= 1:
        return True
    return len(words) == 2 and not any(c.isdigit() for c in text) and min(
        len(w) for w in words) <= 3


def coarse_addresses(s: pd.Series) -> pd.Series:
    """Boolean mask of :func:`is_coarse_address` over a column (missing: True)."""
    values = s.astype(object).where(s.notna(), None)
    return pd.Series([is_coarse_address(v) for v in values], index=s.index, dtype=bool)


def _form_patterns() -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    latin = sorted({_words(f) for f in LEGAL_FORMS
                    if not _CJK.search(f)}, key=len, reverse=True)
    cjk = sorted({f for f in LEGAL_FORMS if _CJK.search(f)}, key=len, reverse=True)
    latin_re = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in latin) + r")(?!\w)")
    return latin_re, re.compile("|".join(re.escape(f) for f in cjk)) if cjk else None


_LATIN_FORMS, _CJK_FORMS = _form_patterns()


def company_key(name: str | None) -> str:
    """A company name as compared for "possibly the same company" ('' when nothing is
    left once the legal-form words are out).

    Examples
    --------
    >>> company_key("ACME (Nigeria) Co., Ltd."), company_key("Acme Nigeria Company Limited")
    ('acmenigeria', 'acmenigeria')
    >>> company_key("华信建设股份有限公司"), company_key("華信建設有限公司")
    ('华信建设', '華信建設')
    """
    text = _words(name or "")
    if _CJK_FORMS is not None:
        text = _CJK_FORMS.sub(" ", text)
    # a form may sit inside another once punctuation is blanks ("s a de c v"): repeat
    for _ in range(3):
        stripped = " ".join(_LATIN_FORMS.sub(" ", text).split())
        if stripped == text:
            break
        text = stripped
    return text.replace(" ", "")


def company_keys(s: pd.Series) -> pd.Series:
    """:func:`company_key` over a column (missing: '')."""
    values = s.astype(object).where(s.notna(), None)
    return pd.Series([company_key(v) for v in values], index=s.index, dtype=object)
