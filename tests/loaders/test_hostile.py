"""Hostile inputs, kept as files under ``hostile/``: each is refused or set aside, never
loaded wrong, never a traceback or a hang, and read = loaded + set aside.

Every case is a folder: ``layout/NAME`` (a layout folder), ``standards/NAME`` (one
JSON file, format detected), ``mapping/NAME`` (``m.yaml`` and its exports), and
``fuzz/NAME`` (inputs the fuzz test once failed on, same kinds). ``hostile/make.py``
wrote the hand-made ones. Each load runs in a forked child with a time and memory
limit (``tests/isolate.py``), so a case that hangs or eats memory fails instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from isolate import HOSTILE, check_invariants, load_case, read_back, run_load

from graph.store import SqliteStore

KINDS = ("layout", "standards", "mapping")
CASES = sorted(str(p.relative_to(HOSTILE)) for k in (*KINDS, "fuzz")
               if (HOSTILE / k).is_dir() for p in (HOSTILE / k).iterdir() if p.is_dir())


@dataclass
class Expect:
    """What a case must give: a refusal whose message holds ``refused``, or these counts."""

    refused: str = ""
    read: int | None = None
    loaded: int | None = None
    aside: dict[str, int] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)
    """Set-aside lines per reason."""
    names: dict[str, str] = field(default_factory=dict)
    """person_id -> the name stored for it."""
    limits: dict[str, int] = field(default_factory=dict)
    """Input limits to load it under (small files standing for large ones)."""


EXPECT: dict[str, Expect] = {
    "layout/shift-first-row": Expect(read=2, loaded=1, aside={"bad_field_count": 1},
                                     lines={"bad_field_count": [2]}, names={"P2": "b"}),
    "layout/short-row": Expect(read=2, loaded=1, aside={"bad_field_count": 1},
                               names={"P2": "b"}),
    "layout/shift-gb18030": Expect(read=3, loaded=1, aside={"bad_field_count": 2},
                                   lines={"bad_field_count": [2, 4]}, names={"P2": "李四"}),
    "layout/unclosed-quote": Expect(read=5, loaded=4, aside={"bad_quote": 1},
                                    lines={"bad_quote": [4]},
                                    names={"P1": "张三", "P3": "王五", "P4": "赵六"}),
    "layout/stray-quote-closed-later": Expect(read=5, loaded=4, aside={"bad_quote": 1},
                                              lines={"bad_quote": [3]},
                                              names={"P3": "王五", "P4": '赵六"', "P5": "孙七"}),
    "layout/text-after-closing-quote": Expect(read=2, loaded=1, aside={"bad_quote": 1},
                                              names={"P2": "李四"}),
    "layout/quoted-line-break-is-kept": Expect(read=2, loaded=2, names={"P2": "李四"}),
    "layout/cr-only": Expect(read=2, loaded=2, names={"P1": "张三", "P2": "李四"}),
    "layout/mixed-line-ends": Expect(read=3, loaded=3, names={"P3": "王五"}),
    "layout/double-colon": Expect(refused="'::'"),
    "layout/long-field": Expect(read=2, loaded=1, aside={"field_too_long": 1},
                                limits={"field_chars": 100}, names={"P2": "李四"}),
    "layout/long-line": Expect(refused="UMBRELLA_MAX_LINE_BYTES", limits={"line_bytes": 1000}),
    "layout/too-many-columns": Expect(refused="UMBRELLA_MAX_COLUMNS"),
    "layout/nul-bytes": Expect(read=2, loaded=2),
    "layout/blank-first-line": Expect(refused="line 1"),
    "layout/bom-quoted-header": Expect(read=2, loaded=2, names={"P2": '李"四'}),
    "layout/only-quotes": Expect(loaded=1, names={"P1": "a"}),
    "layout/xlsx-zip-bomb": Expect(refused="UMBRELLA_MAX_RATIO"),
    "layout/xlsx-stated-size": Expect(read=2, loaded=1, aside={"missing_required": 1},
                                      lines={"missing_required": [1048576]}),
    "layout/xlsx-entity-bomb": Expect(refused="cannot be read"),
    "layout/xlsx-cells-beyond-header": Expect(read=2, loaded=1, aside={"bad_field_count": 1}),
    "layout/xlsx-not-a-zip": Expect(refused="cannot be read"),
    "standards/deep": Expect(refused="UMBRELLA_MAX_DEPTH"),
    "standards/ocds-deep-release": Expect(refused="UMBRELLA_MAX_DEPTH"),
    "standards/ocds-deep-line": Expect(aside={"bad_json": 1}, lines={"bad_json": [2]}),
    "standards/ftm-deep-line": Expect(read=2, loaded=1, aside={"bad_json": 1}),
    "standards/jsonl-long-line": Expect(read=3, loaded=2, aside={"bad_json": 1},
                                        lines={"bad_json": [2]}, limits={"line_bytes": 1000}),
    "mapping/yaml-alias-bomb": Expect(refused="m.yaml"),
    "mapping/yaml-alias-bomb-in-a-field": Expect(refused="m.yaml"),
    "mapping/yaml-deep": Expect(refused="UMBRELLA_MAX_DEPTH"),
    "mapping/yaml-delimiter": Expect(refused="'::'"),
    "mapping/yaml-not-a-number": Expect(refused="header_row"),
    "mapping/csv-unclosed-quote": Expect(read=3, loaded=2, aside={"bad_quote": 1},
                                         names={"P2": "李四", "P3": "王五"}),
    "mapping/xlsx-merge-bomb": Expect(read=2, loaded=2, names={"P2": "李四"}),
}


def test_every_hand_made_case_says_what_it_must_give() -> None:
    made = {c for c in CASES if not c.startswith("fuzz/")}
    assert made == set(EXPECT), "add the case to EXPECT (or delete it)"


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_input_is_refused_or_set_aside(case: str, tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    expect = EXPECT.get(case, Expect())
    out = run_load(lambda: load_case(HOSTILE / case, db), limits=expect.limits, timeout=30)
    check_invariants(out, case)
    read_back(db)
    if expect.refused:
        assert out.kind == "refused", f"{case}: {out}"
        assert expect.refused in out.message + out.hint, f"{case}: {out}"
        return
    if case in EXPECT:
        assert out.kind == "report", f"{case}: {out}"
    for name, want in (("read", expect.read), ("loaded", expect.loaded)):
        if want is not None:
            assert getattr(out, name) == want, f"{case}: {name}: {out}"
    if expect.aside:
        assert out.codes == expect.aside, f"{case}: {out}"
    for code, lines in expect.lines.items():
        assert sorted(a[1] for a in out.aside if a[2] == code) == lines, f"{case}: {out}"
    for _, line, code, column, _ in out.aside:
        if code in ("bad_quote", "field_too_long", "bad_field_count"):
            assert column, f"{case}: line {line}: {code} names its column"
    if expect.names:
        store = SqliteStore(db)
        try:
            view = store.view()
            got = {}
            for pid in expect.names:
                key = view.resolve(pid, "persons")
                entity = view.get(key) if key else None
                got[pid] = entity.name if entity else None
        finally:
            store.close()
        assert got == expect.names, case
