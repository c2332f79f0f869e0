"""The stage view's letters: a real typeface at several sizes, and 5×7 and 3×5 block fonts, for a video call.

Where a box is large enough, the name and the time are drawn in the capitals
of DejaVu Sans Condensed Bold (stage_glyphs.py, made by
benchmarks/make_stage_glyphs.py), at the largest of its sizes that fits, so
the letters grow with the terminal: through a call's 640×360 frame they
are as many pixels tall on a 200×60 terminal as on a 120×36 one.

Where the typeface does not fit, a 5×7 block font: the 3×5 font of
block_font.py is enough for digits but not for names (OCR on 640×360 JPEG
frames read TARIQ as THRIG and YUSUF as TU:UF; benchmarks/bench_ocr.py).
An accented letter is its base letter with the accent drawn as a row of
pixels above it (two more rows for the whole line, only when the name has
one), so Zoë reads ZOË, not ZO and a small ë. Where even the 5×7 letters do
not fit, the 3×5 ones are used, and where those do not, the caller shows
plain text.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import NamedTuple

from huddle_tui.tui.widgets import block_font

Font = dict[str, tuple[str, ...]]


def _glyphs(table: str) -> Font:
    """Glyphs from a table of lines: a character, then its seven rows ('.' blank, '#' set)."""
    font: Font = {}
    lines = [line.strip() for line in table.strip().splitlines() if line.strip()]
    for at in range(0, len(lines), 8):
        font[lines[at]] = tuple(row.replace(".", " ") for row in lines[at + 1:at + 8])
    return font


LARGE: Font = _glyphs("""
A
.###.
#...#
#...#
#####
#...#
#...#
#...#
B
####.
#...#
#...#
####.
#...#
#...#
####.
C
.###.
#...#
#....
#....
#....
#...#
.###.
D
####.
#...#
#...#
#...#
#...#
#...#
####.
E
#####
#....
#....
####.
#....
#....
#####
F
#####
#....
#....
####.
#....
#....
#....
G
.###.
#...#
#....
#.###
#...#
#...#
.####
H
#...#
#...#
#...#
#####
#...#
#...#
#...#
I
###
.#.
.#.
.#.
.#.
.#.
###
J
..###
...#.
...#.
...#.
...#.
#..#.
.##..
K
#...#
#..#.
#.#..
##...
#.#..
#..#.
#...#
L
#....
#....
#....
#....
#....
#....
#####
M
#...#
##.##
#.#.#
#.#.#
#...#
#...#
#...#
N
#...#
#...#
##..#
#.#.#
#..##
#...#
#...#
O
.###.
#...#
#...#
#...#
#...#
#...#
.###.
P
####.
#...#
#...#
####.
#....
#....
#....
Q
.###.
#...#
#...#
#...#
#.#.#
#..#.
.##.#
R
####.
#...#
#...#
####.
#.#..
#..#.
#...#
S
.####
#....
#....
.###.
....#
....#
####.
T
#####
..#..
..#..
..#..
..#..
..#..
..#..
U
#...#
#...#
#...#
#...#
#...#
#...#
.###.
V
#...#
#...#
#...#
#...#
#...#
.#.#.
..#..
W
#...#
#...#
#...#
#.#.#
#.#.#
#.#.#
.#.#.
X
#...#
#...#
.#.#.
..#..
.#.#.
#...#
#...#
Y
#...#
#...#
.#.#.
..#..
..#..
..#..
..#..
Z
#####
....#
...#.
..#..
.#...
#....
#####
0
.###.
#...#
#...#
#...#
#...#
#...#
.###.
1
..#..
.##..
..#..
..#..
..#..
..#..
.###.
2
.###.
#...#
....#
...#.
..#..
.#...
#####
3
#####
...#.
..#..
...#.
....#
#...#
.###.
4
...#.
..##.
.#.#.
#..#.
#####
...#.
...#.
5
#####
#....
####.
....#
....#
#...#
.###.
6
..##.
.#...
#....
####.
#...#
#...#
.###.
7
#####
....#
...#.
..#..
.#...
.#...
.#...
8
.###.
#...#
#...#
.###.
#...#
#...#
.###.
9
.###.
#...#
#...#
.####
....#
...#.
.##..
:
.
.
#
.
.
#
.
+
.....
..#..
..#..
#####
..#..
..#..
.....
-
.....
.....
.....
#####
.....
.....
.....
.
.
.
.
.
.
.
#
'
#
#
.
.
.
.
.
!
#
#
#
#
#
.
#
?
.###.
#...#
....#
...#.
..#..
.....
..#..
/
....#
....#
...#.
..#..
.#...
#....
#....
(
..#
.#.
#..
#..
#..
.#.
..#
)
#..
.#.
..#
..#
..#
.#.
#..
""") | {" ": ("   ",) * 7}

# Accents drawn as a row of pixels over a five-pixel-wide letter (over a narrower one, its middle).
MARKS = {
    "\u0301": "..##.",  # acute
    "\u0300": ".##..",  # grave
    "\u0308": ".#.#.",  # diaeresis
    "\u0302": ".###.",  # circumflex
    "\u030c": ".###.",  # caron
    "\u0303": ".####",  # tilde
    "\u030a": "..#..",  # ring
    "\u0304": "#####",  # macron
}


def marked(ch: str) -> tuple[str, str] | None:
    """(base letter, its accent's pixel row) for a letter made of one drawn letter and one known accent."""
    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) != 2 or decomposed[1] not in MARKS or block_font.glyph(decomposed[0], LARGE) is None:
        return None
    return decomposed[0], MARKS[decomposed[1]]


def font_for(text: str) -> Font:
    """The large glyphs `text` needs, two rows taller (accent, gap) when any of its letters has an accent."""
    accents = {ch: found for ch in set(text) if (found := marked(ch)) is not None}
    if not accents:
        return LARGE
    font = {ch: (" " * len(shape[0]), " " * len(shape[0]), *shape) for ch, shape in LARGE.items()}
    for ch, (base, mark) in accents.items():
        shape = block_font.glyph(base, LARGE)
        assert shape is not None  # marked() found it
        width = len(shape[0])
        over = mark[(5 - width) // 2:][:width] if width < 5 else mark
        font[ch] = (over.replace(".", " "), " " * width, *shape)
    return font


BLANK = 5  # rows of a box the typeface leaves blank, about two above and two below its letters


class Scale(NamedTuple):
    """How a line is drawn: its font, each pixel `k` rows high and `wide` cells wide, `gap` cells between."""

    font: Font
    k: int
    wide: int
    gap: int


def width_of(text: str, scale: Scale) -> int:
    """Columns `text` takes drawn at `scale` (a character without a glyph takes its normal width)."""
    inked = 0
    for ch in text:
        shape = block_font.glyph(ch, scale.font)
        inked += len(shape[0]) * scale.wide if shape else block_font.cells(ch)
    return inked + scale.gap * max(0, len(text) - 1)


def draw(text: str, scale: Scale) -> list[str]:
    """`text` in block letters ('█' a pixel); a character without a glyph stays itself on the middle row."""
    rows = block_font.rows_of(scale.font) * scale.k
    lines = []
    for row in range(rows):
        parts = []
        for i, ch in enumerate(text):
            if i:
                parts.append(" " * scale.gap)
            shape = block_font.glyph(ch, scale.font)
            if shape is None:
                parts.append(ch if row == rows // 2 else " " * block_font.cells(ch))
            else:
                parts.append("".join(("█" if p == "#" else " ") * scale.wide for p in shape[row // scale.k]))
        lines.append("".join(parts))
    return lines


@functools.cache
def typeface(cap: int) -> Font:
    """The typeface's glyphs at one cap height (stage_glyphs.py, loaded when the stage view first draws).

    Loaded lazily: the module holds every size and takes a tenth of a
    second to import, which the app's start need not pay.
    """
    from huddle_tui.tui.widgets import stage_glyphs

    return stage_glyphs.GLYPHS[cap]


def caps() -> tuple[int, ...]:
    """The typeface's cap heights, in rows, smallest first."""
    from huddle_tui.tui.widgets import stage_glyphs

    return stage_glyphs.CAPS


def typeface_for(text: str, cap: int) -> Font:
    """The typeface's glyphs at `cap`, on the rows `text`'s characters use (the capitals' always)."""
    from huddle_tui.tui.widgets import stage_glyphs

    glyphs = typeface(cap)
    above, _ = stage_glyphs.EXTENT[cap]
    shapes = [shape for ch in set(text) if (shape := block_font.glyph(ch, glyphs)) is not None]
    inked = [y for shape in shapes for y, row in enumerate(shape) if row.strip()]
    top = min([above, *inked])
    bottom = max([above + cap - 1, *inked]) + 1
    return {ch: shape[top:bottom] for ch, shape in glyphs.items()}


def fit(text: str, width: int, height: int) -> Scale | None:
    """How to draw `text` largest inside width × height; None when nothing fits.

    The typeface at the largest cap height whose line leaves BLANK of the
    box's rows blank, a pixel a cell, no gap but the typeface's own spacing;
    where even its smallest does not, the 5×7 letters (doubled only within
    the same room, else at their own size with a row to spare), then the
    3×5 ones, a pixel of those two cells wide and one pixel between letters.
    The blank rows keep the name, the time and the words beneath apart: OCR
    of a compressed call (benchmarks/bench_ocr.py, the first 30 frames)
    reads lines of letters that nearly touch as one and drops their end
    letters. Leaving one row, a quarter and a third of the rows blank read
    23, 26 and 28 frames at 120×36 (15-row boxes), 29, 29 and 26 at 200×60
    (27-row boxes): five rows is a third of the one and a fifth of the other.
    """
    room = height - BLANK
    for cap in reversed(caps()):
        if cap > room:
            continue
        scale = Scale(typeface_for(text, cap), 1, 1, 0)
        if block_font.rows_of(scale.font) <= room and width_of(text, scale) <= width:
            return scale
    large = font_for(text)
    found = block_font.fit(text, width, room, font=large) or block_font.fit(text, width, height - 1, 1, large)
    if found is not None:
        return Scale(large, found[0], found[1], found[1])
    found = block_font.fit(text, width, height)
    return None if found is None else Scale(block_font.GLYPHS, found[0], found[1], found[1])
