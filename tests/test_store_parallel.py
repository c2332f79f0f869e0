"""A cold read on two processes gives what a serial one does, whatever happens to the second process."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.storage import folder as folder_module
from huddle_tui.storage import scan
from huddle_tui.storage.cache import close_all
from huddle_tui.storage.folder import FolderStore, History
from tests.storekit import age, plant, record_bytes, record_files, save_checkin, store_at, summary

MONTHS = [f"2026-{m:02d}" for m in range(1, 11)]


def troubled(root: Path) -> Path:
    """Ten months of check-ins and concerns with every kind of trouble a reader handles."""
    store = store_at(root)
    for n, month in enumerate(MONTHS):
        for who in ("Ana", "Ben", "Chen"):
            save_checkin(store, f"{who}-{month}", f"{month}-{10 + n:02d}", mood=1 + n % 5)
        store.save("concern", f"c-{month}", f"{month}-03", {"text": "the build ✓", "kind": "blocker",
                                                           "member": "Ana"})
    save_checkin(store, "Ana-2026-02", "2026-02-11", mood=5)  # an edit
    store.save("concern", "c-2026-03", "2026-03-03", {}, deleted=True)  # a tombstone
    march, may = root / "records" / "checkin" / "2026-03", root / "records" / "checkin" / "2026-05"
    first = record_files(march)[0]
    shutil.copy(first, first.with_name(first.stem + ".sync-conflict-20261126-085912-ABCDEFG.json"))
    (may / "broken.json").write_bytes(b'{"checksum":"sha256:')
    (may / "zeros.json").write_bytes(b"\0" * 64)
    (march / ".syncthing.x.json.tmp").write_bytes(b"half")
    (march / "elsewhere.json").symlink_to(first)
    os.mkfifo(may / "pipe.json")
    (root / "records" / "checkin" / "2026-12").symlink_to(march, target_is_directory=True)
    name, data = record_bytes("checkin", "2026-03-04", {"member": "Dara", "mood": 3, "status": ""})
    (may / name).write_bytes(data)  # in the wrong month's folder
    plant(root, "checkin", "2026-06-02", {"member": "Eve", "mood": 2, "status": "", "visibility": "private"})
    plant(root, "checkin", "2026-07-02", {"member": "Eve", "mood": "great"})  # breaks a payload rule
    odd = root / "records" / "checkin" / "misc"  # an odd folder name
    odd.mkdir()
    shutil.copy(first, odd / first.name)
    age(root)
    return root


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The troubled shared folder."""
    return troubled(tmp_path / "shared")


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each read started a second process (from two cold month folders on)."""
    started: list[bool] = []
    real = folder_module._Cold.__init__

    def noting(self: Any, *args: Any) -> None:
        """Start (or not) as usual, noting whether a worker was started."""
        real(self, *args)
        started.append(self.pool is not None)

    monkeypatch.setattr(folder_module._Cold, "__init__", noting)
    monkeypatch.setattr(folder_module, "_MIN_COLD", 2)
    return started


def everything(history: History) -> tuple[object, ...]:
    """What a read gave, orders included."""
    return summary(history), list(history.records.items()), \
        [(str(p.path), p.reason) for p in history.problems], \
        [str(p) for p in history.foreign_copies], [str(p) for p in history.temp_files]


def read(root: Path, index: Path | None, verify: bool = False) -> tuple[object, ...]:
    """Everything one read of a folder gives."""
    return everything(FolderStore(root, durable=False, index_dir=index).read(verify=verify))


def serial_read(root: Path, index: Path | None, monkeypatch: pytest.MonkeyPatch,
                verify: bool = False) -> tuple[object, ...]:
    """Everything the same read with no second process gives."""
    with monkeypatch.context() as m:
        m.setattr(folder_module, "_MIN_COLD", 1 << 30)
        return read(root, index, verify)


def cache_rows(index: Path) -> list[tuple[object, ...]]:
    """Every row of every table of the one cache file under `index`, ids aside."""
    close_all()
    [path] = index.glob("*.sqlite3")
    db = sqlite3.connect(path)
    try:
        return [*db.execute("select kind, month, mtime_ns, inode, settled, files_read, aside from folders "
                            "order by kind, month"),
                *db.execute("select name, size, mtime_ns, inode, flag, reason from files order by name"),
                *db.execute("select name, kind, date, line from records order by name")]
    finally:
        db.close()


@pytest.mark.parametrize("how", ["cold cache", "verifying", "no cache"])
def test_a_parallel_read_equals_the_serial_one(folder: Path, tmp_path: Path, pools: list[bool],
                                               monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """Records, problems, copies, temp files, files read and the cache's rows: all the same."""
    ours, theirs = (None, None) if how == "no cache" else (tmp_path / "ours", tmp_path / "theirs")
    if how == "verifying":  # a warm cache, whose rows the verifying read does not trust
        for index in (ours, theirs):
            FolderStore(folder, durable=False, index_dir=index).read()
    pools.clear()
    serial = serial_read(folder, theirs, monkeypatch, verify=how == "verifying")
    assert pools == [False]
    assert read(folder, ours, verify=how == "verifying") == serial
    assert pools == [False, True]
    seen: Any = serial[0]
    assert seen["problems"] and seen["foreign"] and seen["temp"] and len(seen["records"]) == 40
    reasons = " ".join(reason for _, reason in seen["problems"])
    for trouble in ("symbolic link", "not a regular file", "wrong folder", "private record",
                    "invalid checkin", "zero-filled", "bad header"):
        assert trouble in reasons
    if ours is not None and theirs is not None:
        assert cache_rows(ours) == cache_rows(theirs) != []
        assert read(folder, ours) == serial  # warm


@pytest.mark.parametrize("trouble", ["dies", "raises", "cannot be sent"])
def test_a_worker_that_fails_costs_time_not_records(folder: Path, tmp_path: Path, pools: list[bool],
                                                    monkeypatch: pytest.MonkeyPatch, trouble: str) -> None:
    """A worker that dies, raises or is never given its jobs: every folder is read here instead."""
    serial = serial_read(folder, tmp_path / "serial", monkeypatch)
    parent = os.getpid()
    real = scan.scan_month

    def failing(*args: Any, **kwargs: Any) -> Any:
        """In the worker, die or raise; here, read as usual."""
        if os.getpid() != parent:
            if trouble == "dies":
                os._exit(3)
            raise OSError("a worker's trouble")
        return real(*args, **kwargs)

    if trouble == "cannot be sent":  # a job's function that pickle cannot name
        monkeypatch.setattr(folder_module, "_cold_month", lambda job: b"")
    else:
        monkeypatch.setattr(folder_module, "scan_month", failing)
    assert read(folder, tmp_path / "failed") == serial
    assert pools[-1] is True
    assert cache_rows(tmp_path / "failed") == cache_rows(tmp_path / "serial")
