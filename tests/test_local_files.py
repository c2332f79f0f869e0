"""What this machine keeps for its user alone is readable by that user alone, whatever the umask:
private records, the outbox, the anonymity key and the user config."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from huddle_tui import paths
from huddle_tui.cli import main
from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import StoreError
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern
from huddle_tui.storage.localkey import KEY_BYTES, anonymity_key
from huddle_tui.sync.outbox import Outbox

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
DAY = "2026-11-26"


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    """The most common umask, which leaves new files readable by everyone."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    """A file's permission bits."""
    return stat.S_IMODE(path.lstat().st_mode)


def test_private_records_and_their_folders_are_mine_alone(team: TeamConfig) -> None:
    """0700 folders from the private root down, 0600 files; an old 0755 private folder is fixed."""
    root = paths.private_dir()
    root.mkdir(parents=True)
    root.chmod(0o755)
    journal = Journal(team, durable=False)
    journal.save_checkin(CheckIn(DAY, 2, "Ana", "tired", (Concern.new("a worry", "concern", "private"),),
                                 visibility="private"))
    files = [p for p in root.rglob("*") if p.is_file()]
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
    assert len(files) == 1 and len(folders) == 4
    assert {mode(p) for p in files} == {0o600}
    assert {mode(p) for p in folders} == {0o700}
    journal.save_concern(Concern.new("another", "blocker", "private"), "2026-12-01", "Ana")
    assert {mode(p) for p in root.rglob("*") if p.is_dir()} == {0o700}


def test_the_shared_folder_keeps_the_umask(team: TeamConfig) -> None:
    """Teammates must read the shared folder: its records keep the usual modes."""
    Journal(team, durable=False).save_checkin(CheckIn(DAY, 4, "Ana", "fine"))
    (record,) = team.shared_dir.rglob("*.json")
    assert mode(record) == 0o644 and mode(record.parent) == 0o755


def test_the_outbox_database_and_its_wal_are_mine_alone(tmp_path: Path) -> None:
    """The database, its -wal and -shm: 0600, new or left 0644 by an older version; the folder 0700."""
    path = paths.outbox_file()
    with Outbox() as outbox:
        outbox.add("e", "k", "label", "PUT", "/x", b"mood 2")
        made = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert {mode(p) for p in made} == {0o600}
    assert mode(paths.data_dir()) == 0o700
    old = tmp_path / "old" / "outbox.sqlite3"
    old.parent.mkdir()
    import sqlite3

    db = sqlite3.connect(old)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x)")
    assert mode(old) == 0o644
    with Outbox(old) as outbox:
        outbox.add("e", "k", "label", "PUT", "/x", b"mood 2")
        assert mode(old) == 0o600 and mode(old.with_name(old.name + "-wal")) == 0o600
    db.close()


def test_the_anonymity_key_is_mine_alone_and_made_durably(team: TeamConfig,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """0600 in a 0700 data dir, fsynced (file and folder) before an id is made from it."""
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        """Note what is fsynced."""
        synced.append(os.readlink(f"/proc/self/fd/{fd}") if sys.platform == "linux" else str(fd))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    key = paths.data_dir() / "anonymous.key"
    Journal(team, durable=False)._anonymous_id("Ana", DAY)
    assert mode(key) == 0o600 and mode(key.parent) == 0o700 and len(key.read_bytes()) == KEY_BYTES
    assert len(synced) >= 2
    if sys.platform == "linux":
        assert any(s.endswith(".tmp") for s in synced) and str(key.parent) in synced
    key.chmod(0o644)  # left so by an older version
    before = key.read_bytes()
    assert anonymity_key() == before and mode(key) == 0o600


@pytest.mark.parametrize("content", [b"", b"\x00" * 5, b"k" * (KEY_BYTES - 1)])
def test_an_empty_or_short_key_is_refused_and_rewritten(team: TeamConfig, content: bytes) -> None:
    """A key cut short (a crash, a full disk) is no secret: a new one replaces it, and is kept."""
    key = paths.data_dir() / "anonymous.key"
    key.parent.mkdir(parents=True)
    key.write_bytes(content)
    journal = Journal(team, durable=False)
    first = journal._anonymous_id("Ana", DAY)
    fresh = key.read_bytes()
    assert len(fresh) == KEY_BYTES and fresh != content and mode(key) == 0o600
    assert journal._anonymous_id("Ana", DAY) == first and key.read_bytes() == fresh
    assert [p.name for p in key.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_full_disk_while_making_the_key_exits_4_and_leaves_no_temp_file(
        team: TeamConfig, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The key cannot be written: `huddle checkin --anonymous` says so (exit 4), nothing is left behind."""

    def full(fd: int) -> None:
        """A disk with no room left."""
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    code = main(["checkin", "--config", str(team.path), "--member", "Ana", "--mood", "2", "--anonymous",
                 "--date", DAY])
    err = capsys.readouterr().err
    assert code == 4, err
    assert "anonymity key" in err and "No space left on device" in err and "Traceback" not in err
    data = paths.data_dir()
    assert [p.name for p in data.iterdir()] == [] and not list(team.shared_dir.rglob("*.json"))


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_data_dir_exits_4_and_leaves_no_temp_file(team: TeamConfig) -> None:
    """A data dir this user cannot write: StoreError, not a traceback."""
    data = paths.data_dir()
    data.mkdir(parents=True)
    data.chmod(0o500)
    try:
        with pytest.raises(StoreError):
            anonymity_key()
        assert list(data.iterdir()) == []
    finally:
        data.chmod(0o700)


def test_the_user_config_is_mine_alone(tmp_path: Path) -> None:
    """`huddle init` writes config.toml 0600 in a 0700 folder (the team's huddle.toml stays shared)."""
    shared = tmp_path / "team-share"
    assert main(["init", "--team", "Platform", "--members", "Ana,Ben", "--shared", str(shared),
                 "--me", "Ana"]) == 0
    user = paths.user_config_file()
    assert mode(user) == 0o600 and mode(user.parent) == 0o700
    assert mode(shared / "huddle.toml") == 0o644
    user.chmod(0o644)
    assert main(["init", "--shared", str(shared), "--me", "Ben", "--force"]) == 0
    assert mode(user) == 0o600
