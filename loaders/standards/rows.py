"""Collect layout rows converted from records of a standard, chunk by chunk.

Each row remembers the record it came from: the record's line (JSON lines) or
number (1-based, in a JSON document), and a JSON pointer to the part of the
record it was made from (column ``json_pointer``). Rows of a keyed table that
share their id within a chunk are merged (the first filled value wins), since
standards repeat the same party or entity in many records; a merged row counts
as read and loaded in its own file (``Chunk.merged``).

Examples
--------
>>> rows = Rows(Path("x.json"))
>>> rows.add("organizations", 1, "/parties/0", {"org_id": "O1", "name": "Acme"})
>>> rows.add("organizations", 2, "/parties/0", {"org_id": "O1", "name": "", "phone": "1"})
>>> t = rows.chunk().read("organizations")
>>> t.frame[["org_id", "name", "phone", "_line"]].values.tolist()
[['O1', 'Acme', '1', 1]]
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import pandas as pd

from graph.store import SetAsideRecord
from loaders.chunk import POINTER, SPAN, Chunk
from loaders.layout import CURRENCIES, TABLES
from loaders.read import LINE, RawTable

_FILE = "_file"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def text(value: object) -> str:
    """A JSON value as layout text: '' for null, decimals without exponent, lists joined.

    Examples
    --------
    >>> text(None), text(1.5), text(Decimal("1E+3")), text(True), text(["a", "b"])
    ('', '1.5', '1000', 'true', 'a; b')
    """
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(
            value, "f")
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f") if value == value else ""
    if isinstance(value, (list, tuple)):
        return "; ".join(t for t in (text(v) for v in value) if t)
    if isinstance(value, dict):
        return ""
    return str(value).strip()


def day(value: object, end: bool = False) -> str:
    """An ISO date, datetime or partial date as ``YYYY-MM-DD``; '' when there is none.

    A partial date stands for its whole period: a start becomes its first day, an
    end (``end=True``) its last day. Text that is not a date is returned as it is,
    for validation to set the row aside.

    Examples
    --------
    >>> day("2017-06-01T00:00:00-06:00"), day("1965-11"), day("2005", end=True)
    ('2017-06-01', '1965-11-01', '2005-12-31')
    >>> day(None), day("soon")
    ('', 'soon')
    """
    s = text(value)
    m = _DATE.match(s)
    if not m:
        return s
    y, mo, d = m.group(1), m.group(2), m.group(3)
    if d:
        return f"{y}-{mo}-{d}"
    if mo:
        last = calendar.monthrange(int(y), int(mo))[1] if 1 <= int(mo) <= 12 else 1
        return f"{y}-{mo}-{last if end else 1:02d}"
    return f"{y}-12-31" if end else f"{y}-01-01"


def full_day(value: object) -> tuple[str, str]:
    """``(date, partial)``: a full date, or '' and the partial text kept as written.

    Examples
    --------
    >>> full_day("1965-11"), full_day("1965-11-02T00:00:00Z")
    (('', '1965-11'), ('1965-11-02', ''))
    """
    s = text(value)
    if re.match(r"^\d{4}-\d{2}-\d{2}", s):
        return s[:10], ""
    return "", s


class Rows:
    """Rows for the layout tables, with merging of repeated keys within the chunk.

    :meth:`use` switches to another file: one chunk may hold the rows of many small
    files (see :class:`~loaders.chunk.Chunk`).
    """

    def __init__(self, path: Path, encoding: str = "utf-8") -> None:
        self.path = path
        self.encoding = encoding
        self._rows: dict[str, list[dict[str, str]]] = {}
        self._index: dict[str, dict[str, int]] = {}
        self.unconverted: list[SetAsideRecord] = []
        self.count = 0
        self._files: list[str] = [str(path)]
        self.merged: Counter[tuple[str, str]] = Counter()

    def use(self, path: Path) -> None:
        """Rows added from now on come from ``path``."""
        self.path = path
        if str(path) not in self._files:
            self._files.append(str(path))

    def add(self, table: str, line: int, pointer: str, row: Mapping[str, object]) -> None:
        """Add a row (values made text); a repeated key fills the first row's gaps.

        A ``currency`` that is not an ISO 4217 code is kept as ``currency_published``
        and the amount keeps no currency: a publisher's word for a currency is no
        reason to set the row aside, nor to guess which currency it means.
        """
        cells = {k: v.strip() if type(v) is str else text(v) for k, v in row.items()}
        if cells.get("currency"):
            code = cells["currency"].upper()
            if code in CURRENCIES:
                cells["currency"] = code
            else:
                cells.setdefault("currency_published", cells["currency"])
                cells["currency"] = ""
        cells[POINTER] = pointer
        cells[LINE] = str(line)
        cells[_FILE] = str(self._files.index(str(self.path)))
        key = TABLES[table].key
        rows = self._rows.setdefault(table, [])
        self.count += 1
        if key is not None and cells.get(key):
            index = self._index.setdefault(table, {})
            at = index.get(cells[key])
            if at is not None:
                have = rows[at]
                for k, v in cells.items():
                    if v and not have.get(k):
                        have[k] = v
                self.merged[(table, str(self.path))] += 1
                return
            index[cells[key]] = len(rows)
        rows.append(cells)

    def kept(self, table: str) -> None:
        """A record of ``table`` kept as part of another row (a bid naming no tenderer,
        kept on its contract): read and loaded, counted in ``table``."""
        self.merged[(table, str(self.path))] += 1
        self.count += 1

    def set_aside(self, line: int, pointer: str, code: str, message: str,
                  what: str = "(not converted)", row: Mapping[str, object] | None = None,
                  column: str = "") -> None:
        """A record that becomes no layout row, with the reason (and the column at fault)."""
        cells = {k: text(v) for k, v in (row or {}).items()}
        cells[POINTER] = pointer
        self.unconverted.append(SetAsideRecord(str(self.path), line, what, column, code,
                                               message, cells))
        self.count += 1

    def chunk(self) -> Chunk:
        """The rows so far as :class:`~loaders.read.RawTable` frames; starts a new chunk."""
        used = sorted({int(r[_FILE]) for rows in self._rows.values() for r in rows})
        files = [self._files[i] for i in used]
        mixed = len(files) > 1
        path = Path(f"{len(files)}-files") if mixed else Path(files[0] if files else self.path)
        renumber = {i: n for n, i in enumerate(used)}
        tables: dict[str, RawTable] = {}
        for table, rows in self._rows.items():
            tables[table] = _raw(path, self.encoding, table, rows,
                                 renumber if mixed else None)
        out = Chunk.of(tables, self.unconverted, files, self.merged)
        self._rows, self._index, self.unconverted, self.count = {}, {}, [], 0
        self.merged = Counter()
        self._files = [str(self.path)]
        return out


def _raw(path: Path, encoding: str, table: str, rows: Iterable[dict[str, str]],
         renumber: dict[int, int] | None) -> RawTable:
    spec = TABLES[table]
    header = spec.column_names()
    rows = list(rows)
    for r in rows:
        header += [k for k in r if k not in header and k not in (LINE, _FILE)]
    frame = pd.DataFrame([[r.get(h, "") for h in header] for r in rows], columns=header,
                         dtype=object).astype(str)
    if renumber is None:
        frame[LINE] = [int(r[LINE]) for r in rows]
    else:
        frame[LINE] = [renumber[int(r[_FILE])] * SPAN + int(r[LINE]) for r in rows]
    return RawTable(path, frame, encoding, header, home_currency="")
