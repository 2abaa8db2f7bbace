"""Real covert-network data sets into a store, so the rules run on them unchanged.

The project's shared data folder holds two networks from the UCINET "covert
networks" collection (converted to CSV from SNAnalyst/DF): ``czech_corruption``
and ``slumlords``. They are edge lists, not the data layout, so this module
maps them onto the schema, keeping every record's source file and line and
saying what it could not map:

- **czech_corruption**: 16 people. ``Czech_corruption.nodes.csv`` gives the
  persons; ``Czech_corruption.roles_from_doc.csv`` the role group the dataset
  documentation gives each; ``Czech_corruption.edges.csv`` co-appearances in
  press articles (weight 0-10), loaded as known associations (``ASSOCIATE``,
  the weight kept as the property ``weight``, which the community and broker
  projections multiply into the tie's strength). The documented public roles
  become posts:
  the prime minister and his office chief at the Office of the Prime Minister,
  the deputies in the Chamber of Deputies (ODS), the "high government
  officials / espionage agents" in the state administration and intelligence
  services (each a body of kind ``agency``). The "eminences grises /
  godfathers" hold no post.
- **slumlords**: 13 people and 9 firms (LLCs holding the buildings, a mortgage
  company, three restaurants). ``Slumlords__1`` (person by business,
  "affiliations/ownership") becomes company roles (``shareholder``: the source
  names no finer role) and ``Slumlords__3`` (family ties among the 13 people)
  kin ties whose relation the source does not state (``KIN`` without a
  ``relation``). ``Slumlords__2``, ``__4`` and ``__5`` are subsets or
  projections of those two and are checked, not loaded; ``Slumlords__0`` and
  ``__6`` hold firm-to-firm ties (real-estate transactions between the LLCs,
  and links among the LLCs, the mortgage company and the restaurants) for
  which the data layout has no relationship type, and are left out.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "Czech_corruption.nodes.csv").write_text("idx,name\\n0,A_B\\n1,C_D\\n")
>>> _ = (d / "Czech_corruption.edges.csv").write_text("source,target,weight\\nA_B,C_D,3.0\\n")
>>> _ = (d / "Czech_corruption.roles_from_doc.csv").write_text(
...     "name,role_group_per_dataset_doc\\nA_B,ODS deputy\\n")
>>> store = open_store(d / "n.db")
>>> load_network(d, store).relations
{'ASSOCIATE': 1, 'HOLDS_POST': 1}
>>> store.view().get("p:s:A_B").name
'A B'
>>> store.close()
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InputError
from graph.schema import entity_key
from graph.store import AliasRecord, EntityRecord, RelationRecord, Store
from graph.store.model import relation_id
from lang import _

#: Role group of the Czech dataset documentation -> the body where that post is held.
CZECH_BODIES = {
    "PM office chief (and partner of PM)": "Office of the Prime Minister",
    "former prime minister": "Office of the Prime Minister",
    "ODS deputy": "Chamber of Deputies (ODS)",
    "high government official / espionage agent":
        "State administration and intelligence services",
}


@dataclass
class NetworkLoad:
    """What was loaded from a network folder, and what was not and why."""

    name: str
    persons: int = 0
    organizations: int = 0
    relations: dict[str, int] = field(default_factory=dict)
    loaded_files: list[str] = field(default_factory=list)
    skipped_files: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (for the load log)."""
        return {"name": self.name, "persons": self.persons,
                "organizations": self.organizations, "relations": dict(self.relations),
                "loaded_files": list(self.loaded_files),
                "skipped_files": dict(self.skipped_files)}


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Data rows with their physical line numbers (header = line 1)."""
    if not path.exists():
        raise InputError(_("{file}: missing").format(file=path),
                         hint=_("the network folder is incomplete"))
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [(i + 2, row) for i, row in enumerate(csv.DictReader(fh))]


def _edges(path: Path) -> set[frozenset[str]]:
    return {frozenset((r["source"], r["target"])) for _, r in _rows(path)
            if r["source"] != r["target"]}


def person_key(name: str) -> str:
    """Key of a person named by a network file (no identity number: the row id)."""
    return entity_key("person", "s:" + name)


def org_key(name: str) -> str:
    """Key of an organization named by a network file."""
    return entity_key("organization", "s:" + name)


class _Batch:
    def __init__(self) -> None:
        self.entities: dict[str, EntityRecord] = {}
        self.aliases: list[AliasRecord] = []
        self.relations: list[RelationRecord] = []

    def entity(self, key: str, kind: str, sid: str, props: dict[str, Any], file: Path,
               line: int, name: str = "") -> None:
        """An entity (once) and its source id ``sid`` (once per id), defined at file:line."""
        if key not in self.entities:
            self.entities[key] = EntityRecord(key, kind, name or sid.replace("_", " "), props)
        table = "persons" if kind == "person" else "organizations"
        if not any(a.key == key and a.source_id == sid for a in self.aliases):
            self.aliases.append(AliasRecord(table, sid, key, str(file), line))

    def relation(self, type_: str, src: str, dst: str, props: dict[str, Any], file: Path,
                 line: int, *identity: object) -> None:
        rid = relation_id(type_, src, dst, None, None, *identity)
        self.relations.append(RelationRecord(rid, type_, src, dst, None, None, props,
                                             str(file), line))

    def write(self, store: Store, report: NetworkLoad, source: Path) -> NetworkLoad:
        report.persons = sum(e.kind == "person" for e in self.entities.values())
        report.organizations = sum(e.kind == "organization" for e in self.entities.values())
        counts: dict[str, set[str]] = {}
        for r in self.relations:
            counts.setdefault(r.type, set()).add(r.id)
        report.relations = {t: len(ids) for t, ids in sorted(counts.items())}
        with store.writer() as w:
            w.put_entities(self.entities.values())
            w.put_aliases(self.aliases)
            w.put_relations(self.relations)
            w.log_load(str(source), report.as_dict())
        return report


def load_czech_corruption(folder: Path, store: Store) -> NetworkLoad:
    """Load the Czech corruption network (see the module text for the mapping)."""
    nodes = folder / "Czech_corruption.nodes.csv"
    edges = folder / "Czech_corruption.edges.csv"
    roles = folder / "Czech_corruption.roles_from_doc.csv"
    b = _Batch()
    report = NetworkLoad("czech_corruption")
    role_of = {r["name"]: (line, r["role_group_per_dataset_doc"]) for line, r in _rows(roles)}
    for line, r in _rows(nodes):
        name = r["name"]
        props = {"role_group_per_dataset_doc": role_of[name][1]} if name in role_of else {}
        b.entity(person_key(name), "person", name, props, nodes, line)
    for name, (line, group) in sorted(role_of.items(), key=lambda x: x[1][0]):
        body = CZECH_BODIES.get(group)
        if body is None:
            continue
        # the body is named after the role group that puts people in it: its source ids
        # are the role groups as written in the documentation file
        b.entity(org_key(body), "organization", group, {"kind": "agency"}, roles, line,
                 name=body)
        b.relation("HOLDS_POST", person_key(name), org_key(body), {"title": group}, roles, line,
                   group)
    for line, r in _rows(edges):
        a, c = sorted((person_key(r["source"]), person_key(r["target"])))
        b.relation("ASSOCIATE", a, c, {"weight": float(r["weight"]),
                                       "tie": "co-appearance in press articles"}, edges, line)
    report.loaded_files = [p.name for p in (nodes, roles, edges)]
    return b.write(store, report, folder)


def load_slumlords(folder: Path, store: Store) -> NetworkLoad:
    """Load the slumlords network (see the module text for the mapping)."""
    f = {i: (folder / f"Slumlords__{i}.nodes.csv", folder / f"Slumlords__{i}.edges.csv")
         for i in range(7)}
    b = _Batch()
    report = NetworkLoad("slumlords")
    nodes1, edges1 = f[1]
    firm: dict[str, bool] = {}
    for line, r in _rows(nodes1):
        is_firm = r["type"].strip().lower() == "true"
        firm[r["name"]] = is_firm
        if is_firm:
            b.entity(org_key(r["name"]), "organization", r["name"], {"kind": "company"}, nodes1,
                     line)
        else:
            b.entity(person_key(r["name"]), "person", r["name"], {}, nodes1, line)
    roles: set[frozenset[str]] = set()
    for line, r in _rows(edges1):
        company, holder = (r["source"], r["target"]) if firm[r["source"]] else (
            r["target"], r["source"])
        roles.add(frozenset((company, holder)))
        b.relation("COMPANY_ROLE", person_key(holder), org_key(company),
                   {"role": "shareholder",
                    "tie": "business affiliation/ownership (role not stated in the source)"},
                   edges1, line, "shareholder")
    nodes3, edges3 = f[3]
    for line, r in _rows(nodes3):
        b.entity(person_key(r["name"]), "person", r["name"], {}, nodes3, line)
    family = _edges(edges3)
    for line, r in _rows(edges3):
        if r["source"] == r["target"]:
            continue
        a, c = sorted((person_key(r["source"]), person_key(r["target"])))
        b.relation("KIN", a, c, {"tie": "family tie (relation not stated in the source)"},
                   edges3, line, "")
    report.loaded_files = [p.name for p in (nodes1, edges1, nodes3, edges3)]
    checks = {2: (family, "family ties among the 11 owners: a subset of Slumlords__3"),
              4: (roles, "owners by LLC: a subset of Slumlords__1"),
              5: (_coowners(roles, firm), "owners sharing an LLC: derived from Slumlords__1")}
    for i, (superset, why) in checks.items():
        if f[i][1].exists():
            extra = _edges(f[i][1]) - superset
            report.skipped_files[f[i][1].name] = why if not extra else (
                f"{why}, except {len(extra)} ties")
    for i in (0, 6):
        if f[i][1].exists():
            report.skipped_files[f[i][1].name] = (
                "firm-to-firm ties (real-estate transactions, links among the firms): the "
                "data layout has no relationship type for them")
    return b.write(store, report, folder)


def _coowners(roles: set[frozenset[str]], firm: dict[str, bool]) -> set[frozenset[str]]:
    holders: dict[str, set[str]] = {}
    for pair in roles:
        company = next(x for x in pair if firm.get(x))
        holder = next(x for x in pair if not firm.get(x))
        holders.setdefault(company, set()).add(holder)
    return {frozenset((a, c)) for hs in holders.values() for a in hs for c in hs if a != c}


def load_network(folder: Path, store: Store) -> NetworkLoad:
    """Load a network folder of the shared data (picked by its file names)."""
    folder = Path(folder)
    if (folder / "Czech_corruption.nodes.csv").exists():
        return load_czech_corruption(folder, store)
    if (folder / "Slumlords__1.nodes.csv").exists():
        return load_slumlords(folder, store)
    raise InputError(_("{folder}: not a known network folder").format(folder=folder),
                     hint=_("expected czech_corruption or slumlords from the shared data"))
