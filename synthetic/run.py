"""Build one county end to end: bodies, families, posts, plants, background, checks, rows.

Planting comes before the background: schemes first, then the innocent
look-alikes (:mod:`synthetic.background`, sized by its ``Rates``); once every
scheme and decoy is in place, company owners, subsidy recipients and case
parties are drawn only from persons with no tie to any official, and the
whole county is then re-checked (:func:`synthetic.checks.verify`).

Examples
--------
>>> plan(0.2)["coi_official_role"], plan(1.0)["coi_official_role"]
(1, 3)
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from synthetic.alloc import Alloc
from synthetic.background import Rates, counts, plant_background
from synthetic.badrows import add_bad_rows
from synthetic.business import Market
from synthetic.cases import Casework
from synthetic.checks import verify
from synthetic.county import build_bodies
from synthetic.duplicates import make_duplicates
from synthetic.families import build_families
from synthetic.model import County
from synthetic.officials import CASE_STAFF, build_posts
from synthetic.plant import Draft, Network, Planter
from synthetic.plant_coi import plant_coi
from synthetic.plant_col import plant_col
from synthetic.plant_crime import plant_crime
from synthetic.plant_shield import plant_shield
from synthetic.plant_sub import plant_sub
from synthetic.pools import Pool, free_persons, tainted
from synthetic.renumber import renumber
from synthetic.truth import Duplicate
from synthetic.welfare import Welfare
from synthetic.writer import Cell, county_rows

#: Sizes of the reference county (fraction 1.0).
PERSONS, COMPANIES, CONTRACTS, PAYMENTS, CASES, REPORTS = 20_000, 900, 1_500, 12_000, 200, 600
MIN_FRACTION = 0.12
STAGES = ("bodies", "families", "posts", "companies", "schemes", "owners", "contracts",
          "payments", "cases", "checks", "rows")
Tick = Callable[[str], None]


def plan(f: float) -> dict[str, int]:
    """How many of each plant a county of size ``f`` gets (at least one of each).

    Examples
    --------
    >>> plan(0.2)["sub_kin"], plan(1.0)["sub_kin"], plan(1.0)["networks"]
    (1, 4, 1)
    """
    def k(per_unit: float) -> int:
        return max(1, round(per_unit * f))
    return {
        "coi_official_role": k(3), "coi_kin_extra": max(0, round(7 * f) - 7), "coi_body": k(2),
        "coi_decoys": k(2), "sub_kin": k(4), "sub_after": k(4), "sub_shared": k(3),
        "sub_decoys": k(2), "networks": max(1, round(f)), "rec": k(3), "crime_decoys": k(2),
        "col_shared": k(4), "col_rings": k(2), "col_single": k(4), "col_identical": k(4),
        "col_decoys": k(2), "col_shared_rings": k(2), "shield_cases": k(3),
        "shield_business": k(2), "disparity": k(1),
    }


@dataclass
class Built:
    """One county after generation: its records, plants and rows ready to write."""

    county: County
    drafts: list[Draft]
    networks: list[Network]
    brokers: list[str]
    duplicates: list[Duplicate]
    tables: dict[str, list[Cell]]


def prepare_county(alloc: Alloc, index: int, name: str, region: str, fraction: float,
                   seed: int, tick: Tick | None = None) -> Planter:
    """Bodies, families, posts and companies of one county, ready for planting.

    A county keeps at least :data:`MIN_FRACTION` of the reference population, so
    that every planted pattern still finds free people.

    Examples
    --------
    >>> pl = prepare_county(Alloc(), 0, "云溪县", "431221", 0.12, seed=0)
    >>> 2000 < len(pl.c.persons) < 3000, len(pl.c.company_ids)
    (True, 108)
    """
    def step(stage: str) -> None:
        if tick is not None:
            tick(stage)

    pop = max(fraction, MIN_FRACTION)
    c = County(index, name, region, pop, random.Random(f"umbrella/{seed}/{index}"))
    build_bodies(alloc, c)
    step("bodies")
    fam = build_families(alloc, c, round(PERSONS * pop))
    step("families")
    build_posts(c)
    step("posts")
    market = Market(alloc, c)
    market.build_companies(round(COMPANIES * pop))
    step("companies")
    return Planter(alloc, c, market, Welfare(alloc, c), Casework(alloc, c), fam)


def small_planter(seed: int = 0) -> Planter:
    """A small county (about 2,400 persons) ready for planting, for examples and tests.

    Examples
    --------
    >>> small_planter().c.name
    '云溪县'
    """
    return prepare_county(Alloc(), 0, "云溪县", "431221", MIN_FRACTION, seed)


def build_county(alloc: Alloc, index: int, name: str, region: str, fraction: float,
                 seed: int, tick: Tick, rates: Rates | None = None) -> Built:
    """Generate, plant, verify and lay out one county.

    ``rates`` sizes the innocent background (:class:`synthetic.background.Rates`,
    whose defaults are used when it is None). Raises ``RuntimeError`` when its
    own self-check finds a pattern that was not planted (a generator bug, never
    written into a wrong truth).

    Examples
    --------
    >>> b = build_county(Alloc(), 0, "云溪县", "431221", 0.05, 0, lambda stage: None)
    >>> {d.family for d in b.drafts} == {"COI", "SUB", "UMB", "REC", "COL"}
    True
    >>> sorted(b.tables)[:2]
    ['bids', 'case_roles']
    """
    f = fraction
    pl = prepare_county(alloc, index, name, region, f, seed, tick)
    c, market = pl.c, pl.market
    n = plan(f)
    plant_crime(pl, n["networks"], n["rec"], n["crime_decoys"])
    plant_coi(pl, n["coi_official_role"], n["coi_kin_extra"], n["coi_body"], n["coi_decoys"])
    plant_sub(pl, n["sub_kin"], n["sub_after"], n["sub_shared"], n["sub_decoys"])
    plant_col(pl, n["col_shared"], n["col_rings"], n["col_single"], n["col_identical"],
              n["col_decoys"], n["col_shared_rings"])
    plant_shield(pl, n["shield_cases"], n["shield_business"], n["disparity"])
    plant_background(pl, counts(rates or Rates(), len(c.company_ids), round(PAYMENTS * f),
                                round(CASES * f)))
    tick("schemes")
    pool = Pool(c, free_persons(c, tainted(c)))
    market.assign_holders(pool)
    tick("owners")
    market.background_contracts(max(20, round(CONTRACTS * f) - len(c.contracts)))
    market.ensure_quirks()
    tick("contracts")
    pl.welfare.background(max(60, round(PAYMENTS * f) - len(c.payments)), pool)
    tick("payments")
    case_bodies = {c.agency_by_short[s] for s in CASE_STAFF}
    suspects = [p for p in c.pos_by_person
                if all(q.oid not in case_bodies for q in c.pos_by_person[p])]
    pl.casework.background(max(8, round(CASES * f) - len(c.cases)), pool, suspects)
    pl.casework.background_reports(max(10, round(REPORTS * f) - len(c.reports)))
    tick("cases")
    problems = verify(c, pl.expect)
    if problems:
        raise RuntimeError(f"generator self-check failed in {name}: " + "; ".join(problems[:5]))
    tick("checks")
    renumber(c, pl.drafts, pl.networks, pl.brokers)
    dups = make_duplicates(alloc, c)
    tables = county_rows(c)
    public = {o for o, org in c.orgs.items() if org.kind != "company"}
    add_bad_rows(alloc, c, tables, {e for d in pl.drafts for e in d.entities} - public)
    tick("rows")
    return Built(c, pl.drafts, pl.networks, pl.brokers, dups, tables)
