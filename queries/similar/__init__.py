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

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from graph.errors import UmbrellaError
from graph.store import StoreView
from lang.message import Msg
from queries.engine import Engine
from queries.similar.graph import Graph
from queries.similar.matcher import Matcher
from queries.similar.model import TEXT, Hit, TEdge, Template, template_of
from queries.similar.role import cosine, role_vectors, structural

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
