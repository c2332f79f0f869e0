"""The lobby on a shared folder a teammate filled with junk: today's plan still appears."""

from __future__ import annotations

import asyncio

import pytest

from huddle_tui.config.team import TeamConfig
from tests.storekit import plant
from tests.test_hostile_records import BAD_SHAPES
from tests.tui.conftest import DAY, MADE
from tests.tui.helpers import open_lobby, screen_text


async def test_the_plan_appears_whatever_the_folder_holds(make_app: MADE, team: TeamConfig) -> None:
    """Bad payloads (a huddle order of 5, a mood of "abc" …) left it on "reading today's plan…".

    (A pipe named like a record hung it too; tests/test_hostile_folder.py reads one in a thread,
    which a hang cannot take the whole run down with.)
    """
    today = DAY.isoformat()
    for kind, payload in BAD_SHAPES:
        plant(team.shared_dir, kind, today, payload)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        try:
            lobby = await asyncio.wait_for(open_lobby(pilot), timeout=60)
        except TimeoutError:
            pytest.fail("the lobby never showed today's plan")
        assert lobby.plan is not None and lobby.plan.facilitator == "Ana"
        text = screen_text(app)
    assert "reading today's plan" not in text and "Facilitator: Ana" in text
