"""Parity with Open Contracting's cardinal: every indicator fixture of cardinal's own
tests (``../shared/data/ocds/cardinal_redflags/tests/fixtures/indicators``), loaded as
OCDS and scanned by the OCP rule of its indicator, gives exactly cardinal's results.

Each fixture runs with the settings cardinal's test harness gives it (its ``build.rs``):
the indicator's defaults, or the one setting the file name spells
(``R003-threshold-10``: ``threshold = 10``; ``R003-procurement_method_details-x-5-y-10``:
the map ``{x: 5, y: 10}``; ``+`` stands for ``|``), plus
``no_price_comparison_procurement_methods = "NPC"`` and
``[exclusions] procurement_method_details = "EXC"``. Cardinal's results are
``{group: {id: {indicator: value}}}``; a finding carries its part of them
(``indicator_group``, ``process_id`` or ``indicator_subject``, ``indicator_value``,
``indicator_tenderers``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph.store import SqliteStore
from loaders.standards.ocds import load_ocds
from queries.scan import scan

FIXTURES = (Path(__file__).resolve().parents[3] / "shared" / "data" / "ocds" / "cardinal_redflags"
            / "tests" / "fixtures" / "indicators")
NAMES = sorted(p.stem for p in FIXTURES.glob("R*.jsonl")) if FIXTURES.is_dir() else []

#: Cardinal's setting names -> ours.
KEYS = {"threshold": {"R003": "min_tender_days"},
        "procurement_methods": {"R003": "procurement_methods"},
        "procurement_method_details": {"R003": "days_by_method_details"},
        "minimum_contracting_processes": {"R048": "min_processes", "R038": "min_bids_received"}}
PRICED = {"R024", "R028", "R036", "R058"}


def settings_of(name: str) -> tuple[str, dict[str, Any]]:
    """The rule code and the settings cardinal's harness gives fixture ``name``.

    >>> settings_of("R003-procurement_method_details-x-5-y-10")[1]["days_by_method_details"]
    ['x=5', 'y=10']
    >>> settings_of("R003-procurement_methods-open+selective")[1]["procurement_methods"]
    ['open', 'selective']
    """
    parts = name.split("-")
    indicator = parts[0]
    values: dict[str, Any] = {"excluded_method_details": ["EXC"]}
    if indicator in PRICED:
        values["no_price_comparison_method_details"] = ["NPC"]
    if len(parts) == 3:
        key = KEYS[parts[1]][indicator]
        value = parts[2]
        values[key] = int(value) if value.isdigit() else value.split("+")
    elif len(parts) > 3:
        pairs = parts[2:]
        values[KEYS[parts[1]][indicator]] = [f"{k}={v}" for k, v in zip(pairs[::2], pairs[1::2],
                                                                         strict=True)]
    return "OCP-" + indicator[1:], values


def results_of(findings: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, float]]]:
    """Cardinal's result shape, from the findings of one indicator."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for f in findings:
        ind, group = f["indicator"], f["indicator_group"]
        subject = f["process_id"] if group == "OCID" else f["indicator_subject"]
        out.setdefault(group, {}).setdefault(subject, {})[ind] = f["indicator_value"]
        for tenderer, value in f.get("indicator_tenderers", {}).items():
            out.setdefault("Tenderer", {}).setdefault(tenderer, {})[ind] = value
    return out


@pytest.mark.skipif(not NAMES, reason=f"cardinal's fixtures are not at {FIXTURES}")
@pytest.mark.parametrize("name", NAMES)
def test_indicator_matches_cardinal(name: str, tmp_path: Path) -> None:
    code, values = settings_of(name)
    from queries.registry import RULES
    if code not in RULES:
        pytest.skip(f"{code} ({name.split('-')[0]}) is not implemented: see docs/rules")
    store = SqliteStore(tmp_path / "c.db")
    try:
        load_ocds(FIXTURES / f"{name}.jsonl", store)
        found = scan(store, codes=[code], overrides={code: values}).findings
    finally:
        store.close()
    expected = json.loads((FIXTURES / f"{name}.expected").read_text(encoding="utf-8"))
    got = results_of(found)
    assert got == expected
    for f in found:
        if f["indicator_group"] == "OCID":
            assert f["process_id"] in f["entities"]
        else:
            assert set(f["process_ids"]) <= set(f["entities"])
