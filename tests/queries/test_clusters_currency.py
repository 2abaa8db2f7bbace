"""CLU-001 never adds amounts of different currencies: a community's money component is
its share of each currency's total, so restating every amount of one currency in
smaller units (dollars as cents) changes no score, and a community's money is reported
per currency."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from graph.store import SqliteStore
from loaders.load import load_folder
from queries.scan import run_rule
from synthetic import generate_county


def _restate(folder: Path, factor: float) -> None:
    """Every other contract's amount in USD, multiplied by ``factor``."""
    path = folder / "contracts.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    if "currency" not in fields:
        fields.append("currency")
    for i, row in enumerate(rows):
        if i % 2 == 0 and row["amount"]:
            row["currency"] = "USD"
            row["amount"] = f"{float(row['amount']) * factor:.2f}"
        else:
            row["currency"] = row.get("currency") or "CNY"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def _clusters(tmp: Path, factor: float) -> list[dict[str, Any]]:
    county = generate_county(tmp / f"c{factor:g}", scale=0.2, seed=5)
    _restate(county.data_dir, factor)
    store = SqliteStore(tmp / f"c{factor:g}.db")
    try:
        load_folder(county.data_dir, store)
        return run_rule(store, "CLU-001", {"min_score": 0.0})
    finally:
        store.close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], ...]:
    tmp = tmp_path_factory.mktemp("currency")
    return _clusters(tmp, 1.0), _clusters(tmp, 100.0)


def test_restating_one_currency_changes_no_score(
        pair: tuple[list[dict[str, Any]], ...]) -> None:
    plain, cents = pair
    assert plain and len(plain) == len(cents)
    def by_members(found: list[dict[str, Any]]) -> dict[tuple[str, ...], Any]:
        return {tuple(sorted(f["entities"])): (f["components"], f["score"]) for f in found}

    assert by_members(plain) == by_members(cents)  # (ranks of equal scores may swap)


def test_money_is_reported_per_currency_never_summed(
        pair: tuple[list[dict[str, Any]], ...]) -> None:
    plain, _ = pair
    mixed = [f for f in plain if len(f["money_in_by_currency"]) > 1]
    assert mixed, "no community received money in both currencies"
    for f in mixed:
        assert f["money_in"] is None
        usd = f"${f['money_in_by_currency']['USD']:,.2f}"
        yuan = f"¥{f['money_in_by_currency']['CNY']:,.2f}"
        assert usd in f["explanation"] and yuan in f["explanation"]
