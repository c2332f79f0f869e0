"""A countdown drawn in block digits that grow with the terminal, for a small video tile.

Textual's Digits are always three rows high; on a 200×60 terminal shared on a
call that is a sliver. These are the 3×5 block font of block_font.py, each pixel drawn 2k cells
wide and k rows high (terminal cells are about twice as tall as wide), with k
chosen from the screen's height and capped so the text fits the width.
"""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from huddle_tui.tui.widgets import block_font

FONT: dict[str, tuple[str, ...]] = {ch: block_font.GLYPHS[ch] for ch in "0123456789:+"}
ROWS = block_font.ROWS


def scale_for(text: str, rows: int, width: int) -> int:
    """The largest scale that suits a screen this tall and still fits `width` columns."""
    k = 4 if rows >= 60 else 3 if rows >= 48 else 2
    while k > 1 and text_width(text, k) > width:
        k -= 1
    return k


def text_width(text: str, k: int) -> int:
    """Columns `text` takes at scale k (one pixel of space between glyphs)."""
    return block_font.text_width(text, k)


def draw(text: str, k: int) -> list[str]:
    """The lines of `text` in block digits at scale k."""
    return block_font.draw(text, k)


class BigDigits(Widget):
    """The time left in block digits, scaled to the screen; colour comes from CSS."""

    DEFAULT_CSS = """
    BigDigits {
        width: 1fr;
        height: auto;
        text-align: center;
    }
    """

    text: reactive[str] = reactive("0:00", layout=True)

    def update(self, text: str) -> None:
        """Show new text (Digits' own method name, so both can be updated alike)."""
        self.text = text

    def render(self) -> Content:
        """The digits at the scale this screen allows."""
        width = self.size.width or self.screen.size.width
        return Content("\n".join(draw(self.text, scale_for(self.text, self.screen.size.height, width))))
