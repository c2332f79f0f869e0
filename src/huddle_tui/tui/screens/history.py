"""History: mood and participation per week as charts with their numbers, facilitation, support, follow-ups.

Every figure comes from rules/report.py, the functions `huddle report` uses,
so the screen and the report always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Static

from huddle_tui.text import printable
from huddle_tui.tui.screens.base import HuddleScreen
from huddle_tui.tui.widgets.fit import fit
from huddle_tui.tui.widgets.glance import pct, spark

if TYPE_CHECKING:
    from huddle_tui.journal import Journal
    from huddle_tui.rules.report import Period, Report

WEEKS = 12
Part = str | Content | tuple[str, str]


@dataclass
class HistoryReady(Message, bubble=False):
    """The last weeks' report, and the same weeks as one period, read in the IO worker."""

    report: Report
    whole: Period


def read_history(journal: Journal, today: date, weeks: int = WEEKS) -> HistoryReady:
    """In the IO worker: the report by week for the last `weeks` weeks up to today (from the first record)."""
    from huddle_tui.rules.report import build, period, period_start

    data = journal.report_data()
    since = period_start(today, "week") - timedelta(weeks=weeks - 1)
    if data.first is not None and since < data.first <= today:
        since = period_start(data.first, "week")
    return HistoryReady(build(data, since, today, "week"), period(data, "weeks", since, today))


def history_content(report: Report, whole: Period) -> Content:
    """The screen's text: charts first, then each week's numbers, facilitation, support, follow-ups."""
    from huddle_tui.rules.report_format import SUPPORT_ROWS, num, rows

    periods = report.periods
    part = [p.participation for p in periods]
    mood = [None if p.mood_mean is None else (p.mood_mean - 1) / 4 for p in periods]
    parts: list[Part] = [(f"{printable(report.team)} · history by week, {report.since} to {report.until}",
                          "bold"), "\n\n"]
    parts += [("Participation ", "bold"), spark(part), f"  latest {pct(part[-1] if part else None)}\n"]
    parts += [("Mood          ", "bold"), spark(mood),
              f"  latest {num(periods[-1].mood_mean) if periods else '–'} of 5\n\n"]
    parts += [("week      participation  coverage  mood (answers)  huddles\n", "underline")]
    for p in periods:
        parts.append(f"{p.label:<9} {spark([p.participation])} {pct(p.participation):>5}       "
                     f"{pct(p.coverage):>5}    {num(p.mood_mean):>3} ({p.mood_answers:>3})      "
                     f"{p.huddles:>3}\n")
    target = pct(report.target)
    parts.append(f"Weekly coverage target {target}\n\n")
    totals: dict[str, int] = {}
    for p in periods:
        for name, times in p.facilitation.items():
            totals[name] = totals.get(name, 0) + times
    parts += [("Facilitation", "bold underline"), f"  times each facilitated, spread "
              f"{max(totals.values()) - min(totals.values()) if totals else '–'}\n"]
    for name, times in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0].casefold())):
        parts.append(Content.assemble("  ", fit(name, 18), f" {times:>3}\n"))
    parts += ["\n", ("Support and buddies", "bold underline"), "  over these weeks\n"]
    for name, value in rows(whole):
        if name in SUPPORT_ROWS:
            parts.append(f"  {name + ':':<20}{printable(value)}\n")
    parts += ["\n", ("Open follow-ups", "bold underline"), f"  {len(report.open_followups)}\n"]
    if not report.open_followups:
        parts.append("  none\n")
    until = date.fromisoformat(report.until)
    for f in sorted(report.open_followups)[:20]:
        age = (until - date.fromisoformat(f.opened)).days
        parts.append(Content.assemble("  ", fit(f.owner, 18), f" {f.kind:<8} raised {f.opened}, "
                                      f"{age} days open\n"))
    if len(report.open_followups) > 20:
        parts.append(f"  … and {len(report.open_followups) - 20} more (huddle report lists them)\n")
    return Content.assemble(*parts)


class HistoryScreen(HuddleScreen):
    """The last twelve weeks, read in the background and shown when they arrive."""

    DEFAULT_CSS = """
    #history { padding: 0 1; }
    """
    history_text = getters.query_one("#history-text", Static)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "app.pop_screen", "back", tooltip="Back to the lobby"),
        Binding("q", "app.quit", "quit", tooltip="Quit the app"),
    ]

    def compose(self) -> ComposeResult:
        """The history in a scrolling pane and the keys."""
        yield self.too_small()
        with VerticalScroll(id="history", classes="body"):
            yield Static("Reading the history…", id="history-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """Ask the IO worker for the report."""
        app = self.huddle

        def reading_the_history() -> Message:
            """In the worker: the journal and the last weeks."""
            return read_history(app.journal, app.today)

        app.submit(reading_the_history, self)

    def on_history_ready(self, message: HistoryReady) -> None:
        """Show it."""
        self.history_text.update(history_content(message.report, message.whole))
