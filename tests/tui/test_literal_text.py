"""People's text is shown as typed: markup and escape sequences in it are never obeyed."""

from __future__ import annotations

from huddle_tui.config.team import TeamConfig, with_members
from huddle_tui.tui.screens.round import RoundScreen
from tests.fakeclock import FakeClock
from tests.tui.conftest import MADE
from tests.tui.helpers import screen_text, settle

NAMES = ["[red]Ana[/red]", "Ben\x1b[31mX", "[link=a]C[/link]"]


async def test_names_statuses_and_concerns_are_literal(make_app: MADE, team: TeamConfig,
                                                      clock: FakeClock) -> None:
    """Rich markup stays visible as text; control characters appear escaped, never raw."""
    odd = with_members(team._replace(members=()), NAMES)._replace(speaking_order="roster")
    app = make_app(team_config=odd)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lobby = screen_text(app)
        assert "[red]Ana[/red]" in lobby and "Ben\\x1b[31mX" in lobby and "\x1b" not in lobby
        assert "[link=a]C[/link]" in lobby
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RoundScreen)
        await pilot.press("4", "t")
        await pilot.pause()
        await pilot.press(*"[bold]shipping[/bold]", "enter")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"[blink]CI[/blink]", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]shipping[/bold]" in text
        assert "[blink]CI[/blink]" in text
        assert "Now speaking" in text and "[red]Ana[/red]" in text
        assert "\x1b" not in text
