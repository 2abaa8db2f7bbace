"""``umbrella areas``: risk by township and village, government body or sector.

The click layer only: :func:`queries.areas.area_map` counts and compares, this module
turns the areas into a terminal table, CSV/JSON/XLSX (:mod:`umbrella.output`) and the
offline page (:func:`visualizations.areas.areas_page`), and records what was shown
(``view``) or written (``export``) in the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from lang import _, formats, language
from queries.areas import BY, LEVELS, Area, AreaMap
from umbrella import console
from umbrella.audit_cmd import audit_options
from umbrella.audit_record import looked
from umbrella.options import db_option, open_existing
from umbrella.output import Output, Rows, Table, output_options, print_table, write

#: The terminal's columns (readable at 100 columns).
TABLE_COLUMNS = ["rank", "area", "level", "findings", "weight", "confirmed", "money per head",
                 "ratio"]
#: The columns of CSV, JSON and XLSX (then one column per finding category).
FILE_COLUMNS = ["rank", "area", "level", "findings", "weight", "confirmed", "tip-offs",
                "money", "heads", "money per head", "expected", "raw ratio", "ratio", "low",
                "high"]


def table_rows(areas: Sequence[Area]) -> list[list[str]]:
    """The terminal's rows of ``areas``.

    Examples
    --------
    >>> a = Area("township:城关镇", "城关镇", "township", 1, 3, 2.1, 1, 2, 900.0, 30, 1.5,
    ...          2.0, 1.6, 1.1, 2.3)
    >>> table_rows([a])
    [['1', '城关镇', 'township', '3', '2.10', '1', '¥30', '1.60 (1.10–2.30)']]
    """
    from visualizations.areas import area_label, level_word, ratio_text

    return [[str(a.rank), area_label(a), level_word(a.level), str(a.findings),
             f"{a.weight:.2f}", str(a.confirmed), per_head(a.money_per_head),
             ratio_text(a)] for a in areas]


def per_head(amount: float) -> str:
    """Money per head for a narrow column: whole yuan (in Chinese, 万 above ten thousand).

    Examples
    --------
    >>> per_head(36546.4)
    '¥36,546'
    """
    if language() == "zh":
        return formats.money(round(amount), "CNY", "zh", compact=True)
    return f"¥{round(amount):,}"


def file_rows(amap: AreaMap, text: bool) -> list[list[Any]]:
    """Every area with every column (``text``: as CSV and XLSX show them)."""
    from visualizations.areas import area_label, level_word

    rows: list[list[Any]] = []
    for a in amap.areas:
        row: list[Any] = [a.rank, area_label(a) if text else a.name,
                          level_word(a.level) if text else a.level, a.findings,
                          round(a.weight, 4), a.confirmed, a.tipoffs, a.money, a.heads,
                          round(a.money_per_head, 2), round(a.expected, 4), round(a.raw, 4),
                          round(a.ratio, 4), round(a.low, 4), round(a.high, 4)]
        row += [a.categories.get(c, (0, 0.0))[0] for c in amap.categories]
        rows.append([str(v) for v in row] if text else row)
    return rows


def as_json(amap: AreaMap) -> dict[str, Any]:
    """The map as JSON keeps it: machine names and numbers, each area with its findings'
    ids and its counts and weights by category.

    Examples
    --------
    >>> a = Area("township:城关镇", "城关镇", "township", 1, 1, 0.5, 0, 0, 0.0, 3, 0.5, 2.0,
    ...          1.2, 0.4, 2.6, {"collusion": (1, 0.5)}, ("F-1",))
    >>> as_json(AreaMap("region", [a], ["collusion"], 1, 0, 0, {"township": 0.1}))["areas"][0][
    ...     "categories"]
    {'collusion': {'findings': 1, 'weight': 0.5}}
    """
    return {
        "by": amap.by, "counted": amap.counted, "unplaced": amap.unplaced,
        "dismissed": amap.dismissed, "rates": amap.rates, "categories": amap.categories,
        "areas": [{"rank": a.rank, "key": a.key, "area": a.name, "level": a.level,
                   "findings": a.findings, "weight": a.weight, "confirmed": a.confirmed,
                   "tip-offs": a.tipoffs, "money": a.money, "heads": a.heads,
                   "money per head": round(a.money_per_head, 2),
                   "expected": round(a.expected, 6), "raw ratio": round(a.raw, 6),
                   "ratio": round(a.ratio, 6), "low": round(a.low, 6),
                   "high": round(a.high, 6),
                   "categories": {c: {"findings": n, "weight": round(w, 6)}
                                  for c, (n, w) in a.categories.items()},
                   "finding ids": list(a.finding_ids)} for a in amap.areas],
    }


def _write_json(amap: AreaMap, out: Output) -> None:
    import json
    import sys

    from umbrella.output import written
    from umbrella.report_cmd import write_text

    text = json.dumps(as_json(amap), ensure_ascii=False, indent=1) + "\n"
    if out.path is None:
        sys.stdout.write(text)
        return
    write_text(out.path, text)
    console.err.print(written(len(amap.areas), "rows", out.path), soft_wrap=True)


def notes(amap: AreaMap) -> list[str]:
    """The lines under the table: what was counted, how areas are compared, the rates."""
    from visualizations.areas import level_word, method_note, summary

    rates = "; ".join(_("{level}: {rate} findings per head").format(
        level=level_word(level), rate=f"{rate:.4f}") for level, rate in amap.rates.items())
    return [summary(amap), method_note(amap.by),
            _("County rates: {rates}.").format(rates=rates)]


@click.command("areas")
@db_option
@click.option("--by", "by", type=click.Choice(BY), default="region", show_default=True,
              help="Cut the county by township and village, government body or sector.")
@click.option("--level", "level", type=click.Choice(sorted({lv for v in LEVELS.values()
                                                           for lv in v})),
              help="Only areas of this level (region: township or village).")
@click.option("--limit", type=click.IntRange(min=1), default=15, show_default=True,
              help="Areas shown per level on the terminal and in the page's chart.")
@click.option("--dismissed", "dismissed", is_flag=True,
              help="Count findings dismissed in triage too.")
@click.option("--html", "html", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write an offline page: ranked bar chart and heat table.")
@output_options("areas")
@audit_options
def areas_command(db: str, by: str, level: str | None, limit: int, dismissed: bool,
                  html: Path | None, out: Output) -> None:
    """Rank townships and villages, government bodies or sectors by risk.

    For each area: findings (count and summed scores, by category), findings
    confirmed in triage, tip-offs, money at stake per head, and the ratio of its
    findings to what the county's own rate would give for its size, shrunk by a
    Poisson-Gamma empirical-Bayes estimate with a 95% credible interval, so that a
    big township is not first for being big and a small one not for one finding.
    A finding counts once in each area of the entities it names. See docs/areas.md.

    \b
    Example:
      umbrella areas
      umbrella areas --by agency --format xlsx -o 部门.xlsx
      umbrella --lang zh areas --by region --level village --html 乡村风险.html
      umbrella areas --by sector --format csv -o sectors.csv
    """
    from queries.areas import area_map
    from queries.triage import current_statuses
    from visualizations.areas import areas_page, by_word

    if level is not None and level not in LEVELS[by]:
        from graph.errors import UmbrellaError

        raise UmbrellaError(_("--level {level} is not a level of --by {by}").format(
            level=level, by=by), hint=_("levels of --by {by}: {levels}").format(
            by=by, levels=", ".join(LEVELS[by])))
    store = open_existing(db)
    try:
        current = current_statuses(store)
        statuses = {fid: e.status for fid, e in (current or {}).items()}
        amap = area_map(store.view(), by, statuses, dismissed=dismissed)
    finally:
        store.close()
    if level is not None:
        amap = AreaMap(amap.by, [a for a in amap.areas if a.level == level], amap.categories,
                       amap.counted, amap.unplaced, amap.dismissed,
                       {level: amap.rates[level]})
    if html is not None:
        from umbrella.report_cmd import write_text

        looked(db, f"areas by {by}", file=html)
        write_text(html, areas_page(amap, limit))
        console.out.print(_("Wrote the areas page to {path}.").format(path=html),
                          soft_wrap=True)
        if out.fmt == "table":
            return
    looked(db, f"areas by {by}", out=out)
    if out.fmt == "table":
        shown = [a for lv in LEVELS[by] for a in [x for x in amap.areas if x.level == lv][:limit]]
        title = _("Risk by {cut}: {n} areas (top {top} per level shown)").format(
            cut=by_word(by), n=len(amap.areas), top=limit)
        print_table(Table(title, TABLE_COLUMNS, table_rows(shown),
                          right=("rank", "findings", "weight", "confirmed", "money per head"),
                          notes=notes(amap)))
        return
    if out.fmt == "json":
        _write_json(amap, out)
        return
    columns = [*FILE_COLUMNS, *amap.categories]
    write(Rows(columns, file_rows(amap, out.fmt != "json"),
               title=_("Risk by {cut}").format(cut=by_word(by))), out)
