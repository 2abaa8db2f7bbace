"""Saved investigations for the commands: save a canvas by ids, describe it, export and
import it as a self-describing JSON file.

The book itself is :mod:`graph.store.investigations`; this module resolves the ids a
person types against the store, keeps the layout of entities a new version still holds,
and writes and reads the exchange file:

.. code-block:: json

    {"format": "umbrella-investigation", "format_version": 1, "name": "校舍维修",
     "version": 2, "saved_at": "2026-12-05 21:40:00", "author": "王芳",
     "as_of": "2023-09-12", "notes": "...", "revealed": false,
     "entities": [{"id": "P0001387", "kind": "person", "name": "王建国",
                   "x": -120.0, "y": 40.0, "hidden": false}]}

Identity numbers written in names or notes are masked in the file unless ``reveal``.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, open_store
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> store = open_store(folder / "case.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张三", {})])
>>> inv = save_canvas(store, "张三的关系", ["p:1"], notes="身份证 110101199003078515", user="li")
>>> doc = document(store, inv)
>>> doc["entities"][0]["name"], "110101199003078515" in doc["notes"]
('张三', False)
>>> write_document(doc, folder / "张三.json")
>>> read_document(folder / "张三.json").entities
('p:1',)
>>> store.close()
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph.errors import UmbrellaError
from graph.ids import mask_id_numbers
from graph.store import Store, StoreView
from graph.store.investigations import (
    Investigation,
    check_investigation,
    investigation_book,
    missing,
)
from graph.store.investigations import copy as copy_in
from lang import _
from queries.triage import user_name

FORMAT = "umbrella-investigation"
FORMAT_VERSION = 1


#: From this many ids on, :func:`keys_of` reads the store's id table once instead of
#: asking for each id (each :meth:`StoreView.resolve` looks through every table).
BATCH_IDS = 8


def keys_of(view: StoreView, ids: Sequence[str]) -> dict[str, str | None]:
    """The key of each id as :meth:`StoreView.resolve` gives it (the first table by name
    that holds the input id; an entity key as itself), None for an id the store does not
    hold; an id that names several entities raises
    :class:`~graph.errors.AmbiguousIdError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import AliasRecord, EntityRecord, open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "k.db")
    >>> with store.writer() as w:
    ...     w.put_entities([EntityRecord(f"p:{i}", "person", f"人{i}", {}) for i in range(9)])
    ...     w.put_aliases([AliasRecord("persons", f"P{i}", f"p:{i}", "persons.csv", i + 2)
    ...                    for i in range(9)])
    >>> ids = [f"P{i}" for i in range(9)] + ["p:3", "P404"]
    >>> found = keys_of(store.view(), ids)
    >>> found["P8"], found["p:3"], found["P404"]
    ('p:8', 'p:3', None)
    >>> found == {i: store.view().resolve(i) or (i if i == "p:3" else None) for i in ids}
    True
    >>> store.close()
    """
    wanted = list(dict.fromkeys(ids))
    out: dict[str, str | None] = {}
    if len(wanted) < BATCH_IDS:
        for given in wanted:
            out[given] = view.resolve(given.strip()) if given.strip() else None
    else:
        unique = view.aliases()
        collided = view.collisions()
        tables = sorted({t for t, _s in unique} | {t for t, _s in collided})
        several = {sid for _t, sid in collided}
        for given in wanted:
            text = given.strip()
            if text in several:
                out[given] = view.resolve(text)
                continue
            out[given] = next((unique[(t, text)] for t in tables if (t, text) in unique), None)
    unknown = [g for g, k in out.items() if k is None and g.strip()]
    if unknown:
        present = view.entities_by_key([g.strip() for g in unknown])
        out.update({g: g.strip() for g in unknown if g.strip() in present})
    return out


def known_keys(view: StoreView, ids: Sequence[str]) -> dict[str, str | None]:
    """:func:`keys_of`, with an id that names several entities taken as unknown (None):
    for showing what a saved canvas holds, where one unclear id must not hide the rest."""
    try:
        return keys_of(view, ids)
    except UmbrellaError:
        out: dict[str, str | None] = {}
        for ident in ids:
            try:
                out[ident] = keys_of(view, [ident])[ident]
            except UmbrellaError:
                out[ident] = None
        return out


def resolve_ids(view: StoreView, ids: Sequence[str]) -> dict[str, str]:
    """The key of each id (an input id or a key), in order; an error names those the
    store does not hold."""
    found = keys_of(view, ids)
    keys: dict[str, str] = {}
    unknown = []
    for given in ids:
        key = found.get(given)
        if key is None:
            unknown.append(given)
        else:
            keys[given.strip()] = key
    if unknown:
        raise UmbrellaError(
            _("no entity with id {ids} in this database").format(ids=", ".join(unknown)),
            hint=_("use ids as umbrella show or search prints them, e.g. P0001387"))
    return keys


def save_canvas(store: Store, name: str, ids: Sequence[str], *, notes: str | None = None,
                as_of: str | None = None, user: str | None = None) -> Investigation:
    """Save the entities ``ids`` as the next version of ``name``: positions and hidden
    items of the entities the latest version held are kept, and so are its notes and
    date when ``notes``/``as_of`` are not given."""
    resolve_ids(store.view(), ids)
    book = investigation_book(store)
    try:
        last = book.get(name.strip())
        entities = tuple(dict.fromkeys(i.strip() for i in ids))
        keep = set(entities)
        inv = Investigation(
            name, entities,
            {k: v for k, v in (last.positions if last else {}).items() if k in keep},
            tuple(h for h in (last.hidden if last else ()) if h in keep),
            as_of if as_of is not None else (last.as_of if last else ""),
            notes if notes is not None else (last.notes if last else ""),
            author=user_name(user))
        return book.save(inv)
    finally:
        book.close()


def get(store: Store, name: str, version: int | None = None) -> Investigation:
    """Version ``version`` (None: the latest) of ``name``, or an error with a hint."""
    book = investigation_book(store)
    try:
        found = book.get(name.strip(), version)
    finally:
        book.close()
    if found is None:
        raise missing(name.strip(), version)
    return found


def versions(store: Store, name: str) -> list[Investigation]:
    """Every version of ``name``, oldest first."""
    book = investigation_book(store)
    try:
        return book.versions(name.strip())
    finally:
        book.close()


def listed(store: Store) -> list[Investigation]:
    """The latest version of every saved investigation, by name."""
    book = investigation_book(store)
    try:
        return book.list()
    finally:
        book.close()


def copy(store: Store, name: str, new_name: str, user: str | None = None) -> Investigation:
    """The latest version of ``name`` saved as version 1 of ``new_name``."""
    book = investigation_book(store)
    try:
        return copy_in(book, name, new_name, user_name(user))
    finally:
        book.close()


def entity_rows(store: Store, inv: Investigation) -> list[dict[str, Any]]:
    """One row per entity of ``inv``: id, kind, name (empty when the store no longer holds
    it), position (None when not placed) and whether it is hidden."""
    view = store.view()
    keys = {i: k or i for i, k in known_keys(view, inv.entities).items()}
    ents = view.entities_by_key(list(dict.fromkeys(keys.values())))
    hidden = set(inv.hidden)
    rows = []
    for ident in inv.entities:
        e = ents.get(keys[ident])
        xy = inv.positions.get(ident)
        rows.append({"id": ident, "kind": e.kind if e else "", "name": e.name if e else "",
                     "x": xy[0] if xy else None, "y": xy[1] if xy else None,
                     "hidden": ident in hidden})
    return rows


def document(store: Store, inv: Investigation, reveal: bool = False) -> dict[str, Any]:
    """The exchange file's content for ``inv``: identity numbers in every text (name,
    author, notes, entity ids and names) masked unless ``reveal``."""
    def hide(text: str) -> str:
        return text if reveal else mask_id_numbers(text)

    entities = [{**row, "id": hide(row["id"]), "name": hide(row["name"])}
                for row in entity_rows(store, inv)]
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "name": hide(inv.name),
            "version": inv.version, "saved_at": inv.saved_at, "author": hide(inv.author),
            "as_of": inv.as_of, "notes": hide(inv.notes), "revealed": reveal,
            "entities": entities}


def write_document(doc: dict[str, Any], path: Path) -> None:
    """Write ``doc`` as UTF-8 JSON (Chinese as written), through a temporary file."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def _bad(path: Path, what: str) -> UmbrellaError:
    return UmbrellaError(_("{file}: {problem}").format(file=path, problem=what),
                         hint=_("export the investigation again with umbrella investigation "
                                "export NAME --out FILE.json"))


def _text(path: Path, doc: dict[str, Any], field: str) -> str:
    value = doc.get(field, "")
    if not isinstance(value, str):
        raise _bad(path, _("field {field} must be text").format(field=field))
    return value


def read_document(path: Path, name: str | None = None, user: str | None = None
                  ) -> Investigation:
    """The investigation in the exchange file ``path`` (named ``name`` when given), to be
    saved by ``user``; an error says the file, line and column of what is wrong."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UmbrellaError(_("{file}: cannot read ({error})").format(
            file=path, error=exc.strerror or exc), hint=_("check the path")) from exc
    except UnicodeDecodeError as exc:
        raise _bad(path, _("not UTF-8 text (byte {n})").format(n=exc.start + 1)) from exc
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UmbrellaError(
            _("{file}, line {line}, column {column}: not JSON ({error})").format(
                file=path, line=exc.lineno, column=exc.colno, error=exc.msg),
            hint=_("fix the file there, or export the investigation again")) from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _bad(path, _("not an umbrella investigation (format must be {format})").format(
            format=FORMAT))
    if doc.get("format_version") != FORMAT_VERSION:
        raise _bad(path, _("format version {version}, this umbrella reads version {expected}")
                   .format(version=doc.get("format_version"), expected=FORMAT_VERSION))
    items = doc.get("entities")
    if not isinstance(items, list):
        raise _bad(path, _("field entities must be a list"))
    entities, positions, hidden = [], {}, []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise _bad(path, _("entity {n}: an object with an id is needed").format(n=n))
        ident = item["id"]
        entities.append(ident)
        x, y = item.get("x"), item.get("y")
        if x is not None or y is not None:
            if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y)):
                raise _bad(path, _("entity {n} ({id}): x and y must be numbers").format(
                    n=n, id=ident))
            positions[ident] = (float(x), float(y))  # type: ignore[arg-type]
        if item.get("hidden") is True:
            hidden.append(ident)
    inv = Investigation(name if name is not None else _text(path, doc, "name"),
                        tuple(entities), positions, tuple(hidden),
                        _text(path, doc, "as_of"), _text(path, doc, "notes"),
                        author=user_name(user))
    try:
        return check_investigation(inv)
    except UmbrellaError as err:
        raise UmbrellaError(_("{file}: {problem}").format(file=path, problem=err.message),
                            hint=err.hint) from err


def save_document(store: Store, inv: Investigation) -> Investigation:
    """Save an imported investigation as the next version of its name; its entities must
    be in the store."""
    resolve_ids(store.view(), inv.entities)
    book = investigation_book(store)
    try:
        return book.save(inv)
    finally:
        book.close()
