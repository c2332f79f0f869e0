"""Fixtures for the app's tests: a fixed day, a fake clock, and an app built on them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.config.user import UserConfig
from huddle_tui.journal import Journal
from huddle_tui.tui.app import HuddleApp
from tests.fakeclock import FakeClock

DAY = date(2026, 3, 2)  # a Monday
MADE = Callable[..., HuddleApp]


def fixed_now() -> datetime:
    """The records' timestamps: fixed, so saved files and snapshots do not depend on today."""
    return datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    """The round's clock, stepped by the test."""
    return FakeClock()


@pytest.fixture
def make_app(team: TeamConfig, clock: FakeClock) -> MADE:
    """Build the app on the five-person team, the fixed day and the fake clock."""

    def build(user: UserConfig | None = None, team_config: TeamConfig | None = None,
              theme: str | None = None) -> HuddleApp:
        """One app, optionally for another team, user settings or theme."""
        chosen = team_config or team
        journal = Journal(chosen, now=fixed_now, durable=False)
        return HuddleApp(chosen, user or UserConfig(), theme=theme, today=DAY, clock=clock,
                         journal=journal)

    return build
