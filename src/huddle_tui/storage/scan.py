"""Listing and reading one month folder of record files: what the cache (cache.py) keeps of it.

A listing tells each name's fate: a temp file still being written (skipped),
a link or something else that is no regular file (reported, never opened), a
file whose row from the last read still holds (kept), or a file read and
verified now, giving its record or the reason it is set aside. A file's row
holds only while its (size, mtime, inode) is unchanged and it was already
settled when read (stamps.settled, git's "racy clean" rule); a file read
while fresh is read again next time. In a folder listed again at the very
stamp it was last listed at (unsettled then), an old file still under its
name with the inode the listing gives is the file read then: only a name or
inode can have changed unseen, so it is not stat'ed. A file rewritten in
place (no writer does that; it is damage) is seen by the next read of a
changed folder and by `huddle doctor`, which reads every file.
"""

import errno
import os
import stat
import sys
import time
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from huddle_tui.storage import envelope, validate
from huddle_tui.storage.cache import FileRow
from huddle_tui.storage.envelope import CorruptRecord, Record, Unchecked
from huddle_tui.storage.fileio import is_own_temp
from huddle_tui.storage.stamps import RECORDS, DirStamp, settled

# How a file was found: a record file under its own name, one under another
# name (a sync tool's conflicted copy), and a temp file readers must skip.
OWN, FOREIGN, TEMP = 0, 1, 2
FileStamp = tuple[int, int, int]
Other = tuple[str, int, "str | None"]
NEVER = -1  # the mtime kept for a file read while fresh: read it again next time
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

    `records` holds every readable file's Record, own or copied (only those
    dated from a read's first to its last day unless `whole`); `others`
    (name, flag, reason) names conflicted copies (reason None), unusable
    files (with the reason) and temp files.
    """

    stamp: DirStamp
    settled: bool
    records: list[Record]
    others: list[Other]
    files_read: int
    whole: bool = True


class Listing(NamedTuple):
    """A listing held against the last one's rows: the rows that changed, the records read, the names kept.

    `unchecked` lists, for each signature left to verify (scan_month's
    `unchecked`), the index of its file's row and of its record (-1 when the
    file was set aside for another reason): settle() applies the verdicts.
    """

    rows: list[FileRow]
    records: list[tuple[str, Record]]
    kept: list[str]
    unchecked: tuple[tuple[int, int], ...] = ()


def is_sync_temp(name: str) -> bool:
    """Tell whether a name is a sync tool's (or our own) file still being written."""
    return (
        is_own_temp(name)
        or name.startswith((".syncthing.", "~syncthing~", ".~", "~$"))
        or name.endswith((".tmp", ".part", ".partial", ".crdownload"))
    )


def scan_month(folder: str, kind: str, month: str, known: dict[str, FileRow], same: bool, *,
               shared: bool = True, unchecked: list[Unchecked] | None = None,
               newest: bool = False) -> Listing:
    """List and read one month folder, keeping the `known` rows of files unchanged since.

    `same` says the folder's stamp, taken before this listing, is the one the
    known rows were listed at. A `shared` folder's reader sets aside records
    marked private. Given `unchecked`, signatures are put there instead of
    being verified (envelope.decode), for settle() to apply the verdicts.
    `newest`: only the files that can hold each record's newest version (see
    scan_newest), for a store whose merge no judge ranks.
    """
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
        if newest:
            return scan_newest(entries, folder, kind, month, shared=shared, at=at)
        return scan_entries(entries, folder, kind, month, known, same, shared=shared, at=at,
                            unchecked=unchecked)
    finally:
        if at is not None:
            os.close(at)


class Entry(Protocol):
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


def scan_entries(entries: Sequence[Entry], folder: str, kind: str, month: str, known: dict[str, FileRow],
                 same: bool, *, shared: bool, at: int | None,
                 unchecked: list[Unchecked] | None = None) -> Listing:
    """Read the entries of a month folder (all of a listing, or a few ids' files), opened relative to `at`."""
    now = time.time_ns()
    rows: list[FileRow] = []
    records: list[tuple[str, Record]] = []
    kept: list[str] = []
    pending: list[tuple[int, int]] = []
    signatures = 0 if unchecked is None else len(unchecked)
    sep = os.sep
    for entry in entries:
        name = entry.name
        row: FileRow
        # Most names end in .json and start with neither "." nor "~": none of those is a temp file.
        if name[_SUFFIX_AT:] != _SUFFIX or name[:1] in (".", "~"):
            if is_sync_temp(name):
                row = (name, None, 0, 0, TEMP, None)
                if known.get(name) == row:
                    kept.append(name)
                else:
                    rows.append(row)
                continue
            if name[_SUFFIX_AT:] != _SUFFIX:
                continue
        # Answered from the listing (d_type) on the file systems we know: no call per file.
        if not entry.is_file(follow_symlinks=False):
            row = (name, None, 0, 0, _flag(name), LINK if entry.is_symlink() else NOT_A_FILE)
            if known.get(name) == row:
                kept.append(name)
            else:
                rows.append(row)
            continue
        hit = known.get(name)
        if hit is not None and hit[1] is not None and hit[2] != NEVER:
            if same and entry.inode() == hit[3]:
                # The folder is as it was when last listed (only too lately changed to be trusted
                # unlisted): an old file still under its name, its inode from the listing itself
                # (d_ino), is the file read then, as a settled row of this stamp would take it.
                kept.append(name)
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:  # gone since the listing
                continue
            if (st.st_size, st.st_mtime_ns, st.st_ino) == hit[1:4]:
                kept.append(name)
                continue
        # A file read is stamped by the fstat of its own open: no separate stat call.
        parsed = _parse(folder + sep + name, name, kind, month, shared, at, unchecked)
        if parsed is None:  # gone since the listing
            continue
        flag, value, (size, mtime_ns, inode) = parsed
        # A file changed within RACY_NS of being read may change again unseen: read it next time too.
        if not settled(mtime_ns, now):
            mtime_ns = NEVER
        if isinstance(value, str):
            rows.append((name, size, mtime_ns, inode, flag, value))
        else:
            rows.append((name, size, mtime_ns, inode, flag, None))
            records.append((name, value))
        if unchecked is not None and len(unchecked) > signatures:  # its signature is yet to be verified
            signatures += 1
            pending.append((len(rows) - 1, -1 if isinstance(value, str) else len(records) - 1))
    return Listing(rows, records, kept, tuple(pending))


def scan_newest(entries: Sequence[Entry], folder: str, kind: str, month: str, *, shared: bool,
                at: int | None) -> Listing:
    """scan_entries of the files that can hold each record's newest version, for a store no judge ranks.

    There the highest version wins the merge (Record.supersedes), so of a
    record's files under their own names only those of its highest version
    are read, and the next ones down only while none read so far held a
    version of it at least as high (the highest damaged, say). Every other
    name is read as scan_entries reads it. This machine's private folder
    keeps every version a member ever saved of their answer, and each
    check-in read all of those of the last 60 days. Signatures are verified
    at once.
    """
    later: dict[str, dict[int, list[Entry]]] = {}
    batch: list[Entry] = []
    for entry in entries:
        parsed = envelope.parse_file_name(entry.name)
        if parsed is None or not entry.is_file(follow_symlinks=False):
            batch.append(entry)  # a copy, a temp file, a link: as scan_entries takes it
        else:
            later.setdefault(parsed[0], {}).setdefault(parsed[1], []).append(entry)
    # Each id's versions, highest first, as (version, its files).
    left = {rid: sorted(versions.items(), reverse=True) for rid, versions in later.items()}
    for versions in left.values():
        batch += versions.pop(0)[1]
    rows: list[FileRow] = []
    records: list[tuple[str, Record]] = []
    while batch:
        listing = scan_entries(batch, folder, kind, month, {}, False, shared=shared, at=at)
        rows += listing.rows
        records += listing.records
        held: dict[str, int] = {}
        for _, record in records:
            held[record.id] = max(held.get(record.id, 0), record.version)
        batch = []
        for rid, versions in left.items():
            if versions and held.get(rid, 0) < versions[0][0]:
                batch += versions.pop(0)[1]
    return Listing(rows, records, [])


def settle(listing: Listing, verdicts: Sequence[bool]) -> Listing:
    """A listing whose signatures were left unchecked, with each file whose signature failed set aside.

    The verdicts come in the order of `listing.unchecked`. A forged signature
    outranks any other reason, as when decode() verifies at once.
    """
    if all(verdicts):
        return listing._replace(unchecked=())
    rows = list(listing.rows)
    forged: set[int] = set()
    for (row, record), verdict in zip(listing.unchecked, verdicts, strict=True):
        if not verdict:
            name, size, mtime_ns, inode, _, _ = rows[row]
            rows[row] = (name, size, mtime_ns, inode, _flag(name), envelope.FORGED)
            if record >= 0:
                forged.add(record)
    records = [pair for index, pair in enumerate(listing.records) if index not in forged]
    return Listing(rows, records, listing.kept)


def _parse(path: str, name: str, kind: str, month: str, shared: bool = True,
           at: int | None = None, unchecked: list[Unchecked] | None = None
           ) -> tuple[int, Record | str, FileStamp] | None:
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
        record = _decode(data, unchecked)
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
