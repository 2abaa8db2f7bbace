"""Which side of public life each node stands on: government, business, crime.

A node can stand on several sides (an official who owns a firm). Sides come
from the typed records, not from names:

- ``official``: a person who holds a post (``HOLDS_POST``), acted on a case as
  investigator, prosecutor, judge or approver, or approved a contract or payment;
- ``government``: a government body (an organization of kind ``agency`` or
  ``village_committee``);
- ``company``: an organization of kind ``company``;
- ``business``: a company, or a person holding a role in one (``COMPANY_ROLE``);
- ``supplier``: an organization that bid for or won a public contract;
- ``crime``: a suspect, gang leader or gang member of a case (``CASE_ROLE``).

Examples
--------
>>> from graph.analysis.projection import Projection, TableSource, project
>>> src = TableSource(relations={
...     "KIN": pd.DataFrame({"id": ["k"], "src": ["p:s:A"], "dst": ["p:s:B"],
...                          "start": [None], "end": [None]}),
...     "CASE_ROLE": pd.DataFrame({"id": ["c"], "src": ["p:s:B"], "dst": ["case:K1"],
...                                "start": [None], "end": [None], "role": ["suspect"]}),
...     "HOLDS_POST": pd.DataFrame({"id": ["h"], "src": ["p:s:A"], "dst": ["o:s:GOV"],
...                                 "start": [None], "end": ["2010-12-31"]})})
>>> g = project(src, Projection({"KIN": 1.0}))
>>> r = node_roles(src, g)
>>> r["official"].tolist(), r["crime"].tolist()
([True, False], [False, True])
>>> node_roles(src, g, on="2015-01-01")["official"].tolist()
[False, False]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from graph.analysis.projection import AnalysisGraph, FrameSource, in_force_mask
from graph.schema import CASE_OFFICIAL_ROLES, EVENT_TYPES

if TYPE_CHECKING:
    import numpy.typing as npt

SIDES = ("official", "government", "company", "business", "supplier", "crime")
#: Case roles that put a person on the crime side.
CRIME_ROLES = ("suspect", "gang_leader", "gang_member")
#: Organization kinds that are government bodies.
GOVERNMENT_KINDS = ("agency", "village_committee")


def _records(source: FrameSource, type_: str, on: str | None) -> pd.DataFrame:
    f = source.relations_frame(type_)
    if f.empty or on is None:
        return f
    return f[in_force_mask(f, on, type_ in EVENT_TYPES)]


def _mark(g: AnalysisGraph, keys: pd.Series) -> npt.NDArray[np.bool_]:
    out = np.zeros(g.n, dtype=bool)
    out[g.ids(keys.astype(str).drop_duplicates().tolist())] = True
    return out


def node_roles(source: FrameSource, g: AnalysisGraph,
               on: str | None = None) -> dict[str, npt.NDArray[np.bool_]]:
    """Boolean mask per side (:data:`SIDES`) over the nodes of ``g``.

    With ``on``, posts and company roles count only when in force that day
    (events such as approvals when dated on or before it). A source that can list
    the keys of each side itself (a ``side_keys(on)`` method, e.g. as queries on a
    columnar engine) is asked for them instead of reading the frames.
    """
    own = getattr(source, "side_keys", None)
    if callable(own):
        keys: dict[str, list[str]] = own(on)
        return {side: _mark(g, pd.Series(keys.get(side, []), dtype=object)) for side in SIDES}
    orgs = source.entities_frame("organization")
    org_kind = (orgs.set_index("key")["kind"] if "kind" in orgs.columns and len(orgs)
                else pd.Series(dtype=str))
    posts = _records(source, "HOLDS_POST", on)
    case_roles = _records(source, "CASE_ROLE", on)
    role = case_roles["role"] if "role" in case_roles.columns else pd.Series(
        [""] * len(case_roles), index=case_roles.index)
    approvals = _records(source, "APPROVED", on)
    gov = org_kind[org_kind.isin(GOVERNMENT_KINDS)].index.to_series()
    official = pd.concat([posts.get("src", pd.Series(dtype=str)),
                          case_roles.loc[role.isin(CASE_OFFICIAL_ROLES), "src"]
                          if len(case_roles) else pd.Series(dtype=str),
                          approvals.get("src", pd.Series(dtype=str))])
    companies = org_kind[org_kind == "company"].index.to_series()
    holders = _records(source, "COMPANY_ROLE", on)
    business = pd.concat([companies, holders.get("src", pd.Series(dtype=str))
                          [holders.get("src", pd.Series(dtype=str)).astype(str)
                           .str.startswith("p:")]])
    supplier = pd.concat([_records(source, "AWARDED_TO", on).get("dst", pd.Series(dtype=str)),
                          _records(source, "BID", on).get("src", pd.Series(dtype=str))])
    crime = (case_roles.loc[role.isin(CRIME_ROLES), "src"] if len(case_roles)
             else pd.Series(dtype=str))
    return {"official": _mark(g, official), "government": _mark(g, gov),
            "company": _mark(g, companies), "business": _mark(g, business),
            "supplier": _mark(g, supplier), "crime": _mark(g, crime)}
