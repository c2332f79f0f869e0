"""Steps the app tests share: waiting for workers and reading the screen as text."""

from __future__ import annotations

from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot

from huddle_tui.tui.app import HuddleApp
from huddle_tui.tui.screens.lobby import LobbyScreen
from huddle_tui.tui.screens.round import RoundScreen


def record_notices(app: HuddleApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every notification from now on, through the public App.notify (still shown)."""
    notes: list[str] = []
    notify = app.notify

    def recording(message: str, **options: Any) -> None:
        """Note the text, then notify as the app would have."""
        notes.append(message)
        notify(message, **options)

    monkeypatch.setattr(app, "notify", recording)
    return notes


async def settle(pilot: Pilot[int]) -> None:
    """Let every worker finish and its messages be handled, then let the screen repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: HuddleApp) -> str:
    """What is on screen now, as the SVG screenshot holds it (spaces made plain)."""
    return app.export_screenshot().replace("&#160;", " ")


def distinct(messages: list[Message]) -> list[Message]:
    """Each message once: the hook sees a message every time a node handles it."""
    seen: set[int] = set()
    return [m for m in messages if not (id(m) in seen or seen.add(id(m)))]  # type: ignore[func-returns-value]


async def open_lobby(pilot: Pilot[int]) -> LobbyScreen:
    """From a fresh app: wait until the lobby shows today's plan, and return it."""
    await settle(pilot)
    lobby = pilot.app.screen
    assert isinstance(lobby, LobbyScreen) and lobby.plan is not None
    return lobby


async def open_round(pilot: Pilot[int]) -> RoundScreen:
    """From a fresh app: wait for today's plan in the lobby, start the round, return its screen."""
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RoundScreen)
    return screen
