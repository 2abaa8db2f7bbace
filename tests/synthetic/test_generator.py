"""The synthetic county generator: files, determinism, truth, bad rows, clean background.

The checks re-read the written CSV files on their own (csv module, physical
line numbers, pandas joins) rather than trusting the generator's records.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from itertools import combinations, pairwise
from pathlib import Path

import babel.numbers
import pandas as pd
import pytest

from graph.errors import UmbrellaError
from graph.ids import credit_code_problem, id_number_problem, normalize_id_number
from graph.schema import CASE_OFFICIAL_ROLES, CASE_PARTY_ROLES, KIN
from loaders.layout import FOLDER_REASONS, TABLES, ColType, Reason
from synthetic import GeneratedCounty, Rates, generate_county, read_truth
from synthetic.truth import BACKGROUND_KINDS, Truth

SCHEME_PATTERNS = {
    ("COI", "official_role"), ("COI", "kin_role"), ("COI", "body_bought"),
    ("SUB", "kin_subsidy"), ("SUB", "after_death"), ("SUB", "shared_account"),
    ("UMB", "protector"), ("REC", "tied_official"),
    ("COL", "shared_contact"), ("COL", "rotation"), ("COL", "single_bid"),
    ("COL", "identical_prices"), ("COL", "shared_ring"),
    ("UMB", "shield_other_cases"), ("UMB", "shield_business"), ("UMB", "outcome_disparity"),
}
DECOY_PATTERNS = {
    ("COI", "role_ended"), ("COI", "left_post"), ("COI", "kin_3hops"), ("COI", "namesake_son"),
    ("SUB", "before_death"), ("SUB", "household_account"), ("SUB", "unrelated_approver"),
    ("UMB", "victim_tie"), ("UMB", "tie_ended"), ("UMB", "other_case"),
    ("COL", "shared_phone_apart"), ("COL", "near_identical"), ("COL", "direct_single"),
    ("COL", "withdrawn_identical"),
    ("COI", "kin_firm_elsewhere"), ("COL", "small_market"), ("COL", "switchboard_phone"),
    ("SUB", "agency_account"), ("UMB", "dropped_no_tie"), ("UMB", "namesake_party"),
}
LOW, HIGH = "0000-00-00", "9999-99-99"


# -- fixtures -------------------------------------------------------------------
@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCounty:
    return generate_county(tmp_path_factory.mktemp("gen") / "county", scale=0.2, seed=0)


@pytest.fixture(scope="module")
def truth(county: GeneratedCounty) -> Truth:
    return read_truth(county.truth_path)


@pytest.fixture(scope="module")
def frames(county: GeneratedCounty, truth: Truth) -> dict[str, pd.DataFrame]:
    return valid_frames(county.data_dir, truth)


# -- reading helpers ------------------------------------------------------------
def physical_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (first physical line, cells) of every record."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        out: list[tuple[int, list[str]]] = []
        prev = reader.line_num
        for cells in reader:
            out.append((prev + 1, cells))
            prev = reader.line_num
    return header, out


def norm(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def valid_frames(folder: Path, truth: Truth) -> dict[str, pd.DataFrame]:
    """Every table without the truth's bad rows, cells normalised, person ids -> entities."""
    bad = {(b.file, b.line) for b in truth.bad_rows}
    out: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        header, rows = physical_rows(folder / f"{name}.csv")
        kept = [[norm(c) for c in cells] + [line] for line, cells in rows
                if (f"{name}.csv", line) not in bad]
        out[name] = pd.DataFrame(kept, columns=[*header, "_line"], dtype=object)
    persons = out["persons"]
    entity = {p: (n.upper() or p) for p, n in zip(persons["person_id"], persons["id_number"],
                                                   strict=True)}
    out["_entity"] = pd.DataFrame({"pid": list(entity), "ent": list(entity.values())})
    for name, cols in (("positions", ["person_id"]), ("relationships", ["person_id", "other_id"]),
                       ("company_roles", ["holder_id"]), ("contracts", ["approver_id"]),
                       ("payments", ["approver_id", "recipient_id"]),
                       ("case_roles", ["party_id"]), ("reports", ["subject_id"])):
        for col in cols:
            out[name][col] = out[name][col].map(lambda v: entity.get(v, v))
    return out


def ent(frames: dict[str, pd.DataFrame], pid: str) -> str:
    e = frames["_entity"]
    hit = e.loc[e["pid"] == pid, "ent"]
    return str(hit.iloc[0]) if len(hit) else pid


def all_ids(folder: Path) -> set[str]:
    ids: set[str] = set()
    for name, spec in TABLES.items():
        if spec.key is None:
            continue
        _, rows = physical_rows(folder / f"{name}.csv")
        ids.update(cells[0].strip() for _, cells in rows)
    return ids


def digest(folder: Path, truth_path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.iterdir()):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    h.update(truth_path.read_bytes())
    return h.hexdigest()


# -- an independent validator of the layout rules --------------------------------
#: ISO 4217 codes, from Babel's own list (the validator's copy is the layout's).
ISO_4217 = frozenset(babel.numbers.list_currencies())


def _date_ok(v: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return False
    try:
        pd.Timestamp(v)
    except ValueError:
        return False
    return True


def _value_problem(spec_name: str, rec: dict[str, str]) -> tuple[str, str] | None:
    spec = TABLES[spec_name]
    for col in spec.required_columns():
        if not rec.get(col.name, ""):
            return Reason.MISSING_REQUIRED.value, col.name
    for col in spec.columns:
        v = rec.get(col.name, "")
        if not v:
            continue
        if col.type == ColType.VOCAB and v.lower().replace(" ", "_") not in col.vocab:
            return Reason.BAD_VOCABULARY.value, col.name
        if col.type == ColType.DATE and not _date_ok(v):
            return Reason.BAD_DATE.value, col.name
        if col.type in (ColType.AMOUNT, ColType.PCT):
            ok = re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", v) is not None
            if col.type == ColType.AMOUNT and not ok:
                return Reason.BAD_AMOUNT.value, col.name
            if col.type == ColType.PCT and (not ok or not 0 <= float(v) <= 100):
                return Reason.BAD_SHARE_PCT.value, col.name
        if col.type == ColType.ID_NUMBER and id_number_problem(v):
            return Reason.BAD_ID_NUMBER.value, col.name
        if col.type == ColType.CREDIT_CODE and credit_code_problem(v):
            return Reason.BAD_CREDIT_CODE.value, col.name
        if col.type == ColType.CURRENCY and v.upper() not in ISO_4217:
            return Reason.BAD_CURRENCY.value, col.name
        if col.type == ColType.COUNT and not (v.isascii() and v.isdigit()):
            return Reason.BAD_COUNT.value, col.name
    for start, end in spec.date_pairs:
        if rec.get(start) and rec.get(end) and rec[end] < rec[start]:
            return Reason.DATE_ORDER.value, end
    return None


def set_aside(folder: Path) -> set[tuple[str, int, str, str]]:
    """(file, line, code, column) of every row the layout rules set aside."""
    found: set[tuple[str, int, str, str]] = set()
    known: dict[str, dict[str, str]] = {}
    aside: dict[str, set[str]] = {}
    for name, spec in TABLES.items():
        file = f"{name}.csv"
        header, rows = physical_rows(folder / file)
        seen: set[str] = set()
        pending: list[tuple[int, dict[str, str], str]] = []
        for line, cells in rows:
            if len(cells) != len(header):
                column = (f"({len(header) + 1})" if len(cells) > len(header)
                          else header[len(cells)])
                found.add((file, line, Reason.BAD_FIELD_COUNT.value, column))
                continue
            rec = {h: norm(c) for h, c in zip(header, cells, strict=True)}
            if "id_number" in rec:
                rec["id_number"] = rec["id_number"].upper()
            problem = _value_problem(name, rec)
            key = rec[spec.key] if spec.key else ""
            if problem is None and spec.key and key in seen:
                problem = (Reason.DUPLICATE_KEY.value, spec.key)
            if key:
                seen.add(key)
            if problem is None:
                for col in spec.columns:
                    v = rec.get(col.name, "")
                    if col.type != ColType.REF or not v or col.ref == (name,):
                        continue
                    if any(v in known.get(t, {}) for t in col.ref):
                        continue
                    code = Reason.REFERS_TO_SET_ASIDE if any(v in aside.get(t, set())
                                                             for t in col.ref) \
                        else Reason.UNKNOWN_REFERENCE
                    problem = (code.value, col.name)
                    break
            if problem is None and name == "relationships":
                p = known["persons"]
                if p.get(rec["person_id"]) == p.get(rec["other_id"]):
                    problem = (Reason.SELF_TIE.value, "other_id")
            if problem is not None:
                found.add((file, line, *problem))
                if key:
                    aside.setdefault(name, set()).add(key)
            else:
                pending.append((line, rec, key))
        if spec.key:
            table = known.setdefault(name, {})
            for _, rec, key in pending:
                table.setdefault(key, rec.get("id_number") or key)
            for k in list(aside.get(name, set())):
                if k in table:
                    aside[name].discard(k)
        for line, rec, _ in pending:
            parent = rec.get("parent_org_id", "")
            if parent and parent not in known.get("organizations", {}):
                found.add((file, line, Reason.UNKNOWN_REFERENCE.value, "parent_org_id"))
    return found


# -- files, determinism, truth -----------------------------------------------------
def test_files_headers_and_truth_beside(county: GeneratedCounty) -> None:
    assert sorted(p.name for p in county.data_dir.iterdir()) == sorted(
        f"{t}.csv" for t in TABLES)
    assert county.truth_path == county.data_dir.parent / "county.truth.json"
    assert county.truth_path.is_file()
    assert not (county.data_dir / "county.truth.json").exists()
    for name, spec in TABLES.items():
        raw = (county.data_dir / f"{name}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert b"\r" not in raw
        header, _ = physical_rows(county.data_dir / f"{name}.csv")
        # every layout column in order; optional ones the generator never fills may end it
        assert header == spec.column_names()[:len(header)]
        assert not any(c.required for c in spec.columns[len(header):])
    assert len(physical_rows(county.data_dir / "persons.csv")[0]) == len(
        TABLES["persons"].column_names())


def test_same_seed_gives_identical_bytes(county: GeneratedCounty, tmp_path: Path) -> None:
    again = generate_county(tmp_path / "county", scale=0.2, seed=0)
    assert digest(again.data_dir, again.truth_path) == digest(county.data_dir,
                                                                county.truth_path)
    assert again.rows == county.rows


def test_other_seed_gives_another_county(county: GeneratedCounty, tmp_path: Path) -> None:
    other = generate_county(tmp_path / "county", scale=0.2, seed=1)
    assert digest(other.data_dir, other.truth_path) != digest(county.data_dir,
                                                                county.truth_path)
    a = (county.data_dir / "persons.csv").read_text(encoding="utf-8").splitlines()[1:50]
    b = (other.data_dir / "persons.csv").read_text(encoding="utf-8").splitlines()[1:50]
    assert a != b


def test_row_counts_match_files_and_truth(county: GeneratedCounty, truth: Truth) -> None:
    for name in TABLES:
        _, rows = physical_rows(county.data_dir / f"{name}.csv")
        assert county.rows[name] == len(rows) == truth.rows[name], name
    assert (truth.seed, truth.scale, truth.generator_version) == (0, 0.2, 2)


def test_truth_file_keys(county: GeneratedCounty) -> None:
    data = json.loads(county.truth_path.read_text(encoding="utf-8"))
    assert set(data) == {"generator_version", "seed", "scale", "rows", "counties", "schemes",
                         "decoys", "networks", "brokers", "duplicates", "namesakes",
                         "bad_rows"}
    scheme_keys = {"id", "family", "pattern", "variant", "categories", "anchor", "entities",
                   "description"}
    assert all(set(s) == scheme_keys for s in data["schemes"])
    assert all(set(d) == scheme_keys | {"why_not"} for d in data["decoys"])
    assert all(set(n) == {"id", "kind", "members", "pattern"} for n in data["networks"])
    assert all(set(d) == {"person_ids", "id_number"} for d in data["duplicates"])
    assert all(set(n) == {"name", "person_ids"} for n in data["namesakes"])
    assert all(set(b) == {"file", "line", "code", "column"} for b in data["bad_rows"])
    assert "\\u" not in county.truth_path.read_text(encoding="utf-8")


def test_every_truth_id_is_written(county: GeneratedCounty, truth: Truth) -> None:
    ids = all_ids(county.data_dir)
    mentioned: set[str] = set()
    for s in (*truth.schemes, *truth.decoys):
        assert set(s.anchor) <= set(s.entities), s.id
        mentioned.update(s.entities)
    for n in truth.networks:
        mentioned.update(n.members)
    mentioned.update(truth.brokers)
    for d in truth.duplicates:
        mentioned.update(d.person_ids)
    for ns in truth.namesakes:
        mentioned.update(ns.person_ids)
    assert mentioned - ids == set()


def test_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(UmbrellaError) as err:
        generate_county(folder, scale=0.2)
    assert err.value.hint
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
    with pytest.raises(UmbrellaError):
        generate_county(tmp_path / "x", scale=0)


def test_progress_reports_and_overwrites_a_previous_county(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    for _ in range(2):
        generate_county(tmp_path / "c", scale=0.2, seed=3,
                        progress=lambda s, d, t: calls.append((s, d, t)))
    assert calls[-1][1] == calls[-1][2]
    assert [d for _, d, _ in calls[: len(calls) // 2]] == list(range(1, len(calls) // 2 + 1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "c.truth.json"]


# -- realism -------------------------------------------------------------------------
def test_persons_are_plausible(frames: dict[str, pd.DataFrame]) -> None:
    p = frames["persons"]
    with_id = p[p["id_number"] != ""]
    assert len(with_id) > 0.95 * len(p)
    for _, row in with_id.iterrows():
        number = normalize_id_number(row["id_number"])
        assert id_number_problem(number) is None
        assert number[6:14] == row["birth_date"].replace("-", "")
        assert int(number[16]) % 2 == (1 if row["gender"] == "男" else 0)
    phones = p.loc[p["phone"] != "", "phone"]
    assert phones.str.fullmatch(r"1[3-9]\d{9}").all()
    assert p["name"].str.len().between(2, 4).all()
    assert p["name"].str.startswith(("欧阳", "司马", "诸葛", "上官", "皇甫", "东方")).any()
    assert p["address"].str.contains(r"村\d组\d+号").any()


def test_event_dates_lie_in_the_window(frames: dict[str, pd.DataFrame]) -> None:
    checks = {"persons": ["death_date"], "positions": ["start_date", "end_date"],
              "relationships": ["start_date", "end_date"],
              "company_roles": ["start_date", "end_date"], "contracts": ["award_date"],
              "payments": ["date"], "cases": ["opened_date", "closed_date"],
              "case_roles": ["start_date"], "reports": ["date"]}
    for name, cols in checks.items():
        for col in cols:
            s = frames[name][col]
            s = s[s != ""]
            assert s.between("2015-01-01", "2025-12-31").all(), (name, col)


def test_organizations_and_quoting(county: GeneratedCounty,
                                   frames: dict[str, pd.DataFrame]) -> None:
    o = frames["organizations"]
    villages = o[o["kind"] == "village_committee"]
    assert villages["name"].str.endswith("村民委员会").all()
    assert villages["parent_org_id"].isin(o.loc[o["kind"] == "agency", "org_id"]).all()
    assert o["name"].str.endswith("公安局").any() and o["name"].str.endswith("人民法院").any()
    companies = o[o["kind"] == "company"]
    assert companies["credit_code"].map(credit_code_problem).isna().all()
    assert companies["credit_code"].is_unique
    assert frames["contracts"]["title"].str.contains("\n").any()
    assert frames["contracts"]["title"].str.contains(",").any()
    _, rows = physical_rows(county.data_dir / "contracts.csv")
    lines = [line for line, _ in rows]
    assert lines != list(range(2, len(rows) + 2))


def test_approvers_hold_a_post_at_the_body_on_the_day(frames: dict[str, pd.DataFrame]) -> None:
    pos = frames["positions"].assign(s=lambda d: d["start_date"].replace("", LOW),
                                     e=lambda d: d["end_date"].replace("", HIGH))
    for table, body, day in (("contracts", "buyer_org_id", "award_date"),
                             ("payments", "payer_org_id", "date")):
        t = frames[table]
        m = t.merge(pos, left_on=["approver_id", body], right_on=["person_id", "org_id"])
        m = m[(m["s"] <= m[day]) & (m[day] <= m["e"])]
        key = t.columns[0]
        assert set(m[key]) == set(t[key]), table
    k = frames["contracts"]
    assert set(k["method"]) == {"open", "invited", "direct"}
    assert k.groupby("buyer_org_id")["sector"].nunique().max() == 1


# -- bad rows ----------------------------------------------------------------------
def test_bad_rows_are_exactly_the_rows_the_rules_set_aside(county: GeneratedCounty,
                                                           truth: Truth) -> None:
    want = {(b.file, b.line, b.code, b.column) for b in truth.bad_rows}
    assert set_aside(county.data_dir) == want
    assert {b.code for b in truth.bad_rows} == {r.value for r in FOLDER_REASONS}
    assert len({b.file for b in truth.bad_rows}) >= 8
    total = sum(truth.rows.values())
    assert len(truth.bad_rows) <= max(len(Reason) * 2, 0.004 * total)


def test_bad_rows_are_not_part_of_schemes(county: GeneratedCounty, truth: Truth,
                                          frames: dict[str, pd.DataFrame]) -> None:
    o = frames["organizations"]
    public = set(o.loc[o["kind"] != "company", "org_id"])
    planted = {i for s in (*truth.schemes, *truth.decoys) for i in s.entities} - public
    for b in truth.bad_rows:
        _, rows = physical_rows(county.data_dir / b.file)
        cells = dict(rows)[b.line]
        if b.code == Reason.DUPLICATE_KEY.value:
            continue
        assert not set(c.strip() for c in cells) & planted, b


# -- duplicates and namesakes ----------------------------------------------------
def test_duplicates_share_a_normalised_id_number(county: GeneratedCounty,
                                                 truth: Truth) -> None:
    _, rows = physical_rows(county.data_dir / "persons.csv")
    by_id = {cells[0]: cells for _, cells in rows}
    assert len(truth.duplicates) >= 3
    written: set[str] = set()
    for d in truth.duplicates:
        assert len(d.person_ids) >= 2
        numbers = {normalize_id_number(norm(by_id[p][2])) for p in d.person_ids}
        assert numbers == {d.id_number}
        written.update(by_id[p][2] for p in d.person_ids[1:])
        names = {re.sub(r"\s", "", norm(by_id[p][1])) for p in d.person_ids}
        assert len(names) == 1
    assert any(w.endswith("x") for w in written)
    assert any(w != w.strip() for w in written)
    assert any(not w.strip().isascii() for w in written)


def test_a_kin_role_holder_is_a_duplicate_named_by_its_second_id(
        frames: dict[str, pd.DataFrame], truth: Truth, county: GeneratedCounty) -> None:
    dups = {d.person_ids[0]: d.person_ids for d in truth.duplicates}
    hits = [s for s in truth.schemes if s.pattern == "kin_role" and s.variant == "duplicate"]
    assert hits
    s = hits[0]
    kin, alias = s.anchor[2], s.anchor[3]
    assert dups[kin] == (kin, alias)
    _, rows = physical_rows(county.data_dir / "company_roles.csv")
    assert any(cells[1] == alias for _, cells in rows)


def test_namesakes_share_a_name_not_an_id_number(frames: dict[str, pd.DataFrame],
                                                 truth: Truth) -> None:
    p = frames["persons"].set_index("person_id")
    assert len(truth.namesakes) > 10
    for ns in truth.namesakes:
        a, b = ns.person_ids
        assert p.loc[a, "name"] == p.loc[b, "name"] == ns.name
        assert p.loc[a, "id_number"] != p.loc[b, "id_number"]
    decoy = next(d for d in truth.decoys if d.pattern == "namesake_son")
    pairs = {tuple(sorted(n.person_ids)) for n in truth.namesakes}
    holder = decoy.anchor[2]
    assert any(holder in pair for pair in pairs)


# -- what was planted --------------------------------------------------------------
def test_every_pattern_and_decoy_is_planted(truth: Truth) -> None:
    assert {(s.family, s.pattern) for s in truth.schemes} >= SCHEME_PATTERNS
    assert {(d.family, d.pattern) for d in truth.decoys} >= DECOY_PATTERNS
    variants = {s.variant for s in truth.schemes if s.pattern == "kin_role"}
    assert {"spouse", "child", "sibling", "parent", "spouse>sibling", "in_law",
            "duplicate"} <= variants
    assert {s.variant for s in truth.schemes if s.pattern == "shared_contact"} == {
        "phone", "address", "legal_rep", "shareholder"}
    assert {n.kind for n in truth.networks} == {"umbrella_network", "bid_rigging_ring"}
    assert truth.brokers
    protectors = [s.anchor[0] for s in truth.schemes if s.pattern == "protector"]
    assert any(protectors.count(p) >= 2 for p in protectors)
    for s in truth.schemes:
        assert s.id.startswith("S") and s.description and s.categories
    for d in truth.decoys:
        assert d.id.startswith("D") and d.why_not


# -- the background is clean: patterns recomputed from the CSV files ----------------
def _kin_edges(frames: dict[str, pd.DataFrame], associates: bool) -> pd.DataFrame:
    r = frames["relationships"]
    if not associates:
        r = r[r["relation"].isin(list(KIN))]
    e = pd.DataFrame({"a": r["person_id"], "b": r["other_id"],
                      "s": r["start_date"].replace("", LOW), "e": r["end_date"].replace("", HIGH)})
    return pd.concat([e, e.rename(columns={"a": "b", "b": "a"})], ignore_index=True)


def _reach(start: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """Persons within two ties of ``start.person`` over ``lo..hi`` (columns key, person, lo, hi)."""
    out = [start[["key", "person", "lo", "hi"]].assign(to=start["person"])]
    cur = start.assign(to=start["person"])
    for _ in range(2):
        m = cur.merge(edges, left_on="to", right_on="a")
        m["lo"] = m[["lo", "s"]].max(axis=1)
        m["hi"] = m[["hi", "e"]].min(axis=1)
        m = m[m["lo"] <= m["hi"]]
        cur = m[["key", "person", "lo", "hi", "b"]].rename(columns={"b": "to"})
        out.append(cur)
    return pd.concat(out, ignore_index=True)


def _ids(truth: Truth, pattern: str, prefix: str) -> set[str]:
    return {i for s in truth.schemes if s.pattern == pattern for i in s.anchor
            if i.startswith(prefix)}


def test_conflicts_of_interest_are_exactly_the_planted_ones(
        frames: dict[str, pd.DataFrame], truth: Truth) -> None:
    k = frames["contracts"]
    pos = frames["positions"].assign(s=lambda d: d["start_date"].replace("", LOW),
                                     e=lambda d: d["end_date"].replace("", HIGH))
    body = k.merge(pos, left_on="buyer_org_id", right_on="org_id")
    body = body[(body["s"] <= body["award_date"]) & (body["award_date"] <= body["e"])]
    officials = pd.concat([
        pd.DataFrame({"key": k["contract_id"], "person": k["approver_id"], "d": k["award_date"]}),
        pd.DataFrame({"key": body["contract_id"], "person": body["person_id"],
                      "d": body["award_date"]})]).drop_duplicates()
    officials = officials.assign(lo=officials["d"], hi=officials["d"])
    reach = _reach(officials, _kin_edges(frames, associates=False))
    roles = frames["company_roles"].assign(
        s=lambda d: d["start_date"].replace("", LOW), e=lambda d: d["end_date"].replace("", HIGH))
    held = k.merge(roles, left_on="supplier_id", right_on="company_id")
    held = held[(held["s"] <= held["award_date"]) & (held["award_date"] <= held["e"])]
    hit = reach.merge(held, left_on=["key", "to"], right_on=["contract_id", "holder_id"])
    found = set(zip(hit["key"], hit["person"], strict=True))
    want = {(s.anchor[0], ent(frames, s.anchor[1])) for s in truth.schemes if s.family == "COI"}
    assert found == want
    for d in truth.decoys:
        if d.family == "COI":
            assert (d.anchor[0], ent(frames, d.anchor[1])) not in found


def test_subsidy_patterns_are_exactly_the_planted_ones(
        frames: dict[str, pd.DataFrame], truth: Truth) -> None:
    pm = frames["payments"]
    start = pd.DataFrame({"key": pm["payment_id"], "person": pm["approver_id"],
                          "lo": pm["date"], "hi": pm["date"]})
    reach = _reach(start, _kin_edges(frames, associates=True))
    hit = reach.merge(pm, left_on=["key", "to"], right_on=["payment_id", "recipient_id"])
    assert set(hit["key"]) == _ids(truth, "kin_subsidy", "PM")
    deaths = frames["persons"].assign(ent=lambda d: d["id_number"].str.upper().where(
        d["id_number"] != "", d["person_id"]))[["ent", "death_date"]].drop_duplicates()
    late = pm.merge(deaths, left_on="recipient_id", right_on="ent")
    late = late[(late["death_date"] != "") & (late["date"] > late["death_date"])]
    assert set(late["payment_id"]) == _ids(truth, "after_death", "PM")
    before = {i for d in truth.decoys if d.pattern == "before_death" for i in d.anchor
              if i.startswith("PM")}
    assert before and not before & set(late["payment_id"])
    shared = pm.groupby("bank_account")["recipient_id"].nunique()
    shared_accounts = set(shared[shared >= 2].index)
    planted = _ids(truth, "shared_account", "PM") | {
        i for d in truth.decoys if d.pattern in ("household_account", "agency_account")
        for i in d.anchor}
    assert shared_accounts == set(pm.loc[pm["payment_id"].isin(planted), "bank_account"])
    assert shared[list(shared_accounts)].min() >= 5


def test_case_ties_are_exactly_the_planted_ones(frames: dict[str, pd.DataFrame],
                                                truth: Truth) -> None:
    cr = frames["case_roles"].merge(frames["cases"], on="case_id")
    cr["lo"] = cr["opened_date"]
    cr["hi"] = cr["closed_date"].replace("", HIGH)
    officials = cr[cr["role"].isin(CASE_OFFICIAL_ROLES)]
    parties = cr[cr["role"].isin(CASE_PARTY_ROLES)][["case_id", "party_id"]]
    start = pd.DataFrame({"key": officials["case_id"], "person": officials["party_id"],
                          "lo": officials["lo"], "hi": officials["hi"]})
    reach = _reach(start, _kin_edges(frames, associates=True))
    roles = frames["company_roles"].assign(
        s=lambda d: d["start_date"].replace("", LOW), e=lambda d: d["end_date"].replace("", HIGH))
    co = roles.merge(roles, on="company_id")
    co = co[(co["holder_id_x"] != co["holder_id_y"]) & (co["s_x"] <= co["e_y"]) &
            (co["s_y"] <= co["e_x"])]
    co = co.assign(s=co[["s_x", "s_y"]].max(axis=1), e=co[["e_x", "e_y"]].min(axis=1))
    co_hit = start.merge(co, left_on="person", right_on="holder_id_x")
    co_hit = co_hit[(co_hit["s"] <= co_hit["hi"]) & (co_hit["lo"] <= co_hit["e"])]
    tied = pd.concat([reach[["key", "person", "to"]],
                      co_hit.rename(columns={"holder_id_y": "to"})[["key", "person", "to"]]])
    hit = tied.merge(parties, left_on=["key", "to"], right_on=["case_id", "party_id"])
    found = set(zip(hit["key"], hit["person"], strict=True))
    want = {(s.anchor[1], ent(frames, s.anchor[0])) for s in truth.schemes
            if s.pattern in ("protector", "tied_official")}
    assert found == want
    for d in truth.decoys:
        official = ent(frames, d.anchor[0])
        if d.pattern == "tie_ended":
            assert (d.anchor[1], official) not in found
        elif d.pattern == "other_case":
            theirs = set(parties.loc[parties["party_id"] == ent(frames, d.anchor[1]), "case_id"])
            assert theirs and not {k for k, p in found if p == official} & theirs
        elif d.pattern == "namesake_party":
            assert (d.anchor[1], official) not in found
        elif d.pattern == "dropped_no_tie":
            assert not {k for k, _ in found if k == d.anchor[0]}


def _cobid_pairs(frames: dict[str, pd.DataFrame]) -> Iterator[tuple[str, str, str]]:
    for cid, group in frames["bids"].groupby("contract_id"):
        for a, b in combinations(sorted(set(group["bidder_id"])), 2):
            yield str(cid), a, b


def test_collusion_patterns_are_exactly_the_planted_ones(
        frames: dict[str, pd.DataFrame], truth: Truth) -> None:
    orgs = frames["organizations"].set_index("org_id")
    roles = frames["company_roles"]
    holders = roles[roles["role"].isin(["legal_rep", "shareholder"])].groupby(
        "company_id")["holder_id"].agg(set)
    found: set[tuple[str, frozenset[str]]] = set()
    counts: dict[tuple[str, str], int] = {}
    for cid, a, b in _cobid_pairs(frames):
        counts[(a, b)] = counts.get((a, b), 0) + 1
        same = (orgs.loc[a, "phone"] == orgs.loc[b, "phone"]
                or orgs.loc[a, "address"].split(",")[0] == orgs.loc[b, "address"].split(",")[0]
                or holders.get(a, set()) & holders.get(b, set()))
        if same:
            found.add((cid, frozenset((a, b))))
    want = {(s.anchor[2], frozenset(s.anchor[:2])) for s in truth.schemes
            if s.pattern == "shared_contact"}
    want |= {(d.anchor[2], frozenset(d.anchor[:2])) for d in truth.decoys
             if d.pattern == "switchboard_phone"}
    shared_rings = [set(s.anchor) for s in truth.schemes if s.pattern == "shared_ring"]
    in_rings = {x for x in found if any(x[1] <= ring for ring in shared_rings)}
    assert found - in_rings == want
    assert all(any(x[1] <= ring for x in in_rings) for ring in shared_rings)
    rings = [set(s.anchor) for s in truth.schemes if s.pattern == "rotation"]
    together = rings + shared_rings + [set(d.anchor) for d in truth.decoys
                                       if d.pattern == "small_market"]
    for pair_, n in counts.items():
        if n >= 3:
            assert any(set(pair_) <= ring for ring in together), pair_
    bids = frames["bids"]
    valid = bids[bids["status"] == "valid"]
    dup = valid[valid.duplicated(["contract_id", "amount"], keep=False)]
    assert set(dup["contract_id"]) == _ids(truth, "identical_prices", "C")
    k = frames["contracts"].set_index("contract_id")
    n_valid = valid.groupby("contract_id").size().reindex(k.index, fill_value=0)
    single = set(k.index[(k["method"].isin(["open", "invited"])) & (n_valid < 2)])
    assert single == _ids(truth, "single_bid", "C")
    won = k.groupby("supplier_id").size()
    for ring in rings:
        assert sum(1 for _ in ring) >= 3 and all(won.get(o, 0) >= 1 for o in ring)
    apart = [d for d in truth.decoys if d.pattern == "shared_phone_apart"]
    for d in apart:
        assert orgs.loc[d.anchor[0], "phone"] == orgs.loc[d.anchor[1], "phone"]
        assert tuple(sorted(d.anchor[:2])) not in counts
    winners = k["supplier_id"]
    amounts = bids.merge(k.reset_index()[["contract_id", "supplier_id", "amount"]],
                         left_on=["contract_id", "bidder_id"],
                         right_on=["contract_id", "supplier_id"])
    assert (amounts["amount_x"] == amounts["amount_y"]).all()
    assert len(amounts) == len(winners)


# -- shielding schemes and the innocent background, recomputed from the CSV files ----
FAVOURABLE = {"dropped", "acquitted", "transferred"}


def _adjacency(frames: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    adj: dict[str, set[str]] = {}
    r = frames["relationships"]
    for a, b in zip(r["person_id"], r["other_id"], strict=True):
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    return adj


def _near(adj: dict[str, set[str]], x: str, hops: int = 2) -> set[str]:
    seen, front = {x}, {x}
    for _ in range(hops):
        front = {y for f in front for y in adj.get(f, ())} - seen
        seen |= front
    return seen - {x}


def _gangs(frames: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    """Organized-crime case id -> its leader and members."""
    cr = frames["case_roles"].merge(frames["cases"][["case_id", "kind"]], on="case_id")
    oc = cr[(cr["kind"] == "organized_crime") & cr["role"].isin(["gang_leader", "gang_member"])]
    return {str(k): set(v) for k, v in oc.groupby("case_id")["party_id"]}


def _acted(frames: dict[str, pd.DataFrame], official: str) -> dict[str, tuple[str, set[str]]]:
    """Case id -> (outcome, suspects) of every case ``official`` acted on."""
    cr = frames["case_roles"].merge(frames["cases"][["case_id", "outcome"]], on="case_id")
    mine = set(cr.loc[(cr["party_id"] == official) & cr["role"].isin(CASE_OFFICIAL_ROLES),
                      "case_id"])
    sus = cr[cr["case_id"].isin(mine) & (cr["role"] == "suspect")]
    out = {str(k): (str(cr.loc[cr["case_id"] == k, "outcome"].iloc[0]), set()) for k in mine}
    for k, p in zip(sus["case_id"], sus["party_id"], strict=True):
        out[str(k)][1].add(p)
    return out


def _gang_of(s_entities: tuple[str, ...], gangs: dict[str, set[str]]) -> str:
    return next(e for e in s_entities if e in gangs)


def test_shielding_schemes_have_their_shape(frames: dict[str, pd.DataFrame],
                                            truth: Truth) -> None:
    adj, gangs = _adjacency(frames), _gangs(frames)
    kinds = {"shield_other_cases": 0, "shield_business": 0, "outcome_disparity": 0}
    for s in truth.schemes:
        if s.pattern not in kinds:
            continue
        kinds[s.pattern] += 1
        o = ent(frames, s.anchor[0])
        gang = _gang_of(s.entities, gangs)
        members = gangs[gang]
        linked = members | {k for m in members for k in _near(adj, m, 1)}
        near = _near(adj, o)
        assert bool(near & members) == (s.pattern != "outcome_disparity"), s.id
        if s.pattern == "shield_business":
            k = frames["contracts"]
            won = k[(k["approver_id"] == o) & (k["supplier_id"] == s.anchor[1])]
            roles = frames["company_roles"]
            reps = set(roles.loc[(roles["company_id"] == s.anchor[1]) &
                                 (roles["role"] == "legal_rep"), "holder_id"])
            assert len(won) >= 2 and reps & linked and not reps & near, s.id
            continue
        cases = {k: v for k, v in _acted(frames, o).items()
                 if k != gang and v[1] & linked and not v[1] - linked}
        favourable = [k for k, (outcome, _) in cases.items() if outcome in FAVOURABLE]
        if s.pattern == "shield_other_cases":
            assert len(cases) >= 3 and len(favourable) == len(cases), (s.id, cases)
        else:
            assert len(cases) >= 4 and len(favourable) >= 3, (s.id, cases)
            others = [v[0] for k, v in _acted(frames, o).items() if k in s.entities
                      and k not in cases]
            assert others and set(others) == {"convicted"}, s.id
        assert not {p for _, sus in cases.values() for p in sus} & near, s.id
    assert all(kinds.values()), kinds


def test_background_lookalikes_have_their_shape(frames: dict[str, pd.DataFrame],
                                               truth: Truth) -> None:
    adj, gangs = _adjacency(frames), _gangs(frames)
    orgs = frames["organizations"].set_index("org_id")
    k, bids, roles = frames["contracts"], frames["bids"], frames["company_roles"]
    pos = frames["positions"]
    seen: set[str] = set()
    for d in truth.decoys:
        seen.add(d.pattern)
        if d.pattern == "kin_firm_elsewhere":
            o, firm = ent(frames, d.anchor[0]), d.anchor[1]
            holders = set(roles.loc[roles["company_id"] == firm, "holder_id"])
            assert holders & adj.get(o, set()), d.id
            buyers = set(k.loc[k["supplier_id"] == firm, "buyer_org_id"])
            assert not buyers & set(pos.loc[pos["person_id"] == o, "org_id"]), d.id
        elif d.pattern == "small_market":
            firms = set(d.anchor)
            assert len({orgs.loc[f, "phone"] for f in firms}) == len(firms)
            held = [set(roles.loc[roles["company_id"] == f, "holder_id"]) for f in firms]
            assert sum(len(h) for h in held) == len(set().union(*held)), d.id
            together = [c for c, g in bids.groupby("contract_id") if firms <= set(g["bidder_id"])]
            assert len(together) >= 4, d.id
            for c in together:
                g = bids[(bids["contract_id"] == c) & (bids["status"] == "valid")]
                amounts = sorted(float(a) for a in g["amount"])
                assert amounts[1] >= amounts[0] * 1.029, (d.id, c)
                assert all(b >= a * 1.01 for a, b in pairwise(amounts)), (d.id, c)
        elif d.pattern == "switchboard_phone":
            phone = orgs.loc[d.anchor[0], "phone"]
            assert phone == orgs.loc[d.anchor[1], "phone"]
            assert (orgs["phone"] == phone).sum() >= 12, d.id
        elif d.pattern == "agency_account":
            pm = frames["payments"]
            mine = pm[pm["payment_id"].isin(d.anchor)]
            assert mine["bank_account"].nunique() == 1 and mine["recipient_id"].nunique() >= 30
        elif d.pattern == "dropped_no_tie":
            case = frames["cases"].set_index("case_id").loc[d.anchor[0]]
            assert case["outcome"] == "dropped"
            cr = frames["case_roles"]
            mine = cr[cr["case_id"] == d.anchor[0]]
            suspects = set(mine.loc[mine["role"] == "suspect", "party_id"])
            gang = next(m for m in gangs.values()
                        if suspects & (m | {x for y in m for x in _near(adj, y, 1)}))
            for o in mine.loc[mine["role"].isin(CASE_OFFICIAL_ROLES), "party_id"]:
                assert not _near(adj, o) & gang, d.id
        elif d.pattern == "namesake_party":
            p = frames["persons"].drop_duplicates("person_id").set_index("person_id")
            twin, member = ent(frames, d.entities[2]), ent(frames, d.entities[3])
            assert twin != member
            assert p.loc[d.entities[2], "name"] == p.loc[d.entities[3], "name"]
    assert {pattern for _, pattern in BACKGROUND_KINDS} <= seen


def test_background_rates_set_how_much_look_alike_there_is(tmp_path: Path) -> None:
    base = read_truth(generate_county(tmp_path / "a", scale=0.3, seed=4).truth_path)
    more = read_truth(generate_county(tmp_path / "b", scale=0.3, seed=4,
                                      rates=Rates().scaled(3)).truth_path)

    def n(t: Truth, pattern: str) -> int:
        return sum(d.pattern == pattern for d in t.decoys)
    assert n(more, "kin_firm_elsewhere") >= 2.5 * n(base, "kin_firm_elsewhere") > 0
    assert n(more, "dropped_no_tie") > n(base, "dropped_no_tie") >= 2


# -- size ----------------------------------------------------------------------------
@pytest.mark.slow
def test_scale_one_is_a_county_of_twenty_thousand(tmp_path: Path) -> None:
    g = generate_county(tmp_path / "big", scale=1, seed=2)
    expect = {"persons": 20_000, "organizations": 1_200, "positions": 850,
              "relationships": 25_000, "company_roles": 3_200, "contracts": 1_500,
              "bids": 6_000, "payments": 12_000, "cases": 200, "case_roles": 1_300,
              "reports": 600}
    for name, n in expect.items():
        assert 0.85 * n <= g.rows[name] <= 1.15 * n, (name, g.rows[name])
    t = read_truth(g.truth_path)
    assert set_aside(g.data_dir) == {(b.file, b.line, b.code, b.column) for b in t.bad_rows}
    assert 0.003 * g.rows["persons"] <= len(t.duplicates) <= 0.008 * g.rows["persons"]
