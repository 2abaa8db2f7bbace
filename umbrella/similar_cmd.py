"""``umbrella similar``: other places in the graph where a finding's structure appears.

The click layer resolves the seed (a finding id, or an entity or case id), asks
:func:`queries.similar.similar_to`, adds the evidence of the places kept
(:func:`queries.similar.with_evidence`) and writes them as a table, CSV, JSON or
XLSX: rank, score, entities, what matches, what differs, evidence (file:line).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from graph.store import StoreView
from lang.core import N_
from lang.message import Msg, render, render_all
from umbrella import console
from umbrella.audit_cmd import audit_options
from umbrella.audit_record import looked
from umbrella.options import db_option, open_existing
from umbrella.output import Output, Rows, output_options, write

TEXT = {
    "title_pattern": N_("Places like {seed} (its evidence as a typed pattern), best first"),
    "title_role": N_("Entities in a role like {seed}'s (typed neighbourhoods), best first"),
    "none": N_("No place like {seed} found"),
    "missing_step": N_("(missing: {type})"),
    "evidence_of": N_("Evidence of place {rank} ({score}):"),
}


def evidence_cell(paths: Sequence[Sequence[dict[str, Any]]]) -> list[str]:
    """One line per evidence path: its steps' names or types and their sources (file:line).

    Examples
    --------
    >>> evidence_cell([[{"node": "person", "name": "张伟", "ids": ["P1"],
    ...                  "sources": [{"file": "persons.csv", "line": 2}]},
    ...                 {"rel": "KIN", "relation": "spouse",
    ...                  "sources": [{"file": "relationships.csv", "line": 7}]}]])
    ['张伟 (P1) persons.csv:2 — KIN spouse relationships.csv:7']
    >>> from lang import use_language
    >>> with use_language("zh"):
    ...     evidence_cell([[{"rel": "KIN", "relation": "spouse", "sources": []}]])
    ['亲属 配偶']
    """
    from umbrella.output import vocabulary_word

    vocab = {"KIN": "relation", "COMPANY_ROLE": "company_role", "CASE_ROLE": "case_role"}
    lines = []
    for path in paths:
        parts = []
        for step in path:
            where = " ".join(f"{s['file']}:{s['line']}" for s in step.get("sources", []))
            if "missing" in step:
                parts.append(render(Msg(TEXT["missing_step"], {
                    "type": vocabulary_word("rel_type", step["missing"])})))
            elif "node" in step:
                parts.append(f"{step.get('name', '')} ({'/'.join(step.get('ids', []))}) {where}")
            else:
                detail = str(step.get("relation") or step.get("role") or step.get("title") or "")
                if detail and step["rel"] in vocab:
                    detail = vocabulary_word(vocab[step["rel"]], detail)
                said = vocabulary_word("rel_type", step["rel"])
                parts.append(f"{said}{' ' + detail if detail else ''} {where}")
        lines.append(" — ".join(p.strip() for p in parts))
    return lines


def _cell(value: object) -> str:
    return "\n".join(map(str, value)) if isinstance(value, list) else str(value)


def _names(view: StoreView, keys: Sequence[str]) -> list[str]:
    ents = view.entities_by_key(list(keys))
    return [f"{ents[k].name} ({'/'.join(ents[k].source_ids)})" if k in ents else k
            for k in keys]


@click.command("similar")
@click.argument("seed")
@db_option
@click.option("--top", default=20, show_default=True, type=click.IntRange(1),
              help="How many places to list.")
@click.option("--hub-degree", default=200, show_default=True, type=click.IntRange(1),
              help="Do not walk more ties of one type than this from one node.")
@output_options("similar")
@audit_options
def similar_command(seed: str, db: str, top: int, hub_degree: int, out: Output) -> None:
    """Other places in the graph where the same structure appears, whether or not a rule
    fired there.

    SEED is a finding id (F-...): its evidence is matched as a typed pattern
    (the same kinds of people and bodies tied in the same way, in force at the
    same time); or an entity or case id: entities of its kind whose ties look
    alike. Each place says what matches and what differs, with its evidence back
    to source file and line.

    \b
    Example:
      umbrella similar F-3a9c0e12b4d1 --top 10
      umbrella similar P0001387 --format xlsx -o similar.xlsx
    """
    from queries.engine import Engine
    from queries.similar import resolve_seed, seed_template, similar_to, with_evidence

    store = open_existing(db)
    try:
        view = store.view()
        what, found = resolve_seed(view, seed)
        engine = Engine(view)
        try:
            hits = similar_to(view, found if isinstance(found, dict) else seed, top=top,
                              hub=hub_degree, engine=engine)
            template = seed_template(view, found, engine) if isinstance(found, dict) else None
        finally:
            engine.close()
        hits = with_evidence(view, hits, template)
        rows = [(n, h.score, _names(view, h.keys), render_all(h.matches),
                 [render(m) for m in h.differs], evidence_cell(h.evidence) if out.fmt != "json"
                 else h.evidence) for n, h in enumerate(hits, start=1)]
    finally:
        store.close()
    looked(db, seed, out=out)
    title = TEXT["title_pattern" if what == "finding" else "title_role"]
    columns = ["rank", "score", "entities", "matches", "differs", "evidence"]
    table = out.fmt == "table"  # a column of paths is a wall at 100 columns: under the table
    shown: list[Sequence[Any]] = [r[:-1] if table else r for r in rows]
    write(Rows(columns[:-1] if table else columns, shown, text=_cell,
               title=render(Msg(title, {"seed": seed})),
               empty=render(Msg(TEXT["none"], {"seed": seed}))), out)
    if table:
        for row in rows:
            console.out.print(render(Msg(TEXT["evidence_of"], {"rank": row[0],
                                                                "score": _cell(row[1])})))
            for line in row[-1]:
                console.out.print(f"  {line}", highlight=False)
