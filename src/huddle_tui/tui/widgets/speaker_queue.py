"""The speaking order beside the countdown: who spoke (and for how long), who is on, who is next."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from huddle_tui.rules.roundclock import PulseRound, duration
from huddle_tui.tui.widgets.fit import fit

NAME_WIDTH = 13


def queue_lines(pulse: PulseRound) -> Content:
    """One line a slot, each state said in words and a symbol, never by colour alone."""
    lines: list[Content] = [Content.styled("Speaking order", "bold")]
    current = pulse.current
    for i, slot in enumerate(pulse.slots):
        name = fit(slot.speaker + (" (late)" if slot.late else ""), NAME_WIDTH)
        if slot is current:
            mark, state, style = "▶", "speaking", "bold reverse"
        elif slot.skipped:
            mark, state, style = "–", "absent", "dim"
        elif slot.timebox_s is not None and (i < pulse.index or pulse.finished):
            mark, state, style = "✓", f"{duration(pulse.elapsed(slot))}/{duration(slot.timebox_s)}", ""
        else:  # an async member checked in before the round: their turn is read out
            mark, state, style = " ", "async" if slot.asynchronous else "waiting", ""
        lines.append(Content.assemble((f"{mark} ", style), (name, style), " ", (state, style)))
    return Content("\n").join(lines)


class SpeakerQueue(Static):
    """Repaints only when the order or someone's state changes, not on every tick."""

    _last: Content | None = None

    def show(self, pulse: PulseRound) -> None:
        """Redraw the order from the round model."""
        content = queue_lines(pulse)
        if self._last is None or content.plain != self._last.plain:
            self.update(content)
            self._last = content
