"""The ``clusters`` and ``brokers`` commands (umbrella/algorithms.py) on the golden inputs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from graph.store import SqliteStore
from loaders.load import load_folder
from umbrella.algorithms import brokers, clusters

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli") / "g.db"
    store = SqliteStore(path)
    load_folder(GOLDEN / "CLU", store)
    store.close()
    return str(path)


@pytest.mark.parametrize("command", [clusters, brokers])
def test_help_has_an_example(command: click.Command) -> None:
    text = CliRunner().invoke(command, ["--help"]).output
    assert "Example:" in text and f"umbrella {command.name}" in text


def test_clusters_table_and_json(db: str) -> None:
    runner = CliRunner()
    table = runner.invoke(clusters, ["--db", db])
    assert table.exit_code == 0, table.output
    assert "communities (leiden, seed 0" in table.output and "F-" in table.output
    out = runner.invoke(clusters, ["--db", db, "--format", "json", "--method", "louvain",
                                   "--seed", "3"])
    assert out.exit_code == 0, out.output
    found = json.loads(out.output)["findings"]
    assert found and all(f["rule"] == "CLU-001" and f["method"] == "louvain" for f in found)
    assert {"P1", "P2", "K1", "P3"} <= set(found[0]["entities"])


def test_brokers_table_and_csv(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(brokers, ["--db", db, "--top", "3"])
    assert table.exit_code == 0, table.output
    assert "government:company" in table.output and "exact" in table.output
    out = tmp_path / "b.csv"
    done = runner.invoke(brokers, ["--db", db, "--pair", "government:crime", "--combine", "any",
                                   "--samples", "2", "--format", "csv", "-o", str(out)])
    assert done.exit_code == 0, done.output
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:3] == ["id", "score", "rule"] and rows[1][2] == "BRK-001"


def test_errors_are_one_line_with_a_hint(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(brokers, ["--db", db, "--pair", "government:martians"])
    assert bad.exit_code != 0 and "government:martians" in str(bad.exception)
    missing = runner.invoke(clusters, ["--db", str(tmp_path / "none.db")])
    assert missing.exit_code != 0 and "no such database" in str(missing.exception)
    xlsx = runner.invoke(clusters, ["--db", db, "--format", "xlsx"])
    assert xlsx.exit_code != 0 and "xlsx needs a file" in str(xlsx.exception)
