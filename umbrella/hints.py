"""What to try when a command finds nothing: an id's closest namesakes of its own kind
(a finding id among the findings, a case id among the cases...), the sectors a store holds.

Examples
--------
>>> closest(["K00001", "K00010", "K00011", "K00100", "P0001"], "K00012", most=4)
['K00011', 'K00010', 'K00001', 'K00100']
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence

from graph.errors import UmbrellaError
from graph.schema import kind_of_key
from graph.store import StoreView
from lang import _
from umbrella.output import vocabulary_word

#: Closest ids named in a hint.
MOST = 5
_LETTERS = re.compile(r"[A-Za-z]+")
_ID_LIKE = re.compile(r"[A-Za-z]+[-_]?[0-9A-Fa-f]*[0-9][0-9A-Fa-f]*")


def _common(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def closest(ids: Sequence[str], text: str, most: int = MOST) -> list[str]:
    """The ``most`` ids of ``ids`` sharing the longest beginning with ``text``, nearest in
    sort order first (a mistyped digit lands beside the ids it meant)."""
    ordered = sorted(set(ids))
    at = bisect.bisect_left(ordered, text)
    return sorted(ordered, key=lambda i: (-_common(i, text),
                                          abs(bisect.bisect_left(ordered, i) - at), i))[:most]


def _id_of_kind(view: StoreView, text: str) -> tuple[str, list[str]] | None:
    """The kind of entity whose input ids start with the letters ``text`` starts with
    (the most common one), and those ids; None when no input id does."""
    m = _LETTERS.match(text)
    if m is None:
        return None
    letters = m.group(0).upper()
    by_kind: dict[str, list[str]] = {}
    for (_table, sid), key in view.aliases().items():
        lead = _LETTERS.match(sid)
        if lead is not None and lead.group(0).upper() == letters:
            by_kind.setdefault(kind_of_key(key), []).append(sid)
    if not by_kind:
        return None
    kind = Counter({k: len(v) for k, v in by_kind.items()}).most_common(1)[0][0]
    return kind, by_kind[kind]


def unknown_id(view: StoreView, text: str) -> UmbrellaError | None:
    """The error for an id nothing holds, with a hint of its own kind: a finding id points
    to the stored findings, an entity id to the closest ids of its kind. None when
    ``text`` does not look like an id (a name, say), or no id of its kind is stored.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import AliasRecord, EntityRecord, open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "h.db")
    >>> with store.writer() as w:
    ...     w.put_entities([EntityRecord("case:K1", "case", "某案", {})])
    ...     w.put_aliases([AliasRecord("cases", "K00011", "case:K1", "/d/cases.csv", 2)])
    >>> err = unknown_id(store.view(), "K00012")
    >>> err.message
    'no case with id K00012'
    >>> err.hint.split(" (")[0]
    'closest case ids: K00011'
    >>> unknown_id(store.view(), "F-3a9c").hint
    'run umbrella scan first, then use an id it lists (F-...)'
    >>> unknown_id(store.view(), "张三") is None
    True
    >>> store.close()
    """
    text = text.strip()
    if text.upper().startswith("F-"):
        ids = [str(f["id"]) for f in view.findings()]
        message = _("no finding {id} in this database").format(id=repr(text))
        if not ids:
            return UmbrellaError(message, hint=_("run umbrella scan first, then use an id it "
                                                 "lists (F-...)"))
        return UmbrellaError(message, hint=_(
            "closest stored finding ids: {ids} (umbrella scan lists the findings; "
            "umbrella show F-... shows one)").format(ids=", ".join(closest(ids, text))))
    if not _ID_LIKE.fullmatch(text):
        return None
    found = _id_of_kind(view, text)
    if found is None:
        return None
    kind, ids = found
    word = vocabulary_word("node_kind", kind)
    near = ", ".join(closest(ids, text.upper()))
    hint = (_("closest case ids: {ids} (umbrella show ID shows one; umbrella recuse ID lists "
              "who must step aside)").format(ids=near) if kind == "case" else
            _("closest {kind} ids: {ids} (umbrella show ID shows one)").format(kind=word,
                                                                                ids=near))
    return UmbrellaError(_("no {kind} with id {id}").format(kind=word, id=text), hint=hint)


def sectors_present(view: StoreView) -> list[str]:
    """The sectors of the store's contracts and stored findings, in order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import EntityRecord, open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "s.db")
    >>> with store.writer() as w:
    ...     w.put_entities([EntityRecord("c:1", "contract", "修路", {"sector": "rural"}),
    ...                     EntityRecord("c:2", "contract", "校舍", {"sector": "education"})])
    >>> sectors_present(store.view())
    ['education', 'rural']
    >>> store.close()
    """
    f = view.entities_frame("contract")
    found = set(f["sector"].dropna().astype(str)) if "sector" in f else set()
    found |= {str(x["sector"]) for x in view.findings() if x.get("sector")}
    return sorted(s for s in found if s.strip())
