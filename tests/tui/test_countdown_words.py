"""The countdown's words agree with each other: time left never exceeds the timebox shown."""

from __future__ import annotations

from huddle_tui.rules.roundclock import ON_TIME, OVER, WARNING, View
from huddle_tui.tui.widgets.countdown import state_words


def view(timebox: float, remaining: float, state: str) -> View:
    """A turn at one instant."""
    return View("Fatima", None, 5, 5, timebox, timebox - remaining, remaining, state, 300.0, 11.4,
                False, False)


def test_a_fresh_turn_with_a_fractional_timebox_reads_consistently() -> None:
    """288.6 s: both read 4:49 (it once said '4:49 left of 4:48')."""
    assert state_words(view(288.6, 288.6, ON_TIME)) == "4:49 left of 4:49: on time"


def test_warning_and_overtime_are_said_in_words() -> None:
    """Under 20% left says so; past zero says by how much."""
    assert state_words(view(60.0, 9.5, WARNING)) == "wrap up: 0:10 left, under 20% of 1:00"
    assert state_words(view(60.0, -12.3, OVER)) == "over by 0:12"
