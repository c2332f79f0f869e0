"""Writing a whole history at once (the demo): all of it appears in one step, or none of it does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from huddle_tui.errors import StoreError
from huddle_tui.storage.batch import UNFINISHED_PREFIX, HistoryWriter, is_unfinished
from tests.storekit import store_at, summary

MODES = pytest.mark.parametrize("in_process", [False, True], ids=["writing process", "in process"])


def unfinished(root: Path) -> list[str]:
    """What a history writer left in a folder."""
    return [name for name in os.listdir(root) if is_unfinished(name)]


@MODES
def test_every_saved_record_is_in_place_after_publish(tmp_path: Path, in_process: bool) -> None:
    """Hundreds of records over several months, one anonymous: none visible until the end, then all."""
    root = tmp_path / "shared"
    root.mkdir()
    with HistoryWriter(root, in_process=in_process) as writer:
        saved = [writer.save("checkin", f"00000000-0000-4000-8000-{n:012d}",
                             f"2026-{1 + n % 5:02d}-0{1 + n % 9}",
                             {"member": "Ana", "mood": 1 + n % 5, "status": "ok"}, version=1)
                 for n in range(700)]
        anonymous = writer.save("checkin", "11111111-0000-4000-8000-000000000000", "2026-03-04",
                                {"mood": 2, "status": "", "visibility": "anonymous"}, anonymous=True,
                                version=1)
        assert os.listdir(root) == [writer.making.name]
    store = store_at(root)
    history = store.read()
    assert not history.problems and history.files_read == 701
    assert {r.id: r for r in [*saved, anonymous]} == history.records
    assert os.stat(store.target(anonymous)).st_mtime == pytest.approx(1772582400)  # 2026-03-04T00:00Z
    assert os.listdir(root) == ["records"]
    assert summary(history) == summary(store_at(root).read())


@MODES
def test_an_error_part_way_leaves_nothing(tmp_path: Path, in_process: bool) -> None:
    """The block raises after some records: no records/ folder, and nothing hidden left behind."""
    root = tmp_path / "shared"
    root.mkdir()
    with pytest.raises(RuntimeError), HistoryWriter(root, in_process=in_process) as writer:
        for n in range(600):
            writer.save("checkin", f"00000000-0000-4000-8000-{n:012d}", "2026-03-02",
                        {"member": "Ana", "mood": 3, "status": "ok"}, version=1)
        raise RuntimeError("generation failed")
    assert os.listdir(root) == []


@MODES
def test_a_failed_write_is_raised_and_nothing_is_published(tmp_path: Path, in_process: bool) -> None:
    """The same anonymous record twice makes the same file: refused, reported, and no history appears."""
    root = tmp_path / "shared"
    root.mkdir()
    writer = HistoryWriter(root, in_process=in_process)
    for _ in range(2):
        writer.save("checkin", "00000000-0000-4000-8000-000000000001", "2026-03-02",
                    {"mood": 3, "visibility": "anonymous"}, anonymous=True, version=1)
    with pytest.raises(StoreError, match="cannot write a record"):
        writer.publish()
    assert os.listdir(root) == []


def test_an_existing_history_is_never_replaced(tmp_path: Path) -> None:
    """A records/ folder already there (even an empty one) is left as it is."""
    root = tmp_path / "shared"
    (root / "records").mkdir(parents=True)
    with pytest.raises(StoreError, match="already exists"), HistoryWriter(root) as writer:
        writer.save("checkin", "00000000-0000-4000-8000-000000000001", "2026-03-02",
                    {"member": "Ana", "mood": 3}, version=1)
    assert os.listdir(root) == ["records"] and os.listdir(root / "records") == []


def test_a_killed_demo_leaves_no_half_history_and_the_next_run_makes_it(tmp_path: Path) -> None:
    """`huddle demo` killed (with its writer) mid-way: no records/; running it again gives a whole demo."""
    folder = tmp_path / "demo"
    env = {**os.environ, "HUDDLE_DATA_DIR": str(tmp_path / "data"),
           "HUDDLE_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "huddle_tui", "demo", "--members", "200", "--years", "2",
               "--shared", str(folder), "--no-tui"]
    demo = subprocess.Popen(command, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not any(folder.glob(f"{UNFINISHED_PREFIX}*/records/checkin/*/*.json")):
            assert demo.poll() is None and time.monotonic() < deadline, "the demo ended before it was killed"
            time.sleep(0.01)
    finally:
        os.killpg(demo.pid, signal.SIGKILL)  # the command and its writing process, as a crash would
        demo.wait()
    assert not (folder / "records").exists() and len(unfinished(folder)) == 1
    again = subprocess.run([*command[:4], "--members", "6", "--years", "0.2", *command[-3:]], env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "already holds" not in again.stderr and unfinished(folder) == []
    history = store_at(folder).read()
    assert history.records and not history.problems
