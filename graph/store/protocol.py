"""The store protocol: a batched writer and a read view.

Rules and algorithms see only :class:`StoreView`; loaders see only
:class:`StoreWriter`. Every backend implements :class:`Store`, and one
contract test suite (``tests/graph/test_store_contract.py``) runs every member
below against each backend.

A backend does not implement all of it: :mod:`graph.store.base` writes the
derived members once (the record writers, set-aside rows, findings, the load
log, the ``with`` block, :meth:`StoreView.neighbours`,
:meth:`StoreView.relation_sources`, :meth:`Store.adopt_salt`) over a few
primitives each backend answers in its own query language.

The view is as wide as its callers need and no wider: every member has a caller
in ``graph/``, ``queries/``, ``visualizations/``, ``exports/``, ``umbrella/`` or
``loaders/``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any, Protocol

import pandas as pd

from graph.store.model import (
    AliasRecord,
    Entity,
    EntityRecord,
    LoadRun,
    Relation,
    RelationRecord,
    SetAsideRecord,
    SourceRef,
    Tie,
)


class StoreWriter(Protocol):
    """Batched, all-or-nothing writes: commit on a clean exit, roll back on error.

    Writes are accepted only inside ``with store.writer() as w:``."""

    def __enter__(self) -> StoreWriter: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def write_entities(self, frame: pd.DataFrame) -> None:
        """Bulk insert nodes from columns key, kind, name, props (JSON text).

        An existing node keeps its values and gains the ones it lacked."""

    def write_aliases(self, frame: pd.DataFrame) -> None:
        """Bulk insert source ids from columns table, source_id, key, file, line.

        A source id already mapped to the same entity keeps its first file and line; one
        mapped to another entity (a second source numbering its rows the same way) is
        kept beside it, and the id becomes ambiguous (:meth:`StoreView.collisions`)."""

    def write_relations(self, frame: pd.DataFrame) -> None:
        """Bulk insert relationship records from columns id, type, src, dst, start, end,
        props (JSON text), file, line; a known record only gains the new source row."""

    def put_entities(self, records: Iterable[EntityRecord]) -> None:
        """Record form of :meth:`write_entities`."""

    def put_aliases(self, records: Iterable[AliasRecord]) -> None:
        """Record form of :meth:`write_aliases`."""

    def put_relations(self, records: Iterable[RelationRecord]) -> None:
        """Record form of :meth:`write_relations`."""

    def put_set_aside(self, records: Iterable[SetAsideRecord]) -> None:
        """Keep rows that were not loaded, under the load that set them aside (``load``).

        Every record is kept (a source row set aside from two tables is two records),
        whatever the writes it comes in: the records of one load, file and line written
        in several writes are all kept, one stored already is not added again."""

    def replace_findings(self, findings: list[dict[str, Any]], rules: list[str]) -> None:
        """Replace the stored findings of ``rules`` (each dict: id, rule, category, score,
        keys = entity keys, and the rest of the finding)."""

    def log_load(self, source: str, report: dict[str, Any], load: int | None = None) -> int:
        """Append to the audit log; returns the load number.

        With ``load`` (a number from :meth:`Store.start_load`), that load is finished:
        logged under its number and its claim released, in this transaction; earlier
        loads of the same source that stopped half-way are then resumed by it and no
        longer listed by :meth:`StoreView.load_runs` (nor their set-aside rows kept)."""

    def note_chunk(self, load: int) -> None:
        """Count one more chunk written by ``load``, in this transaction (so a load that
        stops says whether the database holds part of it)."""


class StoreView(Protocol):
    """Read access used by queries, rules, views, exports, the loaders and the CLI."""

    def key_salt(self) -> str:
        """The store's secret for person keys (keyed hashes of identity numbers)."""

    def counts_by_kind(self) -> dict[str, int]:
        """Number of nodes per node kind."""

    def counts_by_type(self) -> dict[str, int]:
        """Number of relationship records per relationship type."""

    def get(self, key: str) -> Entity | None:
        """The entity with this canonical key, or None."""

    def entities_by_key(self, keys: Sequence[str]) -> dict[str, Entity]:
        """The entities with these keys (unknown keys left out), each with its source rows,
        read in a few queries."""

    def resolve(self, source_id: str, table: str | None = None) -> str | None:
        """Canonical key of an input id (in ``table``, else in the first table by name
        that holds it), or None; :class:`~graph.errors.AmbiguousIdError`, listing every
        claim, when two sources mapped the id to different entities."""

    def claims(self, source_id: str | None = None,
               table: str | None = None) -> list[AliasRecord]:
        """Every mapping of input ids to entities with the file and line that defined it
        (of ``source_id`` only, and of ``table`` only, when given), by table, id, file
        and line."""

    def collisions(self) -> dict[tuple[str, str], list[AliasRecord]]:
        """Input ids mapped to two or more entities (``(table, source_id)`` -> their
        claims, as :meth:`claims` orders them), by table and id."""

    def aliases(self) -> dict[tuple[str, str], str]:
        """Every ``(table, source_id) -> key`` pair of an id that names one entity (ids
        that name several are in :meth:`collisions`)."""

    def entities(self, kind: str | None = None) -> Iterator[Entity]:
        """Entities, optionally of one kind, in key order."""

    def relations(self, types: Iterable[str] | None = None) -> Iterator[Relation]:
        """Relationship records, optionally of some types, in id order."""

    def relations_by_id(self, ids: Iterable[str]) -> dict[str, Relation]:
        """The records with these ids (unknown ids left out)."""

    def neighbours(self, key: str, types: Iterable[str] | None = None) -> list[Relation]:
        """Relationship records touching ``key`` (either end), optionally of some types,
        in id order."""

    def ties(self, keys: Sequence[str], on: str | None = None) -> list[Tie]:
        """Every record touching one of ``keys`` (in force on ``on`` when given, see
        :func:`~graph.store.model.tie_in_force`), once from each end that is in ``keys``."""

    def tie_degrees(self, keys: Sequence[str], on: str | None = None) -> dict[str, int]:
        """How many records (as :meth:`ties` counts them) touch each of ``keys``."""

    def entity_names(self, kind: str) -> dict[str, str]:
        """Key -> display name of every entity of ``kind`` (no properties)."""

    def entities_frame(self, kind: str) -> pd.DataFrame:
        """One row per entity of ``kind`` in key order: key, name and its properties as
        columns."""

    def relations_frame(self, type_: str) -> pd.DataFrame:
        """One row per record of ``type_`` in id order: id, src, dst, start, end, file and
        line of its first source row, the properties the schema declares for ``type_``,
        and ``weight``, the record's own recorded strength (:data:`graph.schema.REL_WEIGHT`;
        missing when its source records none)."""

    def relation_sources(self, ids: Iterable[str]) -> dict[str, list[SourceRef]]:
        """Every source row (file and line) of each record (``[]`` for an unknown id)."""

    def entity_sources(self) -> dict[str, list[SourceRef]]:
        """Source rows (file, line, table, id) of every entity that has one, by key."""

    def findings(self, key: str | None = None) -> list[dict[str, Any]]:
        """Stored findings, best first; only those about entity ``key`` when given."""

    def finding(self, finding_id: str) -> dict[str, Any] | None:
        """One stored finding by id."""

    def set_aside(self, load: int | None = None) -> list[SetAsideRecord]:
        """Rows set aside by loads into this store (by load ``load`` only, when given), by
        load, file, line and the order they were set aside in."""

    def loads(self) -> list[dict[str, Any]]:
        """The audit log of finished loads (id, at, source, report), oldest first."""

    def load_runs(self) -> list[LoadRun]:
        """Loads that started and did not finish (running, interrupted or failed), oldest
        first; see :mod:`graph.store.runs`."""


class Store(Protocol):
    """A backend: opens a writer and a view over one database."""

    location: str

    def writer(self) -> StoreWriter:
        """A writer; use it as a context manager."""

    def view(self) -> StoreView:
        """A read view."""

    def is_empty(self) -> bool:
        """True when the store holds no entity yet."""

    def start_load(self, source: str, command: str = "", *, take_over: bool = False) -> int:
        """Claim the database's load lock for a load of ``source`` and return its number.

        Refused (:class:`~graph.errors.LoadLockedError`, naming the holder and since
        when) while another load's process runs; a claim whose process is gone is marked
        interrupted and taken over (with ``take_over``, also one held on another host).
        ``command`` is how the load was started, shown to resume it."""

    def end_load(self, load: int, error: str | None = None) -> None:
        """Release the lock of ``load`` if it is still held (a load finished by
        :meth:`StoreWriter.log_load` is left as it is). Without ``error`` the claim is
        removed (its holder finished); with one, a load that wrote no chunk is forgotten
        and one that did is kept as failed, with ``error``, for :meth:`StoreView.load_runs`."""

    def adopt_salt(self, salt: str) -> None:
        """Take over another store's key secret; refused unless this store is empty."""

    def close(self) -> None:
        """Release connections."""
