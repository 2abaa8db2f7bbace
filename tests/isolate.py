"""Run a load in a forked child, with a time and memory limit, and say how it ended.

A hostile input may make a reader hang or eat memory; the tests must then fail, not
hang themselves. :func:`run_load` forks (the child shares the already imported
modules, so it starts in milliseconds), runs the load there under
``resource.RLIMIT_AS``, and reports back through a pipe: the per-table counts of
the report, or the refusal (an :class:`~graph.errors.UmbrellaError`), or the
traceback of any other exception, or that it ran out of time.

Examples
--------
>>> out = run_load(lambda: (_ for _ in ()).throw(ValueError("boom")), timeout=5)
>>> out.kind, out.error
('crash', 'ValueError')
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import UmbrellaError
from graph.store import SqliteStore
from loaders.limits import override
from loaders.load import load_folder
from loaders.mapping import load_mapped
from loaders.report import LoadReport
from loaders.standards import bods, ftm, load_any, ocds

_LOADED_UP_FRONT = (bods, ftm, ocds)  # forked children share them: no import per load

#: The hostile inputs kept as files (``tests/loaders/test_hostile.py``).
HOSTILE = Path(__file__).parent / "loaders" / "hostile"


@dataclass
class Outcome:
    """How one load ended: ``report``, ``refused``, ``crash`` or ``hang``."""

    kind: str
    tables: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    """``(table, file, read, loaded, set aside)`` per line of the report."""
    codes: dict[str, int] = field(default_factory=dict)
    """Set-aside rows per reason."""
    aside: list[tuple[str, int, str, str, str]] = field(default_factory=list)
    """``(file name, line, code, column, message)`` of each set-aside row."""
    error: str = ""
    message: str = ""
    hint: str = ""
    seconds: float = 0.0

    @property
    def read(self) -> int:
        return sum(t[2] for t in self.tables)

    @property
    def loaded(self) -> int:
        return sum(t[3] for t in self.tables)

    @property
    def set_aside(self) -> int:
        return sum(t[4] for t in self.tables)

    def __str__(self) -> str:
        if self.kind == "report":
            return f"report: read {self.read}, loaded {self.loaded}, set aside {self.codes}"
        return f"{self.kind}: {self.error}: {self.message} | {self.hint}"


def _summary(report: Any) -> dict[str, Any]:
    return {
        "kind": "report",
        "tables": [(t.table, os.path.basename(t.file), t.read, t.loaded, t.set_aside)
                   for t in report.tables],
        "codes": dict(Counter(r.code for r in report.set_aside)),
        "aside": [(os.path.basename(r.file), r.line, r.code, r.column, r.message)
                  for r in report.set_aside],
    }


def _child(load: Callable[[], Any], limits: dict[str, int], memory_mb: int) -> dict[str, Any]:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[0])
    cap = pages * os.sysconf("SC_PAGE_SIZE") + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        with override(**limits):
            return _summary(load())
    except UmbrellaError as err:
        return {"kind": "refused", "error": type(err).__name__, "message": err.message,
                "hint": err.hint}
    except BaseException as exc:
        return {"kind": "crash", "error": type(exc).__name__, "message": str(exc)[:500],
                "hint": traceback.format_exc()[-3000:]}


def run_load(load: Callable[[], Any], *, timeout: float = 20.0,
             limits: dict[str, int] | None = None, memory_mb: int = 1500) -> Outcome:
    """Run ``load()`` in a forked child (see the module notes) and return how it ended."""
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        try:
            data = pickle.dumps(_child(load, limits or {}, memory_mb))
        except BaseException as exc:
            data = pickle.dumps({"kind": "crash", "error": type(exc).__name__,
                                 "message": str(exc)[:500]})
        with os.fdopen(write_fd, "wb") as out:
            out.write(data)
        os._exit(0)
    os.close(write_fd)
    chunks: list[bytes] = []
    try:
        while True:
            left = timeout - (time.monotonic() - start)
            ready, _, _ = select.select([read_fd], [], [], max(left, 0))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                return Outcome("hang", error="timeout",
                               message=f"still running after {timeout:g} s",
                               seconds=time.monotonic() - start)
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        os.waitpid(pid, 0)
    seconds = time.monotonic() - start
    if not chunks:
        return Outcome("crash", error="died", message="the child died without a word",
                       seconds=seconds)
    result: dict[str, Any] = pickle.loads(b"".join(chunks))
    return Outcome(seconds=seconds, **result)


#: The standard of a fuzz input, by its file name (``tests/loaders/test_fuzz.py``).
FORMATS = {"p.json": "ocds", "r.jsonl": "ocds", "e.jsonl": "ftm", "b.json": "bods"}


def load_case(case: Path, db: Path, kind: str = "") -> LoadReport:
    """Load a case folder into a new embedded store at ``db``: a layout folder, a folder
    with one JSON file (``standards``, format detected) or a mapping folder (``m.yaml``
    and its exports). ``kind`` defaults to the name of the folder above (or, under
    ``fuzz/``, the case name's first part)."""
    if not kind:
        kind = case.name.split("-", 1)[0] if case.parent.name == "fuzz" else case.parent.name
    store = SqliteStore(db)
    try:
        if kind == "standards":
            (source,) = [p for p in case.iterdir() if p.is_file()]
            return load_any(source, store, FORMATS.get(source.name.removesuffix(".gz")))
        if kind == "mapping":
            return load_mapped(case / "m.yaml", [], store)
        return load_folder(case, store)
    finally:
        store.close()


def check_invariants(out: Outcome, where: str) -> None:
    """No traceback, no hang; read = loaded + set aside on every line of the report."""
    assert out.kind in ("report", "refused"), f"{where}: {out}"
    if out.kind == "refused":
        assert out.message and out.hint, f"{where}: a refusal says what and how to fix"
        return
    for table, file, read, loaded, aside in out.tables:
        assert read == loaded + aside, f"{where}: {table} {file}: {read} != {loaded} + {aside}"
    assert sum(out.codes.values()) == out.set_aside, where
    for file, line, code, _, message in out.aside:
        assert file and line >= 0 and code and message, f"{where}: {file} {line} {code}"


def read_back(db: Path) -> int:
    """Read every entity, relationship record, set-aside row and load of the store at
    ``db`` (what the commands after a load will read); how many things were read. A
    value stored wrong (text that is not the JSON it claims to be) raises here."""
    if not db.exists():
        return 0
    store = SqliteStore(db)
    try:
        view = store.view()
        return (sum(1 for _ in view.entities()) + sum(1 for _ in view.relations())
                + len(view.set_aside()) + len(view.loads()))
    finally:
        store.close()
