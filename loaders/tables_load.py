"""Load layout tables that converters built in memory (FollowTheMoney, OCDS, BODS).

A converter turns its records into the layout's tables (frames of text with the
``_line`` of the record that gave each row) and hands them over in chunks; each
chunk goes through the layout's own validation, set-aside and store writing
(:func:`loaders.validate.check_table`, :mod:`loaders.build`), with one registry for
the whole load, so every rule of the data layout holds for standards too and
``rows read = rows loaded + rows set aside`` per table.

Records that cannot become layout rows at all (an unreadable file, a malformed
JSON line, a record kind the layout has no place for) are set aside too, under a
pseudo-table in parentheses, with one of the reason codes in
:data:`STANDARD_REASONS`.

A single chunk is written in one transaction, like :func:`loaders.load.load_folder`.
A stream of several chunks is written one transaction per chunk, so memory stays
bounded; an interrupted load can simply be run again (it adds no duplicates).

Examples
--------
>>> import tempfile, pathlib
>>> import pandas as pd
>>> from graph.store import open_store
>>> from loaders.read import RawTable
>>> p = pathlib.Path("people.json")
>>> frame = pd.DataFrame({"person_id": ["A", "B"], "name": ["Ann", ""], "_line": [1, 2]})
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "case.db")
>>> report = load_tables({"persons": RawTable(p, frame, "json", ["person_id", "name"])},
...                      store, "people.json")
>>> report.read, report.loaded, report.set_aside_count, report.set_aside[0].code
(2, 1, 1, 'missing_required')
>>> store.close()
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from graph.errors import InputError
from graph.store import SetAsideRecord, Store
from loaders import build
from loaders.layout import TABLES
from loaders.load import LoadReport, Progress, TableReport, _registry
from loaders.read import LINE, RawTable
from loaders.registry import Registry, SetAsideRef
from loaders.validate import Checked, check_table

#: Reasons for records set aside before they became layout rows (beside the layout's own).
STANDARD_REASONS = {
    "unreadable": "the file cannot be read as a whole (empty, not JSON, wrong encoding, not "
                  "the format asked for)",
    "bad_json": "one line of a JSON-lines file is not valid JSON",
    "not_convertible": "a record the data layout has no place for (its kind, or a reference "
                       "it needs, is missing)",
    "superseded": "a statement replaced by a later statement of the same load",
}
#: Columns that are provenance, not data: kept on set-aside rows and entities.
POINTER = "json_pointer"


#: Lines of a chunk that mixes several files are ``file number * SPAN + line``.
SPAN = 1_000_000_000


@dataclass
class Chunk:
    """Layout tables converted from part of a source, and records that became no row.

    When ``files`` lists more than one file, the tables' paths are placeholders and
    each ``_line`` is ``file number * SPAN + line`` (many small files validate as one
    chunk: validation has a cost per table, not per row); :func:`load_tables` gives
    every row, record and message back its real file and line.
    """

    tables: dict[str, RawTable] = field(default_factory=dict)
    unconverted: list[SetAsideRecord] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    merged: dict[tuple[str, str], int] = field(default_factory=dict)
    """Rows merged into an earlier row of the same id in the chunk, per (table, file):
    read and loaded (as part of that row)."""


class _Places:
    """Real (file, line) of the rows of a chunk that mixes several files."""

    def __init__(self, chunk: Chunk) -> None:
        self.files = chunk.files if len(chunk.files) > 1 else []
        self.name = next((Path(r.path).name for r in chunk.tables.values()), "")

    def file_line(self, line: int) -> tuple[str, int]:
        return self.files[line // SPAN], line % SPAN

    def files_of(self, c: Checked) -> pd.Series:
        """The file of each good row of ``c``."""
        if not self.files:
            return pd.Series([str(c.path)] * len(c.frame), dtype=object)
        names = pd.Series(self.files, dtype=object)
        return pd.Series(names.iloc[(c.frame[LINE].astype("int64") // SPAN).to_numpy()]
                         .to_numpy(), dtype=object)

    def _text(self, message: str) -> str:
        def fix(m: re.Match[str]) -> str:
            f, n = self.file_line(int(m.group(1)))
            return f"{Path(f).name} line {n}"
        return re.sub(re.escape(self.name) + r" line (\d{10,})", fix, message)

    def record(self, r: SetAsideRecord) -> SetAsideRecord:
        """A set-aside record of the chunk's validation, with its real file and line."""
        if not self.files:
            return r
        f, n = self.file_line(r.line)
        return replace(r, file=f, line=n, message=self._text(r.message))

    def frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """Fix the ``file`` and ``line`` columns of an alias or relation frame."""
        if not self.files or df.empty:
            return df
        lines = df["line"].astype("int64")
        names = pd.Series(self.files, dtype=object)
        return df.assign(file=names.iloc[(lines // SPAN).to_numpy()].to_numpy(),
                         line=(lines % SPAN).to_numpy())

    def registry(self, reg: Registry, table: str) -> None:
        """Set-aside ids of ``table`` point at their real file and line."""
        if not self.files:
            return
        aside = reg.table_aside(table)
        for sid, ref in list(aside.items()):
            if ref.line >= SPAN:
                f, n = self.file_line(ref.line)
                aside[sid] = SetAsideRef(f, n, ref.code)


ChunkSource = Callable[[], Iterable[Chunk]]


@dataclass
class StandardReport(LoadReport):
    """A :class:`LoadReport` with the source format and notes on what was converted how."""

    format: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Plain-data form, with the format and the notes."""
        return {**super().as_dict(), "format": self.format, "notes": self.notes}


def _check_chunk(chunk: Chunk, reg: Registry, places: _Places) -> list[Checked]:
    out = []
    for t in TABLES:
        if t in chunk.tables:
            c = check_table(TABLES[t], chunk.tables[t], reg)
            c.set_aside = [places.record(r) for r in c.set_aside]
            places.registry(reg, t)
            out.append(c)
    return out


def _extra_props(c: Checked, rel: pd.DataFrame) -> pd.DataFrame:
    """Keep a relation table's unknown columns as relationship properties (layout rule:
    unknown columns are kept as properties)."""
    if c.spec.key is not None or rel.empty or len(rel) != len(c.frame):
        return rel
    known = set(c.spec.column_names()) | {LINE, POINTER}
    extra = [x for x in c.frame.columns if x not in known and not x.startswith("_")]
    if not extra:
        return rel
    values = c.frame[extra].to_dict("records")
    merged = []
    for props, more in zip(rel["props"].tolist(), values, strict=True):
        d: dict[str, Any] = json.loads(props)
        d.update({str(k): v for k, v in more.items() if v != "" and str(k) not in d})
        merged.append(json.dumps(d, ensure_ascii=False, separators=(",", ":")))
    return rel.assign(props=merged)


def _counts(report: StandardReport, checked: list[Checked], chunk: Chunk, places: _Places,
            totals: dict[tuple[str, str], list[Any]]) -> None:
    for c in checked:
        loaded = {str(f): int(n) for f, n in places.files_of(c).value_counts().items()}
        aside: dict[str, int] = {}
        for r in c.set_aside:
            aside[r.file] = aside.get(r.file, 0) + 1
        for f in set(loaded) | set(aside):
            t = totals.setdefault((c.spec.name, str(f)), [c.encoding, 0, 0, 0])
            t[1] += loaded.get(f, 0) + aside.get(f, 0)
            t[2] += loaded.get(f, 0)
            t[3] += aside.get(f, 0)
        report.set_aside.extend(c.set_aside)
    for (table, f), n in chunk.merged.items():
        t = totals.setdefault((table, f), ["json", 0, 0, 0])
        t[1] += n
        t[2] += n
    for r in chunk.unconverted:
        t = totals.setdefault((r.table, r.file), ["", 0, 0, 0])
        t[1] += 1
        t[3] += 1
        report.set_aside.append(r)


def _earlier(store: Store) -> dict[tuple[str, str], str]:
    """(table, source id) -> file of every entity row loaded before."""
    view = store.view()
    if not view.counts_by_kind():
        return {}
    return {(s.table, s.source_id): s.file for refs in view.entity_sources().values()
            for s in refs}


def _redefined(earlier: dict[tuple[str, str], str], checked: list[Checked], places: _Places,
               out: dict[str, tuple[int, str, str]]) -> None:
    """Ids of this load that earlier loads defined from other files (as in load_folder)."""
    if not earlier:
        return
    for c in checked:
        if c.spec.key is None:
            continue
        clash = [(sid, earlier[(c.spec.name, sid)]) for sid, here in
                 zip(c.frame[c.spec.key].tolist(), places.files_of(c).tolist(), strict=True)
                 if earlier.get((c.spec.name, sid), here) != here]
        if clash:
            n, sid, f = out.get(c.spec.name, (0, clash[0][0], clash[0][1]))
            out[c.spec.name] = (n + len(clash), sid, f)


def _refuse(records: list[SetAsideRecord]) -> InputError:
    first = records[0]
    return InputError(
        f"{Path(first.file).name}: line {first.line}, column {first.column or '-'}: "
        f"{first.message} ({len(records)} row(s) would be set aside)",
        hint="fix the records, or load without --strict to set them aside")


def _standard_registry(store: Store) -> Registry:
    """The store's registry, where a reference to an id no row defines is a row problem
    (``unknown_reference``), never a whole-file one: a standard's extract routinely
    names entities it does not hold, and chunks arrive one at a time."""
    reg = _registry(store)
    for table in TABLES:
        reg.in_store[table] = max(reg.in_store.get(table, 0), 1)
    return reg


def _dry_run(source: ChunkSource, store: Store) -> None:
    """Validate every chunk (no writes); raise when any row would be set aside."""
    reg = _standard_registry(store)
    aside: list[SetAsideRecord] = []
    for chunk in source():
        aside += chunk.unconverted
        for c in _check_chunk(chunk, reg, _Places(chunk)):
            aside += c.set_aside
    if aside:
        raise _refuse(aside)


def _write(store: Store, checked: list[Checked], aside: list[SetAsideRecord],
           places: _Places) -> None:
    with store.writer() as w:
        for c in checked:
            if c.spec.key is not None:
                ents, aliases = build.entity_frames(c)
                w.write_entities(ents)
                w.write_aliases(places.frame(aliases))
            w.write_relations(places.frame(_extra_props(c, build.relation_frame(c))))
        w.put_set_aside(aside)


def load_tables(tables: Mapping[str, RawTable] | ChunkSource, store: Store, source: str, *,
                fmt: str = "layout", strict: bool = False, progress: Progress | None = None,
                notes: Iterable[str] = (), ignored: Iterable[str] = ()) -> StandardReport:
    """Validate layout tables built in memory and write them to ``store``.

    Parameters
    ----------
    tables:
        Either one set of tables (``{"persons": RawTable, ...}``) or a function that
        returns an iterable of :class:`Chunk` (called twice with ``strict``).
    source:
        What the load log records as the source (a path).
    fmt:
        Name of the source format, kept in the report.
    strict:
        Refuse the whole load (and write nothing) when any row would be set aside.
    notes:
        Lines the report carries about the conversion.
    ignored:
        Names of files of the source that were not read (kept in the report).
    """
    if isinstance(tables, Mapping):
        fixed = Chunk(dict(tables))

        def chunks() -> Iterable[Chunk]:
            return [fixed]
    else:
        chunks = tables
    if strict:
        _dry_run(chunks, store)
    reg = _standard_registry(store)
    report = StandardReport(source, ignored_files=list(ignored), format=fmt, notes=list(notes))
    totals: dict[tuple[str, str], list[Any]] = {}
    earlier = _earlier(store)
    for n, chunk in enumerate(chunks()):
        places = _Places(chunk)
        checked = _check_chunk(chunk, reg, places)
        _redefined(earlier, checked, places, report.redefined)
        before = len(report.set_aside)
        _counts(report, checked, chunk, places, totals)
        _write(store, checked, report.set_aside[before:], places)
        if progress:
            progress(f"written part {n + 1}", n + 1, n + 1)
    report.tables = [TableReport(t, f, v[0], v[1], v[2], v[3]) for (t, f), v in totals.items()]
    with store.writer() as w:
        report.load_id = w.log_load(report.source, report.as_dict())
    return report
