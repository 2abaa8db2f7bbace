"""Build JSON objects for whole columns at once (one string per row, blanks left out).

Text is escaped with Arrow compute, column by column; a cell holding a control
character (rare) is written by :func:`json.dumps`, so every object reads back as
the cells it was made of.

Examples
--------
>>> import pandas as pd
>>> json_objects({"title": pd.Series(['局长', '', 'say "hi"']),
...               "share_pct": pd.Series([None, 12.5, 60.0])}, numeric={"share_pct"}).tolist()
['{"title":"局长"}', '{"share_pct":12.5}', '{"title":"say \\\\"hi\\\\"","share_pct":60.0}']
>>> json_objects({'note\\t"x"': pd.Series(["a"])}).tolist()
['{"note\\\\t\\\\"x\\\\"":"a"}']
>>> json_objects({"a": pd.Series(["x\\ny", "\\\\"])}).tolist()
['{"a":"x\\\\ny"}', '{"a":"\\\\\\\\"}']
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["TEXT", "join", "json_objects", "text_array", "text_series"]

#: pandas' text dtype backed by Arrow (blank = NaN), as the loaders' frames hold text.
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
_CONTROL = r"[\x00-\x1f]"


def text_array(s: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one Arrow ``large_string`` array, missing cells as ''.

    A column of another type is made text the way pandas writes it (``str`` of each
    value).

    Examples
    --------
    >>> text_array(pd.Series(["a", None])).to_pylist()
    ['a', '']
    """
    if isinstance(s, pd.Series):
        if not isinstance(s.dtype, pd.StringDtype):
            s = s.fillna("").astype(str)
        arr = pa.array(s.array)
    else:
        arr = s
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.fill_null(arr.cast(pa.large_string()), "")


def text_series(arr: pa.Array | pa.ChunkedArray) -> pd.Series:
    """An Arrow text array as a pandas text column (no copy; null as NaN)."""
    return pd.Series(arr.cast(pa.large_string()), dtype=TEXT)


def _lit(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Text columns (or constants) joined row by row; a null part makes a null row.

    Examples
    --------
    >>> join("r:", pa.array(["a", None], pa.large_string())).to_pylist()
    ['r:a', None]
    """
    return pc.binary_join_element_wise(*(_lit(p) if isinstance(p, str) else p for p in parts),
                                       _lit(sep))


def _json_strings(s: pa.Array) -> pa.Array:
    """JSON string literals of a text column (null where the cell is blank)."""
    out = join('"', pc.replace_substring(pc.replace_substring(s, "\\", "\\\\"), '"', '\\"'),
               '"')
    odd = pc.match_substring_regex(s, _CONTROL)
    if pc.any(odd).as_py():
        where = np.flatnonzero(odd.to_numpy(zero_copy_only=False))
        fixed = [json.dumps(v, ensure_ascii=False) for v in s.take(where).to_pylist()]
        out = pc.replace_with_mask(out, odd, pa.array(fixed, pa.large_string()))
    return pc.if_else(pc.equal(s, ""), pa.scalar(None, pa.large_string()), out)


def _json_numbers(s: pd.Series) -> pa.Array:
    """Numbers as Python writes floats (null where the cell is blank or not a number)."""
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(num)
    text = np.full(len(num), None, dtype=object)
    text[ok] = [repr(x) for x in num[ok].tolist()]
    return pa.array(text, pa.large_string())


def json_objects(columns: dict[str, pd.Series], numeric: set[str] | frozenset[str] = frozenset(),
                 length: int | None = None) -> pd.Series:
    """One compact JSON object per row from same-length columns; blank/NaN cells are left out."""
    n = length if length is not None else (len(next(iter(columns.values()))) if columns else 0)
    if not columns:
        return pd.Series(["{}"] * n, dtype=TEXT)
    pieces = []
    for key, col in columns.items():
        col = col.reset_index(drop=True)
        values = _json_numbers(col) if key in numeric else _json_strings(text_array(col))
        name = "," + json.dumps(key, ensure_ascii=False) + ":"  # it may hold '"', '\\', a tab
        pieces.append(pc.fill_null(join(name, values), _lit("")))
    body = pc.utf8_slice_codeunits(join(*pieces), 1)  # without the first comma
    return text_series(join("{", body, "}"))
