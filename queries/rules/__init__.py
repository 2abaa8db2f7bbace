"""Rule families; importing this package registers every rule."""

from queries.rules import coi

__all__ = ["coi"]
