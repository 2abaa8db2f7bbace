"""Golden text: every rule's findings on its golden fixture, worded in each language.

Each golden folder holds, beside ``expected.json``, ``text.en.json`` and ``text.zh.json``:
the title and explanation of every finding the fixture expects, as the rules word them
in English and in Chinese (kin words by the gender on record, dates and money as the
language writes them). A rule whose words change, or whose Chinese is missing from the
catalog, fails here; so does a rule that no golden text covers.

After an intended change of wording, write the files again and read the difference
before committing it::

    UMBRELLA_WRITE_GOLDEN_TEXT=1 pytest tests/queries/test_golden_text.py
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo

from graph.store import SqliteStore
from lang.core import DOMAIN, LOCALEDIR, LOCALES
from lang.message import english_word, localized
from loaders.load import load_folder
from queries import rules as _rules  # noqa: F401  (registers the rules)
from queries.registry import RULES
from queries.scan import scan

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "expected.json").exists())
LANGS = ("en", "zh")
WRITE = os.environ.get("UMBRELLA_WRITE_GOLDEN_TEXT") == "1"


def _findings(case: str, tmp_path: Path) -> list[dict[str, Any]]:
    folder = GOLDEN / case
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    store = SqliteStore(tmp_path / f"{case}.db")
    try:
        load_folder(folder, store)
        found = scan(store, codes=expected["rules"], overrides=expected.get("overrides")).findings
    finally:
        store.close()
    return sorted(found, key=lambda f: (f["rule"], sorted(f["entities"])))


def _worded(findings: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    out = []
    for f in findings:
        shown = localized(f, lang)
        out.append({"rule": f["rule"], "entities": sorted(f["entities"]),
                    "title": shown["title"], "explanation": shown["explanation"]})
    return out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES)
def test_golden_text(case: str, lang: str, tmp_path: Path) -> None:
    path = GOLDEN / case / f"text.{lang}.json"
    got = _worded(_findings(case, tmp_path), lang)
    if WRITE:
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden text {path.name} for {case}"
    want = json.loads(path.read_text(encoding="utf-8"))
    assert [(w["rule"], w["entities"]) for w in got] == [
        (w["rule"], w["entities"]) for w in want], f"{case}: other findings than the golden text"
    for g, w in zip(got, want, strict=True):
        assert g["title"] == w["title"], (case, lang, g["rule"], g["entities"])
        assert g["explanation"] == w["explanation"], (case, lang, g["rule"], g["entities"])


def _golden_texts(lang: str) -> list[dict[str, Any]]:
    return [t for case in CASES if (GOLDEN / case / f"text.{lang}.json").exists()
            for t in json.loads((GOLDEN / case / f"text.{lang}.json").read_text("utf-8"))]


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_golden_text_in_each_language(code: str) -> None:
    for lang in LANGS:
        texts = [t for t in _golden_texts(lang) if t["rule"] == code]
        assert texts, f"no golden text.{lang}.json words a finding of {code}"
        for t in texts:
            assert t["title"] and t["explanation"], (code, lang, t["entities"])


def _messages(msg: Mapping[str, Any]) -> Iterator[tuple[str | tuple[str, str], str | None]]:
    """Every template (and vocabulary word, with its vocabulary) a stored message uses."""
    raw = msg["msg"]
    yield (str(raw[0]), str(raw[1])) if isinstance(raw, list) else str(raw), None
    yield from _fields(msg.get("fields", {}))


def _fields(value: Any) -> Iterator[tuple[str | tuple[str, str], str | None]]:
    if isinstance(value, list):
        for v in value:
            yield from _fields(v)
    elif isinstance(value, Mapping):
        kind = value.get("t")
        if kind == "msg":
            yield from _messages(value)
        elif kind == "word":
            text = english_word(str(value["vocab"]), str(value["code"]))
            if text:
                yield text, str(value["vocab"])
        elif kind == "list":
            yield str(value.get("sep", ", ")), None
            yield from _fields(value["items"])
        elif kind is None:
            for v in value.values():
                yield from _fields(v)


def _chinese() -> Catalog:
    mo = LOCALEDIR / LOCALES["zh"] / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo.open("rb") as fh:
        return read_mo(fh)


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_template_of_a_rule_has_its_chinese(code: str, tmp_path: Path) -> None:
    """Each template and vocabulary word the rule's golden findings use is in the compiled
    Chinese catalog (a missing one would show English inside Chinese text)."""
    cases = [c for c in CASES if code in json.loads(
        (GOLDEN / c / "expected.json").read_text(encoding="utf-8"))["rules"]]
    assert cases, f"no golden fixture runs {code}"
    catalog = _chinese()
    used: set[tuple[str | tuple[str, str], str | None]] = set()
    for case in cases:
        for f in _findings(case, tmp_path):
            if f["rule"] == code:
                used.update(_messages(f["text"]["title"]))
                for m in f["text"]["explanation"]:
                    used.update(_messages(m))
    assert used, f"the golden fixtures of {code} word no finding of it"
    lacking = []
    for msgid, context in sorted(used, key=str):
        found = catalog.get(msgid, context)
        strings = () if found is None else (
            found.string if isinstance(found.string, tuple) else (found.string,))
        if not strings or not all(strings):
            lacking.append(f"{context or ''}|{msgid}")
    assert lacking == [], f"{code}: no Chinese for " + "; ".join(lacking)


def test_kin_words_follow_the_gender_on_record(tmp_path: Path) -> None:
    """The golden SUB fixture records genders: the wife is 妻子, the wife's brother is
    the brother-in-law (妻子的兄弟), in the title and in the explanation."""
    found = {tuple(sorted(f["entities"])): f for f in _findings("SUB", tmp_path)}
    wife, brother = found[("P5", "P6", "PM05")], found[("P1", "P3", "PM01", "PM02")]
    assert "his/her wife 赵敏" in localized(wife, "en")["title"]
    assert "向其妻子赵敏" in localized(wife, "zh")["title"]
    assert "the approver's brother-in-law" in localized(brother, "en")["explanation"]
    assert "审批人的妻子的兄弟" in localized(brother, "zh")["explanation"]
