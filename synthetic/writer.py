"""Turn a county into layout rows and write them as CSV, tracking physical lines.

Rows come out in layout column order (checked at import time against
:data:`loaders.layout.TABLES`). A duplicated person is referred to by one
or the other of their ids, at random. Rows to be set aside travel as
:class:`BadLine` so the writer can note the line each one lands on.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> sink = CsvSink(d)
>>> sink.write("contracts", ("C1", "a\\nb", "", "", "", "", "", "", ""))
2
>>> sink.write("contracts", ("C2", "c", "", "", "", "", "", "", ""))
4
>>> sink.close()
>>> (d / "contracts.csv").read_text(encoding="utf-8").count("\\n")
4
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from graph.schema import KIN
from loaders.layout import TABLES
from synthetic.model import County
from synthetic.timeline import iso

if TYPE_CHECKING:
    from _csv import Writer

Row = tuple[str, ...]
#: The optional tender columns of a generated contract: blank (yuan; no tender record).
_NO_TENDER = ("", "", "", "", "")

COLUMNS: dict[str, tuple[str, ...]] = {
    "persons": ("person_id", "name", "id_number", "gender", "birth_date", "death_date", "phone",
                "address", "region"),
    "organizations": ("org_id", "name", "kind", "credit_code", "parent_org_id", "region",
                      "address", "phone", "established_date"),
    "positions": ("person_id", "org_id", "title", "start_date", "end_date"),
    "relationships": ("person_id", "other_id", "relation", "start_date", "end_date"),
    "company_roles": ("company_id", "holder_id", "role", "share_pct", "start_date", "end_date"),
    "contracts": ("contract_id", "title", "buyer_org_id", "approver_id", "supplier_id", "amount",
                  "award_date", "method", "sector", "currency", "tender_status", "tender_start",
                  "tender_end", "number_of_tenderers"),
    "bids": ("contract_id", "bidder_id", "amount", "status"),
    # what a contract buys: written with its header only (the generator plants nothing in it)
    "items": ("contract_id", "classification", "description", "quantity", "unit_price",
              "currency"),
    "payments": ("payment_id", "payer_org_id", "approver_id", "recipient_id", "amount", "date",
                 "program", "sector", "bank_account"),
    "cases": ("case_id", "kind", "title", "opened_date", "closed_date", "status", "outcome"),
    "case_roles": ("case_id", "party_id", "role", "start_date"),
    "reports": ("report_id", "subject_id", "date", "channel", "topic", "sector"),
}
for _name, _cols in COLUMNS.items():
    # the layout's columns in order; optional ones the generator never fills may end it
    _spec = TABLES[_name]
    if (list(_cols) != _spec.column_names()[:len(_cols)]
            or any(c.required for c in _spec.columns[len(_cols):])):
        raise AssertionError(f"generator columns of {_name} differ from loaders.layout")
if list(COLUMNS) != list(TABLES):
    raise AssertionError("generator tables differ from loaders.layout")


@dataclass(frozen=True)
class BadLine:
    """A row that must be set aside, with its reason code and first offending column."""

    row: Row
    code: str
    column: str


Cell = Row | BadLine


def money(fen: int) -> str:
    """Fen as a decimal yuan amount with two decimals.

    Examples
    --------
    >>> money(1234505)
    '12345.05'
    """
    return f"{fen // 100}.{fen % 100:02d}"


class Refs:
    """Chooses which source id to write for a (possibly duplicated) person."""

    def __init__(self, c: County) -> None:
        self.c = c
        self.rng = c.rng

    def __call__(self, pid: str) -> str:
        p = self.c.persons.get(pid)
        if p is None or not p.aliases:
            return pid
        return self.rng.choice((pid, *p.aliases))


def county_rows(c: County) -> dict[str, list[Cell]]:
    """All rows of a county, table by table, in layout column order.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> c = small_planter().c
    >>> rows = county_rows(c)
    >>> len(rows["persons"]) == len(c.persons), len(rows["positions"]) == len(c.positions)
    (True, True)
    """
    ref = Refs(c)
    rng = c.rng
    t: dict[str, list[Cell]] = {name: [] for name in COLUMNS}
    persons = t["persons"]
    late: list[tuple[int, Row]] = []
    for p in c.persons.values():
        persons.append((p.pid, p.name, p.id_number, p.gender, iso(p.birth), iso(p.death),
                        p.phone, p.address, p.region))
        for alias in p.aliases:
            late.append((len(persons), (
                alias, p.name_written.get(alias, p.name), p.id_written.get(alias, p.id_number),
                p.gender, iso(p.birth), iso(p.death), "" if rng.random() < 0.5 else p.phone,
                p.address, p.region)))
    for pos, row in late:
        persons.insert(rng.randint(pos, len(persons)), row)
    t["organizations"] = [(o.oid, o.name, o.kind, o.credit_code, o.parent, o.region, o.address,
                           o.phone, iso(o.established)) for o in c.orgs.values()]
    t["positions"] = [(ref(p.pid), p.oid, p.title, iso(p.start), iso(p.end))
                      for p in c.positions]
    rel = t["relationships"]
    for tie in c.ties:
        a, b = ref(tie.a), ref(tie.b)
        inverse = KIN[tie.relation].inverse if tie.relation in KIN else tie.relation
        forward = (a, b, tie.relation, iso(tie.start), iso(tie.end))
        backward = (b, a, inverse, iso(tie.start), iso(tie.end))
        rel.append(backward if tie.flip else forward)
        if tie.mirror:
            rel.append(forward if tie.flip else backward)
    t["company_roles"] = [
        (r.company, r.holder_ref or ref(r.holder), r.role, r.share, iso(r.start), iso(r.end))
        for r in c.roles]
    t["contracts"] = [(k.cid, k.title, k.buyer, ref(k.approver), k.supplier, money(k.amount),
                       iso(k.date), k.method, k.sector, *_NO_TENDER) for k in c.contracts]
    t["bids"] = [(b.cid, b.bidder, money(b.amount), b.status) for b in c.bids]
    t["payments"] = [(pm.pmid, pm.payer, ref(pm.approver), ref(pm.recipient), money(pm.amount),
                      iso(pm.date), pm.program, pm.sector, pm.account) for pm in c.payments]
    t["cases"] = [(k.kid, k.kind, k.title, iso(k.opened), iso(k.closed), k.status, k.outcome)
                  for k in c.cases]
    t["case_roles"] = [(r.kid, ref(r.party), r.role, iso(r.start)) for r in c.case_roles]
    t["reports"] = [(r.rid, ref(r.subject), iso(r.date), r.channel, r.topic, r.sector)
                    for r in c.reports]
    return t


class CsvSink:
    """The eleven CSV files of a layout folder, open for appending rows."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.handles: dict[str, IO[str]] = {}
        self.writers: dict[str, Writer] = {}
        self.lines: dict[str, int] = {}
        self.rows: dict[str, int] = {}
        for name, cols in COLUMNS.items():
            fh = (folder / f"{name}.csv").open("w", encoding="utf-8", newline="")
            w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            w.writerow(cols)
            self.handles[name] = fh
            self.writers[name] = w
            self.lines[name] = 1
            self.rows[name] = 0

    def write(self, table: str, row: Sequence[str]) -> int:
        """Write one row; returns the physical line it starts on."""
        line = self.lines[table] + 1
        w = self.writers[table]
        w.writerow(row)
        extra = sum(cell.count("\n") for cell in row) if any("\n" in cell for cell in row) \
            else 0
        self.lines[table] = line + extra
        self.rows[table] += 1
        return line

    def close(self) -> None:
        """Flush and close every file."""
        for fh in self.handles.values():
            fh.close()
