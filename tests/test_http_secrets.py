"""Secrets: the token only in the Authorization header, never in a log, an error or a traceback."""

from __future__ import annotations

import base64
import json
import logging
import sys
import urllib.parse
from pathlib import Path

import pytest

from huddle_tui.config.team import Endpoint, TeamConfig
from huddle_tui.errors import ConfigError
from huddle_tui.server.app import create_app
from huddle_tui.sync.credentials import RedactingFilter, check_private_file, redact, redact_url
from huddle_tui.sync.engine import sync_once
from huddle_tui.sync.outbox import Outbox, endpoint_key
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


WEBHOOK = "https://hooks.slack.com/services/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"
ODD_TOKEN = "tok+/~?s3cr3t>Zq9xW2vK7pL4"  # base64 of it holds + and /; percent-encoding changes it


def spellings() -> dict[str, str]:
    """Each way a token shows up in logs and errors, by name."""
    b64 = base64.b64encode(ODD_TOKEN.encode()).decode()
    return {
        "as given": ODD_TOKEN, "upper case": ODD_TOKEN.upper(), "lower case": ODD_TOKEN.lower(),
        "swapped case": ODD_TOKEN.swapcase(), "first 8": ODD_TOKEN[:8], "first 13": ODD_TOKEN[:13],
        "base64": b64, "base64 unpadded": b64.rstrip("="),
        "base64 url-safe": base64.urlsafe_b64encode(ODD_TOKEN.encode()).decode(),
        "base64 in basic auth": base64.b64encode(f"ana:{ODD_TOKEN}".encode()).decode(),
        "base64 shifted by two": base64.b64encode(f"ab{ODD_TOKEN}".encode()).decode(),
        "percent-encoded": urllib.parse.quote(ODD_TOKEN, safe=""),
    }


@pytest.mark.parametrize("name", list(spellings()))
def test_a_token_is_redacted_in_every_spelling(name: str) -> None:
    """As given, in any case, cut to 8+ characters, base64 (any alignment) or percent-encoded."""
    form = spellings()[name]
    text = f"Authorization: Basic {form} (retry)"
    cleaned = redact(text, [ODD_TOKEN])
    assert "[redacted]" in cleaned and cleaned.startswith("Authorization: Basic ")
    core = form[:-3] if name.startswith("base64") else form  # base64's last characters may mix in padding
    assert core[4:-2] not in cleaned  # nothing of the secret's middle is left
    assert cleaned.endswith(" (retry)")


def test_redaction_leaves_short_lookalikes_and_plain_urls_alone() -> None:
    """Seven characters of a token, or a URL that merely shares the scheme, are not the secret."""
    assert redact(f"{ODD_TOKEN[:7]} https://hooks.slack.com/other", [ODD_TOKEN, WEBHOOK]) == \
        f"{ODD_TOKEN[:7]} https://hooks.slack.com/other"


def test_a_webhook_url_is_redacted_whole_in_parts_and_for_display() -> None:
    """The URL, its path, its key segment (or 8+ characters of it) are hidden; scheme and host stay."""
    key = WEBHOOK.rsplit("/", 1)[1]
    text = f"POST {WEBHOOK} | {WEBHOOK.upper()} | {WEBHOOK[WEBHOOK.index('/services'):]} | {key[:10]}…"
    cleaned = redact(text, [WEBHOOK])
    assert key[:8] not in cleaned and "T0AB12CD3" not in cleaned and "services/T0" not in cleaned
    assert redact_url(WEBHOOK) == "https://hooks.slack.com/services/[redacted]/[redacted]/[redacted]"
    assert redact_url("https://x.logic.azure.com:443/workflows/0123456789abcdef0123/triggers/manual"
                      "?api-version=2016-06-01&sig=AbCd0123EfGh4567") == (
        "https://x.logic.azure.com:443/workflows/[redacted]/triggers/manual"
        "?api-version=2016-06-01&sig=[redacted]")
    assert redact_url("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"


def test_the_log_filter_redacts_tracebacks_and_each_spelling(caplog: pytest.LogCaptureFixture) -> None:
    """An exception whose message holds the token, logged with its traceback: no spelling survives."""
    logger = logging.getLogger("huddle_tui.http")
    redacting = RedactingFilter([ODD_TOKEN, WEBHOOK])
    logger.addFilter(redacting)
    caplog.set_level(logging.DEBUG, logger="huddle_tui.http")
    try:
        try:
            raise RuntimeError(f"refused {ODD_TOKEN.upper()} at {WEBHOOK}")
        except RuntimeError:
            logger.exception("failed with %s", base64.b64encode(ODD_TOKEN.encode()).decode())
    finally:
        logger.removeFilter(redacting)
    handler_output = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert "Traceback" in handler_output and "RuntimeError" in handler_output
    for leak in (ODD_TOKEN[:8], ODD_TOKEN.upper()[:8], base64.b64encode(ODD_TOKEN.encode()).decode()[:8],
                 "T0AB12CD3", "Zq9xW2vK"):
        assert leak.lower() not in (handler_output + caplog.text).lower()


def test_a_webhook_url_written_in_the_team_config_is_redacted_everywhere(
        team: TeamConfig, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    """No token_env/token_file: the URL in huddle.toml is the secret, and no log, error or status shows it."""
    receiver = Receiver(lambda path: False)  # every post is refused with 404, as a revoked hook is
    chat = LiveServer(receiver).start()
    try:
        team = with_endpoints(team, Endpoint(url=f"{chat.url}/hooks/{SECRET_PATH}", format="discord"))
        with Outbox() as outbox:
            outbox.add(endpoint_key(team.endpoints[0]), "summary:x", "summary 2026-11-26", "POST", "",
                       b'{"content": "hi"}')
        caplog.set_level(logging.DEBUG)
        report = sync_once(team)
        cli = run_huddle("sync", env={"HUDDLE_CONFIG": str(team.path), "HUDDLE_DEBUG": "1"})
        status = run_huddle("sync", "--status", env={"HUDDLE_CONFIG": str(team.path)})
        doctor = run_huddle("doctor", env={"HUDDLE_CONFIG": str(team.path)})
    finally:
        chat.stop()
    assert report.endpoints[0].dead_total == 1 and "HTTP 404" in (report.endpoints[0].error or "")
    assert "HTTP Request" in caplog.text  # httpx logged the POST …
    everything = "\n".join([caplog.text, repr(report), cli.stdout, cli.stderr, status.stdout, status.stderr,
                            doctor.stdout, doctor.stderr, capfd.readouterr().err])
    assert SECRET_PATH[:8] not in everything  # … with the URL's key part hidden
