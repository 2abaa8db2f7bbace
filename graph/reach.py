"""Reachability in an adjacency mapping, without building a graph object."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def reachable(adj: Mapping[N, Iterable[N]], starts: Iterable[N]) -> set[N]:
    """``starts`` and every node reached from them along ``adj`` (node -> next nodes).

    Examples
    --------
    >>> sorted(reachable({"a": ["b"], "b": ["c"], "c": [], "d": ["a"]}, ["a"]))
    ['a', 'b', 'c']
    """
    found = set(starts)
    stack = list(found)
    while stack:
        for m in adj[stack.pop()]:
            if m not in found:
                found.add(m)
                stack.append(m)
    return found
