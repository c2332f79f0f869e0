"""The HTTP outbox: what an endpoint has not yet accepted, on local disk, in SQLite (WAL).

A record enters the outbox once its file is durable in the shared folder
(the journal notes the file first, so a crash in between is settled from the
folder the next time: see sync/replicate.py) and leaves it only when the
endpoint answers 2xx. A retryable failure puts the endpoint in backoff; a
permanent one (any other 4xx) moves the item to the dead-letter state, where
`huddle sync --status` shows it until `huddle sync --retry-dead`. Nothing
is dropped silently. Private records never enter: the journal does not hand
them over, and `add_record` refuses them again.

SQLite's WAL mode does not work over a network filesystem, so the database
lives in the user data dir (paths.outbox_file), never in the shared folder.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from huddle_tui import paths
from huddle_tui.config.team import Endpoint
from huddle_tui.errors import RefusedError, StoreError
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.fileio import private_db_file

PENDING = "pending"
DEAD = "dead"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint TEXT NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at REAL NOT NULL,
    UNIQUE (endpoint, key)
);
CREATE INDEX IF NOT EXISTS items_due ON items (endpoint, state, seq);
CREATE TABLE IF NOT EXISTS intents (
    path TEXT PRIMARY KEY,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS endpoints (
    endpoint TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0,
    sent INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_error_at REAL,
    last_sent_at REAL,
    cursor TEXT
);
"""


class Item(NamedTuple):
    """One request waiting for an endpoint: a record PUT or a chat POST."""

    seq: int
    endpoint: str
    key: str
    label: str
    method: str
    path: str
    body: bytes
    state: str
    attempts: int
    last_error: str | None


class EndpointStatus(NamedTuple):
    """What `huddle sync --status` shows for one endpoint."""

    endpoint: str
    pending: int
    dead: int
    sent: int
    failures: int
    next_at: float
    last_error: str | None
    last_error_at: float | None
    last_sent_at: float | None


def endpoint_key(endpoint: Endpoint) -> str:
    """A stable key for an endpoint: its name, else format, host and a hash of the URL.

    Never the URL itself: a chat webhook's URL may be its secret, and the key
    is shown by `huddle sync --status`.
    """
    if endpoint.name:
        return endpoint.name
    import hashlib

    host = endpoint.url.split("/", 3)[2] if endpoint.url.count("/") >= 2 else "?"
    return f"{endpoint.format} {host} #{hashlib.sha256(endpoint.url.encode()).hexdigest()[:8]}"


class Outbox:
    """The outbox database. One instance per thread (sqlite3 connections are per thread)."""

    def __init__(self, path: Path | None = None, *, clock: Callable[[], float] = time.time,
                 durable: bool = True) -> None:
        """Open (creating) the database; `durable` fsyncs every commit, for enqueuing."""
        self.path = path or paths.outbox_file()
        self.clock = clock
        try:
            private_db_file(self.path)
            self.db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # Enqueuing must survive a power cut; a lost "sent" mark only means a resend,
            # which the endpoint takes idempotently, so the sender need not fsync each one.
            self.db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self.db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: the outbox cannot be opened ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: the outbox cannot be opened ({exc.strerror or exc})") from None

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Outbox:
        """Use as a context manager so the connection is always closed."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on the way out."""
        self.close()

    # ------------------------------------------------------------ adding

    def add(self, endpoint: str, key: str, label: str, method: str, path: str, body: bytes) -> bool:
        """Queue one request; False when the same key is already queued (or dead) for it."""
        try:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO items (endpoint, key, label, method, path, body, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (endpoint, key, label, method, path, body, self.clock()))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot queue for the endpoint ({exc})") from None
        return cur.rowcount == 1

    def add_record(self, endpoint: str, record: Record) -> bool:
        """Queue a record's PUT; a private record is refused here too, whoever asks."""
        from huddle_tui.sync import wire

        if record.payload.get("visibility") == "private":
            raise RefusedError("private records never enter the outbox")
        key = wire.idempotency_key(record.id, record.version)
        return self.add(endpoint, key, f"{record.kind} {record.date} v{record.version}", "PUT",
                        f"/v1/records/{record.id}", wire.body(record))

    # ------------------------------------------------------------ intents

    def intend(self, path: str) -> None:
        """Note a record file about to be written, so a crash before it is queued is settled later."""
        try:
            self.db.execute("INSERT OR REPLACE INTO intents (path, created_at) VALUES (?, ?)",
                            (path, self.clock()))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot note a record for the endpoint ({exc})") from None

    def settle(self, path: str, queue: list[tuple[str, Record]]) -> None:
        """The noted file is durable: queue its PUTs and drop the note, in one transaction."""
        try:
            with self._tx():
                for endpoint, record in queue:
                    self.add_record(endpoint, record)
                self.db.execute("DELETE FROM intents WHERE path = ?", (path,))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot queue for the endpoint ({exc})") from None

    def intents(self) -> list[str]:
        """Record files noted but not yet settled (a crash came between the two)."""
        return [str(row[0]) for row in self.db.execute("SELECT path FROM intents ORDER BY created_at")]

    # ------------------------------------------------------------ sending

    def next_pending(self, endpoint: str, after: int = 0) -> Item | None:
        """The oldest pending item of an endpoint queued after `after` (a seq)."""
        row = self.db.execute(
            "SELECT seq, endpoint, key, label, method, path, body, state, attempts, last_error"
            " FROM items WHERE endpoint = ? AND state = ? AND seq > ? ORDER BY seq LIMIT 1",
            (endpoint, PENDING, after)).fetchone()
        return Item(*row) if row else None

    def mark_sent(self, item: Item) -> None:
        """The endpoint accepted it: remove it and reset the endpoint's backoff."""
        with self._tx():
            self.db.execute("DELETE FROM items WHERE seq = ?", (item.seq,))
            self._touch(item.endpoint)
            self.db.execute("UPDATE endpoints SET sent = sent + 1, failures = 0, next_at = 0,"
                            " last_sent_at = ? WHERE endpoint = ?", (self.clock(), item.endpoint))

    def mark_retry(self, item: Item, error: str, failures: int, next_at: float) -> None:
        """A retryable failure: count the attempt, put the endpoint in backoff until `next_at`."""
        with self._tx():
            self.db.execute("UPDATE items SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
                            (error, item.seq))
            self._touch(item.endpoint)
            self.db.execute("UPDATE endpoints SET failures = ?, next_at = ?, last_error = ?,"
                            " last_error_at = ? WHERE endpoint = ?",
                            (failures, next_at, error, self.clock(), item.endpoint))

    def mark_dead(self, item: Item, error: str) -> None:
        """A permanent refusal: keep the item, visibly, in the dead-letter state."""
        with self._tx():
            self.db.execute("UPDATE items SET state = ?, attempts = attempts + 1, last_error = ?"
                            " WHERE seq = ?", (DEAD, error, item.seq))
            self._touch(item.endpoint)
            self.db.execute("UPDATE endpoints SET last_error = ?, last_error_at = ? WHERE endpoint = ?",
                            (error, self.clock(), item.endpoint))

    def note_error(self, endpoint: str, error: str) -> None:
        """Remember an endpoint-level error (a failed pull) for the status line."""
        with self._tx():
            self._touch(endpoint)
            self.db.execute("UPDATE endpoints SET last_error = ?, last_error_at = ? WHERE endpoint = ?",
                            (error, self.clock(), endpoint))

    def retry_dead(self, endpoint: str | None = None) -> int:
        """Put dead-letter items back in the queue (after a fix); returns how many."""
        with self._tx():
            cur = self.db.execute(
                "UPDATE items SET state = ? WHERE state = ?" + (" AND endpoint = ?" if endpoint else ""),
                (PENDING, DEAD, endpoint) if endpoint else (PENDING, DEAD))
            self.db.execute("UPDATE endpoints SET failures = 0, next_at = 0"
                            + (" WHERE endpoint = ?" if endpoint else ""),
                            (endpoint,) if endpoint else ())
        return cur.rowcount

    def backoff(self, endpoint: str) -> tuple[int, float]:
        """An endpoint's failures in a row and the time before which not to try it."""
        row = self.db.execute("SELECT failures, next_at FROM endpoints WHERE endpoint = ?",
                              (endpoint,)).fetchone()
        return (int(row[0]), float(row[1])) if row else (0, 0.0)

    # ------------------------------------------------------------ pulling

    def cursor(self, endpoint: str) -> str | None:
        """Where the last pull from an endpoint stopped."""
        row = self.db.execute("SELECT cursor FROM endpoints WHERE endpoint = ?", (endpoint,)).fetchone()
        return str(row[0]) if row and row[0] is not None else None

    def set_cursor(self, endpoint: str, cursor: str) -> None:
        """Remember where a pull stopped, once its records are in the shared folder."""
        with self._tx():
            self._touch(endpoint)
            self.db.execute("UPDATE endpoints SET cursor = ? WHERE endpoint = ?", (cursor, endpoint))

    # ------------------------------------------------------------ reporting

    def status(self, endpoints: list[str] | None = None) -> list[EndpointStatus]:
        """Pending, dead and sent counts with the last error, per endpoint."""
        counts: dict[tuple[str, str], int] = {
            (e, s): n for e, s, n in self.db.execute(
                "SELECT endpoint, state, COUNT(*) FROM items GROUP BY endpoint, state")}
        rows = {r[0]: r for r in self.db.execute(
            "SELECT endpoint, failures, next_at, sent, last_error, last_error_at, last_sent_at"
            " FROM endpoints")}
        names = list(endpoints or [])
        names += sorted(({e for e, _ in counts} | set(rows)) - set(names))
        out = []
        for name in names:
            r = rows.get(name, (name, 0, 0.0, 0, None, None, None))
            out.append(EndpointStatus(name, counts.get((name, PENDING), 0), counts.get((name, DEAD), 0),
                                      int(r[3]), int(r[1]), float(r[2]), r[4], r[5], r[6]))
        return out

    def items(self, endpoint: str | None = None, state: str | None = None) -> list[Item]:
        """Queued items (for reports and tests), oldest first."""
        sql = ("SELECT seq, endpoint, key, label, method, path, body, state, attempts, last_error"
               " FROM items WHERE 1=1")
        args: list[str] = []
        if endpoint is not None:
            sql, args = sql + " AND endpoint = ?", [*args, endpoint]
        if state is not None:
            sql, args = sql + " AND state = ?", [*args, state]
        return [Item(*row) for row in self.db.execute(sql + " ORDER BY seq", args)]

    # ------------------------------------------------------------ helpers

    def _touch(self, endpoint: str) -> None:
        """Make sure an endpoint has its row."""
        self.db.execute("INSERT OR IGNORE INTO endpoints (endpoint) VALUES (?)", (endpoint,))

    def _tx(self) -> _Transaction:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, or ROLLBACK on error)."""
        return _Transaction(self.db)


class _Transaction:
    """BEGIN IMMEDIATE, then COMMIT or ROLLBACK: several writes land together or not at all."""

    def __init__(self, db: sqlite3.Connection) -> None:
        """Remember the connection."""
        self.db = db

    def __enter__(self) -> None:
        """Take the write lock now, so a concurrent writer waits instead of failing later."""
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        """Commit, or roll back when the block raised."""
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
