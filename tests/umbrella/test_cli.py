"""The command line as a user types it (CliRunner, and once the installed script)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from samples import write_csv

from umbrella.cli import cli


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_load_prints_counts_and_writes_the_set_aside_rows(small: Path, tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    code, out, _ = _run("load", str(small), "--db", str(db))
    assert code == 0, out
    assert "persons.csv" in out and "total" in out
    assert "bad_id_number 1" in out
    aside = tmp_path / "case.set-aside.csv"
    assert str(aside) in out
    raw = aside.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens the Chinese text correctly
    text = raw.decode("utf-8-sig")
    assert "赵强" in text and text.count("\n") == 1 + 9


def test_stats_counts_kinds_and_types(small: Path, tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    _run("load", str(small), "--db", str(db))
    code, out, _ = _run("stats", "--db", str(db))
    assert code == 0
    assert "person" in out and "KIN" in out and "COMPANY_ROLE" in out
    assert "rows set aside: 9" in out


def test_db_from_environment(small: Path, tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    code, _, _ = _run("load", str(small), env={"UMBRELLA_DB": str(db)})
    assert code == 0 and db.exists()


def test_malformed_input_is_one_line_with_a_fix_and_leaves_no_database(tmp_path: Path) -> None:
    d = tmp_path / "bad"
    d.mkdir()
    write_csv(d / "persons.csv", ["person_id", "full_name"], [["P1", "张伟"]])
    db = tmp_path / "new.db"
    code, _, err = _run("load", str(d), "--db", str(db))
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[0].startswith("Error: ") and "persons.csv" in lines[0] and "name" in lines[0]
    assert lines[1].startswith("Hint: ")
    assert not db.exists() and not Path(str(db) + "-wal").exists()


def test_failed_load_keeps_an_existing_database_as_it_was(small: Path, tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    _run("load", str(small), "--db", str(db))
    _, before, _ = _run("stats", "--db", str(db))
    (small / "contracts.csv").write_text("contract_id;title\nC9;x\n")
    code, _, err = _run("load", str(small), "--db", str(db))
    assert code == 1 and "semicolon" in err
    _, after, _ = _run("stats", "--db", str(db))
    assert after == before


def test_stats_without_a_database(tmp_path: Path) -> None:
    code, _, err = _run("stats", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "no such database" in err and "Hint:" in err


EXE = Path(sys.executable).parent / "umbrella"


@pytest.mark.skipif(not EXE.exists(), reason="the umbrella script is not installed beside this "
                    "Python (pip install -e .)")
def test_installed_script_runs(small: Path, tmp_path: Path) -> None:
    proc = subprocess.run([str(EXE), "load", str(small), "--db", str(tmp_path / "s.db")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "total" in proc.stdout


def test_generate_writes_the_folder_and_the_truth_beside_it(tmp_path: Path) -> None:
    out = tmp_path / "county"
    code, stdout, _ = _run("generate", str(out), "--scale", "0.1", "--seed", "2")
    assert code == 0, stdout
    assert (out / "persons.csv").exists() and (tmp_path / "county.truth.json").exists()
    assert not list(out.glob("*.json"))
    assert "county.truth.json" in stdout


def test_generate_background_scales_the_look_alikes(tmp_path: Path) -> None:
    def kin_firms(factor: str) -> int:
        out = tmp_path / f"county{factor}"
        code, stdout, _ = _run("generate", str(out), "--scale", "0.2", "--seed", "2",
                               "--background", factor)
        assert code == 0, stdout
        truth = json.loads((tmp_path / f"county{factor}.truth.json").read_text("utf-8"))
        return sum(d["pattern"] == "kin_firm_elsewhere" for d in truth["decoys"])
    assert kin_firms("0") == 1
    assert kin_firms("2") > kin_firms("1") > 1


def test_demo_runs_twice_and_leaves_other_databases_alone(small: Path, tmp_path: Path) -> None:
    db, folder = tmp_path / "demo.db", tmp_path / "demo-county"
    args = ("demo", "--scale", "0.1", "--db", str(db), "--dir", str(folder))
    code, out, err = _run(*args)
    assert code == 0, err
    assert "Try next" in out and "set aside" in out
    _, first, _ = _run("stats", "--db", str(db))
    code, _, err = _run(*args)
    assert code == 0, err
    _, second, _ = _run("stats", "--db", str(db))
    def same(stats: str) -> str:  # the load's time of day differs between the two runs
        return re.sub(r"│ \d\d:\d\d │", "│ HH:MM │", stats.replace("Loads: 1", ""))
    assert same(first) == same(second)
    other = tmp_path / "case.db"
    _run("load", str(small), "--db", str(other))
    code, _, err = _run("demo", "--scale", "0.1", "--db", str(other), "--dir", str(folder))
    assert code == 1 and "other than the demo" in err
