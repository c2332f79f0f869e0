"""The records anonymous totals travel in, and reading one day's of them from the shared folder.

Every kind names its member and is signed by that member's key like any
record (rules/authorship.py sets aside what another key signed); on top of
the folder's judgement a reader here uses a record only when its signer is
trusted as exactly the member it names and its id is that member's for the
day, so nobody can put a record in someone else's place.

| kind | id | date | versions |
|---|---|---|---|
| sharekey | member | when published | one per share key |
| daykeys | member, day | the day | a new one only for a day not yet begun |
| contribution | member, day | the day | a new one replaces the member's before the cut-off |
| daylist | member, day | the day | one: a member endorses one list a day |
| reveal | member, day | the day | each holds everything revealed so far |
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import NamedTuple

from huddle_tui.aggregation import wire
from huddle_tui.aggregation.contribution import Contribution, keys_digest
from huddle_tui.aggregation.dcnet import TextLayout
from huddle_tui.aggregation.keys import DayKeys
from huddle_tui.aggregation.unmask import DayList, Reveal, agreed
from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import CorruptRecord
from huddle_tui.model.ids import named_id
from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import FolderStore

SHARE_KEY, DAY_KEYS, CONTRIBUTION = "sharekey", "daykeys", "contribution"
DAY_LIST, REVEAL = "daylist", "reveal"
KINDS = (SHARE_KEY, DAY_KEYS, CONTRIBUTION, DAY_LIST, REVEAL)
LAYOUT = TextLayout()
"""The text section of every contribution (64 slots of 280 bytes): one size for the whole team."""
Trusted = Callable[[Record], "str | None"]
"""The member a record speaks for, when its signer is trusted as them (None: not usable here)."""


def record_id(kind: str, member: str, day: str = "") -> str:
    """The id of `member`'s record of `kind` for `day` (their share key has no day)."""
    return named_id(kind, member) if kind == SHARE_KEY else named_id(kind, member, day)


class DayRecords(NamedTuple):
    """One day's aggregation records in the folder, each from the member it names."""

    day: str
    roster: dict[str, DayKeys]
    contributions: dict[str, Contribution]
    endorsements: dict[str, DayList]
    reveals: dict[str, Record]
    every_version: dict[str, list[Contribution]]

    def listed(self, day_list: DayList) -> dict[str, Contribution]:
        """The contributions a list names, each in the version it names (a later one is never summed)."""
        out = {}
        for member, digest in day_list.survivors.items():
            found = next((c for c in self.every_version.get(member, ()) if c.digest == digest), None)
            if found is not None:
                out[member] = found
        return out

    def endorsed(self) -> dict[str, str]:
        """Who endorsed which list (member → list digest)."""
        return {m: day_list.digest for m, day_list in self.endorsements.items()}

    def lists(self) -> list[DayList]:
        """The distinct lists published for the day, most endorsed first (ties: the lowest digest)."""
        by_digest = {day_list.digest: day_list for day_list in self.endorsements.values()}
        votes = self.endorsed()
        return sorted(by_digest.values(),
                      key=lambda d: (-sum(1 for v in votes.values() if v == d.digest), d.digest))

    def agreed(self) -> list[DayList]:
        """The lists t of their holders endorsed (more than one means someone signed twice: none opens)."""
        votes = self.endorsed()
        return [d for d in self.lists() if agreed(d, votes)]

    def roster_of(self, day_list: DayList) -> dict[str, DayKeys] | None:
        """The day keys a list was made for, when they are the ones here (None: another roster)."""
        sub = {m: self.roster[m] for m in day_list.holders if m in self.roster}
        if len(sub) != len(day_list.holders) or keys_digest(self.day, sub) != day_list.keys:
            return None
        return sub

    def reveals_for(self, day_list: DayList) -> list[Reveal]:
        """The reveals published for one list (others are for another list, or malformed)."""
        out = []
        for record in self.reveals.values():
            try:
                out.append(Reveal.from_payload(record.payload, day_list))
            except CorruptRecord:
                continue
        return out


def _own(records: Iterable[Record], kind: str, day: str, trusted: Trusted) -> dict[str, Record]:
    """Each member's record of `kind`, when signed by them under their own id."""
    out = {}
    for record in records:
        member = trusted(record)
        if member is not None and record.id == record_id(kind, member, day):
            out[member] = record
    return out


def read_day(store: FolderStore, team: TeamConfig, day: str, trusted: Trusted,
             kinds: tuple[str, ...] = (DAY_KEYS, CONTRIBUTION, DAY_LIST, REVEAL),
             members: Iterable[str] | None = None) -> DayRecords:
    """A day's records of `kinds` (of `members`, all by default): their own files, not the month's."""
    names = [m.name for m in team.members] if members is None else list(members)
    found: dict[str, dict[str, Record]] = {}
    for kind in kinds:
        history = store.read_ids(kind, day, [record_id(kind, n, day) for n in names])
        found[kind] = _own(history.live(kind), kind, day, trusted)
    roster: dict[str, DayKeys] = {}
    for member, record in found.get(DAY_KEYS, {}).items():
        try:
            keys = DayKeys.from_payload(record.payload)
        except CorruptRecord:
            continue
        if keys.member == member and day in keys.days:
            roster[member] = keys
    cutoff = team.next_workday(date.fromisoformat(day)).isoformat()
    contributions: dict[str, Contribution] = {}
    every_version: dict[str, list[Contribution]] = {}
    for member, record in found.get(CONTRIBUTION, {}).items():
        versions = [record]
        if record.version > 1:  # earlier versions: a list may name one, or the latest came too late
            versions = [r for r in _versions(store, CONTRIBUTION, day, record.id) if trusted(r) == member]
        versions.sort(key=lambda r: r.version)
        for version in versions:
            try:
                made = Contribution.from_payload(version.payload, LAYOUT)
            except CorruptRecord:
                continue
            if made.member != member or made.day != day:
                continue
            every_version.setdefault(member, []).append(made)
            if version.written_at[:10] < cutoff:  # the member's own word on when; later ones never count
                contributions[member] = made
    endorsements: dict[str, DayList] = {}
    for member, record in found.get(DAY_LIST, {}).items():
        try:
            day_list = DayList.from_payload(record.payload)
        except CorruptRecord:
            continue
        if day_list.day == day:
            endorsements[member] = day_list
    reveals = {m: r for m, r in found.get(REVEAL, {}).items() if r.payload.get("member") == m}
    return DayRecords(day, roster, contributions, endorsements, reveals, every_version)


def _versions(store: FolderStore, kind: str, day: str, rid: str) -> list[Record]:
    """Every readable version of one record, each verified (its signature) as a read does."""
    folder = store.records_dir / kind / day[:7]
    try:
        names = [n for n in os.listdir(folder) if n.startswith(rid + ".")]
    except OSError:
        return []
    out = []
    for name in names:
        path = folder / name
        try:
            if path.is_symlink() or not path.is_file():
                continue
            record = envelope.decode(path.read_bytes())
        except (CorruptRecord, OSError):
            continue
        if record.id == rid and record.kind == kind and record.date == day and not record.deleted:
            out.append(record)
    return out


def days_with(store: FolderStore, team: TeamConfig, kind: str, days: Iterable[str]) -> list[str]:
    """Which of `days` have a file of `kind` under a member's id: names only, one listing a month.

    A write path looks back over a fortnight on every run; most days hold
    nothing to do, and this finds them without reading (or verifying) a file.
    """
    listings: dict[str, list[str]] = {}
    out = []
    for day in days:
        month = day[:7]
        if month not in listings:
            try:
                listings[month] = os.listdir(store.records_dir / kind / month)
            except OSError:
                listings[month] = []
        prefixes = tuple(record_id(kind, m.name, day) + "." for m in team.members)
        if any(name.startswith(prefixes) for name in listings[month]):
            out.append(day)
    return out


def read_share_keys(store: FolderStore, trusted: Trusted) -> dict[str, bytes]:
    """Each member's published share key (the latest version of their own record)."""
    out: dict[str, bytes] = {}
    for record in store.read((SHARE_KEY,)).live(SHARE_KEY):
        member = trusted(record)
        if member is None or record.id != record_id(SHARE_KEY, member):
            continue
        try:
            out[member] = wire.x25519_key(record.payload.get("key"))
        except wire.MALFORMED:
            continue
    return out


def trusted_by(team: TeamConfig, member_of: Callable[[str], str | None]) -> Trusted:
    """The check every aggregation record passes: signed by a key trusted as the member it names."""
    names = {m.name.casefold(): m.name for m in team.members}

    def check(record: Record) -> str | None:
        """The roster name `record` speaks for, or None."""
        member = record.payload.get("member")
        if not record.signer or member.__class__ is not str:
            return None
        signer = member_of(record.signer)
        if signer is None or signer.casefold() != member.casefold():
            return None
        return names.get(member.casefold())

    return check


def majority(records: DayRecords) -> tuple[str, dict[str, DayKeys]] | None:
    """The key roster most of the day's contributions were masked for, with its day keys (None: none fits).

    A member whose day keys came after some contributions (their first run
    that day) makes a second roster; the list follows the one most members
    masked for, and a contribution for another roster counts as absent.
    """
    digests: dict[str, int] = {}
    for c in records.contributions.values():
        digests[c.keys] = digests.get(c.keys, 0) + 1
    for digest in sorted(digests, key=lambda d: (-digests[d], d)):
        holders = next(c.holders for c in records.contributions.values() if c.keys == digest)
        sub = {m: records.roster[m] for m in holders if m in records.roster}
        if len(sub) == len(holders) and keys_digest(records.day, sub) == digest:
            return digest, sub
    return None


def current_only(contributions: Mapping[str, Contribution], digest: str) -> list[Contribution]:
    """The contributions masked for one roster."""
    return [c for c in contributions.values() if c.keys == digest]
