"""The workbench's match review: the queue of candidate pairs, and a decision per click.

``GET /api/matches`` gives the queue (:func:`queries.matches.queue`) with the words the
page shows, in the run's language (``GET /api/matches/words``: the words alone, for the
tab before it is opened); ``POST /api/matches/decide`` (JSON ``pair``,
``decision``, ``note``; the CSRF header as every POST) records one decision in the
store's append-only book, by the user the server runs as (``UMBRELLA_USER``, else the
operating-system user). The rest of the workbench reads a store it cannot write
(:mod:`visualizations.workbench.access`); this is its one write, and it only adds a
decision: merging stays with ``umbrella matches apply``, which reruns the rules.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, open_store
>>> from visualizations.workbench.access import SqliteAccess
>>> path = pathlib.Path(tempfile.mkdtemp()) / "w.db"
>>> store = open_store(path)
>>> with store.writer() as w:
...     w.put_entities([EntityRecord(f"p:s:{i}", "person", "张伟", {"birth_date": "1970-01-01"})
...                     for i in (1, 2)])
>>> store.close()
>>> access = SqliteAccess(path)
>>> [row] = queue_json(access)["pairs"]
>>> decide_json(access, {"pair": row["pair"], "decision": "same"})["decision"]["decision"]
'same'
>>> queue_json(access)["pairs"][0]["decision"]
'same'
>>> access.close()
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from graph.store import SqliteStore, Store
from graph.store.match_decisions import DECISIONS
from lang import _, pgettext
from visualizations.workbench.access import SqliteAccess, StoreAccess
from visualizations.workbench.api import json_body
from visualizations.workbench.trail import Log

Answer = Callable[[Callable[[Request], Any]], Callable[[Request], Any]]


@contextmanager
def _store(access: StoreAccess) -> Iterator[Store]:
    """A store to decide in: the SQLite file opened for writing (closed after), or the
    shared store of a server."""
    if isinstance(access, SqliteAccess):
        store = SqliteStore(access.path)
        try:
            yield store
        finally:
            store.close()
        return
    shared = getattr(access, "_store", None)
    if shared is None:
        from graph.errors import StoreError

        raise StoreError(_("this store keeps no match decisions"), hint="")
    yield shared


def words() -> dict[str, str]:
    """The words of the page's match tab, in the run's language."""
    from queries.matches import decision_words

    return {"tab": pgettext("workbench", "Matches"),
            "title": pgettext("workbench", "Records that may be one person or one company"),
            "pair": pgettext("match_column", "pair"), "score": pgettext("match_column", "score"),
            "names": pgettext("match_column", "names"),
            "reasons": pgettext("match_column", "reasons"),
            "decision": pgettext("match_column", "decision"),
            "note": pgettext("match_column", "note"),
            "merged": pgettext("match_reason", "merged"),
            "empty": _("No candidate pairs: every record is either identified or alone in "
                       "its name."),
            "saved": pgettext("workbench", "{pair}: {decision}, by {author}"),
            "apply": pgettext("workbench", "Decisions are merged by umbrella matches apply, "
                                           "which runs the rules again."),
            **{f"decide.{d}": w for d, w in decision_words().items()}}


def queue_json(access: StoreAccess) -> dict[str, Any]:
    """The review queue and the page's words."""
    from queries.matches import decision_words, queue, reasons_text

    said = decision_words()
    with _store(access) as store:
        rows = queue(store)
    return {"pairs": [{"pair": r.pair, "kind": r.kind, "a": r.a, "b": r.b, "score": r.score,
                       "names": [r.name_a, r.name_b], "reasons": reasons_text(r.reasons),
                       "decision": r.decision, "decision_word": said.get(r.decision, ""),
                       "author": r.author, "at": r.at, "note": r.note, "merged": r.merged}
                      for r in rows],
            "strings": words()}


def decide_json(access: StoreAccess, body: Any, user: str | None = None,
                log: Log | None = None) -> dict[str, Any]:
    """Record the decision ``body`` asks for, by ``user`` (the server's: ``--user``, else
    ``UMBRELLA_USER``, else the operating system's); the decision as kept, recorded in
    ``log`` as ``umbrella matches decide`` records it (``decide``, ``M-… DECISION``)."""
    from queries.matches import decide

    if not isinstance(body, dict) or body.get("decision") not in DECISIONS:
        from graph.errors import UmbrellaError

        raise UmbrellaError(_("the body must be JSON"),
                            hint='{"pair": "M-…", "decision": "same|different|unsure"}')
    with _store(access) as store:
        entry = decide(store, str(body.get("pair", "")), str(body["decision"]),
                       note=str(body.get("note") or ""),
                       user=user or os.environ.get("UMBRELLA_USER"))
    if log is not None:
        log.add("decide", f"{entry.pair} {entry.decision}")
    return {"decision": entry._asdict()}


def routes(access: StoreAccess, answer: Answer, log: Log | None = None,
           user: str | None = None) -> list[BaseRoute]:
    """The routes, answered through the application's ``answer`` (worker thread, the
    run's language, errors as JSON); decisions by ``user``, recorded in ``log``."""
    async def decide_endpoint(request: Request) -> Response:
        body = await json_body(request)
        reply: Response = await answer(lambda r: decide_json(access, body, user, log))(request)
        return reply

    async def queue_endpoint(request: Request) -> Response:
        reply: Response = await answer(lambda r: queue_json(access))(request)
        return reply

    async def words_endpoint(request: Request) -> Response:
        reply: Response = await answer(lambda r: words())(request)
        return reply

    return [Route("/api/matches", queue_endpoint),
            Route("/api/matches/words", words_endpoint),
            Route("/api/matches/decide", decide_endpoint, methods=["POST"])]

