"""The lobby's roster: one line a person, one of them highlighted, drawn as plain content.

A whole OptionList (a scroll view with its own stylesheet) cost the lobby's
first paint about 10 ms for a dozen lines; this draws only the lines that fit
and marks the highlighted one with ▶ as well as colour. A line is made only
when it is drawn: a 200-person roster costs what its visible lines cost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget


class Roster(Widget, can_focus=True):
    """Today's people with their presence; up and down move the highlight."""

    DEFAULT_CSS = """
    Roster {
        height: 1fr;
        padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("home", "move(-1000)", show=False),
        Binding("end", "move(1000)", show=False),
    ]

    highlighted: reactive[int] = reactive(0)

    def __init__(self, *, id: str | None = None) -> None:
        """Start empty; the lobby fills it with `show`."""
        super().__init__(id=id)
        self.names: list[str] = []
        self._line: Callable[[str], Content] = Content

    def show(self, names: list[str], line: Callable[[str], Content]) -> None:
        """List these people, each drawn by `line`, keeping the highlight where it still exists."""
        self.names = names
        self._line = line
        self.highlighted = max(0, min(self.highlighted, len(names) - 1))
        self.refresh()

    def action_move(self, step: int) -> None:
        """Move the highlight by `step` lines, stopping at either end."""
        if self.names:
            self.highlighted = max(0, min(self.highlighted + step, len(self.names) - 1))

    def watch_highlighted(self) -> None:
        """Redraw when the highlight moves."""
        self.refresh()

    def render(self) -> Content:
        """The lines that fit, scrolled to keep the highlight in view; ▶ marks it."""
        height = max(1, self.content_size.height)
        start = max(0, min(self.highlighted - height // 2, len(self.names) - height))
        lines = []
        for i, name in enumerate(self.names[start:start + height], start):
            row = self._line(name)
            if i == self.highlighted:
                lines.append(Content.assemble("▶ ", row).stylize("bold reverse"))
            else:
                lines.append(Content.assemble("  ", row))
        return Content("\n").join(lines)
