"""Every real dataset of the shared data folder loads and scans with no rule failing.

The datasets are those ``bench/realdata.py`` lists (OCDS publishers' samples, the
``ocdskit_realdata`` packages, FollowTheMoney, BODS, the covert networks), read in
place; the tests skip when the folder is absent. Run the bench to see, per dataset,
rows read/loaded/set aside and findings and coverage per rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import SHARED_DATA

from bench.realdata import datasets, run_dataset

FOUND = list(datasets(SHARED_DATA))
pytestmark = pytest.mark.skipif(not FOUND, reason=f"no real dataset under {SHARED_DATA}")


@pytest.mark.parametrize("data", FOUND, ids=[d.name for d in FOUND])
def test_loads_and_scans_without_a_rule_failing(data: object, tmp_path: Path) -> None:
    out = run_dataset(data, tmp_path)  # type: ignore[arg-type]
    if out.load_error:
        pytest.skip(f"{out.name}: the loader refuses it: {out.load_error}")
    assert out.scan_error == ""
    assert out.failures == {}
    assert out.read == out.loaded + out.set_aside
    assert out.stored_set_aside == out.set_aside  # stats counts what the load reported
    for code, cov in out.coverage.items():
        assert cov["assessed"] + cov["not_assessed"] == cov["items"], code
        assert cov["flagged"] <= cov["assessed"], code
