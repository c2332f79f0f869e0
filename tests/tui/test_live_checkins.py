"""A check-in made from a teammate's own terminal shows up in the open lobby."""

from __future__ import annotations

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.tui.screens.lobby import LIVE_REFRESH_S
from tests.tui.conftest import DAY, MADE
from tests.tui.helpers import open_lobby, screen_text, settle


async def test_a_remote_checkin_arrives_in_the_lobby(make_app: MADE, team: TeamConfig) -> None:
    """Another process saves Dara's check-in; the lobby's next re-read shows her ✓."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        lobby = await open_lobby(pilot)
        assert "dara" not in lobby.checked_in
        Journal(team).save_checkin(CheckIn(DAY.isoformat(), 4, "Dara", "from my terminal"))
        assert lobby._live._interval == LIVE_REFRESH_S  # the lobby re-reads on this timer …
        lobby._load_plan()  # … whose next tick is this
        await settle(pilot)
        assert "dara" in lobby.checked_in
        assert any("✓ checked in" in line and "Dara" in line for line in screen_text(app).splitlines())
