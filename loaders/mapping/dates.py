"""Dates as department exports write them, to ISO ``YYYY-MM-DD``.

Handles ``2019-03-05``, ``2019/3/5``, ``2019.3.5``, ``2019年3月5日``, ``二〇一九年三月``,
``20190305``, month-only ``2019年3月`` / ``2019.03`` / ``201903``, year-only
``2019年``, Excel serial numbers (``43529``) and date-times. A month or a year
stands for its first day, or its last with ``end=True`` (an end date written
``2021年5月`` means "until the end of May"); ``exact=True`` refuses them.
Text that is no date comes back as ``None`` (the row is then set aside, showing
what was written).

Examples
--------
>>> [parse_date(t) for t in ["2019年3月", "2019.03", "2019/3/5", "43529", "２０１９年３月５日"]]
['2019-03-01', '2019-03-01', '2019-03-05', '2019-03-05', '2019-03-05']
>>> parse_date("2019年2月", end=True), parse_date("二〇一九年十二月", end=True)
('2019-02-28', '2019-12-31')
>>> parse_date("2019年13月") is None, parse_date("2019.03", exact=True) is None
(True, True)
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta

_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_YM = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?")
_Y = re.compile(r"(\d{4})\s*年?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})?")
_SERIAL = re.compile(r"(\d{5})(?:\.\d+)?")
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?")
_CN_DIGITS = str.maketrans("〇零○ＯO一二三四五六七八九", "00000123456789")
_CN = re.compile(r"([〇零○ＯO一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                 r"(?:([一二三四五六七八九十]{1,3})[日号])?")
_EXCEL_EPOCH = date(1899, 12, 30)


def _cn_number(text: str) -> int:
    """``十二`` -> 12, ``二十五`` -> 25, ``三`` -> 3."""
    if "十" not in text:
        return int(text.translate(_CN_DIGITS))
    tens, _, units = text.partition("十")
    return (int(tens.translate(_CN_DIGITS)) if tens else 1) * 10 + (
        int(units.translate(_CN_DIGITS)) if units else 0)


def _make(y: int, m: int | None, d: int | None, end: bool, exact: bool) -> str | None:
    if (m is None or d is None) and exact:
        return None
    if not 1000 <= y <= 2999:
        return None
    try:
        if m is None:
            return date(y, 12, 31).isoformat() if end else date(y, 1, 1).isoformat()
        if d is None:
            last = calendar.monthrange(y, m)[1] if 1 <= m <= 12 else 0
            return date(y, m, last if end else 1).isoformat()
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str, *, end: bool = False, exact: bool = False) -> str | None:
    """ISO date for ``text``, or None when it is no date (see the module text)."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return None
    if m := _DATETIME.fullmatch(s):
        s = m.group(1)
    if m := _YMD.fullmatch(s):
        return _make(int(m[1]), int(m[2]), int(m[3]), end, exact)
    if m := _YM.fullmatch(s):
        return _make(int(m[1]), int(m[2]), None, end, exact)
    if m := _COMPACT.fullmatch(s):
        return _make(int(m[1]), int(m[2]), int(m[3]) if m[3] else None, end, exact)
    if m := _SERIAL.fullmatch(s):
        return (_EXCEL_EPOCH + timedelta(days=int(m[1]))).isoformat()
    if m := _Y.fullmatch(s):
        return _make(int(m[1]), None, None, end, exact)
    if m := _CN.fullmatch(s):
        return _make(int(m[1].translate(_CN_DIGITS)), _cn_number(m[2]),
                     _cn_number(m[3]) if m[3] else None, end, exact)
    return None
