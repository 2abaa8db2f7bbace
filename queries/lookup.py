"""Find an entity from what a user types: a source id, a key or an exact name."""

from __future__ import annotations

from graph.errors import UmbrellaError
from graph.normalize import normalize_name
from graph.store import StoreView
from lang import _


def find_entity(view: StoreView, text: str) -> str:
    """The key of the entity called ``text`` (source id, key or unique exact name).

    Raises :class:`graph.errors.UmbrellaError` listing candidates when a name
    is shared (names never identify a person on their own).
    """
    text = text.strip()
    key = view.resolve(text)
    if key is not None:
        return key
    if view.get(text) is not None:
        return text
    import pandas as pd

    wanted = normalize_name(pd.Series([text])).iloc[0]
    hits = []
    for kind in ("person", "organization", "contract", "case"):
        f = view.entities_frame(kind)
        if f.empty:
            continue
        hits += f.loc[f["name"] == wanted, "key"].tolist()
    if len(hits) == 1:
        return str(hits[0])
    if not hits:
        raise UmbrellaError(_("no entity with id or name '{text}'").format(text=text),
                            hint=_("use an id from the input files, e.g. P0001387"))
    ids = ", ".join("/".join(e.source_ids) for k in hits[:10] if (e := view.get(k)) is not None)
    raise UmbrellaError(_("{n} entities are named '{text}': {ids}").format(
        n=len(hits), text=text, ids=ids), hint=_("names are shared; give one of these ids instead"))
