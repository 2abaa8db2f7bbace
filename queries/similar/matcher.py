"""Instances of a template in the graph: anchored search, near misses, scores."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lang.message import Msg, word
from queries.engine import OPEN_END, OPEN_START
from queries.similar.graph import (
    Graph,
    Row,
    inverse,
)
from queries.similar.model import (
    ATTR_WEIGHT,
    BUDGET,
    DERIVED,
    EVENTS,
    LINK,
    LOOSE_MAX,
    PERSONAL,
    POINTS,
    ROLES,
    SYMMETRIC,
    TEXT,
    Hit,
    TEdge,
    Template,
    weight,
)

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


