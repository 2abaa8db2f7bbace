"""``umbrella similar``: more places like a finding, an entity or a case, on a real layout
folder loaded into a real store (two planted instances of one structure and a decoy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from samples import write_tables

from graph.errors import UmbrellaError
from graph.store import SqliteStore
from lang import use_language
from lang.message import render
from loaders.load import load_folder
from queries.scan import scan
from queries.similar import similar_to, with_evidence
from umbrella.cli import cli

PAY = ["payment_id", "payer_org_id", "approver_id", "recipient_id", "amount", "date", "program",
       "sector", "bank_account"]

#: Three village accountants: 王建国 (大湾村) and 陈志明 (石桥村) each approve a subsidy to
#: their own wife; 赵德胜 (柳树村) approves one to a stranger while his wife gets nothing
#: (the decoy). Cases: two alike (a suspect and an investigator), one not (a victim only).
COUNTY = {
    "organizations": (["org_id", "name", "kind"], [
        ["V1", "大湾村村民委员会", "village_committee"],
        ["V2", "石桥村村民委员会", "village_committee"],
        ["V3", "柳树村村民委员会", "village_committee"]]),
    "persons": (["person_id", "name"], [
        ["A1", "王建国"], ["W1", "李秀英"], ["A2", "陈志明"], ["W2", "刘桂兰"],
        ["A3", "赵德胜"], ["W3", "孙丽华"], ["S3", "周大海"], ["X1", "吴小明"],
        ["X2", "郑小红"], ["X3", "钱多多"]]),
    "positions": (["person_id", "org_id", "title", "start_date", "end_date"], [
        ["A1", "V1", "会计", "2015-01-01", ""], ["A2", "V2", "会计", "2016-01-01", ""],
        ["A3", "V3", "会计", "2015-01-01", ""]]),
    "relationships": (["person_id", "other_id", "relation", "start_date", "end_date"], [
        ["A1", "W1", "spouse", "2001-05-01", ""], ["A2", "W2", "spouse", "2003-01-01", ""],
        ["A3", "W3", "spouse", "2002-01-01", ""]]),
    "payments": (PAY, [
        ["PM1", "V1", "A1", "W1", "1200", "2020-03-01", "低保", "social_security", "6222001"],
        ["PM2", "V2", "A2", "W2", "1500", "2021-05-01", "低保", "social_security", "6222002"],
        ["PM3", "V3", "A3", "S3", "900", "2021-06-01", "低保", "social_security", "6222003"]]),
    "cases": (["case_id", "kind", "title", "opened_date", "closed_date", "outcome"], [
        ["K1", "corruption", "大湾村低保案", "2021-01-01", "", "pending"],
        ["K2", "corruption", "石桥村低保案", "2021-02-01", "", "pending"],
        ["K3", "criminal", "柳树村盗窃案", "2021-03-01", "", "pending"]]),
    "case_roles": (["case_id", "party_id", "role", "start_date"], [
        ["K1", "A1", "suspect", ""], ["K1", "X1", "investigator", ""],
        ["K2", "A2", "suspect", ""], ["K2", "X2", "investigator", ""],
        ["K3", "S3", "victim", ""]]),
}


@pytest.fixture
def county(tmp_path: Path) -> tuple[Path, str]:
    """The county loaded and scanned; the database and the SUB-001 finding on 王建国."""
    folder = write_tables(tmp_path / "村务数据", COUNTY)
    db = tmp_path / "案件.db"
    store = SqliteStore(db)
    assert load_folder(folder, store).set_aside == []
    found = scan(store, codes=["SUB-001"]).findings
    store.close()
    seed = [f for f in found if "A1" in f["entities"]]
    assert len(seed) == 1 and any("A2" in f["entities"] for f in found)
    return db, str(seed[0]["id"])


def _ids(store: SqliteStore, keys: list[str]) -> set[str]:
    ents = store.view().entities_by_key(keys)
    return {i for e in ents.values() for i in e.source_ids}


def test_the_other_instance_ranks_first_and_the_decoy_lower_with_its_difference(
        county: tuple[Path, str]) -> None:
    db, seed = county
    store = SqliteStore(db)
    try:
        hits = similar_to(store, seed, top=10)
        assert hits, "no place found"
        assert {"A2", "W2", "PM2", "V2"} <= _ids(store, hits[0].keys)
        assert hits[0].score == 1.0 and hits[0].differs == []
        decoy = [h for h in hits if "A3" in _ids(store, h.keys)]
        assert decoy and decoy[0].score < hits[0].score
        said = [render(m) for m in decoy[0].differs]
        assert any("missing" in s and "kin spouse" in s for s in said), said
        with use_language("zh"):
            assert all(render(m) for m in decoy[0].differs)
        # the evidence goes back to the source rows, as a finding's does
        shown = with_evidence(store.view(), hits[:1], None)  # without the template: its ties
        assert shown[0].evidence
        from queries.engine import Engine
        from queries.similar import seed_template
        engine = Engine(store.view())
        template = seed_template(store.view(), store.view().finding(seed) or {}, engine)
        engine.close()
        first = with_evidence(store.view(), similar_to(store, seed, top=1), template)[0]
        files = {(s["file"], s["line"]) for p in first.evidence for step in p
                 for s in step.get("sources", [])}
        assert ("payments.csv", 3) in files and ("relationships.csv", 3) in files
    finally:
        store.close()


def test_the_command_lists_places_and_records_the_view(county: tuple[Path, str]) -> None:
    db, seed = county
    out = CliRunner().invoke(cli, ["similar", seed, "--db", str(db), "--format", "json"])
    assert out.exit_code == 0, out.output
    got = json.loads(out.stdout)
    rows = [dict(zip(got["columns"], r, strict=True)) for r in got["rows"]]
    assert rows[0]["rank"] == 1 and any("陈志明 (A2)" in e for e in rows[0]["entities"])
    steps = [s for p in rows[0]["evidence"] for s in p]
    assert any(s.get("rel") == "PAID_TO" for s in steps)
    trail = db.with_name(db.stem + ".audit.jsonl")
    entries = [json.loads(line) for line in trail.read_text(encoding="utf-8").splitlines()]
    assert any(e["action"] == "view" and e["target"] == seed for e in entries)
    table = CliRunner().invoke(cli, ["--lang", "zh", "similar", seed, "--db", str(db)])
    assert table.exit_code == 0 and "陈志明" in table.output
    # the paths under the table, one line each with its sources, not in a column
    said = table.output.splitlines()
    first = said.index("第 1 处的证据（1.0）：")
    assert said[first + 1].startswith("  ") and ".csv:" in said[first + 1]


def test_an_entity_and_a_case_are_compared_by_their_roles(county: tuple[Path, str]) -> None:
    db, _seed = county
    store = SqliteStore(db)
    try:
        person = similar_to(store, "A1", top=3)
        assert person[0].method == "role" and _ids(store, person[0].keys) == {"A2"}
        assert person[0].score > person[1].score or _ids(store, person[1].keys) != {"A3"}
        case = similar_to(store, "K1", top=2)
        assert _ids(store, case[0].keys) == {"K2"} and case[0].score > case[1].score
        assert case[0].matches and case[0].matches[0].fields["features"]
    finally:
        store.close()


def test_an_unknown_seed_is_a_clear_error(county: tuple[Path, str]) -> None:
    db, _seed = county
    store = SqliteStore(db)
    try:
        with pytest.raises(UmbrellaError, match="no finding, entity or case 'F-000000000000'"):
            similar_to(store, "F-000000000000")
    finally:
        store.close()
    out = CliRunner().invoke(cli, ["similar", "P404", "--db", str(db)])
    assert out.exit_code != 0
    assert "P404" in out.output and "F-" in out.output


def test_neo4j_answers_as_the_embedded_store(county: tuple[Path, str], neo4j_db: Any) -> None:
    from neo4j_stores import open_neo4j

    from graph.store.copy import copy_store

    db, seed = county
    store = SqliteStore(db)
    neo = open_neo4j(neo4j_db)
    try:
        copy_store(store, neo)
        finding = store.view().finding(seed)
        assert finding is not None

        def places(s: Any) -> list[tuple[float, frozenset[str]]]:
            return [(h.score, frozenset(_ids(store, h.keys) if s is store else
                                        {i for e in s.view().entities_by_key(h.keys).values()
                                         for i in e.source_ids}))
                    for h in similar_to(s, finding, top=5)]

        assert places(neo) == places(store)
        assert places(neo)[0][1] >= {"A2", "W2", "PM2"}
    finally:
        neo.close()
        store.close()
