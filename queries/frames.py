"""The stored graph as pandas frames, loaded once per scan and shared by the rules.

Dates stay ISO text (they sort as dates). Open interval ends are filled so a
tie's interval is always ``[s, e]``: ``s`` = start or :data:`OPEN_START`,
``e`` = end or :data:`OPEN_END`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graph.schema import NODE_KINDS, REL_TYPES, kind_of_key
from graph.store import SourceRef, StoreView


def entity_label(view: StoreView, key: str) -> str:
    """``name (id1/id2)`` of an entity for messages and tables (its key when unknown).

    Examples
    --------
    >>> class V:
    ...     def get(self, key):
    ...         from graph.store import Entity, SourceRef
    ...         refs = (SourceRef("persons.csv", 2, "persons", "P1"),
    ...                 SourceRef("persons.csv", 3, "persons", "P2"))
    ...         return Entity(key, "person", "张伟", {}, refs) if key == "p:1" else None
    >>> entity_label(V(), "p:1"), entity_label(V(), "p:9")  # type: ignore[arg-type]
    ('张伟 (P1/P2)', 'p:9')
    """
    e = view.get(key)
    if e is None:
        return key
    ids = "/".join(e.source_ids)
    return f"{e.name} ({ids})" if ids and e.name else (e.name or ids or key)


class _Names(Mapping[str, str]):
    """Display names, loaded one entity kind at a time, when first asked for."""

    def __init__(self, frames: Frames) -> None:
        self._frames = frames
        self._by_kind: dict[str, dict[str, str]] = {}

    def _kind(self, kind: str) -> dict[str, str]:
        if kind not in self._by_kind:
            self._by_kind[kind] = self._frames.view.entity_names(kind) if kind else {}
        return self._by_kind[kind]

    def __getitem__(self, key: str) -> str:
        return self._kind(kind_of_key(key))[key]

    def __iter__(self) -> Iterator[str]:
        for kind in NODE_KINDS:
            yield from self._kind(kind)

    def __len__(self) -> int:
        return sum(len(self._kind(k)) for k in NODE_KINDS)

OPEN_START = "0000-01-01"
OPEN_END = "9999-12-31"


def in_force(s: pd.Series, e: pd.Series, on: pd.Series | str) -> pd.Series:
    """Whether the interval [s, e] holds on the date(s) ``on`` (inclusive).

    Examples
    --------
    >>> in_force(pd.Series(["2019-01-01"]), pd.Series([OPEN_END]), "2020-01-01").tolist()
    [True]
    """
    return (s <= on) & (on <= e)


def overlaps(s1: pd.Series, e1: pd.Series, s2: pd.Series, e2: pd.Series) -> pd.Series:
    """Whether two intervals share at least one day.

    Examples
    --------
    >>> overlaps(pd.Series(["2019-01-01"]), pd.Series(["2019-12-31"]),
    ...          pd.Series(["2020-01-01"]), pd.Series([OPEN_END])).tolist()
    [False]
    """
    return (s1 <= e2) & (s2 <= e1)


@dataclass
class Frames:
    """Lazy frames over a store view: entities by kind, relationship records by type."""

    view: StoreView
    _rels: dict[str, pd.DataFrame] = field(default_factory=dict)
    _ents: dict[str, pd.DataFrame] = field(default_factory=dict)
    _ids: dict[str, list[str]] | None = None
    _names: _Names | None = None
    _sources: dict[str, list[SourceRef]] | None = None
    _by_id: dict[str, pd.DataFrame] = field(default_factory=dict)

    def rel_row(self, type_: str, rid: str) -> Any:
        """One record of :meth:`rel` by id (indexed once per type)."""
        if type_ not in self._by_id:
            self._by_id[type_] = self.rel(type_).set_index("id", drop=False)
        return self._by_id[type_].loc[rid]

    def sources(self, key: str) -> list[SourceRef]:
        """The input rows that define an entity (all loaded on first use)."""
        return self._all_sources().get(key, [])

    def _all_sources(self) -> dict[str, list[SourceRef]]:
        """Every entity's source rows (ordered by table and id), read once."""
        if self._sources is None:
            self._sources = self.view.entity_sources()
        return self._sources

    def rel(self, type_: str) -> pd.DataFrame:
        """Records of one relationship type with filled interval columns ``s`` and ``e``."""
        if type_ not in self._rels:
            f = self.view.relations_frame(type_)
            if f.empty:
                f = pd.DataFrame(columns=["id", "src", "dst", "start", "end", "file", "line"])
            for prop in REL_TYPES[type_].props:
                if prop not in f.columns:
                    f[prop] = None
            f["s"] = f["start"].fillna(OPEN_START).astype(str)
            f["e"] = f["end"].fillna(OPEN_END).astype(str)
            self._rels[type_] = f
        return self._rels[type_]

    def ents(self, kind: str) -> pd.DataFrame:
        """Entities of one kind: key, name and their properties."""
        if kind not in self._ents:
            f = self.view.entities_frame(kind)
            if f.empty:
                f = pd.DataFrame(columns=["key", "name"])
            self._ents[kind] = f
        return self._ents[kind]

    @property
    def ids(self) -> dict[str, list[str]]:
        """Entity key -> every source id it was loaded from."""
        if self._ids is None:
            self._ids = {key: list(dict.fromkeys(s.source_id for s in refs))
                         for key, refs in self._all_sources().items()}
        return self._ids

    @property
    def names(self) -> Mapping[str, str]:
        """Entity key -> display name (each kind loaded when first needed)."""
        if self._names is None:
            self._names = _Names(self)
        return self._names

    def label(self, key: str) -> str:
        """``name (id1/id2)`` for explanations.

        Examples
        --------
        >>> class V:
        ...     def entity_sources(self):
        ...         return {"p:1": [SourceRef("persons.csv", 2, "persons", "P1"),
        ...                         SourceRef("persons.csv", 9, "persons", "P2")]}
        >>> f = Frames(V())  # type: ignore[arg-type]
        >>> f._names = {"p:1": "张伟"}  # type: ignore[assignment]
        >>> f.label("p:1")
        '张伟 (P1/P2)'
        """
        ids = "/".join(self.ids.get(key, [key]))
        name = self.names.get(key, "")
        return f"{name} ({ids})" if name and name != ids else ids

    def source_ids(self, keys: list[str]) -> list[str]:
        """Every source id of the given entities, in order, without repeats."""
        out: dict[str, None] = {}
        for k in keys:
            for sid in self.ids.get(k, [k]):
                out[sid] = None
        return list(out)

    def prop(self, kind: str, column: str) -> dict[str, Any]:
        """Entity key -> one property (missing values left out)."""
        f = self.ents(kind)
        if column not in f.columns:
            return {}
        sub = f[["key", column]].dropna()
        return dict(zip(sub["key"].tolist(), sub[column].tolist(), strict=True))
