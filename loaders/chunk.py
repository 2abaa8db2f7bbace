"""What the load pipeline consumes: chunks of layout tables, and where their rows came from.

A :class:`Chunk` is the layout tables of part of a source, each a :class:`Part` that
is read when its turn comes: a layout folder is one chunk of files, a mapping's
exports one chunk of mapped sheets, a standard (FtM, OCDS, BODS) a stream of
chunks of rows converted in memory. Records that could not become layout rows
at all travel with the chunk (``unconverted``), to be set aside like bad rows.

A chunk may hold the rows of many small files (validation costs per table, not
per row): its tables then carry a placeholder path and each ``_line`` is
``file number * SPAN + line``; :class:`Places` gives every row, record and
message back its real file and line.

Examples
--------
>>> import pandas as pd
>>> raw = RawTable(Path("a.json"), pd.DataFrame({"person_id": ["A"], "_line": [1]}), "json",
...                ["person_id"])
>>> chunk = Chunk.of({"persons": raw})
>>> [(p.table, p.label) for p in chunk.parts], chunk.read("persons").frame["person_id"].tolist()
([('persons', 'a.json')], ['A'])
>>> places = Places(Chunk.of({"persons": raw}, files=["a.json", "b.json"]))
>>> places.file_line(1 * SPAN + 7)
('b.json', 7)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from graph.store import SetAsideRecord
from lang import _
from loaders.layout import TABLES
from loaders.read import LINE, RawTable
from loaders.registry import Registry, SetAsideRef
from loaders.report import PLACE, place
from loaders.validate import Checked

#: Lines of a chunk that mixes several files are ``file number * SPAN + line``.
SPAN = 1_000_000_000
#: Columns that are provenance, not data: kept on set-aside rows and entities.
POINTER = "json_pointer"
#: Reasons for records set aside before they became layout rows (beside the layout's own).
STANDARD_REASONS = {
    "unreadable": "the file cannot be read as a whole (empty, not JSON, wrong encoding, not "
                  "the format asked for)",
    "bad_json": "one line of a JSON-lines file is not valid JSON",
    "not_convertible": "a record the data layout has no place for (its kind, or a reference "
                       "it needs, is missing)",
    "superseded": "a statement replaced by a later statement of the same load",
}

Records = list[SetAsideRecord]


@dataclass
class Part:
    """One layout table of a chunk, or one of several parts of it (a mapping may fill a
    table from several sheets, or twice from one)."""

    table: str
    read: Callable[[], RawTable]
    """Reads the rows (a file is read only when its turn comes; a whole-file problem
    raises :class:`graph.errors.InputError` then)."""
    label: str
    """What progress messages call it (a file name)."""
    place: Callable[[Records], Records] | None = None
    """Gives set-aside records their place in the source as written (a mapping names the
    export's column and keeps its row)."""

    @classmethod
    def given(cls, table: str, raw: RawTable,
              place: Callable[[Records], Records] | None = None) -> Part:
        """A part whose rows are already in memory (named after their file)."""
        return cls(table, lambda: raw, Path(raw.path).name, place)


@dataclass
class Chunk:
    """Layout tables of part of a source, and records of it that became no row."""

    parts: list[Part] = field(default_factory=list)
    unconverted: Records = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    """The files whose rows the chunk mixes, when more than one (see the module notes)."""
    merged: dict[tuple[str, str], int] = field(default_factory=dict)
    """Rows merged into an earlier row of the same id in the chunk, per (table, file):
    read and loaded (as part of that row)."""

    @classmethod
    def of(cls, tables: Mapping[str, RawTable], unconverted: Iterable[SetAsideRecord] = (),
           files: Iterable[str] = (), merged: Mapping[tuple[str, str], int] | None = None
           ) -> Chunk:
        """A chunk of tables already in memory (one part per table)."""
        parts = [Part.given(t, raw) for t, raw in tables.items()]
        return cls(parts, list(unconverted), list(files), dict(merged or {}))

    def read(self, table: str) -> RawTable:
        """The rows of ``table``, which has one part in the chunk."""
        (part,) = [p for p in self.parts if p.table == table]
        return part.read()

    def ordered(self) -> list[Part]:
        """The parts in layout order (a table only refers to tables before it)."""
        order = {t: i for i, t in enumerate(TABLES)}
        return sorted(self.parts, key=lambda p: order[p.table])


#: Where the chunks of one load come from: called once per pass over the source.
ChunkSource = Callable[[], Iterable[Chunk]]


class Places:
    """Real (file, line) of the rows of a chunk that mixes several files (a no-op else)."""

    def __init__(self, chunk: Chunk) -> None:
        self.files = chunk.files if len(chunk.files) > 1 else []

    @property
    def mixed(self) -> bool:
        """Whether the chunk mixes the rows of several files."""
        return bool(self.files)

    def file_line(self, line: int) -> tuple[str, int]:
        """The file and line a mixed chunk's line number stands for."""
        return self.files[line // SPAN], line % SPAN

    def files_of(self, c: Checked) -> pd.Series:
        """The file of each good row of ``c``."""
        if not self.files:
            return pd.Series([str(c.path)] * len(c.frame), dtype=object)
        names = pd.Series(self.files, dtype=object)
        return pd.Series(names.iloc[(c.frame[LINE].astype("int64") // SPAN).to_numpy()]
                         .to_numpy(), dtype=object)

    def _text(self, message: str, placeholder: str) -> str:
        def fix(m: re.Match[str]) -> str:
            f, n = self.file_line(int(m.group(1)))
            return place(Path(f).name, n)
        pattern = (re.escape(_(PLACE)).replace(re.escape("{file}"), re.escape(placeholder))
                   .replace(re.escape("{line}"), r"(\d{10,})"))
        return re.sub(pattern, fix, message)

    def records(self, records: Records) -> Records:
        """Set-aside records of the chunk's validation, with their real files and lines."""
        if not self.files:
            return records
        out = []
        for r in records:
            f, n = self.file_line(r.line)
            out.append(replace(r, file=f, line=n, message=self._text(r.message,
                                                                     Path(r.file).name)))
        return out

    def frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """Fix the ``file`` and ``line`` columns of an alias or relation frame."""
        if not self.files or df.empty:
            return df
        lines = df["line"].astype("int64")
        names = pd.Series(self.files, dtype=object)
        return df.assign(file=names.iloc[(lines // SPAN).to_numpy()].to_numpy(),
                         line=(lines % SPAN).to_numpy())

    def registry(self, reg: Registry, table: str) -> None:
        """Set-aside ids of ``table`` point at their real file and line."""
        if not self.files:
            return
        aside = reg.table_aside(table)
        for sid, ref in list(aside.items()):
            if ref.line >= SPAN:
                f, n = self.file_line(ref.line)
                aside[sid] = SetAsideRef(f, n, ref.code)
