"""``umbrella serve``: the workbench, a local web application over the store.

The click layer parses the options, refuses an address other machines could reach
(unless ``--allow-remote``), builds the application
(:func:`visualizations.workbench.app.create_app`, with the table writer of
:mod:`exports.tables` for CSV/XLSX exports) and runs it under uvicorn until Ctrl-C.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from graph.errors import UmbrellaError
from graph.store import is_server
from lang import _, language
from umbrella import console
from umbrella.audit_cmd import audit_options, given_user, record
from umbrella.options import db_option, open_existing


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address only this machine reaches.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost")
    (True, True, True)
    >>> is_loopback("0.0.0.0"), is_loopback("192.168.1.5")
    (False, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def write_tables(tables: Sequence[Any], path: Path, fmt: str) -> None:
    """The workbench's CSV/XLSX export: :func:`exports.tables.write_report`."""
    from exports.tables import write_report

    write_report(tables, path, fmt)


@click.command("serve")
@db_option
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only loopback addresses unless --allow-remote.")
@click.option("--allow-remote", is_flag=True,
              help="Listen on an address other machines can reach. The workbench shows the "
              "whole database to anyone holding the printed address and its token, over "
              "plain HTTP: use it only on a network you trust.")
@click.option("--reveal", is_flag=True, help="Show identity numbers unmasked.")
@audit_options
def serve_command(db: str, port: int, host: str, allow_remote: bool, reveal: bool) -> None:
    """Explore the network in the browser: search, entity pages, leads, a canvas.

    Starts a local web application over the database (opened read-only) and
    prints the address to open, with an access token that changes at every
    start. Nothing is fetched from the internet: the page's scripts are inside
    umbrella. Stop it with Ctrl-C.

    \b
    Example:
      umbrella serve --db case.db
      umbrella serve --db case.db --port 0 --lang zh
    """
    if not is_loopback(host) and not allow_remote:
        raise UmbrellaError(
            _("{host} is reachable from other machines").format(host=host),
            hint=_("listen on 127.0.0.1 (the default), or add --allow-remote if you mean it"))
    from visualizations.workbench.app import bind, create_app, serve
    from visualizations.workbench.security import new_token

    token = new_token()
    store = open_existing(db)  # the same checks and messages as every command
    if not is_server(db):
        store.close()  # the workbench opens the file again, read-only
    console.err.print(_("Indexing {db} for search…").format(db=db))
    app = create_app(store if is_server(db) else Path(db), token=token, lang=language(),
                     reveal=reveal, host=host, port=port, tables=write_tables,
                     audit=lambda action, target: record(db, action, target),
                     user=given_user())
    try:
        try:
            sock = bind(host, port)
        except OSError as exc:
            raise UmbrellaError(_("cannot listen on {host}:{port} ({error})").format(
                host=host, port=port, error=exc.strerror or exc),
                hint=_("choose another port with --port, or --port 0 for any free one")) \
                from exc
        real = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        server = serve(app, sock, host)
        console.out.print(_("The workbench is at {url} (Ctrl-C stops it).").format(
            url=f"http://{shown}:{real}/?token={token}"), soft_wrap=True)
        server.run(sockets=[sock])
    finally:
        app.state.access.close()
