"""The translation catalogs: extract the messages, update the ``.po`` file, compile, check.

Run from a source checkout (Babel does the work)::

    python -m umbrella.catalog update    # messages of the code -> lang/locale/umbrella.pot and
                                     # the zh_CN .po (new ones untranslated, gone ones dropped)
    python -m umbrella.catalog compile   # .po -> .mo (shipped in the package)
    python -m umbrella.catalog check     # every message translated, fields kept, .mo current

Messages are the literal arguments of ``_``/``gettext``, ``N_``, ``NP_`` (singular
and plural), ``ngettext`` and ``pgettext`` in the rooms' Python files, the words of
the vocabularies (schema codes, translated with the vocabulary as context), the help
of every command and option, and the texts click prints around a command's help.
``tests/lang/test_catalog.py`` runs the check, so a message without its Chinese, or a
stale catalog, fails CI.

Examples
--------
>>> ids = {m.id for m in extracted()}
>>> plural = ("{approver} approved a subsidy payment to himself/herself",
...           "{approver} approved {n} subsidy payments to himself/herself")
>>> "not recorded" in ids and plural in ids
True
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from graph import schema
from lang.core import DOMAIN, LOCALEDIR, LOCALES

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ("graph", "lang", "loaders", "synthetic", "queries", "visualizations", "exports",
         "umbrella")
KEYWORDS = {"_": None, "gettext": None, "N_": None, "NP_": (1, 2), "ngettext": (1, 2),
            "pgettext": ((1, "c"), 2)}
POT = LOCALEDIR / f"{DOMAIN}.pot"

#: What click prints around a command's help and in its own errors (click's message ids,
#: as its sources spell them; ``tests/umbrella/test_language.py`` checks they still do).
CLICK: tuple[str | tuple[str, str], ...] = (
    "Usage:", "Options", "Commands", "Show this message and exit.",
    "Show the version and exit.", "%(prog)s, version %(version)s", "Aborted!",
    "Error: {message}", "Try '{command} {option}' for help.",
    "Missing argument", "Missing option", "Missing parameter", "Missing command.",
    "Missing parameter: {param_name}",
    "No such option {name!r}.", "No such command {name!r}.",
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    "Option {name!r} does not take a value.", "Argument {name!r} takes {nargs} values.",
    "Invalid value for {param_hint}: {message}", "Invalid value: {message}",
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    "{value!r} is not a valid {number_type}.", "{value} is not in the range {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}",
    ("{value!r} does not match the format {format}.",
     "{value!r} does not match the formats {formats}."),
    "file", "directory", "path",
    "{name} {filename!r} does not exist.", "{name} {filename!r} is a file.",
    "{name} {filename!r} is a directory.", "{name} {filename!r} is not readable.",
    "{name} {filename!r} is not writable.", "Could not open file {filename!r}: {message}",
    "default: {default}", "env var: {var}", "required",
)


def po_path(lang: str = "zh") -> Path:
    """The ``.po`` file of a language."""
    return LOCALEDIR / LOCALES[lang] / "LC_MESSAGES" / f"{DOMAIN}.po"


def _vocabulary() -> Iterator[tuple[str, str]]:
    """(context, English word) of every vocabulary word messages may show."""
    from lang.message import _WORDS, english_word

    vocabs: dict[str, tuple[str, ...]] = {
        "company_role": schema.COMPANY_ROLES, "case_role": schema.CASE_ROLES,
        "case_kind": schema.CASE_KINDS, "outcome": schema.CASE_OUTCOMES,
        "method": schema.CONTRACT_METHODS, "bid_status": schema.BID_STATUSES,
        "sector": schema.SECTORS, "org_kind": schema.ORG_KINDS,
        "node_kind": tuple(schema.NODE_KINDS), "relation": schema.TIE_RELATIONS,
        "rel_type": tuple(schema.REL_TYPES),
    }
    for vocab, codes in vocabs.items():
        for code in codes:
            yield vocab, english_word(vocab, code)
    for vocab, words in _WORDS.items():
        for code in words:
            yield vocab, english_word(vocab, code)
    from queries.findings import CATEGORIES

    for code in CATEGORIES:
        yield "category", english_word("category", code)


def extracted() -> list[Message]:
    """Every message of the code, the vocabularies and click, once each."""
    seen: dict[tuple[object, str | None], Message] = {}

    def add(msgid: str | tuple[str, str], context: str | None, where: str) -> None:
        key = (msgid, context)
        if key not in seen:
            seen[key] = Message(msgid, context=context, locations=[(where, 0)])

    for room in ROOMS:
        for filename, _lineno, message, _comments, context in extract_from_dir(
                str(ROOT / room), method_map=[("**.py", "python")], keywords=KEYWORDS):
            msgid = message if isinstance(message, str) else tuple(message)
            if msgid and (not isinstance(msgid, tuple) or all(msgid)):
                add(msgid, context, f"{room}/{filename}")  # type: ignore[arg-type]
    for vocab, text in _vocabulary():
        add(text, vocab, "graph/schema.py")
    for said in CLICK:
        add(said, None, "click")
    from umbrella.cli import cli
    from umbrella.language import help_texts

    for text in help_texts(cli):
        add(text, None, "umbrella/cli.py")
    return sorted(seen.values(), key=lambda m: (str(m.context or ""), str(m.id)))


def template() -> Catalog:
    """The template catalog of every message (no translations)."""
    cat = Catalog(domain=DOMAIN, project="umbrella", fuzzy=False)
    for m in extracted():
        cat[m.id] = Message(m.id, context=m.context, locations=m.locations)
    return cat


def _po(lang: str) -> Catalog:
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=LOCALES[lang], domain=DOMAIN)


def parts(lang: str = "zh") -> list[Path]:
    """Extra ``.po`` files beside the language's catalog (``parts/*.po``): translations
    written apart (one area at a time) that :func:`update` folds into the catalog."""
    return sorted((po_path(lang).parent / "parts").glob("*.po"))


def update(lang: str = "zh") -> tuple[int, int]:
    """Write the template and bring the language's ``.po`` up to it: new messages added
    (translated when a part file has them, else empty), vanished ones dropped.
    Returns (messages, untranslated)."""
    pot = template()
    POT.parent.mkdir(parents=True, exist_ok=True)
    with POT.open("wb") as fh:
        write_po(fh, pot, width=100, omit_header=False, no_location=True)
    path = po_path(lang)
    if path.exists():
        po = _po(lang)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        po = Catalog(locale=LOCALES[lang], domain=DOMAIN, project="umbrella")
    memory = []
    for part in parts(lang):
        with part.open("rb") as fh:
            memory.append(read_po(fh, locale=LOCALES[lang], domain=DOMAIN))
    fresh = Catalog(locale=LOCALES[lang], domain=DOMAIN, project="umbrella", fuzzy=False)
    for m in pot:
        if not m.id:
            continue
        old = po.get(m.id, m.context)
        if old is None or not _said(old):
            for c in memory:
                found = c.get(m.id, m.context)
                if found is not None and _said(found):
                    old = found
                    break
        fresh[m.id] = Message(m.id, string=old.string if old is not None else
                              ("", "") if isinstance(m.id, tuple) else "",
                              context=m.context)
    with path.open("wb") as fh:
        write_po(fh, fresh, width=100, no_location=True)
    return len(fresh), len(missing(fresh))


def _said(m: Message) -> bool:
    """Whether a message has a translation (every plural form, as many as the catalog has)."""
    strings = m.string if isinstance(m.string, tuple) else (m.string,)
    return bool(strings) and all(strings)


def missing(cat: Catalog) -> list[Message]:
    """Messages without a translation (or with an empty plural form)."""
    out = []
    for m in cat:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(strings):
            out.append(m)
    return out


def _fields(text: str) -> set[str]:
    return set(re.findall(r"\{(\w*)(?:[:!][^}]*)?\}", text))


def problems(lang: str = "zh") -> list[str]:
    """What is wrong with a language's catalogs: messages of the code missing from it or
    untranslated, messages it keeps that the code no longer has, translations whose
    ``{fields}`` differ from the message's, and a ``.mo`` older than the ``.po``."""
    po = _po(lang)
    out: list[str] = []
    want = {(m.id, m.context) for m in extracted()}
    have = {(m.id, m.context) for m in po if m.id}
    out += [f"not in the catalog: {i!r} ({c})" for i, c in sorted(want - have, key=str)]
    out += [f"stale (the code no longer has it): {i!r}" for i, _ in sorted(have - want, key=str)]
    out += [f"untranslated: {m.id!r}" for m in missing(po)]
    for m in po:
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        expected = set().union(*(_fields(str(i)) for i in ids))
        for s in strings:
            if s and _fields(str(s)) - expected:
                out.append(f"fields differ: {m.id!r} -> {s!r}")
    mo = po_path(lang).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled(lang):
        out.append(f"{mo.relative_to(ROOT)} is not the compiled .po: run python -m "
                   "umbrella.catalog compile")
    return out


def compiled(lang: str = "zh") -> bytes:
    """The ``.mo`` bytes of a language's ``.po``."""
    buf = io.BytesIO()
    write_mo(buf, _po(lang), use_fuzzy=False)
    return buf.getvalue()


def compile_mo(lang: str = "zh") -> Path:
    """Write the language's ``.mo`` (what ships in the package)."""
    mo = po_path(lang).with_suffix(".mo")
    mo.write_bytes(compiled(lang))
    return mo


def main(argv: list[str]) -> int:
    """``update``, ``compile`` or ``check`` (see the module docstring)."""
    command = argv[0] if argv else "check"
    if command == "update":
        n, todo = update()
        print(f"{n} messages; {todo} untranslated in {po_path().relative_to(ROOT)}")
        return 0
    if command == "compile":
        print(f"wrote {compile_mo().relative_to(ROOT)}")
        return 0
    found = problems()
    for p in found:
        print(p)
    print(f"{len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
