"""The history index: the last scan of each month folder, one small file per kind and month.

It is only a speed-up, kept in the user cache dir and always safe to delete:
a missing, torn, foreign or stale index file just means its months are
scanned again (scan.py says when a stored scan may be used as it is). A file
per month lets a save, a day's summary and the next facilitator's plan load
and rewrite only the months they touch: with a file per year, a save into a
200-member team's month read and rewrote ~15 MB of other months' scans.

A file is a header naming the format and the Python version (marshal's format
may change between versions), a CRC-32 of the rest, then the folder it
describes and the month's scan marshalled on its own, so a torn write or
another folder's index is never mistaken for this one. Month folders with odd
names (not YYYY-MM) share one file, "other".
"""

from __future__ import annotations

import marshal
import sys
import zlib
from pathlib import Path

from huddle_tui.storage.fileio import write_atomic
from huddle_tui.storage.scan import MonthScan
from huddle_tui.storage.stamps import folder_tag, resolved

# 5: scans set aside records whose payload breaks storage/validate.py's rules.
# 6: one file per kind and month (5 and before: one per kind and year).
# 7: records keep their signer and signature (checked when the file was read).
INDEX_FORMAT = 7
_MAGIC = f"huddle-index {INDEX_FORMAT} py{sys.version_info[0]}.{sys.version_info[1]}\n".encode()


_bases: dict[tuple[Path, Path, str], Path] = {}  # one kind's index folder, named once per process
_dropped: set[Path] = set()  # files per year of formats ≤ 5 this process has removed


def book_of(month: str) -> str:
    """The index file a month folder's scan goes in: its own, or "other" for odd folder names."""
    if len(month) == 7 and month[4] == "-" and month.isascii() and month.replace("-", "", 1).isdigit():
        return month
    return "other"


class MonthIndex:
    """The stored scan of one kind's month folder (of several odd-named ones in "other")."""

    def __init__(self, path: Path, where: tuple[str, str, str], packed: dict[str, bytes]) -> None:
        """Wrap loaded scans, still packed; `dirty` says whether they need saving."""
        self.path = path
        self.where = where
        self.packed = packed
        self.scans: dict[str, MonthScan] = {}
        self.dirty = False

    @classmethod
    def load(cls, index_dir: Path, root: Path, kind: str, book: str) -> MonthIndex:
        """Load one index file's scans, or start empty if missing, damaged or not this folder's."""
        base = _bases.get((index_dir, root, kind))
        if base is None:
            base = _bases[(index_dir, root, kind)] = index_dir / folder_tag(root) / kind
        path = base / f"{book}.idx"
        where = (str(resolved(root)), kind, book)
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
        data = _MAGIC + zlib.crc32(blob).to_bytes(4, "big") + blob
        try:
            try:  # the folder is made only when missing (a cold read saves one file per month folder)
                write_atomic(self.path, data, durable=False)
            except FileNotFoundError:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(self.path, data, durable=False)
            self.dirty = False
            old = self.path.with_name(f"{self.where[2][:4]}.idx")
            if self.where[2] != "other" and old not in _dropped:
                # The file per year of formats ≤ 5 is never read again: dropped (once a process).
                _dropped.add(old)
                old.unlink(missing_ok=True)
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
    blob = memoryview(data)[head + 4:]  # no copy: a month of a big team's check-ins is a megabyte
    if len(data) < head + 4 or not data.startswith(_MAGIC) \
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
