"""Pages for a scan: one finding view per top finding, and an index page linking them.

The index is plain HTML with no script at all: every value is escaped, the
Content-Security-Policy forbids every request, and links are relative file
names inside the same folder. Its headers, title and note are in the run's
language, as are the findings' titles (rendered again from their messages).

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store import open_store
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> store = open_store(d / "x.db")
>>> f = {"id": "F-1", "rule": "COI-001", "category": "conflict_of_interest", "score": 0.9,
...      "title": "<script>alert(1)</script>", "entities": ["P1"], "keys": [],
...      "evidence": [], "explanation": "…"}
>>> index = write_scan_pages(store, [f], d / "pages")
>>> sorted(p.name for p in (d / "pages").iterdir())
['F-1.html', 'index.html']
>>> "<script>alert" in index.read_text(encoding="utf-8")
False
>>> store.close()
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from graph.store import Store, StoreView
from graph.store.triage import status_word
from lang import _, ngettext
from lang.formats import date, number
from lang.message import localized
from queries.naming import entities_cell
from visualizations.builder import DEFAULT_MAX_NODES
from visualizations.pages import finding_page
from visualizations.safe import shown
from visualizations.words import column, html_lang

INDEX_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
             "form-action 'none'")
_STYLE = """body { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
 margin: 16px; color: #222; } table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; } td.k { white-space: nowrap; } .muted { color: #666; }"""


def page_name(finding_id: str) -> str:
    """A safe file name for a finding's page.

    Examples
    --------
    >>> page_name("F-3a9c0e12b4d1"), page_name("../../etc/x")
    ('F-3a9c0e12b4d1.html', '______etc_x.html')
    """
    return re.sub(r"[^A-Za-z0-9_-]", "_", finding_id)[:80] + ".html"


def index_html(rows: Sequence[Mapping[str, Any]], title: str, note: str = "",
               reveal: bool = False) -> str:
    """The index page: one table row per finding (``page``, score, rule, title, ..., its
    triage ``status``, blank when it has none)."""
    def esc(v: Any, limit: int = 300) -> str:
        return html.escape(shown(v, reveal, limit), quote=True)

    body = []
    for r in rows:
        day = date(str(r["date"])) if r.get("date") else ""
        body.append(
            f'<tr><td class="n k">{float(r.get("score", 0)):.2f}</td>'
            f'<td class="k">{esc(r.get("rule"))}</td>'
            f'<td><a href="{html.escape(str(r["page"]), quote=True)}">{esc(r.get("title"))}</a>'
            f'</td><td>{esc(entities_cell(r), 200)}</td>'
            f'<td class="k">{esc(day)}</td><td class="muted k">{esc(r.get("id"))}</td>'
            f'<td class="k">{esc(status_word(str(r.get("status") or "")))}</td></tr>')
    head = "".join(f"<th>{esc(column(c))}</th>"
                   for c in ("score", "rule", "finding", "entities", "date", "id", "status"))
    return (f'<!DOCTYPE html>\n<html lang="{html_lang()}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{INDEX_CSP}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            f"<title>{esc(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{esc(title)}</h1>\n"
            + (f'<p class="muted">{esc(note, 1000)}</p>\n' if note else "")
            + f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body)
            + "\n</tbody>\n</table>\n</body>\n</html>\n")


def write_scan_pages(store: Store | StoreView, findings: Sequence[Mapping[str, Any]],
                     out_dir: str | Path, top: int = 20, reveal: bool = False,
                     max_nodes: int = DEFAULT_MAX_NODES) -> Path:
    """Write one finding page per top finding and ``index.html`` into ``out_dir``.

    ``findings`` are finding dicts (as :func:`queries.scan.scan` returns them,
    best first). Returns the path of the index page. Nothing is written
    outside ``out_dir``.
    """
    view: StoreView = store.view() if hasattr(store, "view") else store
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    chosen = [localized(f) for f in list(findings)[:max(top, 0)]]
    for f in chosen:
        name = page_name(str(f["id"]))
        finding_page(view, f, reveal=reveal, max_nodes=max_nodes).write(out / name)
        rows.append({**f, "page": name})
    note = ngettext("Top {n} of {total} finding, best first. Each page opens offline. A "
                    "finding is a pattern for review, not an accusation.",
                    "Top {n} of {total} findings, best first. Each page opens offline. A "
                    "finding is a pattern for review, not an accusation.", len(findings)
                    ).format(n=number(len(chosen)), total=number(len(findings)))
    index = out / "index.html"
    index.write_text(index_html(rows, _("umbrella findings"), note, reveal), encoding="utf-8")
    return index
