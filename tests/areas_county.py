"""A small county for the areas tests: four townships of known sizes, villages, bodies, a
payment and a tip-off, loaded from a real layout folder, with findings of known areas.

- 东滩镇 (big): 200 persons in 大湾村, its government and village committee; 10 findings
  (close to the county's rate);
- 沙河乡: 30 persons in 黄土村, its government, village committee and a company; 10
  findings (a clearly higher rate), one of them confirmed, one more dismissed;
- 柳江镇: 1 person; 1 finding (a small area with one finding);
- 平湾镇: 100 persons; 2 findings;
- county bodies: 桃峰县人民政府, 桃峰县民政局 (a hostile name for the spreadsheets).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from samples import write_tables

from graph.store import SqliteStore
from loaders.load import load_folder
from queries.triage import record

HOSTILE_BODY = '=HYPERLINK("http://evil.example","x")<b>民政局</b>'
TOWNS = {"东滩镇": ("大湾村", 200, 10), "沙河乡": ("黄土村", 30, 10), "柳江镇": ("", 1, 1),
         "平湾镇": ("", 100, 2)}


def tables() -> dict[str, tuple[list[str], list[list[str]]]]:
    persons, orgs, posts = [], [], []
    orgs.append(["O1", "桃峰县人民政府", "agency", "", "", "桃峰县城关镇朝阳路1号"])
    orgs.append(["O2", HOSTILE_BODY, "agency", "", "O1", "桃峰县城关镇府前街2号"])
    for t, (town, (village, n, _f)) in enumerate(TOWNS.items()):
        gov = f"O1{t}"
        orgs.append([gov, f"桃峰县{town}人民政府", "agency", "", "O1", f"桃峰县{town}新华路1号"])
        if village:
            orgs.append([f"O2{t}", f"桃峰县{town}{village}村民委员会", "village_committee", "",
                         gov, f"桃峰县{town}{village}"])
        for i in range(n):
            where = f"{town}{village}{i % 9 + 1}组" if village else f"{town}人民路{i + 1}号"
            persons.append([f"P{t}{i:03d}", f"居民{t}{i:03d}", "", "男", "", "", "", where, ""])
    orgs.append(["O30", "宏达建筑有限公司", "company", "", "", "桃峰县沙河乡长安街1号"])
    posts.append(["P1000", "O21", "村委会主任", "", ""])   # 沙河乡 黄土村 committee
    posts.append(["P0000", "O20", "村会计", "", ""])       # 东滩镇 大湾村 committee
    posts.append(["P3000", "O2", "科员", "", ""])          # 平湾镇 resident, county bureau
    return {
        "persons": (["person_id", "name", "id_number", "gender", "birth_date", "death_date",
                     "phone", "address", "region"], persons),
        "organizations": (["org_id", "name", "kind", "credit_code", "parent_org_id",
                           "address"], orgs),
        "positions": (["person_id", "org_id", "title", "start_date", "end_date"], posts),
        "payments": (["payment_id", "payer_org_id", "approver_id", "recipient_id", "amount",
                      "date", "program", "sector", "bank_account"],
                     [["PM1", "O21", "P1000", "P1001", "5000.00", "2023-01-02", "低保",
                       "social_security", ""],
                      ["PM2", "O21", "P1000", "P1002", "3000.00", "2023-02-02", "低保",
                       "social_security", ""]]),
        "reports": (["report_id", "subject_id", "date", "channel", "topic", "sector"],
                    [["R1", "P1000", "2023-03-01", "扫码举报", "反映村主任优亲厚友",
                      "social_security"],
                     ["R2", "O2", "2023-03-02", "信访", "反映民政局", "social_security"]]),
    }


@dataclass
class AreasCounty:
    db: Path
    folder: Path
    ids: dict[str, str]  # finding id -> what it is, for the tests


def make(root: Path) -> AreasCounty:
    """Write the folder, load it into ``root/areas.db`` and store the findings."""
    folder = write_tables(root / "county", tables())
    db = root / "areas.db"
    store = SqliteStore(db)
    try:
        report = load_folder(folder, store)
        assert report.set_aside == [], report.set_aside
        view = store.view()

        def key(source_id: str) -> str:
            k = view.resolve(source_id)
            assert k is not None, source_id
            return k

        findings = []
        ids: dict[str, str] = {}
        for t, (town, (_v, n, count)) in enumerate(TOWNS.items()):
            for i in range(count):
                fid = f"F-{t}{i:02d}"
                # two persons of the same township: the finding counts once there
                keys = list(dict.fromkeys([key(f"P{t}{i:03d}"),
                                           key(f"P{t}{(i + 1) % min(3, n):03d}")]))
                findings.append({"id": fid, "rule": "COL-001", "category": "collusion",
                                 "score": 0.5, "title": f"{town} {i}", "keys": keys})
                ids[fid] = town
        findings.append({"id": "F-sub", "rule": "SUB-001", "category": "subsidy_fraud",
                         "score": 0.9, "title": "低保给亲属", "sector": "social_security",
                         "keys": [key("P1000"), key("P1001"), key("PM1"), key("PM2")]})
        ids["F-sub"] = "沙河乡"
        findings.append({"id": "F-gone", "rule": "COL-001", "category": "collusion",
                         "score": 0.4, "title": "dismissed", "keys": [key("P1003")]})
        findings.append({"id": "F-none", "rule": "BRK-001", "category": "broker",
                         "score": 0.3, "title": "nowhere", "keys": [key("O1")]})
        findings.append({"id": "F-bureau", "rule": "BRK-001", "category": "broker",
                         "score": 0.6, "title": "bureau", "keys": [key("P3000")]})
        with store.writer() as w:
            w.replace_findings(findings, ["COL-001", "SUB-001", "BRK-001"])
        record(store, "F-sub", "confirmed", user="test")
        record(store, "F-gone", "dismissed", reason="checked", user="test")
    finally:
        store.close()
    return AreasCounty(db, folder, ids)
