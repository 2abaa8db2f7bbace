"""Every command has help with an example and a place in the README's command reference."""

from __future__ import annotations

import re

import click
import pytest
from samples import REPO

from umbrella.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)
#: A group's subcommands too, named as typed ("export html").
COMMANDS += sorted(f"{name} {sub}" for name, group in cli.commands.items()
                   if isinstance(group, click.Group) for sub in group.commands)


def _command(name: str) -> click.Command:
    cmd: click.Command = cli
    for part in name.split():
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[part]
    return cmd


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_an_example(name: str) -> None:
    cmd = _command(name)
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
