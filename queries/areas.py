"""Risk by area: findings, confirmed cases, tip-offs and money at stake per township and
village, per government body, per sector, each against the county's own rate.

A finding belongs to the areas of the entities it names (its ``keys``), once per area
however many of its entities sit there:

- **region** (levels ``township`` and ``village``): where each named person,
  organisation, contract and payment sits, as :mod:`queries.places` reads it from names,
  addresses, ``region`` and posts;
- **agency**: the government body (``agency``) at or above each named organisation
  (a village committee counts for its township government), the bodies where each named
  person holds or held a post, the body that bought a named contract or paid a named
  payment;
- **sector**: the finding's ``sector``, else the sectors of the contracts and payments it
  names.

Each area has its **heads**: the people and organisations of the area in the graph (no
population is recorded in the data layout): the persons and organisations placed there;
an agency's staff (persons with a post there or in a body under it) and the bodies under
it; a sector's parties (buyers, payers, approvers, suppliers and recipients of its
contracts and payments). The county's rate is findings per head over all areas of a level;
an area's ratio to it is shrunk by a Poisson-Gamma empirical-Bayes estimate
(:mod:`queries.baseline`), so a big township is not first for being big and a small
village is not first for one finding. Areas rank by that ratio.

Findings triaged ``dismissed`` are left out (``dismissed=True`` keeps them); confirmed
ones are counted in ``confirmed``. Tip-offs are the reports (``reports`` table) whose
subject sits in the area, or, by sector, the reports of that sector. Money at stake is
the amount of the contracts and payments the area's findings name, each counted once
(amounts in yuan; rows in another currency are left out).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, open_store
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "case.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张三", {"address": "东滩镇大湾村3组"}),
...                     EntityRecord("p:2", "person", "李四", {"address": "沙河乡新街1号"})])
...     w.replace_findings([{"id": "F-1", "rule": "SUB-001", "category": "subsidy_fraud",
...                          "score": 0.8, "title": "t", "keys": ["p:1"]}], ["SUB-001"])
>>> m = area_map(store.view(), "region")
>>> [(a.name, a.level, a.findings, a.heads) for a in m.areas]
[('东滩镇', 'township', 1, 1), ('沙河乡', 'township', 0, 1), ('东滩镇 大湾村', 'village', 1, 1)]
>>> store.close()
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.errors import UmbrellaError
from graph.schema import kind_of_key
from graph.store import StoreView
from lang import _
from queries.baseline import shrink
from queries.findings import CATEGORIES
from queries.frames import Frames
from queries.places import area_keys, place

#: The ways of cutting the county into areas.
BY = ("region", "agency", "sector")
#: The levels of each cut, in the order they are listed.
LEVELS = {"region": ("township", "village"), "agency": ("agency",), "sector": ("sector",)}
#: How far up the bodies above an organisation are followed.
MAX_PARENTS = 8


@dataclass(frozen=True)
class Area:
    """One area: its findings (count, summed scores, by category), confirmed findings,
    tip-offs, money at stake, heads, and its ratio to the county's rate with the 95 %
    credible interval (``rank``: by that ratio within its level, 1 = highest)."""

    key: str
    name: str
    level: str
    rank: int
    findings: int
    weight: float
    confirmed: int
    tipoffs: int
    money: float
    heads: int
    expected: float
    raw: float
    ratio: float
    low: float
    high: float
    categories: Mapping[str, tuple[int, float]] = field(default_factory=dict)
    finding_ids: tuple[str, ...] = ()

    @property
    def money_per_head(self) -> float:
        """Money at stake over the area's heads."""
        return self.money / self.heads if self.heads else 0.0


@dataclass(frozen=True)
class AreaMap:
    """Every area of one cut (``by``), ranked within each level; ``categories`` the
    finding categories seen; ``counted`` findings counted in at least one area,
    ``unplaced`` those in none, ``dismissed`` those left out; ``rates`` the county's
    findings per head of each level."""

    by: str
    areas: list[Area]
    categories: list[str]
    counted: int
    unplaced: int
    dismissed: int
    rates: dict[str, float]

    def area(self, key: str) -> Area | None:
        """The area of ``key`` (None when there is none)."""
        return next((a for a in self.areas if a.key == key), None)


class _Cut:
    """The areas of each entity, the heads and names of each area, for one ``by``."""

    def __init__(self) -> None:
        self.of: dict[str, list[str]] = {}
        self.heads: Counter[str] = Counter()
        self.names: dict[str, str] = {}
        self.tipoffs: Counter[str] = Counter()

    def level(self, area: str) -> str:
        return area.partition(":")[0]


def area_map(view: StoreView, by: str = "region", statuses: Mapping[str, str] | None = None,
             *, dismissed: bool = False, frames: Frames | None = None) -> AreaMap:
    """The areas of ``view``'s county cut ``by`` region, agency or sector, with the
    stored findings counted in them; ``statuses``: finding id -> current triage status
    (:func:`queries.triage.current_statuses`), None when nothing was triaged."""
    if by not in BY:
        raise UmbrellaError(_("unknown area cut {by}").format(by=repr(by)),
                            hint=_("use one of {choices}").format(choices=", ".join(BY)))
    own = frames is None
    fr = frames or Frames(view)
    try:
        cut = {"region": _regions, "agency": _agencies, "sector": _sectors}[by](fr)
        return _count(view, fr, cut, by, statuses or {}, dismissed)
    finally:
        if own:
            fr.close()


def _rows(fr: Frames, kind: str, cols: Sequence[str]) -> list[tuple[Any, ...]]:
    f = fr.ents(kind)
    if f.empty:
        return []
    got = [f[c].tolist() if c in f.columns else [None] * len(f) for c in ("key", *cols)]
    return list(zip(*got, strict=True))


def _pairs(fr: Frames, type_: str) -> list[tuple[str, str]]:
    f = fr.rel(type_)
    if f.empty:
        return []
    return list(zip(f["src"].astype(str).tolist(), f["dst"].astype(str).tolist(), strict=True))


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def _orgs(fr: Frames) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Organisation key -> (name, kind), and -> the body above it."""
    orgs = {str(k): (_text(n), _text(kd)) for k, n, kd in _rows(fr, "organization",
                                                                 ("name", "kind"))}
    return orgs, dict(_pairs(fr, "PART_OF"))


def _up(key: str, parent: Mapping[str, str]) -> Iterable[str]:
    """``key`` and the bodies above it, nearest first."""
    seen: set[str] = set()
    while key and key not in seen and len(seen) <= MAX_PARENTS:
        seen.add(key)
        yield key
        key = parent.get(key, "")


def _regions(fr: Frames) -> _Cut:
    cut = _Cut()
    orgs, parent = _orgs(fr)
    cache: dict[str, tuple[str | None, str | None]] = {}

    def at(text: Any) -> tuple[str | None, str | None]:
        t = _text(text)
        if t not in cache:
            cache[t] = place(t)
        return cache[t]

    own: dict[str, tuple[str | None, str | None]] = {}
    for key, name, kind, address, region in _rows(fr, "organization",
                                                  ("name", "kind", "address", "region")):
        if kind in ("agency", "village_committee"):
            own[str(key)] = at(name)
        else:
            own[str(key)] = next((p for p in (at(address), at(name), at(region)) if p[0]),
                                 (None, None))
    org_place: dict[str, tuple[str | None, str | None]] = {}
    for key in own:
        org_place[key] = next((own[k] for k in _up(key, parent) if own.get(k, (None,))[0]),
                              (None, None))
    post: dict[str, tuple[str | None, str | None]] = {}
    for person, org in sorted(_pairs(fr, "HOLDS_POST")):
        if person not in post and org_place.get(org, (None,))[0]:
            post[person] = org_place[org]
    for key in orgs:
        areas = area_keys(*org_place.get(key, (None, None)))
        if areas:
            cut.of[key] = areas
            cut.heads.update(areas)
    for key, address, region in _rows(fr, "person", ("address", "region")):
        key = str(key)
        p = at(address)
        if not p[0]:
            p = at(region)
        if not p[0]:
            p = post.get(key, (None, None))
        areas = area_keys(*p)
        if areas:
            cut.of[key] = areas
            cut.heads.update(areas)
    _through_bodies(fr, cut)
    for area in cut.heads:
        level, _colon, name = area.partition(":")
        cut.names[area] = name.replace("/", " ") if level == "village" else name
    _tipoffs(fr, cut)
    return cut


def _through_bodies(fr: Frames, cut: _Cut) -> None:
    """Contracts and payments sit where the body that bought or paid them sits."""
    for type_ in ("BOUGHT", "PAID"):
        for org, thing in _pairs(fr, type_):
            if org in cut.of and thing not in cut.of:
                cut.of[thing] = cut.of[org]


def _tipoffs(fr: Frames, cut: _Cut) -> None:
    for _report, subject in _pairs(fr, "REPORTED"):
        for area in cut.of.get(subject, []):
            cut.tipoffs[area] += 1


def _agencies(fr: Frames) -> _Cut:
    cut = _Cut()
    orgs, parent = _orgs(fr)
    body: dict[str, str] = {}
    for key in orgs:
        found = next((k for k in _up(key, parent) if orgs.get(k, ("", ""))[1] == "agency"), "")
        if found:
            body[key] = found
            cut.of[key] = [f"agency:{found}"]
    staff: dict[str, set[str]] = defaultdict(set)
    for person, org in _pairs(fr, "HOLDS_POST"):
        if org in body:
            staff[person].add(f"agency:{body[org]}")
    for person, bodies in staff.items():
        cut.of[person] = sorted(bodies)
    for areas in cut.of.values():
        cut.heads.update(areas)
    for area in cut.heads:
        cut.names[area] = orgs[area.partition(":")[2]][0]
    _through_bodies(fr, cut)
    _tipoffs(fr, cut)
    return cut


def _sectors(fr: Frames) -> _Cut:
    cut = _Cut()
    sector: dict[str, str] = {}
    for kind in ("contract", "payment"):
        for key, s in _rows(fr, kind, ("sector",)):
            if _text(s):
                sector[str(key)] = _text(s)
                cut.of[str(key)] = [f"sector:{_text(s)}"]
    parties: dict[str, set[str]] = defaultdict(set)
    for type_, thing_end in (("BOUGHT", 1), ("APPROVED", 1), ("AWARDED_TO", 0),
                             ("PAID", 1), ("PAID_TO", 0)):
        for src, dst in _pairs(fr, type_):
            thing, party = (dst, src) if thing_end == 1 else (src, dst)
            if thing in sector:
                parties[sector[thing]].add(party)
    for s, who in parties.items():
        cut.heads[f"sector:{s}"] = len(who)
    for _key, s in _rows(fr, "report", ("sector",)):
        if _text(s):
            cut.tipoffs[f"sector:{_text(s)}"] += 1
    for s in sector.values():
        cut.heads.setdefault(f"sector:{s}", 0)
    for area in list(cut.heads) + list(cut.tipoffs):
        cut.names[area] = area.partition(":")[2]
    return cut


def _money(fr: Frames) -> dict[str, float]:
    out: dict[str, float] = {}
    for kind in ("contract", "payment"):
        for key, amount, currency in _rows(fr, kind, ("amount", "currency")):
            cur = _text(currency).upper()
            if amount is not None and amount == amount and cur in ("", "CNY", "RMB"):
                out[str(key)] = float(amount)
    return out


def _count(view: StoreView, fr: Frames, cut: _Cut, by: str, statuses: Mapping[str, str],
           dismissed: bool) -> AreaMap:
    money = _money(fr)
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    counted = unplaced = left_out = 0
    seen: list[str] = []
    for f in view.findings():
        status = statuses.get(str(f["id"]), "new")
        if status == "dismissed" and not dismissed:
            left_out += 1
            continue
        keys = [str(k) for k in f.get("keys", [])]
        if by == "sector" and f.get("sector"):
            areas = [f"sector:{f['sector']}"]
            cut.names.setdefault(areas[0], str(f["sector"]))
        else:
            areas = list(dict.fromkeys(a for k in keys for a in cut.of.get(k, [])))
        if not areas:
            unplaced += 1
            continue
        counted += 1
        category = str(f.get("category", ""))
        if category not in seen:
            seen.append(category)
        entry = {"id": str(f["id"]), "score": float(f.get("score", 0.0)),
                 "category": category, "confirmed": status == "confirmed",
                 "things": [k for k in keys if kind_of_key(k) in ("contract", "payment")]}
        for a in areas:
            found[a].append(entry)
    every = set(cut.heads) | set(found) | set(cut.tipoffs)
    areas_out: list[Area] = []
    rates: dict[str, float] = {}
    for level in LEVELS[by]:
        keys = sorted(a for a in every if cut.level(a) == level)
        observed = [len(found.get(a, [])) for a in keys]
        heads = [cut.heads.get(a, 0) for a in keys]
        estimates = shrink(observed, heads)
        total_heads = sum(max(h, 1) for h in heads)
        rates[level] = sum(observed) / total_heads if total_heads else 0.0
        level_areas = []
        for a, est in zip(keys, estimates, strict=True):
            fs = found.get(a, [])
            cats: dict[str, tuple[int, float]] = {}
            for x in fs:
                n, w = cats.get(x["category"], (0, 0.0))
                cats[x["category"]] = (n + 1, w + x["score"])
            things = {t for x in fs for t in x["things"]}
            level_areas.append(Area(
                a, cut.names.get(a, a.partition(":")[2]), level, 0, len(fs),
                round(sum(x["score"] for x in fs), 6), sum(1 for x in fs if x["confirmed"]),
                cut.tipoffs.get(a, 0), round(sum(money.get(t, 0.0) for t in things), 2),
                est.heads, est.expected, est.raw, est.ratio, est.low, est.high, cats,
                tuple(x["id"] for x in fs)))
        level_areas.sort(key=lambda x: (-x.ratio, -x.findings, x.name))
        areas_out += [_ranked(x, i + 1) for i, x in enumerate(level_areas)]
    order = [c for c in CATEGORIES if c in seen] + [c for c in seen if c not in CATEGORIES]
    return AreaMap(by, areas_out, order, counted, unplaced, left_out, rates)


def _ranked(a: Area, rank: int) -> Area:
    from dataclasses import replace

    return replace(a, rank=rank)
