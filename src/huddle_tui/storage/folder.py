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
import os
import stat
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple

from huddle_tui.errors import StoreError, UsageError
from huddle_tui.storage import envelope, index
from huddle_tui.storage.envelope import Record
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
    RECORDS,
    TEMP,
    MonthScan,
    dir_stamp,
    is_sync_temp,
    scan_month,
)

__all__ = ["RECORDS", "FolderStore", "History", "Problem", "clean_own_temp_files", "is_sync_temp",
           "utc_now"]


def utc_now() -> datetime:
    """The real clock; tests pass their own."""
    return datetime.now(UTC)


class Problem(NamedTuple):
    """A file that could not be read, and why: reported, never deleted."""

    path: Path
    reason: str


class History:
    """Everything read from a folder: the merged records and what went wrong."""

    def __init__(self) -> None:
        """Start empty; FolderStore.read fills it."""
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
        if current is None or record.supersedes(current):
            self.records[record.id] = record

    def merge(self, scan: MonthScan, folder: str, since: str | None) -> None:
        """Merge one month folder's scan in (records dated before `since` left out)."""
        records = self.records
        new = tuple.__new__  # Record._make without its Python-level length check
        for fields in scan.records:
            record: Record = fields if fields.__class__ is Record else new(Record, fields)
            if since is not None and record.date < since:
                continue
            current = records.get(record.id)
            if current is None or record.supersedes(current):
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
        """`index_dir` enables the history index (a cache that is only a speed-up).

        A `private` store (this machine's private records) marks every record
        it writes "visibility": "private", whatever its kind, so no reader can
        take one for a team record; any other store sets such a record aside.
        """
        if private and index_dir is not None:
            raise ValueError("the history index is for the shared folder only")
        self.root = root
        self.now = now
        self.durable = durable
        self.index_dir = index_dir
        self.private = private

    @property
    def records_dir(self) -> Path:
        """Where the record files live."""
        return self.root / RECORDS

    # ------------------------------------------------------------ writing

    def next_version(self, kind: str, record_id: str, day: str) -> int:
        """One more than the highest version of `record_id` in its month folder (O(month), not O(history))."""
        folder = self.records_dir / kind / day[:7]
        try:
            names = self._list_month(kind, day[:7])
        except LinkRefused as exc:
            raise _refused(exc) from None
        except OSError as exc:
            raise StoreError(f"{folder}: cannot be listed ({exc.strerror or exc})") from None
        prefix = record_id + "."
        start = len(prefix)
        versions = [name[start:].split(".", 1)[0] for name in names
                    if name.startswith(prefix) and name.endswith(".json")]
        return max((int(v) for v in versions if v.isdigit()), default=0) + 1

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
                version: int | None = None) -> tuple[Record, bytes]:
        """The next version of a record and its file's bytes, not yet written."""
        if not envelope.is_date(day):
            raise UsageError(f"bad date {day!r}")
        if version is None:
            version = self.next_version(kind, record_id, day)
        if self.private:
            payload = {**payload, "visibility": "private"}
        # An anonymous record's time says no more than its date.
        written_at = day if anonymous else self.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return envelope.encode(kind, record_id, version, day, written_at, payload, deleted)

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
                    write_at(fd, target.name, data, durable=self.durable, mtime=midnight, mode=mode)
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
             verify: bool = False) -> History:
        """Read and merge every record (of `kinds`, on or after `since`), reporting bad files.

        `verify` re-reads every file instead of trusting the index (`huddle
        doctor` does), and refreshes the index with what it found.
        """
        history = History()
        # Pause the cycle collector while the read builds many small objects that never form
        # cycles: left on, it walks the growing history over and over (a third of a warm read).
        collecting = gc.isenabled()
        gc.disable()
        try:
            present = self._kinds(history, None if kinds is None else set(kinds))
            wanted = sorted(present) if kinds is None else [k for k in kinds if k in present]
            for kind in wanted:
                self._read_kind(kind, since, verify, history)
        finally:
            if collecting:
                gc.enable()
        history.problems.sort()
        history.foreign_copies.sort()
        history.temp_files.sort()
        return history

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

    def _read_kind(self, kind: str, since: str | None, verify: bool, history: History) -> None:
        """Read one kind's month folders (those on or after `since`), through the index."""
        base = os.path.join(self.records_dir, kind)
        months = []
        try:
            with os.scandir(base) as it:
                for e in it:
                    name = e.name
                    if name.startswith("."):
                        continue
                    # From the listing alone (d_type): no call per month folder on the warm path.
                    if e.is_dir(follow_symlinks=False):
                        months.append(name)
                    elif e.is_symlink() and (since is None or name[:7] >= since[:7]):
                        history.problems.append(Problem(Path(e.path), LINK))
        except OSError:
            return
        months.sort()
        wanted = [m for m in months if since is None or m[:7] >= since[:7]]
        if self.index_dir is None:
            for month in wanted:
                folder = os.path.join(base, month)
                stamp = dir_stamp(folder)
                if stamp is not None:
                    found = scan_month(folder, kind, month, stamp, None, shared=not self.private)
                    history.merge(found, folder, since)
            return
        root = self.root
        for year, group in groupby(wanted, key=index.year_of):
            book = index.YearIndex.load(self.index_dir, root, kind, year)
            if verify:
                book.forget()
            for month in group:
                folder = os.path.join(base, month)
                scan = _scan_through(book, folder, kind, month)
                if scan is not None:
                    history.merge(scan, folder, since)
            book.keep_only({m for m in months if index.year_of(m) == year})
            book.save()


def _refused(exc: LinkRefused) -> StoreError:
    """The error for a folder that is a link: what it is, and what to do about it."""
    return StoreError(f"{exc.where} is {exc.what}: huddle never reads or writes through one "
                      "(in a shared folder it may point anywhere on this machine); remove it")


def _scan_through(book: index.YearIndex, folder: str, kind: str, month: str) -> MonthScan | None:
    """One month's scan: the stored one while the folder is unchanged, else listed again."""
    stamp = dir_stamp(folder)
    if stamp is None:
        return None
    cached = book.get(month)
    if cached is not None and cached.settled and cached.stamp == stamp:
        return cached
    scan = scan_month(folder, kind, month, stamp, cached)
    book.put(month, scan)
    return scan


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
