"""FollowTheMoney out: the graph and its findings as FtM entities, in JSON lines.

The file opens in Aleph / OpenAleph (``ftm`` / ``alephclient write-entities``) and
any FtM tool; :mod:`loaders.standards.ftm` reads it back into the same graph.

==================  =========================================================
ours                FtM
==================  =========================================================
person              Person (``idNumber`` only with ``reveal``)
organization        PublicBody (agency, village committee), Company, Organization;
                    ``parent`` from PART_OF
contract            Contract (``authority`` = buyer) + ContractAward (supplier)
payment             Payment (payer, beneficiary, BankAccount for the account)
case                CourtCase
report              Note on its subject
HOLDS_POST          Position (organization, title) + Occupancy
KIN / ASSOCIATE     Family (``relationship`` = our relation) / Associate
COMPANY_ROLE        Ownership (shareholder, beneficial owner) or Directorship
CASE_ROLE           CourtCaseParty (``role`` = our role)
APPROVED (contract) UnknownLink, role ``approver``
BID                 UnknownLink, role ``bid``, description ``amount: N``
finding             Note on its entities: title, rule, score, explanation and
                    the evidence path with each fact's source file and line
==================  =========================================================

**Entities read from FtM are written back as read.** A record the FtM loader made
keeps the entity it came from (``ftm``: id, schema, every property as written) and
the entities folded into it (``ftm_folded``): the export writes those instead of
the entities it would make of the record (a Sanction stays a Sanction with its
``authority`` and ``program``, not a CourtCase and a ``suspect``; a Company keeps
its ``legalForm`` and ``ogrnCode``; an Ownership its ``sharesCount``), with our
extension beside them, and leaves out the further rows of the same entity
(``ftm_part_of``). Identity numbers (``idNumber``, ``passportNumber``,
``number``) are left out of them unless ``reveal``.

**The ``umbrella`` extension.** What FtM cannot say is written under a
top-level key ``umbrella`` of the entity (FtM tools keep or ignore unknown
top-level keys): the input ids (``source_id``, ``source_ids``), a phone number as
written (FtM's ``phone`` holds it in E.164, a number without a country code read
as Chinese), an organization's
``kind`` and ``credit_code``, a contract's ``sector``, ``method``, a payment's
``approver``, a role's exact ``role`` or ``relation``, a bid's ``amount``, a
case's ``kind`` and ``outcome``, a post's ``title``, and a finding's ``finding``
(rule, category, score, entities). FtM ids are the input ids where they are valid
FtM ids and unique, else derived from the entity key.

Examples
--------
>>> import io, json, tempfile, pathlib
>>> from graph.store import open_store
>>> from loaders.standards.ftm import load_ftm
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "persons.csv").write_text("person_id,name\\nP1,张三\\nP2,李四\\n", encoding="utf-8")
>>> _ = (d / "relationships.csv").write_text("person_id,other_id,relation\\nP1,P2,spouse\\n",
...                                          encoding="utf-8")
>>> from loaders.load import load_folder
>>> store = open_store(d / "a.db")
>>> _ = load_folder(d, store)
>>> n = export_ftm(store.view(), d / "out.ftm.json")
>>> n["Person"], n["Family"]
(2, 1)
>>> back = open_store(d / "b.db")
>>> load_ftm(d / "out.ftm.json", back).loaded
3
>>> back.view().counts_by_type()
{'KIN': 1}
>>> store.close(); back.close()
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from followthemoney.types import registry

from graph.schema import kind_of_key
from graph.store import Entity, Relation, StoreView
from lang import _
from lang.message import localized
from visualizations.words import category_word, kind_word, tie_word

_FTM_ID = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.\-]*[0-9a-zA-Z])?$")
_ORG_SCHEMA = {"agency": "PublicBody", "village_committee": "PublicBody", "company": "Company"}
_OWNERSHIP_ROLES = ("shareholder", "beneficial_owner")
Ftm = dict[str, Any]


def ftm_id(text: str) -> str:
    """``text`` when it is a valid FtM id, else a stable one derived from it.

    Examples
    --------
    >>> ftm_id("P1"), ftm_id("p:s:P1"), ftm_id("张三")[:2]
    ('P1', 'p-s-P1', 'u-')
    """
    if _FTM_ID.match(text) and len(text) <= 128:
        return text
    simple = text.replace(":", "-").replace("_", "-").strip("-")
    if _FTM_ID.match(simple) and len(simple) <= 128:
        return simple
    return "u-" + hashlib.sha1(text.encode()).hexdigest()


def ftm_phone(value: object) -> str | None:
    """A phone number as FtM accepts it (E.164); a number without a country code is read
    as a Chinese one, the layout's default. None when it is not a phone number.

    Examples
    --------
    >>> ftm_phone("0731-84235936"), ftm_phone("12")
    ('+8673184235936', None)
    """
    if value in (None, ""):
        return None
    return registry.phone.clean(str(value), format="cn")


def _entity(id_: str, schema: str, props: dict[str, Any], ext: dict[str, Any] | None = None
            ) -> Ftm:
    clean: dict[str, list[str]] = {}
    for k, v in props.items():
        values = v if isinstance(v, list) else [v]
        texts = [str(x) for x in values if x is not None and str(x) != ""]
        if texts:
            clean[k] = texts
    out: Ftm = {"id": id_, "schema": schema, "properties": clean}
    if ext:
        out["umbrella"] = {k: v for k, v in ext.items() if v not in (None, "", [])}
    return out


#: Properties that hold identity numbers: left out of entities written back as read,
#: unless ``reveal`` (as ``idNumber`` is left out of the entities we make).
_ID_PROPS = ("idNumber", "passportNumber", "number")


class _AsRead:
    """Entities written back as the loader read them (:mod:`loaders.standards.ftm` keeps
    them in the props ``ftm``, ``ftm_folded`` and ``ftm_part_of``), each id once."""

    def __init__(self, origins: set[str], reveal: bool) -> None:
        self.origins, self.reveal = origins, reveal
        self.seen: set[str] = set()

    def skip(self, props: dict[str, Any]) -> bool:
        """Whether a record is a further row of an entity written back as read."""
        return str(props.get("ftm_part_of") or "") in self.origins

    def _clean(self, entity: Ftm) -> Ftm:
        if self.reveal:
            return entity
        return {**entity, "properties": {k: v for k, v in entity["properties"].items()
                                         if k not in _ID_PROPS}}

    def __call__(self, props: dict[str, Any], made: list[Ftm]) -> Iterator[Ftm]:
        """``made`` (the entities we make of a record, the record's own first) or, for a
        record read from FtM, the entity as read (with our extension) and the entities
        read with it."""
        original = _loads(props.get("ftm"))
        if not isinstance(original, dict) or not original.get("schema"):
            yield from made
            return
        out: Ftm = {"id": str(original["id"]), "schema": str(original["schema"]),
                    "properties": dict(original.get("properties") or {})}
        if made and made[0].get("umbrella"):
            out["umbrella"] = made[0]["umbrella"]
        folded = _loads(props.get("ftm_folded"))
        for e in [out, *(folded if isinstance(folded, list) else [])]:
            if isinstance(e, dict) and e.get("id") not in self.seen:
                self.seen.add(str(e.get("id")))
                yield self._clean(e)


def _loads(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _origins(view: StoreView, rels: dict[str, list[Relation]]) -> set[str]:
    """The FtM ids of the records read from FtM."""
    out = set()
    records: list[dict[str, Any]] = [e.props for e in view.entities()]
    records += [r.props for rs in rels.values() for r in rs]
    for props in records:
        original = _loads(props.get("ftm"))
        if isinstance(original, dict) and original.get("id"):
            out.add(str(original["id"]))
    return out


class _Ids:
    """Entity key → FtM id, unique over the export."""

    def __init__(self) -> None:
        self.of: dict[str, str] = {}
        self._used: set[str] = set()

    def add(self, e: Entity) -> str:
        sids = e.source_ids
        for cand in ([ftm_id(sids[0])] if sids else []) + [ftm_id(e.key)]:
            if cand not in self._used:
                break
        else:
            cand = "u-" + hashlib.sha1(e.key.encode()).hexdigest()
        self._used.add(cand)
        self.of[e.key] = cand
        return cand

    def __call__(self, key: str | None) -> str:
        return self.of.get(key or "", "")


def _rel_id(r: Relation) -> str:
    return ftm_id(r.id)


def _things(view: StoreView, ids: _Ids, reveal: bool, rels: dict[str, list[Relation]],
            as_read: _AsRead) -> Iterator[Ftm]:
    parents = {r.src: r.dst for r in rels.get("PART_OF", [])}
    for e in view.entities():
        if not as_read.skip(e.props):
            yield from as_read(e.props, _thing(e, ids, reveal, parents))


def _thing(e: Entity, ids: _Ids, reveal: bool, parents: dict[str, str]) -> list[Ftm]:
    fid = ids(e.key)
    p = e.props
    base = {"source_id": e.source_ids[0] if e.source_ids else "",
            "source_ids": e.source_ids if len(e.source_ids) > 1 else []}
    if e.kind == "person":
        return [_entity(fid, "Person", {
            "name": e.name, "idNumber": p.get("id_number") if reveal else None,
            "gender": p.get("gender"), "birthDate": p.get("birth_date"),
            "deathDate": p.get("death_date"), "phone": ftm_phone(p.get("phone")),
            "address": p.get("address"), "alias": p.get("other_names")},
            {**base, "region": p.get("region"), "phone": p.get("phone")})]
    if e.kind == "organization":
        schema = _ORG_SCHEMA.get(str(p.get("kind")), "Organization")
        return [_entity(fid, schema, {
            "name": e.name, "uscCode": p.get("credit_code") if schema == "Company" else None,
            "address": p.get("address"), "phone": ftm_phone(p.get("phone")),
            "incorporationDate": p.get("established_date"),
            "parent": ids(parents.get(e.key)), "alias": p.get("other_names")},
            {**base, "kind": p.get("kind"), "credit_code": p.get("credit_code"),
             "region": p.get("region"), "phone": p.get("phone")})]
    if e.kind == "case":
        return [_entity(fid, "CourtCase", {
            "name": e.name, "category": p.get("kind"), "fileDate": p.get("opened_date"),
            "closeDate": p.get("closed_date"), "status": p.get("status")},
            {**base, "kind": p.get("kind"), "outcome": p.get("outcome")})]
    return []  # contracts, payments and reports are events


def _events(view: StoreView, ids: _Ids, rels: dict[str, list[Relation]],
            as_read: _AsRead) -> Iterator[Ftm]:
    by_dst: dict[tuple[str, str], Relation] = {}
    by_src: dict[tuple[str, str], Relation] = {}
    for t in ("BOUGHT", "PAID", "APPROVED"):
        for r in rels.get(t, []):
            by_dst.setdefault((t, r.dst), r)
    for t in ("AWARDED_TO", "PAID_TO", "REPORTED"):
        for r in rels.get(t, []):
            by_src.setdefault((t, r.src), r)
    for kind in ("contract", "payment", "report"):
        for e in view.entities(kind):
            if not as_read.skip(e.props):
                yield from as_read(e.props, list(_event(e, ids, by_dst, by_src)))


def _event(e: Entity, ids: _Ids, by_dst: dict[tuple[str, str], Relation],
           by_src: dict[tuple[str, str], Relation]) -> Iterator[Ftm]:
    fid, p = ids(e.key), e.props
    base = {"source_id": e.source_ids[0] if e.source_ids else ""}
    approver = by_dst.get(("APPROVED", e.key))
    if e.kind == "contract":
        buyer, award = by_dst.get(("BOUGHT", e.key)), by_src.get(("AWARDED_TO", e.key))
        yield _entity(fid, "Contract", {
            "name": e.name, "title": p.get("title"), "authority": ids(buyer.src if buyer else ""),
            "amount": p.get("amount"), "currency": p.get("currency"), "method": p.get("method"),
            "contractDate": p.get("award_date")},
            {**base, "sector": p.get("sector"), "method": p.get("method")})
        if award:
            yield _entity(ftm_id(award.id), "ContractAward", {
                "contract": fid, "supplier": ids(award.dst), "amount": p.get("amount"),
                "currency": p.get("currency"), "date": p.get("award_date")})
        if approver:
            yield _entity(ftm_id(approver.id), "UnknownLink", {
                "subject": ids(approver.src), "object": fid, "role": "approver",
                "date": p.get("award_date")})
    elif e.kind == "payment":
        payer, to = by_dst.get(("PAID", e.key)), by_src.get(("PAID_TO", e.key))
        account = p.get("bank_account")
        acct_id = ftm_id("acct-" + hashlib.sha1(str(account).encode()).hexdigest()[:20])
        yield _entity(fid, "Payment", {
            "payer": ids(payer.src) if payer else ids(str(p.get("payer_id") or "")),
            "beneficiary": ids(to.dst if to else ""), "amount": p.get("amount"),
            "currency": p.get("currency"), "date": p.get("date"),
            "programme": p.get("program"), "beneficiaryAccount": acct_id if account else None,
            "purpose": p.get("purpose")},
            {**base, "approver": ids(approver.src if approver else ""),
             "sector": p.get("sector")})
        if account:
            yield _entity(acct_id, "BankAccount", {"accountNumber": account, "name": account})
    else:
        subject = by_src.get(("REPORTED", e.key))
        yield _entity(fid, "Note", {
            "name": e.name, "entity": ids(subject.dst if subject else ""),
            "description": p.get("topic"), "keywords": [p.get("channel"), p.get("sector")]},
            {**base, "table": "reports", "date": p.get("date"), "channel": p.get("channel"),
             "topic": p.get("topic"), "sector": p.get("sector")})


def _ties(ids: _Ids, rels: dict[str, list[Relation]], as_read: _AsRead) -> Iterator[Ftm]:
    for type_ in ("HOLDS_POST", "KIN", "ASSOCIATE", "COMPANY_ROLE", "CASE_ROLE", "BID"):
        for r in rels.get(type_, []):
            if not as_read.skip(r.props):
                yield from as_read(r.props, list(_tie(ids, r)))


def _tie(ids: _Ids, r: Relation) -> Iterator[Ftm]:
    """The entities we make of one relationship record (its own first)."""
    if r.type == "HOLDS_POST":
        title = str(r.props.get("title") or "")
        post = ftm_id("post-" + hashlib.sha1(f"{r.dst}\x1f{title}".encode()).hexdigest()[:20])
        yield _entity(_rel_id(r), "Occupancy", {"holder": ids(r.src), "post": post,
                                                 "startDate": r.start, "endDate": r.end})
        yield _entity(post, "Position", {"name": title or "post", "organization": ids(r.dst)},
                      {"title": title})
    if r.type == "KIN":
        yield _entity(_rel_id(r), "Family", {
            "person": ids(r.src), "relative": ids(r.dst), "relationship": r.props.get("relation"),
            "startDate": r.start, "endDate": r.end}, {"relation": r.props.get("relation")})
    if r.type == "ASSOCIATE":
        yield _entity(_rel_id(r), "Associate", {"person": ids(r.src), "associate": ids(r.dst),
                                                 "startDate": r.start, "endDate": r.end})
    if r.type == "COMPANY_ROLE":
        role = str(r.props.get("role") or "")
        if role in _OWNERSHIP_ROLES:
            yield _entity(_rel_id(r), "Ownership", {
                "owner": ids(r.src), "asset": ids(r.dst), "percentage": r.props.get("share_pct"),
                "role": role.replace("_", " "), "startDate": r.start, "endDate": r.end},
                {"role": role})
        else:
            yield _entity(_rel_id(r), "Directorship", {
                "director": ids(r.src), "organization": ids(r.dst), "role": role.replace("_", " "),
                "startDate": r.start, "endDate": r.end}, {"role": role})
    if r.type == "CASE_ROLE":
        yield _entity(_rel_id(r), "CourtCaseParty", {
            "party": ids(r.src), "case": ids(r.dst), "role": r.props.get("role"),
            "startDate": r.start}, {"role": r.props.get("role")})
    if r.type == "BID":
        amount, currency = r.props.get("amount"), r.props.get("currency")
        yield _entity(_rel_id(r), "UnknownLink", {
            "subject": ids(r.src), "object": ids(r.dst), "role": "bid",
            "status": r.props.get("status"),
            "description": (f"amount: {amount}" + (f" {currency}" if currency else "")
                            if amount is not None else None)},
            {"amount": amount, "currency": currency})


def _step_text(step: dict[str, Any]) -> str:
    where = ", ".join(f"{s.get('file')}:{s.get('line')}" for s in step.get("sources", []))
    if "node" in step:
        return _("{name} ({kind}) [{rows}]").format(
            name=step.get("name") or step.get("key"), kind=kind_word(str(step["node"])),
            rows=where)
    return _("  -{tie} {start} to {end}- [{rows}]").format(
        tie=tie_word(str(step.get("rel"))), start=step.get("start") or "…",
        end=step.get("end") or "…", rows=where)


def _findings(view: StoreView, ids: _Ids) -> Iterator[Ftm]:
    """A Note per finding: its title, explanation and evidence in the run's language, its
    machine fields (rule, category, score, entities) in keywords and the extension."""
    for f in view.findings():
        f = localized(f)
        paths = [p.get("path", []) for p in f.get("evidence", [])]
        lines = ["\n".join(_step_text(s) for s in path) for path in paths]
        description = str(f.get("explanation", ""))
        if lines:
            description = _("{explanation}\n\nEvidence:\n{paths}").format(
                explanation=description, paths="\n\n".join(lines))
        things = [ids(k) for k in f.get("keys", []) if kind_of_key(str(k)) != "payment"]
        summary = _("{rule} ({category}), score {score}").format(
            rule=f.get("rule"), category=category_word(str(f.get("category"))),
            score=f"{float(f.get('score', 0)):.2f}")
        yield _entity(ftm_id(f"finding-{f['id']}"), "Note", {
            "name": f.get("title"), "summary": summary,
            "description": description, "entity": [t for t in things if t],
            "keywords": [f.get("rule"), f.get("category"), f.get("sector")],
            "publisher": "umbrella"},
            {"finding": {k: f.get(k) for k in ("id", "rule", "category", "score", "entities",
                                               "sector", "date")}})


def iter_ftm(view: StoreView, *, reveal: bool = False, findings: bool = True) -> Iterator[Ftm]:
    """Every FtM entity of the export, things first."""
    ids = _Ids()
    for e in view.entities():
        ids.add(e)
    rels: dict[str, list[Relation]] = {}
    for r in view.relations():
        rels.setdefault(r.type, []).append(r)
    as_read = _AsRead(_origins(view, rels), reveal)
    yield from _things(view, ids, reveal, rels, as_read)
    yield from _events(view, ids, rels, as_read)
    yield from _ties(ids, rels, as_read)
    if findings:
        yield from _findings(view, ids)


def write_ftm(entities: Iterable[Ftm], fh: IO[str]) -> Counter[str]:
    """Write entities as JSON lines; returns the count per schema."""
    counts: Counter[str] = Counter()
    for e in entities:
        fh.write(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n")
        counts[e["schema"]] += 1
    return counts


def export_ftm(view: StoreView, out: Path, *, reveal: bool = False,
               findings: bool = True) -> Counter[str]:
    """Write the graph (and the stored findings) to ``out`` as FtM JSON lines.

    Identity numbers are left out unless ``reveal``. Returns the count per schema.
    """
    with out.open("w", encoding="utf-8") as fh:
        return write_ftm(iter_ftm(view, reveal=reveal, findings=findings), fh)
