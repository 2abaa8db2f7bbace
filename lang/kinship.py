"""Kinship in plain words, by the direction of each tie and the gender on record.

A chain is read from the first person (the official): ``["spouse", "parent"]`` is
the official's spouse's parent. With the gender of each relative along it (and of
the official), the words are the ones an investigator uses: the wife's father is
the father-in-law, 岳父; a husband's mother is the mother-in-law, 婆婆; a son's
wife is the daughter-in-law, 儿媳. Where a gender is not on record the neutral word
stays (parent, 父母); where Chinese needs seniority the record does not give
(姐夫 or 妹夫), both are named.

Examples
--------
>>> kin_words(["spouse", "parent"], ["f", "m"], "m", "zh"), kin_words(["spouse", "parent"],
...     ["f", "m"], "m", "en")
('岳父', 'father-in-law')
>>> kin_words(["spouse", "sibling"], [None, None], None, "en")
"spouse's sibling"
>>> kin_words(["spouse", "sibling"], ["f", "m"], "m", "zh")
'妻子的兄弟'
>>> kin_words(["child"], ["f"], None, "zh"), kin_words(["parent"], [None], None, "zh")
('女儿', '父母')
>>> gender_code("男"), gender_code("F"), gender_code("")
('m', 'f', None)
"""

from __future__ import annotations

from collections.abc import Sequence

#: relation -> (male, female, neutral), English and Chinese.
_EN: dict[str, tuple[str, str, str]] = {
    "parent": ("father", "mother", "parent"),
    "child": ("son", "daughter", "child"),
    "spouse": ("husband", "wife", "spouse"),
    "sibling": ("brother", "sister", "sibling"),
    "grandparent": ("grandfather", "grandmother", "grandparent"),
    "grandchild": ("grandson", "granddaughter", "grandchild"),
    "in_law": ("in-law", "in-law", "in-law"),
    "associate": ("known associate", "known associate", "known associate"),
    "co_owner": ("co-owner of a company", "co-owner of a company", "co-owner of a company"),
}
_ZH: dict[str, tuple[str, str, str]] = {
    "parent": ("父亲", "母亲", "父母"),
    "child": ("儿子", "女儿", "子女"),
    "spouse": ("丈夫", "妻子", "配偶"),
    "sibling": ("兄弟", "姐妹", "兄弟姐妹"),
    "grandparent": ("祖父或外祖父", "祖母或外祖母", "祖父母或外祖父母"),
    "grandchild": ("孙子或外孙", "孙女或外孙女", "孙子女或外孙子女"),
    "in_law": ("姻亲", "姻亲", "姻亲"),
    "associate": ("已知关联人", "已知关联人", "已知关联人"),
    "co_owner": ("同一公司的共同持股或任职人", "同一公司的共同持股或任职人",
                 "同一公司的共同持股或任职人"),
}

#: Two ties that have a word of their own: (first, its gender, second, its gender).
_PAIRS: dict[tuple[str, str, str, str], tuple[str, str]] = {
    ("spouse", "f", "parent", "m"): ("father-in-law", "岳父"),
    ("spouse", "f", "parent", "f"): ("mother-in-law", "岳母"),
    ("spouse", "m", "parent", "m"): ("father-in-law", "公公"),
    ("spouse", "m", "parent", "f"): ("mother-in-law", "婆婆"),
    ("child", "m", "spouse", "f"): ("daughter-in-law", "儿媳"),
    ("child", "f", "spouse", "m"): ("son-in-law", "女婿"),
    ("sibling", "m", "spouse", "f"): ("sister-in-law", "嫂子或弟媳"),
    ("sibling", "f", "spouse", "m"): ("brother-in-law", "姐夫或妹夫"),
    ("spouse", "f", "sibling", "m"): ("brother-in-law", "妻子的兄弟"),
    ("spouse", "f", "sibling", "f"): ("sister-in-law", "妻子的姐妹"),
    ("spouse", "m", "sibling", "m"): ("brother-in-law", "丈夫的兄弟"),
    ("spouse", "m", "sibling", "f"): ("sister-in-law", "丈夫的姐妹"),
}


def gender_code(value: object) -> str | None:
    """``m``, ``f`` or None from a gender as recorded (男/女, M/F, male/female).

    Examples
    --------
    >>> gender_code("女"), gender_code("Male"), gender_code(None)
    ('f', 'm', None)
    """
    text = str(value or "").strip().lower()
    if text.startswith(("男", "m")):
        return "m"
    if text.startswith(("女", "f", "w")):
        return "f"
    return None


def _one(relation: str, gender: str | None, lang: str) -> str:
    table = _ZH if lang == "zh" else _EN
    male, female, neutral = table.get(relation, (relation.replace("_", " "),) * 3)
    return male if gender == "m" else female if gender == "f" else neutral


def kin_words(chain: Sequence[str], genders: Sequence[str | None] | None = None,
              ego: str | None = None, lang: str = "en") -> str:
    """The chain in words: the relative's name for the official's tie to them."""
    gs = list(genders or [])
    gs += [None] * (len(chain) - len(gs))
    words: list[str] = []
    i = 0
    while i < len(chain):
        if i + 1 < len(chain) and gs[i] and gs[i + 1]:
            pair = _PAIRS.get((chain[i], gs[i] or "", chain[i + 1], gs[i + 1] or ""))
            if pair is not None:
                words.append(pair[1] if lang == "zh" else pair[0])
                i += 2
                continue
        words.append(_one(chain[i], gs[i], lang))
        i += 1
    return "的".join(words) if lang == "zh" else "'s ".join(words)
