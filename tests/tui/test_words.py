"""Words on the shared screen that match what happened: a bot's check-in, a concern that waits, the footer."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.tui.screens.round import RoundScreen
from tests.fakeclock import FakeClock
from tests.tui.conftest import DAY, MADE, fixed_now
from tests.tui.helpers import open_round, screen_text, settle


async def test_a_bots_checkin_is_labelled_as_from_a_bot(make_app: MADE, team: TeamConfig) -> None:
    """A check-in sent by a bot says so in the speaker's turn, not "from their terminal"."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_round(pilot)
        speaker = screen.pulse.view().speaker or ""
        Journal(team, now=fixed_now).save_checkin(CheckIn(DAY.isoformat(), 4, speaker, "green build",
                                                          source="bot"))
        screen.load_checkins()
        await settle(pilot)
        said = str(screen.said_lines.render())
        assert "(checked in by a bot)" in said and "terminal" not in said


async def test_a_keyed_anonymous_concern_is_waiting_not_none_raised(make_app: MADE) -> None:
    """The summary after a round with an anonymous concern says it waits; "none raised" would be untrue."""
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_round(pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"the reorg scares me", "tab", "tab", "enter", "down", "enter", "ctrl+s")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert "none raised" not in text
        assert "1 anonymous concern keyed in the round waits on this machine" in text


async def test_the_rounds_footer_shows_its_main_keys_in_full_at_80_columns(make_app: MADE) -> None:
    """Every key in the round's footer ends inside 80 columns; the rest are in the ? panel."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_round(pilot)
        shown = {key.action: key.region for key in screen.query(FooterKey)}
        assert {"next", "toggle_keys", "end", "pause", "mood(1)", "skip", "status", "concern"} <= set(shown)
        assert all(region.right <= 80 for region in shown.values()), shown
        concern = next(key for key in screen.query(FooterKey) if key.action == "concern")
        assert concern.description == "concern" and concern.region.width >= len("c concern")
        # The rest are under ? (the key panel lists every active binding that is not a system one).
        rest = {b.binding.action for b in screen.active_bindings.values() if not b.binding.system}
        under_keys = {"more_time", "back", "latecomer"}
        assert under_keys <= rest and not under_keys & set(shown)


def test_snapshot_round_footer_at_80_columns(snap_compare: Callable[..., bool], make_app: MADE,
                                             clock: FakeClock) -> None:
    """The round at 80×24: the footer's keys whole, none cut."""

    async def first_turn(pilot: Pilot[int]) -> None:
        """The first turn, 5 s in."""
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        clock.step(5.0)
        screen = pilot.app.screen
        assert isinstance(screen, RoundScreen)
        screen.tick()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=first_turn)
