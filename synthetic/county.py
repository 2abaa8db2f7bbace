"""The public bodies of a county: agencies, township governments, village committees.

Examples
--------
>>> import random
>>> from synthetic.alloc import Alloc
>>> from synthetic.model import County
>>> c = County(0, "云溪县", "431221", 0.2, random.Random(0))
>>> build_bodies(Alloc(), c)
>>> c.orgs[c.agency_by_short["县公安局"]].name
'云溪县公安局'
>>> all(c.orgs[v].parent in c.township_ids for v in c.village_ids)
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from synthetic.alloc import Alloc
from synthetic.model import County, Org
from synthetic.names import STREETS, TOWN_SEAT, VILLAGE_WORDS, pick_surname, place_name


@dataclass(frozen=True)
class AgencySpec:
    """A county agency: short name, sector, how much it buys, and whether every county has it."""

    short: str
    sector: str
    buys: float
    core: bool


AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec("县人民政府", "other", 0.0, True),
    AgencySpec("县纪律检查委员会", "other", 0.0, True),
    AgencySpec("县公安局", "law_enforcement", 1.0, True),
    AgencySpec("县人民检察院", "law_enforcement", 0.3, True),
    AgencySpec("县人民法院", "law_enforcement", 0.3, True),
    AgencySpec("县教育局", "education", 2.0, True),
    AgencySpec("县人力资源和社会保障局", "employment", 0.6, True),
    AgencySpec("县卫生健康局", "healthcare", 1.5, True),
    AgencySpec("县民政局", "social_security", 0.8, True),
    AgencySpec("县农业农村局", "rural", 1.5, True),
    AgencySpec("县生态环境局", "environment", 0.8, True),
    AgencySpec("县应急管理局", "safety", 0.6, True),
    AgencySpec("县市场监督管理局", "food_drug", 0.5, True),
    AgencySpec("县住房和城乡建设局", "infrastructure", 2.0, True),
    AgencySpec("县交通运输局", "infrastructure", 2.0, True),
    AgencySpec("县财政局", "other", 0.3, True),
    AgencySpec("县社会保险事务中心", "pension", 0.4, True),
    AgencySpec("县医疗保障局", "healthcare", 0.4, True),
    AgencySpec("县水利局", "rural", 1.2, False),
    AgencySpec("县自然资源局", "other", 0.5, False),
    AgencySpec("县乡村振兴局", "rural", 1.0, False),
    AgencySpec("县退役军人事务局", "social_security", 0.3, False),
    AgencySpec("县残疾人联合会", "social_security", 0.2, False),
    AgencySpec("县文化广电和旅游局", "other", 0.5, False),
    AgencySpec("县发展和改革局", "other", 0.3, False),
    AgencySpec("县审计局", "other", 0.2, False),
    AgencySpec("县司法局", "law_enforcement", 0.3, False),
    AgencySpec("县城市管理和综合执法局", "infrastructure", 0.8, False),
    AgencySpec("县林业局", "environment", 0.6, False),
    AgencySpec("县商务局", "other", 0.2, False),
    AgencySpec("县科学技术局", "other", 0.2, False),
    AgencySpec("县统计局", "other", 0.1, False),
    AgencySpec("县行政审批服务局", "other", 0.2, False),
    AgencySpec("县信访局", "other", 0.1, False),
    AgencySpec("县粮食和物资储备局", "food_drug", 0.3, False),
    AgencySpec("县工业和信息化局", "other", 0.2, False),
    AgencySpec("县疾病预防控制中心", "healthcare", 0.5, False),
    AgencySpec("县公共资源交易中心", "other", 0.1, False),
    AgencySpec("县机关事务服务中心", "other", 0.4, False),
    AgencySpec("县供销合作社联合社", "rural", 0.2, False),
)
AGENCY_SPEC: dict[str, AgencySpec] = {a.short: a for a in AGENCIES}
#: Bodies that are not under the county government.
_NO_PARENT = ("县人民政府", "县纪律检查委员会", "县人民检察院", "县人民法院")


def _address(c: County, town: str, rng_street: str, number: int) -> str:
    return f"{c.name}{town}{rng_street}{number}号"


def build_bodies(alloc: Alloc, c: County) -> None:
    """Create the county's agencies, townships, village committees and public institutions.

    Examples
    --------
    >>> import random
    >>> from synthetic.model import County
    >>> c = County(0, "云溪县", "431221", 1.0, random.Random(0))
    >>> build_bodies(Alloc(), c)
    >>> len(c.agency_by_short), len(c.township_ids), len(c.village_ids)
    (40, 15, 200)
    """
    rng = c.rng
    f = c.fraction
    area = f"07{31 + c.index % 69:02d}"
    n_agencies = len(AGENCIES) if f >= 1 else max(sum(a.core for a in AGENCIES),
                                                  round(len(AGENCIES) * f))
    used_numbers: set[tuple[str, int]] = set()

    def seat_address() -> str:
        while True:
            street, n = rng.choice(STREETS), rng.randint(1, 299)
            if (street, n) not in used_numbers:
                used_numbers.add((street, n))
                return _address(c, TOWN_SEAT, street, n)

    root = ""
    for spec in AGENCIES[:n_agencies]:
        org = c.add_org(Org(
            alloc.next_id("O"), c.name + spec.short[1:], "agency",
            alloc.credit_code(rng, c.region, "11"),
            "" if spec.short in _NO_PARENT else root, c.region, seat_address(),
            alloc.landline(rng, area), None, spec.sector, short=spec.short))
        if spec.short == "县人民政府":
            root = org.oid
        c.agency_by_short[spec.short] = org.oid
    n_towns = max(3, round(15 * f))
    n_villages = max(2 * n_towns, round(200 * f))
    town_names = [TOWN_SEAT]
    while len(town_names) < n_towns:
        t = place_name(rng) + ("镇" if rng.random() < 0.8 else "乡")
        if t not in town_names:
            town_names.append(t)
    for t in town_names:
        org = c.add_org(Org(
            alloc.next_id("O"), f"{c.name}{t}人民政府", "agency",
            alloc.credit_code(rng, c.region, "11"), root, c.region,
            seat_address() if t == TOWN_SEAT else f"{c.name}{t}{rng.choice(STREETS)}"
            f"{rng.randint(1, 120)}号", alloc.landline(rng, area), None, "rural", short=t))
        c.township_ids.append(org.oid)
    per_town = [n_villages // n_towns + (1 if i < n_villages % n_towns else 0)
                for i in range(n_towns)]
    for tid, count in zip(c.township_ids, per_town, strict=True):
        town = c.orgs[tid].short
        names: list[str] = []
        while len(names) < count:
            v = (pick_surname(rng)[:1] + "家村") if rng.random() < 0.35 else \
                rng.choice(VILLAGE_WORDS) + "村"
            if v not in names:
                names.append(v)
        for v in names:
            org = c.add_org(Org(
                alloc.next_id("O"), f"{c.name}{town}{v}村民委员会", "village_committee",
                alloc.credit_code(rng, c.region, "54"), tid, c.region, f"{c.name}{town}{v}",
                alloc.landline(rng, area), None, "rural", town=tid, short=f"{town}{v}"))
            c.village_ids.append(org.oid)
    _institutions(alloc, c, area, seat_address)


def _institutions(alloc: Alloc, c: County, area: str, seat_address: Callable[[], str]) -> None:
    """Schools and health centres (kind ``other``) under the education and health bureaus."""
    rng = c.rng
    edu = c.agency_by_short["县教育局"]
    health = c.agency_by_short["县卫生健康局"]
    county_level = [("县第一中学", edu), ("县第二中学", edu), ("县职业中学", edu),
                    ("县人民医院", health), ("县中医医院", health), ("县妇幼保健院", health)]
    for short, parent in county_level:
        c.add_org(Org(alloc.next_id("O"), c.name + short[1:], "other",
                      alloc.credit_code(rng, c.region, "12"), parent, c.region,
                      seat_address(), alloc.landline(rng, area), None,
                      c.orgs[parent].sector, short=short))
    for tid in c.township_ids:
        town = c.orgs[tid].short
        for suffix, parent in (("中心小学", edu), ("卫生院", health)):
            c.add_org(Org(alloc.next_id("O"), f"{c.name}{town}{suffix}", "other",
                          alloc.credit_code(rng, c.region, "12"), parent, c.region,
                          f"{c.name}{town}{rng.choice(STREETS)}{rng.randint(1, 200)}号",
                          alloc.landline(rng, area), None, c.orgs[parent].sector,
                          short=f"{town}{suffix}"))
