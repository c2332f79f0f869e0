"""A server on PostgreSQL keeps what it read of members' keys ("none pinned" too), forgetting on any change.

Each case runs against a real PostgreSQL (tests/pg_helpers.py), with two
stores on one database standing for two `huddle serve` processes. A check
that needed no query is seen by counting the connections the keys asked
for. The changes come from the other process (a key record it pins or
sets waiting) and by hand (an INSERT into huddle_keys), and the listening
connection is cut from the server side, as a restart or a network fault
would cut it. The waits are hang guards: a notification arrives in
milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import psycopg
import pytest

from huddle_tui.server import keys
from huddle_tui.server.keys import new_key_refusal
from huddle_tui.server.pgstore import PostgresRecords
from tests.pg_helpers import database_url, postgres_server
from tests.test_pg_kept_tokens import eventually, listening_pids
from tests.test_server_keys import checkin, key_record, new_key

__all__ = ["database_url", "postgres_server"]  # fixtures, used by name
TEAM = "default"


def counted(store: PostgresRecords) -> list[int]:
    """A list whose one number grows each time the store's keys take a connection."""
    taken = [0]
    connect: Callable[[], AbstractContextManager[Any]] = store.keys.connect  # type: ignore[attr-defined]

    def counting() -> AbstractContextManager[Any]:
        """The pool's connection, counted."""
        taken[0] += 1
        return connect()

    store.keys.connect = counting  # type: ignore[attr-defined]
    return taken


def listening(store: PostgresRecords) -> bool:
    """Whether the store's process hears of changes now (else it keeps nothing)."""
    return store.changes.ticket() is not None


@pytest.fixture
def two(database_url: str) -> Iterator[tuple[PostgresRecords, PostgresRecords, str]]:
    """Two listening stores on one database (two processes' worth) and its URL, once both listen."""
    stores = (PostgresRecords(database_url, min_size=1, max_size=4, listen=True),
              PostgresRecords(database_url, min_size=1, max_size=4, listen=True))
    try:
        assert eventually(lambda: all(listening(s) for s in stores))
        yield stores[0], stores[1], database_url
    finally:
        for store in stores:
            store.close()


def test_a_member_with_no_key_is_judged_without_a_query_after_the_first(
        two: tuple[PostgresRecords, PostgresRecords, str]) -> None:
    """Unsigned records in Ana's name, no key pinned: the first check asks, the next ones ask nothing."""
    a, _, _ = two
    assert a.check(TEAM, checkin("Ana", None)) is None
    taken = counted(a)
    for _ in range(3):
        assert a.check(TEAM, checkin("Ana", None)) is None
    assert taken == [0]
    assert a.check(TEAM, checkin("Ben", None)) is None  # another member: asked once
    assert taken == [1]


@pytest.mark.parametrize("how", ["pinned by the other process", "inserted by hand"])
def test_a_pin_anywhere_makes_every_process_forget_that_none_was_pinned(
        two: tuple[PostgresRecords, PostgresRecords, str], how: str) -> None:
    """Process A kept "no key for Ana"; Ana's key is pinned elsewhere: A soon refuses her unsigned records."""
    a, b, url = two
    assert a.check(TEAM, checkin("Ana", None)) is None
    key = new_key()
    if how == "pinned by the other process":
        assert b.check(TEAM, key_record("Ana", key.public, key)) is None
    else:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("insert into huddle_keys (team, member, name, key, how, since) "
                         "values (%s, 'ana', 'Ana', %s, 'first', 'now')", (TEAM, key.public))
    assert eventually(lambda: a.check(TEAM, checkin("Ana", None)) is not None)
    assert a.check(TEAM, checkin("Ana", key)) is None


def test_a_key_set_waiting_elsewhere_is_seen(two: tuple[PostgresRecords, PostgresRecords, str]) -> None:
    """A kept "this key waits for no one" goes when the other process sets that key waiting."""
    a, b, _ = two
    first, second = new_key(), new_key()
    assert b.check(TEAM, key_record("Ana", first.public, first)) is None
    assert "signed by a key that is not one of Ana's" in (a.check(TEAM, checkin("Ana", second)) or "")
    assert b.check(TEAM, key_record("Ana", second.public, second)) == new_key_refusal("Ana")  # it waits
    assert eventually(lambda: a.check(TEAM, checkin("Ana", second)) == new_key_refusal("Ana"))


def test_without_a_listener_every_check_asks(database_url: str) -> None:
    """A store that does not listen keeps no negative answer: each check takes a connection."""
    store = PostgresRecords(database_url, min_size=1, max_size=4)
    try:
        assert store.check(TEAM, checkin("Ana", None)) is None
        taken = counted(store)
        for _ in range(3):
            assert store.check(TEAM, checkin("Ana", None)) is None
        assert taken == [3]
    finally:
        store.close()


def test_an_answer_that_raced_a_change_is_not_kept(
        two: tuple[PostgresRecords, PostgresRecords, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A "none pinned" read while a change is heard is answered, and asked again next time."""
    a, _, _ = two
    assert a.check(TEAM, checkin("Ben", None)) is None  # the team's first check (its keys seeded)
    ticket = a.changes.ticket

    def heard_after_the_ticket() -> int | None:
        """A ticket, then a change heard before the answer comes back."""
        taken = ticket()
        a.changes.changed()  # what the listener does on a notification
        return taken

    monkeypatch.setattr(a.changes, "ticket", heard_after_the_ticket)
    assert a.check(TEAM, checkin("Ana", None)) is None
    monkeypatch.setattr(a.changes, "ticket", ticket)
    taken = counted(a)
    assert a.check(TEAM, checkin("Ana", None)) is None
    assert taken == [1]


def test_a_cut_listening_connection_forgets_and_comes_back(
        two: tuple[PostgresRecords, PostgresRecords, str]) -> None:
    """The listener killed by the server: what was kept goes, then it listens and keeps again."""
    a, _, url = two
    assert a.check(TEAM, checkin("Ana", None)) is None
    assert ("default", "ana") in a.keys.unkeyed_members
    pids = set(listening_pids(url))
    with psycopg.connect(url, autocommit=True) as conn:
        for pid in pids:
            conn.execute("select pg_terminate_backend(%s)", (pid,))
    assert eventually(lambda: ("default", "ana") not in a.keys.unkeyed_members)
    assert eventually(lambda: listening(a) and not set(listening_pids(url)) & pids)
    assert a.check(TEAM, checkin("Ana", None)) is None
    taken = counted(a)
    assert a.check(TEAM, checkin("Ana", None)) is None
    assert taken == [0]


def test_what_is_kept_is_bounded_whatever_names_are_sent(
        two: tuple[PostgresRecords, PostgresRecords, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A sender inventing a member name a PUT cannot grow a process's memory: a full set starts again."""
    a, _, _ = two
    monkeypatch.setattr(keys, "MOST_KEPT", 5)
    names = [f"Nobody{n}" for n in range(12)]
    for name in names:
        assert a.check(TEAM, checkin(name, None)) is None
        assert 0 < len(a.keys.unkeyed_members) <= 5
    assert (TEAM, names[-1].casefold()) in a.keys.unkeyed_members


def test_a_change_is_decided_on_the_tables_not_on_a_kept_answer(
        two: tuple[PostgresRecords, PostgresRecords, str]) -> None:
    """A second first key for Ana while this process still holds a stale "no key for Ana": it waits.

    The stale answer stands for a notification still on its way; pinning by
    it would make a second first key (the table's unique index refuses it:
    a 500, not the operator's queue).
    """
    a, b, _ = two
    assert a.check(TEAM, checkin("Ana", None)) is None
    first, second = new_key(), new_key()
    assert b.check(TEAM, key_record("Ana", first.public, first)) is None
    assert eventually(lambda: (TEAM, "ana") not in a.keys.unkeyed_members)
    a.keys.unkeyed_members.add((TEAM, "ana"))  # as if the notification had not arrived yet
    assert a.check(TEAM, key_record("Ana", second.public, second)) == new_key_refusal("Ana")
