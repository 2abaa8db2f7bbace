"""Risk by area on a small county loaded from a real layout folder (tests/areas_county.py):
known counts by township, village, body and sector; each finding once per area; confirmed,
dismissed, tip-offs and money; the county baseline (a big township at the county's rate is
not above a small one with a clearly higher rate, and one finding in a tiny area does not
top the list); and a plain reference count the library's counts must agree with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from areas_county import HOSTILE_BODY, AreasCounty, make

from graph.store import SqliteStore, Store
from queries.areas import AreaMap, area_map
from queries.places import place
from queries.triage import current_statuses


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> AreasCounty:
    return make(tmp_path_factory.mktemp("areas"))


@pytest.fixture
def store(county: AreasCounty) -> Iterator[SqliteStore]:
    s = SqliteStore(county.db)
    yield s
    s.close()


def _map(store: Store, by: str, **kw: bool) -> AreaMap:
    current = current_statuses(store) or {}
    return area_map(store.view(), by, {k: e.status for k, e in current.items()}, **kw)


def test_townships_and_villages_have_their_known_counts(store: SqliteStore) -> None:
    m = _map(store, "region")
    got = {(a.level, a.name): (a.findings, a.heads, a.confirmed, a.tipoffs, a.money)
           for a in m.areas}
    assert got[("township", "东滩镇")] == (10, 202, 0, 0, 0.0)
    assert got[("township", "沙河乡")] == (11, 33, 1, 1, 8000.0)
    assert got[("township", "柳江镇")] == (1, 2, 0, 0, 0.0)
    assert got[("township", "平湾镇")] == (3, 101, 0, 0, 0.0)
    assert got[("village", "东滩镇 大湾村")] == (10, 201, 0, 0, 0.0)
    assert got[("village", "沙河乡 黄土村")] == (11, 31, 1, 1, 8000.0)
    assert (m.counted, m.unplaced, m.dismissed) == (25, 1, 1)
    sh = m.area("township:沙河乡")
    assert sh is not None and sh.categories == {"collusion": (10, 5.0), "subsidy_fraud": (1, 0.9)}
    assert sh.weight == pytest.approx(5.9)
    assert len(set(sh.finding_ids)) == len(sh.finding_ids) == 11  # each finding once
    assert "F-gone" not in sh.finding_ids


def test_dismissed_findings_count_when_asked(store: SqliteStore) -> None:
    m = _map(store, "region", dismissed=True)
    sh = m.area("township:沙河乡")
    assert sh is not None and sh.findings == 12 and m.dismissed == 0


def test_the_county_baseline_ranks_by_rate_not_size(store: SqliteStore) -> None:
    towns = [a for a in _map(store, "region").areas if a.level == "township"]
    order = [a.name for a in towns]
    # 沙河乡 (11 findings for 33 heads) is first; the big 东滩镇 (10 for 202, near the
    # county's rate) is below it though it has about as many findings
    assert order[0] == "沙河乡" and order.index("东滩镇") > order.index("沙河乡")
    small = next(a for a in towns if a.name == "柳江镇")
    sh = next(a for a in towns if a.name == "沙河乡")
    # one finding in an area of 2 heads has a higher raw ratio than 沙河乡's, but is shrunk
    assert small.raw > sh.raw and small.ratio < sh.ratio
    assert small.low < 1 < sh.low  # only 沙河乡 stands clear of the county
    big = next(a for a in towns if a.name == "东滩镇")
    assert big.low < 1 < big.high or big.high < 1
    assert [a.rank for a in towns] == [1, 2, 3, 4]


def test_agencies_count_their_staff_bodies_and_payments(store: SqliteStore) -> None:
    m = _map(store, "agency")
    got = {a.name: (a.findings, a.heads, a.tipoffs) for a in m.areas}
    assert got["桃峰县沙河乡人民政府"] == (5, 3, 1)  # F-sub (post, payer), 4 via its cadre
    assert got["桃峰县东滩镇人民政府"] == (4, 3, 0)  # P0000 in F-000, -002, -005, -008
    assert got[HOSTILE_BODY] == (2, 2, 1)  # F-bureau and F-300 (P3000, its staff)
    assert got["桃峰县人民政府"] == (1, 1, 0)
    assert {a.level for a in m.areas} == {"agency"}


def test_sectors_from_findings_and_their_payments(store: SqliteStore) -> None:
    m = _map(store, "sector")
    (ss,) = [a for a in m.areas if a.name == "social_security"]
    assert (ss.findings, ss.heads, ss.tipoffs, ss.money, ss.confirmed) == (1, 4, 2, 8000.0, 1)
    assert m.counted == 1


def test_counts_agree_with_a_plain_reference(store: SqliteStore) -> None:
    """Townships counted the obvious way: each finding's persons' addresses, one by one."""
    view = store.view()
    statuses = {k: e.status for k, e in (current_statuses(store) or {}).items()}
    ref: Counter[str] = Counter()
    for f in view.findings():
        if statuses.get(f["id"]) == "dismissed":
            continue
        towns = set()
        for k in f["keys"]:
            e = view.get(k)
            if e is not None and e.kind == "person":
                t = place(str(e.props.get("address") or ""))[0]
                if t:
                    towns.add(t)
        ref.update(towns)
    got = {a.name: a.findings for a in _map(store, "region").areas if a.level == "township"}
    assert got == dict(ref)


def test_a_bad_cut_says_what_to_use(store: SqliteStore) -> None:
    from graph.errors import UmbrellaError

    with pytest.raises(UmbrellaError) as err:
        area_map(store.view(), "county")
    assert "region, agency, sector" in (err.value.hint or "")


def test_an_empty_store_has_no_area(tmp_path: Path) -> None:
    s = SqliteStore(tmp_path / "empty.db")
    try:
        m = area_map(s.view(), "region")
        assert (m.areas, m.counted, m.unplaced) == ([], 0, 0)
    finally:
        s.close()


@pytest.mark.slow
def test_neo4j_gives_the_same_areas(county: AreasCounty, neo4j_db: Any) -> None:
    """The same county copied into Neo4j, with the same findings and triage: the same map."""
    from neo4j_stores import open_neo4j

    from graph.store.copy import copy_store
    from queries.triage import record

    embedded = SqliteStore(county.db)
    neo = open_neo4j(neo4j_db)
    try:
        copy_store(embedded, neo)
        with neo.writer() as w:
            w.replace_findings(embedded.view().findings(), ["COL-001", "SUB-001", "BRK-001"])
        record(neo, "F-sub", "confirmed", user="test")
        record(neo, "F-gone", "dismissed", reason="checked", user="test")
        for by in ("region", "agency", "sector"):
            a, b = _map(embedded, by), _map(neo, by)
            assert a.areas and a.counted > 0
            assert [(x.key, x.rank, x.findings, x.heads, x.confirmed, x.tipoffs, x.money,
                     round(x.ratio, 9)) for x in b.areas] == [
                (x.key, x.rank, x.findings, x.heads, x.confirmed, x.tipoffs, x.money,
                 round(x.ratio, 9)) for x in a.areas], by
    finally:
        neo.close()
        embedded.close()
