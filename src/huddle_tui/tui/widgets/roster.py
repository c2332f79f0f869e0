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
from textual.reactive import reactive, var
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
    # Rows left once every line is drawn, negative when some need scrolling: the lobby folds its panels then.
    spare_rows: var[int] = var(0)

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
        self._measure()
        self.refresh()

    def on_resize(self) -> None:
        """Say again how many rows are spare: the screen, or the panels beside the roster, changed size."""
        self._measure()

    def _measure(self) -> None:
        """Set the spare rows and, when not everyone fits, which lines the border says are shown."""
        height = self.content_size.height
        if not height:  # not laid out yet: a shortfall of every line would be wrong
            return
        self.spare_rows = height - len(self.names)
        start = self._first_shown(height)
        self.border_subtitle = ("" if self.spare_rows >= 0 else
                                f"{start + 1}–{start + height} of {len(self.names)} · ↑↓")

    def action_move(self, step: int) -> None:
        """Move the highlight by `step` lines, stopping at either end."""
        if self.names:
            self.highlighted = max(0, min(self.highlighted + step, len(self.names) - 1))

    def watch_highlighted(self) -> None:
        """Redraw when the highlight moves (the lines shown may move with it)."""
        self._measure()
        self.refresh()

    def _first_shown(self, height: int) -> int:
        """The first line drawn in `height` rows: the highlight kept in the middle where it can be."""
        return max(0, min(self.highlighted - height // 2, len(self.names) - height))

    def render(self) -> Content:
        """The lines that fit, scrolled to keep the highlight in view; ▶ marks it."""
        height = max(1, self.content_size.height)
        start = self._first_shown(height)
        lines = []
        for i, name in enumerate(self.names[start:start + height], start):
            row = self._line(name)
            if i == self.highlighted:
                lines.append(Content.assemble("▶ ", row).stylize("bold reverse"))
            else:
                lines.append(Content.assemble("  ", row))
        return Content("\n").join(lines)
