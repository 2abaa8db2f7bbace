"""The fast CSV path reads rows with Arrow's reader and falls back on pandas': both give
the same rows, lines and set-aside lines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from loaders import csvfast
from loaders.read import decode

FILES = {
    "plain": "id,name,note\nP1,张三,a\nP2,李四,\n",
    "crlf and blanks": "id,name,note\r\nP1,a,b\r\n\r\n   \r\nP2,,c\r\n",
    "quotes": 'id,name,note\nP1,"a ""b"", c",x\n"P2",",",""\nP3,d,"  e  "\n',
    "wrong counts": "id,name,note\nP1,a,b,c\nP2,b\nP3,c,d\n,,\n",
    "no final newline": "id,name,note\nP1,a,b",
    "spaces kept": "id,name,note\n P1 , a ,\t\n",
    "control characters": "id,name,note\nP1,a\x00b,\x1b[0m\nP2,\x7f,\u2028\n",
}


def _read(data: bytes, header: list[str]) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    text, enc = decode(data, Path("x.csv"))
    out = csvfast.fast_rows(data, text, enc, ",", header)
    assert out is not None
    frame, bad = out
    return frame, [(b.line, b.code) for b in bad]


@pytest.mark.parametrize("name", list(FILES))
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_arrow_and_pandas_read_the_same_rows(name: str, encoding: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    text = FILES[name]
    if encoding == "gb18030" and "\x7f" in text:
        text = text.replace("\u2028", "")
    data = text.encode(encoding)
    header = ["id", "name", "note"]
    arrow = csvfast._arrow_rows
    took: list[bool] = []
    monkeypatch.setattr(csvfast, "_arrow_rows", lambda *a: took.append(arrow(*a) is not None)
                        or arrow(*a))
    fast, fast_bad = _read(data, header)
    assert took == [True]  # Arrow read these rows
    monkeypatch.setattr(csvfast, "_arrow_rows", lambda *a: None)
    slow, slow_bad = _read(data, header)
    assert fast.values.tolist() == slow.values.tolist() and fast_bad == slow_bad
    assert list(fast.columns) == list(slow.columns) and all(fast.dtypes == slow.dtypes)
