"""The engine's memory limit and spill folder come from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.store import SqliteStore
from queries.engine import Engine


def test_memory_limit_and_spill_folder_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SqliteStore(tmp_path / "case.db")
    spill = tmp_path / "spill"
    spill.mkdir()
    monkeypatch.setenv("UMBRELLA_ENGINE_MEMORY", "100MB")
    monkeypatch.setenv("UMBRELLA_ENGINE_TEMP", str(spill))
    engine = Engine(store.view())
    try:
        limit, temp = engine.con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone() or ("", "")
        assert limit.replace(" ", "") in {"95.3MiB", "100.0MB", "95.3MB"}, limit
        assert Path(temp).parent == spill
        assert list(spill.iterdir()), "the spill folder is made inside UMBRELLA_ENGINE_TEMP"
    finally:
        engine.close()
        store.close()
    assert not list(spill.iterdir()), "and removed when the engine closes"
