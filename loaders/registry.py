"""Identity resolution: which entity each source id stands for.

Two person rows with the same valid ``id_number`` (or organizations with the
same valid ``credit_code``) get one key whatever their ids; names never
merge. Person keys are keyed hashes (the store's secret salt), so a key
shown anywhere does not reveal an identity number.

Examples
--------
>>> reg = Registry(salt="s")
>>> reg.person_key("P1", "11010519491231002X") == reg.person_key("P9", "11010519491231002X")
True
>>> reg.person_key("P1", "")
'p:s:P1'
>>> reg.org_key("O1", "91350100M000100Y43")
'o:c:91350100M000100Y43'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from graph.schema import entity_key
from loaders.layout import TABLE_KIND

#: Key beginnings: a person by hashed identity number or by row id, an organization by
#: credit code or by row id (the kind's prefix comes from :mod:`graph.schema`).
_PERSON_HASHED = entity_key("person", "h:")
_PERSON_ROW = entity_key("person", "s:")
_ORG_CODE = entity_key("organization", "c:")
_ORG_ROW = entity_key("organization", "s:")


@dataclass(frozen=True)
class SetAsideRef:
    """Where a set-aside row defining an id lies, and why it was set aside."""

    file: str
    line: int
    code: str


@dataclass
class Registry:
    """Source ids known so far: defined (with their key) or set aside.

    ``known[table][source_id]`` is the entity key; ``aside[table][source_id]``
    points at the set-aside row that tried to define it. Ids from the store are known
    too, unless the store maps them to several entities (two sources defined them
    differently): those are in ``ambiguous`` (where each was defined), and a reference
    to one is ambiguous until this load defines the id itself. ``from_store`` holds the
    known ids that came from the store and that this load has not defined: a row of
    this load that defines one gives it this load's key (the load's own rows say what
    its ids mean), while an id this load defined twice keeps its first key.
    """

    salt: str
    known: dict[str, dict[str, str]] = field(default_factory=dict)
    aside: dict[str, dict[str, SetAsideRef]] = field(default_factory=dict)
    in_store: dict[str, int] = field(default_factory=dict)
    ambiguous: dict[str, dict[str, str]] = field(default_factory=dict)
    from_store: dict[str, set[str]] = field(default_factory=dict)

    def person_key(self, person_id: str, id_number: str) -> str:
        """Key of a person: from the identity number when valid, else from the row id."""
        if id_number:
            digest = hashlib.blake2b(id_number.encode(), digest_size=10, key=self.salt.encode())
            return _PERSON_HASHED + digest.hexdigest()
        return _PERSON_ROW + person_id

    def person_keys(self, person_ids: list[str], id_numbers: list[str]) -> list[str]:
        """:meth:`person_key` for whole columns."""
        salt = self.salt.encode()
        blake = hashlib.blake2b
        hashed, row = _PERSON_HASHED, _PERSON_ROW
        return [hashed + blake(n.encode(), digest_size=10, key=salt).hexdigest() if n
                else row + p for p, n in zip(person_ids, id_numbers, strict=True)]

    def org_key(self, org_id: str, credit_code: str) -> str:
        """Key of an organization: from the credit code when valid, else from the row id."""
        return _ORG_CODE + credit_code if credit_code else _ORG_ROW + org_id

    @staticmethod
    def simple_key(table: str, source_id: str) -> str:
        """Key of a contract, payment, case or report (its id is the identity).

        Examples
        --------
        >>> Registry.simple_key("payments", "PAY1")
        'pay:PAY1'
        """
        return entity_key(TABLE_KIND[table], source_id)

    def table_known(self, table: str) -> dict[str, str]:
        """The ``source_id -> key`` map of one table (created on demand)."""
        return self.known.setdefault(table, {})

    def table_aside(self, table: str) -> dict[str, SetAsideRef]:
        """The set-aside ids of one table (created on demand)."""
        return self.aside.setdefault(table, {})

    def define(self, table: str, fresh: dict[str, str]) -> None:
        """Register ids a table's good rows define (``source_id -> key``): an id defined
        earlier by this load keeps its key, one known from the store takes the new one.

        Examples
        --------
        >>> reg = Registry(salt="s", known={"persons": {"P1": "p:h:old", "P2": "p:h:b"}},
        ...                from_store={"persons": {"P1"}})
        >>> reg.define("persons", {"P1": "p:h:new", "P2": "p:h:other", "P3": "p:s:P3"})
        >>> reg.known["persons"]
        {'P1': 'p:h:new', 'P2': 'p:h:b', 'P3': 'p:s:P3'}
        """
        known = self.table_known(table)
        stored = self.from_store.get(table)
        if known:
            for sid in fresh.keys() & known.keys():
                if not stored or sid not in stored:
                    fresh[sid] = known[sid]
        known.update(fresh)
        if stored:
            stored.difference_update(fresh.keys())

    def forget(self) -> None:
        """Forget every id, known or set aside (when no more rows will be checked)."""
        self.known.clear()
        self.aside.clear()
        self.ambiguous.clear()
        self.from_store.clear()

    def has_rows(self, table: str) -> bool:
        """Whether the load or the store defines any row of ``table``."""
        return bool(self.known.get(table)) or self.in_store.get(table, 0) > 0
