"""The shared folder: immutable record files, merged by id on every read.

Layout: ``<root>/records/<kind>/<YYYY-MM>/<id>.<version>.<sum8>.json``. One
folder a month (not a day) keeps a warm read of five years to ~60 folder
listings per kind, which matters most on a network share.
Every file has exactly one writer and is renamed into place whole, so no lock
is needed and a git repository merges two clones without conflicts. Readers
skip sync tools' temporary files, read their conflicted copies like any
other file (the content, not the name, says which record it is), set corrupt
files aside with a reason, and never delete anything.
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from json.scanner import make_scanner
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from huddle_tui.errors import StoreError, UsageError
from huddle_tui.storage import envelope
from huddle_tui.storage.cache import Cache, FileRow, Folder, RecordRow, cache_for, is_damage, remove
from huddle_tui.storage.envelope import Record, Unchecked
from huddle_tui.storage.fileio import (
    AT_FDS,
    PRIVATE_FILE,
    LinkRefused,
    check_no_links,
    is_own_temp,
    open_folder,
    write_at,
    write_atomic,
)
from huddle_tui.storage.scan import (
    FOREIGN,
    LINK,
    OWN,
    TEMP,
    Listing,
    MonthScan,
    is_sync_temp,
    scan_entries,
    scan_month,
    scan_newest,
    settle,
)
from huddle_tui.storage.signature import SigningKey, verify_all
from huddle_tui.storage.stamps import RECORDS, dir_stamp, settled

if TYPE_CHECKING:  # a cold read of many folders imports it; a warm command never needs it
    from concurrent.futures import Executor

__all__ = ["RECORDS", "FolderStore", "History", "Problem", "clean_own_temp_files", "is_sync_temp",
           "utc_now"]
_REMEMBERED = 8  # month scans a store keeps for next_version: a save's own month and a few more
_FRESH_S = 1.0  # how long a listing of a month answers, unlisted, for the saves that follow it
_MANY_FOLDERS = 12  # a read of this many month folders asks for all the cache's folder rows in one query
_IN_WORKER = 16  # fewer signatures in a folder are checked at once: handing them to a worker costs more
_STEP = 0.02  # how much of a folder's signatures a verifier moves to or from its worker at a time
_new = tuple.__new__  # builds a Record without NamedTuple's Python-level __new__
# A record as the cache keeps it: its fields as one compact JSON array, ASCII (so any str SQLite can
# hold), by json's C encoder made once (json.dumps makes one on every call, as costly as the encoding).
_line_chunks: Any = json.JSONEncoder(separators=(",", ":")).iterencode if c_make_encoder is None else \
    c_make_encoder(None, None, encode_basestring_ascii, None, ":", ",", False, False, True)
_scan_json = make_scanner(cast(Any, json.JSONDecoder()))  # the C scanner alone: json.loads costs more


def utc_now() -> datetime:
    """The real clock; tests pass their own."""
    return datetime.now(UTC)


class Problem(NamedTuple):
    """A file that could not be read, and why: reported, never deleted."""

    path: Path
    reason: str


Judge = Callable[[Record], "int | str"]
"""A record's standing in the merge (an int), or why it may not be shown (a str): rules/authorship.py."""


class History:
    """Everything read from a folder: the merged records and what went wrong."""

    def __init__(self, judge: Judge | None = None) -> None:
        """Start empty; FolderStore.read fills it, through `judge` when records must be signed."""
        self.judge = judge
        self.records: dict[str, Record] = {}
        self.problems: list[Problem] = []
        self.foreign_copies: list[Path] = []
        self.temp_files: list[Path] = []
        self.files_read = 0

    def live(self, kind: str | None = None) -> list[Record]:
        """Records that are not deleted, optionally of one kind, by date then id."""
        out = [r for r in self.records.values()
               if not r.deleted and (kind is None or r.kind == kind)]
        out.sort(key=lambda r: (r.date, r.written_at, r.id))
        return out

    def add(self, record: Record) -> None:
        """Merge one record version in: identical copies collapse, the higher version wins."""
        current = self.records.get(record.id)
        if self.judge is not None:
            self._judged(record, current, None)
        elif current is None or record.supersedes(current):
            self.records[record.id] = record

    def _judged(self, record: Record, current: Record | None, folder: str | None) -> None:
        """Merge one version through the judge: set aside if it may not be shown, else ranked.

        The member's own version outranks any other, whatever its number, so
        no one else's higher version or tombstone replaces it.
        """
        assert self.judge is not None
        standing = self.judge(record)
        if standing.__class__ is str:
            where = Path(folder, record.file_name()) if folder is not None else Path(record.file_name())
            self.problems.append(Problem(where, f"not shown: {standing}"))
            return
        if current is None or (standing, record.version, record.written_at, record.checksum) > (
                self.judge(current), current.version, current.written_at, current.checksum):
            self.records[record.id] = record

    def merge(self, scan: MonthScan, folder: str, since: str | None, until: str | None = None) -> None:
        """Merge one month folder's scan in (records dated before `since` or after `until` left out)."""
        records = self.records
        judge = self.judge
        for record in scan.records:
            if (since is not None and record.date < since) or (until is not None and record.date > until):
                continue
            current = records.get(record.id)
            if judge is not None:
                self._judged(record, current, folder)
            elif current is None or record.supersedes(current):
                records[record.id] = record
        self.files_read += scan.files_read
        for name, flag, reason in scan.others:
            path = Path(folder, name)
            if flag == TEMP:
                self.temp_files.append(path)
                continue
            if flag == FOREIGN:
                self.foreign_copies.append(path)
            if reason is not None:
                self.problems.append(Problem(path, reason))


class FolderStore:
    """Reads and writes records under one folder (the shared folder or the private one)."""

    def __init__(self, root: Path, *, now: Callable[[], datetime] = utc_now,
                 durable: bool = True, index_dir: Path | None = None, private: bool = False) -> None:
        """`index_dir` enables the cache (storage/cache.py: only a speed-up) kept in that folder.

        A `private` store (this machine's private records) marks every record
        it writes "visibility": "private", whatever its kind, so no reader can
        take one for a team record; any other store sets such a record aside.
        """
        if private and index_dir is not None:
            raise ValueError("the cache is for the shared folder only")
        self.root = root
        self.now = now
        self.durable = durable
        self.index_dir = index_dir
        self.private = private
        # The last scans this store read, by folder: a save into a month just read needs no listing.
        self._scans: dict[str, MonthScan] = {}
        # When each of those scans took its folder's stamp (time.monotonic): read_ids uses a fresh one.
        self._scanned_at: dict[str, float] = {}
        # read_ids' last partial scan per folder (its ids, the scan, when): for the save that follows.
        self._partial: dict[str, tuple[frozenset[str], MonthScan, float]] = {}
        # read_ids' last listing of each folder's names, kept up by this store's own writes.
        self._names: dict[str, _Names] = {}
        # Who may speak for whom (the journal's rules/authorship.py), with a tag of what it depends on:
        # every read but one of keys alone is judged by it. None: every readable record is shown.
        self.authorship: Callable[[], tuple[Judge, str] | None] | None = None

    def _newest_only(self) -> bool:
        """Whether a read may skip the files of versions below a record's highest (scan.scan_newest).

        The private folder's records are merged by version alone: no judge
        ranks a lower version above a higher one there. `verify` reads all.
        """
        return self.private and self.authorship is None

    def _judge(self, kinds: Iterable[str] | None) -> tuple[Judge, str] | None:
        """The judge for a read of `kinds` and its tag (none for the keys themselves)."""
        if self.authorship is None or (kinds is not None and set(kinds) <= {"key"}):
            return None
        return self.authorship()

    @property
    def records_dir(self) -> Path:
        """Where the record files live."""
        return self.root / RECORDS

    # ------------------------------------------------------------ writing

    def next_version(self, kind: str, record_id: str, day: str) -> int:
        """One more than the highest version of `record_id` in its month folder.

        A save usually follows a read of the same month (Journal.current): when
        that read's scan is settled and the folder's stamp is unchanged since,
        no file can have come or gone, and the scan answers without listing a
        month of files again. Otherwise the folder is listed.
        """
        folder = os.path.join(self.records_dir, kind, day[:7])
        scan = self._scans.get(folder)
        if scan is not None and scan.settled and dir_stamp(folder) == scan.stamp:
            return _highest_version(scan, record_id) + 1
        partial = self._partial.get(folder)
        # A listing of this id's files taken moments ago in this save (read_ids), with the folder
        # unchanged since: its race with another writer is the one a listing here would have.
        if partial is not None and record_id in partial[0] \
                and time.monotonic() - partial[2] < _FRESH_S and dir_stamp(folder) == partial[1].stamp:
            return _highest_version(partial[1], record_id) + 1
        try:
            names = self._list_month(kind, day[:7])
        except LinkRefused as exc:
            raise _refused(exc) from None
        except OSError as exc:
            raise StoreError(f"{folder}: cannot be listed ({exc.strerror or exc})") from None
        prefix = record_id + "."
        return max((envelope.named_version(name, record_id) for name in names if name.startswith(prefix)),
                   default=0) + 1

    def _list_month(self, kind: str, month: str) -> list[str]:
        """The names in a month folder reached without following a link (none if it is missing)."""
        parts = (RECORDS, kind, month)
        if not AT_FDS:
            return os.listdir(self.records_dir / kind / month) \
                if check_no_links(self.root, parts, create=False) else []
        fd = open_folder(self.root, parts, create=False)
        if fd is None:
            return []
        try:
            return os.listdir(fd)
        finally:
            os.close(fd)

    def save(self, kind: str, record_id: str, day: str, payload: dict[str, Any], *,
             anonymous: bool = False, deleted: bool = False,
             version: int | None = None) -> Record:
        """Write a new version of a record; anonymous ones carry only their date."""
        record, data = self.prepare(kind, record_id, day, payload, anonymous=anonymous,
                                    deleted=deleted, version=version)
        self.write(record, data, anonymous=anonymous)
        return record

    def prepare(self, kind: str, record_id: str, day: str, payload: dict[str, Any], *,
                anonymous: bool = False, deleted: bool = False,
                version: int | None = None, key: SigningKey | None = None) -> tuple[Record, bytes]:
        """The next version of a record and its file's bytes (signed by `key`), not yet written."""
        if not envelope.is_date(day):
            raise UsageError(f"bad date {day!r}")
        if version is None:
            version = self.next_version(kind, record_id, day)
        if self.private:
            payload = {**payload, "visibility": "private"}
        # An anonymous record's time says no more than its date.
        written_at = day if anonymous else self.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return envelope.encode(kind, record_id, version, day, written_at, payload, deleted, key=key)

    def target(self, record: Record) -> Path:
        """Where a record's file goes: its kind's month folder, under its own name."""
        return self.records_dir / record.kind / record.date[:7] / record.file_name()

    def write(self, record: Record, data: bytes, *, anonymous: bool = False) -> Path:
        """Put an encoded record's file in place (also used to import a teammate's record).

        Never through a link: a records/<kind>/<month> path with a symbolic
        link (or a file) anywhere under the root is refused with a StoreError.
        """
        parts = (RECORDS, record.kind, record.date[:7])
        target = self.target(record)
        folder = target.parent
        # An anonymous file's own timestamp must say no more than its date.
        midnight = None
        if anonymous:
            try:
                midnight = datetime.fromisoformat(record.date).replace(tzinfo=UTC).timestamp()
            except (ValueError, OverflowError):
                raise StoreError(f"record {record.id}: {record.date!r} is not a calendar date") from None
        try:
            # Private records and their folders are this user's alone (0600 and 0700), whatever the umask.
            mode = PRIVATE_FILE if self.private else 0o666
            if AT_FDS:
                fd = open_folder(self.root, parts, create=True, private=self.private)
                assert fd is not None  # created when missing
                try:
                    before = _stamp_of(os.fstat(fd))
                    write_at(fd, target.name, data, durable=self.durable, mtime=midnight, mode=mode)
                    names = self._names.get(str(folder))
                    if names is not None:
                        names.wrote(before, target.name, _stamp_of(os.fstat(fd)))
                finally:
                    os.close(fd)
            else:
                check_no_links(self.root, parts, create=True, private=self.private)
                write_atomic(target, data, durable=self.durable, mtime=midnight, mode=mode)
        except LinkRefused as exc:
            raise _refused(exc) from None
        except OSError as exc:
            raise StoreError(f"{folder}: cannot write a record ({exc.strerror or exc})") from None
        return target

    # ------------------------------------------------------------ reading

    def read(self, kinds: Iterable[str] | None = None, *, since: str | None = None,
             until: str | None = None, verify: bool = False) -> History:
        """Read and merge every record (of `kinds`, dated from `since` to `until`), reporting bad files.

        Only the month folders from `since`'s month to `until`'s are read, so a
        day's view (since == until) costs one month, not the years after it,
        and through the cache only that day's rows. `verify` re-reads every
        file instead of trusting the cache (`huddle doctor` does), and
        refreshes the cache with what it found. Any sqlite error reads the
        files instead: the cache may cost time, never a result.
        """
        chosen = None if kinds is None else tuple(kinds)
        judged = self._judge(chosen)
        return self._through_cache(lambda cache: self._read(chosen, since, until, verify, judged, cache),
                                   forget=verify)

    def _through_cache(self, read: Callable[[Cache | None], History], *, forget: bool = False) -> History:
        """`read(cache)`, or `read(None)` (the files alone) when the cache fails.

        A damaged cache file is removed and made afresh at once (the read then
        is a cold one); a cache that stays locked or refuses is left for later.
        `forget` drops its kept answers first (a verifying read trusts none).
        """
        for _ in range(2):
            cache = self.cache()
            if cache is None:
                break
            try:
                if forget:
                    cache.forget_answers()
                history = read(cache)
                cache.commit()
                return history
            except sqlite3.Error as exc:
                try:
                    cache.rollback()
                except sqlite3.Error:
                    pass
                if not is_damage(exc):
                    break
                remove(cache.path)
        return read(None)

    def cache(self) -> Cache | None:
        """This folder's cache, when the store keeps one and it can be opened."""
        return None if self.index_dir is None else cache_for(self.index_dir, self.root)

    def _read(self, kinds: tuple[str, ...] | None, since: str | None, until: str | None,
              verify: bool, judged: tuple[Judge, str] | None, cache: Cache | None) -> History:
        """read()'s work, through the cache when there is one.

        Folders are merged in order, each finished after the next is started:
        a folder read from its files has its signatures verified by another
        process (_Verifier) while this one reads the next folder.
        """
        history = History(judged[0] if judged is not None else None)
        collecting = _pause_gc()
        try:
            present = self._kinds(history, None if kinds is None else set(kinds))
            wanted = sorted(present) if kinds is None else [k for k in kinds if k in present]
            first, last = since[:7] if since else None, until[:7] if until else None
            jobs = [(kind, month) for kind in wanted for month in self._months(kind, history, since, until)
                    if (first is None or month[:7] >= first) and (last is None or month[:7] <= last)]
            # Many folders: their rows in one query, not one a folder (a day's read of a few kinds asks
            # for those few rows alone: all of a big history's would cost it more).
            seen = None if cache is None or len(jobs) < _MANY_FOLDERS else cache.folders()
            verifier = _Verifier(parallel=len(jobs) > 1)
            finish: Callable[[], None] | None = None
            for kind, month in jobs:
                started = self._merge(kind, month, since, until, verify, cache, history, verifier, seen)
                if finish is not None:
                    finish()
                finish = started
            if finish is not None:
                finish()
        finally:
            if collecting:
                gc.enable()
        return _sorted(history)

    def _merge(self, kind: str, month: str, since: str | None, until: str | None, verify: bool,
               cache: Cache | None, history: History, verifier: _Verifier | None = None,
               seen: dict[tuple[str, str], Folder] | None = None) -> Callable[[], None]:
        """Start merging one month folder into `history` (its records from `since` to `until`).

        The callable returned finishes it. `verifier` checks the signatures
        of files read now (None: here, at once); `seen`, the cache's folder
        rows read at the start of the read.
        """
        folder = os.path.join(self.records_dir, kind, month)
        taken = time.monotonic()
        scanned = self._scan(folder, kind, month, since, until, verify, cache, verifier or _Verifier(), seen)

        def finish() -> None:
            scan = scanned()
            if scan is not None:
                if scan.whole:
                    self.remember(folder, scan, taken)
                history.merge(scan, folder, since, until)

        return finish

    def _scan(self, folder: str, kind: str, month: str, since: str | None, until: str | None,
              verify: bool, cache: Cache | None, verifier: _Verifier,
              folders: dict[tuple[str, str], Folder] | None = None) -> Callable[[], MonthScan | None]:
        """One month folder's scan (returned by the callable): its rows while its stamp is unchanged and
        settled, else listed again.

        Listed again, only files whose (size, mtime, inode) changed since their
        row was kept are read, their signatures given to `verifier`; what the
        listing found replaces the folder's rows once the verdicts are in.
        The scan is None when the folder is gone.
        """
        stamp = dir_stamp(folder)
        if stamp is None:
            return _none
        now = time.time_ns()
        shared = not self.private
        unchecked: list[Unchecked] = []
        if cache is None:
            listing = scan_month(folder, kind, month, {}, False, shared=shared, unchecked=unchecked,
                                 newest=self._newest_only() and not verify)
            verdicts = verifier.check(unchecked)
            return lambda: _scan_of(stamp, settled(stamp[0], now), settle(listing, verdicts()), {}, [])
        seen = cache.folder(kind, month) if folders is None else folders.get((kind, month))
        if seen is not None and not verify and seen.settled and (seen.mtime_ns, seen.inode) == stamp:
            first = since if since is not None and since[:7] == month[:7] else None
            last = until if until is not None and until[:7] == month[:7] else None
            whole = first is None and last is None
            records = _records(cache.month(seen)) if whole else \
                _records(",".join([line for _, line in cache.records(seen.id, kind, first, last)]))
            others = [(row[0], row[4], row[5]) for row in cache.set_aside(seen)]
            scan = MonthScan(stamp, True, records, others, seen.files_read, whole)
            return lambda: scan
        old = {} if seen is None else cache.files(seen.id)
        known = {} if verify else old
        same = seen is not None and (seen.mtime_ns, seen.inode) == stamp
        listing = scan_month(folder, kind, month, known, same, shared=shared, unchecked=unchecked)
        verdicts = verifier.check(unchecked)

        def finish() -> MonthScan:
            checked = settle(listing, verdicts())
            kept = set(checked.kept)
            held: list[tuple[str, Record]] = []
            if seen is not None and any(_holds_record(known[name]) for name in kept):
                rows = [(name, line) for name, line in cache.records(seen.id, kind) if name in kept]
                held = list(zip([name for name, _ in rows], _records(",".join([line for _, line in rows])),
                                strict=True))
            scan = _scan_of(stamp, settled(stamp[0], now), checked, known, held)
            cache.put_month(kind, month, seen, stamp, scan.settled, scan.files_read,
                            [name for name in old if name not in kept], checked.rows,
                            [_row(name, r) for name, r in checked.records])
            return scan

        return finish

    def read_ids(self, kind: str, day: str, ids: Iterable[str]) -> History:
        """Every version of a few records of one date: their own files only, not the month's.

        A save reads the member's current check-in first; reading it this way
        costs the same with five years of history as with none (one listing of
        names, no index file touched). Every version of a record sits in its
        date's month folder under a name starting with its id, conflicted
        copies included. Never through a link, as `read`.
        """
        wanted = frozenset(ids)
        month = day[:7]
        folder = os.path.join(self.records_dir, kind, month)
        if not AT_FDS:
            return self.read((kind,), since=day, until=day)
        judged = self._judge((kind,))
        history = History(judged[0] if judged is not None else None)
        try:
            fd = open_folder(self.root, (RECORDS, kind, month), create=False)
        except LinkRefused as exc:
            history.problems.append(Problem(Path(exc.where), LINK))
            return history
        except OSError as exc:
            history.problems.append(Problem(Path(folder), f"cannot be listed ({exc.strerror or exc})"))
            return history
        if fd is None:
            return history
        try:
            stamp = _stamp_of(os.fstat(fd))
            recent = self._recent_scan(folder, wanted, stamp)
            if recent is not None:
                scan, listed = recent
            else:
                names = self._names.get(folder)
                if names is None or not names.answers(stamp):
                    # Names only (a month of a big team is thousands): the few matches are stat'ed alone.
                    names = self._names[folder] = _Names(os.listdir(fd), stamp)
                found = [_Entry.at(fd, n) for n in names.starting_with([rid + "." for rid in wanted])]
                entries = [e for e in found if e is not None]
                listing = scan_newest(entries, folder, kind, month, shared=False, at=fd) \
                    if self._newest_only() else \
                    scan_entries(entries, folder, kind, month, {}, False, shared=not self.private, at=fd)
                scan = _scan_of(stamp, False, listing, {}, [])
                listed = time.monotonic()
        finally:
            os.close(fd)
        self._partial[folder] = (wanted, scan, listed)
        history.merge(scan, folder, None)
        return _sorted(history)

    def read_back(self, kinds: Iterable[str], until: str,
                  enough: Callable[[History], bool]) -> History:
        """Read whole months from `until`'s back to the oldest, stopping once `enough(history)` holds.

        For a question whose answer older records can no longer change once
        the recent ones settle it (who facilitates next): its cost is the
        months it needs, not the whole history. `enough` sees the records of
        every month read so far (dated up to `until`), after each month.
        A record's versions all sit in its date's month folder (a writer numbers
        versions there), so a month read whole holds each of its ids whole.
        """
        wanted = tuple(kinds)
        judged = self._judge(wanted)
        return self._through_cache(lambda cache: self._read_back(wanted, until, enough, judged, cache))

    def _read_back(self, wanted: tuple[str, ...], until: str, enough: Callable[[History], bool],
                   judged: tuple[Judge, str] | None, cache: Cache | None) -> History:
        """read_back()'s work, through the cache when there is one."""
        history = History(judged[0] if judged is not None else None)
        collecting = _pause_gc()
        try:
            present = self._kinds(history, set(wanted))
            folders = {kind: self._months(kind, history, None, until) if kind in present else []
                       for kind in wanted}
            steps = sorted({m[:7] for months in folders.values() for m in months if m[:7] <= until[:7]},
                           reverse=True)
            for step in steps:
                for kind in wanted:
                    for month in folders[kind]:
                        if month[:7] == step:
                            self._merge(kind, month, None, until, False, cache, history)()
                if enough(history):
                    break
        finally:
            if collecting:
                gc.enable()
        return _sorted(history)

    def _kinds(self, history: History, wanted: set[str] | None) -> set[str]:
        """Every kind folder present, known or not (a newer version may add kinds); links reported.

        A link is never followed: records/ or a kind folder linked to, say,
        someone's private records would otherwise be read as the team's.
        """
        records = self.records_dir
        try:
            if stat.S_ISLNK(os.lstat(records).st_mode):
                history.problems.append(Problem(records, LINK))
                return set()
            with os.scandir(records) as it:
                entries = list(it)
        except OSError:  # missing, or not a folder: nothing to read
            return set()
        found = set()
        for e in entries:
            name = e.name
            if name.startswith(".") or (wanted is not None and name not in wanted):
                continue
            if e.is_dir(follow_symlinks=False):
                found.add(name)
            elif e.is_symlink():
                history.problems.append(Problem(Path(e.path), LINK))
        return found

    def remember(self, folder: str, scan: MonthScan, taken: float | None = None) -> None:
        """Keep the latest scan of a month folder for next_version (the last few folders only).

        `taken`: when the scan took the folder's stamp (time.monotonic), for
        read_ids to use it while fresh; None, never.
        """
        self._scans.pop(folder, None)
        self._scans[folder] = scan
        self._scanned_at.pop(folder, None)
        if taken is not None:
            self._scanned_at[folder] = taken
        if len(self._scans) > _REMEMBERED:
            oldest = next(iter(self._scans))
            del self._scans[oldest]
            self._scanned_at.pop(oldest, None)

    def _recent_scan(self, folder: str, wanted: frozenset[str], stamp: tuple[int, int]
                     ) -> tuple[MonthScan, float] | None:
        """`wanted`'s part of a scan of `folder` this store took moments ago, and when (None: list it).

        A check-in reads the month's held answers, then its member's current
        check-in, then that again to save: each read of the same files decoded
        them all again. A scan (read_ids' of these ids, or a whole month's)
        taken less than _FRESH_S ago with the folder's stamp unchanged since
        holds what a listing now would, but for a file another writer adds in
        the same clock tick as that listing: the race any listing has (see
        _Names). Its time is kept, so a scan is never used past _FRESH_S.
        """
        now = time.monotonic()
        partial = self._partial.get(folder)
        if partial is not None and wanted <= partial[0] and now - partial[2] < _FRESH_S \
                and partial[1].stamp == stamp:
            return _part_of(partial[1], wanted), partial[2]
        whole, taken = self._scans.get(folder), self._scanned_at.get(folder)
        if whole is not None and taken is not None and now - taken < _FRESH_S and whole.stamp == stamp:
            return _part_of(whole, wanted), taken
        return None

    def _months(self, kind: str, history: History, since: str | None = None,
                until: str | None = None) -> list[str]:
        """One kind's month folder names, sorted; links among those from `since` to `until` reported."""
        months = []
        try:
            with os.scandir(os.path.join(self.records_dir, kind)) as it:
                for e in it:
                    name = e.name
                    if name.startswith("."):
                        continue
                    # From the listing alone (d_type): no call per month folder on the warm path.
                    if e.is_dir(follow_symlinks=False):
                        months.append(name)
                    elif e.is_symlink() and (since is None or name[:7] >= since[:7]) \
                            and (until is None or name[:7] <= until[:7]):
                        history.problems.append(Problem(Path(e.path), LINK))
        except OSError:
            return []
        months.sort()
        return months


class _Names:
    """One month folder's names, as read_ids listed them, kept up by the store's own writes.

    A burst of saves into one month (a round recorded on the shared screen, an
    import) lists its thousands of names once a second, not once a save. The
    names answer while the folder's stamp is the one they were listed or
    written at, and for at most _FRESH_S after the listing: a file another
    writer adds in the same clock tick as one of ours leaves the stamp as ours
    left it, so it is missed for at most that long, which is the race any
    listing has with a writer (two writers of one version: the merge rule
    settles it). Stdlib only.
    """

    def __init__(self, names: list[str], stamp: tuple[int, int]) -> None:
        """The names listed at `stamp` (taken before the listing), listed now."""
        self.text = "\n" + "\n".join(names)
        self.written: list[str] = []  # our own since, kept apart (adding to the text copies it)
        self.stamp = stamp
        self.listed = time.monotonic()

    def answers(self, stamp: tuple[int, int]) -> bool:
        """Whether these names are the folder's at `stamp`, and fresh enough to be used unlisted."""
        return stamp == self.stamp and time.monotonic() - self.listed < _FRESH_S

    def wrote(self, before: tuple[int, int], name: str, after: tuple[int, int]) -> None:
        """Our file `name` is in place: the folder was at `before` (as listed) and is at `after`."""
        if before == self.stamp:
            self.written.append(name)
            self.stamp = after
        else:
            self.stamp = (-1, -1)  # changed by another writer since the listing: list it again

    def starting_with(self, prefixes: list[str]) -> list[str]:
        """The names that start with one of the prefixes, found by str.find over all of them at once.

        A month of a big team holds thousands of names and a save wants the few
        of one or two ids: a search in C, not a comparison per name. A name
        holding a newline may yield a part of itself that is no file (the
        caller's stat finds it gone) and never hides another name.
        """
        text = self.text
        found = []
        for prefix in prefixes:
            at = text.find("\n" + prefix)
            while at >= 0:
                end = text.find("\n", at + 1)
                found.append(text[at + 1:end if end >= 0 else len(text)])
                at = text.find("\n" + prefix, at + 1)
        found += [name for name in self.written if name.startswith(tuple(prefixes))]
        return list(dict.fromkeys(found))


def _stamp_of(st: os.stat_result) -> tuple[int, int]:
    """A folder's stamp (mtime_ns, inode) from its stat, as stamps.dir_stamp gives it."""
    return st.st_mtime_ns, st.st_ino


class _Entry:
    """What scan_entries asks of a listed name (os.DirEntry's few calls), from one lstat at the folder."""

    def __init__(self, name: str, st: os.stat_result | None) -> None:
        """A name in the folder and its lstat (None when it could not be taken)."""
        self.name = name
        self.st = st
        self.mode = st.st_mode if st is not None else 0

    @classmethod
    def at(cls, fd: int, name: str) -> _Entry | None:
        """The entry of `name` in the open folder `fd`, or None when it is gone since the listing."""
        try:
            return cls(name, os.stat(name, dir_fd=fd, follow_symlinks=False))
        except FileNotFoundError:
            return None
        except OSError:
            return cls(name, None)

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        """The lstat taken at the listing."""
        if self.st is None:
            raise FileNotFoundError(self.name)
        return self.st

    def inode(self) -> int:
        """The inode number (0 when the lstat failed)."""
        return self.st.st_ino if self.st is not None else 0

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        """A regular file (never through a link: scan_entries asks only that)."""
        return stat.S_ISREG(self.mode)

    def is_symlink(self) -> bool:
        """A symbolic link."""
        return stat.S_ISLNK(self.mode)


def _highest_version(scan: MonthScan, record_id: str) -> int:
    """The highest version of `record_id` in a month's scan, by content and by name.

    At least what a listing's names say: a file under its own name holds the
    version its name says, and every other file (a copy, an unusable file) is
    in `others` by name; a record under a name that does not say so counts too.
    """
    highest = max((record.version for record in scan.records if record.id == record_id), default=0)
    for name, flag, _ in scan.others:
        if flag != TEMP:
            highest = max(highest, envelope.named_version(name, record_id))
    return highest


def _refused(exc: LinkRefused) -> StoreError:
    """The error for a folder that is a link: what it is, and what to do about it."""
    return StoreError(f"{exc.where} is {exc.what}: huddle never reads or writes through one "
                      "(in a shared folder it may point anywhere on this machine); remove it")


def _pause_gc() -> bool:
    """Pause the cycle collector for a read; returns whether it was on (to turn it back on).

    A read builds many small objects that never form cycles: left on, the
    collector walks the growing history over and over (a third of a warm read).
    """
    collecting = gc.isenabled()
    gc.disable()
    return collecting


def _sorted(history: History) -> History:
    """A read's history with its reports in a stable order."""
    history.problems.sort()
    history.foreign_copies.sort()
    history.temp_files.sort()
    return history


def _records(lines: str) -> list[Record]:
    """Records from the cache's lines joined by commas (cache.month): one JSON scan, one tuple a record.

    Each line is a JSON array of a Record's fields in order (_row), so the
    scan builds every value and a Record is made straight from its list.
    """
    if not lines:
        return []
    return [_new(Record, fields) for fields in _scan_json(f"[{lines}]", 0)[0]]


def _row(name: str, record: Record) -> RecordRow:
    """A record read from the file `name`, as the cache keeps it: (name, kind, date, line)."""
    return name, record.kind, record.date, "".join(_line_chunks(record, 0))


def _none() -> None:
    """A folder's scan when it is gone."""
    return None


class _Worker:
    """The one process a command's cold reads hand signatures to, started on the first read worth it.

    Forking costs a few milliseconds and a fresh worker's first folder is
    slow to hand over, so one worker serves every read of the process (a
    report reads month by month: sixty reads would start sixty workers) and
    lives until the process exits (concurrent.futures joins it then). It is
    started only while no other thread runs: a fork copies the locks other
    threads hold (the app's reads run in threads, so the app checks in place).
    """

    pool: Executor | None = None
    tried = False
    share = 0.9  # of each folder's signatures, those the worker checks

    @classmethod
    def get(cls) -> Executor | None:
        """The worker, started now if this is the first read worth it and it may be (None: check here)."""
        if cls.pool is None and not cls.tried:
            cls.tried = True
            import threading  # only now: a read of a few folders never needs it

            if threading.active_count() == 1 and sys.platform.startswith("linux"):
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                cls.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        return cls.pool

    @classmethod
    def lost(cls) -> None:
        """The worker failed to deliver: the rest of the process checks its signatures in place."""
        cls.pool = None


class _Verifier:
    """Verifies a cold read's signatures in a second process, one folder behind the reading one.

    Checking a signature (~50 µs) costs twice the reading and parsing of its
    file, so a cold read of many folders hands each folder's signatures to
    the process's worker (_Worker: forked, no interpreter to start) and reads
    the next folder while they are checked: it costs about the greater of
    the two, not their sum. A thread would not do: libsodium runs without
    the GIL, but handing the GIL back and forth at every call and system call
    made a read slower than checking the signatures in place. A few
    signatures, a read of one folder, a process where the worker could not
    start (other threads ran, no fork) are checked at once, here; so is
    anything the worker fails to deliver.
    """

    def __init__(self, *, parallel: bool = False) -> None:
        """A verifier that may use the worker (`parallel`) for folders worth it."""
        self.parallel = parallel
        self.used = False  # whether a folder's signatures went to the worker

    def check(self, unchecked: list[Unchecked]) -> Callable[[], list[bool]]:
        """Start checking signatures; the callable returned waits for their verdicts, in order.

        The worker gets the first `share` of them and this process checks the
        rest when it comes back for the verdicts, while the worker is still at
        its part; the share grows while the worker keeps up and shrinks while
        it is waited for, so both finish together whatever the machine.
        """
        pool = _Worker.get() if self.parallel and len(unchecked) >= _IN_WORKER else None
        if pool is None:
            verdicts = verify_all(unchecked)
            return lambda: verdicts
        cut = round(len(unchecked) * _Worker.share)
        theirs, ours = unchecked[:cut], unchecked[cut:]
        try:
            future = pool.submit(verify_all, theirs)
            self.used = True
        except Exception:  # the worker died already: the rest is checked here
            _Worker.lost()
            verdicts = verify_all(unchecked)
            return lambda: verdicts

        def verdicts_of_both() -> list[bool]:
            """Ours, then the worker's (checked here if it failed: died, raised)."""
            mine = verify_all(ours)
            _Worker.share = (min(1.0, _Worker.share + _STEP) if future.done()
                             else max(0.5, _Worker.share - _STEP))
            try:
                return future.result() + mine
            except Exception:
                _Worker.lost()
                return verify_all(theirs) + mine

        return verdicts_of_both


def _first(pair: tuple[str, Record]) -> str:
    """A (name, record) pair's name: the key records are ordered by."""
    return pair[0]


def _part_of(scan: MonthScan, wanted: frozenset[str]) -> MonthScan:
    """What read_ids takes of a month's scan for `wanted`: their records, their files' reports (none read)."""
    prefixes = tuple(rid + "." for rid in wanted)
    return MonthScan(scan.stamp, False, [r for r in scan.records if r.id in wanted],
                     [other for other in scan.others if other[0].startswith(prefixes)], 0, False)


def _holds_record(row: FileRow) -> bool:
    """Whether a file's row says it held a readable record (a file counted, not set aside)."""
    return row[1] is not None and row[4] != TEMP and row[5] is None


def _scan_of(stamp: tuple[int, int], is_settled: bool, listing: Listing, known: dict[str, FileRow],
             held: list[tuple[str, Record]]) -> MonthScan:
    """A month folder's whole scan from a listing, the `known` rows it kept and the records they `held`.

    Records come in their files' name order, as the cache gives them: whatever
    depends on the order of a history's records is the same read cold or warm.
    """
    rows = [*listing.rows, *(known[name] for name in listing.kept)]
    named = sorted([*listing.records, *held], key=_first)
    return MonthScan(stamp, is_settled, [record for _, record in named],
                     [(name, flag, reason) for name, _, _, _, flag, reason in rows
                      if flag != OWN or reason is not None],
                     sum(1 for row in rows if row[1] is not None))


def clean_own_temp_files(history: History, older_than_s: float = 60.0,
                         now: Callable[[], float] = time.time) -> list[Path]:
    """Remove our own temp files left by a crash (never a record, never a sync tool's file)."""
    removed = []
    for path in history.temp_files:
        if not is_own_temp(path.name):
            continue
        try:
            st = path.lstat()  # a link or a pipe named like our temp file is not ours: left alone
            if stat.S_ISREG(st.st_mode) and now() - st.st_mtime >= older_than_s:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
