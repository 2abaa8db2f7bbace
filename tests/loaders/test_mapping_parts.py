"""Pieces of the mapping loader: CSV headers over two rows, where, distinct, hashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.store import SqliteStore
from loaders.mapping import MappingError, load_mapped, map_template
from loaders.mapping.sources import peek, read_sheet
from loaders.mapping.template import detect_header


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_header_over_two_rows_is_detected_and_named(tmp_path: Path) -> None:
    p = _write(tmp_path / "roster.csv",
               "干部名册\n姓名,任职情况,,备注\n,单位,职务,\n张三,镇政府,镇长,\n\n李四,水利局,局长,x\n")
    assert detect_header(peek(p)[0]) == (2, 2)
    s = read_sheet(p, header_row=2, header_rows=2)
    assert s.header == ["姓名", "任职情况/单位", "任职情况/职务", "备注"]
    assert s.lines == [4, 6]
    text = map_template(p)
    assert "header_rows: 2" in text and "title: 任职情况/职务" in text


def test_a_row_with_cells_beyond_the_header_is_set_aside(tmp_path: Path,
                                                          store: SqliteStore) -> None:
    src = _write(tmp_path / "p.csv", "编号,姓名\nP1,张三\nP2,李四,多余\n")
    m = _write(tmp_path / "m.yaml", "sources:\n  - file: p.csv\n    tables:\n"
               "      - table: persons\n        fields: {person_id: 编号, name: 姓名}\n")
    report = load_mapped(m, [src], store)
    (r,) = report.set_aside
    assert (r.line, r.code, r.row) == (3, "bad_field_count",
                                       {"编号": "P2", "姓名": "李四", "(3)": "多余"})
    assert report.read == 2 and report.loaded == 1


MAPPING = """\
sources:
  - file: people.csv
    tables:
      - table: persons
        where: {类别: [人员, 干部]}
        distinct: true
        fields:
          person_id: {hash: [姓名, 电话], prefix: "H"}
          name: 姓名
          phone: 电话
          address: 地址
      - table: organizations
        where: {单位: "*"}
        distinct: true
        fields:
          org_id: {template: "ORG-{单位}"}
          name: 单位
          kind: {column: 单位类型, default: other}
"""


def test_where_distinct_and_ids_from_hashes_and_templates(tmp_path: Path,
                                                           store: SqliteStore) -> None:
    src = _write(tmp_path / "people.csv", "类别,姓名,电话,地址,单位,单位类型\n"
                 "人员,张三,139,,城关镇,机关\n"        # line 2
                 "干部,张三,139,中山路1号,城关镇,机关\n"  # line 3: same person, fills the address
                 "人员,张三,139,解放路2号,,\n"          # line 4: same id, another address
                 "企业,某公司,,,,\n"                     # line 5: neither a person nor a unit
                 "人员,李四,138,,县公司,公司\n")        # line 6
    m = _write(tmp_path / "m.yaml", MAPPING)
    report = load_mapped(m, [src], store)
    by = {t.table: (t.read, t.loaded, t.set_aside) for t in report.tables}
    assert by == {"persons": (3, 2, 1), "organizations": (2, 2, 0)}
    assert [(t, n) for t, _, n in report.merged] == [("persons", 1), ("organizations", 1)]
    (dup,) = report.set_aside
    assert (dup.line, dup.code, dup.column) == (4, "duplicate_key", "person_id")
    v = store.view()
    zhang = next(e for e in v.entities("person") if e.name == "张三")
    assert zhang.source_ids[0].startswith("H") and len(zhang.source_ids[0]) == 17
    assert zhang.props["address"] == "中山路1号"
    kinds = {e.name: (e.props["kind"], e.source_ids) for e in v.entities("organization")}
    assert kinds == {"城关镇": ("agency", ["ORG-城关镇"]), "县公司": ("company", ["ORG-县公司"])}


def test_where_and_hash_columns_are_checked_against_the_header(tmp_path: Path,
                                                                store: SqliteStore) -> None:
    src = _write(tmp_path / "people.csv", "类别,姓名,电话,地址,单位,单位类型\n人员,张三,139,,,\n")
    m = _write(tmp_path / "m.yaml", MAPPING.replace("[姓名, 电话]", "[姓名, 手机]"))
    with pytest.raises(MappingError, match=r"m\.yaml: line 8: field person_id: column '手机' is "
                                           r"not in the header of .*people\.csv"):
        load_mapped(m, [src], store)
    m.write_text(MAPPING.replace("{单位: \"*\"}", "{部门: \"*\"}"), encoding="utf-8")
    with pytest.raises(MappingError, match="line 13: where: column '部门'"):
        load_mapped(m, [src], store)


@pytest.mark.parametrize(("text", "line", "says"), [
    ("sources:\n  - file: a.csv\n    tables:\n      - table: person\n        fields: {}\n",
     4, "'person' is not a layout table (did you mean 'persons'?)"),
    ("sources:\n  - file: a.csv\n    tables:\n      - table: persons\n"
     "        fields: {name: 姓名}\n", 4, "table persons needs person_id"),
    ("sources:\n  - file: a.csv\n    header_row: two\n    tables:\n      - table: persons\n"
     "        fields: {person_id: 编号, name: 姓名}\n", 3, "header_row must be a whole number"),
    ("sources:\n  - file: a.csv\n    tables:\n      - table: persons\n        fields:\n"
     "          person_id: {column: 编号, value: x}\n          name: 姓名\n",
     6, "give exactly one of column, value, template, hash"),
    ("sources:\n  - file: a.csv\n    tables:\n      - table: persons\n        fields:\n"
     "          person_id: 编号\n          name: 姓名\n          name: 名字\n",
     8, "'name' is written twice (first at line 7)"),
    ("sources:\n  - file: a.csv\n    sheets: 1\n", 3, "'sheets' is not a setting of a source "
     "(did you mean 'sheet'?)"),
])
def test_mapping_file_errors_name_their_line(tmp_path: Path, text: str, line: int,
                                             says: str) -> None:
    from loaders.mapping import parse_mapping

    m = _write(tmp_path / "m.yaml", text)
    with pytest.raises(MappingError) as err:
        parse_mapping(m)
    assert err.value.line == line
    assert says in str(err.value)


def test_extra_fields_of_a_relation_table_are_kept_on_its_records(tmp_path: Path,
                                                                 store: SqliteStore) -> None:
    src = _write(tmp_path / "kin.csv", "干部,亲属,称谓,来源\nP1,P2,配偶,个人事项报告\n")
    m = _write(tmp_path / "m.yaml", """\
sources:
  - file: kin.csv
    tables:
      - table: persons
        fields: {person_id: 干部, name: 干部}
      - table: persons
        fields: {person_id: 亲属, name: 亲属}
      - table: relationships
        fields: {person_id: 干部, other_id: 亲属, relation: 称谓}
        extra:
          origin: 来源
""")
    report = load_mapped(m, [src], store)
    assert report.loaded == 3
    (tie,) = store.view().relations(["KIN"])
    assert tie.props["relation"] == "spouse" and tie.props["origin"] == "个人事项报告"
