"""Folder stamps: how a reader tells, without listing, that a folder has not changed.

Every writer we know of (ours, git, Syncthing, Dropbox, rsync) adds,
replaces or removes a file by creating, renaming or unlinking it, which
changes the folder's mtime. A stamp taken when the folder had not changed
for RACY_NS is settled: a change in the same clock tick as a listing is never
missed (git's "racy clean" rule, `settled` below: the one place it is
written). Stdlib only, so the lobby's first paint can check a derived answer
(storage/derived.py) without importing the store.
"""

from __future__ import annotations

import os
import stat
import zlib
from pathlib import Path

RECORDS = "records"
RACY_NS = 3_000_000_000
DirStamp = tuple[int, int]

_RESOLVED: dict[Path, Path] = {}
_FINGERPRINTS: dict[int, tuple[object, str]] = {}
_REMEMBERED = 8


def dir_stamp(folder: str) -> DirStamp | None:
    """The folder's (mtime_ns, inode), or None when it is gone or no longer a folder (a link now)."""
    try:
        st = os.lstat(folder)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


def settled(changed_ns: int, seen_ns: int) -> bool:
    """Whether a folder or file last changed at `changed_ns` and seen at `seen_ns` can be trusted later.

    git's racy-clean rule: a change within RACY_NS of the moment it was seen
    may be followed by another in the same clock tick, which no stamp shows,
    so what was seen then is looked at again next time.
    """
    return seen_ns - changed_ns > RACY_NS


def checksum(text: str) -> str:
    """A short, stable cache key for some text (not a secret: two checksums keep hashlib off this path)."""
    key = text.encode()
    return f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}"


def fingerprint(value: object) -> str:
    """A key naming a value (a team config), the same in every process: its builder's, or computed.

    Computed from the value's canonical form (storage/canonical.py), imported
    only then: its builder (config/kept_team.py) keeps the key with the value,
    so a warm start finds it here without json or hashlib.
    """
    found = _FINGERPRINTS.get(id(value))
    if found is not None and found[0] is value:
        return found[1]
    from huddle_tui.storage.canonical import canonical_fingerprint

    return canonical_fingerprint(value)


def remember_fingerprint(value: object, print_: str) -> None:
    """Say which checksum names `value` (held with it, so its id is not reused; the last few only)."""
    _FINGERPRINTS[id(value)] = (value, print_)
    while len(_FINGERPRINTS) > _REMEMBERED:
        del _FINGERPRINTS[next(iter(_FINGERPRINTS))]


def folder_tag(root: Path) -> str:
    """A short, stable name for one shared folder's caches."""
    return checksum(str(resolved(root)))


def resolved(root: Path) -> Path:
    """The folder's absolute path, once per process (resolving a path costs syscalls)."""
    found = _RESOLVED.get(root)
    if found is None:
        found = _RESOLVED[root] = root.resolve()
    return found
