"""Pages opened in a real headless chromium: they draw, search, filter and fetch nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from visualizations.builder import build_page
from visualizations.pages import finding_page, neighbourhood_page

#: Fixture types from tests/visualizations/conftest.py (conftests are not importable).
County = Any
Opener = Callable[..., Any]
PERSON_BLUE = (0x4E, 0x79, 0xA7)


def console_errors(opened: Any) -> list[str]:
    return [text for kind, text in opened.console if kind == "error"]


def assert_quiet(opened: Any, path: Path) -> None:
    """Only the page itself was requested; no error, no dialog."""
    assert opened.requests == [path.resolve().as_uri()]
    assert opened.errors == [] and console_errors(opened) == [] and opened.dialogs == []


def said_count(opened: Any) -> tuple[int, int]:
    text = opened.page.inner_text("#u-summary")
    m = re.match(r"Showing ([\d,]+) nodes and ([\d,]+) ties", text)
    assert m, text
    return int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))


def test_a_view_draws_the_nodes_it_says_it_draws(county: County, tmp_path: Path,
                                                 open_page: Opener,
                                                 pixels: Callable[..., Any]) -> None:
    page = neighbourhood_page(county.store.view(), county.key("P1"), hops=2)
    path = page.write(tmp_path / "p1.html")
    opened = open_page(path)
    drawn = opened.js("umbrellaView.network.body.nodeIndices.length")
    drawn_edges = opened.js("umbrellaView.network.body.edgeIndices.length")
    assert (drawn, drawn_edges) == said_count(opened) == (page.nodes_shown, page.edges_shown)
    assert drawn >= 8
    width, height, rows = pixels(opened.page.locator("#u-graph").screenshot())
    ink = sum(1 for row in rows for i in range(0, len(row), 3) if row[i:i + 3] != b"\xff\xff\xff")
    assert ink > 0.002 * width * height  # not blank
    blue = sum(1 for row in rows for i in range(0, len(row), 3)
               if all(abs(row[i + k] - PERSON_BLUE[k]) < 12 for k in range(3)))
    assert blue > 50  # person nodes are drawn in their kind's colour
    assert_quiet(opened, path)


def test_a_large_view_is_drawn_at_once_without_physics(tmp_path: Path,
                                                       open_page: Opener) -> None:
    nodes = [{"id": i, "name": f"人{i}", "kind": "person"} for i in range(900)]
    edges = [{"from": i, "to": i // 3, "type": "KIN"} for i in range(1, 900)]
    page = build_page(nodes, edges, title="large", focus=[0], max_nodes=600)
    path = page.write(tmp_path / "large.html")
    opened = open_page(path)
    assert opened.js("umbrellaView.network.body.nodeIndices.length") == 600
    assert said_count(opened) == (600, 599)
    assert opened.js("umbrellaView.network.physics.physicsEnabled") is False
    assert "Left out 300 of 900 nodes" in opened.page.inner_text("#u-notes")
    assert_quiet(opened, path)


def test_search_finds_a_node_by_name_or_id(county: County, tmp_path: Path,
                                          open_page: Opener) -> None:
    path = neighbourhood_page(county.store.view(), county.key("P1"), hops=2).write(
        tmp_path / "p1.html")
    opened = open_page(path)
    opened.page.fill("#u-search", "李秀英")
    opened.page.press("#u-search", "Enter")
    assert opened.js("umbrellaView.network.getSelectedNodes()") == [county.key("P2")]
    assert opened.page.inner_text("#u-details").startswith("李秀英")
    assert opened.page.inner_text("#u-count") == "1 / 1"
    position = opened.js(f"umbrellaView.network.getPosition({county.key('P2')!r})")
    centre = opened.js("umbrellaView.network.getViewPosition()")
    assert abs(position["x"] - centre["x"]) < 1 and abs(position["y"] - centre["y"]) < 1
    opened.page.fill("#u-search", "o2")  # an input id, any case
    opened.page.click("#u-find")
    assert opened.js("umbrellaView.network.getSelectedNodes()") == [county.key("O2")]
    opened.page.fill("#u-search", "no such name")
    opened.page.press("#u-search", "Enter")
    assert opened.page.inner_text("#u-count") == "0 found"
    assert_quiet(opened, path)


def test_filters_hide_the_edges_of_a_type(county: County, tmp_path: Path,
                                          open_page: Opener) -> None:
    path = neighbourhood_page(county.store.view(), county.key("P1"), hops=2).write(
        tmp_path / "p1.html")
    opened = open_page(path)
    visible = """type => {
        const v = umbrellaView, ids = v.edges.getIds({filter: e => e.type === type});
        const others = v.edges.getIds({filter: e => e.type !== type});
        const shown = id => !v.network.body.edges[id].options.hidden;
        return [ids.filter(shown).length, ids.length, others.filter(shown).length,
                others.length];
    }"""
    shown, kin, others_shown, others = opened.js(visible, "KIN")
    assert shown == kin >= 2 and others_shown == others > 0
    opened.page.uncheck("input[data-type=KIN]")
    assert opened.js(visible, "KIN") == [0, kin, others, others]
    opened.page.check("input[data-type=KIN]")
    assert opened.js(visible, "KIN") == [kin, kin, others, others]
    assert_quiet(opened, path)


def test_finding_view_context_can_be_hidden(county: County, tmp_path: Path,
                                            open_page: Opener) -> None:
    finding = next(f for f in county.findings if f["rule"] == "COI-001")
    path = finding_page(county.store.view(), finding).write(tmp_path / "f.html")
    opened = open_page(path)
    count = "umbrellaView.network.body.nodeIndices.length"
    everything = opened.js(count)
    opened.page.uncheck("#u-context")
    evidence = opened.js("umbrellaView.nodes.get({filter: n => n.highlight}).length")
    assert opened.js(count) == evidence < everything
    assert_quiet(opened, path)


def test_tooltips_are_plain_text_with_sources(county: County, tmp_path: Path,
                                              open_page: Opener,
                                              hover: Callable[..., str]) -> None:
    path = neighbourhood_page(county.store.view(), county.key("P1"), hops=1).write(
        tmp_path / "p1.html")
    opened = open_page(path)
    tip = hover(opened, county.key("P1"))
    assert tip.startswith("王建国\nperson · P1") and "persons.csv:2" in tip
    assert "110105***********X" in tip and "11010519491231002X" not in tip
    assert_quiet(opened, path)



def test_clusters_and_brokers_pages_draw_their_members(tmp_path: Path,
                                                       open_page: Opener) -> None:
    """``clusters --html`` / ``brokers --html``: a page per community or broker, members drawn."""
    import json

    from click.testing import CliRunner

    from graph.store import SqliteStore
    from loaders.load import load_folder
    from umbrella.algorithms import brokers, clusters

    db = str(tmp_path / "clu.db")
    store = SqliteStore(db)
    load_folder(Path(__file__).parents[1] / "queries" / "golden" / "CLU", store)
    store.close()
    for command, code in ((clusters, "CLU-001"), (brokers, "BRK-001")):
        out = tmp_path / code
        done = CliRunner().invoke(command, ["--db", db, "--html", str(out), "--format", "json"])
        assert done.exit_code == 0, done.output
        found = json.loads(done.stdout)["findings"]
        assert found, f"{code} found nothing in the test county"
        pages = sorted(p for p in out.glob("*.html") if p.name != "index.html")
        assert len(pages) == len(found)
        assert all(f["id"] in (out / "index.html").read_text(encoding="utf-8") for f in found)
        best = next(p for p in pages if found[0]["id"] in p.name)
        opened = open_page(best)
        drawn = set(opened.js("umbrellaView.network.body.nodeIndices"))
        evidence = {s["key"] for e in found[0]["evidence"] for s in e["path"] if "node" in s}
        assert evidence and evidence <= drawn
        assert_quiet(opened, best)
