"""Path searches read ties level by level from the store; they must give what the whole
graph in memory gives, on the embedded store and on Neo4j alike."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from neo4j_stores import open_neo4j

from graph.store import SqliteStore, StoreView
from graph.store.copy import copy_store
from queries.frames import Frames
from queries.paths import GraphTies, build_graph, explain_paths, reference_paths, search

#: (hub degree, date) settings every pair is searched under
SETTINGS = [(100, None), (12, None), (100, "2019-06-30"), (12, "2021-01-15")]


@pytest.fixture
def county(read_only_county: SqliteStore) -> SqliteStore:
    return read_only_county


def _pairs(view: StoreView, n: int = 24) -> list[tuple[str, str]]:
    """Person/organization pairs: random ones, and an official with the bodies he bought for."""
    people = sorted(view.entity_names("person"))
    orgs = sorted(view.entity_names("organization"))
    rng = random.Random(4)
    pairs = [(rng.choice(people), rng.choice(people + orgs)) for _ in range(n)]
    posts = sorted((r.src, r.dst) for r in view.relations(["HOLDS_POST"]))
    return pairs + rng.sample(posts, 4) + [(people[0], people[0])]


def _sequences(result: Any) -> list[list[str]]:
    return [[s["key"] for s in p if "node" in s] for p in result.paths]


def test_the_search_finds_exactly_networkx_shortest_paths(county: SqliteStore) -> None:
    """Every shortest path of the hub-free graph, no more, no fewer (networkx as the judge)."""
    view = county.view()
    frames = Frames(view)
    compared = 0
    for hub, on in SETTINGS:
        g = build_graph(frames, on)
        ties, simple = GraphTies(g), nx.Graph(g)
        for a, b in _pairs(view):
            found = search(view, a, b, on, max_paths=10**6, hub_degree=hub)
            hubs = {n for n, d in g.degree() if d > hub and n not in (a, b)}
            assert set(found.hubs) <= hubs
            if a not in g or b not in g:
                assert found.nodes == ([[a]] if a == b else [])
                continue
            try:
                expected = sorted(nx.all_shortest_paths(nx.restricted_view(simple, hubs, []),
                                                        a, b))
            except nx.NetworkXNoPath:
                expected = []
            assert found.nodes == expected, (a, b, hub, on)
            assert search(ties, a, b, on, max_paths=10**6, hub_degree=hub).nodes == expected
            compared += bool(expected)
    assert compared >= 40  # most pairs are joined: the comparison is not vacuous


def test_paths_from_the_store_equal_the_in_memory_reference(county: SqliteStore) -> None:
    view = county.view()
    frames = Frames(view)
    seen_hubs = seen_paths = 0
    for hub, on in SETTINGS:
        g = build_graph(frames, on)
        for a, b in _pairs(view):
            got = explain_paths(view, a, b, on=on, hub_degree=hub)
            assert got == reference_paths(frames, a, b, on=on, hub_degree=hub, graph=g), (a, b)
            seen_paths += len(got.paths)
            seen_hubs += len(got.hubs_skipped)
            for path in got.paths:
                for step in path:
                    assert step["sources"], step  # every step points at its rows
                    if "rel" in step and on is not None:
                        assert step["start"] is None or step["start"] <= on
    assert seen_paths > 60 and seen_hubs > 0


def test_paths_stop_at_hubs_and_say_so(county: SqliteStore) -> None:
    view = county.view()
    a, b = next((a, b) for a, b in _pairs(view)
                if len(_sequences(explain_paths(view, a, b))[0:1]) == 1
                and explain_paths(view, a, b, hub_degree=3).hubs_skipped)
    narrow = explain_paths(view, a, b, hub_degree=3)
    degrees = view.tie_degrees(narrow.hubs_skipped)
    assert all(d > 3 for d in degrees.values())
    for path in _sequences(narrow):
        assert not set(path[1:-1]) & set(narrow.hubs_skipped)
        assert all(d <= 3 for d in view.tie_degrees(path[1:-1]).values())


@pytest.mark.slow
def test_paths_on_neo4j_equal_the_embedded_store(county: SqliteStore, neo4j_db: Any) -> None:
    """The same county pushed to Neo4j: the Cypher level-by-level search gives the same steps."""
    neo = open_neo4j(neo4j_db)
    try:
        copy_store(county, neo)
        lite_view, neo_view = county.view(), neo.view()
        pairs = _pairs(lite_view, n=10)
        assert neo_view.tie_degrees([a for a, _ in pairs]) == lite_view.tie_degrees(
            [a for a, _ in pairs])
        paths = 0
        for hub, on in SETTINGS:
            for a, b in pairs:
                got = explain_paths(neo_view, a, b, on=on, hub_degree=hub)
                assert got == explain_paths(lite_view, a, b, on=on, hub_degree=hub), (a, b)
                paths += len(got.paths)
        assert paths > 20
    finally:
        neo.close()


def test_the_path_command_does_not_read_the_whole_graph(county: SqliteStore,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    """The search asks for ties, never for whole relation tables."""
    view = county.view()
    a, b = _pairs(view)[0]

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the path search read a whole table")

    monkeypatch.setattr(type(view), "relations_frame", refuse)
    monkeypatch.setattr(type(view), "relations", refuse)
    monkeypatch.setattr(type(view), "entity_sources", refuse)
    result = explain_paths(view, a, b, on="2020-01-01")
    assert result.on == "2020-01-01"
