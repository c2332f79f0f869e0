"""uvicorn's HTTP/1.1 protocol, bounded: a deadline for each request, JSON for its own refusals.

uvicorn closes a connection idle between requests after `timeout_keep_alive`,
but sets no clock on a request that stops half-way: a client that sends part
of a request line and stalls keeps its connection, and a file descriptor, for
ever, and some thousands of them exhaust the server. Here a client has
`Limits.header_timeout` seconds, from when the server starts waiting, to
deliver a request's head, and `Limits.request_timeout` for the whole request
(head and body); a slower one gets 408 and is disconnected. The time the
server takes to answer is not counted.

Deadlines alone still let a few hundred slow clients hold every connection
the server allows, so each new connection over a cap (per peer address, and
for the server) closes the connection that has waited longest without a
request running: a slow client only ever displaces its own kind, and a
request being answered is never cut. Only when every connection is running
a request is a new one answered 503.

h11 bounds only the part of a request head still incomplete after a read, so
a long head that arrives in one read passes; here the head itself is bounded
(431). uvicorn's own refusals (400 for a malformed request, 503 over
`limit_concurrency`) are plain text; here they are JSON like every other
answer of the API.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
from collections.abc import Iterable
from typing import Any, cast

import h11
import uvicorn
from starlette.responses import JSONResponse
from uvicorn.config import LOGGING_CONFIG, Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from huddle_tui.server.limits import Limits

log = logging.getLogger("huddle_tui.server")
_WAITING = (h11.IDLE, h11.SEND_BODY)  # the client's states before its request is whole
_HEAD_END = re.compile(rb"\n\r?\n")  # where h11 ends a head (it accepts bare LF line ends)


def _raw_json_answer(status: int, reason: str, message: str) -> bytes:
    """A whole HTTP/1.1 error answer that closes the connection, written without h11's state machine."""
    body = JSONResponse({"error": message, "status": status}).body
    head = (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n")
    return head.encode("ascii") + body


class BoundedH11Protocol(H11Protocol):
    """H11Protocol with head and request deadlines, caps on connections, and JSON for 400, 408 and 503."""

    request_timeout: float = Limits().request_timeout
    header_timeout: float = Limits().header_timeout
    per_peer: int = Limits().per_peer

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Take over uvicorn's concurrency check, to answer it in JSON."""
        super().__init__(config, server_state, app_state, _loop)
        self.concurrency, self.limit_concurrency = self.limit_concurrency, None
        self.huddle_app = self.app
        self.deadline: asyncio.TimerHandle | None = None
        self.waiting_since: float | None = None  # when it began waiting for a request; None while one runs
        self.heard = False  # whether anything it sent has been read (a connection just accepted has not)

    # ------------------------------------------------------------ the caps on connections

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Keep the caps by closing a connection that only waits, then start the clock for the first request.

        Over the peer's cap, that peer's longest-waiting connection is closed;
        when all of them are running requests, this one is refused (503). Over the server's cap,
        any peer's longest-waiting one is closed; with none, this connection's
        request gets 503. Waiting means idle or still sending a head, so a
        client that holds connections open without finishing requests only
        ever displaces its own oldest ones, never a request being answered.
        """
        super().connection_made(transport)
        self._arm()
        peer = self.client[0] if self.client else None
        others = _open(c for c in self.connections if c is not self)
        mine = [c for c in others if c.client and c.client[0] == peer]
        if peer is not None and len(mine) >= self.per_peer and not _shed(mine) \
                and all(c.waiting_since is None for c in mine):
            log.warning("a peer is over its %d connections, all running requests: 503", self.per_peer)
            self.transport.write(_BUSY_RAW)
            self.transport.close()
            return
        if self.concurrency is not None and len(others) + 1 >= self.concurrency:
            _shed(others)

    def _room(self, limit: int) -> bool:
        """Whether this connection's request fits under the limit, once waiting connections make room."""
        others = _open(c for c in self.connections if c is not self)
        while len(others) + 1 >= limit and _shed(others):
            others = _open(others)
        return len(others) + 1 < limit

    def shed(self) -> None:
        """Close this connection to make room: 503 if the client had begun a request, else silently."""
        self._disarm()
        if self.conn.their_state is h11.IDLE and self.conn.trailing_data[0]:
            self.transport.write(_BUSY_RAW)
        self.transport.close()

    # ------------------------------------------------------------ the request deadline

    def data_received(self, data: bytes) -> None:
        """Refuse an over-long head, else feed uvicorn; the head's clock gives way to the body's."""
        if self.transport.is_closing():
            return
        first, self.heard = not self.heard, True
        if self.conn.their_state is h11.IDLE and self._head_too_long(data):
            limit = self.config.h11_max_incomplete_event_size
            self._refuse(431, "Request Header Fields Too Large",
                         f"the request line and headers are over {limit} bytes")
            return
        super().data_received(data)
        if self.conn.their_state not in _WAITING or self.transport.is_closing():
            self._disarm()
            self.waiting_since = None
        elif self.conn.their_state is h11.SEND_BODY and self.waiting_since is not None:
            self._arm_body()
        if first:  # connections accepted in one batch were let in unheard: the peer's cap holds now
            peer = self.client[0] if self.client else None
            mine = [c for c in _open(self.connections) if c.client and c.client[0] == peer]
            while len(mine) > self.per_peer and _shed(mine):
                mine = _open(mine)

    def on_response_complete(self) -> None:
        """Start the clock for the next request on this connection (unless it is already here)."""
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state in _WAITING:
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """No clock for a closed connection."""
        self._disarm()
        super().connection_lost(exc)

    def _head_too_long(self, data: bytes) -> bool:
        """Whether the head being received, with `data`, runs past the limit without ending."""
        limit = self.config.h11_max_incomplete_event_size or 16 * 1024
        pending = self.conn.trailing_data[0]
        if len(pending) + len(data) <= limit:
            return False
        return _HEAD_END.search((pending + data)[:limit + 3]) is None

    def _refuse(self, status: int, reason: str, message: str) -> None:
        """Answer an error in JSON outside h11's state machine, and close the connection."""
        self.transport.write(_raw_json_answer(status, reason, message))
        self.transport.close()

    def _arm(self) -> None:
        """(Re)start the clock for one request: first its head's deadline (within the request's)."""
        self._disarm()
        self.waiting_since = self.loop.time()
        self.deadline = self.loop.call_later(min(self.header_timeout, self.request_timeout), self._too_slow)

    def _arm_body(self) -> None:
        """The head is whole: the rest of the request's time is the body's; it no longer only waits."""
        assert self.waiting_since is not None
        left = self.request_timeout - (self.loop.time() - self.waiting_since)
        self._disarm()
        self.waiting_since = None
        self.deadline = self.loop.call_later(max(left, 0.0), self._too_slow)

    def _disarm(self) -> None:
        """Stop the clock."""
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _too_slow(self) -> None:
        """The request did not arrive in time: 408 if it had begun, then close the connection."""
        self.deadline = None
        if self.transport.is_closing():
            return
        state = self.conn.their_state
        head_begun = state is h11.IDLE and bool(self.conn.trailing_data[0])
        body_awaited = state is h11.SEND_BODY and self.cycle is not None and not self.cycle.response_started
        if head_begun or body_awaited:  # an app still reading the body sees the client disconnect
            self._refuse(408, "Request Timeout",
                         f"the request did not arrive within {self.request_timeout:g} s")
        else:
            self.transport.close()

    # ------------------------------------------------------------ JSON refusals

    def handle_events(self) -> None:
        """uvicorn's event loop, with the app swapped for a JSON 503 while over the concurrency limit."""
        limit = self.concurrency
        busy = limit is not None and (len(self.tasks) >= limit or (  # closing ones are on their way out
            len(self.connections) >= limit and not self._room(limit)))
        if busy:
            log.warning("over the concurrency limit (%d): answering 503", limit)
        self.app = cast(Any, _BUSY) if busy else self.huddle_app
        super().handle_events()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request h11 cannot parse: 400 in JSON, then close."""
        self._refuse(400, "Bad Request", "malformed HTTP request")


def _open(connections: Iterable[Any]) -> list[BoundedH11Protocol]:
    """The connections not yet closing (a closed one is counted by uvicorn until its loss is handled)."""
    return [c for c in connections if isinstance(c, BoundedH11Protocol) and not c.transport.is_closing()]


def _shed(connections: list[BoundedH11Protocol]) -> bool:
    """Close the connection that has waited longest for its request; False when none is waiting.

    Only a connection the server has read from counts: connections are accepted
    in batches before any is read, so a client that sent its whole request at
    once could otherwise be shed for a slow one accepted in the same batch.
    """
    waiting = [c for c in connections if c.waiting_since is not None and c.heard]
    if not waiting:
        return False
    min(waiting, key=lambda c: c.waiting_since or 0.0).shed()
    return True


_BUSY_MESSAGE = "the server is busy; try again shortly"
_BUSY = JSONResponse({"error": _BUSY_MESSAGE, "status": 503}, status_code=503,
                     headers={"Retry-After": "1", "Connection": "close"})
_BUSY_RAW = _raw_json_answer(503, "Service Unavailable", _BUSY_MESSAGE).replace(
    b"connection: close\r\n", b"connection: close\r\nretry-after: 1\r\n")


def protocol_for(limits: Limits) -> type[BoundedH11Protocol]:
    """The protocol class with these limits' timeouts and per-peer cap."""
    return type("HuddleH11Protocol", (BoundedH11Protocol,), {
        "request_timeout": limits.request_timeout, "header_timeout": limits.header_timeout,
        "per_peer": limits.per_peer})


def log_config(json_lines: bool = False) -> dict[str, Any]:
    """uvicorn's logging set-up, plus the server's own logger on the same stderr handler (JSON if asked)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["huddle_tui.server"] = {"handlers": ["default"], "level": "INFO"}
    if json_lines:
        formatter = {"()": "huddle_tui.server.jsonlog.JsonFormatter"}
        config["formatters"] = {"default": formatter, "access": formatter}
    return config


def server_config(app: Any, limits: Limits, *, host: str = "127.0.0.1", port: int = 8080,
                  access_log: bool = False, log_level: str = "info", json_logs: bool = False) -> Config:
    """The uvicorn configuration `huddle serve` runs with (tests use it too, on 127.0.0.1)."""
    return uvicorn.Config(
        app, host=host, port=port, http=protocol_for(limits), ws="none", lifespan="off",
        limit_concurrency=limits.concurrency, timeout_keep_alive=limits.keep_alive,
        h11_max_incomplete_event_size=limits.max_head_bytes, backlog=limits.backlog,
        access_log=access_log, log_level=log_level, log_config=log_config(json_logs),
        server_header=False, timeout_graceful_shutdown=5)
