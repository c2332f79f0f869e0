"""NO_COLOR and TEXTUAL_ANIMATIONS=none: every state still said in a word or a symbol, nothing blinking.

Textual turns the app monochrome when NO_COLOR is set (it reads the variable
when the app is made); these pictures show that the lobby and the round lose
nothing by it: on time, wrap up, over and paused; checked in and away.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.tui.app import HuddleApp
from huddle_tui.tui.screens.round import RoundScreen
from huddle_tui.tui.widgets.steady_input import SteadyInput
from tests.fakeclock import FakeClock
from tests.tui.conftest import DAY, MADE
from tests.tui.helpers import open_lobby, open_round, screen_text, settle

# What each state must say on screen in words or a symbol, with no colour to help.
SAID = {
    "lobby": ["✓ checked in", "away"],
    "turn": ["on time", "▶", "speaking"],
    "warning": ["wrap up"],
    "overtime": ["over by 0:12"],
    "paused": ["PAUSED"],
    "stage": ["OVER by 0:12"],
}


def monochrome(make_app: MADE, monkeypatch: pytest.MonkeyPatch, team: TeamConfig) -> HuddleApp:
    """An app made with NO_COLOR set, Ben already checked in from his terminal."""
    Journal(team).save_checkin(CheckIn(DAY.isoformat(), 4, "Ben", "from my terminal", source="cli"))
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert app.no_color
    return app


def steps(clock: FakeClock, state: str) -> Callable[[Pilot[int]], Awaitable[None]]:
    """What to do before the picture of `state` (one away: 75 s turns)."""

    async def before(pilot: Pilot[int]) -> None:
        """Lobby with Dara away; or into the round and on to the state."""
        await open_lobby(pilot)
        await pilot.press("down", "down", "down", "p", "p")
        await pilot.pause()
        if state == "lobby":
            return
        await open_round(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, RoundScreen)
        plans: dict[str, list[float | str]] = {"turn": [12.3], "warning": [62.0], "overtime": [87.0],
                                               "paused": [20.0, "p"], "stage": [87.0, "v"]}
        moves = plans[state]
        for move in moves:
            if isinstance(move, float):
                clock.step(move)
            else:
                await pilot.press(move)
        screen.tick()
        await pilot.pause()

    return before


@pytest.mark.parametrize("state", list(SAID))
def test_snapshot(snap_compare: Callable[..., bool], make_app: MADE, clock: FakeClock, team: TeamConfig,
                  monkeypatch: pytest.MonkeyPatch, state: str) -> None:
    """Each state in monochrome at 80×24, said in words and symbols."""
    app = monochrome(make_app, monkeypatch, team)
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps(clock, state))


@pytest.mark.parametrize("state", list(SAID))
async def test_every_state_is_said_without_colour(make_app: MADE, clock: FakeClock, team: TeamConfig,
                                                  monkeypatch: pytest.MonkeyPatch, state: str) -> None:
    """The words and symbols that carry each state are on screen (the pictures above show the rest)."""
    app = monochrome(make_app, monkeypatch, team)
    async with app.run_test(size=(80, 24)) as pilot:
        await steps(clock, state)(pilot)
        text = screen_text(app)
        for words in SAID[state]:
            assert words in text
        if state == "lobby":
            rows = text.splitlines()
            assert any("Ben" in r and "✓ checked in" in r for r in rows)
            (away,) = [n for n, where in app.screen.presence.items() if where == "away"]  # type: ignore[attr-defined]
            assert any(away in r and "away" in r for r in rows)


@pytest.mark.parametrize(("level", "blinks"), [("none", False), ("full", True)])
async def test_no_animation_means_a_steady_cursor(make_app: MADE, level: str, blinks: bool) -> None:
    """With TEXTUAL_ANIMATIONS=none the status prompt's cursor does not blink; by default it does."""
    app = make_app()
    app.animation_level = level  # type: ignore[assignment]  # what TEXTUAL_ANIMATIONS sets
    async with app.run_test(size=(80, 24)) as pilot:
        await open_round(pilot)
        await pilot.press("t")
        await settle(pilot)
        field = app.screen.query_one(SteadyInput)
        assert field.has_focus and field.cursor_blink is blinks
