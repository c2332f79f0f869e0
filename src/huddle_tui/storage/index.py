"""The history index: the last scan of each month folder, one small file per kind and year.

It is only a speed-up, kept in the user cache dir and always safe to delete:
a missing, torn, foreign or stale index file just means its months are
scanned again (scan.py says when a stored scan may be used as it is). A file
per year keeps a cold read from creating hundreds of files, and a reader of
recent history (`huddle next`) from loading the years before.

A file is a header naming the format and the Python version (marshal's format
may change between versions), a CRC-32 of the rest, then the folder it
describes and each month's scan marshalled on its own, so a torn write or
another folder's index is never mistaken for this one, and a reader of recent
months unpacks only those (a year of huddles is ~250 KB).
"""

from __future__ import annotations

import marshal
import sys
import zlib
from pathlib import Path

from huddle_tui.storage.fileio import write_atomic
from huddle_tui.storage.scan import MonthScan

# 5: scans set aside records whose payload breaks storage/validate.py's rules.
INDEX_FORMAT = 5
_MAGIC = f"huddle-index {INDEX_FORMAT} py{sys.version_info[0]}.{sys.version_info[1]}\n".encode()


_RESOLVED: dict[Path, Path] = {}


def folder_tag(root: Path) -> str:
    """A short, stable name for one shared folder's indexes."""
    # A cache key, not a secret: two checksums keep hashlib (and OpenSSL) off this path.
    key = str(resolved(root)).encode()
    return f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}"


def resolved(root: Path) -> Path:
    """The folder's absolute path, once per process (resolving a path costs syscalls)."""
    found = _RESOLVED.get(root)
    if found is None:
        found = _RESOLVED[root] = root.resolve()
    return found


def year_of(month: str) -> str:
    """The index file a month folder's scan goes in (odd folder names share one)."""
    year = month[:4]
    return year if year.isdigit() and year.isascii() else "other"


class YearIndex:
    """The stored scans of one kind's month folders in one year."""

    def __init__(self, path: Path, where: tuple[str, str, str], packed: dict[str, bytes]) -> None:
        """Wrap loaded scans, still packed; `dirty` says whether they need saving."""
        self.path = path
        self.where = where
        self.packed = packed
        self.scans: dict[str, MonthScan] = {}
        self.dirty = False

    @classmethod
    def load(cls, index_dir: Path, root: Path, kind: str, year: str) -> YearIndex:
        """Load one year's scans, or start empty if missing, damaged or not this folder's."""
        path = index_dir / folder_tag(root) / kind / f"{year}.idx"
        where = (str(resolved(root)), kind, year)
        return cls(path, where, _read(path, where))

    def get(self, month: str) -> MonthScan | None:
        """The stored scan of a month folder, if any (unpacked on first use)."""
        scan = self.scans.get(month)
        if scan is None and month in self.packed:
            scan = _unpack(self.packed.pop(month))
            if scan is not None:
                self.scans[month] = scan
        return scan

    def put(self, month: str, scan: MonthScan) -> None:
        """Remember a month's scan (saved only if it differs from the stored one)."""
        if self.get(month) != scan:
            self.scans[month] = scan
            self.dirty = True

    def forget(self) -> None:
        """Drop every stored scan, so each month is read again from its files (a verifying read)."""
        self.scans.clear()
        self.packed.clear()
        self.dirty = True

    def keep_only(self, months: set[str]) -> None:
        """Forget month folders that are gone."""
        for store in (self.scans, self.packed):
            gone = [m for m in store if m not in months]
            for month in gone:
                del store[month]
            self.dirty = self.dirty or bool(gone)

    def save(self) -> None:
        """Write the file if anything changed; a failure only costs speed next time."""
        if not self.dirty:
            return
        packed = dict(self.packed)
        for month, s in self.scans.items():
            packed[month] = marshal.dumps((s.stamp, s.settled, [tuple(r) for r in s.records], s.others,
                                           s.files_read, s.reuse))
        blob = marshal.dumps((self.where, packed))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, _MAGIC + zlib.crc32(blob).to_bytes(4, "big") + blob, durable=False)
            self.dirty = False
        except OSError:
            pass


def _read(path: Path, where: tuple[str, str, str]) -> dict[str, bytes]:
    """The packed scans in an index file, or none when it is missing, torn or another folder's."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return {}
    head = len(_MAGIC)
    blob = data[head + 4:]
    if len(data) < head + 4 or data[:head] != _MAGIC \
            or zlib.crc32(blob) != int.from_bytes(data[head:head + 4], "big"):
        return {}
    try:
        stored_where, packed = marshal.loads(blob)
    except (ValueError, EOFError, TypeError):
        return {}
    if stored_where != where or not isinstance(packed, dict):
        return {}
    return {m: b for m, b in packed.items() if isinstance(m, str) and isinstance(b, bytes)}


def _unpack(blob: bytes) -> MonthScan | None:
    """One month's scan, or None if its bytes do not make one (then the month is re-scanned)."""
    try:
        return MonthScan._make(marshal.loads(blob))
    except (ValueError, EOFError, TypeError):
        return None
