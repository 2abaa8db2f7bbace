"""Rule families; importing this package registers every rule."""

from queries.rules import cases, coi, col, sub

__all__ = ["cases", "coi", "col", "sub"]
