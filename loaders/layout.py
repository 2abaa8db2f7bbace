"""The investigation data layout (``../shared/DATA_LAYOUT.md``) as data.

One :class:`TableSpec` per table, in load order (a table only refers to
tables before it, or to itself). Loaders, the generator and the docs read
these specs; nothing else spells a column name.

Examples
--------
>>> TABLES["persons"].key
'person_id'
>>> [c.name for c in TABLES["bids"].required_columns()]
['contract_id', 'bidder_id']
>>> TABLES["company_roles"].column("holder_id").ref
('persons', 'organizations')
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from babel.numbers import list_currencies

from graph import schema

#: ISO 4217 currency codes (current and historic, as Babel's CLDR data lists them).
CURRENCIES: frozenset[str] = frozenset(list_currencies())
#: The currency of an amount whose row states none, in the layout (yuan).
HOME_CURRENCY = "CNY"


class ColType(StrEnum):
    """How a column's text is checked and converted."""

    TEXT = "text"
    DATE = "date"
    AMOUNT = "amount"
    PCT = "pct"
    ID_NUMBER = "id_number"
    CREDIT_CODE = "credit_code"
    VOCAB = "vocab"
    REF = "ref"
    CURRENCY = "currency"
    COUNT = "count"


class Reason(StrEnum):
    """Why a row was set aside (stable codes used by reports and ground truth)."""

    MISSING_REQUIRED = "missing_required"
    BAD_DATE = "bad_date"
    DATE_ORDER = "date_order"
    BAD_AMOUNT = "bad_amount"
    BAD_SHARE_PCT = "bad_share_pct"
    BAD_ID_NUMBER = "bad_id_number"
    BAD_CREDIT_CODE = "bad_credit_code"
    BAD_VOCABULARY = "bad_vocabulary"
    UNKNOWN_REFERENCE = "unknown_reference"
    REFERS_TO_SET_ASIDE = "refers_to_set_aside"
    AMBIGUOUS_REFERENCE = "ambiguous_reference"
    DUPLICATE_KEY = "duplicate_key"
    SELF_TIE = "self_tie"
    BAD_FIELD_COUNT = "bad_field_count"
    BAD_CURRENCY = "bad_currency"
    BAD_COUNT = "bad_count"


#: Reasons one source can give on its own; the others need a database that already holds
#: other sources (a reference to an id two of them defined differently).
FOLDER_REASONS = tuple(r for r in Reason if r is not Reason.AMBIGUOUS_REFERENCE)


@dataclass(frozen=True)
class Column:
    """One column of a layout table."""

    name: str
    type: ColType = ColType.TEXT
    required: bool = False
    vocab: tuple[str, ...] = ()
    ref: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    """One table of the layout: file stem, key column, columns, date pairs."""

    name: str
    key: str | None
    columns: tuple[Column, ...]
    date_pairs: tuple[tuple[str, str], ...] = ()

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def required_columns(self) -> list[Column]:
        """Columns every row must fill."""
        return [c for c in self.columns if c.required]

    def column_names(self) -> list[str]:
        """Declared column names, in layout order."""
        return [c.name for c in self.columns]


T, D, A, V, R = ColType.TEXT, ColType.DATE, ColType.AMOUNT, ColType.VOCAB, ColType.REF
CUR = ColType.CURRENCY
_PERSON = ("persons",)
_ORG = ("organizations",)
_PO = ("persons", "organizations")


def _c(name: str, type_: ColType = T, req: bool = False, vocab: tuple[str, ...] = (),
       ref: tuple[str, ...] = ()) -> Column:
    return Column(name, type_, req, vocab, ref)


_TABLE_LIST = (
    TableSpec("persons", "person_id", (
        _c("person_id", req=True), _c("name", req=True), _c("id_number", ColType.ID_NUMBER),
        _c("gender"), _c("birth_date", D), _c("death_date", D), _c("phone"), _c("address"),
        _c("region"),
    ), (("birth_date", "death_date"),)),
    TableSpec("organizations", "org_id", (
        _c("org_id", req=True), _c("name", req=True), _c("kind", V, True, schema.ORG_KINDS),
        _c("credit_code", ColType.CREDIT_CODE), _c("parent_org_id", R, ref=_ORG), _c("region"),
        _c("address"), _c("phone"), _c("established_date", D),
    )),
    TableSpec("positions", None, (
        _c("person_id", R, True, ref=_PERSON), _c("org_id", R, True, ref=_ORG), _c("title"),
        _c("start_date", D), _c("end_date", D),
    ), (("start_date", "end_date"),)),
    TableSpec("relationships", None, (
        _c("person_id", R, True, ref=_PERSON), _c("other_id", R, True, ref=_PERSON),
        _c("relation", V, True, schema.TIE_RELATIONS), _c("start_date", D), _c("end_date", D),
    ), (("start_date", "end_date"),)),
    TableSpec("company_roles", None, (
        _c("company_id", R, True, ref=_ORG), _c("holder_id", R, True, ref=_PO),
        _c("role", V, True, schema.COMPANY_ROLES), _c("share_pct", ColType.PCT),
        _c("start_date", D), _c("end_date", D),
    ), (("start_date", "end_date"),)),
    TableSpec("contracts", "contract_id", (
        _c("contract_id", req=True), _c("title"), _c("buyer_org_id", R, ref=_ORG),
        _c("approver_id", R, ref=_PERSON), _c("supplier_id", R, ref=_ORG), _c("amount", A),
        _c("award_date", D), _c("method", V, vocab=schema.CONTRACT_METHODS),
        _c("sector", V, vocab=schema.SECTORS), _c("currency", CUR),
        _c("tender_status", V, vocab=schema.TENDER_STATUSES), _c("tender_start", D),
        _c("tender_end", D), _c("number_of_tenderers", ColType.COUNT), _c("method_details"),
        _c("process_id"), _c("procurement_method"), _c("procuring_entity_id", R, ref=_ORG),
        _c("tender_start_at"), _c("tender_end_at"), _c("awards_active", ColType.COUNT),
        _c("award_suppliers", ColType.COUNT), _c("awards_not_final", ColType.COUNT),
    )),
    TableSpec("bids", None, (
        _c("contract_id", R, True, ref=("contracts",)), _c("bidder_id", R, True, ref=_ORG),
        _c("amount", A), _c("status", V, vocab=schema.BID_STATUSES), _c("currency", CUR),
        _c("date", D), _c("tenderers", ColType.COUNT), _c("date_at"),
        _c("consortium"),
    )),
    TableSpec("items", None, (
        _c("contract_id", R, True, ref=("contracts",)), _c("classification"),
        _c("description"), _c("quantity", A), _c("unit_price", A), _c("currency", CUR),
    )),
    TableSpec("payments", "payment_id", (
        _c("payment_id", req=True), _c("payer_org_id", R, ref=_ORG),
        _c("approver_id", R, ref=_PERSON), _c("recipient_id", R, True, ref=_PO),
        _c("amount", A), _c("date", D), _c("program"), _c("sector", V, vocab=schema.SECTORS),
        _c("bank_account"), _c("payer_person_id", R, ref=_PERSON), _c("currency", CUR),
    )),
    TableSpec("cases", "case_id", (
        _c("case_id", req=True), _c("kind", V, True, schema.CASE_KINDS), _c("title"),
        _c("opened_date", D), _c("closed_date", D), _c("status"),
        _c("outcome", V, vocab=schema.CASE_OUTCOMES),
    ), (("opened_date", "closed_date"),)),
    TableSpec("case_roles", None, (
        _c("case_id", R, True, ref=("cases",)), _c("party_id", R, True, ref=_PO),
        _c("role", V, True, schema.CASE_ROLES), _c("start_date", D),
    )),
    TableSpec("reports", "report_id", (
        _c("report_id", req=True), _c("subject_id", R, True, ref=_PO), _c("date", D),
        _c("channel"), _c("topic"), _c("sector", V, vocab=schema.SECTORS),
    )),
)

TABLES: dict[str, TableSpec] = {t.name: t for t in _TABLE_LIST}
#: The node kind each keyed table defines.
TABLE_KIND: dict[str, str] = {
    "persons": "person", "organizations": "organization", "contracts": "contract",
    "payments": "payment", "cases": "case", "reports": "report",
}
