"""Findings and tables out: JSON (the contract), CSV and Excel that open with Chinese intact.

Two kinds of result are written: findings (every field in JSON; one flat row each
in CSV; a findings sheet and an evidence sheet in Excel) and any table of named
columns (``{"columns": [...], "rows": [...]}`` in JSON). CSV and JSON also go to
a text stream (:func:`dump_findings`, :func:`dump_table`: what the command line
prints); in files CSV is UTF-8 with a byte-order mark, so Excel shows Chinese text.
Every CSV and XLSX cell goes through :mod:`exports.cells`: text a spreadsheet would
run as a formula is neutralised, numbers stay numbers, the JSON is left as it is.

Examples
--------
>>> import tempfile, pathlib, json
>>> f = [{"id": "F-1", "rule": "COI-001", "category": "conflict_of_interest", "score": 0.9,
...       "title": "王建国 …", "entities": ["P1", "K1"], "evidence": [], "explanation": "…"}]
>>> out = pathlib.Path(tempfile.mkdtemp()) / "f.json"
>>> write_findings(f, out, "json")
>>> json.loads(out.read_text(encoding="utf-8"))["findings"][0]["rule"]
'COI-001'
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from exports.cells import append_row, write_csv
from lang.message import localized

#: Every ``--format``: ``table`` is for the terminal only, ``xlsx`` for files only.
FORMATS = ("table", "csv", "json", "xlsx")
#: The formats that go to a text stream as well as to a file.
TEXT_FORMATS = ("csv", "json")
COLUMNS = ["id", "score", "rule", "category", "title", "entities", "date", "sector",
           "explanation", "sources"]


def sources_of(finding: dict[str, Any]) -> str:
    """``file:line`` of every fact in the evidence, in order, without repeats.

    Examples
    --------
    >>> sources_of({"evidence": [{"path": [{"sources": [{"file": "a.csv", "line": 3}]}]}]})
    'a.csv:3'
    """
    seen: dict[str, None] = {}
    for path in finding.get("evidence", []):
        for step in path.get("path", []):
            for s in step.get("sources", []):
                seen[f"{s['file']}:{s['line']}"] = None
    return " ".join(seen)


def rows(findings: list[dict[str, Any]]) -> list[list[Any]]:
    """One flat row per finding (the columns of :data:`COLUMNS`)."""
    return [[f["id"], f["score"], f["rule"], f["category"], f["title"], " ".join(f["entities"]),
             f.get("date", ""), f.get("sector", ""), f["explanation"], sources_of(f)]
            for f in findings]


def _evidence_rows(findings: list[dict[str, Any]]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for f in findings:
        for p, path in enumerate(f.get("evidence", []), start=1):
            for n, step in enumerate(path.get("path", []), start=1):
                what = step.get("rel") or step.get("node")
                label = step.get("name") or step.get("relation") or step.get("role") or ""
                ids = " ".join(step.get("ids", []))
                src = " ".join(f"{s['file']}:{s['line']}" for s in step.get("sources", []))
                out.append([f["id"], p, n, what, label, ids, step.get("start") or "",
                            step.get("end") or "", src])
    return out


@contextmanager
def _text_file(path: Path, fmt: str) -> Iterator[TextIO]:
    """A file for :data:`TEXT_FORMATS`: CSV in UTF-8 with BOM (Excel), JSON in UTF-8."""
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            yield fh
    else:
        with path.open("w", encoding="utf-8") as fh:
            yield fh


def dump_findings(findings: list[dict[str, Any]], fmt: str, fh: TextIO,
                  extra: dict[str, Any] | None = None) -> None:
    """Write findings to a text stream as ``json`` (the contract) or ``csv`` (flat rows).

    ``extra`` adds keys beside ``findings`` to the JSON object (a scan's per-rule
    coverage and failures); CSV holds the findings only.

    Examples
    --------
    >>> import io
    >>> f = [{"id": "F-1", "rule": "COI-001", "category": "conflict_of_interest",
    ...       "score": 0.9, "title": "王建国 …", "entities": ["P1", "K1"], "evidence": [],
    ...       "explanation": "…"}]
    >>> buf = io.StringIO()
    >>> dump_findings(f, "csv", buf)
    >>> buf.getvalue().splitlines()
    ['id,score,rule,category,title,entities,date,sector,explanation,sources',
     'F-1,0.9,COI-001,conflict_of_interest,王建国 …,P1 K1,,,…,']
    """
    findings = [localized(f) for f in findings]
    if fmt == "json":
        # one finding per line: the C encoder (an indent would force the slow Python one)
        fh.write('{"findings": [\n')
        fh.write(",\n".join(json.dumps(f, ensure_ascii=False) for f in findings))
        fh.write("\n]")
        for key, value in (extra or {}).items():
            fh.write(f",\n{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
        fh.write("}\n")
    elif fmt == "csv":
        write_csv(fh, COLUMNS, rows(findings))
    else:
        raise ValueError(f"{fmt!r} does not go to a text stream (only {', '.join(TEXT_FORMATS)})")


def write_findings(findings: list[dict[str, Any]], path: Path, fmt: str,
                   extra: dict[str, Any] | None = None) -> None:
    """Write findings as ``json``, ``csv`` (UTF-8 with BOM) or ``xlsx`` (``extra``: keys
    beside the findings in JSON, see :func:`dump_findings`)."""
    if fmt in TEXT_FORMATS:
        with _text_file(path, fmt) as fh:
            dump_findings(findings, fmt, fh, extra)
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        findings = [localized(f) for f in findings]

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "findings"
        append_row(ws, COLUMNS)
        for r in rows(findings):
            append_row(ws, r)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for col, width in zip("ABCDEFGHIJ", (16, 7, 9, 20, 50, 30, 11, 14, 90, 40), strict=True):
            ws.column_dimensions[col].width = width
        for row in ws.iter_rows(min_row=2, min_col=9, max_col=9):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        ev = wb.create_sheet("evidence")
        append_row(ev, ["finding", "path", "step", "what", "name", "ids", "start", "end",
                        "sources"])
        for r in _evidence_rows(findings):
            append_row(ev, r)
        wb.save(path)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def dump_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str,
               fh: TextIO) -> None:
    """Write a table of named columns to a text stream as ``json`` or ``csv``.

    JSON keeps the values as they are (``{"columns": [...], "rows": [[...], ...]}``;
    a value JSON cannot hold is written as its text); CSV writes every value as text.

    Examples
    --------
    >>> import io
    >>> buf = io.StringIO()
    >>> dump_table(["名字", "n"], [["张三", 1]], "csv", buf)
    >>> buf.getvalue().splitlines()
    ['名字,n', '张三,1']
    >>> buf = io.StringIO()
    >>> dump_table(["名字", "n"], [["张三", 1]], "json", buf)
    >>> json.loads(buf.getvalue())
    {'columns': ['名字', 'n'], 'rows': [['张三', 1]]}
    """
    if fmt == "json":
        fh.write(json.dumps({"columns": list(columns), "rows": [list(r) for r in rows]},
                            ensure_ascii=False, indent=1, default=str) + "\n")
    elif fmt == "csv":
        write_csv(fh, columns, rows)
    else:
        raise ValueError(f"{fmt!r} does not go to a text stream (only {', '.join(TEXT_FORMATS)})")


def write_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], path: Path,
                fmt: str) -> None:
    """Write a table of named columns as ``json``, ``csv`` (UTF-8 with BOM) or ``xlsx``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_table(["名字"], [["张三"]], out, "csv")
    >>> out.read_bytes()[:3] == b"\\xef\\xbb\\xbf", out.read_text(encoding="utf-8-sig")
    (True, '名字\\n张三\\n')
    """
    if fmt in TEXT_FORMATS:
        with _text_file(path, fmt) as fh:
            dump_table(columns, rows, fmt, fh)
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "results"
        append_row(ws, list(columns))
        for r in rows:
            append_row(ws, list(r))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        wb.save(path)
    else:
        raise ValueError(f"unknown format {fmt!r}")
