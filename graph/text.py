"""This room's messages in the run's language, without importing the language package.

``graph`` (and the generator, which may import only ``graph`` and the layout) may not
import :mod:`lang` (``../shared/DESIGN.md``), yet what they say is read by people:
errors and their hints, the state of a load, progress stages. They write each message
as a whole English template through :func:`_` (so the catalogs extract it, as they do
``lang._``) and fill it with ``.format(...)``; the shell plugs the catalogs in once
(:func:`translate_with`, given :func:`lang.gettext`), after which :func:`_` looks the
template up in the language spoken at the time, as ``lang._`` does. Unplugged (graph
used on its own), the English template is used as written.

Examples
--------
>>> _("{path}: is a folder, not a database file").format(path="d")
'd: is a folder, not a database file'
>>> translate_with({"{n} rows": "{n} 行"}.get)
>>> _("{n} rows").format(n=3), _("not in the catalog")
('3 行', 'not in the catalog')
>>> translate_with(None)
>>> _("{n} rows").format(n=3)
'3 rows'
"""

from __future__ import annotations

from collections.abc import Callable

_lookup: list[Callable[[str], str | None] | None] = [None]


def translate_with(gettext: Callable[[str], str | None] | None) -> None:
    """Look this room's messages up with ``gettext`` from now on (None: English as written)."""
    _lookup[0] = gettext


def _(template: str) -> str:
    """``template`` in the run's language once :func:`translate_with` plugged a catalog in."""
    lookup = _lookup[0]
    if lookup is None:
        return template
    return lookup(template) or template


def N_(template: str) -> str:
    """Mark a template for the catalogs without looking it up now (returned unchanged);
    :func:`_` looks it up where it is shown.

    Examples
    --------
    >>> N_("copy into a new, empty store")
    'copy into a new, empty store'
    """
    return template
