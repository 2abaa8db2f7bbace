"""Give a county's records ids in a natural order, so that planted records do not stand out.

Plants are made before the background, so their ids would come first (and
their persons, ties and roles last). Before writing, the county's ids are
dealt out again: persons household by household, companies by founding
date, contracts, payments, cases and reports by date; lists are re-sorted
to match. Truth drafts (ids and descriptions) are rewritten with the same map.

Examples
--------
>>> remap_text("P0000002 approved C000001 (not PM0000001)", {"P0000002": "P0000009",
...            "C000001": "C000004"})
'P0000009 approved C000004 (not PM0000001)'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from synthetic.model import County
from synthetic.plant import Draft, Network

_ID = re.compile(r"(?<![A-Z0-9])(?:PM\d{7}|P\d{7}|O\d{6}|C\d{6}|K\d{5}|R\d{6})(?![0-9])")
T = TypeVar("T")


def remap_text(text: str, mapping: dict[str, str]) -> str:
    """Replace every id in ``text`` that ``mapping`` knows.

    Examples
    --------
    >>> remap_text("O000001 and O000002", {"O000002": "O000001", "O000001": "O000002"})
    'O000002 and O000001'
    """
    return _ID.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)


def _deal(items: Iterable[T], old_id: Callable[[T], str],
          key: Callable[[T], tuple[object, ...]]) -> dict[str, str]:
    """Old id -> new id: the same set of ids, handed out in ``key`` order."""
    ordered = sorted(items, key=key)
    slots = sorted(old_id(x) for x in ordered)
    return {old_id(x): new for x, new in zip(ordered, slots, strict=True)}


def renumber(c: County, drafts: list[Draft], networks: list[Network],
             brokers: list[str]) -> dict[str, str]:
    """Renumber the county in place; returns the old -> new id map.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> from synthetic.plant_col import plant_col
    >>> pl = small_planter()
    >>> plant_col(pl, 4, 0, 1, 1, 0)
    >>> first = pl.c.contracts[0].cid
    >>> m = renumber(pl.c, pl.drafts, pl.networks, pl.brokers)
    >>> sorted(m.values()) == sorted(m)
    True
    >>> [k.date for k in pl.c.contracts] == sorted(k.date for k in pl.c.contracts)
    True
    """
    home_rank = {o: i for i, o in enumerate(c.orgs)}
    m: dict[str, str] = {}
    m.update(_deal(c.persons.values(), lambda p: p.pid,
                   lambda p: (home_rank.get(p.home, 0), p.address, p.birth, p.pid)))
    companies = [c.orgs[o] for o in c.company_ids]
    m.update(_deal(companies, lambda o: o.oid, lambda o: (o.established, o.name)))
    m.update(_deal(c.contracts, lambda k: k.cid, lambda k: (k.date, k.buyer, k.cid)))
    m.update(_deal(c.payments, lambda p: p.pmid, lambda p: (p.date, p.payer, p.pmid)))
    m.update(_deal(c.cases, lambda k: k.kid, lambda k: (k.opened, k.kid)))
    m.update(_deal(c.reports, lambda r: r.rid, lambda r: (r.date, r.rid)))

    def g(x: str) -> str:
        return m.get(x, x)

    persons = list(c.persons.values())
    for p in persons:
        p.pid = g(p.pid)
    c.persons = {p.pid: p for p in sorted(persons, key=lambda p: p.pid)}
    for o in c.orgs.values():
        o.oid, o.parent = g(o.oid), g(o.parent)
    bodies = [o for o in c.orgs.values() if o.kind != "company"]
    firms = sorted((o for o in c.orgs.values() if o.kind == "company"), key=lambda o: o.oid)
    c.orgs = {o.oid: o for o in bodies + firms}
    c.company_ids = [o.oid for o in firms]
    for t in c.ties:
        t.a, t.b = g(t.a), g(t.b)
    c.ties.sort(key=lambda t: (min(t.a, t.b), max(t.a, t.b)))
    for pos in c.positions:
        pos.pid = g(pos.pid)
    for r in c.roles:
        r.company, r.holder = g(r.company), g(r.holder)
    c.roles.sort(key=lambda r: r.company)
    for k in c.contracts:
        k.cid, k.approver, k.supplier = g(k.cid), g(k.approver), g(k.supplier)
    c.contracts.sort(key=lambda k: k.cid)
    for b in c.bids:
        b.cid, b.bidder = g(b.cid), g(b.bidder)
    c.bids.sort(key=lambda b: b.cid)
    for pm in c.payments:
        pm.pmid, pm.approver, pm.recipient = g(pm.pmid), g(pm.approver), g(pm.recipient)
    c.payments.sort(key=lambda p: p.pmid)
    for case in c.cases:
        case.kid = g(case.kid)
    c.cases.sort(key=lambda k: k.kid)
    for cr in c.case_roles:
        cr.kid, cr.party = g(cr.kid), g(cr.party)
    c.case_roles.sort(key=lambda r: r.kid)
    for rep in c.reports:
        rep.rid, rep.subject = g(rep.rid), g(rep.subject)
    c.reports.sort(key=lambda r: r.rid)
    c.planted = {g(x) for x in c.planted}
    c.used = {g(x) for x in c.used}
    c.lineage_of = {g(k): v for k, v in c.lineage_of.items()}
    c.reindex()
    for d in drafts:
        d.anchor = [g(x) for x in d.anchor]
        d.entities = [g(x) for x in d.entities]
        d.description = remap_text(d.description, m)
        d.why_not = remap_text(d.why_not, m)
    for n in networks:
        n.members = [g(x) for x in n.members]
    brokers[:] = [g(x) for x in brokers]
    return m
