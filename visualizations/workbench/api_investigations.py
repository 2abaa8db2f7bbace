"""The workbench's saved investigations: list, reopen, save and duplicate a canvas.

:class:`Investigations` answers the routes :func:`routes` makes (``GET
/api/investigations``, ``GET /api/investigation?name=&version=``, ``POST
/api/investigation/save``, ``POST /api/investigation/copy``, ``GET
/api/investigations/strings``); the POSTs pass the workbench's guard like every other
state change (session cookie, ``X-CSRF-Token``). The workbench reads an SQLite store
through read-only connections: a save opens a separate write connection to the same file
for that one save and closes it. A Neo4j store keeps them as nodes of its database.

Reopening answers the saved ids with the canvas's nodes and the ties among them (as an
expansion gives them), the saved positions and hidden ids; ids the store no longer
holds are listed in ``missing``. Identity numbers are masked unless the server runs with
``--reveal``.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, open_store
>>> from visualizations.workbench.access import SqliteAccess
>>> from visualizations.workbench.api import Workbench
>>> path = pathlib.Path(tempfile.mkdtemp()) / "w.db"
>>> store = open_store(path)
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "杨雨豪", {})])
>>> store.close()
>>> inv = Investigations(Workbench.open(SqliteAccess(path)))
>>> inv.save({"name": "杨雨豪", "entities": ["p:1"], "positions": {"p:1": {"x": 5, "y": -3}},
...           "hidden": [], "as_of": "", "notes": "先看"}, user="li")["version"]
1
>>> got = inv.get("杨雨豪")
>>> got["investigation"]["positions"], [n["name"] for n in got["nodes"]]
({'p:1': {'x': 5.0, 'y': -3.0}}, ['杨雨豪'])
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from graph.ids import mask_id_numbers
from graph.store.investigations import (
    Investigation,
    InvestigationBook,
    check_name,
    investigation_book,
    missing,
)
from graph.store.investigations import copy as copy_in
from lang import pgettext
from queries.investigations import known_keys, resolve_ids
from queries.triage import user_name
from visualizations.workbench.access import SharedAccess, SqliteAccess
from visualizations.workbench.api import ApiError, Workbench, json_body, public_id
from visualizations.workbench.trail import Log


def ui_strings() -> dict[str, str]:
    """The words of the saved-investigations box (``static/investigations.js``)."""
    return {
        "inv.title": pgettext("workbench", "Saved investigations"),
        "inv.name": pgettext("workbench", "Name"),
        "inv.notes": pgettext("workbench", "Notes"),
        "inv.save": pgettext("workbench", "Save the canvas"),
        "inv.open": pgettext("workbench", "Open"),
        "inv.copy": pgettext("workbench", "Duplicate"),
        "inv.copy_name": pgettext("workbench", "{name} (copy)"),
        "inv.none": pgettext("workbench", "No saved investigation yet."),
        "inv.item": pgettext("workbench", "{name} · version {version} · {n} entities · {at} UTC"),
        "inv.saved": pgettext("workbench", "Saved “{name}”, version {version} ({n} entities)."),
        "inv.opened": pgettext("workbench",
                               "Opened “{name}”, version {version}: {n} entities."),
        "inv.missing": pgettext("workbench",
                                "{n} saved entities are no longer in this database: {ids}"),
        "inv.need_name": pgettext("workbench", "Give the investigation a name."),
        "inv.empty": pgettext("workbench", "The canvas is empty: nothing to save."),
    }


def _shown(inv: Investigation, reveal: bool) -> dict[str, Any]:
    notes = inv.notes if reveal else mask_id_numbers(inv.notes)
    return {"name": inv.name, "version": inv.version, "saved_at": inv.saved_at,
            "author": inv.author, "as_of": inv.as_of, "notes": notes,
            "entities": list(inv.entities), "hidden": list(inv.hidden),
            "positions": {k: {"x": x, "y": y} for k, (x, y) in inv.positions.items()}}


def _positions(raw: Any) -> dict[str, tuple[float, float]]:
    if not isinstance(raw, dict):
        raise ApiError(400, pgettext("workbench", "positions must be an object"),
                       '{"P0001": {"x": 0, "y": 0}}')
    out = {}
    for key, xy in raw.items():
        pair = [xy.get("x"), xy.get("y")] if isinstance(xy, dict) else xy
        numbers = [float(v) for v in pair if isinstance(v, int | float)
                   and not isinstance(v, bool)] if isinstance(pair, list) else []
        if len(numbers) != 2 or len(pair) != 2:
            raise ApiError(400, pgettext("workbench", "the position of {id} must be two "
                                         "numbers").format(id=key), '{"x": 0, "y": 0}')
        out[str(key)] = (numbers[0], numbers[1])
    return out


def _texts(raw: Any, field: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str | int) for v in raw):
        raise ApiError(400, pgettext("workbench", "{field} must be a list of ids").format(
            field=field), '["P0001", "O0002"]')
    return tuple(str(v) for v in raw)


class Investigations:
    """The saved investigations of the workbench's store."""

    def __init__(self, bench: Workbench) -> None:
        self.bench = bench

    @contextmanager
    def _book(self, write: bool = False) -> Iterator[InvestigationBook]:
        access = self.bench.access
        if isinstance(access, SqliteAccess):
            from graph.store.sqlite_investigations import SqliteInvestigations

            book: InvestigationBook = SqliteInvestigations(access.path, read_only=not write)
        elif isinstance(access, SharedAccess):
            book = investigation_book(access.store)
        else:
            raise ApiError(501, pgettext("workbench", "this store keeps no saved "
                                         "investigations"), "")
        try:
            yield book
        finally:
            book.close()

    def list(self) -> dict[str, Any]:
        """The latest version of every saved investigation, by name."""
        with self._book() as book:
            found = book.list()
        return {"investigations": [
            {k: v for k, v in _shown(i, self.bench.reveal).items()
             if k not in ("positions", "entities", "hidden")}
            | {"n": len(i.entities), "hidden_n": len(i.hidden)} for i in found]}

    def get(self, name: str, version: int | None = None) -> dict[str, Any]:
        """One version (the latest when None) with the canvas's nodes and ties."""
        with self._book() as book:
            inv = book.get(check_name(name), version)
        if inv is None:
            err = missing(name.strip(), version)
            raise ApiError(404, err.message, err.hint or "")
        view = self.bench.view()
        keys = {i: k for i, k in known_keys(view, inv.entities).items() if k is not None}
        ents = view.entities_by_key(list(dict.fromkeys(keys.values())))
        ids = {k: public_id(e) for k, e in ents.items()}
        wanted = set(ents)
        rids = list(dict.fromkeys(t.rid for t in view.ties(list(wanted))
                                  if t.other in wanted))
        rels = view.relations_by_id(rids)
        nodes = [self.bench.node(ents[keys[i]]) for i in inv.entities
                 if i in keys and keys[i] in ents]
        return self.bench._out({
            "investigation": _shown(inv, self.bench.reveal), "nodes": nodes,
            "edges": [self.bench.edge(rels[r], ids) for r in rids if r in rels],
            "missing": [i for i in inv.entities if i not in keys]})

    def save(self, body: Any, user: str | None = None) -> dict[str, Any]:
        """Save a canvas (``name``, ``entities``, ``positions``, ``hidden``, ``as_of``,
        ``notes``) as the next version of its name."""
        if not isinstance(body, dict):
            raise ApiError(400, pgettext("workbench", "the body must be JSON"),
                           '{"name": "...", "entities": [...], "positions": {...}}')
        name = body.get("name")
        notes, as_of = body.get("notes") or "", body.get("as_of") or ""
        if not isinstance(name, str) or not isinstance(notes, str) \
                or not isinstance(as_of, str):
            raise ApiError(400, pgettext("workbench", "name, notes and as_of must be text"), "")
        entities = _texts(body.get("entities"), "entities")
        inv = Investigation(name, entities, _positions(body.get("positions") or {}),
                            _texts(body.get("hidden"), "hidden"), as_of, notes,
                            author=user_name(user or os.environ.get("UMBRELLA_USER")))
        resolve_ids(self.bench.view(), entities)
        with self._book(write=True) as book:
            saved = book.save(inv)
        return {k: v for k, v in _shown(saved, self.bench.reveal).items()
                if k not in ("positions",)}

    def copy(self, body: Any, user: str | None = None) -> dict[str, Any]:
        """Save the latest version of ``name`` as version 1 of ``new_name``."""
        if not isinstance(body, dict) or not isinstance(body.get("name"), str) \
                or not isinstance(body.get("new_name"), str):
            raise ApiError(400, pgettext("workbench", "the body must be JSON"),
                           '{"name": "...", "new_name": "..."}')
        with self._book(write=True) as book:
            saved = copy_in(book, body["name"], body["new_name"],
                            user_name(user or os.environ.get("UMBRELLA_USER")))
        return {k: v for k, v in _shown(saved, self.bench.reveal).items()
                if k not in ("positions",)}


#: The app's wrapper that runs a request's work on a thread in the run's language and
#: turns errors into JSON answers (``create_app``'s ``answer``).
Answer = Callable[[Callable[[Request], Any]], Callable[[Request], Awaitable[Response]]]


def _int(text: str | None) -> int | None:
    if text in (None, ""):
        return None
    try:
        return int(str(text))
    except ValueError:
        raise ApiError(400, pgettext("workbench", "version must be a whole number, not "
                                     "{value}").format(value=repr(text)), "") from None


def routes(bench: Workbench, answer: Answer, log: Log | None = None,
           user: str | None = None) -> list[BaseRoute]:
    """The routes of the saved investigations, for :func:`~visualizations.workbench.app.
    create_app`: saves are written by ``user`` and recorded in ``log`` (action ``save``,
    target ``investigation:NAME vN``, as ``umbrella investigation save`` records them);
    a reopened canvas is a ``view`` (``reveal`` on a ``--reveal`` server)."""
    inv = Investigations(bench)
    trail = log or Log(None)

    def saved(result: dict[str, Any]) -> dict[str, Any]:
        trail.add("save", f"investigation:{result.get('name', '')} v{result.get('version', '')}")
        return result

    def opened(r: Request) -> dict[str, Any]:
        found = inv.get(r.query_params.get("name", ""), _int(r.query_params.get("version")))
        shown = found.get("investigation", {})
        trail.viewed(f"investigation:{shown.get('name', '')} v{shown.get('version', '')}")
        return found

    async def save(request: Request) -> Response:
        body = await json_body(request)
        return await answer(lambda r: saved(inv.save(body, user)))(request)

    async def copy(request: Request) -> Response:
        body = await json_body(request)
        return await answer(lambda r: saved(inv.copy(body, user)))(request)

    return [
        Route("/api/investigations/strings", answer(lambda r: ui_strings())),
        Route("/api/investigations", answer(lambda r: inv.list())),
        Route("/api/investigation", answer(opened)),
        Route("/api/investigation/save", save, methods=["POST"]),
        Route("/api/investigation/copy", copy, methods=["POST"]),
    ]
