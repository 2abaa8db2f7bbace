"""The views over a store: a finding, an entity's neighbourhood, paths between two entities.

Each returns a :class:`visualizations.builder.GraphPage`; ``page.write(path)``
writes the one self-contained HTML file.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store, EntityRecord, RelationRecord, AliasRecord
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "x.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张三", {}),
...                     EntityRecord("o:1", "organization", "县教育局", {"kind": "agency"})])
...     w.put_aliases([AliasRecord("persons", "P1", "p:1", "persons.csv", 2),
...                    AliasRecord("organizations", "O1", "o:1", "organizations.csv", 2)])
...     w.put_relations([RelationRecord("r1", "HOLDS_POST", "p:1", "o:1", "2019-01-01", None,
...                                     {"title": "局长"}, "positions.csv", 2)])
>>> page = neighbourhood_page(store.view(), "p:1", hops=1)
>>> page.nodes_shown, page.edges_shown
(2, 1)
>>> neighbourhood_page(store.view(), "p:1", hops=1, on="2018-06-01").edges_shown
0
>>> path_page(store.view(), "p:1", "o:1").nodes_shown
2
>>> finding = {"id": "F-1", "rule": "X-1", "title": "张三 at 县教育局", "keys": ["p:1"],
...            "evidence": [{"path": [{"rel": "HOLDS_POST", "id": "r1", "from": "p:1",
...                                    "to": "o:1", "title": "局长"}]}]}
>>> page = finding_page(store.view(), finding)
>>> page.title, page.edges_shown
('张三 at 县教育局', 1)
>>> store.close()
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from graph.errors import UmbrellaError
from graph.schema import kind_of_key
from graph.store import StoreView
from lang import NP_, _
from lang.formats import date as day
from lang.formats import number
from lang.message import localized
from queries.frames import entity_label
from queries.neighbourhood import holds_on, reach
from visualizations.builder import DEFAULT_MAX_NODES, GraphPage, build_page
from visualizations.from_store import (
    entity_node,
    fallback_node,
    nodes_for,
    relation_edge,
    step_edge,
    step_node,
)
from visualizations.records import EdgeRecord, NodeRecord
from visualizations.words import category_word, count_of, counted, listed

HUB_DEGREE = 100
#: Most context ties drawn around one evidence entity, personal ties first.
CONTEXT_TIES = 25
_TIE_ORDER = ("KIN", "ASSOCIATE", "COMPANY_ROLE", "HOLDS_POST", "CASE_ROLE", "APPROVED",
              "AWARDED_TO", "PAID_TO", "BID", "PART_OF", "REPORTED", "BOUGHT", "PAID")


def _hub_note(view: StoreView, hubs: Sequence[str], hub_degree: int, flag: str) -> list[str]:
    if not hubs:
        return []
    names = listed([entity_label(view, h) for h in hubs[:5]], max(len(hubs) - 5, 0))
    return [_("Not expanded: {hubs} with more than {limit} ties ({names}); raise {flag} to "
              "include their ties.").format(hubs=counted(NP_("{n} hub", "{n} hubs"), len(hubs)),
                                            limit=number(hub_degree), names=names, flag=flag)]


def evidence_records(view: StoreView, paths: Sequence[Sequence[Mapping[str, Any]]],
                     context: bool = True, hub_degree: int = HUB_DEGREE,
                     on: str | None = None) -> tuple[list[NodeRecord], list[EdgeRecord], list[str]]:
    """Records for evidence paths (highlighted) and, with ``context``, the other ties of
    their nodes (faded; hubs are not expanded). Returns nodes, edges and notes."""
    edges: list[EdgeRecord] = []
    keys: dict[str, bool] = {}
    steps: dict[str, Mapping[str, Any]] = {}
    for path in paths:
        for step in path:
            if "rel" in step:
                edges.append(step_edge(dict(step), highlight=True))
                keys.setdefault(step["from"], True)
                keys.setdefault(step["to"], True)
            elif "key" in step:
                keys[step["key"]] = True
                steps.setdefault(step["key"], step)
    hubs: list[str] = []
    trimmed: list[tuple[str, int, int]] = []
    if context:
        rank = {t: i for i, t in enumerate(_TIE_ORDER)}
        for key in [k for k, ev in keys.items() if ev]:
            ties = [r for r in view.neighbours(key) if holds_on(r, on)]
            if len(ties) > hub_degree:
                hubs.append(key)
                continue
            ties.sort(key=lambda r: (rank.get(r.type, len(rank)), r.start or "", r.id))
            if len(ties) > CONTEXT_TIES:
                trimmed.append((key, CONTEXT_TIES, len(ties)))
            for r in ties[:CONTEXT_TIES]:
                edges.append(relation_edge(r, faded=True))
                keys.setdefault(r.dst if r.src == key else r.src, False)
    nodes: list[NodeRecord] = []
    for key, e in nodes_for(view, keys).items():
        flags = {"highlight": keys[key], "faded": not keys[key]}
        if e is not None:
            nodes.append(entity_node(e, **flags))
        elif key in steps:
            nodes.append(step_node(dict(steps[key]), **flags))
        else:
            nodes.append(fallback_node(key, **flags))
    notes = [_("Faded: the other ties of the highlighted entities (context only).")] \
        if context else []
    if trimmed:
        whose = [_("{name} ({ties})").format(name=entity_label(view, k),
                                             ties=counted(NP_("{n} tie", "{n} ties"), n))
                 for k, _kept, n in trimmed]
        notes.append(_("Context trimmed to the first {n} ties (kin and roles first) of "
                       "{entities}.").format(n=number(CONTEXT_TIES), entities=listed(whose)))
    return nodes, edges, notes + _hub_note(view, hubs, hub_degree, "--hub-degree")


def finding_page(view: StoreView, finding: str | Mapping[str, Any], *, reveal: bool = False,
                 max_nodes: int = DEFAULT_MAX_NODES, hub_degree: int = HUB_DEGREE,
                 context: bool = True, size_by: str = "degree") -> GraphPage:
    """A finding: its evidence paths highlighted, the surrounding ties faded."""
    if isinstance(finding, str):
        found = view.finding(finding)
        if found is None:
            raise UmbrellaError(
                _("no finding {id} in this database").format(id=repr(finding)),
                hint=_("run umbrella scan first, then use an id it lists (F-...)"))
        finding = found
    finding = localized(finding)
    paths = [p.get("path", []) for p in finding.get("evidence", [])]
    nodes, edges, notes = evidence_records(view, paths, context, hub_degree)
    fields = {"rule": finding.get("rule", ""),
              "category": category_word(str(finding.get("category", ""))),
              "score": f"{float(finding.get('score', 0)):.2f}",
              "date": day(str(finding["date"])) if finding.get("date") else "",
              "id": finding.get("id", ""), "entities": " ".join(finding.get("entities", []))}
    sub = (_("{rule} · {category} · score {score} · {date} · {id} · entities {entities} · a "
             "pattern for review, not an accusation") if fields["date"] else
           _("{rule} · {category} · score {score} · {id} · entities {entities} · a pattern for "
             "review, not an accusation")).format(**fields)
    notes = [_("Highlighted: the evidence ({paths}, each fact with its source file and line in "
               "its tooltip).").format(paths=counted(NP_("{n} path", "{n} paths"), len(paths))),
             *notes]
    return build_page(nodes, edges, title=str(finding.get("title", "")), subtitle=sub,
                      explanation=str(finding.get("explanation", "")), notes=notes,
                      focus=list(finding.get("keys", [])), size_by=size_by,
                      max_nodes=max_nodes, reveal=reveal)


def neighbourhood_page(view: StoreView, key: str, *, hops: int = 2, on: str | None = None,
                       reveal: bool = False, max_nodes: int = DEFAULT_MAX_NODES,
                       hub_degree: int = HUB_DEGREE, size_by: str = "degree") -> GraphPage:
    """An entity and everything within ``hops`` ties of it (ties that hold ``on``)."""
    if view.get(key) is None:
        raise UmbrellaError(_("no entity {id} in this database").format(id=repr(key)),
                            hint=_("give an id from the input files, e.g. P0001387"))
    found = reach(view, key, hops, on, hub_degree, budget=max_nodes)
    ents = nodes_for(view, found.hops)
    nodes = [entity_node(e, highlight=(k == key)) if e else fallback_node(k)
             for k, e in ents.items()]
    edges = [relation_edge(r) for r in found.relations.values()]
    notes = []
    if on:
        notes.append(_("Ties in force on {date} (events dated on or before it).").format(
            date=day(on)))
    if found.stopped_after is not None:
        notes.append(_("Stopped after hop {hop} of {hops}: the nearer hops already hold {n} "
                       "entities (more than --max-nodes).").format(
            hop=number(found.stopped_after), hops=number(hops), n=number(len(found.hops))))
    if found.trimmed:
        kinds = Counter(kind_of_key(k) for k in found.trimmed)
        ring = max(found.hops.values())
        notes.append(_("Left out {n} of the entities {ring} away ({kinds}): the least "
                       "connected, to stay within --max-nodes.").format(
            n=number(len(found.trimmed)), ring=counted(NP_("{n} hop", "{n} hops"), ring),
            kinds=listed([count_of(k, n) for k, n in kinds.most_common()])))
    notes += _hub_note(view, found.hubs, hub_degree, "--hub-degree")
    name = entity_label(view, key)
    around = counted(NP_("{n} hop", "{n} hops"), hops)
    if on:
        title = _("{name}: {hops} around on {date}").format(name=name, hops=around,
                                                            date=day(on))
        subtitle = _("Neighbourhood of {name} on {date}").format(name=name, date=day(on))
    else:
        title = _("{name}: {hops} around").format(name=name, hops=around)
        subtitle = _("Neighbourhood of {name}").format(name=name)
    return build_page(nodes, edges, title=title, subtitle=subtitle, notes=notes, focus=[key],
                      size_by=size_by, max_nodes=max_nodes, reveal=reveal)


def path_page(view: StoreView, a: str, b: str, *, on: str | None = None, max_paths: int = 3,
              reveal: bool = False, max_nodes: int = DEFAULT_MAX_NODES,
              hub_degree: int = HUB_DEGREE, context: bool = True,
              size_by: str = "degree") -> GraphPage:
    """The shortest explanation paths between two entities (as of ``on``), highlighted."""
    from queries.paths import explain_paths

    for k in (a, b):
        if view.get(k) is None:
            raise UmbrellaError(_("no entity {id} in this database").format(id=repr(k)),
                                hint=_("give ids from the input files, e.g. P0001387"))
    result = explain_paths(view, a, b, on=on, max_paths=max_paths, hub_degree=hub_degree)
    nodes, edges, notes = evidence_records(view, result.paths, context, hub_degree, on)
    la, lb = entity_label(view, a), entity_label(view, b)
    if not result.paths:
        ends = nodes_for(view, [a, b])
        nodes = [entity_node(e, highlight=True) for e in ends.values() if e is not None]
        none = (_("No path between {a} and {b} on {date}.") if on else
                _("No path between {a} and {b}.")).format(a=la, b=lb, date=day(on or ""))
        edges, notes = [], [none]
    if result.hubs_skipped:
        notes.append(_("Paths do not pass through the {hubs} with more than {limit} ties met on "
                       "the way (raise --hub-degree to allow them).").format(
            hubs=counted(NP_("{n} hub", "{n} hubs"), len(result.hubs_skipped)),
            limit=number(hub_degree)))
    title = (_("{a} ↔ {b} on {date}") if on else _("{a} ↔ {b}")).format(a=la, b=lb,
                                                                       date=day(on or ""))
    found = counted(NP_("{n} shortest path between them", "{n} shortest paths between them"),
                    len(result.paths))
    if len(result.paths) >= max_paths:
        found = _("{paths} (at most {n})").format(paths=found, n=number(max_paths))
    return build_page(nodes, edges, title=title, subtitle=found, notes=notes, focus=[a, b],
                      size_by=size_by, max_nodes=max_nodes, reveal=reveal)
