"""The command line in Chinese (``--lang zh``, ``UMBRELLA_LANG``, the locale) and, run the
same way without it, in English as before: one test per family of messages, each running
the real command line."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from lang.core import translations
from umbrella.cli import cli
from umbrella.language import walk

CJK = re.compile(r"[\u4e00-\u9fff]")
#: No language chosen by the environment: English, whatever the machine's locale.
PLAIN = {"UMBRELLA_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANGUAGE": None,
         "LANG": "C.UTF-8"}


def _run(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={**PLAIN, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def zh(text: str) -> str:
    """``text`` as the Chinese catalog has it (a test fails on an untranslated one)."""
    said = translations("zh").gettext(text)
    assert said != text, f"no Chinese for {text!r}"
    return said


@pytest.fixture
def loaded(small: Path, tmp_path: Path) -> Path:
    db = tmp_path / "case.db"
    code, out, err = _run("load", str(small), "--db", str(db))
    assert code == 0, out + err
    return db


def test_load_report_in_chinese_and_english(small: Path, tmp_path: Path) -> None:
    code, out, err = _run("--lang", "zh", "load", str(small), "--db", str(tmp_path / "zh.db"))
    assert code == 0, out + err
    # the reason codes stay as machines read them
    assert re.search(r"未载入行按原因：.*bad_id_number 1", out), out
    assert "已写入" in out and "合计" in out
    code, out, err = _run("load", str(small), "--db", str(tmp_path / "en.db"))
    assert code == 0, out + err
    assert re.search(r"Set aside by reason: .*bad_id_number 1", out) and "total" in out
    assert "written to" in out and not CJK.search(out)


def test_set_aside_rows_and_their_fix_it_messages(small: Path, loaded: Path,
                                                 tmp_path: Path) -> None:
    # the messages are kept as the load wrote them: in the language of that load
    chinese = tmp_path / "zh.db"
    code, out, err = _run("load", str(small), "--db", str(chinese), "--lang", "zh")
    assert code == 0, out + err
    code, out, _ = _run("set-aside", "--db", str(chinese), "--load", "1", "--lang", "zh",
                        "--format", "json")  # JSON keeps the machine column names
    assert code == 0
    listing = json.loads(out)
    rows = [dict(zip(listing["columns"], row, strict=True)) for row in listing["rows"]]
    assert len(rows) == 9
    # every row's message (what is wrong, how to fix it) is Chinese; the data as written
    messages = [r["message"] for r in rows]
    assert all(CJK.search(m) for m in messages), messages
    code, out, _ = _run("set-aside", "--db", str(loaded), "--load", "1", "--format", "csv")
    assert not any(CJK.search(r["message"]) for r in csv.DictReader(
        io.StringIO(out.lstrip("\ufeff")))), out
    code, out, _ = _run("set-aside", "--db", str(loaded), "--load", "1")
    assert code == 0 and "9 rows set aside by load 1" in out
    code, _, err = _run("set-aside", "--db", str(loaded), "--load", "7", "--lang", "zh")
    assert code == 1
    assert "没有导入 7" in err and "提示：" in err
    code, _, err = _run("set-aside", "--db", str(loaded), "--load", "7")
    assert code == 1 and "no load 7 (loads: 1)" in err and "Hint: " in err


def test_loader_errors_name_file_and_line_in_both_languages(tmp_path: Path) -> None:
    d = tmp_path / "bad"
    d.mkdir()
    (d / "persons.csv").write_text("person_id,full_name\nP1,张伟\n", encoding="utf-8")
    code, _, err = _run("load", str(d), "--db", str(tmp_path / "z.db"), "--lang", "zh")
    assert code == 1
    first, hint = err.strip().splitlines()[:2]
    assert first.startswith("错误：") and "persons.csv" in first and hint.startswith("提示：")
    code, _, err = _run("load", str(d), "--db", str(tmp_path / "e.db"))
    first, hint = err.strip().splitlines()[:2]
    assert first.startswith("Error: ") and "persons.csv" in first and hint.startswith("Hint: ")
    assert not CJK.search(err)


def test_limits_say_which_variable_to_raise(small: Path, tmp_path: Path) -> None:
    env = {"UMBRELLA_MAX_COLUMNS": "3"}
    code, _, err = _run("load", str(small), "--db", str(tmp_path / "z.db"), "--lang", "zh",
                        env=env)
    assert code == 1 and "UMBRELLA_MAX_COLUMNS" in err
    assert "超过上限 3 列" in err and "提示：" in err
    code, _, err = _run("load", str(small), "--db", str(tmp_path / "e.db"), env=env)
    assert code == 1 and "over the limit of 3 columns (UMBRELLA_MAX_COLUMNS)" in err
    code, _, err = _run("load", str(small), "--db", str(tmp_path / "n.db"), "--lang", "zh",
                        env={"UMBRELLA_MAX_COLUMNS": "many"})
    assert code == 1 and "UMBRELLA_MAX_COLUMNS='many'" in err and "不是整数" in err


def test_settings_errors_in_chinese(loaded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[COI-001]\nhop_penalty = "much"\n', encoding="utf-8")
    code, _, err = _run("scan", "--db", str(loaded), "--settings", str(bad), "--lang", "zh")
    assert code == 1 and "hop_penalty" in err and "错误：" in err and "应为" in err
    code, _, err = _run("scan", "--db", str(loaded), "--settings", str(bad))
    assert code == 1 and "hop_penalty" in err and "should be" in err and not CJK.search(err)


def test_stats_and_scan_in_chinese(loaded: Path) -> None:
    code, out, _ = _run("stats", "--db", str(loaded), "--lang", "zh")
    assert code == 0
    assert zh("Relationship records") in out and "未载入行：9" in out
    assert translations("zh").pgettext("rel_type", "KIN") in out  # the type in words
    code, out, _ = _run("stats", "--db", str(loaded))
    assert "Relationship records" in out and "rows set aside: 9" in out and "KIN" in out
    assert not CJK.search(out)
    code, out, _ = _run("scan", "--db", str(loaded), "--lang", "zh")
    assert code == 0 and "已运行的规则：" in out and "下一步：" in out
    code, out, _ = _run("scan", "--db", str(loaded))
    assert code == 0 and "Rules run: " in out and "Next: umbrella show ID" in out


def test_store_errors_in_chinese_without_a_credential(tmp_path: Path) -> None:
    code, _, err = _run("stats", "--db", str(tmp_path / "none.db"), "--lang", "zh")
    assert code == 1 and "数据库不存在" in err and "提示：" in err
    code, _, err = _run("stats", "--db", "neo4j://neo4j:sekret@127.0.0.1:1", "--lang", "zh")
    assert code == 1 and "sekret" not in err and "错误：" in err
    code, _, err = _run("stats", "--db", "neo4j://neo4j:sekret@127.0.0.1:1")
    assert code == 1 and "sekret" not in err and "Error: " in err and not CJK.search(err)


def test_teamwork_commands_in_chinese(loaded: Path, tmp_path: Path) -> None:
    code, _, err = _run("query", "MATCH (n) RETURN n", "--db", str(loaded), "--lang", "zh")
    assert code == 1 and "Neo4j" in err and "错误：" in err and "提示：" in err
    code, _, err = _run("push", "--db", str(loaded), "--to", str(tmp_path / "x.db"),
                        "--lang", "zh")
    assert code == 1 and "--to" in err and CJK.search(err)
    code, _, err = _run("pull", "--from", str(loaded), "--db", str(tmp_path / "y.db"))
    assert code == 1 and "pull copies Neo4j (--from) into a database file (--db)" in err


def test_demo_says_what_to_try_next_in_chinese(tmp_path: Path) -> None:
    db, folder = tmp_path / "demo.db", tmp_path / "demo-county"
    code, out, err = _run("demo", "--scale", "0.1", "--db", str(db), "--dir", str(folder),
                          "--lang", "zh")
    assert code == 0, err
    assert zh("Try next:") in out and "umbrella stats --db" in out
    assert zh("open {path} to see the rows set aside and why").split("{path}")[-1] in out


def test_the_locale_chooses_chinese_and_umbrella_lang_overrides_it(loaded: Path) -> None:
    code, out, _ = _run("stats", "--db", str(loaded), env={"LANG": "zh_CN.UTF-8"})
    assert code == 0 and "未载入行：9" in out
    code, out, _ = _run("stats", "--db", str(loaded),
                        env={"LANG": "zh_CN.UTF-8", "UMBRELLA_LANG": "en"})
    assert code == 0 and "rows set aside: 9" in out and not CJK.search(out)
    code, out, _ = _run("stats", "--db", str(loaded), "--lang", "en",
                        env={"UMBRELLA_LANG": "zh"})
    assert code == 0 and "rows set aside: 9" in out


def test_the_locale_chooses_chinese_in_a_fresh_process(loaded: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("UMBRELLA_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    run = [sys.executable, "-c", "import sys; sys.argv[0] = 'umbrella'; "
           "from umbrella.cli import main; main()", "stats", "--db", str(loaded)]
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(run, capture_output=True, text=True, timeout=120,
                          env={**env, "LANG": "zh_CN.UTF-8"}, cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "未载入行：9" in proc.stdout
    proc = subprocess.run(run, capture_output=True, text=True, timeout=120,
                          env={**env, "LANG": "zh_CN.UTF-8", "UMBRELLA_LANG": "en"}, cwd=root)
    assert proc.returncode == 0 and "rows set aside: 9" in proc.stdout


def _commands() -> Iterator[tuple[list[str], click.Command]]:
    def under(path: list[str], cmd: click.Command) -> Iterator[tuple[list[str], click.Command]]:
        yield path, cmd
        if isinstance(cmd, click.Group):
            for name, sub in sorted(cmd.commands.items()):
                yield from under([*path, name], sub)

    yield from under([], cli)


def _flat(text: str) -> str:
    return "".join(text.replace("\b", "").split())


@pytest.mark.parametrize("path", [p for p, _ in _commands()], ids=lambda p: " ".join(p) or "-")
def test_every_help_line_is_chinese(path: list[str]) -> None:
    code, out, err = _run(*path, "--help", "--lang", "zh")
    assert code == 0, err
    shown = _flat(out)
    cmd = dict((tuple(p), c) for p, c in _commands())[tuple(path)]
    assert next(iter(walk(cmd))) is cmd
    english = cmd.__dict__.get("_umbrella_english", {}).get("help") or cmd.help or ""
    assert _flat(zh(english))[:12] in shown
    for p in cmd.params:
        text = p.__dict__.get("_umbrella_english", {}).get("help") if isinstance(
            p, click.Option) else None
        if text:
            assert _flat(zh(text))[:8] in shown, (p.name, text)
    # no line of the options and commands lists is left in English
    section = False
    for line in out.splitlines():
        if line.strip().endswith("：") or line.strip().endswith(":"):
            section = line.strip()[:-1] in (zh("Options"), zh("Commands"))
            continue
        words = re.findall(r"\s{2,}([A-Za-z][a-z]+(?: [a-z]+){3,})", line)
        assert not (section and words), line
    # and run again without it, English as before (examples may hold Chinese data)
    code, out, _ = _run(*path, "--help")
    assert code == 0 and "Show this message and exit." in out
    english_shown = _flat(out)
    assert _flat(english)[:30] in english_shown
    assert zh("Show this message and exit.") not in out
    for p in cmd.params:
        text = p.__dict__.get("_umbrella_english", {}).get("help") if isinstance(
            p, click.Option) else None
        if text:
            assert _flat(text)[:20] in english_shown and _flat(zh(text))[:8] not in english_shown


def test_the_wheel_ships_the_compiled_catalog(tmp_path: Path) -> None:
    import zipfile

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(root), "--no-deps", "-q",
                           "-w", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("umbrella-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "lang/locale/zh_CN/LC_MESSAGES/umbrella.mo" in names
    # installed from it alone, the catalog is found beside the package
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (f"import lang.core as c; assert c.LOCALEDIR.is_relative_to({str(target)!r}); "
            "c.set_language('zh'); print(c.gettext('Try next:'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(target)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == zh("Try next:")
