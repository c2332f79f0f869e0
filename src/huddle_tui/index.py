"""The history index: a per-folder, per-kind cache of parsed record files.

It is only a speed-up. Every read still lists the folder and stats each file;
an entry is used only while the file's size, mtime and inode are unchanged,
so an added, changed or removed file is always noticed. The index lives in
the user cache dir and is always safe to delete.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path

from huddle_tui.envelope import Record
from huddle_tui.fileio import write_atomic

INDEX_FORMAT = 1
Stamp = tuple[int, int, int]
Entry = tuple[Stamp, Record | str]


def index_path(index_dir: Path, root: Path, kind: str) -> Path:
    """The index file for one kind of one shared folder."""
    tag = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return index_dir / tag / f"{kind}.pickle"


class KindIndex:
    """Parsed files of one kind folder, keyed by 'date/name'."""

    def __init__(self, path: Path, entries: dict[str, Entry]) -> None:
        """Wrap loaded entries; `dirty` says whether they need saving."""
        self.path = path
        self.entries = entries
        self.dirty = False

    @classmethod
    def load(cls, index_dir: Path, root: Path, kind: str) -> KindIndex:
        """Load the index, or start an empty one if it is missing, stale or unreadable."""
        path = index_path(index_dir, root, kind)
        try:
            with open(path, "rb") as f:
                head, entries = pickle.load(f)
            if head != (INDEX_FORMAT, sys.version_info[:2]) or not isinstance(entries, dict):
                entries = {}
        except Exception:  # a missing, torn or foreign cache file just means a cold read
            entries = {}
        return cls(path, entries)

    def get(self, key: str, stamp: Stamp) -> Record | str | None:
        """The cached parse of a file, if the file is unchanged since."""
        entry = self.entries.get(key)
        if entry is not None and entry[0] == stamp:
            return entry[1]
        return None

    def put(self, key: str, stamp: Stamp, value: Record | str) -> None:
        """Remember a file's parse (a Record, or the reason it is corrupt)."""
        self.entries[key] = (stamp, value)
        self.dirty = True

    def forget_missing(self, seen: set[str], since: str | None) -> None:
        """Drop entries for files that are gone (only within the dates just listed)."""
        gone = [k for k in self.entries if k not in seen and (since is None or k >= since)]
        for key in gone:
            del self.entries[key]
        if gone:
            self.dirty = True

    def save(self) -> None:
        """Write the index if it changed; a failure only costs speed next time."""
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = pickle.dumps(((INDEX_FORMAT, sys.version_info[:2]), self.entries),
                                protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(self.path, data, durable=False)
            self.dirty = False
        except OSError:
            pass
