"""Apply one table block of a mapping to a sheet: a layout table, ready for validation.

The result is a :class:`~loaders.read.RawTable` whose ``path`` is the original
file (``file.xlsx#sheet`` for a worksheet) and whose ``_line`` is the original
row, so validation, set-aside records and provenance point at the export itself.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from graph.normalize import clean_text, normalize_name
from graph.store.model import SetAsideRecord
from lang import _
from loaders.layout import TABLES, ColType
from loaders.mapping import transforms as tf
from loaders.mapping.codes import LABELS, header_key
from loaders.mapping.nodes import MappingError
from loaders.mapping.sources import Sheet
from loaders.mapping.spec import TEMPLATE_PART, FieldSpec, TableBlock
from loaders.read import LINE, RawTable

#: Date columns where a month or year means its last day ("until May 2021").
END_COLUMNS = frozenset({"end_date", "closed_date"})


@dataclass
class MappedTable:
    """A layout table made from a sheet, with what is needed to point back at it."""

    table: str
    raw: RawTable
    sheet: Sheet
    columns: dict[str, str]
    """Layout field -> the one source column it was read from (for set-aside records)."""
    merged: int = 0
    """Rows that repeated an earlier row's id and values (``distinct``) and were folded in."""

    def source_records(self, records: list[SetAsideRecord]) -> list[SetAsideRecord]:
        """Set-aside records naming the source column and keeping the source row as written.

        Examples
        --------
        >>> import pandas as pd
        >>> sh = Sheet(Path("k.csv"), None, "utf-8", ["干部", "称谓"], (1, 1),
        ...            pd.DataFrame({"干部": ["张三（P1）"], "称谓": ["表哥"]}), [3])
        >>> m = MappedTable("relationships", RawTable(Path("k.csv"), pd.DataFrame(), "utf-8", []),
        ...                 sh,
        ...                 {"relation": "称谓"})
        >>> r = SetAsideRecord("k.csv", 3, "relationships", "relation", "bad_vocabulary", "...")
        >>> (out,) = m.source_records([r])
        >>> out.column, out.row
        ('称谓', {'干部': '张三（P1）', '称谓': '表哥'})
        """
        where = {line: i for i, line in enumerate(self.sheet.lines)}
        bad = {b.line: b.cells for b in self.sheet.malformed}
        header = self.sheet.header
        out = []
        for r in records:
            if r.line in where:
                row = dict(zip(header, self.sheet.cells.iloc[where[r.line]].tolist(),
                               strict=True))
            elif r.line in bad:
                cells = bad[r.line]
                row = {(header[i] if i < len(header) else f"({i + 1})"): v
                       for i, v in enumerate(cells)}
            else:
                row = r.row
            out.append(replace(r, column=self.columns.get(r.column, r.column), row=row))
        return out


def resolve_column(name: str, sheet: Sheet, path: Path, line: int, what: str) -> str:
    """The sheet's header name for ``name``: exact (as compared), else a unique last part.

    Raises a :class:`MappingError` at ``line`` naming the column and the header.

    Examples
    --------
    >>> sh = Sheet(Path("r.xlsx"), "名册", "xlsx", ["姓名", "任职情况/职务"], (2, 3),
    ...            pd.DataFrame(), [])
    >>> resolve_column("职务", sh, Path("m.yaml"), 9, "field title")
    '任职情况/职务'
    >>> resolve_column("职位", sh, Path("m.yaml"), 9, "field title")
    Traceback (most recent call last):
    ...
    loaders.mapping.nodes.MappingError: m.yaml: line 9: field title: column '职位' is not in...
    """
    key = header_key(name)
    by_key = {header_key(h): h for h in sheet.header}
    if key in by_key:
        return by_key[key]
    tails = [h for h in sheet.header if header_key(h).rsplit("/", 1)[-1] == key]
    if len(tails) == 1:
        return tails[0]
    rows = sheet.header_lines
    if len(tails) > 1:
        raise MappingError(path, line, _("{what}: column '{name}' is ambiguous in {sheet} "
                                         "({columns})").format(
            what=what, name=name, sheet=sheet.label, columns=", ".join(tails)),
            hint=_("write the column's full name"))
    close = difflib.get_close_matches(name, sheet.header, n=1, cutoff=0.5)
    at = (_("row {first}") if rows[0] == rows[1] else _("rows {first}-{last}")).format(
        first=rows[0], last=rows[1])
    raise MappingError(
        path, line, (
            _("{what}: column '{name}' is not in the header of {sheet} ({rows}: {header}); did "
              "you mean '{close}'?") if close else
            _("{what}: column '{name}' is not in the header of {sheet} ({rows}: {header})"))
        .format(what=what, name=name, sheet=sheet.label, rows=at,
                header=", ".join(sheet.header), close=close[0] if close else ""),
        hint=_("correct the column name, or set header_row / header_rows if the header is "
               "elsewhere"))


class _Rows:
    """The rows of a sheet a block reads: raw and cleaned columns, cleaned once per sheet."""

    def __init__(self, sheet: Sheet, mask: np.ndarray, cols: dict[str, str]) -> None:
        self.sheet, self.mask, self.cols = sheet, mask, cols
        self.n = int(mask.sum())

    def raw(self, name: str) -> pd.Series:
        return self.sheet.cells[self.cols[name]][self.mask].reset_index(drop=True)

    def clean(self, name: str) -> pd.Series:
        return self.sheet.cleaned(self.cols[name])[self.mask].reset_index(drop=True)


def _where_mask(block: TableBlock, sheet: Sheet, path: Path) -> np.ndarray:
    mask = np.ones(len(sheet.cells), dtype=bool)
    for col, values, line in block.where:
        s = sheet.cleaned(resolve_column(col, sheet, path, line, "where"))
        if values == ("*",):
            mask &= (s != "").to_numpy()
        else:
            wanted = clean_text(pd.Series(list(values))).tolist()
            mask &= s.isin(wanted).to_numpy()
    return mask


def _base(f: FieldSpec, rows: _Rows) -> pd.Series:
    if f.source == "value":
        return pd.Series([f.text] * rows.n, dtype=str)
    if f.source == "column":
        return rows.clean(f.column)
    if f.source == "hash":
        parts = [rows.raw(c) if f.style == "ftm" else rows.clean(c) for c in f.columns]
        return tf.hash_ids(parts, style=f.style, seed=f.seed, prefix=f.prefix)
    values = {c: rows.clean(c) for c in f.columns}
    out = pd.Series([""] * rows.n, dtype=str)
    pos = 0
    for m in TEMPLATE_PART.finditer(f.text):
        out = out + f.text[pos:m.start()] + values[m.group(1)]
        pos = m.end()
    out = out + f.text[pos:]
    blank = np.logical_and.reduce([(v == "").to_numpy() for v in values.values()])
    return out.where(~blank, "").str.strip()


def field_values(f: FieldSpec, table: str, rows: _Rows) -> pd.Series:
    """One field for every row: its source, then split, extract, map, labels, types, default."""
    s = _base(f, rows)
    if f.split:
        s = tf.split_paren(s, f.split)
    if f.extract:
        s = tf.extract(s, f.extract)
    if f.codes or f.otherwise is not None:
        s = tf.map_codes(s, dict(f.codes), f.otherwise)
    spec = TABLES[table]
    col = spec.column(f.name) if f.name in spec.column_names() else None
    if col is not None:
        if col.type == ColType.VOCAB and f.name in LABELS:
            s = tf.map_codes(s, LABELS[f.name])
        elif col.type == ColType.DATE:
            end = f.date == "end" or (not f.date and f.name in END_COLUMNS)
            s = tf.dates(s, end=end, exact=f.date == "exact")
        elif col.type == ColType.AMOUNT:
            s = tf.amounts(s)
        elif col.type == ColType.PCT:
            s = tf.percents(s)
    if f.default:
        s = s.where(s != "", f.default)
    return s


def _fold(frame: pd.DataFrame, key: str) -> tuple[pd.DataFrame, int]:
    """Fold rows repeating an earlier row's id when they agree on every filled value."""
    ids = frame[key]
    dup = (ids.duplicated(keep=False) & (ids != "")).to_numpy()
    if not dup.any():
        return frame, 0
    cols = [c for c in frame.columns if c != LINE]
    compare = frame[cols].copy()
    if "name" in compare.columns:
        compare["name"] = normalize_name(compare["name"])
    values = compare.to_numpy(dtype=object)
    filled = frame[cols].to_numpy(dtype=object)
    keep = np.ones(len(frame), dtype=bool)
    first: dict[str, int] = {}
    names = ids.tolist()
    for pos in np.flatnonzero(dup).tolist():
        at = first.setdefault(names[pos], pos)
        if at == pos:
            continue
        a, b = values[at], values[pos]
        if all(x == y or x == "" or y == "" for x, y in zip(a, b, strict=True)):
            gaps = (a == "") & (b != "")
            values[at][gaps] = b[gaps]
            filled[at][gaps] = filled[pos][gaps]
            keep[pos] = False
    out = pd.DataFrame(filled[keep], columns=cols).astype(str)
    out[LINE] = frame[LINE].to_numpy()[keep]
    return out, int((~keep).sum())


def apply_block(block: TableBlock, sheet: Sheet, path: Path) -> MappedTable:
    """Make ``block``'s layout table from ``sheet`` (``path`` = the mapping, for errors)."""
    fields = (*block.fields, *block.extra)
    cols: dict[str, str] = {}
    for f in fields:
        for c in f.source_columns():
            cols[c] = resolve_column(c, sheet, path, f.line, _("field {name}").format(
                name=f.name))
    mask = _where_mask(block, sheet, path)
    rows = _Rows(sheet, mask, cols)
    frame = pd.DataFrame({f.name: field_values(f, block.table, rows) for f in fields},
                         index=pd.RangeIndex(rows.n))
    frame[LINE] = np.asarray(sheet.lines, dtype=np.int64)[mask]
    merged = 0
    key = TABLES[block.table].key
    if block.distinct and key is not None:
        frame, merged = _fold(frame, key)
    header = [f.name for f in fields]
    raw = RawTable(Path(sheet.label), frame, sheet.encoding, header, list(sheet.malformed))
    single = {f.name: cols[f.column] for f in fields if f.source == "column"}
    return MappedTable(block.table, raw, sheet, single, merged)

