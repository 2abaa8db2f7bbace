"""The words the workbench's page shows around the data, in the run's language.

The page (``static/index.html`` and ``static/app.js``) is the same file in every
language; it asks ``GET /api/strings`` for :func:`ui_strings` and puts each text on
screen with ``textContent``. Keys are stable; templates carry ``{fields}`` that the
script fills in (data is never glued into a translated sentence by the translator).
Node kinds and tie types come as ``kind.<code>`` and ``type.<CODE>``, property names
as ``prop.<name>``, all from the words the HTML views already use.

Examples
--------
>>> from lang import use_language
>>> s = ui_strings()
>>> s["search.placeholder"], s["type.KIN"], s["kind.person"]
('Name, id, identity number or phone', 'KIN', 'person')
>>> with use_language("zh"):
...     z = ui_strings()
>>> z["kind.person"], z["type.HOLDS_POST"]
('人员', '任职')
>>> sorted(set(s) ^ set(z))
[]
"""

from __future__ import annotations

from graph.schema import ENTITY_PROPS, NODE_KINDS, REL_TYPES, SECTORS
from lang import language, pgettext
from lang.message import word_in
from visualizations.words import category_word, kind_word, prop_label, tie_word
from visualizations.workbench.triage_words import triage_words

#: Property names the entity panel labels (beside every property the schema lists).
_EXTRA_PROPS = ("id_number", "name", "kind", "note", "gender", "birth_date", "title")

#: Finding categories the leads filter offers.
CATEGORIES = ("conflict_of_interest", "subsidy_fraud", "collusion", "umbrella", "recusal",
              "cluster", "broker")


def _words() -> dict[str, str]:
    return {
        "app.title": pgettext("workbench", "umbrella workbench"),
        "app.loading": pgettext("workbench", "Loading…"),
        "app.session_lost": pgettext(
            "workbench", "The session has ended: open the address `umbrella serve` printed again."),
        "app.error": pgettext("workbench", "{error} ({hint})"),
        "tab.canvas": pgettext("workbench", "Canvas"),
        "tab.leads": pgettext("workbench", "Leads"),
        "search.label": pgettext("workbench", "Search"),
        "search.placeholder": pgettext("workbench", "Name, id, identity number or phone"),
        "search.none": pgettext("workbench", "Nothing found for “{q}”."),
        "search.match.name": pgettext("workbench", "name"),
        "search.match.id": pgettext("workbench", "id"),
        "search.match.id_number": pgettext("workbench", "identity number"),
        "search.match.phone": pgettext("workbench", "phone"),
        "canvas.empty": pgettext(
            "workbench", "Search for a person, an organisation or an id, or open a lead, to start. "
               "Double-click a node to add its neighbours."),
        "canvas.count": pgettext("workbench",
                                 "{nodes} nodes, {edges} ties shown ({hidden} hidden)"),
        "canvas.more": pgettext("workbench", "and {n} more"),
        "canvas.more_tip": pgettext("workbench", "Double-click to add the next {n} of {total}"),
        "canvas.expanded": pgettext("workbench", "Added {n} of {total} neighbours of {name}."),
        "canvas.nothing_more": pgettext("workbench", "{name} has no more neighbours to add."),
        "canvas.source": pgettext("workbench", "source {file}:{line}"),
        "canvas.period": pgettext("workbench", "{start} to {end}"),
        "canvas.since": pgettext("workbench", "since {start}"),
        "canvas.until": pgettext("workbench", "until {end}"),
        "tool.expand": pgettext("workbench", "Expand"),
        "tool.hide": pgettext("workbench", "Hide"),
        "tool.show_hidden": pgettext("workbench", "Show hidden"),
        "tool.pin": pgettext("workbench", "Pin"),
        "tool.unpin": pgettext("workbench", "Unpin"),
        "tool.remove": pgettext("workbench", "Remove"),
        "tool.undo": pgettext("workbench", "Undo"),
        "tool.fit": pgettext("workbench", "Fit"),
        "tool.tidy": pgettext("workbench", "Tidy unpinned"),
        "tool.clear": pgettext("workbench", "Clear"),
        "tool.need_selection": pgettext("workbench", "Select a node on the canvas first."),
        "filter.types": pgettext("workbench", "Tie types"),
        "filter.asof": pgettext("workbench", "Ties in force on"),
        "filter.asof_off": pgettext("workbench", "any date"),
        "screen.title": pgettext("workbench", "Conflict screen"),
        "screen.left": pgettext("workbench", "Left: a buying body, a case, an official (ids)"),
        "screen.right": pgettext("workbench", "Right: bidders, officials proposed (ids)"),
        "screen.on": pgettext("workbench", "On (default today)"),
        "screen.go": pgettext("workbench", "Screen"),
        "screen.need_both": pgettext("workbench", "Give ids on both sides."),
        "screen.pair": pgettext("workbench", "{left} and {right}: {ties} ties"),
        "screen.found": pgettext("workbench", "Ties found on {day}: {n}, shown on the canvas."),
        "screen.none": pgettext("workbench", "No tie found on {day}."),
        "path.title": pgettext("workbench", "Path finder"),
        "path.from": pgettext("workbench", "From"),
        "path.to": pgettext("workbench", "To"),
        "path.set_from": pgettext("workbench", "Selected as start"),
        "path.set_to": pgettext("workbench", "Selected as end"),
        "path.include": pgettext("workbench", "Only these tie types"),
        "path.exclude": pgettext("workbench", "Never these tie types"),
        "path.max_hops": pgettext("workbench", "Most hops"),
        "path.hub_degree": pgettext("workbench", "Avoid hubs with more ties than"),
        "path.find": pgettext("workbench", "Find path"),
        "path.need_two": pgettext("workbench", "Choose a start and an end node (select two nodes "
                                     "with Ctrl+click, or use the buttons)."),
        "path.found": pgettext("workbench", "Paths found: {n}, the shortest {hops} ties long."),
        "path.hubs": pgettext("workbench", "Avoided {n} hubs."),
        "path.none": pgettext("workbench", "No path within {hops} ties avoiding hubs."),
        "export.title": pgettext("workbench", "Export the canvas"),
        "export.html": pgettext("workbench", "HTML view"),
        "export.csv": pgettext("workbench", "CSV"),
        "export.xlsx": pgettext("workbench", "XLSX"),
        "export.done": pgettext("workbench", "Exported {nodes} nodes and {edges} ties as {file}."),
        "export.empty": pgettext("workbench", "The canvas is empty: nothing to export."),
        "panel.title": pgettext("workbench", "Details"),
        "panel.empty": pgettext("workbench", "Click a node to see its properties, ties, leads and "
                                   "timeline."),
        "panel.properties": pgettext("workbench", "Properties"),
        "panel.ties": pgettext("workbench", "Ties"),
        "panel.findings": pgettext("workbench", "Leads naming it"),
        "panel.timeline": pgettext("workbench", "Timeline"),
        "panel.none": pgettext("workbench", "none"),
        "panel.add": pgettext("workbench", "Add to canvas"),
        "panel.masked": pgettext("workbench", "Identity numbers are masked (start with --reveal "
                                    "to show them)."),
        "panel.group": pgettext("workbench", "{type} ({n})"),
        "panel.ties_capped": pgettext("workbench", "The {n} strongest of {total} ties:"),
        "panel.evidence": pgettext("workbench", "Evidence"),
        "panel.explanation": pgettext("workbench", "Explanation"),
        "leads.title": pgettext("workbench", "Leads"),
        "leads.rule": pgettext("workbench", "Rule"),
        "leads.category": pgettext("workbench", "Category"),
        "leads.any": pgettext("workbench", "any"),
        "leads.min_score": pgettext("workbench", "Lowest score"),
        "leads.sector": pgettext("workbench", "Sector"),
        "leads.region": pgettext("workbench", "Region"),
        "leads.from": pgettext("workbench", "From date"),
        "leads.to": pgettext("workbench", "To date"),
        "leads.apply": pgettext("workbench", "Apply"),
        "leads.col.score": pgettext("workbench", "Score"),
        "leads.col.rule": pgettext("workbench", "Rule"),
        "leads.col.title": pgettext("workbench", "Title"),
        "leads.col.names": pgettext("workbench", "Names"),
        "leads.col.date": pgettext("workbench", "Date"),
        "leads.col.sector": pgettext("workbench", "Sector"),
        "leads.col.id": pgettext("workbench", "Lead"),
        "leads.count": pgettext("workbench", "{shown} of {total} leads"),
        "leads.prev": pgettext("workbench", "Previous"),
        "leads.next": pgettext("workbench", "Next"),
        "leads.open": pgettext("workbench", "Open on the canvas"),
        "leads.coverage": pgettext("workbench", "Coverage of the rules"),
        "leads.opened": pgettext("workbench", "Lead {id} on the canvas: its evidence is marked."),
    }


def ui_strings() -> dict[str, str]:
    """Every word of the workbench's page in the language spoken now, by stable key."""
    out = _words()
    out.update({f"kind.{k}": kind_word(k) for k in NODE_KINDS})
    out.update({f"type.{t}": tie_word(t) for t in REL_TYPES})
    out.update({f"category.{c}": category_word(c) for c in CATEGORIES})
    out.update({f"sector.{c}": word_in("sector", c, language()) for c in SECTORS})
    props = {p for fields in ENTITY_PROPS.values() for p, _ in fields} | set(_EXTRA_PROPS)
    out.update({f"prop.{p}": prop_label(p) for p in sorted(props)})
    out.update(triage_words())
    return out
