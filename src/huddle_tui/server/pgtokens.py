"""Bearer tokens in PostgreSQL, so that every `huddle serve` process on one database accepts the same ones.

A tokens file is read from each machine's own disk, so two processes behind
a load balancer could disagree: a token revoked on one would still work on
the other. With `--database`, tokens live in the huddle_tokens table instead
(migration 2): only each token's SHA-256 and its scope (a team, or NULL for
the org's aggregates), never the token. Each request looks its token's hash
up there, so a token revoked through any process, or by `huddle serve tokens
revoke --database URL`, is refused by every process from its next request.
The lookup is by the hash of a secret the caller holds, so its timing says
nothing about any other token.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from huddle_tui.errors import ConfigError, StoreError
from huddle_tui.server.pgstore import LATEST, connect, describe, schema_version
from huddle_tui.server.tokens import (
    KEY_ID_LEN,
    KEY_ID_MIN,
    Scope,
    digest,
    issue,
    parse_fixed,
)


class DatabaseTokens:
    """The tokens the server accepts: the huddle_tokens table, asked on every request (plus fixed ones)."""

    def __init__(self, pool: ConnectionPool[psycopg.Connection[Any]], fixed: tuple[str, ...] = ()) -> None:
        """Use the store's pool; refuse to start when neither the table nor `fixed` holds a token."""
        self.pool = pool
        self.fixed = parse_fixed(fixed, "$HUDDLE_SERVER_TOKENS")
        if not self.fixed:
            with pool.connection() as conn:
                row = conn.execute("select exists (select 1 from huddle_tokens)").fetchone()
            if not row or not row[0]:
                raise ConfigError("no tokens in the database: the server refuses to start without one "
                                  "(huddle serve tokens add --database URL --team NAME)")

    def scope(self, given: str) -> Scope | None:
        """The scope of a presented token, or None when it is not (or no longer) accepted."""
        wanted = digest(given)
        found = self.fixed.get(wanted)
        if found is not None:
            return found
        try:
            with self.pool.connection() as conn:
                row = conn.execute("select team from huddle_tokens where digest = %s", (wanted,)).fetchone()
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: {type(exc).__name__}") from None
        return None if row is None else Scope(row[0], wanted[:KEY_ID_LEN])


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
