"""A save's reads of a month it has just read decode no file again, and find what a listing would."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from huddle_tui.storage import folder
from huddle_tui.storage.folder import History
from tests.storekit import count_parsed, save_checkin, store_at
from tests.test_store_next_version import DAY, FILES, IDS, _fill, _stray


def _ids_view(history: History) -> dict[str, object]:
    """What read_ids' callers take from a read of IDS: their records, and the reports of their files."""
    return {
        "records": {rid: (r.version, r.checksum, r.deleted)
                    for rid, r in history.records.items() if rid in IDS},
        "problems": sorted((str(p.path), p.reason) for p in history.problems),
        "foreign": sorted(map(str, history.foreign_copies)),
        "temp": sorted(map(str, history.temp_files)),
    }


@settings(max_examples=80, deadline=None)
@given(files=FILES)
def test_read_ids_after_a_read_equals_a_listing(files: list[tuple[str, str]]) -> None:
    """read_ids answered from the month a store just read says what a fresh store's listing says.

    Only a record under a name that does not say its id can differ: the month's read holds it.
    """
    work = Path(tempfile.mkdtemp(prefix="huddle-recent-"))
    try:
        root = work / "shared"
        _fill(root, files)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(folder, "_FRESH_S", 3600.0)  # however slow the machine, the read is recent
            for index in (work / "index", None):
                reader = store_at(root, index)
                reader.read(("checkin",), since=DAY)
                for wanted in ([IDS[0]], IDS):
                    kept = _ids_view(reader.read_ids("checkin", DAY, wanted))
                    listed = _ids_view(store_at(root).read_ids("checkin", DAY, wanted))
                    assert kept == listed or any(_stray(root, rid) for rid in wanted)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record files read and decoded, by name (a file answered from a recent scan is not)."""
    monkeypatch.setattr(folder, "_FRESH_S", 3600.0)
    return count_parsed(monkeypatch)


def test_a_save_after_a_read_decodes_each_file_once(tmp_path: Path, parsed: list[str]) -> None:
    """A read of the month, then the record's current version twice (as a check-in saves): one decode each."""
    root = tmp_path / "private"
    writer = store_at(root)
    for mood in (1, 2, 3):
        save_checkin(writer, IDS[0], DAY, mood=mood)
    save_checkin(writer, IDS[1], DAY)
    store = store_at(root)
    store.read(("checkin",), since=DAY)
    assert len(parsed) == 4
    parsed.clear()
    for _ in range(2):
        assert store.read_ids("checkin", DAY, [IDS[0]]).records[IDS[0]].payload["mood"] == 3
    assert parsed == []
    assert save_checkin(store, IDS[0], DAY, mood=4).version == 4


def test_a_file_added_since_the_read_is_read(tmp_path: Path, parsed: list[str]) -> None:
    """Another writer's version changes the folder's stamp: read_ids lists and reads the files again."""
    root = tmp_path / "private"
    save_checkin(store_at(root), IDS[0], DAY, mood=1)
    store = store_at(root)
    store.read(("checkin",), since=DAY)
    store.read_ids("checkin", DAY, [IDS[0]])
    save_checkin(store_at(root), IDS[0], DAY, mood=5)  # another machine's version 2
    parsed.clear()
    assert store.read_ids("checkin", DAY, [IDS[0]]).records[IDS[0]].version == 2
    assert parsed


def test_a_recent_scan_answers_for_a_second_at_most(tmp_path: Path, parsed: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A file another writer adds in the same clock tick as the read is missed for at most _FRESH_S."""
    monkeypatch.setattr(folder, "_FRESH_S", 0.0)
    root = tmp_path / "private"
    save_checkin(store_at(root), IDS[0], DAY, mood=1)
    month = root / "records" / "checkin" / DAY[:7]
    store = store_at(root)
    store.read(("checkin",), since=DAY)
    ours = month.stat()
    save_checkin(store_at(root), IDS[0], DAY, mood=5)
    os.utime(month, ns=(ours.st_atime_ns, ours.st_mtime_ns))  # a coarse clock: the stamp the read saw
    parsed.clear()
    assert store.read_ids("checkin", DAY, [IDS[0]]).records[IDS[0]].version == 2
    assert parsed
