"""Durable writes: a temp file in the same folder, fsync, rename, fsync the folder.

A reader never sees half a file under its final name, and a crash leaves at
most a temp file that readers skip and `huddle doctor --fix` removes.

Writes into a shared folder never go through a symbolic link: a teammate can
put one anywhere in it (git and Syncthing carry links as links), pointing
anywhere on this machine. `open_folder` walks to a record's folder one name
at a time, refusing a link on the way, and `write_at` writes relative to the
folder it opened, so the path cannot be switched to a link in between.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Sequence
from pathlib import Path

TEMP_PREFIX = ".huddle-"
TEMP_SUFFIX = ".tmp"
_REPLACE_TRIES = 10
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)
# Where folders can be opened and named relative to each other (not Windows), writes walk by fd.
AT_FDS = sys.platform != "win32" and {os.open, os.mkdir, os.rename, os.unlink, os.utime} <= os.supports_dir_fd
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


class LinkRefused(OSError):
    """A folder on the way to a record is a symbolic link or not a folder: nothing is written through it."""

    def __init__(self, where: Path, what: str) -> None:
        """Name the path and what it is instead of a folder."""
        super().__init__(f"{where} is {what}; huddle never writes through one")
        self.where = where
        self.what = what


def temp_path_for(target: Path) -> Path:
    """A unique temp file name beside `target` that readers know to skip."""
    return target.with_name(f"{TEMP_PREFIX}{os.urandom(8).hex()}{TEMP_SUFFIX}")


def is_own_temp(name: str) -> bool:
    """Tell whether a file name is one of our temp files."""
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def write_atomic(target: Path, data: bytes, *, durable: bool = True,
                 mtime: float | None = None, mode: int = 0o666) -> None:
    """Write `data` to `target` so that it is either wholly there or not at all.

    The file gets at most `mode` (the umask may remove more), whatever file it replaces had.
    """
    tmp = temp_path_for(target)
    try:
        with open(tmp, "xb", opener=lambda path, flags: os.open(path, flags | _NOFOLLOW, mode)) as f:
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


def open_folder(root: Path, parts: Sequence[str], *, create: bool, private: bool = False) -> int | None:
    """Open root/parts… as a folder without following a link below root; None if missing (and not create).

    `root` itself may be a link (the person chose it); any part under it that
    is a link or not a folder raises LinkRefused. Created folders get mode
    0700 when `private`, and existing ones are brought to it. Only where
    AT_FDS holds; the caller closes the returned fd.
    """
    if create:
        if private:
            make_private_dir(root)
        else:
            make_root(root)
    try:
        fd = os.open(root, _DIR_FLAGS)
    except FileNotFoundError:
        if create:
            raise
        return None
    try:
        if private:
            _fix_mode(fd, PRIVATE_DIR)
        where = root
        for part in parts:
            where = where / part
            child = _open_child(fd, part, where, create, private)
            os.close(fd)
            fd = child
            if fd < 0:
                return None
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise
    return fd


def _open_child(fd: int, name: str, where: Path, create: bool, private: bool) -> int:
    """Open (or make, then open) one folder inside `fd`, never through a link; -1 when missing."""
    for _ in range(3):  # missing, made (by us or another writer meanwhile), opened
        try:
            child = os.open(name, _DIR_FLAGS | _NOFOLLOW, dir_fd=fd)
            break
        except FileNotFoundError:
            if not create:
                return -1
            try:
                os.mkdir(name, PRIVATE_DIR if private else 0o777, dir_fd=fd)
            except FileExistsError:
                pass
        except OSError:
            _refuse_if_link(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode, where)
            raise
    else:
        raise FileNotFoundError(2, "removed while being made", str(where))
    if private:
        try:
            _fix_mode(child, PRIVATE_DIR)
        except BaseException:
            os.close(child)
            raise
    return child


def _refuse_if_link(mode: int, where: Path) -> None:
    """Raise LinkRefused unless a file mode (from lstat) is a real folder's."""
    if stat.S_ISLNK(mode):
        raise LinkRefused(where, "a symbolic link")
    if not stat.S_ISDIR(mode):
        raise LinkRefused(where, "not a folder")


def check_no_links(root: Path, parts: Sequence[str], *, create: bool, private: bool = False) -> bool:
    """Where AT_FDS does not hold: make and check root/parts… name by name; False if missing.

    A link swapped in after the check is not caught here (the fd walk above
    catches it); Windows has no such walk.
    """
    if create:
        if private:
            make_private_dir(root)
        else:
            make_root(root)
    where = root
    for part in parts:
        where = where / part
        if create:
            try:
                os.mkdir(where, PRIVATE_DIR if private else 0o777)
            except FileExistsError:
                pass
        try:
            mode = os.lstat(where).st_mode
        except FileNotFoundError:
            return False
        if _is_junction(where):
            raise LinkRefused(where, "a junction")
        _refuse_if_link(mode, where)
    return True


def _is_junction(path: Path) -> bool:
    """A Windows junction is a link too (os.path.isjunction exists from Python 3.12)."""
    check = getattr(os.path, "isjunction", None)
    return bool(check(path)) if check is not None else False


def write_at(folder_fd: int, name: str, data: bytes, *, durable: bool = True, mtime: float | None = None,
             mode: int = 0o666) -> None:
    """write_atomic inside an opened folder: a temp file there, fsync, rename, fsync the folder."""
    tmp = f"{TEMP_PREFIX}{os.urandom(8).hex()}{TEMP_SUFFIX}"
    try:
        fd = os.open(tmp, _NEW_FILE, mode, dir_fd=folder_fd)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=folder_fd)
        except OSError:
            pass
        raise
    if mtime is not None:
        # Set on the record itself, not the temp file (see write_atomic).
        os.utime(name, (mtime, mtime), dir_fd=folder_fd, follow_symlinks=False)
    if durable:
        os.fsync(folder_fd)


class NotAFile(OSError):
    """A path that is a FIFO, a device or a folder where a regular file was expected: nothing is read."""

    def __init__(self, path: Path, what: str) -> None:
        """Name the path and what it is instead of a regular file."""
        super().__init__(f"{path} is {what}, not a regular file")
        self.strerror = f"{what}, not a regular file"


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """A regular file's bytes, opened without blocking: a FIFO, device or folder is refused (NotAFile).

    A file named by a config in the shared folder, or sitting in a themes
    folder, may be a FIFO a teammate made: a plain open() of one waits for a
    writer forever. Opened O_NONBLOCK and checked with fstat before any read,
    it is refused at once instead; a regular file reads as usual. With a
    `limit`, at most limit + 1 bytes are read (the caller tells "too large").
    """
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = ("a FIFO" if stat.S_ISFIFO(mode) else "a folder" if stat.S_ISDIR(mode)
                    else "a device or socket")
            raise NotAFile(path, what)
        chunks, size = [], 0
        while (limit is None or size <= limit) and (chunk := os.read(fd, 1 << 16)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def make_private_dirs(path: Path) -> None:
    """Make `path` and every missing folder above it 0700 whatever the umask (existing ones are left)."""
    if path.is_dir():
        return
    if path.parent != path:
        make_private_dirs(path.parent)
    try:
        os.mkdir(path, PRIVATE_DIR)
    except FileExistsError:
        pass


def make_root(root: Path) -> None:
    """Make a shared folder's root as the umask allows (teammates may need it), unless it is there.

    One inside huddle's own data folder (the default shared folder, the
    demo) is this machine's alone: it and the folders above it are 0700
    whatever the umask.
    """
    if root.is_dir():
        return
    from huddle_tui import paths

    if paths.data_dir() in root.parents:
        make_private_dirs(root)
    root.mkdir(parents=True, exist_ok=True)


def make_private_dir(path: Path) -> None:
    """Make a folder only this user can enter (0700 whatever the umask); an existing one is brought to it.

    Missing folders above it are made 0700 too: huddle makes its config,
    data and cache folders this way, so none is ever open to others.
    """
    make_private_dirs(path.parent)
    try:
        os.mkdir(path, PRIVATE_DIR)
        return
    except FileExistsError:
        pass
    if sys.platform == "win32":
        return  # modes say little there; the user profile's ACL protects the folder
    fd = os.open(path, _DIR_FLAGS)
    try:
        _fix_mode(fd, PRIVATE_DIR)
    finally:
        os.close(fd)


def _fix_mode(fd: int, mode: int) -> None:
    """Take group and other permissions off an open file or folder that has any."""
    if sys.platform != "win32" and os.fstat(fd).st_mode & 0o077:
        os.fchmod(fd, mode)


def private_db_file(db: Path) -> None:
    """Make a database file (and any -wal/-shm beside it) this user's alone before SQLite opens it.

    SQLite creates a database 0644 less the umask and gives its -wal and -shm
    the database's own mode, so creating the file 0600 first (and taking
    group and other bits off files made before) covers all three. Existing
    files are never opened here: closing any descriptor of a file drops the
    POSIX locks this process holds on it, which another thread's connection
    may rely on.
    """
    make_private_dir(db.parent)
    try:
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        return
    except FileExistsError:
        pass
    if sys.platform == "win32":
        return
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_mode & 0o077:
            os.chmod(path, PRIVATE_FILE)
