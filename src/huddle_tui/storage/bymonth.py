"""A whole history month by month: what `FolderStore.read` merges, without holding all of it at once.

`huddle export` writes every record of five years; reading them all into one
History held the whole history in memory (488 MiB at 200 members). Records
live in the month folder of their date, so a month's records can be written
once that month is read. What ties months together is the merge: versions of
one id are merged by id across every folder, and an id may have versions in
more than one month folder (a record saved again under a later date, a share
key republished, a copy dropped in another kind's folder).

So the history is read in two passes. The first takes each folder's ids
(from the cache's rows, or by reading the folder when its rows cannot be
trusted, which also fills the cache) and keeps them as hashes, 8 bytes an id
(kept in the cache too, by each folder's row: the next read takes them from
there); ids found in more than one folder are merged across folders at once,
in the order `FolderStore.read` merges them. The second pass reads month by month
(every kind of a month, through the cache) and gives each month's merged
records, those ids' winners in the month of their date. A folder that
changed between the passes (a file that arrived meanwhile) is held against
the first pass: a version of an id another folder held then is left out, so
no id is written twice; the result is what a whole read would have given at
the first pass, plus records new since then.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import zlib
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator
from typing import NamedTuple

from huddle_tui.storage.cache import Cache, Folder, is_damage, remove
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import _MANY_FOLDERS, FolderStore, History, Judge, Problem, _sorted, _Verifier
from huddle_tui.storage.scan import MonthScan
from huddle_tui.storage.stamps import dir_stamp

Job = tuple[str, str]  # (kind, month folder name)
_KEPT = "ids of "  # + kind/month: a folder's hashes as the first pass found them, kept for the next read
_CROSSING = "ids in two folders"  # the hashes found in more than one folder, for every folder's rows
_crc32, _adler32 = zlib.crc32, zlib.adler32


class First(NamedTuple):
    """What the first pass found of a folder: its distinct ids as sorted hashes, and its stamp then."""

    hashes: array[int]
    stamp: tuple[int, int]
    settled: bool


class Months:
    """A history read month by month: iterate for each month's merged records, then read `problems`."""

    def __init__(self, store: FolderStore, since: str | None = None) -> None:
        """Every kind of `store`'s records dated from `since` (all when None); nothing is read yet."""
        self.store = store
        self.since = since
        self.problems: list[Problem] = []
        judged = store._judge(None)
        self._judge: Judge | None = judged[0] if judged is not None else None
        self._cache: Cache | None = None
        self._rows: dict[tuple[str, str], Folder] | None = None  # the cache's folder rows, read once a pass
        self._base = str(store.records_dir)
        self._failed = False  # the cache failed during the second pass: every folder after is checked

    def __iter__(self) -> Iterator[list[Record]]:
        """Each month's merged records (unordered), oldest month first; `problems` is complete after."""
        collecting = gc.isenabled()
        gc.disable()  # what is read holds no cycles: the collector need not walk each month again
        try:
            yield from self._months()
        finally:
            if collecting:
                gc.enable()

    def _months(self) -> Iterator[list[Record]]:
        """Both passes (see the module's docstring)."""
        store, since = self.store, self.since
        listed = History()  # links met while listing kinds and months: reported once
        present = store._kinds(listed, None)
        jobs = [(kind, month) for kind in sorted(present) for month in store._months(kind, listed, since)
                if since is None or month[:7] >= since[:7]]
        problems = listed.problems
        self._cache = store.cache()
        try:
            first, whole = self._first(jobs)
            crossing = self._crossing(first, whole)
        except sqlite3.Error as exc:
            self._give_up(exc)
            first, whole = self._first(jobs)
            crossing = self._crossing(first, whole)
        winners = self._winners(jobs, first, crossing) if crossing else {}
        try:
            many = self._cache is not None and len(jobs) >= _MANY_FOLDERS
            self._rows = self._cache.folders() if self._cache is not None and many else None
        except sqlite3.Error as exc:
            self._give_up(exc)
        given: dict[int, Job] = {}  # ids new since the first pass, by hash: the folder they were given from
        for step in sorted({month[:7] for _, month in jobs}):
            history = History(self._judge)
            for kind, month in jobs:
                if month[:7] != step:
                    continue
                scan = self._scan(kind, month)
                if scan is None:
                    continue
                found = first.get((kind, month))
                if self._failed or found is None or not found.settled or scan.stamp != found.stamp:
                    scan = _held(scan, (kind, month), first, given)
                history.merge(scan, os.path.join(self._base, kind, month), since)
            problems += history.problems
            records = history.records
            if crossing:
                for rid in [rid for rid in records if fingerprint(rid) in crossing]:
                    del records[rid]
                records.update({rid: r for rid, r in winners.items() if r.date[:7] == step})
            self._commit()
            yield list(records.values())
        self.problems = _sorted(_with(problems)).problems

    def _first(self, jobs: list[Job]) -> tuple[dict[Job, First], str | None]:
        """The first pass: each folder's ids (a folder gone is left out), and when every folder's came from
        the cache, the rows they came from (what the ids found in two folders depend on).

        A folder whose cache rows hold (settled, stamp unchanged) gives its ids
        from them; any other is read now, its signatures checked by the
        process's worker while the next one is read, and the cache filled.
        """
        store, cache = self.store, self._cache
        many = len(jobs) >= _MANY_FOLDERS  # their rows and answers in one query each, not one a folder
        seen = cache.folders() if cache is not None and many else None
        rows: list[str] | None = []
        kept = cache.answers(_KEPT) if cache is not None and many else {}
        verifier = _Verifier(parallel=len(jobs) > 1)
        out: dict[Job, First] = {}
        finish: Callable[[], None] | None = None
        for kind, month in jobs:
            folder = os.path.join(self._base, kind, month)
            stamp = dir_stamp(folder)
            if stamp is None:
                rows = None
                continue
            row = seen.get((kind, month)) if seen is not None else \
                cache.folder(kind, month) if cache is not None else None
            if cache is not None and row is not None and row.settled and (row.mtime_ns, row.inode) == stamp:
                name, key = f"{_KEPT}{kind}/{month}", f"{row.mtime_ns} {row.inode} {row.generation}"
                held = kept.get(name) if many else (key, cache.answer(name, key))
                hashes = array("Q")
                if held is not None and held[0] == key and isinstance(held[1], bytes):
                    hashes.frombytes(held[1])
                else:
                    hashes = _hashes(cache.ids(row))
                    cache.keep(name, key, hashes.tobytes())
                out[kind, month] = First(hashes, stamp, True)
                if rows is not None:
                    rows.append(f"{kind}/{month} {key}")
                continue
            rows = None
            started = _taking(out, (kind, month),
                              store._scan(folder, kind, month, None, None, False, cache, verifier, seen))
            if finish is not None:
                finish()
            finish = started
        if finish is not None:
            finish()
        self._commit()
        return out, None if rows is None else "\n".join(rows)

    def _crossing(self, first: dict[Job, First], whole: str | None) -> set[int]:
        """The hashes of ids found in more than one folder, kept in the cache for the rows they came from."""
        cache = self._cache
        if cache is not None and whole is not None:
            kept = cache.answer(_CROSSING, whole)
            if isinstance(kept, list):
                return set(kept)
        crossing = _in_more_than_one([found.hashes for found in first.values()])
        if cache is not None and whole is not None:
            cache.keep(_CROSSING, whole, sorted(crossing))
        return crossing

    def _winners(self, jobs: list[Job], first: dict[Job, First], crossing: set[int]) -> dict[str, Record]:
        """The merged record of every id with versions in more than one folder, merged in read()'s order."""
        merged = History(self._judge)
        since = self.since
        for job in jobs:
            found = first.get(job)
            if found is None or not any(_holds(found.hashes, h) for h in crossing):
                continue
            scan = self._scan(*job)
            for record in [] if scan is None else scan.records:
                if fingerprint(record.id) in crossing and (since is None or record.date >= since):
                    merged.add(record)
        return merged.records

    def _scan(self, kind: str, month: str) -> MonthScan | None:
        """One folder's whole scan through the cache (the files alone once the cache has failed)."""
        store = self.store
        folder = os.path.join(self._base, kind, month)
        if self._cache is not None:
            try:
                return store._scan(folder, kind, month, None, None, False, self._cache, _Verifier(),
                                   self._rows)()
            except sqlite3.Error as exc:
                self._give_up(exc)
        return store._scan(folder, kind, month, None, None, False, None, _Verifier())()

    def _give_up(self, exc: sqlite3.Error) -> None:
        """Stop using a cache that failed (removed when damaged): the rest is read from the files."""
        cache, self._cache, self._rows, self._failed = self._cache, None, None, True
        if cache is not None:
            try:
                cache.rollback()
            except sqlite3.Error:
                pass
            if is_damage(exc):
                remove(cache.path)

    def _commit(self) -> None:
        """End the cache's writes so far (what a folder read from its files put there)."""
        if self._cache is not None:
            try:
                self._cache.commit()
            except sqlite3.Error as exc:
                self._give_up(exc)


def read_by_month(store: FolderStore, since: str | None = None) -> Months:
    """Every record of `store` from `since`, merged as `store.read(since=since)` merges them, by month."""
    return Months(store, since)


def _with(problems: list[Problem]) -> History:
    """A History holding only these problems (to sort them as a read sorts its own)."""
    history = History()
    history.problems = problems
    return history


def fingerprint(rid: str) -> int:
    """An id's 64-bit hash, the same in every process (kept in the cache): CRC-32 and Adler-32 of it."""
    data = rid.encode()
    return _crc32(data) << 32 | _adler32(data)


def _hashes(ids: list[str]) -> array[int]:
    """A folder's distinct ids as sorted hashes (8 bytes an id; a collision only merges more at once)."""
    return array("Q", sorted({_crc32(data) << 32 | _adler32(data) for data in map(str.encode, ids)}))


def _in_more_than_one(folders: list[array[int]]) -> set[int]:
    """The hashes found in more than one folder's (each folder's are distinct).

    A bitmap of 2^24 bits (2 MiB) marks the top 24 bits seen; only hashes
    whose top bits were seen before are counted whole: a sorted list or a set
    of a big history's hashes would hold ~40 bytes each at once.
    """
    seen = bytearray(1 << 21)
    again = set()
    for hashes in folders:
        for h in hashes:
            low = h >> 40  # the top 24 bits, of the CRC
            byte, bit = low >> 3, 1 << (low & 7)
            if seen[byte] & bit:
                again.add(low)
            else:
                seen[byte] |= bit
    if not again:
        return set()
    counted = Counter(h for hashes in folders for h in hashes if h >> 40 in again)
    return {h for h, count in counted.items() if count > 1}


def _holds(hashes: array[int], h: int) -> bool:
    """Whether a folder's sorted hashes hold `h`."""
    at = bisect_left(hashes, h)
    return at < len(hashes) and hashes[at] == h


def _taking(out: dict[Job, First], job: Job, scanned: Callable[[], MonthScan | None]) -> Callable[[], None]:
    """Finishing a folder read in the first pass: its ids (never its records) into `out`."""
    def finish() -> None:
        scan = scanned()
        if scan is not None:
            out[job] = First(_hashes([r.id for r in scan.records]), scan.stamp, scan.settled)

    return finish


def _held(scan: MonthScan, job: Job, first: dict[Job, First], given: dict[int, Job]) -> MonthScan:
    """A folder's scan held against the first pass: versions of ids that another folder held then, or that
    the second pass gave from another folder, are left out (each id is written once)."""
    mine = first.get(job)
    kept = []
    for record in scan.records:
        h = fingerprint(record.id)
        ours = mine is not None and _holds(mine.hashes, h)
        if ours or (not any(_holds(found.hashes, h) for other, found in first.items() if other != job)
                    and given.setdefault(h, job) == job):
            kept.append(record)
    return scan._replace(records=kept)


__all__ = ["Months", "read_by_month"]
