"""What every full screen of the app shares: the typed app and the too-small message."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.binding import Binding
from textual.screen import Screen

from huddle_tui.tui.widgets.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmall

if TYPE_CHECKING:
    from huddle_tui.tui.app import HuddleApp

# The keys every full screen has, listed last in each screen's BINDINGS (so last in its footer).
KEYS_KEY = Binding("question_mark", "toggle_keys", "keys", key_display="?", tooltip="Show or hide every key")
HIDE_KEYS = Binding("escape", "hide_keys", "hide keys", show=False, tooltip="Hide the key panel")
QUIT_KEY = Binding("q", "quit_app", "quit", tooltip="Quit the app")
COMMON_KEYS = [KEYS_KEY, HIDE_KEYS, QUIT_KEY]


class HuddleScreen(Screen[None]):
    """A screen of the huddle app (lobby, round, summary)."""

    @property
    def huddle(self) -> HuddleApp:
        """The app, typed, for its team, journal, clock and IO queue."""
        return cast("HuddleApp", self.app)

    def action_followup_done(self) -> None:
        """`f` on a screen with the follow-ups panel (lobby, summary): pick one to mark done."""
        from huddle_tui.tui.screens.choose import Choose
        from huddle_tui.tui.widgets.followups import FollowupsPanel

        panels = self.query(FollowupsPanel)
        if not panels or not panels.first().rows:
            self.notify("No open follow-ups.")
            return
        panel = panels.first()
        self.app.push_screen(Choose("Which follow-up is done?", panel.choices()), panel.close_chosen)

    def action_toggle_keys(self) -> None:
        """Show every key of this screen over its right side, or hide it again."""
        if self.query("HelpPanel"):
            self.app.action_hide_help_panel()
        else:
            self.app.action_show_help_panel()

    def action_hide_keys(self) -> None:
        """Hide the key panel."""
        self.app.action_hide_help_panel()

    async def action_quit_app(self) -> None:
        """Quit (the app asks first when saves are not done yet)."""
        await self.app.run_action("app.quit")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape is the panel's only while the panel is shown; otherwise it passes on."""
        if action == "hide_keys":
            return bool(self.query("HelpPanel"))
        return True

    def too_small(self) -> TooSmall:
        """The message CSS shows instead of the screen below the usable size."""
        return TooSmall(MIN_WIDTH, MIN_HEIGHT)
