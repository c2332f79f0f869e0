"""The lobby's buddy line: this week's pairs after the first paint, names only, one line."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.pairs import mark_id, this_round
from huddle_tui.tui.widgets.pairs_line import PairsLine
from tests.tui.conftest import DAY, MADE
from tests.tui.helpers import screen_text, settle


@pytest.fixture
def opted(team: TeamConfig) -> TeamConfig:
    """The five-person team, everyone opted in to buddy pairs."""
    return team._replace(members=tuple(m._replace(pairs=True) for m in team.members))


async def test_the_lobby_shows_this_weeks_pairs_and_no_marks(make_app: MADE, opted: TeamConfig) -> None:
    """The line names the week's groups as the record holds them, and never who met or skipped."""
    journal = Journal(opted, durable=False)
    round_ = this_round(journal, "buddy", DAY, today=DAY, save=True).round
    ana = next(g for g in round_.groups if "Ana" in g)
    journal.save_record("pairmark", mark_id(opted, "buddy", DAY, "Ana"), DAY.isoformat(),
                        {"track": "buddy", "member": "Ana", "mark": "skip"})
    app = make_app(team_config=opted)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        line = app.screen.query_one(PairsLine)
        assert line.display
        text = screen_text(app)
        assert "Buddies this week:" in text and " + ".join(ana) in text
        assert "skip" not in text


async def test_a_new_week_is_made_in_the_background_and_saved(make_app: MADE, opted: TeamConfig) -> None:
    """No machine made the round yet: the lobby makes it after painting, and saves it for everyone."""
    app = make_app(team_config=opted)
    async with app.run_test(size=(80, 24)) as pilot:
        assert not any(line.display for line in app.screen.query(PairsLine))  # the first frame does not wait
        await settle(pilot)
        assert app.screen.query_one(PairsLine).display and "Buddies this week:" in screen_text(app)
    saved = list((opted.shared_dir / "records" / "pairs").rglob("*.json"))
    assert len(saved) == 1


async def test_no_line_for_a_team_without_pairs(make_app: MADE, team: TeamConfig,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody opted in: the line stays hidden and nothing is read for it."""
    calls: list[object] = []
    monkeypatch.setattr(PairsLine, "_load", lambda self: calls.append(self))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one(PairsLine).display and calls == []
    assert not (team.shared_dir / "records" / "pairs").exists()




def test_snapshot_lobby_with_pairs(snap_compare: Callable[..., bool], make_app: MADE,
                                   opted: TeamConfig) -> None:
    """The lobby at 80×24 with the week's buddy line under the roster."""

    async def ready(pilot: Pilot[int]) -> None:
        """Today's plan and the pairs read."""
        await settle(pilot)

    assert snap_compare(make_app(team_config=opted), terminal_size=(80, 24), run_before=ready)
