"""Fitting people's names into columns without hiding that they were cut."""

from __future__ import annotations

from huddle_tui.text import printable


def fit(name: str, width: int) -> str:
    """A name made printable, then padded or cut to `width` with a visible ellipsis."""
    text = printable(name)
    return text.ljust(width) if len(text) <= width else text[:width - 1] + "…"
