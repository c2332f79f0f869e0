"""The OCR benchmark's scoring: what counts as a name or a time read back from a compressed frame.

The benchmark itself (rendering, JPEG, tesseract) never runs here: it needs
the [ocr] extra and the tesseract program. Its verdict rests on read_back,
so that is tested: spacing between block letters is forgiven, a wrong or
missing letter or digit is not.
"""

from __future__ import annotations

import pytest
from benchmarks import bench_ocr
from benchmarks.bench_ocr import NAMES, frame_read, read_back, words
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(("ocr_text", "wanted"), [
    ("Now speaking Chen · 1 of 5", "Chen"),
    ("CHEN\n0:47", "Chen"),
    ("C HEN", "Chen"),
    ("0 : 47 left", "0:47"),
    ("ZOË", "Zoë"),
    ("ZOE", "Zoë"),
    ("JEAN LUC", "Jean-Luc"),
    ("jean-luc", "Jean-Luc"),
    ("ON TIME · 0:47 left of 1:00", "0:47"),
])
def test_read(ocr_text: str, wanted: str) -> None:
    """Case, accents, hyphens and the gaps OCR puts between block letters do not matter."""
    assert read_back(ocr_text, wanted)


@pytest.mark.parametrize(("ocr_text", "wanted"), [
    ("THRIG", "Tariq"),
    ("Benedict", "Ben"),  # a longer word is not the name
    ("Next: Ben", "Benedict"),
    ("O:47", "0:47"),  # O is not 0
    ("0:4 7", "0:45"),
    ("10:47", "0:47"),
    ("4:47", "0:47"),
    ("C H E X N", "Chen"),
    ("", "Chen"),
    ("anything", ""),
])
def test_not_read(ocr_text: str, wanted: str) -> None:
    """A wrong, missing or extra letter or digit, or a different word, is not read."""
    assert not read_back(ocr_text, wanted)


def test_a_frame_needs_both_the_name_and_the_time() -> None:
    """The name alone or the time alone is not a frame read."""
    assert frame_read("CHEN 0:47", "Chen", "0:47")
    assert not frame_read("CHEN 0:48", "Chen", "0:47")
    assert not frame_read("CHAN 0:47", "Chen", "0:47")


@given(st.sampled_from(NAMES), st.lists(st.integers(min_value=0, max_value=12), max_size=4), st.text(
    alphabet=st.sampled_from(" \n·:|"), max_size=3))
def test_any_spacing_of_a_name_is_read(name: str, cuts: list[int], noise: str) -> None:
    """A name split by spaces anywhere, with punctuation around it, is still read."""
    spaced = name
    for at in sorted(set(cuts), reverse=True):
        spaced = spaced[:at] + " " + spaced[at:]
    assert read_back(f"Pulse round {noise}{spaced}{noise} waiting", name)


@given(st.sampled_from(NAMES), st.data())
def test_any_changed_letter_is_not_read(name: str, data: st.DataObject) -> None:
    """Changing one letter of a name (to a letter not folded to the same one) makes it unread."""
    at = data.draw(st.integers(min_value=0, max_value=len(name) - 1))
    letter = data.draw(st.sampled_from("bkqxz"))
    changed = name[:at] + letter + name[at + 1:]
    if words(changed) == words(name):
        return
    assert not read_back(f"Now speaking {changed} · Next: somebody", name)


def test_the_table_has_a_column_for_each_view_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both views side by side, or the stage view alone (a stage-only run printed no table before)."""
    table = {"80x24": {"normal": [54, 100], "stage": [97, 100]}}
    assert bench_ocr.markdown(table).splitlines() == [
        "| terminal | normal view | stage view |", "|---|---|---|",
        "| 80×24 | 54.0 % (54/100) | 97.0 % (97/100) |"]
    monkeypatch.setattr(bench_ocr, "VIEWS", ("stage",))
    assert bench_ocr.markdown(table).splitlines() == [
        "| terminal | stage view |", "|---|---|", "| 80×24 | 97.0 % (97/100) |"]
