"""The one load pipeline: folders, mappings and standards all go through it.

Every source becomes chunks of layout tables (:mod:`loaders.chunk`): a layout
folder or a mapping's exports are one chunk, a standard a stream of them. Each
chunk goes through the same stages:

1. **check**: read each table in layout order and validate it against one
   registry of the ids known so far (the store's and this load's), setting bad
   rows aside (:func:`loaders.validate.check_table`);
2. **redefined**: note ids that earlier loads defined from another file;
3. **count**: add the chunk's rows to the report (read = loaded + set aside);
4. **refuse**: with ``strict``, any set-aside row stops the load before its first
   write (a stream is checked whole in a dry pass first, so nothing is written);
5. **write**: entities, aliases, relationship records and set-aside rows, in one
   store transaction per chunk;

and the load ends with one load-log entry, in the last chunk's transaction when
the chunks are known up front (a folder is written all or nothing), else in its
own. A whole-file problem raises :class:`graph.errors.InputError` while its chunk
is checked, before that chunk is written; loading the same source twice changes
nothing.

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

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from graph.errors import InputError
from graph.store import SetAsideRecord, Store
from loaders import build
from loaders.chunk import Chunk, ChunkSource, Places
from loaders.layout import TABLES
from loaders.read import RawTable
from loaders.registry import Registry
from loaders.report import LoadReport, Progress, StandardReport, Tally, one_per_row
from loaders.validate import Checked, check_table

R = TypeVar("R", bound=LoadReport)


def run(chunks: Sequence[Chunk] | ChunkSource, store: Store, report: R, *,
        strict: bool = False, partial: bool = False, progress: Progress | None = None) -> R:
    """Load ``chunks`` into ``store`` through the stages above; fill and return ``report``.

    Parameters
    ----------
    chunks:
        The chunks, when known up front (a folder: one chunk), or a function that
        yields them (a stream; called a second time for the dry pass of ``strict``).
    strict:
        Refuse the whole load (and write nothing) when any row would be set aside.
    partial:
        The source may name entities it does not hold (a standard's extract): a
        reference to a table no row defines is then a row problem
        (``unknown_reference``), not a whole-file one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> from graph.store import open_store
    >>> def persons(*ids: str) -> Chunk:
    ...     frame = pd.DataFrame({"person_id": ids, "name": "Ann", "_line": range(2, 2 + len(ids))})
    ...     return Chunk.of({"persons": RawTable(pathlib.Path("p.csv"), frame, "utf-8",
    ...                                          ["person_id", "name"])})
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "case.db")
    >>> run(lambda: iter([persons("A", "B"), persons("C")]), store, LoadReport("p.csv")).loaded
    3
    >>> run([persons("A", "A")], store, LoadReport("p.csv"), strict=True)
    Traceback (most recent call last):
    ...
    graph.errors.InputError: p.csv: line 3, column person_id: person_id 'A' is already defined ...
    >>> len(store.view().loads())
    1
    >>> store.close()
    """
    streamed = callable(chunks) or len(chunks) > 1
    if strict and streamed:
        _dry_pass(chunks, store, partial)
    reg = _registry(store, partial)
    earlier = _earlier(store)
    tally = Tally()
    last = -1 if callable(chunks) else len(chunks) - 1
    for n, chunk in enumerate(_each(chunks)):
        places = Places(chunk)
        checked = _check(chunk, reg, places, progress)
        if n == last:  # no chunk follows: free the ids before writing (a lower peak)
            reg.forget()
        _redefined(earlier, checked, places, report.redefined)
        new = len(report.set_aside)
        _count(report, tally, checked, chunk, places)
        report.tables = tally.tables()
        if strict and report.set_aside:
            raise _refusal(report.set_aside)
        _write(store, checked, report.set_aside[new:], places, progress,
               log=report if n == last else None)
    if last < 0:
        with store.writer() as w:
            report.load_id = w.log_load(report.source, report.as_dict())
    return report


def _each(chunks: Sequence[Chunk] | ChunkSource) -> Iterable[Chunk]:
    return chunks() if callable(chunks) else chunks


def _dry_pass(chunks: Sequence[Chunk] | ChunkSource, store: Store, partial: bool) -> None:
    """Check every chunk without writing; refuse when any row would be set aside."""
    reg = _registry(store, partial)
    aside: list[SetAsideRecord] = []
    for chunk in _each(chunks):
        aside += [r for c in _check(chunk, reg, Places(chunk)) for r in c.set_aside]
        aside += chunk.unconverted
    if aside:
        raise _refusal(aside)


def _registry(store: Store, partial: bool = False) -> Registry:
    """The ids ``store`` holds already, as the registry a load starts from.

    With ``partial``, every table counts as having rows, so that a reference to an id
    no row defines is a row problem even when no row of its table is known.
    """
    view = store.view()
    reg = Registry(salt=view.key_salt())
    for (table, sid), key in view.aliases().items():
        reg.table_known(table)[sid] = key
        reg.in_store[table] = reg.in_store.get(table, 0) + 1
    if partial:
        for table in TABLES:
            reg.in_store[table] = max(reg.in_store.get(table, 0), 1)
    return reg


def _check(chunk: Chunk, reg: Registry, places: Places,
                progress: Progress | None = None) -> list[Checked]:
    """Stage 1: read and validate the parts of ``chunk`` in layout order against ``reg``."""
    parts = chunk.ordered()
    out = []
    for i, part in enumerate(parts):
        if progress:
            progress(f"reading {part.label}", i, len(parts))
        c = check_table(TABLES[part.table], part.read(), reg)
        c.set_aside = places.records(c.set_aside)
        if part.place is not None:
            c.set_aside = part.place(c.set_aside)
        places.registry(reg, part.table)
        out.append(c)
    if progress:
        progress("checked", len(parts), len(parts))
    return out


def _earlier(store: Store) -> dict[tuple[str, str], str]:
    """(table, source id) -> file of every entity row loaded before."""
    view = store.view()
    if not view.counts_by_kind():
        return {}
    return {(s.table, s.source_id): s.file for refs in view.entity_sources().values()
            for s in refs}


def _redefined(earlier: dict[tuple[str, str], str], checked: list[Checked], places: Places,
               out: dict[str, tuple[int, str, str]]) -> None:
    """Stage 2: ids of this load that earlier loads defined from other files."""
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


def _count(report: LoadReport, tally: Tally, checked: list[Checked], chunk: Chunk,
           places: Places) -> None:
    """Stage 3: the chunk's rows in the tally, its set-aside records in the report."""
    parts: Counter[str] = Counter()
    for c in checked:
        part = parts[c.spec.name]
        parts[c.spec.name] += 1
        report.set_aside.extend(c.set_aside)
        if not places.mixed:
            tally.add(c.spec.name, str(c.path), c.encoding, loaded=c.loaded,
                      set_aside=len(c.set_aside), part=part)
            continue
        loaded = Counter(places.files_of(c).tolist())
        aside = Counter(r.file for r in c.set_aside)
        for f in loaded | aside:
            tally.add(c.spec.name, str(f), c.encoding, loaded=loaded[f], set_aside=aside[f])
    for (table, f), n in chunk.merged.items():
        tally.add(table, f, "json", loaded=n, set_aside=0)
    for r in chunk.unconverted:
        tally.add(r.table, r.file, "", loaded=0, set_aside=1)
        report.set_aside.append(r)


def _refusal(records: list[SetAsideRecord]) -> InputError:
    """Stage 4: the error that refuses a ``strict`` load, naming the first row set aside.

    Examples
    --------
    >>> r = SetAsideRecord("/d/persons.csv", 3, "persons", "name", "missing_required", "blank")
    >>> print(_refusal([r]))
    persons.csv: line 3, column name: blank (1 row(s) would be set aside)
    """
    first = records[0]
    return InputError(
        f"{Path(first.file).name}: line {first.line}, column {first.column or '-'}: "
        f"{first.message} ({len(records)} row(s) would be set aside)",
        hint="fix the rows, or load without --strict to set them aside")


def _write(store: Store, checked: list[Checked], aside: list[SetAsideRecord],
                places: Places, progress: Progress | None = None, *,
                log: LoadReport | None = None) -> None:
    """Stage 5: write a checked chunk in one transaction (with ``log``, its load-log entry).

    The store keeps one set-aside record per source row (file and line): when one row
    was set aside from several tables (a mapping can feed several tables from one row,
    a standard's record becomes several rows), the first is kept and names the others.
    """
    total = sum(c.loaded for c in checked)
    done = 0
    with store.writer() as w:
        for c in checked:
            if c.spec.key is not None:
                ents, aliases = build.entity_frames(c)
                w.write_entities(ents)
                w.write_aliases(places.frame(aliases))
            w.write_relations(places.frame(build.relation_frame(c)))
            done += c.loaded
            if progress:
                progress(f"writing {c.spec.name}", done, total)
        w.put_set_aside(one_per_row(aside))
        if log is not None:
            log.load_id = w.log_load(log.source, log.as_dict())


def load_tables(tables: Mapping[str, RawTable] | ChunkSource, store: Store, source: str, *,
                fmt: str = "layout", strict: bool = False, progress: Progress | None = None,
                notes: Iterable[str] = (), ignored: Iterable[str] = ()) -> StandardReport:
    """Load layout tables that a converter built in memory (FtM, OCDS, BODS) into ``store``.

    Parameters
    ----------
    tables:
        Either one set of tables (``{"persons": RawTable, ...}``, one chunk) or a
        function that returns an iterable of :class:`~loaders.chunk.Chunk` (a stream,
        written one transaction per chunk so memory stays bounded; an interrupted load
        can simply be run again).
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

    A converter's extract may name entities it does not hold: such references are set
    aside (``unknown_reference``) rather than refused as a whole.
    """
    chunks: Sequence[Chunk] | ChunkSource = (
        [Chunk.of(tables)] if isinstance(tables, Mapping) else tables)
    report = StandardReport(source, ignored_files=list(ignored), format=fmt, notes=list(notes))
    return run(chunks, store, report, strict=strict, partial=True, progress=progress)
