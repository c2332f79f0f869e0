"""A dialog to choose one of a few answers: a team member (a new facilitator, a latecomer) or what to do."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from huddle_tui.text import printable


class Choose(ModalScreen[str | None]):
    """Arrow keys and Enter choose; Escape cancels (the answer is None)."""

    CSS_PATH = "dialog.tcss"
    SCOPED_CSS = False  # rules name the screen's own ids, and some match on Screen classes

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, names: list[str]) -> None:
        """Offer `names` (members, or answers) under `title`."""
        super().__init__()
        self.title_text = title
        self.names = names

    def compose(self) -> ComposeResult:
        """A title and the list of names, shown literally."""
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield OptionList(*(Option(Content(printable(n)), id=str(i))
                               for i, n in enumerate(self.names)), id="members")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Return the chosen answer."""
        self.dismiss(self.names[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
