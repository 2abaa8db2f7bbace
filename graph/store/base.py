"""What every backend shares, written once: the derived writes and reads.

A backend implements a few primitives in its own query language and inherits
the rest, as nomenklatura's ``store/base.py`` does:

- :class:`BaseWriter`: the backend opens, commits and rolls back
  (``_begin``, ``_commit``, ``_rollback``) and writes three frames
  (``_write_entities``, ``_write_aliases``, ``_write_relations``: the bulk path
  the loaders use) and three kinds of rows (``_write_set_aside``,
  ``_replace_findings``, ``_log_load``). Written here: the ``with`` block, the
  frame checks, the record writers (``put_*``, records turned into frames) and the
  serialising of set-aside rows, findings and load reports.
- :class:`BaseView`: the backend answers every read of
  :class:`~graph.store.protocol.StoreView` except :meth:`BaseView.neighbours` and
  :meth:`BaseView.relation_sources`, derived here from ``ties`` and
  ``relations_by_id``.
- :class:`BaseStore`: the backend opens writers and views, says whether it is
  empty and stores its key secret (``_set_salt``); :meth:`BaseStore.adopt_salt`
  is written here.

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
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, NamedTuple, Self

import pandas as pd

from graph.errors import StoreError
from graph.store.model import (
    AliasRecord,
    EntityRecord,
    Relation,
    RelationRecord,
    SetAsideRecord,
    SourceRef,
)
from graph.store.protocol import Store, StoreView, StoreWriter

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
    """A set-aside row as the backends write it (``row``: the cells as JSON text)."""

    file: str
    line: int
    table: str
    column: str
    code: str
    message: str
    row: str


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
        """Insert or replace set-aside rows by (file, line); one row per pair."""

    @abstractmethod
    def _replace_findings(self, rows: list[FindingRow], rules: list[str]) -> None:
        """Delete the findings of ``rules``, then insert or replace ``rows`` by id."""

    @abstractmethod
    def _log_load(self, source: str, at: str, report: str) -> int:
        """Append one load (report as JSON text); return its number (1, 2, ...)."""

    # --- the with block ------------------------------------------------------------------

    def __enter__(self) -> Self:
        if self._open:
            raise StoreError("this writer is already open",
                             hint="finish the outer `with store.writer()` block first")
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
            raise StoreError("a write outside a `with store.writer() as w:` block",
                             hint="write inside the block: it commits on a clean exit")

    def _frame(self, frame: pd.DataFrame, columns: Sequence[str], what: str) -> bool:
        """Check ``frame`` for ``columns``; False when it holds no row."""
        self._check_open()
        if frame.empty:
            return False
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise StoreError(f"a frame of {what} without column(s) {', '.join(missing)}",
                             hint=f"give every column of: {', '.join(columns)}")
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
        """Keep rows that were not loaded (same file and line replaces the old entry)."""
        self._check_open()
        rows = {(r.file, r.line): SetAsideRow(r.file, int(r.line), r.table, r.column, r.code,
                                              r.message, to_json(r.row)) for r in records}
        if rows:
            self._write_set_aside(list(rows.values()))

    def replace_findings(self, findings: list[dict[str, Any]], rules: list[str]) -> None:
        """Replace the stored findings of ``rules`` by ``findings`` (dicts with id, rule,
        category, score and ``keys``, the entity keys they are about); a finding of
        another rule is added (or replaces the one with its id)."""
        self._check_open()
        rows = {f["id"]: FindingRow(str(f["id"]), str(f["rule"]), str(f["category"]),
                                    float(f["score"]), tuple(dict.fromkeys(f.get("keys", ()))),
                                    to_json(f)) for f in findings}
        self._replace_findings(list(rows.values()), list(dict.fromkeys(rules)))

    def log_load(self, source: str, report: dict[str, Any]) -> int:
        """Append to the audit log (with the time, UTC); returns the load number."""
        self._check_open()
        return self._log_load(source, now_text(), to_json(report))


class BaseView(StoreView):
    """The view's derived half; a backend answers every other read of the protocol."""

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
    """The store's derived half; a backend opens writers and views and keeps its secret."""

    location: str
    #: Where to copy instead, when :meth:`adopt_salt` refuses.
    _FRESH_HINT = "copy into a new, empty store"

    @abstractmethod
    def _set_salt(self, salt: str) -> None:
        """Replace the store's key secret."""

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
                f"{self._where()}: already holds entities keyed with another secret; the "
                "same person would appear twice", hint=self._FRESH_HINT)
        self._set_salt(salt)
