"""``umbrella evaluate``: the stored leads checked against confirmed cases.

A thin layer over :mod:`queries.evaluate`: read the truth file and the last scan's
findings, measure, and write the result through the output layer
(:class:`umbrella.output.Report`: precision at k, recall per category, the rank of
each confirmed item, the false leads at the top and the truth-file rows set aside).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from lang import _, pgettext
from umbrella.audit_cmd import audit_options
from umbrella.audit_record import looked
from umbrella.options import db_option, open_existing
from umbrella.output import Output, Report, Section, output_options, vocabulary_word, write

if TYPE_CHECKING:
    from graph.store import StoreView
    from queries.evaluate import Evaluation, TruthFile
    from queries.feedback import SimilarConfirmed

#: Ids of a group listed in a cell (the rest counted; JSON holds them all).
_SHOWN_IDS = 3


class KsType(click.ParamType[list[int]]):
    """``--k``: whole numbers of at least 1, comma- or space-separated (``10,20,50``).

    Examples
    --------
    >>> KsType().convert("10, 20 50", None, None)
    [10, 20, 50]
    """

    name = "k"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> list[int]:
        if isinstance(value, list):
            return value
        parts = str(value).replace(",", " ").split()
        try:
            ks = [int(p) for p in parts]
        except ValueError:
            ks = []
        if not ks or any(k < 1 for k in ks):
            self.fail(_("{value} is not a list of whole numbers of at least 1, such as "
                        "10,20,50").format(value=value), param, ctx)
        return ks


@click.command("evaluate")
@click.option("--truth", "truth", required=True,
              type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="The confirmed items: a CSV (or .xlsx) with the columns id and label, and "
                   "optionally category and group.")
@db_option
@click.option("--k", "ks", multiple=True, type=KsType(), metavar="K[,K...]",
              help="The k of precision at k (comma-separated, or repeat --k) "
                   "[default: 10,20,50].")
@click.option("--match", type=click.Choice(["entities", "evidence"]), default="entities",
              show_default=True, help="What a lead touches: its entities, or its entities "
              "and every node of its evidence paths.")
@click.option("--false-leads", "false_leads", default=10, show_default=True,
              type=click.IntRange(0), help="How many of the best-ranked leads that touch no "
              "confirmed item are listed.")
@click.option("--encoding", help="Encoding of the truth file when detection is not enough "
              "(e.g. gb18030, gbk, latin-1).")
@output_options("evaluation")
@audit_options
def evaluate_command(truth: Path, db: str, ks: tuple[list[int], ...], match: str,
                     false_leads: int, encoding: str | None, out: Output) -> None:
    """Check the last scan's leads against confirmed cases: precision, recall, ranks.

    The truth file lists what an office already confirmed (closed cases, proven
    schemes), one input id per row (as umbrella show accepts it) with a label;
    a category column says under which category a finding should find it
    (umbrella, collusion, ...; blank: any), and rows sharing a group form one
    confirmed scheme or network, found when one finding touches all of them.

    Reported: precision at k (the share of the top k leads, ranked as scan
    ranks them, that touch a confirmed item), recall per category, the rank of
    each confirmed item's best finding (or not found), and the best-ranked
    leads that touch nothing confirmed, to review. Rows read = rows used + rows
    set aside, each set-aside row with its line and the fix.

    \b
    Example:
      umbrella scan --db case.db
      umbrella evaluate --truth closed-cases.csv --db case.db
      umbrella evaluate --truth closed-cases.csv --k 5,10 --format xlsx -o evaluation.xlsx
    """
    from queries.evaluate import DEFAULT_KS, evaluate, items_of, stored_leads
    from queries.feedback import similar_check

    store = open_existing(db)
    try:
        view = store.view()
        leads = stored_leads(view, db)
        truth_file = read_truth_file(view, truth, encoding)
        similar = similar_check(store, {r.key for r in truth_file.rows})
    finally:
        store.close()
    chosen = [k for group in ks for k in group] or list(DEFAULT_KS)
    result = evaluate(leads, items_of(truth_file.rows), chosen, match, false_leads)
    looked(db, str(truth.resolve()), out=out)
    write(_report(result, truth_file, db, similar), out)


def read_truth_file(view: StoreView, path: Path, encoding: str | None = None) -> TruthFile:
    """Read a truth file (CSV in UTF-8 or GB18030, or .xlsx; the loaders' reader, with its
    limits and messages) and name each row's entity (:func:`queries.evaluate.
    truth_from_rows`): rows the reader cannot split are set aside with their reason.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from graph.store import EntityRecord, open_store
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> store = open_store(tmp / "t.db")
    >>> with store.writer() as w:
    ...     w.put_entities([EntityRecord("p:1", "person", "张伟", {})])
    >>> path = tmp / "truth.csv"
    >>> _ = path.write_bytes("ID,Label\\np:1,结案\\np:1,a,b\\n".encode("gb18030"))
    >>> t = read_truth_file(store.view(), path)
    >>> t.encoding, [(r.line, r.key, r.label) for r in t.rows]
    ('gb18030', [(2, 'p:1', '结案')])
    >>> [(s.line, s.column, s.reason) for s in t.set_aside]
    [(3, '(3)', 'bad_field_count')]
    >>> store.close()
    """
    from loaders.read import LINE, read_table_file
    from queries.evaluate import SetAsideRow, truth_from_rows

    table = read_table_file(path, encoding)
    bad = [SetAsideRow(path.name, b.line, b.column, b.code, b.message) for b in table.malformed]
    records = table.frame.to_dict("records")
    rows = [(int(r[LINE]), {str(k): str(v) for k, v in r.items()}) for r in records]
    return truth_from_rows(view, path, table.header, rows, bad, table.encoding)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _category(code: str) -> str:
    from queries.evaluate import ANY

    return _("any") if code == ANY else vocabulary_word("category", code)


def _ids(ids: tuple[str, ...]) -> str:
    shown = " ".join(ids[:_SHOWN_IDS])
    more = len(ids) - _SHOWN_IDS
    return _("{ids} … (+{n})").format(ids=shown, n=more) if more > 0 else shown


def _entities(finding: dict[str, Any]) -> str:
    from queries.naming import entities_cell

    return entities_cell(finding, 4)


def _report(result: Evaluation, truth: TruthFile, db: str,
            similar: list[SimilarConfirmed] | None = None) -> Report:
    """The evaluation as a report of five tables (six when findings are confirmed in
    triage: the similar hits later confirmed), and the notes under them."""
    from lang.message import localized

    top = result.precision[-1].k
    precision = Section(
        "precision", _("Precision at k: the share of the top k leads that touch a confirmed "
                       "item"), pgettext("sheet", "precision"),
        ["k", "leads", "hits", "precision"],
        [[p.k, p.leads, p.hits, p.precision] for p in result.precision],
        [[str(p.k), str(p.leads), str(p.hits), _number(p.precision)]
         for p in result.precision], right=("k", "leads", "hits", "precision"))
    recall = Section(
        "recall", _("Recall per category: confirmed items found by a finding of their "
                    "category"), pgettext("sheet", "recall"),
        ["category", "items", "found", "recall", "median rank", "findings"],
        [[r.category, r.items, r.found, r.recall, r.median_rank, r.leads]
         for r in result.recall],
        [[_category(r.category), str(r.items), str(r.found), _number(r.recall),
          "-" if r.median_rank is None else f"{r.median_rank:g}", str(r.leads)]
         for r in result.recall], right=("items", "found", "recall", "median rank", "findings"))
    not_found = _("not found")
    items = Section(
        "items", _("Confirmed items: the rank of the best finding of their category, and of "
                   "the first lead that touches them"), pgettext("sheet", "items"),
        ["found at", "first touch", "category", "item", "label", "finding", "ids"],
        [[i.rank, i.first_touch, i.item.category, i.item.name, i.item.label,
          i.finding["id"] if i.finding else None, list(i.item.ids)] for i in result.items],
        [[str(i.rank) if i.rank else not_found,
          str(i.first_touch) if i.first_touch else not_found, _category(i.item.category),
          i.item.name, i.item.label, i.finding["id"] if i.finding else "", _ids(i.item.ids)]
         for i in result.items], right=("found at", "first touch"))
    false = Section(
        "false leads", _("False leads to review: the best-ranked leads that touch no "
                         "confirmed item"), pgettext("sheet", "false leads"),
        ["rank", "score", "rule", "title", "entities", "id"],
        [[rank, f["score"], f["rule"], localized(f)["title"], f.get("entities", []), f["id"]]
         for rank, f in result.false_leads],
        [[str(rank), f"{f['score']:.2f}", f["rule"], localized(f)["title"], _entities(f),
          f["id"]] for rank, f in result.false_leads], right=("rank", "score"),
        empty=_("No false lead: every lead of the top {k} touches a confirmed item.").format(
            k=top))
    aside = Section(
        "set aside", _("Rows of the truth file set aside"), pgettext("sheet", "set aside"),
        ["file", "line", "column", "reason", "message"],
        [[s.file, s.line, s.column, s.reason, s.message] for s in truth.set_aside],
        [[s.file, str(s.line), s.column, s.reason, s.message] for s in truth.set_aside],
        right=("line",), empty=_("No row of the truth file was set aside."))
    sections = [precision, recall, items, false, aside]
    if similar:
        sections.insert(4, _similar_section(similar))
    return Report(sections, _notes(result, truth, db),
                  extra={"leads": result.leads, "match": result.match,
                         "truth": {"file": str(truth.path), "encoding": truth.encoding,
                                   "read": truth.read, "used": len(truth.rows),
                                   "set_aside": len(truth.set_aside)}})


def _similar_section(similar: list[SimilarConfirmed]) -> Section:
    """Similar hits later confirmed: of the top k places like each finding confirmed in
    triage (umbrella similar), those that touch an item of the truth file."""
    return Section(
        "similar", _("Similar hits later confirmed: of the top k places like each finding "
                     "confirmed in triage, those that touch a confirmed item"),
        pgettext("sheet", "similar"), ["k", "hits", "confirmed", "share"],
        [[s.k, s.hits, s.confirmed, s.share] for s in similar],
        [[str(s.k), str(s.hits), str(s.confirmed), _number(s.share)] for s in similar],
        right=("k", "hits", "confirmed", "share"))


def _notes(result: Evaluation, truth: TruthFile, db: str) -> list[str]:
    top = result.precision[-1]
    notes = [
        _("{file}: {read} rows read = {used} used + {aside} set aside; {items} confirmed "
          "items, against {leads} stored leads.").format(
            file=truth.path.name, read=truth.read, used=len(truth.rows),
            aside=len(truth.set_aside), items=len(result.items), leads=result.leads),
        _("A lead touches an item when the item is one of its entities.")
        if result.match == "entities" else
        _("A lead touches an item when the item is one of its entities or lies on its "
          "evidence paths."),
        _("{n} of the top {k} leads touch no confirmed item ({shown} listed).").format(
            n=result.false_in_top, k=top.leads, shown=len(result.false_leads)),
    ]
    for r in result.recall:
        if not r.leads:
            notes.append(_("No stored finding of category {category}: was it scanned? "
                           "(umbrella scan --category {code} --db {db})").format(
                               category=_category(r.category), code=r.category, db=db))
    return [*notes, _("Next: umbrella show ID (a finding or an entity)")]

