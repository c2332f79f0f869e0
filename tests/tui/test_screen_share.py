"""Screen-share basics: a clear message when too small, every key in the palette, the bell off."""

from __future__ import annotations

from huddle_tui.config.team import TeamConfig
from huddle_tui.tui.widgets.too_small import TooSmall
from tests.fakeclock import FakeClock
from tests.tui.conftest import MADE
from tests.tui.helpers import open_round, screen_text


async def test_too_small_terminal_says_so_and_recovers(make_app: MADE) -> None:
    """Below the usable size the screen asks for more room; back at 80×24 the round is whole again."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_round(pilot)
        await pilot.resize_terminal(50, 16)
        await pilot.pause()
        assert app.screen.query_one(TooSmall).region.width > 0
        assert "Make the terminal larger" in screen_text(app)
        assert "Now speaking" not in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.screen.query_one(TooSmall).region.width == 0
        assert "Now speaking" in screen_text(app)


async def test_every_round_key_is_a_palette_command(make_app: MADE) -> None:
    """Typing a command's name in the palette runs it, as its key would."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_round(pilot)
        first = screen.pulse.view().speaker
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Skip the speaker")
        await pilot.pause(0.3)  # the palette searches in the background
        await pilot.press("enter")
        await pilot.pause()
        assert screen.pulse.slots[0].speaker == first and screen.pulse.slots[0].skipped
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Mood 3 okay")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert "mood 3 okay" in screen_text(app)


async def test_overtime_without_auto_advance_stays_on_the_speaker(make_app: MADE, clock: FakeClock) -> None:
    """Nothing moves on by itself unless the team asked for auto-advance."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_round(pilot)
        first = screen.pulse.view().speaker
        clock.step(500.0)
        screen.tick()
        assert screen.pulse.view().speaker == first


async def test_auto_advance_moves_on_when_configured(make_app: MADE, clock: FakeClock,
                                                     team: TeamConfig) -> None:
    """With team auto_advance on, an overrun turn hands over to the next speaker."""
    app = make_app(team_config=team._replace(auto_advance=True))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_round(pilot)
        first = screen.pulse.view().speaker
        clock.step(61.0)
        screen.tick()
        assert screen.pulse.view().speaker != first
