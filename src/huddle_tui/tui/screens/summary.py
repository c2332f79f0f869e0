"""The summary: moods, concerns, airtime and the next facilitator, read back from the saved records.

It shows only what the team may see (the core's summary decides that), and
offers the Markdown to copy to the clipboard or save to a file.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static

from huddle_tui.model.checkin import MOOD_SYMBOLS, MOODS
from huddle_tui.rules.privacy import K
from huddle_tui.rules.roundclock import duration, spoken_of
from huddle_tui.rules.summary import totals_extra_lines, totals_line, totals_takeaways
from huddle_tui.text import printable
from huddle_tui.tui.messages import FileSaved, SummaryReady
from huddle_tui.tui.screens.base import COMMON_KEYS, HuddleScreen
from huddle_tui.tui.widgets.followups import FollowupsPanel
from huddle_tui.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from huddle_tui.rules.summary import Summary

Part = str | Content | tuple[str, str]
BAR = 20


def bar(value: float, whole: float, width: int = BAR) -> str:
    """A proportion as a bar of full blocks (the figure is always written beside it)."""
    filled = 0 if whole <= 0 else min(width, round(width * value / whole))
    return "█" * filled + "·" * (width - filled)


def summary_content(s: Summary, waiting: int = 0) -> Content:
    """The summary laid out for a screen: every figure in words as well as bars.

    `waiting` is how many anonymous concerns were keyed in this session's
    rounds: they wait on this machine, so "none raised" would be untrue.
    """
    parts: list[Part] = [(f"{printable(s.team)} · huddle of {s.date}", "bold")]
    parts.append(f"\nFacilitator: {printable(s.facilitator or 'not recorded')}")
    if s.total_s is not None and s.round_s:
        over = s.total_s - s.round_s
        tail = f" (over by {duration(over)})" if over >= 1 else ""
        parts.append(f" · round took {spoken_of(s.total_s, s.round_s)}{tail}")
    answered = s.answered
    ahead = f" ({s.async_count} async)" if s.async_count else ""
    parts += ["\n\n", ("Moods", "bold underline"), f"  {answered} of {s.expected} checked in{ahead}\n"]
    for label, counts in (("by name", s.moods), ("anonymously", s.anonymous_moods)):
        if not counts:
            continue
        most = max(counts.values()) or 1
        parts.append(f"  given {label}\n")
        for mood in sorted(counts, reverse=True):
            parts.append(f"  {MOOD_SYMBOLS[mood]} {mood} {MOODS[mood]:<10} {bar(counts[mood], most, 10)}"
                         f" {counts[mood]}\n")
    if s.totals is not None:  # a team whose anonymous answers go only to its totals: what opened, or when
        parts += [f"  {printable(line)}\n" for line in (totals_line(s.totals), *totals_extra_lines(s.totals))]
        parts += [f"  takeaway: {printable(words)}\n" for words in totals_takeaways(s.totals)]
    elif not s.moods and not s.anonymous_moods:
        parts.append(f"  shown once at least {K} people have answered\n")
    if s.checked_in:
        parts += ["\n", ("Check-ins", "bold underline"), "\n"]
    for name in s.checked_in:
        given = s.named_moods.get(name)
        said = f" {given} {MOODS[given]}" if given else ""
        status = f": {printable(s.statuses[name])}" if name in s.statuses else ""
        marked = " (async)" if name in s.asynchronous else ""
        parts.append(f"  {printable(name)}{marked}{said}{status}\n")
    parts += ["\n", ("Concerns", "bold underline"), "\n"]
    if waiting:
        parts.append(f"  {waiting} anonymous {'concern' if waiting == 1 else 'concerns'} keyed in the round "
                     f"{'waits' if waiting == 1 else 'wait'} on this machine: shared once at least {K} "
                     "members could have raised it\n")
    elif not s.concerns:
        parts.append("  none raised\n")
    for c in s.concerns:
        who = printable(c.member) if c.member else "anonymous"
        follow = (f" → follow-up: {printable(c.followup_owner)} ({c.followup_state})"
                  if c.followup_owner else "")
        parts.append(f"  [{c.kind}] {printable(c.text)} ({who}){follow}\n")
    parts += ["\n", ("Airtime", "bold underline"), "  spoken of timebox\n"]
    for t in s.airtime:
        name = printable(str(t["speaker"]))[:18].ljust(18)
        if t["skipped"]:
            parts.append(f"  {name} skipped\n")
        else:
            spoken, box = float(t["spoken_s"]), float(t["timebox_s"])
            ran_over = " over" if spoken > box + 0.5 else ""
            read_out = " async" if t.get("async") else ""
            parts.append(f"  {name} {bar(spoken, max(box, spoken))} {spoken_of(spoken, box)}{ran_over}"
                         f"{read_out}\n")
    parts.append("\nNext facilitator: ")
    parts.append((printable(s.next_facilitator) if s.next_facilitator else "nobody eligible", "bold"))
    return Content.assemble(*parts)


class SummaryScreen(HuddleScreen):
    """Shows the summary once a worker has read the saved records back."""

    CSS_PATH = "summary.tcss"
    SCOPED_CSS = False  # rules name the screen's own ids, and some match on Screen classes

    summary_text = getters.query_one("#summary-text", Static)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "copy Markdown", tooltip="Copy the Markdown summary to the clipboard"),
        Binding("s", "save", "save to file", tooltip="Save the Markdown summary to a file"),
        Binding("f", "followup_done", "follow-up done", show=False, tooltip="Mark a follow-up done"),
        *COMMON_KEYS,
    ]

    def __init__(self) -> None:
        """Nothing to show until the summary arrives."""
        super().__init__()
        self.markdown = ""
        self._waiting = False

    def compose(self) -> ComposeResult:
        """The summary in a scrolling pane, where it went, and the keys."""
        yield self.too_small()
        with VerticalScroll(id="summary", classes="body"):
            yield Static("Saving the huddle and reading it back…", id="summary-text", markup=False)
        yield FollowupsPanel()
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        """Ask for the summary after the huddle's final save (jobs run in order)."""
        self._load()
        self._waiting = self.huddle.io.failing
        self.watch(self.app, "unsaved", self._saves_changed, init=False)

    def _load(self) -> None:
        """Read the summary back from the folder (after every save asked for before)."""
        from huddle_tui.tui import jobs

        self.huddle.submit(partial(jobs.build_summary, self.huddle.journal, self.huddle.today), self)

    def _saves_changed(self, count: int) -> None:
        """Read it again once saves that were failing have landed, so it shows all that was said."""
        if count and self.huddle.io.failing:
            self._waiting = True
        elif not count and self._waiting:
            self._waiting = False
            self._load()

    def on_summary_ready(self, message: SummaryReady) -> None:
        """Show it and keep the Markdown for copying and saving."""
        self.markdown = message.markdown
        self.summary_text.update(summary_content(message.summary, self.huddle.anonymous_keyed))

    def action_copy(self) -> None:
        """Copy the Markdown (OSC 52: works over SSH too, if the terminal allows it)."""
        if not self.markdown:
            return
        self.app.copy_to_clipboard(self.markdown)
        self.notify("Markdown summary copied to the clipboard.")

    def action_save(self) -> None:
        """Ask where to save the Markdown, offering a file in the user's documents (or data) folder."""
        from huddle_tui.paths import summaries_dir
        from huddle_tui.tui.screens.text_prompt import TextPrompt

        if not self.markdown:
            return
        default = summaries_dir() / f"huddle-{self.huddle.today.isoformat()}.md"
        self.app.push_screen(TextPrompt("Save the Markdown summary to (a full path; Enter saves)",
                                        value=str(default), allow_empty=False, field="path", limit=500),
                             self._save_to)

    def _save_to(self, name: str | None) -> None:
        """Write the file in a worker; a relative name goes in the default folder, not the current one."""
        from huddle_tui.paths import summaries_dir
        from huddle_tui.tui import jobs

        if name:
            path = Path(name).expanduser()
            if not path.is_absolute():
                path = summaries_dir() / path
            self.huddle.submit(partial(jobs.write_text, path, self.markdown), self)

    def on_file_saved(self, message: FileSaved) -> None:
        """Say where the file went."""
        self.notify(f"Markdown summary saved to {message.path}", markup=False, timeout=10)
