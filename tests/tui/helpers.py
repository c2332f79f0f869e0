"""Steps the app tests share: waiting for workers and reading the screen as text."""

from __future__ import annotations

from textual.message import Message
from textual.pilot import Pilot

from huddle_tui.tui.app import HuddleApp


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
