"""Findings and tables out: JSON (the contract), CSV and Excel that open with Chinese intact.

Two kinds of result are written: findings (every field in JSON; one flat row each
in CSV; a findings sheet and an evidence sheet in Excel) and any table of named
columns (``{"columns": [...], "rows": [...]}`` in JSON). CSV and JSON also go to
a text stream (:func:`dump_findings`, :func:`dump_table`: what the command line
prints); in files CSV is UTF-8 with a byte-order mark, so Excel shows Chinese text.
Every CSV and XLSX cell goes through :mod:`exports.cells`: text a spreadsheet would
run as a formula is neutralised, numbers stay numbers, the JSON is left as it is.

Headers (:mod:`exports.columns`): JSON always names the columns by their stable machine
names; CSV and XLSX are opened by people (in Excel or WPS), so their header row and
sheet names are in the run's language, and ``--lang en`` gives the English header row,
which is the machine names. A Chinese workbook adds a sheet that pairs each header
with its machine name. The findings' human text (title, explanation) is rendered in
the run's language (:func:`lang.message.localized`); their machine fields (id, rule,
category, sector, entities, sources) are written as stored.

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
from exports.columns import label, labels
from graph.schema import SECTORS
from lang import language, pgettext
from lang.message import localized, word_in
from queries.naming import entities_cell

#: Every ``--format``: ``table`` is for the terminal only, ``xlsx`` for files only.
FORMATS = ("table", "csv", "json", "xlsx")
#: The formats that go to a text stream as well as to a file.
TEXT_FORMATS = ("csv", "json")
#: ``status`` (the finding's current triage status, :mod:`queries.triage`) came last and
#: is optional: blank for findings read where no triage is kept.
COLUMNS = ["id", "score", "rule", "category", "title", "entities", "names", "date",
           "sector", "explanation", "sources", "status"]
#: The columns of the evidence sheet (one row per step of every evidence path).
EVIDENCE_COLUMNS = ["finding", "path", "step", "what", "name", "ids", "start", "end",
                    "sources"]


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


def _coded(vocab: str, code: Any) -> str:
    """A code of the findings' vocabularies as a person reads it: the code itself in
    English (what machine readers of ``--lang en`` files get), the word otherwise."""
    text = "" if code is None else str(code)
    if not text or language() == "en":
        return text
    from visualizations.words import category_word, status_said  # loaded when needed

    if vocab == "category":
        return category_word(text)
    if vocab == "status":  # the language package's words: the store's wait for a catalog
        return status_said(text)
    return word_in(vocab, text, language()) if text in SECTORS else text


def rows(findings: list[dict[str, Any]]) -> list[list[Any]]:
    """One flat row per finding (the columns of :data:`COLUMNS`: ``names`` has each entity's
    name beside its id, as its evidence names it; ``status`` blank when the finding has
    none); in Chinese the category, sector and status in words.

    Examples
    --------
    >>> from lang import use_language
    >>> f = {"id": "F-1", "score": 0.9, "rule": "SUB-001", "category": "subsidy_fraud",
    ...      "title": "…", "entities": ["P1"], "sector": "pension", "explanation": "…"}
    >>> rows([f])[0][3], rows([f])[0][8], rows([{**f, "status": "in_review"}])[0][11]
    ('subsidy_fraud', 'pension', 'in_review')
    >>> with use_language("zh"):
    ...     rows([f])[0][3], rows([f])[0][8], rows([{**f, "status": "in_review"}])[0][11]
    ('补贴资金违规', '养老', '核查中')
    """
    return [[f["id"], f["score"], f["rule"], _coded("category", f["category"]), f["title"],
             " ".join(f["entities"]), entities_cell(f), f.get("date", ""),
             _coded("sector", f.get("sector", "")),
             f["explanation"], sources_of(f), _coded("status", f.get("status", ""))]
            for f in findings]


def _evidence_rows(findings: list[dict[str, Any]]) -> list[list[Any]]:
    from visualizations.words import detail_word, kind_word, tie_word

    english = language() == "en"
    out: list[list[Any]] = []
    for f in findings:
        for p, path in enumerate(f.get("evidence", []), start=1):
            for n, step in enumerate(path.get("path", []), start=1):
                what = step.get("rel") or step.get("node")
                label = step.get("name") or step.get("relation") or step.get("role") or ""
                if not english and step.get("rel"):
                    key = "relation" if step.get("relation") else "role"
                    label = detail_word(str(what), key, label) if label else label
                    what = tie_word(str(what))
                elif not english and what:
                    what = kind_word(str(what))
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

    ``extra`` adds keys beside ``findings`` to the JSON object (such as the scan's
    ``notes``); CSV holds the findings only.

    Examples
    --------
    >>> import io
    >>> f = [{"id": "F-1", "rule": "COI-001", "category": "conflict_of_interest",
    ...       "score": 0.9, "title": "王建国 …", "entities": ["P1", "K1"], "evidence": [],
    ...       "explanation": "…"}]
    >>> buf = io.StringIO()
    >>> dump_findings(f, "csv", buf)
    >>> buf.getvalue().splitlines()
    ['id,score,rule,category,title,entities,names,date,sector,explanation,sources,status',
     'F-1,0.9,COI-001,conflict_of_interest,王建国 …,P1 K1,P1 K1,,,…,,']
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
        write_csv(fh, labels(COLUMNS), rows(findings))
    else:
        raise ValueError(f"{fmt!r} does not go to a text stream (only {', '.join(TEXT_FORMATS)})")


def write_findings(findings: list[dict[str, Any]], path: Path, fmt: str,
                   extra: dict[str, Any] | None = None) -> None:
    """Write findings as ``json`` (with ``extra`` keys beside them), ``csv`` (UTF-8 with
    BOM) or ``xlsx`` (with a sheet of the rules' coverage and failures when ``extra``
    holds a scan's ``rules``)."""
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
        ws.title = pgettext("sheet", "findings")
        append_row(ws, labels(COLUMNS))
        for r in rows(findings):
            append_row(ws, r)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for col, width in zip("ABCDEFGHIJKL", (16, 7, 9, 20, 50, 30, 30, 11, 14, 90, 40, 12),
                              strict=True):
            ws.column_dimensions[col].width = width
        wrap = COLUMNS.index("explanation") + 1
        for row in ws.iter_rows(min_row=2, min_col=wrap, max_col=wrap):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        ev = wb.create_sheet(pgettext("sheet", "evidence"))
        append_row(ev, labels(EVIDENCE_COLUMNS))
        for r in _evidence_rows(findings):
            append_row(ev, r)
        for cell in ev[1]:
            cell.font = Font(bold=True)
        ev.freeze_panes = "A2"
        sheets = [(ws.title, COLUMNS), (ev.title, EVIDENCE_COLUMNS)]
        if extra and extra.get("rules"):
            sheets.append((_rules_sheet(wb, extra["rules"]), RULE_COLUMNS))
        _column_sheet(wb, sheets)
        wb.save(path)
    else:
        raise ValueError(f"unknown format {fmt!r}")


#: The columns of a workbook's rules sheet: per rule, its findings, its coverage
#: (:mod:`queries.coverage`) and why it failed.
RULE_COLUMNS = ["rule", "rule findings", "item", "items", "assessed", "flagged", "not assessed",
                "missing", "failed"]


def rule_rows(rules: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """One row of :data:`RULE_COLUMNS` per rule of a scan's ``rules`` summary
    (:meth:`queries.scan.ScanResult.summary`); a rule without coverage leaves its
    coverage cells empty, the missing fields are named in the run's language.

    Examples
    --------
    >>> rule_rows({"COI-001": {"findings": 1, "coverage": {
    ...     "item": "contract", "items": 5, "assessed": 3, "flagged": 1,
    ...     "not_assessed": 2, "missing": {"approver": 2}}},
    ...     "CLU-001": {"findings": 0, "failed": "TypeError: x"}})
    [['CLU-001', 0, '', '', '', '', '', '', 'TypeError: x'], \
['COI-001', 1, 'contracts', 5, 3, 1, 2, 'approver 2', '']]
    """
    from lang import gettext
    from queries.coverage import FIELDS, ITEMS

    out: list[list[Any]] = []
    for code, entry in sorted(rules.items()):
        c = entry.get("coverage")
        cov: list[Any] = ["", "", "", "", "", ""]
        if c:
            missing = "; ".join(f"{gettext(FIELDS.get(f, f))} {n}"
                                for f, n in c["missing"].items())
            cov = [gettext(ITEMS.get(c["item"], c["item"])), c["items"], c["assessed"],
                   c["flagged"], c["not_assessed"], missing]
        out.append([code, entry.get("findings", 0), *cov, entry.get("failed", "")])
    return out


def _rules_sheet(wb: Any, rules: dict[str, dict[str, Any]]) -> str:
    """A sheet of :func:`rule_rows`; returns its title."""
    from openpyxl.styles import Font

    ws = wb.create_sheet(pgettext("sheet", "rules"))
    append_row(ws, labels(RULE_COLUMNS))
    for r in rule_rows(rules):
        append_row(ws, r)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.column_dimensions["I"].width = 60
    ws.column_dimensions["H"].width = 30
    ws.freeze_panes = "A2"
    return str(ws.title)


def _column_sheet(wb: Any, sheets: Sequence[tuple[str, Sequence[str]]]) -> None:
    """A last sheet pairing every header shown with its machine name (only when a header
    differs from its name, i.e. not in English)."""
    pairs = [(sheet, label(name), name) for sheet, names in sheets for name in names]
    if all(shown == name for _, shown, name in pairs):
        return
    from openpyxl.styles import Font

    ws = wb.create_sheet(pgettext("sheet", "columns"))
    append_row(ws, [pgettext("column", "sheet"), pgettext("column", "header"),
                    pgettext("column", "machine name")])
    for pair in pairs:
        append_row(ws, list(pair))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABC", (14, 18, 18), strict=True):
        ws.column_dimensions[col].width = width


def dump_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str,
               fh: TextIO, labelled: bool = True) -> None:
    """Write a table of named columns to a text stream as ``json`` or ``csv``.

    JSON keeps the values as they are (``{"columns": [...], "rows": [[...], ...]}``;
    a value JSON cannot hold is written as its text); CSV writes every value as text.
    JSON names the columns by their machine names; the CSV header row shows their labels
    in the run's language (``labelled=False``: the names as given, e.g. a query's own).

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
        write_csv(fh, labels(columns) if labelled else list(columns), rows)
    else:
        raise ValueError(f"{fmt!r} does not go to a text stream (only {', '.join(TEXT_FORMATS)})")


def write_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], path: Path,
                fmt: str, labelled: bool = True) -> None:
    """Write a table of named columns as ``json``, ``csv`` (UTF-8 with BOM) or ``xlsx``
    (headers as :func:`dump_table` says; ``xlsx`` names its sheet in the run's language).

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
            dump_table(columns, rows, fmt, fh, labelled)
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = pgettext("sheet", "results")
        append_row(ws, labels(columns) if labelled else list(columns))
        for r in rows:
            append_row(ws, list(r))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        if labelled:
            _column_sheet(wb, [(ws.title, columns)])
        wb.save(path)
    else:
        raise ValueError(f"unknown format {fmt!r}")


#: A table of a report (:func:`dump_report`): its machine name (the JSON key), its title
#: and its sheet name in the run's language (the CSV section line; the XLSX sheet), its
#: columns (machine names), its values (for JSON) and its cells (the values as text, for
#: CSV and XLSX).
ReportTable = tuple[str, str, str, Sequence[str], Sequence[Sequence[Any]],
                    Sequence[Sequence[Any]]]


def dump_report(tables: Sequence[ReportTable], fmt: str, fh: TextIO,
                extra: dict[str, Any] | None = None) -> None:
    """Write several tables of one result to a text stream.

    JSON: one object, each table under its machine name as a list of objects keyed by
    the columns' machine names, with ``extra`` keys beside them. CSV: the tables one
    after another, each opened by a line with its title and its header row (labels in
    the run's language), a blank line between two.

    Examples
    --------
    >>> import io
    >>> t = [("precision", "Precision", "p", ["k", "hits"], [[10, 3]], [["10", "3"]]),
    ...      ("recall", "Recall", "r", ["category"], [["umbrella"]], [["=umbrella"]])]
    >>> buf = io.StringIO()
    >>> dump_report(t, "csv", buf)
    >>> buf.getvalue().splitlines()
    ['Precision', 'k,hits', '10,3', '', 'Recall', 'category', "'=umbrella"]
    >>> buf = io.StringIO()
    >>> dump_report(t, "json", buf, {"leads": 4})
    >>> json.loads(buf.getvalue())
    {'precision': [{'k': 10, 'hits': 3}], 'recall': [{'category': 'umbrella'}], 'leads': 4}
    """
    if fmt == "json":
        out: dict[str, Any] = {name: [dict(zip(columns, row, strict=True)) for row in values]
                               for name, _title, _sheet, columns, values, _cells in tables}
        fh.write(json.dumps({**out, **(extra or {})}, ensure_ascii=False, indent=1,
                            default=str) + "\n")
    elif fmt == "csv":
        for i, (_name, title, _sheet, columns, _values, cells) in enumerate(tables):
            if i:
                fh.write("\r\n")
            write_csv(fh, [title], [labels(columns), *cells])
    else:
        raise ValueError(f"{fmt!r} does not go to a text stream (only {', '.join(TEXT_FORMATS)})")


def write_report(tables: Sequence[ReportTable], path: Path, fmt: str,
                 extra: dict[str, Any] | None = None) -> None:
    """Write several tables of one result as ``json`` or ``csv`` (:func:`dump_report`),
    or ``xlsx``: one sheet per table, named by its title.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from openpyxl import load_workbook
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.xlsx"
    >>> write_report([("recall", "Recall", "recall", ["category", "found"], [["umbrella", 2]],
    ...                [["=umbrella", 2]])], out, "xlsx")
    >>> ws = load_workbook(out)["recall"]
    >>> [[c.value for c in row] for row in ws.iter_rows()]
    [['category', 'found'], ['=umbrella', 2]]
    >>> ws["A2"].data_type, ws["A2"].quotePrefix
    ('s', True)
    """
    if fmt in TEXT_FORMATS:
        with _text_file(path, fmt) as fh:
            dump_report(tables, fmt, fh, extra)
        return
    if fmt != "xlsx":
        raise ValueError(f"unknown format {fmt!r}")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    first = wb.active
    assert first is not None
    sheets = []
    for i, (_name, _title, sheet, columns, _values, cells) in enumerate(tables):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = _sheet_title(sheet)
        append_row(ws, labels(columns))
        for r in cells:
            append_row(ws, list(r))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        sheets.append((str(ws.title), columns))
    _column_sheet(wb, sheets)
    wb.save(path)


def _sheet_title(title: str) -> str:
    """A title as Excel takes it as a sheet name (no ``[]:*?/\\``, at most 31 characters).

    Examples
    --------
    >>> _sheet_title("leads: false / to review")
    'leads false  to review'
    """
    return "".join(c for c in title if c not in "[]:*?/\\")[:31]
