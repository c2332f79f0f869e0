"""What every full screen of the app shares: the typed app and the too-small message."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

from huddle_tui.tui.widgets.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmall

if TYPE_CHECKING:
    from huddle_tui.tui.app import HuddleApp


class HuddleScreen(Screen[None]):
    """A screen of the huddle app (lobby, round, summary)."""

    @property
    def huddle(self) -> HuddleApp:
        """The app, typed, for its team, journal, clock and IO queue."""
        return cast("HuddleApp", self.app)

    def too_small(self) -> TooSmall:
        """The message CSS shows instead of the screen below the usable size."""
        return TooSmall(MIN_WIDTH, MIN_HEIGHT)
