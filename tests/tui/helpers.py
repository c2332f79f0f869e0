"""Steps the app tests share: waiting for workers and reading the screen as text."""

from __future__ import annotations

import asyncio
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
    """Let the IO worker run dry and other workers finish, their messages be handled, the screen repaint."""
    app = pilot.app
    assert isinstance(app, HuddleApp)
    for _ in range(3):
        await pilot.pause()
        await io_idle(app)
        others = [w for w in app.workers if w.group != "io"]
        if others:  # an empty list would mean every worker, the long-lived IO one too
            await app.workers.wait_for_complete(others)
    await pilot.pause()


async def io_idle(app: HuddleApp, limit_s: float = 30.0) -> None:
    """Wait until the IO worker has nothing ready to run (a hang fails the test, it does not block it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    while not app.io.idle:
        assert loop.time() < deadline, "the IO worker never went idle"
        await asyncio.sleep(0.005)


def screen_text(app: HuddleApp) -> str:
    """What is on screen now, as the SVG screenshot holds it (spaces made plain)."""
    return app.export_screenshot().replace("&#160;", " ")


def distinct(messages: list[Message]) -> list[Message]:
    """Each message once: the hook sees a message every time a node handles it."""
    seen: set[int] = set()
    return [m for m in messages if not (id(m) in seen or seen.add(id(m)))]  # type: ignore[func-returns-value]


async def open_lobby(pilot: Pilot[int]) -> LobbyScreen:
    """From a fresh app: wait until the lobby shows today's plan, and return it.

    On a loaded machine the first settle can end before the lobby's first
    frame has even asked for the plan, so it settles again until the plan is
    there. The bound is a minute of the loop's time, as a hang guard: a count
    of tries ran out within a second while other test runs loaded the machine.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60.0
    while True:
        await settle(pilot)
        lobby = pilot.app.screen
        if isinstance(lobby, LobbyScreen) and lobby.plan is not None:
            return lobby
        assert loop.time() < deadline, "the lobby never showed today's plan"
        await asyncio.sleep(0.01)


async def open_round(pilot: Pilot[int]) -> RoundScreen:
    """From a fresh app: wait for today's plan in the lobby, start the round, return its screen."""
    await open_lobby(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RoundScreen)
    return screen
