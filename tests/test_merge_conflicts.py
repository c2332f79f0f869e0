"""A git merge left in a TOML file the app reads is named as one, with its line and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from huddle_tui import paths
from huddle_tui.config.team import TeamConfig, load_team_config
from huddle_tui.config.user import load_user_config
from huddle_tui.errors import ConfigError, ExitCode
from huddle_tui.tui.themes import parse_theme
from tests.conftest import cli

CONFLICTED = """[team]
name = "Platform"

[[members]]
name = "Ana"

<<<<<<< HEAD
[[members]]
name = "Ben"
=======
[[members]]
name = "Chen"
>>>>>>> theirs
"""
ADVICE = "has unresolved merge conflict markers at line 7: resolve them (git mergetool) and save"


def test_a_conflicted_huddle_toml_names_the_markers_and_their_line(tmp_path: Path) -> None:
    """Not "Invalid statement": the file, the line of the first marker and the way out."""
    path = tmp_path / "huddle.toml"
    path.write_text(CONFLICTED, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_team_config(path)
    assert err.value.message == f"{path} {ADVICE}"


def test_every_command_exits_as_for_a_config_error(team: TeamConfig,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`huddle next` on a conflicted huddle.toml: one line on stderr, exit 3, no traceback."""
    assert team.path is not None
    team.path.write_text(CONFLICTED, encoding="utf-8")
    code, out, err = cli(capsys, "next", "--config", str(team.path))
    assert code == ExitCode.CONFIG and out == ""
    assert ADVICE in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_conflicted_user_config_and_theme_say_the_same() -> None:
    """The user's own config and a theme file are TOML the app reads too."""
    path = paths.user_config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('<<<<<<< ours\nme = "Ana"\n=======\nme = "Ben"\n>>>>>>> theirs\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="merge conflict markers at line 1: resolve them"):
        load_user_config()
    with pytest.raises(ConfigError, match=r"^mine\.toml has unresolved merge conflict markers at line 2"):
        parse_theme('name = "mine"\n<<<<<<< HEAD\nprimary = "#000000"\n=======\n>>>>>>> b\n', "mine.toml")


def test_an_equals_row_inside_a_string_is_not_a_conflict(tmp_path: Path) -> None:
    """Only a file tomllib refuses is searched for markers: a valid file with ======= in a string loads."""
    path = tmp_path / "huddle.toml"
    path.write_text('[team]\nname = """Platform\n=======\n"""\n', encoding="utf-8")
    assert load_team_config(path).name.startswith("Platform")
