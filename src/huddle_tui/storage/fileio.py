"""Durable writes: a temp file in the same folder, fsync, rename, fsync the folder.

A reader never sees half a file under its final name, and a crash leaves at
most a temp file that readers skip and `huddle doctor --fix` removes.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

TEMP_PREFIX = ".huddle-"
TEMP_SUFFIX = ".tmp"
_REPLACE_TRIES = 10


def temp_path_for(target: Path) -> Path:
    """A unique temp file name beside `target` that readers know to skip."""
    return target.with_name(f"{TEMP_PREFIX}{os.urandom(8).hex()}{TEMP_SUFFIX}")


def is_own_temp(name: str) -> bool:
    """Tell whether a file name is one of our temp files."""
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def write_atomic(target: Path, data: bytes, *, durable: bool = True,
                 mtime: float | None = None) -> None:
    """Write `data` to `target` so that it is either wholly there or not at all."""
    tmp = temp_path_for(target)
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        _replace(tmp, target)
    except BaseException:
        _discard(tmp)
        raise
    if mtime is not None:
        # Set on the record itself, not the temp file: a temp file dated midnight would look
        # like an old crash leftover to `huddle doctor --fix` while it is still being written.
        os.utime(target, (mtime, mtime))
    if durable:
        fsync_dir(target.parent)


def _discard(path: Path) -> None:
    """Remove a temp file if it is there."""
    try:
        path.unlink()
    except OSError:
        pass


def _replace(src: Path, dst: Path) -> None:
    """os.replace, retried a bounded number of times where Windows holds files open."""
    for attempt in range(_REPLACE_TRIES):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if sys.platform != "win32" or attempt == _REPLACE_TRIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where directories cannot be opened)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
