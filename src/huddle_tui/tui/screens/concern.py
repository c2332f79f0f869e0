"""The concern dialog: text, kind, visibility and an optional follow-up owner."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Select, Static

from huddle_tui.errors import UsageError
from huddle_tui.model.checkin import CONCERN_KINDS, Concern, FollowUp, as_visibility
from huddle_tui.text import MAX_CONCERN, clean_text, printable
from huddle_tui.tui.widgets.steady_input import SteadyInput

VISIBILITY_WORDS = {"team": "team (with the name)", "anonymous": "anonymous (no name)",
                    "private": "private (this machine only)"}


class ConcernDialog(ModalScreen[Concern | None]):
    """Enter in the text (or ctrl+s anywhere) saves; Escape cancels; Tab moves between fields."""

    CSS_PATH = "dialog.tcss"
    SCOPED_CSS = False  # rules name the screen's own ids, and some match on Screen classes

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel"),
                                             Binding("ctrl+s", "save", "Save")]

    def __init__(self, speaker: str, members: list[str]) -> None:
        """Ask about a concern `speaker` raises; follow-up owners come from `members`."""
        super().__init__()
        self.speaker = speaker
        self.members = members

    def compose(self) -> ComposeResult:
        """Text on top, the three choices side by side below it."""
        with Vertical(classes="dialog"):
            # No name in the title: an anonymous concern must not be shown beside anyone.
            yield Static("Note a concern", classes="dialog-title")
            yield SteadyInput(placeholder="what is it? (one line)", max_length=MAX_CONCERN, id="text")
            with Horizontal(id="concern-choices"):
                yield Select([(k, k) for k in CONCERN_KINDS], value="concern", allow_blank=False,
                             id="kind", prompt="kind")
                yield Select([(w, v) for v, w in VISIBILITY_WORDS.items()], value="team",
                             allow_blank=False, id="visibility")
                yield Select([(Content(printable(m)), m) for m in self.members],
                             prompt="no follow-up owner", id="owner")
            yield Static("", id="problem", markup=False)
        yield Footer()

    def on_input_submitted(self) -> None:
        """Enter in the text field saves the whole form."""
        self.action_save()

    def action_save(self) -> None:
        """Return the concern, or say in one line what is missing."""
        try:
            text = clean_text(self.query_one("#text", Input).value, "concern", MAX_CONCERN,
                              allow_empty=False)
        except UsageError as exc:
            self.query_one("#problem", Static).update(exc.message)
            return
        kind = str(self.query_one("#kind", Select).value)
        visibility = as_visibility(str(self.query_one("#visibility", Select).value))
        owner = self.query_one("#owner", Select).value
        followup = FollowUp(owner) if isinstance(owner, str) else None
        self.dismiss(Concern.new(text, kind, visibility, followup))

    def action_cancel(self) -> None:
        """Close without saving anything."""
        self.dismiss(None)
