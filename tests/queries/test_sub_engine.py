"""SUB on the columnar engine gives exactly the findings of the pandas reference
(``tests/queries/reference/sub.py``): same ids, same JSON, on the golden folder, on a
folder of edge cases and on generated counties, under several settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from samples import write_csv

from graph.store import SqliteStore
from loaders.load import load_folder
from queries.context import Context
from queries.frames import Frames
from queries.registry import RULES
from queries.rules.sub import kin_groups
from queries.settings import load_settings
from synthetic import generate_county
from tests.queries.reference.context import RefContext
from tests.queries.reference.sub import REFERENCE

GOLDEN = Path(__file__).parent / "golden" / "SUB"
CODES = ("SUB-001", "SUB-002", "SUB-003")

#: Settings each rule is compared under (besides its defaults).
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "SUB-001": [{}, {"max_kin_hops": 1}, {"max_kin_hops": 3}],
    "SUB-002": [{}, {"grace_days": 10}],
    "SUB-003": [{}, {"min_recipients": 2}, {"min_recipients": 3, "max_kin_hops": 1},
                {"min_recipients": 2, "max_kin_hops": 3}],
}
CASES = [(code, v) for code in CODES for v in VARIANTS[code]]


def _run(store: SqliteStore, codes: tuple[str, ...], overrides: dict[str, dict[str, Any]],
         engine: bool) -> dict[str, dict[str, dict[str, Any]]]:
    """code -> finding id -> finding, the rules run on one context (as a scan runs them)."""
    frames = Frames(store.view())
    ctx = (Context if engine else RefContext)(frames, config=load_settings(), overrides=overrides)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for code in codes:
        if engine:
            found = ctx.run(code)
        else:
            ctx.settings = ctx.rule_settings(code)
            found = REFERENCE[code](ctx)
            for f in found:
                f.rule, f.category = code, RULES[code].category
        out[code] = {d["id"]: d for d in (f.to_dict(frames) for f in found)}
        assert len(out[code]) == len(found), "two findings share an id"
    frames.close()
    return out


def _same(store: SqliteStore, codes: tuple[str, ...],
          overrides: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Assert the engine and the reference give the same findings; return how many."""
    want = _run(store, codes, overrides, engine=False)
    got = _run(store, codes, overrides, engine=True)
    for code in codes:
        assert sorted(got[code]) == sorted(want[code]), (code, overrides)
        for fid, f in want[code].items():
            assert got[code][fid] == f, (code, overrides, fid)
    return {code: len(want[code]) for code in codes}


def _store(tmp: Path, folder: Path) -> SqliteStore:
    store = SqliteStore(tmp / "s.db")
    load_folder(folder, store)
    return store


# -- golden folder ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    store = _store(tmp_path_factory.mktemp("sub-golden"), GOLDEN)
    yield store
    store.close()


@pytest.mark.parametrize(("code", "settings"), CASES)
def test_golden_folder(golden: SqliteStore, code: str, settings: dict[str, Any]) -> None:
    n = _same(golden, (code,), {code: settings})[code]
    if not settings:
        assert n >= 1  # the golden folder flags every rule at its defaults


# -- edge cases ------------------------------------------------------------------------------

PAY = ["payment_id", "payer_org_id", "approver_id", "recipient_id", "amount", "date", "program",
       "sector", "bank_account"]

#: One account written six ways (blanks, hyphens, full-width digits, an ideographic
#: space, a no-break space, an ogham space mark), each way by one recipient only, so
#: only normalisation brings them together; two of them are kin through a person who
#: receives nothing, none is an official.
FORMS = ["6222 0101", "6222-0101", "６２２２０１０１", "6222\u30000101", "6222\u00a00101",
         "6222\u16800101"]


def _edge_folder(root: Path) -> Path:
    folder = root / "edge"
    folder.mkdir()
    persons = [["person_id", "name", "id_number", "death_date"]]
    persons += [[f"P{i}", f"人{i}", "", ""] for i in range(1, 31)]
    persons += [["P2B", "人2", "", ""], ["X1", "甲", "", ""], ["X2", "乙", "", ""],
                ["X3", "丙", "", ""], ["D1", "死者一", "", "2021-01-10"],
                ["D2", "死者二", "", "2021-03-01"], ["M1", "王明", "11010519491231002X", ""],
                ["M1B", "王 明", "11010519491231002x", ""]]
    ties = [["person_id", "other_id", "relation", "start_date", "end_date"],
            # a chain of four ties through two non-recipients: one group, transitively
            ["P11", "X1", "spouse", "", ""], ["X1", "P12", "sibling", "", ""],
            ["P12", "X2", "spouse", "", ""], ["X2", "P13", "sibling", "", ""],
            # links that never held at the same time: no chain
            ["P14", "X3", "spouse", "2000-01-01", "2005-12-31"],
            ["X3", "P15", "sibling", "2010-01-01", ""],
            # kin among the six ways of writing one account
            ["P21", "X3", "child", "", ""], ["X3", "P22", "child", "", ""],
            # approvers' kin, dated and undated
            ["P1", "P2", "spouse", "2010-01-01", "2020-12-31"], ["P2", "P3", "sibling", "", ""],
            ["P3", "P4", "child", "", ""], ["P1", "P5", "parent", "", ""],
            ["P1", "P2B", "sibling", "", ""],
            # a tie recorded under one of two merged duplicates
            ["M1B", "P6", "spouse", "", ""]]
    pays = [PAY]
    for i, who in enumerate(["P11", "P12", "P13", "P14", "P15", "P16", "P17", "O1"], start=1):
        pays.append([f"A{i}", "V1", "P30" if i % 2 else "", who, "" if i == 3 else "100",
                     f"2022-0{1 + i % 3}-01", "低保", "social_security" if i % 3 else "rural",
                     "6217-0000 0001"])
    for i, form in enumerate(FORMS, start=21):
        pays.append([f"B{i}", "V1", "", f"P{i}", "50.5", "", "", "", form])
    pays += [
        ["K1", "V1", "P1", "P3", "10", "2015-05-01", "补贴", "rural", ""],      # spouse's sibling
        ["K2", "V1", "P1", "P3", "20", "2021-05-01", "补贴", "rural", ""],      # after the divorce
        ["K3", "V1", "P1", "P4", "30", "2015-05-01", "", "rural", "9"],       # three ties
        ["K4", "V1", "P1", "P5", "40", "", "", "", ""],                      # undated, undated tie
        ["K5", "V1", "P1", "P2", "", "", "", "", ""],                        # undated, dated tie
        ["K6", "V1", "P1", "P1", "60", "2016-01-01", "", "", ""],            # himself
        ["K7", "V1", "P1", "P2B", "70", "2016-02-01", "", "", ""],           # sibling, own post
        ["K8", "", "M1", "P6", "80", "2019-01-01", "", "", ""],              # merged approver
        ["K9", "V1", "P1", "O1", "90", "2016-01-01", "", "", ""],            # an organization
        ["L1", "V1", "P1", "D1", "11", "2021-01-10", "", "pension", "D-1"],  # on the day
        ["L2", "V1", "P1", "D1", "12", "2021-01-15", "", "pension", "Ｄ１"],
        ["L3", "V1", "", "D1", "13", "2021-01-25", "", "", "D 1"],
        ["L4", "", "P2", "D2", "", "2021-04-01", "", "", ""],
    ]
    positions = [["person_id", "org_id", "title", "start_date", "end_date"],
                 ["P1", "V1", "村支书", "2010-01-01", ""], ["P1", "V2", "", "2015-06-01", ""],
                 ["M1", "V2", "会计", "", ""]]
    orgs = [["org_id", "name", "kind"], ["V1", "大湾村村民委员会", "village_committee"],
            ["V2", "松树村村民委员会", "village_committee"], ["O1", "合作社", "company"]]
    for name, rows in {"persons": persons, "relationships": ties, "payments": pays,
                       "positions": positions, "organizations": orgs}.items():
        write_csv(folder / f"{name}.csv", rows[0], rows[1:])
    return folder


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    root = tmp_path_factory.mktemp("sub-edge")
    store = SqliteStore(root / "s.db")
    report = load_folder(_edge_folder(root), store)
    assert report.set_aside == [], report.set_aside
    yield store
    store.close()


@pytest.mark.parametrize(("code", "settings"), CASES)
def test_edge_cases(edge: SqliteStore, code: str, settings: dict[str, Any]) -> None:
    _same(edge, (code,), {code: settings})


def test_edge_cases_are_flagged(edge: SqliteStore) -> None:
    """The edge cases are reached (a comparison of two empty lists proves nothing)."""
    sub3 = _run(edge, ("SUB-003",), {}, engine=True)["SUB-003"]
    accounts = {f["bank_account"]: f["groups"] for f in sub3.values()}
    # eight recipients: P11-P13 one group, P14 and P15 apart, P16, P17, O1 -> 6 groups
    assert accounts == {"621700000001": 6, "62220101": 5}
    sub1 = _run(edge, ("SUB-001",), {"SUB-001": {"max_kin_hops": 3}}, engine=True)["SUB-001"]
    assert sorted(sorted(f["entities"]) for f in sub1.values()) == [
        ["K1", "P1", "P3"], ["K3", "P1", "P4"], ["K4", "P1", "P5"], ["K6", "P1"],
        ["K7", "P1", "P2B"], ["K8", "M1", "M1B", "P6"]]
    sub2 = _run(edge, ("SUB-002",), {}, engine=True)["SUB-002"]
    assert sorted(f["payments"] for f in sub2.values()) == [["L2", "L3"], ["L4"]]


# -- generated counties ----------------------------------------------------------------------

@pytest.fixture(scope="module", params=[(0.2, 3), (0.2, 8), (0.5, 3), (0.5, 8)],
                ids=lambda p: f"scale{p[0]}-seed{p[1]}")
def county(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    scale, seed = request.param
    root = tmp_path_factory.mktemp(f"sub-county-{scale}-{seed}")
    c = generate_county(root / "county", scale=scale, seed=seed)
    store = _store(root, c.data_dir)
    yield store
    store.close()


def test_generated_counties(county: SqliteStore) -> None:
    counts = _same(county, CODES, {})
    assert all(counts.values()), counts  # every rule finds its planted schemes
    _same(county, CODES, {"SUB-001": {"max_kin_hops": 3}, "SUB-002": {"grace_days": 30},
                          "SUB-003": {"min_recipients": 2}})


# -- kin groups ------------------------------------------------------------------------------

def test_kin_groups_join_any_length_of_chain() -> None:
    # a path p:9 - p:8 - ... - p:1: one group whose smallest key is p:1, however long
    members = [("A", f"p:{i}") for i in range(1, 10)] + [("A", "p:99")]
    links = [("A", f"p:{i + 1}", f"p:{i}") for i in range(1, 9)]
    groups = kin_groups(members, links)["A"]
    assert set(groups.values()) == {"p:1", "p:99"}
    assert groups["p:9"] == "p:1"
