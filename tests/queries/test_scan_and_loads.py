"""A scan keeps no findings from a half-loaded database, nor from two states of one."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import REPO, write_csv

from graph.errors import UmbrellaError
from graph.store import SqliteStore
from loaders.load import load_folder
from queries.scan import scan


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    """A database whose rules find something (the COI golden fixture)."""
    db = tmp_path / "case.db"
    store = SqliteStore(db)
    load_folder(REPO / "tests" / "queries" / "golden" / "COI", store)
    store.close()
    return db


def _another(tmp_path: Path) -> Path:
    folder = tmp_path / "more"
    folder.mkdir()
    write_csv(folder / "persons.csv", ["person_id", "name"], [["Q1", "新人"]])
    return folder


def test_a_load_that_ran_while_the_rules_read_leaves_no_findings(loaded: Path,
                                                                tmp_path: Path) -> None:
    store, other = SqliteStore(loaded), SqliteStore(loaded)
    more = _another(tmp_path)
    ran: list[str] = []

    def meanwhile(stage: str, done: int, total: int) -> None:
        if not ran:  # another user's load, from start to end, while the rules read
            ran.append(stage)
            load_folder(more, other)

    try:
        with pytest.raises(UmbrellaError, match="a load ran while the rules read the "
                                                "database") as err:
            scan(store, progress=meanwhile)
        assert err.value.hint == "run the scan again"
        assert store.view().findings() == []
        assert scan(store).findings  # now it runs
    finally:
        store.close()
        other.close()


def test_a_load_under_way_or_stopped_is_refused(loaded: Path, tmp_path: Path) -> None:
    store, other = SqliteStore(loaded), SqliteStore(loaded)
    try:
        running = other.start_load(str(tmp_path / "more"), "umbrella load more")
        with pytest.raises(UmbrellaError, match=r"a load is running since .+: load 2 of "):
            scan(store)
        with other.writer() as w:
            w.note_chunk(running)
        other.end_load(running, "persons.csv: empty file")
        with pytest.raises(UmbrellaError, match=r"did not finish: it stopped: persons.csv: "
                                                r"empty file; the database holds part of "
                                                r"it") as err:
            scan(store)
        assert err.value.hint.startswith("resume it by running the same load again (what it "
                                         "wrote already adds nothing): umbrella load more")
        assert store.view().findings() == []
        assert scan(store, partial=True).findings  # asked for: what the database holds
    finally:
        store.close()
        other.close()
