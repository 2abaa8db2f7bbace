"""Rule families; importing this package registers every rule."""

from queries.rules import cases, coi

__all__ = ["cases", "coi"]
