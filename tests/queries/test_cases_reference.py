"""UMB-001, REC-001 and the recusal question on the columnar engine give exactly what the
pandas reference (``tests/queries/reference/cases.py``) gives: the same findings (whole
JSON objects by stable id) and the same recusal lines, on the golden folder, on a folder
of look-alikes and corner cases, and on generated counties."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from samples import load_clean, write_tables

from graph.store import SqliteStore
from loaders.load import load_folder
from queries.context import Context
from queries.frames import Frames
from queries.recusal import recusals
from synthetic import generate_county
from tests.queries.reference import cases as reference

GOLDEN = Path(__file__).parent / "golden" / "CASES"
CODES = ["UMB-001", "REC-001"]

#: A: investigator and approver of the gang case K1 (open, acquitted), tied to its gang
#: leader G1 (spouse; G1 also a suspect), its member G2 (an associate, and kin two ties
#: away), its suspect G3 (co-owners of O1, which an organization also owns), its members
#: G7 (spouse's sibling) and G4 (three kin ties away) and its victim V1 (in-law);
#: prosecutor of K2 (dropped), tied to G5 by a kinship that ended while K2 ran and to G6
#: by an association that began after it closed. B (judge of K3) is an associate of its
#: complainant C while K3 runs; three officials of one name are kin of C, one out of post
#: before K3 opened. D and E (K4): co-owners before the case, kin through F by links that
#: never held together. P is investigator and suspect of K5. Q1 and Q2, namesakes in
#: posts, are associates and both suspects of K6. Tip-offs name G1 and A.
CORNERS = {
    "persons": (["person_id", "name"], [
        ["A", "周强"], ["B", "孙立"], ["C", "钱红"], ["D", "吴海"], ["E", "郑山"], ["F", "冯林"],
        ["G1", "刘一"], ["G2", "刘二"], ["G3", "刘三"], ["G4", "刘四"], ["G5", "刘五"],
        ["G6", "刘六"], ["G7", "马七"], ["M", "周敏"], ["N", "陈娟"], ["V1", "何平"], ["P", "马明"],
        ["W1", "王强"], ["W2", "王强"], ["W3", "王强"], ["Q1", "李明"], ["Q2", "李明"]]),
    "organizations": (["org_id", "name", "kind"], [
        ["O1", "某某砂石有限公司", "company"], ["O2", "某某贸易有限公司", "company"],
        ["H1", "县公安局", "agency"], ["H2", "县法院", "agency"]]),
    "relationships": (["person_id", "other_id", "relation", "start_date", "end_date"], [
        ["A", "G1", "spouse", "2010-01-01", ""],
        ["A", "G2", "associate", "2015-01-01", ""],
        ["G7", "G1", "sibling", "", ""],
        ["A", "M", "sibling", "", ""],
        ["M", "G2", "child", "", ""],
        ["M", "N", "spouse", "2005-01-01", ""],
        ["N", "G4", "child", "", ""],
        ["V1", "A", "in_law", "", ""],
        ["A", "G5", "sibling", "2000-01-01", "2017-06-30"],
        ["G6", "A", "associate", "2019-01-01", ""],
        ["B", "C", "associate", "2020-01-01", "2021-06-30"],
        ["W1", "C", "spouse", "", ""],
        ["C", "W2", "sibling", "", ""],
        ["W3", "C", "sibling", "", ""],
        ["D", "F", "sibling", "2000-01-01", "2005-12-31"],
        ["F", "E", "spouse", "2010-01-01", ""],
        ["Q2", "Q1", "associate", "", ""]]),
    "company_roles": (["company_id", "holder_id", "role", "share_pct", "start_date",
                       "end_date"], [
        ["O1", "A", "shareholder", "40", "2016-01-01", ""],
        ["O1", "G3", "director", "", "2016-01-01", ""],
        ["O1", "O2", "shareholder", "60", "", ""],
        ["O2", "D", "shareholder", "50", "2010-01-01", "2014-12-31"],
        ["O2", "E", "shareholder", "50", "2010-01-01", "2014-12-31"]]),
    "positions": (["person_id", "org_id", "title", "start_date", "end_date"], [
        ["A", "H1", "副局长", "2015-01-01", ""],
        ["A", "H2", "", "2021-03-01", ""],
        ["B", "H2", "庭长", "2012-01-01", ""],
        ["W1", "H1", "科长", "2018-01-01", ""],
        ["W2", "H2", "科员", "2019-01-01", "2021-02-01"],
        ["W3", "H2", "科员", "2019-01-01", "2020-12-31"],
        ["Q1", "H1", "科员", "", ""],
        ["Q2", "H2", "科员", "", ""]]),
    "cases": (["case_id", "kind", "title", "opened_date", "closed_date", "outcome"], [
        ["K1", "organized_crime", "刘某涉黑案", "2020-01-01", "", "acquitted"],
        ["K2", "organized_crime", "刘某涉恶案", "2016-01-01", "2018-12-31", "dropped"],
        ["K3", "corruption", "某局受贿案", "2021-01-01", "", "pending"],
        ["K4", "other", "某某案", "2016-01-01", "2016-12-31", "convicted"],
        ["K5", "criminal", "某某案", "2019-01-01", "", ""],
        ["K6", "disciplinary", "某某案", "2019-01-01", "", "sanctioned"]]),
    "case_roles": (["case_id", "party_id", "role", "start_date"], [
        ["K1", "G1", "gang_leader", ""], ["K1", "G1", "suspect", ""],
        ["K1", "G2", "gang_member", ""], ["K1", "G3", "suspect", ""],
        ["K1", "G4", "gang_member", ""], ["K1", "G7", "gang_member", ""],
        ["K1", "V1", "victim", ""],
        ["K1", "A", "investigator", ""], ["K1", "A", "approver", ""],
        ["K2", "G5", "gang_member", ""], ["K2", "G6", "gang_member", ""],
        ["K2", "A", "prosecutor", ""],
        ["K3", "C", "complainant", ""], ["K3", "B", "judge", ""],
        ["K4", "E", "suspect", ""], ["K4", "D", "investigator", ""],
        ["K5", "P", "investigator", ""], ["K5", "P", "suspect", ""],
        ["K6", "Q1", "suspect", ""], ["K6", "Q2", "suspect", ""]]),
    "reports": (["report_id", "subject_id", "date", "channel", "topic", "sector"], [
        ["R1", "G1", "2020-05-01", "hotline", "涉黑", "law_enforcement"],
        ["R2", "A", "2020-06-01", "online", "保护伞", "law_enforcement"]]),
}

#: Generated counties (scale, seed).
COUNTIES = [(0.2, 11), (0.2, 12), (0.5, 11), (0.5, 12)]


@pytest.fixture(scope="module")
def corners(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    root = write_tables(tmp_path_factory.mktemp("corners"), CORNERS)
    store = load_clean(root, root / "c.db")
    yield store
    store.close()


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    store = load_clean(GOLDEN, tmp_path_factory.mktemp("golden") / "g.db")
    yield store
    store.close()


@pytest.fixture(scope="module", params=COUNTIES, ids=[f"scale{s}-seed{n}" for s, n in COUNTIES])
def county(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    scale, seed = request.param
    if (scale, seed) == (0.2, 11):  # the shared read-only county
        yield request.getfixturevalue("read_only_county")
        return
    root = tmp_path_factory.mktemp(f"county-{scale}-{seed}")
    c = generate_county(root / "county", scale=scale, seed=seed)
    store = SqliteStore(root / "c.db")
    load_folder(c.data_dir, store)
    yield store
    store.close()


def _engine(store: SqliteStore, code: str, hops: int | None) -> dict[str, dict[str, Any]]:
    frames = Frames(store.view())
    ctx = Context(frames, overrides={} if hops is None else {code: {"max_kin_hops": hops}})
    try:
        return {f.id: f.to_dict(frames) for f in ctx.run(code)}
    finally:
        frames.close()


def _reference(store: SqliteStore, code: str, hops: int | None) -> dict[str, dict[str, Any]]:
    frames = Frames(store.view())
    ctx = Context(frames, overrides={} if hops is None else {code: {"max_kin_hops": hops}})
    try:
        return {f.id: f.to_dict(frames)
                for f in reference.findings(frames, code, ctx.rule_settings(code))}
    finally:
        frames.close()


def _same_findings(store: SqliteStore, code: str, hops: int | None = None
                   ) -> dict[str, dict[str, Any]]:
    got, want = _engine(store, code, hops), _reference(store, code, hops)
    assert sorted(got) == sorted(want)
    for fid, f in want.items():
        assert got[fid] == f, fid
    return got


def _same_recusals(store: SqliteStore, hops: int, every: int = 1) -> int:
    """Recusal lines of every case (of every ``every``-th case), compared; how many."""
    view = store.view()
    ours, theirs = Frames(view), Frames(view)
    lines = 0
    try:
        for case in sorted(view.entity_names("case"))[::every]:
            got = recusals(ours, case, hops)
            assert got == reference.recusals(theirs, case, hops), case
            lines += len(got)
    finally:
        ours.close()
        theirs.close()
    return lines


def _by_case(found: dict[str, dict[str, Any]]) -> dict[tuple[str, ...], dict[str, Any]]:
    return {tuple(f["entities"][:2]): f for f in found.values()}


@pytest.mark.parametrize("hops", [1, 2, 3])
def test_corners_give_the_reference_findings(corners: SqliteStore, hops: int) -> None:
    umb = _by_case(_same_findings(corners, "UMB-001", hops))
    rec = _by_case(_same_findings(corners, "REC-001", hops))
    assert sorted(umb) == [("A", "K1"), ("A", "K2")]
    assert sorted(rec) == [("A", "K1"), ("A", "K2"), ("B", "K3")]
    gang = ["G1", "G2", "G3", *(["G4"] if hops == 3 else []), *(["G7"] if hops > 1 else [])]
    assert sorted(umb["A", "K1"]["entities"][2:]) == gang
    assert ("more tied part" in umb["A", "K1"]["explanation"]) == (hops > 1)
    assert "V1" in rec["A", "K1"]["entities"] and "more tied part" in rec["A", "K1"]["explanation"]
    assert umb["A", "K2"]["entities"] == ["A", "K2", "G5"]
    assert "2 organized-crime cases" in umb["A", "K2"]["explanation"]


def test_corners_give_the_reference_recusals(corners: SqliteStore) -> None:
    for hops in (1, 2, 3):
        assert _same_recusals(corners, hops) > 0
    view = corners.view()

    def who(case: str) -> list[tuple[str, str, str]]:
        frames = Frames(view)
        key = view.resolve(case)
        assert key is not None
        lines = recusals(frames, key, 2)
        out = [(frames.ids[x.official][0], x.acting_role, frames.ids[x.party][0]) for x in lines]
        frames.close()
        return out

    assert who("K3") == [("B", "judge", "C"), ("W1", "", "C"), ("W2", "", "C")]
    assert sorted(who("K6")) == [("Q1", "", "Q2"), ("Q2", "", "Q1")]
    assert recusals(Frames(view), "k:nothing", 2) == []


def test_golden_gives_the_reference_findings_and_recusals(golden: SqliteStore) -> None:
    for code in CODES:
        assert _same_findings(golden, code)
    assert _same_recusals(golden, 2) > 0


def test_counties_give_the_reference_findings(county: SqliteStore) -> None:
    for code in CODES:
        assert _same_findings(county, code), code


def test_counties_give_the_reference_recusals(county: SqliteStore) -> None:
    # the reference reads the ties of every official in post again for each case: about 40
    # cases per county, spread over all of them
    n = county.view().counts_by_kind()["case"]
    assert _same_recusals(county, 2, max(1, n // 40)) > 0


def test_frames_with_shorter_chains_are_refused(corners: SqliteStore) -> None:
    view = corners.view()
    case = view.resolve("K1")
    assert case is not None
    frames = Frames(view)
    assert recusals(frames, case, 2)
    with pytest.raises(ValueError, match="kin chains to 2 ties"):
        recusals(frames, case, 3)
    frames.close()
