"""``umbrella investigation``: saved canvases, listed, shown, saved, copied, exported, imported.

The click layer only: the work is :mod:`queries.investigations` over the store's book
(:mod:`graph.store.investigations`). Saves, copies and imports are recorded in the audit
trail as ``save``; an export as ``export`` (``reveal`` with ``--reveal``); a show as
``view``.
"""

from __future__ import annotations

from pathlib import Path

import click

from graph.ids import mask_id_numbers
from graph.store.investigations import Investigation
from lang import _
from umbrella import console
from umbrella.audit_cmd import audit_options, given_user, record
from umbrella.options import DATE, db_option, open_existing
from umbrella.output import Output, Rows, output_options, write

#: The columns of the list, and of one investigation's entities.
LIST_COLUMNS = ["name", "version", "entities", "hidden", "as of", "author", "saved", "note"]
ENTITY_COLUMNS = ["id", "kind", "name", "x", "y", "hidden"]
VERSION_COLUMNS = ["version", "saved", "author", "entities", "hidden", "as of", "note"]


def _hide(text: str, reveal: bool) -> str:
    return text if reveal else mask_id_numbers(text)


def _saved(inv: Investigation) -> str:
    return _("Saved investigation {name}, version {version}: {n} entities ({at} UTC, by "
             "{author}).").format(name=inv.name, version=inv.version, n=len(inv.entities),
                                  at=inv.saved_at, author=inv.author)


@click.group("investigation")
def investigation() -> None:
    """Saved investigations: a named canvas (entities, positions, hidden items, date,
    notes) kept in the database; every save is a new version, earlier ones are kept.

    \b
    Example:
      umbrella investigation save 校舍维修 --entity P0001387 --entity O0000412
      umbrella investigation list
      umbrella investigation show 校舍维修
      umbrella investigation copy 校舍维修 校舍维修-复核
      umbrella investigation export 校舍维修 --out 校舍维修.json
      umbrella investigation import 校舍维修.json
    """


@investigation.command("list")
@db_option
@output_options("investigations")
def list_command(db: str, out: Output) -> None:
    """List the saved investigations, each at its latest version.

    \b
    Example:
      umbrella investigation list --db case.db
    """
    from queries.investigations import listed

    store = open_existing(db)
    try:
        found = listed(store)
    finally:
        store.close()
    rows = [[i.name, i.version, len(i.entities), len(i.hidden), i.as_of, i.author,
             i.saved_at, mask_id_numbers(i.notes)] for i in found]
    write(Rows(LIST_COLUMNS, rows, title=_("Saved investigations (times in UTC)"),
               noun="investigations",
               empty=_("No saved investigation yet: umbrella investigation save NAME "
                       "--entity ID.")), out)


@investigation.command("show")
@click.argument("name")
@db_option
@click.option("--version", type=click.IntRange(min=1), help="This version [default: the latest].")
@click.option("--versions", "all_versions", is_flag=True,
              help="List every version of the investigation instead.")
@click.option("--reveal", is_flag=True, help="Show identity numbers unmasked.")
@audit_options
@output_options("investigation")
def show_command(name: str, db: str, version: int | None, all_versions: bool, reveal: bool,
                 out: Output) -> None:
    """Show a saved investigation: its entities with their positions, notes and date.

    \b
    Example:
      umbrella investigation show 校舍维修
      umbrella investigation show 校舍维修 --version 1
      umbrella investigation show 校舍维修 --versions
    """
    from queries.investigations import entity_rows, get, versions

    store = open_existing(db)
    try:
        inv = get(store, name, version)
        if all_versions:
            rows = [[v.version, v.saved_at, v.author, len(v.entities), len(v.hidden), v.as_of,
                     _hide(v.notes, reveal)] for v in versions(store, inv.name)]
            result = Rows(VERSION_COLUMNS, rows, noun="versions", title=_(
                "Investigation {name}: every version (times in UTC)").format(name=inv.name))
        else:
            ents = entity_rows(store, inv)
            title = _("Investigation {name}, version {version}, saved {at} UTC by {author}; "
                      "ties as of {as_of}").format(
                name=inv.name, version=inv.version, at=inv.saved_at, author=inv.author,
                as_of=inv.as_of or _("every date"))
            if inv.notes:
                title += "\n" + _("Notes: {notes}").format(notes=_hide(inv.notes, reveal))
            rows = [[_hide(r["id"], reveal), r["kind"], _hide(r["name"], reveal),
                     "" if r["x"] is None else r["x"], "" if r["y"] is None else r["y"],
                     _("hidden") if r["hidden"] else ""] for r in ents]
            result = Rows(ENTITY_COLUMNS, rows, title=title, noun="entities",
                          words={"kind": "node_kind"})
    finally:
        store.close()
    record(db, "reveal" if reveal else "view", f"investigation:{inv.name}")
    write(result, out)


@investigation.command("save")
@click.argument("name")
@db_option
@click.option("--entity", "entities", multiple=True, required=True,
              help="An entity on the canvas, by its id (repeat the option).")
@click.option("--notes", help="Notes kept with this version [default: the last version's].")
@click.option("--as-of", "as_of", type=DATE, help="The date the ties are seen on, YYYY-MM-DD "
              "[default: the last version's; none: every date].")
@audit_options
def save_command(name: str, db: str, entities: tuple[str, ...], notes: str | None,
                 as_of: str | None) -> None:
    """Save entities as a named investigation (a new version when the name exists: the
    positions and hidden items of entities it held are kept).

    \b
    Example:
      umbrella investigation save 校舍维修 --entity P0001387 --entity O0000412 \\
          --notes "先看合同" --as-of 2023-09-12
    """
    from queries.investigations import save_canvas

    store = open_existing(db)
    try:
        inv = save_canvas(store, name, entities, notes=notes, as_of=as_of, user=given_user())
    finally:
        store.close()
    record(db, "save", f"investigation:{inv.name} v{inv.version}")
    console.out.print(_saved(inv), soft_wrap=True)


@investigation.command("copy")
@click.argument("name")
@click.argument("new_name")
@db_option
@audit_options
def copy_command(name: str, new_name: str, db: str) -> None:
    """Copy the latest version of an investigation under a new name.

    \b
    Example:
      umbrella investigation copy 校舍维修 校舍维修-复核
    """
    from queries.investigations import copy

    store = open_existing(db)
    try:
        inv = copy(store, name, new_name, given_user())
    finally:
        store.close()
    record(db, "save", f"investigation:{inv.name} v{inv.version} (copy of {name.strip()})")
    console.out.print(_saved(inv), soft_wrap=True)


@investigation.command("export")
@click.argument("name")
@db_option
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False),
              help="The JSON file to write.")
@click.option("--version", type=click.IntRange(min=1), help="This version [default: the latest].")
@click.option("--reveal", is_flag=True, help="Keep identity numbers in names and notes unmasked.")
@audit_options
def export_command(name: str, db: str, out_file: str, version: int | None,
                   reveal: bool) -> None:
    """Export a saved investigation as a JSON file that `investigation import` reads
    back (identity numbers masked unless --reveal).

    \b
    Example:
      umbrella investigation export 校舍维修 --out 校舍维修.json
    """
    from queries.investigations import document, get, write_document

    path = Path(out_file)
    store = open_existing(db)
    try:
        inv = get(store, name, version)
        doc = document(store, inv, reveal)
    finally:
        store.close()
    write_document(doc, path)
    record(db, "reveal" if reveal else "export", str(path.resolve()))
    console.out.print(_("Investigation {name}, version {version}, written to {file}.").format(
        name=inv.name, version=inv.version, file=path), soft_wrap=True)


@investigation.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@click.option("--name", help="Save under this name [default: the name in the file].")
@audit_options
def import_command(file: str, db: str, name: str | None) -> None:
    """Save the investigation of a file `investigation export` wrote (a new version when
    the name exists).

    \b
    Example:
      umbrella investigation import 校舍维修.json --name 校舍维修-同事
    """
    from queries.investigations import read_document, save_document

    inv = read_document(Path(file), name, given_user())
    store = open_existing(db)
    try:
        saved = save_document(store, inv)
    finally:
        store.close()
    record(db, "save", f"investigation:{saved.name} v{saved.version} (from {file})")
    console.out.print(_saved(saved), soft_wrap=True)
