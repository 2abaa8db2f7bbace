"""Build JSON objects for whole columns at once (one string per row, blanks left out).

Examples
--------
>>> import pandas as pd
>>> json_objects({"title": pd.Series(['局长', '', 'say "hi"']),
...               "share_pct": pd.Series([None, 12.5, 60.0])}, numeric={"share_pct"}).tolist()
['{"title":"局长"}', '{"share_pct":12.5}', '{"title":"say \\\\"hi\\\\"","share_pct":60.0}']
>>> json_objects({'note\\t"x"': pd.Series(["a"])}).tolist()
['{"note\\\\t\\\\"x\\\\"":"a"}']
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

_CONTROL = r"[\x00-\x1f]"


def _json_strings(s: pd.Series) -> pd.Series:
    """JSON string literals of a text column ('' stays '' to mean absent)."""
    s = s.astype(str)
    filled = s != ""
    out = '"' + s.str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False) + '"'
    odd = filled & s.str.contains(_CONTROL, regex=True)
    if odd.any():
        fixed = out.to_numpy(dtype=object)
        fixed[odd.to_numpy()] = [json.dumps(v, ensure_ascii=False) for v in s[odd]]
        out = pd.Series(fixed, index=s.index, dtype=str)
    return out.where(filled, "").astype(str)


def _json_numbers(s: pd.Series) -> pd.Series:
    num = pd.to_numeric(s, errors="coerce")
    text = pd.Series(np.where(num.notna(), num.astype(float).astype(str), ""), index=s.index)
    return text.astype(str)


def json_objects(columns: dict[str, pd.Series], numeric: set[str] | frozenset[str] = frozenset(),
                 length: int | None = None) -> pd.Series:
    """One compact JSON object per row from same-length columns; blank/NaN cells are left out."""
    n = length if length is not None else (len(next(iter(columns.values()))) if columns else 0)
    acc = pd.Series([""] * n, dtype=str)
    for key, col in columns.items():
        col = col.reset_index(drop=True)
        values = _json_numbers(col) if key in numeric else _json_strings(col.fillna(""))
        name = json.dumps(key, ensure_ascii=False)  # a column name may hold '"', '\\', a tab
        piece = (name + ":" + values).where(values != "", "")
        sep = pd.Series(np.where((acc != "") & (piece != ""), ",", ""), dtype=str)
        acc = acc + sep + piece
    return "{" + acc + "}"
