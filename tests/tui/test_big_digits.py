"""Block digits grow with the terminal and never overflow the width they are given."""

from __future__ import annotations

import pytest

from huddle_tui.tui.widgets.big_digits import FONT, ROWS, draw, scale_for, text_width


@pytest.mark.parametrize(("rows", "k"), [(40, 2), (48, 3), (60, 4)])
def test_scale_follows_the_screen_height(rows: int, k: int) -> None:
    """Taller screens get bigger digits (k rows a pixel)."""
    assert scale_for("4:59", rows, 500) == k
    assert len(draw("4:59", k)) == ROWS * k


def test_scale_shrinks_to_fit_the_width() -> None:
    """An overrun's '+12:34' at 120 columns steps down rather than being cut off."""
    k = scale_for("+12:34", 60, 70)
    assert text_width("+12:34", k) <= 70 and k < 4
    assert all(len(line) == text_width("+12:34", k) for line in draw("+12:34", k))


def test_every_glyph_is_five_rows_of_one_width() -> None:
    """The font is well formed, so lines line up."""
    for glyph in FONT.values():
        assert len(glyph) == ROWS and len({len(row) for row in glyph}) == 1
