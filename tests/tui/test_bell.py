"""The terminal bell is off unless the user asks for it, and rings once per overrun turn."""

from __future__ import annotations

import pytest

from huddle_tui.config.user import UserConfig
from tests.fakeclock import FakeClock
from tests.tui.conftest import MADE
from tests.tui.helpers import open_round


@pytest.mark.parametrize(("bell", "rings"), [(False, 0), (True, 1)])
async def test_bell_rings_once_when_a_turn_runs_over_only_if_enabled(make_app: MADE, clock: FakeClock,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     bell: bool, rings: int) -> None:
    """Past zero the round screen rings (if `bell = true`) once, however many ticks follow."""
    app = make_app(user=UserConfig(bell=bell))
    rung: list[None] = []
    monkeypatch.setattr(app, "bell", lambda: rung.append(None))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_round(pilot)
        clock.step(screen.pulse.view().timebox_s + 5.0)
        for _ in range(3):
            screen.tick()
            clock.step(1.0)
        await pilot.pause()
    assert len(rung) == rings
