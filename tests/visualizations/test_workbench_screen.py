"""The workbench's screen (``POST /api/screen``) on a real server over the screen county."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from screen_county import ID_NUMBER, MASKED, screen_county
from workbench_county import Client

from visualizations.workbench.app import Running, create_app, start_in_thread


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screen_county(tmp_path_factory.mktemp("wb-screen"))


@pytest.fixture(scope="module")
def client(db: Path) -> Iterator[Client]:
    running: Running = start_in_thread(create_app(db, token="tok-screen"))
    yield Client.login(running.url, running.token)
    running.stop()


def _screen(client: Client, body: Any, csrf: bool = True) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if csrf:
        headers["X-CSRF-Token"] = str(client.get("/api/session")["csrf"])
    status, _h, data = client.raw("/api/screen", method="POST", headers=headers,
                                  body=json.dumps(body).encode())
    return status, json.loads(data)


def test_screen_answers_on_one_day_and_not_another(client: Client) -> None:
    status, got = _screen(client, {"left": ["O1"], "right": ["O2", "O3"], "on": "2020-06-01"})
    assert status == 200 and got["found"] is True
    [answer] = got["answers"]
    assert (answer["left"], answer["right"], answer["ties"]) == (
        "县住房和城乡建设局 (O1)", "宏达建筑工程有限公司 (O2)", 3)
    assert answer["path"] == ["O1", "P1", "P2", "O2"]
    assert "[relationships.csv:2]" in answer["lines"][1]
    assert {e["id"] for e in got["edges"]} == set(answer["edges"])
    assert {n["id"] for n in got["nodes"]} == {"O1", "P1", "P2", "O2"}
    text = json.dumps(got, ensure_ascii=False)
    assert ID_NUMBER not in text and MASKED in text
    status, got = _screen(client, {"left": ["O1"], "right": ["O2"], "on": "2022-06-01"})
    assert status == 200 and got["found"] is False and got["answers"] == []
    assert got["searched"].startswith("Searched: kin")


def test_screen_needs_csrf_and_sound_input(client: Client) -> None:
    assert _screen(client, {"left": ["O1"], "right": ["O2"]}, csrf=False)[0] == 403
    assert _screen(client, {"left": ["O1"], "right": []})[0] == 400
    assert _screen(client, {"left": ["O1"], "right": ["O2"], "on": "June"})[0] == 400
    status, got = _screen(client, {"left": ["O1"], "right": ["O99"]})
    assert status == 404 and "O99" in got["error"]
    assert _screen(client, ["O1"])[0] == 400
    status, _h, _b = client.raw("/api/screen")
    assert status == 405
