"""What the HTTP tests share: a real server on 127.0.0.1, a fake clock, a team with an endpoint."""

from __future__ import annotations

import asyncio
import random
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import uvicorn

from huddle_tui import paths
from huddle_tui.config.team import Endpoint, TeamConfig, load_team_config, team_config_to_toml, write_toml
from huddle_tui.config.user import load_user_config, user_config_to_toml
from huddle_tui.model.ids import random_id
from huddle_tui.server.limits import Limits
from huddle_tui.server.protocol import server_config
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import FolderStore
from huddle_tui.sync.trust import with_approved

TOKEN = "tok-" + "s3cr3t-Zq9xW2vK7pL4mN8r"
TOKEN_ENV = "HUDDLE_TEST_TOKEN"

ASGIApp = Callable[..., Any]


def listening_socket(port: int = 0) -> socket.socket:
    """A socket bound to 127.0.0.1 (the only address tests contact), a free port by default.

    The protocol is given explicitly: asyncio turns Nagle off (TCP_NODELAY) only on
    sockets whose proto is IPPROTO_TCP, and with Nagle on every request waits ~40 ms.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


def free_port() -> int:
    """A port nothing listens on right now (for an endpoint that is down)."""
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    sock.close()
    return port


class LiveServer:
    """Uvicorn serving an ASGI app in a thread, on 127.0.0.1, until stop()."""

    def __init__(self, app: ASGIApp, port: int | None = None, *, tls_pem: Path | None = None) -> None:
        """Bind now (so the port is known) but serve only after start(); over TLS with a key+cert PEM."""
        self.sock = listening_socket(port or 0)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"{'https' if tls_pem else 'http'}://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="critical", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=1, server_header=False,
                                ssl_certfile=str(tls_pem) if tls_pem else None)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    def start(self) -> LiveServer:
        """Serve, returning once uvicorn says it has started."""
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for its thread."""
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


class BoundedServer(LiveServer):
    """LiveServer running the configuration `huddle serve` uses, with the given limits."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        """Bind now; serve with server_config(limits) after start()."""
        super().__init__(app)
        self.server = uvicorn.Server(server_config(app, limits, port=self.port, log_level="critical"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)


class FakeClock:
    """Injected time: sleeping advances it at once, and timed events fire as it passes them."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        """Start at a round number; `events` are (when, callback) pairs."""
        self.now = start
        self.slept: list[float] = []
        self.events: list[tuple[float, Callable[[], object]]] = []

    def __call__(self) -> float:
        """The current fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance the clock, firing any event whose time has come."""
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        due = [e for e in self.events if e[0] <= self.now]
        self.events = [e for e in self.events if e[0] > self.now]
        for _, callback in due:
            callback()


class Receiver:
    """A stand-in for chat services: keeps the (path, body) of each request to an accepted path."""

    def __init__(self, accept: Callable[[str], bool] = lambda path: True) -> None:
        """Nothing received yet; paths `accept` refuses get 404, as a wrong webhook URL would."""
        self.accept = accept
        self.posts: list[tuple[str, bytes]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Read the whole body, keep it, answer 200 like the real services do (or 404)."""
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        ok = self.accept(scope["path"])
        if ok:
            self.posts.append((scope["path"], body))
        await send({"type": "http.response.start", "status": 200 if ok else 404, "headers": []})
        await send({"type": "http.response.body", "body": b"ok" if ok else b"no such hook"})


class Captured(NamedTuple):
    """One request as a capture server saw it."""

    method: str
    path: str
    query: bytes
    headers: dict[str, str]
    body: bytes


class Capture:
    """A stand-in records API that keeps every request whole (headers included) and accepts it.

    PUTs and POSTs get 201; a pull (GET) gets an empty page, so a full sync succeeds.
    """

    def __init__(self) -> None:
        """Nothing captured yet."""
        self.requests: list[Captured] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Keep the request, then answer like a records API with nothing to pull."""
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        self.requests.append(Captured(scope["method"], scope["path"], scope["query_string"], headers, body))
        page = b'{"records": [], "cursor": null, "more": false}'
        status, answer = (200, page) if scope["method"] == "GET" else (201, b"{}")
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": answer})


class RecordingTransport(httpx.BaseTransport):
    """A real HTTP transport that notes the (fake) time and path of every request it sends."""

    def __init__(self, clock: Callable[[], float]) -> None:
        """Delegate to httpx's own transport; remember attempts."""
        self.inner = httpx.HTTPTransport()
        self.clock = clock
        self.attempts: list[tuple[float, str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Note the attempt, then send it over the network to 127.0.0.1."""
        self.attempts.append((self.clock(), request.method, request.url.path))
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Close the real transport."""
        self.inner.close()


def with_endpoints(team: TeamConfig, *endpoints: Endpoint, approve: bool = True) -> TeamConfig:
    """Rewrite the team's huddle.toml with these endpoints and load it back, as a user would.

    Unless `approve` is False, the test's own user config then approves them,
    as `huddle trust --all` would on a person's machine.
    """
    assert team.path is not None
    write_toml(team.path, team_config_to_toml(team._replace(endpoints=endpoints)))
    loaded = load_team_config(team.path)
    if approve:
        approve_endpoints(*loaded.endpoints)
    return loaded


def approve_endpoints(*endpoints: Endpoint) -> None:
    """Approve endpoints in the test's user config (HUDDLE_CONFIG_DIR), exactly as `huddle trust` does."""
    user = load_user_config()
    write_toml(user.path or paths.user_config_file(), user_config_to_toml(with_approved(user, endpoints)))


def records_endpoint(url: str, name: str = "api") -> Endpoint:
    """A records endpoint whose token is in $HUDDLE_TEST_TOKEN."""
    return Endpoint(url=url, format="records", token_env=TOKEN_ENV, name=name)


def make_records(folder: Path, count: int, day: str = "2026-11-26") -> list[Record]:
    """`count` distinct check-in records saved in a folder (as teammates' machines would)."""
    store = FolderStore(folder, durable=False)
    return [store.save("checkin", random_id(), day,
                       {"mood": 1 + i % 5, "status": f"status {i}", "concerns": [],
                        "visibility": "team", "source": "cli", "member": "Ana"})
            for i in range(count)]


class Flaky:
    """ASGI middleware that makes PUTs fail the ways real networks do, at set rates.

    - `unavailable`: answer 503 without storing;
    - `drop`: store it, start the answer, then drop the connection (the client sees no answer);
    - `slow`: store it but answer only after `slow_s`, longer than the client's timeout.
    """

    def __init__(self, app: ASGIApp, seed: int, *, drop: float = 0.15, unavailable: float = 0.15,
                 slow: float = 0.10, slow_s: float = 0.5) -> None:
        """Wrap `app`; the seed makes a run repeatable."""
        self.app = app
        self.rng = random.Random(seed)
        self.rates = (unavailable, unavailable + drop, unavailable + drop + slow)
        self.slow_s = slow_s
        self.faults = {"503": 0, "drop": 0, "slow": 0}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Pick a fate for each PUT."""
        if scope["type"] != "http" or scope["method"] != "PUT":
            await self.app(scope, receive, send)
            return
        roll = self.rng.random()
        if roll < self.rates[0]:
            self.faults["503"] += 1
            await send({"type": "http.response.start", "status": 503,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")]})
            await send({"type": "http.response.body", "body": b"{}"})
        elif roll < self.rates[1]:
            self.faults["drop"] += 1
            await self._drop(scope, receive, send)
        elif roll < self.rates[2]:
            self.faults["slow"] += 1
            await self._slow(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _drop(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Let the app store the record, then cut the connection mid-answer."""
        async def swallow(message: dict[str, Any]) -> None:
            """Keep the app's answer from the client."""

        await self.app(scope, receive, swallow)
        await send({"type": "http.response.start", "status": 201,
                    "headers": [(b"content-length", b"100")]})
        raise ConnectionAbortedError("fault injection: connection dropped after storing")

    async def _slow(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Let the app store the record, then hold the answer past the client's timeout."""
        async def late(message: dict[str, Any]) -> None:
            """Delay the start of the answer."""
            if message["type"] == "http.response.start":
                await asyncio.sleep(self.slow_s)
            await send(message)

        await self.app(scope, receive, late)
