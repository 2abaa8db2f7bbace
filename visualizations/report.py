"""The case-file report: one printable page for a finding or a saved investigation.

The page holds the summary (rule, category, score, status), the explanation in the
language spoken now, a picture of the graph drawn here as inline SVG (no script:
it prints as it shows), the entities and the evidence as tables of facts with the
source file and line of each, and the triage history with its notes. It is one
self-contained HTML file: no script, no request (its Content-Security-Policy forbids
any), every value escaped, identity numbers masked unless ``reveal``; a print
stylesheet lays it on A4 with table rows never split and the picture within a page.
``umbrella report`` writes it (and a PDF through Chromium's print, see
:mod:`exports.pdf`).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store, EntityRecord, RelationRecord
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "x.db")
>>> with store.writer() as w:
...     w.put_entities([EntityRecord("p:1", "person", "张三", {"id_number": "11010519491231002X"}),
...                     EntityRecord("o:1", "organization", "县教育局", {})])
...     w.put_relations([RelationRecord("r1", "HOLDS_POST", "p:1", "o:1", "2019-01-01", None,
...                                     {"title": "局长"}, "positions.csv", 7)])
>>> page = canvas_report(store, title="<案>", entities=["p:1", "o:1"],
...                      positions={"p:1": (0, 0), "o:1": (100, 0)}, hidden=[], notes="",
...                      as_of=None)
>>> "&lt;案&gt;" in page, "positions.csv:7" in page, "110105***********X" in page
(True, True, True)
>>> "<script" in page, "11010519491231002X" in page
(False, False)
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

from graph.errors import StoreError, UmbrellaError
from graph.ids import mask_id_numbers
from graph.store import Store
from graph.store.triage import TriageEntry
from lang import _, pgettext
from lang.formats import date as day
from lang.message import localized
from visualizations.report_facts import (
    EntityRow,
    FactRow,
    canvas_facts,
    finding_facts,
    picture_records,
)
from visualizations.report_svg import graph_svg
from visualizations.safe import plain_text
from visualizations.style import edge_style, node_style
from visualizations.words import category_word, html_lang, kind_word, status_said, tie_word

#: No request of any kind: styles inline, no script, no image, no font, no frame.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"

STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","Microsoft YaHei",
"PingFang SC",sans-serif;color:#111;margin:24px auto;max-width:1000px;font-size:14px;
line-height:1.45}
h1{font-size:21px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 6px;border-bottom:1px solid
#999}
.sub{color:#444;margin:0 0 10px}.caveat{font-style:italic;color:#444}
dl.summary{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:2px 14px;
margin:8px 0}
dl.summary dt{font-weight:bold}dl.summary dd{margin:0}
figure{margin:8px 0;border:1px solid #ccc;padding:4px}figure svg{display:block;width:100%;
height:auto;max-height:150mm}
figcaption{font-size:12px;color:#333}.key{display:inline-block;margin-right:12px}
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.line{display:inline-block;width:18px;height:0;border-top:3px solid;margin-right:4px;
vertical-align:middle}
table{border-collapse:collapse;width:100%;font-size:12.5px;table-layout:auto}
th,td{border:1px solid #bbb;padding:3px 5px;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
th{background:#eee;white-space:nowrap}td.n{text-align:right;white-space:nowrap}
.notes{border-left:3px solid #bbb;padding-left:8px}
footer{margin-top:18px;font-size:11px;color:#555}
@page{size:A4;margin:14mm 12mm}
@media print{body{margin:0;max-width:none;font-size:10pt}
h2{margin:10px 0 4px}table{font-size:9pt}
figure{break-inside:avoid;page-break-inside:avoid}
figure svg{max-height:105mm}
tr,dl.summary{break-inside:avoid;page-break-inside:avoid}
thead{display:table-header-group}h2{break-after:avoid;page-break-after:avoid}}
"""


def _t(value: Any, reveal: bool, limit: int = 2000) -> str:
    """A value as escaped text, control characters out, identity numbers masked unless
    ``reveal`` (every token shaped like one, valid or not)."""
    text = "" if value is None else str(value)
    return escape(plain_text(text if reveal else mask_id_numbers(text), limit))


def _table(cls: str, heads: Sequence[str], rows: Iterable[Sequence[Any]], reveal: bool,
           numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    body = "".join(
        "<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{_t(v, reveal)}</td>'
                         for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def entities_table(rows: Sequence[EntityRow], reveal: bool) -> str:
    """The entities: name, kind, input ids, identity number, defining rows."""
    heads = [pgettext("report", "name"), pgettext("report", "kind"), pgettext("report", "ids"),
             pgettext("report", "identity number"), pgettext("report", "source rows")]
    return _table("entities", heads, ([r.name, kind_word(r.kind), r.ids, r.id_number,
                                       r.sources] for r in rows), reveal)


def facts_table(rows: Sequence[FactRow], reveal: bool, paths: bool) -> str:
    """The evidence: a row per record (with its path number for a finding)."""
    heads = [pgettext("report", "tie"), pgettext("report", "fact"),
             pgettext("report", "dates"), pgettext("report", "source file and line")]
    if paths:
        heads.insert(0, pgettext("report", "path"))
    cells = ([*([str(f.path)] if paths else []), tie_word(f.type), f.sentence, f.dates,
              f.sources] for f in rows)
    return _table("facts", heads, cells, reveal, numeric=(0,) if paths else ())


def history_table(entries: Sequence[TriageEntry], reveal: bool) -> str:
    """The triage history, oldest first, with its notes."""
    heads = [pgettext("report", "when (UTC)"), pgettext("report", "by"),
             pgettext("report", "status"), pgettext("report", "assigned to"),
             pgettext("report", "reason"), pgettext("report", "note")]
    return _table("history", heads, ([e.at, e.author, status_said(e.status), e.assignee,
                                      e.reason, e.note] for e in entries), reveal)


def legend(nodes: Iterable[Any], edges: Iterable[Any]) -> str:
    """The kinds and tie types the picture draws, with their colours."""
    kinds = sorted({n.kind for n in nodes})
    types = sorted({e.type for e in edges})
    keys = [f'<span class="key"><span class="swatch" style="background:'
            f'{node_style(k).color}"></span>{escape(kind_word(k))}</span>' for k in kinds]
    keys += [f'<span class="key"><span class="line" style="border-color:'
             f'{edge_style(t).color}"></span>{escape(tie_word(t))}</span>' for t in types]
    return "".join(keys)


def _figure(entities: Sequence[EntityRow], facts: Sequence[FactRow], highlight: Iterable[str],
            positions: Mapping[str, Sequence[float]] | None, title: str, reveal: bool) -> str:
    nodes, edges = picture_records(entities, facts, highlight)
    svg = graph_svg(nodes, edges, positions, reveal=reveal, title=title)
    return f'<figure class="picture">{svg}<figcaption>{legend(nodes, edges)}</figcaption></figure>'


def _page(title: str, body: list[str], reveal: bool) -> str:
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    foot = (_("Prepared {at} UTC by umbrella. Identity numbers shown in full (--reveal).")
            if reveal else _("Prepared {at} UTC by umbrella. Identity numbers masked.")
            ).format(at=made)
    return ("<!DOCTYPE html>\n"
            f'<html lang="{html_lang()}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{_t(title, reveal, 300)}</title><style>{STYLE}</style></head><body>"
            + "".join(body) + f"<footer>{escape(foot)}</footer></body></html>\n")


def _history(store: Store, finding_id: str) -> list[TriageEntry] | None:
    """The finding's triage entries, or None when the backend keeps no triage."""
    from queries.triage import history

    try:
        return history(store, finding_id)
    except StoreError:
        return None


def finding_report(store: Store, finding_id: str, *, reveal: bool = False) -> str:
    """The case-file report of a stored finding, as one HTML page (see the module)."""
    view = store.view()
    found = view.finding(finding_id)
    if found is None:
        raise UmbrellaError(
            _("no finding {id} in this database").format(id=repr(finding_id)),
            hint=_("run umbrella scan first, then use an id it lists (F-...)"))
    finding = localized(found)
    entries = _history(store, finding_id)
    status = entries[-1].status if entries else "new"
    entities, facts = finding_facts(view, finding)
    title = str(finding.get("title", ""))
    summary = [
        (pgettext("report", "finding"), finding_id),
        (pgettext("report", "rule"), finding.get("rule", "")),
        (pgettext("report", "category"), category_word(str(finding.get("category", "")))),
        (pgettext("report", "score"), f"{float(finding.get('score', 0)):.2f}"),
        (pgettext("report", "status"), status_said(status) if entries is not None
         else _("not kept by this database")),
    ]
    if finding.get("date"):
        summary.append((pgettext("report", "date"), day(str(finding["date"]))))
    if entries:
        summary.append((pgettext("report", "assigned to"), entries[-1].assignee or "—"))
    body = [f"<h1>{_t(title, reveal)}</h1>",
            _tag("p", _("Case-file report of finding {id}").format(id=finding_id), "sub"),
            _summary(summary, reveal),
            _tag("p", _("A pattern for review, not an accusation."), "caveat"),
            _tag("h2", _("Explanation")),
            f'<p class="explanation">{_t(finding.get("explanation", ""), reveal)}</p>',
            _tag("h2", _("Picture of the evidence")),
            _figure(entities, facts, finding.get("keys", []), None, title, reveal),
            _tag("h2", _("Evidence: the facts and their sources")),
            facts_table(facts, reveal, paths=True),
            _tag("h2", _("Entities")), entities_table(entities, reveal),
            _tag("h2", _("Triage history and notes"))]
    if entries is None:
        body.append(_tag("p", _("This database keeps no triage.")))
    elif not entries:
        body.append(_tag("p", _("Nobody has triaged this finding yet.")))
    else:
        body.append(history_table(entries, reveal))
    return _page(title, body, reveal)


def _tag(name: str, text: str, cls: str = "") -> str:
    """``<name>`` holding ``text`` (one of the page's own words), escaped."""
    attr = f' class="{cls}"' if cls else ""
    return f"<{name}{attr}>{escape(text)}</{name}>"


def _lines(text: str, reveal: bool) -> str:
    """Text of several lines, each escaped, kept apart with ``<br>``."""
    return "<br>".join(_t(line, reveal) for line in (text or "").strip().splitlines())


def _summary(items: Sequence[tuple[str, Any]], reveal: bool) -> str:
    cells = "".join(f"<dt>{escape(k)}</dt><dd>{_t(v, reveal)}</dd>" for k, v in items)
    return f'<dl class="summary">{cells}</dl>'


def canvas_report(store: Store, *, title: str, entities: Sequence[str],
                  positions: Mapping[str, Sequence[float]], hidden: Iterable[str],
                  notes: str, as_of: str | None, reveal: bool = False) -> str:
    """The case-file report of a saved investigation (its canvas as values: the entity
    keys, their positions, the hidden entities and ties, the date, the notes)."""
    rows, facts = canvas_facts(store.view(), entities, hidden, as_of)
    no_notes = _("No notes.")
    summary: list[tuple[str, Any]] = [
        (pgettext("report", "investigation"), title),
        (pgettext("report", "entities"), str(len(rows))),
        (pgettext("report", "ties"), str(len(facts)))]
    if as_of:
        summary.append((pgettext("report", "as of"), day(as_of)))
    body = [f"<h1>{_t(title, reveal)}</h1>",
            _tag("p", _("Case-file report of a saved investigation"), "sub"),
            _summary(summary, reveal),
            _tag("h2", _("Notes")),
            f'<p class="notes">{_lines(notes, reveal) or escape(no_notes)}</p>',
            _tag("h2", _("Picture of the investigation")),
            _figure(rows, facts, (), positions, title, reveal),
            _tag("h2", _("Ties between the entities and their sources")),
            facts_table(facts, reveal, paths=False),
            _tag("h2", _("Entities")), entities_table(rows, reveal)]
    return _page(title, body, reveal)
