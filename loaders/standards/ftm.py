"""FollowTheMoney in: FtM entities (JSON lines or a JSON array) → layout tables.

Entities are read with the ``followthemoney`` model (schemata, property types,
inheritance: a ``Company`` is a ``LegalEntity``), in three streaming passes over
the file: an index of what edges need to know about their ends (which ids are
persons or organizations, addresses, posts, awards, approvers), then the things
(persons, organizations), then everything that refers to them. FtM ids are kept
as the source ids (or, for entities written by :mod:`exports.ftm`, the
original input ids carried in the ``umbrella`` extension).

========================  ====================================================
FtM                       layout
========================  ====================================================
Person                    persons (caption as name; ``idNumber`` as id_number
                          only when it has the 18-character PRC form)
Company, Organization,    organizations, kind company / other / agency;
PublicBody, LegalEntity   ``uscCode`` is the credit code; ``parent`` the parent
Occupancy + Position      positions (a Position without an organization stands
                          for its own body: an ``agency`` named after the post)
Directorship, Employment, company_roles (role from the title words, see
Membership                :mod:`loaders.standards.words`; Directorship default
                          ``director``); at a PublicBody: positions
Ownership                 company_roles shareholder (``beneficial`` in the type
                          or role: beneficial_owner), percentage as share_pct
Family, Associate         relationships (relation from the ``relationship``
                          words; a tie that names no particular kin, such as
                          "Family member of", becomes ``relative``: kin
                          not stated, no degree guessed)
Contract + ContractAward  contracts (authority = buyer, award supplier, amount,
                          date; several suppliers: one contract per award too)
Payment                   payments (payer as ``payer_org_id`` or, for a person
                          such as a donor, ``payer_person_id``)
CourtCase, CourtCaseParty cases and case_roles (kind, outcome and role from words)
Sanction                  a case of kind ``other``, outcome ``sanctioned``, with
                          the sanctioned entity as ``suspect`` (``stated_role``
                          ``sanctioned``): the layout has no sanction table; the
                          Sanction itself is kept (``ftm``) and exported back
UnknownLink               role ``approver``: the approver of a contract; role
                          ``bid``: a bid (written so by :mod:`exports.ftm`)
Address, BankAccount,     folded into the entities that use them
Identification, Passport
others (Vessel, Note...)  set aside as ``not_convertible``
========================  ====================================================

Partial dates (``2005-09``) of ties widen to the whole period; a partial birth
date is kept as ``birth_date_text``. Amounts keep their currency in ``currency``.

**What was read is kept.** The first row an entity makes carries the entity as
read in the property ``ftm`` (JSON: id, schema and every property with its values
as written, ``sharesCount``, ``legalForm``, ``innCode``, ``topics``... included),
the entities that make no row of their own near it (an Address, a Passport, a
ContractAward, a Position) in ``ftm_folded``, and a further row of the same
entity (the sanctioned party of a Sanction) names it in ``ftm_part_of``.
:mod:`exports.ftm` writes those entities back as read, so load, ``export ftm``
and load again give the same entities with the same properties.

Examples
--------
>>> import tempfile
>>> from graph.store import open_store
>>> d = Path(tempfile.mkdtemp())
>>> _ = (d / "e.ftm.json").write_text(
...     '{"id": "p1", "schema": "Person", "properties": {"name": ["Ann"]}}\\n'
...     '{"id": "c1", "schema": "Company", "properties": {"name": ["Acme"]}}\\n'
...     '{"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], '
...     '"asset": ["c1"], "percentage": ["40"]}}\\n', encoding="utf-8")
>>> store = open_store(d / "case.db")
>>> r = load_ftm(d / "e.ftm.json", store)
>>> r.read, r.loaded, store.view().counts_by_type()
(3, 3, {'COMPANY_ROLE': 1})
>>> store.close()
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy

from graph.store import Store
from lang import _
from loaders.chunk import Chunk
from loaders.pipeline import load_tables
from loaders.report import Progress, StandardReport
from loaders.standards import jsonio
from loaders.standards.files import CHUNK_ROWS, chunked
from loaders.standards.ftm_rows import UMBRELLA, Converter, FtmIndex
from loaders.standards.rows import Rows

#: Relation given to a family tie whose words name no particular kin: a relative of no
#: stated kin and no guessed degree (never ``in_law``, a fact nobody stated).
UNSPECIFIED_FAMILY = "relative"
_THINGS = ("Person", "LegalEntity", "Position")


def _schema_name(value: Any) -> str:
    return str(value.get("schema", "")) if isinstance(value, dict) else ""


def _proxies(path: Path, rows: Rows | None, encoding: str | None, progress: Progress | None,
             want: Callable[[str], bool]) -> Iterator[tuple[int, str, EntityProxy]]:
    """(line, pointer, proxy) of every entity whose schema ``want`` accepts; bad records
    are set aside in ``rows`` (when given).

    Values are taken as written (``cleaned=True``): the layout's validation judges
    them, and sets a row aside rather than dropping a value it cannot read."""
    def step(done: int, total: int) -> None:
        if progress:
            progress(_("reading {file}").format(file=path.name), done, total)

    for item in jsonio.records(path, encoding, array_keys=("entities",), progress=step):
        line = max(item.line, 1)
        if item.error:
            if rows is not None:
                rows.set_aside(line, item.pointer, "bad_json", item.error, "(entity)")
            continue
        name = _schema_name(item.value)
        if name and model.get(name) is not None and not want(name):
            continue
        try:
            proxy = model.get_proxy(item.value, cleaned=True)
        except (InvalidData, TypeError, AttributeError, KeyError, ValueError) as exc:
            if rows is not None:
                rows.set_aside(line, item.pointer, "not_convertible",
                               _("not a FollowTheMoney entity ({error})").format(error=exc),
                               "(entity)")
            continue
        yield line, item.pointer, proxy


def _is_thing(schema: str) -> bool:
    s = model.get(schema)
    return s is not None and any(s.is_a(x) for x in _THINGS)


def _thing(proxy: EntityProxy) -> bool:
    return _is_thing(proxy.schema.name)


def ftm_chunks(paths: Sequence[Path], *, encoding: str | None = None,
               progress: Progress | None = None, chunk_rows: int = CHUNK_ROWS,
               unspecified_family: str = UNSPECIFIED_FAMILY,
               folded: Counter[str] | None = None) -> Iterator[Chunk]:
    """Stream the layout rows of FtM files: three passes over all files (index, things,
    ties), so an entity may refer to one in another file."""
    idx = FtmIndex()
    conv: list[Converter] = []

    def convert(path: Path, rows: Rows, step: int) -> Iterator[None]:
        if not conv:
            conv.append(Converter(rows, idx, unspecified_family))
        things = step == 1

        def want(schema: str) -> bool:
            return step == 0 or _is_thing(schema) == things

        for line, pointer, proxy in _proxies(path, rows if things else None, encoding,
                                             progress, want):
            if step == 0:
                idx.add(proxy)
            elif _thing(proxy) == things:
                conv[0].convert(proxy, line, pointer)
            yield None
        if step == 2 and folded is not None and path == paths[-1]:
            folded.update(idx.folded)

    return chunked(paths, convert, chunk_rows, passes=3)


def load_ftm(paths: Path | Sequence[Path], store: Store, *, source: str | None = None,
             ignored: Sequence[str] = (), encoding: str | None = None,
             strict: bool = False, progress: Progress | None = None,
             unspecified_family: str = UNSPECIFIED_FAMILY,
             chunk_rows: int = CHUNK_ROWS) -> StandardReport:
    """Load FollowTheMoney entity files (see the module notes) into ``store``."""
    files = [paths] if isinstance(paths, Path) else list(paths)
    folded: Counter[str] = Counter()

    def chunks() -> Iterator[Chunk]:
        folded.clear()
        return ftm_chunks(files, encoding=encoding, progress=progress, chunk_rows=chunk_rows,
                          unspecified_family=unspecified_family, folded=folded)

    source = source or (str(files[0].resolve()) if len(files) == 1
                        else str(files[0].parent.resolve()))
    report = load_tables(chunks, store, source, fmt="ftm", strict=strict, ignored=ignored)
    report.notes += [_("{n} {schema} entities folded into the entities that use them").format(
        n=n, schema=schema) for schema, n in sorted(folded.items())]
    return report


def umbrella_extension(data: dict[str, Any]) -> dict[str, Any]:
    """The ``umbrella`` extension of an FtM entity dict ({} when absent).

    Examples
    --------
    >>> umbrella_extension({"id": "x", "umbrella": {"kind": "agency"}})
    {'kind': 'agency'}
    """
    ext = data.get(UMBRELLA)
    return ext if isinstance(ext, dict) else {}
