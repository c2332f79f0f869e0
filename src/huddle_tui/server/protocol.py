"""uvicorn's HTTP/1.1 protocol, bounded: a deadline for each request, JSON for its own refusals.

uvicorn closes a connection idle between requests after `timeout_keep_alive`,
but sets no clock on a request that stops half-way: a client that sends part
of a request line and stalls keeps its connection, and a file descriptor, for
ever, and some thousands of them exhaust the server. Here a client has
`Limits.request_timeout` seconds, from when the server starts waiting, to
deliver a whole request (head and body); a slower one gets 408 and is
disconnected. The time the server takes to answer is not counted.

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
    """H11Protocol with a per-request deadline and JSON answers for 400, 408 and 503."""

    request_timeout: float = Limits().request_timeout

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Take over uvicorn's concurrency check, to answer it in JSON."""
        super().__init__(config, server_state, app_state, _loop)
        self.concurrency, self.limit_concurrency = self.limit_concurrency, None
        self.huddle_app = self.app
        self.deadline: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------ the request deadline

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock for the first request."""
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Refuse an over-long head, else feed uvicorn; stop the clock once the request is whole."""
        if self.transport.is_closing():
            return
        if self.conn.their_state is h11.IDLE and self._head_too_long(data):
            limit = self.config.h11_max_incomplete_event_size
            self._refuse(431, "Request Header Fields Too Large",
                         f"the request line and headers are over {limit} bytes")
            return
        super().data_received(data)
        if self.conn.their_state not in _WAITING or self.transport.is_closing():
            self._disarm()

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
        """(Re)start the clock for one request."""
        self._disarm()
        self.deadline = self.loop.call_later(self.request_timeout, self._too_slow)

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
        busy = limit is not None and (len(self.connections) >= limit or len(self.tasks) >= limit)
        if busy:
            log.warning("over the concurrency limit (%d): answering 503", limit)
        self.app = cast(Any, _BUSY) if busy else self.huddle_app
        super().handle_events()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request h11 cannot parse: 400 in JSON, then close."""
        self._refuse(400, "Bad Request", "malformed HTTP request")


_BUSY = JSONResponse({"error": "the server is busy; try again shortly", "status": 503}, status_code=503,
                     headers={"Retry-After": "1", "Connection": "close"})


def protocol_for(limits: Limits) -> type[BoundedH11Protocol]:
    """The protocol class with these limits' request timeout."""
    return type("HuddleH11Protocol", (BoundedH11Protocol,), {"request_timeout": limits.request_timeout})


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
