"""Text that goes into a page: JSON safe inside ``<script>``, plain text, masked identity numbers.

Every value a page shows comes from input files, so every value is hostile
until proven otherwise. Pages never paste data into markup: the data travels
as one JSON block (escaped here so ``</script>``, ``<!--`` and line separators
cannot end or confuse the block) and the page's script puts it on screen with
``textContent`` only.

Examples
--------
>>> script_json({"name": "</script><script>alert(1)</script>"})
'{"name": "\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}'
>>> plain_text("line\\x00one\\u2028two")
'line one two'
>>> mask_text("id 11010519491231002X on file")
'id 110105***********X on file'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from graph.ids import is_valid_id_number, mask_id_number

#: Characters that must not appear raw in JSON embedded in an HTML ``<script>`` element.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                  "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")
#: Control characters (C0, DEL, C1), bidi overrides and line/paragraph separators.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                         "\u2028\u2029]")
_ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
#: Property names that hold identity numbers (always masked unless revealed).
ID_PROPS = ("id_number",)


def script_json(value: Any) -> str:
    """JSON text that is safe to place between ``<script type="application/json">`` tags.

    ``<``, ``>`` and ``&`` become ``\\u003c``-style escapes (so no ``</script>``
    or ``<!--`` can appear), as do U+2028/U+2029. ``JSON.parse`` reads back
    the original strings.

    Examples
    --------
    >>> text = script_json(["a<b", "\\u2028"])
    >>> "<" in text, json.loads(text)
    (False, ['a<b', '\\u2028'])
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return _SCRIPT_UNSAFE_RE.sub(lambda m: _SCRIPT_UNSAFE[m.group(0)], text)


def plain_text(value: Any, limit: int = 300) -> str:
    """A value as one line of plain text: control and bidi characters become spaces,
    long values are cut with an ellipsis. ``None`` becomes ``""``.

    Markup stays as it is (it is shown as text, never parsed).

    Examples
    --------
    >>> plain_text('<b onclick="x()">', limit=8)
    '<b oncli…'
    >>> plain_text(None), plain_text(3.5)
    ('', '3.5')
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if _CONTROL_RE.search(text):
        text = _CONTROL_RE.sub(" ", text)
    return text if len(text) <= limit else text[:limit] + "…"


def mask_text(text: str) -> str:
    """Mask every valid resident identity number that appears in free text.

    Examples
    --------
    >>> mask_text("11010519491231002X and 110105194912310021")
    '110105***********X and 110105194912310021'
    """
    if len(text) < 18 or not _ID_NUMBER_RE.search(text):
        return text
    return _ID_NUMBER_RE.sub(
        lambda m: mask_id_number(m.group(0)) if is_valid_id_number(m.group(0)) else m.group(0),
        text)


def mask_props(props: Mapping[str, Any], reveal: bool = False) -> dict[str, Any]:
    """Properties for display: identity numbers masked unless ``reveal``.

    Examples
    --------
    >>> mask_props({"id_number": "11010519491231002X", "phone": "138"})
    {'id_number': '110105***********X', 'phone': '138'}
    >>> mask_props({"id_number": "11010519491231002X"}, reveal=True)
    {'id_number': '11010519491231002X'}
    """
    if reveal:
        return dict(props)
    out: dict[str, Any] = {}
    for key, value in props.items():
        if key.lower() in ID_PROPS and value is not None:
            out[key] = mask_id_number(str(value))
        elif isinstance(value, str):
            out[key] = mask_text(value)
        else:
            out[key] = value
    return out


def shown(value: Any, reveal: bool, limit: int = 300) -> str:
    """:func:`plain_text`, with identity numbers masked unless ``reveal``.

    Examples
    --------
    >>> shown("张三 11010519491231002X", reveal=False)
    '张三 110105***********X'
    >>> shown("张三 11010519491231002X", reveal=False, limit=12)
    '张三 110105***…'
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    # mask before cutting, so a cut can never leave part of a number showing
    return plain_text(text if reveal else mask_text(text), limit)
