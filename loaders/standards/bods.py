"""BODS in (0.2, 0.3, 0.4): entity, person and relationship statements → layout tables.

Three passes over all the files of a load (so a statement may refer to one in
another file): which statements replace which, then entities and persons, then
ownership-or-control statements.

- **entity** (``entityStatement`` / record type ``entity``) → organizations; kind
  ``agency`` for a state body, ``company`` for a registered or legal entity,
  ``other`` for arrangements and anonymous or unknown entities; an identifier in
  scheme ``CN-USCC`` is the credit code; the others are kept in ``identifiers``.
- **person** → persons; an unknown person keeps the reason in its name. A person
  with political exposure (0.4 ``politicalExposure``, 0.2/0.3 ``pepStatus`` /
  ``hasPepStatus``) is marked as an official: one ``positions`` row per exposure
  detail (title = its reason, dates = its dates) at a public body standing for the
  jurisdiction (``pep:CODE``, kind ``agency``), and ``pep_status`` on the person.
- **relationship** → company_roles, one per interest: ``shareholding``, ``votingRights``
  and rights to profit or surplus held directly → ``shareholder`` (``share.exact``
  as share_pct, a range kept in ``share_range``); board member or chair →
  ``director``; senior managing official → ``manager``; every other interest, and
  any interest held indirectly → ``beneficial_owner``. The interest type, direct or
  indirect, the beneficial-ownership flag and the components of an indirect
  interest (``via``) are kept on the role record; interests of one statement that
  give the same role and dates share one record (their types listed). Components are statements of
  their own, so an indirect interest is also a path of direct ones.
- A statement replaced by a later one of the same load (``replacesStatements``) is
  set aside as ``superseded``; references to it follow to its replacement.
- Ids: ``recordId`` (0.4, stable across updates), else ``statementID``. A
  relationship that names a statement not in the data (an extract of a register)
  gets a stub for it (see :func:`load_bods`).

Examples
--------
>>> import json, tempfile
>>> from graph.store import open_store
>>> d = Path(tempfile.mkdtemp())
>>> _ = (d / "b.json").write_text(json.dumps([
...     {"statementID": "e1", "statementType": "entityStatement", "name": "Acme",
...      "entityType": "registeredEntity"},
...     {"statementID": "p1", "statementType": "personStatement",
...      "names": [{"fullName": "Ann"}]},
...     {"statementID": "r1", "statementType": "ownershipOrControlStatement",
...      "subject": {"describedByEntityStatement": "e1"},
...      "interestedParty": {"describedByPersonStatement": "p1"},
...      "interests": [{"type": "shareholding", "share": {"exact": 40}}]}]))
>>> store = open_store(d / "case.db")
>>> r = load_bods(d / "b.json", store)
>>> r.read, r.loaded, store.view().counts_by_type()
(3, 3, {'COMPANY_ROLE': 1})
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.store import Store
from lang import _
from loaders.chunk import Chunk
from loaders.pipeline import load_tables
from loaders.report import Progress, StandardReport
from loaders.standards import jsonio
from loaders.standards.files import CHUNK_ROWS, chunked
from loaders.standards.rows import Rows, day, full_day, text

_KIND = {"registeredentity": "company", "legalentity": "company", "stateBody": "agency",
         "statebody": "agency", "state": "agency"}
_SHARES = {"shareholding", "votingrights", "rightstosurplusassetsondissolution",
           "rightstoprofitorincome"}


def _d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def statement_type(s: dict[str, Any]) -> str:
    """``entity``, ``person``, ``relationship`` or '' for any BODS version.

    Examples
    --------
    >>> statement_type({"statementType": "ownershipOrControlStatement"})
    'relationship'
    >>> statement_type({"recordType": "person"})
    'person'
    """
    t = text(s.get("recordType") or s.get("statementType"))
    return {"entityStatement": "entity", "personStatement": "person",
            "ownershipOrControlStatement": "relationship"}.get(t, t if t in (
                "entity", "person", "relationship") else "")


def interest_role(kind: str, direct: str) -> str:
    """The company role of a BODS interest type held directly or indirectly.

    Examples
    --------
    >>> interest_role("shareholding", "direct"), interest_role("voting-rights", "indirect")
    ('shareholder', 'beneficial_owner')
    >>> interest_role("boardMember", ""), interest_role("other-influence-or-control", "")
    ('director', 'beneficial_owner')
    """
    k = kind.replace("-", "").replace("_", "").lower()
    if k in ("boardmember", "boardchair"):
        return "director"
    if k == "seniormanagingofficial":
        return "manager"
    if k in _SHARES and direct.lower() != "indirect":
        return "shareholder"
    return "beneficial_owner"


def _sid(s: dict[str, Any]) -> str:
    return text(s.get("recordId") or s.get("statementID") or s.get("statementId"))


def _details(s: dict[str, Any]) -> dict[str, Any]:
    return _d(s.get("recordDetails")) or s


@dataclass
class _Index:
    replaced_by: dict[str, str] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)

    def add(self, s: dict[str, Any]) -> None:
        sid = text(s.get("statementID") or s.get("statementId"))
        for old in _l(s.get("replacesStatements")):
            self.replaced_by[text(old)] = sid
        self.kind[_sid(s)] = statement_type(s)
        if sid:
            self.kind.setdefault(sid, statement_type(s))

    def current(self, sid: str) -> str:
        seen = set()
        while sid in self.replaced_by and sid not in seen:
            seen.add(sid)
            sid = self.replaced_by[sid]
        return sid


class _Statements:
    def __init__(self, rows: Rows, idx: _Index, stubs: bool) -> None:
        self.rows, self.idx, self.stubs = rows, idx, stubs
        self.line, self.ptr = 0, ""

    def _add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.add(table, self.line, self.ptr, row)

    def _ids(self, d: dict[str, Any]) -> dict[str, Any]:
        ids = [i for i in _l(d.get("identifiers")) if isinstance(i, dict)]
        return {
            "identifiers": [f"{text(i.get('scheme') or i.get('schemeName'))}: {text(i.get('id'))}"
                            for i in ids],
            "lei": [text(i.get("id")) for i in ids if text(i.get("scheme")) == "XI-LEI"],
            "credit_code": next((text(i.get("id")) for i in ids
                                 if text(i.get("scheme")).upper() == "CN-USCC"), "")}

    def _address(self, d: dict[str, Any]) -> str:
        a = next((x for x in _l(d.get("addresses")) if isinstance(x, dict)), {})
        return ", ".join(t for t in (text(a.get("address")), text(a.get("postCode")),
                                     text(a.get("country") if not isinstance(
                                         a.get("country"), dict) else a["country"].get("name")))
                         if t)

    def entity(self, s: dict[str, Any]) -> None:
        d = _details(s)
        et = d.get("entityType")
        etype = text(_d(et).get("type") if isinstance(et, dict) else et)
        unspecified = _d(d.get("unspecifiedEntityDetails"))
        name = text(d.get("name")) or (
            f"unknown entity ({text(unspecified.get('reason')) or 'no name given'})")
        founded, founded_text = full_day(d.get("foundingDate"))
        juris = _d(d.get("incorporatedInJurisdiction") or d.get("jurisdiction"))
        self._add("organizations", {
            "org_id": _sid(s), "name": name, "kind": _KIND.get(etype, _KIND.get(
                etype.lower(), "other")), **self._ids(d), "address": self._address(d),
            "established_date": founded, "founding_text": founded_text,
            "dissolution_date": day(d.get("dissolutionDate")), "entity_type": etype,
            "jurisdiction": juris.get("code") or juris.get("name"),
            "statement_id": text(s.get("statementID") or s.get("statementId")),
            "statement_date": day(s.get("statementDate")),
            "unspecified_reason": unspecified.get("reason"),
            "bods_version": _d(s.get("publicationDetails")).get("bodsVersion")})

    def person(self, s: dict[str, Any]) -> None:
        d = _details(s)
        names = [n for n in _l(d.get("names")) if isinstance(n, dict)]
        names.sort(key=lambda n: text(n.get("type")) not in ("individual", "legal", ""))
        first = names[0] if names else {}
        name = text(first.get("fullName")) or " ".join(
            t for t in (text(first.get("givenName")), text(first.get("familyName"))) if t)
        unspecified = _d(d.get("unspecifiedPersonDetails"))
        if not name:
            why = text(unspecified.get("reason")) or text(d.get("personType"))
            name = f"unknown person ({why})"
        birth, birth_text = full_day(d.get("birthDate"))
        pid = _sid(s)
        exposure = _d(d.get("politicalExposure"))
        status = text(exposure.get("status") or d.get("pepStatus") or (
            "isPep" if d.get("hasPepStatus") is True else ""))
        details = [x for x in _l(exposure.get("details") or d.get("pepStatusDetails"))
                   if isinstance(x, dict)]
        self._add("persons", {
            "person_id": pid, "name": name, "birth_date": birth, "birth_date_text": birth_text,
            "address": self._address(d), "nationality": [
                text(n.get("code") or n.get("name")) for n in _l(d.get("nationalities"))
                if isinstance(n, dict)],
            "identifiers": self._ids(d)["identifiers"], "person_type": d.get("personType"),
            "pep_status": status, "statement_id": text(s.get("statementID")),
            "unspecified_reason": unspecified.get("reason")})
        if status.lower() == "ispep":
            for x in details or [{}]:
                self._pep(pid, x)

    def _pep(self, pid: str, x: dict[str, Any]) -> None:
        j = _d(x.get("jurisdiction"))
        code = text(j.get("code") or j.get("name")) or "unknown"
        body = f"pep:{code}"
        self._add("organizations", {
            "org_id": body, "name": f"Public office ({text(j.get('name')) or code})",
            "kind": "agency", "jurisdiction": code,
            "note": "stands for the public offices of a politically exposed person"})
        self._add("positions", {
            "person_id": pid, "org_id": body,
            "title": text(x.get("reason")) or "politically exposed person",
            "start_date": day(x.get("startDate")), "end_date": day(x.get("endDate"), end=True),
            "missing_info_reason": x.get("missingInfoReason")})

    def _party(self, v: Any) -> tuple[str, str]:
        """(statement id, '') of a party reference, or ('', reason) when unspecified.

        A reference to a statement that is not in the data gets a stub row."""
        if isinstance(v, str):
            ref, person = v, False
        else:
            p = _d(v)
            person = bool(p.get("describedByPersonStatement"))
            ref = text(p.get("describedByPersonStatement") or p.get("describedByEntityStatement"))
            if not ref:
                u = _d(p.get("unspecified")) or p
                return "", text(u.get("reason")) or _("not specified")
        ref = self.idx.current(ref)
        if ref not in self.idx.kind and self.stubs:
            self._stub(ref, person)
        return ref, ""

    def _stub(self, ref: str, person: bool) -> None:
        name = f"(statement {ref} is not in this data)"
        if person:
            self._add("persons", {"person_id": ref, "name": name, "stub": "true"})
        else:
            self._add("organizations", {"org_id": ref, "name": name, "kind": "other",
                                        "stub": "true"})

    def relationship(self, s: dict[str, Any]) -> None:
        d = _details(s)
        subject, _why = self._party(d.get("subject"))
        holder, why = self._party(d.get("interestedParty"))
        if not holder:
            self.rows.set_aside(self.line, self.ptr, "not_convertible",
                                _("the interested party is not described ({why}): a role "
                                  "needs a holder").format(why=why), "(statement)",
                                {"statement": _sid(s)})
            return
        interests = [i for i in _l(d.get("interests")) if isinstance(i, dict)] or [{}]
        groups: dict[tuple[str, str, str], list[tuple[int, dict[str, Any]]]] = {}
        for n, i in enumerate(interests):
            direct = text(i.get("directOrIndirect") or i.get("interestLevel"))
            key = (interest_role(text(i.get("type")), direct), day(i.get("startDate")),
                   day(i.get("endDate"), end=True))
            groups.setdefault(key, []).append((n, i))
        for (role, start, end), items in groups.items():
            self._interests(s, d, subject, holder, role, start, end, items)

    def _interests(self, s: dict[str, Any], d: dict[str, Any], subject: str, holder: str,
                   role: str, start: str, end: str, items: list[tuple[int, dict[str, Any]]]
                   ) -> None:
        """One role row for the interests of a statement that give the same role and dates
        (the layout keeps one record per role and period)."""
        shares = [_d(i.get("share")) for _, i in items if _d(i.get("share"))]
        exact = next((x.get("exact") for x in shares if x.get("exact") is not None), None)
        ranges = [f"{text(x.get('minimum', x.get('exclusiveMinimum')))}-"
                  f"{text(x.get('maximum', x.get('exclusiveMaximum')))}"
                  for x in shares if x.get("exact") is None]
        first = items[0][1]
        self.rows.add("company_roles", self.line, f"{self.ptr}/interests/{items[0][0]}", {
            "company_id": subject, "holder_id": holder, "role": role, "share_pct": exact,
            "start_date": start, "end_date": end,
            "share_range": ranges[0] if exact is None and ranges else "",
            "interest_type": [text(i.get("type")) or "unspecified" for _, i in items],
            "direct_or_indirect": text(first.get("directOrIndirect")
                                       or first.get("interestLevel")),
            "beneficial_ownership_or_control": any(
                i.get("beneficialOwnershipOrControl") is True for _, i in items),
            "via": _l(d.get("componentRecords") or d.get("componentStatementIDs")),
            "statement": _sid(s)})

    def convert(self, s: dict[str, Any], line: int, pointer: str, step: int) -> None:
        self.line, self.ptr = line, pointer
        kind = statement_type(s)
        sid = text(s.get("statementID") or s.get("statementId"))
        if (step == 1) != (kind in ("entity", "person")) or not kind:
            if step == 1 and not kind:
                self.rows.set_aside(line, pointer, "not_convertible",
                                    _("not a BODS statement (no statementType or recordType)"),
                                    "(statement)")
            return
        if sid in self.idx.replaced_by:
            self.rows.set_aside(line, pointer, "superseded",
                                _("statement {old} is replaced by statement {new} of this load")
                                .format(old=sid, new=self.idx.current(sid)), "(statement)",
                                {"statement": sid})
            return
        getattr(self, kind)(s)


def _statements(path: Path, rows: Rows | None, encoding: str | None,
                progress: Progress | None) -> Iterator[tuple[int, str, dict[str, Any]]]:
    def step(done: int, total: int) -> None:
        if progress:
            progress(_("reading {file}").format(file=path.name), done, total)

    first = True
    for item in jsonio.records(path, encoding, array_keys=("statements",), progress=step):
        if item.error:
            if rows is not None:
                rows.set_aside(item.line, item.pointer, "bad_json", item.error, "(statement)")
            continue
        values = item.value if isinstance(item.value, list) else [item.value]
        for n, v in enumerate(values):
            s = _d(v)
            if first and not statement_type(s):
                raise InputError(_("{file}: is not BODS (its first record has no statementType "
                                   "or recordType)").format(file=path),
                                 hint=_("check --format, or the file"))
            first = False
            ptr = item.pointer if len(values) == 1 else f"{item.pointer}/{n}"
            yield max(item.line, 1) if len(values) == 1 else n + 1, ptr, s


def bods_chunks(paths: Sequence[Path], *, encoding: str | None = None,
                progress: Progress | None = None, chunk_rows: int = CHUNK_ROWS,
                stubs: bool = True) -> Iterator[Chunk]:
    """Stream the layout rows of BODS files (three passes over all files)."""
    idx = _Index()
    state: list[_Statements] = []

    def convert(path: Path, rows: Rows, step: int) -> Iterator[None]:
        if not state:
            state.append(_Statements(rows, idx, stubs))
        for line, ptr, s in _statements(path, rows if step == 1 else None, encoding, progress):
            if step == 0:
                idx.add(s)
            else:
                state[0].convert(s, line, ptr, step)
            yield None

    return chunked(paths, convert, chunk_rows, passes=3)


def load_bods(paths: Path | Sequence[Path], store: Store, *, source: str | None = None,
             ignored: Sequence[str] = (), encoding: str | None = None,
              strict: bool = False, progress: Progress | None = None,
              chunk_rows: int = CHUNK_ROWS, stubs: bool = True) -> StandardReport:
    """Load BODS statement files (see the module notes) into ``store``.

    ``stubs``: a relationship naming a statement that is not in the data gets a stub
    entity (or person) for it, named ``(statement ID is not in this data)``, so the
    chain stays whole; without, such relationships are set aside
    (``unknown_reference``).
    """
    files = [paths] if isinstance(paths, Path) else list(paths)

    def chunks() -> Iterator[Chunk]:
        return bods_chunks(files, encoding=encoding, progress=progress, chunk_rows=chunk_rows,
                           stubs=stubs)

    source = source or (str(files[0].resolve()) if len(files) == 1
                        else str(files[0].parent.resolve()))
    return load_tables(chunks, store, source, fmt="bods", strict=strict, ignored=ignored)
