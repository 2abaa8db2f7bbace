"""pyvis, fenced in: it assembles the vis-network node and edge objects, nothing more.

What pyvis is allowed to do here is build its ``Network`` from records we
have already made safe. What it is not allowed to do: render a page (its
templates fetch from CDNs and switch to ``innerHTML`` popups when a title
contains ``href``), read a networkx graph (``from_nx`` mutates the caller's
graph), or see a ``title`` (tooltips are built by our page script as text).
Its node lookups are lists (quadratic on thousands of nodes), so the id list
is swapped for one with constant-time membership.

Examples
--------
>>> nodes, edges = vis_objects(
...     [{"id": "P1", "label": "张三", "shape": "dot", "color": "#4e79a7", "tip": "x"},
...      {"id": 2, "label": "B", "shape": "dot", "color": "#4e79a7", "tip": "y"}],
...     [{"id": "e1", "from": "P1", "to": 2, "arrows": "to", "tip": "z"}])
>>> [n["id"] for n in nodes], edges[0]["from"], edges[0]["to"]
(['P1', 2], 'P1', 2)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any


class _IdList(list[Hashable]):
    """pyvis's ``node_ids`` list, with set-backed membership tests."""

    def __init__(self) -> None:
        super().__init__()
        self._members: set[Hashable] = set()

    def append(self, item: Hashable) -> None:
        super().append(item)
        self._members.add(item)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def vis_objects(nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """vis-network node and edge objects built by pyvis from ready records.

    Each node record has ``id``, ``label``, ``shape``, ``color`` and any other
    vis options; each edge record ``from``, ``to`` and options. A ``title``
    is refused: tooltips are the page script's job.
    """
    from pyvis.network import Network  # type: ignore[import-untyped]

    net = Network(directed=True, cdn_resources="in_line")
    net.node_ids = _IdList()
    for record in nodes:
        n = dict(record)
        if "title" in n:
            raise ValueError("node titles are not passed to pyvis; use 'tip' (plain text)")
        nid, label, shape, color = n.pop("id"), n.pop("label"), n.pop("shape"), n.pop("color")
        net.add_node(nid, label=label, shape=shape, color=color, **n)
    for record in edges:
        e = dict(record)
        if "title" in e:
            raise ValueError("edge titles are not passed to pyvis; use 'tip' (plain text)")
        net.add_edge(e.pop("from"), e.pop("to"), **e)
    return list(net.nodes), list(net.edges)
