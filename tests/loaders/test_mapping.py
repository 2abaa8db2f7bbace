"""A Chinese cadre roster (.xlsx) and a GBK kinship CSV load through a template mapping.

Both exports are made here with the quirks real ones have: a title row above a
header spanning two rows with merged cells, a unit merged down over two
officials, blank lines, full-width digits, dates as Excel serial numbers, as
date cells, as 196503, 2019年3月, 1970.05 and 二〇二一年一月. The mapping is what
``map_template`` writes, plus the edits shown in ``EDITS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from graph.errors import InputError, UmbrellaError
from graph.ids import make_id_number
from graph.store import SqliteStore
from loaders.mapping import MappingError, load_mapped, map_template
from loaders.mapping.sources import read_sheet
from umbrella.mapping_cmd import map_command, run_mapped_load

ROSTER, SHEET, KIN = "干部名册.xlsx", "干部名册", "干部家庭成员.csv"
_BIRTHS = {"P001": (1965, 3, 12), "P002": (1972, 8, 1), "P004": (1980, 1, 9),
           "spouse": (1967, 8, 2), "son": (1992, 3, 5), "chen": (1971, 2, 2),
           "wu": (1983, 2, 3), "sunmm": (2001, 6, 1)}
ID = {k: make_id_number("330102", dt.date(*b), 10 + i) for i, (k, b) in enumerate(_BIRTHS.items())}
BAD_ID = ID["P001"][:17] + ("0" if ID["P001"][17] != "0" else "1")  # wrong check digit


def wide(text: str) -> str:
    """Full-width digits and Latin letters, as Chinese input methods type them."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def write_roster(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws["A1"] = "城关县2023年科级干部名册"
    ws.merge_cells("A1:J1")
    for col, text in zip("ABCDEFJ", ["序号", "编号", "姓名", "性别", "出生年月", "身份证号",
                                     "备注"], strict=True):
        ws[f"{col}2"] = text
        ws.merge_cells(f"{col}2:{col}3")
    ws["G2"] = "任职情况"
    ws.merge_cells("G2:I2")
    ws["G3"], ws["H3"], ws["I3"] = "单位", "职务", "任职\n时间"
    rows = {  # row 6 is left blank
        4: [1, wide("P001"), "张三", "男", 196503, ID["P001"], "城关镇人民政府", "镇长",
            "2019年3月", None],
        5: [2, "P002", "李 四", "女", dt.datetime(1972, 8, 1), ID["P002"], None, "副镇长",
            43525, None],  # unit merged from row 4; start as an Excel serial number
        7: [3, "P003", "王五", "男", "1970.05", BAD_ID, "县水利局", "局长", "2018.07", None],
        8: [4, "P004", "赵六", "男", "1980年1月", ID["P004"], "县教育局", "科员", "2020年13月",
            "借调"],
        9: [5, "P005", "孙七", "女", "1985.10", None, "城关村村民委员会", "村委会主任",
            "二〇二一年一月", None],
    }
    for r, values in rows.items():
        for c, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(r, c, v)
    ws.merge_cells("G4:G5")
    wb.create_sheet("填表说明")["A1"] = "编号由组织部统一编制"
    wb.save(path)
    return path


KIN_LINES = [
    "城关县科级干部家庭成员及社会关系登记表,,,,,,",
    "干部,称谓,姓名,身份证号,出生日期,工作单位,政治面貌",
    f"张三（P001）,配偶,刘芳,{ID['spouse']},1967年8月,县人民医院,中共党员",  # line 3
    "",
    f"张三（P001）,儿子,张小明,{wide(ID['son'])},1992.3.5,县建设公司,",  # line 5
    "李四（Ｐ００２）,父亲,李大山,,1940年,,",  # line 6
    "李四（P002）,表哥,周某,,,,",  # line 7: a cousin is no layout relation
    f"王五（P003）,妻子,陈某,{ID['chen']},1971-02-02,,",  # line 8: P003 is set aside
    f"孙九（P009）,女儿,孙某某,{ID['sunmm']},2001.6,,",  # line 9: no such official
    f"赵六（P004）,配偶,钱某,{BAD_ID},,,",  # line 10: the relative's id number is wrong
    f"孙七（P005）,丈夫,吴强,{ID['wu']},1983/2/3,县供销社,",  # line 11
]


def write_kinship(path: Path) -> Path:
    path.write_bytes(("\r\n".join(KIN_LINES) + "\r\n").encode("gbk"))
    return path


#: The edits an investigator makes to the templates, as (template, old, new).
EDITS = [
    # a village committee is not an agency: tell them apart by the name's ending
    ("roster", "kind: {value: agency}   # TODO: agency, village_committee, company or other",
     'kind: {column: 任职情况/单位, extract: "(村民委员会)$", '
     "map: {村民委员会: village_committee}, otherwise: agency}"),
    # keep the remark column as a property of the person
    ("roster", "          birth_date: 出生年月\n",
     "          birth_date: 出生年月\n        extra: {remark: 备注}\n"),
    # keep the relative's employer and party membership
    ("kin", "          birth_date: 出生日期\n",
     "          birth_date: 出生日期\n        extra: {employer: 工作单位, party: 政治面貌}\n"),
]


def _edited(roster: Path, kin: Path) -> str:
    texts = {"roster": map_template(roster), "kin": map_template(kin)}
    for which, old, new in EDITS:
        assert texts[which].count(old) == 1, old
        texts[which] = texts[which].replace(old, new)
    # one mapping for both exports: the kinship file's sources go after the roster's
    return texts["roster"] + texts["kin"].split("sources:\n", 1)[1]


@pytest.fixture
def exports(tmp_path: Path) -> tuple[Path, Path, Path]:
    d = tmp_path / "exports"
    d.mkdir()
    roster, kin = write_roster(d / ROSTER), write_kinship(d / KIN)
    mapping = tmp_path / "county.yaml"
    mapping.write_text(_edited(roster, kin), encoding="utf-8")
    return roster, kin, mapping


def test_the_template_guesses_header_rows_fields_and_the_official_id(tmp_path: Path) -> None:
    roster = map_template(write_roster(tmp_path / ROSTER))
    assert "    sheet: 干部名册\n    header_row: 2 " in roster
    assert "    header_rows: 2 " in roster
    for line in ["person_id: 编号", "name: 姓名", "id_number: 身份证号", "birth_date: 出生年月",
                 "org_id: 任职情况/单位", "title: 任职情况/职务", "start_date: 任职情况/任职时间"]:
        assert f"          {line}\n" in roster
    assert "# TODO not mapped: 序号, 备注" in roster
    assert "#     sheet: 填表说明" in roster  # the notes sheet is offered, commented out
    kin = map_template(write_kinship(tmp_path / KIN))
    assert "# read as gb18030" in kin and "header_row: 2 " in kin
    assert "person_id: {column: 干部, split: id}" in kin
    assert "other_id: {hash: [姓名, 身份证号]}" in kin and "relation: 称谓" in kin
    assert "# TODO not mapped: 工作单位, 政治面貌" in kin


def test_merged_header_cells_name_columns_and_merged_data_cells_fill(tmp_path: Path) -> None:
    s = read_sheet(write_roster(tmp_path / ROSTER), SHEET, header_row=2, header_rows=2)
    assert s.header == ["序号", "编号", "姓名", "性别", "出生年月", "身份证号", "任职情况/单位",
                        "任职情况/职务", "任职情况/任职时间", "备注"]
    assert s.lines == [4, 5, 7, 8, 9]  # Excel rows; the blank row 6 is skipped
    assert s.cells["任职情况/单位"].tolist()[:2] == ["城关镇人民政府", "城关镇人民政府"]


def test_counts_and_set_aside_reasons(exports: tuple[Path, Path, Path],
                                      store: SqliteStore) -> None:
    roster, kin, mapping = exports
    report = load_mapped(mapping, [roster, kin], store)
    by = {(t.table, Path(t.file).name): (t.read, t.loaded, t.set_aside) for t in report.tables}
    assert by == {
        ("persons", f"{ROSTER}#{SHEET}"): (5, 4, 1),
        ("persons", KIN): (8, 7, 1),
        ("organizations", f"{ROSTER}#{SHEET}"): (4, 4, 0),
        ("positions", f"{ROSTER}#{SHEET}"): (5, 3, 2),
        ("relationships", KIN): (8, 4, 4),
    }
    assert report.read == report.loaded + report.set_aside_count == 30
    assert report.merged == [("organizations", str(roster) + f"#{SHEET}", 1)]
    got = {(Path(r.file).name, r.line, r.table, r.column, r.code) for r in report.set_aside}
    sheet = f"{ROSTER}#{SHEET}"
    assert got == {
        (sheet, 7, "persons", "身份证号", "bad_id_number"),
        (sheet, 7, "positions", "编号", "refers_to_set_aside"),
        (sheet, 8, "positions", "任职情况/任职时间", "bad_date"),
        (KIN, 10, "persons", "身份证号", "bad_id_number"),
        (KIN, 7, "relationships", "称谓", "bad_vocabulary"),
        (KIN, 8, "relationships", "干部", "refers_to_set_aside"),
        (KIN, 9, "relationships", "干部", "unknown_reference"),
        (KIN, 10, "relationships", "other_id", "refers_to_set_aside"),
    }
    bad_date = next(r for r in report.set_aside if r.code == "bad_date")
    assert "2020年13月" in bad_date.message
    assert bad_date.row["任职情况/任职时间"] == "2020年13月" and bad_date.row["姓名"] == "赵六"
    cousin = next(r for r in report.set_aside if r.code == "bad_vocabulary")
    assert cousin.row == dict(zip(KIN_LINES[1].split(","), KIN_LINES[6].split(","),
                                  strict=True))
    aside = next(r for r in report.set_aside if r.line == 8 and r.table == "relationships")
    assert f"{ROSTER}#{SHEET} line 7 (bad_id_number)" in aside.message
    # the store keeps the report's records under the load, one per table (one count)
    stored = store.view().set_aside(report.load_id)
    assert stored == [replace(r, load=report.load_id) for r in sorted(
        report.set_aside, key=lambda r: (r.file, r.line))]
    assert len(stored) == report.set_aside_count == 8


def test_values_are_transformed_and_provenance_points_at_file_sheet_and_row(
        exports: tuple[Path, Path, Path], store: SqliteStore) -> None:
    roster, kin, mapping = exports
    load_mapped(mapping, [roster, kin], store)
    v = store.view()
    zhang_key = v.resolve("P001")  # written Ｐ００１ in the roster, P001 in the kinship CSV
    assert zhang_key is not None
    zhang = v.get(zhang_key)
    assert zhang is not None and zhang.name == "张三"
    assert zhang.props["birth_date"] == "1965-03-01"  # 196503
    src = zhang.sources[0]
    assert (src.file, src.line) == (f"{roster}#{SHEET}", 4)
    li = v.get(v.resolve("P002") or "")
    assert li is not None and li.name == "李四" and li.props["birth_date"] == "1972-08-01"
    posts = {(r.src, r.props["title"]): r for r in v.relations(["HOLDS_POST"])}
    li_post = posts[(li.key, "副镇长")]
    assert li_post.start == "2019-03-01"  # Excel serial 43525
    assert li_post.dst == v.resolve("城关镇人民政府")  # the unit merged down from row 4
    assert [(s.file, s.line) for s in li_post.sources] == [(f"{roster}#{SHEET}", 5)]
    assert posts[(zhang_key, "镇长")].start == "2019-03-01"  # 2019年3月
    sun = v.resolve("P005")
    assert posts[(sun, "村委会主任")].start == "2021-01-01"  # 二〇二一年一月
    kinds = {e.name: e.props["kind"] for e in v.entities("organization")}
    assert kinds == {"城关镇人民政府": "agency", "县水利局": "agency", "县教育局": "agency",
                     "城关村村民委员会": "village_committee"}
    names = {e.key: e.name for e in v.entities("person")}
    ties = {(r.props["relation"], names[r.src], names[r.dst]): r for r in v.relations(["KIN"])}
    assert {(rel, frozenset((a, b)) if rel == "spouse" else (a, b)) for rel, a, b in ties} == {
        ("spouse", frozenset(("张三", "刘芳"))), ("spouse", frozenset(("孙七", "吴强"))),
        ("parent", ("张小明", "张三")), ("parent", ("李四", "李大山"))}
    son = ties[("parent", "张小明", "张三")]
    assert [(s.file, s.line) for s in son.sources] == [(str(kin), 5)]  # after the blank line
    xiaoming = v.get(son.src)
    assert xiaoming is not None and xiaoming.props["id_number"] == ID["son"]  # full-width in
    assert xiaoming.props["birth_date"] == "1992-03-05"
    assert xiaoming.props["employer"] == "县建设公司"
    assert v.get(v.resolve("P004") or "") is not None
    assert v.resolve("P003") is None  # bad identity number: set aside, not loaded


def test_loading_twice_changes_nothing(exports: tuple[Path, Path, Path],
                                       store: SqliteStore) -> None:
    from samples import snapshot

    roster, kin, mapping = exports
    load_mapped(mapping, [roster, kin], store)
    first = snapshot(store)
    again = load_mapped(mapping, [roster, kin], store)
    assert snapshot(store) == first
    assert again.read == 30 and not again.redefined


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_mapping_errors_name_the_mapping_line_and_the_column(
        exports: tuple[Path, Path, Path], store: SqliteStore, tmp_path: Path) -> None:
    roster, kin, mapping = exports
    good = mapping.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"

    bad.write_text(good.replace("title: 任职情况/职务", "title: 任职情况/职位"), encoding="utf-8")
    with pytest.raises(MappingError) as err:
        load_mapped(bad, [roster, kin], store)
    line = _line_of(good, "title: 任职情况/职务")
    assert str(err.value).startswith(f"{bad}: line {line}: field title: column '任职情况/职位' "
                                     f"is not in the header of {roster}#{SHEET}")
    assert "did you mean '任职情况/职务'?" in str(err.value)

    bad.write_text(good.replace("birth_date: 出生日期", "birthdate: 出生日期"), encoding="utf-8")
    with pytest.raises(MappingError) as err:
        load_mapped(bad, [roster, kin], store)
    assert str(err.value) == (f"{bad}: line {_line_of(good, 'birth_date: 出生日期')}: field "
                              "'birthdate' is not a column of persons (did you mean "
                              "'birth_date'?)")

    bad.write_text(good.replace("relation: 称谓", "relation: {column: 称谓, split: middle}"),
                   encoding="utf-8")
    with pytest.raises(MappingError, match=rf"line {_line_of(good, 'relation: 称谓')}: field "
                                           "relation: split must be name or id"):
        load_mapped(bad, [roster, kin], store)

    bad.write_text(good.replace("          name: 姓名\n", "          name: [姓名\n", 1),
                   encoding="utf-8")
    with pytest.raises(MappingError, match=r"line \d+: not valid YAML"):
        load_mapped(bad, [roster, kin], store)
    assert not store.view().counts_by_kind()  # nothing was written


def test_a_source_no_mapping_reads_is_refused(exports: tuple[Path, Path, Path],
                                              store: SqliteStore, tmp_path: Path) -> None:
    _, _, mapping = exports
    stray = tmp_path / "other.csv"
    stray.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no source of .* reads it"):
        load_mapped(mapping, [stray], store)


def test_without_sources_the_files_beside_the_mapping_are_read(
        exports: tuple[Path, Path, Path], store: SqliteStore) -> None:
    roster, _, mapping = exports
    beside = roster.parent / "m.yaml"
    beside.write_text(mapping.read_text(encoding="utf-8"), encoding="utf-8")
    report = load_mapped(beside, [], store)
    assert report.read == 30


# `umbrella map FILE --template` and the library call behind `umbrella load --mapping`

def test_map_template_prints_or_writes_and_never_overwrites(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / ROSTER)
    runner = CliRunner()
    shown = runner.invoke(map_command, [str(roster), "--template"])
    assert shown.exit_code == 0 and shown.output == map_template(roster)
    out = tmp_path / "m.yaml"
    wrote = runner.invoke(map_command, [str(roster), "--template", "-o", str(out)])
    assert wrote.exit_code == 0 and out.read_text(encoding="utf-8") == map_template(roster)
    again = runner.invoke(map_command, [str(roster), "--template", "-o", str(out)])
    assert isinstance(again.exception, UmbrellaError) and "exists already" in str(again.exception)
    forced = runner.invoke(map_command, [str(roster), "--template", "--sheet", "2", "-o",
                                         str(out), "--force"])
    assert forced.exit_code == 0 and "sheet: 填表说明" in out.read_text(encoding="utf-8")
    bare = runner.invoke(map_command, [str(roster)])
    assert bare.exit_code == 2 and "--template" in bare.output


def test_run_mapped_load_writes_the_set_aside_csv_beside_the_db(tmp_path: Path) -> None:
    kin = write_kinship(tmp_path / KIN)
    mapping = tmp_path / "kin.yaml"
    # relatives only: the officials' roster is not loaded, so ties are left out here
    text = map_template(kin)
    mapping.write_text(text[: text.index("      - table: relationships")], encoding="utf-8")
    db = tmp_path / "case.db"
    report, written = run_mapped_load(str(db), mapping, [kin])
    assert (report.read, report.loaded, report.set_aside_count) == (8, 7, 1)
    assert (written.path, written.rows) == (tmp_path / "case.set-aside.csv", 1)
    line = written.path.read_text(encoding="utf-8-sig").splitlines()[1]
    assert line.startswith(f"{report.load_id},{kin},10,persons,")
    store = SqliteStore(db)
    assert store.view().counts_by_kind() == {"person": 7}
    store.close()


def test_a_failed_mapped_load_leaves_no_new_database(tmp_path: Path) -> None:
    kin = write_kinship(tmp_path / KIN)
    mapping = tmp_path / "bad.yaml"
    mapping.write_text(map_template(kin).replace("name: 姓名", "name: 名字"), encoding="utf-8")
    db = tmp_path / "new.db"
    try:
        run_mapped_load(str(db), mapping, [kin])
    except UmbrellaError as err:
        assert "column '名字' is not in the header" in err.message
    else:
        raise AssertionError("the mapping error was not raised")
    assert not db.exists()
