"""Make src/huddle_tui/tui/widgets/stage_glyphs.py: capitals of a real typeface as 12-row cell bitmaps.

The stage view's 5×7 letters are too coarse for a name seen through a video
call once the terminal is large (OCR read NADIA as HADIA and TARIQ as
THRIG: benchmarks/bench_ocr.py); capitals rasterised from DejaVu Sans
Condensed Bold at a cap height of 12 pixels keep their typeface's shapes.
The condensed cut, not the regular one: OCR read the regular one's 0 as O
and 1 as l in times (0:22 as o:22), the condensed one's digits it reads,
and its narrower letters fit longer names at a larger size. Each glyph is
cropped to its ink plus one blank column, on rows for accents above and
marks below the capital (the stage view drops the rows a name leaves blank).

    pip install -e '.[ocr]' && python benchmarks/make_stage_glyphs.py

Needs Pillow and the DejaVu fonts (fonts-dejavu-core); the app only reads the
module this writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "huddle_tui" / "tui" / "widgets" / "stage_glyphs.py"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf")
CAP = 12  # rows of a capital
ABOVE, BELOW = 4, 3  # rows for accents over a capital, for cedillas, ogoneks and Q's tail under it
INK = 110  # of 255: a pixel at least this bright is a cell
CHARS = ("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:+-.'!?/()"
         "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞŸĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ")
SPACE = 4  # columns of a space


def glyph(ch: str, font: FreeTypeFont) -> tuple[str, ...]:
    """One character's rows ('#' ink, ' ' blank), cropped to its ink plus one blank column."""
    from PIL import Image, ImageDraw

    rows = ABOVE + CAP + BELOW
    canvas = Image.new("L", (4 * CAP, rows))
    ImageDraw.Draw(canvas).text((CAP, ABOVE + CAP), ch, font=font, fill=255, anchor="ls")
    data = canvas.tobytes()  # one byte a pixel, row after row
    ink = [[data[y * canvas.width + x] >= INK for x in range(canvas.width)] for y in range(rows)]
    used = [x for x in range(canvas.width) if any(row[x] for row in ink)]
    return tuple("".join("#" if row[x] else " " for x in range(used[0], used[-1] + 1)) + " " for row in ink)


def main(argv: list[str] | None = None) -> int:
    """Rasterise every character and write the module (or check it is up to date)."""
    from PIL import ImageFont

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the module differs from a fresh one")
    args = parser.parse_args(argv)
    size = next(s for s in range(6, 60)
                if (box := ImageFont.truetype(str(FONT), s).getbbox("H", anchor="ls"))[3] - box[1] >= CAP)
    font = ImageFont.truetype(str(FONT), size)
    lines = [
        '"""Capitals of DejaVu Sans Condensed Bold as cell bitmaps for the stage view (stage_font.py).',
        "",
        f"Made by benchmarks/make_stage_glyphs.py ({size} px type, a cap height of {CAP} rows, {ABOVE}",
        f"rows above for accents and {BELOW} below); do not edit by hand. DejaVu fonts are free under",
        "the Bitstream Vera licence and its public-domain changes.",
        '"""',
        "",
        f"ROWS = {ABOVE + CAP + BELOW}",
        f"CAP_TOP = {ABOVE}",
        "",
        "GLYPHS: dict[str, tuple[str, ...]] = {",
    ]
    for ch in [*CHARS, " "]:
        rows = glyph(ch, font) if ch != " " else (" " * SPACE,) * (ABOVE + CAP + BELOW)
        lines.append(f"    {ch!r}: (")
        lines += [f"        {row!r}," for row in rows]
        lines.append("    ),")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    if args.check:
        return 0 if OUT.read_text(encoding="utf-8") == text else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(CHARS) + 1} glyphs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
