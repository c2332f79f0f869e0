"""The stage view's letters: a 5×7 block font, with accents, for a name read through a video call.

The 3×5 font of block_font.py is enough for digits but not for names: at
that size M, N, W, Q and S lose their shapes once a call shrinks and blurs
the screen (OCR on 640×360 JPEG frames read TARIQ as THRIG and YUSUF as
TU:UF; benchmarks/bench_ocr.py). Seven rows give every capital its usual
shape. An accented letter is its base letter with the accent drawn as a
row of pixels above it (two more rows for the whole line, only when the
name has one), so Zoë reads ZOË, not ZO and a small ë. Where even the 5×7
letters do not fit, the 3×5 ones are used, and where those do not, the
caller shows plain text.
"""

from __future__ import annotations

import unicodedata

from huddle_tui.tui.widgets import block_font, stage_glyphs

CAP_ROWS = 12  # a capital's rows in stage_glyphs

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


def typeface_for(text: str) -> Font:
    """The typeface's glyphs `text` needs, on the rows its characters use (the capitals' always)."""
    shapes = [shape for ch in set(text) if (shape := block_font.glyph(ch, stage_glyphs.GLYPHS)) is not None]
    inked = [y for shape in shapes for y, row in enumerate(shape) if "#" in row]
    top = min([stage_glyphs.CAP_TOP, *inked])
    bottom = max([stage_glyphs.CAP_TOP + CAP_ROWS - 1, *inked]) + 1
    return {ch: shape[top:bottom] for ch, shape in stage_glyphs.GLYPHS.items()}


def fit(text: str, width: int, height: int) -> tuple[Font, int, int] | None:
    """The font and (k, wide) that draw `text` largest inside width × height; None when none fits.

    The typeface's capitals where they fit (at their own size: OCR of a
    compressed frame read its digits doubled far less often), then the 5×7
    letters, then the 3×5 ones. The larger two are used only with a row to
    spare, so the name and the time never touch: two lines of letters run
    together read as one.
    """
    scale = block_font.fit(text, width, height - 1, most=1, font=(typeface := typeface_for(text)))
    if scale is not None:
        return typeface, *scale
    scale = block_font.fit(text, width, height - 1, font=(large := font_for(text)))
    if scale is not None:
        return large, *scale
    small = block_font.fit(text, width, height)
    return None if small is None else (block_font.GLYPHS, *small)
