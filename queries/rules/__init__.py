"""Rule families; importing this package registers every rule."""

from queries.rules import brk, cases, clu, coi, col, ocp, rings, sub, umb, umb_rate

__all__ = ["brk", "cases", "clu", "coi", "col", "ocp", "rings", "sub", "umb", "umb_rate"]
