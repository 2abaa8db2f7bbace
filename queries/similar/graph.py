"""The typed adjacency the matcher walks, read from the columnar engine's tables."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from graph.schema import KIN
from queries.engine import OPEN_END, OPEN_START, Engine
from queries.similar.model import (
    DERIVED,
    LINK,
    LINK_PROPS,
    NODE_ATTRS,
    SAME_MAX,
    SHARED,
    TELLING,
)

# -- the graph as the matcher reads it --------------------------------------------------

Row = tuple[str, str, str, str, str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]
"""(id, src, dst, start, end, telling properties, shared-value properties)."""


class Graph:
    """The typed adjacency the matcher walks, read from the engine's tables once per type.

    Parameters
    ----------
    engine:
        The columnar engine over a store view.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.out: dict[str, dict[str, list[Row]]] = {}
        self.inn: dict[str, dict[str, list[Row]]] = {}
        self.count: dict[str, int] = {}
        self.kind: dict[str, str] = {}
        self.attrs: dict[str, tuple[tuple[str, str], ...]] = {}
        self.death: dict[str, str] = {}
        self.by_value: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
        self._kinds: set[str] = set()

    def load(self, types: Iterable[str]) -> None:
        """Read the relationship tables of ``types`` (each once)."""
        for t in types:
            if t in self.out:
                continue
            if t == LINK:
                self._load_links()
                continue
            if t in DERIVED:
                self.load_kinds(["person"])
            cols = [*TELLING.get(t, ()), *SHARED.get(t, ())]
            extra = "".join(f", CAST({c} AS VARCHAR) AS {c}" for c in cols)
            table = self.engine.arrow(f"SELECT id, src, dst, s, e{extra} FROM rel_{t}")
            data = {c: table.column(c).to_pylist() for c in table.column_names}
            out: dict[str, list[Row]] = defaultdict(list)
            inn: dict[str, list[Row]] = defaultdict(list)
            tell, share = TELLING.get(t, ()), SHARED.get(t, ())
            for i, rid in enumerate(data["id"]):
                told = tuple((c, data[c][i] or "") for c in tell)
                if t in DERIVED:
                    death = self.death.get(data["dst"][i])
                    late = bool(death and data["s"][i] != OPEN_START and data["s"][i] > death)
                    told += ((DERIVED[t], "yes" if late else "no"),)
                row: Row = (rid, data["src"][i], data["dst"][i], data["s"][i], data["e"][i],
                            told, tuple((c, data[c][i] or "") for c in share))
                out[row[1]].append(row)
                inn[row[2]].append(row)
                for c, v in row[6]:
                    if v:
                        self.by_value[(t, c, v)].append(row)
            self.out[t], self.inn[t], self.count[t] = dict(out), dict(inn), len(data["id"])

    def _load_links(self) -> None:
        """:data:`LINK` records: nodes sharing a phone or an address, organizations sharing
        a holder of a role (at most :data:`SAME_MAX` nodes a value or holder)."""
        from graph.schema import ENTITY_PROPS

        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for prop in LINK_PROPS:
            for kind, props in ENTITY_PROPS.items():
                if prop not in dict(props) or kind not in ("person", "organization"):
                    continue
                table = self.engine.arrow(f'SELECT key, "{prop}" AS v FROM ent_{kind} '
                                          f'WHERE "{prop}" IS NOT NULL AND "{prop}" <> \'\'')
                for key, v in zip(table.column("key").to_pylist(),
                                  table.column("v").to_pylist(), strict=True):
                    groups[(prop, str(v))].append(key)
        self.load(["COMPANY_ROLE"])
        for holder, rows in self.out["COMPANY_ROLE"].items():
            for r in rows:
                groups[(dict(r[5]).get("role", "") or "holder", holder)].append(r[2])
        out: dict[str, list[Row]] = defaultdict(list)
        n = 0
        for (via, _v), keys in groups.items():
            keys = sorted(set(keys))
            if not 1 < len(keys) <= SAME_MAX:
                continue
            for a in keys:
                for b in keys:
                    if a < b:
                        row: Row = (f"link:{via}:{a}:{b}", a, b, OPEN_START, OPEN_END,
                                    (("via", via),), ())
                        out[a].append(row)
                        out[b].append(row)
                        n += 1
        self.out[LINK] = self.inn[LINK] = dict(out)
        self.count[LINK] = n

    def load_kinds(self, kinds: Iterable[str]) -> None:
        """Read the keys and telling attributes of the nodes of ``kinds``."""
        for k in kinds:
            if k in self._kinds:
                continue
            self._kinds.add(k)
            if k == "person":
                sql = "SELECT key, CASE WHEN death_date IS NULL THEN 'no' ELSE 'yes' END " \
                      "AS deceased, CAST(death_date AS VARCHAR) AS death FROM ent_person"
            elif k in NODE_ATTRS:
                sql = f"SELECT key, {', '.join(NODE_ATTRS[k])} FROM ent_{k}"
            else:
                sql = f"SELECT key FROM ent_{k}"
            table = self.engine.arrow(sql)
            data = {c: table.column(c).to_pylist() for c in table.column_names}
            names = NODE_ATTRS.get(k, ())
            for i, key in enumerate(data["key"]):
                self.kind[key] = k
                if k == "person" and data["death"][i]:
                    self.death[key] = str(data["death"][i])
                if names:
                    self.attrs[key] = tuple((n, str(data[n][i] or "")) for n in names)

    def ties(self, key: str, type_: str, forward: bool) -> list[Row]:
        """Records of ``type_`` running from (``forward``) or to ``key`` (a link of an
        equal property runs both ways)."""
        rows = (self.out if forward else self.inn)[type_].get(key, [])
        if type_ == LINK:
            return [r if (r[1] == key) == forward else (r[0], r[2], r[1], r[3], r[4], r[5], r[6])
                    for r in rows]
        return rows


def inverse(relation: str) -> str:
    """A kin relation seen from the other end.

    Examples
    --------
    >>> inverse("parent"), inverse("spouse"), inverse("x")
    ('child', 'spouse', 'x')
    """
    k = KIN.get(relation)
    return k.inverse if k is not None else relation


