"""Numbers, money, dates and periods as each interface language writes them (Babel).

Money: an exact amount with its currency everywhere a sentence names it (Chinese
``¥612,180.00``, English ``¥612,180.00``; other currencies as the language writes them,
``US$100.00`` in Chinese, ``$100.00`` in English, ``NGN156,220,610.10``); in a narrow
table column the Chinese reads better in 万/亿 (``61.2万元``), so :func:`money` takes
``compact``. Dates: ISO in English (``2023-09-12``, what the data holds),
``2023年9月12日`` in Chinese.

Examples
--------
>>> money(612180, "CNY", "zh"), money(612180, "CNY", "en"), money(100, "USD", "zh")
('¥612,180.00', '¥612,180.00', 'US$100.00')
>>> money(612180, "CNY", "zh", compact=True), money(None, "CNY", "zh")
('61.2万元', '金额不详')
>>> money(156220610.1, "NGN", "en"), money(100, "EUR", "en"), money(100, None, "en")
('NGN156,220,610.10', '€100.00', '100 (currency not stated)')
>>> date("2023-09-12", "zh"), date("2023-09-12", "en"), date("2023-13-01", "zh")
('2023年9月12日', '2023-09-12', '2023-13-01')
>>> period("2019-01-01", None, "zh"), period(None, None, "en")
('自2019年1月1日起', 'with no recorded dates')
>>> number(1234567.5, 1, "zh")
'1,234,567.5'
>>> parse_date("2024-02-29")
'2024-02-29'
"""

from __future__ import annotations

import datetime as dt
import re

from babel.numbers import format_compact_decimal, format_currency, format_decimal

from lang.core import LOCALES, N_, language, translations

#: Currencies a Chinese reader knows by the sign alone.
_HOME = "CNY"


def _lang(code: str | None) -> str:
    return code or language()


def _t(code: str, text: str) -> str:
    return translations(code).gettext(text)


def money(amount: float | None, currency: str | None = "CNY", lang: str | None = None,
          compact: bool = False) -> str:
    """An amount with its currency (``compact``: 万/亿 in Chinese for narrow columns).

    ``currency`` is an ISO 4217 code; ``None`` or '' says the source stated none: the
    amount is written without a sign, and says so, rather than being called yuan.
    """
    code = _lang(lang)
    if amount is None or amount != amount:
        return _t(code, N_("an unknown amount"))
    cur = (currency or "").strip().upper()
    if not cur:
        return _t(code, N_("{amount} (currency not stated)")).format(
            amount=format_decimal(amount, format="#,##0.##", locale=LOCALES[code]))
    if compact and code == "zh" and cur == _HOME and abs(amount) >= 10_000:
        return _t(code, N_("{amount} yuan")).format(
            amount=format_compact_decimal(amount, locale=LOCALES[code], fraction_digits=1))
    if cur == _HOME:
        return "¥" + format_decimal(amount, format="#,##0.00", locale=LOCALES[code])
    return str(format_currency(amount, cur, locale=LOCALES[code]))


def date(iso: str, lang: str | None = None) -> str:
    """A calendar date (text that is not a real date is shown as written)."""
    code = _lang(lang)
    if code != "zh":
        return iso
    try:
        d = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    return f"{d.year}年{d.month}月{d.day}日"


#: How a date is written wherever the tool reads one from a user (options, settings).
DATE_FORM = "YYYY-MM-DD"
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DateError(ValueError):
    """Text that is not a calendar date written ``YYYY-MM-DD``; ``fault`` says why:
    ``form`` (written another way) or ``day`` (no such day)."""

    def __init__(self, text: str, fault: str) -> None:
        why = f"not written {DATE_FORM}" if fault == "form" else "no such day"
        super().__init__(f"{text!r}: {why}")
        self.text, self.fault = text, fault


def parse_date(text: str) -> str:
    """The one reading of a date a user gives (``--on`` of every command, the ``on``
    setting): ``YYYY-MM-DD``, a day the calendar has; returns it as written.

    Raises :class:`DateError` for another form (``yesterday``, ``2021/02/28``,
    ``20210228``, ISO week dates Python would take) or a day that does not exist
    (``2021-13-01``, ``2021-02-30``).

    Examples
    --------
    >>> parse_date("2021-02-28")
    '2021-02-28'
    >>> for bad in ("2021-13-01", "2021-02-30", "yesterday", "20210228", "2021-W08-7"):
    ...     try:
    ...         parse_date(bad)
    ...     except DateError as err:
    ...         print(bad, err.fault)
    2021-13-01 day
    2021-02-30 day
    yesterday form
    20210228 form
    2021-W08-7 form
    """
    if not isinstance(text, str) or not _ISO_DAY.fullmatch(text):
        raise DateError(str(text), "form")
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise DateError(text, "day") from None
    return text


def period(start: str | None, end: str | None, lang: str | None = None) -> str:
    """The interval a tie held, in words (open ends: since, until, no recorded dates)."""
    code = _lang(lang)
    s = None if not start or start == "0000-01-01" else date(start, code)
    e = None if not end or end == "9999-12-31" else date(end, code)
    if s and e:
        return _t(code, N_("from {start} to {end}")).format(start=s, end=e)
    if s:
        return _t(code, N_("since {start}")).format(start=s)
    if e:
        return _t(code, N_("until {end}")).format(end=e)
    return _t(code, N_("with no recorded dates"))


def days(first: str, last: str, lang: str | None = None) -> str:
    """The days something happened: on one day, or from one to another."""
    code = _lang(lang)
    if first == last:
        return _t(code, N_("on {day}")).format(day=date(first, code))
    return _t(code, N_("from {start} to {end}")).format(start=date(first, code),
                                                        end=date(last, code))


def number(value: float, digits: int = 0, lang: str | None = None) -> str:
    """A number with the language's grouping and ``digits`` decimals."""
    code = _lang(lang)
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(format_decimal(value, format=pattern, locale=LOCALES[code]))
