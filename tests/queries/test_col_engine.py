"""The COL rules on the columnar engine give exactly the findings of the pandas reference
(``tests/queries/reference/col.py``): the same ids, in the same order, with the same JSON.

Checked on the golden folder and on generated counties (scales 0.2 and 0.5, two seeds),
with the default settings and with settings that widen what each rule reads (per-buyer
rings, smaller rings, a single kind of link).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from samples import write_csv

import queries.rules.col  # noqa: F401  (registers the COL rules)
from graph.store import EntityRecord, RelationRecord, SqliteStore
from loaders.load import load_folder
from queries.context import Context
from queries.frames import Frames
from queries.registry import RULES
from queries.settings import load_settings
from synthetic import generate_county
from tests.queries.reference.col import REFERENCE
from tests.queries.reference.context import RefContext

GOLDEN = Path(__file__).parent / "golden" / "COL"
CODES = sorted(REFERENCE)

#: Settings that take each rule down its other branches.
VARIANTS: list[dict[str, dict[str, Any]]] = [
    {},
    {"COL-001": {"links": ["shareholder", "legal_rep"], "repeat_bonus": 0.01},
     "COL-002": {"same_buyer": True, "min_contracts": 2},
     "COL-003": {"competitive_methods": ["open", "invited", "direct"]}},
    {"COL-001": {"links": ["address"]}, "COL-002": {"min_contracts": 2, "min_firms": 4}},
    {"COL-001": {"links": ["phone"]}, "COL-002": {"min_contracts": 3}},
]


def engine_and_reference(store: SqliteStore, code: str, overrides: dict[str, dict[str, Any]]
                         ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The findings of ``code`` as dicts: by the engine's rule, then by the reference (each
    on frames of its own)."""
    config = load_settings()
    frames = Frames(store.view())
    ctx = Context(frames, config=config, overrides=overrides, chosen={code})
    got = [f.to_dict(frames) for f in ctx.run(code)]
    frames.close()
    frames = Frames(store.view())
    ref = RefContext(frames, config=config, overrides=overrides)
    ref.settings = ref.rule_settings(code)
    found = REFERENCE[code](ref)
    for f in found:
        f.rule, f.category = code, RULES[code].category
    want = [f.to_dict(frames) for f in found]
    frames.close()
    return got, want


def _same(store: SqliteStore, overrides: dict[str, dict[str, Any]]) -> dict[str, int]:
    counts = {}
    for code in CODES:
        got, want = engine_and_reference(store, code, overrides)
        assert [f["id"] for f in got] == [f["id"] for f in want], code
        assert {f["id"]: f for f in got} == {f["id"]: f for f in want}, code
        counts[code] = len(got)
    return counts


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path_factory.mktemp("golden") / "g.db")
    load_folder(GOLDEN, store)
    yield store
    store.close()


@pytest.mark.parametrize("variant", range(len(VARIANTS)))
def test_golden_folder(golden: SqliteStore, variant: int) -> None:
    counts = _same(golden, VARIANTS[variant])
    if not variant:
        # the golden rotation (F14-F16) has nothing to corroborate it: a note, not a finding
        assert counts == {"COL-001": 5, "COL-002": 0, "COL-003": 2, "COL-004": 1}


def _edge_folder(folder: Path) -> Path:
    """Ties the generated counties rarely hold: a firm bidding twice on a contract, roles
    recorded twice, a company as the shared holder, placeholder and short phones, contracts
    with no award date, no supplier or no buyer, overlapping candidate rings that shrink to
    the same ring, one firm at two identical prices."""
    folder.mkdir()
    firms = [f"F{i}" for i in (*range(1, 7), *range(10, 15), *range(20, 27))]
    phones = {"F1": "13800000000", "F2": "+86 138-0000-0000", "F3": "0000000",
              "F4": "0000000", "F5": "110", "F6": "110", "F10": "0731-1234567",
              "F11": "０７３１ 1234567"}
    addresses = {"F1": "城关镇 人民路１号", "F2": "城关镇人民路1号", "F12": "城关镇人民路1号"}
    write_csv(folder / "organizations.csv", ["org_id", "name", "kind", "address", "phone"],
              [["B1", "县交通运输局", "agency", "", ""], ["B2", "县教育局", "agency", "", ""],
               ["H1", "控股有限公司", "company", "", ""]]
              + [[f, f"公司{f}", "company", addresses.get(f, ""), phones.get(f, "")]
                 for f in firms])
    write_csv(folder / "persons.csv", ["person_id", "name"], [["P1", "蔡长军"], ["P2", "曹明"]])
    write_csv(folder / "company_roles.csv",
              ["company_id", "holder_id", "role", "share_pct", "start_date", "end_date"],
              [["F1", "P1", "legal_rep", "", "2010-01-01", ""],
               ["F2", "P1", "legal_rep", "", "2015-01-01", ""],
               ["F1", "H1", "shareholder", "20", "", ""],
               ["F2", "H1", "shareholder", "20", "", ""],
               ["F1", "P2", "shareholder", "10", "2010-01-01", "2015-12-31"],
               ["F1", "P2", "shareholder", "15", "2016-01-01", ""],
               ["F2", "P2", "shareholder", "10", "", ""],
               ["F3", "P1", "legal_rep", "", "2000-01-01", "2005-01-01"],
               ["F4", "P1", "legal_rep", "", "2004-06-01", ""],
               ["F10", "P2", "legal_rep", "", "", ""], ["F12", "P2", "legal_rep", "", "", ""]])
    contracts = [["K1", "工程一", "B1", "F1", "100", "2014-05-01", "open", "rural"],
                 ["K2", "工程二", "B1", "F2", "100", "", "open", "education"],
                 ["K3", "工程三", "", "", "", "", "invited", ""]]
    bids = [["K1", "F1", "110", "valid"], ["K1", "F1", "105", "withdrawn"],
            ["K1", "F2", "120", ""], ["K1", "F3", "130", "valid"], ["K1", "F4", "140", "valid"],
            *[["K2", f, "100", "valid"] for f in ("F1", "F2", "F3", "F4", "F5", "F6")],
            ["K3", "F2", "90", "valid"], ["K3", "F1", "95", "disqualified"],
            ["K3", "F2", "91", "valid"], ["K3", "F1", "96", "valid"]]
    # F10-F12 meet on K10-K13 and take turns; F13 and F14 each meet every one of them
    # four times, two at a time: two candidate groups, both shrinking to F10-F12.
    winners = ["F10", "F11", "F10", "F12"]
    for i in range(4):
        contracts.append([f"K1{i}", f"维修{i}", "B2", winners[i], "100",
                          f"2021-0{i + 1}-01" if i != 2 else "", "open", "education"])
        bids += [[f"K1{i}", f, str(100 + i), "valid"] for f in ("F12", "F11", "F10")]
        bids.append([f"K1{i}", "F11", "99", "withdrawn"])
    # once more at another buyer: a ring per buyer leaves it out
    contracts.append(["K19", "维修4", "B1", "F12", "100", "2021-06-01", "open", "education"])
    bids += [["K19", f, "200", "valid"] for f in ("F10", "F11", "F12")]
    n = 20
    for outsider in ("F13", "F14"):
        for member in ("F10", "F11", "F12"):
            for _ in range(4):
                contracts.append([f"K{n}", f"采购{n}", "B1", member, "50", "2022-01-01",
                                  "invited", "rural"])
                bids += [[f"K{n}", member, "50", "valid"], [f"K{n}", outsider, "51", "valid"]]
                n += 1
    contracts += [["K90", "单一来源", "B1", "F21", "500", "2023-01-01", "open", "safety"],
                  ["K91", "同价", "B2", "F20", "200", "2023-02-01", "invited", "safety"]]
    bids += [["K90", "F20", "500", "valid"], ["K90", "F20", "490", "valid"],
             ["K90", "F22", "480", "disqualified"], ["K90", "F21", "470", "withdrawn"],
             ["K90", "F22", "460", "withdrawn"],
             ["K91", "F21", "100", "valid"], ["K91", "F20", "100.00", "valid"],
             ["K91", "F22", "100", "valid"], ["K91", "F21", "100", "valid"],
             ["K91", "F23", "200", "valid"], ["K91", "F20", "200", "valid"],
             ["K91", "F24", "200", ""], ["K91", "F25", "300", "disqualified"],
             ["K91", "F26", "300", "valid"]]
    write_csv(folder / "contracts.csv", ["contract_id", "title", "buyer_org_id", "supplier_id",
                                         "amount", "award_date", "method", "sector"], contracts)
    write_csv(folder / "bids.csv", ["contract_id", "bidder_id", "amount", "status"], bids)
    return folder


@pytest.fixture(scope="module")
def edges(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    root = tmp_path_factory.mktemp("edges")
    store = SqliteStore(root / "e.db")
    report = load_folder(_edge_folder(root / "data"), store)
    assert report.set_aside == [], report.set_aside
    yield store
    store.close()


@pytest.mark.parametrize("variant", range(len(VARIANTS)))
def test_edge_cases(edges: SqliteStore, variant: int) -> None:
    counts = _same(edges, VARIANTS[variant])
    if not variant:
        assert counts == {"COL-001": 6, "COL-002": 1, "COL-003": 1, "COL-004": 7}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    """A store written record by record, with what the layout cannot hold: a contract
    with two awards and two buyers, an award date known only from the award record, bids
    on a contract that is not stored."""
    store = SqliteStore(tmp_path_factory.mktemp("written") / "w.db")
    org = [EntityRecord(f"o:{k}", "organization", f"公司{k}",
                        {"kind": "company", "phone": "13800000000" if k in ("F1", "F2") else ""})
           for k in ("B1", "B2", "F1", "F2", "F3")]
    ks = [EntityRecord(f"c:{k}", "contract", f"工程{k}", {"method": "open", **props})
          for k, props in (("K1", {}), ("K2", {"sector": "rural"}), ("K3", {"amount": 5}))]

    def r(type_: str, n: int, src: str, dst: str, start: str | None = None,
          **props: Any) -> RelationRecord:
        return RelationRecord(f"r:{type_}:{n}", type_, src, dst, start, None, props,
                              "hand.csv", n + 1)

    rels = [r("AWARDED_TO", 1, "c:K1", "o:F1", "2020-02-01"),
            r("AWARDED_TO", 2, "c:K1", "o:F2", "2020-03-01"),
            r("AWARDED_TO", 3, "c:K2", "o:F3"),
            r("BOUGHT", 1, "o:B2", "c:K1"), r("BOUGHT", 2, "o:B1", "c:K1"),
            r("COMPANY_ROLE", 1, "p:P1", "o:F1", role="legal_rep"),
            r("COMPANY_ROLE", 2, "p:P1", "o:F2", role="legal_rep"),
            *[r("BID", 10 * i + j, f"o:F{j}", k, amount=100 + j, status="valid")
              for i, k in enumerate(("c:K1", "c:K2", "c:K9")) for j in (1, 2, 3)],
            r("BID", 40, "o:F1", "c:K3", amount=7, status="valid"),
            r("BID", 41, "o:F2", "c:K3", amount=7, status="withdrawn")]
    with store.writer() as w:
        w.put_entities([*org, *ks, EntityRecord("p:P1", "person", "蔡长军", {})])
        w.put_relations(rels)
    yield store
    store.close()


@pytest.mark.parametrize("variant", range(len(VARIANTS)))
def test_records_the_layout_cannot_hold(written: SqliteStore, variant: int) -> None:
    counts = _same(written, VARIANTS[variant])
    if variant == 3:
        assert counts == {"COL-001": 1, "COL-002": 1, "COL-003": 1, "COL-004": 0}


@pytest.fixture(scope="module", params=[(0.2, 11), (0.2, 5), (0.5, 11), (0.5, 5)],
                ids=lambda p: f"scale{p[0]}-seed{p[1]}")
def county(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[SqliteStore]:
    scale, seed = request.param
    root = tmp_path_factory.mktemp(f"county-{scale}-{seed}")
    c = generate_county(root / "county", scale=scale, seed=seed)
    store = SqliteStore(root / "c.db")
    load_folder(c.data_dir, store)
    yield store
    store.close()


@pytest.mark.parametrize("variant", range(len(VARIANTS)))
def test_generated_counties(county: SqliteStore, variant: int) -> None:
    counts = _same(county, VARIANTS[variant])
    if not variant:  # the planted schemes are found, so the comparison is not of empty lists
        assert all(counts[c] > 0 for c in CODES), counts


def _rotation_folder(folder: Path) -> Path:
    """The COL-002 golden fixture, its rotating road firms also sharing an address, an
    account they were paid on and a shareholder, and one of the three-firm markets grown
    past ``small_market``: every kind of corroboration and both sides of the discount."""
    import shutil

    shutil.copytree(Path(__file__).parent / "golden" / "COL-002", folder)
    orgs = (folder / "organizations.csv").read_text(encoding="utf-8")
    orgs = orgs.replace("R2,通盛公路养护有限公司,company,,", "R2,通盛公路养护有限公司,company,"
                        "东江县城关镇交通路8号,")
    orgs = orgs.replace("R3,路安交通设施有限公司,company,,", "R3,路安交通设施有限公司,company,"
                        "东江县城关镇 交通路8号,")
    (folder / "organizations.csv").write_text(orgs, encoding="utf-8")
    write_csv(folder / "payments.csv", ["payment_id", "payer_org_id", "approver_id",
                                        "recipient_id", "amount", "date", "program", "sector",
                                        "bank_account"],
              [["PM1", "B1", "", "R1", "100", "2021-01-01", "保证金退还", "infrastructure",
                "6222-0211-0000-7777"],
               ["PM2", "B1", "", "R3", "100", "2021-01-02", "保证金退还", "infrastructure",
                "6222021100007777"]])
    with (folder / "company_roles.csv").open("a", encoding="utf-8") as out:
        out.write("R1,Q3,shareholder,10,2015-01-01,\nR3,Q3,shareholder,15,2016-01-01,\n")
    with (folder / "bids.csv").open("a", encoding="utf-8") as out:
        out.write("".join(f"M9,{x},100,valid\n" for x in ("X1", "X2", "X3")))
    with (folder / "contracts.csv").open("a", encoding="utf-8") as out:
        out.write("M9,耗材,B2,X1,100,2021-12-01,open,healthcare\n")
    return folder


def test_rotation_corroboration(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "r.db")
    load_folder(_rotation_folder(tmp_path / "data"), store)
    got, _ = engine_and_reference(store, "COL-002", {})
    # the members, their contracts, the kin behind two of them and every holder of a
    # controlling role in one (Q3, shareholder of R1 and R3)
    assert [sorted(f["entities"]) for f in got] == [
        ["K1", "K2", "K3", "K4", "Q1", "Q2", "Q3", "R1", "R2", "R3"]]
    [road] = got
    assert road["corroboration"]["shared_identifiers"] == 3  # address, account, shareholder
    assert road["score"] == pytest.approx(0.75)
    # the hospital's market grew to six firms: no discount, but turns alone stay a note
    got, _ = engine_and_reference(store, "COL-002", {"COL-002": {"min_score": 0.0}})
    hospital = next(f for f in got if "S1" in f["entities"])
    assert hospital["corroboration"]["market_firms"] == 6
    assert hospital["score"] == pytest.approx(0.2)
    _same(store, {})
    _same(store, {"COL-002": {"cover_ratio": 0.01, "small_market": 0, "min_score": 0.0}})
    store.close()
