"""Terminal tables at 100 columns: ``show``, ``clusters`` and ``scan`` on the demo county, in
English and with Chinese chrome, run as a user runs them (a new process, ``COLUMNS=100``).

Every line fits in 100 terminal cells (a Chinese character counts two), and the cells a
reader copies from (``file:line`` sources, money, ids) come out whole, exactly as they do
at 400 columns: wrapped rows never split them and nothing is cut with an ellipsis.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from umbrella.cli import cli

CLI = "import sys; from umbrella.cli import main; sys.argv[0] = 'umbrella'; main()"
SOURCE = re.compile(r"[\w.-]+\.csv:\d+")
MONEY = re.compile(r"¥[\d,]+\.\d\d|\d[\d.]*[万亿]?元")
ID = re.compile(r"\b(?:F-[0-9a-f]{12}|[PKOC]\d{5,7})\b")
HEADERS = {"en": ("score", "id"), "zh": ("评分", "编号")}


def _cli(lang: str, columns: int, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "COLUMNS": str(columns),
           "PYTHONIOENCODING": "utf-8", "UMBRELLA_LANG": lang}
    done = subprocess.run([sys.executable, "-c", CLI, "--lang", lang, *args], env=env,
                          text=True, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The demo county's database and the entity with the most findings."""
    tmp = tmp_path_factory.mktemp("width")
    db = str(tmp / "demo.db")
    result = CliRunner().invoke(cli, ["demo", "--scale", "0.1", "--db", db,
                                      "--dir", str(tmp / "county")])
    assert result.exit_code == 0, result.output
    found = json.loads(CliRunner().invoke(cli, ["scan", "--db", db, "--format", "json"]).stdout)
    counts = Counter(e for f in found["findings"] for e in f["entities"] if e.startswith("P"))
    return db, counts.most_common(1)[0][0]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("command", ["show", "clusters", "scan"])
def test_tables_fit_100_columns_and_keep_sources_money_and_ids_whole(
        demo: tuple[str, str], command: str, lang: str) -> None:
    db, person = demo
    args = {"show": ("show", person, "--db", db), "clusters": ("clusters", "--db", db),
            "scan": ("scan", "--db", db)}[command]
    narrow = _cli(lang, 100, *args)
    wide = _cli(lang, 400, *args)
    too_wide = [line for line in narrow.splitlines() if cell_len(line) > 100]
    assert too_wide == []
    assert any(cell_len(line) > 100 for line in wide.splitlines())  # the test can fail
    for pattern in (SOURCE, MONEY, ID):
        assert Counter(pattern.findall(narrow)) == Counter(pattern.findall(wide)), pattern
    assert narrow.count("…") == wide.count("…")  # nothing ellipsised
    assert all(word in narrow for word in HEADERS[lang])
    if command == "show":
        assert SOURCE.search(narrow)
    if command == "clusters":
        assert MONEY.search(narrow)
        if lang == "zh":
            assert "万元" in narrow or "亿元" in narrow  # 61.2万元 reads better in a narrow column
