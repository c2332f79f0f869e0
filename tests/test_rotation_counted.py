"""Keeping only the huddles that still count gives the same plan as keeping them all."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from huddle_tui.config.team import AwayRange, Member, TeamConfig
from huddle_tui.model.huddle import Handoff
from huddle_tui.rules.rotation import FAIR_WINDOW, Held, plan_for, still_counted

START = date(2026, 1, 5)  # a Monday
NAMES = ("Ana", "Ben", "Chen", "Dara", "Emeka")


@st.composite
def teams(draw: st.DrawFn) -> TeamConfig:
    """A small team: some join late, some are away, any rotation and speaking order."""
    members = []
    for name in NAMES[:draw(st.integers(2, len(NAMES)))]:
        joined = START + timedelta(days=draw(st.integers(0, 40))) if draw(st.booleans()) else None
        away: tuple[AwayRange, ...] = ()
        if draw(st.booleans()):
            first = START + timedelta(days=draw(st.integers(0, 60)))
            away = (AwayRange(first, first + timedelta(days=draw(st.integers(0, 12)))),)
        members.append(Member(name, joined=joined, away=away))
    return TeamConfig(name="Platform", members=tuple(members), shared_dir=Path("."),
                      rotation=draw(st.sampled_from(("least-recent", "fewest"))),
                      rotation_window_weeks=draw(st.integers(1, 4)),
                      speaking_order=draw(st.sampled_from(("roster", "random", "fair"))))


@st.composite
def histories(draw: st.DrawFn) -> list[Held]:
    """Huddles over ~70 days in any order: second rounds, unknown names, some without an order."""
    out = []
    for _ in range(draw(st.integers(0, 3 * FAIR_WINDOW + 10))):
        day = START + timedelta(days=draw(st.integers(0, 70)))
        facilitator = draw(st.sampled_from((*NAMES, "ana", "Visitor", "")))
        order = tuple(draw(st.lists(st.sampled_from(NAMES), max_size=4, unique=True)))
        out.append(Held(day.isoformat(), facilitator, order, draw(st.integers(1, 2))))
    return out


@settings(max_examples=100, deadline=None)
@given(teams(), histories(), histories(), st.integers(0, 70), st.integers(0, 30), st.data())
def test_the_plan_from_the_huddles_still_counted_is_the_plan_from_all(
        team: TeamConfig, before: list[Held], after: list[Held], cut: int, later: int,
        data: st.DataObject) -> None:
    """For any day from the cut on, with any huddles added after it, plan_for answers alike."""
    day = START + timedelta(days=cut)
    handoffs = [Handoff((START + timedelta(days=data.draw(st.integers(0, 100)))).isoformat(),
                        data.draw(st.sampled_from(NAMES)), data.draw(st.sampled_from(NAMES)), "")
                for _ in range(data.draw(st.integers(0, 3)))]
    kept = still_counted(team, day, before)
    assert len(kept) <= len(before)
    for offset in (0, later):
        when = day + timedelta(days=offset)
        assert plan_for(team, when, kept + after, handoffs) == plan_for(team, when, before + after, handoffs)


def test_a_long_history_keeps_a_team_and_a_window() -> None:
    """Two years of one huddle a day by three people: the window's and one more each are kept, not 730."""
    team = TeamConfig(name="Platform", members=tuple(Member(n) for n in NAMES[:3]), shared_dir=Path("."),
                      rotation_window_weeks=2, speaking_order="fair")
    days = [START + timedelta(days=n) for n in range(730)]
    huddles = [Held(d.isoformat(), NAMES[n % 3], NAMES[:3]) for n, d in enumerate(days)]
    end = days[-1] + timedelta(days=1)
    kept = still_counted(team, end, huddles)
    assert [h.date for h in kept] == [d.isoformat() for d in days[-14 - 3:]]
