"""`huddle me` on a terminal: my own trend, streaks, follow-ups and support, as a small app of its own.

It is a separate app, started only by `huddle me` on the member's own
terminal: no screen of the shared huddle app (lobby, round, summary) can
reach it.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from huddle_tui.config.user import UserConfig
from huddle_tui.journal import Journal
from huddle_tui.support import MeView, render_me


class MeApp(App[int]):
    """One scrolling page: the chart with its numbers, then streaks, follow-ups and support."""

    TITLE = "huddle me"
    CSS = """
    #me-page { padding: 0 1; height: 1fr; }
    #me-text { width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "ask", "Ask a peer supporter", tooltip="Ask a peer supporter to follow up with you"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, journal: Journal, view: MeView, user: UserConfig, today: date | None = None) -> None:
        """Show `view`; `journal` is used only to save a request to a peer supporter."""
        super().__init__()
        self.journal = journal
        self.view = view
        self.user = user
        self.today = today or view.today

    def compose(self) -> ComposeResult:
        """The page and the keys."""
        with VerticalScroll(id="me-page"):
            yield Static("\n".join(render_me(self.view, self.size.width or 80)), id="me-text", markup=False)
        yield Footer()

    def on_resize(self) -> None:
        """Fit the chart to the width (more days on a wider terminal)."""
        self.query_one("#me-text", Static).update("\n".join(render_me(self.view, self.size.width)))

    def action_ask(self) -> None:
        """Offer the peer supporters; the member picks who and how it is shared."""
        from huddle_tui.tui.ask_peer import ask_peer

        peers = tuple(r for r in self.view.resources if r.kind == "peer")
        ask_peer(self, self.journal, self.view.member, self.today, peers,
                 lambda said: self.notify(said, markup=False))
