"""OCDS in: every shape of the shared packages, bad files, and the cardinal red-flag fixtures."""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from samples import SHARED_DATA

from graph.errors import InputError
from graph.store import SqliteStore
from loaders.standards import jsonio, load_any
from loaders.standards.ocds import load_ocds
from queries.scan import scan

OCDS = SHARED_DATA / "ocds"
CARDINAL = OCDS / "cardinal_redflags" / "tests" / "fixtures" / "indicators"
needs_data = pytest.mark.skipif(not OCDS.is_dir(), reason=f"shared data not found: {OCDS} "
                                "(read relative to the repository root)")
ISO = OCDS / "ocdskit_realdata" / "release-package_encoding-iso-8859-1.json"


def _release(ocid: str, bids: list[tuple[str, float, str]], winner: str = "",
             method: str = "open") -> dict[str, object]:
    return {"ocid": ocid, "tender": {"procurementMethod": method, "title": f"T {ocid}"},
            "parties": [{"id": "B", "name": "Buyer", "roles": ["buyer"]}],
            "buyer": {"id": "B"},
            "bids": {"details": [{"id": f"{ocid}-{n}", "status": s, "value": {"amount": a},
                                  "tenderers": [{"id": f, "name": f"Firm {f}"}]}
                                 for n, (f, a, s) in enumerate(bids)]},
            "awards": [{"id": "a", "status": "active", "date": "2021-03-04",
                        "value": {"amount": 9}, "suppliers": [{"id": winner}]}] if winner else []}


@needs_data
def test_every_shared_package_loads_or_is_set_aside_with_a_reason(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "x.db")
    report = load_any(OCDS, store, fmt="ocds")
    assert report.read == report.loaded + report.set_aside_count
    files, _ = (sorted(OCDS.rglob("*.json")) + sorted(OCDS.rglob("*.jsonl")), None)
    seen = {t.file for t in report.tables}
    assert {str(f) for f in files} <= seen  # every package counted somewhere
    unreadable = {Path(r.file).name: r.message for r in report.set_aside if r.code == "unreadable"}
    assert set(unreadable) == {ISO.name}
    assert "--encoding latin-1" in unreadable[ISO.name]
    assert all(r.message for r in report.set_aside)
    codes = Counter(r.code for r in report.set_aside)
    assert set(codes) <= {"unreadable", "not_convertible", "missing_required", "bad_vocabulary",
                          "bad_json", "placeholder_party"}
    assert codes["placeholder_party"] > 0  # the nameless tenderers of Moldova and Nigeria
    kinds = store.view().counts_by_kind()
    assert kinds["contract"] > 250 and kinds["organization"] > 250
    # the bids of nameless placeholder tenderers (Moldova, Nigeria) are set aside
    assert store.view().counts_by_type()["BID"] > 200
    assert {"md", "expected", "ini"} & {n.rsplit(".", 1)[-1] for n in report.ignored_files}


@needs_data
def test_iso_8859_1_package_is_refused_alone_and_loads_with_its_encoding(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "x.db")
    with pytest.raises(InputError, match="not UTF-8") as err:
        load_ocds(ISO, store)
    assert "--encoding" in err.value.hint
    report = load_ocds(ISO, store, encoding="latin-1")
    assert report.set_aside_count == 0 and report.loaded > 0
    titles = [e.name for e in store.view().entities("contract")]
    assert any("Ó" in t or "É" in t or "Í" in t for t in titles) or titles


def test_empty_files_are_refused_alone_and_set_aside_in_a_folder(tmp_path: Path) -> None:
    d = tmp_path / "src"
    d.mkdir()
    (d / "empty.json").write_bytes(b"")
    (d / "blank.jsonl").write_bytes(b"\n  \n")
    (d / "truncated.json").write_text('{"releases": [{"ocid": "x"', encoding="utf-8")
    (d / "ok.json").write_text(json.dumps({"releases": [_release("o1", [("A", 1, "valid")])]}),
                               encoding="utf-8")
    store = SqliteStore(tmp_path / "x.db")
    with pytest.raises(InputError, match="empty"):
        load_ocds(d / "empty.json", store)
    report = load_ocds(sorted(d.iterdir()), store)
    aside = {Path(r.file).name: (r.table, r.code) for r in report.set_aside}
    assert aside == {n: ("(file)", "unreadable")
                     for n in ("empty.json", "blank.jsonl", "truncated.json")}
    assert report.loaded == 4  # buyer, firm, the contract and its bid
    assert report.read == report.loaded + report.set_aside_count


def test_shapes_give_the_same_rows(tmp_path: Path) -> None:
    rel = _release("ocds-1", [("A", 100, "valid"), ("C", 100, "valid")], winner="A")
    shapes = {
        "release-package.json": {"releases": [rel]},
        "record-package.json": {"records": [{"ocid": "ocds-1", "compiledRelease": rel}]},
        "record-embedded.json": {"records": [{"ocid": "ocds-1", "releases": [rel]}]},
        "compiled.json": {**rel, "tag": ["compiled"]},
        "versioned.json": {"ocid": "ocds-1", **{k: _versioned(v) for k, v in rel.items()
                                                  if k != "ocid"}},
    }
    counts = set()
    for name, doc in shapes.items():
        f = tmp_path / name
        f.write_text(json.dumps(doc), encoding="utf-8")
        store = SqliteStore(tmp_path / f"{name}.db")
        report = load_ocds(f, store)
        assert report.set_aside_count == 0, (name, report.set_aside)
        counts.add((tuple(sorted(store.view().counts_by_kind().items())),
                    tuple(sorted(store.view().counts_by_type().items()))))
        store.close()
    assert counts == {((("contract", 1), ("organization", 3)),
                       (("AWARDED_TO", 1), ("BID", 2), ("BOUGHT", 1)))}


def _versioned(v: object) -> object:
    if isinstance(v, dict):
        return {k: _versioned(x) for k, x in v.items()}
    if isinstance(v, list) and v and isinstance(v[0], dict):
        return [_versioned(x) for x in v]
    return [{"releaseID": "r1", "releaseDate": "2021-01-01", "value": v}]


def test_linked_only_record_is_set_aside(tmp_path: Path) -> None:
    f = tmp_path / "r.json"
    f.write_text(json.dumps({"records": [{"ocid": "o", "releases": [
        {"url": "http://x/1", "date": "2020", "tag": ["tender"]}]}]}), encoding="utf-8")
    report = load_ocds(f, SqliteStore(tmp_path / "x.db"))
    assert [(r.code, r.line, r.row["json_pointer"]) for r in report.set_aside] == [
        ("not_convertible", 1, "/records/0")]


def test_streamed_package_and_gzip_and_lines_load_alike(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    releases = [_release(f"o{i}", [("A", i, "valid"), ("B", i, "valid")], winner="A")
                for i in range(30)]
    package = tmp_path / "p.json"
    package.write_text(json.dumps({"uri": "x", "releases": releases}), encoding="utf-8")
    lines = tmp_path / "p.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in releases), encoding="utf-8")
    gz = tmp_path / "p.jsonl.gz"
    gz.write_bytes(gzip.compress(lines.read_bytes()))
    monkeypatch.setattr(jsonio, "IN_MEMORY", 10)  # force the streaming reader on the package
    results = []
    for n, f in enumerate((package, lines, gz)):
        store = SqliteStore(tmp_path / f"{n}.db")
        report = load_ocds(f, store, chunk_rows=40)  # several chunks
        assert report.set_aside_count == 0
        results.append(store.view().counts_by_type())
    assert results[0] == results[1] == results[2] == {"AWARDED_TO": 30, "BID": 60,
                                                      "BOUGHT": 30}
    store = SqliteStore(tmp_path / "again.db")
    first = load_ocds(package, store)
    pointers = {r.row.get("json_pointer") for r in first.set_aside}
    assert pointers == set()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(lines.read_text(encoding="utf-8") + "{oops\n", encoding="utf-8")
    report = load_ocds(bad, SqliteStore(tmp_path / "bad.db"))
    assert [(r.code, r.line) for r in report.set_aside] == [("bad_json", 31)]


def test_set_aside_rows_name_file_line_and_pointer(tmp_path: Path) -> None:
    rel = _release("o1", [("A", 1, "valid"), ("", 2, "valid"), ("C", 3, "draft")])
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"releases": [_release("o0", []), rel]}), encoding="utf-8")
    report = load_ocds(f, SqliteStore(tmp_path / "x.db"))
    got = sorted((r.line, r.code, r.column, r.row["json_pointer"]) for r in report.set_aside)
    # a one-line JSON document is JSON lines: line 1, the pointer says where in it
    assert got == [(1, "bad_vocabulary", "status", "/releases/1/bids/details/2")]
    # a tenderer with an empty id got an id local to its process, so its bid counts
    assert report.loaded == report.read - 1


def test_consortium_partners_are_not_rival_bidders(tmp_path: Path) -> None:
    rel = {"ocid": "o1", "tender": {"procurementMethod": "open"}, "bids": {"details": [
        {"status": "valid", "value": {"amount": 5}, "tenderers": [{"id": "A"}, {"id": "Z"}]}]}}
    f = tmp_path / "p.json"
    f.write_text(json.dumps(rel), encoding="utf-8")
    store = SqliteStore(tmp_path / "x.db")
    load_ocds(f, store)
    bids = list(store.view().relations(["BID"]))
    assert len(bids) == 1 and bids[0].props["joint_with"] == "Z"


def test_bid_naming_no_tenderer_is_kept_on_its_contract(tmp_path: Path) -> None:
    """A bid without tenderers is no bids row and no made-up company: its process keeps
    it in ``unnamed_bids``, read as a named bid is, and the report counts it loaded."""
    rel = _release("o1", [("A", 5, "valid")])
    rel["bids"]["details"] += [  # type: ignore[index]
        {"status": "Disqualified", "value": {"amount": 4, "currency": "usd"},
         "date": "2021-03-01T10:00:00Z"},
        {"value": {"currency": "XYZ"}},
        {"status": "draft", "value": {"amount": 3}}]
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"releases": [rel]}), encoding="utf-8")
    store = SqliteStore(tmp_path / "x.db")
    report = load_ocds(f, store)
    bids = {t.table: t for t in report.tables}["bids"]
    assert (bids.read, bids.loaded, bids.set_aside) == (4, 3, 1)
    assert report.read == report.loaded + report.set_aside_count
    assert [(r.code, r.row["json_pointer"]) for r in report.set_aside] == [
        ("bad_vocabulary", "/releases/0/bids/details/3")]
    view = store.view()
    assert view.counts_by_type()["BID"] == 1
    assert {e.name for e in view.entities("organization")} == {"Buyer", "Firm A"}
    (contract,) = list(view.entities("contract"))
    assert json.loads(contract.props["unnamed_bids"]) == [
        {"amount": 4.0, "currency": "USD", "status": "disqualified", "date": "2021-03-01"},
        {"amount": None, "currency": "", "currency_published": "XYZ", "status": "valid",
         "date": ""}]
    store.close()


def test_several_suppliers_make_award_contracts(tmp_path: Path) -> None:
    rel = {"ocid": "o1", "awards": [
        {"id": "1", "status": "active", "value": {"amount": 5}, "suppliers": [{"id": "A"}]},
        {"id": "2", "status": "active", "value": {"amount": 7}, "suppliers": [{"id": "B"}]},
        {"id": "3", "status": "cancelled", "suppliers": [{"id": "C"}]}]}
    f = tmp_path / "p.json"
    f.write_text(json.dumps(rel), encoding="utf-8")
    store = SqliteStore(tmp_path / "x.db")
    load_ocds(f, store)
    ids = sorted(i for e in store.view().entities("contract") for i in e.source_ids)
    assert ids == ["o1", "o1#award-1", "o1#award-2"]
    assert store.view().counts_by_type() == {"AWARDED_TO": 2}


def _flags(fixture: Path, tmp_path: Path, overrides: dict[str, dict[str, Any]] | None = None
           ) -> dict[str, list[tuple[str, ...]]]:
    store = SqliteStore(tmp_path / f"{fixture.stem}.db")
    load_ocds(fixture, store)
    out: dict[str, list[tuple[str, ...]]] = {}
    for f in scan(store, codes=["COL"], overrides=overrides).findings:
        out.setdefault(f["rule"], []).append(tuple(sorted(f["entities"])))
    store.close()
    return {k: sorted(v) for k, v in out.items()}


@needs_data
def test_cardinal_r018_from_the_number_of_tenderers(tmp_path: Path) -> None:
    """R018 flags `open` and `selective` from numberOfTenderers alone; so does COL-003 (a
    negative or missing count, or a limited or direct procedure, is not flagged)."""
    expected = json.loads((CARDINAL / "R018.expected").read_text())
    assert set(expected["OCID"]) == {"open", "selective"}
    assert _flags(CARDINAL / "R018.jsonl", tmp_path) == {"COL-003": [("open",), ("selective",)]}


@needs_data
def test_cardinal_r018_with_the_bids_behind_the_count(tmp_path: Path) -> None:
    """The same processes with the one bid that numberOfTenderers counts: COL-003 agrees."""
    d = tmp_path / "r018"
    d.mkdir()
    rows = []
    for line in (CARDINAL / "R018.jsonl").read_text().splitlines():
        r = json.loads(line)
        n = r["tender"]["numberOfTenderers"]
        r["bids"] = {"details": [{"status": "valid", "tenderers": [{"id": f"T{k}"}]}
                                 for k in range(max(n, 0))]}
        rows.append(json.dumps(r))
    (d / "r018.jsonl").write_text("\n".join(rows) + "\n")
    flags = _flags(d / "r018.jsonl", tmp_path)
    assert sorted(e for es in flags["COL-003"] for e in es if not e.startswith("T")) == [
        "open", "selective"]


@needs_data
def test_cardinal_r028_counts_disqualified_bids_col004_does_not(tmp_path: Path) -> None:
    expected = json.loads((CARDINAL / "R028.expected").read_text())
    assert expected == {"OCID": {"F": {"R028": 1.0}},
                        "Tenderer": {"D": {"R028": 1.0}, "V": {"R028": 1.0}}}
    assert _flags(CARDINAL / "R028.jsonl", tmp_path) == {}


@needs_data
def test_cardinal_fixtures_of_other_indicators(tmp_path: Path) -> None:
    """What the COL rules find on the fixtures of indicators they do not implement."""
    r058 = _flags(CARDINAL / "R058.jsonl", tmp_path)
    assert r058 == {"COL-004": [("1", "L", "W"), ("2", "L", "W"), ("3", "L", "W"),
                                ("L", "W", "accept")]}
    r024 = _flags(CARDINAL / "R024.jsonl", tmp_path)
    # a cancelled tender is no competition: its equal prices are no finding
    assert set(r024) == {"COL-004"} and len(r024["COL-004"]) == 9
    assert not [e for e in r024["COL-004"] if "cancelled tender" in e]
    for name in ("R003", "R025", "R030", "R035", "R036", "R038", "R048-minimum_contracting"
                 "_processes-1"):
        assert _flags(CARDINAL / f"{name}.jsonl", tmp_path) == {}, name


def test_col_rules_run_on_ocds(tmp_path: Path) -> None:
    """A ring of three firms taking turns behind cover bids (the losers within 2% above the
    winner), with identical prices and a lone bid. The three firms are the whole market:
    there cover bids alone are not enough (a note), with the small-market discount off
    they are a lead."""
    def prices(i: int) -> list[tuple[str, int, str]]:
        won = "ABC"[i % 3]
        return [(x, 1000 if x == won else 1010 + 10 * "ABC".index(x), "valid") for x in "ABC"]

    rels = [_release(f"o{i}", prices(i), winner="ABC"[i % 3]) for i in range(4)]
    rels.append(_release("same", [("A", 5, "valid"), ("B", 5, "valid")], winner="A"))
    rels.append(_release("lone", [("A", 5, "valid"), ("B", 5, "disqualified")], winner="A"))
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rels), encoding="utf-8")
    flags = _flags(f, tmp_path)
    assert "COL-002" not in flags
    (tmp_path / "any").mkdir()
    flags = _flags(f, tmp_path / "any", {"COL-002": {"small_market": 0}})
    assert flags["COL-002"] == [("A", "B", "C", "o0", "o1", "o2", "o3")]
    assert flags["COL-003"] == [("A", "lone")]
    assert flags["COL-004"] == [("A", "B", "same")]


def test_folder_of_json_is_ocds(tmp_path: Path) -> None:
    d = tmp_path / "pub"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "a.json").write_text(json.dumps(_release("o1", [("A", 1, "valid")])))
    (d / "README.md").write_text("not data")
    store = SqliteStore(tmp_path / "x.db")
    report = load_any(d, store)
    assert report.as_dict()["format"] == "ocds" and report.ignored_files == ["README.md"]
    shutil.rmtree(d)


def test_strict_writes_nothing_when_a_row_would_be_set_aside(tmp_path: Path) -> None:
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps(_release("o1", [("A", 1, "valid"), ("C", 2, "draft")])) + "\n",
                 encoding="utf-8")
    store = SqliteStore(tmp_path / "x.db")
    with pytest.raises(InputError, match="draft"):
        load_ocds(f, store, strict=True)
    assert store.view().counts_by_kind() == {}


def test_a_package_on_one_line_read_in_chunks_keeps_every_row_it_set_aside(
        tmp_path: Path) -> None:
    """Every chunk of a one-line package sets aside its own bids (an unknown bid status);
    the store keeps them all, so ``stats`` and ``set-aside`` count what the load reported."""
    from click.testing import CliRunner

    from umbrella.cli import cli

    package = tmp_path / "package.json"
    releases = [_release(f"ocds-x-{i}", [(f"F{i}", 10.0 + i, "frobnicated")], winner=f"F{i}")
                for i in range(30)]
    package.write_text(json.dumps({"version": "1.1", "releases": releases}), encoding="utf-8")
    assert len(package.read_text(encoding="utf-8").splitlines()) == 1
    db = tmp_path / "case.db"
    store = SqliteStore(db)
    try:
        report = load_ocds(package, store, chunk_rows=10)
        stored = store.view().set_aside(report.load_id)
    finally:
        store.close()
    assert report.set_aside_count == len(releases)
    assert len(stored) == report.set_aside_count
    assert {r.line for r in stored} == {1}
    out = CliRunner().invoke(cli, ["--lang", "en", "stats", "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert f"rows set aside: {report.set_aside_count}" in out.output
