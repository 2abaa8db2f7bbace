"""The schema, declared once: node kinds, relationship types and vocabularies.

Loaders, stores, Cypher builders and HTML legends read these declarations;
nothing else spells a label, a relationship type or a vocabulary value.
:func:`check_schema` runs at import time and fails fast on an inconsistency.

Examples
--------
>>> KIN["sibling"].degree
2
>>> KIN["grandchild"].inverse
'grandparent'
>>> REL_TYPES["COMPANY_ROLE"].label
'COMPANY_ROLE'
>>> NODE_KINDS["person"].label
'Person'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.errors import SchemaError


@dataclass(frozen=True)
class NodeKind:
    """A kind of node: its code, Neo4j label, key prefix and plain-language noun."""

    code: str
    label: str
    prefix: str
    noun: str


@dataclass(frozen=True)
class RelType:
    """A relationship type between node kinds.

    ``identity`` lists the properties that, with the endpoints and dates, make
    two records the same tie (loading the same row twice adds nothing).
    """

    label: str
    src: tuple[str, ...]
    dst: tuple[str, ...]
    meaning: str
    identity: tuple[str, ...] = ()
    props: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class KinRelation:
    """A kin relation: read "dst is src's <code>"; its inverse and legal degree (None: a
    tie the source states as family without saying which kin, so no degree is guessed)."""

    code: str
    inverse: str
    degree: int | None
    noun_zh: str


NODE_KINDS: dict[str, NodeKind] = {
    k.code: k
    for k in (
        NodeKind("person", "Person", "p", "person"),
        NodeKind("organization", "Organization", "o", "organization"),
        NodeKind("contract", "Contract", "c", "contract"),
        NodeKind("payment", "Payment", "pay", "payment"),
        NodeKind("case", "Case", "case", "case"),
        NodeKind("report", "Report", "rep", "report"),
    )
}

#: Key prefix -> node kind code (``p`` -> ``person``).
PREFIX_KIND: dict[str, str] = {k.prefix: k.code for k in NODE_KINDS.values()}


def entity_key(kind: str, local: str) -> str:
    """The key of an entity of node kind ``kind``: the kind's prefix, ``:``, ``local``.

    Examples
    --------
    >>> entity_key("contract", "C1"), entity_key("person", "s:P1")
    ('c:C1', 'p:s:P1')
    """
    return f"{NODE_KINDS[kind].prefix}:{local}"


def kind_of_key(key: str) -> str:
    """The node kind code of an entity key, or ``""`` when no kind has its prefix.

    Examples
    --------
    >>> kind_of_key("pay:P7"), kind_of_key("p:h:0a1b"), kind_of_key("r:KIN:9"), kind_of_key("x")
    ('payment', 'person', '', '')
    """
    return PREFIX_KIND.get(key.partition(":")[0], "") if ":" in key else ""


KIN: dict[str, KinRelation] = {
    k.code: k
    for k in (
        KinRelation("spouse", "spouse", 1, "配偶"),
        KinRelation("parent", "child", 1, "父母"),
        KinRelation("child", "parent", 1, "子女"),
        KinRelation("sibling", "sibling", 2, "兄弟姐妹"),
        KinRelation("grandparent", "grandchild", 2, "祖父母/外祖父母"),
        KinRelation("grandchild", "grandparent", 2, "孙子女/外孙子女"),
        KinRelation("in_law", "in_law", 2, "姻亲"),
        # a family tie whose source names no particular kin (FtM ``Family`` with no
        # ``relationship``): one kin tie in a chain, of no known degree
        KinRelation("relative", "relative", None, "亲属（关系未说明）"),
    )
}
TIE_RELATIONS: tuple[str, ...] = (*KIN, "associate")

ORG_KINDS = ("agency", "village_committee", "company", "other")
COMPANY_ROLES = (
    "shareholder", "legal_rep", "director", "supervisor", "manager", "beneficial_owner",
)
CONTRACT_METHODS = ("open", "invited", "direct")
SECTORS = (
    "education", "employment", "healthcare", "pension", "social_security", "rural",
    "environment", "safety", "food_drug", "law_enforcement", "infrastructure", "other",
)
BID_STATUSES = ("valid", "disqualified", "withdrawn", "pending", "invited")
#: Bid statuses that are not a bid received and still competing: a bid that was
#: disqualified or withdrawn, or an invitation to bid that may never have been answered.
BID_NOT_COMPETING = ("disqualified", "withdrawn", "invited")
#: Tender statuses (the OCDS ``tenderStatus`` codelist).
TENDER_STATUSES = ("planning", "planned", "active", "cancelled", "unsuccessful", "complete",
                   "withdrawn")
#: Tender statuses of a procurement that did not go ahead: no rule reads its bids or
#: award as a competition that took place.
TENDER_CLOSED = ("cancelled", "unsuccessful", "withdrawn")
CASE_KINDS = ("organized_crime", "corruption", "disciplinary", "criminal", "other")
CASE_OUTCOMES = ("pending", "convicted", "sanctioned", "acquitted", "dropped", "transferred")
CASE_OFFICIAL_ROLES = ("investigator", "prosecutor", "judge", "approver")
CASE_PARTY_ROLES = ("suspect", "gang_leader", "gang_member", "victim", "complainant")
CASE_ROLES = (*CASE_PARTY_ROLES, *CASE_OFFICIAL_ROLES)

_P, _O = ("person",), ("organization",)
_PO = ("person", "organization")

REL_TYPES: dict[str, RelType] = {
    r.label: r
    for r in (
        RelType("HOLDS_POST", _P, _O, "holds a post at", ("title",), ("title",)),
        RelType("KIN", _P, _P, "is kin of", ("relation",), ("relation", "degree")),
        RelType("ASSOCIATE", _P, _P, "is a known associate of", ()),
        RelType("COMPANY_ROLE", _PO, _O, "holds a role in", ("role",), ("role", "share_pct")),
        RelType("PART_OF", _O, _O, "is part of", ()),
        RelType("BOUGHT", _O, ("contract",), "bought", ()),
        RelType("APPROVED", _P, ("contract", "payment"), "approved", ()),
        RelType("AWARDED_TO", ("contract",), _O, "was awarded to", (), ("amount",)),
        RelType("BID", _O, ("contract",), "bid on", ("amount",),
                ("amount", "status", "currency", "tenderers", "date_at", "consortium")),
        RelType("PAID", _PO, ("payment",), "paid", ()),
        RelType("PAID_TO", ("payment",), _PO, "was paid to", (), ("amount", "bank_account")),
        RelType("CASE_ROLE", _PO, ("case",), "stands in case", ("role",), ("role",)),
        RelType("REPORTED", ("report",), _PO, "reports on", ()),
    )
}

#: A record's own recorded strength, when its source gives one (a network's
#: co-appearance count, a ``weight`` column of a relation table): kept as this property
#: and carried by every relation table and frame as a number column (blank when the
#: source records none). Graph projections multiply it into the tie type's strength
#: (:class:`graph.analysis.projection.Projection`, ``recorded``).
REL_WEIGHT = "weight"

#: Typed properties of each relationship type as the columnar engine reads them
#: (``number``: a decimal number, ``integer``: a whole number; anything else text).
REL_PROPS: dict[str, tuple[tuple[str, str], ...]] = {
    "HOLDS_POST": (("title", "text"),),
    "KIN": (("relation", "text"), ("degree", "integer")),
    "COMPANY_ROLE": (("role", "text"), ("share_pct", "number")),
    "AWARDED_TO": (("amount", "number"),),
    "BID": (("amount", "number"), ("status", "text"), ("currency", "text"),
            ("tenderers", "integer"), ("date_at", "text"), ("consortium", "text")),
    "PAID_TO": (("amount", "number"), ("bank_account", "text")),
    "CASE_ROLE": (("role", "text"),),
}

#: Typed properties of each node kind as the columnar engine reads them (the data
#: layout's columns; a source may hold more, kept in the store). Identity numbers are
#: left out on purpose: no rule needs them, and the engine's tables travel (Parquet).
ENTITY_PROPS: dict[str, tuple[tuple[str, str], ...]] = {
    "person": (("gender", "text"), ("birth_date", "date"),
               ("death_date", "date"), ("phone", "text"), ("address", "text"),
               ("region", "text")),
    "organization": (("kind", "text"), ("credit_code", "text"), ("parent_org_id", "text"),
                     ("region", "text"), ("address", "text"), ("phone", "text"),
                     ("established_date", "date")),
    "contract": (("title", "text"), ("buyer_org_id", "text"), ("approver_id", "text"),
                 ("supplier_id", "text"), ("amount", "number"), ("award_date", "date"),
                 ("method", "text"), ("sector", "text"), ("currency", "text"),
                 ("tender_status", "text"), ("tender_start", "date"), ("tender_end", "date"),
                 ("number_of_tenderers", "integer"), ("method_details", "text"),
                 ("process_id", "text"), ("procurement_method", "text"),
                 ("procuring_entity_id", "text"), ("tender_start_at", "text"),
                 ("tender_end_at", "text"), ("awards_active", "integer"),
                 ("award_suppliers", "integer"), ("awards_not_final", "integer"),
                 ("active_award_classifications", "text"), ("unnamed_bids", "text")),
    "payment": (("payer_org_id", "text"), ("approver_id", "text"), ("recipient_id", "text"),
                ("amount", "number"), ("date", "date"), ("program", "text"),
                ("sector", "text"), ("bank_account", "text"), ("payer_person_id", "text"),
                ("currency", "text")),
    "case": (("kind", "text"), ("title", "text"), ("opened_date", "date"),
             ("closed_date", "date"), ("status", "text"), ("outcome", "text")),
    "report": (("subject_id", "text"), ("date", "date"), ("channel", "text"),
               ("topic", "text"), ("sector", "text")),
}

#: Relationship types that record an event on a day rather than a tie over a
#: period: as of a date ``on``, they count when dated on or before it (the
#: others when their interval holds on that day).
EVENT_TYPES = frozenset({"BOUGHT", "APPROVED", "AWARDED_TO", "BID", "PAID", "PAID_TO",
                         "REPORTED"})


def kin_degree(relation: str) -> int | None:
    """Legal degree of a kin relation (spouse/parent/child 1, the others 2; None for a
    ``relative`` whose kin the source does not state).

    Examples
    --------
    >>> kin_degree("spouse"), kin_degree("in_law"), kin_degree("relative")
    (1, 2, None)
    """
    return KIN[relation].degree


def check_schema() -> None:
    """Fail fast when the declarations contradict each other.

    Examples
    --------
    >>> check_schema()
    """
    for k in KIN.values():
        if k.inverse not in KIN or KIN[k.inverse].inverse != k.code:
            raise SchemaError(f"kin relation {k.code!r} has a broken inverse {k.inverse!r}")
        if KIN[k.inverse].degree != k.degree:
            raise SchemaError(f"kin relation {k.code!r} and its inverse differ in degree")
    for r in REL_TYPES.values():
        for kind in (*r.src, *r.dst):
            if kind not in NODE_KINDS:
                raise SchemaError(f"relationship {r.label} names unknown node kind {kind!r}")
        if not r.label.isidentifier() or not r.label.isupper():
            raise SchemaError(f"relationship label {r.label!r} must be an upper-case identifier")
    for type_, props in REL_PROPS.items():
        if type_ not in REL_TYPES or tuple(p for p, _ in props) != REL_TYPES[type_].props:
            raise SchemaError(f"REL_PROPS[{type_!r}] must list the properties of REL_TYPES")
    if not set(ENTITY_PROPS) <= set(NODE_KINDS):
        raise SchemaError("ENTITY_PROPS names a node kind NODE_KINDS does not declare")
    for n in NODE_KINDS.values():
        if not n.label.isidentifier():
            raise SchemaError(f"node label {n.label!r} must be an identifier")
        if not n.prefix or ":" in n.prefix or PREFIX_KIND.get(n.prefix) != n.code:
            raise SchemaError(f"node kind {n.code!r} needs a key prefix of its own, without ':'")


check_schema()
