"""The per-member loops of the report's figures against their plain definitions, on varied teams.

The report's figures walk each date's members with few Python steps (a
200-member team's 90 days are 18,000 check-ins): low-mood streaks, who is
expected on each date (away ranges spread only where they meet the report),
facilitation's members on the team. Here each is checked against the
definition written out the slow way, member by member and check-in by check-in.
"""

from __future__ import annotations

from datetime import date, timedelta
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from huddle_tui.config.team import AwayRange, Member
from huddle_tui.model.huddle import Turn
from huddle_tui.rules.report import (
    LOW_MOOD,
    STREAK_DAYS,
    Data,
    Held,
    TurnRow,
    airtime,
    build,
    dates,
    facilitation,
    low_mood_streaks,
    plan_calendar,
    read_data,
)
from tests.reportkit import Folder, team_of

START = date(2026, 3, 2)  # a Monday
NAMES = ("Ana", "Ben", "Chen", "Dara", "Emeka")
DAY = st.integers(min_value=0, max_value=27)


@st.composite
def histories(draw: st.DrawFn) -> tuple[Data, date, date]:
    """A few members (some joining late, some away, some checking in twice a day) and their check-ins."""
    members = []
    for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True)):
        joined = START + timedelta(days=draw(DAY)) if draw(st.booleans()) else None
        ranges = draw(st.lists(st.tuples(st.integers(-40, 60), st.integers(0, 9)), max_size=4))
        spans = tuple(AwayRange(START + timedelta(days=a), START + timedelta(days=a + n)) for a, n in ranges)
        members.append(Member(name, joined=joined, away=spans))
    team = team_of(*members)
    f = Folder()
    for day, name, mood in draw(st.lists(st.tuples(DAY, st.sampled_from(NAMES), st.integers(1, 5)),
                                         max_size=60)):
        f.named((START + timedelta(days=day)).isoformat(), name, mood)
    first, length = draw(DAY), draw(st.integers(min_value=0, max_value=27))
    return read_data(team, f.history), START + timedelta(days=first), START + timedelta(days=first + length)


def streaks_by_definition(data: Data, start: date, end: date) -> int:
    """Each check-in in order: a member's run grows at LOW_MOOD or below, ends above it; count runs
    reaching STREAK_DAYS."""
    runs: dict[str, int] = {}
    streaks = 0
    for day in dates(start, end):
        got = data.days.get(day.isoformat())
        for member, mood in got.named if got is not None else ():
            runs[member] = runs.get(member, 0) + 1 if mood <= LOW_MOOD else 0
            streaks += runs[member] == STREAK_DAYS
    return streaks


@settings(max_examples=150, deadline=None)
@given(histories())
def test_low_mood_streaks_are_their_definition(found: tuple[Data, date, date]) -> None:
    """The same count as stepping through every check-in, twice a day or not."""
    data, start, end = found
    assert low_mood_streaks(data, start, end) == streaks_by_definition(data, start, end)


@settings(max_examples=150, deadline=None)
@given(histories())
def test_who_is_expected_is_every_member_asked_in_turn(found: tuple[Data, date, date]) -> None:
    """plan_calendar's dates: in roster order, those joined and not away, on working days only."""
    data, start, end = found
    plan_calendar(data, start, end)
    team = data.team
    for day in dates(start, end):
        want = tuple(m.name for m in team.members if m.is_expected(day)) if team.is_workday(day) else ()
        assert data.calendar[day] == want
    on_team = {m.name for d in dates(start, end) for m in team.members
               if team.is_workday(d) and m.is_expected(d)}
    assert facilitation(data, start, end, []) == {m.name: 0 for m in team.members if m.name in on_team}


@settings(max_examples=60, deadline=None)
@given(histories())
def test_a_report_is_the_same_whatever_its_calendar_was_worked_out_from(found: tuple[Data, date, date]
                                                                      ) -> None:
    """build() with the calendar planned at once gives the figures of expected_on's date-by-date answers."""
    data, start, end = found
    planned = build(data._replace(calendar={}, away={}), start, end, "week")
    with patch("huddle_tui.rules.report.plan_calendar", lambda *_: None):
        unplanned = build(data._replace(calendar={}, away={}), start, end, "week")
    assert planned == unplanned


def airtime_by_definition(held: list[Held]) -> tuple[dict[str, float], dict[str, float]]:
    """Every turn in the order held, read by name: its speaker's seconds spoken and timeboxed added up."""
    spoken: dict[str, float] = {}
    boxed: dict[str, float] = {}
    for h in held:
        for t in map(Turn._make, h.turns):
            if not t.skipped:
                spoken[t.speaker] = spoken.get(t.speaker, 0.0) + t.spoken_s
                boxed[t.speaker] = boxed.get(t.speaker, 0.0) + t.timebox_s
    return spoken, {k: spoken[k] / boxed[k] for k in spoken if boxed[k] > 0}


SECONDS = st.floats(min_value=0, max_value=1e7, allow_nan=False) | st.sampled_from([0.1, 0.2, 0.3, 1e16, 1.0])
FLAG = st.booleans()
TURNS = st.lists(st.tuples(st.sampled_from(NAMES), SECONDS, SECONDS, FLAG, FLAG, FLAG), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(TURNS, max_size=8))
def test_airtime_of_plain_turns_is_read_by_name(rounds: list[list[TurnRow]]) -> None:
    """A turn kept as a plain tuple gives the floats, bit for bit, and the key order (JSON shows it)
    that adding up Turns read by name gives."""
    held = [Held("2026-03-02", "Ana", 300.0, 1, tuple(turns)) for turns in rounds]
    spoken, shares = airtime(held)
    want_spoken, want_shares = airtime_by_definition(held)
    assert list(spoken.items()) == list(want_spoken.items())
    assert list(shares.items()) == list(want_shares.items())
