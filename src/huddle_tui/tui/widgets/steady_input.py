"""A text field whose cursor holds still when the user asked for no motion.

Textual's Input blinks its cursor whatever TEXTUAL_ANIMATIONS says; for
someone who set it to "none" (motion or flicker bothers them, or a braille
display keeps re-reading the line) the cursor is shown steadily instead.
"""

from __future__ import annotations

from textual.widgets import Input


class SteadyInput(Input):
    """Input, with the cursor's blink off when the app's animation level is "none"."""

    def on_mount(self) -> None:
        """Stop the blink before the field is first focused (the cursor stays visible)."""
        if self.app.animation_level == "none":
            self.cursor_blink = False
