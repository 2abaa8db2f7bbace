"""Imports run one way: every module imports only the rooms DESIGN's rooms table allows.

The table is read from ``../shared/DESIGN.md`` ("may import" column); an arrow that
runs up or sideways (``queries`` importing ``loaders``, ``graph`` importing
``queries``...) fails here. No room holds more than about a third of the product.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from samples import REPO

DESIGN = REPO.parent / "shared" / "DESIGN.md"
ROOMS = ("graph", "lang", "loaders", "synthetic", "queries", "visualizations", "exports",
         "umbrella")


def allowed_imports(design: str) -> dict[str, set[str]]:
    """Room -> the rooms (or ``room.module``) it may import, from the rooms table.

    Examples
    --------
    >>> table = '''| folder | holds | may import |
    ... |---|---|---|
    ... | `graph/` | schema | stdlib and libraries only |
    ... | a language package (e.g. `lang/`) | words | stdlib and libraries only |
    ... | `loaders/` | reading in | graph, the language package |
    ... | a generator package (e.g. `synthetic/`) | counties | graph, loaders (layout only) |
    ... | `umbrella/` | the shell | everything above |'''
    >>> rooms = allowed_imports(table)
    >>> sorted(rooms["loaders"]), sorted(rooms["synthetic"]), sorted(rooms["umbrella"])
    (['graph', 'lang'], ['graph', 'loaders.layout'], ['graph', 'lang', 'loaders', 'synthetic'])
    """
    out: dict[str, set[str]] = {}
    for line in design.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not line.lstrip().startswith("|"):
            continue
        folder = re.search(r"`([a-z_]+)/`", cells[0])
        if folder is None:
            continue
        may = cells[2]
        if "everything above" in may:
            rooms = set(out)
        elif "only" in may and "libraries" in may:
            rooms = set()
        else:
            rooms = set()
            for part in (p.strip() for p in may.split(",")):
                if "language package" in part:
                    rooms.add("lang")
                elif m := re.fullmatch(r"([a-z_]+) \(([a-z_]+) only\)", part):
                    rooms.add(f"{m.group(1)}.{m.group(2)}")
                elif re.fullmatch(r"[a-z_]+", part):
                    rooms.add(part)
        out[folder.group(1)] = rooms
    return out


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)]
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def _violations(room: str, allowed: set[str]) -> list[str]:
    bad = []
    for path in sorted((REPO / room).rglob("*.py")):
        for line, name in _imports(path):
            top = name.split(".")[0]
            if top not in ROOMS or top == room:
                continue
            ok = top in allowed or any(name == a or name.startswith(a + ".") for a in allowed)
            if not ok and name.count(".") == 0:
                ok = any(a.startswith(top + ".") for a in allowed)  # from x import y
            if not ok:
                bad.append(f"{path.relative_to(REPO)}:{line}: {room} imports {name}")
    return sorted(set(bad))


@pytest.fixture(scope="module")
def table() -> dict[str, set[str]]:
    if not DESIGN.exists():
        pytest.skip(f"{DESIGN} is absent: the rooms table lives in the shared folder")
    return allowed_imports(DESIGN.read_text(encoding="utf-8"))


def test_every_room_is_in_the_table(table: dict[str, set[str]]) -> None:
    assert set(ROOMS) <= set(table), set(ROOMS) - set(table)


@pytest.mark.parametrize("room", ROOMS)
def test_imports_follow_the_rooms_table(room: str, table: dict[str, set[str]]) -> None:
    assert _violations(room, table[room]) == []


def test_the_check_can_fail() -> None:
    assert _violations("queries", set())  # queries imports graph: not allowed by an empty set


def test_no_room_holds_more_than_about_a_third() -> None:
    lines = {r: sum(len(p.read_text(encoding="utf-8").splitlines())
                    for p in (REPO / r).rglob("*.py")) for r in ROOMS}
    total = sum(lines.values())
    assert max(lines.values()) <= 0.36 * total, lines
