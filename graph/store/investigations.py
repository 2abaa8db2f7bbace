"""Saved investigations: named canvases kept in the store, every save a new version.

An investigation is what an investigator had on the canvas: the entities (their ids as
the workbench and ``umbrella show`` print them), where each stood, which were hidden,
the date the ties were seen on (``as_of``, empty: every date) and notes. Saving under a
name that exists adds version 2, 3, ...: earlier versions are kept and can be read back;
nothing is changed or removed. A copy is a new name whose version 1 holds the copied
canvas.

A backend keeps the book behind :class:`InvestigationBook`; :func:`investigation_book`
opens it: the embedded store in the same SQLite file
(:class:`graph.store.sqlite_investigations.SqliteInvestigations`), a Neo4j store as
nodes of the database (:class:`graph.store.neo4j_investigations.Neo4jInvestigations`).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "case.db")
>>> book = investigation_book(store)
>>> first = book.save(Investigation("学校维修", ("P1", "O2"), {"P1": (0.0, 10.5)}, (), "",
...                                 "", author="wang"))
>>> first.version, book.save(first._replace(notes="第二稿")).version
(1, 2)
>>> book.get("学校维修").notes, book.get("学校维修", version=1).notes
('第二稿', '')
>>> [(i.name, i.version) for i in book.list()]
[('学校维修', 2)]
>>> book.close(); store.close()
"""

from __future__ import annotations

import datetime
import math
import unicodedata
from typing import TYPE_CHECKING, NamedTuple, Protocol

from graph.errors import StoreError, UmbrellaError
from graph.text import _

if TYPE_CHECKING:
    from graph.store.protocol import Store

#: Longest name, in characters (a Chinese character counts one).
NAME_MAX = 100
#: Most entities on one saved canvas.
ENTITIES_MAX = 5000
#: Longest notes, in characters.
NOTES_MAX = 20000


class Investigation(NamedTuple):
    """One version of a saved canvas (``saved_at`` and ``version`` are set by the book)."""

    name: str
    entities: tuple[str, ...]
    positions: dict[str, tuple[float, float]]
    hidden: tuple[str, ...]
    as_of: str
    notes: str
    author: str = ""
    saved_at: str = ""
    version: int = 0


def check_name(name: str) -> str:
    """``name`` without spaces at its ends, or an error that says what is wrong with it.

    Examples
    --------
    >>> check_name("  校舍维修 2023 ")
    '校舍维修 2023'
    >>> check_name("a\\tb")
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: investigation name 'a\\tb': a control character (U+0009) at ...
    """
    text = name.strip()
    if not text:
        raise UmbrellaError(_("an investigation needs a name"),
                            hint=_("give a name such as 学校维修 or school-repairs"))
    if len(text) > NAME_MAX:
        raise UmbrellaError(
            _("investigation name {name!r}: {n} characters, at most {most}").format(
                name=text[:20] + "…", n=len(text), most=NAME_MAX),
            hint=_("give a shorter name; say more in the notes"))
    for i, ch in enumerate(text, 1):
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise UmbrellaError(
                _("investigation name {name!r}: a control character (U+{code:04X}) at "
                  "character {n}").format(name=text, code=ord(ch), n=i),
                hint=_("use letters, digits, spaces and punctuation only"))
    return text


def check_date(text: str) -> str:
    """``text`` if it is empty or a date written YYYY-MM-DD, else an error.

    Examples
    --------
    >>> check_date("2023-09-12"), check_date("")
    ('2023-09-12', '')
    """
    if not text:
        return ""
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise UmbrellaError(_("as-of date {value!r} is not a date").format(value=text),
                            hint=_("write it YYYY-MM-DD, e.g. 2023-09-12")) from None


def check_investigation(inv: Investigation) -> Investigation:
    """``inv`` with its name checked and trimmed, or an error naming what is wrong.

    Refused: a bad name (:func:`check_name`), no entity or more than
    :data:`ENTITIES_MAX`, an empty entity id, a position or hidden item of an entity not
    on the canvas, a position that is not a finite number, a bad as-of date, notes over
    :data:`NOTES_MAX` characters, no author.

    Examples
    --------
    >>> check_investigation(Investigation("x", ("P1",), {"P2": (0.0, 0.0)}, (), "", "", "li"))
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: investigation x: a position for P2, which is not on the canvas
    """
    name = check_name(inv.name)
    entities = tuple(str(e) for e in inv.entities)
    if not entities:
        raise UmbrellaError(_("investigation {name}: no entity to save").format(name=name),
                            hint=_("put at least one entity on the canvas (--entity ID)"))
    if len(entities) > ENTITIES_MAX:
        raise UmbrellaError(_("investigation {name}: {n} entities, at most {most}").format(
            name=name, n=len(entities), most=ENTITIES_MAX),
            hint=_("save a smaller canvas: hide or remove what is not needed"))
    if any(not e.strip() for e in entities):
        raise UmbrellaError(_("investigation {name}: an empty entity id").format(name=name),
                            hint=_("give each entity by its id, e.g. P0001387"))
    known = set(entities)
    positions: dict[str, tuple[float, float]] = {}
    for key, xy in inv.positions.items():
        if key not in known:
            raise UmbrellaError(
                _("investigation {name}: a position for {id}, which is not on the canvas")
                .format(name=name, id=key), hint=_("give positions of saved entities only"))
        x, y = float(xy[0]), float(xy[1])
        if not (math.isfinite(x) and math.isfinite(y)):
            raise UmbrellaError(_("investigation {name}: position of {id} is not a number")
                                .format(name=name, id=key), hint=_("give x and y as numbers"))
        positions[key] = (x, y)
    for key in inv.hidden:
        if key not in known:
            raise UmbrellaError(
                _("investigation {name}: {id} is hidden but not on the canvas").format(
                    name=name, id=key), hint=_("hide saved entities only"))
    if len(inv.notes) > NOTES_MAX:
        raise UmbrellaError(_("investigation {name}: notes of {n} characters, at most {most}")
                            .format(name=name, n=len(inv.notes), most=NOTES_MAX),
                            hint=_("keep long texts in a file and name it in the notes"))
    if not inv.author.strip():
        raise UmbrellaError(_("investigation {name}: no author").format(name=name),
                            hint=_("pass --user NAME"))
    return inv._replace(name=name, entities=tuple(dict.fromkeys(entities)),
                        positions=positions, hidden=tuple(dict.fromkeys(inv.hidden)),
                        as_of=check_date(inv.as_of))


class InvestigationBook(Protocol):
    """The saved investigations of one store: versions added, never changed nor removed."""

    def save(self, inv: Investigation) -> Investigation:
        """Add ``inv`` (checked by :func:`check_investigation`) as the next version of its
        name (1 for a new name), saved now (UTC); return it as stored."""

    def get(self, name: str, version: int | None = None) -> Investigation | None:
        """Version ``version`` of ``name`` (None: the latest), or None when there is none."""

    def versions(self, name: str) -> list[Investigation]:
        """Every version of ``name``, oldest first."""

    def list(self) -> list[Investigation]:
        """The latest version of every saved investigation, by name."""

    def close(self) -> None:
        """Release connections."""


def copy(book: InvestigationBook, name: str, new_name: str, author: str) -> Investigation:
    """Save the latest version of ``name`` as version 1 of ``new_name`` (a name not yet
    used), by ``author``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "case.db")
    >>> book = investigation_book(store)
    >>> _ = book.save(Investigation("甲", ("P1",), {}, (), "", "n", author="li"))
    >>> copy(book, "甲", "乙", "wang")[:2], copy(book, "甲", "乙", "wang")
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: investigation 乙 exists already
    >>> book.close(); store.close()
    """
    source = book.get(check_name(name))
    if source is None:
        raise missing(name)
    new_name = check_name(new_name)
    if book.get(new_name) is not None:
        raise UmbrellaError(_("investigation {name} exists already").format(name=new_name),
                            hint=_("choose another name; umbrella investigation list shows "
                                   "the names in use"))
    return book.save(source._replace(name=new_name, author=author, saved_at="", version=0))


def missing(name: str, version: int | None = None) -> UmbrellaError:
    """The error for a name (or a version of it) the book does not hold."""
    if version is not None:
        return UmbrellaError(_("investigation {name} has no version {version}").format(
            name=name, version=version),
            hint=_("umbrella investigation show NAME --versions lists them"))
    return UmbrellaError(_("no investigation named {name}").format(name=name),
                         hint=_("umbrella investigation list shows the saved ones"))


def investigation_book(store: Store) -> InvestigationBook:
    """The saved investigations of ``store`` (an SQLite file or a Neo4j database)."""
    from graph.store.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        from graph.store.sqlite_investigations import SqliteInvestigations

        return SqliteInvestigations(store.path)
    from graph.store.neo4j import Neo4jStore

    if isinstance(store, Neo4jStore):
        from graph.store.neo4j_investigations import Neo4jInvestigations

        return Neo4jInvestigations(store.connection)
    raise StoreError(_("{where}: this store keeps no saved investigations").format(
        where=store.location), hint=_("use a database file (--db case.db) or a Neo4j server"))
