"""FollowTheMoney in and out: real OpenSanctions data, paths, round trip, findings as notes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from samples import SHARED_DATA

from exports.ftm import export_ftm, iter_ftm
from graph.errors import InputError
from graph.store import SqliteStore
from loaders.load import load_folder
from loaders.standards.ftm import load_ftm
from queries.frames import Frames
from queries.paths import explain_paths
from queries.scan import scan
from synthetic import generate_county

FTM = SHARED_DATA / "ftm"
needs_data = pytest.mark.skipif(not FTM.is_dir(), reason=f"shared data not found: {FTM} "
                                "(read relative to the repository root)")
ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"  # Aleksandr Vyacheslavovich Zakharov, sanctioned
SVETLANA = "NK-DQ98GPMgdVH8DSZd8g9Xtc"  # Svetlana Nikolaevna Zakharova, "Family member of"
CST = "NK-abdzbEBkqyT29GyREbiURZ"  # LLC CST (ЦСТ), where she held 1%
PATTERN_RULES = ["COI", "SUB", "COL", "UMB", "REC"]  # fixed-shape rules: same graph, same leads


@pytest.fixture
def zala(tmp_path: Path) -> SqliteStore:
    store = SqliteStore(tmp_path / "zala.db")
    report = load_ftm(FTM / "yente_zala" / "entities.ftm.json", store)
    assert report.read == report.loaded + report.set_aside_count
    return store


@needs_data
def test_zala_loads_every_entity(zala: SqliteStore) -> None:
    v = zala.view()
    assert v.counts_by_kind() == {"case": 41, "organization": 11, "person": 6}
    assert v.counts_by_type() == {"CASE_ROLE": 41, "COMPANY_ROLE": 17, "KIN": 4}
    assert v.set_aside() == []
    person = v.get(v.resolve(ZAKHAROV) or "")
    assert person is not None and person.props["sanctioned"] == "true"
    assert person.props["birth_date"] == "1965-09-21"


@needs_data
def test_zala_family_and_ownership_chain(zala: SqliteStore) -> None:
    """The sanctioned owner -> his relative (Family) -> her stake in LLC CST (Ownership)."""
    v = zala.view()
    owner, relative, company = (v.resolve(x) or "" for x in (ZAKHAROV, SVETLANA, CST))
    frames = Frames(v)
    family = explain_paths(frames, owner, relative).paths
    assert [s.get("rel") or s.get("key") for s in family[0]] == [owner, "KIN", relative]
    assert family[0][1]["sources"][0]["file"] == "entities.ftm.json"
    stake = explain_paths(frames, relative, company, on="2022-06-01").paths[0]
    assert [s.get("rel") or s.get("key") for s in stake] == [relative, "COMPANY_ROLE", company]
    role = next(r for r in v.neighbours(relative, ["COMPANY_ROLE"]) if r.dst == company)
    assert (role.props["role"], role.props["share_pct"], role.start, role.end) == (
        "shareholder", 1, "2022-01-17", "2023-03-02")
    # the whole chain, as of a day the stake held: owner -KIN- relative -COMPANY_ROLE- company
    chain = explain_paths(frames, owner, relative, on="2022-06-01").paths[0] + stake[1:]
    assert [s.get("rel") or s.get("key") for s in chain] == [
        owner, "KIN", relative, "COMPANY_ROLE", company]
    # the owner's own holding is the shorter path: both are in the graph
    direct = explain_paths(frames, owner, company).paths[0]
    assert [s.get("rel") for s in direct if "rel" in s] == ["COMPANY_ROLE"]


@needs_data
def test_unspecified_family_tie_keeps_its_words(zala: SqliteStore) -> None:
    kin = list(zala.view().relations(["KIN"]))
    # a relative of no stated kin and no guessed degree, never "in_law, degree 2"
    assert {r.props["relation"] for r in kin} == {"relative"}
    assert {r.props.get("degree") for r in kin} == {None}
    assert {r.props["stated_relation"] for r in kin} == {"Family member of"}


@needs_data
def test_sanction_becomes_a_sanctioned_case(zala: SqliteStore) -> None:
    v = zala.view()
    owner = v.resolve(ZAKHAROV) or ""
    roles = [r for r in v.neighbours(owner, ["CASE_ROLE"])]
    assert roles and {r.props["role"] for r in roles} == {"suspect"}
    assert {r.props["stated_role"] for r in roles} == {"sanctioned"}
    case = v.get(roles[0].dst)
    assert case is not None and case.props["outcome"] == "sanctioned"


@needs_data
@pytest.mark.parametrize("rel", ["nomenklatura_donations/donations.ijson",
                                 "yente_parteispenden/entities.ftm.json"])
def test_donations_load(tmp_path: Path, rel: str) -> None:
    store = SqliteStore(tmp_path / "d.db")
    report = load_ftm(FTM / rel, store)
    assert report.set_aside_count == 0
    kinds = store.view().counts_by_kind()
    assert kinds["person"] == 22 and kinds["payment"] == 290
    assert any("Address" in n for n in report.notes)
    pay = next(store.view().entities("payment"))
    assert pay.props["currency"] == "EUR"


def test_bad_lines_and_unknown_schemas_are_set_aside(tmp_path: Path) -> None:
    f = tmp_path / "e.ftm.json"
    f.write_text('{"id": "p1", "schema": "Person", "properties": {"name": ["Ann"]}}\n'
                 '{"id": "v1", "schema": "Vessel", "properties": {"name": ["Boat"]}}\n'
                 '{"id": "x", "schema": "Nonsense", "properties": {}}\n'
                 '{not json\n'
                 '{"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], '
                 '"asset": ["v1"]}}\n', encoding="utf-8")
    store = SqliteStore(tmp_path / "x.db")
    report = load_ftm(f, store)
    assert report.read == report.loaded + report.set_aside_count == 5
    by_line = {r.line: r.code for r in report.set_aside}
    assert by_line == {2: "not_convertible", 3: "not_convertible", 4: "bad_json",
                       5: "not_convertible"}


def test_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "e.json").write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        load_ftm(tmp_path / "e.json", SqliteStore(tmp_path / "x.db"))


def _signature(store: SqliteStore) -> tuple[list[tuple[str, ...]], list[tuple[object, ...]]]:
    """Entities and relationship records named by input ids (keys differ between stores)."""
    v = store.view()
    name = {e.key: "|".join(e.source_ids) for e in v.entities()}
    ents = sorted((e.kind, e.name, name[e.key]) for e in v.entities())
    rels = []
    for r in v.relations():
        ends = [name[r.src], name[r.dst]]
        if r.type == "ASSOCIATE" or r.props.get("relation") in (
                "spouse", "sibling", "in_law", "relative"):
            ends.sort()
        keep = tuple(sorted((k, str(r.props[k])) for k in (
            "role", "relation", "share_pct", "amount", "status", "title")
            if r.props.get(k) not in (None, "")))
        rels.append((r.type, *ends, r.start or "", r.end or "", keep))
    return ents, sorted(rels)


@pytest.fixture(scope="module")
def county_store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    d = tmp_path_factory.mktemp("rt")
    county = generate_county(d / "county", scale=0.05, seed=5)
    store = SqliteStore(d / "a.db")
    load_folder(county.data_dir, store)
    scan(store, codes=PATTERN_RULES)
    return store


def test_round_trip_gives_the_same_graph(county_store: SqliteStore, tmp_path: Path) -> None:
    out = tmp_path / "out.ftm.json"
    counts = export_ftm(county_store.view(), out, reveal=True)
    assert counts["Person"] == county_store.view().counts_by_kind()["person"]
    back = SqliteStore(tmp_path / "b.db")
    report = load_ftm(out, back)
    assert {r.code for r in report.set_aside} <= {"not_convertible"}  # the finding notes
    assert report.set_aside_count == counts["Note"] - county_store.view().counts_by_kind().get(
        "report", 0)
    assert back.view().counts_by_kind() == county_store.view().counts_by_kind()
    assert back.view().counts_by_type() == county_store.view().counts_by_type()
    assert _signature(back) == _signature(county_store)
    again = {(f["rule"], tuple(sorted(f["entities"])))
             for f in scan(back, codes=PATTERN_RULES).findings}
    first = {(f["rule"], tuple(sorted(f["entities"]))) for f in county_store.view().findings()}
    assert again == first


def test_findings_are_notes_with_their_evidence(county_store: SqliteStore) -> None:
    found = county_store.view().findings()
    assert found
    notes = [e for e in iter_ftm(county_store.view()) if "finding" in e.get("umbrella", {})]
    assert len(notes) == len(found)
    note = next(n for n in notes if n["umbrella"]["finding"]["id"] == found[0]["id"])
    props = note["properties"]
    assert props["name"] == [found[0]["title"]]
    assert found[0]["rule"] in props["keywords"]
    assert "Evidence:" in props["description"][0] and ".csv:" in props["description"][0]
    ids = {e["id"] for e in iter_ftm(county_store.view(), findings=False)}
    assert props["entity"] and set(props["entity"]) <= ids


def test_identity_numbers_only_with_reveal(county_store: SqliteStore) -> None:
    def numbers(reveal: bool) -> int:
        return sum(1 for e in iter_ftm(county_store.view(), reveal=reveal, findings=False)
                   if e["schema"] == "Person" and "idNumber" in e["properties"])
    assert numbers(False) == 0 and numbers(True) > 0


def test_export_is_valid_followthemoney(county_store: SqliteStore) -> None:
    from followthemoney import model

    schemas: Counter[str] = Counter()
    for e in iter_ftm(county_store.view()):
        proxy = model.get_proxy(json.loads(json.dumps(e)), cleaned=False)
        for prop, values in e["properties"].items():
            assert len(proxy.get(prop)) == len(values), (e["schema"], prop, values)
        schemas[e["schema"]] += 1
    assert {"Person", "Company", "PublicBody", "Family", "Ownership", "Note"} <= set(schemas)


@needs_data
def test_detect_format(tmp_path: Path) -> None:
    from loaders.standards import detect_format, load_any

    assert detect_format(FTM / "yente_zala" / "entities.ftm.json") == "ftm"
    assert detect_format(FTM / "yente_zala") == "ftm"
    (tmp_path / "persons.csv").write_text("person_id,name\nP1,A\n", encoding="utf-8")
    assert detect_format(tmp_path) == "layout"
    report = load_any(tmp_path, SqliteStore(tmp_path / "x.db"))
    assert report.loaded == 1
    with pytest.raises(InputError, match="single table file"):
        detect_format(tmp_path / "persons.csv")
    (tmp_path / "x.json").write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(InputError, match="not recognisably") as err:
        detect_format(tmp_path / "x.json")
    assert "--format" in err.value.hint


def test_export_command(county_store: SqliteStore, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from umbrella.standards_cmd import export_group

    out = tmp_path / "case.ftm.json"
    db = county_store.location
    result = CliRunner().invoke(export_group, ["ftm", "-o", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Person" in result.output and out.stat().st_size > 0
    assert "Example:" in (export_group.commands["ftm"].help or "")
