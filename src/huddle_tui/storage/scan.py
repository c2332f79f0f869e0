"""Reading one month folder of record files into a scan the history index can keep.

A scan is the whole truth about one folder at one moment: the verified
records it holds, the files a report must name (conflicted copies, unusable
files with the reason, temp files still being written) and, to scan it again
cheaply, each file's stamp (size, mtime, inode). The index stores scans as
they are, so a warm read gives exactly what a cold read would.

A folder whose stamp is unchanged since a settled scan is not listed again:
every writer we know of (ours, git, Syncthing, Dropbox, rsync) adds, replaces
or removes a file by creating, renaming or unlinking it, which changes the
folder's mtime. A scan is settled only when the folder had not changed for
RACY_NS before it started, so a change in the same clock tick as the listing
is never missed (git's "racy clean" rule); listing such a folder again while
its stamp is still the same takes an old file still under its name with the
same inode (from the listing) as the file it was: only a name or inode can
have changed unseen. Files are treated alike: a parse
is reused only for a file whose stamp is unchanged and was already old when
parsed. A file rewritten in place (no writer does that; it is damage) is
seen by the next read of a changed folder and by `huddle doctor`, which
reads every file.
"""

from __future__ import annotations

import errno
import marshal
import os
import stat
import sys
import time
from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

from huddle_tui.storage import envelope, validate
from huddle_tui.storage.envelope import CorruptRecord
from huddle_tui.storage.fileio import is_own_temp
from huddle_tui.storage.stamps import RACY_NS, RECORDS, DirStamp

# How a file was found: a record file under its own name, one under another
# name (a sync tool's conflicted copy), and a temp file readers must skip.
OWN, FOREIGN, TEMP = 0, 1, 2
FileStamp = tuple[int, int, int]
Other = tuple[str, int, "str | None"]
Fields = tuple[Any, ...]
NEVER = -1  # the mtime a scan keeps for a file parsed while fresh: read it again next time
_RULES = validate.RULES  # looked up once: a cold read checks thousands of payloads
_decode = envelope.decode
_MAX_FILE_BYTES = envelope.MAX_FILE_BYTES
_S_IFMT, _S_IFREG = stat.S_IFMT(0o177777), stat.S_IFREG
_ELOOP = getattr(errno, "ELOOP", -1)
# No newline translation on Windows; never through a link; never waiting on a pipe or device
# (opening a FIFO without O_NONBLOCK blocks until someone writes to it: a read would hang).
_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_NONBLOCK", 0))
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_AT_FDS = sys.platform != "win32" and os.open in os.supports_dir_fd and os.scandir in os.supports_fd
LINK = "a symbolic link (never followed: in a shared folder it may point anywhere on this machine)"
NOT_A_FILE = "not a regular file (a pipe, device or folder: never opened)"
PRIVATE = "a private record in the shared folder (never shown: it belongs on its author's machine only)"
_SUFFIX = envelope.FILE_SUFFIX  # every record file's, own or a copy's
_SUFFIX_AT = -len(_SUFFIX)


class MonthScan(NamedTuple):
    """What one month folder held, and the folder stamp it was read at.

    `records` holds every readable record file's Record (its plain fields
    once stored in the index), own or copied;
    `others` (name, flag, reason) names conflicted copies (reason None),
    unusable files (with the reason) and temp files. `reuse` is needed only to
    scan the folder again: the marshalled {name: (size, mtime_ns, inode, flag,
    slot)}, slot indexing `records`, or `others` as -1-i. A warm read never
    decodes it, nor builds a name or an int per file.
    """

    stamp: DirStamp
    settled: bool
    records: list[Fields]
    others: list[Other]
    files_read: int
    reuse: bytes


def is_sync_temp(name: str) -> bool:
    """Tell whether a name is a sync tool's (or our own) file still being written."""
    return (
        is_own_temp(name)
        or name.startswith((".syncthing.", "~syncthing~", ".~", "~$"))
        or name.endswith((".tmp", ".part", ".partial", ".crdownload"))
    )


def scan_month(folder: str, kind: str, month: str, stamp: DirStamp,
               previous: MonthScan | None, *, shared: bool = True) -> MonthScan:
    """List and read one month folder, reusing `previous` parses of unchanged files.

    `stamp` must be taken before the listing, so that a change made during
    the scan shows as a changed stamp next time. A `shared` folder's reader
    sets aside records marked private.
    """
    now = time.time_ns()
    # The folder is opened once, without following a link (it may have become one since it was
    # listed), and its files are opened relative to it: one name to resolve, not the whole path.
    at: int | None = None
    try:
        if _AT_FDS:
            at = os.open(folder, _DIR_FLAGS)
            with os.scandir(at) as it:
                entries = list(it)
        else:
            with os.scandir(folder) as it:
                entries = list(it)
    except OSError:
        entries = []
    try:
        return _scan_entries(entries, folder, kind, month, stamp, previous, shared, at, now)
    finally:
        if at is not None:
            os.close(at)


class Listed(Protocol):
    """What a scan asks of a listed name: os.DirEntry, or folder.py's entry for a few names."""

    @property
    def name(self) -> str:
        """Its name in the folder."""

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        """A regular file."""

    def is_symlink(self) -> bool:
        """A symbolic link."""

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        """Its stat."""

    def inode(self) -> int:
        """Its inode number (from the listing where the system gives it)."""


def scan_entries(entries: Sequence[Listed], folder: str, kind: str, month: str, stamp: DirStamp,
                 *, shared: bool, at: int | None) -> MonthScan:
    """Read the files of some entries of a month folder (a part of a listing, for a few ids)."""
    return _scan_entries(entries, folder, kind, month, stamp, None, shared, at, time.time_ns())


def _scan_entries(entries: Sequence[Listed], folder: str, kind: str, month: str, stamp: DirStamp,
                  previous: MonthScan | None, shared: bool, at: int | None, now: int) -> MonthScan:
    """scan_month's work on one listing (files opened relative to the folder fd `at`, if any)."""
    old: dict[str, tuple[int, int, int, int, int]] = marshal.loads(previous.reuse) if previous else {}
    same = previous is not None and previous.stamp == stamp
    records: list[Fields] = []
    others: list[Other] = []
    reuse: dict[str, tuple[int, int, int, int, int]] = {}
    sep = os.sep
    for entry in entries:
        name = entry.name
        # Most names end in .json and start with neither "." nor "~": none of those is a temp file.
        if name[_SUFFIX_AT:] != _SUFFIX or name[:1] in (".", "~"):
            if is_sync_temp(name):
                others.append((name, TEMP, None))
                continue
            if name[_SUFFIX_AT:] != _SUFFIX:
                continue
        # Answered from the listing (d_type) on the file systems we know: no call per file.
        if not entry.is_file(follow_symlinks=False):
            others.append((name, _flag(name), LINK if entry.is_symlink() else NOT_A_FILE))
            continue
        hit = old.get(name)
        found: FileStamp
        if hit is not None and same and hit[1] != NEVER and entry.inode() == hit[2]:
            # The folder is as it was when last listed (only too lately changed to be trusted
            # unlisted): an old file still under its name, its inode from the listing itself
            # (d_ino), is the file read then, as a settled scan of this stamp would take it.
            found = hit[:3]
        elif hit is not None:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:  # gone since the listing
                continue
            found = (st.st_size, st.st_mtime_ns, st.st_ino)
        if hit is not None and hit[:3] == found and previous is not None:
            flag, slot = hit[3], hit[4]
            value: Fields | str = previous.records[slot] if slot >= 0 else str(previous.others[-1 - slot][2])
        else:
            # A file read is stamped by the fstat of its own open: no separate stat call.
            parsed = _parse(folder + sep + name, name, kind, month, shared, at)
            if parsed is None:  # gone since the listing
                continue
            flag, value, found = parsed
        if isinstance(value, tuple):
            slot = len(records)
            records.append(value)
            if flag == FOREIGN:
                others.append((name, FOREIGN, None))
        else:
            slot = -1 - len(others)
            others.append((name, flag, value))
        # A file changed within RACY_NS of being read may change again unseen: read it next time too.
        size, mtime_ns, inode = found
        reuse[name] = (size, mtime_ns if now - mtime_ns > RACY_NS else NEVER, inode, flag, slot)
    return MonthScan(stamp, now - stamp[0] > RACY_NS, records, others, len(reuse), marshal.dumps(reuse))


def _parse(path: str, name: str, kind: str, month: str, shared: bool = True,
           at: int | None = None) -> tuple[int, Fields | str, FileStamp] | None:
    """Read and verify one record file: its flag, its Record or the reason it is unusable, and its
    (size, mtime_ns, inode); None when it is gone.

    The open neither follows a link (O_NOFOLLOW) nor waits on a pipe (O_NONBLOCK),
    and only a regular file is read: the listing said so, but it may have changed since.
    """
    try:
        fd = os.open(path, _READ_FLAGS) if at is None else os.open(name, _READ_FLAGS, dir_fd=at)
    except FileNotFoundError:
        return None
    except OSError as exc:
        try:
            st = os.lstat(path) if at is None else os.stat(name, dir_fd=at, follow_symlinks=False)
        except OSError:
            return None
        found = (st.st_size, st.st_mtime_ns, st.st_ino)
        return _flag(name), LINK if exc.errno == _ELOOP else _unreadable(exc), found
    try:
        st = os.fstat(fd)
        size = st.st_size
        found = (size, st.st_mtime_ns, st.st_ino)
        if (st.st_mode & _S_IFMT) != _S_IFREG:
            return _flag(name), NOT_A_FILE, found
        if size > _MAX_FILE_BYTES:
            return _flag(name), f"too large to be a record ({size} bytes)", found
        data = os.read(fd, size + 1)  # one read call while it still has the size fstat gave
        if len(data) > size:
            data = _read_on(fd, data)
    except OSError as exc:
        return _flag(name), _unreadable(exc), (0, NEVER, 0)
    finally:
        os.close(fd)
    try:
        record = _decode(data)
    except CorruptRecord as exc:
        return _flag(name), str(exc), found
    # The record's fields by position: a cold read checks thousands (Record attributes cost a lookup).
    record_kind, _, _, date, _, deleted, payload, *_ = record
    if record_kind != kind or date[:7] != month[:7]:
        return _flag(name), f"in the wrong folder (belongs in {RECORDS}/{record_kind}/{date[:7]})", found
    if shared and payload.get("visibility") == "private":
        return _flag(name), PRIVATE, found
    # A tombstone's payload is never shown: it only has to be an object (checked in decode).
    rule = None if deleted else _RULES.get(kind)
    if rule is not None and rule(payload) is not None:
        return _flag(name), str(validate.problem(kind, payload)), found
    return OWN if name == record.file_name() else FOREIGN, record, found


def _unreadable(exc: OSError) -> str:
    """The reason for a file that could not be opened or read."""
    return f"cannot be read ({exc.strerror or exc})"


def _flag(name: str) -> int:
    """Whether an unusable file has one of our names (only the name can tell)."""
    return FOREIGN if envelope.parse_file_name(name) is None else OWN


def _read_on(fd: int, data: bytes) -> bytes:
    """The rest of a file that grew since its fstat, after the `data` read so far, up to the limit."""
    chunks = [data]
    total = len(data)
    while total <= _MAX_FILE_BYTES:
        more = os.read(fd, 1 << 16)
        if not more:
            break
        chunks.append(more)
        total += len(more)
    return b"".join(chunks)
