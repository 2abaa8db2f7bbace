"""Column-wise transforms of a mapping: split, extract, code maps, dates, amounts, ids.

Every function takes and returns a pandas Series of text ('' = blank) and
leaves a value it cannot read as it is, so validation sets the row aside
showing what was written.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation

import pandas as pd

from graph.normalize import clean_text
from loaders.mapping.dates import parse_date

_PAREN = r"^(.*?)\s*\(\s*([^()]*?)\s*\)$"
_OPEN_END = {"至今", "今", "现在", "在任", "在职", "今日", "目前"}
_AMOUNT_NOISE = re.compile(r"[\s,，¥￥]|元$|RMB|人民币|CNY")


def split_paren(s: pd.Series, part: str) -> pd.Series:
    """``张三（P001）`` -> ``张三`` (part ``name``) or ``P001`` (part ``id``); unchanged without
    parentheses.

    Examples
    --------
    >>> s = clean_text(pd.Series(["张三（Ｐ００１）", "Li Si (P2)", "王五"]))
    >>> split_paren(s, "name").tolist(), split_paren(s, "id").tolist()
    (['张三', 'Li Si', '王五'], ['P001', 'P2', '王五'])
    """
    parts = s.str.extract(_PAREN)
    got = parts[0 if part == "name" else 1]
    return got.where(parts[0].notna(), s).astype(str)


def extract(s: pd.Series, pattern: str) -> pd.Series:
    """The first group of ``pattern`` (or its whole match); unchanged where it does not match.

    Examples
    --------
    >>> extract(pd.Series(["编号:P7", "x"]), r"P\\d+").tolist()
    ['P7', 'x']
    """
    rx = re.compile(pattern)
    got = s.str.extract(rx if rx.groups else f"({pattern})")[0]
    return got.where(got.notna(), s).astype(str)


def map_codes(s: pd.Series, codes: dict[str, str], otherwise: str | None = None) -> pd.Series:
    """Replace values found in ``codes`` (keys compared as cleaned text); other filled
    values become ``otherwise`` when it is given.

    Examples
    --------
    >>> map_codes(pd.Series(["配偶", "x"]), {" 配偶": "spouse"}).tolist()
    ['spouse', 'x']
    >>> map_codes(pd.Series(["村民委员会", "县水利局", ""]), {"村民委员会": "village_committee"},
    ...           otherwise="agency").tolist()
    ['village_committee', 'agency', '']
    """
    if not codes and otherwise is None:
        return s
    table = dict(zip(clean_text(pd.Series(list(codes), dtype=str)).tolist(), codes.values(),
                     strict=True))
    hit = s.isin(table.keys())
    rest = s if otherwise is None else s.where(s == "", otherwise)
    return s.map(table).where(hit, rest).astype(str)


def dates(s: pd.Series, *, end: bool, exact: bool) -> pd.Series:
    """ISO dates where ``s`` reads as one; an open end (至今) becomes blank with ``end``.

    Examples
    --------
    >>> dates(pd.Series(["2019年3月", "43529", "至今", "?"]), end=True, exact=False).tolist()
    ['2019-03-31', '2019-03-05', '', '?']
    """
    out: dict[str, str] = {}
    for v in s.unique().tolist():
        if not v:
            out[v] = v
        elif end and v in _OPEN_END:
            out[v] = ""
        else:
            out[v] = parse_date(v, end=end, exact=exact) or v
    return s.map(out).astype(str)


def amounts(s: pd.Series) -> pd.Series:
    """Plain decimal yuan: separators, ¥ and 元 dropped, 万 multiplied out.

    Examples
    --------
    >>> amounts(pd.Series(["1,250.50元", "¥3万", "1.5万元", "abc"])).tolist()
    ['1250.50', '30000', '15000.0', 'abc']
    """
    out: dict[str, str] = {}
    for v in s.unique().tolist():
        t = _AMOUNT_NOISE.sub("", v)
        scale = 1
        if t.endswith("万元"):
            t, scale = t[:-2], 10000
        elif t.endswith("万"):
            t, scale = t[:-1], 10000
        try:
            num = Decimal(t)
        except InvalidOperation:
            out[v] = v
            continue
        out[v] = str(num * scale) if t else v
    return s.map(out).astype(str)


def percents(s: pd.Series) -> pd.Series:
    """``35%`` -> ``35``.

    Examples
    --------
    >>> percents(pd.Series(["35%", "12.5"])).tolist()
    ['35', '12.5']
    """
    return s.str.replace(r"\s*%$", "", regex=True)


def hash_ids(parts: list[pd.Series], *, style: str, seed: str, prefix: str) -> pd.Series:
    """Stable ids from the values of some columns; blank where all of them are blank.

    ``umbrella`` style: ``prefix`` + 16 hex digits of BLAKE2b over the cleaned values in
    the given order. ``ftm`` style: FollowTheMoney's mapping ids, SHA-1 of ``seed`` and
    the trimmed non-blank values in sorted order (what ``followthemoney`` writes for an
    entity keyed by those columns, with the dataset name as seed).

    Examples
    --------
    >>> hash_ids([pd.Series(["MLPD", " FDP ", ""])], style="ftm", seed="donations",
    ...          prefix="").tolist()
    ['6d03aec76fdeec8f9697d8b19954ab6fc2568bc8', '783d918df9f9178400d6b3386439ab3b3679979c', '']
    >>> hash_ids([pd.Series(["张三"]), pd.Series([""])], style="umbrella", seed="",
    ...          prefix="H").tolist()
    ['H...']
    """
    rows = list(zip(*(p.tolist() for p in parts), strict=True))
    out: list[str] = []
    for values in rows:
        if style == "ftm":
            kept = sorted(v.strip() for v in values if v.strip())
            if not kept:
                out.append("")
                continue
            h = hashlib.sha1(seed.encode())
            for v in kept:
                h.update(v.encode())
            out.append(prefix + h.hexdigest())
        else:
            if not any(values):
                out.append("")
                continue
            text = "\x1f".join([seed, *values])
            out.append(prefix + hashlib.blake2b(text.encode(), digest_size=8).hexdigest())
    return pd.Series(out, index=parts[0].index, dtype=str)
