"""FtM entities → layout rows, one schema at a time (used by :mod:`loaders.standards.ftm`).

:class:`FtmIndex` is filled in a first pass with what rows of other entities
need (which ids are persons or organizations, addresses, posts, awards,
approvers); :class:`Converter` then turns each entity into rows.

Examples
--------
>>> from pathlib import Path
>>> from followthemoney import model
>>> from loaders.standards.rows import Rows
>>> idx = FtmIndex()
>>> p = model.get_proxy({"id": "p1", "schema": "Person",
...                      "properties": {"name": ["Ann"], "birthDate": ["1965-11"]}})
>>> idx.add(p)
>>> rows = Rows(Path("e.json"))
>>> Converter(rows, idx, "in_law").convert(p, 1, "")
>>> frame = rows.chunk().read("persons").frame
>>> frame[["person_id", "name", "birth_date", "birth_date_text"]].values.tolist()
[['p1', 'Ann', '', '1965-11']]
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from followthemoney.proxy import EntityProxy

from lang import _
from loaders.standards.rows import Rows, day, full_day
from loaders.standards.words import (
    case_kind_word,
    case_role_word,
    company_role_word,
    kin_word,
    outcome_word,
)

UMBRELLA = "umbrella"
_PRC_ID = re.compile(r"^\d{17}[\dXx]$")
_FOLDED = ("Address", "BankAccount", "ContractAward", "Identification", "Passport")


def ext(proxy: EntityProxy) -> dict[str, Any]:
    """The ``umbrella`` extension of an entity (see :mod:`exports.ftm`)."""
    e = proxy.context.get(UMBRELLA)
    return e if isinstance(e, dict) else {}


def as_read(p: EntityProxy) -> dict[str, Any]:
    """An entity as read: its id, schema and every property with its values as written
    (what :mod:`exports.ftm` writes back, so a round trip keeps what was read)."""
    return {"id": p.id, "schema": p.schema.name, "properties": p.to_dict()["properties"]}


def _json(value: Any) -> str:
    """A property holding entities as read: JSON text (a store keeps text and lists), in
    ASCII so that the layout's text clean-up (NFKC, trimming) leaves every value as read."""
    return json.dumps(value, ensure_ascii=True, sort_keys=True)


def refs(p: EntityProxy) -> list[str]:
    """The ids of the entities ``p`` refers to (its entity-typed properties)."""
    return [str(v) for prop, v in p.itervalues() if prop.type.name == "entity"]


def _first(proxy: EntityProxy, *props: str) -> str:
    for p in props:
        if p in proxy.schema.properties:
            v = proxy.first(p)
            if v:
                return str(v)
    return ""


def _all(proxy: EntityProxy, prop: str) -> list[str]:
    return [str(v) for v in proxy.get(prop)] if prop in proxy.schema.properties else []


@dataclass
class FtmIndex:
    """What the first pass learns about every entity."""

    kind: dict[str, str] = field(default_factory=dict)
    row_id: dict[str, str] = field(default_factory=dict)
    address: dict[str, str] = field(default_factory=dict)
    position: dict[str, tuple[str, str]] = field(default_factory=dict)
    account: dict[str, str] = field(default_factory=dict)
    awards: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    approver: dict[str, str] = field(default_factory=dict)
    idents: dict[str, list[str]] = field(default_factory=dict)
    folded: Counter[str] = field(default_factory=Counter)
    #: entities that make no row of their own, as read (id, schema, properties): kept on
    #: the row of an entity that refers to them, or that they refer to (``ftm_folded``)
    raw: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: entity id -> ids of the entities it refers to or that refer to it
    near: dict[str, list[str]] = field(default_factory=dict)
    #: the ids of ``raw`` already kept on a row, and of the entities converted so far
    kept: set[str] = field(default_factory=set)
    done: set[str] = field(default_factory=set)

    def keep_raw(self, p: EntityProxy) -> None:
        """Remember an entity that makes no row, to keep it with one that does."""
        if p.id:
            self.raw[p.id] = as_read(p)

    def add(self, p: EntityProxy) -> None:
        """Learn one entity."""
        if not p.id:
            return
        s = p.schema
        e = ext(p)
        self.row_id[p.id] = str(e.get("source_id") or p.id)
        if s.is_a("Person"):
            self.kind[p.id] = "person"
        elif s.is_a("PublicBody"):
            self.kind[p.id] = "agency"
        elif s.is_a("LegalEntity"):
            self.kind[p.id] = "org"
        else:
            self.kind[p.id] = s.name.lower()
        if s.name == "Address":
            self.address[p.id] = _first(p, "full") or ", ".join(
                v for v in (_first(p, x) for x in ("street", "city", "postalCode", "country"))
                if v)
        elif s.name == "Position":
            self.position[p.id] = (str(e.get("title", p.caption)), _first(p, "organization"))
        elif s.name == "BankAccount":
            self.account[p.id] = _first(p, "iban", "accountNumber") or p.caption
        elif s.name == "ContractAward":
            for c in _all(p, "contract"):
                self.awards.setdefault(c, []).append({
                    "id": p.id, "supplier": _first(p, "supplier"),
                    "amount": _first(p, "amount", "amountEur", "amountUsd"),
                    "currency": _first(p, "currency") or (
                        "EUR" if _first(p, "amountEur") and not _first(p, "amount") else ""),
                    "date": _first(p, "date", "startDate"), "status": _first(p, "status")})
        elif s.name == "UnknownLink" and _first(p, "role").lower() == "approver":
            self.approver[_first(p, "object")] = _first(p, "subject")
        elif s.name in ("Identification", "Passport"):
            for h in _all(p, "holder"):
                self.idents.setdefault(h, []).append(
                    f"{_first(p, 'type') or s.label}: {_first(p, 'number', 'passportNumber')}")
        for ref in refs(p):
            self.near.setdefault(p.id, []).append(ref)
            self.near.setdefault(ref, []).append(p.id)
        if s.name in _FOLDED or (s.name == "UnknownLink"
                                 and _first(p, "role").lower() == "approver"):
            self.folded[s.name] += 1
            self.keep_raw(p)

    def folded_with(self, ftm_id: str) -> list[dict[str, Any]]:
        """The entities without a row of their own near ``ftm_id`` and not yet kept.

        Each is kept once, with the entity near it of the smallest id that makes rows
        (so the same file in any order keeps it with the same row), or with the next
        one converted when that one made no row."""
        self.done.add(ftm_id)
        out = []
        for other in dict.fromkeys(self.near.get(ftm_id, [])):
            if other not in self.raw or other in self.kept:
                continue
            owners = [x for x in self.near.get(other, []) if x not in self.raw]
            owner = min(owners) if owners else ftm_id
            if owner == ftm_id or owner in self.done:
                self.kept.add(other)
                out.append(self.raw[other])
        return out

    def rid(self, ftm_id: str) -> str:
        """The source id a reference stands for ('' stays '')."""
        return self.row_id.get(ftm_id, ftm_id) if ftm_id else ""

    def is_org(self, ftm_id: str) -> bool:
        return self.kind.get(ftm_id) in ("org", "agency")


class Converter:
    """Rows of one entity at a time."""

    def __init__(self, rows: Rows, idx: FtmIndex, unspecified_family: str) -> None:
        self.rows, self.idx, self.family = rows, idx, unspecified_family
        self.line, self.ptr = 0, ""
        self.cur: EntityProxy | None = None
        self.made = 0

    def _add(self, table: str, row: dict[str, Any]) -> None:
        """Add a row of the entity being converted: its first row keeps the entity as read
        (``ftm``, JSON) and the entities without a row of their own near it
        (``ftm_folded``, a JSON list); a further row names the entity it comes from
        (``ftm_part_of``)."""
        p = self.cur
        if p is not None and p.id:
            if self.made == 0:
                row = {**row, "ftm": _json(as_read(p))}
                folded = self.idx.folded_with(p.id)
                if folded:
                    row["ftm_folded"] = _json(folded)
            else:
                row = {**row, "ftm_part_of": p.id}
        self.made += 1
        self.rows.add(table, self.line, self.ptr, row)

    def _aside(self, p: EntityProxy, message: str) -> None:
        self.made += 1
        self.rows.set_aside(self.line, self.ptr, "not_convertible", message, "(entity)",
                            {"id": p.id, "schema": p.schema.name, "caption": p.caption})

    def _address(self, p: EntityProxy) -> str:
        return _first(p, "address") or next(
            (self.idx.address[a] for a in _all(p, "addressEntity") if a in self.idx.address), "")

    def _common(self, p: EntityProxy) -> dict[str, Any]:
        topics = _all(p, "topics")
        names = [n for n in _all(p, "name") + _all(p, "alias") if n != p.caption]
        return {"ftm_schema": p.schema.name, "ftm_id": p.id if self.idx.rid(p.id or "") != p.id
                else "", "aliases": names[:20], "country": _all(p, "country"),
                "topics": topics, "sanctioned": "true" if "sanction" in topics else "",
                "identifiers": self.idx.idents.get(p.id or "", []),
                "source_url": _first(p, "sourceUrl")}

    def person(self, p: EntityProxy) -> None:
        e = ext(p)
        number = _first(p, "idNumber")
        countries = {c.lower() for c in _all(p, "country") + _all(p, "nationality")}
        prc = bool(_PRC_ID.match(number)) and (not countries or "cn" in countries)
        birth, birth_text = full_day(_first(p, "birthDate"))
        death, death_text = full_day(_first(p, "deathDate"))
        self._add("persons", {
            **self._common(p), "person_id": self.idx.rid(p.id or ""), "name": p.caption,
            "id_number": number if prc else "", "gender": _first(p, "gender"),
            "birth_date": birth, "death_date": death,
            "phone": e.get("phone") or _first(p, "phone"),
            "address": self._address(p), "region": e.get("region", ""),
            "birth_date_text": birth_text, "death_date_text": death_text,
            "other_id_numbers": [] if prc else _all(p, "idNumber"),
            "inn": _all(p, "innCode"), "position": _all(p, "position"),
            "political": _first(p, "political"), "nationality": _all(p, "nationality")})
        self._aliases(p, "persons", "person_id", {"id_number": number} if prc else {})

    def _aliases(self, p: EntityProxy, table: str, key: str, identity: dict[str, str]) -> None:
        """Other input ids of a merged entity (``umbrella.source_ids``): rows that merge
        again through their identity number or credit code."""
        if not any(identity.values()):
            return
        for sid in ext(p).get("source_ids") or []:
            if str(sid) != self.idx.rid(p.id or ""):
                self._add(table, {key: str(sid), "name": p.caption, **identity,
                                  **({"kind": ext(p).get("kind") or "other"}
                                     if table == "organizations" else {})})

    def org(self, p: EntityProxy) -> None:
        e = ext(p)
        s = p.schema
        kind = e.get("kind") or ("agency" if s.is_a("PublicBody") else
                                 "company" if s.is_a("Company") else "other")
        parent = _first(p, "parent")
        founded, founded_text = full_day(_first(p, "incorporationDate"))
        self._add("organizations", {
            **self._common(p), "org_id": self.idx.rid(p.id or ""), "name": p.caption,
            "kind": kind, "credit_code": _first(p, "uscCode") or e.get("credit_code", ""),
            "parent_org_id": self.idx.rid(parent) if self.idx.is_org(parent) else "",
            "parent_id_unresolved": parent if parent and not self.idx.is_org(parent) else "",
            "region": e.get("region", ""), "address": self._address(p),
            "phone": e.get("phone") or _first(p, "phone"), "established_date": founded,
            "established_text": founded_text, "registration_number": _all(
                p, "registrationNumber"), "inn": _all(p, "innCode"),
            "ogrn": _all(p, "ogrnCode"), "lei": _all(p, "leiCode"),
            "legal_form": _first(p, "legalForm"), "status": _first(p, "status")})
        self._aliases(p, "organizations", "org_id",
                      {"credit_code": _first(p, "uscCode") or e.get("credit_code", "")})

    def position_body(self, p: EntityProxy) -> None:
        """A Position whose organization is not in the data stands for its own body."""
        if not self.idx.is_org(_first(p, "organization")):
            self._add("organizations", {
                "org_id": self.idx.rid(p.id or ""), "name": p.caption, "kind": "agency",
                "ftm_schema": "Position", "country": _all(p, "country"),
                "subnational_area": _first(p, "subnationalArea")})

    def _dates(self, p: EntityProxy) -> dict[str, str]:
        return {"start_date": day(_first(p, "startDate", "date")),
                "end_date": day(_first(p, "endDate"), end=True)}

    def _post_or_role(self, p: EntityProxy, person: str, org: str, title: str,
                      default: str) -> None:
        base = {**self._dates(p), "ftm_schema": p.schema.name, "ftm_id": p.id,
                "stated_role": title}
        if not ext(p).get("role") and self.idx.kind.get(org) in ("agency", "position"):
            self._add("positions", {**base, "person_id": self.idx.rid(person),
                                    "org_id": self.idx.rid(org), "title": title})
        else:
            self._add("company_roles", {
                **base, "company_id": self.idx.rid(org), "holder_id": self.idx.rid(person),
                "role": ext(p).get("role") or company_role_word(title, default)})

    def edge(self, p: EntityProxy) -> bool:
        """Rows of a tie between two entities; False when the schema is not one."""
        n = p.schema.name
        if n == "Occupancy":
            post = _first(p, "post")
            name, org = self.idx.position.get(post, ("", ""))
            org = org if self.idx.is_org(org) else post
            self._add("positions", {
                "person_id": self.idx.rid(_first(p, "holder")), "org_id": self.idx.rid(org),
                "title": name, "start_date": day(_first(p, "startDate", "periodStart")),
                "end_date": day(_first(p, "endDate", "periodEnd"), end=True),
                "ftm_id": p.id, "status": _first(p, "status")})
        elif n == "Directorship":
            self._post_or_role(p, _first(p, "director"), _first(p, "organization"),
                               _first(p, "role"), "director")
        elif n in ("Employment", "Membership"):
            who, where = (("employee", "employer") if n == "Employment"
                          else ("member", "organization"))
            self._post_or_role(p, _first(p, who), _first(p, where), _first(p, "role"),
                               "employee" if n == "Employment" else "member")
        elif n == "Ownership":
            self.ownership(p)
        elif n in ("Family", "Associate"):
            self.tie(p)
        else:
            return False
        return True

    def ownership(self, p: EntityProxy) -> None:
        asset = _first(p, "asset")
        if asset in self.idx.kind and not self.idx.is_org(asset):
            self._aside(p, _("ownership of a {kind}: the layout records ownership of "
                             "organizations only").format(kind=self.idx.kind[asset]))
            return
        words = f"{_first(p, 'ownershipType')} {_first(p, 'role')}"
        pct = _first(p, "percentage").replace("%", "").replace(",", ".").strip()
        numeric = bool(re.fullmatch(r"\d+(\.\d+)?", pct))
        self._add("company_roles", {
            **self._dates(p), "company_id": self.idx.rid(asset),
            "holder_id": self.idx.rid(_first(p, "owner")),
            "role": ext(p).get("role") or ("beneficial_owner" if "beneficial" in words.lower()
                                           else "shareholder"),
            "share_pct": pct if numeric else "", "stated_share": "" if numeric else pct,
            "ownership_type": _first(p, "ownershipType"), "stated_role": _first(p, "role"),
            "ftm_schema": "Ownership", "ftm_id": p.id})

    def tie(self, p: EntityProxy) -> None:
        if p.schema.name == "Associate":
            a, b, relation = _first(p, "person"), _first(p, "associate"), "associate"
        else:
            a, b = _first(p, "person"), _first(p, "relative")
            relation = kin_word(_first(p, "relationship")) or self.family
            if relation == "associate":
                relation = self.family
        self._add("relationships", {
            **self._dates(p), "person_id": self.idx.rid(a), "other_id": self.idx.rid(b),
            "relation": ext(p).get("relation") or relation,
            "stated_relation": _first(p, "relationship"), "ftm_schema": p.schema.name,
            "ftm_id": p.id})

    def contract(self, p: EntityProxy) -> None:
        e = ext(p)
        awards = [a for a in self.idx.awards.get(p.id or "", [])
                  if a["status"].lower() in ("", "active", "awarded")]
        sups = list(dict.fromkeys(a["supplier"] for a in awards if self.idx.is_org(a["supplier"])))
        first = awards[0] if awards else {}
        buyer = _first(p, "authority")
        base = {"buyer_org_id": self.idx.rid(buyer) if self.idx.is_org(buyer) else "",
                "approver_id": self.idx.rid(self.idx.approver.get(p.id or "", "")),
                "method": e.get("method") or _first(p, "method").lower(),
                "sector": e.get("sector", ""), "ftm_schema": "Contract"}
        self._add("contracts", {
            **base, "contract_id": self.idx.rid(p.id or ""), "title": p.caption,
            "supplier_id": self.idx.rid(sups[0]) if len(sups) == 1 else "",
            "amount": first.get("amount") if len(awards) == 1 else _first(p, "amount"),
            "currency": first.get("currency") if len(awards) == 1 else _first(p, "currency"),
            "award_date": day(first.get("date") or _first(p, "contractDate")),
            "ftm_id": p.id if self.idx.rid(p.id or "") != p.id else "",
            "procurement_method": _first(p, "method"), "procedure": _first(p, "procedure")})
        if len(sups) > 1:
            for a in awards:
                self._add("contracts", {
                    **base, "contract_id": f"{self.idx.rid(p.id or '')}#award-{a['id']}",
                    "title": f"{p.caption} (award)", "supplier_id": self.idx.rid(a["supplier"]),
                    "amount": a["amount"], "currency": a["currency"],
                    "award_date": day(a["date"]), "process": self.idx.rid(p.id or "")})

    def payment(self, p: EntityProxy) -> None:
        e = ext(p)
        payer = _first(p, "payer")
        amount = _first(p, "amount", "amountEur", "amountUsd")
        currency = _first(p, "currency") or ("EUR" if _first(p, "amountEur") else
                                             "USD" if _first(p, "amountUsd") else "")
        account = _first(p, "beneficiaryAccount")
        self._add("payments", {
            "payment_id": self.idx.rid(p.id or ""),
            "payer_org_id": self.idx.rid(payer) if self.idx.is_org(payer) else "",
            "payer_person_id": (self.idx.rid(payer) if payer and not self.idx.is_org(payer)
                                else ""),
            "approver_id": self.idx.rid(str(e.get("approver") or "")),
            "recipient_id": self.idx.rid(_first(p, "beneficiary")), "amount": amount,
            "currency": currency, "date": day(_first(p, "date", "startDate")),
            "program": _first(p, "programme"), "sector": e.get("sector", ""),
            "bank_account": self.idx.account.get(account, account),
            "purpose": _first(p, "purpose"), "ftm_schema": "Payment",
            "names_mentioned": _all(p, "namesMentioned")})

    def case(self, p: EntityProxy) -> None:
        e = ext(p)
        words = (_first(p, "category"), _first(p, "type"), p.caption)
        self._add("cases", {
            "case_id": self.idx.rid(p.id or ""), "kind": e.get("kind") or case_kind_word(*words),
            "title": p.caption, "opened_date": day(_first(p, "fileDate")),
            "closed_date": day(_first(p, "closeDate"), end=True),
            "status": _first(p, "status"),
            "outcome": e.get("outcome") or outcome_word(_first(p, "status")),
            "case_number": _first(p, "caseNumber"), "court": _first(p, "court"),
            "ftm_schema": "CourtCase"})

    def case_party(self, p: EntityProxy) -> None:
        role = _first(p, "role")
        self._add("case_roles", {
            "case_id": self.idx.rid(_first(p, "case")),
            "party_id": self.idx.rid(_first(p, "party")),
            "role": ext(p).get("role") or case_role_word(role or "party"),
            "start_date": day(_first(p, "startDate", "date")), "stated_role": role,
            "ftm_id": p.id})

    def sanction(self, p: EntityProxy) -> None:
        opened = day(_first(p, "startDate", "listingDate", "date"))
        title = " — ".join(x for x in (_first(p, "authority"), _first(p, "program"),
                                       _first(p, "reason")) if x) or "Sanction"
        cid = self.idx.rid(p.id or "")
        self._add("cases", {
            "case_id": cid, "kind": "other", "title": f"Sanction: {title}"[:300],
            "opened_date": opened, "closed_date": day(_first(p, "endDate"), end=True),
            "status": _first(p, "status"), "outcome": "sanctioned",
            "authority": _first(p, "authority"), "program": _first(p, "program"),
            "ftm_schema": "Sanction", "source_url": _first(p, "sourceUrl")})
        self._add("case_roles", {
            "case_id": cid, "party_id": self.idx.rid(_first(p, "entity")), "role": "suspect",
            "start_date": opened, "stated_role": "sanctioned"})

    def report(self, p: EntityProxy) -> None:
        """A tip-off written by :mod:`exports.ftm` (a Note on its subject)."""
        e = ext(p)
        self._add("reports", {
            "report_id": self.idx.rid(p.id or ""), "subject_id": self.idx.rid(_first(p, "entity")),
            "date": e.get("date", ""), "channel": e.get("channel", ""),
            "topic": e.get("topic", ""), "sector": e.get("sector", "")})

    def link(self, p: EntityProxy) -> None:
        role = _first(p, "role").lower()
        if role == "approver":
            return
        if role == "bid":
            e = ext(p)
            m = re.search(r"amount:\s*([0-9.]+)", _first(p, "description"))
            self._add("bids", {
                "contract_id": self.idx.rid(_first(p, "object")),
                "bidder_id": self.idx.rid(_first(p, "subject")),
                "amount": e.get("amount", m.group(1) if m else ""),
                "status": _first(p, "status"), "ftm_id": p.id})
            return
        self._aside(p, (_("an UnknownLink ({role}) has no place in the layout") if role else
                        _("an UnknownLink (no role) has no place in the layout")).format(
                            role=role))

    def convert(self, p: EntityProxy, line: int, pointer: str) -> None:
        """Add the rows of one entity (things and ties alike); an entity that makes no row
        and is not set aside is kept, as read, with a row near it."""
        self.line, self.ptr, self.cur, self.made = line, pointer, p, 0
        self._convert(p, line, pointer)
        if p.id:
            self.idx.done.add(p.id)
        if self.made == 0 and p.id and p.id not in self.idx.raw:
            self.idx.keep_raw(p)

    def _convert(self, p: EntityProxy, line: int, pointer: str) -> None:
        s = p.schema
        if s.is_a("Person"):
            self.person(p)
        elif s.is_a("LegalEntity"):
            self.org(p)
        elif s.name == "Position":
            self.position_body(p)
        elif self.edge(p):
            pass
        elif s.name == "Contract":
            self.contract(p)
        elif s.name == "Payment":
            self.payment(p)
        elif s.name == "CourtCase":
            self.case(p)
        elif s.name == "CourtCaseParty":
            self.case_party(p)
        elif s.name == "Sanction":
            self.sanction(p)
        elif s.name == "UnknownLink":
            self.link(p)
        elif s.name == "Note" and ext(p).get("table") == "reports":
            self.report(p)
        elif s.name == "Note" and UMBRELLA in p.context:
            self.made += 1
            self.rows.set_aside(line, pointer, "not_convertible",
                                _("a finding written by umbrella: findings are recomputed by "
                                  "`umbrella scan`, not loaded"), "(entity)", {"id": p.id})
        elif s.name not in _FOLDED:
            self._aside(p, _("FtM schema {schema} has no place in the data layout").format(
                schema=s.name))

