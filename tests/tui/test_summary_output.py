"""The summary's Markdown is copied with OSC 52 and saved to a file, exactly as shown for the team."""

from __future__ import annotations

from pathlib import Path

import pytest

from huddle_tui.paths import summaries_dir
from huddle_tui.tui.screens.summary import SummaryScreen
from tests.fakeclock import FakeClock
from tests.tui.conftest import MADE
from tests.tui.helpers import open_round, settle


async def test_copy_and_save_the_markdown(make_app: MADE, clock: FakeClock, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """c puts the Markdown on the clipboard; s writes the same text where asked, never the working folder."""
    monkeypatch.chdir(tmp_path)
    app = make_app()
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_round(pilot)
        for mood in "4352":
            clock.step(10.0)
            await pilot.press(mood, "space")
        await settle(pilot)
        while not isinstance(app.screen, SummaryScreen):
            await pilot.press("space")
            await settle(pilot)
        summary = app.screen
        await settle(pilot)
        assert summary.markdown.startswith("## ")
        await pilot.press("c")
        assert copied == [summary.markdown]
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *"h.md", "enter")
        await settle(pilot)
    assert not (tmp_path / "h.md").exists()
    assert (summaries_dir() / "h.md").read_text(encoding="utf-8") == copied[0]
    assert "Moods given by name: " in copied[0] and "## Airtime" in copied[0]
