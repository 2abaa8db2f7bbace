"""The typed pattern of a seed finding, the places found, the words they are told in.

The methods are described in :mod:`queries.similar`.

Examples
--------
>>> t = Template(("person", "contract"), ((), ()), ("p:1", "c:1"),
...              (TEdge("APPROVED", 0, 1, (), ()),), ((0, 0, 1),), "COI-001", "F-1")
>>> t.steps, t.anchor_kind
(1.0, 'person')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.schema import REL_TYPES
from lang.core import N_
from lang.message import Msg
from lang.message import Template as Text

#: Relationship properties that tell one structure from another (compared exactly).
TELLING: dict[str, tuple[str, ...]] = {
    "KIN": ("relation",), "COMPANY_ROLE": ("role",), "CASE_ROLE": ("role",), "BID": ("status",),
    "LINK": ("via",),
}
#: Telling properties worked out from the graph: a payment made after its recipient's
#: death on record (``yes``/``no``).
DERIVED: dict[str, str] = {"PAID_TO": "after_death"}
#: Relationship properties whose equal values across edges are part of the structure
#: (one bank account collecting for many).
SHARED: dict[str, tuple[str, ...]] = {"PAID_TO": ("bank_account",)}
#: Tie types without a direction of their own (walked both ways).
SYMMETRIC = frozenset({"KIN", "ASSOCIATE"})
#: Node attributes that tell one structure from another, by kind.
NODE_ATTRS: dict[str, tuple[str, ...]] = {
    "organization": ("kind",), "case": ("kind", "outcome"), "person": ("deceased",),
}
#: Relationship types that are events on one day (their start): every lasting tie of an
#: instance must be in force on each of them, as the rules ask of a tie on the award date.
EVENTS = frozenset({"APPROVED", "AWARDED_TO", "BID", "BOUGHT", "PAID", "PAID_TO", "REPORTED"})
#: Largest template (edges) matched; a bigger finding's evidence is cut to its first edges.
MAX_EDGES = 16
#: Edges of one shape (type, ends' kinds, telling properties) kept in a template: a finding
#: listing seven payments of one kind is matched by the shape of two.
MAX_SAME = 2
#: Ties between two people: kin and known association (one may stand for the other).
PERSONAL = frozenset({"KIN", "ASSOCIATE"})
#: Roles a person holds (the end the person is at): the role may be held through kin.
ROLES: dict[str, str] = {"COMPANY_ROLE": "a", "CASE_ROLE": "a", "PAID_TO": "b"}
#: Points of a step by how it matched.
POINTS: dict[str, float] = {"exact": 1.0, "account": 0.5, "relation": 0.75, "kin": 0.75,
                            "prop": 0.5, "time": 0.5, "kin_prop": 0.5, "chain": 0.5,
                            "self": 0.5, "missing": 0.0}
#: Weight of a step by its type: the ties that join people to people and to companies are
#: what a scheme is made of; the approvals, awards, payments and posts around them are
#: common.
WEIGHTS: dict[str, float] = {"KIN": 2.0, "ASSOCIATE": 2.0, "COMPANY_ROLE": 2.0,
                             "CASE_ROLE": 2.0, "PAID_TO": 2.0}


#: A link of two nodes through a shared identifier: an equal phone or address, or one
#: holder of a role in both (``via``: ``phone``, ``address``, or the role: ``legal_rep``...).
LINK = "LINK"
#: The properties whose equal values link two nodes.
LINK_PROPS = ("phone", "address")
#: Most nodes sharing one value or holder for it to be a link (more: a switchboard, an
#: agent's address, a holding company; not walked, like a hub).
SAME_MAX = 10


def weight(type_: str) -> float:
    """The weight of a step of ``type_`` in an instance's score.

    Examples
    --------
    >>> weight("KIN"), weight("APPROVED")
    (2.0, 1.0)
    """
    return 2.0 if type_ == LINK else WEIGHTS.get(type_, 1.0)
#: Weight of a telling attribute of a node against a step.
ATTR_WEIGHT = 0.25
#: Most records a search starts from before only exact matches of the anchor step are used.
LOOSE_MAX = 20000
#: Search steps tried per anchor before the best instance so far is kept.
BUDGET = 400

TEXT: dict[str, Text] = {
    "missing": N_("{step}: missing"),
    "other_prop": N_("{step}: {found} instead of {wanted}"),
    "not_together": N_("{step}: not in force at the same time as the other ties"),
    "other_account": N_("{step}: another bank account than the other payments"),
    "through_kin": N_("{step}: held through the person's {how}, not by the person"),
    "self": N_("{step}: the person himself, no tie to another person"),
    "chain": N_("{step}: through a third person (first tie: {how}), not directly"),
    "other_attr": N_("{node}: {found} instead of {wanted}"),
    "matched": N_("{n} of {total} steps as in {seed}"),
    "step": N_("{a} –{tie}→ {b}"),
    "shared_link": N_("shared {what}"),
    "shared": N_("shares with {seed}: {features}"),
    "differs_count": N_("{feature}: {found} instead of {wanted}"),
    "deceased": N_("deceased"),
    "after_death": N_("after the death on record"),
    "in_life": N_("not after a death on record"),
    "alive": N_("no death on record"),
    "unknown_seed": N_("no finding, entity or case '{seed}'"),
    "unknown_hint": N_("give a finding id (F-..., see umbrella scan), or an input id "
                       "(P0001, K00001, ...) of an entity or case"),
}


@dataclass(frozen=True)
class TEdge:
    """A template edge: relationship type, the variables it runs from and to (as stored),
    its telling properties and its shared-value groups (``(prop, group)``)."""

    type: str
    a: int
    b: int
    props: tuple[tuple[str, str], ...]
    shared: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Template:
    """A finding's evidence as a typed pattern: variables (kinds, attributes, the seed's
    keys), edges, the evidence paths as ``(path, variable or -1, edge or -1)`` steps,
    the rule and the finding's id."""

    kinds: tuple[str, ...]
    attrs: tuple[tuple[tuple[str, str], ...], ...]
    keys: tuple[str, ...]
    edges: tuple[TEdge, ...]
    paths: tuple[tuple[int, int, int], ...]
    rule: str
    seed: str

    @property
    def steps(self) -> float:
        """How many steps an instance is scored on: every edge and every telling attribute."""
        return sum(weight(e.type) for e in self.edges) \
            + ATTR_WEIGHT * sum(len(a) for a in self.attrs)

    @property
    def anchor_kind(self) -> str:
        """The kind of the template's first variable (the subject of the finding)."""
        return self.kinds[0]


@dataclass
class Hit:
    """One place like the seed: score in [0, 1], the entity keys bound (the subject
    first), what matches and what differs (messages), evidence paths of steps as
    findings carry them (nodes and relationship records with their source rows; a step
    the place lacks is ``{"missing": TYPE}``)."""

    score: float
    keys: list[str]
    matches: list[Msg]
    differs: list[Msg]
    evidence: list[list[dict[str, Any]]] = field(default_factory=list)
    method: str = "pattern"
    rows: list[tuple[int, str]] = field(default_factory=list)
    """(template edge, relationship id) of every edge found (pattern hits)."""
    bound: list[str | None] = field(default_factory=list)
    """The key bound to each template variable (pattern hits; None: not found)."""


# -- the seed --------------------------------------------------------------------------


def template_of(finding: Mapping[str, Any], attrs: Mapping[str, tuple[tuple[str, str], ...]]
                | None = None, deaths: Mapping[str, str] | None = None) -> Template:
    """The typed pattern of a stored finding's evidence (``attrs``: node attributes by key,
    ``deaths``: death dates by key).

    Examples
    --------
    >>> f = {"id": "F-1", "rule": "SUB-001", "evidence": [{"path": [
    ...     {"node": "person", "key": "p:1"},
    ...     {"rel": "KIN", "id": "r1", "from": "p:1", "to": "p:2", "relation": "parent"},
    ...     {"node": "person", "key": "p:2"}]}]}
    >>> t = template_of(f)
    >>> t.kinds, t.edges[0].props
    (('person', 'person'), (('relation', 'parent'),))
    """
    attrs = attrs or {}
    var: dict[str, int] = {}
    kinds: list[str] = []
    edges: list[TEdge] = []
    seen: dict[str, int] = {}
    values: dict[tuple[str, Any], int] = {}
    paths: list[tuple[int, int, int]] = []
    shapes: Counter[tuple[Any, ...]] = Counter()
    steps = [(i, s) for i, p in enumerate(finding.get("evidence", []))
             for s in p.get("path", [])]
    for _i, s in steps:
        if "node" in s and s.get("key") and s["key"] not in var:
            var[s["key"]] = len(kinds)
            kinds.append(str(s["node"]))
    last: dict[str, Any] = {}
    for i, s in steps:
        if "node" in s and s.get("key"):
            prop = str(s.get("shared") or "")
            if prop and last.get("shared") == prop and last.get("path") == i \
                    and last.get("key") != s["key"] and len(edges) < MAX_EDGES:
                # two nodes of one path sharing a phone, address...: a link of its own
                rid = f"same:{prop}:{last['key']}:{s['key']}"
                if rid not in seen:
                    seen[rid] = len(edges)
                    edges.append(TEdge(LINK, var[last["key"]], var[s["key"]],
                                       (("via", prop),), ()))
                paths.append((i, -1, seen[rid]))
            paths.append((i, var[s["key"]], -1))
            last = {**s, "path": i}
            continue
        last = {}
        if "rel" not in s or s["rel"] not in REL_TYPES or s.get("from") not in var \
                or s.get("to") not in var:
            continue
        rid = str(s.get("id"))
        if rid not in seen:
            t = str(s["rel"])
            props = tuple((p, str(s[p])) for p in TELLING.get(t, ()) if s.get(p) is not None)
            if t in DERIVED:
                death = (deaths or {}).get(str(s["to"]))
                when = str(s.get("start") or "")
                props += ((DERIVED[t], "yes" if death and when and when > death else "no"),)
            shape = (t, kinds[var[s["from"]]], kinds[var[s["to"]]], props)
            shapes[shape] += 1
            if len(edges) >= MAX_EDGES or shapes[shape] > MAX_SAME:
                continue
            shared = []
            for p in SHARED.get(t, ()):
                if s.get(p):
                    shared.append((p, values.setdefault((p, s[p]), len(values))))
            seen[rid] = len(edges)
            edges.append(TEdge(t, var[s["from"]], var[s["to"]], props, tuple(shared)))
        if rid in seen:
            paths.append((i, -1, seen[rid]))
    keys = sorted(var, key=var.__getitem__)
    # the variables kept: those of the edges kept (all of them when there is no edge)
    kept = sorted({v for e in edges for v in (e.a, e.b)}) if edges else list(range(len(keys)))
    new = {old: i for i, old in enumerate(kept)}
    # a shared value only one edge carries constrains nothing
    used = Counter(g for e in edges for _p, g in e.shared)
    edges = [TEdge(e.type, new[e.a], new[e.b], e.props,
                   tuple((p, g) for p, g in e.shared if used[g] > 1)) for e in edges]
    paths = [(p, new[v] if v >= 0 else -1, i) for p, v, i in paths if v < 0 or v in new]
    return Template(tuple(kinds[v] for v in kept), tuple(attrs.get(keys[v], ()) for v in kept),
                    tuple(keys[v] for v in kept), tuple(edges), tuple(paths),
                    str(finding.get("rule", "")), str(finding.get("id", "")))


