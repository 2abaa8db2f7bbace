"""Every command has help with an example and a place in the README's command reference."""

from __future__ import annotations

import re

import click
import pytest
from samples import REPO

from umbrella.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_an_example(name: str) -> None:
    cmd = cli.commands[name]
    with click.Context(cmd) as ctx:
        text = cmd.get_help(ctx)
    assert "Example:" in text and f"umbrella {name}" in text


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_the_readme_reference(name: str) -> None:
    assert re.search(rf"^### `umbrella {name}\b", README, re.M), name


def test_readme_starts_with_the_two_commands() -> None:
    blocks = re.findall(r"```(?:sh|bash)?\n(.*?)```", README, re.S)
    assert "umbrella demo" in blocks[0]
    assert blocks[1].strip() == ".venv/bin/pytest"
