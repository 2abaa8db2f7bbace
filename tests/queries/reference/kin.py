"""Ties between persons with their dates: kin chains up to k hops, associates, co-owners.

A tie holds on a date when the date lies in every interval along its chain,
so each chain carries the intersection ``[s, e]`` of its links' intervals.
"""

from __future__ import annotations

import pandas as pd

from graph.schema import KIN
from queries.frames import OPEN_END, OPEN_START, Frames

TIE_COLUMNS = ["a", "b", "s", "e", "hops", "path", "how"]


def kin_edges(frames: Frames) -> pd.DataFrame:
    """Kin links in both directions: ``b`` is ``a``'s ``relation`` (id = the record)."""
    k = frames.rel("KIN")
    if k.empty:
        return pd.DataFrame(columns=["a", "b", "s", "e", "id", "relation"])
    fwd = pd.DataFrame({"a": k["src"], "b": k["dst"], "s": k["s"], "e": k["e"], "id": k["id"],
                        "relation": k["relation"]})
    back = pd.DataFrame({"a": k["dst"], "b": k["src"], "s": k["s"], "e": k["e"], "id": k["id"],
                         "relation": k["relation"].map({c: v.inverse for c, v in KIN.items()})})
    return pd.concat([fwd, back], ignore_index=True)


def kin_chains(frames: Frames, max_hops: int = 2,
               starts: set[str] | frozenset[str] | None = None) -> pd.DataFrame:
    """Every kin chain of at most ``max_hops`` links between two different persons
    (only chains starting from ``starts`` when given: much less work for a few officials).

    Columns: ``a``, ``b`` (``b`` is kin of ``a``), ``s``/``e`` (when the whole
    chain held), ``hops``, ``path`` (record ids, in order), ``how`` (relations
    in order, e.g. ``spouse>sibling`` = a's spouse's sibling). Chains whose links
    never held at the same time are left out.
    """
    edges = kin_edges(frames)
    if edges.empty:
        return pd.DataFrame(columns=TIE_COLUMNS)
    first = edges if starts is None else edges[edges["a"].isin(starts)]
    level = pd.DataFrame({"a": first["a"], "b": first["b"], "s": first["s"], "e": first["e"],
                          "hops": 1, "path": first["id"], "how": first["relation"],
                          "nodes": first["a"] + ">" + first["b"]})
    out = [level]
    step = edges.rename(columns={"a": "m", "b": "b2", "s": "s2", "e": "e2", "id": "id2",
                                 "relation": "rel2"})
    for hops in range(2, max_hops + 1):
        nxt = level.merge(step, left_on="b", right_on="m")
        nxt = nxt[~_revisits(nxt)]
        s = nxt[["s", "s2"]].max(axis=1)
        e = nxt[["e", "e2"]].min(axis=1)
        keep = s <= e
        nxt = nxt[keep]
        level = pd.DataFrame({"a": nxt["a"], "b": nxt["b2"], "s": s[keep], "e": e[keep],
                              "hops": hops, "path": nxt["path"] + ">" + nxt["id2"],
                              "how": nxt["how"] + ">" + nxt["rel2"],
                              "nodes": nxt["nodes"] + ">" + nxt["b2"]})
        out.append(level)
    chains = pd.concat(out, ignore_index=True).drop(columns=["nodes"])
    return chains[chains["a"] != chains["b"]].reset_index(drop=True)


def _revisits(nxt: pd.DataFrame) -> pd.Series:
    """Chains that come back to a person they already passed through."""
    back = nxt["b2"] == nxt["a"]
    if nxt.empty or nxt["nodes"].str.count(">").max() < 2:
        return back
    seen = [b in n.split(">") for b, n in zip(nxt["b2"], nxt["nodes"], strict=True)]
    return back | pd.Series(seen, index=nxt.index, dtype=bool)


def associate_ties(frames: Frames) -> pd.DataFrame:
    """Known associates in both directions, as one-hop ties (``how`` = associate)."""
    r = frames.rel("ASSOCIATE")
    if r.empty:
        return pd.DataFrame(columns=TIE_COLUMNS)
    one = pd.DataFrame({"a": r["src"], "b": r["dst"], "s": r["s"], "e": r["e"], "hops": 1,
                        "path": r["id"], "how": "associate"})
    two = one.assign(a=one["b"], b=one["a"])
    return pd.concat([one, two], ignore_index=True)


def co_owner_ties(frames: Frames) -> pd.DataFrame:
    """Persons holding roles in the same company at the same time (``how`` = co_owner).

    ``path`` names both role records; the interval is their overlap.
    """
    r = frames.rel("COMPANY_ROLE")
    if r.empty:
        return pd.DataFrame(columns=TIE_COLUMNS)
    r = r[r["src"].str.startswith("p:")][["src", "dst", "s", "e", "id"]]
    pairs = r.merge(r, on="dst", suffixes=("1", "2"))
    pairs = pairs[pairs["src1"] != pairs["src2"]]
    s = pairs[["s1", "s2"]].max(axis=1)
    e = pairs[["e1", "e2"]].min(axis=1)
    keep = s <= e
    pairs = pairs[keep]
    return pd.DataFrame({"a": pairs["src1"], "b": pairs["src2"], "s": s[keep], "e": e[keep],
                         "hops": 1, "path": pairs["id1"] + ">" + pairs["id2"],
                         "how": "co_owner"}).reset_index(drop=True)


def all_ties(frames: Frames, max_hops: int = 2, kinds: tuple[str, ...] = (
        "kin", "associate", "co_owner"), kin: pd.DataFrame | None = None,
        starts: set[str] | frozenset[str] | None = None) -> pd.DataFrame:
    """Kin chains (``kin`` when already computed), associates and co-owners together
    (columns :data:`TIE_COLUMNS`), from ``starts`` only when given."""
    parts = []
    if "kin" in kinds:
        parts.append(kin_chains(frames, max_hops, starts) if kin is None else kin)
    if "associate" in kinds:
        parts.append(associate_ties(frames))
    if "co_owner" in kinds:
        parts.append(co_owner_ties(frames))
    if starts is not None:
        parts = [p[p["a"].isin(starts)] for p in parts]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=TIE_COLUMNS)
    return pd.concat(parts, ignore_index=True)


__all__ = ["OPEN_END", "OPEN_START", "TIE_COLUMNS", "all_ties", "associate_ties",
           "co_owner_ties", "kin_chains", "kin_edges"]
