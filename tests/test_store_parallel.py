"""A cold read that verifies signatures in a second process gives what verifying each file at once does,
whatever happens to that process."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.storage import envelope, signature
from huddle_tui.storage import folder as folder_module
from huddle_tui.storage.cache import close_all
from huddle_tui.storage.folder import FolderStore, History
from huddle_tui.storage.signature import SigningKey, new_seed
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
    signed(store, root)
    age(root)
    return root


def signed(store: FolderStore, root: Path) -> None:
    """Signed check-ins in every month, and forgeries among them: a broken signature, alone or with
    another fault (in the wrong folder, marked private, a name of ours not its own)."""
    key = SigningKey(new_seed())
    for n, month in enumerate(MONTHS):
        for who in ("Dara", "Emeka", "Fatima"):
            record, data = store.prepare("checkin", f"{who}-{month}", f"{month}-{10 + n:02d}",
                                         {"member": who, "mood": 1 + n % 5, "status": "ok"}, key=key)
            if who == "Fatima" and n % 3 == 0:
                data = forged(data)
            store.write(record, data)
    june = root / "records" / "checkin" / "2026-06"
    gus = {"member": "Gus", "mood": 2, "status": ""}
    _, data = store.prepare("checkin", "Gus-2026-04", "2026-04-02", gus, key=key)
    (june / "Gus-2026-04.1.00000000.json").write_bytes(forged(data))  # wrong folder, and forged
    _, data = store.prepare("checkin", "Gus-private", "2026-06-03", {"member": "Gus", "mood": 2, "status": "",
                                                                    "visibility": "private"}, key=key)
    (june / "Gus-private.1.00000000.json").write_bytes(forged(data))  # private, and forged


def forged(data: bytes) -> bytes:
    """A signed record's bytes with its signature changed (still base64url: only verifying tells)."""
    at = data.rindex(b'"signature":"') + len(b'"signature":"') + 10
    return data[:at] + (b"B" if data[at:at + 1] == b"A" else b"A") + data[at + 1:]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The troubled shared folder."""
    return troubled(tmp_path / "shared")


class Reads(list[Any]):
    """Each read's verifier, in order; `used` says which of them handed signatures to the worker."""

    @property
    def used(self) -> list[bool]:
        """Whether each read gave the worker a folder's signatures."""
        return [verifier.used for verifier in self]


def fresh_worker() -> None:
    """Stop the process's worker, if any, so that the next read starts its own."""
    if folder_module._Worker.pool is not None:
        folder_module._Worker.pool.shutdown(wait=True, cancel_futures=True)
    folder_module._Worker.pool, folder_module._Worker.tried = None, False


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reads]:
    """Each read's verifier (every folder with a signature to check goes to the worker, here, from two on)."""
    reads = Reads()
    real = folder_module._Verifier.__init__

    def noting(self: Any, **kwargs: Any) -> None:
        """Make the verifier as usual, noting it."""
        real(self, **kwargs)
        reads.append(self)

    fresh_worker()
    monkeypatch.setattr(folder_module._Verifier, "__init__", noting)
    monkeypatch.setattr(folder_module._Worker, "share", 0.9)
    monkeypatch.setattr(folder_module, "_IN_WORKER", 1)
    yield reads
    fresh_worker()


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
    """Everything the same read gives verifying each file as it is read."""
    with monkeypatch.context() as m:
        m.setattr(folder_module, "_IN_WORKER", 1 << 30)
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
def test_verifying_in_a_worker_equals_verifying_at_once(folder: Path, tmp_path: Path, pools: Reads,
                                               monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """Records, problems, copies, temp files, files read and the cache's rows: all the same."""
    ours, theirs = (None, None) if how == "no cache" else (tmp_path / "ours", tmp_path / "theirs")
    if how == "verifying":  # a warm cache, whose rows the verifying read does not trust
        for index in (ours, theirs):
            FolderStore(folder, durable=False, index_dir=index).read()
    pools.clear()
    serial = serial_read(folder, theirs, monkeypatch, verify=how == "verifying")
    assert pools.used == [False]
    assert read(folder, ours, verify=how == "verifying") == serial
    assert pools.used == [False, True]
    seen: Any = serial[0]
    assert seen["problems"] and seen["foreign"] and seen["temp"] and len(seen["records"]) == 40 + 26
    reasons = " ".join(reason for _, reason in seen["problems"])
    for trouble in ("symbolic link", "not a regular file", "wrong folder", "private record",
                    "invalid checkin", "zero-filled", "bad header"):
        assert trouble in reasons
    forgeries = sorted(Path(path).name for path, reason in seen["problems"] if reason == envelope.FORGED)
    assert len(forgeries) == 6 and "Gus-2026-04.1.00000000.json" in forgeries
    assert "Gus-private.1.00000000.json" in forgeries
    if ours is not None and theirs is not None:
        assert cache_rows(ours) == cache_rows(theirs) != []
        assert read(folder, ours) == serial  # warm


@pytest.mark.parametrize("trouble", ["dies", "raises"])
def test_a_worker_that_fails_costs_time_not_records(folder: Path, tmp_path: Path, pools: Reads,
                                                    monkeypatch: pytest.MonkeyPatch, trouble: str) -> None:
    """A worker that dies or raises: its signatures are checked in the reading process instead."""
    serial = serial_read(folder, tmp_path / "serial", monkeypatch)
    parent = os.getpid()
    real = signature.verify_all

    def failing(signed: list[tuple[str, str, bytes]]) -> list[bool]:
        """In the worker, die or raise; here, verify as usual."""
        if os.getpid() != parent:
            if trouble == "dies":
                os._exit(3)
            raise RuntimeError("a worker's trouble")
        return real(signed)

    monkeypatch.setattr(folder_module, "verify_all", failing)
    assert read(folder, tmp_path / "failed") == serial
    assert pools.used[-1] is True
    assert cache_rows(tmp_path / "failed") == cache_rows(tmp_path / "serial")


@pytest.mark.parametrize("share", [0.5, 1.0])
def test_a_workers_share_changes_time_not_verdicts(folder: Path, tmp_path: Path, pools: Reads,
                                                   monkeypatch: pytest.MonkeyPatch, share: float) -> None:
    """However a folder's signatures are split between the worker and the reader, the read is the same."""
    serial = serial_read(folder, tmp_path / "serial", monkeypatch)
    monkeypatch.setattr(folder_module, "_STEP", 0.0)
    monkeypatch.setattr(folder_module._Worker, "share", share)  # the worker always takes `share`
    assert read(folder, tmp_path / "shared") == serial
    assert pools.used[-1] is True
    assert cache_rows(tmp_path / "shared") == cache_rows(tmp_path / "serial")


def test_one_worker_serves_every_read_of_a_process(folder: Path, tmp_path: Path, pools: Reads) -> None:
    """A command that reads month by month (a report) forks one worker, not one a read."""
    read(folder, tmp_path / "first")
    worker = folder_module._Worker.pool
    read(folder, tmp_path / "second")
    read(folder, None)
    assert pools.used == [True, True, True]
    assert worker is not None and folder_module._Worker.pool is worker


def test_no_worker_is_forked_while_another_thread_runs(folder: Path, tmp_path: Path, pools: Reads,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The app reads in threads: a fork would copy their locks, so its reads check signatures in place."""
    import threading

    serial = serial_read(folder, tmp_path / "serial", monkeypatch)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert read(folder, tmp_path / "threaded") == serial
    finally:
        stop.set()
        other.join()
    assert pools.used[-1] is False and folder_module._Worker.pool is None
