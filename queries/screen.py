"""Conflict-of-interest questions on demand: which ties join two sets of entities on a day.

Before a contract is awarded or a case assigned, the question is not "what did the
scan find" but "is anyone on this side tied to anyone on that side, today": a buying
body and the bidders of a tender, a case and the officials proposed to handle it, an
official and a list of companies. :func:`screen` answers it from the store with the
path search of ``umbrella path`` (:func:`queries.paths.search`), run once per entity
of the right-hand side from all of the left-hand side at once, through:

- kin (chains of at most ``max_kin_hops`` kin ties in a row),
- company roles (ownership and management: shareholder, legal representative, ...),
- known associations,
- posts: an organization given on either side stands for the people holding a post in
  it on the day, and a case for its parties; a post is never passed through elsewhere
  (two colleagues are not a conflict of interest).

Only ties in force on the day count. Paths are at most ``max_hops`` ties long and never
pass through hubs (more than ``hub_degree`` ties in force), as in ``umbrella path``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from graph.ids import mask_id_numbers
from graph.schema import CASE_PARTY_ROLES, kind_of_key
from graph.store import StoreView, Tie
from lang.core import N_
from lang.message import Msg, date, names, render
from queries.describe import tie_dates, tie_sentence
from queries.paths import Search, search, steps

#: Tie types a path may pass through anywhere.
THROUGH = ("KIN", "COMPANY_ROLE", "ASSOCIATE")
#: Tie types searched, as the answer names them (``HOLDS_POST``: an organization's staff,
#: ``CASE_ROLE``: a case's parties, only from an entity given on a side).
SEARCHED = ("KIN", "COMPANY_ROLE", "HOLDS_POST", "ASSOCIATE", "CASE_ROLE")
#: What an entity given on a side stands for, by kind: the tie type to its people.
STANDS_FOR = {"organization": "HOLDS_POST", "case": "CASE_ROLE"}
TEXT = {
    "step": N_("{sentence}, {dates} [{sources}]"),
    "step_undated": N_("{sentence} [{sources}]"),
    "label": N_("{name} ({ids})"),
    "searched": N_("Searched: kin (chains of at most {kin} ties), company roles, known "
                   "associations, and the posts and case roles of what was given (a body "
                   "stands for its staff on the day, a case for its parties); paths of at "
                   "most {hops} ties, through no hub of more than {degree} ties."),
    "none": N_("No tie found between {left} and {right} on {day}."),
    "found": N_("Ties between {left} and {right} on {day}"),
    "too_long": N_("{n} shortest path(s) left out: a kin chain longer than {kin} ties."),
    "hubs": N_("Not passed through: {n} hub(s) met on the way: {hubs}."),
}
_LEFT, _RIGHT = "@left", "right"  # the made-up left end; the right side's name


@dataclass
class ScreenPath:
    """One answer: a left entity, a right entity, and the evidence steps joining them
    (:func:`queries.paths.steps`: entity, record, entity, ...)."""

    left: str
    right: str
    steps: list[dict[str, Any]]

    @property
    def ties(self) -> int:
        """How many records the path passes through."""
        return len(self.steps) // 2


@dataclass
class ScreenResult:
    """Every path found, the hubs not passed through, and what was searched."""

    paths: list[ScreenPath] = field(default_factory=list)
    hubs_skipped: list[str] = field(default_factory=list)
    on: str = ""
    max_hops: int = 4
    max_kin_hops: int = 2
    too_long: int = 0  # shortest paths left out for a kin chain longer than max_kin_hops


class _Store:
    """The ties of the day, read once per entity and shared by every search of a screen."""

    def __init__(self, view: StoreView, on: str) -> None:
        self.view, self.on = view, on
        self._ties: dict[str, list[Tie]] = {}
        self._degrees: dict[str, int] = {}
        self._parties: dict[str, bool] = {}

    def ties(self, keys: Sequence[str]) -> dict[str, list[Tie]]:
        ask = [k for k in dict.fromkeys(keys) if k not in self._ties]
        if ask:
            for k in ask:
                self._ties[k] = []
            for t in self.view.ties(ask, self.on):
                self._ties[t.key].append(t)
        return {k: self._ties[k] for k in keys}

    def degrees(self, keys: Sequence[str]) -> dict[str, int]:
        ask = [k for k in dict.fromkeys(keys) if k not in self._degrees]
        if ask:
            self._degrees.update(self.view.tie_degrees(ask, self.on))
        return {k: self._degrees.get(k, 0) for k in keys}

    def is_party(self, rids: Sequence[str]) -> dict[str, bool]:
        """Whether each CASE_ROLE record names a party of its case (not an official)."""
        ask = [r for r in dict.fromkeys(rids) if r not in self._parties]
        if ask:
            recs = self.view.relations_by_id(ask)
            self._parties.update((r, r in recs and recs[r].props.get("role") in
                                  CASE_PARTY_ROLES) for r in ask)
        return {r: self._parties[r] for r in rids}


class _SideTies:
    """The ties one search sees (the ``Ties`` of :func:`queries.paths.search`) from a
    made-up end tied to every entity given on the left to one entity on the right: the
    posts and case roles of what was given (its people: staff, parties), elsewhere only
    :data:`THROUGH`, the same from either end. A side stops growing once the two sides'
    depths add up to ``max_hops``: no path that short is left to find."""

    def __init__(self, store: _Store, left: Sequence[str], right: str, max_hops: int) -> None:
        self.store, self.max_hops = store, max_hops
        self.members = {_LEFT: set(left), _RIGHT: {right}}
        self.depth: dict[str, dict[str, int]] = {_LEFT: {_LEFT: -1}, _RIGHT: {right: 0}}
        self.reached = {_LEFT: -1, _RIGHT: -1}

    def ties(self, keys: Sequence[str], on: str | None = None) -> list[Tie]:
        if not keys:
            return []
        side = _LEFT if keys[0] in self.depth[_LEFT] else _RIGHT
        other = _RIGHT if side == _LEFT else _LEFT
        depth = self.depth[side]
        d = max(depth[k] for k in keys)
        self.reached[side] = max(self.reached[side], d)
        if d >= 0 and d + 1 + self.reached[other] + 1 > self.max_hops:
            return []  # no path of at most max_hops ties is left to find
        out: list[Tie] = []
        if _LEFT in keys:
            out += [Tie(_LEFT, m, "SIDE", "") for m in sorted(self.members[_LEFT])]
        by_key = self.store.ties([k for k in keys if k != _LEFT])
        given = self.members[_LEFT] | self.members[_RIGHT]
        roles = self.store.is_party([t.rid for ts in by_key.values() for t in ts
                                     if t.type == "CASE_ROLE" and (t.key in given or
                                                                   t.other in given)])
        for ts in by_key.values():
            out += [t for t in ts if t.type in THROUGH or _stands_for(t, given, roles)]
        for t in out:
            depth.setdefault(t.other, depth[t.key] + 1)
        return out

    def tie_degrees(self, keys: Sequence[str], on: str | None = None) -> dict[str, int]:
        given = self.members[_LEFT] | self.members[_RIGHT] | {_LEFT}
        found = self.store.degrees([k for k in keys if k not in given])
        return {k: found.get(k, 0) for k in keys}


def _stands_for(t: Tie, given: set[str], parties: dict[str, bool]) -> bool:
    """Whether ``t`` joins an organization or a case given on a side to one of its people
    (either way round: the search grows from both ends)."""
    for end in (t.key, t.other):
        if end in given and STANDS_FOR.get(kind_of_key(end)) == t.type:
            return t.type != "CASE_ROLE" or parties.get(t.rid, False)
    return False


def kin_run(path: Sequence[dict[str, Any]]) -> int:
    """The longest run of kin records in a row on a path of evidence steps.

    Examples
    --------
    >>> kin_run([{"node": "person"}, {"rel": "KIN"}, {"node": "person"}, {"rel": "KIN"},
    ...          {"node": "person"}, {"rel": "COMPANY_ROLE"}, {"node": "organization"}])
    2
    """
    rels = [s["rel"] for s in path if "rel" in s]
    return max((len(list(g)) for kind, g in groupby(rels) if kind == "KIN"), default=0)


def screen(view: StoreView, left: Sequence[str], right: Sequence[str], on: str, *,
           max_hops: int = 4, max_kin_hops: int = 2, hub_degree: int = 100,
           max_paths: int = 3) -> ScreenResult:
    """The paths joining any entity of ``left`` to any of ``right`` (keys) on day ``on``:
    for each right entity, its shortest paths (up to ``max_paths``) from the left side.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import EntityRecord, RelationRecord, open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "s.db")
    >>> with store.writer() as w:
    ...     w.put_entities([EntityRecord("o:1", "organization", "县教育局", {}),
    ...                     EntityRecord("p:1", "person", "张伟", {}),
    ...                     EntityRecord("p:2", "person", "李娜", {}),
    ...                     EntityRecord("o:2", "organization", "某建材公司", {})])
    ...     w.put_relations([
    ...         RelationRecord("r:HOLDS_POST:1", "HOLDS_POST", "p:1", "o:1", "2018-01-01",
    ...                        None, {"title": "局长"}, "/d/positions.csv", 2),
    ...         RelationRecord("r:KIN:1", "KIN", "p:1", "p:2", "2015-05-01", "2021-06-30",
    ...                        {"relation": "spouse"}, "/d/relationships.csv", 2),
    ...         RelationRecord("r:COMPANY_ROLE:1", "COMPANY_ROLE", "p:2", "o:2", "2016-01-01",
    ...                        None, {"role": "legal_rep"}, "/d/company_roles.csv", 3)])
    >>> found = screen(store.view(), ["o:1"], ["o:2"], "2020-03-01")
    >>> [s.get("name") or s["rel"] for s in found.paths[0].steps]
    ['县教育局', 'HOLDS_POST', '张伟', 'KIN', '李娜', 'COMPANY_ROLE', '某建材公司']
    >>> screen(store.view(), ["o:1"], ["o:2"], "2022-03-01").paths  # divorced by then
    []
    >>> store.close()
    """
    result = ScreenResult(on=on, max_hops=max_hops, max_kin_hops=max_kin_hops)
    store = _Store(view, on)
    hubs: set[str] = set()
    for r in dict.fromkeys(right):
        ties = _SideTies(store, left, r, max_hops)
        found = search(ties, _LEFT, r, on, max_paths, hub_degree)
        hubs.update(found.hubs)
        inner = [p[1:] for p in found.nodes if len(p) - 2 <= max_hops]
        for nodes, path in zip(inner, steps(view, Search(inner, found.hops, [])), strict=True):
            if kin_run(path) > max_kin_hops:
                result.too_long += 1
                continue
            result.paths.append(ScreenPath(nodes[0], nodes[-1], path))
    result.hubs_skipped = sorted(hubs)
    result.paths.sort(key=lambda p: (p.ties, p.left, p.right))
    return result


@dataclass(frozen=True)
class ScreenRow:
    """One answer in words: the left and right entities (name and input ids), how many
    ties join them, and each tie as a sentence with its dates and source rows."""

    left: str
    right: str
    ties: int
    path: list[str]


def label(step: dict[str, Any]) -> str:
    """An entity step as ``name (ids)`` (its ids alone when it has no name).

    Examples
    --------
    >>> label({"name": "张伟", "ids": ["P1"]}), label({"name": "", "ids": ["O1", "O2"]})
    ('张伟 (P1)', 'O1/O2')
    """
    ids = "/".join(step["ids"])
    return render(Msg(TEXT["label"], {"name": step["name"], "ids": ids})) if step["name"] \
        else ids


def worded(result: ScreenResult, reveal: bool = False) -> list[ScreenRow]:
    """The answers of :func:`screen` in words, in the language spoken now (identity
    numbers masked unless ``reveal``)."""
    hide = (lambda text: text) if reveal else mask_id_numbers
    rows: list[ScreenRow] = []
    for p in result.paths:
        labels = {s["key"]: label(s) for s in p.steps if "node" in s}
        genders = {s["key"]: s.get("gender") for s in p.steps if "node" in s}
        lines = []
        for s in p.steps:
            if "rel" not in s:
                continue
            sources = ", ".join(f"{r['file']}:{r['line']}" for r in s.get("sources", []))
            dates = tie_dates(s.get("start"), s.get("end"))
            lines.append(hide(render(Msg(TEXT["step"] if dates else TEXT["step_undated"], {
                "sentence": tie_sentence(s, labels, genders), "dates": dates,
                "sources": sources}))))
        rows.append(ScreenRow(hide(labels[p.left]), hide(labels[p.right]), p.ties, lines))
    return rows


def searched(result: ScreenResult, hub_degree: int) -> str:
    """Which ties were searched, in words."""
    return render(Msg(TEXT["searched"], {
        "hops": result.max_hops, "kin": result.max_kin_hops, "degree": hub_degree}))


def side_names(view: StoreView, keys: Sequence[str], reveal: bool = False) -> str:
    """The entities of one side in words (the first four, and how many more)."""
    ents = view.entities_by_key(list(keys))
    shown = [label({"name": ents[k].name, "ids": ents[k].source_ids or [k]})
             if k in ents else k for k in keys]
    text = render(Msg("{x}", {"x": names(shown, 4)}))
    return text if reveal else mask_id_numbers(text)


def day_words(on: str) -> str:
    """A day in the language spoken now."""
    return render(Msg("{d}", {"d": date(on)}))
