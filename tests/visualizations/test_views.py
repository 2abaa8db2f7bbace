"""Views over a real store, the scan pages, and the ``export html`` command (no browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from graph.errors import UmbrellaError
from umbrella.views import export
from umbrella.views import html as html_command
from visualizations.index import write_scan_pages
from visualizations.pages import finding_page, neighbourhood_page, path_page

#: The ``county`` fixture's type (tests/visualizations/conftest.py; conftests are not importable).
County = Any
DATA_RE = re.compile(r'<script type="application/json" id="umbrella-data">(.*?)</script>', re.S)


def data_of(html: str) -> dict[str, Any]:
    return json.loads(DATA_RE.findall(html)[0])  # type: ignore[no-any-return]


def coi(county: County) -> dict[str, Any]:
    return next(f for f in county.findings if f["rule"] == "COI-001")


def test_finding_view_highlights_the_evidence_and_fades_the_rest(county: County) -> None:
    finding = coi(county)
    data = data_of(finding_page(county.store.view(), finding["id"]).html)
    evidence = {s["id"] for p in finding["evidence"] for s in p["path"] if "rel" in s}
    highlighted = {e["id"] for e in data["edges"] if e["highlight"]}
    assert highlighted == evidence
    faded = [e for e in data["edges"] if e["faded"]]
    assert faded and not any(e["highlight"] for e in faded)
    assert {n["id"] for n in data["nodes"] if n["highlight"]} >= set(finding["keys"])
    assert data["title"] == finding["title"] and data["explanation"] == finding["explanation"]
    tips = "\n".join(e["tip"] for e in data["edges"] if e["highlight"])
    assert "company_roles.csv:2" in tips and "contracts.csv:2" in tips  # file and line
    # the official's identity number is masked unless revealed
    official = next(n for n in data["nodes"] if n["ids"] == "P1")
    assert "110105***********X" in official["tip"] and "persons.csv:2" in official["tip"]


def test_neighbourhood_by_hops_and_date(county: County) -> None:
    view, brother = county.store.view(), county.key("P3")
    one = data_of(neighbourhood_page(view, brother, hops=1).html)
    assert {n["ids"] for n in one["nodes"]} == {"P3", "P1", "P7"}
    two = data_of(neighbourhood_page(view, brother, hops=2).html)
    assert {"P2", "O1", "C1"} <= {n["ids"] for n in two["nodes"]}
    # the association with P7 ended in 2012: not a tie in force on 2020-01-01
    then = neighbourhood_page(view, brother, hops=1, on="2020-01-01")
    assert {n["ids"] for n in data_of(then.html)["nodes"]} == {"P3", "P1"}
    assert any("in force on 2020-01-01" in n for n in then.notes)


def test_neighbourhood_does_not_expand_hubs_and_says_so(county: County) -> None:
    page = neighbourhood_page(county.store.view(), county.key("P3"), hops=3, hub_degree=2)
    assert any(n.startswith("Not expanded: ") and "--hub-degree" in n for n in page.notes)
    assert "C2" not in {n["ids"] for n in data_of(page.html)["nodes"]}  # behind the agency


def test_neighbourhood_stops_early_when_capped(county: County) -> None:
    page = neighbourhood_page(county.store.view(), county.key("P1"), hops=4, max_nodes=3)
    assert page.nodes_shown == 3
    assert any(n.startswith("Stopped after hop 1 of 4") for n in page.notes)
    assert any(n.startswith("Left out ") for n in page.notes)


def test_path_view(county: County) -> None:
    view = county.store.view()
    page = path_page(view, county.key("P1"), county.key("O2"))
    data = data_of(page.html)
    assert {n["ids"] for n in data["nodes"] if n["highlight"]} >= {"P1", "O2"}
    assert any(e["highlight"] for e in data["edges"])
    lonely = path_page(view, county.key("P1"), county.key("O4"), context=False)
    assert any(n.startswith("No path between") for n in lonely.notes)


def test_scan_pages_write_an_index_and_one_page_per_finding(county: County,
                                                             tmp_path: Path) -> None:
    before = set(tmp_path.iterdir())
    index = write_scan_pages(county.store, county.findings, tmp_path / "pages", top=3)
    assert set(tmp_path.iterdir()) - before == {tmp_path / "pages"}
    files = sorted(p.name for p in (tmp_path / "pages").iterdir())
    assert len(files) == 4 and "index.html" in files
    text = index.read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', text)
    assert [f"{f['id']}.html" for f in county.findings[:3]] == links
    assert all((tmp_path / "pages" / link).is_file() for link in links)
    assert "default-src 'none'" in text and "<script" not in text


def test_export_html_command(county: County, tmp_path: Path) -> None:
    db, runner = county.store.location, CliRunner()
    out = tmp_path / "lead.html"
    r = runner.invoke(export, ["html", "--finding", coi(county)["id"], "-o", str(out), "--db", db])
    assert r.exit_code == 0, r.output
    assert out.is_file() and f"Wrote {out}" in r.output
    r = runner.invoke(export, ["html", "--entity", "P3", "--hops", "1", "--on", "2020-01-01",
                               "-o", str(tmp_path / "p3.html"), "--db", db])
    assert r.exit_code == 0, r.output
    assert {n["ids"] for n in data_of((tmp_path / "p3.html").read_text("utf-8"))["nodes"]} == {
        "P3", "P1"}
    r = runner.invoke(export, ["html", "--path", "P1", "O2", "-o", str(tmp_path / "path.html"),
                               "--db", db, "--reveal"])
    assert r.exit_code == 0, r.output
    assert "11010519491231002X" in (tmp_path / "path.html").read_text("utf-8")


@pytest.mark.parametrize("args, message", [
    ([], "exactly one of"),
    (["--entity", "P1", "--finding", "F-1"], "exactly one of"),
])
def test_export_html_needs_one_view(county: County, tmp_path: Path, args: list[str],
                                    message: str) -> None:
    r = CliRunner().invoke(export, ["html", *args, "-o", str(tmp_path / "x.html"), "--db",
                                    county.store.location])
    assert r.exit_code == 2 and message in r.output


@pytest.mark.parametrize("args, message", [
    (["--finding", "F-000000000000"], "no finding 'F-000000000000'"),
    (["--entity", "P404"], "no entity with id or name 'P404'"),
])
def test_export_html_errors_are_named(county: County, tmp_path: Path, args: list[str],
                                      message: str) -> None:
    r = CliRunner().invoke(export, ["html", *args, "-o", str(tmp_path / "x.html"), "--db",
                                    county.store.location])
    assert isinstance(r.exception, UmbrellaError) and message in r.exception.message
    assert not (tmp_path / "x.html").exists()


def test_commands_have_examples() -> None:
    for cmd, name in ((export, "umbrella export"), (html_command, "umbrella export html")):
        with click.Context(cmd) as ctx:
            text = cmd.get_help(ctx)
        assert "Example:" in text and name in text
