"""A private folder's read decodes each record's newest version only, and merges as a read of every file."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from huddle_tui.storage.folder import FolderStore, History
from tests.storekit import count_parsed, save_checkin
from tests.test_store_next_version import DAY, FILES, IDS, _fill


def private_at(root: Path) -> FolderStore:
    """This machine's private folder as the journal opens it (no cache, no judge), without fsync."""
    return FolderStore(root, durable=False, private=True)


def _records(history: History) -> dict[str, object]:
    """What a read merged: each id's winning version."""
    return {rid: (r.version, r.checksum, r.deleted, r.payload) for rid, r in history.records.items()}


def _problems(history: History) -> set[tuple[str, str]]:
    """The files a read set aside, and why."""
    return {(str(p.path), p.reason) for p in history.problems}


@settings(max_examples=80, deadline=None)
@given(files=FILES)
def test_a_newest_read_merges_what_a_read_of_every_file_merges(files: list[tuple[str, str]]) -> None:
    """Versions, copies, damage, temp files and strays: the same records as `verify` (every file read).

    Only files below a record's newest version go unread, so a newest read
    reports no problem a full read does not.
    """
    work = Path(tempfile.mkdtemp(prefix="huddle-newest-"))
    try:
        root = work / "private"
        _fill(root, files)
        full = private_at(root).read(("checkin",), since=DAY, verify=True)
        newest = private_at(root).read(("checkin",), since=DAY)
        assert _records(newest) == _records(full)
        assert _problems(newest) <= _problems(full)
        for rid in IDS:
            ids = private_at(root).read_ids("checkin", DAY, [rid])
            assert _records(ids).get(rid) == _records(full).get(rid)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record files read and decoded, by name."""
    return count_parsed(monkeypatch)


def test_fifty_versions_of_an_answer_are_one_file_read(tmp_path: Path, parsed: list[str]) -> None:
    """A member who checked in fifty times that day: a check-in's reads decode the last version alone."""
    root = tmp_path / "private"
    for n in range(50):
        last = save_checkin(private_at(root), IDS[0], DAY, mood=1 + n % 5)
    save_checkin(private_at(root), IDS[1], DAY)
    parsed.clear()
    history = private_at(root).read(("checkin",), since=DAY)
    assert history.records[IDS[0]].checksum == last.checksum
    other = history.records[IDS[1]]
    assert sorted(parsed) == sorted([last.file_name(), f"{IDS[1]}.1.{other.checksum[:8]}.json"])
    parsed.clear()
    assert private_at(root).read_ids("checkin", DAY, [IDS[0]]).records[IDS[0]].version == 50
    assert parsed == [last.file_name()]


def test_a_damaged_newest_version_gives_way_to_the_one_before(tmp_path: Path) -> None:
    """The last version's file is damaged: the one before it is the record, and the damage is reported."""
    root = tmp_path / "private"
    store = private_at(root)
    first = save_checkin(store, IDS[0], DAY, mood=2)
    second = save_checkin(store, IDS[0], DAY, mood=4)
    damaged = root / "records" / "checkin" / DAY[:7] / second.file_name()
    damaged.write_bytes(damaged.read_bytes()[:30])
    history = private_at(root).read(("checkin",), since=DAY)
    assert history.records[IDS[0]].checksum == first.checksum
    assert [p.path for p in history.problems] == [damaged]
    ids = private_at(root).read_ids("checkin", DAY, [IDS[0]])
    assert ids.records[IDS[0]].checksum == first.checksum
    assert [p.path for p in ids.problems] == [damaged]
