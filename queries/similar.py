"""Find more like this: other places in the graph where a finding's structure appears.

Two methods (measured in ``bench/similar.py``, explained in ``docs/similar.md``):

- **Typed-pattern matching** (a finding as the seed): the finding's evidence paths are
  abstracted into a :class:`Template` (each node a variable with its kind and telling
  attributes: an organization's kind, a case's kind and outcome, a person's death on
  record; each relationship record a typed edge with its telling properties: kin
  relation, company role, case role, bid status, and which edges share one bank
  account). Instances are searched from every graph edge that matches the template's
  rarest edge (anchored search), binding one edge at a time, the edge with the fewest
  candidates first, never two variables to one node; all ties of an instance must be in
  force on one common day, as the rules ask. Each instance is scored by how exactly it
  matches: a step present as in the seed counts 1, present but different (another kin
  relation, another role, not in force at the same time, another account) 1/2, missing 0,
  over all steps. What differs is named step by step.
- **Structural role similarity** (an entity or a case as the seed): each node of the
  seed's kind gets a vector of typed-neighbourhood counts (its ties by type, direction,
  telling property and the other end's kind, and the two-step walks of those), and nodes
  are ranked by the cosine of those vectors (log-scaled counts). Hubs (more than
  ``hub`` ties of one type) are not walked through.

Everything is read from the store's tables through the columnar engine
(:class:`queries.engine.Engine`), so it runs the same on the embedded store and Neo4j.

Examples
--------
>>> t = Template(("person", "contract"), ((), ()), ("p:1", "c:1"),
...              (TEdge("APPROVED", 0, 1, (), ()),), ((0, 0, 1),), "COI-001", "F-1")
>>> t.steps, t.anchor_kind
(1.0, 'person')
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.errors import UmbrellaError
from graph.schema import KIN, REL_TYPES
from graph.store import StoreView
from lang.core import N_
from lang.message import Msg, word
from lang.message import Template as Text
from queries.engine import OPEN_END, OPEN_START, Engine

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


# -- the graph as the matcher reads it --------------------------------------------------

Row = tuple[str, str, str, str, str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]
"""(id, src, dst, start, end, telling properties, shared-value properties)."""


class Graph:
    """The typed adjacency the matcher walks, read from the engine's tables once per type.

    Parameters
    ----------
    engine:
        The columnar engine over a store view.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.out: dict[str, dict[str, list[Row]]] = {}
        self.inn: dict[str, dict[str, list[Row]]] = {}
        self.count: dict[str, int] = {}
        self.kind: dict[str, str] = {}
        self.attrs: dict[str, tuple[tuple[str, str], ...]] = {}
        self.death: dict[str, str] = {}
        self.by_value: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
        self._kinds: set[str] = set()

    def load(self, types: Iterable[str]) -> None:
        """Read the relationship tables of ``types`` (each once)."""
        for t in types:
            if t in self.out:
                continue
            if t == LINK:
                self._load_links()
                continue
            if t in DERIVED:
                self.load_kinds(["person"])
            cols = [*TELLING.get(t, ()), *SHARED.get(t, ())]
            extra = "".join(f", CAST({c} AS VARCHAR) AS {c}" for c in cols)
            table = self.engine.arrow(f"SELECT id, src, dst, s, e{extra} FROM rel_{t}")
            data = {c: table.column(c).to_pylist() for c in table.column_names}
            out: dict[str, list[Row]] = defaultdict(list)
            inn: dict[str, list[Row]] = defaultdict(list)
            tell, share = TELLING.get(t, ()), SHARED.get(t, ())
            for i, rid in enumerate(data["id"]):
                told = tuple((c, data[c][i] or "") for c in tell)
                if t in DERIVED:
                    death = self.death.get(data["dst"][i])
                    late = bool(death and data["s"][i] != OPEN_START and data["s"][i] > death)
                    told += ((DERIVED[t], "yes" if late else "no"),)
                row: Row = (rid, data["src"][i], data["dst"][i], data["s"][i], data["e"][i],
                            told, tuple((c, data[c][i] or "") for c in share))
                out[row[1]].append(row)
                inn[row[2]].append(row)
                for c, v in row[6]:
                    if v:
                        self.by_value[(t, c, v)].append(row)
            self.out[t], self.inn[t], self.count[t] = dict(out), dict(inn), len(data["id"])

    def _load_links(self) -> None:
        """:data:`LINK` records: nodes sharing a phone or an address, organizations sharing
        a holder of a role (at most :data:`SAME_MAX` nodes a value or holder)."""
        from graph.schema import ENTITY_PROPS

        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for prop in LINK_PROPS:
            for kind, props in ENTITY_PROPS.items():
                if prop not in dict(props) or kind not in ("person", "organization"):
                    continue
                table = self.engine.arrow(f'SELECT key, "{prop}" AS v FROM ent_{kind} '
                                          f'WHERE "{prop}" IS NOT NULL AND "{prop}" <> \'\'')
                for key, v in zip(table.column("key").to_pylist(),
                                  table.column("v").to_pylist(), strict=True):
                    groups[(prop, str(v))].append(key)
        self.load(["COMPANY_ROLE"])
        for holder, rows in self.out["COMPANY_ROLE"].items():
            for r in rows:
                groups[(dict(r[5]).get("role", "") or "holder", holder)].append(r[2])
        out: dict[str, list[Row]] = defaultdict(list)
        n = 0
        for (via, _v), keys in groups.items():
            keys = sorted(set(keys))
            if not 1 < len(keys) <= SAME_MAX:
                continue
            for a in keys:
                for b in keys:
                    if a < b:
                        row: Row = (f"link:{via}:{a}:{b}", a, b, OPEN_START, OPEN_END,
                                    (("via", via),), ())
                        out[a].append(row)
                        out[b].append(row)
                        n += 1
        self.out[LINK] = self.inn[LINK] = dict(out)
        self.count[LINK] = n

    def load_kinds(self, kinds: Iterable[str]) -> None:
        """Read the keys and telling attributes of the nodes of ``kinds``."""
        for k in kinds:
            if k in self._kinds:
                continue
            self._kinds.add(k)
            if k == "person":
                sql = "SELECT key, CASE WHEN death_date IS NULL THEN 'no' ELSE 'yes' END " \
                      "AS deceased, CAST(death_date AS VARCHAR) AS death FROM ent_person"
            elif k in NODE_ATTRS:
                sql = f"SELECT key, {', '.join(NODE_ATTRS[k])} FROM ent_{k}"
            else:
                sql = f"SELECT key FROM ent_{k}"
            table = self.engine.arrow(sql)
            data = {c: table.column(c).to_pylist() for c in table.column_names}
            names = NODE_ATTRS.get(k, ())
            for i, key in enumerate(data["key"]):
                self.kind[key] = k
                if k == "person" and data["death"][i]:
                    self.death[key] = str(data["death"][i])
                if names:
                    self.attrs[key] = tuple((n, str(data[n][i] or "")) for n in names)

    def ties(self, key: str, type_: str, forward: bool) -> list[Row]:
        """Records of ``type_`` running from (``forward``) or to ``key`` (a link of an
        equal property runs both ways)."""
        rows = (self.out if forward else self.inn)[type_].get(key, [])
        if type_ == LINK:
            return [r if (r[1] == key) == forward else (r[0], r[2], r[1], r[3], r[4], r[5], r[6])
                    for r in rows]
        return rows


def inverse(relation: str) -> str:
    """A kin relation seen from the other end.

    Examples
    --------
    >>> inverse("parent"), inverse("spouse"), inverse("x")
    ('child', 'spouse', 'x')
    """
    k = KIN.get(relation)
    return k.inverse if k is not None else relation


# -- pattern matching -------------------------------------------------------------------


@dataclass(frozen=True)
class Cand:
    """A way to match a template edge: status, the record (None: the person himself), how
    it is read, the personal tie passed through (record, relative, person), the keys of
    the edge's two ends."""

    status: str
    row: Row | None
    forward: bool
    via: tuple[Row, str, str] | None
    ka: str
    kb: str
    found: str = ""
    """what was found instead, when it is another type of tie"""


@dataclass(frozen=True)
class Got:
    """How a template edge was matched: status (exact, account, kin, prop, time, self,
    missing), the record, the telling properties found, the personal tie passed through."""

    status: str
    row: Row | None = None
    found: str = ""
    via: tuple[Row, str, str] | None = None


@dataclass
class _State:
    bind: list[str | None]
    used: set[str]
    lo: str
    hi: str
    ev: tuple[str, str]
    """the earliest and latest event day of the instance (none yet: OPEN_END, OPEN_START)"""
    values: dict[int, str]
    got: dict[int, Got]
    points: float
    later: set[int] = field(default_factory=set)
    """edges put off: matched once the others have bound more of their ends"""


#: Most entities a place merged from several instances lists.
MOST_KEYS = 30


def merged(hits: Sequence[Hit]) -> list[Hit]:
    """One place per subject (the seed's first node): instances around one subject that
    score as well as its best are one place, listing the entities of all of them (the
    deceased recipient with every late payment, the official with every award).

    Examples
    --------
    >>> a = Hit(1.0, ["p:1", "pay:1"], [], [], bound=["p:1", "pay:1"])
    >>> b = Hit(1.0, ["p:1", "pay:2"], [], [], bound=["p:1", "pay:2"])
    >>> c = Hit(0.5, ["p:1", "pay:3"], [], [], bound=["p:1", "pay:3"])
    >>> [h.keys for h in merged([a, b, c])]
    [['p:1', 'pay:1', 'pay:2']]
    """
    groups: dict[str, list[Hit]] = defaultdict(list)
    for h in hits:
        groups[h.bound[0] if h.bound and h.bound[0] else h.keys[0]].append(h)
    out = []
    for group in groups.values():
        group.sort(key=lambda h: (-h.score, h.keys))
        top = group[0]
        for h in group[1:]:
            if h.score < top.score - 1e-9:
                break
            top.keys += [k for k in h.keys if k not in top.keys][:max(MOST_KEYS - len(top.keys), 0)]
        out.append(top)
    return out


class Matcher:
    """Instances of one template in one graph (see the module's description)."""

    def __init__(self, graph: Graph, template: Template, hub: int = 200,
                 budget: int = BUDGET) -> None:
        self.g, self.t, self.hub, self.budget = graph, template, hub, budget
        graph.load({e.type for e in template.edges})
        graph.load_kinds(set(template.kinds))
        self.hubs_skipped = 0
        self._attr_max = ATTR_WEIGHT * sum(len(a) for a in template.attrs)

    def anchors(self, i: int, strict: bool) -> list[tuple[Row, bool]]:
        """The records that may stand for template edge ``i``: of its type, both ends of the
        template's kinds, a shared value carried by more than one record; ``strict``: also
        with its telling properties and both ends' attributes. Each with the way it is read
        (stored forward, or backward for a tie without direction)."""
        e = self.t.edges[i]
        many: dict[tuple[str, str], int] = Counter()
        if e.shared:
            many = Counter(v for rs in self.g.out[e.type].values() for r in rs for v in r[6])
        wa, wb = self.t.attrs[e.a], self.t.attrs[e.b]
        out = []
        seen: set[str] = set()
        values: set[tuple[tuple[str, str], ...]] = set()
        for rs in self.g.out[e.type].values():
            for r in rs:
                if r[0] in seen:
                    continue
                seen.add(r[0])
                if e.shared and not all(many[v] > 1 and v[1] for v in r[6]):
                    continue
                if e.shared:  # one start per shared value: the place is the account
                    if r[6] in values:
                        continue
                    values.add(r[6])
                for forward in ((True, False) if e.type in SYMMETRIC else (True,)):
                    src, dst = (r[1], r[2]) if forward else (r[2], r[1])
                    if src == dst or self.g.kind.get(src) != self.t.kinds[e.a] \
                            or self.g.kind.get(dst) != self.t.kinds[e.b]:
                        continue
                    if strict and not (self._props_ok(e, r, forward)
                                       and self.g.attrs.get(src, ()) == wa
                                       and self.g.attrs.get(dst, ()) == wb):
                        continue
                    out.append((r, forward))
        return out

    def anchor_edge(self) -> tuple[int, list[tuple[Row, bool]]]:
        """Where every search starts: the records of the template edge with the fewest; when
        even those are more than :data:`LOOSE_MAX`, the exact matches (:meth:`anchors`) of
        the edge with the fewest of them (a step that then is always as in the seed)."""
        n = range(len(self.t.edges))
        loose = min(((i, self.anchors(i, False)) for i in n), key=lambda x: (len(x[1]), x[0]))
        if len(loose[1]) <= LOOSE_MAX:
            return loose
        return min(((i, self.anchors(i, True)) for i in n), key=lambda x: (len(x[1]), x[0]))

    def _props_ok(self, e: TEdge, r: Row, forward: bool) -> bool:
        found = dict(r[5])
        for p, v in e.props:
            have = found.get(p, "")
            if p == "relation" and not forward:
                have = inverse(have)
            if have != v:
                return False
        return True

    def instances(self) -> list[Hit]:
        """The best instance found from every anchor record, the seed's own left out."""
        if not self.t.edges:
            return []
        a, anchors = self.anchor_edge()
        seed = set(self.t.keys)
        best: dict[frozenset[str], Hit] = {}
        for r, forward in anchors:
            hit = self._from_anchor(a, r, forward)
            if hit is None or {k for k in hit.bound if k is not None} <= seed:
                continue
            k = frozenset(hit.keys)
            if k not in best or best[k].score < hit.score:
                best[k] = hit
        return merged(list(best.values()))

    def _from_anchor(self, a: int, r: Row, forward: bool) -> Hit | None:
        e = self.t.edges[a]
        src, dst = (r[1], r[2]) if forward else (r[2], r[1])
        if src == dst or self.g.kind.get(src) != self.t.kinds[e.a] \
                or self.g.kind.get(dst) != self.t.kinds[e.b]:
            return None
        bind: list[str | None] = [None] * len(self.t.kinds)
        bind[e.a], bind[e.b] = src, dst
        status = "exact" if self._props_ok(e, r, forward) else "prop"
        st = _State(bind, {src, dst}, OPEN_START, OPEN_END, (OPEN_END, OPEN_START), {},
                    {a: Got(status, r, self._found(e, r, forward))},
                    POINTS[status] * weight(e.type))
        _widen(st, e.type, r)
        self._share(e, r, st)
        self._left = self.budget
        self._best: _State | None = None
        self._search(st)
        return None if self._best is None else self._hit(self._best)

    @staticmethod
    def _found(e: TEdge, r: Row, forward: bool) -> str:
        found = dict(r[5])
        out = []
        for p, _v in e.props:
            have = found.get(p, "")
            out.append(inverse(have) if p == "relation" and not forward else have)
        return "/".join(out)

    @staticmethod
    def _share(e: TEdge, r: Row, st: _State) -> None:
        have = dict(r[6])
        for p, g in e.shared:
            st.values.setdefault(g, have.get(p, ""))

    def _direct(self, e: TEdge, st: _State, type_: str, ka: str | None, kb: str | None
                ) -> list[Cand]:
        """Records of ``type_`` standing for ``e`` between the bound ends ``ka``/``kb``."""
        ways: list[tuple[bool, str, bool]] = []  # (from the a end?, bound key, stored forward)
        if ka is not None:
            ways.append((True, ka, True))
            if type_ in SYMMETRIC:
                ways.append((True, ka, False))
        elif kb is not None:
            ways.append((False, kb, True))
            if type_ in SYMMETRIC:
                ways.append((False, kb, False))
        out: list[Cand] = []
        for from_a, key, stored_forward in ways:
            # from the a end, a record stored forward runs from key; otherwise to key
            runs_from = from_a == stored_forward
            rows = self.g.ties(key, type_, runs_from)
            if len(rows) > self.hub:
                self.hubs_skipped += 1
                rows = rows[:self.hub]
            want = e.b if from_a else e.a
            for r in rows:
                other = r[2] if runs_from else r[1]
                if st.bind[want] is not None:
                    if st.bind[want] != other:
                        continue
                elif other in st.used or self.g.kind.get(other) != self.t.kinds[want]:
                    continue
                status = self._status(e, r, stored_forward, st) if type_ == e.type else "prop"
                out.append(Cand(status, r, stored_forward, None, key if from_a else other,
                                other if from_a else key,
                                "" if type_ == e.type else f"@{type_}"))
        return out

    def _candidates(self, i: int, st: _State) -> list[Cand]:
        """What may stand for template edge ``i`` given the bound variables, best first: a
        record of its type; a personal tie of the other kind (kin for association and back);
        for a role a person holds, the role held by the person's kin or associate; for a
        personal tie none of which is found, the person himself."""
        e = self.t.edges[i]
        ka, kb = st.bind[e.a], st.bind[e.b]
        if ka is None and kb is None:  # found by its shared value (one account for many)
            return self._by_value(e, st)
        out = self._direct(e, st, e.type, ka, kb)
        if not any(c.status == "exact" for c in out) and e.type in PERSONAL:
            other = "ASSOCIATE" if e.type == "KIN" else "KIN"
            self.g.load([other])
            out += self._direct(e, st, other, ka, kb)
        if not out and e.type in ROLES:
            out += self._through_kin(e, st)
        if not out and e.type in PERSONAL and ka is not None and kb is not None:
            out += self._chain(ka, kb, st)
        if not out and e.type in PERSONAL and (ka is None) != (kb is None):
            out.append(Cand("self", None, True, None, ka or kb or "", ka or kb or ""))
        order = {"exact": 0, "account": 1, "relation": 2, "kin": 3, "prop": 4, "time": 5,
                 "kin_prop": 6, "chain": 7, "self": 8}
        out.sort(key=lambda c: order[c.status])
        return out

    def _by_value(self, e: TEdge, st: _State) -> list[Cand]:
        """Records of ``e``'s type carrying the value its shared group already has."""
        out: list[Cand] = []
        for p, g in e.shared:
            if g not in st.values:
                continue
            rows = self.g.by_value.get((e.type, p, st.values[g]), [])
            if len(rows) > self.hub:
                self.hubs_skipped += 1
                rows = rows[:self.hub]
            for r in rows:
                if r[1] in st.used or r[2] in st.used or r[1] == r[2] \
                        or self.g.kind.get(r[1]) != self.t.kinds[e.a] \
                        or self.g.kind.get(r[2]) != self.t.kinds[e.b]:
                    continue
                out.append(Cand(self._status(e, r, True, st), r, True, None, r[1], r[2]))
            break
        order = {"exact": 0, "relation": 1, "prop": 2, "time": 3}
        out.sort(key=lambda c: order.get(c.status, 4))
        return out

    def _chain(self, ka: str, kb: str, st: _State) -> list[Cand]:
        """Two personal ties joining ``ka`` and ``kb`` through a third person (a relative's
        relative), both in force with the rest."""
        self.g.load(PERSONAL)
        out: list[Cand] = []
        for t1 in sorted(PERSONAL):
            first = self.g.ties(ka, t1, True) + self.g.ties(ka, t1, False)
            if len(first) > self.hub:
                self.hubs_skipped += 1
                continue
            for tie in first:
                m = tie[2] if tie[1] == ka else tie[1]
                if m in st.used or not _in_time(st, t1, tie):
                    continue
                for t2 in sorted(PERSONAL):
                    for r in self.g.ties(m, t2, True) + self.g.ties(m, t2, False):
                        if kb in (r[1], r[2]) and m in (r[1], r[2]) and _in_time(st, t2, r):
                            out.append(Cand("chain", r, r[1] == m, (tie, m, ka), ka, kb))
        return out

    def _through_kin(self, e: TEdge, st: _State) -> list[Cand]:
        """The role of ``e`` held by a relative or associate of its bound person."""
        person_a = ROLES[e.type] == "a"
        end = e.a if person_a else e.b
        p = st.bind[end]
        if p is None:
            return []
        self.g.load(PERSONAL)
        out: list[Cand] = []
        for t in sorted(PERSONAL):
            ties = self.g.ties(p, t, True) + self.g.ties(p, t, False)
            if len(ties) > self.hub:
                self.hubs_skipped += 1
                continue
            for tie in ties:
                q = tie[2] if tie[1] == p else tie[1]
                if q in st.used or q == p:
                    continue
                trial = list(st.bind)
                trial[end] = q
                probe = _State(trial, st.used, st.lo, st.hi, st.ev, st.values, st.got,
                               st.points)
                for c in self._direct(e, probe, e.type, trial[e.a], trial[e.b]):
                    if c.status in ("exact", "prop") and _in_time(st, t, tie):
                        out.append(Cand("kin" if c.status == "exact" else "kin_prop", c.row,
                                        c.forward, (tie, q, p), c.ka, c.kb))
        return out

    def _status(self, e: TEdge, r: Row, forward: bool, st: _State) -> str:
        if not self._props_ok(e, r, forward):
            return "relation" if e.type == "KIN" else "prop"
        if not _in_time(st, e.type, r):
            return "time"
        have = dict(r[6])
        for p, g in e.shared:
            if g in st.values and have.get(p, "") != st.values[g]:
                return "account"
        return "exact"

    def _search(self, st: _State) -> None:
        self._left -= 1
        left = [i for i in range(len(self.t.edges)) if i not in st.got]
        if self._best is not None and st.points + self._attr_max \
                + sum(weight(self.t.edges[i].type) for i in left) <= self._best.points:
            return
        if not left or self._left <= 0:
            self._keep(st)
            return
        ready = [i for i in left if st.bind[self.t.edges[i].a] is not None
                 or st.bind[self.t.edges[i].b] is not None
                 or any(g in st.values for _p, g in self.t.edges[i].shared)]
        if any(i not in st.later for i in ready):
            ready = [i for i in ready if i not in st.later]
        if not ready:
            for i in left:
                st.got[i] = Got("missing")
            self._keep(st)
            for i in left:
                del st.got[i]
            return
        options = {i: self._candidates(i, st) for i in ready}
        # an edge found exactly first (with the fewest ways), so that a near miss found
        # early does not decide the rest; then the one with the fewest ways
        i = min(ready, key=lambda j: (not options[j] or options[j][0].status != "exact",
                                      len(options[j]), j))
        cands = options[i]
        if not cands:
            st.got[i] = Got("missing")
            self._search(st)
            del st.got[i]
            return
        first = cands[0].status
        e = self.t.edges[i]
        for c in cands:
            if c.status != first or self._left <= 0:
                break
            new = [v for v in (e.a, e.b) if st.bind[v] is None]
            added = []
            for v, key in ((e.a, c.ka), (e.b, c.kb)):
                if st.bind[v] is None:
                    st.bind[v] = key
                    if key not in st.used:
                        st.used.add(key)
                        added.append(key)
            if c.via is not None:
                st.used.add(c.via[1])
                added.append(c.via[1])
            lo, hi, ev, values = st.lo, st.hi, st.ev, dict(st.values)
            if c.row is not None and c.status != "time":
                _widen(st, e.type, c.row)
                self._share(e, c.row, st)
            if c.via is not None:
                _widen(st, "KIN", c.via[0])
            st.got[i] = Got(c.status, c.row, c.found or (
                self._found(e, c.row, c.forward) if c.row else ""), c.via)
            gain = POINTS[c.status] * weight(e.type)
            st.points += gain
            self._search(st)
            st.points -= gain
            del st.got[i]
            st.lo, st.hi, st.ev, st.values = lo, hi, ev, values
            for key in added:
                st.used.discard(key)
            for v in new:
                st.bind[v] = None
        # or put the edge off: another edge may bind its open end to a better node
        open_end = st.bind[e.a] is None or st.bind[e.b] is None
        if open_end and len(ready) > 1 and i not in st.later \
                and self._left > 0:
            st.later.add(i)
            self._search(st)
            st.later.discard(i)

    def _attr_points(self, bind: Sequence[str | None]) -> float:
        total = 0.0
        for v, wanted in enumerate(self.t.attrs):
            key = bind[v]
            if key is None:
                continue
            have = dict(self.g.attrs.get(key, ()))
            total += sum(ATTR_WEIGHT * (1.0 if have.get(n, "") == w else 0.5)
                         for n, w in wanted)
        return total

    def _keep(self, st: _State) -> None:
        points = st.points + self._attr_points(st.bind)
        if self._best is None or points > self._best.points:
            self._best = _State(list(st.bind), set(st.used), st.lo, st.hi, st.ev,
                                dict(st.values), dict(st.got), points)

    def _hit(self, st: _State) -> Hit:
        t = self.t
        keys = [k for k in st.bind if k is not None]
        matches: list[str] = []
        differs: list[Msg] = []
        for i, e in enumerate(t.edges):
            got = st.got.get(i, Got("missing"))
            step = self._step(e)
            if got.status == "exact":
                matches.append(step)
            elif got.status in ("kin", "kin_prop", "chain") and got.via is not None:
                tie, q, p = got.via
                how = dict(tie[5]).get("relation", "")
                how = how if tie[1] == p else inverse(how)
                keys.append(q)
                differs.append(Msg(TEXT["chain" if got.status == "chain" else "through_kin"], {
                    "step": step, "how": word("relation", how) if how
                    else word("tie", "ASSOCIATE")}))
                if got.status == "kin_prop":
                    differs.append(Msg(TEXT["other_prop"], {
                        "step": step, "found": self._words(e, got.found),
                        "wanted": self._words(e, "/".join(v for _p, v in e.props))}))
            elif got.status == "self":
                differs.append(Msg(TEXT["self"], {"step": step}))
            elif got.status in ("missing", "time", "account"):
                differs.append(Msg(TEXT[{"missing": "missing", "time": "not_together",
                                         "account": "other_account"}[got.status]],
                                   {"step": step}))
            else:  # another property ("relation", "prop")
                found: Any = self._words(e, got.found)
                if got.found.startswith("@"):
                    found = word("tie", got.found[1:])
                differs.append(Msg(TEXT["other_prop"], {
                    "step": step, "found": found,
                    "wanted": self._words(e, "/".join(v for _p, v in e.props))}))
        for v, wanted in enumerate(t.attrs):
            key = st.bind[v]
            if key is None:
                continue
            have = dict(self.g.attrs.get(key, ()))
            for n, w in wanted:
                if have.get(n, "") != w:
                    differs.append(Msg(TEXT["other_attr"], {
                        "node": word("node_kind", t.kinds[v]),
                        "found": _attr_word(t.kinds[v], n, have.get(n, "")),
                        "wanted": _attr_word(t.kinds[v], n, w)}))
        # the place of a shared value is all of it: every payment into the one account
        for e in t.edges:
            for p, g in e.shared:
                for r in self.g.by_value.get((e.type, p, st.values.get(g, "")), [])[:MOST_KEYS]:
                    keys += [k for k in (r[1], r[2]) if k not in keys]
        score = (st.points + 0.0) / max(t.steps, 1)
        summary = Msg(TEXT["matched"], {"n": len(matches), "total": len(t.edges),
                                        "seed": t.seed})
        rows = [(i, rid) for i, g in sorted(st.got.items())
                for rid in ([g.via[0][0]] if g.via else []) + ([g.row[0]] if g.row else [])]
        return Hit(round(min(max(score, 0.0), 1.0), 4), keys, [summary], differs, rows=rows,
                   bound=list(st.bind))

    def _step(self, e: TEdge) -> str:
        from lang.message import render
        a, b = self.t.kinds[e.a], self.t.kinds[e.b]
        tie = render(Msg(TEXT["shared_link"], {"what": word("link", dict(e.props).get("via", ""))})
                     if e.type == LINK else Msg("{w}", {"w": word("tie", e.type)}))
        detail = "" if e.type == LINK else self._words(e, "/".join(v for _p, v in e.props))
        return render(Msg(TEXT["step"], {"a": word("node_kind", a), "b": word("node_kind", b),
                                         "tie": f"{tie} {detail}".strip()}))

    @staticmethod
    def _words(e: TEdge, text: str) -> str:
        from lang.message import render
        if not text:
            return ""
        vocab = {"KIN": "relation", "COMPANY_ROLE": "company_role", "CASE_ROLE": "case_role",
                 "BID": "bid_status", LINK: "link"}.get(e.type)
        if e.type in DERIVED:
            return "/".join(render(Msg(TEXT["after_death" if part == "yes" else "in_life"]))
                            for part in text.split("/"))
        if vocab is None:
            return text
        return "/".join(render(Msg("{w}", {"w": word(vocab, part)})) for part in text.split("/"))


def _in_time(st: _State, type_: str, r: Row) -> bool:
    """Whether record ``r`` keeps the instance valid in time: an event falls while every
    lasting tie is in force; a lasting tie is in force on every event and on one day with
    the other lasting ties."""
    if type_ in EVENTS:
        day = r[3]
        return day == OPEN_START or st.lo <= day <= st.hi
    first, last = st.ev
    holds_events = first > last or (r[3] <= first and last <= r[4])
    return holds_events and r[3] <= st.hi and st.lo <= r[4]


def _widen(st: _State, type_: str, r: Row) -> None:
    """Take record ``r``'s dates into the instance's window (:func:`_in_time`)."""
    if type_ in EVENTS:
        if r[3] != OPEN_START:
            st.ev = (min(st.ev[0], r[3]), max(st.ev[1], r[3]))
    else:
        st.lo, st.hi = max(st.lo, r[3]), min(st.hi, r[4])


def _attr_word(kind: str, name: str, value: str) -> Any:
    if kind == "person":
        return Msg(TEXT["deceased" if value == "yes" else "alive"])
    vocab = {"organization": "org_kind", "case": "case_kind" if name == "kind" else "outcome"}
    return word(vocab.get(kind, name), value) if value else "-"


# -- structural role similarity ---------------------------------------------------------


def role_vectors(graph: Graph, keys: Iterable[str], hub: int = 100
                 ) -> dict[str, Counter[str]]:
    """Typed-neighbourhood counts of each node: its ties by (type, direction, telling
    property, other end's kind), and the two-step walks of those (not through hubs).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import EntityRecord, RelationRecord, SqliteStore
    >>> store = SqliteStore(pathlib.Path(tempfile.mkdtemp()) / "r.db")
    >>> with store.writer() as w:
    ...     w.put_entities([EntityRecord("p:1", "person", "张三", {}),
    ...                     EntityRecord("p:2", "person", "李四", {})])
    ...     w.put_relations([RelationRecord("r:KIN:1", "KIN", "p:1", "p:2", None, None,
    ...                                     {"relation": "spouse"}, "rel.csv", 2)])
    >>> engine = Engine(store.view()); g = Graph(engine); g.load(REL_TYPES)
    >>> g.load_kinds(["person"])
    >>> dict(role_vectors(g, ["p:1"])["p:1"])
    {'KIN>spouse>person': 1}
    >>> engine.close(); store.close()
    """
    first: dict[str, list[tuple[str, str]]] = {}

    def one(key: str) -> list[tuple[str, str]]:
        if key not in first:
            out = []
            for t in graph.out:
                for forward in (True, False):
                    for r in graph.ties(key, t, forward):
                        other = r[2] if forward else r[1]
                        prop = "/".join(v for _p, v in r[5])
                        if t in SYMMETRIC and not forward and t == "KIN":
                            prop = inverse(prop)
                        arrow = ">" if forward or t in SYMMETRIC else "<"
                        out.append((f"{t}{arrow}{prop}>{graph.kind.get(other, '?')}", other))
            first[key] = out
        return first[key]

    vectors: dict[str, Counter[str]] = {}
    for key in keys:
        c: Counter[str] = Counter()
        near = one(key)
        for f, other in near:
            c[f] += 1
            further = one(other)
            if len(further) > hub:
                continue
            for f2, o2 in further:
                if o2 != key:
                    c[f"{f}|{f2}"] += 1
        vectors[key] = c
    return vectors


def cosine(a: Mapping[str, int], b: Mapping[str, int]) -> float:
    """Cosine of two count vectors, counts log-scaled (``1 + log n``).

    Examples
    --------
    >>> cosine({"x": 1}, {"x": 5}), cosine({"x": 1}, {"y": 1})
    (1.0, 0.0)
    """
    def w(n: int) -> float:
        return 1.0 + math.log(n) if n > 0 else 0.0
    dot = sum(w(n) * w(b[k]) for k, n in a.items() if k in b)
    na = math.sqrt(sum(w(n) ** 2 for n in a.values()))
    nb = math.sqrt(sum(w(n) ** 2 for n in b.values()))
    return round(dot / (na * nb), 6) if na and nb else 0.0


def _feature_words(feature: str) -> str:
    from lang.message import render
    parts = []
    for hop in feature.split("|"):
        t, _sep, rest = hop.partition("<") if "<" in hop.split(">")[0] else hop.partition(">")
        prop, _s, kind = rest.rpartition(">")
        tie = render(Msg("{w}", {"w": word("tie", t)}))
        node = render(Msg("{w}", {"w": word("node_kind", kind)}))
        parts.append(f"{tie}{' ' + prop if prop else ''} → {node}")
    return " → ".join(parts)


def structural(graph: Graph, seed_key: str, kind: str, top: int, hub: int = 100,
               label: str = "") -> list[Hit]:
    """The nodes of ``kind`` whose typed neighbourhoods are most like ``seed_key``'s."""
    graph.load(REL_TYPES)
    graph.load_kinds(["person", "organization", "contract", "payment", "case", "report"])
    keys = [k for k, v in graph.kind.items() if v == kind]
    vectors = role_vectors(graph, keys, hub)
    mine = vectors.get(seed_key) or Counter()
    scored = sorted(((cosine(mine, vec), k) for k, vec in vectors.items() if k != seed_key),
                    key=lambda x: (-x[0], x[1]))[:top]
    hits = []
    for score, key in scored:
        vec = vectors[key]
        one_hop = [f for f in mine if "|" not in f]
        shared = sorted((f for f in one_hop if f in vec), key=lambda f: -min(mine[f], vec[f]))
        differs = [Msg(TEXT["differs_count"], {"feature": _feature_words(f), "found": vec[f],
                                               "wanted": mine[f]})
                   for f in sorted({*one_hop, *(f for f in vec if "|" not in f)},
                                   key=lambda f: (-abs(vec[f] - mine[f]), f))
                   if vec[f] != mine[f]][:3]
        matches = [Msg(TEXT["shared"], {"seed": label or seed_key, "features": "; ".join(
            f"{min(mine[f], vec[f])} × {_feature_words(f)}" for f in shared[:4])})]
        hits.append(Hit(round(score, 4), [key], matches, differs, method="role"))
    return hits


# -- the whole question -----------------------------------------------------------------


def resolve_seed(view: StoreView, seed: str) -> tuple[str, dict[str, Any] | str]:
    """``("finding", the stored finding)`` or ``("entity", its key)`` for ``seed``; an
    unknown one raises :class:`UmbrellaError` saying what to give."""
    from lang.message import render

    text = seed.strip()
    if text.startswith("F-"):
        found = view.finding(text)
        if found is not None:
            return "finding", found
    else:
        key = view.resolve(text)
        if key is None and view.get(text) is not None:
            key = text
        if key is not None:
            return "entity", key
    raise UmbrellaError(render(Msg(TEXT["unknown_seed"], {"seed": text})),
                        hint=render(Msg(TEXT["unknown_hint"])))


def similar_to(store: Any, seed: str | Mapping[str, Any], top: int = 20, *,
               hub: int = 200, engine: Engine | None = None) -> list[Hit]:
    """Places like ``seed`` (a finding id or a stored finding: typed-pattern matching; an
    entity or case id: structural role similarity), best first, at most ``top``.

    ``store`` is a store or a store view. Pure: reads only; ``engine`` reuses an engine
    already holding the tables. Hits come without evidence (see :func:`with_evidence`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import SqliteStore
    >>> store = SqliteStore(pathlib.Path(tempfile.mkdtemp()) / "s.db")
    >>> similar_to(store, "F-000000000000")
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: no finding, entity or case 'F-000000000000'
    >>> store.close()
    """
    view: StoreView = store.view() if hasattr(store, "view") else store
    if isinstance(seed, str):
        what, found = resolve_seed(view, seed)
    else:
        what, found = "finding", dict(seed)
    own = engine is None
    eng = engine or Engine(view)
    try:
        graph = Graph(eng)
        if what == "entity":
            key = str(found)
            e = view.get(key)
            kind = e.kind if e is not None else "person"
            label = f"{e.name} ({'/'.join(e.source_ids)})" if e is not None else key
            return structural(graph, key, kind, top, min(hub, 100), label)
        finding = found if isinstance(found, dict) else {}
        kinds = {str(s["node"]) for p in finding.get("evidence", []) for s in p["path"]
                 if "node" in s}
        graph.load_kinds(kinds)
        template = template_of(finding, graph.attrs, graph.death)
        matcher = Matcher(graph, template, hub=hub)
        hits = matcher.instances()
        role = _role_order(graph, template, hits)
        hits.sort(key=lambda h: (-h.score, -role.get(h.keys[0], 0.0), h.keys))
        return hits[:top]
    finally:
        if own:
            eng.close()


def _role_order(graph: Graph, t: Template, hits: list[Hit]) -> dict[str, float]:
    """Tie-break among equal scores: how alike the subjects' typed neighbourhoods are."""
    if not hits or not t.keys:
        return {}
    best = max(h.score for h in hits)
    subjects = {h.keys[0] for h in hits if h.score >= best - 1e-9}
    if len(subjects) > 5000:
        return {}
    vectors = role_vectors(graph, [t.keys[0], *subjects], 100)
    mine = vectors[t.keys[0]]
    return {k: cosine(mine, vectors[k]) for k in subjects}


def random_ranking(hits: Sequence[Hit], seed: int = 0) -> list[Hit]:
    """The same places in a random order (the baseline the bench compares with).

    Examples
    --------
    >>> hs = [Hit(1.0, [str(i)], [], []) for i in range(5)]
    >>> sorted(h.keys[0] for h in random_ranking(hs, 1))
    ['0', '1', '2', '3', '4']
    """
    out = list(hits)
    random.Random(seed).shuffle(out)
    return out


def with_evidence(view: StoreView, hits: Sequence[Hit], template: Template | None = None
                  ) -> list[Hit]:
    """The hits with evidence paths as findings carry them (source file and line of each
    node and record): a pattern hit's paths follow the seed's, a role hit's are its ties."""
    from queries.findings import entity_step, relation_step

    keys = {k for h in hits for k in h.keys}
    rel_ids = [rid for h in hits for _i, rid in h.rows]
    ents = view.entities_by_key(sorted(keys)) if keys else {}
    rels = view.relations_by_id(rel_ids) if rel_ids else {}
    for h in hits:
        if h.method == "pattern" and template is not None:
            binding = {v: k for v, k in enumerate(h.bound) if k is not None}
            per_edge: dict[int, list[str]] = defaultdict(list)
            for i, rid in h.rows:
                per_edge[i].append(rid)
            paths: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for p, v, i in template.paths:
                if v >= 0:
                    ent = ents.get(binding.get(v, ""))
                    if ent is not None:
                        paths[p].append(entity_step(ent))
                    continue
                found = [rels[rid] for rid in per_edge.get(i, []) if rid in rels]
                if not found and per_edge.get(i):
                    continue  # a shared phone or address: the two nodes around it show it
                if not found:
                    paths[p].append({"missing": template.edges[i].type})
                for n, r in enumerate(found):
                    paths[p].append(relation_step(r))
                    if n < len(found) - 1:  # the relative or associate the role is held by
                        q = r.dst if r.dst in ents and r.dst not in binding.values() else r.src
                        if q in ents:
                            paths[p].append(entity_step(ents[q]))
            h.evidence = [paths[p] for p in sorted(paths)]
        else:
            ent = ents.get(h.keys[0])
            ties = view.neighbours(h.keys[0])[:5]
            others = view.entities_by_key([t.dst if t.src == h.keys[0] else t.src
                                           for t in ties])
            h.evidence = [[entity_step(ent), relation_step(t)]
                          + ([entity_step(others[o])]
                             if (o := t.dst if t.src == h.keys[0] else t.src) in others else [])
                          for t in ties] if ent is not None else []
    return list(hits)


def hit_ids(view: StoreView, hit: Hit) -> list[str]:
    """The input ids of a hit's entities (every source id of each), in order."""
    ents = view.entities_by_key(hit.keys)
    return [i for k in hit.keys if k in ents for i in ents[k].source_ids] or list(hit.keys)


def seed_template(view: StoreView, finding: Mapping[str, Any], engine: Engine) -> Template:
    """The template :func:`similar_to` matches for a stored finding (for its evidence)."""
    graph = Graph(engine)
    graph.load_kinds({str(s["node"]) for p in finding.get("evidence", []) for s in p["path"]
                      if "node" in s})
    return template_of(finding, graph.attrs, graph.death)


__all__ = [
    "Graph",
    "Hit",
    "Matcher",
    "TEdge",
    "Template",
    "cosine",
    "hit_ids",
    "random_ranking",
    "resolve_seed",
    "role_vectors",
    "seed_template",
    "similar_to",
    "structural",
    "template_of",
    "with_evidence",
]
