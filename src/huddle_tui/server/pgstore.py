"""Records in PostgreSQL, so that several `huddle serve` processes can serve one organisation.

Nothing is held in memory: every request asks the database. A record's place
in its team's arrival order (`seq`, the number a `since` cursor holds) is its
transaction's id plus a base (huddle_store.base, past every number given
before migration 6). Transaction ids are handed out in order, and PostgreSQL
says which are all finished: everything below the oldest still running (the
xmin of a snapshot). A `since` page returns only records numbered below that
horizon, so a record that commits late, after one numbered above it, is
never skipped: both wait until it ends. No PUT waits for another, of its
team or any other (until migration 6 a counter row per team numbered the
records, and its lock made a team's writers commit one at a time; the
counters' table is gone, and so is the foreign key to it whose check had
each PUT lock its team's row). The
primary key (team, id, version) gives two concurrent PUTs of one version one
winner; the other sees the winner's row once it commits. A PUT is
acknowledged after its transaction commits (synchronous_commit).
Schema migrations are numbered and applied once each by `huddle serve migrate`;
the bearer tokens every process accepts are here too (pgtokens.py: each
process keeps the ones it accepted briefly, and is told of every change), and
so are the members' keys pinned for each team (pgkeys.py: what a process has
read of them it keeps, told of every change in the same way, pgchanges.py).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg_pool import ConnectionPool

from huddle_tui.errors import ConfigError, StoreError
from huddle_tui.server.keys import KeyBook
from huddle_tui.server.orgreport import Answer
from huddle_tui.server.orgtotals import READ_KINDS, Kept, Opened, TeamTotals, open_days, owners_of, stamp
from huddle_tui.server.pgchanges import KEYS, TOKENS, Changes
from huddle_tui.server.pgkeys import PostgresKeys
from huddle_tui.server.state import Stored
from huddle_tui.server.store import REPORTED_KINDS, Page, answer_of, cursor_position, cursor_text
from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import CorruptRecord, Record
from huddle_tui.storage.folder import FolderStore
from huddle_tui.totals.records import CONTRIBUTION

MIGRATIONS: tuple[str, ...] = (
    # 1: teams with their arrival counters, and every record version's envelope bytes.
    """
    create table huddle_teams (
        name text primary key,
        seq bigint not null default 0
    );
    create table huddle_records (
        team text not null references huddle_teams (name),
        id text not null,
        version integer not null,
        seq bigint not null,
        checksum text not null,
        kind text not null,
        day text not null,
        written_at text not null,
        body bytea not null,
        primary key (team, id, version)
    );
    create unique index huddle_records_team_seq on huddle_records (team, seq);
    """,
    # 2: bearer tokens, shared by every server process: a token's SHA-256 and its team (NULL: the org).
    """
    create table huddle_tokens (
        digest text primary key check (digest ~ '^[0-9a-f]{64}$'),
        team text,
        created_at timestamptz not null default now()
    );
    """,
    # 3: members' keys pinned per team (keys.py): a key is one member's, one first key a member;
    # keys refused as a second first key wait for the operator; teams whose stored keys were pinned.
    """
    create table huddle_keys (
        team text not null,
        member text not null,
        name text not null,
        key text not null,
        how text not null check (how in ('first', 'linked', 'accepted')),
        label text not null default '',
        since text not null,
        primary key (team, key)
    );
    create unique index huddle_keys_first on huddle_keys (team, member) where how = 'first';
    create index huddle_keys_member on huddle_keys (team, member);
    create table huddle_keys_waiting (
        team text not null,
        member text not null,
        name text not null,
        key text not null,
        label text not null default '',
        since text not null,
        primary key (team, member, key)
    );
    create table huddle_keys_seeded (team text primary key);
    """,
    # 4: the database's tag, 12 random hex digits made once: the first half of every cursor it hands
    # out (TAG.SEQ), so a cursor of another database, of a folder server or an untagged one starts over.
    """
    create table huddle_store (
        one boolean primary key default true check (one),
        tag text not null check (tag ~ '^[0-9a-f]{12}$')
    );
    insert into huddle_store (tag) values (substr(md5(random()::text || clock_timestamp()::text), 1, 12));
    """,
    # 5: a token changed, deleted or truncated away is told to every process (pgtokens.CHANNEL), which
    # then forgets the tokens it kept: whoever revokes, by `huddle serve tokens revoke` or by hand.
    """
    create function huddle_tokens_changed() returns trigger language plpgsql as $$
    begin
        perform pg_notify('huddle_tokens', '');
        return null;
    end $$;
    create trigger huddle_tokens_changed after update or delete or truncate on huddle_tokens
        for each statement execute function huddle_tokens_changed();
    """,
    # 6: a record's number is its transaction's id plus a base past every number a counter gave, so
    # a team's writers no longer take turns on its counter row (the module's docstring). The counters'
    # table goes, and with it the foreign key whose check had every PUT of a team lock the team's row
    # (shared, but eight at once pile up on one row): a server of before, still running, then fails
    # its PUTs (clients retry) rather than number a record below one already pulled.
    """
    alter table huddle_store add column base bigint not null default 1;
    update huddle_store set base = (select coalesce(max(seq), 0) + 1 from huddle_records);
    drop table huddle_teams cascade;
    """,
    # 7: a key pinned or kept waiting, or any other change to the keys' tables, is told to every
    # process (pgchanges.KEYS), which then forgets what it kept of them, "no key pinned for Ana" too.
    """
    create function huddle_keys_changed() returns trigger language plpgsql as $$
    begin
        perform pg_notify('huddle_keys', '');
        return null;
    end $$;
    create trigger huddle_keys_changed after insert or update or delete or truncate on huddle_keys
        for each statement execute function huddle_keys_changed();
    create trigger huddle_keys_waiting_changed after insert or update or delete or truncate
        on huddle_keys_waiting for each statement execute function huddle_keys_changed();
    """,
)
LATEST = len(MIGRATIONS)
_MIGRATION_LOCK = 0x6875_6464_6C65  # any fixed number: two `migrate`s at once take turns
_PUT = ("insert into huddle_records (team, id, version, seq, checksum, kind, day, written_at, body) "
        "values (%s, %s, %s, pg_current_xact_id()::text::bigint + %s, %s, %s, %s, %s, %s) "
        "on conflict (team, id, version) do nothing returning seq")
_PAGE = ("select seq, body from huddle_records where team = %s and seq > %s "
         "and seq < pg_snapshot_xmin(pg_current_snapshot())::text::bigint + %s order by seq limit %s")


def describe(url: str) -> str:
    """The database a URL names, without its password: for logs and first lines."""
    parts = urlsplit(url)
    host = parts.hostname or "local socket"
    return f"PostgreSQL {parts.path.lstrip('/') or '(default database)'} on {host}"


def connect(url: str) -> psycopg.Connection[Any]:
    """One connection, or a ConfigError saying the database cannot be reached."""
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise ConfigError(f"{describe(url)}: cannot connect ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else 'no detail'})") from None


def schema_version(conn: psycopg.Connection[Any]) -> int:
    """The migrations applied so far (0 on an empty database)."""
    exists = conn.execute("select to_regclass('huddle_schema') is not null").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("select coalesce(max(version), 0) from huddle_schema").fetchone()
    return int(row[0]) if row else 0


def migrate_database(url: str) -> tuple[int, int]:
    """Apply the migrations not yet applied, each in its own transaction; (version before, after)."""
    with connect(url) as conn, conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute("create table if not exists huddle_schema "
                     "(version integer primary key, applied_at timestamptz not null default now())")
        before = schema_version(conn)
        if before > LATEST:
            raise ConfigError(f"{describe(url)}: schema version {before} is newer than this "
                              f"huddle-tui knows ({LATEST}); upgrade huddle-tui")
        for number in range(before + 1, LATEST + 1):
            conn.execute(MIGRATIONS[number - 1].encode())
            conn.execute("insert into huddle_schema (version) values (%s)", (number,))
    return before, LATEST


class PostgresRecords:
    """The RecordStore over a PostgreSQL database (psycopg 3, a connection pool)."""

    def __init__(self, url: str, *, min_size: int = 2, max_size: int = 16, listen: bool = False) -> None:
        """Check the schema is current, then open the pool.

        `listen`: hear of changes to the tokens and keys tables (pgchanges.py),
        so that what was read of them can be kept; a serving process does, a
        one-off command has nothing to keep.
        """
        with connect(url) as conn:
            version = schema_version(conn)
            if version != LATEST:
                raise ConfigError(f"{describe(url)}: schema version {version}, this server needs {LATEST}: "
                                  "run `huddle serve migrate --database URL` first")
            row = conn.execute("select tag, base from huddle_store").fetchone()
        if row is None:
            raise ConfigError(f"{describe(url)}: its huddle_store row is missing; it holds the cursors' tag")
        self.tag: str = row[0]
        self.base: int = int(row[1])  # what a transaction's id is added to, to number its record
        self.url = url
        self.pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url, min_size=min_size, max_size=max_size, open=True, kwargs={"autocommit": True},
            timeout=30, name="huddle")
        self.changes = Changes(url if listen else None, (TOKENS, KEYS))
        self.keys: KeyBook = PostgresKeys(self.pool.connection, self.changes)
        self._opened = Kept()  # the org report's opened days, in this process

    def check(self, team: str, record: Record) -> str | None:
        """Check a record's signer by the team's pins (huddle_keys)."""
        return self.keys.check(team, record)

    def held(self, team: str, rid: str, version: int) -> Record | None:
        """The stored version, if any."""
        try:
            with self.pool.connection() as conn:
                return self._held(conn, (team, rid, version))
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: {type(exc).__name__}") from None

    def put(self, team: str, record: Record, data: bytes) -> Stored:
        """Insert a version once: a replay is a no-op, another body a conflict (one winner, any process).

        One statement, its own transaction: insert the version numbered by
        the transaction (the module's docstring), unless (team, id, version)
        is already there. Numbers have
        gaps (every other transaction of the database takes one), which a
        cursor does not mind.
        """
        key = (team, record.id, record.version)
        try:
            with self.pool.connection() as conn:
                values = (*key, self.base, record.checksum, record.kind, record.date, record.written_at, data)
                inserted = conn.execute(_PUT, values).fetchone()
                held = None if inserted is not None else self._held(conn, key)
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: {type(exc).__name__}") from None
        if inserted is not None:
            return Stored(True, False, record)
        if held is None:  # the winner's row is committed before `do nothing` returns; never absent
            raise StoreError("PostgreSQL: a version refused as present cannot be read")
        return Stored(False, held.checksum != record.checksum, held)

    @staticmethod
    def _held(conn: psycopg.Connection[Any], key: tuple[str, str, int]) -> Record | None:
        """The stored record for (team, id, version), if any."""
        row = conn.execute("select body from huddle_records where team = %s and id = %s and version = %s",
                           key).fetchone()
        return None if row is None else envelope.decode(bytes(row[0]))

    def latest(self, team: str, rid: str) -> Record | None:
        """The latest version of one record, by the merge rule."""
        with self.pool.connection() as conn:
            rows = conn.execute("select body from huddle_records where team = %s and id = %s",
                                (team, rid)).fetchall()
        found: Record | None = None
        for (body,) in rows:
            try:
                record = envelope.decode(bytes(body))
            except CorruptRecord:
                continue
            if found is None or record.supersedes(found):
                found = record
        return found

    def page(self, team: str, since: str | None, limit: int) -> Page:
        """The team's records numbered after the cursor, in arrival order, up to the horizon.

        The horizon: records of transactions older than every one still
        running. One still running may yet commit a record numbered below a
        later one's, so neither is returned until it ends (milliseconds, for a
        PUT); the cursor never passes a number a record could still take. A
        transaction left open anywhere on the cluster holds pages back too,
        until it ends (docs/http.md: idle_in_transaction_session_timeout).
        """
        after = cursor_position(since, self.tag)
        with self.pool.connection() as conn:
            rows = conn.execute(_PAGE, (team, after, self.base, limit + 1)).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        records = []
        for _, body in rows:
            try:
                records.append(envelope.decode(bytes(body)))
            except CorruptRecord:
                continue
        end = int(rows[-1][0]) if rows else after
        return Page(records, cursor_text(self.tag, end), more)

    def answers(self, start: str, end: str) -> Iterator[Answer]:
        """Every team's latest check-in and signpost versions in start..end, streamed (never all held)."""
        with self.pool.connection() as conn, conn.transaction(), conn.cursor(name="org_report") as cur:
            cur.itersize = 2000
            cur.execute("select distinct on (team, id) team, body from huddle_records "
                        "where kind = any(%s) and day between %s and %s "
                        "order by team, id, version desc, written_at desc, checksum desc",
                        (list(REPORTED_KINDS), start, end))
            for team, body in cur:
                try:
                    record = envelope.decode(bytes(body))
                except CorruptRecord:
                    continue
                if not record.deleted:
                    yield answer_of(team, record)

    def opened_totals(self, start: str, end: str, today: date) -> dict[str, TeamTotals]:
        """Each team with contributions: its first contribution's day, and its days in start..end opened.

        A day opens from its files as every reader's does (totals/view.py), so
        the day's aggregation records and check-ins are copied into a folder
        of their own for the reading, and the folder is removed after.
        """
        with self.pool.connection() as conn:
            firsts = conn.execute("select team, min(day) from huddle_records where kind = %s group by team "
                                  "order by team", (CONTRIBUTION,)).fetchall()
        out = {}
        for team, since in firsts:
            name = str(team)
            owners = owners_of((p.name, p.key, p.how) for p in self.keys.listing(name))
            with self.pool.connection() as conn:
                days = [str(d) for (d,) in conn.execute(
                    "select distinct day from huddle_records where team = %s and kind = %s "
                    "and day between %s and %s order by day", (name, CONTRIBUTION, start, end))]
                rows = conn.execute("select day, id, max(version) from huddle_records where team = %s "
                                    "and day = any(%s) and kind = any(%s) group by day, id",
                                    (name, days, list(READ_KINDS))).fetchall() if days else []
            versions: dict[str, list[tuple[str, int]]] = {d: [] for d in days}
            for day, rid, version in rows:
                versions[str(day)].append((str(rid), int(version)))
            stamps = {d: stamp(today, owners, found) for d, found in versions.items()}
            opener = partial(self._open_days, name, owners, today=today)
            out[name] = TeamTotals(str(since), self._opened.days(name, stamps, opener))
        return out

    def _open_days(self, team: str, owners: dict[str, str], days: list[str], *,
                   today: date) -> dict[str, Opened]:
        """Open `days` of a team from a folder of their own, made of the day's records for the reading."""
        with self.pool.connection() as conn:
            bodies = [bytes(b) for (b,) in conn.execute(
                "select body from huddle_records where team = %s and day = any(%s) and kind = any(%s)",
                (team, days, list(READ_KINDS)))]
        with tempfile.TemporaryDirectory(prefix="huddle-org-") as folder:
            store = FolderStore(Path(folder), durable=False)
            for body in bodies:
                try:
                    record = envelope.decode(body)
                except CorruptRecord:
                    continue
                store.write(record, body, anonymous=record.written_at == record.date)
            return open_days(store, team, owners, days, today)

    def ready(self) -> bool:
        """The database answers a trivial query."""
        with self.pool.connection(timeout=5) as conn:
            conn.execute("select 1")
        return True

    def close(self) -> None:
        """Stop listening and close the pool's connections."""
        self.changes.close()
        self.pool.close()
