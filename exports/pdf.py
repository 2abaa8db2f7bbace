"""A printable HTML page as PDF, through a headless Chromium's own print (Playwright).

Chromium prints the page exactly as the browser does (the page's print stylesheet,
``@page`` size and margins, CJK fonts from the system), so the PDF and a page printed
from a browser are the same document. It needs the ``playwright`` package (``pip
install 'umbrella[pdf]'``) and a Chromium on the machine (Debian: ``apt-get install
chromium``; another one named by ``UMBRELLA_CHROMIUM``); without them
:func:`html_to_pdf` raises :class:`PdfUnavailable` saying which is missing and how to
print the HTML instead. No request leaves the page while it prints: every one is
refused. See ``docs/report.md`` for why this and not a PDF library.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from graph.errors import UmbrellaError
from lang import _

#: Environment variable naming a Chromium (or Chrome) executable.
CHROMIUM_ENV = "UMBRELLA_CHROMIUM"
#: Executables looked for on the PATH, in this order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class PdfUnavailable(UmbrellaError):
    """No PDF can be printed on this machine (no playwright package, or no Chromium)."""


def find_chromium() -> Path | None:
    """The Chromium to print with: ``UMBRELLA_CHROMIUM``, else the first of
    :data:`CHROMIUM_NAMES` on the PATH, else None.

    Examples
    --------
    >>> found = find_chromium()
    >>> found is None or found.is_file()
    True
    """
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return Path(named) if Path(named).is_file() else None
    for name in CHROMIUM_NAMES:
        where = shutil.which(name)
        if where:
            return Path(where)
    return None


def missing() -> str:
    """Why no PDF can be printed here ("" when one can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return _("the playwright package is not installed (pip install 'umbrella[pdf]')")
    if find_chromium() is None:
        return _("no Chromium found (apt-get install chromium, or name one with {env})").format(
            env=CHROMIUM_ENV)
    return ""


def html_to_pdf(html: str, out: Path) -> int:
    """Print ``html`` to ``out`` as an A4 PDF (the page's ``@page`` rules win) and return
    the number of pages; :class:`PdfUnavailable` when this machine cannot."""
    why = missing()
    if why:
        raise PdfUnavailable(_("cannot write the PDF {path}: {why}").format(path=out, why=why),
                             hint=_("open the HTML report in a browser and print it to PDF, "
                                    "or install what is missing"))
    from playwright.sync_api import Error

    chromium = find_chromium()
    try:
        # a thread of its own: Playwright's sync API refuses a thread that runs an event
        # loop already (a server, or another Playwright)
        with ThreadPoolExecutor(max_workers=1) as pool:
            data = pool.submit(_print, html, str(chromium)).result()
    except Error as err:
        raise PdfUnavailable(_("Chromium could not print {path}: {error}").format(
            path=out, error=str(err).splitlines()[0]),
            hint=_("open the HTML report in a browser and print it to PDF")) from err
    out.write_bytes(data)
    return pdf_pages(data)


def _print(html: str, chromium: str) -> bytes:
    """The PDF of ``html`` as Chromium prints it, every request refused."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", _refuse)
            page.set_content(html, wait_until="load")
            page.emulate_media(media="print")
            return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()


def _refuse(route: Any) -> None:
    route.abort()


def pdf_pages(data: bytes) -> int:
    """How many pages a PDF holds (its ``/Type /Page`` objects).

    Examples
    --------
    >>> pdf_pages(b"%PDF-1.4 1 0 obj << /Type /Pages /Count 2 >> 2 0 obj << /Type /Page >>"
    ...           b" 3 0 obj << /Type /Page >>")
    2
    """
    import re

    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
