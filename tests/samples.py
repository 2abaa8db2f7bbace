"""Sample layout folders shared by the tests (importable: tests/ is on pythonpath)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from graph.schema import KIN
from graph.store import SqliteStore, Store
from loaders.load import load_folder
from queries.scan import scan

SYMMETRIC = {k for k, v in KIN.items() if v.inverse == k}

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


def write_csv(path: Path, header: list[str], rows: list[list[str]],
              encoding: str = "utf-8") -> Path:
    """Write a CSV file in the given encoding ('\\n' line ends)."""
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


SMALL = {
    "persons": (["person_id", "name", "id_number", "gender", "birth_date", "death_date", "phone"], [
        ["P1", "张伟", "11010519491231002X", "男", "1949-12-31", "", "13800000001"],
        ["P2", "张　伟 ", "11010519491231002x", "男", "", "", ""],
        ["P3", "李娜", "", "女", "1975-04-02", "", ""],
        ["P4", "王芳", "", "女", "1980-02-30", "", ""],
        ["P5", "赵强", "110105194912310021", "男", "", "", ""],
        ["P6", "张伟", "", "男", "1990-01-01", "", ""],
    ]),
    "organizations": (["org_id", "name", "kind", "credit_code", "parent_org_id"], [
        ["O1", "县教育局", "agency", "", ""],
        ["O2", "宏达建筑工程有限公司", "company", "91350100M000100Y43", ""],
        ["O3", "城关镇人民政府", "agency", "", "O1"],
        ["O4", "某某商贸有限公司", "firm", "", ""],
    ]),
    "relationships": (["person_id", "other_id", "relation", "start_date", "end_date"], [
        ["P1", "P3", "spouse", "2001-05-01", ""],
        ["P3", "P1", "spouse", "2001-05-01", ""],
        ["P1", "P4", "sibling", "", ""],
        ["P2", "P6", "child", "", ""],
        ["P1", "P9", "parent", "", ""],
        ["P1", "P2", "sibling", "", ""],
    ]),
    "company_roles": (["company_id", "holder_id", "role", "share_pct", "start_date", "end_date"], [
        ["O2", "P6", "shareholder", "60", "2015-01-01", ""],
        ["O2", "P3", "legal_rep", "", "2016-01-01", "2015-01-01"],
        ["O2", "O3", "shareholder", "120", "", ""],
    ]),
    "contracts": (["contract_id", "title", "buyer_org_id", "approver_id", "supplier_id", "amount",
                   "award_date", "method", "sector"], [
        ["C1", "校舍维修\n二期", "O1", "P1", "O2", "1250000.50", "2020-03-01", "open", "education"],
        ["C2", "食堂设备", "O1", "P2", "O2", "12,000", "2020-04-01", "open", "education"],
    ]),
}
#: (table, line, reason, column) of every row SMALL must set aside.
SMALL_SET_ASIDE = {
    ("persons", 5, "bad_date", "birth_date"),
    ("persons", 6, "bad_id_number", "id_number"),
    ("organizations", 5, "bad_vocabulary", "kind"),
    ("relationships", 4, "refers_to_set_aside", "other_id"),
    ("relationships", 6, "unknown_reference", "other_id"),
    ("relationships", 7, "self_tie", "other_id"),
    ("company_roles", 3, "date_order", "end_date"),
    ("company_roles", 4, "bad_share_pct", "share_pct"),
    ("contracts", 4, "bad_amount", "amount"),
}


def write_tables(folder: Path, tables: dict[str, tuple[list[str], list[list[str]]]],
                 encoding: str = "utf-8") -> Path:
    """Write one CSV per table (name -> header, rows) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, (header, rows) in tables.items():
        write_csv(folder / f"{table}.csv", header, rows, encoding)
    return folder


def write_small(folder: Path, encoding: str = "utf-8") -> Path:
    """Write the SMALL folder (every reason once, a merge, a mirrored tie, a quoted newline)."""
    return write_tables(folder, SMALL, encoding)


def load_clean(folder: Path, db: Path) -> SqliteStore:
    """Load a layout folder that must set nothing aside (a fixture written to be clean)."""
    store = SqliteStore(db)
    report = load_folder(folder, store)
    assert report.set_aside == [], report.set_aside
    return store


def snapshot(store: Store) -> tuple[object, ...]:
    """Store content named by source ids (keys of persons differ between stores), with the
    rows the last load set aside."""
    v = store.view()
    loads = v.loads()
    names = {e.key: "|".join(e.source_ids) for e in v.entities()}
    ents = sorted((names[e.key], e.kind, e.name, sorted(e.props.items(), key=str))
                  for e in v.entities())
    rels = []
    for r in v.relations():
        ends = [names[r.src], names[r.dst]]
        if r.type == "ASSOCIATE" or r.props.get("relation") in SYMMETRIC:
            ends.sort()  # stored in key order, and keys differ between databases
        rels.append((r.type, *ends, r.start or "", r.end or "", sorted(r.props.items()),
                     [s.line for s in r.sources]))
    rels.sort()
    last = loads[-1]["id"] if loads else 0
    aside = [(Path(r.file).stem, r.line, r.code, r.column) for r in v.set_aside()
             if getattr(r, "load", last) == last]
    return ents, rels, aside


def load_and_scan(db: Path, folder: Path, codes: list[str], settings: str | None = None
          ) -> list[dict[str, Any]]:
    """Load ``folder`` into a new store at ``db`` and run ``codes`` (settings as TOML text)."""
    store = SqliteStore(db)
    report = load_folder(folder, store)
    assert report.set_aside == [], report.set_aside
    path = None
    if settings is not None:
        path = db.with_suffix(".toml")
        path.write_text(settings, encoding="utf-8")
    found = scan(store, codes=codes, settings=path).findings
    store.close()
    return found
