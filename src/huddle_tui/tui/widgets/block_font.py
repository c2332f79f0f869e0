"""A block font, five pixels high, for text that must survive a video call's compression.

Each pixel is drawn `wide` cells wide and `k` rows high from full blocks, so
the letters are made of the terminal's own cells (no thin lines, no font
support needed). A–Z, 0–9 and a little punctuation have glyphs; lower case is
drawn as upper case; any other character (an accented letter, a CJK name) is
kept at normal size on the middle row rather than dropped.
"""

from __future__ import annotations

import unicodedata

ROWS = 5

GLYPHS: dict[str, tuple[str, ...]] = {
    "0": ("###", "# #", "# #", "# #", "###"),
    "1": (" # ", "## ", " # ", " # ", "###"),
    "2": ("###", "  #", "###", "#  ", "###"),
    "3": ("###", "  #", "###", "  #", "###"),
    "4": ("# #", "# #", "###", "  #", "  #"),
    "5": ("###", "#  ", "###", "  #", "###"),
    "6": ("###", "#  ", "###", "# #", "###"),
    "7": ("###", "  #", "  #", "  #", "  #"),
    "8": ("###", "# #", "###", "# #", "###"),
    "9": ("###", "# #", "###", "  #", "###"),
    "A": ("###", "# #", "###", "# #", "# #"),
    "B": ("## ", "# #", "## ", "# #", "## "),
    "C": ("###", "#  ", "#  ", "#  ", "###"),
    "D": ("## ", "# #", "# #", "# #", "## "),
    "E": ("###", "#  ", "## ", "#  ", "###"),
    "F": ("###", "#  ", "## ", "#  ", "#  "),
    "G": ("###", "#  ", "# #", "# #", "###"),
    "H": ("# #", "# #", "###", "# #", "# #"),
    "I": ("###", " # ", " # ", " # ", "###"),
    "J": ("  #", "  #", "  #", "# #", "###"),
    "K": ("# #", "# #", "## ", "# #", "# #"),
    "L": ("#  ", "#  ", "#  ", "#  ", "###"),
    "M": ("#   #", "## ##", "# # #", "#   #", "#   #"),
    "N": ("#  #", "## #", "# ##", "#  #", "#  #"),
    "O": ("###", "# #", "# #", "# #", "###"),
    "P": ("###", "# #", "###", "#  ", "#  "),
    "Q": ("###", "# #", "# #", "## ", "  #"),
    "R": ("###", "# #", "## ", "# #", "# #"),
    "S": (" ##", "#  ", " # ", "  #", "## "),
    "T": ("###", " # ", " # ", " # ", " # "),
    "U": ("# #", "# #", "# #", "# #", "###"),
    "V": ("# #", "# #", "# #", "# #", " # "),
    "W": ("#   #", "#   #", "# # #", "## ##", "#   #"),
    "X": ("# #", "# #", " # ", "# #", "# #"),
    "Y": ("# #", "# #", " # ", " # ", " # "),
    "Z": ("###", "  #", " # ", "#  ", "###"),
    ":": (" ", "#", " ", "#", " "),
    "+": ("   ", " # ", "###", " # ", "   "),
    "-": ("   ", "   ", "###", "   ", "   "),
    ".": (" ", " ", " ", " ", "#"),
    "'": ("#", "#", " ", " ", " "),
    "!": ("#", "#", "#", " ", "#"),
    "?": ("###", "  #", " ##", "   ", " # "),
    "/": ("  #", "  #", " # ", "#  ", "#  "),
    "(": (" #", "# ", "# ", "# ", " #"),
    ")": ("# ", " #", " #", " #", "# "),
    " ": ("  ", "  ", "  ", "  ", "  "),
}


def rows_of(font: dict[str, tuple[str, ...]]) -> int:
    """Rows of pixels in a font's glyphs (all of a font's glyphs are as high)."""
    return len(font[" "])


def glyph(ch: str, font: dict[str, tuple[str, ...]] = GLYPHS) -> tuple[str, ...] | None:
    """The glyph for a character (lower case drawn as upper case), or None when it has none."""
    found = font.get(ch)
    if found is None and len(ch.upper()) == 1:
        found = font.get(ch.upper())
    return found


def cells(ch: str) -> int:
    """Columns a character takes at normal size (two for wide East Asian characters)."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str, k: int, wide: int | None = None, font: dict[str, tuple[str, ...]] = GLYPHS) -> int:
    """Columns `text` takes with pixels `wide` cells wide (2k by default), one pixel between glyphs."""
    wide = 2 * k if wide is None else wide
    columns = 0
    for i, ch in enumerate(text):
        shape = glyph(ch, font)
        columns += len(shape[0]) * wide if shape else cells(ch)
        if i:
            columns += wide
    return columns


def draw(text: str, k: int, wide: int | None = None, font: dict[str, tuple[str, ...]] = GLYPHS) -> list[str]:
    """The lines of `text` in block letters, `k` rows a pixel; characters without a glyph at normal size."""
    wide = 2 * k if wide is None else wide
    rows = rows_of(font)
    middle = rows * k // 2
    lines = []
    for row in range(rows * k):
        parts = []
        for i, ch in enumerate(text):
            if i:
                parts.append(" " * wide)
            shape = glyph(ch, font)
            if shape is None:
                parts.append(ch if row == middle else " " * cells(ch))
            else:
                parts.append("".join(("█" if p == "#" else " ") * wide for p in shape[row // k]))
        lines.append("".join(parts))
    return lines


def fit(text: str, width: int, height: int, most: int = 8,
        font: dict[str, tuple[str, ...]] = GLYPHS) -> tuple[int, int] | None:
    """The largest (k, wide) that draws `text` inside width × height, or None when even the smallest does not.

    Pixels are twice as wide as high (a terminal cell is about twice as tall
    as wide); as a last step they are one cell wide, squarer letters being
    better than none.
    """
    rows = rows_of(font)
    for k in range(most, 0, -1):
        if rows * k <= height and text_width(text, k, font=font) <= width:
            return k, 2 * k
    if height >= rows and text_width(text, 1, 1, font) <= width:
        return 1, 1
    return None
