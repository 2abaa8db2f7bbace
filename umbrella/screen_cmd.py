"""``umbrella screen``: which ties join two sets of entities on a day (before an award or
an assignment, not after it).

The click layer reads the two sides (``--left``/``--right`` ids, or files of one id a
line), resolves them, asks :func:`queries.screen.screen` and writes the answers as a
table, CSV, JSON or XLSX; "no tie found" (exit status 0) says what was searched.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import astuple
from pathlib import Path

import click

from graph.errors import UmbrellaError
from graph.store import StoreView
from lang import _
from lang.core import N_
from lang.message import Msg, render
from umbrella import console
from umbrella.audit_cmd import audit_options
from umbrella.audit_record import looked
from umbrella.options import DATE, db_option, open_existing
from umbrella.output import Output, Rows, output_options, write

#: What is said when a side is empty.
NOTHING = {"left": N_("nothing given on the left"), "right": N_("nothing given on the right")}


def side_ids(given: Sequence[str], file: Path | None) -> list[str]:
    """The ids of one side: those given, then the file's, one a line (blank lines and
    lines starting with ``#`` skipped), each once.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "bidders.txt"
    >>> _ = f.write_text("O000603\\n\\n# late bid\\nO000611\\nO000603\\n", encoding="utf-8")
    >>> side_ids(["O000600"], f)
    ['O000600', 'O000603', 'O000611']
    """
    ids = [g.strip() for g in given if g.strip()]
    if file is not None:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
        ids += [s.strip() for s in lines if s.strip() and not s.strip().startswith("#")]
    return list(dict.fromkeys(ids))


def resolve_side(view: StoreView, ids: Sequence[str], side: str) -> list[str]:
    """The keys of one side's ids (input ids, keys or exact names); an unknown one is an
    error naming the side."""
    from queries.lookup import find_entity

    if not ids:
        raise UmbrellaError(_(NOTHING[side]), hint=_(
            "give {option} ID (repeatable) or {option}-file FILE").format(option=f"--{side}"))
    return list(dict.fromkeys(find_entity(view, i) for i in ids))


def screened(left: Sequence[str], left_file: Path | None, right: Sequence[str],
             right_file: Path | None) -> str:
    """What a screen looked at, as the audit trail names it: each side's ids and file.

    Examples
    --------
    >>> screened(["O1", "O2"], None, [], Path("officials.txt"))
    'O1,O2 | officials.txt'
    """
    def side(ids: Sequence[str], file: Path | None) -> str:
        return ",".join([*ids, *([str(file)] if file is not None else [])])

    return f"{side(left, left_file)} | {side(right, right_file)}"


def _cell(value: object) -> str:
    return "\n".join(value) if isinstance(value, list) else str(value)


@click.command("screen")
@click.option("--left", "left", multiple=True, metavar="ID",
              help="An entity on the left: a buying body, a case, an official; repeatable.")
@click.option("--right", "right", multiple=True, metavar="ID",
              help="An entity on the right: a bidder, an official proposed; repeatable.")
@click.option("--left-file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A file of left ids, one a line.")
@click.option("--right-file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A file of right ids, one a line.")
@click.option("--on", "on", type=DATE, help="The day the ties must be in force (default today).")
@db_option
@click.option("--max-hops", default=4, show_default=True, type=click.IntRange(1, 6),
              help="Longest path, in ties.")
@click.option("--max-kin-hops", type=click.IntRange(1, 3),
              help="Longest kin chain (default: the rules' max_kin_hops, 2).")
@click.option("--hub-degree", default=100, show_default=True, type=click.IntRange(1),
              help="Do not pass through nodes with more ties than this.")
@click.option("--reveal", is_flag=True, help="Show identity numbers unmasked.")
@output_options("screen")
@audit_options
def screen_command(left: tuple[str, ...], right: tuple[str, ...], left_file: Path | None,
                   right_file: Path | None, on: str | None, db: str, max_hops: int,
                   max_kin_hops: int | None, hub_degree: int, reveal: bool,
                   out: Output) -> None:
    """Which ties of kin, ownership, posts and association join two sets of entities on a day.

    For each entity on the right, the shortest paths from any entity on the
    left through ties in force that day, each tie with its source row. An
    organization on either side stands for the people holding a post in it that
    day, a case for its parties.

    \b
    Example:
      umbrella screen --left O000012 --right O000603 --right O000611 --on 2023-04-01
      umbrella screen --left K00001 --right-file officials.txt --format xlsx -o screen.xlsx
    """
    from queries.screen import day_words, screen, searched, side_names, worded
    from queries.settings import load_settings

    day = on or datetime.date.today().isoformat()
    kin_hops = max_kin_hops or int(load_settings().rule("REC-001")["max_kin_hops"])
    store = open_existing(db)
    try:
        view = store.view()
        lkeys = resolve_side(view, side_ids(left, left_file), "left")
        rkeys = resolve_side(view, side_ids(right, right_file), "right")
        found = screen(view, lkeys, rkeys, day, max_hops=max_hops, max_kin_hops=kin_hops,
                       hub_degree=hub_degree)
        sides = {"left": side_names(view, lkeys, reveal), "right": side_names(view, rkeys, reveal),
                 "day": day_words(day)}
        hubs = side_names(view, found.hubs_skipped[:5], reveal) if found.hubs_skipped else ""
    finally:
        store.close()
    from queries.screen import TEXT

    looked(db, screened(left, left_file, right, right_file), out=out, reveal=reveal)
    rows = worded(found, reveal)
    write(Rows(["left", "right", "ties", "path"], [astuple(r) for r in rows], text=_cell,
               title=render(Msg(TEXT["found"], sides)),
               empty=render(Msg(TEXT["none"], sides))), out)
    notes = [] if rows else [searched(found, hub_degree)]
    if not rows and out.fmt != "table":
        notes.insert(0, render(Msg(TEXT["none"], sides)))
    if found.too_long:
        notes.append(render(Msg(TEXT["too_long"], {"n": found.too_long,
                                                   "kin": found.max_kin_hops})))
    if hubs:
        notes.append(render(Msg(TEXT["hubs"], {"n": len(found.hubs_skipped), "hubs": hubs})))
    for note in notes:  # beside the answer, never inside a CSV or JSON on stdout
        (console.out if out.fmt == "table" else console.err).print(note, soft_wrap=True,
                                                                   markup=False)
