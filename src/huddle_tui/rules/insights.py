"""Team-level numbers: mood distributions, participation. Never one person's mood.

A mood distribution is only ever produced from at least MIN_ANSWERS answers,
so no aggregate can be traced back to one or two people.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from huddle_tui.config.team import TeamConfig
from huddle_tui.model.checkin import CheckIn

MIN_ANSWERS = 3


def mood_distribution(moods: Iterable[int]) -> dict[int, int] | None:
    """Count answers per mood 1–5, or None when fewer than MIN_ANSWERS answered."""
    counts = Counter(m for m in moods if 1 <= m <= 5)
    if sum(counts.values()) < MIN_ANSWERS:
        return None
    return {m: counts.get(m, 0) for m in range(1, 6)}


def expected_members(team: TeamConfig, day: date) -> list[str]:
    """Who is expected to check in on `day`: joined and not away."""
    return [m.name for m in team.members if m.is_expected(day)]


def participation(team: TeamConfig, days: Iterable[date], checkins: Iterable[CheckIn]) -> float | None:
    """Check-ins submitted ÷ check-ins expected over `days` (away and not-yet-joined excluded)."""
    days = list(days)
    wanted = {d.isoformat() for d in days}
    expected = sum(len(expected_members(team, d)) for d in days)
    if expected == 0:
        return None
    per_day = Counter(c.date for c in checkins if c.date in wanted)
    submitted = sum(min(n, len(expected_members(team, date.fromisoformat(d))))
                    for d, n in per_day.items())
    return submitted / expected
