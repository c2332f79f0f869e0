"""Writing a whole new history at once (the demo's years of it) into a folder nobody reads yet.

Making a file costs far more than reading one: a new inode and a directory
entry, in the kernel. A save into a shared folder pays for two of them (a
temp file renamed into place, so that a reader never sees half a file) and
walks to its month folder name by name, because teammates read and write the
folder meanwhile. A history being made has no reader until it is whole: its
files are written straight under their own names into a hidden folder beside
records/, each month folder opened once, and the finished records/ is renamed
into place in one step. An error part-way removes the hidden folder; a crash
leaves it (and no records/ at all), and the next run removes it. Either way
no half-written file is ever among a folder's records.

The files are made by a second process while this one prepares the next
ones: making them is kernel time that Python threads could only overlap by
handing the interpreter lock to and fro at every call, each handover waiting
for the busy thread's switch interval.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

from huddle_tui.errors import StoreError
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.fileio import AT_FDS, check_no_links, open_folder
from huddle_tui.storage.folder import FolderStore, utc_now
from huddle_tui.storage.signature import SigningKey
from huddle_tui.storage.stamps import RECORDS

UNFINISHED_PREFIX = ".huddle-making-"
BATCH = 256  # files handed to the writing process at a time
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
# One file to make: kind, month, file name, bytes, and the time to give it (None: now).
File = tuple[str, str, str, bytes, float | None]


def is_unfinished(name: str) -> bool:
    """Whether a name in a shared folder is a history still being made (or left by a crash)."""
    return name.startswith(UNFINISHED_PREFIX)


def remove_unfinished(root: Path) -> None:
    """Remove what a crashed history writer left in `root` (never a record: those are under records/)."""
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        return
    for name in names:
        if is_unfinished(name):
            shutil.rmtree(root / name, ignore_errors=True)


class HistoryWriter:
    """Saves new records of known versions into `root`'s records/, which must not exist until publish().

    `in_process` makes the files in this process instead of a second one.
    """

    def __init__(self, root: Path, *, now: Callable[[], datetime] = utc_now,
                 in_process: bool = False) -> None:
        """Make the hidden folder the history is written into (and start its writer); no records/ yet."""
        self.root = root
        self.making = root / f"{UNFINISHED_PREFIX}{os.urandom(6).hex()}"
        os.mkdir(self.making, 0o700)
        # Encoding (dates checked, an anonymous record's time) is the store's, as for any save.
        self._store = FolderStore(self.making, now=now, durable=False)
        self._pending: list[File] = []
        self._files: _Files | None = None
        self._conn: Connection | None = None
        self._process: Any = None
        if in_process:
            self._files = _Files(self.making)
        else:
            self._conn, theirs = multiprocessing.Pipe()
            self._process = multiprocessing.Process(target=_write_received,
                                                    args=(theirs, self._conn, str(self.making)),
                                                    name="huddle-write", daemon=True)
            self._process.start()
            theirs.close()

    def save(self, kind: str, record_id: str, day: str, payload: dict[str, Any], *,
             anonymous: bool = False, version: int, key: SigningKey | None = None) -> Record:
        """Queue one record's file under its own name (an anonymous one dated its day's midnight).

        `key` signs it in the same pass that encodes it, as any save does.
        """
        record, data = self._store.prepare(kind, record_id, day, payload, anonymous=anonymous,
                                           version=version, key=key)
        # An anonymous file's time must say no more than its date.
        midnight = datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() if anonymous else None
        self._pending.append((kind, day[:7], record.file_name(), data, midnight))
        if len(self._pending) >= BATCH:
            self._flush()
        return record

    def _flush(self) -> None:
        """Make the queued files (or hand them to the writing process)."""
        files, self._pending = self._pending, []
        if self._files is not None:
            self._files.write(files)
            return
        assert self._conn is not None
        try:
            self._conn.send(files)
        except OSError:  # it stopped: it says why
            self._finish()
            raise StoreError(f"{self.making}: the writing process stopped") from None

    def _finish(self) -> None:
        """Every queued file made and every folder closed; StoreError saying what failed, if anything."""
        if self._files is not None:
            self._files.close()
            return
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        failed: str | None = "the writing process stopped"
        try:
            conn.send(None)
        except OSError:
            pass
        try:
            failed = conn.recv()
        except (EOFError, OSError):
            pass
        finally:
            conn.close()
            self._process.join()
        if failed is not None:
            raise StoreError(failed)

    def publish(self) -> None:
        """Put the whole history in place as `root`/records in one rename (refused if one is there)."""
        try:
            self._flush()
            self._finish()
        except BaseException:
            self.discard()
            raise
        target = self.root / RECORDS
        if target.exists() or target.is_symlink():
            self.discard()
            raise StoreError(f"{target} already exists; a new history is not put over it")
        os.makedirs(self.making / RECORDS, exist_ok=True)  # an empty history is a history too
        try:
            os.rename(self.making / RECORDS, target)
        except OSError as exc:
            self.discard()
            raise StoreError(f"{target}: cannot be put in place ({exc.strerror or exc})") from None
        os.rmdir(self.making)

    def discard(self) -> None:
        """Stop writing and remove everything written so far."""
        if self._files is not None:
            self._files.close()
        if self._conn is not None:
            self._conn.close()  # the writing process reads the end of its input and stops
            self._conn = None
            self._process.join()
        shutil.rmtree(self.making, ignore_errors=True)

    def __enter__(self) -> HistoryWriter:
        """Use as a context: publish() at its end, discard() if it ends in an error."""
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Publish the history, or remove it when the block raised."""
        if error is None:
            self.publish()
        else:
            self.discard()


class _Files:
    """Makes files in a history being made, each month folder opened once."""

    def __init__(self, making: Path) -> None:
        """Nothing opened yet."""
        self.making = making
        self._folders: dict[tuple[str, str], int] = {}

    def write(self, files: list[File]) -> None:
        """Make each file whole under its own name; StoreError if one cannot be."""
        try:
            for kind, month, name, data, mtime in files:
                if AT_FDS:
                    folder = self._folder(kind, month)
                    fd = os.open(name, _NEW_FILE, 0o666, dir_fd=folder)
                else:
                    check_no_links(self.making, (RECORDS, kind, month), create=True)
                    path = os.path.join(self.making, RECORDS, kind, month, name)
                    fd = os.open(path, _NEW_FILE, 0o666)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view):]
                finally:
                    os.close(fd)
                if mtime is not None:
                    if AT_FDS:
                        os.utime(name, (mtime, mtime), dir_fd=folder, follow_symlinks=False)
                    else:
                        os.utime(path, (mtime, mtime))
        except OSError as exc:
            raise StoreError(f"{self.making}: cannot write a record ({exc.strerror or exc})") from None

    def _folder(self, kind: str, month: str) -> int:
        """The open month folder of a kind, made on first use."""
        fd = self._folders.get((kind, month))
        if fd is None:
            fd = open_folder(self.making, (RECORDS, kind, month), create=True)
            assert fd is not None  # made when missing
            self._folders[(kind, month)] = fd
        return fd

    def close(self) -> None:
        """Close every month folder opened."""
        for fd in self._folders.values():
            os.close(fd)
        self._folders.clear()


def _write_received(conn: Connection, other_end: Connection, making: str) -> None:
    """The writing process: make each batch of files received until None, then answer None or what failed."""
    other_end.close()  # a forked copy of the writer's end: held open, the writer's close would never be seen
    files = _Files(Path(making))
    answer: str | None = None
    try:
        while (batch := conn.recv()) is not None:
            files.write(batch)
    except EOFError:  # the writer discarded the history (or died): stop
        return
    except StoreError as exc:
        answer = str(exc)
    finally:
        files.close()
    try:
        conn.send(answer)
    except OSError:
        pass
