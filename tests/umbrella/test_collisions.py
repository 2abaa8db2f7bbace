"""Ids two sources define differently, as the commands show them: after the load, in
``stats``, and when a lookup names one."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from samples import write_csv

from umbrella.cli import cli

ZHANG, LI = "11010519491231002X", "110105198503070035"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _folder(path: Path, name: str, id_number: str) -> Path:
    path.mkdir()
    write_csv(path / "persons.csv", ["person_id", "name", "id_number"],
              [["P1", name, id_number], ["P9", f"{name}的邻居", ""]])
    return path


def test_an_id_of_two_sources_is_listed_and_a_lookup_names_both(tmp_path: Path) -> None:
    a, b = _folder(tmp_path / "a", "张三", ZHANG), _folder(tmp_path / "b", "李四", LI)
    db = str(tmp_path / "case.db")
    assert _run("load", str(a), "--db", db)[0] == 0
    code, out, _ = _run("load", str(b), "--db", db)
    flat = " ".join(out.split())
    assert code == 0 and "Warning: 1 ids of this load (1 persons) name other entities" in flat
    pa, pb = a / "persons.csv", b / "persons.csv"
    assert f"  persons P1: {pb} line 2 (this load); {pa} line 2\n" in out
    code, out, _ = _run("stats", "--db", db)
    assert "two sources defined them differently): 1 (1 persons)" in " ".join(out.split())
    assert f"  persons P1: {pa} line 2; {pb} line 2\n" in out
    code, _, err = _run("show", "P1", "--db", db)
    assert code == 1
    first, hint = err.splitlines()[:2]
    assert first.startswith("Error: persons id P1 names 2 entities (different sources "
                            "defined it): ")
    assert "张三 [p:h:" in first and f"] from {a / 'persons.csv'} line 2" in first
    assert "李四 [p:h:" in first and f"] from {b / 'persons.csv'} line 2" in first
    key = re.search(r"李四 \[(p:h:\w+)\]", first).group(1)  # type: ignore[union-attr]
    assert hint.startswith("Hint: give the key in brackets of the one you mean")
    code, out, _ = _run("show", key, "--db", db)
    assert code == 0 and "李四" in out and "ids P1" in out
    code, _, err = _run("path", "P1", "P9", "--db", db)
    assert code == 1 and "names 2 entities" in err
