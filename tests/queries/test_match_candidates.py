"""Candidate pairs of possible duplicates, read from real layout folders loaded into a real
store on disk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from samples import load_clean, write_tables

from graph.errors import UmbrellaError
from graph.ids import make_credit_code, make_id_number
from graph.store import SqliteStore
from lang import use_language
from queries.match_candidates import Candidate, candidates, pair_id

PERSONS = ["person_id", "name", "id_number", "gender", "birth_date", "phone", "address"]
ORGS = ["org_id", "name", "kind", "credit_code", "address", "phone", "established_date"]
ROLES = ["company_id", "holder_id", "role", "share_pct", "start_date", "end_date"]
TIES = ["person_id", "other_id", "relation", "start_date", "end_date"]


def _id(day: int, seq: int) -> str:
    return make_id_number("431221", dt.date(1970, 1, day), seq)


TABLES = {
    "persons": (PERSONS, [
        # one person in two departments' records: no id number, the name typed with a
        # full-width blank, the phone missing in the second
        ["P1", "刘建国", "", "男", "1970-01-02", "13800138000", "城关镇人民路1号"],
        ["P2", "刘　建国", "", "男", "1970-01-02", "", "城关镇人民路1号"],
        # namesakes: born on different days
        ["P3", "陈静", "", "女", "1980-03-04", "", ""],
        ["P4", "陈静", "", "女", "1991-11-12", "", ""],
        # two different valid identity numbers, all else the same: never one person
        ["P5", "周敏", _id(5, 11), "女", "1970-01-05", "13900139000", "城关镇解放路8号"],
        ["P6", "周敏", _id(5, 23), "女", "1970-01-05", "13900139000", "城关镇解放路8号"],
        # a Latin name written in another order and case, with one shared relative
        ["P7", "Maria Okafor", "", "F", "1985-06-07", "", ""],
        ["P8", "OKAFOR  maria", "", "F", "1985-06-07", "", ""],
        ["P9", "Chinedu Okafor", "", "M", "1960-01-01", "", ""],
        # one has an identity number, the other none: still a candidate
        ["P10", "黄晓明", _id(9, 31), "男", "1970-01-09", "", "城关镇中山路3号"],
        ["P11", "黄晓明", "", "男", "", "", "城关镇中山路3号"],
    ]),
    "relationships": (TIES, [
        ["P9", "P7", "child", "", ""],
        ["P8", "P9", "child", "", ""],
    ]),
    "organizations": (ORGS, [
        ["O1", "桃峰县华信建设有限公司", "company", "", "城关镇建设路88号", "0731-4246732",
         "2012-05-18"],
        ["O2", "桃峰县华信建设（有限责任公司）", "company", "", "城关镇建设路88号", "",
         "2012-05-18"],
        ["O3", "桃峰县顺达商贸有限公司", "company", make_credit_code("431221", "MA0000011"),
         "城关镇建设路9号", "", "2015-01-01"],
        ["O4", "桃峰县顺达商贸有限公司", "company", make_credit_code("431221", "MA0000029"),
         "城关镇建设路9号", "", "2015-01-01"],
    ]),
    "company_roles": (ROLES, [
        ["O1", "P1", "legal_rep", "", "", ""],
        ["O2", "P2", "legal_rep", "", "", ""],
    ]),
}


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[SqliteStore]:
    store = load_clean(write_tables(tmp_path / "两个部门", TABLES), tmp_path / "案件.db")
    yield store
    store.close()


def _by_ids(store: SqliteStore, found: list[Candidate]) -> dict[frozenset[str], Candidate]:
    view = store.view()
    out: dict[frozenset[str], Candidate] = {}
    for c in found:
        ids = set()
        for key in (c.a, c.b):
            e = view.get(key)
            assert e is not None
            ids |= set(e.source_ids)
        out[frozenset(ids)] = c
    return out


def test_a_true_pair_is_proposed_with_its_reasons(loaded: SqliteStore) -> None:
    found = _by_ids(loaded, candidates(loaded, min_score=0.0))
    c = found[frozenset({"P1", "P2"})]
    assert c.kind == "person" and c.a < c.b and c.score > 0.9
    assert c.pair == pair_id(c.b, c.a) and c.pair.startswith("M-") and len(c.pair) == 14
    assert {c.name_a, c.name_b} == {"刘建国"}
    assert "Both are named 刘建国." in c.reasons
    assert "Both were born on 1970-01-02." in c.reasons
    assert "Both have the address 城关镇人民路1号." in c.reasons
    # the queue: best first, every candidate at least min_score
    queue = candidates(loaded)
    assert queue == sorted(queue, key=lambda x: (-x.score, x.pair))
    assert all(x.score >= 0.3 for x in queue)
    assert candidates(loaded, limit=1) == queue[:1]


def test_namesakes_born_on_different_days_score_low(loaded: SqliteStore) -> None:
    found = _by_ids(loaded, candidates(loaded, min_score=0.0))
    c = found.get(frozenset({"P3", "P4"}))
    assert c is None or c.score < 0.01
    if c is not None:
        assert "The birth dates differ: 1980-03-04 and 1991-11-12." in c.reasons
    assert frozenset({"P3", "P4"}) not in _by_ids(loaded, candidates(loaded))


def test_different_valid_identifiers_are_never_proposed(loaded: SqliteStore) -> None:
    found = _by_ids(loaded, candidates(loaded, min_score=0.0))
    assert frozenset({"P5", "P6"}) not in found
    assert frozenset({"O3", "O4"}) not in found
    # one number and none is still a candidate (same name and address)
    assert found[frozenset({"P10", "P11"})].score >= 0.3


def test_latin_names_in_another_order_and_a_shared_relative(loaded: SqliteStore) -> None:
    c = _by_ids(loaded, candidates(loaded))[frozenset({"P7", "P8"})]
    assert ("The names Maria Okafor and OKAFOR maria are the same once case, width and "
            "blanks are set aside." in c.reasons) or any("another order" in r for r in c.reasons)
    assert "Both are tied to Chinedu Okafor." in c.reasons


def test_organisations_by_company_key_and_legal_representative(loaded: SqliteStore) -> None:
    found = _by_ids(loaded, candidates(loaded, kinds=("organization",)))
    c = found[frozenset({"O1", "O2"})]
    assert c.kind == "organization" and c.score > 0.9
    # the loader reads names as NFKC: the full-width brackets are stored as written below
    assert ("The names 桃峰县华信建设有限公司 and 桃峰县华信建设(有限责任公司) are the same "
            "once legal forms, blanks and punctuation are set aside." in c.reasons)
    assert "Both have the address 城关镇建设路88号." in c.reasons
    assert "Both were established on 2012-05-18." in c.reasons
    assert all(x.kind == "organization" for x in found.values())


def test_reasons_in_chinese(loaded: SqliteStore) -> None:
    with use_language("zh"):
        c = _by_ids(loaded, candidates(loaded))[frozenset({"P1", "P2"})]
    assert "两条记录的姓名都是刘建国。" in c.reasons
    assert "两条记录的出生日期都是1970-01-02。" in c.reasons


def test_an_unknown_kind_is_refused(loaded: SqliteStore) -> None:
    with pytest.raises(UmbrellaError, match="contract: not a kind of entity"):
        candidates(loaded, kinds=("contract",))


def test_a_common_name_is_compared_within_one_birth_date(tmp_path: Path) -> None:
    """Four hundred 王伟 (more than max_block): only the two born on one day are compared."""
    start = dt.date(1950, 1, 1)
    rows = [[f"P{i}", "王伟", "", "男", (start + dt.timedelta(days=37 * i)).isoformat(), "", ""]
            for i in range(400)]
    rows.append(["P400", "王 伟", "", "男", rows[123][4], "", ""])
    store = load_clean(write_tables(tmp_path / "d", {"persons": (PERSONS, rows)}),
                       tmp_path / "c.db")
    try:
        found = candidates(store, min_score=0.0)
        assert list(_by_ids(store, found)) == [frozenset({"P123", "P400"})]
    finally:
        store.close()
