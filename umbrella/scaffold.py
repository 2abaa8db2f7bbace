"""``umbrella new-rule``: write the four parts of a new rule at once.

A rule is code, settings, a doc page and a golden fixture (as cardinal-rs's
``manage.py add-indicator`` writes an indicator, its docs and its example).
The scaffold writes all four into a source checkout:

- the rule function, with a ``TEXT`` table of its title and explanation
  templates, appended to ``queries/rules/<family>.py`` (a new module, listed
  in ``queries/rules/__init__.py``, when the family is new);
- a ``[CODE]`` block in ``queries/settings.toml``;
- ``docs/rules/CODE.md`` with the sections every rule page has;
- ``tests/queries/golden/CODE/`` with an ``expected.json`` marked ``todo``:
  the golden test fails until the fixture is filled in, and the rule-files
  test fails until it expects at least one finding and one look-alike.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for d in ("queries/rules", "docs/rules", "tests/queries/golden"):
...     (root / d).mkdir(parents=True)
>>> _ = (root / "queries/rules/__init__.py").write_text(
...     '# rule families\\n\\nfrom queries.rules import coi\\n\\n__all__ = ["coi"]\\n')
>>> _ = (root / "queries/settings.toml").write_text("[defaults]\\nmax_kin_hops = 2\\n")
>>> written = new_rule(root, "XYZ-001", "xyz", "collusion", "Something odd")
>>> sorted(str(p.relative_to(root)) for p in written)  # doctest: +NORMALIZE_WHITESPACE
['docs/rules/XYZ-001.md', 'queries/rules/__init__.py', 'queries/rules/xyz.py',
 'queries/settings.toml', 'tests/queries/golden/XYZ-001']
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from graph.errors import UmbrellaError
from lang import _
from queries.findings import CATEGORIES

CODE_RE = re.compile(r"^[A-Z]{3}-\d{3}$")

_MODULE_HEAD = '''"""{family_upper}: {title}.

{code}: {title}. See docs/rules/{code}.md.
"""

from __future__ import annotations

from lang.core import N_
from lang.message import Msg
from queries.context import Context
from queries.findings import Finding, node, rel
from queries.registry import rule
'''

_RULE = '''

# -- {code} {rule_line}

TEXT_{ident} = {{
    "title": N_("{title}"),
    "explanation": N_("{{subject}} matches {code}: say what was found, on which dates, and why "
                      "it matters."),
}}

#: {code}: the matches, one row each, as SQL over the engine's tables (``rel_<TYPE>``,
#: ``ent_<kind>``, the shared intermediates of :mod:`queries.shared`). Values only as
#: ``$name`` parameters; only constructs SQLGlot turns into Spark SQL (the Spark parity
#: test runs every rule there too).
SQL_{ident} = """
    SELECT r.id AS record, r.src AS subject, r.dst AS other, r.s AS date
    FROM rel_KIN r
    WHERE FALSE  -- write the rule's joins here
    ORDER BY r.id"""


@rule("{code}", "{category}", "{title}")
def {func}(ctx: Context) -> list[Finding]:
    """{title} (see docs/rules/{code}.md).

    Run the SQL, fetch every record and entity the evidence will show in a batch, then
    build one finding per match row, its evidence from ``node``/``rel`` so every fact
    names its source row.
    """
    rows = ctx.rows(SQL_{ident}, {{}})
    ctx.frames.prefetch("KIN", (r["record"] for r in rows))
    ctx.frames.prefetch_keys(k for r in rows for k in (r["subject"], r["other"]))
    found: list[Finding] = []
    for r in rows:
        step = ctx.frames.rel_row("KIN", r["record"])
        evidence = [[node(ctx.frames, r["subject"], "person"), rel(ctx.frames, step, "KIN"),
                     node(ctx.frames, r["other"], "person")]]
        found.append(Finding(
            float(ctx.settings["base_score"]),
            Msg(TEXT_{ident}["title"]), [r["subject"], r["other"]], evidence,
            [Msg(TEXT_{ident}["explanation"], {{"subject": ctx.ent(r["subject"])}})],
            date=str(r["date"])))
    return found
'''

_DOC = """# {code} — {title}

Category: `{category}` · Module: `queries/rules/{family}.py` · Golden test:
`tests/queries/golden/{code}/`

## What it flags
TODO: the pattern, in a sentence an investigator reads.

## Why it is a red flag
TODO: why the pattern points at corruption, and what it cannot tell apart.

## Data needed
TODO: the tables and columns the rule reads.

## Settings (`[{code}]`)
- `enabled` (true), `base_score` (0.5): TODO: every key and what raising it does.

## Exclusions
TODO: the look-alikes the rule must not flag (each has a row in the golden fixture).

## Assumptions
TODO: what the rule takes for granted about the data.

## 中文摘要
TODO(中文摘要): 用中文简要说明本规则发现什么、证据是什么、有哪些局限（调查人员读的是这一节）。
"""

_TODO = ("fill in this fixture: layout CSVs beside this file, the findings {code} must report "
         "and the look-alikes it must not, then remove this key")


def _register(init: Path, family: str) -> None:
    """List a new family module in ``queries/rules/__init__.py``."""
    text = init.read_text(encoding="utf-8")
    m = re.search(r"^from queries\.rules import (.+)$", text, re.M)
    a = re.search(r"^__all__ = \[(.*)\]$", text, re.M)
    if m is None or a is None:
        raise UmbrellaError(_("{file}: cannot find the import line and __all__").format(
            file=init), hint=_("add the family module to it by hand"))
    mods = sorted({*(x.strip() for x in m.group(1).split(",")), family})
    text = text.replace(m.group(0), "from queries.rules import " + ", ".join(mods))
    text = text.replace(a.group(0), "__all__ = [" + ", ".join(f'"{x}"' for x in mods) + "]")
    init.write_text(text, encoding="utf-8")


def new_rule(root: Path, code: str, family: str, category: str, title: str) -> list[Path]:
    """Write rule ``code`` of ``family`` into the checkout at ``root``; returns what was
    written. Refuses a malformed code, an unknown category or a rule that exists."""
    code = code.upper()
    if not CODE_RE.match(code):
        raise UmbrellaError(_("{code}: not a rule code").format(code=code),
                            hint=_("write it like COI-003"))
    if category not in CATEGORIES:
        raise UmbrellaError(_("unknown category {category!r}").format(category=category),
                            hint=_("use one of: {categories}").format(
                                categories=_(", ").join(CATEGORIES)))
    if not re.fullmatch(r"[a-z][a-z0-9_]*", family):
        raise UmbrellaError(_("{family!r}: not a module name").format(family=family),
                            hint=_("use lower case, like coi"))
    module = root / "queries" / "rules" / f"{family}.py"
    settings = root / "queries" / "settings.toml"
    doc = root / "docs" / "rules" / f"{code}.md"
    golden = root / "tests" / "queries" / "golden" / code
    toml = settings.read_text(encoding="utf-8")
    if re.search(rf"^\[{re.escape(code)}\]", toml, re.M) or doc.exists() or golden.exists() or (
            module.exists() and f'@rule("{code}"' in module.read_text(encoding="utf-8")):
        raise UmbrellaError(_("{code}: already has a rule, a settings block, a doc page or a "
                              "golden fixture").format(code=code),
                            hint=_("choose the next free code"))
    written: list[Path] = []
    title = title.replace('"', "'")
    fields = {"code": code, "family": family, "family_upper": family.upper(), "title": title,
              "category": category, "ident": code.replace("-", "_"),
              "func": code.lower().replace("-", "_"), "rule_line": "-" * (85 - len(code))}
    if not module.exists():
        module.write_text(_MODULE_HEAD.format(**fields), encoding="utf-8")
        _register(root / "queries" / "rules" / "__init__.py", family)
        written.append(root / "queries" / "rules" / "__init__.py")
    with module.open("a", encoding="utf-8") as fh:
        fh.write(_RULE.format(**fields))
    written.append(module)
    with settings.open("a", encoding="utf-8") as fh:
        fh.write(f"\n[{code}]\nenabled = true\nbase_score = 0.5\n")
    written.append(settings)
    doc.write_text(_DOC.format(**fields), encoding="utf-8")
    written.append(doc)
    golden.mkdir(parents=True)
    expected = {"todo": _TODO.format(code=code), "rules": [code], "findings": [],
                "not_flagged": []}
    (golden / "expected.json").write_text(json.dumps(expected, indent=1) + "\n",
                                          encoding="utf-8")
    (golden / "persons.csv").write_text("person_id,name,gender\n", encoding="utf-8")
    written.append(golden)
    return written


def source_root() -> Path:
    """The checkout this package runs from (where ``queries/settings.toml`` sits)."""
    return Path(__file__).resolve().parent.parent


@click.command("new-rule")
@click.argument("code")
@click.option("--family", required=True, help="Rule family module (coi, sub, col, ...); a new "
              "name starts a new module.")
@click.option("--category", required=True, type=click.Choice(CATEGORIES),
              help="The findings category of the rule.")
@click.option("--title", required=True, help="One line a person reads: what the rule flags.")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False, exists=True),
              default=source_root, show_default="this checkout",
              help="The source checkout to write into.")
def new_rule_command(code: str, family: str, category: str, title: str, root: Path) -> None:
    """Write a new rule: its code, settings block, doc page and golden fixture.

    For rule authors working in a source checkout. The golden fixture is
    marked todo, so the tests fail until it holds the findings the rule must
    report and the look-alikes it must not.

    \b
    Example:
      umbrella new-rule COI-003 --family coi --category conflict_of_interest \\
        --title "Official's kin won a contract of a body the official supervises"
    """
    for path in new_rule(root, code, family, category, title):
        click.echo(_("wrote {path}").format(path=path))
    click.echo(_("Next: fill in docs/rules/{code}.md and the golden fixture, then write the "
                 "rule until `pytest tests/queries` passes.").format(code=code.upper()))
