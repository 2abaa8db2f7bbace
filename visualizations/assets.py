"""vis-network's script and style sheet, read from the files the pyvis wheel ships.

pyvis 0.3.2 carries vis-network 9.1.2 (``pyvis/templates/lib/vis-9.1.2``);
pages inline both files, so nothing is fetched when a page opens. The text
is made safe to sit inside ``<script>``/``<style>`` (no ``</script``,
``</style`` or ``<!--`` can close or confuse the element).

Examples
--------
>>> js, css = vis_assets()
>>> "vis-network" in js[:200], len(js) > 100_000, "</script" in js.lower()
(True, True, False)
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyvis  # type: ignore[import-untyped]

from graph.errors import UmbrellaError

VIS_VERSION = "9.1.2"
_CANDIDATES = (f"templates/lib/vis-{VIS_VERSION}", f"lib/vis-{VIS_VERSION}")


class AssetError(UmbrellaError):
    """vis-network's files are not where the pyvis package should have put them."""


def vis_folder() -> Path:
    """The folder inside the installed pyvis package holding vis-network."""
    root = Path(pyvis.__file__).resolve().parent
    for rel in _CANDIDATES:
        folder = root / rel
        if (folder / "vis-network.min.js").is_file() and (folder / "vis-network.css").is_file():
            return folder
    raise AssetError(f"{root}: pyvis does not ship vis-network {VIS_VERSION} here",
                     hint="reinstall it: pip install --force-reinstall 'pyvis==0.3.2'")


def inline_safe(text: str, tag: str) -> str:
    """Neutralise sequences that would end or confuse an inline ``<tag>`` element.

    Examples
    --------
    >>> inline_safe("a='</script>';b='<!--'", "script")
    "a='<\\\\/script>';b='<\\\\!--'"
    """
    text = re.sub(rf"</(?={tag})", r"<\\/", text, flags=re.I)
    return text.replace("<!--", "<\\!--")


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's minified script and its style sheet, ready to inline."""
    folder = vis_folder()
    js = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    css = (folder / "vis-network.css").read_text(encoding="utf-8")
    return inline_safe(js, "script"), inline_safe(css, "style")
