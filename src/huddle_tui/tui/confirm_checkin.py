"""Before a check-in is saved: one line of what the team will see, Enter to confirm.

A named record cannot be unsaid once synced (its earlier version stays in
every copy, and in git), so saving shows who sees what first, and a low
mood by name asks once more, offering to save it anonymously instead.
"""

from __future__ import annotations

from typing import ClassVar

from textual import getters
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from huddle_tui.model.checkin import MOODS, Visibility
from huddle_tui.rules.privacy import K
from huddle_tui.text import printable

LOW = 2
"""Moods at or below this ("low", "struggling") ask once more before they go out by name."""
SEEN: dict[Visibility, str] = {
    "team": "by name — the team sees this with your name",
    "anonymous": f"anonymously — the team sees it only in totals of {K}+, never with your name",
    "private": "privately — it stays on this machine; the team sees only that you checked in",
}


def seen_line(member: str, mood: int, visibility: Visibility) -> str:
    """The one line of what the team will see: "Fatima · 1 struggling · by name — …"."""
    return f"{printable(member)} · {mood} {MOODS[mood]} · {SEEN[visibility]}"


class ConfirmCheckin(ModalScreen[Visibility | None]):
    """Enter saves as shown (a low mood by name: Enter twice, or `a` for anonymously); Esc goes back."""

    DEFAULT_CSS = """
    ConfirmCheckin {
        align: center middle;
    }
    ConfirmCheckin > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    #confirm-title {
        text-style: bold;
    }
    #confirm-again {
        margin-top: 1;
        text-style: bold;
        display: none;
    }
    #confirm-again.-asked {
        display: block;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "save"),
        Binding("a", "anonymously", "anonymously instead", show=False),
        Binding("escape", "back", "back to the form"),
    ]

    again = getters.query_one("#confirm-again", Static)

    def __init__(self, member: str, mood: int, visibility: Visibility) -> None:
        """Show what saving `mood` for `member` with `visibility` will share."""
        super().__init__()
        self.member, self.mood, self.visibility = member, mood, visibility
        self.ask_again = visibility == "team" and mood <= LOW
        self.asked = False

    def compose(self) -> ComposeResult:
        """The line, how to confirm, and (hidden until asked) the second question."""
        with Vertical():
            yield Static("Save this check-in?", id="confirm-title")
            yield Static(seen_line(self.member, self.mood, self.visibility), id="confirm-line", markup=False)
            yield Static("Enter saves it · Esc goes back to the form", id="confirm-keys")
            yield Static("", id="confirm-again", markup=False)
        yield Footer()

    def action_confirm(self) -> None:
        """Save; a low mood by name first asks once more."""
        if self.ask_again and not self.asked:
            self.asked = True
            self.again.add_class("-asked")
            self.again.update(f"By name, \"{self.mood} {MOODS[self.mood]}\" cannot be taken back once "
                              "synced. Enter again saves it by name · a saves it anonymously instead · "
                              "Esc goes back")
            return
        self.dismiss(self.visibility)

    def action_anonymously(self) -> None:
        """Offered with a low mood by name: save it anonymously instead."""
        if self.asked:
            self.dismiss("anonymous")

    def action_back(self) -> None:
        """Back to the form, nothing saved."""
        self.dismiss(None)
