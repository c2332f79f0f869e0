"""The team's open follow-ups on a shared screen: owner, what, age; overdue ones stand out in words.

Only what the shared folder holds is listed (never this machine's private
follow-ups), and an anonymous one shows no name. The screen that shows it
offers one key to mark a follow-up done (`close_one`), saved as a new
version of its record by the app's IO worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Protocol, cast

from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.widgets import Static

from huddle_tui.text import printable
from huddle_tui.tui.widgets.fit import fit

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.message_pump import MessagePump

    from huddle_tui.journal import Journal
    from huddle_tui.rules.followups import FollowUpItem
    from huddle_tui.storage.derived import Key

REFRESH_S = 5.0
SHOWN = 3


@dataclass
class FollowupsLoaded(Message, bubble=False):
    """The team's open follow-ups with their age in working days and whether each is overdue."""

    rows: list[tuple[FollowUpItem, int, bool]] | None  # None: the same as last read
    closed: FollowUpItem | None = None
    stamped: Key | None = None
    days: int = 0  # how far back the list goes (raised in the last `days` days)


def load_open(journal: Journal, today: date, closing: str | None = None,
              last: Key | None = None) -> FollowupsLoaded:
    """In the IO worker: close one first when asked, then list the team's open follow-ups.

    The list is read again only when its folders changed since the `last`
    (settled) read: an idle lobby re-reads nothing.
    """
    from huddle_tui.followups import close, team_followups, team_followups_key
    from huddle_tui.journal import RECENT_DAYS
    from huddle_tui.rules.followups import age, overdue

    closed = close(journal, closing, today)[0] if closing else None
    stamped = team_followups_key(journal, today)
    if last is not None and last.settled and last.parts == stamped.parts:
        return FollowupsLoaded(None, closed, last, RECENT_DAYS)
    team = journal.team
    rows = [(i, age(team, i, today), overdue(team, i, today))
            for i in team_followups(journal, today) if i.is_open]
    return FollowupsLoaded(rows, closed, stamped, RECENT_DAYS)


class Host(Protocol):
    """What the panel needs of the huddle app (named here, so widgets never import the app)."""

    journal: Journal
    today: date

    def submit(self, work: Callable[[], Message], target: MessagePump, *, save: bool = False) -> None:
        """Run `work` in the app's IO worker and post its message to `target`."""


class FollowupsPanel(Static):
    """A few lines: how many are open, the oldest first, "OVERDUE" in bold on those past the limit.

    Folded (the lobby, when its roster needs the rows), only the first line: how many are open.
    """

    DEFAULT_CSS = """
    FollowupsPanel {
        height: auto;
        max-height: 5;
        padding: 0 1;
    }
    FollowupsPanel.-folded {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """
    folded: var[bool] = var(False)

    def __init__(self) -> None:
        """Empty and hidden until the first read finds an open follow-up."""
        super().__init__("", id="followups")
        self.display = False
        self.rows: list[tuple[FollowUpItem, int, bool]] = []
        self._shown = False
        self._read: Key | None = None  # the folders' stamps when the rows were read
        self._days = 0

    @property
    def huddle(self) -> Host:
        """The app, as far as the panel uses it."""
        return cast("Host", self.app)

    def on_mount(self) -> None:
        """Read now (after the first paint) and again every few seconds."""
        self.call_after_refresh(self.reload)
        self.set_interval(REFRESH_S, self.reload)

    def on_resize(self) -> None:
        """Fit the rows to the new width."""
        if self.rows:
            self.update(self._content())

    @property
    def unfolded_height(self) -> int:
        """The rows the panel takes shown in full: the heading, the oldest few and a line for the rest."""
        return 1 + min(SHOWN, len(self.rows)) + (len(self.rows) > SHOWN)

    def watch_folded(self, folded: bool) -> None:
        """Take one row or all of them, and draw what fits."""
        self.set_class(folded, "-folded")
        if self.rows:
            self.update(self._content())

    def reload(self, closing: str | None = None) -> None:
        """Ask the IO worker for the list (closing one first when given)."""
        app = self.huddle
        app.submit(partial(load_open, app.journal, app.today, closing, self._read), self,
                   save=closing is not None)

    def on_followups_loaded(self, message: FollowupsLoaded) -> None:
        """Show the list; say which one was closed."""
        if message.closed is not None:
            self.notify(f"Follow-up done: {printable(message.closed.text)}", markup=False)
        self._read, self._days = message.stamped, message.days
        if message.rows is None or (message.rows == self.rows and self._shown):
            return
        self._shown = True
        self.rows = sorted(message.rows, key=lambda r: -r[1])
        self.display = bool(self.rows)  # nothing open: the screen looks as it did without follow-ups
        self.update(self._content())

    def _content(self) -> Content:
        """The heading line and the oldest few follow-ups."""
        late = sum(1 for _, _, o in self.rows if o)
        head = (f"Follow-ups, last {self._days} days: {len(self.rows)} open"
                f"{f', {late} overdue' if late else ''} · f closes one")
        parts: list[str | tuple[str, str]] = [(head, "bold")]
        if self.folded:
            return Content.assemble(*parts)
        # The panel's width less the owner and the age columns: one line a follow-up, even at 64 columns.
        room = max(12, min(43, (self.size.width or self.app.size.width - 4) - 28))
        for item, days, is_late in self.rows[:SHOWN]:
            parts.append("\n")
            parts.append(f"{fit(item.owner, 12)} {fit(f'{item.kind}: {item.text}', room)}")
            parts.append((f" {days} wd OVERDUE", "bold reverse") if is_late else f" {days} wd")
        if len(self.rows) > SHOWN:
            parts.append(f"\n… and {len(self.rows) - SHOWN} more (huddle followups --open)")
        return Content.assemble(*parts)

    def choices(self) -> list[str]:
        """The open follow-ups as a dialog lists them (the screen shows the dialog)."""
        return [f"{item.id[:8]} {item.owner}: {item.text} ({days} wd)" for item, days, _ in self.rows]

    def close_chosen(self, picked: str | None) -> None:
        """Mark the follow-up picked in the dialog done (nothing when it was cancelled)."""
        for label, (item, _, _) in zip(self.choices(), self.rows, strict=True):
            if label == picked:
                self.reload(item.id)
                return
