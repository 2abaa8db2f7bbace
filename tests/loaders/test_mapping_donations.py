"""nomenklatura's donations, raw CSV and XLSX, through a mapping: the FtM output's entities.

``../shared/data/ftm/nomenklatura_donations/`` holds German party donations as
raw CSV and XLSX, nomenklatura's FtM mapping of them (``donations.yml``) and the
mapped FtM entities (``donations.ijson``). Our mapping
(``tests/loaders/mappings/nomenklatura_donations.yaml``) forms the same ids, so the
raw files give exactly the FtM output's persons, organizations and payments.
:func:`load_donations` is the store the FtM loader's test compares against.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from samples import REPO, SHARED_DATA

from graph.store import SqliteStore, Store
from loaders.mapping import MappedLoadReport, load_mapped

DATA = SHARED_DATA / "ftm" / "nomenklatura_donations"
MAPPING = REPO / "tests" / "loaders" / "mappings" / "nomenklatura_donations.yaml"
pytestmark = pytest.mark.skipif(not DATA.is_dir(),
                                reason=f"shared data not found: {DATA} (read relative to the "
                                       "repository root)")


def load_donations(store: Store, source: str = "donations.csv") -> MappedLoadReport:
    """Load the raw donations (``donations.csv`` or ``donations.xlsx``) through the mapping."""
    return load_mapped(MAPPING, [DATA / source], store)


@pytest.fixture
def donations_store(tmp_path: Path) -> Iterator[SqliteStore]:
    """A store holding the raw donations CSV loaded through the mapping."""
    store = SqliteStore(tmp_path / "donations.db")
    load_donations(store)
    yield store
    store.close()


def _ftm() -> dict[str, list[dict[str, object]]]:
    by: dict[str, list[dict[str, object]]] = defaultdict(list)
    with (DATA / "donations.ijson").open(encoding="utf-8") as fh:
        for line in fh:
            e = json.loads(line)
            by[e["schema"]].append(e)
    return by


def _first(e: dict[str, object], prop: str) -> str:
    props = e["properties"]
    assert isinstance(props, dict)
    return str(props[prop][0])


def _ours(store: Store, kind: str) -> dict[str, tuple[str, dict[str, object]]]:
    """source id -> (name, props) of every entity of ``kind``."""
    out = {}
    for e in store.view().entities(kind):
        for sid in e.source_ids:
            out[sid] = (e.name, e.props)
    return out


def test_same_persons_organizations_and_payments_as_the_ftm_output(
        donations_store: SqliteStore) -> None:
    ftm = _ftm()
    persons = _ours(donations_store, "person")
    assert {sid: name for sid, (name, _) in persons.items()} == {
        e["id"]: _first(e, "name") for e in ftm["Person"]}
    orgs = _ours(donations_store, "organization")
    assert {sid: name for sid, (name, _) in orgs.items()} == {
        e["id"]: _first(e, "name") for e in ftm["Organization"] + ftm["Company"]}
    companies = {sid for sid, (_, props) in orgs.items() if props["kind"] == "company"}
    assert companies == {e["id"] for e in ftm["Company"]}
    payments = _ours(donations_store, "payment")
    assert set(payments) == {e["id"] for e in ftm["Payment"]}
    v = donations_store.view()
    paid_to = {r.src: r for r in v.relations(["PAID_TO"])}
    paid = {r.dst: r for r in v.relations(["PAID"])}
    for e in ftm["Payment"]:
        key = v.resolve(str(e["id"]), "payments")
        assert key is not None
        pay = paid_to[key]
        assert pay.start == _first(e, "date") and pay.props["amount"] == float(
            _first(e, "amountEur"))
        assert pay.dst == v.resolve(_first(e, "beneficiary"))
        payer = _first(e, "payer")  # a donor: a person or an organization, both by PAID
        table = "persons" if payer in persons else "organizations"
        assert paid[key].src == v.resolve(payer, table) is not None


def test_rows_read_loaded_set_aside_and_folded(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "d.db")
    report = load_donations(store)
    store.close()
    by = [(t.table, t.read, t.loaded, t.set_aside) for t in report.tables]
    assert by == [("persons", 22, 22, 0), ("organizations", 11, 11, 0),
                  ("organizations", 62, 62, 0), ("payments", 243, 242, 1),
                  ("payments", 48, 48, 0)]
    # 292 donations; two pairs share party, donor, date and amount, hence one FtM id:
    # lines 230/231 agree on everything and fold, lines 149/159 differ in the reporting date
    (dup,) = report.set_aside
    assert (dup.line, dup.code, dup.column) == (159, "duplicate_key", "payment_id")
    assert "already defined at line 149" in dup.message
    assert dup.row["ReportingDate"] == "2007-08-07"
    folded = {t: n for t, _, n in report.merged}
    assert folded["payments"] == 1 and folded["persons"] == 48 - 22


def test_csv_and_xlsx_give_the_same_graph(tmp_path: Path) -> None:
    shapes = []
    for source in ("donations.csv", "donations.xlsx"):
        store = SqliteStore(tmp_path / f"{source}.db")
        report = load_donations(store, source)
        v = store.view()
        ents = sorted((e.kind, e.name, json.dumps(e.props, sort_keys=True), tuple(e.source_ids))
                      for e in v.entities())
        rels = sorted((r.type, r.src, r.dst, r.start, json.dumps(r.props, sort_keys=True))
                      for r in v.relations())
        lines = sorted((r.table, r.line, r.code) for r in report.set_aside)
        if source.endswith(".xlsx"):
            assert {Path(t.file).name for t in report.tables} == {"donations.xlsx#donations"}
        store.close()
        shapes.append((ents, rels, lines))
    assert shapes[0] == shapes[1]
