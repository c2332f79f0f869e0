"""Bearer tokens in PostgreSQL, so that every `huddle serve` process on one database accepts the same ones.

A tokens file is read from each machine's own disk, so two processes behind
a load balancer could disagree: a token revoked on one would still work on
the other. With `--database`, tokens live in the huddle_tokens table instead
(migration 2): only each token's SHA-256 and its scope (a team, or NULL for
the org's aggregates), never the token. The lookup is by the hash of a
secret the caller holds, so its timing says nothing about any other token.

Each process keeps the tokens it accepted for KEPT_S seconds, so a PUT costs
no lookup of its own (a pool checkout and a round trip, a tenth of a durable
PUT). That is safe against revocation because the table tells: a trigger
(migration 5) notifies the channel pgchanges.TOKENS whenever a token is changed,
deleted or the table truncated, by `huddle serve tokens revoke` or by hand,
and the process's listening connection (pgchanges.py) makes it forget every
kept token when it hears one. While that connection is down nothing is kept
and every request asks the table, as before; a lookup that raced a
revocation is never kept. What is left is the notification's delivery, a
few milliseconds after the revocation commits, and, if the listening
connection died without the process noticing, at most KEPT_S.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from huddle_tui.errors import ConfigError, StoreError
from huddle_tui.server.pgchanges import Changes
from huddle_tui.server.pgstore import LATEST, connect, describe, schema_version
from huddle_tui.server.tokens import (
    KEY_ID_LEN,
    KEY_ID_MIN,
    Scope,
    digest,
    issue,
    parse_fixed,
)

KEPT_S = 10.0
"""How long a process keeps a token it accepted: the bound if its listening connection dies unseen."""


class DatabaseTokens:
    """The tokens the server accepts: the huddle_tokens table (and fixed ones), the accepted kept a while."""

    def __init__(self, pool: ConnectionPool[psycopg.Connection[Any]], fixed: tuple[str, ...] = (), *,
                 changes: Changes | None = None) -> None:
        """Use the store's pool; refuse to start when neither the table nor `fixed` holds a token.

        `changes`: the process's listening connection, which says when a
        token may have been revoked. Without it nothing is kept and every
        request asks the table.
        """
        self.pool = pool
        self.fixed = parse_fixed(fixed, "$HUDDLE_SERVER_TOKENS")
        if not self.fixed:
            with pool.connection() as conn:
                row = conn.execute("select exists (select 1 from huddle_tokens)").fetchone()
            if not row or not row[0]:
                raise ConfigError("no tokens in the database: the server refuses to start without one "
                                  "(huddle serve tokens add --database URL --team NAME)")
        self._kept: dict[str, tuple[Scope, float]] = {}
        self.changes = changes
        if changes is not None:
            changes.on_change(self._kept.clear)

    def known(self, given: str) -> Scope | None:
        """The scope of a token fixed or kept (no I/O, for the event loop); None: ask `scope`."""
        wanted = digest(given)
        found = self.fixed.get(wanted)
        if found is not None:
            return found
        kept = self._kept.get(wanted)  # the listener's thread may clear it meanwhile: single dict calls only
        if kept is None:
            return None
        if kept[1] <= time.monotonic():
            self._kept.pop(wanted, None)
            return None
        return kept[0]

    def scope(self, given: str) -> Scope | None:
        """The scope of a presented token, or None when it is not (or no longer) accepted."""
        wanted = digest(given)
        found = self.fixed.get(wanted)
        if found is not None:
            return found
        ticket = None if self.changes is None else self.changes.ticket()
        try:
            with self.pool.connection() as conn:
                row = conn.execute("select team from huddle_tokens where digest = %s", (wanted,)).fetchone()
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: {type(exc).__name__}") from None
        if row is None:
            return None
        found = Scope(row[0], wanted[:KEY_ID_LEN])
        if self.changes is not None:

            def store() -> None:
                """Keep the token's scope until KEPT_S from now."""
                self._kept[wanted] = (found, time.monotonic() + KEPT_S)

            self.changes.keep(ticket, store)
        return found

    def close(self) -> None:
        """Nothing to release: the listening connection is the store's (PostgresRecords.close)."""


def _open(url: str) -> psycopg.Connection[Any]:
    """A connection to a database whose schema has the tokens table (else: run migrate)."""
    conn = connect(url)
    version = schema_version(conn)
    if version < LATEST:
        conn.close()
        raise ConfigError(f"{describe(url)}: schema version {version}, tokens need {LATEST}: "
                          "run `huddle serve migrate --database URL` first")
    return conn


def add_token(url: str, team: str | None) -> tuple[str, str]:
    """Store a new random token's hash for `team` (None: the org's aggregates); (token, id)."""
    token, hexdigest = issue(team)
    with _open(url) as conn:
        conn.execute("insert into huddle_tokens (digest, team) values (%s, %s)", (hexdigest, team))
    return token, hexdigest[:KEY_ID_LEN]


def list_tokens(url: str) -> list[Scope]:
    """Every token in the database with its scope, oldest first, by the id of its hash."""
    with _open(url) as conn:
        rows = conn.execute("select digest, team from huddle_tokens order by created_at, digest").fetchall()
    return [Scope(team, hexdigest[:KEY_ID_LEN]) for hexdigest, team in rows]


def revoke_token(url: str, key_id: str) -> int:
    """Delete the token whose id (a prefix of its hash, 6+ characters) is `key_id`; how many removed."""
    if len(key_id) < KEY_ID_MIN or not all(c in "0123456789abcdef" for c in key_id):
        raise ConfigError(f"give at least {KEY_ID_MIN} hex characters of the token's id "
                          "(see huddle serve tokens list)")
    with _open(url) as conn, conn.transaction():
        rows = conn.execute("select digest from huddle_tokens where starts_with(digest, %s) for update",
                            (key_id,)).fetchall()
        if len(rows) > 1:
            raise ConfigError(f"{key_id} matches {len(rows)} tokens; give more of its id")
        conn.execute("delete from huddle_tokens where starts_with(digest, %s)", (key_id,))
    return len(rows)
