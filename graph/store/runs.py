"""The load lock: one load at a time per database, and what a stopped load leaves behind.

A load claims the database (:meth:`~graph.store.protocol.Store.start_load`) before
it reads which ids the database holds, and keeps the claim until it has written its
last chunk and its load-log entry; ids it checks against therefore cannot change
under it. The claim is a row of the load log in state ``running`` that names its
process (pid, host, and the process's start time, so a reused pid is not mistaken
for it). A second load is refused while that process lives
(:class:`~graph.errors.LoadLockedError`: "another load is running since 14:05
(pid 4121 on host laptop)"); when the process is gone (killed, crashed) the claim
is stale: the load is *interrupted*, and the next load takes the lock over.

Each chunk's transaction counts itself on the claim, so an interrupted load says
whether the database holds part of it. A scan refuses such a database
(:func:`refuse_incomplete`) and ``umbrella stats`` shows how to resume: run the same
load again (chunks already written add nothing; the load then completes).

A holder on another host cannot be checked from here and counts as running (a team's
Neo4j server); :meth:`~graph.store.protocol.Store.start_load` with ``take_over``
marks it interrupted when its owner knows it is gone.

Examples
--------
>>> me = this_process()
>>> holder_alive(me.pid, me.host, me.token)
True
>>> holder_alive(me.pid, "another-host", "")  # cannot be checked: taken as running
True
>>> run = LoadRun(2, "/d/county", "umbrella load /d/county --db case.db",
...               "2024-05-01 06:05:00", 4121, "laptop", "interrupted", 3)
>>> print(incomplete_message(run))  # doctest: +ELLIPSIS
the load of /d/county (load 2, started ... by pid 4121 on host laptop) did not finish: \
its process is gone; the database holds part of it (3 chunk(s) written)
>>> resume_hint(run)
'resume it by running the same load again (what it wrote already adds nothing): \
umbrella load /d/county --db case.db'
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from graph.errors import IncompleteLoadError, LoadLockedError
from graph.store.model import LoadRun
from graph.store.protocol import StoreView

__all__ = ["Holder", "LoadRun", "holder_alive", "incomplete_message", "locked_error",
           "refuse_incomplete", "resume_hint", "run_state", "since", "this_process"]


@dataclass(frozen=True)
class Holder:
    """A process as the load lock records it."""

    pid: int
    host: str
    token: str
    """When the process started (Linux: clock ticks since boot), '' where unknown."""


def _stat(pid: int) -> list[str] | None:
    """Fields of ``/proc/PID/stat`` after the command name, or None (no such file)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            text = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def _token(pid: int) -> str:
    fields = _stat(pid)
    return fields[19] if fields and len(fields) > 19 else ""


@cache
def this_process() -> Holder:
    """This process, as a load's claim names it.

    Examples
    --------
    >>> this_process().pid == os.getpid()
    True
    """
    return Holder(os.getpid(), socket.gethostname(), _token(os.getpid()))


def holder_alive(pid: int, host: str, token: str) -> bool:
    """Whether the process that claimed a load still runs.

    Only a process on this host can be checked: one on another host is taken as alive.
    A pid that now belongs to a process started at another time (reused), or to a
    zombie, is not alive.

    Examples
    --------
    >>> import subprocess, sys
    >>> gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
    ...                       capture_output=True, text=True).stdout
    >>> holder_alive(int(gone), this_process().host, "")
    False
    """
    me = this_process()
    if host != me.host:
        return True
    if pid == me.pid:
        return not token or not me.token or token == me.token
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    fields = _stat(pid)
    if fields is None:
        return True  # no /proc: the pid exists, nothing more to tell
    if fields and fields[0] in ("Z", "X"):
        return False
    return not token or _token(pid) in ("", token)


def run_state(stored: str, pid: int, host: str, token: str) -> str:
    """The state of a load as it stands: a stored ``running`` whose process is gone is
    ``interrupted``.

    Examples
    --------
    >>> me = this_process()
    >>> run_state("running", me.pid, me.host, me.token), run_state("failed", 1, "h", "")
    ('running', 'failed')
    """
    if stored == "running" and not holder_alive(pid, host, token):
        return "interrupted"
    return stored


def since(utc: str, now: datetime | None = None) -> str:
    """A load-log time (UTC text) in local time: ``HH:MM`` today, else with the date.

    Examples
    --------
    >>> from datetime import timezone, timedelta
    >>> len(since("2024-05-01 06:05:00")), since("2024-05-01 06:05:00")[4]
    (16, '-')
    """
    try:
        at = datetime.strptime(utc, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).astimezone()
    except ValueError:
        return utc
    now = now or datetime.now().astimezone()
    return at.strftime("%H:%M") if at.date() == now.date() else at.strftime("%Y-%m-%d %H:%M")


def _who(run: LoadRun) -> str:
    return f"pid {run.pid} on host {run.host}"


def locked_error(run: LoadRun, where: str) -> LoadLockedError:
    """The refusal of a second load while ``run`` holds the lock of database ``where``.

    Examples
    --------
    >>> run = LoadRun(1, "/d/a", "", "2024-05-01 06:05:00", 9, "laptop", "running", 0)
    >>> print(locked_error(run, "case.db"))  # doctest: +ELLIPSIS
    case.db: another load is running since ... (pid 9 on host laptop): load 1 of /d/a
    """
    return LoadLockedError(
        f"{where}: another load is running since {since(run.started)} ({_who(run)}): "
        f"load {run.id} of {run.source}",
        hint="wait until it has finished (umbrella stats shows it), then run this again; "
             "one load at a time keeps the ids each load checks against true")


def incomplete_message(run: LoadRun) -> str:
    """What a load that started and did not finish left behind, in one sentence."""
    head = f"the load of {run.source} (load {run.id}, started {since(run.started)} by {_who(run)})"
    if run.state == "running":
        return f"{head} is running"
    why = f"it stopped: {run.error}" if run.state == "failed" and run.error else (
        "it stopped on an error" if run.state == "failed" else "its process is gone")
    held = (f"the database holds part of it ({run.chunks} chunk(s) written)"
            if run.wrote_anything else "nothing of it was written")
    return f"{head} did not finish: {why}; {held}"


def resume_hint(run: LoadRun) -> str:
    """How to resume ``run``: the same load again (streamed loads commit per chunk and
    a rerun adds nothing already there)."""
    again = run.command or f"umbrella load {run.source} (with the options it had)"
    return f"resume it by running the same load again (what it wrote already adds nothing): {again}"


def refuse_incomplete(view: StoreView, *, partial: bool = False, where: str = "") -> None:
    """Refuse to work on a database with a load running, or one that stopped half-way.

    With ``partial``, only a running load is refused (the caller accepts what a stopped
    load left). Raises :class:`~graph.errors.IncompleteLoadError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "case.db")
    >>> refuse_incomplete(store.view())  # nothing under way
    >>> load = store.start_load("/d/county")
    >>> refuse_incomplete(store.view(), where="case.db")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.IncompleteLoadError: case.db: a load is running since ... load 1 of /d/county; ...
    >>> store.end_load(load)
    >>> store.close()
    """
    runs = view.load_runs()
    running = [r for r in runs if r.state == "running"]
    stopped = [r for r in runs if r.state != "running"]
    prefix = f"{where}: " if where else ""
    if running:
        r = running[0]
        raise IncompleteLoadError(
            f"{prefix}a load is running since {since(r.started)} ({_who(r)}): load {r.id} of "
            f"{r.source}; findings now would come from a half-loaded database",
            hint="run this again when it has finished (umbrella stats shows it)")
    if stopped and not partial:
        r = stopped[-1]
        more = (f" (and {len(stopped) - 1} more; umbrella stats lists them)"
                if len(stopped) > 1 else "")
        raise IncompleteLoadError(
            f"{prefix}{incomplete_message(r)}{more}",
            hint=resume_hint(r) + "; or add --partial to scan what the database holds")
