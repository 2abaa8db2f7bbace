"""Risk by area as a person reads it: words, the ranked bar chart and the heat table.

:func:`areas_page` writes one self-contained HTML page: a ranked bar chart (inline SVG
drawn here: each area's ratio to the county's rate as a bar, its 95 % credible interval
as a whisker, the county's own rate as the line at 1) and a heat table (areas ×
finding categories, the count in each cell, shaded by it). No script, no request (the
Content-Security-Policy forbids every one), every text escaped.

Examples
--------
>>> from queries.areas import Area, AreaMap
>>> a = Area("township:城关镇", "城关镇", "township", 1, 3, 2.1, 1, 2, 900.0, 30, 1.5, 2.0,
...          1.6, 1.1, 2.3, {"subsidy_fraud": (3, 2.1)}, ("F-1", "F-2", "F-3"))
>>> ratio_text(a), area_label(a)
('1.60 (1.10–2.30)', '城关镇')
>>> page = areas_page(AreaMap("region", [a], ["subsidy_fraud"], 3, 0, 0, {"township": 0.1}))
>>> "<svg" in page and "城关镇" in page and "<script" not in page
True
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from lang import _, pgettext
from queries.areas import Area, AreaMap
from visualizations.safe import plain_text
from visualizations.words import category_word, html_lang

#: No request of any kind: styles inline, no script, no image, no font, no frame.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"
#: Areas drawn in the chart and rows of the heat table, per level.
TOP = 30

STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","Microsoft YaHei",
"PingFang SC",sans-serif;color:#111;margin:24px auto;max-width:1100px;font-size:14px;
line-height:1.45;padding:0 12px}
h1{font-size:21px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 6px;border-bottom:1px solid
#999}.sub{color:#444;margin:0 0 10px}
figure{margin:8px 0}svg{width:100%;height:auto;display:block}
table.heat{border-collapse:collapse;font-size:13px}table.heat th,table.heat td{border:1px
solid #ccc;padding:2px 6px;text-align:right}table.heat th.area,table.heat td.area{text-align:
left}table.heat td.zero{color:#999}
footer{margin-top:24px;color:#555;font-size:12px}
"""


def level_word(level: str) -> str:
    """A level of areas in the reader's words.

    Examples
    --------
    >>> level_word("township"), level_word("agency")
    ('township', 'agency')
    """
    return {
        "township": pgettext("area level", "township"),
        "village": pgettext("area level", "village"),
        "agency": pgettext("area level", "agency"),
        "sector": pgettext("area level", "sector"),
    }.get(level, level)


def by_word(by: str) -> str:
    """The cut of a map (region, agency, sector) in the reader's words."""
    return {
        "region": pgettext("area cut", "township and village"),
        "agency": pgettext("area cut", "government body"),
        "sector": pgettext("area cut", "sector"),
    }.get(by, by)


def area_label(area: Area) -> str:
    """An area's name as shown: a sector in the reader's words, others as written."""
    if area.level == "sector":
        from lang import language
        from lang.message import word_in

        return word_in("sector", area.name, language())
    return area.name


def ratio_text(area: Area) -> str:
    """The ratio to the county's rate and its 95 % credible interval."""
    return f"{area.ratio:.2f} ({area.low:.2f}–{area.high:.2f})"


def bars_svg(areas: Sequence[Area], title: str) -> str:
    """The ranked bar chart of ``areas`` (in the order given) as inline SVG.

    Examples
    --------
    >>> from queries.areas import Area
    >>> a = Area("sector:rural", "<rural>", "village", 1, 1, 1.0, 0, 0, 0.0, 1, 1.0, 1.0,
    ...          1.2, 0.5, 2.0)
    >>> svg = bars_svg([a], "t")
    >>> "&lt;rural&gt;" in svg and svg.count('class="bar"') == 1
    True
    """
    width, left, right, row, top = 1000.0, 230.0, 130.0, 24.0, 34.0
    scale_max = max([2.0, *(a.high for a in areas)])
    span = width - left - right

    def x(v: float) -> float:
        return left + span * min(v, scale_max) / scale_max

    height = top + row * len(areas) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    one = x(1.0)
    county = _("county rate = 1")
    for i, a in enumerate(areas):
        y = top + i * row
        colour = "#c0392b" if a.low > 1 else "#e67e22" if a.ratio > 1 else "#7f8c8d"
        name = escape(plain_text(f"{a.rank}. {area_label(a)}", 24))
        out.append(
            f'<g class="area-bar"><text x="{left - 8:.0f}" y="{y + 15:.1f}" font-size="13" '
            f'text-anchor="end">{name}</text>'
            f'<rect class="bar" x="{left:.0f}" y="{y + 4:.1f}" width="{x(a.ratio) - left:.1f}" '
            f'height="{row - 8:.0f}" fill="{colour}"><title>{escape(area_label(a))}: '
            f'{escape(ratio_text(a))}</title></rect>'
            f'<line class="interval" x1="{x(a.low):.1f}" x2="{x(a.high):.1f}" '
            f'y1="{y + row / 2:.1f}" y2="{y + row / 2:.1f}" stroke="#111" stroke-width="1.5"/>'
            f'<text x="{width - right + 14:.0f}" y="{y + 15:.1f}" font-size="12">'
            f'{escape(ratio_text(a))}</text></g>')
    bottom = top + row * len(areas)
    out.append(f'<line class="baseline" x1="{one:.1f}" x2="{one:.1f}" y1="{top - 6:.0f}" '
               f'y2="{bottom:.0f}" stroke="#2c3e50" stroke-dasharray="4 3"/>'
               f'<text x="{one:.1f}" y="{top - 12:.0f}" font-size="12" text-anchor="middle">'
               f'{escape(county)}</text>')
    for tick in range(0, int(scale_max) + 1):
        out.append(f'<text x="{x(tick):.1f}" y="{bottom + 18:.0f}" font-size="11" '
                   f'text-anchor="middle" fill="#555">{tick}</text>')
    out.append("</svg>")
    return "".join(out)


def heat_table(areas: Sequence[Area], categories: Sequence[str]) -> str:
    """The areas × categories table: each cell the area's findings of that category,
    shaded by their count against the largest cell."""
    most = max([1, *(a.categories.get(c, (0, 0.0))[0] for a in areas for c in categories)])
    head = "".join(f"<th>{escape(category_word(c))}</th>" for c in categories)
    area, findings = pgettext("column", "area"), pgettext("column", "findings")
    rows = []
    for a in areas:
        cells = []
        for c in categories:
            n, w = a.categories.get(c, (0, 0.0))
            shade = 0.08 + 0.8 * n / most if n else 0.0
            style = f' style="background:rgba(192,57,43,{shade:.2f})"' if n else ""
            cls = ' class="zero"' if not n else ""
            cells.append(f'<td{cls}{style} title="{escape(f"{w:.2f}")}">{n}</td>')
        rows.append(f'<tr><td class="area">{escape(plain_text(area_label(a), 60))}</td>'
                    + "".join(cells) + f"<td>{a.findings}</td></tr>")
    return (f'<table class="heat"><thead><tr><th class="area">'
            f"{escape(area)}</th>{head}"
            f"<th>{escape(findings)}</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def areas_page(amap: AreaMap, top: int = TOP) -> str:
    """The page of ``amap`` (see the module): for each level, the ``top`` areas."""
    title = _("Risk by {cut}").format(cut=by_word(amap.by))
    body = [f"<h1>{escape(title)}</h1>",
            f'<p class="sub">{escape(summary(amap))}</p>',
            f'<p class="sub">{escape(method_note(amap.by))}</p>']
    for level in dict.fromkeys(a.level for a in amap.areas):
        shown = [a for a in amap.areas if a.level == level][:top]
        heading = _("{level}: ratio to the county's rate (95% interval)").format(
            level=level_word(level))
        heat = _("{level}: findings by category").format(level=level_word(level))
        body.append(f'<section class="level" data-level="{escape(level)}">'
                    f"<h2>{escape(heading)}</h2>"
                    f'<figure class="bars">{bars_svg(shown, heading)}</figure>'
                    f"<h2>{escape(heat)}</h2>"
                    f"{heat_table(shown, amap.categories)}</section>")
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    foot = _("Prepared {at} UTC by umbrella.").format(at=made)
    return ("<!DOCTYPE html>\n"
            f'<html lang="{html_lang()}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
            + "".join(body) + f"<footer>{escape(foot)}</footer></body></html>\n")


def summary(amap: AreaMap) -> str:
    """One line: findings counted, in no area, dismissed and left out."""
    return _("{counted} findings counted in at least one area; {unplaced} name no entity of "
             "any area; {dismissed} dismissed in triage and left out.").format(
        counted=amap.counted, unplaced=amap.unplaced, dismissed=amap.dismissed)


def method_note(by: str) -> str:
    """How the areas are compared with the county, for the table's notes and the page."""
    heads = {
        "region": _("heads = people and organisations placed in the area"),
        "agency": _("heads = the body's staff and the bodies under it"),
        "sector": _("heads = buyers, payers, approvers, suppliers and recipients of the "
                    "sector's contracts and payments"),
    }.get(by, "")
    return _("Ratio = findings against those expected at the county's rate for the area's "
             "heads ({heads}), shrunk towards 1 by a Poisson-Gamma empirical-Bayes "
             "estimate; 95% credible interval in brackets.").format(heads=heads)
