"""BODS in: the standard's examples (0.4) and GLEIF's BODS output (0.2), chains and PEPs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from samples import SHARED_DATA

from graph.store import SqliteStore
from loaders.standards import detect_format, load_any
from loaders.standards.bods import load_bods
from queries.frames import Frames
from queries.paths import explain_paths

BODS = SHARED_DATA / "bods"
EXAMPLES = BODS / "data_standard_examples"
GLEIF = BODS / "bodspipelines_gleif_fixtures"
needs_data = pytest.mark.skipif(not BODS.is_dir(), reason=f"shared data not found: {BODS} "
                                "(read relative to the repository root)")
# the only example whose relationship has no holder: a listed company exempt from disclosure
EXEMPT = "listed-company-exempt-from-disclosure.json"


def _load(files: Path | list[Path], tmp_path: Path, **kw: bool) -> tuple[SqliteStore, object]:
    store = SqliteStore(tmp_path / "b.db")
    return store, load_bods(files, store, **kw)


def _statements(f: Path) -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads(f.read_text(encoding="utf-8"))
    return data


@needs_data
@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json")) if
                         EXAMPLES.is_dir() else [])
def test_every_example_loads_whole(name: str, tmp_path: Path) -> None:
    store, report = _load(EXAMPLES / name, tmp_path)
    assert report.read == report.loaded + report.set_aside_count  # type: ignore[attr-defined]
    if name == EXEMPT:
        assert [r.code for r in report.set_aside] == ["not_convertible"]  # type: ignore[attr-defined]
        return
    assert report.set_aside_count == 0, report.set_aside  # type: ignore[attr-defined]
    v = store.view()
    edges = {(r.src, r.dst) for r in v.relations(["COMPANY_ROLE"])}
    for s in _statements(EXAMPLES / name):
        if s["recordType"] == "relationship":
            d = s["recordDetails"]
            assert isinstance(d, dict)
            pair = (v.resolve(str(d["interestedParty"])), v.resolve(str(d["subject"])))
            assert pair in edges, s["recordId"]


@needs_data
def test_indirect_ownership_keeps_its_chain(tmp_path: Path) -> None:
    """Person 1 -> Company B (60% of Company A): the components are the path; the indirect
    interest is a beneficial_owner role that names them (``via``)."""
    store, _ = _load(EXAMPLES / "indirect-ownership.json", tmp_path)
    v = store.view()
    person, b, a = (v.resolve(i) or "" for i in ("c25d4d612c2c", "d4ab89ea169a", "ad3f6c2fcc9e"))
    roles = {(r.src, r.dst): r for r in v.relations(["COMPANY_ROLE"])}
    assert roles[(b, a)].props["share_pct"] == 60 and roles[(b, a)].props["role"] == "shareholder"
    indirect = roles[(person, a)]
    assert indirect.props["role"] == "beneficial_owner" and indirect.props["share_pct"] == 30
    assert indirect.props["via"] == "d4ab89ea169a; 4cf2837bd01f; 05e81af035e4"
    path = explain_paths(Frames(v), person, b).paths[0]
    assert [s.get("rel") or s.get("key") for s in path] == [person, "COMPANY_ROLE", b]


@needs_data
def test_state_chain_is_a_path(tmp_path: Path) -> None:
    """Finland -> ministry -> Suomen Kaasuverkko Oy: two ownership steps, no shortcut."""
    store, _ = _load(EXAMPLES / "bods-package-fi-soe.json", tmp_path)
    v = store.view()
    names = {e.name: e.key for e in v.entities()}
    state, company = names["Suomen tasavalta"], names["Suomen Kaasuverkko Oy"]
    paths = explain_paths(Frames(v), state, company, max_paths=10).paths
    chains = [[s.get("name") for s in path if "node" in s] for path in paths]
    assert all(len(c) == 3 for c in chains)  # no direct tie: every shortest chain has two steps
    assert ["Suomen tasavalta", "Valtiovarainministerio", "Suomen Kaasuverkko Oy"] in chains
    assert v.get(names["Valtiovarainministerio"]).props["kind"] == "agency"  # type: ignore[union-attr]


@needs_data
@pytest.mark.parametrize("name", ["full-pep-declaration.json", "simple-pep-declaration.json"])
def test_political_exposure_marks_an_official(name: str, tmp_path: Path) -> None:
    store, _ = _load(EXAMPLES / name, tmp_path)
    v = store.view()
    posts = list(v.relations(["HOLDS_POST"]))
    assert len(posts) == 1
    person = v.get(posts[0].src)
    assert person is not None and person.name == "Michael Hubbard"
    assert person.props["pep_status"] == "isPep"
    if name.startswith("full"):
        assert posts[0].props["title"] == "Member of Parliament"
        assert posts[0].start == "2017-10-15"
        assert v.get(posts[0].dst).props["jurisdiction"] == "gb"  # type: ignore[union-attr]


@needs_data
def test_gleif_bods_output_loads_with_chains(tmp_path: Path) -> None:
    files = sorted(GLEIF.glob("*-out.json"))
    store, report = _load(files, tmp_path)
    assert report.set_aside_count == 0  # type: ignore[attr-defined]
    v = store.view()
    edges = {(r.src, r.dst) for r in v.relations(["COMPANY_ROLE"])}
    ooc = [s for f in files for s in _statements(f)
           if s["statementType"] == "ownershipOrControlStatement"]
    assert len(ooc) == 48
    for s in ooc:
        party, subject = s["interestedParty"], s["subject"]
        assert isinstance(party, dict) and isinstance(subject, dict)
        holder = party.get("describedByEntityStatement") or party.get(
            "describedByPersonStatement")
        pair = (v.resolve(str(holder)), v.resolve(str(subject["describedByEntityStatement"])))
        assert pair in edges, s["statementID"]
    stubs = [e for e in store.view().entities() if e.props.get("stub") == "true"]
    assert stubs and all("is not in this data" in e.name for e in stubs)
    unknown = [e for e in store.view().entities("person") if e.name.startswith("unknown person")]
    assert unknown  # GLEIF reporting exceptions: natural persons exempt from disclosure


@needs_data
def test_without_stubs_missing_ends_are_set_aside(tmp_path: Path) -> None:
    _, report = _load(GLEIF / "rr-data-out.json", tmp_path, stubs=False)
    assert report.loaded == 0  # type: ignore[attr-defined]
    assert {r.code for r in report.set_aside} == {"unknown_reference"}  # type: ignore[attr-defined]


@needs_data
def test_gleif_folder_sets_aside_what_is_not_bods(tmp_path: Path) -> None:
    assert detect_format(GLEIF) == "bods"
    store = SqliteStore(tmp_path / "g.db")
    report = load_any(GLEIF, store)
    unreadable = {Path(r.file).name for r in report.set_aside if r.code == "unreadable"}
    assert unreadable == {p.name for p in GLEIF.glob("*.json") if not p.name.endswith("-out.json")}
    assert {Path(n).suffix for n in report.ignored_files} == {".xml"}


def test_versions_0_2_and_0_4_and_superseded(tmp_path: Path) -> None:
    f = tmp_path / "b.json"
    f.write_text(json.dumps([
        {"statementID": "e1", "statementType": "entityStatement", "name": "Old name",
         "entityType": "registeredEntity"},
        {"statementID": "e2", "statementType": "entityStatement", "name": "New name",
         "entityType": "registeredEntity", "replacesStatements": ["e1"]},
        {"statementId": "s3", "recordId": "p1", "recordType": "person",
         "recordDetails": {"personType": "knownPerson", "names": [{"fullName": "Ann"}]}},
        {"statementID": "r1", "statementType": "ownershipOrControlStatement",
         "subject": {"describedByEntityStatement": "e1"},
         "interestedParty": {"describedByPersonStatement": "p1"},
         "interests": [{"type": "voting-rights", "interestLevel": "direct",
                        "share": {"minimum": 25, "maximum": 50}, "startDate": "2019-05"}]},
    ]), encoding="utf-8")
    store, report = _load(f, tmp_path)
    assert [(r.line, r.code) for r in report.set_aside] == [(1, "superseded")]  # type: ignore[attr-defined]
    role = next(store.view().relations(["COMPANY_ROLE"]))
    company = store.view().get(role.dst)
    assert company is not None and company.name == "New name"
    assert (role.props["role"], role.props.get("share_pct"), role.props["share_range"],
            role.start) == ("shareholder", None, "25-50", "2019-05-01")
