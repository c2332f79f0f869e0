"""Hearing of every change to the tables a server process keeps answers from (PostgreSQL mode).

A process may keep what it read from huddle_tokens and the members' keys
tables (a token's scope, "no key is pinned for Ana") only while it would
hear of a change to them. Triggers (migrations 5 and 7) notify a channel
on each change; one connection per process LISTENs on those channels and,
on each notification, makes every keeper forget what it kept.

The rule every keeper follows: take a `ticket()` before asking the
database, and `keep()` the answer with it. The answer is kept only if the
process was listening when the ticket was taken and nothing was heard
since, so an answer read before a change but kept after it is never kept.
While the listening connection is down nothing is kept and every question
goes to the database. What is left is the notification's delivery, a few
milliseconds after the change commits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import psycopg

TOKENS = "huddle_tokens"
"""The channel migration 5's trigger notifies when huddle_tokens changes (anything but an insert)."""
KEYS = "huddle_keys"
"""The channel migration 7's trigger notifies on any change to the keys' two tables."""
_RETRY_S = 1.0


class Changes:
    """One LISTENing connection a process, and the count of changes it has heard."""

    def __init__(self, url: str | None, channels: Sequence[str]) -> None:
        """Listen to `channels` on `url` from a thread of its own; with no URL never listen: keep nothing."""
        self.channels = tuple(channels)
        self._lock = threading.Lock()
        self._generation = 0  # counts forgettings: an answer asked for before one is not kept
        self._listening = False
        self._forgets: list[Callable[[], None]] = []
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        if url is not None:
            self._listener = threading.Thread(target=self._listen, args=(url,), daemon=True,
                                              name="huddle-table-changes")
            self._listener.start()

    @property
    def query(self) -> str:
        """The statement the listening connection runs (what pg_stat_activity shows for it)."""
        return "; ".join(f"listen {channel}" for channel in self.channels)

    def on_change(self, forget: Callable[[], None]) -> None:
        """Call `forget` (under the lock) whenever a change is heard or listening starts or stops."""
        with self._lock:
            self._forgets.append(forget)

    def ticket(self) -> int | None:
        """What to hand back to keep(): None while not listening (then nothing may be kept)."""
        with self._lock:
            return self._generation if self._listening else None

    def keep(self, ticket: int | None, store: Callable[[], None]) -> bool:
        """Run `store` if the ticket is still good (listening, nothing heard since); whether it ran."""
        if ticket is None:
            return False
        with self._lock:
            if ticket != self._generation or not self._listening:
                return False
            store()
            return True

    def changed(self, listening: bool | None = None) -> None:
        """Forget everything kept: a change was heard or made here (`listening`: the connection changed)."""
        with self._lock:
            self._generation += 1
            if listening is not None:
                self._listening = listening
            for forget in self._forgets:
                forget()

    def close(self) -> None:
        """Stop listening (the connection closes within a second)."""
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=5)

    def _listen(self, url: str) -> None:
        """Hold a connection LISTENing; forget on each notification, reconnecting when it drops."""
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(self.query)
                    self.changed(listening=True)
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=_RETRY_S):
                            self.changed()
            except psycopg.Error:
                pass
            finally:
                self.changed(listening=False)
            self._stop.wait(_RETRY_S)
