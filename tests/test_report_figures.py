"""The report's figures against teams whose every number was worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle_tui.config.team import Member, TeamConfig
from huddle_tui.rules.report import build, gini, read_data
from tests.reportkit import Folder, away, concern, team_of

MON, TUE, WED, THU, FRI = (f"2026-11-0{d}" for d in range(2, 7))


def week_of_four() -> tuple[Folder, TeamConfig]:
    """Ana, Ben (away Thu-Fri), Chen (never checks in), Dara (joins Wed); Tuesday is a holiday."""
    team = team_of(Member("Ana"), Member("Ben", away=away(THU, FRI)), Member("Chen"),
                   Member("Dara", joined=date.fromisoformat(WED)), holidays=(date.fromisoformat(TUE),))
    f = Folder()
    f.named(MON, "Ana", 2, concern("Ben"))
    f.named(WED, "Ana", 2)
    f.named(THU, "Ana", 1)
    f.named(FRI, "Ana", 4)
    f.named(MON, "Ben", 3, concern("Ana", "done"))
    f.named(THU, "Ben", 5)  # away that day: an answer, but not an expected check-in
    f.anonymous(WED, "Dara", 1)  # one candidate: never in a figure
    f.huddle(MON, "Ana", ("Ana", 120, 100), ("Ben", 120, 140))
    f.huddle(WED, "Ben", ("Ana", 100, 200), ("Ben", 100, 150))
    return f, team


def test_a_week_worked_by_hand() -> None:
    """Holiday, away range and late joiner in participation; coverage; streak; huddles; follow-ups."""
    f, team = week_of_four()
    report = build(read_data(team, f.history), date.fromisoformat(MON), date.fromisoformat(FRI), "week")
    (p,) = report.periods
    # Working days Mon, Wed, Thu, Fri; expected 3 + 4 + 3 + 3; submitted Ana ×4, Ben Mon, Dara Wed.
    assert (p.working_days, p.expected, p.submitted) == (4, 13, 6)
    assert p.participation == pytest.approx(6 / 13)
    assert p.coverage == pytest.approx(3 / 4)  # Ana, Ben, Dara of four expected that week
    assert (p.weeks, p.weeks_at_target) == (1, 1)
    # Named moods only: Ana 2 2 1 4, Ben 3 5; Dara's lone anonymous 1 is left out.
    assert (p.mood_answers, p.named_answers, p.anonymous_answers) == (6, 6, 0)
    assert p.mood_mean == pytest.approx(17 / 6)
    assert p.mood_distribution == {1: 1, 2: 2, 3: 1, 4: 1, 5: 1}
    assert p.low_mood_streaks == 1  # Ana 2, 2, 1
    assert (p.huddles, p.mean_length_s, p.overtime_huddles, p.overtime_s) == (2, 295.0, 1, 50.0)
    assert p.facilitation == {"Ana": 1, "Ben": 1, "Chen": 0, "Dara": 0}
    assert p.facilitation_spread == 1
    assert p.airtime == {"Ana": pytest.approx(300 / 220), "Ben": pytest.approx(290 / 220)}
    assert p.airtime_gini == pytest.approx(20 / 2360)
    assert (p.followups_opened, p.followups_closed, p.followups_open,
            p.followups_oldest_open_days) == (2, 1, 1, 4)
    assert (p.signposts, p.measures) == (None, None)  # not collected yet


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), max_size=60))
def test_gini_is_its_definition_over_every_pair(values: list[float]) -> None:
    """The sorted formula gives the pairwise definition's value, Σ|a − b| / (2·n·Σx), for any airtimes."""
    total = sum(values)
    if not values or total <= 0:
        assert gini(values) is None
        return
    pairs = sum(abs(a - b) for a in values for b in values) / (2 * len(values) * total)
    assert gini(values) == pytest.approx(pairs, rel=1e-9, abs=1e-12)


def test_gini_by_hand() -> None:
    """Equal shares give 0; one speaker of four with everything gives 3/4."""
    assert gini([60.0, 60.0, 60.0]) == 0
    assert gini([0.0, 0.0, 0.0, 100.0]) == pytest.approx(0.75)
    assert gini([]) is None


def test_anonymous_answers_count_as_a_whole_released_day() -> None:
    """Three placeholders and three answers on a day: all three join the named ones; two never do."""
    team = team_of(*(Member(n) for n in ("Ana", "Ben", "Chen", "Dara")))
    f = Folder()
    for name, mood in (("Ana", 1), ("Ben", 2), ("Chen", 5)):
        f.anonymous(MON, name, mood)
    f.named(MON, "Dara", 4)
    for name, mood in (("Ana", 1), ("Ben", 1)):
        f.anonymous(TUE, name, mood)
    report = build(read_data(team, f.history), date.fromisoformat(MON), date.fromisoformat(TUE), "week")
    (p,) = report.periods
    assert (p.named_answers, p.anonymous_answers) == (1, 3)
    assert p.mood_distribution == {1: 1, 2: 1, 3: 0, 4: 1, 5: 1}
    assert p.submitted == 6 and p.expected == 8


def test_no_huddles_one_member_everyone_away_and_a_member_who_left() -> None:
    """Edge cases: nothing held, a team of one, a week nobody is expected, records of a past member."""
    team = team_of(Member("Ana", away=away("2026-11-09", "2026-11-13")))
    f = Folder()
    f.named(MON, "Ana", 3)
    f.named(MON, "Zoe", 1)  # left the team: her answer is a named mood, not an expected check-in
    f.huddle(TUE, "Zoe", ("Ana", 300, 300))
    report = build(read_data(team, f.history), date.fromisoformat(MON), date.fromisoformat("2026-11-13"),
                   "week")
    first, second = report.periods
    assert (first.expected, first.submitted, first.participation) == (5, 1, 0.2)
    assert first.facilitation == {"Ana": 0, "Zoe": 1} and first.facilitation_spread == 1
    assert first.airtime_gini == 0  # one speaker
    assert (second.expected, second.participation, second.coverage) == (0, None, None)
    assert (second.huddles, second.mean_length_s, second.mood_mean) == (0, None, None)
    assert second.facilitation == {} and second.facilitation_spread is None


def test_an_empty_history() -> None:
    """No records at all: zeros and dashes, never an error."""
    team = team_of(Member("Ana"))
    data = read_data(team, Folder().history)
    assert data.first is None
    report = build(data, date.fromisoformat(MON), date.fromisoformat(FRI), "month")
    (p,) = report.periods
    assert (p.expected, p.submitted, p.participation, p.mood_mean, p.huddles) == (5, 0, 0.0, None, 0)
    assert report.changes == ()


def test_periods_are_clipped_and_what_changed_names_the_biggest_move() -> None:
    """Weeks split at the report's dates; the sentence names the week participation moved most."""
    team = team_of(Member("Ana"), Member("Ben"))
    f = Folder()
    for day in (MON, TUE, WED, THU, FRI):
        f.named(day, "Ana", 4)
        f.named(day, "Ben", 4)
    f.named("2026-11-09", "Ana", 2)
    report = build(read_data(team, f.history), date.fromisoformat(WED), date.fromisoformat("2026-11-10"),
                   "week")
    assert [(p.start, p.end) for p in report.periods] == [(WED, "2026-11-08"), ("2026-11-09", "2026-11-10")]
    assert [p.participation for p in report.periods] == [1.0, 0.25]
    assert [p.partial for p in report.periods] == [False, True]  # W46 has Wednesday to Friday to come
    assert report.changes == ()  # a week still under way neither rose nor fell most
    assert report.coverage_change is None  # nor is its coverage compared
    report = build(read_data(team, f.history), date.fromisoformat(WED), date.fromisoformat("2026-11-14"),
                   "week")  # to Saturday: W46's working days are all in
    assert [p.partial for p in report.periods] == [False, False]
    assert report.changes[0] == "Participation fell most in 2026-W46: from 100% in 2026-W45 to 10%."
    assert report.coverage_change == pytest.approx(0.5 - 1.0)
