"""With an endpoint that is down, the round still runs, check-ins wait in the outbox, and the bar says so."""

from __future__ import annotations

import socket

import pytest

from huddle_tui.config.team import Endpoint, TeamConfig
from huddle_tui.sync.outbox import Outbox
from huddle_tui.tui.widgets.status_line import StatusLine
from tests.fakeclock import FakeClock
from tests.http_helpers import approve_endpoints
from tests.tui.conftest import MADE
from tests.tui.helpers import open_round, record_notices, settle


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_dead_endpoint_never_stops_the_round(make_app: MADE, team: TeamConfig, clock: FakeClock,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Moods saved in the round are in the shared folder and pending in the outbox; the bar says so."""
    monkeypatch.setenv("HUDDLE_TEST_TOKEN", "t" * 24)
    down = team._replace(endpoints=(Endpoint(url=f"http://127.0.0.1:{closed_port()}", name="api",
                                             token_env="HUDDLE_TEST_TOKEN"),))
    approve_endpoints(*down.endpoints)
    app = make_app(team_config=down)
    notes = record_notices(app, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_round(pilot)
        first = screen.pulse.view().speaker
        clock.step(15.0)
        await pilot.press("4", "space")
        await settle(pilot)
        app.sync_now()
        await settle(pilot)
        line = str(app.query_one(StatusLine).render())
        assert "waiting to send" in line and "unreachable" in line, line
        assert screen.pulse.view().speaker != first  # the round went on
        assert notes == []  # nothing alarming: the bar says it calmly
    moods = [r for r in app.journal.read(("checkin",)).live("checkin") if r.payload.get("member") == first]
    assert [r.payload["mood"] for r in moods] == [4]
    with Outbox() as outbox:
        assert sum(s.pending for s in outbox.status()) >= 2  # the huddle record and the check-in
