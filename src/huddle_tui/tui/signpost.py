"""The private signpost: what was noticed, where support is, and an offer to ask a peer supporter.

Shown only by `huddle checkin`'s form on the member's own terminal (and in
`huddle me`'s page); no screen of the shared huddle app imports it.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from huddle_tui.journal import Journal
from huddle_tui.rules.support import Signpost, signpost_lines
from huddle_tui.text import printable


class SignpostScreen(Screen[None]):
    """Calm words and the resources; `a` asks a peer supporter, Enter or Escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "ask", "Ask a peer supporter"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, post: Signpost, journal: Journal, member: str, today: date) -> None:
        """The signpost for `member`, who may ask one of its peer supporters to follow up."""
        super().__init__()
        self.post = post
        self.journal = journal
        self.member = member
        self.today = today

    def compose(self) -> ComposeResult:
        """The words, then two buttons."""
        with VerticalScroll(id="signpost"):
            yield Static("Saved. One more thing, just for you", classes="label")
            yield Static("\n".join(printable(line) for line in signpost_lines(self.post)),
                         id="signpost-text", markup=False)
            with Horizontal(id="form-buttons"):
                if self.post.peers:
                    yield Button("Ask a peer supporter (a)", id="ask", compact=True)
                yield Button("Close (esc)", id="close", variant="primary", compact=True)
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The buttons do what their keys do."""
        if event.button.id == "ask":
            self.action_ask()
        else:
            self.action_close()

    def action_ask(self) -> None:
        """Pick a supporter and how the request is shared; it becomes a support follow-up."""
        from huddle_tui.tui.ask_peer import ask_peer

        ask_peer(self.app, self.journal, self.member, self.today, self.post.peers,
                 lambda said: self.notify(said, markup=False))

    def action_close(self) -> None:
        """Close the signpost (and the form)."""
        self.dismiss(None)
