"""A starter mapping from an export's headers: best guesses filled in, the rest marked TODO.

The header is looked for below title rows, and a header spanning two rows
(merged group cells such as 任职情况 over 单位 / 职务) is detected. Columns
are matched against the header words of :data:`loaders.mapping.codes.HEADERS`;
a sheet with a kinship column (称谓, 关系) becomes relatives and ties, one with
a unit or a post (单位, 职务) persons, organizations and positions, any other
with a name column persons.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InputError
from lang import _
from loaders.mapping.codes import guess_field
from loaders.mapping.sources import Peek, Sheet, peek, read_sheet

_PLAIN = re.compile(r"[^\s:#{}\[\],&*!|>'\"%@`?\-][^:#{}\[\],]*")
_YAML_WORDS = re.compile(r"(?i)(y|n|yes|no|true|false|on|off|null|~|[-+.\d_eE]+)")
_PAREN = re.compile(r".+[(（][^()（）]+[)）]\s*$")
_PERSON = ("name", "id_number", "gender", "birth_date", "death_date", "phone", "address",
           "region")
_KIN_USES = ("official", "relation", *_PERSON)
_ROSTER_USES = ("person_id", "org", "title", "start_date", "end_date", *_PERSON)


def quote(text: str) -> str:
    """``text`` as a YAML scalar: plain when safe, else double-quoted.

    Examples
    --------
    >>> quote("任职情况/职务"), quote("No."), quote("a: b"), quote("2019")
    ('任职情况/职务', '"No."', '"a: b"', '"2019"')
    """
    if _PLAIN.fullmatch(text) and not _YAML_WORDS.fullmatch(text) and text == text.strip() \
            and not text.endswith("."):
        return text
    return json.dumps(text, ensure_ascii=False)


def detect_header(p: Peek) -> tuple[int, int]:
    """``(header_row, header_rows)`` of a sheet: the first well-filled row below titles, and
    two rows when merged group cells (or, in a CSV, a row of sub-headings) sit in it.

    Examples
    --------
    >>> detect_header(Peek(None, [["名册"], ["姓名", "单位", "职务"], ["张三", "局", "长"]], []))
    (2, 1)
    >>> rows = [["姓名", "任职情况", ""], ["", "单位", "职务"], ["张三", "局", "长"]]
    >>> detect_header(Peek("s", rows, [(1, 2, 1, 3), (1, 1, 2, 1)]))
    (1, 2)
    """
    counts = [sum(1 for c in r if c.strip()) for r in p.rows]
    if not counts or max(counts) == 0:
        return 1, 1
    need = max(2, int(0.6 * max(counts)))
    row = next((i + 1 for i, n in enumerate(counts) if n >= need), 1)
    if p.sheet is not None:
        spans = [m for m in p.merged if m[0] == row]
        deep = max((m[2] for m in spans), default=row)
        wide = any(m[3] > m[1] for m in spans)
        return row, max(deep - row + 1, 2 if wide else 1)
    if row < len(p.rows):
        head, nxt = p.rows[row - 1], p.rows[row]
        inner_blank = [i for i, c in enumerate(head) if not c.strip()
                       and any(x.strip() for x in head[:i]) and i < len(nxt)]
        if inner_blank and all(nxt[i].strip() and not re.fullmatch(r"[\d.\-/]+", nxt[i])
                               for i in inner_blank):
            return row, 2
    return row, 1


@dataclass
class _Guess:
    sheet: Sheet
    fields: dict[str, str]
    """field -> header (first column guessed for it)."""
    paren: set[str]
    """Headers whose sample values look like '张三（P001）'."""
    unmapped: list[str]


def _guess(sheet: Sheet) -> _Guess:
    fields: dict[str, str] = {}
    unmapped: list[str] = []
    for h in sheet.header:
        f = guess_field(h)
        if f and f not in fields:
            fields[f] = h
        else:
            unmapped.append(h)
    sample = sheet.cells.head(20)
    paren = {h for h in sheet.header
             if (vals := [v for v in sample[h].tolist() if v.strip()])
             and sum(bool(_PAREN.match(v)) for v in vals) >= max(1, len(vals) // 2)}
    if "official" not in fields and "relation" in fields:
        cand = [h for h in sheet.header if h in paren and h in unmapped]
        if cand:
            fields["official"] = cand[0]
            unmapped.remove(cand[0])
    return _Guess(sheet, fields, paren, unmapped)


def _hash_of(g: _Guess) -> str:
    cols = [g.fields[f] for f in ("name", "id_number") if f in g.fields]
    return "{hash: [" + ", ".join(quote(c) for c in cols) + "]}"


def _person_fields(g: _Guess, pad: str) -> list[str]:
    lines = []
    for f in _PERSON:
        if f in g.fields:
            lines.append(f"{pad}{f}: {quote(g.fields[f])}")
    return lines


def _kinship(g: _Guess) -> list[str]:
    pad = " " * 10
    f = g.fields
    official = f.get("official")
    if official is None:
        who = "TODO  # the column naming the official (his person_id as the roster forms it)"
    elif official in g.paren:
        who = "{column: " + quote(official) + ", split: id}   # '张三（P001）' -> P001"
    else:
        who = quote(official) + "   # TODO: must hold the official's person_id"
    relative = _hash_of(g)
    return [
        "      - table: persons          # the relatives",
        "        distinct: true          # one person however many rows name him",
        "        fields:",
        f"{pad}person_id: {relative}",
        *_person_fields(g, pad),
        "      - table: relationships    # read: other_id is person_id's <relation>",
        "        fields:",
        f"{pad}person_id: {who}",
        f"{pad}other_id: {relative}",
        f"{pad}relation: {quote(f['relation'])}   # 配偶, 父亲, 儿子, ... are understood; "
        "others: add e.g. map: {表哥: associate}",
    ]


def _roster(g: _Guess) -> list[str]:
    pad = " " * 10
    f = g.fields
    pid = quote(f["person_id"]) if "person_id" in f else _hash_of(g)
    out = [
        "      - table: persons",
        "        distinct: true",
        "        fields:",
        f"{pad}person_id: {pid}",
        *_person_fields(g, pad),
    ]
    if "org" in f:
        org = quote(f["org"])
        out += [
            "      - table: organizations",
            "        distinct: true",
            "        fields:",
            f"{pad}org_id: {org}",
            f"{pad}name: {org}",
            f"{pad}kind: {{value: agency}}   # TODO: agency, village_committee, company or other",
        ]
        out += [
            "      - table: positions",
            "        fields:",
            f"{pad}person_id: {pid}",
            f"{pad}org_id: {org}",
        ]
        for k in ("title", "start_date", "end_date"):
            if k in f:
                out.append(f"{pad}{k}: {quote(f[k])}")
    return out


def _block(path: Path, p: Peek, encoding: str | None) -> list[str]:
    row, rows = detect_header(p)
    sheet = read_sheet(path, p.sheet, header_row=row, header_rows=rows, encoding=encoding)
    g = _guess(sheet)
    head = [f"  - file: {quote(path.name)}"]
    if p.sheet is not None:
        head.append(f"    sheet: {quote(p.sheet)}")
    else:
        head.append(f"    # read as {sheet.encoding}")
    if row != 1:
        head.append(f"    header_row: {row}          # rows above are titles")
    if rows != 1:
        example = next((h for h in sheet.header if "/" in h), "上/下")
        head.append(f"    header_rows: {rows}         # the header spans {rows} rows "
                    f"(merged cells): columns are named like {example}")
    head.append("    # columns: " + ", ".join(sheet.header))
    f = g.fields
    kinship = "relation" in f and "name" in f
    if kinship:
        body = _kinship(g)
    elif "name" in f:
        body = _roster(g)
    else:
        return ["  # TODO: no layout table guessed for this sheet; map it by hand or delete",
                *("  # " + line for line in [*head, "    tables: []"])]
    keys = _KIN_USES if kinship else _ROSTER_USES
    used = {f[k] for k in keys if k in f}
    todo = [h for h in sheet.header if h not in used]
    tail = []
    if todo:
        tail = ["        # TODO not mapped: " + ", ".join(todo),
                "        # (map them under fields:, or keep them as properties under",
                "        #  extra:, e.g. extra: {remark: 备注})"]
    return [*head, "    tables:", *body, *tail]


def map_template(path: Path, *, sheet: str | int | None = None,
                 encoding: str | None = None) -> str:
    """A starter mapping (YAML text) for the export at ``path``, one source per sheet.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "名册.csv"
    >>> _ = p.write_bytes("编号,姓名,身份证号,单位,职务,任职时间,备注\\n".encode("gbk"))
    >>> print(map_template(p))  # doctest: +ELLIPSIS
    # Mapping for 名册.csv, written by `umbrella map --template`.
    ...
          - table: persons
            distinct: true
            fields:
              person_id: 编号
              name: 姓名
              id_number: 身份证号
    ...
              title: 职务
              start_date: 任职时间
            # TODO not mapped: 备注
    ...
    """
    sheets = peek(path, encoding=encoding)
    if sheet is not None:
        pick = [p for i, p in enumerate(sheets, start=1) if sheet in (p.sheet, i)]
        if not pick:
            names = ", ".join(str(p.sheet) for p in sheets)
            raise InputError(_("{file}: has no sheet '{sheet}'").format(file=path, sheet=sheet),
                             hint=_("sheets: {sheets}").format(sheets=names))
        sheets = pick
    sheets = [p for p in sheets if any(c.strip() for r in p.rows for c in r)]
    lines = [f"# Mapping for {path.name}, written by `umbrella map --template`.",
             "# Check every guess; lines marked TODO need you. Load with:",
             f"#   umbrella load --mapping THIS.yaml {path.name}",
             "version: 1",
             "sources:"]
    for p in sheets:
        lines += _block(path, p, encoding)
    return "\n".join(lines) + "\n"
