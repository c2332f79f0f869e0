"""huddle-tui's own XDG lookup gives exactly the folders platformdirs gives (it only skips importing it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from platformdirs import user_cache_path, user_config_path, user_data_path

from huddle_tui import paths

VARS = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")


@pytest.mark.parametrize("xdg", ["/srv/xdg", "", "relative/xdg", None])
@pytest.mark.parametrize("home", ["/home/ana", "", "relative-home"])
def test_the_folders_are_the_ones_platformdirs_gives(monkeypatch: pytest.MonkeyPatch, xdg: str | None,
                                                     home: str) -> None:
    """Set, empty, relative or unset XDG variables, with an absolute, empty or relative HOME."""
    for var in ("HUDDLE_CONFIG_DIR", "HUDDLE_DATA_DIR", "HUDDLE_CACHE_DIR"):
        monkeypatch.delenv(var, raising=False)
    for var in VARS:
        if xdg is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, f"{xdg}/{var.lower()}" if xdg else "")
    monkeypatch.setenv("HOME", home)
    try:
        expected = [f("huddle-tui", appauthor=False)
                    for f in (user_config_path, user_data_path, user_cache_path)]
    except RuntimeError:  # platformdirs finds no home at all: neither may we, but any answer is ours to give
        pytest.skip("no home directory to compare with")
    assert [paths.config_dir(), paths.data_dir(), paths.cache_dir()] == expected


def test_a_scripted_command_does_not_import_platformdirs(tmp_path: Path) -> None:
    """With an absolute home, reading the folders costs no import."""
    code = ("import sys; from huddle_tui import paths; paths.config_dir(); paths.data_dir(); "
            "paths.cache_dir(); print('platformdirs' in sys.modules)")
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ("True" if sys.platform in ("win32", "darwin") else "False")
