"""What the commands that show or write out data record in the audit trail.

One rule for every such command (:func:`looked`): data shown on the terminal is a
``view`` of its subject (the entity, case, finding or query), data written to a
file is an ``export`` of that file; either one with identity numbers unmasked
(``--reveal``) is a ``reveal``. A triage entry is a ``triage`` of its finding, with
the status it leaves (:func:`triage_target`). The entry is written before the data
is shown or written, so nothing leaves unrecorded. The trail is
:mod:`graph.audit`; :func:`umbrella.audit_cmd.record` appends to it.
"""

from __future__ import annotations

from pathlib import Path

from umbrella.audit_cmd import record
from umbrella.output import Output


def looked_action(to_file: bool, reveal: bool = False) -> str:
    """The action of showing data (``view``), writing it out (``export``), or either one
    unmasked (``reveal``).

    Examples
    --------
    >>> looked_action(False), looked_action(True), looked_action(True, reveal=True)
    ('view', 'export', 'reveal')
    """
    return "reveal" if reveal else "export" if to_file else "view"


def looked(db: str, subject: str, *, out: Output | None = None, file: Path | None = None,
           reveal: bool = False, user: str | None = None) -> None:
    """Record that this run shows ``subject`` (a ``view``) or writes it to ``file`` or
    ``out``'s file (an ``export`` of that file, by its full path); a ``reveal`` of the
    same target with ``reveal``; by ``user``, else this run's user."""
    written = file if file is not None else (out.path if out is not None else None)
    target = str(Path(written).resolve()) if written is not None else subject
    record(db, looked_action(written is not None, reveal), target, user=user)


def triage_target(finding: str, status: str) -> str:
    """The target of a ``triage`` entry: the finding and the status it now has.

    Examples
    --------
    >>> triage_target("F-3a9c0e12b4d1", "in_review")
    'F-3a9c0e12b4d1: in_review'
    """
    return f"{finding}: {status}"
