"""The match review queue as a workbook, and the decisions a reviewer typed into it.

:func:`write_queue` writes one row per candidate pair: its id, a *decision* cell with a
drop-down list (same / different / unsure, in the run's language), a note, the score,
the reasons, and both records' facts side by side (name, birth date, gender, phone,
address, region, identity number masked unless ``reveal``, credit code, source rows,
number of ties). Every cell is written as :func:`exports.cells.append_row` writes
cells: text never becomes a formula.

:func:`read_decisions` reads the decisions back: the pair and decision columns are
found by their header (in English or Chinese, or the machine name), an empty decision
cell is no decision, and a value that is no decision is named by file, sheet, row and
column, the others read as they are.

Examples
--------
>>> import tempfile, pathlib
>>> from queries.matches import QueueRow
>>> out = pathlib.Path(tempfile.mkdtemp()) / "队列.xlsx"
>>> row = QueueRow("M-0123456789ab", "person", "p:s:P1", "p:s:P2", 0.8,
...                ("name", "birth_date"), "=张伟", "张伟")
>>> write_queue([row], {}, {}, out)
>>> from openpyxl import load_workbook
>>> ws = load_workbook(out).active
>>> ws["A2"].value, ws["H2"].value, ws["H2"].quotePrefix
('M-0123456789ab', '=张伟', True)
>>> ws["B2"].value = "same"
>>> ws.parent.save(out)
>>> read_decisions(out).decisions
[SheetDecision(pair='M-0123456789ab', decision='same', note='', row=2)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from exports.cells import append_row
from graph.errors import UmbrellaError
from graph.ids import mask_id_number
from graph.store.match_decisions import DECISIONS
from graph.store.model import Entity
from lang import _, pgettext, use_language
from queries.matches import QueueRow, decision_words, reasons_text

if TYPE_CHECKING:
    from graph.store import Store

#: The facts shown for each record, side by side.
FACTS = ("key", "name", "birth_date", "gender", "phone", "address", "region", "id_number",
         "credit_code", "sources", "ties")
#: Every column of the queue sheet, by machine name.
COLUMNS = ["pair", "decision", "note", "score", "reasons", "kind",
           *(f"{f} {side}" for side in ("A", "B") for f in FACTS)]


def column_labels() -> dict[str, str]:
    """Machine name -> header in the language spoken now (one literal call each)."""
    fact = {"key": pgettext("match_column", "key"), "name": pgettext("match_column", "name"),
            "birth_date": pgettext("match_column", "birth date"),
            "gender": pgettext("match_column", "gender"),
            "phone": pgettext("match_column", "phone"),
            "address": pgettext("match_column", "address"),
            "region": pgettext("match_column", "region"),
            "id_number": pgettext("match_column", "identity number"),
            "credit_code": pgettext("match_column", "credit code"),
            "sources": pgettext("match_column", "source rows"),
            "ties": pgettext("match_column", "ties")}
    out = {"pair": pgettext("match_column", "pair"),
           "decision": pgettext("match_column", "decision"),
           "note": pgettext("match_column", "note"),
           "score": pgettext("match_column", "score"),
           "reasons": pgettext("match_column", "reasons"),
           "kind": pgettext("match_column", "kind")}
    for side in ("A", "B"):
        for f in FACTS:
            out[f"{f} {side}"] = _("{fact} ({side})").format(fact=fact[f], side=side)
    return out


def _facts(key: str, name: str, entity: Entity | None, ties: int | None,
           reveal: bool) -> list[Any]:
    if entity is None:  # merged into the other record, or gone: as the queue named it
        return [key, name, *("" for _f in FACTS[2:])]
    p = entity.props
    ident = str(p.get("id_number") or "")
    values: dict[str, Any] = {
        "key": entity.key, "name": entity.name,
        "id_number": ident if reveal or not ident else mask_id_number(ident),
        "sources": "; ".join(f"{s.short()} ({s.table} {s.source_id})".replace(" ()", "")
                             for s in entity.sources),
        "ties": ties if ties is not None else ""}
    return [values[f] if f in values else str(p.get(f) or "") for f in FACTS]


def write_queue(rows: Sequence[QueueRow], entities: Mapping[str, Entity],
                ties: Mapping[str, int], path: Path, *, reveal: bool = False) -> None:
    """Write the queue ``rows`` to the workbook ``path``, with each record's facts from
    ``entities`` and its number of ties from ``ties`` (by key)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    labels = column_labels()
    words = decision_words()
    kinds = {"person": pgettext("match_kind", "person"),
             "organization": pgettext("match_kind", "organization")}
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = pgettext("sheet", "match queue")
    append_row(ws, [labels[c] for c in COLUMNS])
    for r in rows:
        append_row(ws, [r.pair, words.get(r.decision, ""), r.note, r.score,
                        reasons_text(r.reasons), kinds.get(r.kind, r.kind),
                        *_facts(r.a, r.name_a, entities.get(r.a), ties.get(r.a), reveal),
                        *_facts(r.b, r.name_b, entities.get(r.b), ties.get(r.b), reveal)])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    pick = DataValidation(type="list", formula1='"' + ",".join(words[d] for d in DECISIONS)
                          + '"', allow_blank=True, showErrorMessage=True,
                          errorTitle=pgettext("match_column", "decision"),
                          error=_("Choose one of the list, or leave the cell empty."))
    ws.add_data_validation(pick)
    if rows:
        pick.add(f"B2:B{len(rows) + 1}")
    ws.freeze_panes = "C2"
    widths = {"pair": 16, "decision": 11, "note": 24, "score": 7, "reasons": 22, "kind": 8}
    from openpyxl.utils import get_column_letter

    for i, c in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(
            c, 28 if c.startswith(("address", "sources")) else 14)
    wb.save(path)


class SheetDecision(NamedTuple):
    """One decision typed into the sheet, with the row it is on."""

    pair: str
    decision: str
    note: str
    row: int


@dataclass
class SheetRead:
    """What :func:`read_decisions` found: the decisions, the sheet's name, and one
    message per cell it could not read (naming file, sheet, row and column)."""

    decisions: list[SheetDecision] = field(default_factory=list)
    sheet: str = ""
    problems: list[str] = field(default_factory=list)
    pair_column: str = "A"


def _accepted() -> tuple[dict[str, str], dict[str, str]]:
    """Header text -> machine name, and decision text -> code, in every language."""
    heads: dict[str, str] = {c: c for c in COLUMNS}
    values: dict[str, str] = {d: d for d in DECISIONS}
    for code in ("en", "zh"):
        with use_language(code):
            heads.update({v.strip().casefold(): k for k, v in column_labels().items()})
            values.update({v.casefold(): k for k, v in decision_words().items()})
    return heads, values


def _cell(at: Mapping[str | None, int], row: tuple[Any, ...], name: str) -> str:
    """The text of column ``name`` of ``row`` ('' when empty or absent)."""
    i = at.get(name)
    v = row[i] if i is not None and i < len(row) else None
    return "" if v is None else str(v).strip()


def read_decisions(path: Path) -> SheetRead:
    """The decisions typed into a queue workbook ``path`` (:func:`write_queue` wrote it);
    :class:`~graph.errors.UmbrellaError` when it is no such workbook."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file it cannot read
        raise UmbrellaError(_("{path}: cannot read as a workbook ({error})").format(
            path=path, error=exc), hint=_("pass the .xlsx file umbrella matches export wrote"
                                          )) from exc
    heads, values = _accepted()
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None) or ()
            at = {heads.get(str(h).strip().casefold()): i for i, h in enumerate(header)
                  if h is not None}
            if "pair" not in at or "decision" not in at:
                continue
            out = SheetRead(sheet=ws.title, pair_column=get_column_letter(at["pair"] + 1))
            col = get_column_letter(at["decision"] + 1)
            for n, row in enumerate(rows, 2):
                pair, said = _cell(at, row, "pair"), _cell(at, row, "decision")
                if not said:
                    continue
                code = values.get(said.casefold())
                if code is None:
                    out.problems.append(_(
                        "{path}, sheet {sheet}, row {row}, column {column} ({header}): "
                        "{value} is not a decision; choose {choices}, or leave it empty"
                    ).format(path=path.name, sheet=ws.title, row=n, column=col,
                             header=header[at["decision"]], value=said,
                             choices=_(", ").join(decision_words().values())))
                    continue
                out.decisions.append(SheetDecision(pair, code, _cell(at, row, "note"), n))
            return out
    finally:
        wb.close()
    raise UmbrellaError(_("{path}: no sheet has a pair column and a decision column").format(
        path=path), hint=_("pass the .xlsx file umbrella matches export wrote"))


@dataclass
class SheetApplied:
    """What :func:`record_sheet` recorded, and every row it refused (one message each)."""

    recorded: int = 0
    read: int = 0
    refused: list[str] = field(default_factory=list)


def record_sheet(store: Store, path: Path, *, user: str | None = None) -> SheetApplied:
    """Record the decisions typed into the queue workbook ``path`` (those that changed),
    by ``user``; a bad value or a pair not in the queue is refused with its sheet, row and
    column, and the other rows are recorded."""
    from queries.matches import record_many

    read = read_decisions(path)
    made, unknown = record_many(store, [(d.pair, d.decision, d.note) for d in read.decisions],
                                user=user)
    out = SheetApplied(len(made), len(read.decisions), list(read.problems))
    rows = {d.pair: d.row for d in read.decisions}
    for pair in unknown:
        out.refused.append(_("{path}, sheet {sheet}, row {row}, column {column}: {pair} is "
                             "not a pair of the review queue of {db}; the row was not "
                             "recorded").format(path=path.name, sheet=read.sheet,
                                                row=rows.get(pair, "?"), column=read.pair_column,
                                                pair=pair or "''", db=store.location))
    return out
