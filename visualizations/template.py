"""Our own page template: one HTML file with every script and style inlined.

pyvis's templates are never used (they fetch from CDNs, and switch to
``innerHTML`` popups when a title contains ``href``). The page carries a
Content-Security-Policy that forbids every request (``default-src 'none'``)
and runs only the two scripts whose hashes it lists, so even markup that
slipped into the page could not load anything or run an inline handler.

Placeholders are filled in one pass: a value that happens to contain a
placeholder (or ``{{ }}``) is never filled again. The words of the fixed markup
(the search box, the buttons, the legend's heading) and the ``lang`` attribute
follow the run's language (:mod:`visualizations.words`), escaped like any text.

Examples
--------
>>> html = render_page("测试 <b>", {"title": "测试 <b>"})
>>> "<title>测试 &lt;b&gt;</title>" in html, "default-src 'none'" in html
(True, True)
>>> '<html lang="en">' in html, ">Legend</h2>" in html
(True, True)
>>> html.count("</script>")
3
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import re
from typing import Any

from visualizations.app_js import APP_CSS, APP_JS
from visualizations.assets import VIS_VERSION, inline_safe, vis_assets
from visualizations.safe import plain_text, script_json
from visualizations.words import chrome, html_lang

PAGE = """<!DOCTYPE html>
<html lang="@@LANG@@">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@@CSP@@">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="umbrella (vis-network @@VIS_VERSION@@ via pyvis)">
<title>@@TITLE@@</title>
<style>@@VIS_CSS@@</style>
<style>@@APP_CSS@@</style>
</head>
<body>
<header>
<h1 id="u-title"></h1>
<p class="u-sub" id="u-subtitle"></p>
<p id="u-explanation"></p>
<p id="u-summary"></p>
<ul id="u-notes"></ul>
</header>
<div id="u-bar">
<label>@@FIND_LABEL@@ <input id="u-search" type="search" autocomplete="off"
 placeholder="@@FIND_PLACEHOLDER@@"></label>
<button id="u-find" type="button">@@FIND_BUTTON@@</button>
<button id="u-fit" type="button">@@FIT_BUTTON@@</button>
<span id="u-count"></span>
<span id="u-filters"></span>
</div>
<main>
<div id="u-graph"></div>
<aside>
<div id="u-results"></div>
<h2>@@LEGEND@@</h2>
<div id="u-legend"></div>
<pre id="u-details" hidden></pre>
</aside>
</main>
<noscript>@@NOSCRIPT@@</noscript>
<script type="application/json" id="umbrella-data">@@DATA@@</script>
<script>@@VIS_JS@@</script>
<script>@@APP_JS@@</script>
</body>
</html>
"""

_SLOT = re.compile(r"@@([A-Z_]+)@@")


def csp_hash(script: str) -> str:
    """The CSP source expression allowing exactly this inline script.

    Examples
    --------
    >>> csp_hash("")
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy(*scripts: str) -> str:
    """The page's Content-Security-Policy: no requests; only the given scripts run.

    Examples
    --------
    >>> policy("").split("; ")[:2]
    ["default-src 'none'", "script-src 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"]
    """
    allowed = " ".join(csp_hash(s) for s in scripts) or "'none'"
    return (f"default-src 'none'; script-src {allowed}; style-src 'unsafe-inline'; "
            "img-src data:; font-src 'none'; connect-src 'none'; base-uri 'none'; "
            "form-action 'none'")


def fill(template: str, slots: dict[str, str]) -> str:
    """Fill ``@@NAME@@`` slots in one pass (inserted text is never scanned again).

    Examples
    --------
    >>> fill("<p>@@A@@</p>", {"A": "@@A@@ {{x}}"})
    '<p>@@A@@ {{x}}</p>'
    """
    return _SLOT.sub(lambda m: slots[m.group(1)], template)


def render_page(title: str, payload: dict[str, Any]) -> str:
    """The whole page for ``payload`` (the data the page script reads), its fixed words
    in the language spoken now."""
    vis_js, vis_css = vis_assets()
    app_js = inline_safe(APP_JS, "script")
    words = {k: _html.escape(v, quote=True) for k, v in chrome().items()}
    return fill(PAGE, {
        **words,
        "LANG": html_lang(),
        "CSP": _html.escape(policy(vis_js, app_js), quote=False),
        "VIS_VERSION": VIS_VERSION,
        "TITLE": _html.escape(plain_text(title, 200)),
        "VIS_CSS": vis_css,
        "APP_CSS": inline_safe(APP_CSS, "style"),
        "DATA": script_json(payload),
        "VIS_JS": vis_js,
        "APP_JS": app_js,
    })
