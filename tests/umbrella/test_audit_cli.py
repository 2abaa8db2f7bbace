"""``umbrella audit``: what load, show and scan record, the listing, and verify's verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from umbrella.cli import cli


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _entries(db: Path) -> list[dict[str, object]]:
    code, out, err = _run("audit", "--db", str(db), "--format", "json")
    assert code == 0, err
    table = json.loads(out)
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


def test_load_show_and_scan_are_recorded_with_user_and_target(small: Path,
                                                                tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    assert _run("load", str(small), "--db", str(db), "--user", "王芳")[0] == 0
    assert _run("show", "P1", "--db", str(db))[0] == 0
    assert _run("show", "P1", "--db", str(db), "--reveal",
                env={"UMBRELLA_USER": "li"})[0] == 0
    assert _run("show", "李", "--db", str(db))[0] == 0
    out_file = tmp_path / "leads.csv"
    assert _run("scan", "--db", str(db), "--format", "csv", "-o", str(out_file))[0] == 0
    entries = _entries(db)
    assert [(e["action"], e["entry"]) for e in entries] == [
        ("load", 1), ("view", 2), ("reveal", 3), ("search", 4), ("view", 5), ("export", 6)]
    assert entries[0]["user"] == "王芳" and entries[0]["target"] == str(small.resolve())
    assert entries[2]["user"] == "li" and entries[1]["user"] not in {"王芳", "li"}
    assert entries[1]["target"] == entries[2]["target"] == "P1/P2"
    assert entries[3]["target"] == "李" and entries[4]["target"] == "P3"
    assert entries[5]["target"] == str(out_file.resolve())
    assert all(str(e["at"]).endswith("Z") for e in entries)
    assert (tmp_path / "case.audit.jsonl").exists() and (tmp_path / "case.audit.head").exists()


def test_a_scan_shown_on_the_terminal_is_no_export(small: Path, tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    _run("load", str(small), "--db", str(db))
    assert _run("scan", "--db", str(db))[0] == 0
    assert [e["action"] for e in _entries(db)] == ["load"]


def test_verify_prints_the_head_and_the_listing_exports(small: Path, tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    _run("load", str(small), "--db", str(db))
    _run("show", "P1", "--db", str(db))
    code, out, _ = _run("audit", "verify", "--db", str(db))
    head = (tmp_path / "case.audit.head").read_text().split()[1]
    assert code == 0 and "2 entries" in out and head in out
    assert _run("audit", "verify", "--db", str(db), "--noted", head)[0] == 0
    xlsx = tmp_path / "audit.xlsx"
    code, _, err = _run("audit", "--db", str(db), "--format", "xlsx", "-o", str(xlsx))
    assert code == 0 and "2 audit entries written" in err
    rows = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("entry", "at", "user", "action", "target") and len(rows) == 3
    code, out, _ = _run("--lang", "zh", "audit", "--db", str(db))
    assert "查看" in out and "导入" in out


def test_verify_says_where_an_edit_is_and_exits_1(small: Path, tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    _run("load", str(small), "--db", str(db))
    _run("show", "P1", "--db", str(db))
    _run("show", "P3", "--db", str(db))
    trail = tmp_path / "case.audit.jsonl"
    lines = trail.read_text(encoding="utf-8").splitlines()
    trail.write_text("\n".join([lines[0], lines[1].replace("P1", "P5"), lines[2]]) + "\n",
                     encoding="utf-8")
    code, _, err = _run("audit", "verify", "--db", str(db))
    assert code == 1 and "Entry 2 (line 2) was edited" in err
    code, _, err = _run("--lang", "zh", "audit", "verify", "--db", str(db))
    assert code == 1 and "第 2 条" in err and "篡改" in err


def test_verify_catches_a_recomputed_chain_by_the_head_file(small: Path,
                                                            tmp_path: Path) -> None:
    from graph.audit import GENESIS, entry_hash

    db = tmp_path / "case.db"
    _run("load", str(small), "--db", str(db))
    _run("show", "P1", "--db", str(db))
    noted = (tmp_path / "case.audit.head").read_text().split()[1]
    trail = tmp_path / "case.audit.jsonl"
    prev, out = GENESIS, []
    for line in trail.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        data.pop("hash")
        data["target"] = data["target"].replace("P1", "P5")
        data["prev"] = prev
        prev = entry_hash(data)
        out.append(json.dumps({**data, "hash": prev}, ensure_ascii=False))
    trail.write_text("\n".join(out) + "\n", encoding="utf-8")
    code, _, err = _run("audit", "verify", "--db", str(db))
    assert code == 1 and "the chain was recomputed" in err
    # whoever also rewrites the head file is still caught by the head the office noted
    (tmp_path / "case.audit.head").write_text(f"2 {prev}\n")
    assert _run("audit", "verify", "--db", str(db))[0] == 0
    code, _, err = _run("audit", "verify", "--db", str(db), "--noted", noted)
    assert code == 1 and noted in err


def test_audit_without_a_trail_says_so(tmp_path: Path) -> None:
    code, out, _ = _run("audit", "--db", str(tmp_path / "none.db"))
    assert code == 0 and "No audit trail yet" in out
    code, out, _ = _run("audit", "verify", "--db", str(tmp_path / "none.db"))
    assert code == 0 and "No audit trail yet" in out


def test_umbrella_audit_names_the_trail_for_every_backend(small: Path, tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    trail = tmp_path / "office" / "county.audit.jsonl"
    trail.parent.mkdir()
    env = {"UMBRELLA_AUDIT": str(trail)}
    assert _run("load", str(small), "--db", str(db), env=env)[0] == 0
    assert trail.exists() and (tmp_path / "office" / "county.audit.head").exists()
    assert not (tmp_path / "case.audit.jsonl").exists()
    assert _run("audit", "verify", "--db", str(db), env=env)[0] == 0


def test_namesakes_listed_unmasked_are_a_reveal(small: Path, tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    _run("load", str(small), "--db", str(db))
    assert _run("show", "张", "--db", str(db))[0] == 0
    assert _run("show", "张", "--db", str(db), "--reveal")[0] == 0
    assert [(e["action"], e["target"]) for e in _entries(db)][1:] == [
        ("search", "张"), ("search", "张"), ("reveal", "张")]
