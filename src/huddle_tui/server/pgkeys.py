"""The members' keys pinned per team in PostgreSQL (migration 3), shared by every server process.

The rules are keys.py's; here they run over the huddle_keys tables. A
change takes a transaction-scoped advisory lock on the team, so two
processes pinning keys for one team take turns, and the tables' unique
constraints would refuse a second first key for a member even without it.
The keys of records stored before this check existed are pinned once per
team, on that team's first check by any process (huddle_keys_seeded says
it is done), as trust on first use would have pinned them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import psycopg

from huddle_tui.errors import StoreError
from huddle_tui.server.keys import Claim, Db, KeyBook, claim_of
from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import CorruptRecord

if TYPE_CHECKING:
    from huddle_tui.server.pgchanges import Changes

_LOCK_CLASS = 0x6B6579  # any fixed number: the first half of the team's advisory lock key

Connect = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]


class PostgresKeys(KeyBook):
    """The pins in the database: `connect` gives an autocommit connection (the pool's, or one of its own)."""

    def __init__(self, connect: Connect, changes: Changes | None = None) -> None:
        """Use `connect` for every read and change; `changes`: see KeyBook."""
        super().__init__(changes)
        self.connect = connect
        self._seeded: set[str] = set()

    @contextmanager
    def reading(self, team: str) -> Iterator[Db]:
        """A connection, its errors said as a StoreError (a 500 the client retries)."""
        try:
            with self.connect() as conn:
                yield conn
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: {type(exc).__name__}") from None

    @contextmanager
    def writing(self, team: str) -> Iterator[Db]:
        """A transaction holding the team's advisory lock until it ends.

        What this process kept is forgotten once it commits, not only when
        the notification of the change comes back a moment later.
        """
        try:
            with self.connect() as conn, conn.transaction():
                conn.execute("select pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_CLASS, team))
                yield conn
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: {type(exc).__name__}") from None
        finally:
            if self.changes is not None:
                self.changes.changed()

    def prepare(self, team: str) -> None:
        """Pin the keys of the team's stored key records, once ever (the first check of any process)."""
        if team in self._seeded:
            return
        with self.writing(team) as db:
            if db.execute("select 1 from huddle_keys_seeded where team = %s", (team,)).fetchone() is None:
                rows = db.execute("select body from huddle_records where team = %s and kind = 'key' "
                                  "order by seq", (team,)).fetchall()
                self.seed_in(db, team, _claims(rows))
                db.execute("insert into huddle_keys_seeded (team) values (%s)", (team,))
        self._seeded.add(team)


def _claims(rows: list[tuple[Any, ...]]) -> list[Claim]:
    """The key claims among stored record bodies (in arrival order)."""
    out = []
    for (body,) in rows:
        try:
            claim = claim_of(envelope.decode(bytes(body)))
        except CorruptRecord:
            continue
        if claim is not None:
            out.append(claim)
    return out
