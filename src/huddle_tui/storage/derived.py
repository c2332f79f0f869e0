"""Derived answers: small answers computed from the shared folder, kept as rows of its cache.

The lobby must show today's facilitator, order and who has checked in on its
first frame, before the store is even imported. So the answer it last
computed is kept in the cache (storage/cache.py, table `answers`) under a key
naming the stamps of every folder it depends on (the huddle, handoff, away
and key folders with all their months, the keyring, the day's check-in
month, the team config's fingerprint). It is used only while that key is the
one taken now, and kept only when every stamp in it was settled when taken
(stamps.settled): then no writer can have changed what it was computed from.
Anything else (a new record anywhere it depends on, another day or team)
means it is read afresh. Like the rest of the cache it is only a speed-up.
Stdlib only: the key is the repr of plain lists, and the answer a marshal
value, so the first frame waits for neither json nor the store.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huddle_tui.storage.cache import Cache, is_damage, remove
from huddle_tui.storage.keyring import keyring_path
from huddle_tui.storage.stamps import RECORDS, dir_stamp, fingerprint, settled

if TYPE_CHECKING:
    from huddle_tui.model.huddle import Today

DERIVED_FORMAT = 7  # raise when what a kept answer holds changes meaning
TODAY = "today"  # what the lobby shows of a day (Journal.today)
PLAN = "plan"  # a day's facilitator and order alone (Journal.plan): no check-in changes it
# Kinds whose every month may change the answer: rotation reads back through the huddles and
# handoffs until they settle it, and an away range can be recorded for any date.
# And the keys: a key published (or confirmed here: the keyring) changes whose records count.
WHOLE_KINDS = ("away", "handoff", "huddle", "key")
DAY_KINDS = ("checkin",)  # only the day's month folder: who checked in that day
# The day's TODAY as last computed, whatever changed since. The one answer used past its key: on
# huddle morning a teammate's check-in changes the day's month and so TODAY's key, while the plan
# (kept alone, PLAN) still holds; the lobby's first frame shows that plan with the check-ins last
# seen, and the read it starts at once adds the new ones a moment later (Lobby, HuddleApp.kept_today).
TODAY_LAST = "today/last"
TOTALS = "totals"  # a closed day's anonymous totals as a reader may show them (Journal.totals_view)
TOTALS_KINDS = ("checkin", "contribution", "daykeys", "daylist", "poolreveal", "reveal")
"""The kinds whose day's month folder a day's totals (and its week's pool) are read from."""


_last_team: list[tuple[object, str]] = []


def team_checksum(team: object) -> str:
    """The team's fingerprint (stamps.py), remembered for the last two teams seen (an idle lobby asks often).

    Computing it for a 200-member roster (the config with its recorded away
    ranges) takes milliseconds; comparing the roster with the last one
    (immutable tuples, compared in C) takes microseconds. Two: the config's
    and the roster's (Journal.roster keys on the one, the report on the other).
    """
    for seen, found in _last_team:
        if seen == team:
            return found
    found = fingerprint(team)  # canonical, unless its builder named it already (config/kept_team.py)
    _last_team[:] = [(team, found), *_last_team[:1]]
    return found


class Key:
    """The stamps an answer depends on, taken before it is read, and whether they were all settled."""

    def __init__(self, parts: list[Any], settled: bool) -> None:
        """`parts` is JSON data (lists, not tuples), compared whole."""
        self.parts = parts
        self.settled = settled


def key(root: Path, day: str, team: object, day_kinds: tuple[str, ...] = DAY_KINDS) -> Key:
    """Stamp everything a day's answer depends on (a few hundred lstat calls at most).

    `team` is the team config as loaded (its fingerprint is part of the key);
    `day_kinds` are the kinds whose day's month folder the answer reads too.
    """
    now = time.time_ns()
    records = os.path.join(root, RECORDS)
    parts: list[Any] = [DERIVED_FORMAT, day, list(day_kinds), team_checksum(team)]
    is_settled = True

    def add(name: str, stamp: tuple[int, int] | None) -> None:
        """Note one folder's stamp; one changed lately makes the key unsettled."""
        nonlocal is_settled
        parts.append([name, *stamp] if stamp else [name])
        if stamp is not None and not settled(stamp[0], now):
            is_settled = False

    add("", dir_stamp(records))
    add("keyring", _file_stamp(keyring_path(root)))
    for kind in WHOLE_KINDS:
        folder = os.path.join(records, kind)
        add(kind, dir_stamp(folder))
        try:
            with os.scandir(folder) as it:
                months = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for entry in months:
            if entry.is_dir(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                add(f"{kind}/{entry.name}", (st.st_mtime_ns, st.st_ino))
    for kind in day_kinds:
        add(kind, dir_stamp(os.path.join(records, kind)))
        add(f"{kind}/{day[:7]}", dir_stamp(os.path.join(records, kind, day[:7])))
    return Key(parts, is_settled)


def _file_stamp(path: Path) -> tuple[int, int] | None:
    """A file's (mtime_ns, inode), or None when it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_ino


def load(cache: Cache | None, name: str, wanted: Key) -> Any:
    """The answer kept under `name` when it was computed from exactly the folders as they are now, else None.

    A damaged cache file is removed (to be made afresh) and costs a fresh read.
    """
    if cache is None:
        return None
    try:
        return cache.answer(name, repr(wanted.parts))
    except sqlite3.Error as exc:
        if is_damage(exc):
            remove(cache.path)
        return None


def keep(cache: Cache | None, name: str, stamped: Key, value: Any) -> None:
    """Keep an answer for its key, when the key was settled (a failure only costs time later)."""
    if cache is None or not stamped.settled:
        return
    try:
        cache.keep(name, repr(stamped.parts), value)
    except (sqlite3.Error, ValueError) as exc:  # ValueError: a value marshal cannot keep (a bug)
        if is_damage(exc):
            remove(cache.path)


def pooled(value: Any) -> Any:
    """`value` (plain data: dicts, lists, tuples, frozensets, strings, numbers) with one object per equal
    string and float, to be kept.

    marshal writes an object it has written before as a reference, and
    reading it back makes it once: a month of a 200-member team names each
    member hundreds of times (its days, turns and follow-ups), and pooled it
    is read back in half the time, its CRC checked in a third. A zero float
    is left as it is (0.0 and -0.0 are equal, and print apart).
    """
    same: dict[tuple[type, Any], Any] = {}

    def walk(x: Any) -> Any:
        """x with its strings and floats pooled."""
        kind = type(x)
        if kind is str or (kind is float and x):
            return same.setdefault((kind, x), x)
        if kind is tuple:
            return tuple(map(walk, x))
        if kind is list:
            return list(map(walk, x))
        if kind is frozenset:
            return frozenset(map(walk, x))
        if kind is dict:
            return {walk(k): walk(v) for k, v in x.items()}
        return x

    return walk(value)


def last_key(day: str, team: object) -> Key:
    """The key TODAY_LAST is kept under: the day and the team alone, no folder's stamp."""
    return Key([DERIVED_FORMAT, TODAY_LAST, day, team_checksum(team)], True)


def first_frame(cache: Cache | None, root: Path, day: str, team: object) -> Today | None:
    """What the lobby's first frame shows of `day`, from the cache alone (None: it waits for a read).

    TODAY while nothing it came from has changed. When only the day's
    check-ins changed (a teammate checked in: the plan, kept alone, still
    holds, and so do the rounds, whose huddle folders it depends on), that
    plan with the check-ins as last seen (TODAY_LAST); the lobby's first
    read, asked for at once, shows the new ones a moment later.
    """
    from huddle_tui.model.huddle import Plan, Today

    try:
        kept = load(cache, TODAY, key(root, day, team))
        if kept is not None:
            return Today.from_payload(kept)
        plan = load(cache, PLAN, key(root, day, team, ()))
        last = load(cache, TODAY_LAST, last_key(day, team))
        if plan is None or last is None:
            return None
        seen = Today.from_payload(last)
        return Today(Plan.from_payload(plan), seen.checked_in, seen.rounds_held, seen.asynchronous)
    except (KeyError, TypeError, ValueError, AttributeError):  # a damaged row: read afresh
        return None


REPORT = "report"  # the impact report's per-date facts (rules/report.py), one record per month
ROSTER = "roster"  # the team with the shared folder's away ranges, and its fingerprint (Journal.roster)
MONTH_NAME = re.compile(r"\d{4}-(0[1-9]|1[0-2])")  # a real month: "2026-13", put there by anyone, is not


def months_of(root: Path, kinds: tuple[str, ...]) -> list[str]:
    """Every month (YYYY-MM) that has a folder in any of `kinds`, oldest first (links left out)."""
    records = os.path.join(root, RECORDS)
    found: set[str] = set()
    for kind in kinds:
        try:
            with os.scandir(os.path.join(records, kind)) as it:
                found.update(e.name for e in it
                             if MONTH_NAME.fullmatch(e.name) and e.is_dir(follow_symlinks=False))
        except OSError:
            continue
    return sorted(found)


def months_key(root: Path, name: str, team_sum: str, months: Iterable[str], kinds: tuple[str, ...]) -> Key:
    """Stamp some months' folders of `kinds`: an answer read from those months alone depends on them only.

    `team_sum` is team_checksum(team) of the roster the answer was read with
    (taken once by the caller), or "" when the answer does not depend on it.
    """
    now = time.time_ns()
    records = os.path.join(root, RECORDS)
    parts: list[Any] = [DERIVED_FORMAT, name, team_sum]
    is_settled = True
    for month in months:
        for kind in kinds:
            stamp = dir_stamp(os.path.join(records, kind, month))
            parts.append([month, kind, *stamp] if stamp else [month, kind])
            if stamp is not None and not settled(stamp[0], now):
                is_settled = False
    return Key(parts, is_settled)


def month_keys(root: Path, name: str, team_sum: str, kinds: tuple[str, ...]) -> dict[str, Key]:
    """months_key of each month alone, for every month months_of finds, oldest first: each kind's folder
    listed once (five years of ten kinds are 600 month folders, most of them missing in most kinds)."""
    now = time.time_ns()
    records = os.path.join(root, RECORDS)
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for kind in kinds:
        try:
            with os.scandir(os.path.join(records, kind)) as it:
                for entry in it:
                    if MONTH_NAME.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                        try:
                            st = entry.stat(follow_symlinks=False)
                        except OSError:  # gone since it was listed: as dir_stamp finds it
                            continue
                        found.setdefault(entry.name, {})[kind] = (st.st_mtime_ns, st.st_ino)
        except OSError:
            continue
    keys = {}
    for month in sorted(found):
        stamps = found[month]
        parts: list[Any] = [DERIVED_FORMAT, name, team_sum]
        for kind in kinds:
            stamp = stamps.get(kind)
            parts.append([month, kind, *stamp] if stamp else [month, kind])
        keys[month] = Key(parts, all(settled(stamp[0], now) for stamp in stamps.values()))
    return keys
