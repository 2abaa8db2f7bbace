"""Vectorised text normalisation and identifier checks over pandas columns.

Full-width characters become half-width (NFKC), blanks are trimmed, names
lose stray spaces between Chinese characters. Normalised names help people
find each other; they never merge entities on their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graph.ids import USCC_ALPHABET

_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28],
                         dtype=np.int64)
_USCC_TABLE = np.full(256, -1, dtype=np.int64)
for _i, _c in enumerate(USCC_ALPHABET):
    _USCC_TABLE[ord(_c)] = _i
_USCC_CHARS = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
_CJK_GAP = r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])"
_CJK_GAP_RE = re.compile(_CJK_GAP)
_BLANKS_RE = re.compile(r"\s+")


def _whitespace_class() -> str:
    """An RE2 character class of every character Python's ``re`` reads as ``\\s``
    (``str.isspace``; all in the Basic Multilingual Plane), to find the cells a ``\\s``
    pattern could change."""
    spaces = [c for c in range(0x10000) if chr(c).isspace()]
    return "[" + "".join(f"\\x{{{c:x}}}" for c in spaces) + "]"


_SPACE = _whitespace_class()


def _arrow_text(s: pd.Series) -> pa.Array | None:
    """The cells of a text column as one Arrow array, or None when some are missing
    (NaN) or not text: those take the slower pandas path, whose answers they keep."""
    if not isinstance(s.dtype, pd.StringDtype) or s.hasnans:
        return None
    arr = pa.array(s.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string())


def _per_value(arr: pa.Array, mask: pa.Array, fn: Callable[[str], str]) -> pa.Array:
    """``fn`` of the cells under ``mask``, worked out once per distinct value."""
    if not pc.any(mask).as_py():
        return arr
    sub = arr.filter(mask)
    distinct = pc.unique(sub)
    done = pa.array([fn(v) for v in distinct.to_pylist()], pa.large_string())
    return pc.replace_with_mask(arr, mask, pc.take(done, pc.index_in(sub, value_set=distinct)))


def _series(arr: pa.Array, like: pd.Series) -> pd.Series:
    return pd.Series(arr, index=like.index, dtype=like.dtype, name=like.name)


def clean_text(s: pd.Series) -> pd.Series:
    """NFKC-normalise (only cells that need it) and trim.

    Examples
    --------
    >>> clean_text(pd.Series([" Ａ１２ ", "abc", "２０１９-０３-０１"])).tolist()
    ['A12', 'abc', '2019-03-01']
    """
    s = s.astype(str)
    arr = _arrow_text(s)
    if arr is None:
        wide = s.str.contains(r"[^\x00-\x7f]", regex=True)
        if wide.any():
            s = s.copy()
            s[wide] = s[wide].str.normalize("NFKC")
        return s.str.strip()
    arr = _per_value(arr, pc.invert(pc.string_is_ascii(arr)),
                     lambda v: unicodedata.normalize("NFKC", v))
    return _series(pc.utf8_trim_whitespace(arr), s)


def _fold_blanks(v: str) -> str:
    return _CJK_GAP_RE.sub("", _BLANKS_RE.sub(" ", v))


def normalize_name(s: pd.Series) -> pd.Series:
    """Names: NFKC, trimmed, runs of blanks folded, no blanks between Chinese characters.

    Examples
    --------
    >>> normalize_name(pd.Series(["张　三", " 李  四 ", "John   Smith"])).tolist()
    ['张三', '李四', 'John Smith']
    """
    s = clean_text(s)
    arr = _arrow_text(s)
    if arr is None:
        s = s.str.replace(r"\s+", " ", regex=True)
        return s.str.replace(_CJK_GAP, "", regex=True)
    return _series(_per_value(arr, pc.match_substring_regex(arr, _SPACE), _fold_blanks), s)


def id_numbers_valid(s: pd.Series) -> pd.Series:
    """Boolean mask: which (normalised, upper-case) values are valid GB 11643 numbers.

    Examples
    --------
    >>> id_numbers_valid(pd.Series(["11010519491231002X", "110105194912310021", "1"])).tolist()
    [True, False, False]
    """
    ok = s.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool).to_numpy().copy()
    if ok.any():
        sub = s[ok]
        arr = np.frombuffer("".join(sub.tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        total = (arr[:, :17].astype(np.int64) - 48) @ _ID_WEIGHTS
        good = arr[:, 17] == _ID_CHECK[total % 11]
        born = pd.to_datetime(sub.str.slice(6, 14), format="%Y%m%d", errors="coerce").notna()
        ok[ok] = good & born.to_numpy()
    return pd.Series(ok, index=s.index)


def credit_codes_valid(s: pd.Series) -> pd.Series:
    """Boolean mask: which (normalised, upper-case) values are valid GB 32100 codes.

    Examples
    --------
    >>> credit_codes_valid(pd.Series(["91350100M000100Y43", "91350100M000100Y44"])).tolist()
    [True, False]
    """
    ok = s.str.fullmatch(f"[{USCC_ALPHABET}]{{18}}").fillna(False).astype(bool).to_numpy().copy()
    if ok.any():
        arr = np.frombuffer("".join(s[ok].tolist()).encode("ascii"), dtype=np.uint8)
        vals = _USCC_TABLE[arr].reshape(-1, 18)
        total = vals[:, :17] @ _USCC_WEIGHTS
        ok[ok] = vals[:, 17] == (31 - total % 31) % 31
    return pd.Series(ok, index=s.index)


def dates_valid(s: pd.Series) -> pd.Series:
    """Boolean mask of ISO ``YYYY-MM-DD`` calendar dates.

    Examples
    --------
    >>> dates_valid(pd.Series(["2021-02-28", "2021-02-30", "2021/3/4"])).tolist()
    [True, False, False]
    """
    shape = s.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    parsed = pd.to_datetime(s.where(shape, None), format="%Y-%m-%d", errors="coerce")
    return shape & parsed.notna()
