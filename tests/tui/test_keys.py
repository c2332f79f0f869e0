"""Keys a person can find and undo: ? and Esc for the key panel, q everywhere, e in the round, s to save."""

from __future__ import annotations

from typing import cast

import pytest
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from huddle_tui.paths import summaries_dir
from huddle_tui.tui.screens.choose import Choose
from huddle_tui.tui.screens.lobby import LobbyScreen
from huddle_tui.tui.screens.round import RoundScreen
from huddle_tui.tui.screens.summary import SummaryScreen
from huddle_tui.tui.screens.timed import KEEP_GOING, QUIT_NOW
from tests.fakeclock import FakeClock
from tests.tui.conftest import DAY, MADE
from tests.tui.helpers import open_lobby, open_round, record_notices, settle


async def panel_shown(pilot: Pilot[int]) -> bool:
    """Whether the key panel is on the current screen (after letting it mount or go)."""
    await pilot.pause()
    return bool(pilot.app.screen.query("HelpPanel"))


async def test_question_mark_toggles_the_panel_and_escape_closes_it_on_every_screen(
        make_app: MADE, clock: FakeClock) -> None:
    """Lobby, round and summary: ? shows, ? hides, Esc hides; the round keeps its full width."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lobby(pilot)
        for screen_type in (LobbyScreen, RoundScreen, SummaryScreen):
            assert isinstance(app.screen, screen_type)
            await pilot.press("question_mark")
            assert await panel_shown(pilot)
            await pilot.press("question_mark")
            assert not await panel_shown(pilot)
            await pilot.press("question_mark")
            assert await panel_shown(pilot)
            if screen_type is RoundScreen:
                stage = app.screen.query_one("#stage")
                assert stage.size.width >= 40  # over the order, not squeezing the countdown
            await pilot.press("escape")
            assert not await panel_shown(pilot)
            if screen_type is LobbyScreen:
                await pilot.press("enter")
            elif screen_type is RoundScreen:
                clock.step(5.0)
                await pilot.press("e")
            await settle(pilot)


async def test_the_round_shows_e_and_q_asks_before_leaving(make_app: MADE, clock: FakeClock) -> None:
    """e is in the round's footer; q asks, "keep going" goes back to the same turn, then quit quits."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_round(pilot)
        shown = {key.action: key.region for key in screen.query(FooterKey)}
        assert "end" in shown and shown["end"].right <= 64  # visible even at the minimum width
        speaker = screen.pulse.view().speaker
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, Choose)
        assert app.screen.names == [KEEP_GOING, QUIT_NOW]
        await pilot.press("enter")  # the first answer: keep going
        await pilot.pause()
        assert app.screen is cast("object", screen)  # the dialog closed: back on the round
        assert screen.pulse.view().speaker == speaker and app.is_running
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert not app.is_running


@pytest.mark.parametrize("where", ["lobby", "summary"])
async def test_q_quits_at_once_outside_a_round(make_app: MADE, clock: FakeClock, where: str) -> None:
    """No round in progress: q quits without asking, as on every screen."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lobby(pilot)
        if where == "summary":
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, SummaryScreen)
        await pilot.press("q")
        await settle(pilot)
        assert not app.is_running


async def test_save_offers_a_full_path_in_the_summaries_folder_and_says_where(
        make_app: MADE, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """s then Enter writes huddle-DATE.md in the documents/data folder; the notice names the path."""
    app = make_app()
    notes = record_notices(app, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_round(pilot)
        clock.step(10.0)
        await pilot.press("4", "e")
        await settle(pilot)
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
    target = summaries_dir() / f"huddle-{DAY.isoformat()}.md"
    assert target.is_absolute() and target.read_text(encoding="utf-8") == summary.markdown
    assert f"Markdown summary saved to {target}" in notes
