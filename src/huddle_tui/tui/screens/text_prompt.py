"""A one-line text dialog (a status, a handoff reason, a file name)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from huddle_tui.errors import UsageError
from huddle_tui.text import clean_text
from huddle_tui.tui.widgets.steady_input import SteadyInput


class TextPrompt(ModalScreen[str | None]):
    """Enter accepts (checked like the CLI checks it), Escape cancels."""

    CSS_PATH = "dialog.tcss"
    SCOPED_CSS = False  # rules name the screen's own ids, and some match on Screen classes

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, *, value: str = "", limit: int = 280,
                 allow_empty: bool = True, field: str = "text") -> None:
        """Ask for one line under `title`, at most `limit` characters."""
        super().__init__()
        self.title_text = title
        self.value = value
        self.limit = limit
        self.allow_empty = allow_empty
        self.field = field

    def compose(self) -> ComposeResult:
        """The question, the input, and a line for what is wrong with the answer."""
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield SteadyInput(self.value, max_length=self.limit, id="answer")
            yield Static("", id="problem", markup=False)
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Return the cleaned text, or say in one line why it cannot be used."""
        try:
            text = clean_text(event.value, self.field, self.limit, allow_empty=self.allow_empty)
        except UsageError as exc:
            self.query_one("#problem", Static).update(exc.message)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)
