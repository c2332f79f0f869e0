"""The installed command runs and explains itself."""

from __future__ import annotations

import re

import pytest

from huddle_tui.commands import COMMANDS
from tests.conftest import run_huddle


def test_help_lists_every_command() -> None:
    """`huddle --help` lists every command in COMMANDS (a new one too) and the exit codes."""
    result = run_huddle("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert re.search(rf"^ +{re.escape(name)}( |$)", result.stdout, re.MULTILINE), name
    assert "exit codes" in result.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_explains_itself(name: str) -> None:
    """`huddle <command> --help` exits 0 and prints that command's usage."""
    result = run_huddle(name, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: huddle {name} "), result.stdout
