"""Secrets: the token only in the Authorization header, never in a log, an error or a traceback."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

from huddle_tui.config.team import Endpoint, TeamConfig
from huddle_tui.errors import ConfigError
from huddle_tui.server.app import create_app
from huddle_tui.sync.credentials import RedactingFilter, check_private_file, redact
from huddle_tui.sync.engine import sync_once
from huddle_tui.sync.outbox import Outbox
from tests.conftest import run_huddle
from tests.http_helpers import (
    TOKEN,
    TOKEN_ENV,
    FakeClock,
    Flaky,
    LiveServer,
    Receiver,
    RecordingTransport,
    free_port,
    make_records,
    records_endpoint,
    with_endpoints,
)

SECRET_PATH = "T0KEN-IN-PATH-9f8e7d6c5b4a"


def test_debug_logging_over_a_whole_sync_never_shows_the_token(
        team: TeamConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    """Flaky records API, a wrong token, a dead endpoint and a secret webhook URL: 0 leaks anywhere."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    hook_file = tmp_path / "hook-url"
    receiver = Receiver(lambda path: path == f"/hooks/{SECRET_PATH}")
    api = LiveServer(Flaky(create_app(tmp_path / "server", (TOKEN,), durable=False), seed=3,
                           slow_s=0.3)).start()
    chat = LiveServer(receiver).start()
    try:
        hook_file.write_text(f"{chat.url}/hooks/{SECRET_PATH}\n")
        hook_file.chmod(0o600)
        monkeypatch.setenv("HUDDLE_WRONG_TOKEN", "wrong-" + TOKEN)
        team = with_endpoints(
            team, records_endpoint(api.url),
            Endpoint(url=api.url, token_env="HUDDLE_WRONG_TOKEN", name="wrong"),
            Endpoint(url=f"http://127.0.0.1:{free_port()}", token_env=TOKEN_ENV, name="down"),
            Endpoint(url="https://chat.invalid", format="discord", token_file=hook_file, name="chat"))
        with Outbox() as outbox:
            for r in make_records(tmp_path / "laptop", 30):
                for name in ("api", "wrong", "down"):
                    outbox.add_record(name, r)
            outbox.add("chat", "summary:x", "summary 2026-11-26", "POST", "", b'{"content": "hi"}')
        caplog.set_level(logging.DEBUG)
        clock = FakeClock()
        report = sync_once(team, clock=clock, sleep=clock.sleep, timeout=0.1, wait=60,
                           transport=RecordingTransport(clock))
        cli = run_huddle("sync", "--wait", "0", env={"HUDDLE_CONFIG": str(team.path), "HUDDLE_DEBUG": "1"})
        status = run_huddle("sync", "--status", "--json", env={"HUDDLE_CONFIG": str(team.path)})
    finally:
        api.stop()
        chat.stop()
    assert [body for _, body in receiver.posts] == [b'{"content": "hi"}']
    by_name = {e.endpoint: e for e in report.endpoints}
    assert by_name["api"].sent == 30 and "HTTP 403" in (by_name["wrong"].error or "")
    assert by_name["down"].error and by_name["down"].pending == 30
    everything = "\n".join([
        caplog.text, *(r.getMessage() for r in caplog.records), repr(report), cli.stdout, cli.stderr,
        status.stdout, status.stderr, capfd.readouterr().err])
    with Outbox() as outbox:
        everything += json.dumps([i.last_error for i in outbox.items()])
    assert "HTTP Request" in caplog.text  # httpx did log each request at DEBUG/INFO …
    for secret in (TOKEN, SECRET_PATH):
        assert everything.count(secret) == 0  # … and the secrets 0 times


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes; Windows relies on the profile's ACL")
def test_a_world_readable_token_file_is_refused_with_the_reason(team: TeamConfig, tmp_path: Path) -> None:
    """A 0644 token file: no request is made, and the error says why and how to fix it."""
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o644)
    team = with_endpoints(team, Endpoint(url=f"http://127.0.0.1:{free_port()}", token_file=token_file,
                                         name="api"))
    with Outbox() as outbox:
        outbox.add_record("api", make_records(tmp_path / "laptop", 1)[0])
    clock = FakeClock()
    transport = RecordingTransport(clock)
    report = sync_once(team, clock=clock, transport=transport)
    assert transport.attempts == []
    error = report.endpoints[0].error or ""
    assert "readable by others (mode 0644)" in error and "chmod 600" in error
    assert TOKEN not in error
    with pytest.raises(ConfigError, match="mode 0640"):
        token_file.chmod(0o640)
        check_private_file(token_file)
    token_file.chmod(0o600)
    check_private_file(token_file)


def test_redaction_covers_messages_and_their_arguments() -> None:
    """A secret passed as a log argument is removed before any handler formats it."""
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "HTTP Request: POST %s", (SECRET_PATH,),
                               None)
    assert RedactingFilter([SECRET_PATH]).filter(record)
    assert SECRET_PATH not in record.getMessage()
    assert redact(f"a {TOKEN} b {TOKEN[:8]}", [TOKEN, TOKEN[:8]]) == "a [redacted] b [redacted]"


@pytest.mark.skipif(sys.platform == "win32", reason="file modes say nothing about readers on Windows")
def test_doctor_reports_a_token_file_others_can_read(team: TeamConfig, tmp_path: Path) -> None:
    """`huddle doctor` checks each endpoint's secret too, and says what is wrong without showing it."""
    token = tmp_path / "token"
    token.write_text("s3cret-token-value-0123456789\n")
    token.chmod(0o644)
    team = with_endpoints(team, Endpoint(url="http://127.0.0.1:9", name="api", token_file=token))
    result = run_huddle("doctor", "--json", env={"HUDDLE_CONFIG": str(team.path)})
    assert result.returncode == 0, result.stderr
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert not checks["api"]["ok"] and "readable by others" in checks["api"]["detail"]
    assert "s3cret" not in result.stdout + result.stderr
