"""The client's answers to every status (a mock transport is fine for a table), backoff and TLS."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from huddle_tui.config.team import Endpoint
from huddle_tui.errors import ConfigError, EndpointError
from huddle_tui.sync import backoff
from huddle_tui.sync.client import EndpointClient, Outcome, ca_context
from huddle_tui.sync.outbox import Item
from tests.http_helpers import TOKEN, TOKEN_ENV, LiveServer, Receiver

ITEM = Item(1, "api", "00000000-0000-4000-8000-000000000000.1", "checkin", "PUT",
            "/v1/records/00000000-0000-4000-8000-000000000000", b"{}", "pending", 0, None)
TABLE = {200: "sent", 201: "sent", 204: "sent",
         408: "retry", 425: "retry", 429: "retry", 500: "retry", 502: "retry", 503: "retry", 504: "retry",
         400: "dead", 409: "dead", 410: "dead", 413: "dead", 422: "dead", 501: "dead", 301: "dead",
         401: "dead", 403: "dead", 404: "dead"}


def answer(status: int, headers: dict[str, str] | None = None) -> httpx.MockTransport:
    """A transport that answers every request with `status` and checks what was sent."""
    def handler(request: httpx.Request) -> httpx.Response:
        """Answer, after checking the token is in the header and nowhere else."""
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["Idempotency-Key"] == ITEM.key
        assert TOKEN not in str(request.url)
        return httpx.Response(status, headers=headers, json={"error": "because", "status": status})

    return httpx.MockTransport(handler)


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token in the environment."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)


def endpoint(**extra: Any) -> Endpoint:
    """A records endpoint on 127.0.0.1."""
    return Endpoint(url="http://127.0.0.1:9", token_env=TOKEN_ENV, name="api")._replace(**extra)


@pytest.mark.parametrize("status, result", sorted(TABLE.items()))
def test_each_status_is_sent_retried_or_dead_lettered(status: int, result: str) -> None:
    """2xx sent; 408/425/429/500/502/503/504 retried; every other status a dead letter."""
    with EndpointClient(endpoint(), transport=answer(status)) as client:
        outcome = client.send(ITEM)
    assert outcome.result == result
    assert outcome.stop == (status in (301, 401, 403, 404))
    if result != "sent":
        assert outcome.error == f"HTTP {status}: because"


def test_retry_after_in_seconds_or_as_a_date_is_honoured() -> None:
    """Retry-After: 30 and an HTTP date 90 s ahead both come through."""
    now = 1_800_000_000.0
    with EndpointClient(endpoint(), transport=answer(429, {"Retry-After": "30"}), clock=lambda: now) as c:
        assert c.send(ITEM).retry_after == 30
    date = "Fri, 15 Jan 2027 08:01:30 GMT"  # 1_800_000_090
    with EndpointClient(endpoint(), transport=answer(503, {"Retry-After": date}), clock=lambda: now) as c:
        assert c.send(ITEM).retry_after == 90
    assert backoff.parse_retry_after("soon", lambda: now) is None


def test_full_jitter_doubles_from_one_second_to_a_five_minute_cap() -> None:
    """With the random draw at its top, the waits are 1, 2, 4 … 256, then 300 s for ever."""
    waits = [backoff.delay(n, lambda: 1.0) for n in range(1, 13)]
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert backoff.delay(3, lambda: 0.25) == 1.0
    assert backoff.delay(1, lambda: 0.0, retry_after=30) == 30
    assert backoff.delay(500, lambda: 1.0) == 300


def test_tls_verification_is_always_on_and_a_ca_bundle_is_used(tmp_path: Path) -> None:
    """The default verifies; a missing CA bundle is a clear error, never a silent `verify=False`.

    Seen from a real TLS server on 127.0.0.1: its certificate, from a CA of the test's own, is
    refused by default, accepted with that CA as the bundle, and refused for another host's name.
    """
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    outcomes: dict[str, tuple[Outcome, int]] = {}
    for host in ("127.0.0.1", "elsewhere.invalid"):
        pem = tmp_path / f"{host}.pem"
        ca.issue_cert(host).private_key_and_cert_chain_pem.write_to_path(str(pem))
        receiver = Receiver()
        server = LiveServer(receiver, tls_pem=pem).start()
        try:
            for ca_bundle in (None, bundle):
                with EndpointClient(endpoint(url=server.url, ca_bundle=ca_bundle)) as client:
                    before = len(receiver.posts)
                    outcome = client.send(ITEM)
                    outcomes[f"{host}, {'bundle' if ca_bundle else 'default'}"] = (
                        outcome, len(receiver.posts) - before)
        finally:
            server.stop()
    assert outcomes["127.0.0.1, bundle"] == (Outcome("sent", status=200), 1)
    for case in ("127.0.0.1, default", "elsewhere.invalid, default", "elsewhere.invalid, bundle"):
        outcome, received = outcomes[case]
        assert (outcome.result, received) == ("retry", 0), case
        assert "CERTIFICATE_VERIFY_FAILED" in outcome.error, (case, outcome.error)
    assert "mismatch" in outcomes["elsewhere.invalid, bundle"][0].error
    with pytest.raises(EndpointError, match="CA bundle"):
        EndpointClient(endpoint(url="https://127.0.0.1:9", ca_bundle=tmp_path / "missing.pem"))


def test_a_ca_bundle_given_as_bytes_trusts_its_certificates_and_nothing_else(tmp_path: Path) -> None:
    """Comments in any script are skipped; a bundle with no certificate never means the system's CAs.

    `cadata` refuses non-ASCII text, and an empty `cadata` quietly loads every
    public CA: the first would break real bundles, the second trust any server.
    """
    ca, other = trustme.CA(), trustme.CA()
    commented = b"# Issuer: CN=NetLock Arany (Class Gold) F\xc5\x91tan\xc3\xba s\xc3\xadtv\xc3\xa1ny\n"
    context = ca_context(commented + ca.cert_pem.bytes() + b"\n" + other.cert_pem.bytes())
    assert len(context.get_ca_certs()) == 2
    for empty in (b"", b"# no certificate here\n", b"\x00" * 64):
        with pytest.raises(ssl.SSLError, match="no PEM certificate"):
            ca_context(empty)
    (tmp_path / "empty.pem").write_bytes(b"")
    with pytest.raises(EndpointError, match="no PEM certificate in the CA bundle"):
        EndpointClient(endpoint(url="https://127.0.0.1:9", ca_bundle=tmp_path / "empty.pem"))


def test_a_missing_token_is_a_clear_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unset variable is named, with what to do; a missing token file is a config error."""
    monkeypatch.delenv(TOKEN_ENV)
    with pytest.raises(EndpointError, match=f"\\${TOKEN_ENV} is not set"):
        EndpointClient(endpoint())
    with pytest.raises(ConfigError, match="not found"):
        EndpointClient(endpoint(token_env=None, token_file=Path("/nonexistent/token")))
