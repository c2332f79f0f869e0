"""The round's stage view: the speaker's name and the time left as large as the screen allows.

A shared terminal reaches the team through a video codec that blurs one-cell
text; block letters made of whole cells survive it. Beneath them, in words,
the turn's state (so no colour carries it alone), who is next and how far
the round has got. Nothing here is drawn with thin lines.
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content, Span
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from huddle_tui.rules.roundclock import OVER, WARNING, View, countdown, duration
from huddle_tui.text import printable
from huddle_tui.tui.widgets import stage_font
from huddle_tui.tui.widgets.countdown import digits_text


class BlockText(Widget):
    """One line in block letters scaled to fill the widget; plain text when even the smallest is too big."""

    DEFAULT_CSS = """
    BlockText {
        width: 1fr;
        height: 1fr;
        content-align: center middle;
        text-align: center;
    }
    """

    text: reactive[str] = reactive("")

    def update(self, text: str) -> None:
        """Show new text (repaints only when it changed)."""
        self.text = text

    def render(self) -> Content:
        """The text at the largest scale that fits this widget's size."""
        size = self.content_size
        scale = stage_font.fit(self.text, size.width, size.height)
        if scale is None:
            return Content.styled(self.text, "bold")
        return cell_letters(stage_font.draw(self.text, scale))


def cell_letters(lines: list[str]) -> Content:
    """Block letters whose pixels are reverse-video spaces: the cell's own background, not a font glyph.

    A terminal fills a cell's background edge to edge, while a full-block
    glyph is only as tall as the font draws it (seams between rows in many
    fonts, and in the SVG screenshot). Solid pixels keep a letter's strokes
    joined when a video call blurs and shrinks the screen.
    """
    text = "\n".join(lines).replace("█", " ")
    spans = [Span(m.start(), m.end(), "reverse") for m in re.finditer("█+", "\n".join(lines))]
    return Content(text, spans)


def state_line(view: View, late: bool = False) -> str:
    """The turn's state in words, for the line under the big time."""
    if view.paused:
        words = f"PAUSED · {countdown(view.remaining_s)} left · p resumes"
    elif view.state == OVER:
        words = f"OVER by {duration(-view.remaining_s)}"
    elif view.state == WARNING:
        words = f"WRAP UP · {countdown(view.remaining_s)} left"
    else:
        words = f"ON TIME · {countdown(view.remaining_s)} left of {countdown(view.timebox_s)}"
    return words + (" · late" if late else "")


def progress_line(view: View) -> str:
    """Who speaks and where the round is, in words.

    The name is here as text too: for a screen reader (block letters read as
    nothing) and for a viewer whose call blurs the big letters.
    """
    left = view.round_remaining_s
    tail = f"{countdown(left)} left" if left > 0 else f"round over by {duration(-left)}"
    return (f"Now speaking {printable(view.speaker or '')} · turn {view.position} of {view.speakers} · "
            f"round {duration(view.round_elapsed_s)} of {duration(view.round_s)}, {tail}")


class StageBoard(Vertical):
    """Name and time in block letters, then state, next and progress; -warning, -over, -paused colour it."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        """Nothing said yet."""
        super().__init__(id=id, classes=classes)
        self._said: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        """The two big lines, then four lines of words."""
        yield BlockText(id="stage-name")
        yield BlockText(id="stage-time")
        yield Static("", id="stage-state", markup=False)
        yield Static("", id="stage-said", markup=False)
        yield Static("", id="stage-next", markup=False)
        yield Static("", id="stage-progress", markup=False)

    def show(self, view: View, late: bool = False) -> None:
        """Show the round at this instant (each part repaints only when its text changed)."""
        if view.speaker is None:
            return
        self.query_one("#stage-name", BlockText).update(printable(view.speaker))
        self.query_one("#stage-time", BlockText).update(digits_text(view))
        self._say("#stage-state", state_line(view, late))
        nxt = printable(view.next_speaker) if view.next_speaker else "nobody: this is the last turn"
        self._say("#stage-next", f"Next: {nxt}")
        self._say("#stage-progress", progress_line(view))
        for state, name in ((WARNING, "-warning"), (OVER, "-over")):
            self.set_class(view.state == state and not view.paused, name)
        self.set_class(view.paused, "-paused")

    def said(self, line: str) -> None:
        """What the keys gave for this speaker (their mood, and whether it is saved), so each key shows."""
        self._say("#stage-said", line)

    def _say(self, selector: str, text: str) -> None:
        """Update one line of words when it changed, so an idle tick paints nothing."""
        if self._said.get(selector) != text:
            self._said[selector] = text
            self.query_one(selector, Static).update(text)
