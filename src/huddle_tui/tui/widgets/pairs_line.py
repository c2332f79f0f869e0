"""One lobby line with this week's buddy pairs, read (or made) after the lobby's first paint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

from textual.message import Message
from textual.message_pump import MessagePump
from textual.widgets import Static

from huddle_tui.text import printable

if TYPE_CHECKING:  # the lobby paints before the store is imported
    from huddle_tui.config.team import TeamConfig
    from huddle_tui.journal import Journal


class Host(Protocol):
    """What the line needs of the app (named here: widgets never import the app module)."""

    team: TeamConfig
    today: date

    @property
    def journal(self) -> Journal:
        """The team's records."""

    def submit(self, work: Callable[[], Message], target: MessagePump, *, save: bool = False) -> None:
        """Run `work` in the IO worker and post its message to `target`."""


class PairsLine(Static):
    """Hidden unless two or more members opted in to pairs; one line, cut with an ellipsis."""

    DEFAULT_CSS: ClassVar[str] = """
    PairsLine { height: 1; text-wrap: nowrap; text-overflow: ellipsis; display: none; }
    PairsLine.-shown { display: block; }
    """

    @dataclass
    class Loaded(Message, bubble=False):
        """The line's text, from the IO worker ("" when the team has no pairs)."""

        text: str

    def __init__(self, *, id: str | None = None) -> None:
        """Plain text: names come from a config file, never markup."""
        super().__init__("", markup=False, id=id)

    def on_mount(self) -> None:
        """Read this week's pairs once the lobby is painted, never before."""
        app = cast(Host, self.app)
        if sum(1 for m in app.team.members if m.pairs) >= 2:
            self.call_after_refresh(self._load)

    def _load(self) -> None:
        """Ask the IO worker for the line (networkx loads there only if the round is new)."""
        app = cast(Host, self.app)

        def reading_this_weeks_pairs() -> Message:
            """In the worker: read the week's round, or make and save it."""
            from huddle_tui.pairs import lobby_text

            return PairsLine.Loaded(lobby_text(app.journal, app.today))

        app.submit(reading_this_weeks_pairs, self)

    def on_pairs_line_loaded(self, message: Loaded) -> None:
        """Show the line (or stay hidden with nothing to say)."""
        self.update(printable(message.text))
        self.set_class(bool(message.text), "-shown")
