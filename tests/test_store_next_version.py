"""A save numbers its version from the month it just read exactly as from a listing of the folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huddle_tui.storage import envelope, folder
from huddle_tui.storage.fileio import temp_path_for
from huddle_tui.storage.folder import FolderStore
from tests.storekit import age, save_checkin, store_at

IDS = ["a1f0c3d2-0000-5000-8000-000000000001", "b2e1d4c3-0000-5000-8000-000000000002"]
DAY = "2026-11-26"
# What a month folder may hold besides clean versions: copies, damage, temp files, strangers.
EXTRA = st.sampled_from(["syncthing", "dropbox", "damaged-own", "damaged-copy", "temp", "stray",
                         "high-temp"])
FILES = st.lists(st.one_of(st.tuples(st.just("save"), st.sampled_from(IDS)),
                           st.tuples(EXTRA, st.sampled_from(IDS))), max_size=12)


def _fill(root: Path, files: list[tuple[str, str]]) -> None:
    """Write a month folder's files through the store and by hand, as machines and sync tools do."""
    writer = store_at(root)
    folder = root / "records" / "checkin" / DAY[:7]
    for n, (what, rid) in enumerate(files):
        if what == "save":
            save_checkin(writer, rid, DAY, mood=1 + n % 5)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        version = 7 + n
        record, data = envelope.encode("checkin", rid, version, DAY, "2026-11-26T09:00:00.000000Z",
                                       {"mood": 1 + n % 5})
        stem = record.file_name()[: -len(".json")]
        if what == "syncthing":
            (folder / f"{stem}.sync-conflict-20261126-090000-DEV{n}.json").write_bytes(data)
        elif what == "dropbox":
            (folder / f"{stem} (Ben's conflicted copy 2026-11-{n + 1:02d}).json").write_bytes(data)
        elif what == "damaged-own":
            (folder / record.file_name()).write_bytes(data[:20])
        elif what == "damaged-copy":
            (folder / f"{stem}.sync-conflict-20261126-090000-BAD{n}.json").write_bytes(b"")
        elif what == "temp":
            temp_path_for(folder / record.file_name()).write_bytes(data)
        elif what == "high-temp":
            (folder / f"{record.file_name()}.part").write_bytes(data)
        else:
            (folder / f"notes-{n}.json").write_bytes(data)  # a record under a name saying nothing


@settings(max_examples=80, deadline=None)
@given(files=FILES)
def test_next_version_from_a_settled_read_equals_a_listing(files: list[tuple[str, str]]) -> None:
    """After a read of a quiet month, next_version (no listing) says what a fresh store's listing says.

    Only a record under a name that does not say its id can make it say more (the read counts it).
    """
    work = Path(tempfile.mkdtemp(prefix="huddle-next-"))
    try:
        root = work / "shared"
        _fill(root, files)
        age(root)  # the month has been quiet for an hour: its scan is settled
        for index in (work / "index", None):
            reader = store_at(root, index)
            reader.read(("checkin",), since=DAY)
            for rid in IDS:
                remembered = reader.next_version("checkin", rid, DAY)
                listed = store_at(root).next_version("checkin", rid, DAY)
                assert remembered == listed or (remembered > listed and _stray(root, rid))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _stray(root: Path, rid: str) -> bool:
    """A record under a name that does not say its id: only a read of its content can count it."""
    folder = root / "records" / "checkin" / DAY[:7]
    return any(p.name.startswith("notes-") and rid in p.read_text() for p in folder.iterdir())


def test_a_save_after_a_read_sees_a_file_that_arrived_since(tmp_path: Path) -> None:
    """A file added after the read changes the folder's stamp: the next save lists the folder again."""
    root = tmp_path / "shared"
    store = store_at(root, tmp_path / "index")
    save_checkin(store, IDS[0], DAY)
    age(root)
    store.read(("checkin",), since=DAY)
    other = store_at(root)
    theirs = save_checkin(other, IDS[0], DAY, mood=5)  # another machine's version 2
    assert theirs.version == 2
    assert store.next_version("checkin", IDS[0], DAY) == 3
    os.utime(root / "records" / "checkin" / DAY[:7], ns=(0, 0))  # even with a stamp set back
    assert store.next_version("checkin", IDS[0], DAY) == 3


def _saving(store: FolderStore, rid: str, mood: int) -> int:
    """A save as Journal makes one: read the record's own files, then write its next version."""
    current = store.read_ids("checkin", DAY, [rid]).records.get(rid)
    saved = save_checkin(store, rid, DAY, mood=mood)
    assert saved.version == (current.version if current else 0) + 1
    return saved.version


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Count folder listings by name (read_ids' and next_version's)."""
    seen: list[object] = []
    real = os.listdir

    def counting(path: Any = ".") -> list[str]:
        """Count, then list."""
        seen.append(path)
        return real(path)

    monkeypatch.setattr(os, "listdir", counting)
    return seen


def test_a_burst_of_saves_lists_its_month_once(tmp_path: Path, listings: list[object]) -> None:
    """Saves one after another (a round on the shared screen) list a big month's names once, not each."""
    root = tmp_path / "shared"
    store = store_at(root)
    for n in range(40):
        save_checkin(store, f"c0ffee00-0000-5000-8000-{n:012d}", DAY)
    listings.clear()
    versions = [_saving(store, IDS[n % 2], 1 + n % 5) for n in range(6)]
    assert versions == [1, 1, 2, 2, 3, 3]
    assert len(listings) == 1
    assert [store_at(root).next_version("checkin", rid, DAY) for rid in IDS] == [4, 4]


def test_a_burst_sees_a_file_another_writer_added(tmp_path: Path, listings: list[object]) -> None:
    """Another machine's version, put in between two saves, changes the stamp: the folder is listed again."""
    root = tmp_path / "shared"
    store = store_at(root)
    assert _saving(store, IDS[0], 1) == 1
    assert save_checkin(store_at(root), IDS[0], DAY, mood=5).version == 2
    listings.clear()
    assert _saving(store, IDS[0], 2) == 3
    assert listings  # listed again: its answer is past


def test_a_listing_answers_for_a_second_at_most(tmp_path: Path, listings: list[object],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A file another writer adds in the same clock tick as ours is missed for at most _FRESH_S."""
    monkeypatch.setattr(folder, "_FRESH_S", 0.0)
    root = tmp_path / "shared"
    store = store_at(root)
    month = root / "records" / "checkin" / DAY[:7]
    _saving(store, IDS[0], 1)
    ours = month.stat()
    save_checkin(store_at(root), IDS[0], DAY, mood=5)
    os.utime(month, ns=(ours.st_atime_ns, ours.st_mtime_ns))  # a coarse clock: the stamp we left
    listings.clear()
    assert _saving(store, IDS[0], 2) == 3
    assert listings  # listed again: its answer is past
