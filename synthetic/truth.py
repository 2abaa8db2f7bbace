"""The ground truth of a generated county, as typed records, and its JSON file.

The file lies beside the data folder (``<folder>.truth.json``) and holds:
``generator_version``, ``seed``, ``scale``, ``rows`` (data rows per table),
``counties``, ``schemes``, ``decoys``, ``networks``, ``brokers``,
``duplicates``, ``namesakes`` and ``bad_rows``. Decoys of the kinds in
:data:`BACKGROUND_KINDS` are the innocent background (look-alikes real data
holds at some rate); :data:`SHIELD_KINDS` lists the shielding and ring schemes.

Examples
--------
>>> import json, tempfile, pathlib
>>> t = Truth(seed=1, scale=0.5, rows={"persons": 2})
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.truth.json"
>>> write_truth(t, p)
>>> read_truth(p) == t
True
>>> sorted(json.loads(p.read_text(encoding="utf-8")))[:4]
['bad_rows', 'brokers', 'counties', 'decoys']
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 2
"""2: shielding schemes, shared-identifier rings and the innocent background."""

#: Look-alikes of the innocent background, by (family, pattern): kinds real data
#: holds at some rate (see :class:`synthetic.background.Rates`), each recorded as
#: a decoy in the category a rule could wrongly flag it in.
BACKGROUND_KINDS: dict[tuple[str, str], str] = {
    ("COI", "kin_firm_elsewhere"): "an official's relative runs a firm that never deals "
                                   "with the official's body",
    ("COL", "small_market"): "3-4 firms are the only bidders of a specialised market and win "
                             "by chance",
    ("COL", "switchboard_phone"): "two firms co-bid whose phone is an agent's switchboard "
                                  "shared by many",
    ("SUB", "agency_account"): "an institution's collective account receives payments for many "
                               "recipients",
    ("UMB", "dropped_no_tie"): "a gang member's or relative's case dropped with no tied official",
    ("UMB", "namesake_party"): "a suspect shares a gang member's name but is another person",
}
#: Planted umbrella and ring kinds looked for by issue 16's rules, by (family, pattern).
SHIELD_KINDS: dict[tuple[str, str], str] = {
    ("UMB", "shield_other_cases"): "an official tied to a gang acts on other cases of its "
                                   "members or their kin, which end favourably",
    ("UMB", "shield_business"): "an official tied to a gang approves awards to a company its "
                                "member or a member's kin controls",
    ("UMB", "outcome_disparity"): "an official's gang-linked cases end favourably far more often "
                                  "than his others; no tie recorded",
    ("COL", "shared_ring"): "3-5 firms linked by shared identifiers co-bid with cover bids just "
                            "above the winner",
}


@dataclass(frozen=True)
class Scheme:
    """A planted pattern a rule must find.

    ``anchor`` lists the source ids a matching finding must include (every
    source id of a duplicated person); ``entities`` every id involved.
    """

    id: str
    family: str
    pattern: str
    variant: str
    categories: tuple[str, ...]
    anchor: tuple[str, ...]
    entities: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Decoy:
    """A look-alike that must not be reported in ``categories``; ``why_not`` says why."""

    id: str
    family: str
    pattern: str
    variant: str
    categories: tuple[str, ...]
    anchor: tuple[str, ...]
    entities: tuple[str, ...]
    description: str
    why_not: str


def is_background(item: Scheme | Decoy) -> bool:
    """Whether a decoy is a look-alike of the innocent background.

    Examples
    --------
    >>> d = Decoy("D0001", "COL", "small_market", "3_firms", ("collusion",), ("O1", "O2", "O3"),
    ...           (), "Three firms meet in every tender.", "a small market")
    >>> is_background(d)
    True
    """
    return isinstance(item, Decoy) and (item.family, item.pattern) in BACKGROUND_KINDS


@dataclass(frozen=True)
class Network:
    """A planted network: ``umbrella_network`` or ``bid_rigging_ring``.

    ``pattern`` names the scheme pattern that planted it (``protector``,
    ``shield_other_cases``, ``shield_business``, ``rotation``, ``shared_ring``;
    empty in truth files of generator version 1).
    """

    id: str
    kind: str
    members: tuple[str, ...]
    pattern: str = ""


@dataclass(frozen=True)
class Duplicate:
    """Person rows that are one person (same id number, written differently)."""

    person_ids: tuple[str, ...]
    id_number: str


@dataclass(frozen=True)
class Namesake:
    """Two different persons with the same name (must stay two nodes)."""

    name: str
    person_ids: tuple[str, ...]


@dataclass(frozen=True)
class BadRow:
    """A row a loader must set aside: file, physical line, reason code, first bad column."""

    file: str
    line: int
    code: str
    column: str


@dataclass(frozen=True)
class County:
    """One county of the run."""

    name: str
    region: str
    fraction: float


@dataclass(frozen=True)
class Truth:
    """Everything the generator planted."""

    seed: int
    scale: float
    rows: dict[str, int] = field(default_factory=dict)
    counties: tuple[County, ...] = ()
    schemes: tuple[Scheme, ...] = ()
    decoys: tuple[Decoy, ...] = ()
    networks: tuple[Network, ...] = ()
    brokers: tuple[str, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    namesakes: tuple[Namesake, ...] = ()
    bad_rows: tuple[BadRow, ...] = ()
    generator_version: int = GENERATOR_VERSION

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (tuples become lists)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = [_plain(v) for v in value]
            elif isinstance(value, dict):
                value = dict(value)
            out[f.name] = value
        return out


_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """A record as a dict of lists and scalars; a scalar as itself."""
    kind = type(value)
    names = _NAMES.get(kind)
    if names is None:
        if not is_dataclass(value):
            return value
        names = _NAMES[kind] = tuple(f.name for f in fields(value))
    out = {}
    for name in names:
        v = getattr(value, name)
        out[name] = list(v) if isinstance(v, tuple) else v
    return out


def _tuples(d: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}


def truth_from_dict(d: dict[str, Any]) -> Truth:
    """Build a :class:`Truth` from its JSON data.

    Examples
    --------
    >>> truth_from_dict({"seed": 3, "scale": 1.0, "generator_version": 1}).generator_version
    1
    """
    return Truth(
        seed=int(d["seed"]), scale=float(d["scale"]),
        rows={str(k): int(v) for k, v in d.get("rows", {}).items()},
        counties=tuple(County(**x) for x in d.get("counties", ())),
        schemes=tuple(Scheme(**_tuples(x)) for x in d.get("schemes", ())),
        decoys=tuple(Decoy(**_tuples(x)) for x in d.get("decoys", ())),
        networks=tuple(Network(**_tuples(x)) for x in d.get("networks", ())),
        brokers=tuple(d.get("brokers", ())),
        duplicates=tuple(Duplicate(**_tuples(x)) for x in d.get("duplicates", ())),
        namesakes=tuple(Namesake(**_tuples(x)) for x in d.get("namesakes", ())),
        bad_rows=tuple(BadRow(**x) for x in d.get("bad_rows", ())),
        generator_version=int(d.get("generator_version", GENERATOR_VERSION)),
    )


def read_truth(path: Path) -> Truth:
    """Read a ground-truth JSON file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.json"
    >>> _ = p.write_text('{"seed": 0, "scale": 1, "brokers": ["P1"]}', encoding="utf-8")
    >>> read_truth(p).brokers
    ('P1',)
    """
    return truth_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def write_truth(truth: Truth, path: Path) -> None:
    """Write the ground truth as UTF-8 JSON (not ASCII-escaped, indent 1).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.json"
    >>> write_truth(Truth(seed=0, scale=1.0, brokers=("张三",)), p)
    >>> '"张三"' in p.read_text(encoding="utf-8")
    True
    """
    text = json.dumps(truth.to_dict(), ensure_ascii=False, indent=1)
    Path(path).write_text(text + "\n", encoding="utf-8")
