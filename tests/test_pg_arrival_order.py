"""A team's writers never wait on each other in PostgreSQL, and a `since` pull still never skips a record.

A record is numbered by its transaction (pgstore's docstring); a page stops
below every transaction still running. Each case holds a transaction open
on a connection of its own, as a slow PUT would, and watches what the store
does meanwhile, against a real PostgreSQL (tests/pg_helpers.py). Thread
joins are hang guards: a PUT that waited on another would hang there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle_tui.model.ids import random_id
from huddle_tui.server import pgstore
from huddle_tui.server.pgstore import PostgresRecords, migrate_database
from huddle_tui.server.store import cursor_text
from huddle_tui.storage.envelope import Record, encode
from tests.pg_helpers import database_url, postgres_server

__all__ = ["database_url", "postgres_server"]  # fixtures, used by name
TEAM = "alpha"
GUARD_S = 30.0


def check_in(member: str = "Ana") -> tuple[Record, bytes]:
    """A new check-in's record and its file bytes."""
    return encode("checkin", random_id(), 1, "2026-11-26", "2026-11-26T09:00:00.000000Z",
                  {"mood": 3, "status": "", "concerns": [], "visibility": "team", "source": "cli",
                   "member": member})


def put_in(conn: psycopg.Connection[object], store: PostgresRecords, record: Record, data: bytes,
           team: str = TEAM) -> None:
    """The store's own PUT statement, on a connection whose transaction the caller ends."""
    conn.execute(pgstore._PUT, (team, record.id, record.version, store.base, record.checksum,
                                record.kind, record.date, record.written_at, data))


def pulled(store: PostgresRecords, cursor: str | None, limit: int = 1000, team: str = TEAM
           ) -> tuple[list[str], str]:
    """Every record id a `since` pull from `cursor` gets now, page by page, and the cursor after."""
    ids: list[str] = []
    while True:
        page = store.page(team, cursor, limit)
        ids += [r.id for r in page.records]
        cursor = page.cursor
        if not page.more:
            return ids, cursor


@pytest.fixture
def store(database_url: str) -> Iterator[PostgresRecords]:
    """The store over a fresh, migrated database."""
    opened = PostgresRecords(database_url, min_size=1, max_size=4)
    try:
        yield opened
    finally:
        opened.close()


def test_a_put_does_not_wait_for_another_put_of_its_team(store: PostgresRecords, database_url: str) -> None:
    """Another PUT of the same team still uncommitted: this one is stored and acknowledged meanwhile."""
    slow, slow_data = check_in("Ben")
    quick, quick_data = check_in("Chen")
    store.put(TEAM, *check_in())  # not its first PUT
    with psycopg.connect(database_url) as other:  # a transaction, held open
        put_in(other, store, slow, slow_data)
        done = threading.Thread(target=store.put, args=(TEAM, quick, quick_data))
        done.start()
        done.join(timeout=GUARD_S)
        assert not done.is_alive(), "a PUT waited for another PUT of its team"
        other.rollback()
    assert store.held(TEAM, quick.id, 1) is not None and store.held(TEAM, slow.id, 1) is None


def test_a_record_committed_after_a_later_one_is_not_skipped(store: PostgresRecords,
                                                             database_url: str) -> None:
    """B numbered above A commits first: a pull meanwhile returns neither, then both, none skipped."""
    store.put(TEAM, *check_in())
    before, cursor = pulled(store, None)
    first, first_data = check_in("Ben")
    second, second_data = check_in("Chen")
    with psycopg.connect(database_url) as slow:
        put_in(slow, store, first, first_data)  # numbered now, committed later
        store.put(TEAM, second, second_data)  # numbered above it, committed at once
        held_back, unchanged = pulled(store, cursor)
        assert held_back == [] and unchanged == cursor  # the cursor does not pass the open transaction
        slow.commit()
    after, _ = pulled(store, cursor)
    assert after == [first.id, second.id]
    assert len(before) == 1 and pulled(store, None)[0] == [*before, first.id, second.id]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["commit", "rollback", "stay"]), st.integers(1, 3)),
                min_size=1, max_size=6), st.integers(1, 4))
def test_pulls_interleaved_with_open_transactions_get_every_committed_record_once(
        store: PostgresRecords, database_url: str, steps: list[tuple[str, int]], limit: int) -> None:
    """Transactions opened, PUTs committed beside them, pulls of small pages between, then each one
    committed or rolled back: the pulls, put together, hold every committed record exactly once."""
    team = f"t{random_id()[:8]}"  # a team of its own each example
    first, first_data = check_in()
    store.put(team, first, first_data)
    cursor: str | None = None
    seen: list[str] = []
    committed: list[str] = [first.id]
    held: list[tuple[psycopg.Connection[object], str, str]] = []
    try:
        for end, quick in steps:
            conn: psycopg.Connection[object] = psycopg.connect(database_url)
            record, data = check_in()
            put_in(conn, store, record, data, team)
            held.append((conn, end, record.id))
            for _ in range(quick):
                other, other_data = check_in()
                store.put(team, other, other_data)
                committed.append(other.id)
            got, cursor = pulled(store, cursor, limit, team)
            seen += got
            for conn, what, rid in [h for h in held if h[1] != "stay"]:
                (conn.commit if what == "commit" else conn.rollback)()
                if what == "commit":
                    committed.append(rid)
                conn.close()
            held = [h for h in held if h[1] == "stay"]
            got, cursor = pulled(store, cursor, limit, team)
            seen += got
        for conn, _, rid in held:
            conn.commit()
            committed.append(rid)
            conn.close()
        held = []
        got, cursor = pulled(store, cursor, limit, team)
        seen += got
    finally:
        for conn, _, _ in held:
            conn.close()
    assert sorted(seen) == sorted(committed) and len(set(seen)) == len(seen)


def test_migration_6_numbers_after_what_a_counter_numbered(postgres_server: str, database_url: str) -> None:
    """A database of schema 5 with records numbered by team counters: after `migrate`, new records
    come after them, and a cursor handed out before the migration goes on without a skip or a repeat."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("drop schema public cascade")
        conn.execute("create schema public")
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        conn.execute("create table huddle_schema (version integer primary key, "
                     "applied_at timestamptz not null default now())")
        for number in range(1, 6):
            conn.execute(pgstore.MIGRATIONS[number - 1].encode())
            conn.execute("insert into huddle_schema (version) values (%s)", (number,))
        old = []
        for seq in range(1, 1001, 100):  # a counter far ahead of the database's transaction ids
            record, data = check_in()
            conn.execute("insert into huddle_teams (name, seq) values (%s, %s) on conflict (name) do update "
                         "set seq = excluded.seq", (TEAM, seq))
            conn.execute("insert into huddle_records (team, id, version, seq, checksum, kind, day, "
                         "written_at, body) values (%s, %s, 1, %s, %s, 'checkin', %s, %s, %s)",
                         (TEAM, record.id, seq, record.checksum, record.date, record.written_at, data))
            old.append(record.id)
        tag = conn.execute("select tag from huddle_store").fetchone()
    assert tag is not None
    assert migrate_database(database_url) == (5, pgstore.LATEST)
    store = PostgresRecords(database_url, min_size=1, max_size=2)
    try:
        assert store.base == 902  # past the highest number a counter gave
        cursor = cursor_text(tag[0], 501)  # handed out before the migration: the first six pulled
        new = [check_in() for _ in range(3)]
        for record, data in new:
            store.put(TEAM, record, data)
        assert pulled(store, cursor)[0] == old[6:] + [r.id for r, _ in new]
    finally:
        store.close()
