"""The lobby at a glance: this week's coverage against the target, four weeks' participation, open follow-ups.

Safe for a shared screen: team figures only, no name and no mood. It is
painted empty and filled once the IO worker has read the history (after the
first paint, behind today's plan), so it never delays the lobby.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widget import Widget

if TYPE_CHECKING:
    from huddle_tui.journal import Journal
    from huddle_tui.rules.report import Glance as Figures

BLOCKS = "▁▂▃▄▅▆▇█"


def spark(values: tuple[float | None, ...] | list[float | None], top: float = 1.0) -> str:
    """One block a value (0 to top), a space for none: a sparkline the numbers are written beside."""
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        else:
            out.append(BLOCKS[max(0, min(len(BLOCKS) - 1, round(v / top * (len(BLOCKS) - 1))))])
    return "".join(out)


def pct(value: float | None) -> str:
    """A share as the report writes it (rules/report_format.pct)."""
    from huddle_tui.rules.report_format import pct as report_pct

    return report_pct(value)


MONTHS_PER_JOB = 3  # a long history is read a few months per job: saves queued meanwhile go first


@dataclass
class GlanceReady(Message, bubble=False):
    """The glance's figures, read in the IO worker."""

    figures: Figures


@dataclass
class GlanceReading(Message, bubble=False):
    """Part of a long history read (its facts are kept after): how many months are left, and where."""

    months_left: int
    after: str


def read_glance(journal: Journal, day: date, after: str = "") -> GlanceReady | GlanceReading:
    """In the IO worker: the glance's figures from the same functions as `huddle report`.

    A history not read before is read MONTHS_PER_JOB months at a time; then
    the figures need this month and the four weeks before, and the follow-ups.
    """
    from huddle_tui.rules.report import glance, glance_since

    left, last = journal.read_report_months(after, MONTHS_PER_JOB)
    if left:
        return GlanceReading(left, last)
    return GlanceReady(glance(journal.report_data(glance_since(day)), day))


def glance_content(g: Figures) -> Content:
    """The glance's lines: every chart with its numbers beside it."""
    gap = "" if g.coverage is None else (", on target" if g.coverage >= g.target else
                                         f", {round((g.target - g.coverage) * 100)} points to go")
    weeks = " ".join(pct(v) for v in g.participation)
    return Content.assemble(
        ("This week ", "bold"), f"coverage {pct(g.coverage)} (target {pct(g.target)}{gap})\n",
        ("Participation ", "bold"), f"last {len(g.participation)} weeks {spark(g.participation)} {weeks}\n",
        ("Follow-ups ", "bold"), f"{g.open_followups} open in all · i shows the history")


def glance_line(g: Figures) -> Content:
    """The glance folded to one line for a short screen: the numbers, without the chart or the follow-ups."""
    weeks = " ".join(pct(v) for v in g.participation)
    return Content.assemble(("Coverage ", "bold"), f"{pct(g.coverage)} (target {pct(g.target)}) · ",
                            ("participation ", "bold"), weeks)


class Glance(Widget):
    """Three lines under the roster, filled in the background; one when folded to make room for the roster."""

    DEFAULT_CSS = """
    Glance {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    Glance.-folded {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """
    folded: var[bool] = var(False)

    def __init__(self, *, id: str | None = None) -> None:
        """Start with a line saying the figures are on their way."""
        super().__init__(id=id)
        self.figures: Figures | None = None
        self.months_left = 0

    @property
    def unfolded_height(self) -> int:
        """The rows the glance takes shown in full: folding gives all but one of them to the roster."""
        return 3  # coverage, participation, follow-ups (and while reading, a line and two kept free)

    def watch_folded(self, folded: bool) -> None:
        """Take one row or three, and draw the lines that fit them."""
        self.set_class(folded, "-folded")
        self.refresh(layout=True)

    def on_mount(self) -> None:
        """Ask for the figures once the lobby is painted."""
        self.call_after_refresh(self._load)

    def _load(self, after: str = "") -> None:
        """Queue the read behind today's plan in the app's IO worker (the journal opens there)."""
        app: Any = self.app  # the huddle app; its type is not imported by widgets

        def reading_the_glance() -> GlanceReady | GlanceReading:
            """In the worker: the journal and the history."""
            return read_glance(app.journal, app.today, after)

        app.submit(reading_the_glance, self)

    def on_glance_reading(self, message: GlanceReading) -> None:
        """Say how much history is left to read, and read on (after any save asked for meanwhile)."""
        self.months_left = message.months_left
        self.refresh()
        self._load(message.after)

    def on_glance_ready(self, message: GlanceReady) -> None:
        """Show the figures."""
        self.figures = message.figures
        self.refresh(layout=True)

    def render(self) -> Content:
        """The figures, or a line saying they are being read."""
        if self.figures is None:
            left = f" ({self.months_left} months to go)" if self.months_left else ""
            return Content(f"This week: reading the history…{left}" + ("" if self.folded else "\n\n"))
        return glance_line(self.figures) if self.folded else glance_content(self.figures)
