"""What a load reports: counts per table and file, the rows set aside, ids that collide.

``rows read = rows loaded + rows set aside`` holds for every line of a report and
for its totals (:class:`Tally` adds them up chunk by chunk), and the store keeps
exactly the report's set-aside records under the load's number, so both count
alike. :func:`set_aside_table` lays the records out for people (the file written
after a load, ``umbrella set-aside``), identity numbers masked unless revealed.

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

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from graph.ids import mask_id_number, mask_id_numbers
from graph.store import SetAsideRecord
from lang import N_, _


def place(file: str, line: int) -> str:
    """A source row in words (``persons.csv line 3``), in the language spoken now; messages
    name rows so, and :class:`loaders.chunk.Places` finds them there again.

    Examples
    --------
    >>> place("persons.csv", 3)
    'persons.csv line 3'
    """
    return _(PLACE).format(file=file, line=line)


#: How messages name a source row.
PLACE = N_("{file} line {line}")


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


@dataclass(frozen=True)
class Collision:
    """An id this load defines that the database maps to another entity already: another
    source numbered its rows the same way. Both mappings are kept; the id is ambiguous.

    ``here`` is where this load defines it, ``earlier`` where the other entities were
    defined (``file line N`` each)."""

    table: str
    source_id: str
    here: str
    earlier: tuple[str, ...]


#: Collisions kept in the load log's copy of a report (all of them are in the store).
LOGGED_COLLISIONS = 20


@dataclass
class LoadReport:
    """What a load did: per-table counts, the rows set aside, and the store totals after."""

    source: str
    tables: list[TableReport] = field(default_factory=list)
    set_aside: list[SetAsideRecord] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    load_id: int = 0
    redefined: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    """Per table: how many ids earlier loads defined from another file as the same entity
    (same identity number or credit code, or an id that is its own identity), an example
    id and that file."""
    collisions: list[Collision] = field(default_factory=list)
    """Ids this load defines that the database maps to other entities (now ambiguous)."""

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
        """Plain-data form (for the audit log and JSON output); of the collisions, the
        counts by table and the first :data:`LOGGED_COLLISIONS`."""
        return {
            "source": self.source,
            "tables": [t.__dict__ for t in self.tables],
            "read": self.read, "loaded": self.loaded, "set_aside": self.set_aside_count,
            "ignored_files": self.ignored_files,
            "redefined": {t: list(v) for t, v in self.redefined.items()},
            "collisions": {
                "count": len(self.collisions),
                "tables": dict(Counter(c.table for c in self.collisions)),
                "first": [[c.table, c.source_id, c.here, *c.earlier]
                          for c in self.collisions[:LOGGED_COLLISIONS]]},
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


#: Columns of a set-aside table (:func:`set_aside_table`).
SET_ASIDE_COLUMNS = ("load", "file", "line", "table", "column", "reason", "message", "row")
#: Column names (lower case) whose values are identity numbers, in the layout and in
#: department exports.
_ID_COLUMNS = ("id_number", "idnumber", "id_card", "idcard", "身份证", "证件号", "身份号码")


def _id_column(name: str) -> bool:
    low = name.lower()
    return any(part in low for part in _ID_COLUMNS)


def masked(record: SetAsideRecord) -> SetAsideRecord:
    """``record`` with identity numbers masked in its message and row: every value of an
    identity-number column (whatever it holds), the value that failed as one, and every
    token shaped like one elsewhere.

    Examples
    --------
    >>> r = SetAsideRecord("p.csv", 3, "persons", "身份证号", "bad_id_number",
    ...                    "身份证号 '110105***********1' fails its checksum",
    ...                    {"姓名": "张三", "身份证号": "110105194912310021",
    ...                     "备注": "旧号 11010519491231002X"})
    >>> m = masked(r)
    >>> m.row
    {'姓名': '张三', '身份证号': '110105***********1', '备注': '旧号 110105***********X'}
    >>> masked(SetAsideRecord("p.csv", 4, "persons", "name", "missing_required", "",
    ...                       {"id_number": "1101051949"})).row
    {'id_number': '110105***9'}
    """
    failed = record.column if record.code == "bad_id_number" else None
    row = {k: mask_id_number(v) if (k == failed or _id_column(k)) and v else mask_id_numbers(v)
           for k, v in record.row.items()}
    return replace(record, message=mask_id_numbers(record.message), row=row)


def set_aside_table(records: Iterable[SetAsideRecord], *, reveal: bool = False
                    ) -> tuple[list[str], list[list[Any]]]:
    """Set-aside records as the columns :data:`SET_ASIDE_COLUMNS` and one row each (the row
    as written, a dict), identity numbers masked unless ``reveal``.

    Examples
    --------
    >>> r = SetAsideRecord("persons.csv", 3, "persons", "name", "missing_required", "blank",
    ...                    {"person_id": "P3", "id_number": "11010519491231002X"}, load=2)
    >>> columns, rows = set_aside_table([r])
    >>> rows[0][:7], rows[0][7]["id_number"]
    ([2, 'persons.csv', 3, 'persons', 'name', 'missing_required', 'blank'], '110105***********X')
    >>> set_aside_table([r], reveal=True)[1][0][7]["id_number"]
    '11010519491231002X'
    """
    shown = (r if reveal else masked(r) for r in records)
    return list(SET_ASIDE_COLUMNS), [
        [r.load, r.file, r.line, r.table, r.column, r.code, r.message, dict(r.row)]
        for r in shown]


def cell_text(value: Any) -> str:
    """A set-aside table's value as text in CSV and on the terminal (the row as JSON).

    Examples
    --------
    >>> cell_text({"name": "张三"}), cell_text(3)
    ('{"name": "张三"}', '3')
    """
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def set_aside_counts(records: Sequence[SetAsideRecord]) -> dict[int, int]:
    """Rows set aside per load.

    Examples
    --------
    >>> r = SetAsideRecord("p.csv", 2, "persons", "name", "missing_required", "")
    >>> set_aside_counts([replace(r, load=1), replace(r, load=2), replace(r, line=3, load=2)])
    {1: 1, 2: 2}
    """
    return dict(Counter(r.load for r in records))
