"""The message shown instead of a screen when the terminal is too small to use."""

from __future__ import annotations

from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 64, 20


class TooSmall(Static):
    """Asks for a larger terminal; CSS shows it only below the usable size."""

    def __init__(self, width: int, height: int) -> None:
        """Name the smallest size that works, so the fix is obvious."""
        super().__init__(f"Make the terminal larger: the huddle needs at least "
                         f"{width} columns × {height} rows.", markup=False)
