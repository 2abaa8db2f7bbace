"""What every backend shares, written once: the derived writes and reads.

A backend implements a few primitives in its own query language and inherits
the rest, as nomenklatura's ``store/base.py`` does:

- :class:`BaseWriter`: the backend opens, commits and rolls back
  (``_begin``, ``_commit``, ``_rollback``) and writes three frames
  (``_write_entities``, ``_write_aliases``, ``_write_relations``: the bulk path
  the loaders use) and four kinds of rows (``_write_set_aside``,
  ``_replace_findings``, ``_log_load``, ``_note_chunk``). Written here: the ``with``
  block, the frame checks, the record writers (``put_*``, records turned into
  frames) and the serialising of set-aside rows, findings and load reports.
- :class:`BaseView`: the backend answers every read of
  :class:`~graph.store.protocol.StoreView` except :meth:`BaseView.neighbours`,
  :meth:`BaseView.relation_sources` (derived here from ``ties`` and
  ``relations_by_id``) and :meth:`BaseView.resolve` (from ``claims``).
- :class:`BaseStore`: the backend opens writers and views, says whether it is
  empty, stores its key secret (``_set_salt``) and keeps the load lock
  (``_claim``, ``end_load``); :meth:`BaseStore.adopt_salt` and
  :meth:`BaseStore.start_load` are written here.

The view's and the store's primitives are the protocol's own members, left
without a body here: mypy refuses to instantiate a backend that lacks one, and
``tests/graph/test_store_contract.py`` checks the same at run time and runs
every member on every backend.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, RelationRecord, SqliteStore
>>> store = SqliteStore(pathlib.Path(tempfile.mkdtemp()) / "case.db")
>>> [c.__name__ for c in type(store.view()).__mro__[:3]]
['SqliteView', 'BaseView', 'StoreView']
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张三", {}),
...                     EntityRecord("o:1", "organization", "水利局", {})])
...     w.put_relations([RelationRecord("r:HOLDS_POST:1", "HOLDS_POST", "p:1", "o:1",
...                                     "2019-01-01", None, {}, "positions.csv", 2)])
>>> [r.dst for r in store.view().neighbours("p:1")]
['o:1']
>>> store.writer().put_entities([])
Traceback (most recent call last):
...
graph.errors.StoreError: a write outside a `with store.writer() as w:` block
>>> store.close()
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, NamedTuple, Self

import pandas as pd

from graph.errors import AmbiguousIdError, StoreError
from graph.store.model import (
    AliasRecord,
    EntityRecord,
    LoadRun,
    Relation,
    RelationRecord,
    SetAsideRecord,
    SourceRef,
)
from graph.store.protocol import Store, StoreView, StoreWriter
from graph.store.runs import Holder, locked_error, this_process
from graph.text import N_, _

#: Columns of the frames :meth:`BaseWriter.write_entities`, ``write_aliases`` and
#: ``write_relations`` take (further columns are ignored).
ENTITY_COLUMNS = ("key", "kind", "name", "props")
ALIAS_COLUMNS = ("table", "source_id", "key", "file", "line")
RELATION_COLUMNS = ("id", "type", "src", "dst", "start", "end", "props", "file", "line")


def to_json(value: Any) -> str:
    """Compact JSON text with sorted keys, as the stores keep properties and bodies.

    Examples
    --------
    >>> to_json({"name": "张三", "age": 40})
    '{"age":40,"name":"张三"}'
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def entities_to_frame(records: Iterable[EntityRecord]) -> pd.DataFrame:
    """Entity records as the frame :meth:`BaseWriter.write_entities` takes.

    Examples
    --------
    >>> frame = entities_to_frame([EntityRecord("p:1", "person", "张三", {"gender": "男"})])
    >>> frame.iloc[0].tolist()
    ['p:1', 'person', '张三', '{"gender":"男"}']
    """
    rows = [(r.key, r.kind, r.name, to_json(r.props)) for r in records]
    return pd.DataFrame(rows, columns=list(ENTITY_COLUMNS))


def aliases_to_frame(records: Iterable[AliasRecord]) -> pd.DataFrame:
    """Alias records as the frame :meth:`BaseWriter.write_aliases` takes.

    Examples
    --------
    >>> aliases_to_frame([AliasRecord("persons", "P1", "p:1", "persons.csv", 2)]).to_dict("records")
    [{'table': 'persons', 'source_id': 'P1', 'key': 'p:1', 'file': 'persons.csv', 'line': 2}]
    """
    rows = [(r.table, r.source_id, r.key, r.file, r.line) for r in records]
    return pd.DataFrame(rows, columns=list(ALIAS_COLUMNS))


def relations_to_frame(records: Iterable[RelationRecord]) -> pd.DataFrame:
    """Relationship records as the frame :meth:`BaseWriter.write_relations` takes.

    Examples
    --------
    >>> r = RelationRecord("r:KIN:1", "KIN", "p:1", "p:2", None, None, {"relation": "spouse"},
    ...                    "relationships.csv", 2)
    >>> relations_to_frame([r])[["id", "start", "props", "line"]].to_dict("records")
    [{'id': 'r:KIN:1', 'start': None, 'props': '{"relation":"spouse"}', 'line': 2}]
    """
    rows = [(r.id, r.type, r.src, r.dst, r.start, r.end, to_json(r.props), r.file, r.line)
            for r in records]
    return pd.DataFrame(rows, columns=list(RELATION_COLUMNS))


class SetAsideRow(NamedTuple):
    """A set-aside row as the backends write it: its load, file and line, its place
    among that line's records (``seq``), and ``row``, the cells as JSON text."""

    load: int
    file: str
    line: int
    seq: int
    table: str
    column: str
    code: str
    message: str
    row: str


def unstored_set_aside(rows: Iterable[SetAsideRow],
                       stored: Iterable[SetAsideRow]) -> list[SetAsideRow]:
    """The ``rows`` to add beside the ``stored`` rows of their load, file and line: a row
    stored already (same load, file, line, table, column, code, message and cells;
    counted, so a record given twice in one write is kept twice) is left out, the others
    are numbered (``seq``) after the line's stored rows, in the order given.

    A source line can set aside records in several writes: a JSON package on one line
    is read in chunks, each chunk setting aside its own records. They all stay; writing
    the same records again adds nothing.

    Examples
    --------
    >>> a = SetAsideRow(1, "p.json", 1, 0, "bids", "status", "bad_vocabulary", "", "{}")
    >>> b = a._replace(table="awards")
    >>> [(r.table, r.seq) for r in unstored_set_aside([a, b], [a])]
    [('awards', 1)]
    >>> [(r.table, r.seq) for r in unstored_set_aside([a, a], [])]
    [('bids', 0), ('bids', 1)]
    """
    def what(r: SetAsideRow) -> tuple[Any, ...]:
        return (r.load, r.file, r.line, r.table, r.column, r.code, r.message, r.row)

    have: dict[tuple[Any, ...], int] = {}
    top: dict[tuple[int, str, int], int] = {}
    for r in stored:
        have[what(r)] = have.get(what(r), 0) + 1
        at = (r.load, r.file, r.line)
        top[at] = max(top.get(at, -1), r.seq)
    out = []
    for r in rows:
        if have.get(what(r), 0) > 0:
            have[what(r)] -= 1
            continue
        at = (r.load, r.file, r.line)
        n = top[at] = top.get(at, -1) + 1
        out.append(r._replace(seq=n))
    return out


class FindingRow(NamedTuple):
    """A finding as the backends write it: what they index, and the whole as JSON text."""

    id: str
    rule: str
    category: str
    score: float
    keys: tuple[str, ...]
    body: str


def now_text() -> str:
    """The current UTC time as the load log keeps it (``YYYY-MM-DD HH:MM:SS``).

    Examples
    --------
    >>> len(now_text()), now_text()[10]
    (19, ' ')
    """
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


class BaseWriter(StoreWriter):
    """The writer's derived half; a backend implements the ``_``-named primitives.

    Every write goes through one frame primitive (records become frames first), and
    every write is refused outside the ``with`` block, where a backend could neither
    commit it nor roll it back.
    """

    _open = False

    # --- primitives ----------------------------------------------------------------------

    @abstractmethod
    def _begin(self) -> None:
        """Start collecting writes (a transaction or a buffer)."""

    @abstractmethod
    def _commit(self) -> None:
        """Make every write since :meth:`_begin` durable; on failure leave none of them."""

    @abstractmethod
    def _rollback(self) -> None:
        """Drop every write since :meth:`_begin`."""

    @abstractmethod
    def _write_entities(self, frame: pd.DataFrame) -> None:
        """:meth:`write_entities` on a non-empty frame with its columns checked."""

    @abstractmethod
    def _write_aliases(self, frame: pd.DataFrame) -> None:
        """:meth:`write_aliases` on a non-empty frame with its columns checked."""

    @abstractmethod
    def _write_relations(self, frame: pd.DataFrame) -> None:
        """:meth:`write_relations` on a non-empty frame with its columns checked."""

    @abstractmethod
    def _write_set_aside(self, rows: list[SetAsideRow]) -> None:
        """Add ``rows`` beside the stored set-aside rows of their (load, file, line), less
        those stored already (:func:`unstored_set_aside` on the stored rows of those
        lines, read in this write)."""

    @abstractmethod
    def _replace_findings(self, rows: list[FindingRow], rules: list[str]) -> None:
        """Delete the findings of ``rules``, then insert or replace ``rows`` by id."""

    @abstractmethod
    def _log_load(self, source: str, at: str, report: str, load: int | None) -> int:
        """Append one load (report as JSON text) and return its number (1, 2, ...); with
        ``load``, finish that claimed load instead (state done, logged at ``at``), and
        mark the stopped loads of the same source resumed, dropping their set-aside
        rows."""

    @abstractmethod
    def _note_chunk(self, load: int) -> None:
        """Add one to the chunks written by ``load``."""

    # --- the with block ------------------------------------------------------------------

    def __enter__(self) -> Self:
        if self._open:
            raise StoreError(_("this writer is already open"),
                             hint=_("finish the outer `with store.writer()` block first"))
        self._begin()
        self._open = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._open = False
        if exc_type is None:
            self._commit()
        else:
            self._rollback()

    def _check_open(self) -> None:
        if not self._open:
            raise StoreError(_("a write outside a `with store.writer() as w:` block"),
                             hint=_("write inside the block: it commits on a clean exit"))

    def _frame(self, frame: pd.DataFrame, columns: Sequence[str], what: str) -> bool:
        """Check ``frame`` for ``columns``; False when it holds no row."""
        self._check_open()
        if frame.empty:
            return False
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise StoreError(_("a frame of {what} without column(s) {columns}").format(
                what=what, columns=", ".join(missing)),
                hint=_("give every column of: {columns}").format(columns=", ".join(columns)))
        return True

    # --- frames: the bulk path -----------------------------------------------------------

    def write_entities(self, frame: pd.DataFrame) -> None:
        """Bulk insert nodes from columns :data:`ENTITY_COLUMNS` (props as JSON text).

        An existing node keeps its values and gains the ones it lacked (also between
        rows of one frame: the first row's values win)."""
        if self._frame(frame, ENTITY_COLUMNS, "entities"):
            self._write_entities(frame)

    def write_aliases(self, frame: pd.DataFrame) -> None:
        """Bulk insert source ids from columns :data:`ALIAS_COLUMNS`; a source id already
        known keeps the entity it resolved to."""
        if self._frame(frame, ALIAS_COLUMNS, "source ids"):
            self._write_aliases(frame)

    def write_relations(self, frame: pd.DataFrame) -> None:
        """Bulk insert relationship records from columns :data:`RELATION_COLUMNS` (props
        as JSON text, blank dates as None or NaN); a known record only gains the new
        source rows."""
        if self._frame(frame, RELATION_COLUMNS, "relationship records"):
            self._write_relations(frame)

    # --- records: the same writes, one record at a time ----------------------------------

    def put_entities(self, records: Iterable[EntityRecord]) -> None:
        """Record form of :meth:`write_entities`."""
        self.write_entities(entities_to_frame(records))

    def put_aliases(self, records: Iterable[AliasRecord]) -> None:
        """Record form of :meth:`write_aliases`."""
        self.write_aliases(aliases_to_frame(records))

    def put_relations(self, records: Iterable[RelationRecord]) -> None:
        """Record form of :meth:`write_relations`."""
        self.write_relations(relations_to_frame(records))

    # --- bookkeeping ---------------------------------------------------------------------

    def put_set_aside(self, records: Iterable[SetAsideRecord]) -> None:
        """Keep rows that were not loaded, under their load. Every record is kept, whatever
        the writes it comes in (the records of one source line may come in several, as a
        JSON package on one line read in chunks); a record stored already for the same
        load, file and line is not added again (so writing records again changes
        nothing). A row's cells keep their order (the columns as the file had them)."""
        self._check_open()
        seq: dict[tuple[int, str, int], int] = {}
        rows = []
        for r in records:
            at = (int(r.load), r.file, int(r.line))
            n = seq[at] = seq.get(at, -1) + 1
            rows.append(SetAsideRow(at[0], r.file, at[2], n, r.table, r.column, r.code,
                                    r.message, json.dumps(r.row, ensure_ascii=False,
                                                          separators=(",", ":"))))
        if rows:
            self._write_set_aside(rows)

    def replace_findings(self, findings: list[dict[str, Any]], rules: list[str]) -> None:
        """Replace the stored findings of ``rules`` by ``findings`` (dicts with id, rule,
        category, score and ``keys``, the entity keys they are about); a finding of
        another rule is added (or replaces the one with its id)."""
        self._check_open()
        rows = {f["id"]: FindingRow(str(f["id"]), str(f["rule"]), str(f["category"]),
                                    float(f["score"]), tuple(dict.fromkeys(f.get("keys", ()))),
                                    to_json(f)) for f in findings}
        self._replace_findings(list(rows.values()), list(dict.fromkeys(rules)))

    def log_load(self, source: str, report: dict[str, Any], load: int | None = None) -> int:
        """Append to the audit log (with the time, UTC); returns the load number. With
        ``load`` (from :meth:`BaseStore.start_load`), finish that load under its number."""
        self._check_open()
        return self._log_load(source, now_text(), to_json(report), load)

    def note_chunk(self, load: int) -> None:
        """Count one more chunk written by ``load``, in this transaction."""
        self._check_open()
        self._note_chunk(load)


def ambiguous_error(source_id: str, claims: Sequence[AliasRecord],
                    names: dict[str, str]) -> AmbiguousIdError:
    """The error of an input id that names several entities, listing each claim.

    Examples
    --------
    >>> a = AliasRecord("persons", "P1", "p:h:aa", "/d/a/persons.csv", 2)
    >>> b = AliasRecord("persons", "P1", "p:h:bb", "/d/b/persons.csv", 2)
    >>> err = ambiguous_error("P1", [a, b], {"p:h:aa": "王振成", "p:h:bb": "高忠武"})
    >>> for part in str(err).split(": ", 1)[1].split("; "):
    ...     print(part)
    王振成 [p:h:aa] from /d/a/persons.csv line 2
    高忠武 [p:h:bb] from /d/b/persons.csv line 2
    >>> str(err).split(":")[0]
    'persons id P1 names 2 entities (different sources defined it)'
    >>> err.hint
    'give the key in brackets of the one you mean (e.g. p:h:aa) instead of the id'
    """
    table = claims[0].table if claims else ""
    keys = list(dict.fromkeys(c.key for c in claims))
    listed = _("; ").join(_("{name} [{key}] from {file} line {line}").format(
        name=names.get(c.key, "?"), key=c.key, file=c.file, line=c.line) for c in claims)
    return AmbiguousIdError(
        _("{table} id {id} names {n} entities (different sources defined it): {claims}").format(
            table=table, id=source_id, n=len(keys), claims=listed),
        hint=_("give the key in brackets of the one you mean (e.g. {key}) instead of the id")
        .format(key=keys[0] if keys else "?"))


class BaseView(StoreView):
    """The view's derived half; a backend answers every other read of the protocol."""

    def resolve(self, source_id: str, table: str | None = None) -> str | None:
        """Canonical key of an input id (in ``table``, else in the first table by name
        that holds it), or None; raises :class:`~graph.errors.AmbiguousIdError` when
        the id names several entities there. Read by :meth:`claims`."""
        found = self.claims(source_id, table)
        if not found:
            return None
        first = [c for c in found if c.table == found[0].table]
        keys = list(dict.fromkeys(c.key for c in first))
        if len(keys) == 1:
            return keys[0]
        names = {k: e.name for k in keys if (e := self.get(k)) is not None}
        raise ambiguous_error(source_id, first, names)

    def neighbours(self, key: str, types: Iterable[str] | None = None) -> list[Relation]:
        """Relationship records touching ``key`` (either end), optionally of some types,
        in id order: its :meth:`ties`, read back by :meth:`relations_by_id`."""
        wanted = None if types is None else set(types)
        rids = sorted({t.rid for t in self.ties([key]) if wanted is None or t.type in wanted})
        found = self.relations_by_id(rids)
        return [found[rid] for rid in rids if rid in found]

    def relation_sources(self, ids: Iterable[str]) -> dict[str, list[SourceRef]]:
        """Every source row (file and line) of each record (``[]`` for an unknown id),
        read by :meth:`relations_by_id`."""
        wanted = list(dict.fromkeys(ids))
        found = self.relations_by_id(wanted)
        return {rid: list(found[rid].sources) if rid in found else [] for rid in wanted}


class BaseStore(Store):
    """The store's derived half; a backend opens writers and views, keeps its secret and
    the load lock."""

    location: str
    #: Where to copy instead, when :meth:`adopt_salt` refuses.
    _FRESH_HINT = N_("copy into a new, empty store")

    @abstractmethod
    def _set_salt(self, salt: str) -> None:
        """Replace the store's key secret."""

    @abstractmethod
    def _claim(self, source: str, command: str, me: Holder, started: str,
               decide: Callable[[list[LoadRun]], list[int]]) -> int:
        """In one transaction that excludes every other claim: read the loads still
        marked running (as :class:`LoadRun`, their state as it stands), pass them to
        ``decide`` (which raises to refuse, else returns the ids to mark interrupted),
        mark those, and add this load as running (``me``, ``started``); return its
        number."""

    def start_load(self, source: str, command: str = "", *, take_over: bool = False) -> int:
        """Claim the database's load lock for a load of ``source``; return its number.

        Refused (:class:`~graph.errors.LoadLockedError`) while another load's process
        runs; a claim whose process is gone (or, with ``take_over``, one held on another
        host) is marked interrupted. See :mod:`graph.store.runs`."""
        me = this_process()

        def decide(running: list[LoadRun]) -> list[int]:
            for run in running:
                if run.state == "running" and not (take_over and run.host != me.host):
                    raise locked_error(run, self._where())
            return [run.id for run in running]

        return self._claim(source, command, me, now_text(), decide)

    def _where(self) -> str:
        """The store as error messages name it (never with credentials)."""
        return self.location

    def adopt_salt(self, salt: str) -> None:
        """Take over another store's key secret (only while empty), so person keys made
        from identity numbers agree between the two; the same secret is a no-op."""
        if salt == self.view().key_salt():
            return
        if not self.is_empty():
            raise StoreError(
                _("{where}: already holds entities keyed with another secret; the same person "
                  "would appear twice").format(where=self._where()), hint=_(self._FRESH_HINT))
        self._set_salt(salt)
