"""Input limits: how large a field, a line, a header, a workbook, a nesting or a mapping may be.

Every reader checks these while it streams its input, before memory grows, and
refuses (or sets aside) what goes beyond them with a message that names the file,
the line (or zip member, JSON record), the limit and how to raise it.

====================================  =========  ===========================================
environment variable (limit)          default    what it bounds
====================================  =========  ===========================================
``UMBRELLA_MAX_FIELD_CHARS``          131,072    one CSV field or one .xlsx cell, in
(``field_chars``)                                characters: the row is set aside
``UMBRELLA_MAX_LINE_BYTES``           16 MiB     one physical line of a CSV file (the file
(``line_bytes``)                                 is refused) or of a JSON-lines file (the
                                                 line is set aside); one record of a JSON
                                                 document read as a stream (refused)
``UMBRELLA_MAX_COLUMNS``              1,000      columns of a header (CSV, .xlsx, export)
(``columns``)
``UMBRELLA_MAX_XLSX_BYTES``           1 GiB      uncompressed size of all the parts of an
(``xlsx_bytes``)                                 .xlsx workbook, checked before it is opened
``UMBRELLA_MAX_RATIO``                100        uncompressed / compressed size of one part
(``ratio``)                                      of an .xlsx (parts over 1 MiB; checked before
                                                 it is opened), or of a ``.gz`` JSON source
                                                 (once past 1 MiB, as it streams)
``UMBRELLA_MAX_DEPTH``                100        nesting of a JSON value, and of a YAML
(``depth``)                                      mapping file
``UMBRELLA_MAX_YAML_ALIASES``         100        aliases (``*name``) in a mapping file
(``yaml_aliases``)
``UMBRELLA_MAX_YAML_BYTES``           1 MiB      size of a mapping file
(``yaml_bytes``)
====================================  =========  ===========================================

The defaults leave room for genuine exports (Excel itself holds at most 32,767
characters in a cell; the sheets openpyxl writes compressed 8-27 times when measured
here; an OCDS release nests about ten levels) and stop hostile files early: a 1 GB
line, a zip bomb (a few KB that inflate to gigabytes), JSON nested 100,000 deep, a
YAML "billion laughs".

They are raised through environment variables (``UMBRELLA_MAX_LINE_BYTES=64M``;
``K``, ``M`` and ``G`` count 1024s), not command-line options, because they are a
site's policy rather than a property of one load: one setting then holds for every
command and entry point that reads input (``load`` of a folder, a mapping or a
standard, ``map --template``, the Python functions), and a refusal can name the one
thing to set. Python callers and tests can also use :func:`override`.

Examples
--------
>>> limit("columns")
1000
>>> with override(columns=20):
...     limit("columns")
20
>>> parse_size("16M"), parse_size("1_000")
(16777216, 1000)
>>> err = over("columns", "p.csv: line 1: the header has 2,000 columns, over "
...            + describe("columns"), 2000)
>>> print(err)
p.csv: line 1: the header has 2,000 columns, over the limit of 1,000 columns (UMBRELLA_MAX_COLUMNS)
>>> err.hint
'if the file is genuine, raise the limit: set UMBRELLA_MAX_COLUMNS=2048 (environment ...) and ...'
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from graph.errors import InputError
from lang import N_, _


@dataclass(frozen=True)
class Limit:
    """One input limit: its name, default, unit and what it bounds."""

    name: str
    default: int
    unit: str
    what: str

    @property
    def env(self) -> str:
        """The environment variable that overrides it."""
        return "UMBRELLA_MAX_" + self.name.upper()


_KI, _MI, _GI = 1024, 1024**2, 1024**3
LIMITS: dict[str, Limit] = {lim.name: lim for lim in (
    Limit("field_chars", 131_072, "characters", "one CSV field or one .xlsx cell"),
    Limit("line_bytes", 16 * _MI, "bytes",
          "one line of a CSV or JSON-lines file, or one record of a JSON document"),
    Limit("columns", 1_000, "columns", "columns of a header"),
    Limit("xlsx_bytes", 1 * _GI, "bytes", "uncompressed size of an .xlsx workbook"),
    Limit("ratio", 100, "times", "compression ratio of an .xlsx part or a .gz source"),
    Limit("depth", 100, "levels", "nesting of a JSON value or a YAML mapping"),
    Limit("yaml_aliases", 100, "aliases", "aliases in a mapping file"),
    Limit("yaml_bytes", 1 * _MI, "bytes", "size of a mapping file"),
)}
#: Parts of an .xlsx (or the start of a .gz source) smaller than this, uncompressed, are not
#: held to ``ratio``.
RATIO_GRACE = 1 * _MI

_overrides: dict[str, int] = {}


def parse_size(text: str) -> int:
    """A whole number (0 or more), optionally with ``K``, ``M`` or ``G`` (1024s) after it.

    Raises ``ValueError`` for anything else.

    Examples
    --------
    >>> parse_size("64k"), parse_size("2G")
    (65536, 2147483648)
    """
    m = re.fullmatch(r"\s*([0-9][0-9_]*)\s*([kKmMgG]?)(?:i?[bB])?\s*", text)
    if m is None:
        raise ValueError(text)
    return int(m.group(1)) * {"": 1, "k": _KI, "m": _MI, "g": _GI}[m.group(2).lower()]


def limit(name: str) -> int:
    """The value of limit ``name`` now: an :func:`override`, else its variable, else the
    default. A variable that is not a whole number raises :class:`~graph.errors.InputError`.

    Examples
    --------
    >>> import os
    >>> os.environ["UMBRELLA_MAX_DEPTH"] = "64"
    >>> limit("depth")
    64
    >>> del os.environ["UMBRELLA_MAX_DEPTH"]
    """
    if name in _overrides:
        return _overrides[name]
    lim = LIMITS[name]
    return env_size(lim.env, lim.default, lim.unit)


def env_size(env: str, default: int, unit: str = "bytes") -> int:
    """The size environment variable ``env`` sets (:func:`parse_size`), else ``default``.
    A value that is not a whole number raises :class:`~graph.errors.InputError`.

    Examples
    --------
    >>> import os
    >>> os.environ["UMBRELLA_CHUNK_BYTES"] = "64M"
    >>> env_size("UMBRELLA_CHUNK_BYTES", 0)
    67108864
    >>> del os.environ["UMBRELLA_CHUNK_BYTES"]
    """
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    try:
        return parse_size(raw)
    except ValueError:
        raise InputError(_("{env}={value!r} is not a whole number").format(env=env, value=raw),
                         hint=_(UNSET_HINTS[unit]).format(env=env, n=default)) from None


@contextmanager
def override(**values: int) -> Iterator[None]:
    """Use other limits inside the ``with`` block (all threads; for library callers, tests).

    Examples
    --------
    >>> with override(depth=5, field_chars=10):
    ...     limit("depth"), limit("field_chars")
    (5, 10)
    >>> limit("depth")
    100
    """
    unknown = set(values) - set(LIMITS)
    if unknown:
        raise KeyError(f"no such limit: {', '.join(sorted(unknown))}")
    before = dict(_overrides)
    _overrides.update(values)
    try:
        yield
    finally:
        _overrides.clear()
        _overrides.update(before)


class LimitError(InputError):
    """An input goes beyond one of the :data:`LIMITS`; ``limit`` names which."""

    def __init__(self, message: str, hint: str, name: str) -> None:
        super().__init__(message, hint)
        self.limit = name


def _suggest(found: int | None, current: int) -> int:
    """A value of the limit that would let ``found`` through: the next power of two."""
    target = max(found or 0, current) + 1
    return 1 << (target - 1).bit_length()


def raise_hint(name: str, found: int | None = None) -> str:
    """How to raise limit ``name`` so that ``found`` passes (a sentence).

    Examples
    --------
    >>> raise_hint("depth", 150)
    'if the file is genuine, raise the limit: set UMBRELLA_MAX_DEPTH=256 (environment ...'
    """
    lim = LIMITS[name]
    return _("if the file is genuine, raise the limit: set {env}={value} (environment "
             "variable) and load again").format(env=lim.env, value=_suggest(found, limit(name)))


def describe(name: str) -> str:
    """``the limit of N unit (VARIABLE)``, with the value in force.

    Examples
    --------
    >>> describe("line_bytes")
    'the limit of 16,777,216 bytes (UMBRELLA_MAX_LINE_BYTES)'
    """
    lim = LIMITS[name]
    return _(LIMIT_PHRASES[lim.unit]).format(n=limit(name), env=lim.env)


#: The limit in force, by the unit it counts (:func:`describe`).
LIMIT_PHRASES = {
    "characters": N_("the limit of {n:,} characters ({env})"),
    "bytes": N_("the limit of {n:,} bytes ({env})"),
    "columns": N_("the limit of {n:,} columns ({env})"),
    "times": N_("the limit of {n:,} times ({env})"),
    "levels": N_("the limit of {n:,} levels ({env})"),
    "aliases": N_("the limit of {n:,} aliases ({env})"),
}

#: How to set a limit's variable right, by the unit it counts (:func:`limit`).
UNSET_HINTS = {
    "characters": N_("set {env} to a number of characters such as {n} (K, M, G count 1024s), "
                     "or unset it"),
    "bytes": N_("set {env} to a number of bytes such as {n} (K, M, G count 1024s), or unset it"),
    "columns": N_("set {env} to a number of columns such as {n} (K, M, G count 1024s), or "
                  "unset it"),
    "times": N_("set {env} to a number of times such as {n} (K, M, G count 1024s), or unset "
                "it"),
    "levels": N_("set {env} to a number of levels such as {n} (K, M, G count 1024s), or unset "
                 "it"),
    "aliases": N_("set {env} to a number of aliases such as {n} (K, M, G count 1024s), or "
                  "unset it"),
}


def too_long_message(column: str, n: int) -> str:
    """Why a row was set aside whose field ``column`` holds ``n`` characters, over the field
    limit, and how to let it through.

    Examples
    --------
    >>> too_long_message("name", 200_000)[:60]
    'name holds 200,000 characters, over the limit of 131,072 cha'
    """
    return _("{column} holds {n:,} characters, over {limit}; {hint}").format(
        column=column, n=n, limit=describe("field_chars"), hint=raise_hint("field_chars", n))


def over(name: str, message: str, amount: int | None = None) -> LimitError:
    """The error for an input going beyond limit ``name``.

    ``message`` says where (file, line or part) and what was found, in a whole sentence
    in the language spoken now that names the limit (:func:`describe`); ``amount``, when
    known, is the size found, so that the hint can suggest a value that lets it through.

    Examples
    --------
    >>> err = over("depth", "r.json: line 1, column 9: JSON nested 101 levels deep, over "
    ...            + describe("depth"), 101)
    >>> err.limit, err.hint[-64:]
    ('depth', 'set UMBRELLA_MAX_DEPTH=128 (environment variable) and load again')
    """
    return LimitError(message, raise_hint(name, amount), name)
