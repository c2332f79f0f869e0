"""The bounds `huddle serve` keeps on connections and slow clients, with their defaults.

Plain data, importable without uvicorn, so `huddle serve --help` can show
the defaults cheaply; protocol.py applies them. docs/http.md has the table.
"""

from __future__ import annotations

from typing import NamedTuple


class Limits(NamedTuple):
    """What one server accepts before it refuses (503), answers 408/400, or closes a connection."""

    # Open connections (idle ones included) and running requests. A connection over it first
    # closes the one that has waited longest for its request (idle, or still sending its head);
    # only when every other one is running a request does it get 503. Each connection holds a
    # file descriptor, so this must stay well under `ulimit -n`.
    concurrency: int = 256
    # Seconds a connection may sit idle between requests before it is closed.
    keep_alive: int = 5
    # Seconds a client has to send one whole request (head and body) once the server waits
    # for it; a slower one gets 408 and the connection is closed. Handling time is not counted.
    request_timeout: float = 10.0
    # Bytes of request line and headers; more gets 431 and the connection is closed.
    max_head_bytes: int = 16 * 1024
    # Connections the kernel queues before the server accepts them (capped by somaxconn).
    backlog: int = 2048
    # Seconds a client has to send the request line and headers (within request_timeout).
    header_timeout: float = 5.0
    # Open connections from one peer address; one more closes that peer's longest-waiting one
    # (idle, or still sending its head), or gets 503 when all of them are running requests.
    per_peer: int = 64
