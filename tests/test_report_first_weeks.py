"""A young team's report: it starts with the team, leaves the week under way out of the headlines,
writes none for a change that shows as zero, and times only the huddles that ran a round."""

from __future__ import annotations

from datetime import date

from huddle_tui.config.team import Member
from huddle_tui.rules.report import build, read_data, team_start
from huddle_tui.rules.report_format import render_text
from tests.reportkit import Folder, team_of

W1 = [f"2026-11-{d:02d}" for d in range(23, 28)]  # Monday 23 to Friday 27 November
W2 = ["2026-11-30", *(f"2026-12-{d:02d}" for d in range(1, 5))]


def test_the_team_starts_at_its_first_record_or_earliest_joined() -> None:
    """No joined dates: the first record; a member joined earlier: that date."""
    f = Folder()
    f.named(W1[2], "Ana", 4)
    assert team_start(read_data(team_of(Member("Ana")), f.history)) == date(2026, 11, 25)
    early = team_of(Member("Ana", joined=date(2026, 11, 16)), Member("Ben"))
    assert team_start(read_data(early, f.history)) == date(2026, 11, 16)


def test_a_confirmed_only_huddle_is_held_but_not_a_zero_second_round() -> None:
    """One timed round and one `next --confirm`: 2 held, the mean and Gini from the timed one only."""
    team = team_of(Member("Ana"), Member("Ben"))
    f = Folder()
    f.huddle(W1[0], "Ana", ("Ana", 150, 140), ("Ben", 150, 150))
    f.huddle(W1[1], "Ben")  # recorded as held, no turns
    (p,) = build(read_data(team, f.history), date.fromisoformat(W1[0]), date.fromisoformat(W1[4]),
                 "week").periods
    assert (p.huddles, p.timed_huddles, p.mean_length_s, p.round_s) == (2, 1, 290.0, 300.0)
    assert p.airtime_gini is not None and p.airtime_gini < 0.02 and p.facilitation == {"Ana": 1, "Ben": 1}
    text = render_text(build(read_data(team, f.history), date.fromisoformat(W1[0]),
                             date.fromisoformat(W1[4]), "week"))
    assert "2 held (1 recorded as held without a timed round), mean 290 s of a 300 s round" in text


def test_only_confirmed_huddles_show_no_timing_at_all() -> None:
    """Nothing timed: "held", no "mean 0 s", no Gini."""
    team = team_of(Member("Ana"))
    f = Folder()
    f.huddle(W1[0], "Ana")
    report = build(read_data(team, f.history), date.fromisoformat(W1[0]), date.fromisoformat(W1[4]), "week")
    (p,) = report.periods
    assert (p.huddles, p.timed_huddles, p.mean_length_s, p.airtime_gini) == (1, 0, None, None)
    assert " 1 held (1 recorded as held without a timed round)\n" in render_text(report)


def test_a_change_that_shows_as_zero_is_no_headline() -> None:
    """Mood 3.62 then 3.58 both read 3.6: no "rose most … from 3.6 to 3.6"."""
    team = team_of(*(Member(n) for n in ("Ana", "Ben", "Chen", "Dara", "Emeka")))
    f = Folder()
    for day in W1:
        for name in ("Ana", "Ben", "Chen", "Dara", "Emeka"):
            f.named(day, name, 4 if name in ("Ana", "Ben", "Chen") else 3)
    for day in W2:
        for name in ("Ana", "Ben", "Chen", "Dara", "Emeka"):
            f.named(day, name, 4 if name in ("Ana", "Ben", "Chen") else 3)
    f.named(W2[0], "Emeka", 4)  # a hair higher: 3.615 against 3.6
    report = build(read_data(team, f.history), date.fromisoformat(W1[0]), date.fromisoformat("2026-12-06"),
                   "week")
    means = [p.mood_mean for p in report.periods]
    assert means[0] != means[1] and f"{means[0]:.1f}" == f"{means[1]:.1f}"
    assert not any(s.startswith("Mood") for s in report.changes)
