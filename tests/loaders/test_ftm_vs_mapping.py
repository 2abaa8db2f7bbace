"""nomenklatura's donations twice: raw CSV through a mapping, and the mapped FtM output.

Both loads must give the same persons, organizations and payments: the same input
ids (the mapping forms nomenklatura's FtM ids, see ``tests/loaders/mappings/README.md``),
names, kinds, and per payment the same amount, date, recipient and payer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import REPO, SHARED_DATA

from graph.store import SqliteStore, Store
from loaders.standards.ftm import load_ftm

DATA = SHARED_DATA / "ftm" / "nomenklatura_donations"
MAPPING = REPO / "tests" / "loaders" / "mappings" / "nomenklatura_donations.yaml"
pytestmark = [
    pytest.mark.skipif(not DATA.is_dir(), reason=f"shared data not found: {DATA} (read "
                       "relative to the repository root)"),
    pytest.mark.skipif(not MAPPING.is_file(), reason=f"no donations mapping: {MAPPING}"),
]


def _entities(store: Store, kind: str) -> dict[str, tuple[str, str]]:
    """input id -> (name, organization kind)."""
    return {sid: (e.name, str(e.props.get("kind", ""))) for e in store.view().entities(kind)
            for sid in e.source_ids}


def _payments(store: Store) -> dict[str, tuple[float, str, str, str]]:
    """payment id -> (amount, date, recipient id, payer id), the payer by its PAID edge."""
    v = store.view()
    ids = {e.key: e.source_ids[0] for e in v.entities()}
    paid = {r.dst: ids[r.src] for r in v.relations(["PAID"])}
    to = {r.src: ids[r.dst] for r in v.relations(["PAID_TO"])}
    out = {}
    for e in v.entities("payment"):
        payer = paid.get(e.key, "")
        out[e.source_ids[0]] = (float(e.props["amount"]), str(e.props["date"]),
                                to.get(e.key, ""), payer)
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[SqliteStore, SqliteStore]:
    from loaders.mapping import load_mapped

    d = tmp_path_factory.mktemp("donations")
    mapped = SqliteStore(d / "mapped.db")
    load_mapped(MAPPING, [DATA / "donations.csv"], mapped)
    ftm = SqliteStore(d / "ftm.db")
    report = load_ftm(DATA / "donations.ijson", ftm)
    assert report.set_aside_count == 0
    return mapped, ftm


def test_same_persons(both: tuple[SqliteStore, SqliteStore]) -> None:
    mapped, ftm = both
    assert _entities(ftm, "person") == _entities(mapped, "person")
    assert len(_entities(ftm, "person")) == 22


def test_same_organizations(both: tuple[SqliteStore, SqliteStore]) -> None:
    mapped, ftm = both
    assert _entities(ftm, "organization") == _entities(mapped, "organization")
    assert len(_entities(ftm, "organization")) == 73


def test_same_payments(both: tuple[SqliteStore, SqliteStore]) -> None:
    mapped, ftm = both
    ours, theirs = _payments(ftm), _payments(mapped)
    assert len(ours) == 290
    assert ours == theirs


def test_same_graph_shape(both: tuple[SqliteStore, SqliteStore], tmp_path: Path) -> None:
    mapped, ftm = both
    assert ftm.view().counts_by_kind() == mapped.view().counts_by_kind()
    assert ftm.view().counts_by_type() == mapped.view().counts_by_type()
