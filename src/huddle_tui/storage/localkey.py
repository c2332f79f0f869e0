"""This machine's secrets: the anonymity key and the signing key, random and never synced.

An anonymous check-in's id is an HMAC of member and date under this key
(journal.py), so only this machine can make a second anonymous check-in the
same record's next version, and nobody can tell from an id who wrote it. The
key is made once, readable by this user alone (0600 in a 0700 folder), and
fsynced with its folder before it is first used: a key lost in a crash
would silently turn the next re-check-in into a second answer. The signing
key (storage/signature.py) is kept the same way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from huddle_tui import paths
from huddle_tui.errors import StoreError
from huddle_tui.storage.fileio import PRIVATE_FILE, fsync_dir, make_private_dir

KEY_BYTES = 32
KEY_NAME = "anonymous.key"
SIGNING_KEY_NAME = "signing.key"
_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def anonymity_key(folder: Path | None = None) -> bytes:
    """This machine's anonymity key, made on first use; StoreError (exit 4) if it cannot be kept."""
    return kept_secret((folder or paths.data_dir()) / KEY_NAME, "the anonymity key")


def signing_key_path(folder: Path | None = None) -> Path:
    """Where this machine's signing key is kept."""
    return (folder or paths.data_dir()) / SIGNING_KEY_NAME


def kept_secret(path: Path, what: str = "the signing key") -> bytes:
    """A random secret kept at `path`, made on first use; StoreError (exit 4) if it cannot be kept."""
    tmp: Path | None = None
    try:
        key = _read(path)
        if key is not None and len(key) >= KEY_BYTES:
            return key
        make_private_dir(path.parent)
        tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
        _write_new(tmp, os.urandom(KEY_BYTES))
        if key is None:
            _place_first(tmp, path)
        else:
            # Empty or short (a crash, a full disk, an edit): a key that short is no secret.
            os.replace(tmp, path)
        fsync_dir(path.parent)
        key = _read(path)
        if key is None or len(key) < KEY_BYTES:
            raise OSError(0, "the key written cannot be read back whole")
        return key
    except OSError as exc:
        raise StoreError(f"{path}: {what} cannot be kept ({exc.strerror or exc})") from None
    finally:
        if tmp is not None:
            try:
                tmp.unlink()
            except OSError:
                pass


def _read(path: Path) -> bytes | None:
    """The key file's bytes (made 0600 if it was not), or None when there is none."""
    try:
        fd = os.open(path, _READ)
    except FileNotFoundError:
        return None
    try:
        st = os.fstat(fd)
        if st.st_size > 1 << 16:
            raise OSError(0, "too large to be a key")
        if sys.platform != "win32" and st.st_mode & 0o077:
            os.fchmod(fd, PRIVATE_FILE)
        return os.read(fd, 1 << 16)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    """Create a file only this user can read, with `data` on disk before it returns."""
    fd = os.open(path, _NEW, PRIVATE_FILE)
    try:
        if os.write(fd, data) != len(data):
            raise OSError(0, "short write")
        os.fsync(fd)
    finally:
        os.close(fd)


def _place_first(tmp: Path, path: Path) -> None:
    """Give the key its name unless another process made one first (then theirs is kept)."""
    try:
        os.link(tmp, path)  # fails if the key exists: two first uses at once agree on one key
    except FileExistsError:
        pass
    except OSError:  # no hard links here (some network or FAT drives): create-if-absent
        try:
            _write_new(path, tmp.read_bytes())
        except FileExistsError:
            pass
