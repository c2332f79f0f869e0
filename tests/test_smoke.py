"""The installed command runs and explains itself."""

from __future__ import annotations

from tests.conftest import run_huddle


def test_help_lists_every_command() -> None:
    """`huddle --help` names each command and the exit codes."""
    result = run_huddle("--help")
    assert result.returncode == 0
    for name in ("init", "checkin", "next", "summary", "export", "doctor", "demo"):
        assert name in result.stdout
    assert "exit codes" in result.stdout
