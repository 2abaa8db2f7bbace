"""Check the stored leads against confirmed cases: precision at k, recall per category, ranks.

An office that closed cases knows which people, companies and cases were confirmed.
Given them as a *truth file* (CSV or .xlsx; columns ``id`` and ``label``, optionally
``category`` and ``group``), :func:`evaluate` measures how the leads of the last
scan, ranked as ``scan`` ranks them (score, then rule, then finding id), would have
led there:

- **precision at k**: the share of the top k leads that touch a confirmed item;
- **recall per category**: the share of confirmed items of a category that at least
  one finding *of that category* finds (an item without a category: any finding);
- **rank of each item**: the rank of its best-ranked finding of its category (or not
  found), and the rank of the first lead of any category that touches it;
- **false leads**: the best-ranked leads that touch no confirmed item, to review.

What a finding touches
    By default its *entities*: the people, companies, contracts and cases it is
    about (its ``keys``, every input id of each). With ``match="evidence"``, also
    every node on its evidence paths. Entities are the default because evidence
    paths pass through shared intermediaries (a public body, a relative, a busy
    company), and counting them would credit a lead that merely passes by a
    confirmed item.

Items and groups
    A row without ``group`` is one item: found when a finding touches its entity.
    Rows sharing a ``group`` (and a category) are one item, a confirmed scheme or
    network: found when *one* finding touches every member, as a scheme is found
    when a lead names all who take part in it.

Ids are the input ids ``umbrella show`` accepts (a merged duplicate's every id
names the same entity; an entity key is accepted too). A row is never dropped
silently: rows read = rows used + rows set aside, each set-aside row with its file,
line, column, reason and how to fix it (an unknown or ambiguous id, a blank id, an
unknown category, a row that does not split into the header's fields).

Examples
--------
>>> leads = [{"id": "F-1", "rule": "COI-001", "category": "conflict_of_interest",
...           "score": 0.9, "keys": ["p:1", "o:1"]},
...          {"id": "F-2", "rule": "COL-001", "category": "collusion", "score": 0.8,
...           "keys": ["o:7", "o:8"]},
...          {"id": "F-3", "rule": "COL-001", "category": "collusion", "score": 0.5,
...           "keys": ["o:8", "o:9"]}]
>>> items = [Item("conflict_of_interest", "P1", "closed 2021", ("P1",), ("p:1",)),
...          Item("collusion", "ring A", "", ("C8", "C9"), ("o:8", "o:9"))]
>>> result = evaluate(leads, items, ks=(1, 2))
>>> [(p.k, p.hits, p.precision) for p in result.precision]
[(1, 1, 1.0), (2, 2, 1.0)]
>>> [(r.category, r.found, r.items) for r in result.recall]
[('collusion', 1, 1), ('conflict_of_interest', 1, 1)]
>>> [(i.item.name, i.rank, i.first_touch) for i in result.items]
[('P1', 1, 1), ('ring A', 3, 2)]
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import AmbiguousIdError, InputError, UmbrellaError
from graph.store import StoreView
from lang import _
from queries.findings import CATEGORIES

#: The columns a truth file must have, and those it may have.
REQUIRED = ("id", "label")
OPTIONAL = ("category", "group")
#: The ``k`` of precision at k, unless asked otherwise.
DEFAULT_KS = (10, 20, 50)
#: What a finding touches: its entities, or its entities and its evidence nodes.
MATCHES = ("entities", "evidence")
#: The category of an item that names none: found by a finding of any category.
ANY = "any"


@dataclass(frozen=True)
class TruthRow:
    """One used row of a truth file: the id as written, the entity key it names."""

    line: int
    id: str
    key: str
    label: str
    category: str
    group: str


@dataclass(frozen=True)
class SetAsideRow:
    """A truth-file row not used: where, which column, why (a code) and what to do."""

    file: str
    line: int
    column: str
    reason: str
    message: str


@dataclass
class TruthFile:
    """A truth file as read: ``read`` rows = ``rows`` used + ``set_aside``."""

    path: Path
    encoding: str
    rows: list[TruthRow] = field(default_factory=list)
    set_aside: list[SetAsideRow] = field(default_factory=list)

    @property
    def read(self) -> int:
        """Data rows read (the header not counted)."""
        return len(self.rows) + len(self.set_aside)


@dataclass(frozen=True)
class Item:
    """A confirmed item: one entity, or a group (a scheme, a network) under a category.

    ``name`` is the group's name, or the id of a lone entity; ``ids`` the input ids as
    the truth file wrote them; ``keys`` the entities they name.
    """

    category: str
    name: str
    label: str
    ids: tuple[str, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True)
class PrecisionAtK:
    """The top ``k`` leads (``leads`` of them when fewer exist), ``hits`` touching a
    confirmed item."""

    k: int
    leads: int
    hits: int

    @property
    def precision(self) -> float | None:
        """hits / leads (None when there is no lead)."""
        return self.hits / self.leads if self.leads else None


@dataclass(frozen=True)
class Recall:
    """Items of a category, how many one of its findings found, and their ranks."""

    category: str
    items: int
    found: int
    ranks: tuple[int, ...]
    #: findings of the category among the leads (0: was the category scanned?)
    leads: int

    @property
    def recall(self) -> float | None:
        """found / items."""
        return self.found / self.items if self.items else None

    @property
    def median_rank(self) -> float | None:
        """The median rank of the found items (None when none was found)."""
        return statistics.median(self.ranks) if self.ranks else None


@dataclass(frozen=True)
class ItemRank:
    """Where an item stands among the leads: ``rank`` of its best finding of its category
    (``finding`` its id; None: not found), ``first_touch`` the rank of the first lead of
    any category that touches one of its entities (None: no lead touches it)."""

    item: Item
    rank: int | None
    finding: dict[str, Any] | None
    first_touch: int | None


@dataclass
class Evaluation:
    """What :func:`evaluate` measured on ``leads`` findings."""

    leads: int
    match: str
    precision: list[PrecisionAtK]
    recall: list[Recall]
    items: list[ItemRank]
    #: (rank, finding) of the best-ranked leads touching no confirmed item
    false_leads: list[tuple[int, dict[str, Any]]]
    #: leads in the top max(k) touching no confirmed item (``false_leads`` lists the first)
    false_in_top: int = 0


def ranked(findings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings in the order ``scan`` lists them: score, highest first, then rule and id.

    Examples
    --------
    >>> [f["id"] for f in ranked([{"id": "F-b", "rule": "A", "score": 0.5},
    ...                           {"id": "F-a", "rule": "B", "score": 0.5},
    ...                           {"id": "F-c", "rule": "C", "score": 0.9}])]
    ['F-c', 'F-b', 'F-a']
    """
    return sorted(findings, key=lambda f: (-float(f["score"]), str(f["rule"]), str(f["id"])))


def touched(finding: dict[str, Any], match: str = "entities") -> set[str]:
    """The entity keys a finding touches: its entities (``keys``), and with
    ``match="evidence"`` every node of its evidence paths too.

    Examples
    --------
    >>> f = {"keys": ["p:1"], "evidence": [{"path": [{"node": "person", "key": "p:1"},
    ...      {"rel": "KIN", "id": "r:1"}, {"node": "person", "key": "p:2"}]}]}
    >>> sorted(touched(f)), sorted(touched(f, "evidence"))
    (['p:1'], ['p:1', 'p:2'])
    """
    keys = {str(k) for k in finding.get("keys", [])}
    if match == "evidence":
        keys |= {str(step["key"]) for path in finding.get("evidence", [])
                 for step in path.get("path", []) if "node" in step and "key" in step}
    return keys


def items_of(rows: Sequence[TruthRow]) -> list[Item]:
    """The items of a truth file's rows: one per (category, group), one per (category,
    entity) for rows without a group; in the order the file first names them.

    Examples
    --------
    >>> rows = [TruthRow(2, "P1", "p:1", "ring", "collusion", "G1"),
    ...         TruthRow(3, "P2", "p:2", "", "collusion", "G1"),
    ...         TruthRow(4, "P1b", "p:1", "case 7", "", "")]
    >>> [(i.category, i.name, i.label, i.keys) for i in items_of(rows)]
    [('collusion', 'G1', 'ring', ('p:1', 'p:2')), ('any', 'P1b', 'case 7', ('p:1',))]
    """
    grouped: dict[tuple[str, str], list[TruthRow]] = {}
    for row in rows:
        category = row.category or ANY
        name = f"g:{row.group}" if row.group else f"e:{row.key}"
        grouped.setdefault((category, name), []).append(row)
    out = []
    for (category, _name), members in grouped.items():
        first = members[0]
        label = next((m.label for m in members if m.label), "")
        out.append(Item(category, first.group or first.id, label,
                        tuple(dict.fromkeys(m.id for m in members)),
                        tuple(dict.fromkeys(m.key for m in members))))
    return out


def evaluate(findings: Sequence[dict[str, Any]], items: Sequence[Item],
             ks: Sequence[int] = DEFAULT_KS, match: str = "entities",
             false_leads: int = 10) -> Evaluation:
    """Measure the leads ``findings`` (ranked as :func:`ranked` says) against ``items``.

    A lead is a hit when it touches (:func:`touched`) an entity of any item. An item is
    found by a finding of its category (any category for :data:`ANY`) that touches all
    of its entities; its rank is that finding's, the best one. ``false_leads``: how many
    of the best-ranked leads touching nothing confirmed are listed (among the top
    max(``ks``)).

    Examples
    --------
    >>> leads = [{"id": "F-1", "rule": "R", "category": "collusion", "score": 0.9,
    ...           "keys": ["o:1"]},
    ...          {"id": "F-2", "rule": "R", "category": "collusion", "score": 0.4,
    ...           "keys": ["o:2", "o:3"]}]
    >>> items = [Item("collusion", "G", "", ("C2", "C3"), ("o:2", "o:3")),
    ...          Item("umbrella", "P9", "", ("P9",), ("p:9",))]
    >>> e = evaluate(leads, items, ks=(1, 5))
    >>> [(p.k, p.leads, p.hits) for p in e.precision]
    [(1, 1, 0), (5, 2, 1)]
    >>> [(r.category, r.found, r.items, r.leads) for r in e.recall]
    [('collusion', 1, 1, 2), ('umbrella', 0, 1, 0)]
    >>> [(rank, f["id"]) for rank, f in e.false_leads], e.false_in_top
    ([(1, 'F-1')], 1)
    """
    if match not in MATCHES:
        raise ValueError(f"match must be one of {MATCHES}, not {match!r}")
    if not ks or any(k < 1 for k in ks):
        raise ValueError(f"every k must be at least 1, not {list(ks)!r}")
    leads = ranked(findings)
    touches = [touched(f, match) for f in leads]
    confirmed = {k for item in items for k in item.keys}
    hit = [bool(t & confirmed) for t in touches]
    ks = sorted(set(ks))
    precision = [PrecisionAtK(k, min(k, len(leads)), sum(hit[:k])) for k in ks]
    top = ks[-1]
    misses = [(i + 1, f) for i, f in enumerate(leads[:top]) if not hit[i]]
    ranks = [_rank(item, leads, touches) for item in items]
    by_category: dict[str, list[ItemRank]] = {}
    for r in ranks:
        by_category.setdefault(r.item.category, []).append(r)
    recall = [Recall(c, len(rs), sum(r.rank is not None for r in rs),
                     tuple(r.rank for r in rs if r.rank is not None),
                     len(leads) if c == ANY else sum(f["category"] == c for f in leads))
              for c, rs in sorted(by_category.items())]
    return Evaluation(len(leads), match, precision, recall, ranks, misses[:false_leads],
                      len(misses))


def _rank(item: Item, leads: Sequence[dict[str, Any]], touches: Sequence[set[str]]
          ) -> ItemRank:
    wanted = set(item.keys)
    rank = finding = first = None
    for i, (f, keys) in enumerate(zip(leads, touches, strict=True)):
        if first is None and keys & wanted:
            first = i + 1
        if (item.category in (ANY, f["category"])) and wanted <= keys:
            rank, finding = i + 1, f
            break
    return ItemRank(item, rank, finding, first)


def stored_leads(view: StoreView, where: str) -> list[dict[str, Any]]:
    """The findings the last scan stored, ranked; refused when there are none.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "e.db")
    >>> stored_leads(store.view(), "e.db")
    Traceback (most recent call last):
    ...
    graph.errors.UmbrellaError: e.db: no stored findings to evaluate
    >>> store.close()
    """
    findings = view.findings()
    if not findings:
        raise UmbrellaError(_("{db}: no stored findings to evaluate").format(db=where),
                            hint=_("run the rules first: umbrella scan --db {db}").format(
                                db=where))
    return ranked(findings)


def truth_from_rows(view: StoreView, path: Path, header: Sequence[str],
                    rows: Iterable[tuple[int, Mapping[str, str]]],
                    set_aside: Iterable[SetAsideRow] = (), encoding: str = "") -> TruthFile:
    """A truth file's rows, as read (``(line, {column: text})``; the header's column
    names; ``set_aside``: rows the reader could not split), with each row's entity named.

    The file is refused as a whole (:class:`~graph.errors.InputError`: file, line, hint)
    when it lacks a column of :data:`REQUIRED` or has no usable row; a bad row is set
    aside with its line, column and reason, never dropped. Reading the file itself (CSV
    or .xlsx, its encoding and limits) is the shell's: :func:`umbrella.evaluate_cmd.
    read_truth_file`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import EntityRecord, open_store
    >>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "t.db")
    >>> with store.writer() as w:
    ...     w.put_entities([EntityRecord("p:1", "person", "张伟", {})])
    >>> header = ["id", "label", "category"]
    >>> rows = [(2, {"id": "p:1", "label": "closed case", "category": "umbrella"}),
    ...         (3, {"id": "", "label": "x", "category": ""}),
    ...         (4, {"id": "P404", "label": "y", "category": ""}),
    ...         (5, {"id": "p:1", "label": "z", "category": "smuggling"})]
    >>> t = truth_from_rows(store.view(), pathlib.Path("truth.csv"), header, rows)
    >>> t.read, [(r.line, r.key, r.category) for r in t.rows]
    (4, [(2, 'p:1', 'umbrella')])
    >>> [(s.line, s.column, s.reason) for s in t.set_aside]
    [(3, 'id', 'blank_id'), (4, 'id', 'unknown_id'), (5, 'category', 'unknown_category')]
    >>> truth_from_rows(store.view(), pathlib.Path("truth.csv"), ["id", "name"], [])
    Traceback (most recent call last):
    ...
    graph.errors.InputError: truth.csv: line 1: no column label (columns: id, name)
    >>> store.close()
    """
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(_("{file}: line 1: no column {column} (columns: {columns})").format(
            file=path, column=missing[0], columns=", ".join(header)),
            hint=_("a truth file has the columns id and label, and may have category and "
                   "group (a header row: id,label,category,group)"))
    out = TruthFile(path, encoding, set_aside=list(set_aside))
    for line, cells in rows:
        texts = {c: str(cells.get(c) or "").strip() for c in (*REQUIRED, *OPTIONAL)}
        row = _truth_row(view, path.name, line, texts)
        if isinstance(row, SetAsideRow):
            out.set_aside.append(row)
        else:
            out.rows.append(row)
    out.set_aside.sort(key=lambda s: s.line)
    if not out.rows:
        first = out.set_aside[0] if out.set_aside else None
        raise InputError(
            _("{file}: no usable row ({n} rows read); line {line}, column {column}: "
              "{message}").format(file=path, n=out.read, line=first.line, column=first.column,
                                  message=first.message) if first else
            _("{file}: no row below the header").format(file=path),
            hint=_("write one confirmed id per row, as the input files name it (as "
                   "umbrella show accepts it)"))
    return out


def category_code(text: str) -> str | None:
    """A category as a truth file writes it: its code (any case), :data:`ANY`, or its word
    in an interface language; ``""`` when blank, None when it names no category.

    Examples
    --------
    >>> category_code("Umbrella"), category_code("保护伞"), category_code(""), category_code("x")
    ('umbrella', 'umbrella', '', None)
    """
    from lang import LANGUAGES
    from lang.message import word_in

    text = text.strip()
    if not text or text.lower() in (*CATEGORIES, ANY):
        return text.lower()
    return next((code for code in CATEGORIES
                 if any(word_in("category", code, lang) == text for lang in LANGUAGES)), None)


def _truth_row(view: StoreView, file: str, line: int, cells: dict[str, str]
               ) -> TruthRow | SetAsideRow:
    """A row's entity, or why the row is set aside."""
    sid, category = cells["id"], category_code(cells["category"])
    if not sid:
        return SetAsideRow(file, line, "id", "blank_id", _(
            "the id is blank; write the input id of a confirmed person, company, contract "
            "or case"))
    if category is None:
        return SetAsideRow(file, line, "category", "unknown_category", _(
            "unknown category {category}; use one of {categories}, or leave it blank (any "
            "category)").format(category=cells["category"], categories=", ".join(CATEGORIES)))
    try:
        key = view.resolve(sid)
    except AmbiguousIdError as err:
        return SetAsideRow(file, line, "id", "ambiguous_id",
                           f"{err.message}; {err.hint}" if err.hint else err.message)
    if key is None and view.get(sid) is not None:
        key = sid
    if key is None:
        return SetAsideRow(file, line, "id", "unknown_id", _(
            "no entity has the id {id} in this database; check it against the input files "
            "(umbrella show ID finds an entity by its id), or delete the row").format(id=sid))
    return TruthRow(line, sid, key, cells["label"], "" if category == ANY else category,
                    cells["group"])
