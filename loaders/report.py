"""What a load reports: counts per table and file, the rows set aside, and their CSV.

``rows read = rows loaded + rows set aside`` holds for every line of a report and
for its totals (:class:`Tally` adds them up chunk by chunk).

Examples
--------
>>> report = LoadReport("/data/county", tables=[
...     TableReport("persons", "/data/county/persons.csv", "utf-8", 3, 2, 1)])
>>> report.read == report.loaded + report.set_aside_count
True
>>> report.as_dict()["tables"][0]["loaded"]
2
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from graph.store import SetAsideRecord

#: ``progress(stage, done, total)``: what a load is doing, for a progress bar.
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


@dataclass
class StandardReport(LoadReport):
    """A :class:`LoadReport` with the source format and notes on what was converted how."""

    format: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Plain-data form, with the format and the notes."""
        return {**super().as_dict(), "format": self.format, "notes": self.notes}


class Tally:
    """Counts of one load, added up over its chunks: one line per (table, file, part).

    A part is the n-th block of one table within a chunk (a mapping may feed one table
    twice from one sheet); the parts of a stream's chunks are part 0, so one file's rows
    add up over all chunks.

    Examples
    --------
    >>> t = Tally()
    >>> t.add("persons", "p.csv", "utf-8", loaded=5, set_aside=1)
    >>> t.add("persons", "p.csv", "utf-8", loaded=2, set_aside=0)
    >>> t.tables()
    [TableReport(table='persons', file='p.csv', encoding='utf-8', read=8, loaded=7, set_aside=1)]
    """

    def __init__(self) -> None:
        self._lines: dict[tuple[str, str, int], TableReport] = {}

    def add(self, table: str, file: str, encoding: str, *, loaded: int, set_aside: int,
            part: int = 0) -> None:
        """Count rows of ``table`` from ``file`` (read = loaded + set aside); the encoding
        is the one the line was first counted with."""
        at = (table, file, part)
        was = self._lines.get(at) or TableReport(table, file, encoding, 0, 0, 0)
        self._lines[at] = replace(was, read=was.read + loaded + set_aside,
                                  loaded=was.loaded + loaded, set_aside=was.set_aside + set_aside)

    def tables(self) -> list[TableReport]:
        """One :class:`TableReport` per line, in the order lines were first counted."""
        return list(self._lines.values())


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
    """Write set-aside rows as CSV (UTF-8 with BOM, so Excel shows Chinese) and return the path.

    Examples
    --------
    >>> import tempfile
    >>> r = SetAsideRecord("persons.csv", 3, "persons", "name", "missing_required", "blank")
    >>> out = write_set_aside_csv([r], Path(tempfile.mkdtemp()) / "aside.csv")
    >>> out.read_text(encoding="utf-8-sig").splitlines()[1]
    'persons.csv,3,persons,name,missing_required,blank,{}'
    """
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "line", "table", "column", "reason", "message", "row"])
        for r in records:
            w.writerow([r.file, r.line, r.table, r.column, r.code, r.message,
                        json.dumps(r.row, ensure_ascii=False)])
    return path
