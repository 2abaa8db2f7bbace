"""The interface language: which one a run speaks, and gettext lookups in it.

One language per run: ``--lang zh|en`` on every command, else the environment
variable ``UMBRELLA_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``:
``zh_CN.UTF-8`` gives Chinese), else English. The data itself is always shown as
written; only what surrounds it is translated.

Messages are looked up in gettext catalogs (``lang/locale/<locale>/LC_MESSAGES/
umbrella.mo``, compiled from the ``.po`` files by :mod:`umbrella.catalog` and shipped in
the package). The message ids are the English texts, so English needs no catalog.
The current language lives in a context variable, so one process (the workbench)
can answer two people in two languages.

Examples
--------
>>> choose_language(None, {"LANG": "zh_CN.UTF-8"}), choose_language(None, {})
('zh', 'en')
>>> choose_language("en", {"UMBRELLA_LANG": "zh"})
'en'
>>> with use_language("zh"):
...     gettext("not recorded")
'未记录'
>>> gettext("not recorded")
'not recorded'
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

#: The interface languages, by code.
LANGUAGES = ("en", "zh")
#: The gettext locale and the Babel locale of each language.
LOCALES = {"en": "en", "zh": "zh_CN"}
DOMAIN = "umbrella"
LOCALEDIR = Path(__file__).resolve().parent / "locale"
ENV = "UMBRELLA_LANG"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("umbrella_language",
                                                               default="en")


def choose_language(explicit: str | None = None,
                    environ: Mapping[str, str] | None = None) -> str:
    """The language a run speaks: ``explicit``, else ``UMBRELLA_LANG``, else the locale."""
    import os

    env = os.environ if environ is None else environ
    for value in (explicit, env.get(ENV)):
        if value:
            code = value.strip().lower()[:2]
            if code in LANGUAGES:
                return code
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_language(code: str) -> None:
    """Speak ``code`` (``en`` or ``zh``) from now on, in this context."""
    if code not in LANGUAGES:
        raise ValueError(f"unknown interface language {code!r} (use one of {LANGUAGES})")
    _current.set(code)


def language() -> str:
    """The language spoken now."""
    return _current.get()


@contextmanager
def use_language(code: str) -> Iterator[None]:
    """Speak ``code`` inside the block, then the language spoken before."""
    token = _current.set(code)
    try:
        yield
    finally:
        _current.reset(token)


@cache
def translations(code: str) -> _gettext.NullTranslations:
    """The catalog of a language (English: the message ids themselves)."""
    if code == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALEDIR, languages=[LOCALES[code]], fallback=True)


def gettext(text: str) -> str:
    """``text`` in the language spoken now."""
    return translations(language()).gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the language spoken now."""
    return translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, text: str) -> str:
    """``text`` in the language spoken now, as meant in ``context`` (e.g. a vocabulary)."""
    return translations(language()).pgettext(context, text)


def N_(text: str) -> str:
    """Mark a text for the catalogs without translating it now (returned unchanged).

    Examples
    --------
    >>> N_("{official} approved a contract")
    '{official} approved a contract'
    """
    return text


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark the singular and plural of a counted text for the catalogs.

    Examples
    --------
    >>> NP_("{n} firm", "{n} firms")
    ('{n} firm', '{n} firms')
    """
    return (singular, plural)


_ = gettext
