"""Asking a peer supporter to follow up: pick who, then how it is shared (the member chooses both)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from textual.app import App

from huddle_tui.config.team import SupportResource
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import Visibility
from huddle_tui.text import printable
from huddle_tui.tui.screens.choose import Choose

SHARE_AS: dict[str, Visibility] = {
    "By name: the supporter (and the team's follow-up list) see that you asked": "team",
    "Anonymously: they see the request, not who asked (so they cannot reach you)": "anonymous",
    "Privately: a note on this machine only; nobody else sees it": "private",
}


def ask_peer(app: App[int], journal: Journal, member: str, today: date,
             peers: tuple[SupportResource, ...], done: Callable[[str], None]) -> None:
    """Offer the peer supporters, then the ways to share; save a support follow-up owned by the one picked."""
    if not peers:
        app.notify("Your team has not listed a peer supporter yet ([[support]] with kind = \"peer\").",
                   markup=False)
        return
    names = [p.name for p in peers]

    def share(name: str | None) -> None:
        """After a supporter is picked: how to share the request."""
        if name is not None:
            app.push_screen(Choose(f"How should your request to {printable(name)} be shared?",
                                   list(SHARE_AS)), partial(save, name))

    def save(name: str, how: str | None) -> None:
        """Save the follow-up in a worker; say where it went."""
        if how is None:
            return
        from huddle_tui import support

        visibility = SHARE_AS[how]

        def saving() -> None:
            """In a worker thread: one concern record (or a private note)."""
            from huddle_tui.errors import HuddleError

            try:
                support.ask_peer(journal, member, today, name, visibility)
            except (HuddleError, OSError) as exc:
                app.call_from_thread(done, f"Not saved: {exc}")
                return
            app.call_from_thread(done, f"Asked {printable(name)} to follow up ({visibility}).")

        app.run_worker(saving, thread=True, group="ask", exit_on_error=False)

    app.push_screen(Choose("Which peer supporter would you like to hear from?", names), share)
