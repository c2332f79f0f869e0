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

import os
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from huddle_tui import envelope
from huddle_tui.envelope import CorruptRecord, Record
from huddle_tui.errors import StoreError
from huddle_tui.fileio import is_own_temp, write_atomic

RECORDS = "records"
_OWN_NAME = re.compile(r"[0-9a-f-]{36}\.\d+\.[0-9a-f]{8}\.json\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def utc_now() -> datetime:
    """The real clock; tests pass their own."""
    return datetime.now(UTC)


def is_sync_temp(name: str) -> bool:
    """Tell whether a name is a sync tool's (or our own) file still being written."""
    return (
        is_own_temp(name)
        or name.startswith((".syncthing.", "~syncthing~", ".~", "~$"))
        or name.endswith((".tmp", ".part", ".partial", ".crdownload"))
    )


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


class FolderStore:
    """Reads and writes records under one folder (the shared folder or the private one)."""

    def __init__(self, root: Path, *, now: Callable[[], datetime] = utc_now,
                 durable: bool = True, index_dir: Path | None = None) -> None:
        """`index_dir` enables the history index (a cache that is only a speed-up)."""
        self.root = root
        self.now = now
        self.durable = durable
        self.index_dir = index_dir

    @property
    def records_dir(self) -> Path:
        """Where the record files live."""
        return self.root / RECORDS

    # ------------------------------------------------------------ writing

    def next_version(self, kind: str, record_id: str, day: str) -> int:
        """One more than the highest version of `record_id` in its month folder."""
        folder = self.records_dir / kind / day[:7]
        highest = 0
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return 1
        except OSError as exc:
            raise StoreError(f"{folder}: cannot be listed ({exc.strerror or exc})") from None
        prefix = record_id + "."
        for name in names:
            if name.startswith(prefix) and name.endswith(".json"):
                part = name[len(prefix):].split(".", 1)[0]
                if part.isdigit():
                    highest = max(highest, int(part))
        return highest + 1

    def save(self, kind: str, record_id: str, day: str, payload: dict[str, Any], *,
             anonymous: bool = False, deleted: bool = False,
             version: int | None = None) -> Record:
        """Write a new version of a record; anonymous ones carry only their date."""
        if not _DATE.match(day):
            raise ValueError(f"bad date {day!r}")
        if version is None:
            version = self.next_version(kind, record_id, day)
        # An anonymous record's time says no more than its date.
        written_at = day if anonymous else self.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        record, data = envelope.encode(kind, record_id, version, day, written_at, payload, deleted)
        self.write(record, data, anonymous=anonymous)
        return record

    def write(self, record: Record, data: bytes, *, anonymous: bool = False) -> Path:
        """Put an encoded record's file in place (also used to import a teammate's record)."""
        folder = self.records_dir / record.kind / record.date[:7]
        target = folder / record.file_name()
        # An anonymous file's own timestamp must say no more than its date.
        midnight = None
        if anonymous:
            midnight = datetime.fromisoformat(record.date).replace(tzinfo=UTC).timestamp()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data, durable=self.durable, mtime=midnight)
        except OSError as exc:
            raise StoreError(f"{folder}: cannot write a record ({exc.strerror or exc})") from None
        return target

    # ------------------------------------------------------------ reading

    def read(self, kinds: Iterable[str] | None = None, *, since: str | None = None) -> History:
        """Read and merge every record (of `kinds`, on or after `since`), reporting bad files."""
        history = History()
        wanted = tuple(kinds) if kinds is not None else self._kinds()
        for kind in wanted:
            self._read_kind(kind, since, history)
        return history

    def _kinds(self) -> tuple[str, ...]:
        """Every kind folder present, known or not (a newer version may add kinds)."""
        try:
            return tuple(sorted(e.name for e in os.scandir(self.records_dir)
                                if e.is_dir() and not e.name.startswith(".")))
        except OSError:  # missing, or not a folder: nothing to read
            return ()

    def _read_kind(self, kind: str, since: str | None, history: History) -> None:
        """Read one kind's month folders (those on or after `since`), through the index."""
        base = self.records_dir / kind
        try:
            months = sorted(e.name for e in os.scandir(base) if e.is_dir())
        except OSError:
            months = []
        for month in months:
            if since is None or month >= since[:7]:
                self._read_month(kind, base / month, month, since, history)

    def _read_month(self, kind: str, folder: Path, month: str, since: str | None,
                    history: History) -> None:
        """Read one month folder: skip temp files, use the index for unchanged files."""
        from huddle_tui.index import MonthIndex

        index = MonthIndex.load(self.index_dir, self.root, kind, month) if self.index_dir else None
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        seen: set[str] = set()
        for entry in entries:
            name = entry.name
            if is_sync_temp(name):
                history.temp_files.append(Path(entry.path))
                continue
            if not name.endswith(".json"):
                continue
            path = Path(entry.path)
            if not _OWN_NAME.match(name):
                history.foreign_copies.append(path)
            history.files_read += 1
            seen.add(name)
            try:
                st = entry.stat()
            except OSError:
                continue
            stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
            value = index.get(name, stamp) if index is not None else None
            if value is None:
                value = _read_file(path)
                if index is not None:
                    index.put(name, stamp, value)
            if isinstance(value, str):
                history.problems.append(Problem(path, value))
            elif since is None or value.date >= since:
                history.add(value)
        if index is not None:
            index.keep_only(seen)
            index.save()


def _read_file(path: Path) -> Record | str:
    """Read one record file: the Record, or the reason it cannot be used."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    try:
        return envelope.decode(data)
    except CorruptRecord as exc:
        return str(exc)


def clean_own_temp_files(history: History, older_than_s: float = 60.0,
                         now: Callable[[], float] = time.time) -> list[Path]:
    """Remove our own temp files left by a crash (never a record, never a sync tool's file)."""
    removed = []
    for path in history.temp_files:
        if not is_own_temp(path.name):
            continue
        try:
            if now() - path.stat().st_mtime >= older_than_s:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def iso(day: date) -> str:
    """A date as the YYYY-MM-DD string records use."""
    return day.isoformat()
