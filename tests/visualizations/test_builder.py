"""The generic builder without a browser: escaping, masking, capping, self-containment."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from typing import Any

import numpy as np
import pytest

from visualizations.app_js import APP_JS
from visualizations.assets import vis_folder
from visualizations.builder import build_page

DATA_RE = re.compile(r'<script type="application/json" id="umbrella-data">(.*?)</script>', re.S)


def data_of(html: str) -> dict[str, Any]:
    """The page's data block, parsed as the page script parses it."""
    found = DATA_RE.findall(html)
    assert len(found) == 1
    return json.loads(found[0])  # type: ignore[no-any-return]


def chain(n: int, kind: str = "person") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes = [{"id": f"n{i}", "name": f"节点{i}", "kind": kind} for i in range(n)]
    edges = [{"id": f"e{i}", "from": f"n{i - 1}", "to": f"n{i}", "type": "KIN"}
             for i in range(1, n)]
    return nodes, edges


HOSTILE = ["</script><script>window.__pwned=1</script>", "<!--<script>", "\u2028x\u2029",
           "<img src=x onerror=alert(1)>", "@@DATA@@", "{{ nodes|safe }}", "</SCRIPT >",
           '"><a href="javascript:alert(1)">', "&lt;&amp;"]


def test_hostile_names_stay_inside_the_data_block() -> None:
    nodes = [{"id": f"h{i}", "name": name, "kind": "person", "note": name}
             for i, name in enumerate(HOSTILE)]
    page = build_page(nodes, [], title=HOSTILE[0], explanation=HOSTILE[3], notes=[HOSTILE[4]])
    # exactly our three script elements end: the data block, vis-network, the page script
    assert len(re.findall(r"</script", page.html, re.I)) == 3
    assert "<!--" not in page.html and "\u2028" not in page.html
    data = data_of(page.html)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert [labels[f"h{i}"] for i in range(len(HOSTILE))] == [
        h.replace("\u2028", " ").replace("\u2029", " ") for h in HOSTILE]
    assert data["title"] == HOSTILE[0] and data["notes"][0] == HOSTILE[4]
    assert "<title>&lt;/script&gt;&lt;script&gt;" in page.html


def test_titles_never_reach_vis_as_markup() -> None:
    page = build_page([{"id": "a", "name": '<a href="x">link</a>', "kind": "company"}], [],
                      title="t")
    node = data_of(page.html)["nodes"][0]
    assert "title" not in node and node["tip"].startswith('<a href="x">link</a>')
    # the page script builds tooltips and every text with textContent, never as markup
    assert "innerHTML" not in APP_JS and "insertAdjacentHTML" not in APP_JS
    assert "document.write" not in APP_JS and "textContent" in APP_JS


def test_page_is_self_contained() -> None:
    nodes, edges = chain(5)
    html = build_page(nodes, edges, title="t").html
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html, re.I)
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    assert "@import" not in html and not re.search(r"url\(\s*['\"]?(https?:|//)", html)
    # the only web addresses are those inside vis-network's own licence and error texts
    vis = (vis_folder() / "vis-network.min.js").read_text(encoding="utf-8")
    assert set(re.findall(r"https?://[^\s\"')]+", html)) <= set(
        re.findall(r"https?://[^\s\"')]+", vis))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp and "default-src 'none'" in csp.group(1)


def test_csp_allows_exactly_the_inline_scripts() -> None:
    html = build_page(*chain(3), title="t").html
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 2
    policy = re.search(r'content="(default-src[^"]+)"', html)
    assert policy is not None
    allowed = re.findall(r"'sha256-([^']+)'", policy.group(1))
    assert sorted(allowed) == sorted(
        base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts)


def test_identity_numbers_masked_unless_revealed() -> None:
    nodes = [{"id": "p", "name": "张三 11010519491231002X", "kind": "person",
              "id_number": "11010519491231002X", "ids": ["11010519491231002X"]}]
    masked = build_page(nodes, [], title="x 11010519491231002X")
    assert "11010519491231002X" not in masked.html
    assert "110105***********X" in data_of(masked.html)["nodes"][0]["tip"]
    shown = build_page(nodes, [], title="x", reveal=True)
    assert "id_number: 11010519491231002X" in data_of(shown.html)["nodes"][0]["tip"]


def test_large_views_are_capped_by_relevance_and_say_so() -> None:
    nodes, edges = chain(1000)
    page = build_page(nodes, edges, title="t", focus=["n0"], max_nodes=100)
    data = data_of(page.html)
    ids = {n["id"] for n in data["nodes"]}
    assert page.nodes_shown == len(ids) == 100 and page.nodes_total == 1000
    assert ids == {f"n{i}" for i in range(100)}  # the nearest to the focus
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert any("Left out 900 of 1,000 nodes (900 persons)" in n for n in page.notes)
    assert data["counts"] == {"nodes": 100, "edges": 99, "nodes_total": 1000,
                              "edges_total": 999}
    assert data["summary"].startswith("Showing 100 nodes and 99 ties (of 1,000 nodes")
    # evidence is always kept, however far, and its surroundings count as near
    nodes[999]["highlight"] = True
    data = data_of(build_page(nodes, edges, title="t", focus=["n0"], max_nodes=100).html)
    assert {n["id"] for n in data["nodes"]} == {f"n{i}" for i in [*range(50), *range(950, 1000)]}
    # more evidence than the limit: all of it is shown, and the page says so
    for n in nodes[:150]:
        n["highlight"] = True
    page = build_page(nodes, edges, title="t", max_nodes=100)
    assert page.nodes_shown == 151 and any("All 151 highlighted" in n for n in page.notes)


def test_large_views_get_positions_and_no_physics() -> None:
    nodes, edges = chain(600)
    page = build_page(nodes, edges, title="t", focus=["n0"], max_nodes=600)
    data = data_of(page.html)
    assert not page.physics and data["options"]["physics"]["enabled"] is False
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == 600  # no two on one spot
    middle = build_page(*chain(399), title="t", max_nodes=400)
    assert not middle.physics and any("(spring layout)" in n for n in middle.notes)
    assert any("(one ring per hop)" in n for n in page.notes)
    small = build_page(*chain(10), title="t")
    assert small.physics and data_of(small.html)["options"]["physics"]["enabled"] is True


def test_ids_must_be_text_or_integers() -> None:
    page = build_page([{"id": np.int64(1)}, {"id": 2}], [{"from": np.int32(1), "to": 2}],
                      title="t")
    assert [n["id"] for n in data_of(page.html)["nodes"]] == [1, 2]
    with pytest.raises(TypeError, match="text or integers"):
        build_page([{"id": 1.5}], [], title="t")
    with pytest.raises(ValueError, match="not among the nodes"):
        build_page([{"id": "a"}], [{"from": "a", "to": "b", "type": "KIN"}], title="t")


def test_the_callers_records_are_left_alone() -> None:
    nodes, edges = chain(4)
    nodes[0]["highlight"] = True
    before = copy.deepcopy((nodes, edges))
    build_page(nodes, edges, title="t", max_nodes=2)
    assert (nodes, edges) == before


def test_nodes_sized_by_degree_or_a_measure() -> None:
    nodes = [{"id": "hub"}] + [{"id": f"l{i}", "amount": i} for i in range(5)]
    edges = [{"from": "hub", "to": f"l{i}", "type": "BID"} for i in range(5)]
    size = {n["id"]: n["size"] for n in data_of(build_page(nodes, edges, title="t").html)["nodes"]}
    assert size["hub"] > size["l0"] == size["l4"]
    by_amount = build_page(nodes, edges, title="t", size_by="amount").html
    size = {n["id"]: n["size"] for n in data_of(by_amount)["nodes"]}
    assert size["l4"] > size["l1"] > size["l0"]


def test_styles_follow_kind_and_type_and_the_legend_counts_them() -> None:
    nodes = [{"id": "p", "kind": "person"}, {"id": "o", "kind": "organization"},
             {"id": "c", "kind": "contract"}]
    edges = [{"from": "p", "to": "o", "type": "HOLDS_POST"},
             {"from": "p", "to": "c", "type": "APPROVED"},
             {"from": "c", "to": "o", "type": "AWARDED_TO", "highlight": True}]
    data = data_of(build_page(nodes, edges, title="t").html)
    shapes = {n["id"]: n["shape"] for n in data["nodes"]}
    assert shapes == {"p": "dot", "o": "square", "c": "triangle"}
    assert [(k["kind"], k["count"]) for k in data["kinds"]] == [
        ("contract", 1), ("organization", 1), ("person", 1)]
    assert [t["type"] for t in data["types"]] == ["APPROVED", "AWARDED_TO", "HOLDS_POST"]
    widths = {e["type"]: e["width"] for e in data["edges"]}
    assert widths["AWARDED_TO"] > widths["APPROVED"]  # highlighted evidence is thicker
