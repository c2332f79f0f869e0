"""A cold read on two processes gives what a serial one does, whatever happens to the forked reader."""

from __future__ import annotations

import marshal
import os
import select
import shutil
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from huddle_tui import paths
from huddle_tui.config.team import TeamConfig
from huddle_tui.storage import folder as folder_module
from huddle_tui.storage import parallel
from huddle_tui.storage.folder import FolderStore, History
from huddle_tui.storage.scan import MonthScan
from tests.conftest import cli
from tests.storekit import age, plant, record_bytes, record_files, save_checkin, store_at, summary

MONTHS = [f"2026-{m:02d}" for m in range(1, 11)]


def troubled(root: Path) -> Path:
    """Ten months of check-ins and concerns with every kind of trouble a reader handles."""
    store = store_at(root)
    for n, month in enumerate(MONTHS):
        for who in ("Ana", "Ben", "Chen"):
            save_checkin(store, f"{who}-{month}", f"{month}-{10 + n:02d}", mood=1 + n % 5)
        store.save("concern", f"c-{month}", f"{month}-03", {"text": "the build", "kind": "blocker",
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
    odd = root / "records" / "checkin" / "misc"  # an odd folder name: its own index file
    odd.mkdir()
    shutil.copy(first, odd / first.name)
    age(root)
    return root


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The troubled shared folder."""
    return troubled(tmp_path / "shared")


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the readers forked (reading in parallel from the second cold month folder on)."""
    pids: list[int] = []
    real = parallel._fork

    def counting(*args: Any) -> tuple[int, int]:
        """Fork as usual, noting the child's pid."""
        pid, pipe = real(*args)
        pids.append(pid)
        return pid, pipe

    monkeypatch.setattr(parallel, "_fork", counting)
    monkeypatch.setattr(parallel, "_MIN_MONTHS", 2)
    return pids


def index_files(index: Path) -> dict[str, bytes]:
    """Every index file under a folder, by its path inside it."""
    return {str(p.relative_to(index)): p.read_bytes() for p in sorted(index.rglob("*")) if p.is_file()}


def everything(history: History) -> tuple[object, ...]:
    """What a read gave, orders included, with no Path kept.

    A Path interns its parts, and marshal writes a string that something
    else still holds with a flag: an index file's bytes are the same only
    between reads made alike, so no read's paths may outlive it.
    """
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
        m.setattr(parallel, "_MIN_MONTHS", 1 << 30)
        return read(root, index, verify)


def assert_reaped(pid: int) -> None:
    """The child is gone and reaped: no zombie left."""
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.parametrize("how", ["cold index", "verifying", "no index"])
def test_a_parallel_read_equals_the_serial_one(folder: Path, tmp_path: Path, forks: list[int],
                                               monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """Records, problems, copies, temp files, files read and the index files: all the same."""
    ours, theirs = (None, None) if how == "no index" else (tmp_path / "ours", tmp_path / "theirs")
    if how == "verifying":  # a warm index, dropped by the verifying read
        for index in (ours, theirs):
            FolderStore(folder, durable=False, index_dir=index).read()
        forks.clear()
    serial = serial_read(folder, theirs, monkeypatch, verify=how == "verifying")
    assert forks == []
    assert read(folder, ours, verify=how == "verifying") == serial
    assert len(forks) == 1 and forks[0] > 0
    assert_reaped(forks[0])
    seen: Any = serial[0]
    assert seen["problems"] and seen["foreign"] and seen["temp"] and len(seen["records"]) == 40
    reasons = " ".join(reason for _, reason in seen["problems"])
    for trouble in ("symbolic link", "not a regular file", "wrong folder", "private record",
                    "invalid checkin", "zero-filled", "bad header"):
        assert trouble in reasons
    if ours is not None and theirs is not None:
        assert index_files(ours) == index_files(theirs) != {}
        assert read(folder, ours) == serial  # warm


def test_a_reader_killed_midway_costs_time_not_records(folder: Path, tmp_path: Path, forks: list[int],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The child sends three months, then is SIGKILLed while scanning: the rest is read here, and reaped."""
    serial = serial_read(folder, tmp_path / "serial", monkeypatch)
    parent = os.getpid()
    ready_r, ready_w = os.pipe()  # the child says it is scanning its fourth month (and waits to die)
    never_r, never_w = os.pipe()  # nobody writes to it: the child blocks on it until killed
    done: list[int] = []  # in each process its own: the months its scan was called for
    real = folder_module._cold_scan

    def scan(job: tuple[str, str, str, bool]) -> MonthScan | None:
        """In the child, hang on the fourth month; here, kill the child before the first."""
        done.append(1)
        if os.getpid() != parent and len(done) == 4:
            os.write(ready_w, os.getpid().to_bytes(4, "big"))
            os.read(never_r, 1)
        if os.getpid() == parent and len(done) == 1:
            assert select.select([ready_r], [], [], 60)[0], "the child never reached its fourth month"
            os.kill(int.from_bytes(os.read(ready_r, 4), "big"), signal.SIGKILL)
            readers = [t for t in threading.enumerate() if t.name == "huddle-month-reader"]
            assert len(readers) == 1
            readers[0].join()  # until the pipe ends: the child's three months are read
        return real(job)

    monkeypatch.setattr(folder_module, "_cold_scan", scan)
    try:
        killed = read(folder, tmp_path / "killed")
    finally:
        for fd in (ready_r, ready_w, never_r, never_w):
            os.close(fd)
    assert len(forks) == 1
    assert_reaped(forks[0])
    assert killed == serial
    assert index_files(tmp_path / "killed") == index_files(tmp_path / "serial")
    cold = sum(not p.is_symlink() for p in (folder / "records").glob("*/*"))
    assert len(done) == cold - 3  # all but the child's three months scanned here


def test_what_the_reader_sends_is_taken_only_whole_and_well_formed(folder: Path) -> None:
    """Complete frames are taken; a torn one, or anything after a malformed one, is not."""
    scans = [folder_module._cold_scan((str(folder / "records" / "checkin" / m), "checkin", m, True))
             for m in MONTHS[:3]]
    good = [parallel._frame(i, s) for i, s in enumerate(scans) if s is not None]

    def taken(sent: bytes) -> dict[int, MonthScan]:
        """What this process takes of the bytes a child sent before it ended."""
        r, w = os.pipe()
        frames = parallel._Frames(r, 3)
        os.write(w, sent)
        os.close(w)
        frames.reader.join()
        try:
            return frames.drain()
        finally:
            frames.close()

    assert taken(good[0] + good[1] + good[2]) == {0: scans[0], 1: scans[1], 2: scans[2]}
    assert taken(good[0] + good[1][:-1]) == {0: scans[0]}  # torn
    assert taken(good[0] + good[1][:20]) == {0: scans[0]}  # torn in its length
    garbage = b"\x00\x00\x00\x00\x00\x00\x00\x03abc"
    assert taken(good[0] + garbage + good[1]) == {0: scans[0]}
    assert parallel._scan_of(good[2][parallel._HEAD:], 2) is None  # index 2 of 2 jobs
    wrong = marshal.dumps((0, (None, True, [("checkin", "x")], [], 1, b"")))
    assert parallel._scan_of(wrong, 3) is None  # a record of two fields


def test_a_process_with_a_second_thread_reads_serially(folder: Path, tmp_path: Path, forks: list[int],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A fork copies the locks other threads hold: with one running (the app's IO worker), no fork."""
    serial = serial_read(folder, tmp_path / "serial", monkeypatch)
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        threaded = read(folder, tmp_path / "threaded")
    finally:
        stop.set()
        worker.join()
    assert forks == []
    assert threaded == serial
    assert index_files(tmp_path / "threaded") == index_files(tmp_path / "serial")


def test_export_is_the_same_bytes_with_and_without_a_second_process(
        team: TeamConfig, forks: list[int], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A cold export, JSON Lines and CSV, serial and parallel: the same output and report."""
    troubled(team.shared_dir)
    outputs: list[tuple[int, str, str]] = []
    for fork in (False, True, False, True):
        monkeypatch.setattr(parallel, "_MIN_MONTHS", 2 if fork else 1 << 30)
        shutil.rmtree(paths.index_dir(), ignore_errors=True)
        fmt = "csv" if len(outputs) >= 2 else "jsonl"
        outputs.append(cli(capsys, "export", "--config", str(team.path), "--format", fmt))
    assert len(forks) == 2
    assert outputs[0] == outputs[1] and outputs[2] == outputs[3]
    assert outputs[0][1].count("\n") >= 40 and "wrong folder" in outputs[0][2]
