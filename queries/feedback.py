"""Confirmed cases feed back: a scan raises the findings that look like a confirmed one.

After the rules of a scan have produced their findings, each finding currently
*confirmed* in triage (:func:`queries.triage.current_statuses`) is taken as a seed of
:func:`queries.similar.similar_to` (typed-pattern matching of its evidence), and the
``top`` most alike places at least ``min_similarity`` alike are looked at. A place is
*a finding's* when the finding's entities (its ``keys``) cover the place's **anchor
keys**: the entities the place binds to the seed's own entities (the variables of the
seed's template whose key is one of the seed's ``keys``; an evidence node the seed only
passes by, such as the paying village committee, is not an anchor).

Each other finding of the scan that is such a place gets, once (its most alike place
over all confirmed seeds), ``score = min(1, score + bonus * similarity)``, one more
sentence in its explanation naming the confirmed finding and the similarity, and the
field ``resembles``: the ids of every confirmed finding it is a place of. Its id and
everything else stay as the rules made them; a confirmed finding is never raised. No
confirmed finding: nothing is read and the findings are returned as they are.

Switched by ``[FEEDBACK] enabled`` in ``queries/settings.toml`` and, for one run, by
``umbrella scan --no-feedback``; docs/similar.md ("Confirmed cases feed back").

Examples
--------
>>> anchors = anchor_keys(("p:1", "pay:1", "o:1"), ["p:1", "pay:1"], ["p:7", "pay:7", "o:7"])
>>> sorted(anchors)
['p:7', 'pay:7']
>>> raised({"id": "F-2", "score": 0.7, "explanation": "A.",
...         "text": {"explanation": []}}, ["F-1"], "F-1", 0.9, 0.15)["score"]
0.835
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.store import Store, StoreView
from lang.core import N_
from lang.message import Msg, number, render, render_all
from lang.message import Template as Text
from queries.settings import Settings

#: The sentence a raised finding gains.
RESEMBLES: Text = N_("Resembles confirmed finding {finding} (similarity {similarity}).")


@dataclass(frozen=True)
class Place:
    """One place like a confirmed finding ``seed``: how alike (``similarity`` in [0, 1])
    and its anchor keys (the entities a finding must name to be this place)."""

    seed: str
    similarity: float
    anchors: frozenset[str]


def anchor_keys(template_keys: Sequence[str], seed_keys: Sequence[str],
                bound: Sequence[str | None]) -> frozenset[str]:
    """The keys a place binds to the seed's own entities (``bound[v]`` for each template
    variable ``v`` whose seed key is one of ``seed_keys``).

    Examples
    --------
    >>> sorted(anchor_keys(("a", "b"), ["a"], ["x", None]))
    ['x']
    """
    own = set(seed_keys)
    return frozenset(k for v, k in enumerate(bound)
                     if k is not None and v < len(template_keys) and template_keys[v] in own)


def confirmed_ids(store: Store) -> list[str]:
    """The ids of the findings confirmed in triage now (none on a backend without triage).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "c.db")
    >>> confirmed_ids(store)
    []
    >>> store.close()
    """
    from queries.triage import current_statuses

    current = current_statuses(store) or {}
    return sorted(fid for fid, e in current.items() if e.status == "confirmed")


def places_like(view: StoreView, seeds: Sequence[Mapping[str, Any]], top: int
                ) -> dict[str, list[Place]]:
    """The ``top`` places most like each seed finding, best first, by the seed's id.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "p.db")
    >>> places_like(store.view(), [], 10)
    {}
    >>> store.close()
    """
    from queries.engine import Engine
    from queries.similar import seed_template, similar_to

    if not seeds:
        return {}
    out: dict[str, list[Place]] = {}
    engine = Engine(view)
    try:
        for seed in seeds:
            fid = str(seed["id"])
            template = seed_template(view, seed, engine)
            keys = [str(k) for k in seed.get("keys", [])]
            out[fid] = [Place(fid, float(h.score), anchor_keys(template.keys, keys, h.bound))
                        for h in similar_to(view, seed, top, engine=engine)]
    finally:
        engine.close()
    return out


def raised(finding: dict[str, Any], resembles: Sequence[str], best: str, similarity: float,
           bonus: float) -> dict[str, Any]:
    """``finding`` with its score raised by ``bonus * similarity`` (at most 1), the
    sentence naming ``best`` in its explanation (in the language spoken now, and as a
    message in ``text`` for other languages) and ``resembles``."""
    sentence = Msg(RESEMBLES, {"finding": best, "similarity": number(similarity, 2)})
    text = dict(finding.get("text") or {})
    messages = [*text.get("explanation", []), sentence.to_json()]
    explanation = str(finding.get("explanation") or "")
    if text.get("explanation"):
        explanation = render_all([Msg.from_json(m) for m in messages])
    else:
        explanation = render_all([Msg(explanation), sentence]) if explanation \
            else render(sentence)
    return {**finding, "score": round(min(1.0, float(finding["score"]) + bonus * similarity), 3),
            "explanation": explanation, "text": {**text, "explanation": messages},
            "resembles": list(resembles)}


def feed_back(store: Store, findings: list[dict[str, Any]], settings: Settings,
              enabled: bool = True) -> list[dict[str, Any]]:
    """The scan's ``findings`` with those like a confirmed finding raised (module doc);
    the same list when feedback is off or nothing is confirmed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import open_store
    >>> from queries.settings import load_settings
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "f.db")
    >>> fs = [{"id": "F-1", "score": 0.5, "keys": ["p:1"]}]
    >>> feed_back(store, fs, load_settings()) is fs
    True
    >>> store.close()
    """
    conf = settings.rule("FEEDBACK")
    if not enabled or not conf["enabled"] or not findings:
        return findings
    confirmed = confirmed_ids(store)
    if not confirmed:
        return findings
    view = store.view()
    fresh = {str(f["id"]): f for f in findings}
    seeds = [s for fid in confirmed if (s := fresh.get(fid) or view.finding(fid)) is not None]
    places = [p for ps in places_like(view, seeds, int(conf["top"])).values() for p in ps
              if p.similarity >= float(conf["min_similarity"]) and p.anchors]
    if not places:
        return findings
    mine = set(confirmed)
    out = []
    for f in findings:
        keys = {str(k) for k in f.get("keys", [])}
        like = [p for p in places if str(f["id"]) not in mine and p.anchors <= keys]
        if not like:
            out.append(f)
            continue
        best = min(like, key=lambda p: (-p.similarity, p.seed))
        out.append(raised(f, sorted({p.seed for p in like}), best.seed, best.similarity,
                          float(conf["bonus"])))
    return out


# -- how many places like a confirmed finding were confirmed (umbrella evaluate) --------

#: The k of "similar hits later confirmed": the top k places of each confirmed finding.
SIMILAR_KS = (10, 50)


@dataclass(frozen=True)
class SimilarConfirmed:
    """Of the top ``k`` places like each confirmed finding (``hits`` in all), how many
    touch an item of the truth file (``confirmed``: one of their anchor keys is one of
    its entities, as a lead touches an item in :func:`queries.evaluate.evaluate`)."""

    k: int
    hits: int
    confirmed: int

    @property
    def share(self) -> float | None:
        """confirmed / hits (None when there is no hit)."""
        return self.confirmed / self.hits if self.hits else None


def similar_confirmed(places: Mapping[str, Sequence[Place]], truth_keys: set[str],
                      ks: Sequence[int] = SIMILAR_KS) -> list[SimilarConfirmed]:
    """For each k, the top k places of every seed in ``places`` (best first), and how many
    of them touch ``truth_keys`` (the entities of the truth file's items).

    Examples
    --------
    >>> ps = {"F-1": [Place("F-1", 1.0, frozenset({"p:2"})),
    ...               Place("F-1", 0.7, frozenset({"p:3"}))],
    ...       "F-4": [Place("F-4", 0.9, frozenset({"p:5"}))]}
    >>> [(s.k, s.hits, s.confirmed, s.share) for s in similar_confirmed(ps, {"p:2"}, (1, 2))]
    [(1, 2, 1, 0.5), (2, 3, 1, 0.3333333333333333)]
    """
    out = []
    for k in sorted(set(ks)):
        top = [p for ps in places.values() for p in list(ps)[:k]]
        out.append(SimilarConfirmed(k, len(top), sum(bool(p.anchors & truth_keys) for p in top)))
    return out


def similar_check(store: Store, truth_keys: set[str], ks: Sequence[int] = SIMILAR_KS
                  ) -> list[SimilarConfirmed]:
    """:func:`similar_confirmed` for the findings confirmed in ``store`` now (stored
    ones); empty when none is confirmed (nothing is read then).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "s.db")
    >>> similar_check(store, {"p:1"})
    []
    >>> store.close()
    """
    view = store.view()
    seeds = [f for fid in confirmed_ids(store) if (f := view.finding(fid)) is not None]
    if not seeds:
        return []
    return similar_confirmed(places_like(view, seeds, max(ks)), truth_keys, ks)
