"""The one exception family every room raises.

The command line turns an :class:`UmbrellaError` into a one-line message plus
its ``hint`` and a non-zero exit; the library never prints or exits.
"""

from __future__ import annotations


class UmbrellaError(Exception):
    """Base of every error the library raises on purpose.

    Parameters
    ----------
    message:
        What went wrong, naming the file, line and column where known.
    hint:
        How to fix it, in one sentence.

    Examples
    --------
    >>> err = UmbrellaError("persons.csv: empty file", hint="add the header row")
    >>> str(err)
    'persons.csv: empty file'
    >>> err.hint
    'add the header row'
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(UmbrellaError):
    """An input file cannot be read as a whole (encoding, header, delimiter...)."""


class SchemaError(UmbrellaError):
    """The schema declared in :mod:`graph.schema` is inconsistent."""


class StoreError(UmbrellaError):
    """The store cannot be opened or written."""


class LoadLockedError(StoreError):
    """Another load holds the database's load lock (it is running now)."""


class IncompleteLoadError(StoreError):
    """A load is running, or stopped before it finished: the database holds part of it."""


class AmbiguousIdError(UmbrellaError):
    """An input id names two or more entities (two sources defined it differently)."""
