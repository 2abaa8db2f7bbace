"""One date parser for every date option: ``--on`` of path, clusters, brokers and
export html refuses what is not a calendar date written YYYY-MM-DD, naming the option
and the form, in the run's language; a real date goes through."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from samples import REPO

from graph.store import SqliteStore
from lang.formats import DATE_FORM
from loaders.load import load_folder
from umbrella.cli import cli
from umbrella.options import DateType

COI = REPO / "tests" / "queries" / "golden" / "COI"
BAD = ["2021-13-01", "yesterday", "2021-02-30", "2021/02/28", "20210228", ""]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dates") / "case.db"
    store = SqliteStore(path)
    try:
        load_folder(COI, store)
        ends = [e.source_ids[0] for e in store.view().entities("person")][:2]
    finally:
        store.close()
    (path.parent / "ends.txt").write_text(" ".join(ends), encoding="utf-8")
    return path


def _ends(db: Path) -> list[str]:
    return (db.parent / "ends.txt").read_text(encoding="utf-8").split()


def _commands(db: Path, tmp: Path) -> dict[str, list[str]]:
    """Every command with a date option, without the date."""
    a, b = _ends(db)
    return {"path": ["path", a, b, "--db", str(db)],
            "clusters": ["clusters", "--db", str(db)],
            "brokers": ["brokers", "--db", str(db)],
            "export html": ["export", "html", "--entity", a, "-o", str(tmp / "x.html"),
                            "--db", str(db)]}


def test_every_date_option_of_every_command_uses_the_one_parser() -> None:
    """A new command with a date option cannot miss it: every option named like a date
    has the date type."""
    def walk(cmd: click.Command, name: str) -> list[tuple[str, click.Parameter]]:
        found = [(name, p) for p in cmd.params]
        if isinstance(cmd, click.Group):
            for sub_name, sub in cmd.commands.items():
                found += walk(sub, f"{name} {sub_name}")
        return found

    dated = [(n, p) for n, p in walk(cli, "umbrella")
             if any(re.search(r"^--(on|date|since|until|as-of)\b", o) for o in p.opts)]
    assert {n for n, _ in dated} >= {"umbrella path", "umbrella clusters", "umbrella brokers",
                                    "umbrella export html"}
    assert all(isinstance(p.type, DateType) for _, p in dated), [
        (n, p.opts) for n, p in dated if not isinstance(p.type, DateType)]


@pytest.mark.parametrize("command", ["path", "clusters", "brokers", "export html"])
@pytest.mark.parametrize("bad", BAD)
def test_a_date_option_refuses_what_is_not_a_date(db: Path, tmp_path: Path, command: str,
                                                  bad: str) -> None:
    args = _commands(db, tmp_path)[command]
    run = CliRunner().invoke(cli, ["--lang", "en", *args, "--on", bad])
    assert run.exit_code == 2, run.output
    assert "'--on'" in run.output and DATE_FORM in run.output
    assert repr(bad)[1:-1] in run.output
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("command", ["path", "clusters", "brokers", "export html"])
def test_a_date_option_says_it_in_chinese(db: Path, tmp_path: Path, command: str) -> None:
    args = _commands(db, tmp_path)[command]
    run = CliRunner().invoke(cli, ["--lang", "zh", *args, "--on", "2021-02-30"])
    assert run.exit_code == 2
    assert "--on" in run.output and DATE_FORM in run.output and "2021-02-30" in run.output
    assert re.search(r"[\u4e00-\u9fff]", run.output)


@pytest.mark.parametrize("command", ["path", "clusters", "brokers", "export html"])
def test_a_real_date_goes_through(db: Path, tmp_path: Path, command: str) -> None:
    args = _commands(db, tmp_path)[command]
    run = CliRunner().invoke(cli, ["--lang", "en", *args, "--on", "2024-02-29"])
    assert run.exit_code == 0, run.output


def test_the_on_setting_reads_dates_the_same_way(tmp_path: Path) -> None:
    from queries.settings import SettingsError, check_value

    check_value("[CLU-001]", "on", "2024-02-29")
    for bad in ("2021-13-01", "2021-02-30", "yesterday", "20210228"):
        with pytest.raises(SettingsError, match="YYYY-MM-DD"):
            check_value("[CLU-001]", "on", bad)
