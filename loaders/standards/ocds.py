"""OCDS in: release and record packages, compiled and versioned releases → layout tables.

Every shape OCDS comes in (JSON, JSON lines, ``.json.gz``; see
:mod:`loaders.standards.ocds_shapes`) is reduced to releases, streamed record by
record (:mod:`loaders.standards.jsonio`), converted to layout rows and loaded
chunk by chunk through the layout's validation (:mod:`loaders.pipeline`):

- **organizations**: ``parties`` (and, in OCDS 1.0 data, the organization objects
  named in ``buyer``, ``tender.tenderers``, ``awards.suppliers``; a reference to a
  party that is not listed becomes an organization named by its reference). The
  id is ``SCHEME-ID`` of the party's ``identifier`` when it has both (the OCDS
  organization id convention), else the party ``id`` — so ids are shared across
  processes, as cardinal reads them. Kind ``agency`` for buyer, procuring entity,
  funder, payer or review body roles, ``company`` for tenderer, supplier or payee,
  else ``other``. An identifier in scheme ``CN-USCC`` is the credit code. An
  organization named nowhere is named by its id.
- **contracts**: one per contracting process (``ocid``, kept as ``process_id``):
  title, buyer (``buyer``, else the party with role buyer, else the procuring
  entity), method (``open``→open, ``selective``→invited, ``limited``/``direct``→
  direct; any other value stays in ``procurement_method`` and the method is left
  blank), ``method_details``, ``tender_status`` (``tender.status`` when it is a
  ``tenderStatus`` code, see :mod:`loaders.standards.ocds_codes`),
  ``number_of_tenderers``, ``tender_start``/``tender_end`` (``tenderPeriod``),
  amount, currency and date of the awards that count (status ``active`` or none;
  pending, cancelled and unsuccessful awards do not), the winner when they name
  exactly one supplier. When they name several, each award also becomes a contract
  ``OCID#award-ID`` with its own supplier, and the process keeps the bids. For
  cardinal's indicators (:mod:`queries.rules.ocp`) the process also keeps the raw
  ``procurement_method``, ``procuring_entity_id``, the tender period's instants in UTC
  (``tender_start_at``/``tender_end_at``), the number of active awards, of the
  suppliers they name and of awards not final yet (``awards_active``,
  ``award_suppliers``, ``awards_not_final``), and what each active single-supplier
  award buys (``active_award_classifications``, JSON ``[supplier, code]`` pairs).
  A bid that names no tenderer is no ``bids`` row (a bid needs a bidder, and no
  placeholder company is made up): the process keeps it in ``unnamed_bids`` (JSON list
  of ``{amount, currency, status, date}``, read as a named bid's are, with
  ``currency_published`` for a currency that is not an ISO code), and the load
  report counts it as a bids row read and loaded.
- **bids**: ``bids.details`` (bids extension): bidder = the first tenderer (a
  consortium's partners are kept in ``joint_with``: partners are not rival
  bidders; ``consortium`` holds all their ids joined by ``|``, ``tenderers`` how many
  the bid names), amount, currency, date (and ``date_at``, its instant in UTC), status
  read through the one table of bid
  status words (:data:`~loaders.standards.ocds_codes.BID_STATUS_WORDS`: the
  ``bidStatus`` codelist and publishers' words such as ``qualified``,
  ``not-qualified``, ``active``); a word not in it is set aside, naming it and
  the accepted ones. A tenderer with neither id nor identifier id, only a name,
  gets an id local to its process (``OCID/pointer``). Without bid details, each
  organization in ``tender.tenderers`` is a bid with no amount and blank status.
- **placeholder parties** (no real name, or placeholder ids: ``N/A``, ``-``,
  ``unknown``, ``未知``, a whole party published without a name) are never a
  company: the party and any bid by it are set aside as ``placeholder_party``,
  so the load report counts them; an award's placeholder supplier is left out.
- **items**: the tender's items (else the awards', else the contracts'), with
  their classification as ``SCHEME-CODE``, quantity, unit price and currency.

Amounts keep their currency in ``currency`` (an ISO 4217 code; another word is kept
as ``currency_published``); they are not converted to yuan, and an amount published
without a currency is not taken for yuan either.

Examples
--------
>>> import tempfile
>>> from graph.store import open_store
>>> d = Path(tempfile.mkdtemp())
>>> _ = (d / "p.jsonl").write_text(
...     '{"ocid": "ocds-1", "tender": {"procurementMethod": "open"}, '
...     '"bids": {"details": [{"status": "valid", "value": {"amount": 5}, '
...     '"tenderers": [{"id": "A"}]}]}}\\n', encoding="utf-8")
>>> store = open_store(d / "case.db")
>>> r = load_ocds(d / "p.jsonl", store)
>>> [(t.table, t.read, t.loaded) for t in r.tables]
[('organizations', 1, 1), ('contracts', 1, 1), ('bids', 1, 1)]
>>> store.close()
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from graph.store import Store
from lang import _
from loaders.chunk import Chunk
from loaders.layout import CURRENCIES
from loaders.pipeline import load_tables
from loaders.report import Progress, StandardReport
from loaders.standards import jsonio
from loaders.standards.files import CHUNK_ROWS, chunked
from loaders.standards.ocds_codes import (
    accepted_bid_statuses,
    bid_status,
    is_placeholder,
    tender_status,
)
from loaders.standards.ocds_shapes import Release, releases_of
from loaders.standards.rows import Rows, day, text

METHODS = {"open": "open", "selective": "invited", "limited": "direct", "direct": "direct"}
_PUBLIC_ROLES = {"buyer", "procuringentity", "funder", "payer", "reviewbody"}
_FIRM_ROLES = {"tenderer", "supplier", "payee"}
_COUNTING_AWARDS = {"", "active"}
#: Award statuses that will not change (``active`` in OCDS 1.1 means in force); an award
#: in any other status (``pending``, or a word outside the codelist) is not final yet.
_FINAL_AWARDS = {"active", "cancelled", "unsuccessful"}


def _d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def org_id(obj: dict[str, Any], ocid: str = "") -> str:
    """The organization id of a party or organization reference.

    Examples
    --------
    >>> org_id({"id": "1", "identifier": {"scheme": "GB-COH", "id": "0123"}})
    'GB-COH-0123'
    >>> org_id({"id": "ocds-x-buyer", "identifier": {"id": "3.76"}}, "ocds-x"), org_id({"id": 7})
    ('3.76', '7')
    """
    ident = _d(obj.get("identifier"))
    scheme, iid, oid = text(ident.get("scheme")), text(ident.get("id")), text(obj.get("id"))
    if scheme and iid:
        return f"{scheme}-{iid}"
    if iid and (not oid or (ocid and ocid in oid)):
        return iid
    return oid or iid


class _Release:
    """Rows of one release."""

    def __init__(self, rel: Release, rows: Rows, line: int, pointer: str) -> None:
        self.rel, self.rows, self.line, self.ptr = rel, rows, line, pointer
        self.ocid = text(rel.get("ocid"))
        self.parties: dict[str, str] = {}
        self.kinds: dict[str, str] = {}

    def _kind(self, roles: list[str]) -> str:
        low = {r.lower() for r in roles}
        return "agency" if low & _PUBLIC_ROLES else "company" if low & _FIRM_ROLES else "other"

    def _placeholder(self, obj: dict[str, Any], pointer: str) -> None:
        """Set aside a party that stands for nobody, saying so."""
        ident = _d(obj.get("identifier"))
        self.rows.set_aside(self.line, pointer, "placeholder_party", _(
            "the party '{name}' (id '{id}') stands for nobody: it has no name, or only a "
            "placeholder such as N/A, -, unknown; it is not taken as a company and no bid "
            "or award is read as its").format(
                name=text(obj.get("name") or ident.get("legalName")),
                id=text(obj.get("id") or ident.get("id"))),
            "organizations", {"id": obj.get("id"), "name": obj.get("name")}, "name")

    def _org(self, obj: dict[str, Any], pointer: str, roles: list[str]) -> str:
        if is_placeholder(obj):
            self._placeholder(obj, pointer)
            return ""
        oid = org_id(obj, self.ocid)
        ident = _d(obj.get("identifier"))
        if not oid and (obj.get("name") or ident.get("legalName")):
            oid = f"{self.ocid}{pointer}"  # no id at all: known only here
        if not oid:
            return ""
        addr = _d(obj.get("address"))
        contact = _d(obj.get("contactPoint"))
        credit = text(ident.get("id")) if text(ident.get("scheme")).upper() == "CN-USCC" else ""
        street = [addr.get(k) for k in ("streetAddress", "locality", "region", "postalCode",
                                        "countryName")]
        self.rows.add("organizations", self.line, pointer, {
            "org_id": oid, "name": obj.get("name") or ident.get("legalName") or oid,
            "kind": self._kind(roles), "credit_code": credit, "region": addr.get("region"),
            "address": ", ".join(t for t in map(text, street) if t),
            "phone": contact.get("telephone"), "roles": roles,
            "identifier_scheme": ident.get("scheme"), "identifier_id": ident.get("id"),
            "country": addr.get("countryName"),
            "ocds_party_id": obj.get("id") if text(obj.get("id")) != oid else ""})
        return oid

    def parties_rows(self) -> None:
        for n, p in enumerate(_l(self.rel.get("parties"))):
            if isinstance(p, dict):
                roles = [text(r) for r in _l(p.get("roles"))]
                oid = self._org(p, f"{self.ptr}/parties/{n}", roles)
                if text(p.get("id")):
                    self.parties[text(p.get("id"))] = oid

    def ref(self, obj: Any, pointer: str, role: str) -> str:
        """The organization id a reference points to (a row is made when it is new)."""
        if not isinstance(obj, dict):
            return ""
        pid = text(obj.get("id"))
        if pid in self.parties and not _d(obj.get("identifier")) and (
                self.parties[pid] or is_placeholder(obj) or not text(obj.get("name"))):
            return self.parties[pid]  # '' for a placeholder party
        oid = self._org(obj, pointer, [role])
        if pid:
            self.parties.setdefault(pid, oid)
        return oid

    def buyer(self) -> str:
        b = self.rel.get("buyer")
        if isinstance(b, dict):
            return self.ref(b, f"{self.ptr}/buyer", "buyer")
        for role in ("buyer", "procuringEntity"):
            for n, p in enumerate(_l(self.rel.get("parties"))):
                if isinstance(p, dict) and role in _l(p.get("roles")):
                    return self.ref(p, f"{self.ptr}/parties/{n}", role)
        pe = _d(self.rel.get("tender")).get("procuringEntity")
        return self.ref(pe, f"{self.ptr}/tender/procuringEntity", "procuringEntity")

    def awards(self) -> list[tuple[int, dict[str, Any], list[str]]]:
        out = []
        for n, a in enumerate(_l(self.rel.get("awards"))):
            if not isinstance(a, dict) or text(a.get("status")).lower() not in _COUNTING_AWARDS:
                continue
            sups = [self.ref(s, f"{self.ptr}/awards/{n}/suppliers/{k}", "supplier")
                    for k, s in enumerate(_l(a.get("suppliers")))]
            out.append((n, a, [s for s in sups if s]))
        return out

    def _signed(self, award_id: str) -> str:
        for c in _l(self.rel.get("contracts")):
            if isinstance(c, dict) and text(c.get("awardID")) == award_id:
                return day(c.get("dateSigned"))
        return ""

    def contract_rows(self) -> None:
        t = _d(self.rel.get("tender"))
        buyer = self.buyer()
        awards = self.awards()
        suppliers = list(dict.fromkeys(s for _, _, sups in awards for s in sups))
        values = [_d(a.get("value")) for _, a, _ in awards if _d(a.get("value"))]
        currencies = {text(v.get("currency")) for v in values}
        amount: Any = ""
        if values and len(currencies) == 1:
            nums = [v.get("amount") for v in values if isinstance(v.get("amount"), (int, float))]
            amount = sum(nums) if nums else ""
        dates = sorted(d for d in (day(a.get("date")) or self._signed(text(a.get("id")))
                                   for _, a, _ in awards) if d)
        raw_method = text(t.get("procurementMethod"))
        first_award = awards[0][1] if awards else {}
        status, tenderers = text(t.get("status")), t.get("numberOfTenderers")
        period = _d(t.get("tenderPeriod"))
        count = _count(tenderers)
        statuses = [text(a.get("status")).lower() for a in _l(self.rel.get("awards"))
                    if isinstance(a, dict) and text(a.get("status"))]
        active = [a for a in _l(self.rel.get("awards"))
                  if isinstance(a, dict) and text(a.get("status")).lower() == "active"]
        pe = t.get("procuringEntity")
        base = {
            "buyer_org_id": buyer, "method": METHODS.get(raw_method.lower(), ""),
            "procurement_method": raw_method,
            "method_details": t.get("procurementMethodDetails"),
            "tender_status": tender_status(status),
            "tender_status_published": status if status and not tender_status(status) else "",
            "number_of_tenderers": count,
            "number_of_tenderers_published": "" if count or tenderers is None else tenderers,
            "tender_start": _date(period.get("startDate")),
            "tender_end": _date(period.get("endDate"), end=True),
            "main_procurement_category": t.get("mainProcurementCategory"),
            "process_id": self.ocid, "item_classifications": self._items(),
            "procuring_entity_id": self.ref(pe, f"{self.ptr}/tender/procuringEntity",
                                            "procuringEntity") if isinstance(pe, dict) else "",
            "tender_start_at": _instant(period.get("startDate")),
            "tender_end_at": _instant(period.get("endDate")),
            "awards_active": len(active),
            "award_suppliers": sum(len(_l(a.get("suppliers"))) for a in active),
            "awards_not_final": sum(s not in _FINAL_AWARDS for s in statuses),
            "active_award_classifications": _json_list(self._active_award_items()),
        }
        title = t.get("title") or first_award.get("title") or self.ocid
        self.rows.add("contracts", self.line, self.ptr, {
            "contract_id": self.ocid, "title": title, **base,
            "unnamed_bids": _json_list(self._unnamed_bids()),
            "supplier_id": suppliers[0] if len(suppliers) == 1 else "",
            "suppliers": suppliers if len(suppliers) > 1 else "",
            "amount": amount, **_currency(currencies.pop() if len(currencies) == 1 else ""),
            "award_date": dates[0] if dates else ""})
        if len(suppliers) > 1:
            for n, a, sups in awards:
                v = _d(a.get("value"))
                for k, s in enumerate(sups):
                    self.rows.add("contracts", self.line, f"{self.ptr}/awards/{n}", {
                        "contract_id": f"{self.ocid}#award-{text(a.get('id')) or n}"
                                       + (f"-{k + 1}" if len(sups) > 1 else ""),
                        "title": a.get("title") or f"{text(title)} (award {text(a.get('id'))})",
                        **base, "supplier_id": s, "amount": v.get("amount"),
                        **_currency(v.get("currency")),
                        "award_date": day(a.get("date")) or self._signed(text(a.get("id")))})

    def _unnamed_bids(self) -> list[dict[str, Any]]:
        """The bids that name no tenderer (as the process's ``unnamed_bids``): amount,
        currency, status and date, read as a named bid's are; a bid whose status word is
        unknown is left out (:meth:`bid_rows` sets it aside)."""
        out = []
        for b in _l(_d(self.rel.get("bids")).get("details")):
            if not isinstance(b, dict) or _l(b.get("tenderers")):
                continue
            status = bid_status(text(b.get("status")))
            if status is None:
                continue
            v = _d(b.get("value"))
            amount = _number(v.get("amount"))
            out.append({"amount": float(amount) if amount else None,
                        **_currency(v.get("currency")), "status": status,
                        "date": _date(b.get("date"))})
        return out

    def bid_rows(self) -> None:
        details = _l(_d(self.rel.get("bids")).get("details"))
        for n, b in enumerate(details):
            if not isinstance(b, dict):
                continue
            p = f"{self.ptr}/bids/details/{n}"
            named = _l(b.get("tenderers"))
            ids = [self.ref(x, f"{p}/tenderers/{k}", "tenderer") for k, x in enumerate(named)]
            ids = [i for i in ids if i]
            v = _d(b.get("value"))
            published = text(b.get("status"))
            status = bid_status(published)
            row = {"contract_id": self.ocid, "bidder_id": ids[0] if ids else "",
                   "amount": v.get("amount"), "status": status or published,
                   "ocds_status": published if published and published != status else "",
                   **_currency(v.get("currency")), "bid_id": b.get("id"),
                   "date": _date(b.get("date")), "joint_with": ids[1:],
                   "tenderers": len(named), "date_at": _instant(b.get("date")),
                   "consortium": "|".join(sorted(set(ids))) if len(set(ids)) > 1 else ""}
            if status is None:
                self.rows.set_aside(self.line, p, "bad_vocabulary", _(
                    "bid status '{value}' is neither an OCDS bidStatus code nor a publisher's "
                    "word known for one; accepted: {accepted}").format(
                        value=published, accepted=accepted_bid_statuses()), "bids", row,
                    "status")
            elif named and not ids:
                self.rows.set_aside(self.line, p, "placeholder_party", _(
                    "the bid's tenderers stand for nobody (no name, or a placeholder); a bid "
                    "by nobody is not counted"), "bids", row, "bidder_id")
            elif not named:
                self.rows.kept("bids")  # the process's unnamed_bids
            else:
                self.rows.add("bids", self.line, p, row)
        if details:
            return
        t = _d(self.rel.get("tender"))
        for n, x in enumerate(_l(t.get("tenderers"))):
            p = f"{self.ptr}/tender/tenderers/{n}"
            oid = self.ref(x, p, "tenderer")
            row = {"contract_id": self.ocid, "bidder_id": oid, "from": "tender.tenderers"}
            if not oid and isinstance(x, dict):
                self.rows.set_aside(self.line, p, "placeholder_party", _(
                    "the tenderer stands for nobody (no name, or a placeholder); a bid by "
                    "nobody is not counted"), "bids", row, "bidder_id")
            else:
                self.rows.add("bids", self.line, p, row)

    def _items(self) -> list[str]:
        """``SCHEME-CODE`` of what the tender, awards and contracts buy, once each."""
        out: dict[str, None] = {}
        lists = [_d(self.rel.get("tender")).get("items")]
        lists += [_d(a).get("items") for k in ("awards", "contracts") for a in _l(self.rel.get(k))]
        for items in lists:
            for it in _l(items):
                c = _d(_d(it).get("classification"))
                code, scheme = text(c.get("id")), text(c.get("scheme"))
                if code:
                    out[f"{scheme}-{code}" if scheme else code] = None
        return list(out)

    def _active_award_items(self) -> list[list[str]]:
        """What each active award with one supplier buys: ``[supplier, code]`` per item
        classification of the award (the supplier as its organization id), once each."""
        out: dict[tuple[str, str], None] = {}
        for n, a in enumerate(_l(self.rel.get("awards"))):
            if not isinstance(a, dict) or text(a.get("status")).lower() != "active":
                continue
            sups = _l(a.get("suppliers"))
            if len(sups) != 1:
                continue
            sup = self.ref(sups[0], f"{self.ptr}/awards/{n}/suppliers/0", "supplier")
            for it in _l(a.get("items")):
                code = text(_d(_d(it).get("classification")).get("id"))
                if sup and code:
                    out[(sup, code)] = None
        return [list(pair) for pair in out]

    def item_rows(self) -> None:
        """One ``items`` row per item of the tender, or of the awards when the tender
        lists none, or of the contracts when neither does."""
        for where in ("tender", "awards", "contracts"):
            holders = [(f"{self.ptr}/tender", _d(self.rel.get("tender")))] if where == \
                "tender" else [(f"{self.ptr}/{where}/{n}", _d(a))
                               for n, a in enumerate(_l(self.rel.get(where)))]
            found = False
            for at, h in holders:
                for n, it in enumerate(_l(h.get("items"))):
                    if not isinstance(it, dict):
                        continue
                    found = True
                    c = _d(it.get("classification"))
                    code, scheme = text(c.get("id")), text(c.get("scheme"))
                    price = _d(_d(it.get("unit")).get("value"))
                    self.rows.add("items", self.line, f"{at}/items/{n}", {
                        "contract_id": self.ocid,
                        "classification": f"{scheme}-{code}" if scheme and code else code,
                        "description": it.get("description") or c.get("description"),
                        "quantity": _number(it.get("quantity")),
                        "unit_price": _number(price.get("amount")),
                        **_currency(price.get("currency")), "item_id": it.get("id")})
            if found:
                return

    def convert(self) -> None:
        if not self.ocid:
            self.rows.set_aside(self.line, self.ptr, "not_convertible",
                                _("the release has no ocid, so no contract can be formed"))
            return
        self.parties_rows()
        self.contract_rows()
        self.bid_rows()
        self.item_rows()


def _count(value: Any) -> str:
    """A whole number of zero or more as text; '' for anything else (kept as published)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return ""
    s = text(value)
    return s if s.isdigit() else s.split(".")[0] if re.fullmatch(r"\d+\.0*", s) else ""


def _json_list(items: list[Any]) -> str:
    """A list as JSON text ('' when empty): one layout cell that keeps every item whole."""
    return json.dumps(items, ensure_ascii=False, separators=(",", ":")) if items else ""


def _number(value: Any) -> str:
    """A JSON number as text; '' for anything else."""
    return text(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def _date(value: Any, end: bool = False) -> str:
    """An ISO (partial) date as ``YYYY-MM-DD``; '' when it is not one (a date the
    release garbles is no reason to set its whole process aside)."""
    d = day(value, end)
    return d if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) else ""


_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _instant(value: Any) -> str:
    """An RFC 3339 date-time as UTC ``YYYY-MM-DDTHH:MM:SS``; '' when it is not one
    (a date without a time is no instant).

    Examples
    --------
    >>> _instant("2000-01-01T18:00:00-06:00"), _instant("2000-01-01"), _instant("invalid")
    ('2000-01-02T00:00:00', '', '')
    """
    s = text(value)
    if not _INSTANT.fullmatch(s):
        return ""
    try:
        when = dt.datetime.fromisoformat(s.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return ""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _currency(value: Any) -> dict[str, str]:
    """``currency`` as an ISO 4217 code (upper case); a code that is not one is kept as
    ``currency_published`` and the amount keeps no currency."""
    code = text(value).upper()
    if not code:
        return {"currency": ""}
    if code in CURRENCIES:
        return {"currency": code}
    return {"currency": "", "currency_published": text(value)}


def release_rows(rel: Release, rows: Rows, line: int, pointer: str = "") -> None:
    """Add the layout rows of one (compiled) release to ``rows``."""
    _Release(rel, rows, line, pointer).convert()


def _byte_progress(progress: Progress | None, name: str) -> jsonio.ByteProgress | None:
    if progress is None:
        return None
    return lambda done, total: progress(_("reading {file}").format(file=name), done, total)


def _file_records(path: Path, rows: Rows, encoding: str | None,
                  progress: Progress | None) -> Iterator[None]:
    for item in jsonio.records(path, encoding, progress=_byte_progress(progress, path.name)):
        if item.error:
            rows.set_aside(item.line, item.pointer, "bad_json", item.error, "(record)")
            continue
        for line, ptr, rel in releases_of(item.value, item.line, item.pointer, item.container):
            if isinstance(rel, str):
                rows.set_aside(line, ptr, "not_convertible", rel, "(record)")
            else:
                release_rows(rel, rows, line, ptr)
            yield None


def ocds_chunks(paths: Sequence[Path], *, encoding: str | None = None,
                progress: Progress | None = None, chunk_rows: int = CHUNK_ROWS
                ) -> Iterator[Chunk]:
    """Stream the layout rows of OCDS files, about ``chunk_rows`` rows at a time."""
    return chunked(paths, lambda p, rows, _: _file_records(p, rows, encoding, progress),
                   chunk_rows)


def load_ocds(paths: Path | Sequence[Path], store: Store, *, source: str | None = None,
             ignored: Sequence[str] = (), encoding: str | None = None,
              strict: bool = False, progress: Progress | None = None,
              chunk_rows: int = CHUNK_ROWS) -> StandardReport:
    """Load OCDS files (see the module notes) into ``store``."""
    files = [paths] if isinstance(paths, Path) else list(paths)

    def chunks() -> Iterator[Chunk]:
        return ocds_chunks(files, encoding=encoding, progress=progress, chunk_rows=chunk_rows)

    source = source or (str(files[0].resolve()) if len(files) == 1
                        else str(files[0].parent.resolve()))
    return load_tables(chunks, store, source, fmt="ocds", strict=strict, ignored=ignored)
