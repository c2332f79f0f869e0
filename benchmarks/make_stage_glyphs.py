"""Make src/huddle_tui/tui/widgets/stage_glyphs.py: a real typeface's capitals as cell bitmaps, several sizes.

The stage view draws the speaker's name and the time left with the
terminal's own cells. Its first typeface table was DejaVu Sans Condensed
Bold rasterised by the font's hinter at a cap height of 12 rows, each pixel
two cells wide, at that one size: through a video call
(benchmarks/bench_ocr.py) OCR read its 0 as O (hinting left the 0's counter
a cross), and on a 200×60 terminal only 57 % of frames were read. This
module holds the same typeface:

- at several cap heights (CAPS), so the view draws the largest that fits;
- rendered 8× larger and averaged down to the cell grid, a cell a pixel (a
  cell being twice as tall as wide, twice the old columns), a cell inked
  when the letter covers about two thirds of it (INK): the outline's own
  shapes, symmetrical, without the hinter's steps, strokes a little thin;
- each glyph as wide as the typeface's advance, not cropped to its ink, so
  letters keep the typeface's spacing.

Tried, each on 30 frames at 200×60: inking a cell at half coverage read 26
(the stroke weight matters: at 35 % coverage 12, at 65 % 29, at 78 % 28);
the coverage kept as shades (anti-aliasing, blended from the background to
the ink) 18, worse than on/off cells; cap heights up to 24 rows 22, worse
than up to 20 (26).

Rows above the capitals hold accents, rows below Q's tail, J's descender
and cedillas; the view drops the rows a line leaves blank.

    pip install -e '.[ocr]' && python benchmarks/make_stage_glyphs.py
    python benchmarks/make_stage_glyphs.py --check   # exit 1 when the module is stale

Needs Pillow and the DejaVu fonts (fonts-dejavu-core); the app only reads the
module this writes.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "huddle_tui" / "tui" / "widgets" / "stage_glyphs.py"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf")
CAPS = (10, 12, 14, 16, 18, 20)  # cap heights in rows, one glyph table each
SUPER = 8  # rendered this many times larger, then averaged down
INK = 165  # of 255: a cell the letter covers this much of is ink
ASPECT = 2  # a terminal cell is this many times as tall as wide
CHARS = ("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:+-.'!?/()"
         "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞŸĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ")


def font_for(cap: int) -> FreeTypeFont:
    """The typeface at the size whose H is `cap` rows tall, SUPER times over."""
    from PIL import ImageFont

    def cap_of(size: int) -> float:
        """How tall an H is at this size, in big pixels."""
        box = ImageFont.truetype(str(FONT), size).getbbox("H", anchor="ls")
        return float(box[3] - box[1])  # float(): without the [ocr] extra, mypy sees PIL as Any

    size = next(s for s in range(8, 4000) if cap_of(s) >= cap * SUPER)
    return ImageFont.truetype(str(FONT), size)


def extent(font: FreeTypeFont, cap: int) -> tuple[int, int]:
    """(rows above the capitals, rows below the baseline) that every character's ink fits in."""
    tops = [font.getbbox(ch, anchor="ls")[1] for ch in CHARS]
    bottoms = [font.getbbox(ch, anchor="ls")[3] for ch in CHARS]
    above = max(0, math.ceil((-min(tops) - cap * SUPER) / SUPER))
    below = max(0, math.ceil(max(bottoms) / SUPER))
    return above, below


def glyph(ch: str, font: FreeTypeFont, cap: int, above: int, below: int) -> tuple[str, ...]:
    """One character's rows ('#' ink, ' ' blank), as wide as its advance (in cells, at least one)."""
    from PIL import Image, ImageDraw

    rows = above + cap + below
    step = SUPER / ASPECT  # big pixels a cell column
    columns = max(1, round(font.getlength(ch) / step))
    big = Image.new("L", (round(columns * step), rows * SUPER))
    ImageDraw.Draw(big).text((0, (above + cap) * SUPER), ch, font=font, fill=255, anchor="ls")
    small = big.resize((columns, rows), Image.Resampling.BOX)
    data = small.tobytes()
    return tuple("".join("#" if data[y * columns + x] >= INK else " " for x in range(columns))
                 for y in range(rows))


def module() -> str:
    """The module's text: for each cap height, its rows above and below and every glyph."""
    lines = [
        '"""Capitals of DejaVu Sans Condensed Bold, cell bitmaps at several sizes (stage_font.py).',
        "",
        "Made by benchmarks/make_stage_glyphs.py; do not edit by hand. Each glyph is rows of cells, '#'",
        "a cell the letter covers at least half of; a pixel is a cell, a glyph as wide as its advance.",
        "DejaVu fonts are free under the Bitstream Vera licence and its public-domain changes.",
        '"""',
        "",
        f"CAPS = {CAPS!r}",
        "",
        "# cap height: (rows above the capitals, rows below the baseline)",
        "EXTENT: dict[int, tuple[int, int]] = {",
    ]
    tables = []
    for cap in CAPS:
        font = font_for(cap)
        above, below = extent(font, cap)
        lines.append(f"    {cap}: ({above}, {below}),")
        table = [f"    {cap}: {{"]
        for ch in CHARS:
            table.append(f"        {ch!r}: {glyph(ch, font, cap, above, below)!r},")
        space = max(1, round(font.getlength(" ") / (SUPER / ASPECT)))
        table.append(f"        ' ': {(' ' * space,) * (above + cap + below)!r},")
        table.append("    },")
        tables += table
    lines += ["}", "", "GLYPHS: dict[int, dict[str, tuple[str, ...]]] = {", *tables, "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rasterise every character at every size and write the module (or check it is up to date)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the module differs from a fresh one")
    args = parser.parse_args(argv)
    text = module()
    if args.check:
        return 0 if OUT.read_text(encoding="utf-8") == text else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(CHARS) + 1} glyphs at {len(CAPS)} sizes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
