"""Fuzz the loaders with malformed CSV, xlsx, JSON and YAML (fixed seed, bounded time).

A hand-written generator (seeded, so every run feeds the same inputs and a failure
reproduces) starts from small valid files of each kind and damages them: quotes,
delimiters and line ends inserted or removed, lines repeated or cut, fields and
lines past the limits, encodings mixed, brackets nested deep, zip parts recompressed
or corrupted, sheets given far cells and merges, YAML anchors and aliases. Each input
is loaded through the public load functions into a real SQLite store on
``tmp_path``, in a forked child with a time and memory limit (``tests/isolate.py``),
and must end in a report where read = loaded + set aside for every table, or in a
refusal of the library's :class:`~graph.errors.UmbrellaError` family: no other
exception, no hang; and what was stored reads back. Small input limits
(:data:`LIMITS`) let small inputs reach the limit paths.

The CSV inputs also check the two CSV readers against each other: when the fast
path (:mod:`loaders.csvfast`) takes a file, the careful reader
(:class:`loaders.csvrecords.Records`) must give the same rows and set the same
lines aside.

An input that fails is written to ``hostile/fuzz/KIND-HASH/`` when
``UMBRELLA_FUZZ_KEEP=1`` (commit it: ``test_hostile.py`` then loads it for good),
else under ``tmp_path``; the assertion names the folder.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import random
import re
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from isolate import HOSTILE, check_invariants, load_case, read_back, run_load

from graph.normalize import clean_text, normalize_name
from graph.store import SqliteStore
from loaders.csvfast import fast_rows
from loaders.csvrecords import Records, field_count_row, physical_lines
from loaders.limits import override
from loaders.read import decode

SEED = 20240612
PER_KIND = 36
BUDGET = 50.0
"""Seconds for the whole run; the loads stop (and the test says how many ran) past it."""
LIMITS = {"field_chars": 300, "line_bytes": 4000, "columns": 40, "xlsx_bytes": 4 << 20,
          "depth": 24, "yaml_aliases": 12, "yaml_bytes": 20_000}

PERSONS = [
    ["person_id", "name", "id_number", "gender", "birth_date", "phone", "address"],
    ["P1", "张三", "11010519491231002X", "男", "1949-12-31", "13800000001", "城关镇建设路1号"],
    ["P2", "李四", "", "女", "1972-08-01", "", '城关镇"幸福"小区,3单元'],
    ["P3", "王五", "", "男", "", "", "城关镇\n中山路67号"],
    ["P4", "Zhao, Liu", "", "", "1980-01-01", "+86 138", ""],
    ["P5", "孙七", "", "女", "", "", ""],
]
POSITIONS = [["person_id", "org_id", "title"], ["P1", "O1", "局长"], ["P4", "O1", "科员"]]
ORGS = [["org_id", "name", "kind"], ["O1", "县教育局", "agency"]]


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _mutate_text(rng: random.Random, text: str, pieces: list[str], keep: int = 0) -> str:
    """Insert, delete, repeat or cut at random places after the first ``keep`` characters,
    ``1-4`` times."""
    head, text = text[:keep], text[keep:]
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(text))
        op = rng.randrange(7)
        if op <= 1:
            text = text[:at] + rng.choice(pieces) + text[at:]
        elif op == 2 and text:
            text = text[:at] + text[at + rng.randint(1, 8):]
        elif op == 3:
            lines = text.split("\n")
            k = rng.randrange(len(lines))
            lines.insert(k, lines[k])
            text = "\n".join(lines)
        elif op == 4 and rng.random() < 0.3:
            text = text[:at]
        elif op == 5:
            text = text[:at] + rng.choice(pieces) * rng.randint(50, 600) + text[at:]
        else:
            text = text.replace(rng.choice(["\n", ",", '"']), rng.choice(["\r", "\r\n", ";",
                                                                        "", '""', "\n"]), 1)
    return head + text


def _encode(rng: random.Random, text: str) -> bytes:
    enc = rng.choice(["utf-8", "utf-8", "utf-8-sig", "gb18030"])
    data = text.encode(enc, "replace")
    if rng.random() < 0.15:
        at = rng.randint(0, len(data))
        data = data[:at] + bytes([rng.randrange(128, 256)]) + data[at:]
    return data


CSV_PIECES = ['"', ",", "\n", "\r", "\r\n", '""', "\x00", "\ufeff", "张", "  ", ",,,", '"a,b"',
              "\t", "；"]


def csv_case(rng: random.Random, where: Path) -> None:
    """A layout folder with damaged persons (and sometimes positions) files."""
    where.mkdir(parents=True)
    rows = [list(r) for r in PERSONS]
    rng.shuffle(rows[1:])
    text = _csv(rows)
    keep = text.index("\n") + 1 if rng.random() < 0.8 else 0  # mostly a good header
    (where / "persons.csv").write_bytes(_encode(rng, _mutate_text(rng, text, CSV_PIECES, keep)))
    if rng.random() < 0.4:
        (where / "organizations.csv").write_text(_csv(ORGS), encoding="utf-8")
        text = _csv(POSITIONS)
        (where / "positions.csv").write_bytes(
            _encode(rng, _mutate_text(rng, text, CSV_PIECES, text.index("\n") + 1)))


def _workbook(rows: list[list[str]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


XML_PIECES = ['<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
              '<row r="9"><c r="A9" t="inlineStr"><is><t>P9</t></is></c><c r="E9"><v>1</v></c>'
              "</row>", '<c r="A1"/>', '<c r="Z3" t="s"><v>999</v></c>',
              '<c r="B2"><v>1e999</v></c>', '<c r="C4" t="d"><v>not a date</v></c>',
              '<c r="B5" t="b"><v>7</v></c>', '<c r="AA7"><f>1/0</f><v>#DIV/0!</v></c>',
              '<c r="A6" t="inlineStr"><is><t>' + "长" * 400 + "</t></is></c>",
              '<row r="3"><c r="A3" t="inlineStr"><is><t>P1</t></is></c></row>',
              "</row><row>", '<row r="0">', "<", "&x;"]


def _mutate_xml(rng: random.Random, text: str) -> str:
    """Elements inserted or removed between the rows and cells of a sheet (the document
    around them mostly intact); now and then raw damage anywhere."""
    if rng.random() < 0.1:
        return _mutate_text(rng, text, XML_PIECES, 0)
    start, end = text.index("<sheetData>"), text.index("</sheetData>")
    for _ in range(rng.randint(1, 4)):
        cuts = [i + 1 for i in range(start, end) if text[i] == ">"]
        at = rng.choice(cuts)
        if rng.random() < 0.7:
            text = text[:at] + rng.choice(XML_PIECES[:-4]) + text[at:]
        else:  # drop a cell
            cells = [m.span() for m in re.finditer(r"<c [^>]*?(?:/>|>.*?</c>)", text)]
            if cells:
                a, b = rng.choice(cells)
                text = text[:a] + text[b:]
        end = text.index("</sheetData>")
    return text


def xlsx_case(rng: random.Random, where: Path) -> None:
    """A layout folder whose persons.xlsx has a damaged sheet, zip or compression."""
    where.mkdir(parents=True)
    book = _workbook([r[:4] for r in PERSONS])
    src = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    method = rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED,
                         zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
    with zipfile.ZipFile(out, "w", method) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                if rng.random() < 0.3:
                    text = text.replace("</sheetData>", "</sheetData><mergeCells count=\"1\">"
                                        + rng.choice(['<mergeCell ref="A1:XFD1048576"/>',
                                                      '<mergeCell ref="A2:B3"/>',
                                                      '<mergeCell ref="C1:C99999"/>'])
                                        + "</mergeCells>")
                if rng.random() < 0.2:
                    text = text.replace('<dimension ref="A1:D6"/>',
                                        '<dimension ref="A1:XFD1048576"/>')
                data = _mutate_xml(rng, text).encode()
            elif rng.random() < 0.01:
                continue  # a part missing
            if rng.random() < 0.015:
                data = data + b" " * (3 << 20)  # a part that inflates a lot
            z.writestr(info.filename, data)
    data = out.getvalue()
    if rng.random() < 0.1:  # bytes damaged in the archive itself
        at = rng.randrange(len(data))
        data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]
    if rng.random() < 0.04:
        data = data[: rng.randrange(len(data))]
    (where / "persons.xlsx").write_bytes(data)


def _ocds(n: int) -> dict[str, object]:
    return {"ocid": f"ocds-{n}", "tender": {"title": "道路工程", "procurementMethod": "open",
                                           "items": [{"id": "1", "quantity": 2}]},
            "buyer": {"id": "B1", "name": "县教育局"},
            "awards": [{"id": "a", "suppliers": [{"id": "S1", "name": "恒瑞公司"}],
                        "value": {"amount": 100.5}}]}


JSON_PIECES = ["[" * 30, "{" * 30, '{"a": ' * 1200, "[" * 1200 + "]" * 1200, '"', "\\", "\\u",
               ",", "]", "}", "\n", ":", "null",
               '"x"' * 10, "\x00", "1e999", "-", "\ud800", "\\udfff", "\\ud83d\\ude00",
               "9" * 5000]


def json_case(rng: random.Random, where: Path) -> None:
    """One OCDS or FtM file (package, array or JSON lines; sometimes gzip), damaged
    (mostly after its first record, so the format is still recognised)."""
    where.mkdir(parents=True)
    kind = rng.randrange(4)
    if kind == 0:
        records = [json.dumps(_ocds(i), ensure_ascii=False) for i in range(3)]
        text, name = '{"releases": [' + ", ".join(records) + "]}", "p.json"
        keep = len(records[0]) + 16
    elif kind == 1:
        lines = [json.dumps(_ocds(i), ensure_ascii=False) + "\n" for i in range(4)]
        text, name, keep = "".join(lines), "r.jsonl", len(lines[0])
    elif kind == 2:
        lines = [json.dumps({"id": f"p{i}", "schema": "Person", "properties": {
            "name": [f"人{i}"], "birthDate": ["1970-01-01"]}}, ensure_ascii=False) + "\n"
            for i in range(4)]
        text, name, keep = "".join(lines), "e.jsonl", len(lines[0])
    else:
        records = [json.dumps({"statementID": f"s{i}", "statementType": "personStatement",
                               "names": [{"fullName": f"人{i}"}]}, ensure_ascii=False)
                   for i in range(3)]
        text, name, keep = "[" + ", ".join(records) + "]", "b.json", len(records[0]) + 1
    if rng.random() < 0.2:  # a record nested too deep (and otherwise valid)
        at = text.index("{", keep) + 1
        depth = rng.choice([30, 200, 1500, 20_000])
        text = text[:at] + '"x": ' + "[" * depth + "]" * depth + ", " + text[at:]
    else:
        text = _mutate_text(rng, text, JSON_PIECES, keep if rng.random() < 0.85 else 0)
    data = text.encode("utf-8", "replace")
    if rng.random() < 0.2:
        data, name = gzip.compress(data), name + ".gz"
    (where / name).write_bytes(data)


MAPPING = ("sources:\n  - file: p.csv\n{extra}    tables:\n      - table: persons\n"
           "        fields: {{person_id: 编号, name: {name}, phone: 电话}}\n")
YAML_VALUES = ["*a1", "[姓名, 姓名]", "{template: '{姓名}'}", "'::'", "²", "~", "!!str 姓名",
               "!!python/object:os.system 姓名", "&n 姓名", "[" * 40 + "]" * 40, "{a: " * 30 + "1"
               + "}" * 30, "|\n          姓名", "*a9", "'" + "长" * 300 + "'"]
YAML_PIECES = ["&a ", "*a", "[", "{", "]", "}", ": ", "- ", "\t", "'", '"', "? ", "|\n",
               "---\n", "\x00", "*a0, " * 9]
YAML_EXTRA = ["", "    delimiter: '::'\n", "    delimiter: ';'\n", "    header_row: 99999\n",
              "    header_rows: 0\n", "    sheet: 2\n", "    encoding: utf-16\n",
              "    encoding: nonsense\n", "    delimiter: '\\t'\n"]


def yaml_case(rng: random.Random, where: Path) -> None:
    """A mapping with odd values, anchors and aliases (sometimes damaged text), and an
    export (sometimes damaged)."""
    where.mkdir(parents=True)
    name = rng.choice(YAML_VALUES) if rng.random() < 0.5 else "姓名"
    if rng.random() < 0.3:  # a "billion laughs" where a column name should be
        name = "[&a0 [lol, lol], " + ", ".join(
            f"&a{i} [" + ", ".join([f"*a{i - 1}"] * rng.randint(2, 9)) + "]"
            for i in range(1, rng.randint(2, 12))) + "]"
    text = MAPPING.format(extra=rng.choice(YAML_EXTRA) if rng.random() < 0.4 else "", name=name)
    if rng.random() < 0.15:
        text = _mutate_text(rng, text, YAML_PIECES, 0)
    (where / "m.yaml").write_bytes(text.encode("utf-8"))
    export = _csv([["编号", "姓名", "电话"], ["P1", "张三", "138"], ["P2", 'Li "Si"', ""],
                   ["P3", "王\n五", "139"]])
    if rng.random() < 0.6:
        export = _mutate_text(rng, export, CSV_PIECES, export.index("\n") + 1)
    (where / "p.csv").write_bytes(_encode(rng, export))


MAKERS: dict[str, Callable[[random.Random, Path], None]] = {
    "layout": csv_case, "xlsx": xlsx_case, "standards": json_case, "mapping": yaml_case}


def keep(case: Path, kind: str) -> Path:
    """Where a failing input is kept: ``hostile/fuzz/KIND-HASH`` with UMBRELLA_FUZZ_KEEP=1."""
    digest = hashlib.sha1(b"".join(p.read_bytes() for p in sorted(case.iterdir()))).hexdigest()
    name = f"{'layout' if kind == 'xlsx' else kind}-{digest[:10]}"
    if os.environ.get("UMBRELLA_FUZZ_KEEP") == "1":
        target = HOSTILE / "fuzz" / name
        if not target.exists():
            shutil.copytree(case, target)
        return target
    return case


def _agree(folder: Path) -> None:
    """The fast and the careful CSV readers give the same rows on ``folder``'s files."""
    for path in folder.glob("*.csv"):
        data = path.read_bytes()
        try:
            text, enc = decode(data, path)
        except Exception:
            continue
        first = physical_lines(text[:2000])
        if not first or '"' in first[0]:
            continue
        header = [h.strip() for h in first[0].rstrip("\r\n").split(",")]
        with override(**LIMITS):
            fast = fast_rows(data, text, enc, ",", header)
            if fast is None:
                continue
            recs = Records(physical_lines(text), ",", path)
            recs.width, recs.names = len(header), header
            rows, bad = [], []
            for r in recs:
                if isinstance(r, tuple):
                    if r[0] == 1:
                        continue
                    if len(r[1]) == len(header):
                        rows.append([*r[1], r[0]])
                    else:
                        bad.append(field_count_row(r[0], r[1], header).line)
                else:
                    bad.append(r.line)
        frame, fast_bad = fast
        assert frame.values.tolist() == rows, path
        assert [b.line for b in fast_bad] == bad, path


def _could_be_rows(path: Path, width: int) -> set[tuple[str, ...]]:
    """Every row the file could honestly hold: its records as the csv module reads the
    whole file, and each physical line read alone, that have ``width`` fields."""
    text, _ = decode(path.read_bytes(), path)
    lines = physical_lines(text)
    before = csv.field_size_limit(1 << 30)
    try:
        whole = list(csv.reader(lines))
        alone = [next(csv.reader([ln.rstrip("\r\n")]), []) for ln in lines]
    finally:
        csv.field_size_limit(before)
    return {tuple(r) for r in whole + alone if len(r) == width}


def _loaded_rows_are_in_the_file(folder: Path, db: Path) -> None:
    """Each person the store holds was a row of persons.csv as written (no row made of
    the parts of others: a shifted or swallowed row fails this)."""
    path = folder / "persons.csv"
    try:
        header = [h.strip().lower() for h in next(csv.reader(
            physical_lines(decode(path.read_bytes(), path)[0])[:1]))]
    except Exception:
        return
    if "person_id" not in header or "name" not in header:
        return
    rows = _could_be_rows(path, len(header))
    i, j = header.index("person_id"), header.index("name")
    frame = pd.DataFrame([(r[i], r[j]) for r in rows], columns=["id", "name"], dtype=str)
    honest = set(zip(clean_text(frame["id"]), normalize_name(frame["name"]), strict=True))
    store = SqliteStore(db)
    try:
        view = store.view()
        for (table, sid), key in view.aliases().items():
            entity = view.get(key) if table == "persons" else None
            if entity is not None:
                assert (sid, entity.name) in honest, f"{folder}: {sid} {entity.name!r}"
    finally:
        store.close()


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_malformed_inputs_end_in_a_report_or_a_refusal(kind: str, tmp_path: Path) -> None:
    rng = random.Random(f"{SEED}-{kind}")
    start = time.monotonic()
    ran = 0
    for n in range(PER_KIND):
        if time.monotonic() - start > BUDGET / len(MAKERS):
            break
        case = tmp_path / f"case{n}"
        MAKERS[kind](rng, case)
        if kind == "layout":
            _agree(case)
        limits = LIMITS if n % 3 else {}
        db = tmp_path / f"case{n}.db"
        target = "layout" if kind == "xlsx" else kind
        out = run_load(lambda: load_case(case, db, target), limits=limits,  # noqa: B023
                       timeout=15)
        try:
            check_invariants(out, str(case))
            read_back(db)
            if kind == "layout" and out.kind == "report":
                _loaded_rows_are_in_the_file(case, db)
        except Exception as err:  # an assertion, or a store that does not read back
            raise AssertionError(f"{err}\ninput kept in {keep(case, kind)}") from None
        ran += 1
    assert ran >= PER_KIND // 2, f"only {ran} inputs in the time budget"
