"""A status or concern from a teammate's terminal, holding bidi or invisible characters, is shown
in the round as their codes (`\\u202e`), never as the characters."""

from __future__ import annotations

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern
from tests.tui.conftest import DAY, MADE
from tests.tui.helpers import open_round, screen_text

HIDDEN = ("\u202e", "\u200b", "\u2066", "\u2069", "\ufeff")


async def test_the_round_shows_a_records_hidden_characters_as_codes(make_app: MADE, team: TeamConfig) -> None:
    """Each speaker checked in before the round with a reversing status and a zero-width concern."""
    for member in team.members:
        Journal(team).save_checkin(CheckIn(DAY.isoformat(), 4, member.name, "done\u202egnp.exe",
                                           (Concern.new("ok\u200b \u2066x\u2069\ufeff", "blocker"),)))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_round(pilot)
        text = screen_text(app)
    assert "status: done\\u202egnp.exe" in text
    assert "blocker: ok\\u200b \\u2066x\\u2069\\ufeff" in text
    assert not any(ch in text for ch in HIDDEN)
