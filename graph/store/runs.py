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
from graph.text import _

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
    return _("pid {pid} on host {host}").format(pid=run.pid, host=run.host)


def locked_error(run: LoadRun, where: str) -> LoadLockedError:
    """The refusal of a second load while ``run`` holds the lock of database ``where``.

    Examples
    --------
    >>> run = LoadRun(1, "/d/a", "", "2024-05-01 06:05:00", 9, "laptop", "running", 0)
    >>> print(locked_error(run, "case.db"))  # doctest: +ELLIPSIS
    case.db: another load is running since ... (pid 9 on host laptop): load 1 of /d/a
    """
    return LoadLockedError(
        _("{where}: another load is running since {since} ({who}): load {load} of {source}")
        .format(where=where, since=since(run.started), who=_who(run), load=run.id,
                source=run.source),
        hint=_("wait until it has finished (umbrella stats shows it), then run this again; "
               "one load at a time keeps the ids each load checks against true"))


def incomplete_message(run: LoadRun) -> str:
    """What a load that started and did not finish left behind, in one sentence."""
    fields = {"source": run.source, "load": run.id, "since": since(run.started),
              "who": _who(run), "error": run.error, "chunks": run.chunks}
    if run.state == "running":
        return _("the load of {source} (load {load}, started {since} by {who}) is "
                 "running").format(**fields)
    if run.state == "failed" and run.error:
        why = _("it stopped: {error}").format(**fields)
    elif run.state == "failed":
        why = _("it stopped on an error")
    else:
        why = _("its process is gone")
    held = (_("the database holds part of it ({chunks} chunk(s) written)").format(**fields)
            if run.wrote_anything else _("nothing of it was written"))
    return _("the load of {source} (load {load}, started {since} by {who}) did not finish: "
             "{why}; {held}").format(why=why, held=held, **fields)


def resume_hint(run: LoadRun) -> str:
    """How to resume ``run``: the same load again (streamed loads commit per chunk and
    a rerun adds nothing already there)."""
    again = run.command or _("umbrella load {source} (with the options it had)").format(
        source=run.source)
    return _("resume it by running the same load again (what it wrote already adds nothing): "
             "{command}").format(command=again)


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
    if running:
        r = running[0]
        message = _("a load is running since {since} ({who}): load {load} of {source}; "
                    "findings now would come from a half-loaded database").format(
            since=since(r.started), who=_who(r), load=r.id, source=r.source)
        raise IncompleteLoadError(
            _where(where, message),
            hint=_("run this again when it has finished (umbrella stats shows it)"))
    if stopped and not partial:
        r = stopped[-1]
        message = incomplete_message(r)
        if len(stopped) > 1:
            message = _("{message} (and {n} more; umbrella stats lists them)").format(
                message=message, n=len(stopped) - 1)
        raise IncompleteLoadError(
            _where(where, message),
            hint=_("{hint}; or add --partial to scan what the database holds").format(
                hint=resume_hint(r)))


def _where(where: str, message: str) -> str:
    """``message`` about the database ``where`` (said first when known)."""
    return _("{where}: {message}").format(where=where, message=message) if where else message
