"""Kinship in plain words, by the direction of each tie and the gender on record.

This module is the one place that says a kin word: the findings' text, the
command line's evidence steps and the HTML views all ask it.

A chain is read from the first person (the official, the "ego"): ``["spouse",
"parent"]`` is the official's spouse's parent. With the gender of each relative
along it (``m``, ``f`` or None, see :func:`gender_code`), the words are the ones an
investigator uses: the wife's father is the father-in-law, 岳父; a husband's
mother is the mother-in-law, 婆婆; a son's wife is the daughter-in-law, 儿媳; a
father's father is the grandfather, 祖父, a mother's father 外祖父. Where a gender
is not on record the neutral word stays (parent, 父母); where Chinese needs the
seniority the records do not give (姐夫 or 妹夫), both are named.

A sentence that says what the *official* is to the relative ("张伟 is the
husband of 李娜") reads the chain the other way round: :func:`reverse` turns a
chain and its genders end for end.

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
>>> kin_words(*reverse(["parent"], ["m"], "f"), lang="en")
'daughter'
>>> gender_code("男"), gender_code("F"), gender_code("")
('m', 'f', None)
"""

from __future__ import annotations

from collections.abc import Sequence

#: The inverse of every kin relation: ``b`` is ``a``'s ``r`` exactly when ``a`` is
#: ``b``'s ``INVERSE[r]`` (the schema declares the same; a test keeps them equal).
INVERSE: dict[str, str] = {
    "spouse": "spouse", "parent": "child", "child": "parent", "sibling": "sibling",
    "grandparent": "grandchild", "grandchild": "grandparent", "in_law": "in_law",
    "relative": "relative",
}

#: relation -> (male, female, neutral), English and Chinese.
_EN: dict[str, tuple[str, str, str]] = {
    "parent": ("father", "mother", "parent"),
    "child": ("son", "daughter", "child"),
    "spouse": ("husband", "wife", "spouse"),
    "sibling": ("brother", "sister", "sibling"),
    "grandparent": ("grandfather", "grandmother", "grandparent"),
    "grandchild": ("grandson", "granddaughter", "grandchild"),
    "in_law": ("in-law", "in-law", "in-law"),
    "relative": ("relative (kin not stated)", "relative (kin not stated)",
                 "relative (kin not stated)"),
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
    "relative": ("亲属（关系未说明）", "亲属（关系未说明）", "亲属（关系未说明）"),
    "associate": ("已知关联人", "已知关联人", "已知关联人"),
    "co_owner": ("同一公司的共同持股或任职人", "同一公司的共同持股或任职人",
                 "同一公司的共同持股或任职人"),
}

#: Two ties in a row that have a word of their own: (first, its gender, second, its
#: gender) -> (English, Chinese); a gender of None matches a relative whose gender is
#: not on record; a word of None means the two words joined say it best.
_PAIRS: dict[tuple[str, str | None, str, str | None], tuple[str | None, str | None]] = {
    # the spouse's parents
    ("spouse", "f", "parent", "m"): ("father-in-law", "岳父"),
    ("spouse", "f", "parent", "f"): ("mother-in-law", "岳母"),
    ("spouse", "f", "parent", None): ("parent-in-law", "岳父母"),
    ("spouse", "m", "parent", "m"): ("father-in-law", "公公"),
    ("spouse", "m", "parent", "f"): ("mother-in-law", "婆婆"),
    ("spouse", "m", "parent", None): ("parent-in-law", "公婆"),
    ("spouse", None, "parent", "m"): ("father-in-law", None),
    ("spouse", None, "parent", "f"): ("mother-in-law", None),
    ("spouse", None, "parent", None): ("parent-in-law", None),
    # the spouse's siblings
    ("spouse", "f", "sibling", "m"): ("brother-in-law", None),
    ("spouse", "f", "sibling", "f"): ("sister-in-law", None),
    ("spouse", "m", "sibling", "m"): ("brother-in-law", None),
    ("spouse", "m", "sibling", "f"): ("sister-in-law", None),
    ("spouse", None, "sibling", "m"): ("brother-in-law", None),
    ("spouse", None, "sibling", "f"): ("sister-in-law", None),
    # the children's spouses
    ("child", "m", "spouse", "f"): ("daughter-in-law", "儿媳"),
    ("child", "f", "spouse", "m"): ("son-in-law", "女婿"),
    ("child", None, "spouse", "f"): ("daughter-in-law", None),
    ("child", None, "spouse", "m"): ("son-in-law", None),
    # the siblings' spouses
    ("sibling", "m", "spouse", "f"): ("sister-in-law", "嫂子或弟媳"),
    ("sibling", "f", "spouse", "m"): ("brother-in-law", "姐夫或妹夫"),
    ("sibling", None, "spouse", "f"): ("sister-in-law", None),
    ("sibling", None, "spouse", "m"): ("brother-in-law", None),
    # grandparents and grandchildren through a parent or a child
    ("parent", "m", "parent", "m"): ("grandfather", "祖父"),
    ("parent", "m", "parent", "f"): ("grandmother", "祖母"),
    ("parent", "m", "parent", None): ("grandparent", "祖父母"),
    ("parent", "f", "parent", "m"): ("grandfather", "外祖父"),
    ("parent", "f", "parent", "f"): ("grandmother", "外祖母"),
    ("parent", "f", "parent", None): ("grandparent", "外祖父母"),
    ("parent", None, "parent", "m"): ("grandfather", "祖父或外祖父"),
    ("parent", None, "parent", "f"): ("grandmother", "祖母或外祖母"),
    ("parent", None, "parent", None): ("grandparent", "祖父母或外祖父母"),
    ("child", "m", "child", "m"): ("grandson", "孙子"),
    ("child", "m", "child", "f"): ("granddaughter", "孙女"),
    ("child", "m", "child", None): ("grandchild", "孙子女"),
    ("child", "f", "child", "m"): ("grandson", "外孙"),
    ("child", "f", "child", "f"): ("granddaughter", "外孙女"),
    ("child", "f", "child", None): ("grandchild", "外孙子女"),
    ("child", None, "child", "m"): ("grandson", "孙子或外孙"),
    ("child", None, "child", "f"): ("granddaughter", "孙女或外孙女"),
    ("child", None, "child", None): ("grandchild", "孙子女或外孙子女"),
    # the parents' siblings and the siblings' children
    ("parent", "m", "sibling", "m"): ("uncle", "伯父或叔父"),
    ("parent", "m", "sibling", "f"): ("aunt", "姑母"),
    ("parent", "f", "sibling", "m"): ("uncle", "舅父"),
    ("parent", "f", "sibling", "f"): ("aunt", "姨母"),
    ("parent", None, "sibling", "m"): ("uncle", None),
    ("parent", None, "sibling", "f"): ("aunt", None),
    ("sibling", "m", "child", "m"): ("nephew", "侄子"),
    ("sibling", "m", "child", "f"): ("niece", "侄女"),
    ("sibling", "m", "child", None): (None, "侄子或侄女"),
    ("sibling", "f", "child", "m"): ("nephew", "外甥"),
    ("sibling", "f", "child", "f"): ("niece", "外甥女"),
    ("sibling", "f", "child", None): (None, "外甥或外甥女"),
    ("sibling", None, "child", "m"): ("nephew", None),
    ("sibling", None, "child", "f"): ("niece", None),
}


def gender_code(value: object) -> str | None:
    """``m``, ``f`` or None from a gender as recorded (男/女, M/F, male/female).

    Examples
    --------
    >>> gender_code("女"), gender_code("Male"), gender_code(None), gender_code("未知")
    ('f', 'm', None, None)
    """
    text = str(value or "").strip().lower()
    if text.startswith(("男", "m")):
        return "m"
    if text.startswith(("女", "f", "w")):
        return "f"
    return None


def reverse(chain: Sequence[str], genders: Sequence[str | None] | None = None,
            ego: str | None = None) -> tuple[list[str], list[str | None], str | None]:
    """The same chain read from its last person back to the first: the relations
    inverted in reverse order, the genders of the persons passed on the way back (the
    first person's last), and the last person's gender as the new ego.

    Examples
    --------
    >>> reverse(["spouse", "parent"], ["f", "m"], "m")
    (['child', 'spouse'], ['f', 'm'], 'm')
    >>> reverse(["sibling"], [None], "f")
    (['sibling'], ['f'], None)
    """
    gs = list(genders or [])
    gs += [None] * (len(chain) - len(gs))
    back = [INVERSE.get(r, r) for r in reversed(chain)]
    persons = [ego, *gs]  # everyone along the chain, the first person first
    return back, list(reversed(persons[:-1])), persons[-1]


def _one(relation: str, gender: str | None, lang: str) -> str:
    table = _ZH if lang == "zh" else _EN
    male, female, neutral = table.get(relation, (relation.replace("_", " "),) * 3)
    return male if gender == "m" else female if gender == "f" else neutral


def _pair(first: str, g1: str | None, second: str, g2: str | None, lang: str) -> str | None:
    found = _PAIRS.get((first, g1, second, g2))
    if found is None:
        return None
    return found[1] if lang == "zh" else found[0]


def kin_words(chain: Sequence[str], genders: Sequence[str | None] | None = None,
              ego: str | None = None, lang: str = "en") -> str:
    """The chain in words: what the last person is to the first (``ego``, the first
    person's gender, is kept for the words that depend on it; none do yet).

    Examples
    --------
    >>> kin_words(["parent", "parent"], ["f", "m"], None, "zh")
    '外祖父'
    >>> kin_words(["sibling", "spouse"], ["m", "f"], None, "en")
    'sister-in-law'
    >>> kin_words(["spouse", "sibling", "child"], ["f", "m", "m"], "m", "zh")
    '妻子的侄子'
    >>> kin_words(["sibling", "child"], [None, None], None, "en")
    "sibling's child"
    """
    gs = list(genders or [])
    gs += [None] * (len(chain) - len(gs))
    words: list[str] = []
    i = 0
    while i < len(chain):
        if i + 1 < len(chain):
            pair = _pair(chain[i], gs[i], chain[i + 1], gs[i + 1], lang)
            if pair is not None:
                words.append(pair)
                i += 2
                continue
        words.append(_one(chain[i], gs[i], lang))
        i += 1
    return "的".join(words) if lang == "zh" else "'s ".join(words)
