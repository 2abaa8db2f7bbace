"""The stored graph for the rules: whole tables as frames, records and source rows by id.

Dates stay ISO text (they sort as dates). Open interval ends are filled so a
tie's interval is always ``[s, e]``: ``s`` = start or :data:`OPEN_START`,
``e`` = end or :data:`OPEN_END`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from graph.schema import REL_TYPES, REL_WEIGHT
from graph.store import SourceRef, StoreView
from lang.kinship import gender_code

if TYPE_CHECKING:
    from queries.engine import Engine


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


class _Ids(Mapping[str, list[str]]):
    """Entity key -> every source id it was loaded from, fetched a batch of keys at a time."""

    def __init__(self, frames: Frames) -> None:
        self._frames = frames

    def __getitem__(self, key: str) -> list[str]:
        refs = self._frames.sources(key)
        if not refs:
            raise KeyError(key)
        return list(dict.fromkeys(s.source_id for s in refs))

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames._sources)

    def __len__(self) -> int:
        return len(self._frames._sources)


class _Names(Mapping[str, str]):
    """Display names, fetched a batch of keys at a time (unknown keys are not in it)."""

    def __init__(self, frames: Frames) -> None:
        self._frames = frames

    def __getitem__(self, key: str) -> str:
        self._frames.prefetch_keys([key])
        name = self._frames._name.get(key)
        if name is None:
            raise KeyError(key)
        return name

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames._name)

    def __len__(self) -> int:
        return len(self._frames._name)


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


class Frames:
    """The store's tables for the rules: the columnar engine's tables as pandas frames when a
    rule wants a whole table, and records, names and source rows by id, fetched in batches
    and kept, for the evidence of findings.

    Parameters
    ----------
    view:
        The store view read.
    engine:
        The engine over ``view`` (made here when not given).
    """

    def __init__(self, view: StoreView, engine: Engine | None = None) -> None:
        self.view = view
        self._engine = engine
        self._rels: dict[str, pd.DataFrame] = {}
        self._ents: dict[str, pd.DataFrame] = {}
        self._records: dict[str, dict[str, Any]] = {}
        self._sources: dict[str, list[SourceRef]] = {}
        self._extra: dict[str, list[SourceRef]] | None = None
        self._asked: dict[str, list[SourceRef]] = {}
        self._names: _Names | None = None
        self._name: dict[str, str] = {}
        self._gender: dict[str, str] = {}
        self._first: dict[str, str] | None = None

    @property
    def engine(self) -> Engine:
        """The columnar engine over the view (made when first used)."""
        if self._engine is None:
            from queries.engine import Engine
            self._engine = Engine(self.view)
        return self._engine

    def close(self) -> None:
        """Release the engine."""
        if self._engine is not None:
            self._engine.close()

    # -- whole tables --------------------------------------------------------------

    def rel(self, type_: str) -> pd.DataFrame:
        """Records of one relationship type with filled interval columns ``s`` and ``e`` (and
        ``weight``, the record's own recorded strength, blank when none)."""
        if type_ not in self._rels:
            props = [p for p in REL_TYPES[type_].props]
            cols = ", ".join(["id", "src", "dst", "start", '"end"', "file", "line",
                              *(f'"{p}"' for p in props), f'"{REL_WEIGHT}"', "s", "e"])
            f = self.engine.frame(f'SELECT {cols} FROM "rel_{type_}" ORDER BY id')
            self._rels[type_] = _objects(f)
        return self._rels[type_]

    def ents(self, kind: str) -> pd.DataFrame:
        """Entities of one kind: key, name and their properties (blank ones left empty)."""
        if kind not in self._ents:
            f = self.engine.frame(f'SELECT * FROM "ent_{kind}" ORDER BY key')
            self._ents[kind] = _objects(f)
        return self._ents[kind]

    def prop(self, kind: str, column: str) -> dict[str, Any]:
        """Entity key -> one property (missing values left out)."""
        f = self.ents(kind)
        if column not in f.columns:
            return {}
        sub = f[["key", column]].dropna()
        return dict(zip(sub["key"].tolist(), sub[column].tolist(), strict=True))

    # -- records by id, for evidence ------------------------------------------------

    def prefetch(self, type_: str, ids: Iterable[str | None]) -> None:
        """Fetch records of ``type_`` by id in one query (kept for :meth:`rel_row`)."""
        want = [i for i in dict.fromkeys(ids) if isinstance(i, str) and i
                and i not in self._records]
        if want:
            found = self.engine.by_id(f"rel_{type_}", "id", want)
            self._records.update(found)

    def rel_row(self, type_: str, rid: str) -> dict[str, Any]:
        """One record of ``type_`` by id (columns of :meth:`rel`)."""
        if rid not in self._records:
            self.prefetch(type_, [rid])
        return self._records[rid]

    def extra_sources(self, rids: Iterable[str]) -> dict[str, list[SourceRef]]:
        """Source rows of each record beyond the one kept on the record itself (on the
        embedded store the whole, usually small, table is read once; another store is
        asked for the records' source rows, which may include that one)."""
        wanted = list(dict.fromkeys(rids))
        if not self.engine.has_source_table():
            missing = [r for r in wanted if r not in self._asked]
            if missing:
                self._asked.update(self.view.relation_sources(missing))
            return {r: self._asked.get(r, []) for r in wanted}
        if self._extra is None:
            table = self.engine.arrow("SELECT id, file, line FROM relation_sources "
                                      "ORDER BY id, file, line")
            self._extra = {}
            for rid, file, line in zip(*(table.column(c).to_pylist()
                                         for c in ("id", "file", "line")), strict=True):
                self._extra.setdefault(str(rid), []).append(SourceRef(str(file), int(line)))
        return {r: self._extra.get(r, []) for r in wanted}

    def prefetch_keys(self, keys: Iterable[str | None]) -> None:
        """Fetch the names, source rows and (of persons) genders of entities in a few
        queries (kept for :meth:`sources`, :attr:`names`, :attr:`ids` and :meth:`gender`)."""
        want = [k for k in dict.fromkeys(keys) if isinstance(k, str) and k
                and k not in self._sources]
        if not want:
            return
        found = self.view.entities_by_key(want)
        for k in want:
            e = found.get(k)
            self._sources[k] = list(e.sources) if e is not None else []
            if e is not None:
                self._name[k] = e.name
                code = gender_code(e.props.get("gender")) if e.kind == "person" else None
                if code is not None:
                    self._gender[k] = code

    def gender(self, key: str) -> str | None:
        """A person's gender on record as ``m`` or ``f`` (None when not recorded, or not
        a person), fetched with the entity (:meth:`prefetch_keys`).

        Examples
        --------
        >>> from graph.store import Entity
        >>> class V:
        ...     def entities_by_key(self, keys):
        ...         return {"p:1": Entity("p:1", "person", "李娜", {"gender": "女"}, ())}
        >>> f = Frames(V())  # type: ignore[arg-type]
        >>> f.gender("p:1"), f.gender("p:2")
        ('f', None)
        """
        if key not in self._sources:
            self.prefetch_keys([key])
        return self._gender.get(key)

    def chain_keys(self, start: str, path: str, type_: str = "KIN") -> list[str]:
        """The persons a chain of records (ids joined by ``>``, as the kin chains carry
        them) passes through from ``start``, in order, ``start`` left out: each record's
        other end from the person before it."""
        out: list[str] = []
        here = start
        for rid in path.split(">") if path else []:
            r = self.rel_row(type_, rid)
            here = str(r["dst"] if r["src"] == here else r["src"])
            out.append(here)
        return out

    def prefetch_chains(self, chains: Iterable[tuple[str, str]], type_: str = "KIN") -> None:
        """Fetch in batches the records of chains (``(start, path)`` pairs) and then
        every person along them (names, source rows, genders)."""
        todo = [(s, p) for s, p in chains if isinstance(p, str) and p]
        self.prefetch(type_, (rid for _, p in todo for rid in p.split(">")))
        self.prefetch_keys([*(s for s, _ in todo),
                            *(k for s, p in todo for k in self.chain_keys(s, p, type_))])

    def sources(self, key: str) -> list[SourceRef]:
        """The input rows that define an entity (ordered by table and id)."""
        if key not in self._sources:
            self.prefetch_keys([key])
        return self._sources[key]

    def first_ids(self) -> dict[str, str]:
        """Entity key -> its first input id (by table, then id), for every entity, in key
        order (one query, kept)."""
        if self._first is None:
            from graph.store.arrow import first_source_ids

            rows = first_source_ids(self.view)
            self._first = dict(zip(rows.column("key").to_pylist(),
                                   rows.column("source_id").to_pylist(), strict=True))
        return self._first

    @property
    def ids(self) -> Mapping[str, list[str]]:
        """Entity key -> every source id it was loaded from (fetched as asked)."""
        return _Ids(self)

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
        ...     pass
        >>> f = Frames(V())  # type: ignore[arg-type]
        >>> f._sources["p:1"] = [SourceRef("persons.csv", 2, "persons", "P1"),
        ...                      SourceRef("persons.csv", 9, "persons", "P2")]
        >>> f._names = {"p:1": "张伟"}  # type: ignore[assignment]
        >>> f.label("p:1")
        '张伟 (P1/P2)'
        """
        ids = "/".join(self.ids.get(key, [key]))
        name = self.names.get(key, "")
        return f"{name} ({ids})" if name and name != ids else ids

    def source_ids(self, keys: list[str]) -> list[str]:
        """Every source id of the given entities, in order, without repeats."""
        self.prefetch_keys(keys)
        out: dict[str, None] = {}
        for k in keys:
            for sid in self.ids.get(k, [k]):
                out[sid] = None
        return list(out)


def _objects(f: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Python strings (None for blank), as the rules compare them."""
    for c in f.columns:
        if f[c].dtype != object and not pd.api.types.is_numeric_dtype(f[c]):
            f[c] = f[c].astype(object).where(f[c].notna(), None)
    return f
