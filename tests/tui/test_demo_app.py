"""Plain `huddle` after `huddle demo`: the demo's lobby as its member, and a History with things to show."""

from __future__ import annotations

import re

import pytest

from huddle_tui.config.user import load_team, load_user_config, who_am_i
from huddle_tui.tui.app import HuddleApp
from huddle_tui.tui.screens.history import HistoryScreen
from tests.conftest import cli
from tests.tui.helpers import screen_text, settle


async def test_plain_huddle_opens_the_demo_as_its_member_with_history_to_show(
        capsys: pytest.CaptureFixture[str]) -> None:
    """No user config of one's own: the app opens the demo team (not a team of one), as Ana.

    Its History screen shows mood from every answer (most of them anonymous,
    released on days with three placeholders), signposts counted (from 3),
    buddy rounds and open follow-ups.
    """
    code, _, err = cli(capsys, "demo", "--members", "8", "--years", "0.25", "--no-tui")
    assert code == 0, err
    user = load_user_config()  # as commands/app.py loads them for plain `huddle`
    team = load_team(None, user)
    assert team.name == "Demo team" and who_am_i(user, team) == "Ana"
    app = HuddleApp(team, user)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lobby = screen_text(app)
        assert "Demo team" in lobby and "My team" not in lobby
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        flat = " ".join(re.sub(r"<[^>]*>", " ", screen_text(app).split("</style>")[-1]).split())
        signposts = re.search(r"signposts: (\d+) shown", flat)
        assert signposts is not None and int(signposts.group(1)) >= 3, flat
        buddies = re.search(r"buddies: (\d+) pairs in (\d+) rounds", flat)
        assert buddies is not None and int(buddies.group(2)) >= 4, flat
        followups = re.search(r"Open follow-ups (\d+)", flat)
        assert followups is not None and int(followups.group(1)) > 0, flat
        answers = [int(n) for n in re.findall(r"\((\s*\d+)\)", flat)]
        assert len(answers) >= 12 and min(answers[:-1]) >= 3, flat  # each whole week's mood, from 3 up
