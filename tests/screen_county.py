"""A hand-written county for the screen tests: each kind of tie planted between a buying
body, its staff, bidders, an official, a holding company and a case (kin that ends, an
ownership chain, a body's staff who leave, a case's parties and investigator, a kin
chain of three)."""

from __future__ import annotations

from pathlib import Path

from samples import load_clean, write_tables

ID_NUMBER = "11010519491231002X"
MASKED = "110105***********X"

COUNTY = {
    "persons": (["person_id", "name", "id_number", "gender", "birth_date"], [
        ["P1", "王建国", ID_NUMBER, "男", "1969-12-31"],  # approver at the buying body
        ["P2", "李娜", "", "女", "1975-04-02"],  # his wife until 2021, a bidder's legal rep
        ["P3", "赵强", "", "男", ""],  # an official owning a holding company
        ["P4", "陈静", "", "女", ""],  # left the buying body at the end of 2019
        ["P5", "刘洋", "", "男", ""], ["P6", "刘明", "", "男", ""], ["P8", "周敏", "", "女", ""],
        ["P9", "孙立", "", "男", ""],  # suspect in K1
        ["P10", "吴刚", "", "男", ""],  # investigator of K1
        ["P11", "孙佳", "", "女", ""],  # the suspect's daughter, an official
        ["P12", "吴芳", "", "女", ""],  # the investigator's sister
    ]),
    "organizations": (["org_id", "name", "kind", "credit_code", "parent_org_id"], [
        ["O1", "县住房和城乡建设局", "agency", "", ""],
        ["O2", "宏达建筑工程有限公司", "company", "", ""],
        ["O3", "某某商贸有限公司", "company", "", ""],
        ["O4", "宏远投资有限公司", "company", "", ""],
        ["O5", "恒通物流有限公司", "company", "", ""],
        ["O6", "京华建材有限公司", "company", "", ""],
    ]),
    "positions": (["person_id", "org_id", "title", "start_date", "end_date"], [
        ["P1", "O1", f"副局长（身份证{ID_NUMBER}）", "2018-01-01", ""],
        ["P4", "O1", "科长", "2012-01-01", "2019-12-31"],
        ["P11", "O1", "科员", "2019-01-01", ""],
        ["P12", "O1", "科员", "2019-01-01", ""],
    ]),
    "relationships": (["person_id", "other_id", "relation", "start_date", "end_date"], [
        ["P1", "P2", "spouse", "2010-05-01", "2021-06-30"],
        ["P3", "P5", "sibling", "", ""],
        ["P5", "P6", "child", "", ""],
        ["P6", "P8", "spouse", "", ""],
        ["P9", "P11", "child", "", ""],
        ["P10", "P12", "sibling", "", ""],
    ]),
    "company_roles": (["company_id", "holder_id", "role", "share_pct", "start_date",
                       "end_date"], [
        ["O2", "P2", "legal_rep", "", "2016-01-01", ""],
        ["O4", "P3", "shareholder", "70", "2015-01-01", ""],
        ["O3", "O4", "shareholder", "100", "2017-01-01", ""],
        ["O5", "P4", "legal_rep", "", "2015-01-01", ""],
        ["O6", "P8", "legal_rep", "", "2015-01-01", ""],
    ]),
    "cases": (["case_id", "kind", "title", "opened_date", "closed_date", "status", "outcome"], [
        ["K1", "corruption", "孙立受贿案", "2020-01-01", "", "在办", ""],
    ]),
    "case_roles": (["case_id", "party_id", "role", "start_date"], [
        ["K1", "P9", "suspect", "2020-01-01"],
        ["K1", "P10", "investigator", "2020-01-01"],
    ]),
}


def screen_county(folder: Path) -> Path:
    """The county written under ``folder`` and loaded into ``folder/screen.db``."""
    tables = write_tables(folder / "county", COUNTY)
    db = folder / "screen.db"
    load_clean(tables, db).close()
    return db
