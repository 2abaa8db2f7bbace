"""OCDS read as its codelists mean: bid and tender statuses, numberOfTenderers, placeholder
parties and money with its currency, each misfire of issue 15 as a small release."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph.store import SqliteStore
from lang import formats
from loaders.load import load_folder
from loaders.standards.ocds import load_ocds
from loaders.standards.ocds_codes import BID_STATUS_WORDS, bid_status
from queries.scan import scan

Release = dict[str, Any]


def _bid(firm: str | None, amount: float | None = 10, status: str = "valid",
         currency: str | None = "CNY", name: str | None = None) -> dict[str, Any]:
    tenderer: dict[str, Any] = {"id": firm, "name": name if name is not None else f"Firm {firm}"}
    value = {"amount": amount, **({"currency": currency} if currency else {})}
    return {"id": f"b-{firm}-{amount}-{status}", "status": status, "value": value,
            "tenderers": [tenderer]}


def _release(ocid: str, bids: list[dict[str, Any]] | None = None, winner: str = "",
             method: str = "open", status: str | None = None, tenderers: Any = None,
             amount: float = 1000, currency: str | None = "CNY",
             tender_tenderers: list[dict[str, Any]] | None = None) -> Release:
    tender: dict[str, Any] = {"procurementMethod": method, "title": f"T {ocid}"}
    if status is not None:
        tender["status"] = status
    if tenderers is not None:
        tender["numberOfTenderers"] = tenderers
    if tender_tenderers is not None:
        tender["tenderers"] = tender_tenderers
    rel: Release = {"ocid": ocid, "tender": tender,
                    "parties": [{"id": "B", "name": "Buyer", "roles": ["buyer"]}],
                    "buyer": {"id": "B"}}
    if bids is not None:
        rel["bids"] = {"details": bids}
    if winner:
        value = {"amount": amount, **({"currency": currency} if currency else {})}
        rel["awards"] = [{"id": "a", "status": "active", "date": "2021-03-04", "value": value,
                          "suppliers": [{"id": winner, "name": f"Firm {winner}"}]}]
    return rel


def _load(tmp_path: Path, releases: list[Release], name: str = "p") -> SqliteStore:
    f = tmp_path / f"{name}.jsonl"
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in releases),
                 encoding="utf-8")
    store = SqliteStore(tmp_path / f"{name}.db")
    report = load_ocds(f, store)
    assert report.read == report.loaded + report.set_aside_count
    return store


def _findings(store: SqliteStore, codes: tuple[str, ...] = ("COL",)) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for f in scan(store, codes=list(codes)).findings:
        out.setdefault(f["rule"], []).append(f)
    return out


def _ids(found: dict[str, list[Any]], rule: str) -> list[list[str]]:
    return sorted(sorted(f["entities"]) for f in found.get(rule, []))


# -- bid statuses ---------------------------------------------------------------------------

def test_codelist_and_publisher_bid_statuses_load(tmp_path: Path) -> None:
    words = ["pending", "invited", "active", "Valid", "qualified", "not-qualified",
             "Disqualified", "withdrawn"]
    store = _load(tmp_path, [_release("o1", [_bid(f"F{n}", 10 + n, w)
                                             for n, w in enumerate(words)])])
    got = {r.src.split(":")[-1]: r.props["status"] for r in store.view().relations(["BID"])}
    assert sorted(got.values()) == sorted(["pending", "invited", "valid", "valid", "valid",
                                           "disqualified", "disqualified", "withdrawn"])
    raw = {r.props["status"]: r.props.get("ocds_status") for r in store.view().relations(["BID"])
           if r.props.get("ocds_status")}
    assert raw["disqualified"] in ("not-qualified", "Disqualified")


def test_unknown_bid_status_is_set_aside_naming_the_word_and_the_accepted_ones(
        tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps(_release("o1", [_bid("A"), _bid("C", 11, "gazumped")])) + "\n",
                 encoding="utf-8")
    report = load_ocds(f, SqliteStore(tmp_path / "x.db"))
    [aside] = report.set_aside
    assert (aside.code, aside.column, aside.table) == ("bad_vocabulary", "status", "bids")
    assert "'gazumped'" in aside.message
    for word in ("pending", "invited", "valid", "qualified", "not-qualified", "active"):
        assert word in aside.message


def test_every_mapped_word_is_a_layout_status() -> None:
    from graph.schema import BID_STATUSES

    assert set(BID_STATUS_WORDS.values()) == set(BID_STATUSES)
    assert all(bid_status(w) == BID_STATUS_WORDS[w] for w in BID_STATUS_WORDS)
    assert bid_status("Not Qualified") == "disqualified" and bid_status("under_evaluation") == \
        "pending"


# -- placeholder parties ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["", "N/A", "-", "unknown", "未知"])
def test_placeholder_tenderer_awarded_to_another_is_no_bidder_and_no_single_bid(
        tmp_path: Path, name: str) -> None:
    rel = _release("o1", tender_tenderers=[{"id": "NG-BPP-1", "name": name}], winner="W")
    rel["parties"].append({"id": "NG-BPP-1", "name": name, "roles": ["tenderer"]})
    store = _load(tmp_path, [rel])
    orgs = {e.name for e in store.view().entities("organization")}
    assert orgs == {"Buyer", "Firm W"}
    assert store.view().counts_by_type().get("BID", 0) == 0
    assert _findings(store).get("COL-003") is None


def test_nameless_party_with_an_invented_scheme_is_a_placeholder_and_counted(
        tmp_path: Path) -> None:
    """A scheme that is no register (org-id.guide codes start with a country's two
    letters) identifies nothing outside the file: nameless, the party is nobody."""
    rel = _release("o1", tender_tenderers=[{"id": "NGA-BPPNO-9", "name": ""}], winner="W")
    rel["parties"].append({"id": "NGA-BPPNO-9", "roles": ["tenderer"],
                           "identifier": {"scheme": "NGA-BPPNO", "id": "9"}})
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps(rel) + "\n", encoding="utf-8")
    report = load_ocds(f, SqliteStore(tmp_path / "x.db"))
    codes = sorted((r.table, r.code) for r in report.set_aside)
    assert codes == [("bids", "placeholder_party"), ("organizations", "placeholder_party")]
    assert "NGA-BPPNO-9" in report.set_aside[0].message + report.set_aside[1].message


@pytest.mark.parametrize("scheme", ["MD-IDNO", "GB-COH", "XI-LEI"])
def test_nameless_party_identified_in_a_register_is_a_bidder(tmp_path: Path,
                                                             scheme: str) -> None:
    """A tenderer published without a name but with its number in a register is a real
    company: its bid counts and it is named by its register id."""
    rel = _release("o1", [_bid("W"), {"status": "valid", "tenderers": [{"id": "T1"}]}],
                   winner="W")
    rel["parties"].append({"id": "T1", "name": "", "roles": ["tenderer"],
                           "identifier": {"scheme": scheme, "id": "1003600012345"}})
    store = _load(tmp_path, [rel])
    assert store.view().counts_by_type()["BID"] == 2
    names = {e.name for e in store.view().entities("organization")}
    assert f"{scheme}-1003600012345" in names


def test_bare_reference_by_id_is_a_party(tmp_path: Path) -> None:
    """Cardinal-style references (``{"id": "T1"}``) name a party: not placeholders."""
    rel = {"ocid": "o1", "tender": {"procurementMethod": "open"},
           "bids": {"details": [{"status": "valid", "tenderers": [{"id": "T1"}]}]}}
    store = _load(tmp_path, [rel])
    assert store.view().counts_by_type()["BID"] == 1


# -- tender status and numberOfTenderers -------------------------------------------------------

@pytest.mark.parametrize("status", ["cancelled", "unsuccessful", "withdrawn", "Canceled"])
def test_a_tender_that_did_not_go_ahead_is_no_collusion_finding(tmp_path: Path,
                                                                 status: str) -> None:
    rels = [_release("lone", [_bid("A")], winner="A", status=status),
            _release("same", [_bid("A", 5), _bid("B", 5)], winner="A", status=status),
            _release("count", winner="A", status=status, tenderers=1)]
    store = _load(tmp_path, rels)
    assert _findings(store) == {}
    stored = {e.name: e.props.get("tender_status") for e in store.view().entities("contract")}
    assert set(stored.values()) == {status.lower().replace("canceled", "cancelled")}


def test_the_same_tenders_going_ahead_are_findings(tmp_path: Path) -> None:
    """The look-alike: the cancelled tenders above, complete, are flagged."""
    rels = [_release("lone", [_bid("A")], winner="A", status="complete"),
            _release("same", [_bid("A", 5), _bid("B", 5)], winner="A", status="complete"),
            _release("count", winner="A", status="active", tenderers=1)]
    found = _findings(_load(tmp_path, rels))
    assert _ids(found, "COL-003") == [["A", "count"], ["A", "lone"]]
    assert _ids(found, "COL-004") == [["A", "B", "same"]]


def test_two_tenderers_qualified_and_not_is_not_a_single_bid(tmp_path: Path) -> None:
    rel = _release("two", [_bid("A", 10, "qualified"), _bid("B", 12, "not-qualified")],
                   winner="A", tenderers=2)
    assert _findings(_load(tmp_path, [rel])).get("COL-003") is None


def test_open_tender_with_one_tenderer_and_no_bids_is_a_single_bid(tmp_path: Path) -> None:
    rels = [_release("one", winner="W", tenderers=1), _release("none", tenderers=1),
            _release("limited", winner="W", tenderers=1, method="limited"),
            _release("three", winner="W", tenderers=3), _release("bad", winner="W", tenderers=-1)]
    found = _findings(_load(tmp_path, rels))
    assert _ids(found, "COL-003") == [["W", "one"], ["none"]]
    one = next(f for f in found["COL-003"] if "one" in f["entities"])
    assert one["counted_from"] == "number_of_tenderers"
    assert "one tenderer" in one["explanation"]
    assert "received a single bid" in one["title"]


def test_pending_bids_compete(tmp_path: Path) -> None:
    """Two bids awaiting evaluation are two bids; an invitation is not a bid."""
    rels = [_release("p", [_bid("A", 1, "pending"), _bid("B", 2, "pending")], winner="A"),
            _release("i", [_bid("A", 1, "valid"), _bid("B", None, "invited")], winner="A")]
    assert _ids(_findings(_load(tmp_path, rels)), "COL-003") == [["A", "i"]]


# -- money and its currency ----------------------------------------------------------------

def test_prices_in_different_currencies_are_not_identical(tmp_path: Path) -> None:
    rels = [_release("x", [_bid("A", 100, currency="USD"), _bid("B", 100, currency="EUR")],
                     winner="A"),
            _release("y", [_bid("A", 100, currency="USD"), _bid("B", 100, currency="usd")],
                     winner="A")]
    found = _findings(_load(tmp_path, rels))
    assert _ids(found, "COL-004") == [["A", "B", "y"]]
    text = found["COL-004"][0]["explanation"]
    assert "$100.00" in text and "¥" not in text


def test_money_is_printed_in_its_currency(tmp_path: Path) -> None:
    rels = [_release("ng", [_bid("A", 156220610.10, currency="NGN")], winner="A",
                     amount=156220610.10, currency="NGN"),
            _release("none", [_bid("A", 5, currency=None)], winner="A", amount=5, currency=None)]
    found = _findings(_load(tmp_path, rels))
    texts = {next(e for e in f["entities"] if e != "A"): f["explanation"]
             for f in found["COL-003"]}
    assert "NGN156,220,610.10" in texts["ng"] and "¥" not in texts["ng"]
    assert "currency not stated" in texts["none"] and "¥" not in texts["none"]
    assert formats.money(156220610.10, "NGN", "zh").startswith("NGN")


def test_layout_amounts_are_yuan_unless_the_row_says_otherwise(tmp_path: Path) -> None:
    d = tmp_path / "county"
    d.mkdir()
    (d / "organizations.csv").write_text(
        "org_id,name,kind\nB,Buyer,agency\nA,Firm A,company\nC,Firm C,company\n",
        encoding="utf-8")
    (d / "contracts.csv").write_text(
        "contract_id,title,buyer_org_id,supplier_id,amount,method,currency,tender_status,"
        "number_of_tenderers\n"
        "K1,Road,B,A,100,open,,,\n"
        "K2,Bridge,B,A,100,open,usd,complete,1\n"
        "K3,Bad currency,B,A,100,open,YEN,,\n"
        "K4,Bad count,B,A,100,open,,,-1\n"
        "K5,Bad status,B,A,100,open,,closed,\n"
        "K6,Cancelled,B,A,100,open,,cancelled,1\n", encoding="utf-8")
    (d / "bids.csv").write_text(
        "contract_id,bidder_id,amount,status,currency\nK1,A,100,valid,\nK1,C,100,valid,\n"
        "K2,A,100,valid,USD\nK2,C,100,pending,EUR\nK6,A,1,valid,\n", encoding="utf-8")
    store = SqliteStore(tmp_path / "x.db")
    report = load_folder(d, store)
    aside = sorted((r.table, r.column, r.code) for r in report.set_aside)
    assert aside == [("contracts", "currency", "bad_currency"),
                     ("contracts", "number_of_tenderers", "bad_count"),
                     ("contracts", "tender_status", "bad_vocabulary")]
    cur = {e.name: e.props.get("currency") for e in store.view().entities("contract")}
    assert cur == {"Road": "CNY", "Bridge": "USD", "Cancelled": "CNY"}
    bids = {(r.dst, r.props.get("currency")) for r in store.view().relations(["BID"])}
    assert ("c:K1", "CNY") in bids and ("c:K2", "EUR") in bids
    found = _findings(store)
    assert _ids(found, "COL-004") == [["A", "C", "K1"]]  # yuan and yuan, not USD and EUR
    assert "¥100.00" in found["COL-004"][0]["explanation"]
    assert _ids(found, "COL-003") == [["A", "K2"]]  # one tenderer stated; K6 was cancelled


# -- what a contract buys ---------------------------------------------------------------------

def test_items_are_kept_with_their_classification(tmp_path: Path) -> None:
    rel = _release("o1", [_bid("A")], winner="A")
    rel["tender"]["items"] = [{"id": "1", "description": "Road works", "quantity": 2,
                               "classification": {"scheme": "CPV", "id": "45233140"},
                               "unit": {"value": {"amount": 50, "currency": "USD"}}}]
    rel["awards"][0]["items"] = [{"id": "9", "classification": {"scheme": "CPV",
                                                                "id": "45000000"}}]
    store = _load(tmp_path, [rel])
    [k] = list(store.view().entities("contract"))
    items = json.loads(k.props["items"])
    assert [(i["classification"], i["quantity"], i["unit_price"], i["currency"])
            for i in items] == [("CPV-45233140", 2.0, 50.0, "USD")]
    assert k.props["item_classifications"] == "CPV-45233140; CPV-45000000"
    assert k.props["process_id"] == "o1"


def test_the_readme_prints_the_bid_status_table() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for target in set(BID_STATUS_WORDS.values()):
        words = [w for w, t in BID_STATUS_WORDS.items() if t == target]
        row = f"| `{target}` | " + ", ".join(f"`{w}`" for w in words) + " |"
        assert row in readme, f"README 'OCDS codes': the row of {target} is not {row}"


def test_a_currency_word_that_is_no_code_is_kept_not_refused(tmp_path: Path) -> None:
    rel = _release("o1", [_bid("A", 5, currency="Lei")], winner="A", amount=5, currency="Lei")
    store = _load(tmp_path, [rel])
    [k] = list(store.view().entities("contract"))
    assert (k.props.get("currency"), k.props["currency_published"]) == (None, "Lei")
    [b] = list(store.view().relations(["BID"]))
    assert b.props.get("currency") is None and b.props["currency_published"] == "Lei"


@pytest.mark.parametrize("word", ["lost", "Unsuccessful", "not_awarded"])
def test_a_bid_that_lost_is_valid_not_disqualified(tmp_path: Path, word: str) -> None:
    """Losing is no disqualification: a tender whose losing bids are published as lost
    or unsuccessful is no 'all but the winner disqualified' (OCP-035)."""
    rel = _release("o1", [_bid("A", 5), _bid("B", 6, status=word), _bid("C", 7, status=word)],
                   winner="A")
    store = _load(tmp_path, [rel])
    statuses = {r.props.get("status") for r in store.view().relations(["BID"])}
    assert statuses == {"valid"}
    assert _findings(store, ("OCP-035",)).get("OCP-035") is None
