"""A failing save is told to the facilitator in one line, and the saves queued behind it still run."""

from __future__ import annotations

import pytest
from textual.message import Message

from tests.tui.conftest import MADE
from tests.tui.helpers import record_notices, settle


class Done(Message):
    """What the second job hands back."""


async def test_an_unexpected_error_is_reported_and_later_jobs_run(make_app: MADE,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A job raising a bug's exception gives a 'Not saved' notice; the next job still completes."""
    app = make_app()
    notes = record_notices(app, monkeypatch)
    arrived: list[Message] = []

    def saving_the_checkin() -> Message:
        """A job with a bug in it."""
        raise RuntimeError("boom")

    async with app.run_test(size=(80, 24), notifications=True, message_hook=arrived.append) as pilot:
        await settle(pilot)
        app.submit(saving_the_checkin, app)
        app.submit(Done, app)
        await settle(pilot)
    assert any("saving the checkin" in n and "RuntimeError: boom" in n for n in notes), notes
    assert any(isinstance(m, Done) for m in arrived)
