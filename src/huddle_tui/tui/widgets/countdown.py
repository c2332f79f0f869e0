"""The big countdown: the current speaker's time left in Digits, and its state in words."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Static

from huddle_tui.rules.roundclock import (
    ON_TIME,
    OVER,
    WARNING,
    View,
    countdown,
    duration,
)
from huddle_tui.tui.widgets.big_digits import BigDigits


def state_words(view: View) -> str:
    """The turn's state said in words, never only by colour."""
    if view.paused:
        return f"PAUSED at {countdown(view.remaining_s)} left (p to resume)"
    if view.state == OVER:
        return f"over by {duration(-view.remaining_s)}"
    if view.state == WARNING:
        return f"wrap up: {countdown(view.remaining_s)} left, under 20% of {countdown(view.timebox_s)}"
    # The timebox rounds like the time left, so a fresh turn never reads "4:49 left of 4:48".
    return f"{countdown(view.remaining_s)} left of {countdown(view.timebox_s)}: on time"


def digits_text(view: View) -> str:
    """What the Digits show: time left, or the overrun with a plus sign."""
    if view.state == OVER:
        return "+" + duration(-view.remaining_s)
    return countdown(view.remaining_s)


class Countdown(Vertical):
    """Digits (block digits when tall) plus a words line; -warning / -over / -paused colour them."""

    _shown: tuple[str, str] = ("", "")

    def compose(self) -> ComposeResult:
        """The digits above, the words below."""
        yield Digits("0:00", id="digits")
        yield BigDigits(id="big-digits")
        yield Static("", id="state-words", markup=False)

    def show(self, view: View) -> None:
        """Update only what changed, so an idle tick paints nothing."""
        text, line = digits_text(view), state_words(view)
        if text != self._shown[0]:
            self.query_one(Digits).update(text)
            self.query_one(BigDigits).update(text)
        if line != self._shown[1]:
            self.query_one("#state-words", Static).update(line)
        self._shown = (text, line)
        for state in (ON_TIME, WARNING, OVER):
            self.set_class(view.state == state and not view.paused, f"-{state.replace(' ', '-')}")
        self.set_class(view.paused, "-paused")
