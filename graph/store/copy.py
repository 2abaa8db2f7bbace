"""Copy one store into another: ``umbrella push`` (embedded -> Neo4j) and ``pull``.

Everything travels: entities with every source id (file and line), relationship
records with every source row, set-aside rows (under the target's numbers of
their loads), findings and the load log (a load already copied is not logged
again). The target takes over the source's key secret when it is empty, so person
keys made from identity numbers agree; copying into a database keyed with another
secret is refused (the same person would appear twice). Copying twice adds nothing.
A copy holds the target's load lock (:mod:`graph.store.runs`) while it writes, and
refuses a source with a load under way or stopped half-way (it would copy half a load
without saying so).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import EntityRecord, open_store
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> a, b = open_store(d / "a.db"), open_store(d / "b.db")
>>> with a.writer() as w:
...     w.put_entities([EntityRecord("p:s:P1", "person", "张三", {})])
>>> copy_store(a, b).entities, b.view().get("p:s:P1").name
(1, '张三')
>>> a.close(); b.close()
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Any

from graph.schema import NODE_KINDS
from graph.store.model import AliasRecord, EntityRecord, RelationRecord
from graph.store.protocol import Store
from graph.store.runs import refuse_incomplete
from graph.text import _

Progress = Callable[[str, int, int], None]


@dataclass
class CopyReport:
    """How much was copied."""

    entities: int = 0
    source_ids: int = 0
    relations: int = 0
    set_aside: int = 0
    findings: int = 0
    loads: int = 0


def _load_identity(load: dict[str, Any]) -> tuple[str, str]:
    """A load is the same load wherever it was copied: its source and original time."""
    return str(load["source"]), str(load["report"].get("loaded_at", load["at"]))


def copy_store(src: Store, dst: Store, progress: Progress | None = None) -> CopyReport:
    """Copy everything ``src`` holds into ``dst`` (see the module text)."""
    refuse_incomplete(src.view(), where=src.location)
    claim = dst.start_load(f"copy of {src.location}")
    try:
        report = _copy(src, dst, claim, progress)
    except BaseException as exc:
        with suppress(Exception):
            dst.end_load(claim, f"{type(exc).__name__}: {exc}")
        raise
    dst.end_load(claim)
    return report


def _copy(src: Store, dst: Store, claim: int, progress: Progress | None) -> CopyReport:
    view = src.view()
    report = CopyReport()
    steps = 5
    tick = progress or (lambda what, done, total: None)
    dst.adopt_salt(view.key_salt())
    entities, aliases = [], []
    tick(_("entities"), 0, steps)
    for kind in NODE_KINDS:
        for e in view.entities(kind):
            entities.append(EntityRecord(e.key, e.kind, e.name, e.props))
            aliases += [AliasRecord(s.table, s.source_id, e.key, s.file, s.line)
                        for s in e.sources]
    tick(_("relationship records"), 1, steps)
    relations = [RelationRecord(r.id, r.type, r.src, r.dst, r.start, r.end, r.props,
                                s.file, s.line)
                 for r in view.relations() for s in r.sources]
    tick(_("set-aside rows, findings and loads"), 2, steps)
    set_aside = view.set_aside()
    findings = view.findings()
    have = {_load_identity(ld) for ld in dst.view().loads()}
    loads = [ld for ld in view.loads() if _load_identity(ld) not in have]
    tick(_("writing"), 3, steps)
    with dst.writer() as w:
        w.put_entities(entities)
        w.put_aliases(aliases)
        w.put_relations(relations)
        rules = sorted({f["rule"] for f in findings})
        if rules:
            w.replace_findings(findings, rules)
        number = {0: 0}  # a row of no numbered load stays so
        for load in loads:
            number[int(load["id"])] = w.log_load(
                str(load["source"]), {**load["report"], "copied_from": src.location,
                                      "loaded_at": _load_identity(load)[1]})
        copied = [replace(r, load=number[r.load]) for r in set_aside if r.load in number]
        w.put_set_aside(copied)
        w.note_chunk(claim)
    tick(_("done"), steps, steps)
    report.entities, report.source_ids = len(entities), len(aliases)
    report.relations = len({r.id for r in relations})
    report.set_aside, report.findings, report.loads = len(copied), len(findings), len(loads)
    return report
