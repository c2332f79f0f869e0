"""When a day's anonymous totals are fixed, and its week: calendar rules every totals module shares.

Kept apart from the aggregation core so that showing a day's kept totals
(Journal.totals_view on an opened day) imports no cryptography.
"""

from __future__ import annotations

from datetime import date, timedelta

from huddle_tui.config.team import TeamConfig


def closed(team: TeamConfig, day: date, today: date) -> bool:
    """Whether `day`'s cut-off passed: its contributions are fixed from the next working day on."""
    return today >= team.next_workday(day)


def week_days(team: TeamConfig, day: date) -> list[date]:
    """The working days of `day`'s week (Monday to Sunday)."""
    monday = day - timedelta(days=day.weekday())
    return [d for d in (monday + timedelta(days=i) for i in range(7)) if team.is_workday(d)]


def week_over(team: TeamConfig, day: date, today: date) -> bool:
    """Whether every working day of `day`'s week is past its cut-off."""
    days = week_days(team, day)
    return bool(days) and today >= team.next_workday(days[-1])
