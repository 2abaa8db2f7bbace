"""A small county for match review (tests of ``umbrella matches`` on both backends).

One official recorded twice without an identity number (张伟, same birth date and
phone, rows A1 and A2; only A2 has an address). Record A1 holds the post and approved
contract C1; record A2 is married to 李娜, the legal representative of the firm that
won C1: COI-001 appears only once the two records are merged. Two more pairs: 刘洋
(twice), and a name written as a formula (twice).
"""

from __future__ import annotations

FORMULA = "=HYPERLINK(\"http://x\",\"点我\")"
PERSONS = (["person_id", "name", "id_number", "gender", "birth_date", "death_date", "phone",
            "address"], [
    ["A1", "张伟", "", "男", "1970-05-01", "", "13800000001", ""],
    ["A2", "张伟", "", "男", "1970-05-01", "", "13800000001", "城关镇人民路1号"],
    ["K1", "李娜", "", "女", "1972-01-01", "", "", ""],
    ["L1", "刘洋", "", "男", "1985-02-03", "", "13900000009", ""],
    ["L2", "刘洋", "", "男", "1985-02-03", "", "13900000009", ""],
    ["F1", FORMULA, "", "男", "1990-01-01", "", "13700000007", ""],
    ["F2", FORMULA, "", "男", "1990-01-01", "", "13700000007", ""],
])
ORGS = (["org_id", "name", "kind", "credit_code", "parent_org_id"], [
    ["O1", "县教育局", "agency", "", ""],
    ["O2", "宏达建筑工程有限公司", "company", "", ""],
])
TABLES = {
    "persons": PERSONS, "organizations": ORGS,
    "positions": (["person_id", "org_id", "title", "start_date", "end_date"],
                  [["A1", "O1", "局长", "2010-01-01", ""]]),
    "relationships": (["person_id", "other_id", "relation", "start_date", "end_date"],
                      [["A2", "K1", "spouse", "2000-01-01", ""]]),
    "company_roles": (["company_id", "holder_id", "role", "share_pct", "start_date",
                       "end_date"], [["O2", "K1", "legal_rep", "", "2015-01-01", ""]]),
    "contracts": (["contract_id", "title", "buyer_org_id", "approver_id", "supplier_id",
                   "amount", "award_date", "method", "sector"],
                  [["C1", "校舍维修", "O1", "A1", "O2", "500000", "2020-03-01", "open",
                    "education"]]),
}
