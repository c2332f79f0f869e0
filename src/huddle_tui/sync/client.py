"""One endpoint over HTTP: send an outbox item, pull teammates' records, classify the answer.

httpx retries only connection failures by itself, and a mock transport hides
retries, so this module makes one attempt per call and says what happened;
the sync loop (engine.py) decides when to try again. TLS verification is always
on (a custom CA bundle may be given, as the bytes the trust check hashed, so a
bundle swapped after the check is never read; nothing turns verification off), and
plain http is refused for any host but loopback unless the person allowed it
(sync/trust.py), checked on the URL actually used — for a chat format, the
webhook URL read from the secret. The token goes only in the Authorization
header, and every error text and log record is scrubbed of the endpoint's
secrets before anyone sees it.
"""

from __future__ import annotations

import json
import logging
import re
import ssl
import time
from collections.abc import Callable
from typing import Any, Literal, NamedTuple
from urllib.parse import quote

import httpx

from huddle_tui import __version__
from huddle_tui.config.team import Endpoint
from huddle_tui.errors import CorruptRecord, EndpointError, HuddleError, PullError
from huddle_tui.storage.envelope import Record
from huddle_tui.sync import backoff, wire
from huddle_tui.sync.credentials import (
    RedactingFilter,
    endpoint_label,
    redact_url,
    resolve_secret,
    url_secret_parts,
)
from huddle_tui.sync.outbox import Item
from huddle_tui.text import printable

log = logging.getLogger("huddle_tui.http")
DEFAULT_TIMEOUT_S = 10.0
# Loggers that may print a URL: each gets the redacting filter while a client is open.
_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy",
            "huddle_tui.http", "huddle_tui.sync.engine")
ENDPOINT_LEVEL = frozenset({401, 403, 404, 405})
PAGE_LIMIT = 500


Result = Literal["sent", "retry", "dead"]


class Outcome(NamedTuple):
    """What one attempt came to: "sent", "retry" (try later) or "dead" (a permanent refusal)."""

    result: Result
    error: str = ""
    status: int | None = None
    retry_after: float | None = None
    stop: bool = False


class Page(NamedTuple):
    """One page of a pull: verified records, the next cursor, and what was refused."""

    records: list[tuple[Record, bytes]]
    cursor: str | None
    more: bool
    refused: list[str]


class EndpointClient:
    """An httpx client for one endpoint, with its secret resolved and kept out of logs."""

    def __init__(self, endpoint: Endpoint, *, timeout: float = DEFAULT_TIMEOUT_S,
                 transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] = time.time, allow_http: tuple[str, ...] = (),
                 ca_pem: bytes | None = None) -> None:
        """Resolve the secret (raising a clear error), check the URL, then open the connection pool.

        `ca_pem` is the CA bundle as the trust check read and hashed it
        (sync/trust.py `Verdict.ca_pem`); TLS is verified against those bytes,
        so a file swapped since cannot slip in. Without it the bundle is read here.
        """
        from huddle_tui.sync.trust import http_refusal

        self.endpoint = endpoint
        self.label = endpoint_label(endpoint)
        self.clock = clock
        secret = resolve_secret(endpoint)
        chat = endpoint.format != "records"
        self.url = secret if chat and secret else endpoint.url
        # A team's endpoint config names its namespace on a many-team server: /v1/teams/NAME/...
        self.api = f"/v1/teams/{quote(endpoint.team, safe='')}/" if endpoint.team and not chat else "/v1/"
        # A chat webhook's URL is its secret, wherever it came from; any URL's key-like parts are too.
        hidden = [secret, self.url if chat else None, *url_secret_parts(self.url)]
        self.secrets = tuple(dict.fromkeys(s for s in hidden if s))
        headers = {"User-Agent": f"huddle-tui/{__version__}", "Accept": "application/json"}
        if secret and not chat:
            headers["Authorization"] = f"Bearer {secret}"
        if not self.url.startswith(("https://", "http://")):
            raise EndpointError(f"{self.label}: the webhook URL must start with https:// or http://")
        refused = http_refusal(self.url, allow_http)
        if refused is not None:
            raise EndpointError(f"{self.label}: {refused}")
        self._filter = RedactingFilter(self.secrets)
        self._redact = self._filter.redactor
        for name in _LOGGERS:
            logging.getLogger(name).addFilter(self._filter)
        try:
            self.http = httpx.Client(headers=headers, timeout=timeout, verify=tls_verify(endpoint, ca_pem),
                                     transport=transport, follow_redirects=False)
        except HuddleError as exc:  # the bundle file is missing, not a regular file, too large
            self.close()
            raise EndpointError(f"{self.label}: {exc.message}") from None
        except (OSError, ssl.SSLError) as exc:
            self.close()
            raise EndpointError(self.safe(f"{self.label}: CA bundle {endpoint.ca_bundle} cannot be used "
                                          f"({type(exc).__name__}: {exc})")) from None

    def close(self) -> None:
        """Close the pool and stop filtering the loggers."""
        http = getattr(self, "http", None)
        if http is not None:
            http.close()
        for name in _LOGGERS:
            logging.getLogger(name).removeFilter(self._filter)

    def __enter__(self) -> EndpointClient:
        """Use as a context manager so the pool is always closed."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on the way out."""
        self.close()

    def scoped(self, path: str) -> str:
        """An API path (/v1/...) in this endpoint's team namespace; a webhook's empty path as it is."""
        return self.api + path.removeprefix("/v1/") if path.startswith("/v1/") else path

    def safe(self, text: str) -> str:
        """Text made fit to show: secrets removed, control characters escaped, kept short."""
        return printable(self._redact(text))[:300]

    # ------------------------------------------------------------ sending

    def send(self, item: Item) -> Outcome:
        """One attempt at one outbox item."""
        headers = {"Content-Type": "application/json"}
        if item.method == "PUT":
            headers["Idempotency-Key"] = item.key
        log.debug("%s %s: %s %s", self.label, item.label, item.method, item.path or "(webhook)")
        try:
            response = self.http.request(item.method, self.url + self.scoped(item.path), content=item.body,
                                         headers=headers)
        except httpx.TimeoutException as exc:
            return Outcome("retry", self.safe(f"timed out ({type(exc).__name__})"))
        except httpx.TransportError as exc:
            return Outcome("retry", self.safe(f"{type(exc).__name__}: {exc}"))
        return self.classify(response)

    def classify(self, response: httpx.Response) -> Outcome:
        """Turn a response into an Outcome: 2xx sent, retryable statuses retry, the rest dead."""
        status = response.status_code
        if 200 <= status < 300:
            return Outcome("sent", status=status)
        error = self.safe(f"HTTP {status}: {_reason(response)}")
        if backoff.is_retryable(status):
            after = backoff.parse_retry_after(response.headers.get("Retry-After"), self.clock)
            return Outcome("retry", error, status, after)
        return Outcome("dead", error, status, stop=status in ENDPOINT_LEVEL or 300 <= status < 400)

    # ------------------------------------------------------------ pulling

    def pull(self, cursor: str | None) -> Page:
        """GET one page of records after `cursor`, each verified against its checksum."""
        params: dict[str, Any] = {"limit": PAGE_LIMIT}
        if cursor is not None:
            params["since"] = cursor
        try:
            response = self.http.get(self.url + self.scoped("/v1/records"), params=params)
        except httpx.HTTPError as exc:
            raise PullError(self.safe(f"pull failed: {type(exc).__name__}: {exc}")) from None
        if response.status_code != 200:
            raise PullError(self.safe(f"pull failed: HTTP {response.status_code}: {_reason(response)}"))
        try:
            data = response.json()
            raw, nxt, more = data["records"], data["cursor"], bool(data.get("more", False))
        except (ValueError, KeyError, TypeError):
            raise PullError(f"{self.label}: pull answered something that is not a record page") from None
        records, refused = [], []
        for obj in raw if isinstance(raw, list) else []:
            try:
                records.append(wire.from_wire(obj))
            except CorruptRecord as exc:
                refused.append(str(exc))
        return Page(records, str(nxt) if nxt is not None else cursor, more, refused)


    # ------------------------------------------------------------ the org report

    def org_report(self, start: str, end: str) -> Any:
        """GET /v1/org/report for days start..end: the server's JSON, or an EndpointError in one line."""
        url = self.url.rstrip("/") + "/v1/org/report"
        try:
            response = self.http.get(url, params={"from": start, "to": end})
        except httpx.TimeoutException:
            raise EndpointError(f"{self.label}: no answer in time from {redact_url(self.url)}") from None
        except httpx.TransportError as exc:
            raise EndpointError(self.safe(f"{self.label}: cannot reach {redact_url(self.url)} "
                                          f"({type(exc).__name__})")) from None
        status = response.status_code
        if status in (401, 403):
            raise EndpointError(f"{self.label}: the server does not accept this endpoint's token "
                                f"(HTTP {status}); ask its operator for an org token")
        if status == 404:
            raise EndpointError(f"{self.label}: no org report for this token (HTTP 404): it needs an "
                                "org token (huddle serve tokens add --org), not a team's")
        if status != 200:
            raise EndpointError(self.safe(f"{self.label}: org report failed: HTTP {status}: "
                                          f"{_reason(response)}"))
        try:
            return response.json()
        except ValueError:
            raise EndpointError(f"{self.label}: the org report answer is not JSON") from None


_PEM_CERTIFICATE = re.compile(rb"-----BEGIN (X509 )?CERTIFICATE-----.+?-----END (X509 )?CERTIFICATE-----",
                              re.DOTALL)


def tls_verify(endpoint: Endpoint, ca_pem: bytes | None = None) -> ssl.SSLContext | bool:
    """Always verify; with a CA bundle, against its certificates (these bytes, else the file's) alone."""
    if endpoint.ca_bundle is None:
        return True
    if ca_pem is None:
        from huddle_tui.sync.trust import read_ca_bundle

        ca_pem = read_ca_bundle(endpoint.ca_bundle).pem
    return ca_context(ca_pem)


def ca_context(pem: bytes) -> ssl.SSLContext:
    """A TLS context trusting exactly the PEM certificates in these bytes, read from no file.

    Only the certificate blocks are passed on: `cadata` takes ASCII text, and
    bundles often carry comments in other scripts. A bundle with no
    certificate is an error, never an empty `cadata`, which would quietly
    load the system's CAs instead.
    """
    blocks = [m.group(0).decode("ascii", "replace") for m in _PEM_CERTIFICATE.finditer(pem)]
    if not blocks:
        raise ssl.SSLError("no PEM certificate in the CA bundle")
    return ssl.create_default_context(cadata="\n".join(blocks))


def _reason(response: httpx.Response) -> str:
    """The short reason in an error response: its JSON `error`, else the start of its text."""
    try:
        data = response.json()
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            return str(data["error"])
    except (ValueError, json.JSONDecodeError, UnicodeDecodeError):
        pass
    text = response.text.strip().replace("\n", " ")
    return text[:200] or response.reason_phrase
