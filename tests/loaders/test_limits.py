"""Input limits at their real sizes: checked while streaming, named in the refusal, raised by
their environment variables; and the CSV readers checked against each other."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from isolate import check_invariants, run_load
from samples import REPO

from graph.errors import InputError
from graph.store import SqliteStore
from loaders.csvfast import fast_rows
from loaders.csvrecords import Records, field_count_row, physical_lines
from loaders.limits import LIMITS
from loaders.load import load_folder
from loaders.mapping import load_mapped
from loaders.read import decode, read_csv
from loaders.standards import load_any
from synthetic import generate_county
from umbrella.cli import cli

MB = 1 << 20


def _load(folder: Path, db: Path) -> object:
    store = SqliteStore(db)
    try:
        return load_folder(folder, store)
    finally:
        store.close()


def test_every_limit_is_documented_with_its_variable_and_default() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    notes = (REPO / "loaders" / "limits.py").read_text(encoding="utf-8")
    section = readme[readme.index("### Input limits"):]
    for lim in LIMITS.values():
        assert lim.env in section and lim.env in notes, lim.env


def test_a_line_far_over_the_limit_is_refused_before_memory_grows(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    with (folder / "persons.csv").open("wb") as fh:  # 512 MB with no line break
        fh.write(b"person_id,name\nP1,")
        fh.truncate(512 * MB)
    out = run_load(lambda: _load(folder, tmp_path / "x.db"), memory_mb=200, timeout=60)
    assert out.kind == "refused", out
    assert "persons.csv: line 2: a line of 536,870,897 bytes" in out.message
    assert "UMBRELLA_MAX_LINE_BYTES" in out.message
    assert "UMBRELLA_MAX_LINE_BYTES=536870912" in out.hint


def test_the_line_limit_is_raised_by_its_environment_variable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "persons.csv").write_text("person_id,name,note\nP1,张三," + "长" * 700 + "\n",
                                        encoding="gb18030")
    monkeypatch.setenv("UMBRELLA_MAX_LINE_BYTES", "1K")
    with pytest.raises(InputError, match=r"line 2: a line of 1,40\d bytes, over the limit of "
                                         r"1,024 bytes \(UMBRELLA_MAX_LINE_BYTES\)") as err:
        load_folder(folder, SqliteStore(tmp_path / "a.db"))
    assert "UMBRELLA_MAX_LINE_BYTES=2048" in err.value.hint
    monkeypatch.setenv("UMBRELLA_MAX_LINE_BYTES", "2048")
    assert load_folder(folder, SqliteStore(tmp_path / "b.db")).loaded == 1
    monkeypatch.setenv("UMBRELLA_MAX_LINE_BYTES", "lots")
    with pytest.raises(InputError, match="UMBRELLA_MAX_LINE_BYTES='lots' is not a whole"):
        load_folder(folder, SqliteStore(tmp_path / "c.db"))


def test_a_field_over_the_limit_sets_its_row_aside_in_csv_and_xlsx(tmp_path: Path) -> None:
    long = "长" * 140_000  # over the default 131,072 characters
    csv_dir, xlsx_dir = tmp_path / "csv", tmp_path / "xlsx"
    csv_dir.mkdir()
    xlsx_dir.mkdir()
    (csv_dir / "persons.csv").write_text(f"person_id,name,address\nP1,张三,{long}\nP2,李四,\n",
                                         encoding="gb18030")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in (["person_id", "name", "address"], ["P1", "张三", "@"], ["P2", "李四"]):
        ws.append(row)
    book = io.BytesIO()
    wb.save(book)  # openpyxl cuts what it writes at Excel's 32,767: put the text in by hand
    (xlsx_dir / "persons.xlsx").write_bytes(_replace_part(
        book.getvalue(), "xl/worksheets/sheet1.xml", b"<t>@</t>", f"<t>{long}</t>".encode()))
    for folder in (csv_dir, xlsx_dir):
        report = load_folder(folder, SqliteStore(folder / "x.db"))
        assert (report.read, report.loaded) == (2, 1)
        (r,) = report.set_aside
        assert (r.line, r.code, r.column) == (2, "field_too_long", "address")
        assert "140,000 characters" in r.message or "131,072" in r.message
        assert "UMBRELLA_MAX_FIELD_CHARS" in r.message
        assert len(r.row["address"]) < 300  # the set-aside row keeps the start of it


def test_a_json_line_far_over_the_limit_is_set_aside_unread(tmp_path: Path) -> None:
    f = tmp_path / "e.jsonl"
    first = {"id": "p1", "schema": "Person", "properties": {"name": ["张三"]}}
    with f.open("wb") as fh:
        fh.write(json.dumps(first).encode() + b"\n" + b'{"id": "p2", "x": "')
        fh.seek(300 * MB)
        fh.write(b'"}\n' + json.dumps({**first, "id": "p3"}).encode() + b"\n")
    store_db = tmp_path / "x.db"

    def load() -> object:
        store = SqliteStore(store_db)
        try:
            return load_any(f, store, "ftm")
        finally:
            store.close()

    out = run_load(load, memory_mb=200, timeout=60)
    check_invariants(out, "e.jsonl")
    assert (out.read, out.loaded, out.codes) == (3, 2, {"bad_json": 1}), out
    (line,) = [a for a in out.aside if a[2] == "bad_json"]
    assert line[1] == 2 and "UMBRELLA_MAX_LINE_BYTES" in line[4]


def test_a_json_record_far_over_the_limit_is_refused_while_it_streams(tmp_path: Path) -> None:
    f = tmp_path / "p.json"
    f.write_text('{"releases": [{"ocid": "o1", "tender": {"title": "' + "x" * (40 * MB)
                 + '"}}]}', encoding="utf-8")
    out = run_load(lambda: load_any(f, SqliteStore(tmp_path / "x.db"), "ocds"),
                   memory_mb=150, timeout=60)
    assert out.kind == "refused", out
    assert "/releases/0" in out.message and "UMBRELLA_MAX_LINE_BYTES" in out.message


def test_depth_and_its_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "r.json"
    f.write_text(json.dumps({"releases": [{"ocid": "o1", "tender": {
        "title": "x", "items": [{"id": "1", "x": json.loads("[" * 150 + "]" * 150)}]}}]}),
        encoding="utf-8")
    with pytest.raises(InputError, match=r"r\.json: line 1, column \d+: JSON nested 101 levels"):
        load_any(f, SqliteStore(tmp_path / "a.db"), "ocds")
    monkeypatch.setenv("UMBRELLA_MAX_DEPTH", "200")
    assert load_any(f, SqliteStore(tmp_path / "b.db"), "ocds").read >= 1


def _replace_part(book: bytes, name: str, old: bytes, new: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            z.writestr(info.filename, data.replace(old, new) if info.filename == name else data)
    return out.getvalue()


def _zip_with(part: bytes) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["person_id", "name"])
    ws.append(["P1", "张三"])
    book = io.BytesIO()
    wb.save(book)
    src = zipfile.ZipFile(book)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, src.read(info.filename))
        z.writestr("xl/media/blank.bin", part)
    return out.getvalue()


def test_xlsx_ratio_and_size_are_checked_before_the_workbook_opens(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "persons.xlsx").write_bytes(_zip_with(b"\0" * (8 * MB)))  # ~1,000 times
    with pytest.raises(InputError, match=r"persons\.xlsx: part xl/media/blank\.bin: [\d,]+ bytes "
                                         r"that inflate to 8,388,608 bytes"):
        load_folder(folder, SqliteStore(tmp_path / "a.db"))
    monkeypatch.setenv("UMBRELLA_MAX_RATIO", "2000")
    monkeypatch.setenv("UMBRELLA_MAX_XLSX_BYTES", "4M")
    with pytest.raises(InputError, match=r"they inflate to [\d,]+ bytes, over the limit of "
                                         r"4,194,304 bytes \(UMBRELLA_MAX_XLSX_BYTES\)"):
        load_folder(folder, SqliteStore(tmp_path / "b.db"))
    monkeypatch.setenv("UMBRELLA_MAX_XLSX_BYTES", "16M")
    assert load_folder(folder, SqliteStore(tmp_path / "c.db")).loaded == 1


def test_too_many_columns_in_an_xlsx_header(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["person_id", "name", *[f"c{i}" for i in range(1_000)]])
    wb.save(folder / "persons.xlsx")
    with pytest.raises(InputError, match=r"line 1: the header has 1,002 columns, over the limit "
                                         r"of 1,000 columns \(UMBRELLA_MAX_COLUMNS\)"):
        load_folder(folder, SqliteStore(tmp_path / "a.db"))


def test_yaml_aliases_and_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "p.csv").write_text("编号,姓名\nP1,张三\n", encoding="utf-8")
    m = tmp_path / "m.yaml"
    m.write_text("sources:\n  - file: p.csv\n    tables:\n      - table: persons\n"
                 "        fields: &f {person_id: 编号, name: 姓名}\n"
                 "      - table: persons\n        fields: *f\n", encoding="utf-8")
    monkeypatch.setenv("UMBRELLA_MAX_YAML_ALIASES", "0")
    with pytest.raises(InputError, match=r"m\.yaml: line 7: more than 0 aliases"):
        load_mapped(m, [], SqliteStore(tmp_path / "a.db"))
    monkeypatch.delenv("UMBRELLA_MAX_YAML_ALIASES")
    m.write_text(m.read_text(encoding="utf-8") + "#" * (1 * MB), encoding="utf-8")
    with pytest.raises(InputError, match=r"the mapping file has 1,048,\d+ bytes, over the limit "
                                         r"of 1,048,576 bytes \(UMBRELLA_MAX_YAML_BYTES\)"):
        load_mapped(m, [], SqliteStore(tmp_path / "b.db"))


def test_a_delimiter_of_two_characters_is_refused_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "persons.csv").write_text("person_id::name\nP1::张三\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["load", str(folder), "--db", str(tmp_path / "x.db"),
                                      "--delimiter", "::"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == ("Error: --delimiter '::' is 2 characters; fields are separated by one "
                        "character (such as ',', ';', '|' or a tab)")
    assert lines[1].startswith("Hint: ") and "Traceback" not in result.output
    (folder / "persons.csv").write_text("person_id\tname\nP1\t张三\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["load", str(folder), "--db", str(tmp_path / "y.db"),
                                      "--delimiter", "\\t"])
    assert result.exit_code == 0, result.output


def _careful(path: Path) -> tuple[list[list[object]], list[int]]:
    """The rows and set-aside lines of the careful reader alone, as the fast path gives them."""
    text, _ = decode(path.read_bytes(), path)
    recs = Records(physical_lines(text), ",", path)
    rows: list[list[object]] = []
    bad: list[int] = []
    header: list[str] = []
    for r in recs:
        if isinstance(r, tuple) and not header:
            header = r[1]
            recs.width, recs.names = len(header), header
        elif isinstance(r, tuple) and len(r[1]) == len(header):
            rows.append([*r[1], r[0]])
        else:
            bad.append(r.line if not isinstance(r, tuple) else
                       field_count_row(r[0], r[1], header).line)
    return rows, bad


def test_the_fast_and_the_careful_csv_readers_agree_on_a_county(tmp_path: Path) -> None:
    county = generate_county(tmp_path / "c", scale=0.05, seed=3)
    fast_taken = 0
    for path in sorted(county.data_dir.glob("*.csv")):
        data = path.read_bytes()
        text, enc = decode(data, path)
        header = physical_lines(text)[0].rstrip("\r\n").split(",")
        fast = fast_rows(data, text, enc, ",", header)
        rows, bad = _careful(path)
        if fast is not None:
            fast_taken += 1
            assert fast[0].values.tolist() == rows, path.name
            assert [b.line for b in fast[1]] == bad, path.name
        table = read_csv(path)
        assert table.frame.values.tolist() == rows, path.name
        assert sorted(b.line for b in table.malformed) == sorted(bad), path.name
    assert fast_taken >= 8  # most files are plain enough for the fast path


def test_line_numbers_count_every_kind_of_line_end(tmp_path: Path) -> None:
    p = tmp_path / "persons.csv"
    p.write_bytes(b'person_id,name\r\nP1,"a\rb"\rP2,x,y\nP3,c\r\n\r\nP4,d')
    t = read_csv(p)
    assert t.frame[["person_id", "_line"]].values.tolist() == [["P1", 2], ["P3", 5], ["P4", 7]]
    assert [(b.line, b.code) for b in t.malformed] == [(4, "bad_field_count")]
    assert t.frame["name"].tolist()[0] == "a\rb"
    assert re.search(r"field 3 'y' has no column", t.malformed[0].message)
