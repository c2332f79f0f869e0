"""A server on PostgreSQL keeps the tokens it accepted, and forgets them when the table says a token changed.

Each case runs against a real PostgreSQL (tests/pg_helpers.py). Keeping is
seen through `known` (what the event loop answers without a lookup); the
revocations come from another connection, by `huddle serve tokens revoke`'s
code and by hand, and the listening connection is cut from the server side
(pg_terminate_backend), as a restart or a network fault would cut it. The
waits are hang guards: a notification arrives in milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import psycopg
import pytest

from huddle_tui.server import pgtokens
from huddle_tui.server.pgchanges import KEYS, TOKENS, Changes
from huddle_tui.server.pgstore import PostgresRecords
from huddle_tui.server.tokens import KEY_ID_LEN, Scope, digest
from tests.pg_helpers import database_url, postgres_server

__all__ = ["database_url", "postgres_server"]  # fixtures, used by name
GUARD_S = 30.0


def eventually(check: Callable[[], bool]) -> bool:
    """Whether `check()` comes true before the hang guard (polled every 10 ms)."""
    deadline = time.monotonic() + GUARD_S
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()


def listening_pids(url: str) -> list[int]:
    """The server processes of connections LISTENing on the tokens' (and keys') channels."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("select pid from pg_stat_activity where datname = current_database() "
                            "and query = %s", (Changes(None, (TOKENS, KEYS)).query,)).fetchall()
    return [int(pid) for (pid,) in rows]


@pytest.fixture
def kept(database_url: str) -> Iterator[tuple[pgtokens.DatabaseTokens, str, str]]:
    """Tokens that listen for changes, the database's URL and a team's token, once the listener is up."""
    token, _ = pgtokens.add_token(database_url, "alpha")
    store = PostgresRecords(database_url, min_size=1, max_size=4, listen=True)
    tokens = pgtokens.DatabaseTokens(store.pool, changes=store.changes)
    try:
        assert eventually(lambda: len(listening_pids(database_url)) == 1)
        yield tokens, database_url, token
    finally:
        tokens.close()
        store.close()


def test_an_accepted_token_is_kept_and_an_unknown_one_never(
        kept: tuple[pgtokens.DatabaseTokens, str, str]) -> None:
    """After one lookup the token is answered without another; a refused token is looked up every time."""
    tokens, _, token = kept
    assert tokens.known(token) is None  # not asked yet
    expected = Scope("alpha", digest(token)[:KEY_ID_LEN])
    assert eventually(lambda: tokens.scope(token) == expected and tokens.known(token) == expected)
    assert tokens.scope("not-a-token-anyone-issued") is None
    assert tokens.known("not-a-token-anyone-issued") is None


def test_without_a_listener_nothing_is_kept(database_url: str) -> None:
    """Tokens with no connection to hear revocations on ask the table on every request."""
    token, _ = pgtokens.add_token(database_url, "alpha")
    store = PostgresRecords(database_url, min_size=1, max_size=4)
    try:
        tokens = pgtokens.DatabaseTokens(store.pool)
        assert tokens.scope(token) == Scope("alpha", digest(token)[:KEY_ID_LEN])
        assert tokens.known(token) is None
    finally:
        store.close()


@pytest.mark.parametrize("how", ["huddle serve tokens revoke", "delete by hand", "truncate", "update"])
def test_a_kept_token_is_forgotten_when_the_table_changes(
        kept: tuple[pgtokens.DatabaseTokens, str, str], how: str) -> None:
    """Revoked through huddle, deleted, truncated away or moved to another team: the next lookup decides."""
    tokens, url, token = kept
    assert eventually(lambda: tokens.scope(token) is not None and tokens.known(token) is not None)
    wanted = digest(token)
    if how == "huddle serve tokens revoke":
        assert pgtokens.revoke_token(url, wanted[:KEY_ID_LEN]) == 1
    else:
        statement = {"delete by hand": "delete from huddle_tokens where digest = %s",
                     "truncate": "truncate huddle_tokens",
                     "update": "update huddle_tokens set team = 'beta' where digest = %s"}[how]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(statement, () if how == "truncate" else (wanted,))
    assert eventually(lambda: tokens.known(token) is None)
    assert tokens.scope(token) == (Scope("beta", wanted[:KEY_ID_LEN]) if how == "update" else None)


def test_a_cut_listening_connection_forgets_and_comes_back(
        kept: tuple[pgtokens.DatabaseTokens, str, str]) -> None:
    """The listener's connection killed by the server: kept tokens go; it reconnects and hears again."""
    tokens, url, token = kept
    assert eventually(lambda: tokens.scope(token) is not None and tokens.known(token) is not None)
    (pid,) = listening_pids(url)
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("select pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
    assert eventually(lambda: tokens.known(token) is None)
    assert eventually(lambda: listening_pids(url) not in ([], [pid]))  # a new connection listens
    assert eventually(lambda: tokens.scope(token) is not None and tokens.known(token) is not None)
    assert pgtokens.revoke_token(url, digest(token)[:KEY_ID_LEN]) == 1
    assert eventually(lambda: tokens.known(token) is None)
    assert tokens.scope(token) is None


def test_a_lookup_that_raced_a_revocation_is_not_kept(
        kept: tuple[pgtokens.DatabaseTokens, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A row read just before a revocation whose notice arrives before the answer: answered, never kept."""
    tokens, _, token = kept
    pool_connection = tokens.pool.connection

    def revoked_while_asking(*args: object, **kwargs: object) -> object:
        """The lookup's connection, with a revocation heard between taking it and keeping the answer."""
        assert tokens.changes is not None
        tokens.changes.changed()  # what the listener does on a notification
        return pool_connection(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tokens.pool, "connection", revoked_while_asking)
    assert tokens.scope(token) is not None
    assert tokens.known(token) is None
