"""``umbrella show`` by part of a name: the workbench's search over the store the command
opened, and the namesakes it finds with what tells them apart.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, open_store
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "n.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "杨雨豪", {"birth_date": "1970-03-01"}),
...                     EntityRecord("p:2", "person", "杨雨", {"region": "城关镇"})])
>>> [(r["key"], r["name"]) for r in namesakes(store.view(), "杨雨")]
[('p:2', '杨雨'), ('p:1', '杨雨豪')]
>>> store.close()
"""

from __future__ import annotations

from typing import Any

from graph.store import StoreView
from visualizations.words import kind_word
from visualizations.workbench.api import Workbench
from visualizations.workbench.search import SearchIndex

#: Most namesakes listed.
MOST = 20


class ViewAccess:
    """The one view a command holds, as the workbench's store access."""

    kind = "cli"

    def __init__(self, view: StoreView) -> None:
        self._view = view

    def view(self) -> StoreView:
        return self._view

    def degrees(self) -> dict[str, int] | None:
        return None

    def close(self) -> None:
        """The command closes its store itself."""


def namesakes(view: StoreView, text: str, most: int = MOST,
              reveal: bool = False) -> list[dict[str, Any]]:
    """What the workbench's search finds for ``text`` (names normalised and partial,
    identity numbers, credit codes and phones exact), at most ``most``: each with its id,
    key, kind, name and ``detail`` (birth date, region, posts held...)."""
    bench = Workbench(ViewAccess(view), SearchIndex.build(view), reveal=reveal)
    found = list(bench.search(text, limit=most)["results"])
    for r in found:  # the kind has its own column
        tail = " · " + kind_word(r["kind"])
        if r["detail"].endswith(tail):
            r["detail"] = r["detail"][:-len(tail)]
        elif r["detail"] == kind_word(r["kind"]):
            r["detail"] = ""
    return found
