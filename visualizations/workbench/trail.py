"""What the workbench writes to the audit trail: one entry per search, view, expansion,
path, screen, export, reveal and triage change, with its target in plain text.

The trail itself (:mod:`graph.audit`) is a file beside the store with its own lock: an
entry never takes the store's write lock, so logging a read keeps it a read. The shell
hands the server a recorder (``umbrella serve``: :func:`umbrella.audit_cmd.record` for
``--db``, with ``--user``); :class:`Log` calls it, or nothing when there is none.

Targets are data, never translated: an entity's id, a search's text, ``A -> B`` for a
path, the ids of both sides of a screen, a canvas export's file name with its counts and
first ids, ``F-... status`` for a triage change.

Examples
--------
>>> seen = []
>>> log = Log(lambda action, target: seen.append((action, target)), reveal=True)
>>> log.viewed("P0001387")
>>> seen
[('reveal', 'P0001387')]
>>> Log(None).searched("杨雨")  # no recorder: nothing to do
>>> listing(["P1", "P2", "P3"], most=2)
'P1 P2 +1'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: Appends one entry ``(action, target)`` to the trail (raises when it cannot).
Recorder = Callable[[str, str], Any]
#: Most ids a target lists (the rest counted).
MOST_IDS = 20


def listing(ids: Sequence[str], most: int = MOST_IDS) -> str:
    """``ids`` separated by spaces, the ones past ``most`` counted."""
    shown = " ".join(str(i) for i in ids[:most])
    return shown + (f" +{len(ids) - most}" if len(ids) > most else "")


@dataclass(frozen=True)
class Log:
    """The workbench's entries in the audit trail (see the module docstring).

    On a ``--reveal`` server an entity or finding shown is recorded as ``reveal`` (the
    view showed identity numbers unmasked: ``umbrella show --reveal`` records the same),
    and an export also as ``reveal``.
    """

    recorder: Recorder | None
    reveal: bool = False

    def add(self, action: str, target: str) -> None:
        if self.recorder is not None:
            self.recorder(action, target)

    def searched(self, q: str) -> None:
        if q.strip():
            self.add("search", q.strip())

    def viewed(self, ident: str) -> None:
        self.add("reveal" if self.reveal else "view", ident)

    def expanded(self, ident: str, offset: int) -> None:
        self.add("expand", ident + (f" +{offset}" if offset else ""))

    def path(self, a: str, b: str) -> None:
        self.add("path", f"{a} -> {b}")

    def screened(self, left: Sequence[str], right: Sequence[str], on: str) -> None:
        self.add("screen", f"{listing(left)} | {listing(right)} @ {on}")

    def exported(self, name: str, nodes: Sequence[str], edges: Sequence[str]) -> None:
        target = f"{name}: {len(nodes)} nodes, {len(edges)} ties: {listing(nodes)}"
        self.add("export", target)
        if self.reveal:
            self.add("reveal", target)

    def triaged(self, fid: str, entry: dict[str, Any]) -> None:
        target = f"{fid}: {entry.get('status', '')}"  # as umbrella triage writes it
        if entry.get("assignee"):
            target += f" @{entry['assignee']}"
        self.add("triage", target)
