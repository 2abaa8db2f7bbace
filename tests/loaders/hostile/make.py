"""Write the hostile input files of this folder (run once; the files are committed).

    python tests/loaders/hostile/make.py

Each case is a folder the loaders read as a whole: ``layout/NAME/`` (a layout
folder), ``standards/NAME/`` (one JSON file, loaded with format detection),
``mapping/NAME/`` (``m.yaml`` and the exports it names). What each must give is
written in ``tests/loaders/test_hostile.py``; inputs found by the fuzz test
(``tests/loaders/test_fuzz.py``) are added under ``fuzz/`` by :func:`keep` there.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
DEEP = "[" * 5_000 + "]" * 5_000  # past Python's recursion limit (1,000)


def _write(rel: str, data: bytes | str, encoding: str = "utf-8") -> None:
    path = HERE / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)


def _workbook(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rezip(book: bytes, edit: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The workbook with some parts replaced (``method`` for those parts)."""
    src = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = edit.get(info.filename, src.read(info.filename))
            z.writestr(info.filename, data,
                       compress_type=method if info.filename in edit else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _bzip2_bomb(book: bytes, gigabytes: int = 2) -> bytes:
    """A workbook whose sheet inflates to ``gigabytes`` GB of blanks (valid XML between
    elements), compressed with bzip2, which the zip format and Python's zipfile allow:
    a few KB on disk."""
    src = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, data)
                continue
            head, tail = data.split(b"<sheetData>")
            part = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            part.compress_type = zipfile.ZIP_BZIP2
            with z.open(part, "w", force_zip64=True) as fh:
                fh.write(head + b"<sheetData>")
                block = b" " * (1 << 24)
                for _ in range(gigabytes * 64):
                    fh.write(block)
                fh.write(tail)
    return out.getvalue()


def main() -> None:
    persons = "person_id,name,gender\n"
    _write("layout/shift-first-row/persons.csv", persons + "P1,a,男,X\nP2,b,女\n")
    _write("layout/short-row/persons.csv", persons + "P1,a\nP2,b,女\n")
    _write("layout/shift-gb18030/persons.csv", persons + "P1,张三,男,多\nP2,李四,女\nP3,王五\n",
           "gb18030")
    _write("layout/unclosed-quote/persons.csv",
           "person_id,name,gender,phone,address,region\nP1,张三,男,,,\nP2,李四,女,,,\n"
           'P9,"unterminated,,男,,,\nP3,王五,男,,,\nP4,赵六,女,,,\n')
    _write("layout/stray-quote-closed-later/persons.csv",
           persons + 'P1,张三,男\nP9,"未闭合,男\nP3,王五,男\nP4,赵六",女\nP5,孙七,女\n')
    _write("layout/text-after-closing-quote/persons.csv",
           persons + 'P1,"张"三,男\nP2,李四,女\n')
    _write("layout/quoted-line-break-is-kept/persons.csv",
           'person_id,name,address\nP1,张三,"城关镇\n建设路1号"\nP2,李四,"a,b"\n')
    _write("layout/cr-only/persons.csv", "person_id,name\rP1,张三\rP2,李四\r")
    _write("layout/mixed-line-ends/persons.csv", "person_id,name\r\nP1,张三\rP2,李四\nP3,王五")
    _write("layout/double-colon/persons.csv", "person_id::name\nP1::张三\n")
    _write("layout/long-field/persons.csv", persons + f"P1,{'长' * 300},男\nP2,李四,女\n")
    _write("layout/long-line/persons.csv", persons + "P1,张三,男\n" + "x" * 3000 + "\nP2,b,女\n")
    _write("layout/too-many-columns/persons.csv",
           "person_id,name," + ",".join(f"c{i}" for i in range(1_000)) + "\nP1,a\n")
    _write("layout/nul-bytes/persons.csv", persons + "P1,张\x00三,男\nP2,李四,女\n")
    _write("layout/blank-first-line/persons.csv", "\n" + persons + "P1,a,男\n")
    _write("layout/bom-quoted-header/persons.csv",
           '\ufeff"person_id","name"\n"P1","张三"\n"P2","李""四"\n')
    _write("layout/only-quotes/persons.csv", persons + '"\n"\n"""\nP1,a,男\n')
    book = _workbook([["person_id", "name"], ["P1", "张三"]])
    _write("layout/xlsx-zip-bomb/persons.xlsx", _bzip2_bomb(book))
    sheet = zipfile.ZipFile(io.BytesIO(book)).read("xl/worksheets/sheet1.xml")
    far = sheet.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="inlineStr">'
                        b"<is><t>P9</t></is></c></row></sheetData>")
    far = far.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>')
    _write("layout/xlsx-stated-size/persons.xlsx",
           _rezip(book, {"xl/worksheets/sheet1.xml": far}))
    laughs = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode()
                         for i in range(8))
              + b"]>")
    bomb = sheet.replace(b"<worksheet", laughs + b"<worksheet", 1)
    bomb = bomb.replace("张三".encode(), b"&i;")
    _write("layout/xlsx-entity-bomb/persons.xlsx", _rezip(book, {"xl/worksheets/sheet1.xml": bomb}))
    _write("layout/xlsx-cells-beyond-header/persons.xlsx",
           _workbook([["person_id", "name"], ["P1", "张三", "多余"], ["P2", "李四"]]))
    _write("layout/xlsx-not-a-zip/persons.xlsx", b"PK\x03\x04" + b"\x00" * 100)
    _write("standards/deep/deep.json", "[" * 100_000 + "]" * 100_000)
    good = {"ocid": "ocds-1", "tender": {"title": "x", "procurementMethod": "open"},
            "buyer": {"id": "B1", "name": "县教育局"}}
    rel = json.dumps({"releases": [good]})
    _write("standards/ocds-deep-release/package.json",
           rel[:-2] + ', {"ocid": "ocds-2", "tender": {"items": ' + DEEP + "}}]}")
    _write("standards/ocds-deep-line/releases.jsonl",
           json.dumps(good) + "\n" + '{"ocid": "ocds-2", "tender": {"items": ' + DEEP + "}}\n"
           + json.dumps({**good, "ocid": "ocds-3"}) + "\n")
    ftm = {"id": "p1", "schema": "Person", "properties": {"name": ["张三"]}}
    _write("standards/ftm-deep-line/entities.jsonl",
           '{"id": "p0", "schema": "Person", "properties": {"name": ' + DEEP + "}}\n"
           + json.dumps(ftm, ensure_ascii=False) + "\n")
    _write("standards/jsonl-long-line/entities.jsonl",
           json.dumps(ftm, ensure_ascii=False) + "\n"
           + '{"id": "p2", "schema": "Person", "properties": {"name": ["' + "x" * 5000 + '"]}}\n'
           + json.dumps({**ftm, "id": "p3"}, ensure_ascii=False) + "\n")
    mapping = ("sources:\n  - file: p.csv\n    tables:\n      - table: persons\n"
               "        fields: {person_id: 编号, name: 姓名}\n")
    laughs_yaml = 'x0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"x{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10))
    for name, text in {
        "yaml-alias-bomb": laughs_yaml + mapping,
        "yaml-alias-bomb-in-a-field": mapping.replace(
            "name: 姓名", "name: [&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol], "
            + ", ".join(f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10))
            + ", *a9]"),
        "yaml-deep": "a: " + DEEP + "\n" + mapping,
        "yaml-delimiter": mapping.replace("    tables:", "    delimiter: '::'\n    tables:"),
        "yaml-not-a-number": mapping.replace("    tables:", "    header_row: ²\n    tables:"),
    }.items():
        _write(f"mapping/{name}/m.yaml", text)
        _write(f"mapping/{name}/p.csv", "编号,姓名\nP1,张三\n")
    _write("mapping/csv-unclosed-quote/m.yaml", mapping)
    _write("mapping/csv-unclosed-quote/p.csv", '编号,姓名\nP1,"张三\nP2,李四\nP3,王五\n')
    roster = _workbook([["编号", "姓名"], ["P1", "张三"], ["P2", "李四"]])
    sheet = zipfile.ZipFile(io.BytesIO(roster)).read("xl/worksheets/sheet1.xml")
    merged = sheet.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                           b'<mergeCell ref="C1:XFD1048576"/></mergeCells>')
    _write("mapping/xlsx-merge-bomb/m.yaml", mapping.replace("p.csv", "p.xlsx"))
    _write("mapping/xlsx-merge-bomb/p.xlsx", _rezip(roster, {"xl/worksheets/sheet1.xml": merged}))


if __name__ == "__main__":
    main()
