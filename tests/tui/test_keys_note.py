"""The lobby says once, calmly, when a teammate's new key waits to be confirmed on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.config.user import UserConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.tui.app import HuddleApp
from tests.tui.conftest import DAY, MADE
from tests.tui.helpers import open_lobby, settle


async def test_a_waiting_key_is_noted_once_and_its_check_in_is_not_counted(
        make_app: MADE, team: TeamConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ana's key is pinned here; a second machine's key for Ana waits: one notice, no ✓ from it."""
    Journal(team, me="Ben").save_checkin(CheckIn(DAY.isoformat(), 3, "Ben", "here"))  # this machine
    Journal(team, me="Ana", data_dir=tmp_path / "ana", private_root=tmp_path / "ana" / "p").signing_key()
    Journal(team, me="Ben").authorship()  # Ana's first key, pinned on sight
    laptop = Journal(team, me="Ana", data_dir=tmp_path / "laptop", private_root=tmp_path / "laptop" / "p",
                     index=False)
    laptop.save_checkin(CheckIn(DAY.isoformat(), 2, "Ana", "from the laptop"))
    said: list[str] = []
    notify = HuddleApp.notify

    def noting(app: HuddleApp, message: str, **options: Any) -> None:
        """Note what the app says, then say it."""
        said.append(message)
        notify(app, message, **options)

    monkeypatch.setattr(HuddleApp, "notify", noting)
    app = make_app(user=UserConfig(me="Ben"))
    async with app.run_test(size=(80, 24)) as pilot:
        lobby = await open_lobby(pilot)
        await settle(pilot)
        assert [m for m in said if "waits to be confirmed" in m] == [
            "A key for Ana waits to be confirmed: their records are not shown until you compare "
            "fingerprints (`huddle keys`)."]
        assert "ana" not in lobby.checked_in and "ben" in lobby.checked_in
        lobby._load_plan()  # the lobby's next re-read says nothing again
        await settle(pilot)
        assert sum("waits to be confirmed" in m for m in said) == 1
