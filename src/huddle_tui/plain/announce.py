"""When plain mode says the time, and in what words: a line at each milestone, never every second.

A screen reader or braille display reads each new line; a countdown that
speaks every second would drown the speaker. So a turn is announced when it
starts, then at each whole minute left, at 30 seconds, when it is time to wrap
up, when time is up and every 30 seconds over. When several milestones pass
between two looks at the clock (a slow terminal, a suspended laptop) only the
latest is said.
"""

from __future__ import annotations

import math

from huddle_tui.rules.roundclock import WARNING_SHARE, View, duration

OVER_EVERY_S = 30


def spoken(seconds: float) -> str:
    """A length of time as words: "1 minute", "1 minute 20 seconds", "45 seconds"."""
    whole = max(0, math.ceil(seconds - 1e-9))
    minutes, secs = divmod(whole, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if secs or not minutes:
        parts.append(f"{secs} second{'s' if secs != 1 else ''}")
    return " ".join(parts)


def milestones(timebox_s: float) -> list[tuple[float, str]]:
    """The remaining-time marks of a turn worth saying, latest last, with what to say at each.

    Whole minutes and 30 seconds left (not in the turn's first seconds), and
    the wrap-up mark, which takes the place of any other within 3 seconds of it.
    """
    wrap = WARNING_SHARE * timebox_s
    marks = [(wrap, f"wrap up, {spoken(wrap)} left")]
    for at in [m * 60.0 for m in range(1, int(timebox_s // 60) + 1)] + [30.0]:
        if at < timebox_s - 5 and abs(at - wrap) > 3:
            marks.append((at, f"{spoken(at)} left"))
    return sorted(marks, key=lambda m: -m[0])


class TurnClock:
    """Remembers which of the current turn's milestones were said, so each is said once."""

    def __init__(self) -> None:
        """No turn yet."""
        self.key: tuple[int, str] | None = None
        self.said: float = math.inf  # the lowest remaining-time mark said so far in this turn

    def start(self, index: int, view: View) -> None:
        """A turn (re)starts: only milestones below the time it has left are still to come."""
        self.key = (index, view.speaker or "")
        self.said = view.remaining_s

    def due(self, view: View) -> str | None:
        """The line to say now, if a milestone was passed since the last look (only the latest)."""
        if view.speaker is None or view.paused or view.finished:
            return None
        left = view.remaining_s
        if left <= 0:
            over = -left
            step = math.floor(over / OVER_EVERY_S + 1e-9) * OVER_EVERY_S
            mark = -float(step)
            if mark < self.said:
                self.said = mark
                return f"{view.speaker} over " + ("time" if step == 0 else f"by {duration(step)}")
            return None
        line = None
        for at, words in milestones(view.timebox_s):
            if left <= at < self.said:
                line = words
                self.said = at
        return line
