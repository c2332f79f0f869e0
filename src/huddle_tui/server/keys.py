"""The members' keys the reference server has pinned for each team, and the check of a PUT by them.

A team that syncs only through the endpoint has no shared folder whose key
records each machine judges for itself, so the server judges too, by the
rules of trust on first use that rules/authorship.py applies on each
machine, but with no roster (the server knows none) and with pins that are
the server's own, never a file a teammate can write:

- the first self-signed `key` record seen for a member pins its key as that
  member's; a `key` record signed by a pinned key of the same member pins
  the key it publishes (a second machine, linked); a key is one member's;
- another first key for a member already pinned is refused (422) and kept
  waiting, until the team has compared its fingerprint and the server's
  operator accepts it (`huddle serve keys accept`);
- a record naming a member must be signed by a pinned key of that member,
  or be a proxy entry signed by another member's pinned key that says so in
  `keyed_by` (never a placeholder, a tombstone or a kind only the member
  may sign); with no key pinned for the member there is nothing to compare
  with, so it is accepted, signed or not, exactly as before keys existed;
- an anonymous record must be signed by the one-time key its id is derived
  from (a concern's follow-up may be closed by any pinned key); a team
  record (huddle, handoff, pairs) by any pinned key. Unsigned ones are
  accepted only while the team has no pinned key at all: the server cannot
  know whether a record's date is honest, so it cannot tell an old record
  from a new one made to look old.

The pins live in SQL: a SQLite file in the server's data folder for the
folder store, tables in the database for PostgreSQL (pgkeys.py).
What a process has read of them it keeps (View says what and when), so a
PUT whose signer or member it has asked about before costs no query. Every
change is one transaction holding the team's lock, and the tables' unique
constraints (a key is one member's; one first key a member) hold even if
two processes race, so two server processes never pin two first keys.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from huddle_tui.errors import ConfigError, StoreError
from huddle_tui.rules.authorship import TEAM_KINDS, proxy_refusal
from huddle_tui.storage.envelope import Record

if TYPE_CHECKING:
    from huddle_tui.server.pgchanges import Changes

FIRST, LINKED, ACCEPTED, WAITING = "first", "linked", "accepted", "waiting"
MOST_KEPT = 10_000  # negative answers a process keeps of each sort (View.kept_none)
NAME_SHOWN = 40  # a name is cut to this many characters in an error line (clients show 300 at most)
SCHEMA = (
    # Pinned keys: a key is one member's in a team (the primary key), one first key a member.
    """create table if not exists huddle_keys (
        team text not null,
        member text not null,
        name text not null,
        key text not null,
        how text not null check (how in ('first', 'linked', 'accepted')),
        label text not null default '',
        since text not null,
        primary key (team, key)
    )""",
    "create unique index if not exists huddle_keys_first on huddle_keys (team, member) where how = 'first'",
    "create index if not exists huddle_keys_member on huddle_keys (team, member)",
    # Keys refused as a second first key, kept so the operator can accept one by its fingerprint.
    """create table if not exists huddle_keys_waiting (
        team text not null,
        member text not null,
        name text not null,
        key text not null,
        label text not null default '',
        since text not null,
        primary key (team, member, key)
    )""",
)


class Db(Protocol):
    """What the rules need of a connection: sqlite3's and psycopg's `execute` both fit."""

    def execute(self, query: Any, params: Any = ..., /) -> Any:
        """Run one statement; the result has fetchone() and fetchall()."""


class Owner(NamedTuple):
    """The member a pinned key belongs to: folded (to compare) and as first published (to show)."""

    member: str
    name: str


class PinnedKey(NamedTuple):
    """One row of `huddle serve keys list`: a key pinned (first, linked, accepted) or waiting."""

    team: str
    name: str
    key: str
    how: str
    label: str
    since: str


class Claim(NamedTuple):
    """What a `key` record says: this key is this member's, vouched for by its signer."""

    member: str
    key: str
    signer: str
    label: str


def claim_of(record: Record) -> Claim | None:
    """The claim of a live, signed, well-formed `key` record (None for anything else)."""
    from huddle_tui.storage.validate import problem

    if record.kind != "key" or record.deleted or not record.signer or problem("key", record.payload):
        return None
    p = record.payload
    return Claim(p["member"], p["key"], record.signer, str(p.get("label", ""))[:80])


def shown(name: str) -> str:
    """A member's name as an error line shows it: cut short (it is the sender's text)."""
    return name if len(name) <= NAME_SHOWN else name[:NAME_SHOWN - 1] + "…"


def new_key_refusal(name: str) -> str:
    """Why a second first key for a pinned member (or a record it signed) is refused: what to do."""
    return (f"a new key for {shown(name)}: confirm it on the team's machines (huddle keys) "
            "and ask the server's operator to accept it")


def _now() -> str:
    """The time a pin is made, as a list shows it (UTC, to the second)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fingerprint_digits(text: str) -> str:
    """A fingerprint as typed (groups, spaces), reduced to its digits; ConfigError if it is none."""
    digits = "".join(text.split())
    if not digits.isascii() or not digits.isdigit() or not 10 <= len(digits) <= 30:
        raise ConfigError("--fingerprint: give the key's fingerprint as `huddle keys` shows it "
                          "(30 digits in groups of five; the first two groups or more)")
    return digits


class Unasked(Exception):
    """A view with no connection was asked what only the tables know: ask again with one."""


class View:
    """The pins of one team as the rules ask about them, over one connection (or none).

    Pins are never taken back, so what a committed read found pinned stays
    pinned: a reading view keeps each positive answer in the book, and a
    record signed by a key seen before costs no query. A negative answer
    ("no key pinned for Ana", "this key waits for no one") can change when
    another process pins a key, so it is kept only while the book hears of
    every change to the tables (PostgreSQL's notifications, pgchanges.py),
    and only if none was heard since the view began asking. Nothing is kept
    from a transaction (it might not commit).
    """

    def __init__(self, book: KeyBook, db: Db | None, team: str, *, remember: bool = False) -> None:
        """Ask `db` about `team`'s pins (None: only what the book kept); `remember`: committed reads only."""
        self.book, self.db, self.team, self.remember = book, db, team, remember
        self.ticket = book.changes.ticket() if remember and book.changes is not None else None
        self._keyed: bool | None = None

    def one(self, sql: str, *params: object) -> Any:
        """The first row of a query about this team (its first parameter), or None."""
        return self.connection(sql).execute(self.book.sql(sql), (self.team, *params)).fetchone()

    def connection(self, sql: str) -> Db:
        """The connection to run `sql` on; Unasked when the view has none."""
        if self.db is None:
            raise Unasked(sql)
        return self.db

    def known_none(self, answers: set[Any], question: Any) -> bool:
        """Whether a kept answer says the tables have no row for `question` (committed reads only).

        A change is decided on the tables as they are under the team's lock,
        never on a kept "no" that a notification on its way would take back.
        """
        return self.remember and question in answers

    def kept_none(self, answers: set[Any], question: Any) -> None:
        """Keep that the tables had no row for `question`, if the book may (see the class).

        Names and keys come from the senders, who could send a new one with
        every PUT, so a set that reaches MOST_KEPT starts again, empty.
        """
        if self.remember and self.book.changes is not None:
            self.book.changes.keep(self.ticket, partial(_kept_in, answers, question))

    def owner(self, key: str) -> Owner | None:
        """Whose pinned key this is, or None."""
        found = self.book.owners.get((self.team, key))
        if found is not None or self.known_none(self.book.unowned, (self.team, key)):
            return found
        row = self.one("select member, name from huddle_keys where team = %s and key = %s", key)
        if row is None:
            self.kept_none(self.book.unowned, (self.team, key))
            return None
        found = Owner(str(row[0]), str(row[1]))
        if self.remember:
            self.book.owners[self.team, key] = found
            self.book.keyed_members.add((self.team, found.member))
            self.book.keyed_teams.add(self.team)
        return found

    def has_keys(self, member: str) -> bool:
        """Whether a key is pinned for a member (folded name)."""
        if (self.team, member) in self.book.keyed_members:
            return True
        if self.known_none(self.book.unkeyed_members, (self.team, member)):
            return False
        found = self.one("select 1 from huddle_keys where team = %s and member = %s limit 1", member)
        if found is None:
            self.kept_none(self.book.unkeyed_members, (self.team, member))
        elif self.remember:
            self.book.keyed_members.add((self.team, member))
            self.book.keyed_teams.add(self.team)
        return found is not None

    def keyed(self) -> bool:
        """Whether any key is pinned for the team."""
        if self._keyed is None:
            if self.team in self.book.keyed_teams:
                self._keyed = True
            elif self.known_none(self.book.unkeyed_teams, self.team):
                self._keyed = False
            else:
                self._keyed = self.one("select 1 from huddle_keys where team = %s limit 1") is not None
                if self._keyed and self.remember:
                    self.book.keyed_teams.add(self.team)
                elif not self._keyed:
                    self.kept_none(self.book.unkeyed_teams, self.team)
        return self._keyed

    def waiting_for(self, key: str) -> str | None:
        """The member a key waits to be accepted for, if it does."""
        if self.known_none(self.book.not_waiting, (self.team, key)):
            return None
        row = self.one("select name from huddle_keys_waiting where team = %s and key = %s limit 1", key)
        if row is None:
            self.kept_none(self.book.not_waiting, (self.team, key))
            return None
        return str(row[0])

    def pin(self, member: str, name: str, key: str, how: str, label: str) -> None:
        """Pin a key as a member's (it waits no more)."""
        db = self.connection("pin")
        db.execute(self.book.sql("insert into huddle_keys (team, member, name, key, how, label, since) "
                                 "values (%s, %s, %s, %s, %s, %s, %s)"),
                   (self.team, member, name, key, how, label, _now()))
        db.execute(self.book.sql("delete from huddle_keys_waiting where team = %s and key = %s"),
                   (self.team, key))
        self._keyed = True

    def hold(self, member: str, name: str, key: str, label: str) -> None:
        """Keep a refused key waiting for the operator (once)."""
        self.connection("hold").execute(
            self.book.sql("insert into huddle_keys_waiting (team, member, name, key, label, since) "
                          "values (%s, %s, %s, %s, %s, %s) on conflict do nothing"),
            (self.team, member, name, key, label, _now()))


def _kept_in(answers: set[Any], question: Any) -> None:
    """Add a negative answer to its set, emptied first when full (its size is bounded, not its senders)."""
    if len(answers) >= MOST_KEPT:
        answers.clear()
    answers.add(question)


def judge(record: Record, view: View) -> str | None:
    """None when the pins allow a record that is not a key record, else why it is refused."""
    kind, payload, signer = record.kind, record.payload, record.signer
    member = payload.get("member")
    if kind in TEAM_KINDS:
        if not signer:
            return None if not view.keyed() else (
                f"an unsigned {kind} record: this team's records are signed now")
        if view.owner(signer) is not None or not (view.keyed() or view.waiting_for(signer)):
            return None
        return _unknown(signer, view, None)
    if member.__class__ is not str or not member:
        return _anonymous(record, view)
    folded = member.casefold()
    if not signer:
        return None if not view.has_keys(folded) else (
            f"unsigned, in {shown(member)}'s name: the server holds {shown(member)}'s key, "
            "so their records must be signed")
    owner = view.owner(signer)
    if owner is None:
        if not (view.has_keys(folded) or view.waiting_for(signer)):
            return None  # nothing pinned to compare with: as an unsigned record
        return _unknown(signer, view, shown(member))
    if owner.member == folded:
        if payload.get("keyed_by") is None:
            return None
        return f"{shown(member)}'s own {kind} says it was keyed by someone else"
    writer = shown(owner.name)
    return proxy_refusal(record, shown(member), owner.member, writer, f"{writer}'s key")


def _anonymous(record: Record, view: View) -> str | None:
    """A record with no member: bound to the one-time key its id comes from (or closing a follow-up)."""
    from huddle_tui.storage.signature import id_for_key

    signer = record.signer
    if not signer:
        return None if not view.keyed() else (
            f"an unsigned {record.kind} record with no member: this team's records are signed now")
    if id_for_key(signer) == record.id:
        return None
    if record.kind == "concern" and not record.deleted and view.owner(signer) is not None:
        return None  # a follow-up on an anonymous concern, closed by its owner
    return "an anonymous record whose id is not its signer's: only its author can change it"


def _unknown(signer: str, view: View, member: str | None) -> str:
    """Why a record signed by a key the server has not pinned is refused (for `member`, or the team)."""
    waits = view.waiting_for(signer)
    if waits is not None:
        return new_key_refusal(waits)
    if member is None:
        return "signed by a key that is no member's on this server: a team record needs a member's pinned key"
    return (f"signed by a key that is not one of {member}'s on this server: a new machine's key must "
            f"be linked by one of {member}'s (huddle keys link) and its `key` record reach the server first")


class KeyBook:
    """The rules over the pins' tables; a subclass says how to reach them (SQLite or PostgreSQL)."""

    mark = "%s"  # the driver's parameter marker

    def __init__(self, changes: Changes | None = None) -> None:
        """No pins known yet: each is learnt from the tables on first use (see View).

        `changes`: what tells this process of every change to the tables, so
        that it may keep negative answers too (PostgreSQL); None: it may not.
        """
        self.owners: dict[tuple[str, str], Owner] = {}
        self.keyed_members: set[tuple[str, str]] = set()
        self.keyed_teams: set[str] = set()
        self.unowned: set[tuple[str, str]] = set()  # (team, key): no member's
        self.unkeyed_members: set[tuple[str, str]] = set()  # (team, member): no key pinned
        self.unkeyed_teams: set[str] = set()  # no key pinned for anyone
        self.not_waiting: set[tuple[str, str]] = set()  # (team, key): not waiting to be accepted
        self.changes = changes
        if changes is not None:
            changes.on_change(self._forget_none)

    def _forget_none(self) -> None:
        """Drop every kept negative answer (a change to the tables was heard, or made here)."""
        for answers in (self.unowned, self.unkeyed_members, self.unkeyed_teams, self.not_waiting):
            answers.clear()

    def sql(self, text: str) -> str:
        """A statement written with %s, in the driver's own marker."""
        return text if self.mark == "%s" else text.replace("%s", self.mark)

    def reading(self, team: str) -> AbstractContextManager[Db]:
        """A connection to read a team's pins."""
        raise NotImplementedError

    def writing(self, team: str) -> AbstractContextManager[Db]:
        """A transaction holding the team's lock (no other process changes its pins meanwhile)."""
        raise NotImplementedError

    def prepare(self, team: str) -> None:
        """Anything to do before a team's first check (PostgreSQL: pin the keys stored before)."""

    def check(self, team: str, record: Record) -> str | None:
        """None when `record` may be stored for `team` (a key record's key pinned then), else why not.

        Only a live, signed, well-formed key record is a claim that can pin a
        key; any other (unsigned, withdrawn, malformed: readers set those
        aside) is judged like every record naming its member.
        """
        self.prepare(team)
        claim = claim_of(record)
        if claim is not None:
            return self._claim(team, claim)
        if self.changes is not None:  # it keeps negative answers too: most checks need no query
            try:
                return judge(record, View(self, None, team, remember=True))
            except Unasked:
                pass
        with self.reading(team) as db:
            return judge(record, View(self, db, team, remember=True))

    def _claim(self, team: str, claim: Claim) -> str | None:
        """Pin the key a `key` record publishes, when its signer may vouch for it; else why not."""
        name, key, signer, label = claim
        member = name.casefold()
        with self.writing(team) as db:
            view = View(self, db, team)
            holder, vouching = view.owner(key), view.owner(signer)
            if holder is not None and holder.member != member:
                return f"this key is already {shown(holder.name)}'s on this server: a key is one member's"
            if holder is not None and (signer == key or vouching == holder):
                return None  # pinned already: sent again, or linked again
            if signer == key and holder is None:
                if view.has_keys(member):
                    view.hold(member, name, key, label)
                    return new_key_refusal(name)
                view.pin(member, name, key, FIRST, label)
                return None
            if vouching is None or vouching.member != member:
                by = f"{shown(vouching.name)}'s key" if vouching else "a key the server holds for no one"
                return (f"a key for {shown(name)} signed by {by}: only a pinned key of "
                        f"{shown(name)}'s can link another machine")
            view.pin(member, name, key, LINKED, label)
            return None

    def seed(self, team: str, claims: Iterable[Claim]) -> None:
        """Pin what the records already stored say, as trust on first use would have, in one go.

        A member with nothing pinned gets their first key pinned when exactly
        one self-signed key was published for them (several: all wait for the
        operator); keys linked by a pinned key follow; the rest wait. A key
        claimed for two members is pinned on sight for neither.
        """
        with self.writing(team) as db:
            self.seed_in(db, team, claims)

    def seed_in(self, db: Db, team: str, claims: Iterable[Claim]) -> None:
        """seed() inside a transaction the caller holds."""
        claims = list(claims)
        claimants: dict[str, set[str]] = {}
        for c in claims:
            claimants.setdefault(c.key, set()).add(c.member.casefold())
        view = View(self, db, team)
        firsts: dict[str, dict[str, Claim]] = {}
        for c in claims:
            if c.key == c.signer and len(claimants[c.key]) == 1 and view.owner(c.key) is None:
                firsts.setdefault(c.member.casefold(), {}).setdefault(c.key, c)
        for member, keys in firsts.items():
            if len(keys) == 1 and not view.has_keys(member):
                (c,) = keys.values()
                view.pin(member, c.member, c.key, FIRST, c.label)
        grew = True
        while grew:
            grew = False
            for c in claims:
                member = c.member.casefold()
                vouching = view.owner(c.signer)
                if (vouching is not None and vouching.member == member and c.key != c.signer
                        and view.owner(c.key) is None):
                    view.pin(member, c.member, c.key, LINKED, c.label)
                    grew = True
        for c in claims:
            if view.owner(c.key) is None:
                view.hold(c.member.casefold(), c.member, c.key, c.label)

    def accept(self, team: str, name: str, fingerprint: str) -> PinnedKey:
        """The operator's word: pin the key waiting for a member whose fingerprint starts so."""
        from huddle_tui.storage.signature import fingerprint as fingerprint_of

        digits, member = fingerprint_digits(fingerprint), name.casefold()
        self.prepare(team)
        with self.writing(team) as db:
            rows = db.execute(self.sql("select key, name, label from huddle_keys_waiting "
                                       "where team = %s and member = %s"), (team, member)).fetchall()
            found = [r for r in rows if "".join(fingerprint_of(str(r[0])).split()).startswith(digits)]
            if not found:
                raise ConfigError(f"no key waits for {name} in team {team} with that fingerprint "
                                  "(see huddle serve keys list)")
            if len(found) > 1:
                raise ConfigError(f"{len(found)} keys waiting for {name} match: give more of the fingerprint")
            key, shown_name, label = (str(v) for v in found[0])
            view = View(self, db, team)
            holder = view.owner(key)
            if holder is not None:
                raise ConfigError(f"that key is already {holder.name}'s in team {team}")
            view.pin(member, shown_name, key, ACCEPTED, label)
        return PinnedKey(team, shown_name, key, ACCEPTED, label, _now())

    def listing(self, team: str | None = None) -> list[PinnedKey]:
        """Every pinned and waiting key (of one team, or all), by team, member and time."""
        where, params = ("where team = %s", (team, team)) if team else ("", ())
        with self.reading(team or "") as db:
            rows = db.execute(self.sql(
                f"select team, name, key, how, label, since, member from huddle_keys {where} union all "
                f"select team, name, key, 'waiting', label, since, member from huddle_keys_waiting "
                f"{where} order by 1, 7, 6, 3"), params).fetchall()
        return [PinnedKey(*(str(v) for v in r[:6])) for r in rows]

    def close(self) -> None:
        """Release the connection (if the book holds one)."""


def keys_path(shared: Path) -> Path:
    """Where the folder store's pins are kept: the server's data folder, never the shared one.

    The shared folder may be a team's share too, which every teammate can
    write; the pins must not be theirs to edit.
    """
    from huddle_tui import paths
    from huddle_tui.storage.stamps import folder_tag

    return paths.data_dir() / "server" / f"keys-{folder_tag(shared)}.sqlite3"


class SqliteKeys(KeyBook):
    """The pins in a SQLite file (the folder store's), safe for two processes and many threads."""

    mark = "?"

    def __init__(self, path: Path) -> None:
        """Open (or make, 0600) the file and its tables."""
        from huddle_tui.storage.fileio import PRIVATE_FILE, make_private_dir

        super().__init__()
        self.path = path
        make_private_dir(path.parent)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        except FileExistsError:
            pass
        try:
            # isolation_level None: transactions are begun by hand (BEGIN IMMEDIATE takes the write lock).
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            for statement in SCHEMA:
                self.db.execute(statement)
        except sqlite3.Error as exc:
            raise ConfigError(f"{path}: the server's key pins cannot be opened ({exc})") from None
        self._lock = threading.Lock()

    @contextmanager
    def reading(self, team: str) -> Iterator[Db]:
        """The connection, for this thread alone meanwhile."""
        with self._lock:
            try:
                yield self.db
            except sqlite3.Error as exc:
                raise StoreError(f"the key pins: {type(exc).__name__}") from None

    @contextmanager
    def writing(self, team: str) -> Iterator[Db]:
        """BEGIN IMMEDIATE … COMMIT: the file's write lock, so another process waits its turn."""
        with self._lock:
            try:
                self.db.execute("begin immediate")
                try:
                    yield self.db
                except BaseException:
                    self.db.execute("rollback")
                    raise
                self.db.execute("commit")
            except sqlite3.Error as exc:
                raise StoreError(f"the key pins: {type(exc).__name__}") from None

    def close(self) -> None:
        """Close the file."""
        self.db.close()
