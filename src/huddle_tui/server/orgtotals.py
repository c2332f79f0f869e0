"""The org report's anonymous figures of a team whose anonymous answers go only to its totals.

Such a team writes no anonymous mood and no signpost mark as a record of its
own: they exist only inside the day's masked contributions, and the server,
like any reader, opens a day's total from the team's files once the team
has listed and revealed for it (docs/aggregation.md). So for such a team the
org report takes its anonymous moods and signposts from each day's opened
totals, under the same k rules as the team's own summary (totals/view.py:
a distribution from K_DISTRIBUTION answers, signposts from K), and never
from records: an anonymous check-in or a signpost mark dated on or after the
team's first contribution can only be forged or stale, and counts nowhere.
A day whose totals have not opened adds no anonymous figure.

The server has no team config: the roster is whoever has a key pinned here
(keys.py), a record counts for a member only when signed by a key pinned as
theirs, and the cut-off is the next working day of a Monday-to-Friday week.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import NamedTuple

from huddle_tui.config.team import Member, TeamConfig
from huddle_tui.model.checkin import CheckIn
from huddle_tui.rules.privacy import placeholder_members
from huddle_tui.storage.folder import FolderStore
from huddle_tui.totals.records import CONTRIBUTION, DAY_KEYS, DAY_LIST, REVEAL, trusted_by
from huddle_tui.totals.view import day_view

OPENED_KINDS = (DAY_KEYS, CONTRIBUTION, DAY_LIST, REVEAL)
"""The records a day's totals open from, besides its check-ins (the placeholders)."""
READ_KINDS = (*OPENED_KINDS, "checkin")
"""Every kind a day's opening reads: a new version of any of them may change what it opens."""
Stamp = tuple[str, frozenset[tuple[str, str]], frozenset[tuple[str, int]]]
"""What a day's figures were opened under: the date it was opened on, the pins, each record's version."""


class Opened(NamedTuple):
    """What one day's totals opened that the org report counts: moods 1–5 (when the distribution
    opened) and signposts shown (from K; else 0)."""

    moods: tuple[int, ...] = ()
    signposts: int = 0


class TeamTotals(NamedTuple):
    """A team in totals mode: the day its anonymous figures start coming from totals, and each day's."""

    since: str
    days: dict[str, Opened]


class Kept:
    """Each team's days as the org report opened them, kept while nothing they were opened from changed.

    A report asks for four weeks by default, on every request; opening a
    200-member day from its files takes about a second, and a day that
    opened changes only when a record of it does (a late reveal, a new
    version) or trust does. Shared by the request threads.
    """

    def __init__(self) -> None:
        """Nothing opened yet."""
        self._days: dict[tuple[str, str], tuple[Stamp, Opened | None]] = {}
        self._lock = threading.Lock()

    def days(self, team: str, stamps: Mapping[str, Stamp],
             open_: Callable[[list[str]], dict[str, Opened]]) -> dict[str, Opened]:
        """The days of `stamps` that opened a figure: the kept ones whose stamp holds, the rest by `open_`."""
        with self._lock:
            found = {day: self._days.get((team, day)) for day in stamps}
        stale = [day for day, kept in found.items() if kept is None or kept[0] != stamps[day]]
        fresh = open_(stale) if stale else {}
        with self._lock:
            for day in stale:
                self._days[team, day] = (stamps[day], fresh.get(day))
        out = {day: kept[1] for day, kept in found.items() if kept is not None and day not in stale}
        return {day: got for day, got in sorted({**out, **fresh}.items()) if got is not None}


def stamp(today: date, owners: Mapping[str, str], versions: Iterable[tuple[str, int]]) -> Stamp:
    """A day's stamp from the pins and the (id, latest version) of each of its records of READ_KINDS."""
    return today.isoformat(), frozenset(owners.items()), frozenset(versions)


def owners_of(pinned: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Signing key → member name, from (name, key, how) rows of the pins (a key still waiting: none)."""
    return {key: name for name, key, how in pinned if how != "waiting"}


def open_days(store: FolderStore, team: str, owners: Mapping[str, str], days: Iterable[str],
              today: date) -> dict[str, Opened]:
    """Open each of `days` from the team's files (reading only) and keep what the org report counts."""
    members = tuple(Member(name) for name in sorted(set(owners.values()), key=str.casefold))
    config = TeamConfig(team, members, store.root, anonymous="totals")
    trusted = trusted_by(config, owners.get)

    def placeholders(day: date) -> frozenset[str]:
        """Who left a placeholder that day, signed by a key pinned as theirs."""
        iso = day.isoformat()
        own = [CheckIn.from_payload(r.date, r.payload) for r in store.read(("checkin",), since=iso, until=iso)
               .live("checkin") if _own(r.signer, r.payload.get("member"), owners)]
        return placeholder_members(config, day, own)

    out = {}
    for iso in days:
        view = day_view(store, config, date.fromisoformat(iso), today, trusted, placeholders)
        moods = tuple(view.distribution.get(m, 0) for m in range(1, 6)) if view.distribution else ()
        if moods or view.signposts:
            out[iso] = Opened(moods, view.signposts or 0)
    return out


def _own(signer: str | None, member: object, owners: Mapping[str, str]) -> bool:
    """Whether a record naming `member` is signed by a key pinned as that member's."""
    name = owners.get(signer or "")
    return isinstance(member, str) and name is not None and name.casefold() == member.casefold()
