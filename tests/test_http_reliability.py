"""The outbox against a real server on 127.0.0.1: flaky, down, rate-limited, refusing, killed."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.server.app import create_app
from huddle_tui.server.state import ServerState
from huddle_tui.server.tokens import DEFAULT_TEAM
from huddle_tui.storage.envelope import Record
from huddle_tui.sync.engine import sync_once
from huddle_tui.sync.outbox import DEAD, Outbox
from tests.conftest import run_huddle
from tests.http_helpers import (
    TOKEN,
    TOKEN_ENV,
    FakeClock,
    Flaky,
    LiveServer,
    RecordingTransport,
    make_records,
    records_endpoint,
    with_endpoints,
)


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test's endpoint token, in the environment as a user would set it."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    return TOKEN


def queue(records: list[Record], endpoint: str = "api") -> None:
    """Put records in the user's outbox, as the journal's sink does on save."""
    with Outbox() as outbox:
        for r in records:
            outbox.add_record(endpoint, r)


def stored(folder: Path) -> list[Path]:
    """Record files the server wrote."""
    return sorted(folder.rglob("*.json"))


def server_state(server: LiveServer) -> ServerState:
    """The state object of the reference app behind a (possibly wrapped) test server."""
    app: Any = server.server.config.app
    while not hasattr(app, "state"):
        app = app.app
    state: ServerState = app.state.huddle.team(DEFAULT_TEAM)
    return state


class FirstAnswers:
    """ASGI middleware answering the first PUTs with given statuses (and headers), then passing through."""

    def __init__(self, app: Any, answers: list[tuple[int, list[tuple[bytes, bytes]]]]) -> None:
        """Wrap `app`; each answer is (status, extra headers)."""
        self.app = app
        self.answers = list(answers)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Use up one canned answer per PUT, then let the real app answer."""
        if scope["type"] == "http" and scope["method"] == "PUT" and self.answers:
            status, headers = self.answers.pop(0)
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"application/json"), *headers]})
            await send({"type": "http.response.body", "body": b'{"error": "not now", "status": %d}' % status})
            return
        await self.app(scope, receive, send)


def test_200_records_through_a_flaky_endpoint_are_stored_once_each(team: TeamConfig, tmp_path: Path) -> None:
    """15% accepted-then-dropped, 15% 503, 10% slower than the timeout: 200 stored, 0 duplicated."""
    folder = tmp_path / "server"
    flaky = Flaky(create_app(folder, (TOKEN,), durable=False), seed=20261126, slow_s=0.4)
    server = LiveServer(flaky).start()
    try:
        team = with_endpoints(team, records_endpoint(server.url))
        records = make_records(tmp_path / "laptop", 200)
        queue(records)
        clock = FakeClock()
        report = sync_once(team, clock=clock, sleep=clock.sleep, rng=random.Random(1).random,
                           timeout=0.15, wait=1e9, pull=False)
        state = server_state(server)
    finally:
        server.stop()
    assert all(n > 0 for n in flaky.faults.values()), flaky.faults
    assert report.ok, report
    files = stored(folder)
    assert len(files) == 200
    assert state.created == 200
    assert {(r.id, r.version) for r in records} == set(state.versions)
    assert len({f.name.split(".")[0] for f in files}) == 200  # no id stored twice
    with Outbox() as outbox:
        assert outbox.items() == []
        assert outbox.status(["api"])[0].sent == 200


def test_an_endpoint_down_then_up_gets_everything_on_the_backoff_schedule(team: TeamConfig,
                                                                          tmp_path: Path) -> None:
    """Down for 100 s (connection refused), then up: 20 queued arrive, attempts at full-jitter times."""
    folder = tmp_path / "server"
    server = LiveServer(create_app(folder, (TOKEN,), durable=False))  # bound, not yet listening
    try:
        team = with_endpoints(team, records_endpoint(server.url))
        records = make_records(tmp_path / "laptop", 20)
        queue(records)
        clock = FakeClock()
        start = clock.now
        clock.events.append((start + 100, server.start))
        transport = RecordingTransport(clock)
        report = sync_once(team, clock=clock, sleep=clock.sleep, rng=lambda: 0.5, transport=transport,
                           wait=3600, pull=False)
        state = server_state(server)
    finally:
        server.stop()
    assert report.ok, report
    assert len(stored(folder)) == 20 and state.created == 20
    times = [t - start for t, _, _ in transport.attempts]
    # rng 0.5 → waits of half of 1, 2, 4 … s: the failures at 0, 0.5, 1.5 … 63.5, success at 127.5.
    assert times[:9] == [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5, 63.5, 127.5]
    assert times[9:] == [127.5] * 19
    assert [p for _, _, p in transport.attempts][:9] == [f"/v1/records/{records[0].id}"] * 9


def test_429_retry_after_30_means_no_attempt_before_30_seconds(team: TeamConfig, tmp_path: Path) -> None:
    """The server says 429, Retry-After: 30; the next attempt waits at least that long."""
    folder = tmp_path / "server"
    app = FirstAnswers(create_app(folder, (TOKEN,), durable=False), [(429, [(b"retry-after", b"30")])])
    server = LiveServer(app).start()
    try:
        team = with_endpoints(team, records_endpoint(server.url))
        queue(make_records(tmp_path / "laptop", 3))
        clock = FakeClock()
        transport = RecordingTransport(clock)
        report = sync_once(team, clock=clock, sleep=clock.sleep, rng=random.Random(7).random,
                           transport=transport, wait=600, pull=False)
    finally:
        server.stop()
    assert report.ok
    times = [t for t, _, _ in transport.attempts]
    assert len(times) == 4
    assert times[1] - times[0] >= 30
    assert clock.slept == [30]


def test_a_429_without_waiting_leaves_the_record_pending_until_its_time(team: TeamConfig,
                                                                        tmp_path: Path) -> None:
    """The app's worker (wait=0) makes one attempt, then skips the endpoint until Retry-After passes."""
    app = FirstAnswers(create_app(tmp_path / "server", (TOKEN,), durable=False),
                       [(429, [(b"retry-after", b"30")])])
    server = LiveServer(app).start()
    try:
        team = with_endpoints(team, records_endpoint(server.url))
        queue(make_records(tmp_path / "laptop", 1))
        clock = FakeClock()
        transport = RecordingTransport(clock)
        first = sync_once(team, clock=clock, transport=transport, pull=False)
        clock.now += 29
        early = sync_once(team, clock=clock, transport=transport, pull=False)
        clock.now += 1
        due = sync_once(team, clock=clock, transport=transport, pull=False)
    finally:
        server.stop()
    assert (first.endpoints[0].pending, early.endpoints[0].pending, due.endpoints[0].pending) == (1, 1, 0)
    assert "HTTP 429" in (first.endpoints[0].error or "")
    assert len(transport.attempts) == 2


@pytest.mark.parametrize("body, status", [(b"{not json", 400), (b'{"schema": 1}', 422)])
def test_400_or_422_is_one_attempt_then_a_visible_dead_letter(team: TeamConfig, tmp_path: Path,
                                                              body: bytes, status: int) -> None:
    """A refused record is tried once, kept as dead-letter, shown by `huddle sync --status`, revivable."""
    server = LiveServer(create_app(tmp_path / "server", (TOKEN,), durable=False)).start()
    try:
        team = with_endpoints(team, records_endpoint(server.url))
        good = make_records(tmp_path / "laptop", 2)
        with Outbox() as outbox:
            outbox.add("api", "bad.1", "checkin 2026-11-26 v1", "PUT",
                       "/v1/records/00000000-0000-4000-8000-000000000000", body)
        queue(good)
        clock = FakeClock()
        transport = RecordingTransport(clock)
        report = sync_once(team, clock=clock, sleep=clock.sleep, transport=transport, wait=600, pull=False)
        env = {"HUDDLE_CONFIG": str(team.path)}
        text = run_huddle("sync", "--status", env=env)
        as_json = run_huddle("sync", "--status", "--json", env=env)
        revived = run_huddle("sync", "--retry-dead", "--no-pull", env=env)
    finally:
        server.stop()
    bad_attempts = [a for a in transport.attempts if a[2].endswith("000000000000")]
    assert len(bad_attempts) == 1
    assert report.endpoints[0].dead == 1 and report.endpoints[0].sent == 2
    assert f"HTTP {status}" in (report.endpoints[0].error or "")
    assert text.returncode == 0 and "1 dead" in text.stdout and f"HTTP {status}" in text.stdout
    assert "--retry-dead" in text.stdout
    data = json.loads(as_json.stdout)
    assert data["dead"] == 1 and data["endpoints"][0]["last_error"].startswith(f"HTTP {status}")
    assert revived.returncode == 6 and "1 dead-letter items queued again" in revived.stdout
    with Outbox() as outbox:
        (item,) = outbox.items()
        assert item.state == DEAD and item.attempts == 2


def test_a_sync_killed_while_sending_sends_everything_exactly_once_after_restart(
        team: TeamConfig, tmp_path: Path) -> None:
    """SIGKILL a real `huddle sync` mid-flush, run it again: every record on the server exactly once."""
    if sys.platform == "win32":
        pytest.skip("SIGKILL is POSIX")
    folder = tmp_path / "server"
    server = LiveServer(Slow(create_app(folder, (TOKEN,), durable=False))).start()
    try:
        team = with_endpoints(team, records_endpoint(server.url))
        records = make_records(tmp_path / "laptop", 150)
        queue(records)
        env = {**os.environ, "HUDDLE_CONFIG": str(team.path)}
        proc = subprocess.Popen([sys.executable, "-m", "huddle_tui", "sync", "--no-pull"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        state = server_state(server)
        deadline = time.monotonic() + 60
        while state.created < 40 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        killed_at = state.created
        with Outbox() as outbox:
            left = len(outbox.items())
        again = run_huddle("sync", "--no-pull", env={"HUDDLE_CONFIG": str(team.path)})
    finally:
        server.stop()
    assert 0 < killed_at < 150 and left > 0, (killed_at, left)
    assert again.returncode == 0, again.stderr
    assert state.created == 150 and len(stored(folder)) == 150
    assert {(r.id, r.version) for r in records} == set(state.versions)
    with Outbox() as outbox:
        assert outbox.items() == []


class Slow:
    """ASGI middleware that makes each PUT take a few milliseconds, so a kill lands mid-flush."""

    def __init__(self, app: Any) -> None:
        """Wrap `app`."""
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Pause, then pass the request on."""
        if scope["type"] == "http" and scope["method"] == "PUT":
            import asyncio

            await asyncio.sleep(0.005)
        await self.app(scope, receive, send)

