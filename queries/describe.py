"""What one thing is, as plain data: an entity, a finding, the paths between two, a case's
recusals.

The library half of ``umbrella show``, ``path``, ``recuse`` and ``demo``: each
function reads the store and returns dataclasses ready to print or serve —
identity numbers masked unless asked, ties sorted by type and date with the
other end labelled, evidence steps turned into sentences the right way round.
Nothing here prints, exits or knows about the command line.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, RelationRecord, open_store
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "d.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张伟", {"id_number": "11010519491231002X"}),
...                     EntityRecord("p:2", "person", "李娜", {})])
...     w.put_relations([RelationRecord("r:KIN:1", "KIN", "p:1", "p:2", "2001-05-01", None,
...                                     {"relation": "spouse"}, "/d/relationships.csv", 2)])
>>> shown = describe_entity(store.view(), "p:1")
>>> shown.props, [(t.type, t.detail, t.direction, t.other) for t in shown.ties]
({'id_number': '110105***********X'}, [('KIN', 'spouse', '→', '李娜')])
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.errors import UmbrellaError
from graph.ids import mask_id_number
from graph.store import StoreView
from lang import _
from lang.core import N_
from lang.message import Msg, date, kin, localized, render, word
from queries.frames import entity_label
from queries.lookup import find_entity


@dataclass(frozen=True)
class NodeStep:
    """An entity on an evidence path: its name (its ids when unnamed), kind, input ids
    (``/``-joined) and source rows (``file:line``, comma-separated)."""

    name: str
    kind: str
    ids: str
    sources: str


@dataclass(frozen=True)
class TieStep:
    """A relationship record on an evidence path: its type, a sentence saying who is what
    to whom, its dates (``from … to …``, blank when open) and source rows."""

    rel: str
    sentence: str
    dates: str
    sources: str


Step = NodeStep | TieStep


#: A kin record in words: the relative is the person's kin (the word by the relative's gender).
KIN_SENTENCE = N_("{relative} is {person}'s {kin}")

#: A relationship record in words, by its type: (without, with) what the record says of
#: the tie (a post's title as written; a company or case role from its vocabulary).
TIE_SENTENCES: dict[str, tuple[str, str]] = {
    "HOLDS_POST": (N_("{a} holds a post at {b}"), N_("{a} holds a post at {b} ({what})")),
    "ASSOCIATE": (N_("{a} is a known associate of {b}"),
                  N_("{a} is a known associate of {b} ({what})")),
    "COMPANY_ROLE": (N_("{a} holds a role in {b}"), N_("{a} holds a role in {b} ({what})")),
    "PART_OF": (N_("{a} is part of {b}"), N_("{a} is part of {b} ({what})")),
    "BOUGHT": (N_("{a} bought {b}"), N_("{a} bought {b} ({what})")),
    "APPROVED": (N_("{a} approved {b}"), N_("{a} approved {b} ({what})")),
    "AWARDED_TO": (N_("{a} was awarded to {b}"), N_("{a} was awarded to {b} ({what})")),
    "BID": (N_("{a} bid on {b}"), N_("{a} bid on {b} ({what})")),
    "PAID": (N_("{a} paid {b}"), N_("{a} paid {b} ({what})")),
    "PAID_TO": (N_("{a} was paid to {b}"), N_("{a} was paid to {b} ({what})")),
    "CASE_ROLE": (N_("{a} stands in case {b}"), N_("{a} stands in case {b} ({what})")),
    "REPORTED": (N_("{a} reports on {b}"), N_("{a} reports on {b} ({what})")),
}
#: A record of a type this table does not know.
TIE_OTHER = (N_("{a} is tied to {b}"), N_("{a} is tied to {b} ({what})"))
#: Where a step's vocabulary words come from (the rest is data, shown as written).
_WHAT_VOCAB = {"COMPANY_ROLE": "company_role", "CASE_ROLE": "case_role"}
#: The dates of a tie in an evidence step.
TIE_DATES = {"both": N_("from {start} to {end}"), "start": N_("from {start}"),
             "end": N_("to {end}")}


def tie_sentence(step: Mapping[str, Any], names: Mapping[str, str],
                 genders: Mapping[str, str | None] | None = None) -> str:
    """A relationship step in words, the right way round, in the language spoken now (a
    kin word by the gender on record, from ``genders``: key -> ``m``/``f``, as the path's
    node steps carry it).

    Examples
    --------
    >>> names = {"p:1": "张伟", "p:6": "张强", "o:1": "县公安局"}
    >>> tie_sentence({"rel": "KIN", "from": "p:6", "to": "p:1", "relation": "parent",
    ...               "meaning": "is kin of"}, names)
    "张伟 is 张强's parent"
    >>> tie_sentence({"rel": "KIN", "from": "p:6", "to": "p:1", "relation": "parent",
    ...               "meaning": "is kin of"}, names, {"p:1": "m", "p:6": "m"})
    "张伟 is 张强's father"
    >>> tie_sentence({"rel": "HOLDS_POST", "from": "p:1", "to": "o:1", "title": "副局长",
    ...               "meaning": "holds a post at"}, names)
    '张伟 holds a post at 县公安局 (副局长)'
    """
    a, b = names.get(step["from"], step["from"]), names.get(step["to"], step["to"])
    if step["rel"] == "KIN" and step.get("relation"):
        g = genders or {}  # a KIN record reads "to is from's relation"
        return render(Msg(KIN_SENTENCE, {"relative": b, "person": a, "kin": kin(
            [str(step["relation"])], [g.get(step["to"])], g.get(step["from"]))}))
    what: Any = step.get("role") or step.get("title") or step.get("relation") or ""
    vocab = _WHAT_VOCAB.get(str(step["rel"]))
    if what and vocab and step.get("role"):
        what = word(vocab, str(what))
    plain, with_what = TIE_SENTENCES.get(str(step["rel"]), TIE_OTHER)
    return render(Msg(with_what if what else plain, {"a": a, "b": b, "what": what}))


def tie_dates(start: str | None, end: str | None) -> str:
    """The dates of a tie in an evidence step ("" when it has none).

    Examples
    --------
    >>> tie_dates("2017-05-12", None), tie_dates(None, None)
    ('from 2017-05-12', '')
    """
    key = "both" if start and end else "start" if start else "end" if end else ""
    if not key:
        return ""
    return render(Msg(TIE_DATES[key], {"start": date(start or ""), "end": date(end or "")}))


def worded_path(path: Sequence[Mapping[str, Any]]) -> list[Step]:
    """An evidence path (the ``path`` of a finding's evidence, or of a path search) in words.

    Examples
    --------
    >>> src = [{"file": "persons.csv", "line": 2}]
    >>> path = [{"node": "person", "key": "p:1", "name": "张伟", "ids": ["P1"], "sources": src},
    ...         {"rel": "HOLDS_POST", "from": "p:1", "to": "o:1", "title": "副局长",
    ...          "meaning": "holds a post at", "start": "2017-05-12", "end": None,
    ...          "sources": [{"file": "positions.csv", "line": 9}]},
    ...         {"node": "organization", "key": "o:1", "name": "", "ids": ["O1"], "sources": []}]
    >>> for step in worded_path(path):
    ...     print(step)
    NodeStep(name='张伟', kind='person', ids='P1', sources='persons.csv:2')
    TieStep(rel='HOLDS_POST', sentence='张伟 holds a post at O1 (副局长)',
            dates='from 2017-05-12', sources='positions.csv:9')
    NodeStep(name='O1', kind='organization', ids='O1', sources='')
    """
    names = {s["key"]: s["name"] or "/".join(s["ids"]) for s in path if "node" in s}
    genders = {s["key"]: s.get("gender") for s in path if "node" in s}
    out: list[Step] = []
    for step in path:
        sources = ", ".join(f"{s['file']}:{s['line']}" for s in step.get("sources", []))
        if "node" in step:
            out.append(NodeStep(names[step["key"]], step["node"], "/".join(step["ids"]),
                                sources))
            continue
        dates = tie_dates(step.get("start"), step.get("end"))
        out.append(TieStep(step["rel"], tie_sentence(step, names, genders), dates, sources))
    return out


@dataclass(frozen=True)
class FindingView:
    """A stored finding with each of its evidence paths in words."""

    finding: dict[str, Any]
    paths: list[list[Step]]


def describe_finding(finding: dict[str, Any]) -> FindingView:
    """A finding (as stored) with its evidence paths worded by :func:`worded_path`.

    Examples
    --------
    >>> f = {"id": "F-1", "evidence": [{"path": [{"node": "person", "key": "p:1",
    ...      "name": "张伟", "ids": ["P1"], "sources": []}]}]}
    >>> describe_finding(f).paths
    [[NodeStep(name='张伟', kind='person', ids='P1', sources='')]]
    """
    shown = localized(finding)
    return FindingView(shown, [worded_path(p["path"]) for p in finding.get("evidence", [])])


@dataclass(frozen=True)
class TieRow:
    """One tie of an entity: type, detail (relation, role or title), ``→`` when the record
    runs from the entity and ``←`` when towards it, the other end's label, dates and
    source rows (``file:line``, space-separated)."""

    type: str
    detail: str
    direction: str
    other: str
    start: str
    end: str
    sources: str


@dataclass(frozen=True)
class EntityView:
    """An entity with its properties, defining rows, ties (the first ``max_ties`` of
    ``ties_total``, by type then date) and the stored findings about it."""

    key: str
    name: str
    kind: str
    ids: list[str]
    props: dict[str, Any]
    defined_by: list[str]
    ties: list[TieRow] = field(default_factory=list)
    ties_total: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)


def describe_entity(view: StoreView, key: str, *, reveal: bool = False,
                    max_ties: int = 200) -> EntityView:
    """An entity (by key): properties sorted by name, the identity number masked unless
    ``reveal``, ties by type, start, end and record id, and its findings, best first.

    See the module's example.
    """
    e = view.get(key)
    if e is None:
        raise UmbrellaError(_("no entity with key '{key}'").format(key=key),
                            hint=_("use an id from the input files, e.g. P0001387"))
    props = dict(e.props)
    if "id_number" in props and not reveal:
        props["id_number"] = mask_id_number(str(props["id_number"]))
    names = {key: e.name}
    ties = sorted(view.neighbours(key), key=lambda r: (r.type, r.start or "", r.end or "",
                                                        r.id))
    rows = []
    for r in ties[:max_ties]:
        other = r.dst if r.src == key else r.src
        if other not in names:
            names[other] = entity_label(view, other)
        detail = r.props.get("relation") or r.props.get("role") or r.props.get("title") or ""
        rows.append(TieRow(r.type, str(detail), "→" if r.src == key else "←", names[other],
                           r.start or "", r.end or "", " ".join(s.short() for s in r.sources)))
    return EntityView(key, e.name, e.kind, e.source_ids, dict(sorted(props.items())),
                      [s.short() for s in e.sources], rows, len(ties), view.findings(key))


def describe(view: StoreView, text: str, *, reveal: bool = False,
             max_ties: int = 200) -> FindingView | EntityView:
    """What ``text`` names: a stored finding (``F-…``), else an entity found by input id,
    key or exact name (:func:`queries.lookup.find_entity`, which raises
    :class:`~graph.errors.UmbrellaError` for an unknown or shared name).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "e.db")
    >>> describe(store.view(), "P404")
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: no entity with id or name 'P404'
    >>> store.close()
    """
    if text.startswith("F-") and (finding := view.finding(text)) is not None:
        return describe_finding(finding)
    return describe_entity(view, find_entity(view, text), reveal=reveal, max_ties=max_ties)


@dataclass(frozen=True)
class PathsView:
    """Explanation paths in words, and the hubs the search did not pass through (how
    many, and the labels of the first five)."""

    paths: list[list[Step]]
    hubs_skipped: int
    hub_labels: list[str]


def describe_paths(view: StoreView, a: str, b: str, *, on: str | None = None,
                   max_paths: int = 3, hub_degree: int = 100, include: set[str] | None = None,
                   exclude: set[str] | None = None) -> PathsView:
    """The shortest explanation paths between what ``a`` and ``b`` name (input ids, keys or
    exact names), worded (:func:`queries.paths.explain_paths` does the search, through the
    tie types ``include`` names, if any, and none that ``exclude`` names).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import EntityRecord, RelationRecord, open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "p.db")
    >>> with store.writer() as w:
    ...     w.put_entities([EntityRecord("p:1", "person", "张伟", {}),
    ...                     EntityRecord("p:2", "person", "李娜", {})])
    ...     w.put_relations([RelationRecord("r:KIN:1", "KIN", "p:1", "p:2", None, None,
    ...                                     {"relation": "spouse"}, "/d/relationships.csv", 2)])
    >>> [s.sentence for s in describe_paths(store.view(), "p:1", "p:2").paths[0]
    ...  if isinstance(s, TieStep)]
    ["李娜 is 张伟's spouse"]
    >>> store.close()
    """
    from queries.paths import explain_paths

    ka, kb = find_entity(view, a), find_entity(view, b)
    result = explain_paths(view, ka, kb, on=on, max_paths=max_paths, hub_degree=hub_degree,
                           include=include, exclude=exclude)
    return PathsView([worded_path(p) for p in result.paths], len(result.hubs_skipped),
                     [entity_label(view, k) for k in result.hubs_skipped[:5]])


@dataclass(frozen=True)
class RecusalRow:
    """One official who should not handle a case: who, acting as what on it (``-`` when
    only holding a post), why (the tie and its dates), to which party, and their posts."""

    official: str
    acting_as: str
    why: str
    party: str
    posts: str


@dataclass(frozen=True)
class RecusalView:
    """A case's label and the officials who must step aside from it."""

    case: str
    rows: list[RecusalRow]


def describe_recusal(view: StoreView, case: str,
                     max_kin_hops: int | None = None) -> RecusalView:
    """Who must step aside from the case ``case`` names (input id or key), labelled:
    :func:`queries.recusal.recusals_from_store` read from the case's neighbourhood.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import AliasRecord, EntityRecord, open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "r.db")
    >>> with store.writer() as w:
    ...     w.put_entities([EntityRecord("case:K1", "case", "某案", {})])
    ...     w.put_aliases([AliasRecord("cases", "K1", "case:K1", "/d/cases.csv", 2)])
    >>> describe_recusal(store.view(), "K1")  # a case with no party: nobody to step aside
    RecusalView(case='某案 (K1)', rows=[])
    >>> store.close()
    """
    from queries.recusal import recusals_from_store

    key = find_entity(view, case)
    lines, frames = recusals_from_store(view, key, max_kin_hops)
    return RecusalView(frames.label(key), [
        RecusalRow(frames.label(x.official), x.acting_role or "-", x.tie, frames.label(x.party),
                   x.posts) for x in lines])


@dataclass(frozen=True)
class FirstLeads:
    """Where to start reading a scan: the best finding, the first and last entities it
    names (input ids), and the case of the best recusal finding (REC-001)."""

    finding: str | None = None
    first: str | None = None
    last: str | None = None
    case: str | None = None


def first_leads(findings: Sequence[Mapping[str, Any]]) -> FirstLeads:
    """The leads worth opening first in ``findings`` (best first, as a scan returns them).

    Examples
    --------
    >>> first_leads([{"id": "F-1", "rule": "COI-001", "entities": ["P1", "C1", "O1"]},
    ...              {"id": "F-2", "rule": "REC-001", "entities": ["P2", "K7", "P3"]}])
    FirstLeads(finding='F-1', first='P1', last='O1', case='K7')
    >>> first_leads([])
    FirstLeads(finding=None, first=None, last=None, case=None)
    """
    top = findings[0] if findings else None
    recusal = next((f for f in findings if f["rule"] == "REC-001"), None)
    return FirstLeads(
        top["id"] if top else None, top["entities"][0] if top else None,
        top["entities"][-1] if top else None,
        recusal["entities"][1] if recusal else None)  # REC-001 names the official, then the case
