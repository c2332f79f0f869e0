"""Sync tools' conflicted copies and temporary files: identical copies collapse, divergent ones
resolve the same way on every machine, and nothing half-written is ever read."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.fileio import temp_path_for
from huddle_tui.storage.folder import History
from tests.storekit import store_at

RID = "7d4f3a52-1c0e-5b8e-9a6f-2f1d0c9b8a7e"
DAY = "2026-11-26"
SYNCTHING = ".sync-conflict-20261126-085912-ABCDEFG.json"
DROPBOX = " (Ana's conflicted copy 2026-11-26).json"


def version(n: int, written_at: str, mood: int, rid: str = RID) -> tuple[Record, bytes]:
    """One encoded version of the record, as some machine would have written it."""
    return envelope.encode("checkin", rid, n, DAY, written_at, {"member": "Ana", "mood": mood})


def put(root: Path, name: str, data: bytes) -> Path:
    """Place a file in the record's month folder under any name (as a sync tool would)."""
    folder = root / "records" / "checkin" / DAY[:7]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def stem(record: Record) -> str:
    """A record's own file name without .json, the part sync tools keep in a copy's name."""
    return record.file_name()[: -len(".json")]


def test_identical_copies_collapse(tmp_path: Path) -> None:
    """A Syncthing and a Dropbox copy of the same file: one record, the copies reported, nothing bad."""
    record, data = version(1, "2026-11-26T08:59:12.000000Z", 4)
    for name in (record.file_name(), stem(record) + SYNCTHING, stem(record) + DROPBOX):
        put(tmp_path, name, data)
    history = store_at(tmp_path).read()
    assert list(history.records.values()) == [record]
    assert len(history.foreign_copies) == 2 and not history.problems


def test_divergent_copies_resolve_by_version_then_time_then_checksum(tmp_path: Path) -> None:
    """Highest version wins; at the same version the later written_at; then the higher checksum."""
    low, low_data = version(2, "2026-11-26T09:30:00.000000Z", 1)
    high, high_data = version(3, "2026-11-26T09:00:00.000000Z", 2)
    put(tmp_path / "a", low.file_name(), low_data)
    put(tmp_path / "a", stem(low) + SYNCTHING, high_data)  # the content, not the name, decides
    assert store_at(tmp_path / "a").read().records[RID] == high

    early, early_data = version(3, "2026-11-26T09:00:00.000000Z", 3)
    late, late_data = version(3, "2026-11-26T09:00:01.000000Z", 1)
    put(tmp_path / "b", early.file_name(), early_data)
    put(tmp_path / "b", stem(early) + DROPBOX, late_data)
    assert store_at(tmp_path / "b").read().records[RID] == late

    one, one_data = version(3, "2026-11-26T09:00:00.000000Z", 4)
    two, two_data = version(3, "2026-11-26T09:00:00.000000Z", 5)
    put(tmp_path / "c", one.file_name(), one_data)
    put(tmp_path / "c", two.file_name(), two_data)
    assert store_at(tmp_path / "c").read().records[RID] == max(one, two, key=lambda r: r.checksum)


def test_every_machine_picks_the_same_winner(tmp_path: Path) -> None:
    """Two machines that got the same versions under different names and in another order agree."""
    mine, mine_data = version(2, "2026-11-26T09:00:00.000000Z", 2)
    theirs, theirs_data = version(2, "2026-11-26T09:00:00.000000Z", 4)
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    put(laptop, mine.file_name(), mine_data)
    put(laptop, theirs.file_name(), theirs_data)
    put(desktop, theirs.file_name(), theirs_data)
    put(desktop, stem(theirs) + SYNCTHING, mine_data)
    put(desktop, stem(mine) + DROPBOX, mine_data)
    on_laptop, on_desktop = store_at(laptop).read(), store_at(desktop).read()
    assert on_laptop.records == on_desktop.records
    assert len(on_laptop.records) == 1


records_of_one_id = st.lists(
    st.builds(lambda n, second, mood: version(n, f"2026-11-26T09:00:{second:02d}.000000Z", mood)[0],
              st.integers(1, 3), st.integers(0, 2), st.integers(1, 5)),
    min_size=1, max_size=8)


@given(records_of_one_id, st.randoms(use_true_random=False))
def test_merge_ignores_the_order_files_are_read_in(records: list[Record], rng: random.Random) -> None:
    """Whatever order a machine lists files in, the same version wins, and only one."""
    shuffled = list(records)
    rng.shuffle(shuffled)
    first, second = History(), History()
    for r in records:
        first.add(r)
    for r in shuffled:
        second.add(r)
    assert first.records == second.records and len(first.records) == 1


def test_temp_files_and_half_written_json_make_no_phantom(tmp_path: Path) -> None:
    """Sync tools' temp files, our own and a torn file: 0 records from them, the torn one reported."""
    good, good_data = version(1, "2026-11-26T08:00:00.000000Z", 3)
    ghost, ghost_data = version(1, "2026-11-26T08:00:00.000000Z", 5,
                                rid="0b9e2a1c-3d4f-4e5a-8b6c-7d8e9f0a1b2c")
    put(tmp_path, good.file_name(), good_data)
    temps = [put(tmp_path, f".syncthing.{ghost.file_name()}.tmp", ghost_data),
             put(tmp_path, f"~syncthing~{ghost.file_name()}.tmp", ghost_data),
             put(tmp_path, temp_path_for(Path(ghost.file_name())).name, ghost_data),
             put(tmp_path, ghost.file_name() + ".part", ghost_data)]
    torn = put(tmp_path, ghost.file_name(), ghost_data[: len(ghost_data) // 2])
    history = store_at(tmp_path).read()
    assert list(history.records) == [good.id]
    assert sorted(history.temp_files) == sorted(temps)
    assert [p.path for p in history.problems] == [torn]
