"""Load a folder in the data layout into a store, all or nothing.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "persons.csv").write_text("person_id,name\\nP1,张三\\nP2,\\n", encoding="utf-8")
>>> store = open_store(d / "case.db")
>>> report = load_folder(d, store)
>>> report.read, report.loaded, report.set_aside_count
(2, 1, 1)
>>> report.set_aside[0].code, report.set_aside[0].line
('missing_required', 3)
>>> store.close()
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from graph.errors import InputError
from graph.store import SetAsideRecord, Store
from loaders import build
from loaders.layout import TABLES
from loaders.read import RawTable, read_table_file
from loaders.registry import Registry
from loaders.validate import Checked, check_table

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TableReport:
    """Counts for one table of one load."""

    table: str
    file: str
    encoding: str
    read: int
    loaded: int
    set_aside: int


@dataclass
class LoadReport:
    """What a load did: per-table counts, the rows set aside, and the store totals after."""

    source: str
    tables: list[TableReport] = field(default_factory=list)
    set_aside: list[SetAsideRecord] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    load_id: int = 0
    redefined: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    """Per table: how many ids earlier loads defined from another file, an example id and
    that file. Such ids are taken as the same entities, which is only right when the
    sources share one numbering."""

    @property
    def read(self) -> int:
        """Rows read over all tables."""
        return sum(t.read for t in self.tables)

    @property
    def loaded(self) -> int:
        """Rows loaded over all tables."""
        return sum(t.loaded for t in self.tables)

    @property
    def set_aside_count(self) -> int:
        """Rows set aside over all tables."""
        return sum(t.set_aside for t in self.tables)

    def as_dict(self) -> dict[str, object]:
        """Plain-data form (for the audit log and JSON output)."""
        return {
            "source": self.source,
            "tables": [t.__dict__ for t in self.tables],
            "read": self.read, "loaded": self.loaded, "set_aside": self.set_aside_count,
            "ignored_files": self.ignored_files,
            "redefined": {t: list(v) for t, v in self.redefined.items()},
        }


def discover(folder: Path) -> tuple[dict[str, Path], list[str]]:
    """The layout files in ``folder`` (by table) and the names of other files there."""
    if not folder.exists():
        raise InputError(f"{folder}: no such folder", hint="check the path of the data folder")
    if not folder.is_dir():
        raise InputError(f"{folder}: is a file, not a folder",
                         hint="pass the folder that holds persons.csv, organizations.csv, ...")
    found: dict[str, Path] = {}
    ignored: list[str] = []
    for path in sorted(folder.iterdir()):
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if path.is_file() and stem in TABLES and suffix in (".csv", ".xlsx"):
            if stem in found:
                raise InputError(
                    f"{folder}: both {found[stem].name} and {path.name} hold table {stem}",
                    hint="keep one of the two files")
            found[stem] = path
        elif not path.name.startswith("."):
            ignored.append(path.name)
    if not found:
        raise InputError(
            f"{folder}: no layout table found (expected files such as persons.csv, "
            "organizations.csv, contracts.xlsx)",
            hint="name the files after the tables of the data layout (see README, 'Data layout')")
    return {t: found[t] for t in TABLES if t in found}, ignored


def _registry(store: Store) -> Registry:
    view = store.view()
    reg = Registry(salt=view.key_salt())
    for (table, sid), key in view.aliases().items():
        reg.table_known(table)[sid] = key
        reg.in_store[table] = reg.in_store.get(table, 0) + 1
    return reg


def _redefined(store: Store, checked: list[Checked]) -> dict[str, tuple[int, str, str]]:
    """Ids of this load that earlier loads defined from other files."""
    view = store.view()
    if not view.counts_by_kind():
        return {}
    earlier = {(s.table, s.source_id): s.file for refs in view.entity_sources().values()
               for s in refs}
    out: dict[str, tuple[int, str, str]] = {}
    for c in checked:
        if c.spec.key is None:
            continue
        here = str(c.path)
        clash = [(sid, earlier[(c.spec.name, sid)]) for sid in c.frame[c.spec.key].tolist()
                 if earlier.get((c.spec.name, sid), here) != here]
        if clash:
            out[c.spec.name] = (len(clash), clash[0][0], clash[0][1])
    return out


def check_folder(folder: Path, store: Store, *, encoding: str | None = None,
                 delimiter: str = ",", progress: Progress | None = None
                 ) -> tuple[list[Checked], list[str]]:
    """Read and validate every table of ``folder`` without writing anything."""
    files, ignored = discover(folder)
    raws = ((table, lambda p=path: read_table_file(p, encoding, delimiter), path.name)
            for table, path in files.items())
    return check_tables(raws, store, len(files), progress), ignored


def check_tables(raws: Iterable[tuple[str, Callable[[], RawTable], str]], store: Store,
                 count: int, progress: Progress | None = None) -> list[Checked]:
    """Validate already-readable tables, in the given order, against ``store``'s ids.

    ``raws`` yields ``(table, read, label)``: ``read()`` gives the table's
    :class:`~loaders.read.RawTable` (called in turn, so whole-file errors surface in
    order), ``label`` names it in progress messages. Tables must come in layout order
    (:data:`loaders.layout.TABLES`), since a table only refers to tables before it.
    """
    reg = _registry(store)
    checked: list[Checked] = []
    for i, (table, read, label) in enumerate(raws):
        if progress:
            progress(f"reading {label}", i, count)
        checked.append(check_table(TABLES[table], read(), reg))
    if progress:
        progress("checked", count, count)
    return checked


def load_folder(folder: Path, store: Store, *, encoding: str | None = None,
                delimiter: str = ",", strict: bool = False,
                progress: Progress | None = None) -> LoadReport:
    """Validate every table of ``folder``, then write it to ``store`` in one transaction.

    A whole-file problem raises :class:`graph.errors.InputError` before anything is
    written; with ``strict`` any set-aside row does too. Loading the same folder
    twice changes nothing.
    """
    checked, ignored = check_folder(folder, store, encoding=encoding, delimiter=delimiter,
                                    progress=progress)
    report = LoadReport(str(folder.resolve()), ignored_files=ignored)
    return write_checked(checked, store, report, strict=strict, progress=progress)


def write_checked(checked: list[Checked], store: Store, report: LoadReport, *,
                  strict: bool = False, progress: Progress | None = None) -> LoadReport:
    """Fill ``report`` from validated tables and write them to ``store`` in one transaction.

    With ``strict``, any set-aside row raises :class:`graph.errors.InputError` and
    nothing is written. The store keeps one set-aside record per source row (file
    and line): when one row was set aside from several tables (a mapping can feed
    several tables from one row), the first is kept and names the others.
    """
    report.redefined = _redefined(store, checked)
    for c in checked:
        report.tables.append(TableReport(c.spec.name, str(c.path), c.encoding, c.read, c.loaded,
                                         len(c.set_aside)))
        report.set_aside.extend(c.set_aside)
    if strict and report.set_aside:
        first = report.set_aside[0]
        raise InputError(
            f"{Path(first.file).name}: line {first.line}, column {first.column}: {first.message} "
            f"({len(report.set_aside)} row(s) would be set aside)",
            hint="fix the rows, or load without --strict to set them aside")
    total = sum(c.loaded for c in checked)
    done = 0
    with store.writer() as w:
        for c in checked:
            if c.spec.key is not None:
                ents, aliases = build.entity_frames(c)
                w.write_entities(ents)
                w.write_aliases(aliases)
            w.write_relations(build.relation_frame(c))
            done += c.loaded
            if progress:
                progress(f"writing {c.spec.name}", done, total)
        w.put_set_aside(one_per_row(report.set_aside))
        report.load_id = w.log_load(report.source, report.as_dict())
    return report


def one_per_row(records: list[SetAsideRecord]) -> list[SetAsideRecord]:
    """One record per (file, line): the first, its message naming the other tables.

    Examples
    --------
    >>> a = SetAsideRecord("d.csv", 2, "persons", "name", "missing_required", "name is blank")
    >>> b = SetAsideRecord("d.csv", 2, "payments", "recipient_id", "refers_to_set_aside", "...")
    >>> [r.message for r in one_per_row([a, b])]
    ['name is blank (also set aside from payments: refers_to_set_aside)']
    """
    first: dict[tuple[str, int], int] = {}
    out: list[SetAsideRecord] = []
    for r in records:
        at = first.get((r.file, r.line))
        if at is None:
            first[(r.file, r.line)] = len(out)
            out.append(r)
            continue
        kept = out[at]
        note = f"{r.table}: {r.code}"
        if note not in kept.message:
            joined = (kept.message[:-1] + f"; {note})" if kept.message.endswith(")")
                      and "(also set aside from " in kept.message
                      else f"{kept.message} (also set aside from {note})")
            out[at] = replace(kept, message=joined)
    return out


def write_set_aside_csv(records: list[SetAsideRecord], path: Path) -> Path:
    """Write set-aside rows as CSV (UTF-8 with BOM, so Excel shows Chinese) and return the path."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "line", "table", "column", "reason", "message", "row"])
        for r in records:
            w.writerow([r.file, r.line, r.table, r.column, r.code, r.message,
                        json.dumps(r.row, ensure_ascii=False)])
    return path
