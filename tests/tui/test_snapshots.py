"""Pictures of each state at the sizes a screen share uses, in the default and high-contrast themes.

The clock, the date and the records' timestamps are fixed, so a picture only
changes when the app does. Update with `pytest --snapshot-update` after a
deliberate change, and look at the new SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from huddle_tui.tui.screens.round import RoundScreen
from tests.fakeclock import FakeClock
from tests.tui.conftest import MADE
from tests.tui.helpers import settle

Before = Callable[[Pilot[int]], Awaitable[None]]
SIZES = [(80, 24), (120, 40)]
THEMES = ["huddle-dark", "huddle-high-contrast"]


def steps(clock: FakeClock, state: str) -> Before:
    """What to do before the picture for `state` (a 5-person team: 60 s a turn)."""

    async def lobby(pilot: Pilot[int]) -> None:
        """The lobby with today's plan read."""
        await settle(pilot)

    async def turn(pilot: Pilot[int]) -> None:
        """The first turn, 12.3 s in, mood given."""
        await lobby(pilot)
        await pilot.press("enter")
        await settle(pilot)
        clock.step(12.3)
        await pilot.press("4")
        await tick(pilot)

    async def warning(pilot: Pilot[int]) -> None:
        """Eleven seconds left of sixty: under a fifth."""
        await turn(pilot)
        clock.step(36.7)
        await tick(pilot)

    async def overtime(pilot: Pilot[int]) -> None:
        """Over by twelve seconds."""
        await warning(pilot)
        clock.step(23.0)
        await tick(pilot)

    async def summary(pilot: Pilot[int]) -> None:
        """Three moods, a skip, then the round ended early."""
        await turn(pilot)
        for mood, spoken in (("3", 40.0), ("5", 75.0)):
            await pilot.press("space")
            clock.step(spoken)
            await pilot.press(mood)
        await pilot.press("space", "s", "e")
        await settle(pilot)

    return {"lobby": lobby, "turn": turn, "warning": warning, "overtime": overtime,
            "summary": summary}[state]


async def tick(pilot: Pilot[int]) -> None:
    """Look at the clock now instead of waiting for the timer."""
    screen = pilot.app.screen
    assert isinstance(screen, RoundScreen)
    screen.tick()
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("state", ["lobby", "turn", "warning", "overtime", "summary"])
def test_snapshot(snap_compare: Callable[..., bool], make_app: MADE, clock: FakeClock,
                  state: str, size: tuple[int, int], theme: str) -> None:
    """Each state is complete and readable at this size in this theme."""
    app = make_app(theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=steps(clock, state))


@pytest.mark.parametrize("state", ["lobby", "turn", "summary"])
def test_snapshot_at_the_minimum_size(snap_compare: Callable[..., bool], make_app: MADE, clock: FakeClock,
                                      state: str) -> None:
    """At the documented minimum of 64×20 each screen still reads without wrapped rows."""
    app = make_app()
    assert snap_compare(app, terminal_size=(64, 20), run_before=steps(clock, state))
