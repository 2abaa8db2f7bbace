"""The audit trail's hash chain: real files on disk, broken by hand the way someone would."""

from __future__ import annotations

import itertools
import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from graph.audit import GENESIS, AuditError, Break, Trail, entry_hash, verify


def _trail(tmp_path: Path, n: int = 5) -> Trail:
    trail = Trail.beside(tmp_path / "case.db")
    for i in range(1, n + 1):
        trail.append("view", f"P{i:04d}", user="王芳" if i % 2 else "li")
    return trail


def _lines(trail: Trail) -> list[str]:
    return trail.path.read_text(encoding="utf-8").splitlines()


def _rewrite(trail: Trail, lines: list[str]) -> None:
    trail.path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _recompute(lines: list[str]) -> list[str]:
    """The chain rebuilt over ``lines`` (what someone who edits the trail would do)."""
    out, prev = [], GENESIS
    for i, line in enumerate(lines, 1):
        data = json.loads(line)
        data.pop("hash")
        data.update(n=i, prev=prev)
        prev = entry_hash(data)
        out.append(json.dumps({**data, "hash": prev}, ensure_ascii=False))
    return out


def test_an_untouched_trail_verifies_and_its_head_is_the_last_hash(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    verdict = verify(trail)
    assert verdict.ok and verdict.entries == 5
    last = trail.entries()[-1]
    assert verdict.head == last.hash == trail.head_path.read_text().split()[1]
    assert trail.entries()[0].prev == GENESIS
    assert [e.n for e in trail.entries()] == [1, 2, 3, 4, 5]
    assert trail.entries()[0].user == "王芳"  # written as UTF-8, read back as written


def test_an_edited_entry_is_found_at_its_line(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    lines = _lines(trail)
    lines[2] = lines[2].replace("P0003", "P0099")
    _rewrite(trail, lines)
    assert verify(trail).broken == Break("edited", 3, 3)


def test_an_entry_edited_and_rehashed_alone_is_found_by_the_next_link(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    lines = _lines(trail)
    data = json.loads(lines[1])
    data["target"] = "P0099"
    data.pop("hash")
    lines[1] = json.dumps({**data, "hash": entry_hash(data)}, ensure_ascii=False)
    _rewrite(trail, lines)
    assert verify(trail).broken == Break("edited", 2, 2)


def test_a_removed_entry_is_found_where_it_was(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    lines = _lines(trail)
    del lines[3]
    _rewrite(trail, lines)
    assert verify(trail).broken == Break("removed", 4, 4)


def test_two_swapped_entries_are_found_where_the_order_breaks(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    lines = _lines(trail)
    lines[1], lines[2] = lines[2], lines[1]
    _rewrite(trail, lines)
    assert verify(trail).broken == Break("reordered", 2, 3)


def test_an_edit_with_the_whole_chain_recomputed_is_caught_by_the_head(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    lines = _lines(trail)
    lines[1] = lines[1].replace("P0002", "P0099")
    _rewrite(trail, _recompute(lines))
    verdict = verify(trail)
    assert verdict.broken == Break("head", 5, 5)
    assert verdict.noted is not None and verdict.noted.hash != verdict.head


def test_a_removal_with_the_chain_recomputed_is_caught_by_the_head(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    lines = _lines(trail)
    del lines[0]
    _rewrite(trail, _recompute(lines))
    assert verify(trail).broken == Break("head", 4, 5)


def test_entries_cut_off_the_end_are_caught_by_the_head(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    _rewrite(trail, _lines(trail)[:3])
    assert verify(trail).broken == Break("head", 3, 5)


def test_a_missing_head_file_and_a_garbled_line_are_breaks(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    trail.head_path.unlink()
    assert verify(trail).broken is not None and verify(trail).broken.kind == "no head"
    lines = _lines(trail)
    lines[1] = lines[1][:40]
    _rewrite(trail, lines)
    assert verify(trail).broken == Break("unreadable", 2, 2)


def test_the_head_file_can_live_elsewhere(tmp_path: Path) -> None:
    apart = tmp_path / "office" / "county.head"
    trail = Trail.beside(tmp_path / "case.db", head=apart)
    trail.append("load", "/data/county")
    assert apart.exists() and not (tmp_path / "case.audit.head").exists()
    assert verify(trail).ok


def test_appending_after_a_garbled_last_line_is_refused(tmp_path: Path) -> None:
    trail = _trail(tmp_path, 2)
    with trail.path.open("a", encoding="utf-8") as fh:
        fh.write('{"n": 3, "at"\n')
    with pytest.raises(AuditError):
        trail.append("view", "P1")


def _append_many(db: str, who: str, n: int, start: Any) -> None:
    trail = Trail.beside(db)
    start.wait(30)
    for i in range(n):
        trail.append("search", f"{who}-{i}", user=who)


def test_two_processes_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    db = str(tmp_path / "case.db")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    workers = [ctx.Process(target=_append_many, args=(db, who, 150, start))
               for who in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    trail = Trail.beside(db)
    verdict = verify(trail)
    assert verdict.ok, verdict.broken
    entries = trail.entries()
    assert len(entries) == 300
    assert {e.user for e in entries} == {"a", "b"}
    # the two really ran at once: their entries interleave
    users = [e.user for e in entries]
    assert sum(1 for x, y in itertools.pairwise(users) if x != y) > 1
