"""The workbench's areas view: risk by township and village, government body or sector.

``GET /api/areas?by=region|agency|sector`` answers the ranked areas
(:func:`queries.areas.area_map`, the same figures as ``umbrella areas``), with their
ratio to the county's rate and its interval; ``GET /api/areas/strings`` the view's words.
The leads list opens an area's leads: ``/api/findings?area=KEY&by=BY`` keeps the
findings counted in that area (:meth:`Areas.finding_ids`). Each map is kept until the
triage statuses change (a confirmed or dismissed finding changes the counts). Showing
the areas is a ``view`` of ``areas by BY`` in the audit trail.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, open_store
>>> from visualizations.workbench.access import SqliteAccess
>>> path = pathlib.Path(tempfile.mkdtemp()) / "w.db"
>>> store = open_store(path)
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张三", {"address": "东滩镇大湾村3组"})])
...     w.replace_findings([{"id": "F-1", "rule": "SUB-001", "category": "subsidy_fraud",
...                          "score": 0.8, "title": "t", "keys": ["p:1"]}], ["SUB-001"])
>>> store.close()
>>> areas = Areas(SqliteAccess(path))
>>> [(a["name"], a["findings"]) for a in areas.listing("region", None)["areas"]]
[('东滩镇', 1), ('东滩镇 大湾村', 1)]
>>> areas.finding_ids("region", "village:东滩镇/大湾村", None)
['F-1']
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lang import pgettext
from queries.areas import BY, AreaMap, area_map
from visualizations.workbench.access import StoreAccess
from visualizations.workbench.api import ApiError
from visualizations.workbench.trail import Log

Answer = Callable[[Callable[[Request], Any]], Callable[[Request], Awaitable[Response]]]


def ui_strings() -> dict[str, str]:
    """The words of the areas view (``static/areas.js``)."""
    return {
        "areas.tab": pgettext("workbench", "Areas"),
        "areas.by": pgettext("workbench", "Cut by"),
        "areas.by.region": pgettext("workbench", "Township and village"),
        "areas.by.agency": pgettext("workbench", "Government body"),
        "areas.by.sector": pgettext("workbench", "Sector"),
        "areas.col.rank": pgettext("workbench", "Rank"),
        "areas.col.area": pgettext("workbench", "Area"),
        "areas.col.level": pgettext("workbench", "Level"),
        "areas.col.findings": pgettext("workbench", "Findings"),
        "areas.col.weight": pgettext("workbench", "Weight"),
        "areas.col.confirmed": pgettext("workbench", "Confirmed"),
        "areas.col.tipoffs": pgettext("workbench", "Tip-offs"),
        "areas.col.per_head": pgettext("workbench", "Money per head"),
        "areas.col.ratio": pgettext("workbench", "Ratio to the county (95% interval)"),
        "areas.open": pgettext("workbench", "Open the leads of this area"),
        "areas.count": pgettext("workbench", "{n} areas; {counted} findings counted, "
                                "{unplaced} in no area."),
        "areas.filter": pgettext("workbench", "Leads of {area}"),
        "areas.clear": pgettext("workbench", "Show all leads"),
        "areas.none": pgettext("workbench", "No area: the entities name no township, body or "
                               "sector."),
        "areas.level.township": pgettext("area level", "township"),
        "areas.level.village": pgettext("area level", "village"),
        "areas.level.agency": pgettext("area level", "agency"),
        "areas.level.sector": pgettext("area level", "sector"),
    }


class Areas:
    """The area maps of the workbench's store, kept per cut until the statuses change."""

    def __init__(self, access: StoreAccess) -> None:
        self.access = access
        self._maps: dict[str, tuple[tuple[tuple[str, str], ...], AreaMap]] = {}
        self._lock = threading.Lock()

    def map(self, by: str, statuses: Mapping[str, str] | None) -> AreaMap:
        """The map of ``by`` for the current triage ``statuses``."""
        if by not in BY:
            raise ApiError(400, pgettext("workbench", "unknown area cut {by}").format(
                by=repr(by)), pgettext("workbench", "by: region, agency or sector"))
        stamp = tuple(sorted((statuses or {}).items()))
        with self._lock:
            kept = self._maps.get(by)
            if kept is not None and kept[0] == stamp:
                return kept[1]
            made = area_map(self.access.view(), by, statuses or {})
            self._maps[by] = (stamp, made)
            return made

    def listing(self, by: str, statuses: Mapping[str, str] | None) -> dict[str, Any]:
        """The areas of ``by``, ranked within each level, as the view shows them."""
        from visualizations.areas import area_label

        m = self.map(by, statuses)
        return {
            "by": by, "categories": m.categories, "counted": m.counted,
            "unplaced": m.unplaced, "dismissed": m.dismissed, "rates": m.rates,
            "areas": [{"key": a.key, "name": a.name, "label": area_label(a), "level": a.level,
                       "rank": a.rank, "findings": a.findings, "weight": round(a.weight, 4),
                       "confirmed": a.confirmed, "tipoffs": a.tipoffs, "money": a.money,
                       "heads": a.heads, "money_per_head": round(a.money_per_head, 2),
                       "ratio": round(a.ratio, 4), "low": round(a.low, 4),
                       "high": round(a.high, 4),
                       "categories": {c: n for c, (n, _w) in a.categories.items()}}
                      for a in m.areas if a.findings or a.tipoffs],
        }

    def finding_ids(self, by: str, key: str, statuses: Mapping[str, str] | None) -> list[str]:
        """The ids of the findings counted in area ``key`` of ``by``."""
        found = self.map(by, statuses).area(key)
        if found is None:
            raise ApiError(404, pgettext("workbench", "no area {area}").format(area=repr(key)),
                           pgettext("workbench", "open the areas view and pick one"))
        return list(found.finding_ids)


def routes(areas: Areas, answer: Answer, statuses: Callable[[], Mapping[str, str] | None],
           log: Log | None = None) -> list[BaseRoute]:
    """The routes of the areas view, for :func:`~visualizations.workbench.app.create_app`."""
    trail = log or Log(None)

    def listed(r: Request) -> dict[str, Any]:
        by = r.query_params.get("by", "region")
        shown = areas.listing(by, statuses())
        trail.add("view", f"areas by {by}")
        return shown

    return [
        Route("/api/areas/strings", answer(lambda r: ui_strings())),
        Route("/api/areas", answer(listed)),
    ]
