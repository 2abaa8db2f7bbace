"""Re-detect the planted patterns in a generated county and compare with what was planted.

The generator runs :func:`verify` on every county before writing it: a
pattern found where none was planted (or a planted one not found) is a
generator bug, raised rather than written into a wrong ground truth.

Ties are read broadly here (kin or associate, up to two ties, or holding a
role in the same company): planted schemes must be found under any
reasonable reading, and the background and decoys must stay clean under it.

Examples
--------
>>> e = Expect()
>>> e.coi, e.identical
({}, set())
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from graph.schema import CASE_OFFICIAL_ROLES, CASE_PARTY_ROLES
from synthetic.business import PAIR_CAP, Pair, pair
from synthetic.model import Case, CaseRole, Contract, County, Payment
from synthetic.timeline import in_force

_COI_ROLES = frozenset({"shareholder", "legal_rep", "director", "beneficial_owner", "supervisor",
                        "manager"})


@dataclass
class Expect:
    """What was planted in a county, to be found exactly (dated reading)."""

    coi: dict[str, set[str]] = field(default_factory=dict)
    """contract id -> officials with a conflict on it."""
    sub_kin: set[str] = field(default_factory=set)
    after_death: set[str] = field(default_factory=set)
    shared_accounts: set[str] = field(default_factory=set)
    cases: dict[str, set[str]] = field(default_factory=dict)
    """case id -> case officials tied to a party of it."""
    col_shared: set[tuple[str, Pair]] = field(default_factory=set)
    identical: set[str] = field(default_factory=set)
    single_bid: set[str] = field(default_factory=set)
    ring_pairs: set[Pair] = field(default_factory=set)


class Near:
    """Undated two-tie neighbourhoods, computed once per person."""

    def __init__(self, c: County) -> None:
        self.c = c
        self.memo: dict[str, dict[str, int]] = {}

    def __call__(self, pid: str) -> dict[str, int]:
        if pid not in self.memo:
            self.memo[pid] = self.c.reach(pid, 2)
        return self.memo[pid]


def coi_officials(c: County, k: Contract, dated: bool,
                  near: Near | None = None) -> dict[str, set[str]]:
    """Officials (approver, or in post at the buyer) tied to a holder of the winner.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> from synthetic.plant_coi import plant_coi
    >>> pl = small_planter()
    >>> plant_coi(pl, 1, 0, 1, 1)
    >>> k = pl.c.contracts[0]
    >>> set(coi_officials(pl.c, k, dated=True)) == pl.expect.coi[k.cid]
    True
    """
    day = k.date
    near = near or Near(c)
    officials = {k.approver}
    for p in c.pos_by_org.get(k.buyer, ()):
        if not dated or in_force(p.start, p.end, day):
            officials.add(p.pid)
    holders = {r.holder for r in c.roles_by_company.get(k.supplier, ())
               if r.role in _COI_ROLES and (not dated or in_force(r.start, r.end, day))}
    out: dict[str, set[str]] = {}
    for o in sorted(officials):
        wide = near(o)
        if not any(h == o or h in wide for h in holders):
            continue
        reach = c.reach(o, 2, (day, day)) if dated else wide
        hit = {h for h in holders if h == o or h in reach}
        if hit:
            out[o] = hit
    return out


def sub_kin(c: County, pm: Payment, dated: bool, near: Near | None = None) -> bool:
    """Whether the recipient is the approver or tied to them.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> from synthetic.plant_sub import plant_sub
    >>> pl = small_planter()
    >>> plant_sub(pl, 1, 1, 1, 1)
    >>> [sub_kin(pl.c, pm, dated=True) for pm in pl.c.payments][:5]
    [True, True, True, True, False]
    """
    if pm.recipient == pm.approver:
        return True
    near = near or Near(c)
    if pm.recipient not in near(pm.approver):
        return False
    return not dated or pm.recipient in c.reach(pm.approver, 2, (pm.date, pm.date))


def case_officials(c: County, k: Case, dated: bool,
                   roles: Sequence[CaseRole] | None = None) -> dict[str, set[str]]:
    """Case officials tied to a party of the same case (``roles`` of the case, if known).

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> from synthetic.plant_crime import plant_crime
    >>> pl = small_planter()
    >>> plant_crime(pl, 1, 1, 1)
    >>> k = pl.c.cases[0]
    >>> set(case_officials(pl.c, k, dated=True)) == pl.expect.cases[k.kid]
    True
    """
    if roles is None:
        roles = [r for r in c.case_roles if r.kid == k.kid]
    officials = sorted({r.party for r in roles if r.role in CASE_OFFICIAL_ROLES})
    parties = {r.party for r in roles if r.role in CASE_PARTY_ROLES}
    window = k.window if dated else None
    out: dict[str, set[str]] = {}
    for o in officials:
        near = c.reach(o, 2, window)
        co = c.coholders(o, window)
        hit = {p for p in parties if p == o or p in near or p in co}
        if hit:
            out[o] = hit
    return out


def shared_contacts(c: County, k: Contract) -> set[Pair]:
    """Pairs of bidders on ``k`` sharing a phone, an address or a holder.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> from synthetic.plant_col import plant_col
    >>> pl = small_planter()
    >>> plant_col(pl, 4, 0, 1, 1, 1)
    >>> [len(shared_contacts(pl.c, k)) for k in pl.c.contracts[:5]]
    [1, 1, 1, 1, 0]
    """
    bidders = sorted({b.bidder for b in c.bids_by_contract.get(k.cid, ())})
    out: set[Pair] = set()
    for i, a in enumerate(bidders):
        oa = c.orgs[a]
        ha = set(c.holders(a))
        for b in bidders[i + 1:]:
            ob = c.orgs[b]
            if oa.phone == ob.phone or oa.address.split(",")[0] == ob.address.split(",")[0] \
                    or ha & set(c.holders(b)):
                out.add(pair(a, b))
    return out


def identical_prices(c: County, k: Contract) -> bool:
    """Two valid bids with the same amount.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> from synthetic.plant_col import plant_col
    >>> pl = small_planter()
    >>> plant_col(pl, 4, 0, 1, 1, 1)
    >>> [k.cid for k in pl.c.contracts if identical_prices(pl.c, k)] == sorted(pl.expect.identical)
    True
    """
    amounts = [b.amount for b in c.bids_by_contract.get(k.cid, ()) if b.status == "valid"]
    return len(amounts) != len(set(amounts))


def single_valid_bid(c: County, k: Contract) -> bool:
    """An open or invited award with fewer than two valid bids.

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> from synthetic.plant_col import plant_col
    >>> pl = small_planter()
    >>> plant_col(pl, 4, 0, 1, 1, 1)
    >>> [k.cid for k in pl.c.contracts if single_valid_bid(pl.c, k)] == sorted(pl.expect.single_bid)
    True
    """
    valid = [b for b in c.bids_by_contract.get(k.cid, ()) if b.status == "valid"]
    return k.method in ("open", "invited") and len(valid) < 2


def verify(c: County, e: Expect) -> list[str]:
    """Everything found that was not planted, or planted and not found (empty = clean).

    Examples
    --------
    >>> from synthetic.run import small_planter
    >>> from synthetic.plant_coi import plant_coi
    >>> pl = small_planter()
    >>> plant_coi(pl, 1, 0, 1, 1)
    >>> verify(pl.c, pl.expect)
    []
    >>> pl.expect.coi.clear()
    >>> verify(pl.c, pl.expect)[0].startswith("COI")
    True
    """
    bad: list[str] = []
    near = Near(c)
    for k in c.contracts:
        found = coi_officials(c, k, True, near)
        want = e.coi.get(k.cid, set())
        if set(found) != want:
            bad.append(f"COI {k.cid}: found {sorted(found)}, planted {sorted(want)}")
        if k.cid not in c.planted and coi_officials(c, k, False, near):
            bad.append(f"COI {k.cid}: background contract has an undated conflict")
        pairs = {(k.cid, p) for p in shared_contacts(c, k)}
        want_pairs = {x for x in e.col_shared if x[0] == k.cid}
        if pairs != want_pairs:
            bad.append(f"COL {k.cid}: shared contacts {sorted(pairs)} vs {sorted(want_pairs)}")
        if identical_prices(c, k) != (k.cid in e.identical):
            bad.append(f"COL {k.cid}: identical prices mismatch")
        if single_valid_bid(c, k) != (k.cid in e.single_bid):
            bad.append(f"COL {k.cid}: single bid mismatch")
    bad += _verify_payments(c, e, near)
    by_case: dict[str, list[CaseRole]] = {}
    for r in c.case_roles:
        by_case.setdefault(r.kid, []).append(r)
    for case in c.cases:
        roles = by_case.get(case.kid, [])
        found = case_officials(c, case, True, roles)
        want = e.cases.get(case.kid, set())
        if set(found) != want:
            bad.append(f"CASE {case.kid}: tied officials {sorted(found)}, planted "
                       f"{sorted(want)}")
        if case.kid not in c.planted and case_officials(c, case, False, roles):
            bad.append(f"CASE {case.kid}: background case has an undated tie")
    bad += _verify_rings(c, e)
    return bad


def _verify_payments(c: County, e: Expect, near: Near) -> list[str]:
    bad: list[str] = []
    by_account: dict[str, set[str]] = {}
    for pm in c.payments:
        if sub_kin(c, pm, True, near) != (pm.pmid in e.sub_kin):
            bad.append(f"SUB {pm.pmid}: kin subsidy mismatch")
        if pm.pmid not in c.planted and sub_kin(c, pm, False, near):
            bad.append(f"SUB {pm.pmid}: background payment to the approver's kin")
        death = c.persons[pm.recipient].death if pm.recipient in c.persons else None
        if (death is not None and pm.date > death) != (pm.pmid in e.after_death):
            bad.append(f"SUB {pm.pmid}: after-death mismatch")
        by_account.setdefault(pm.account, set()).add(pm.recipient)
    for acct, who in by_account.items():
        if len(who) > 1 and acct not in e.shared_accounts:
            bad.append(f"SUB account {acct} shared by {sorted(who)}")
    return bad


def _verify_rings(c: County, e: Expect) -> list[str]:
    counts: dict[Pair, int] = {}
    for k in c.contracts:
        bidders = sorted({b.bidder for b in c.bids_by_contract.get(k.cid, ())})
        for i, a in enumerate(bidders):
            for b in bidders[i + 1:]:
                counts[(a, b)] = counts.get((a, b), 0) + 1
    return [f"COL pair {p} bid together {n} times" for p, n in counts.items()
            if n > PAIR_CAP + 1 and p not in e.ring_pairs]
