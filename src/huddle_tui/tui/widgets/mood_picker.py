"""The check-in form's mood: five words in a row, chosen only by 1–5 or the arrows.

A RadioSet took the space bar as "choose the highlighted one", so a status
typed while the mood row had focus chose "1 struggling" with its first
space. Here no key but a digit or an arrow changes the mood: letters and
spaces do nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from huddle_tui.model.checkin import MOODS


class MoodPicker(Widget, can_focus=True):
    """One line: ● marks the chosen mood (and it is bold), ○ the others; the word is always there."""

    DEFAULT_CSS = """
    MoodPicker {
        height: auto;
        width: 100%;
    }
    MoodPicker:focus {
        background: $boost;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"choose({n})", f"mood {n}", show=False) for n in MOODS),
        Binding("left", "move(-1)", "lower", show=False),
        Binding("right", "move(1)", "higher", show=False),
    ]

    value: reactive[int | None] = reactive(None)

    @dataclass
    class Changed(Message):
        """The mood chosen now."""

        picker: MoodPicker
        value: int

        @property
        def control(self) -> MoodPicker:
            """The picker that changed (Textual's convention for `on(…, selector)`)."""
            return self.picker

    def __init__(self, value: int | None = None, *, id: str | None = None) -> None:
        """Start on `value` (a check-in given earlier) without announcing it as a change."""
        super().__init__(id=id)
        self.set_reactive(MoodPicker.value, value)

    def action_choose(self, mood: int) -> None:
        """A digit chooses its mood."""
        self.value = mood

    def action_move(self, step: int) -> None:
        """An arrow chooses the next mood that way (from none: the nearest end)."""
        if self.value is None:
            self.value = 1 if step > 0 else len(MOODS)
        else:
            self.value = max(1, min(len(MOODS), self.value + step))

    def watch_value(self, value: int | None) -> None:
        """Announce the choice."""
        if value is not None:
            self.post_message(self.Changed(self, value))

    def render(self) -> Content:
        """Every mood with its number and word; the chosen one marked in shape as well as weight."""
        parts: list[str | tuple[str, str]] = []
        for n, word in MOODS.items():
            if parts:
                parts.append("  ")
            parts.append((f"● {n} {word}", "bold reverse") if n == self.value else f"○ {n} {word}")
        return Content.assemble(*parts)
