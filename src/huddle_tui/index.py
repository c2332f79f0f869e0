"""The history index: a cache of parsed record files, one small file per kind and month.

It is only a speed-up. Every read still lists the month folders it reads and
stats each file; an entry is used only while the file's size, mtime and inode
are unchanged, so an added, changed or removed file is always noticed. One
index file per month means a reader of recent history (`huddle next`) loads
only recent months. The index lives in the user cache dir and is always safe
to delete: a missing, torn or foreign index file just means a cold read.

Entries are plain tuples stored with `marshal`, which loads several times
faster than pickling NamedTuples; the file is tagged with the Python version
because marshal's format may change between versions.
"""

from __future__ import annotations

import marshal
import sys
import zlib
from pathlib import Path
from typing import Any

from huddle_tui.envelope import Record
from huddle_tui.fileio import write_atomic

INDEX_FORMAT = 2
_HEAD = (INDEX_FORMAT, sys.version_info[:2])
Stamp = tuple[int, int, int]


_TAGS: dict[Path, str] = {}


def folder_tag(root: Path) -> str:
    """A short, stable name for one shared folder's indexes (resolving a path costs syscalls)."""
    tag = _TAGS.get(root)
    if tag is None:
        # A cache key, not a secret: two checksums keep hashlib (and OpenSSL) off this path.
        key = str(root.resolve()).encode()
        tag = _TAGS[root] = f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}"
    return tag


class MonthIndex:
    """Parsed files of one kind's month folder, keyed by file name."""

    def __init__(self, path: Path, entries: dict[str, tuple[Stamp, Any]]) -> None:
        """Wrap loaded entries; `dirty` says whether they need saving."""
        self.path = path
        self.entries = entries
        self.dirty = False

    @classmethod
    def load(cls, index_dir: Path, root: Path, kind: str, month: str) -> MonthIndex:
        """Load one month's index, or start empty if it is missing or unreadable."""
        path = index_dir / folder_tag(root) / kind / f"{month}.idx"
        entries: dict[str, tuple[Stamp, Any]] = {}
        try:
            with open(path, "rb") as f:
                head, loaded = marshal.load(f)
            if head == _HEAD and isinstance(loaded, dict):
                entries = loaded
        except Exception:  # any damage to a cache file only costs a re-read
            entries = {}
        return cls(path, entries)

    def get(self, name: str, stamp: Stamp) -> Record | str | None:
        """The cached parse of a file (a Record or a corruption reason), if unchanged since."""
        entry = self.entries.get(name)
        if entry is None or entry[0] != stamp:
            return None
        value = entry[1]
        return value if isinstance(value, str) else Record._make(value)

    def put(self, name: str, stamp: Stamp, value: Record | str) -> None:
        """Remember a file's parse."""
        self.entries[name] = (stamp, value if isinstance(value, str) else tuple(value))
        self.dirty = True

    def keep_only(self, seen: set[str]) -> None:
        """Forget files that are gone from the folder."""
        gone = [name for name in self.entries if name not in seen]
        for name in gone:
            del self.entries[name]
        self.dirty = self.dirty or bool(gone)

    def save(self) -> None:
        """Write the index if it changed; a failure only costs speed next time."""
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, marshal.dumps((_HEAD, self.entries)), durable=False)
            self.dirty = False
        except (OSError, ValueError):
            pass
