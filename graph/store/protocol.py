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
        """Bulk insert source ids from columns table, source_id, key, file, line
        (a source id already known keeps the entity it resolved to)."""

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
        """Keep rows that were not loaded (same file and line replaces the old entry)."""

    def replace_findings(self, findings: list[dict[str, Any]], rules: list[str]) -> None:
        """Replace the stored findings of ``rules`` (each dict: id, rule, category, score,
        keys = entity keys, and the rest of the finding)."""

    def log_load(self, source: str, report: dict[str, Any]) -> int:
        """Append to the audit log; returns the load number."""


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

    def resolve(self, source_id: str, table: str | None = None) -> str | None:
        """Canonical key of an input id (in ``table``, else in the first table by name
        that holds it), or None."""

    def aliases(self) -> dict[tuple[str, str], str]:
        """Every ``(table, source_id) -> key`` pair."""

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
        line of its first source row, and the properties the schema declares for
        ``type_``."""

    def relation_sources(self, ids: Iterable[str]) -> dict[str, list[SourceRef]]:
        """Every source row (file and line) of each record (``[]`` for an unknown id)."""

    def entity_sources(self) -> dict[str, list[SourceRef]]:
        """Source rows (file, line, table, id) of every entity that has one, by key."""

    def findings(self, key: str | None = None) -> list[dict[str, Any]]:
        """Stored findings, best first; only those about entity ``key`` when given."""

    def finding(self, finding_id: str) -> dict[str, Any] | None:
        """One stored finding by id."""

    def set_aside(self) -> list[SetAsideRecord]:
        """Every row set aside by loads into this store, by file and line."""

    def loads(self) -> list[dict[str, Any]]:
        """The audit log of loads (id, at, source, report), oldest first."""


class Store(Protocol):
    """A backend: opens a writer and a view over one database."""

    location: str

    def writer(self) -> StoreWriter:
        """A writer; use it as a context manager."""

    def view(self) -> StoreView:
        """A read view."""

    def is_empty(self) -> bool:
        """True when the store holds no entity yet."""

    def adopt_salt(self, salt: str) -> None:
        """Take over another store's key secret; refused unless this store is empty."""

    def close(self) -> None:
        """Release connections."""
