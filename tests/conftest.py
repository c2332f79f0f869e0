"""Shared fixtures: every test gets its own config, data and cache dirs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from huddle_tui.cli import main
from huddle_tui.config.team import TeamConfig, load_team_config, team_config_to_toml, with_members, write_toml
from huddle_tui.storage.cache import close_all

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the user config, data and cache dirs at tmp_path (the seam in paths.py)."""
    home = tmp_path / "home"
    for var, sub in (("HUDDLE_CONFIG_DIR", "config"), ("HUDDLE_DATA_DIR", "data"),
                     ("HUDDLE_CACHE_DIR", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("HUDDLE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    yield home
    close_all()  # each folder's cache, as the end of a process closes it


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """An empty shared folder."""
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


@pytest.fixture
def team(shared: Path) -> TeamConfig:
    """A five-person team whose huddle.toml sits in the shared folder."""
    base = with_members(TeamConfig(name="Platform", members=(), shared_dir=shared),
                        ["Ana", "Ben", "Chen", "Dara", "Emeka"])
    write_toml(shared / "huddle.toml", team_config_to_toml(base))
    return load_team_config(shared / "huddle.toml")


def run_huddle(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
               cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `huddle` command in a subprocess, as a script would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "huddle_tui", *args], input=stdin,
                          capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `huddle ARGS` in-process; return exit code, stdout and stderr."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def settle_folders(shared: Path) -> None:
    """Date the record folders written lately an hour back: nothing written lately, so kept answers hold."""
    now = time.time()
    for folder, _, _ in os.walk(shared / "records"):
        if os.stat(folder).st_mtime > now - 60:
            os.utime(folder, (now - 3600, now - 3600))
