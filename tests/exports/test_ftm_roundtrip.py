"""FollowTheMoney round trip keeps what it read (issue 15, point 6).

Load an FtM file, ``export ftm``, load the export: the exported entities are the
entities read (same ids, same schemata, the same values of every property, the
folded Address and Passport entities too), and the second load makes the same graph
as the first. A Sanction stays a Sanction; a Family tie that states no relation is a
``relative`` of no degree, never an in-law.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from samples import SHARED_DATA

from exports.ftm import export_ftm
from graph.schema import KIN, kin_degree
from graph.store import SqliteStore
from lang.kinship import kin_words
from loaders.standards.ftm import load_ftm

FTM = SHARED_DATA / "ftm"
REAL = [FTM / "yente_zala" / "entities.ftm.json",
        FTM / "yente_parteispenden" / "entities.ftm.json",
        FTM / "nomenklatura_donations" / "donations.ijson"]


def _read(path: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            e = json.loads(line)
            out[e["id"]] = e
    return out


def _props(e: dict[str, Any]) -> dict[str, list[str]]:
    return {k: sorted(v) for k, v in e["properties"].items()}


def _graph(store: SqliteStore) -> tuple[list[Any], list[Any]]:
    v = store.view()
    ents = sorted((e.key, e.kind, e.name, json.dumps(e.props, sort_keys=True))
                  for e in v.entities())
    rels = sorted((r.type, r.src, r.dst, r.start or "", r.end or "",
                   json.dumps(r.props, sort_keys=True)) for r in v.relations())
    return ents, rels


def round_trip(src: Path, tmp: Path, reveal: bool = True
               ) -> tuple[SqliteStore, SqliteStore, dict[str, dict[str, Any]]]:
    first = SqliteStore(tmp / "first.db")
    load_ftm(src, first)
    out = tmp / "out.ftm.json"
    export_ftm(first.view(), out, reveal=reveal, findings=False)
    second = SqliteStore(tmp / "second.db")
    load_ftm(out, second)
    return first, second, _read(out)


@pytest.mark.parametrize("src", REAL, ids=lambda p: p.parent.name)
def test_real_files_come_back_property_by_property(src: Path, tmp_path: Path) -> None:
    if not src.is_file():
        pytest.skip(f"shared data not found: {src} (the round trip is checked on it)")
    first, second, back = round_trip(src, tmp_path)
    read = _read(src)
    assert sorted(back) == sorted(read)  # every entity, folded ones too, and no other
    for fid, e in read.items():
        assert back[fid]["schema"] == e["schema"], fid
        assert _props(back[fid]) == _props(e), fid
    assert _graph(second) == _graph(first)  # and the same graph, prop by prop
    first.close()
    second.close()


SMALL = [
    {"id": "p1", "schema": "Person", "properties": {
        "name": ["Ivan Petrov"], "innCode": ["772000000000"], "topics": ["sanction"],
        "country": ["ru"], "sourceUrl": ["https://example.org/p1"], "alias": ["И. Петров"],
        "idNumber": ["4510 123456"]}},
    {"id": "p2", "schema": "Person", "properties": {"name": ["Olga Petrova"]}},
    {"id": "c1", "schema": "Company", "properties": {
        "name": ["Petrov Trade OOO"], "legalForm": ["OOO"], "ogrnCode": ["1027700000000"],
        "addressEntity": ["a1"]}},
    {"id": "a1", "schema": "Address", "properties": {"full": ["Tverskaya 1, Moscow"]}},
    {"id": "o1", "schema": "Ownership", "properties": {
        "owner": ["p1"], "asset": ["c1"], "sharesCount": ["1000"], "percentage": ["50"]}},
    {"id": "f1", "schema": "Family", "properties": {"person": ["p1"], "relative": ["p2"]}},
    {"id": "s1", "schema": "Sanction", "properties": {
        "entity": ["p1"], "authority": ["OFAC"], "program": ["RUSSIA-EO14024"],
        "startDate": ["2022-03-11"]}},
]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    src = tmp_path / "small.ftm.json"
    src.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in SMALL) + "\n",
                   encoding="utf-8")
    return src


def test_a_sanction_stays_a_sanction(small: Path, tmp_path: Path) -> None:
    first, second, back = round_trip(small, tmp_path)
    assert back["s1"]["schema"] == "Sanction"
    assert _props(back["s1"]) == _props(SMALL[-1])
    # no court case, no suspect party invented in the export
    assert {e["schema"] for e in back.values()} == {e["schema"] for e in SMALL}
    # the graph still holds it as a sanctioned case with the entity's stated role
    case = next(e for e in second.view().entities("case"))
    assert case.props["outcome"] == "sanctioned" and case.props["ftm_schema"] == "Sanction"
    assert case.props["authority"] == "OFAC" and case.props["program"] == "RUSSIA-EO14024"
    [role] = list(second.view().relations(["CASE_ROLE"]))
    assert role.props["stated_role"] == "sanctioned"
    first.close()
    second.close()


def test_properties_without_a_column_are_kept_and_written_back(small: Path,
                                                                tmp_path: Path) -> None:
    first, second, back = round_trip(small, tmp_path)
    for e in SMALL:
        assert _props(back[e["id"]]) == _props(e), e["id"]
    person = next(x for x in first.view().entities("person") if x.name == "Ivan Petrov")
    kept = json.loads(person.props["ftm"])["properties"]
    assert kept["innCode"] == ["772000000000"] and kept["sourceUrl"] == ["https://example.org/p1"]
    [stake] = list(first.view().relations(["COMPANY_ROLE"]))
    assert json.loads(stake.props["ftm"])["properties"]["sharesCount"] == ["1000"]
    first.close()
    second.close()


def test_identity_numbers_only_with_reveal(small: Path, tmp_path: Path) -> None:
    first, second, back = round_trip(small, tmp_path, reveal=False)
    assert "idNumber" not in back["p1"]["properties"]
    assert back["p1"]["properties"]["innCode"] == ["772000000000"]
    first.close()
    second.close()


def test_a_family_tie_that_states_no_relation_guesses_none(small: Path, tmp_path: Path) -> None:
    first, second, back = round_trip(small, tmp_path)
    for store in (first, second):
        [tie] = list(store.view().relations(["KIN"]))
        assert tie.props["relation"] == "relative" and tie.props.get("degree") is None
        store.close()
    assert "relationship" not in back["f1"]["properties"]  # nothing stated, nothing written
    assert KIN["relative"].inverse == "relative" and kin_degree("relative") is None
    assert kin_words(["relative"], lang="en") == "relative (kin not stated)"
    assert kin_words(["relative"], lang="zh") == "亲属（关系未说明）"
