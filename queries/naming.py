"""Names beside ids: the entities a finding names, each as ``name (id)``, the names read
from the finding's own evidence (an entity it names but shows on no path keeps its id
alone).

Examples
--------
>>> f = {"entities": ["P1", "C1", "K9"], "evidence": [{"path": [
...     {"node": "person", "name": "张伟", "ids": ["P1"]},
...     {"rel": "APPROVED"},
...     {"node": "contract", "name": "修路", "ids": ["C1"]}]}]}
>>> named_entities(f)
['张伟 (P1)', '修路 (C1)', 'K9']
>>> entities_cell(f, 2)
'张伟 (P1) 修路 (C1) …'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def entity_names(finding: Mapping[str, Any]) -> dict[str, str]:
    """Input id -> name of every named entity on the finding's evidence paths."""
    names: dict[str, str] = {}
    for path in finding.get("evidence", []) or []:
        for step in path.get("path", []) or []:
            name = step.get("name") if "node" in step else None
            if name:
                for i in step.get("ids", []) or []:
                    names.setdefault(str(i), str(name))
    return names


def named_entities(finding: Mapping[str, Any]) -> list[str]:
    """The finding's entities in order, each ``name (id)`` when its evidence names it."""
    names = entity_names(finding)
    return [f"{names[i]} ({i})" if i in names else str(i)
            for i in map(str, finding.get("entities", []))]


def entities_cell(finding: Mapping[str, Any], most: int | None = None) -> str:
    """The finding's entities (the first ``most``, then ``…``) for one table cell."""
    shown = named_entities(finding)
    if most is None or len(shown) <= most:
        return " ".join(shown)
    return " ".join(shown[:most]) + " …"
