"""The one load pipeline: folders, mappings and standards all go through it.

Every source becomes chunks of layout tables (:mod:`loaders.chunk`): a layout
folder or a mapping's exports are one chunk, a standard a stream of them. A load
first claims the database's load lock (:meth:`graph.store.Store.start_load`: one
load at a time, so the ids it checks against cannot change under it; a second load
is refused, naming the first), then each chunk goes through the same stages:

1. **check**: read each table in layout order and validate it against one
   registry of the ids known so far (the store's and this load's), setting bad
   rows aside (:func:`loaders.validate.check_table`);
2. **collisions**: note ids of this load that the store maps to other entities
   (another source defined them differently: both mappings are kept, and the id
   becomes ambiguous), and ids earlier loads defined from another file as the same
   entity;
3. **count**: add the chunk's rows to the report (read = loaded + set aside);
4. **refuse**: with ``strict``, any set-aside row stops the load before its first
   write (a stream is checked whole in a dry pass first, so nothing is written);
5. **write**: entities, aliases, relationship records and set-aside rows (under the
   load's number), in one store transaction per chunk that also counts the chunk on
   the load's claim;

and the load ends with its load-log entry, which releases the lock, in the last
chunk's transaction when the chunks are known up front (a folder is written all or
nothing), else in its own. A whole-file problem raises
:class:`graph.errors.InputError` while its chunk is checked, before that chunk is
written; the lock is then released (a load that wrote chunks stays listed as
failed, see :mod:`graph.store.runs`). Loading the same source twice changes nothing,
and a load that stopped half-way is resumed by running it again.

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
>>> [r.load for r in store.view().set_aside()] == [report.load_id]
True
>>> store.close()
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import pandas as pd

from graph.errors import InputError, LoadLockedError, UmbrellaError
from graph.store import AliasRecord, SetAsideRecord, Store
from lang import _
from loaders import build
from loaders.chunk import SPAN, Chunk, ChunkSource, Places
from loaders.layout import TABLES
from loaders.read import LINE, RawTable
from loaders.registry import Registry
from loaders.report import Collision, LoadReport, Progress, StandardReport, Tally, place
from loaders.validate import KEY, Checked, check_table

R = TypeVar("R", bound=LoadReport)
#: Every claim of an input id in the store, by (table, source id).
Claims = dict[tuple[str, str], list[AliasRecord]]


@dataclass(frozen=True)
class ClaimOptions:
    """How the loads of a block claim the load lock (see :func:`claim_options`)."""

    command: str = ""
    take_over: bool = False
    wait: float = 0.0
    on_wait: Callable[[str], None] | None = None


_CLAIM: ContextVar[ClaimOptions | None] = ContextVar("umbrella_load_claim", default=None)


@contextmanager
def claim_options(command: str = "", *, take_over: bool = False, wait: float = 0.0,
                  on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Say how the loads run inside the ``with`` block claim the database's load lock.

    ``command`` is how the user started the load (shown to resume it, should it stop
    half-way); ``take_over`` takes the lock over from a load that another host holds
    (its owner knows it is gone); ``wait`` is how many seconds to wait for another
    load to finish before refusing (``on_wait`` is told once why it waits). The
    command line sets them; a library call needs none.

    Examples
    --------
    >>> with claim_options("umbrella load ./county --db case.db"):
    ...     _claim().command
    'umbrella load ./county --db case.db'
    >>> _claim().command
    ''
    """
    token = _CLAIM.set(ClaimOptions(command, take_over, wait, on_wait))
    try:
        yield
    finally:
        _CLAIM.reset(token)


def _claim() -> ClaimOptions:
    return _CLAIM.get() or ClaimOptions()


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

    Raises :class:`graph.errors.LoadLockedError` when another load holds the database.

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
    >>> len(store.view().loads()), store.view().load_runs()
    (1, [])
    >>> store.close()
    """
    load = _start(store, report.source, _claim())
    report.load_id = load
    try:
        _stages(chunks, store, report, load, strict=strict, partial=partial, progress=progress)
    except BaseException as exc:
        with suppress(Exception):  # the error that stopped the load is the one to show
            store.end_load(load, _stopped_by(exc))
        raise
    store.end_load(load)
    return report


def _start(store: Store, source: str, options: ClaimOptions) -> int:
    """Claim the load lock, waiting up to ``options.wait`` seconds for another load."""
    deadline = time.monotonic() + options.wait
    told = False
    while True:
        try:
            return store.start_load(source, options.command, take_over=options.take_over)
        except LoadLockedError as err:
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            if options.on_wait is not None and not told:
                options.on_wait(_("{message}; waiting up to {seconds:g} s for it to finish")
                                .format(message=err.message, seconds=options.wait))
                told = True
            time.sleep(min(0.5, left))


def _stopped_by(exc: BaseException) -> str:
    """What stopped a load, in a few words.

    Examples
    --------
    >>> _stopped_by(KeyboardInterrupt()), _stopped_by(InputError("p.csv: empty file"))
    ('interrupted (Ctrl-C)', 'p.csv: empty file')
    """
    if isinstance(exc, KeyboardInterrupt):
        return _("interrupted (Ctrl-C)")
    if isinstance(exc, UmbrellaError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


def _stages(chunks: Sequence[Chunk] | ChunkSource, store: Store, report: LoadReport,
            load: int, *, strict: bool, partial: bool, progress: Progress | None) -> None:
    """The stages of :func:`run`, with the load lock held as load number ``load``."""
    streamed = callable(chunks) or len(chunks) > 1
    if strict and streamed:
        _dry_pass(chunks, store, partial)
    reg, earlier = _registry(store, partial)
    tally = Tally()
    seen: set[tuple[str, str]] = set()
    last = -1 if callable(chunks) else len(chunks) - 1
    for n, chunk in enumerate(_each(chunks)):
        places = Places(chunk)
        checked = _check(chunk, reg, places, progress)
        if n == last:  # no chunk follows: free the ids before writing (a lower peak)
            reg.forget()
        _collisions(earlier, checked, places, report, seen)
        new = len(report.set_aside)
        _count(report, tally, checked, chunk, places)
        report.set_aside[new:] = [replace(r, load=load) for r in report.set_aside[new:]]
        report.tables = tally.tables()
        if strict and report.set_aside:
            raise _refusal(report.set_aside)
        _write(store, checked, report.set_aside[new:], places, progress, load=load,
               log=report if n == last else None)
    if last < 0:
        with store.writer() as w:
            w.log_load(report.source, report.as_dict(), load=load)


def _each(chunks: Sequence[Chunk] | ChunkSource) -> Iterable[Chunk]:
    return chunks() if callable(chunks) else chunks


def _dry_pass(chunks: Sequence[Chunk] | ChunkSource, store: Store, partial: bool) -> None:
    """Check every chunk without writing; refuse when any row would be set aside."""
    reg, _claims = _registry(store, partial)
    aside: list[SetAsideRecord] = []
    for chunk in _each(chunks):
        aside += [r for c in _check(chunk, reg, Places(chunk)) for r in c.set_aside]
        aside += chunk.unconverted
    if aside:
        raise _refusal(aside)


def _registry(store: Store, partial: bool = False) -> tuple[Registry, Claims]:
    """The ids ``store`` holds already, as the registry a load starts from, and every
    claim of each id (file and line that defined it).

    An id the store maps to several entities is ambiguous: a reference to it is set
    aside unless the load defines the id itself. With ``partial``, every table counts
    as having rows, so that a reference to an id no row defines is a row problem even
    when no row of its table is known.
    """
    view = store.view()
    reg = Registry(salt=view.key_salt())
    earlier: Claims = {}
    for c in view.claims():
        earlier.setdefault((c.table, c.source_id), []).append(c)
    for (table, sid), claims in earlier.items():
        reg.in_store[table] = reg.in_store.get(table, 0) + 1
        if all(c.key == claims[0].key for c in claims):
            reg.table_known(table)[sid] = claims[0].key
            reg.from_store.setdefault(table, set()).add(sid)
        else:
            reg.ambiguous.setdefault(table, {})[sid] = _("; ").join(
                place(Path(c.file).name, c.line) for c in claims)
    if partial:
        for table in TABLES:
            reg.in_store[table] = max(reg.in_store.get(table, 0), 1)
    return reg, earlier


def _check(chunk: Chunk, reg: Registry, places: Places,
                progress: Progress | None = None) -> list[Checked]:
    """Stage 1: read and validate the parts of ``chunk`` in layout order against ``reg``."""
    parts = chunk.ordered()
    out = []
    for i, part in enumerate(parts):
        if progress:
            progress(_("reading {file}").format(file=part.label), i, len(parts))
        c = check_table(TABLES[part.table], part.read(), reg)
        c.set_aside = places.records(c.set_aside)
        if part.place is not None:
            c.set_aside = part.place(c.set_aside)
        places.registry(reg, part.table)
        out.append(c)
    if progress:
        progress(_("checked"), len(parts), len(parts))
    return out


def _collisions(earlier: Claims, checked: list[Checked], places: Places, report: LoadReport,
                seen: set[tuple[str, str]]) -> None:
    """Stage 2: ids this load defines that the store maps to other entities (the id is now
    ambiguous: :attr:`LoadReport.collisions`), and ids earlier loads defined from other
    files as the same entity (:attr:`LoadReport.redefined`)."""
    if not earlier:
        return
    for c in checked:
        if c.spec.key is None or c.frame.empty:
            continue
        table = c.spec.name
        files = places.files_of(c).tolist()
        lines = (c.frame[LINE].astype("int64") % SPAN if places.mixed else c.frame[LINE]).tolist()
        same = []
        for sid, key, file, line in zip(c.frame[c.spec.key].tolist(), c.frame[KEY].tolist(),
                                        files, lines, strict=True):
            claims = earlier.get((table, sid))
            if not claims:
                continue
            others = [x for x in claims if x.key != key]
            if others:
                if (table, sid) not in seen:
                    seen.add((table, sid))
                    report.collisions.append(Collision(
                        table, sid, place(file, int(line)),
                        tuple(place(x.file, x.line) for x in others)))
            elif all(x.file != file for x in claims):
                same.append((sid, claims[0].file))
        if same:
            n, sid, f = report.redefined.get(table, (0, same[0][0], same[0][1]))
            report.redefined[table] = (n + len(same), sid, f)


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
        _("{file}: line {line}, column {column}: {problem} ({n} row(s) would be set aside)")
        .format(file=Path(first.file).name, line=first.line, column=first.column or "-",
                problem=first.message, n=len(records)),
        hint=_("fix the rows, or load without --strict to set them aside"))


def _write(store: Store, checked: list[Checked], aside: list[SetAsideRecord],
           places: Places, progress: Progress | None = None, *, load: int,
           log: LoadReport | None = None) -> None:
    """Stage 5: write a checked chunk in one transaction as part of load ``load`` (with
    ``log``, its load-log entry, which finishes the load).

    The chunk's entities, source ids and relationship records are written as one frame of
    each (the store sorts each by key: rows of one key keep the order of their tables),
    the entities built before the write lock is taken, the records on a second thread
    while the entities are written.
    The store keeps every set-aside record of the report, under the load's number: a
    row set aside from several tables (a mapping can feed several tables from one row,
    a standard's record becomes several rows) is one record per table, as the report
    counts it.
    """
    ents: list[pd.DataFrame] = []
    aliases: list[pd.DataFrame] = []
    for c in checked:
        if c.spec.key is not None:
            e, a = build.entity_frames(c)
            ents.append(e)
            aliases.append(places.frame(a))
        elif c.spec.name == "items" and c.loaded:
            ents.append(build.item_entities(c))
    if progress:
        progress(_("writing"), 0, 1)
    with ThreadPoolExecutor(1, thread_name_prefix="umbrella-build") as pool:
        rels = pool.submit(_relation_frames, checked, places)
        try:
            with store.writer() as w:
                w.write_entities(_concat(ents))
                w.write_aliases(_concat(aliases))
                del ents[:], aliases[:]
                w.write_relations(_concat(rels.result()))
                w.put_set_aside(aside)
                w.note_chunk(load)
                if log is not None:
                    log.load_id = w.log_load(log.source, log.as_dict(), load=load)
        finally:
            rels.cancel()
    if progress:
        progress(_("writing"), 1, 1)


def _relation_frames(checked: list[Checked], places: Places) -> list[pd.DataFrame]:
    """The relationship records of every table of a chunk (built beside the writes of its
    entities: the store's work runs without the interpreter lock)."""
    return [places.frame(build.relation_frame(c)) for c in checked]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows of ``frames`` in order, as one frame (none: an empty one)."""
    frames = [f for f in frames if not f.empty]
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


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
