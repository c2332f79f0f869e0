"""Start-up's objects and the cycle collector: frozen while a command runs, and at the process's exit."""

from __future__ import annotations

import argparse
import ast
import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from huddle_tui.commands import checkin
from huddle_tui.config.team import TeamConfig
from tests.conftest import cli, run_huddle


def test_a_command_runs_with_start_up_frozen_and_leaves_nothing_frozen(
        team: TeamConfig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """While the command runs, what start-up made is frozen and the collector on; after, nothing is frozen."""
    seen: list[tuple[bool, int]] = []
    real = checkin.run

    def noting(args: argparse.Namespace) -> int:
        """Note the collector's state, then check in."""
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        return real(args)

    monkeypatch.setattr(checkin, "run", noting)
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    code, _, err = cli(capsys, "checkin", "--member", "Ana", "--mood", "4", "--status", "fine")
    assert code == 0, err
    assert len(seen) == 1 and seen[0][0] and seen[0][1] > 1000
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_command_freezes_its_objects_before_the_process_ends(team: TeamConfig, isolated_dirs: Path) -> None:
    """After a check-in the objects start-up made are frozen: Python's exit does not walk them."""
    code = ("import contextlib, gc, io, sys\n"
            "sys.argv = ['huddle', 'checkin', '--member', 'Ana', '--mood', '4', '--status', 'fine']\n"
            "from huddle_tui.launch import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    rc = main()\n"
            "print(repr([rc, gc.get_freeze_count() > 1000]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HUDDLE_CONFIG": str(team.path)})
    assert ast.literal_eval(done.stdout.strip()) == [0, True], done.stderr


def test_what_a_command_saved_is_there_after_its_process_ended(team: TeamConfig, isolated_dirs: Path) -> None:
    """The check-in a finished `huddle` process reported saved is read back whole by the next one."""
    env = {"HUDDLE_CONFIG": str(team.path)}
    saved = run_huddle("checkin", "--member", "Ben", "--mood", "2", "--status", "slow day", "--named",
                       "--date", "2026-11-26", env=env)
    assert saved.returncode == 0, saved.stderr
    shown = run_huddle("summary", "--date", "2026-11-26", "--format", "json", env=env)
    assert shown.returncode == 0, shown.stderr
    assert '"slow day"' in shown.stdout
