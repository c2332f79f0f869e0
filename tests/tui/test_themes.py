"""Themes are data: shipped TOML files, user files on top, broken files reported and skipped."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from textual.color import Color

from huddle_tui import paths
from huddle_tui.config.team import TeamConfig
from huddle_tui.config.user import UserConfig
from huddle_tui.tui.themes import DEFAULT_THEME, ThemeError, load_themes, parse_theme
from huddle_tui.tui.widgets.status_line import StatusLine
from tests.tui.conftest import MADE
from tests.tui.helpers import record_notices, settle

SHIPPED = {"huddle-dark", "huddle-high-contrast", "huddle-light", "huddle-okabe-ito"}


def test_shipped_themes_load_from_the_package() -> None:
    """The four themes ship inside the installed package and all parse."""
    result = load_themes(Path("/nonexistent"))
    assert {t.name for t in result.loaded} == SHIPPED and result.failed == []
    assert next(t for t in result.loaded if t.name == "huddle-light").dark is False


@pytest.mark.parametrize(("text", "problem"), [
    ('name = "x"\nprimary = "#fff"\nsparkle = 1\n', "sparkle (line 3): unknown key"),
    ('name = "x"\nprimary = "not-a-colour"\n', "primary (line 2): not a colour"),
    ('name = "x"\n', "needs a primary colour"),
    ('name = "x"\nprimary = "#fff"\ndark = "yes"\n', "dark (line 3): expected true or false"),
    ("name = [", "TOML syntax error"),
])
def test_a_bad_theme_says_why(text: str, problem: str) -> None:
    """Each kind of mistake gets a one-line reason naming the key and its line (the configs' reader)."""
    with pytest.raises(ThemeError, match=re.escape(problem)):
        parse_theme(text)


def test_user_themes_add_and_broken_ones_are_skipped(tmp_path: Path) -> None:
    """A user's good theme is added; a broken one is listed as failed with its file."""
    (tmp_path / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\n')
    (tmp_path / "broken.toml").write_text('name = "broken"\nprimary = "#12"\n')
    result = load_themes(tmp_path)
    assert "mine" in {t.name for t in result.loaded}
    assert [(Path(src).name, "not a colour" in why) for src, why in result.failed] == [("broken.toml", True)]


async def test_broken_theme_file_is_notified_and_the_app_runs(make_app: MADE,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The app starts anyway and tells the person which file was skipped and why."""
    folder = paths.user_themes_dir()
    folder.mkdir(parents=True)
    (folder / "oops.toml").write_text("name = \n")
    app = make_app()
    notes = record_notices(app, monkeypatch)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        assert any("oops.toml" in n and "TOML syntax error" in n for n in notes)
        assert app.theme == DEFAULT_THEME


@pytest.mark.parametrize(("arg", "user_theme", "team_theme", "chosen"), [
    (None, None, None, DEFAULT_THEME),
    (None, None, "huddle-light", "huddle-light"),
    (None, "huddle-okabe-ito", "huddle-light", "huddle-okabe-ito"),
    ("huddle-high-contrast", "huddle-okabe-ito", "huddle-light", "huddle-high-contrast"),
])
def test_theme_is_chosen_by_flag_then_user_then_team(make_app: MADE, team: TeamConfig, arg: str | None,
                                                     user_theme: str | None, team_theme: str | None,
                                                     chosen: str) -> None:
    """--theme beats the user's config, which beats the team's."""
    app = make_app(user=UserConfig(theme=user_theme), team_config=team._replace(theme=team_theme),
                   theme=arg)
    assert app.theme == chosen


async def test_unknown_theme_falls_back_with_a_notice(make_app: MADE,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A typo in --theme is reported, and the default is used."""
    app = make_app(theme="hudle-dark")
    notes = record_notices(app, monkeypatch)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        assert app.theme == DEFAULT_THEME
        assert any("hudle-dark" in n for n in notes), notes


async def test_theme_from_user_config(make_app: MADE) -> None:
    """The user's config picks the theme when no flag is given."""
    app = make_app(user=UserConfig(theme="huddle-light"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "huddle-light"


async def test_the_first_frame_is_already_in_the_chosen_theme(make_app: MADE) -> None:
    """The start-up theme is in place in the first frame: colours, light/dark classes, variables."""
    app = make_app(theme="huddle-light")
    async with app.run_test(size=(80, 24)):
        assert app.theme == "huddle-light"
        assert app.has_class("-theme-huddle-light", "-light-mode") and not app.has_class("-dark-mode")
        assert app.screen.styles.background == Color.parse("#FAFAFA")  # the theme's page
        assert app.screen.query_one(StatusLine).styles.background == Color.parse("#E6E8EE")  # its panel
        assert app.stylesheet._variables == app.get_css_variables()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
async def test_a_fifo_theme_named_by_the_team_never_leaves_a_blank_screen(
        make_app: MADE, team: TeamConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    """huddle.toml names `theme = "evil"`, and evil.toml in the themes folder is a FIFO: the app starts.

    A watchdog opens the FIFO's other end after a bound, so a regression
    (a blocking open) fails this test instead of hanging the suite.
    """
    folder = paths.user_themes_dir()
    folder.mkdir(parents=True)
    fifo = folder / "evil.toml"
    os.mkfifo(fifo)
    blocked: list[bool] = []

    def release() -> None:
        """Give a reader blocked on the FIFO its end of file, and remember that one was."""
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            blocked.append(True)
        except OSError:  # no reader: nothing was blocked
            pass

    watchdog = threading.Timer(20.0, release)
    watchdog.start()
    try:
        app = make_app(team_config=team._replace(theme="evil"))
        notes = record_notices(app, monkeypatch)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            assert app.theme == DEFAULT_THEME
            assert any("evil.toml" in n and "not a regular file" in n for n in notes), notes
    finally:
        watchdog.cancel()
    assert not blocked, "the app blocked on a FIFO theme file"
