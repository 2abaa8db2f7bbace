"""Column names and their labels: stable machine names, headers in the run's language.

Every table the tool writes names its columns with stable machine names (``score``,
``rule``, ``entities``, ``money in``...). JSON always carries those names. A CSV or
XLSX header row and a terminal table show each column's *label*: the machine name
itself in English (so ``--lang en`` gives the machine header row, exactly as before),
the catalog's word in Chinese (``评分``, ``规则``, ``涉及对象``...). A name this module
does not know (a Cypher alias, a column of another program) is shown as written.

Examples
--------
>>> from lang import use_language
>>> label("money in"), label("no such column"), label("government:company")
('money in', 'no such column', 'government:company')
>>> with use_language("zh"):
...     label("money in"), label("no such column"), labels(["score", "rule"])
('流入资金', 'no such column', ['评分', '规则'])
>>> with use_language("zh"):
...     label("government:company")
'政府—企业'
>>> "评分,规则" in header_lines(["score", "rule"])
True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from lang import LANGUAGES, gettext, pgettext, use_language
from lang.message import _WORDS, word_in


def _labels() -> dict[str, str]:
    """Machine name -> label in the language spoken now (one literal call each, so the
    catalog tool finds every label)."""
    return {
        # findings
        "id": pgettext("column", "id"),
        "score": pgettext("column", "score"),
        "rule": pgettext("column", "rule"),
        "category": pgettext("column", "category"),
        "title": pgettext("column", "title"),
        "entities": pgettext("column", "entities"),
        "names": pgettext("column", "names"),
        "date": pgettext("column", "date"),
        "sector": pgettext("column", "sector"),
        "explanation": pgettext("column", "explanation"),
        "sources": pgettext("column", "sources"),
        "status": pgettext("column", "status"),
        # evidence steps
        "finding": pgettext("column", "finding"),
        "path": pgettext("column", "path"),
        "step": pgettext("column", "step"),
        "what": pgettext("column", "what"),
        "name": pgettext("column", "name"),
        "ids": pgettext("column", "ids"),
        "start": pgettext("column", "start"),
        "end": pgettext("column", "end"),
        # an entity's ties (show)
        "type": pgettext("column", "type"),
        "detail": pgettext("column", "detail"),
        "dir": pgettext("column", "dir"),
        "other": pgettext("column", "other"),
        "source": pgettext("column", "source"),
        # loads, stats, set-aside rows
        "kind": pgettext("column", "kind"),
        "count": pgettext("column", "count"),
        "load": pgettext("column", "load"),
        "at": pgettext("column", "at"),
        "read": pgettext("column", "read"),
        "loaded": pgettext("column", "loaded"),
        "set aside": pgettext("column", "set aside"),
        "table": pgettext("column", "table"),
        "file": pgettext("column", "file"),
        "encoding": pgettext("column", "encoding"),
        "line": pgettext("column", "line"),
        "column": pgettext("column", "column"),
        "reason": pgettext("column", "reason"),
        # triage entries
        "author": pgettext("column", "author"),
        "assignee": pgettext("column", "assignee"),
        "note": pgettext("column", "note"),
        "message": pgettext("column", "message"),
        "row": pgettext("column", "row"),
        "rows": pgettext("column", "rows"),
        # umbrella similar
        "matches": pgettext("column", "matches"),
        "differs": pgettext("column", "differs"),
        "evidence": pgettext("column", "evidence"),
        # communities and brokers
        "rank": pgettext("column", "rank"),
        "members": pgettext("column", "members"),
        "officials": pgettext("column", "officials"),
        "suppliers": pgettext("column", "suppliers"),
        "suspects": pgettext("column", "suspects"),
        "findings": pgettext("column", "findings"),
        "money in": pgettext("column", "money in"),
        "centre": pgettext("column", "centre"),
        "person": pgettext("column", "person"),
        "sides": pgettext("column", "sides"),
        "error": pgettext("column", "error"),
        "k-core": pgettext("column", "k-core"),
        # recusals
        "official": pgettext("column", "official"),
        "acting as": pgettext("column", "acting as"),
        "why": pgettext("column", "why"),
        "party": pgettext("column", "party"),
        "posts": pgettext("column", "posts"),
        # saved investigations
        "version": pgettext("column", "version"),
        "hidden": pgettext("column", "hidden"),
        "as of": pgettext("column", "as of"),
        "saved": pgettext("column", "saved"),
        "x": pgettext("column", "x"),
        "y": pgettext("column", "y"),
        # the audit trail
        "entry": pgettext("column", "entry"),
        "user": pgettext("column", "user"),
        "action": pgettext("column", "action"),
        "target": pgettext("column", "target"),
        "prev": pgettext("column", "prev"),
        "hash": pgettext("column", "hash"),
        # screen: the ties joining two sides
        "left": pgettext("column", "left"),
        "right": pgettext("column", "right"),
        "ties": pgettext("column", "ties"),
        # a scan's rules: coverage and failures (the workbook's rules sheet)
        "rule findings": pgettext("column", "rule findings"),
        "item": pgettext("column", "item"),
        "items": pgettext("column", "items"),
        "assessed": pgettext("column", "assessed"),
        "flagged": pgettext("column", "flagged"),
        "not assessed": pgettext("column", "not assessed"),
        "missing": pgettext("column", "missing"),
        "failed": pgettext("column", "failed"),
        # evaluate: the leads checked against confirmed items
        "k": pgettext("column", "k"),
        "leads": pgettext("column", "leads"),
        "hits": pgettext("column", "hits"),
        "precision": pgettext("column", "precision"),
        "found": pgettext("column", "found"),
        "recall": pgettext("column", "recall"),
        "median rank": pgettext("column", "median rank"),
        "found at": pgettext("column", "found at"),
        "first touch": pgettext("column", "first touch"),
        "label": pgettext("column", "label"),
        "share": pgettext("column", "share"),  # similar hits later confirmed
        # risk by area (umbrella areas)
        "area": pgettext("column", "area"),
        "level": pgettext("column", "level"),
        "weight": pgettext("column", "weight"),
        "confirmed": pgettext("column", "confirmed"),
        "tip-offs": pgettext("column", "tip-offs"),
        "money": pgettext("column", "money"),
        "heads": pgettext("column", "heads"),
        "money per head": pgettext("column", "money per head"),
        "expected": pgettext("column", "expected"),
        "raw ratio": pgettext("column", "raw ratio"),
        "ratio": pgettext("column", "ratio"),
        "low": pgettext("column", "low"),
        "high": pgettext("column", "high"),
        # copies and standards exports
        "copied": pgettext("column", "copied"),
        "FtM schema": pgettext("column", "FtM schema"),
    }


def label(name: str) -> str:
    """The label of a column in the language spoken now (unknown names as written).

    A pair of sides (``government:company``, a broker's column) is labelled with the
    two sides' short words.
    """
    known = _labels().get(name)
    if known is not None:
        return known
    from lang import language

    code = language()
    a, colon, b = name.partition(":")
    sides = _WORDS["side_short"]
    if colon and a in sides and b in sides and code != "en":  # English: the pair as named
        return gettext("{a}:{b}").format(a=word_in("side_short", a, code),
                                         b=word_in("side_short", b, code))
    return name


def labels(names: Sequence[str]) -> list[str]:
    """:func:`label` of every name."""
    return [label(n) for n in names]


def header_lines(names: Sequence[str]) -> set[str]:
    """The CSV header line of these columns in every interface language (to recognise a
    file the tool wrote, whatever language it spoke then)."""
    return {_header(tuple(names), code) for code in LANGUAGES}


@cache
def _header(names: tuple[str, ...], code: str) -> str:
    import csv
    import io

    with use_language(code):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(labels(names))
        return buf.getvalue()
