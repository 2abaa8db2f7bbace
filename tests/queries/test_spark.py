"""Every pattern rule gives the same findings on Spark as on the embedded engine.

The county's tables are exported as Parquet, a local Spark session (Debian's
OpenJDK 17 and the pyspark wheel) runs each rule's SQL, transpiled, and the findings
built from Spark's match rows must equal the embedded engine's, key for key. The
rules are read from the registry, so a rule added later is checked without anyone
remembering to; a rule the county gives nothing to find (the OCDS indicators read
columns the county does not have) is checked on its golden fixture instead. Skips,
saying why, without Java or pyspark; CI sets ``UMBRELLA_REQUIRE_SPARK=1`` and then a
missing Spark fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.store import SqliteStore
from loaders.load import load_folder
from queries import rules as _rules  # noqa: F401  (registers the rules)
from queries.context import Context
from queries.frames import Frames
from queries.registry import RULES
from synthetic import generate_county

PATTERN_RULES = sorted(c for c, r in RULES.items() if r.category not in ("cluster", "broker"))


def _spark_or_skip() -> None:
    missing = []
    if shutil.which("java") is None:
        missing.append("a Java runtime (apt-get install openjdk-17-jre-headless)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("pyspark (pip install pyspark)")
    if missing:
        reason = "Spark parity needs " + " and ".join(missing)
        if os.environ.get("UMBRELLA_REQUIRE_SPARK") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqliteStore, Any]]:
    _spark_or_skip()
    from queries.spark import SparkRunner, start_session

    root = tmp_path_factory.mktemp("spark")
    generated = generate_county(root / "county", scale=0.5, seed=7)
    store = SqliteStore(root / "c.db")
    load_folder(generated.data_dir, store)
    frames = Frames(store.view())
    frames.engine.export_parquet(root / "parquet")
    session = start_session("local[2]")
    runner = SparkRunner(root / "parquet", session=session)
    _SESSION["spark"], _SESSION["root"] = session, root
    yield store, runner
    session.stop()
    frames.close()
    store.close()
    for other, _runner, _overrides in _GOLDEN.values():
        other.close()
    _GOLDEN.clear()


#: The session and folder of the county fixture, for the golden fixtures' runners.
_SESSION: dict[str, Any] = {}
#: Golden folder -> its store, a Spark runner over its tables, and its settings overrides.
_GOLDEN: dict[str, tuple[SqliteStore, Any, dict[str, dict[str, Any]]]] = {}
GOLDEN = Path(__file__).parent / "golden"


def _golden(code: str) -> tuple[SqliteStore, Any, dict[str, dict[str, Any]]] | None:
    """The first golden fixture that runs ``code``, loaded, exported and on Spark (for a
    rule the county gives nothing to find, such as the OCDS indicators)."""
    import json

    from queries.spark import SparkRunner

    for folder in sorted(GOLDEN.iterdir()):
        path = folder / "expected.json"
        if not path.exists():
            continue
        expected = json.loads(path.read_text(encoding="utf-8"))
        if code not in expected["rules"]:
            continue
        if folder.name not in _GOLDEN:
            root = Path(_SESSION["root"]) / f"golden-{folder.name}"
            root.mkdir()
            store = SqliteStore(root / "g.db")
            load_folder(folder, store)
            frames = Frames(store.view())
            frames.engine.export_parquet(root / "parquet")
            frames.close()
            # a session of its own: its tables' names are the county's
            runner = SparkRunner(root / "parquet", session=_SESSION["spark"].newSession())
            _GOLDEN[folder.name] = (store, runner, expected.get("overrides", {}))
        return _GOLDEN[folder.name]
    return None


def _findings(ctx: Context, code: str) -> dict[str, dict[str, Any]]:
    return {f.id: f.to_dict(ctx.frames) for f in ctx.run(code)}


@pytest.mark.parametrize("code", PATTERN_RULES)
def test_spark_gives_the_embedded_engines_findings(county: tuple[SqliteStore, Any],
                                                   code: str) -> None:
    store, runner = county
    overrides: dict[str, dict[str, Any]] = {}
    embedded = Context(Frames(store.view()))
    want = _findings(embedded, code)
    if not want:  # the county gives the rule nothing to find: its golden fixture does
        embedded.frames.close()
        golden = _golden(code)
        assert golden is not None, f"{code} finds nothing in the test county and has no golden"
        store, runner, overrides = golden
        embedded = Context(Frames(store.view()), overrides=overrides)
        want = _findings(embedded, code)
    on_spark = Context(Frames(store.view()), runner=runner, overrides=overrides)
    assert want, f"{code} finds nothing in the test county: parity would prove nothing"
    assert _findings(on_spark, code) == want
    embedded.frames.close()
    on_spark.frames.close()


def test_every_pattern_rule_is_checked() -> None:
    assert {"COI-001", "SUB-001", "COL-001", "UMB-001", "REC-001"} <= set(PATTERN_RULES)


def test_parquet_holds_every_table(county: tuple[SqliteStore, Any]) -> None:
    _, runner = county
    names = {p.stem for p in Path(runner.parquet).glob("*.parquet")}
    assert {"rel_KIN", "ent_person", "aliases", "relation_sources"} <= names


def test_scan_on_spark_from_the_command_line(county: tuple[SqliteStore, Any],
                                             tmp_path: Path) -> None:
    """``umbrella export parquet`` then ``umbrella scan --engine spark`` stores the same
    findings as an embedded scan (runs last: the command stops the shared session)."""
    import json
    import sqlite3

    from click.testing import CliRunner

    from umbrella.cli import cli

    store, _ = county
    db = tmp_path / "copy.db"
    with sqlite3.connect(store.location) as source, sqlite3.connect(db) as target:
        source.backup(target)
    run = CliRunner().invoke
    folder = tmp_path / "parquet"
    exported = run(cli, ["export", "parquet", str(folder), "--db", str(db)])
    assert exported.exit_code == 0, exported.output
    assert (folder / "rel_KIN.parquet").exists()
    spark = run(cli, ["scan", "--rule", "COI", "--rule", "SUB", "--engine", "spark",
                      "--parquet", str(folder), "--db", str(db), "--format", "json"])
    embedded = run(cli, ["scan", "--rule", "COI", "--rule", "SUB", "--db", str(db),
                         "--format", "json"])
    assert spark.exit_code == 0 and embedded.exit_code == 0, spark.output
    got, want = (json.loads(r.output)["findings"] for r in (spark, embedded))
    assert got == want and want
