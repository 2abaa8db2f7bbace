"""The workbench's answers, as plain data: search, an entity, a page of neighbours, paths,
the leads, one lead, an export.

:class:`Workbench` holds the store access, the search index and the run's settings;
each public method takes the request's parameters and returns the JSON object the
HTTP layer (:mod:`visualizations.workbench.app`) sends, or raises :class:`ApiError`
with the status, a one-line message and a hint. Nothing here knows about HTTP.

Ids are the input source ids as ``umbrella show`` prints them (an entity without one
is named by its key); edges are relationship records, named by the record id.
Identity numbers are masked unless the server runs with ``--reveal``.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from graph.errors import AmbiguousIdError
from graph.ids import mask_id_numbers
from graph.schema import REL_TYPES
from graph.store import Entity, Relation, SourceRef, StoreView, Tie
from lang import _
from lang.formats import date as day
from lang.kinship import gender_code
from lang.message import localized
from queries.describe import tie_sentence
from visualizations.records import EdgeRecord, NodeRecord
from visualizations.safe import mask_props
from visualizations.words import kind_word, listed, prop_label, tie_word
from visualizations.workbench.access import StoreAccess
from visualizations.workbench.search import SearchIndex

#: Tie types, strongest first: private ties and roles before events and co-bids.
TIE_ORDER = ("KIN", "ASSOCIATE", "COMPANY_ROLE", "HOLDS_POST", "CASE_ROLE", "APPROVED",
             "AWARDED_TO", "PAID_TO", "PAID", "REPORTED", "PART_OF", "BOUGHT", "BID")
_RANK = {t: i for i, t in enumerate(TIE_ORDER)}
#: Most ties listed on an entity page (strongest first); ``ties_total`` says how many.
MAX_TIES = 300
#: Seconds the parsed findings are kept between two requests of the leads table (a scan
#: run meanwhile shows after at most this long).
FINDINGS_TTL = 30.0
#: Largest expansion page, and largest export.
MAX_PAGE = 200
MAX_EXPORT = 5000
#: Most ids on the two sides of a screen, together.
MAX_SCREEN = 200

#: Writes tables to a file: ``(tables, path, format)``, tables as
#: :func:`exports.tables.write_report` takes them (the shell passes it in: the rooms
#: rule keeps ``visualizations`` from importing ``exports``).
TablesWriter = Callable[[Sequence[tuple[str, str, str, Sequence[str], Sequence[Sequence[Any]],
                                     Sequence[Sequence[Any]]]], Path, str], None]


class ApiError(Exception):
    """An answer that is not a result: HTTP status, message and fix-it hint."""

    def __init__(self, status: int, error: str, hint: str = "") -> None:
        super().__init__(error)
        self.status, self.error, self.hint = status, error, hint


async def json_body(request: Any) -> Any:
    """The JSON a POST carries (an empty body reads as ``{}``), or None when it is not
    JSON: every endpoint then answers 400 with what the body should look like."""
    try:
        return json.loads(await request.body() or b"{}")
    except ValueError:
        return None


def _sources(refs: Iterable[SourceRef]) -> list[dict[str, Any]]:
    return [{"file": s.file.replace("\\", "/").rsplit("/", 1)[-1], "line": s.line}
            for s in refs]


def public_id(e: Entity) -> str:
    """The id the workbench shows for an entity: its first input id, else its key."""
    ids = e.source_ids
    return ids[0] if ids else e.key


def _masked(value: Any, reveal: bool) -> Any:
    """Every string inside ``value`` with identity numbers masked (unless ``reveal``)."""
    if reveal:
        return value
    if isinstance(value, str):
        return mask_id_numbers(value)
    if isinstance(value, Mapping):
        return {k: _masked(v, reveal) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v, reveal) for v in value]
    return value


def _types(text: str | None) -> set[str] | None:
    if not text:
        return None
    wanted = {t.strip().upper() for t in text.split(",") if t.strip()}
    unknown = sorted(wanted - set(REL_TYPES))
    if unknown:
        raise ApiError(400, _("unknown tie type {type}").format(type=", ".join(unknown)),
                       _("use one of {formats}").format(formats=", ".join(REL_TYPES)))
    return wanted


@dataclass
class Workbench:
    """The workbench over one store (see the module docstring)."""

    access: StoreAccess
    index: SearchIndex
    degrees: dict[str, int] | None = None
    reveal: bool = False
    tables: TablesWriter | None = None
    _findings: tuple[float, list[dict[str, Any]]] | None = None

    def stored_findings(self, view: StoreView) -> list[dict[str, Any]]:
        """The stored findings, best first, read again at most every :data:`FINDINGS_TTL`
        seconds (parsing them is the leads table's main cost)."""
        now = time.monotonic()
        cached = self._findings
        if cached is None or now - cached[0] > FINDINGS_TTL:
            cached = (now, view.findings())
            self._findings = cached
        return cached[1]

    @classmethod
    def open(cls, access: StoreAccess, *, reveal: bool = False,
             tables: TablesWriter | None = None) -> Workbench:
        """Build the search index and the tie counts (a few seconds at scale 10)."""
        view = access.view()
        return cls(access, SearchIndex.build(view), access.degrees(), reveal, tables)

    # -- helpers ------------------------------------------------------------------------

    def _out(self, answer: dict[str, Any]) -> dict[str, Any]:
        """An answer with identity numbers masked in every string (unless revealed)."""
        return answer if self.reveal else dict(_masked(answer, False))

    def view(self) -> StoreView:
        return self.access.view()

    def key_of(self, view: StoreView, text: str) -> str:
        """The key of the entity an id names (input id or key), else a 404 with a hint of
        its own kind."""
        text = text.strip()
        try:
            key = view.resolve(text)
        except AmbiguousIdError as err:
            raise ApiError(409, err.message, err.hint) from err
        if key is not None:
            return key
        if text and view.get(text) is not None:
            return text
        if text.startswith("F-"):
            raise ApiError(404, _("no entity with id or name '{text}'").format(text=text),
                           _("run umbrella scan first, then use an id it lists (F-...)"))
        raise ApiError(404, _("no entity with id or name '{text}'").format(text=text),
                       _("use an id from the input files, e.g. P0001387"))

    def _degree(self, view: StoreView, keys: Sequence[str]) -> dict[str, int]:
        if self.degrees is not None:
            return {k: self.degrees.get(k, 0) for k in keys}
        return view.tie_degrees(keys)

    def node(self, e: Entity, degree: int | None = None) -> dict[str, Any]:
        """A node of the canvas."""
        pid = public_id(e)
        out: dict[str, Any] = {"id": pid, "kind": e.kind, "name": e.name,
                               "label": e.name or pid, "key": e.key}
        if degree is not None:
            out["degree"] = degree
        return out

    def edge(self, r: Relation, ids: Mapping[str, str]) -> dict[str, Any]:
        """An edge of the canvas (``ids``: key -> public id of its ends)."""
        detail = r.props.get("relation") or r.props.get("role") or r.props.get("title") or ""
        label = tie_word(r.type)
        if detail:
            from visualizations.words import detail_word

            prop = "relation" if "relation" in r.props else "role" if "role" in r.props \
                else "title"
            label = f"{label}: {detail_word(r.type, prop, detail)}"
        return {"id": r.id, "from": ids.get(r.src, r.src), "to": ids.get(r.dst, r.dst),
                "type": r.type, "label": label, "start": r.start, "end": r.end,
                "props": _masked(dict(r.props), self.reveal), "sources": _sources(r.sources)}

    def _detail(self, e: Entity, posts: Sequence[str]) -> str:
        p = e.props
        parts: list[str] = []
        if e.kind == "person":
            if p.get("birth_date"):
                parts.append(f"{prop_label('birth_date')} {day(str(p['birth_date']))}")
            parts += [str(p[k]) for k in ("region", "address") if p.get(k)]
            parts += list(posts)
        elif e.kind == "organization":
            if p.get("kind"):
                parts.append(str(p["kind"]))
            parts += [str(p[k]) for k in ("region", "address") if p.get(k)]
        else:
            for k in ("sector", "award_date", "opened_date", "date", "kind", "amount"):
                if p.get(k):
                    parts.append(f"{prop_label(k)} {p[k]}")
        parts.append(kind_word(e.kind))
        return _masked(" · ".join(parts), self.reveal)  # type: ignore[no-any-return]

    # -- endpoints ----------------------------------------------------------------------

    def search(self, q: str, limit: int = 20) -> dict[str, Any]:
        """Entities named (partly) ``q``, or with ``q`` as input id, identity number,
        credit code or phone; exact matches first."""
        q = (q or "").strip()
        limit = max(1, min(limit, 100))
        if not q:
            return {"results": []}
        view = self.view()
        found: list[tuple[str, str]] = []
        for text in dict.fromkeys([q, q.upper()]):
            try:
                key = view.resolve(text)
            except AmbiguousIdError:  # every entity the id names
                found += [(c.key, "id") for c in view.claims(text)]
                continue
            if key is not None:
                found.append((key, "id"))
        found += self.index.exact(q)
        found += self.index.names(q, most=max(limit * 50, 1000))
        seen: dict[str, str] = {}
        for k, how in found:
            seen.setdefault(k, how)
            if len(seen) >= limit:
                break
        keys = list(seen)
        ents = view.entities_by_key(keys)
        posts: dict[str, list[str]] = {}
        people = [k for k in keys if k in ents and ents[k].kind == "person"]
        if people:
            holds = [t for t in view.ties(people) if t.type == "HOLDS_POST"]
            rels = view.relations_by_id([t.rid for t in holds])
            orgs = view.entities_by_key([t.other for t in holds])
            for t in holds:
                r = rels.get(t.rid)
                org = orgs.get(t.other)
                title = str(r.props.get("title") or "") if r else ""
                where = org.name if org else t.other
                posts.setdefault(t.key, []).append(f"{where} {title}".strip())
        results = []
        for k in keys:
            e = ents.get(k)
            if e is None:
                continue
            results.append({"id": public_id(e), "key": e.key, "kind": e.kind, "name": e.name,
                            "detail": self._detail(e, posts.get(k, [])[:3]),
                            "match": seen[k]})
        return {"results": results}

    def entity(self, ident: str) -> dict[str, Any]:
        """An entity: properties (masked), ties in words with dates and sources, the
        findings that name it, a timeline."""
        view = self.view()
        key = self.key_of(view, ident)
        e = view.get(key)
        assert e is not None
        ties = view.ties([key])
        ties.sort(key=lambda t: (_RANK.get(t.type, len(_RANK)), t.rid))
        rels = view.relations_by_id([t.rid for t in ties[:MAX_TIES]])
        others = view.entities_by_key([t.other for t in ties[:MAX_TIES]])
        others[key] = e
        names = {k: o.name or public_id(o) for k, o in others.items()}
        genders = {k: gender_code(o.props.get("gender")) for k, o in others.items()
                   if o.kind == "person"}
        shown_ties, timeline = [], []
        for t in ties[:MAX_TIES]:
            r = rels.get(t.rid)
            if r is None:
                continue
            o = others.get(t.other)
            step = {"rel": r.type, "from": r.src, "to": r.dst, **r.props}
            words = tie_sentence(step, names, genders)
            other = self.node(o) if o else {"id": t.other, "kind": "", "name": t.other,
                                             "label": t.other, "key": t.other}
            src = _sources(r.sources)
            shown_ties.append({"id": r.id, "type": r.type, "type_word": tie_word(r.type),
                               "words": words, "other": other, "start": r.start,
                               "end": r.end, "sources": src})
            when = r.start or r.end or (o.props.get("date") if o else None) \
                or (o.props.get("award_date") or o.props.get("opened_date") if o else None)
            if when:
                item = {"date": str(when), "type": r.type, "what": words, "sources": src}
                if o is not None and o.kind == "report":
                    item["text"] = str(o.props.get("topic") or "")
                if o is not None and o.kind == "case" and o.props.get("title"):
                    item["text"] = str(o.props["title"])
                timeline.append(item)
        timeline.sort(key=lambda i: (i["date"], i["type"]))
        findings = [{"id": f["id"], "rule": f["rule"], "score": f["score"],
                     "category": f.get("category", ""), "title": localized(f)["title"]}
                    for f in view.findings(key)]
        props = mask_props(e.props, self.reveal)
        return self._out({
            "entity": {**self.node(e, self._degree(view, [key])[key]), "ids": e.source_ids,
                       "props": props, "labels": {k: prop_label(k) for k in props},
                       "sources": _sources(e.sources), "kind_word": kind_word(e.kind)},
            "ties": shown_ties, "ties_total": len(ties), "findings": findings,
            "timeline": timeline})

    def expand(self, ident: str, offset: int = 0, limit: int = 25, types: str | None = None,
               on: str | None = None) -> dict[str, Any]:
        """A page of a node's neighbours, strongest tie first, hubs last."""
        view = self.view()
        key = self.key_of(view, ident)
        wanted = _types(types)
        offset, limit = max(offset, 0), max(1, min(limit, MAX_PAGE))
        by_other: dict[str, list[Tie]] = {}
        for t in view.ties([key], on):
            if t.other != key and (wanted is None or t.type in wanted):
                by_other.setdefault(t.other, []).append(t)
        degree = self._degree(view, list(by_other))
        order = sorted(by_other, key=lambda k: (
            min(_RANK.get(t.type, len(_RANK)) for t in by_other[k]), degree.get(k, 0), k))
        page = order[offset:offset + limit]
        ents = view.entities_by_key([key, *page])
        ids = {k: public_id(e) for k, e in ents.items()}
        nodes = [self.node(ents[k], degree.get(k)) for k in [key, *page] if k in ents]
        if key in ents:
            nodes[0]["degree"] = self._degree(view, [key])[key]
        rels = view.relations_by_id([t.rid for k in page for t in by_other[k]])
        edges = [self.edge(r, ids) for r in rels.values()]
        return self._out({"nodes": nodes, "edges": edges, "total": len(order),
                        "offset": offset, "more": max(len(order) - offset - len(page), 0)})

    def path(self, a: str, b: str, include: str | None = None, exclude: str | None = None,
             max_hops: int = 6, hub_degree: int = 200, on: str | None = None,
             max_paths: int = 3) -> dict[str, Any]:
        """The shortest paths between two entities (the search of ``umbrella path``),
        through the tie types asked for, avoiding hubs, at most ``max_hops`` ties long."""
        from queries.paths import TypedTies, search

        view = self.view()
        ka, kb = self.key_of(view, a), self.key_of(view, b)
        hops = max(1, min(max_hops, 12))
        ties = TypedTies(view, _types(include), _types(exclude) or set(), hops)
        found = search(ties, ka, kb, on, max(1, min(max_paths, 10)), max(1, hub_degree))
        paths = [p for p in found.nodes if len(p) - 1 <= hops]
        found.nodes[:] = paths
        keys = list(dict.fromkeys(k for p in paths for k in p))
        ents = view.entities_by_key(keys)
        ids = {k: public_id(e) for k, e in ents.items()}
        rids = list(dict.fromkeys(found.hops[(u, v)][0] for p in paths
                                  for u, v in pairwise(p)))
        rels = view.relations_by_id(rids)
        hubs = view.entities_by_key(found.hubs[:5])
        return self._out({
            "found": bool(paths),
            "nodes": [self.node(ents[k]) for k in keys if k in ents],
            "edges": [self.edge(rels[r], ids) for r in rids if r in rels],
            "paths": [[ids.get(k, k) for k in p] for p in paths],
            "hubs_skipped": len(found.hubs),
            "hubs": [self.node(h) for h in hubs.values()]})

    def screen(self, left: Sequence[str], right: Sequence[str], on: str,
               max_hops: int = 4, hub_degree: int = 100) -> dict[str, Any]:
        """Which ties join any entity of ``left`` to any of ``right`` (ids) on day ``on``:
        the question of ``umbrella screen``, each path in words (one line a tie, with its
        source rows) and as the canvas's nodes and edges."""
        from queries.screen import day_words, screen, searched, worded
        from queries.settings import load_settings

        if not left or not right:
            raise ApiError(400, _("give ids on both sides"),
                           '{"left": ["O000012"], "right": ["O000603"], "on": "2023-04-01"}')
        if len(left) + len(right) > MAX_SCREEN:
            raise ApiError(400, _("at most {n} ids in all").format(n=MAX_SCREEN), "")
        view = self.view()
        lkeys = list(dict.fromkeys(self.key_of(view, i) for i in left))
        rkeys = list(dict.fromkeys(self.key_of(view, i) for i in right))
        kin_hops = int(load_settings().rule("REC-001")["max_kin_hops"])
        found = screen(view, lkeys, rkeys, on, max_hops=max(1, min(max_hops, 6)),
                       max_kin_hops=kin_hops, hub_degree=max(1, hub_degree))
        rows = worded(found, self.reveal)
        keys = list(dict.fromkeys(s["key"] for p in found.paths for s in p.steps
                                  if "node" in s))
        ents = view.entities_by_key(keys)
        ids = {k: public_id(e) for k, e in ents.items()}
        rids = list(dict.fromkeys(s["id"] for p in found.paths for s in p.steps if "rel" in s))
        rels = view.relations_by_id(rids)
        return self._out({
            "found": bool(rows), "on": on, "day": day_words(on),
            "searched": searched(found, hub_degree),
            "answers": [{"left": r.left, "right": r.right, "ties": r.ties, "lines": r.path,
                         "path": [ids.get(s["key"], s["key"]) for s in p.steps if "node" in s],
                         "edges": [s["id"] for s in p.steps if "rel" in s]}
                        for r, p in zip(rows, found.paths, strict=True)],
            "nodes": [self.node(ents[k]) for k in keys if k in ents],
            "edges": [self.edge(rels[r], ids) for r in rids if r in rels],
            "hubs_skipped": len(found.hubs_skipped)})

    def findings(self, rule: str | None = None, category: str | None = None,
                 min_score: float | None = None, sector: str | None = None,
                 region: str | None = None, date_from: str | None = None,
                 date_to: str | None = None, offset: int = 0, limit: int = 50,
                 status: str | None = None,
                 statuses: Mapping[str, str] | None = None,
                 ids: Collection[str] | None = None) -> dict[str, Any]:
        """The stored findings, filtered, best first, a page at a time; each with its
        current triage ``status`` when ``statuses`` (finding id -> status) is given, and
        only those of ``status`` when asked; only those of ``ids`` when given (an area's)."""
        view = self.view()
        every = self.stored_findings(view)
        wanted = set(ids) if ids is not None else None
        counts: dict[str, int] = {}
        for f in every:
            counts[f["rule"]] = counts.get(f["rule"], 0) + 1
        keep = []
        for f in every:
            if wanted is not None and f["id"] not in wanted:
                continue
            if rule and not str(f["rule"]).upper().startswith(rule.strip().upper()):
                continue
            if category and f.get("category") != category:
                continue
            if min_score is not None and float(f["score"]) < min_score:
                continue
            if sector and f.get("sector") != sector:
                continue
            d = str(f.get("date") or "")
            if (date_from and (not d or d < date_from)) or (date_to and (not d or d > date_to)):
                continue
            if status and statuses is not None and statuses.get(f["id"], "new") != status:
                continue
            keep.append(f)
        if region:
            ents = view.entities_by_key(list(dict.fromkeys(
                k for f in keep for k in f.get("keys", []))))
            keep = [f for f in keep if any(
                region in str(ents[k].props.get("region") or "") + " " +
                str(ents[k].props.get("address") or "")
                for k in f.get("keys", []) if k in ents)]
        offset, limit = max(offset, 0), max(1, min(limit, 500))
        rows = []
        for f in keep[offset:offset + limit]:
            names = list(dict.fromkeys(
                str(s.get("name")) for p in f.get("evidence", []) for s in p.get("path", [])
                if "node" in s and s.get("name")))
            rows.append({"id": f["id"], "rule": f["rule"], "category": f.get("category", ""),
                         "score": f["score"], "title": localized(f)["title"],
                         "date": f.get("date", ""), "sector": f.get("sector", ""),
                         "entities": f.get("entities", [])[:6], "names": names[:4],
                         **({"status": statuses.get(f["id"], "new")}
                            if statuses is not None else {})})
        return self._out({"findings": rows, "total": len(keep), "offset": offset,
                        "coverage": {r: {"findings": n} for r, n in sorted(counts.items())}})

    def finding(self, fid: str) -> dict[str, Any]:
        """One stored finding with its evidence and their surrounding ties."""
        from visualizations.pages import evidence_records

        view = self.view()
        f = view.finding(fid.strip())
        if f is None:
            raise ApiError(404, _("no finding {id} in this database").format(id=repr(fid)),
                           _("run umbrella scan first, then use an id it lists (F-...)"))
        shown = localized(f)
        paths = [p.get("path", []) for p in f.get("evidence", [])]
        nodes, edges, notes = evidence_records(view, paths, True, 100)
        out_nodes, ids = self._records(view, nodes)
        out_edges = [self._edge_record(r, ids) for r in edges]
        unique = list({e["id"]: e for e in reversed(out_edges)}.values())[::-1]
        return self._out({
            "finding": shown, "nodes": out_nodes, "edges": unique, "notes": notes,
            "evidence_edges": list(dict.fromkeys(r.id for r in edges if r.highlight and r.id)),
            "evidence_nodes": [ids.get(str(n.id), str(n.id)) for n in nodes if n.highlight]})

    def _records(self, view: StoreView, nodes: Sequence[NodeRecord]
                 ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        ids = {str(n.id): (n.ids[0] if n.ids else str(n.id)) for n in nodes}
        return [{"id": ids[str(n.id)], "kind": n.kind, "name": n.label,
                 "label": n.label or ids[str(n.id)], "key": str(n.id),
                 "evidence": n.highlight} for n in nodes], ids

    def _edge_record(self, r: EdgeRecord, ids: Mapping[str, str]) -> dict[str, Any]:
        srcs = []
        for s in r.sources:
            file, _sep, line = str(s).rpartition(":")
            srcs.append({"file": file, "line": int(line) if line.isdigit() else line})
        label = tie_word(r.type)
        return {"id": r.id, "from": ids.get(str(r.src), str(r.src)),
                "to": ids.get(str(r.dst), str(r.dst)), "type": r.type, "label": label,
                "start": r.start, "end": r.end, "props": dict(r.props), "sources": srcs,
                "evidence": r.highlight}

    def export(self, fmt: str, node_ids: Sequence[str], edge_ids: Sequence[str]
               ) -> tuple[bytes, str, str]:
        """What is on the canvas as a file: ``(bytes, media type, file name)``.

        ``html``: the offline view ``umbrella export html`` writes; ``csv``/``xlsx``: the
        nodes and ties as two tables, cells a spreadsheet would run neutralised."""
        if fmt not in ("html", "csv", "xlsx"):
            raise ApiError(400, _("unknown format {format}").format(format=repr(fmt)),
                           _("use one of {formats}").format(formats="html, csv, xlsx"))
        if len(node_ids) + len(edge_ids) > MAX_EXPORT:
            raise ApiError(413, _("too many items to export: {n} (at most {most})").format(
                n=len(node_ids) + len(edge_ids), most=MAX_EXPORT),
                _("remove nodes from the canvas, or use umbrella export html"))
        view = self.view()
        keys = []
        for i in node_ids:
            try:
                keys.append(self.key_of(view, str(i)))
            except ApiError:
                continue
        rels = view.relations_by_id([str(e) for e in edge_ids])
        keys += [k for r in rels.values() for k in (r.src, r.dst)]
        ents = view.entities_by_key(list(dict.fromkeys(keys)))
        if fmt == "html":
            return self._html(ents, rels), "text/html; charset=utf-8", "umbrella-canvas.html"
        if self.tables is None:
            raise ApiError(501, _("this server cannot write {format} files").format(
                format=fmt), _("use one of {formats}").format(formats="html"))
        ids = {k: public_id(e) for k, e in ents.items()}
        node_cols = ["id", "kind", "name", "ids", "source"]
        node_rows = [[ids[k], kind_word(e.kind), e.name, "/".join(e.source_ids),
                      " ".join(s.short() for s in e.sources)] for k, e in ents.items()]
        tie_cols = ["id", "type", "from", "from name", "to", "to name", "detail", "start",
                    "end", "source"]
        tie_rows = []
        for r in rels.values():
            a, b = ents.get(r.src), ents.get(r.dst)
            detail = r.props.get("relation") or r.props.get("role") or r.props.get("title")
            tie_rows.append([r.id, tie_word(r.type), ids.get(r.src, r.src),
                             a.name if a else "", ids.get(r.dst, r.dst), b.name if b else "",
                             str(detail or ""), r.start or "", r.end or "",
                             " ".join(s.short() for s in r.sources)])
        node_rows = _masked(node_rows, self.reveal)
        tie_rows = _masked(tie_rows, self.reveal)
        tables = [("nodes", _("Nodes"), _("Nodes"), node_cols, node_rows, node_rows),
                  ("ties", _("Relationship records"), _("Relationship records"), tie_cols,
                   tie_rows, tie_rows)]
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / f"canvas.{fmt}"
            self.tables(tables, path, fmt)
            data = path.read_bytes()
        media = ("text/csv; charset=utf-8" if fmt == "csv" else
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return data, media, f"umbrella-canvas.{fmt}"

    def _html(self, ents: Mapping[str, Entity], rels: Mapping[str, Relation]) -> bytes:
        from visualizations.builder import build_page
        from visualizations.from_store import entity_node, relation_edge

        nodes = [entity_node(e) for e in ents.values()]
        edges = [relation_edge(r) for r in rels.values()]
        labels = [e.name or public_id(e) for e in list(ents.values())[:3]]
        title = listed(labels, max(len(ents) - 3, 0)) if labels else "umbrella"
        page = build_page(nodes, edges, title=title, max_nodes=max(len(nodes), 2),
                          reveal=self.reveal)
        return page.html.encode("utf-8")
