"""Where the server keeps records: the interface every store offers, and the folder store.

Each store keeps records per team; a team's records, versions and cursor are
its own. The folder store (the default, for a team or a small company) keeps
the default team in the --shared folder itself, as the single-team server
always has, and each other team in ``teams/NAME/`` under it; pgstore.py
keeps them in PostgreSQL for more than one server process. Each store also
keeps the keys it has pinned for each team's members (keys.py) and checks a
record's signer by them before it is stored.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import NamedTuple, Protocol

from huddle_tui.rules.support import SIGNPOST_KIND
from huddle_tui.server.keys import KeyBook, SqliteKeys, claim_of, keys_path
from huddle_tui.server.orgreport import Answer
from huddle_tui.server.orgtotals import READ_KINDS, Kept, TeamTotals, open_days, owners_of, stamp
from huddle_tui.server.state import ServerState, Stored
from huddle_tui.server.tokens import DEFAULT_TEAM
from huddle_tui.storage.envelope import Record
from huddle_tui.totals.records import CONTRIBUTION

REPORTED_KINDS = ("checkin", SIGNPOST_KIND)  # what the org report reads


class BadCursor(ValueError):
    """A `since` cursor this store did not hand out."""


_LEGACY_CURSOR = re.compile(r"p[0-9]{1,18}\Z")  # what `serve --database` handed out before tagged cursors


def cursor_text(tag: str, position: int) -> str:
    """A cursor: the store's tag (12 hex digits) and a position in its arrival order, TAG.POSITION."""
    return f"{tag}.{position}"


def cursor_position(cursor: str | None, tag: str) -> int:
    """Where a `since` cursor points in the store tagged `tag`: 0 (start over) for none, for one of
    another store or server start (the other mode's, or an older server's) and for an untagged one
    an older `serve --database` handed out; BadCursor for any other text.

    Both stores read cursors by this one rule, so a team whose server moves from
    one store to the other (or restarts) pulls from the beginning, never fails.
    """
    if not cursor or _LEGACY_CURSOR.match(cursor):
        return 0
    other, dot, number = cursor.partition(".")
    if not dot or not number.isascii() or not number.isdigit() or len(number) > 12:
        raise BadCursor(cursor)
    return int(number) if other == tag else 0


class Page(NamedTuple):
    """One page of a team's records in arrival order, the cursor after it, and whether more follow."""

    records: list[Record]
    cursor: str
    more: bool


class RecordStore(Protocol):
    """What the API needs of a store (all methods are called from worker threads)."""

    keys: KeyBook

    def check(self, team: str, record: Record) -> str | None:
        """None when the team's pinned keys allow the record (a key record pinned then), else why not."""

    def held(self, team: str, rid: str, version: int) -> Record | None:
        """The stored record of one version, if any (a refused retry of a stored version is a replay)."""

    def put(self, team: str, record: Record, data: bytes) -> Stored:
        """Store a version once: a replay is a no-op, another body for it a conflict."""

    def latest(self, team: str, rid: str) -> Record | None:
        """The latest version of one record of a team, or None."""

    def page(self, team: str, since: str | None, limit: int) -> Page:
        """The team's records after a cursor (BadCursor for one not handed out here)."""

    def answers(self, start: str, end: str) -> Iterator[Answer]:
        """Every team's check-ins and signpost marks (latest live versions) in start..end: the org report."""

    def opened_totals(self, start: str, end: str, today: date) -> dict[str, TeamTotals]:
        """Every team whose anonymous answers go to its totals, with what each day in start..end opened."""

    def ready(self) -> bool:
        """Whether the store can serve requests now."""

    def close(self) -> None:
        """Release what the store holds (connections)."""


class FolderRecords:
    """Records in a folder, one ServerState (the folder store plus its index) per team."""

    def __init__(self, root: Path, *, durable: bool = True, keys: Path | None = None) -> None:
        """Open the default team's folder now, the others on first use; pins at `keys` (or the default)."""
        self.root = root
        self.durable = durable
        self.keys: KeyBook = SqliteKeys(keys or keys_path(root))
        self._teams: dict[str, ServerState] = {}
        self._lock = threading.Lock()
        self._opened = Kept()  # the org report's opened days
        self.team(DEFAULT_TEAM)

    def folder(self, team: str) -> Path:
        """Where a team's records live: the root for the default team, teams/NAME/ for the others."""
        return self.root if team == DEFAULT_TEAM else self.root / "teams" / team

    def team(self, team: str) -> ServerState:
        """A team's state, opened (its folder made) on first use (only a token of the team gets here).

        Opening it pins the keys its folder's key records publish, by trust
        on first use: records may reach the folder by other means than the
        API (a team's share), and the folder's key records are the source.
        """
        with self._lock:
            state = self._teams.get(team)
            if state is None:
                state = ServerState(self.folder(team), durable=self.durable)
                self.keys.seed(team, filter(None, map(claim_of, state.log)))
                self._teams[team] = state
            return state

    def check(self, team: str, record: Record) -> str | None:
        """Check a record's signer by the team's pins."""
        self.team(team)
        return self.keys.check(team, record)

    def held(self, team: str, rid: str, version: int) -> Record | None:
        """The stored version, from the team's index."""
        return self.team(team).versions.get((rid, version))

    def put(self, team: str, record: Record, data: bytes) -> Stored:
        """Store a version in the team's folder."""
        return self.team(team).put(record, data)

    def latest(self, team: str, rid: str) -> Record | None:
        """The latest version of one record, from the team's index."""
        return self.team(team).latest.get(rid)

    def page(self, team: str, since: str | None, limit: int) -> Page:
        """A page of the team's arrival log."""
        state = self.team(team)
        records, end, more = state.page(min(cursor_position(since, state.epoch), len(state.log)), limit)
        return Page(records, cursor_text(state.epoch, end), more)

    def answers(self, start: str, end: str) -> Iterator[Answer]:
        """Check-ins and signpost marks of every team with a folder here, from each team's index."""
        for team in self._teams_here():
            for record in list(self.team(team).latest.values()):
                if record.kind in REPORTED_KINDS and not record.deleted and start <= record.date <= end:
                    yield answer_of(team, record)

    def opened_totals(self, start: str, end: str, today: date) -> dict[str, TeamTotals]:
        """Each team with contributions here: its first contribution's day, and its days in start..end opened
        from its own folder (reading only)."""
        out = {}
        for team in self._teams_here():
            state = self.team(team)
            latest = list(state.latest.values())
            days = sorted({r.date for r in latest if r.kind == CONTRIBUTION and not r.deleted})
            if not days:
                continue
            owners = owners_of((p.name, p.key, p.how) for p in self.keys.listing(team))
            shown = {d for d in days if start <= d <= end}
            versions: dict[str, list[tuple[str, int]]] = {d: [] for d in shown}
            for r in latest:
                if r.date in shown and r.kind in READ_KINDS:
                    versions[r.date].append((r.id, r.version))
            stamps = {d: stamp(today, owners, found) for d, found in versions.items()}
            opener = partial(open_days, state.store, team, owners, today=today)
            out[team] = TeamTotals(days[0], self._opened.days(team, stamps, opener))
        return out

    def _teams_here(self) -> list[str]:
        """The default team, then every team with a folder under teams/."""
        teams = self.root / "teams"
        names = [p.name for p in teams.iterdir() if p.is_dir()] if teams.is_dir() else []
        return [DEFAULT_TEAM, *sorted(names)]

    def ready(self) -> bool:
        """The folder is there."""
        return self.root.is_dir()

    def close(self) -> None:
        """Close the pins' file."""
        self.keys.close()


def answer_of(team: str, record: Record) -> Answer:
    """What the org report reads of a check-in (day, member if named, mood if given) or a signpost mark."""
    if record.kind == SIGNPOST_KIND:
        return Answer(team, record.date, None, None, signpost=True)
    member, mood = record.payload.get("member"), record.payload.get("mood")
    return Answer(team, record.date, member if isinstance(member, str) else None,
                  mood if isinstance(mood, int) and record.payload.get("visibility") != "withheld" else None)
