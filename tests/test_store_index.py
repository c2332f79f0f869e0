"""The folder's cache is only a speed-up: made afresh when missing or damaged, never over the files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from huddle_tui.storage import scan
from huddle_tui.storage.cache import close_all
from huddle_tui.storage.fileio import write_atomic
from huddle_tui.storage.stamps import folder_tag
from tests.storekit import age, record_files, save_checkin, store_at, summary

IDS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(12)]
NEW = "11111111-0000-4000-8000-000000000000"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A shared folder with records over three months, one bad file, one copy and one temp file."""
    root = tmp_path / "shared"
    store = store_at(root)
    for n, rid in enumerate(IDS):
        save_checkin(store, rid, f"2026-{9 + n % 3:02d}-{1 + n:02d}", mood=1 + n % 5)
    save_checkin(store, IDS[0], "2026-09-01", mood=5)
    month = root / "records" / "checkin" / "2026-10"
    (month / "broken.json").write_bytes(b'{"checksum":"sha256:')
    first = record_files(month.parent / "2026-09")[0]
    shutil.copy(first, first.with_name(first.stem + ".sync-conflict-20261126-085912-ABCDEFG.json"))
    (month / ".syncthing.x.json.tmp").write_bytes(b"half")
    age(root)
    return root


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count files actually opened and parsed, to tell an index hit from a re-read."""
    seen: list[str] = []
    real = scan._parse

    def counting(path: str, *args: object) -> object:
        """Record the path, then parse as usual."""
        seen.append(path)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(scan, "_parse", counting)
    return seen


def test_warm_read_equals_cold_read_and_parses_nothing(folder: Path, tmp_path: Path,
                                                        parses: list[str]) -> None:
    """A warm read reports exactly what a read without index does, without opening a record file."""
    index = tmp_path / "index"
    cold = summary(store_at(folder).read())
    assert summary(store_at(folder, index).read()) == cold
    parses.clear()
    assert summary(store_at(folder, index).read()) == cold
    assert parses == []
    assert cold["problems"] and cold["foreign"] and cold["temp"]


def test_added_replaced_and_removed_files_are_noticed(folder: Path, tmp_path: Path) -> None:
    """Each change a writer or sync tool makes (create, rename over, unlink) shows in the next read."""
    index = tmp_path / "index"
    store = store_at(folder, index)
    store.read()
    added = save_checkin(store_at(folder), NEW, "2026-10-06", mood=2)
    assert store.read().records[NEW].checksum == added.checksum
    age(folder)
    store.read()
    victim = record_files(folder / "records" / "checkin" / "2026-11")[0]
    write_atomic(victim, b"overwritten by a sync tool\n", durable=False)
    after = store.read()
    assert str(victim) in {str(p.path) for p in after.problems}
    age(folder)
    store.read()
    victim.unlink()
    gone = store.read()
    assert str(victim) not in {str(p.path) for p in gone.problems}
    age(folder)
    store.read()
    last = record_files(folder / "records" / "checkin" / "2026-11")[0]
    rid = last.name.split(".")[0]
    last.unlink()
    assert rid not in store.read().records
    assert summary(store.read()) == summary(store_at(folder).read())


def test_a_name_given_other_content_twice_is_noticed_when_its_folder_changes(tmp_path: Path) -> None:
    """Renamed over twice, a name may get its first inode back (file systems reuse freed ones): stat'ed."""
    root, index = tmp_path / "shared", tmp_path / "index"
    first = save_checkin(store_at(root), IDS[0], "2026-11-26")
    second = save_checkin(store_at(root), IDS[1], "2026-11-26", mood=5)
    age(root)
    store = store_at(root, index)
    assert set(store.read().records) == {IDS[0], IDS[1]}
    month = root / "records" / "checkin" / "2026-11"
    victim, other = month / first.file_name(), month / second.file_name()
    for _ in range(2):
        tmp = month / ".huddle-replace.tmp"
        shutil.copyfile(other, tmp)
        os.replace(tmp, victim)
    read = store.read()  # on ext4 and tmpfs the name has its first inode again
    assert set(read.records) == {IDS[1]}
    assert [p.name for p in read.foreign_copies] == [victim.name]


def test_a_new_month_folder_and_a_removed_one_are_noticed(folder: Path, tmp_path: Path) -> None:
    """Months come and go with a git checkout: the index follows the folders."""
    store = store_at(folder, tmp_path / "index")
    store.read()
    save_checkin(store_at(folder), NEW, "2027-01-04")
    assert NEW in store.read().records
    shutil.rmtree(folder / "records" / "checkin" / "2027-01")
    assert NEW not in store.read().records


def test_index_is_safe_to_delete(folder: Path, tmp_path: Path) -> None:
    """Deleting the cache at any moment only costs a cold read."""
    index = tmp_path / "index"
    first = summary(store_at(folder, index).read())
    shutil.rmtree(index)
    assert summary(store_at(folder, index).read()) == first  # a process that had it open reads on
    close_all()
    assert summary(store_at(folder, index).read()) == first


@pytest.mark.parametrize("damage", ["truncate", "empty", "garbage", "a changed value", "another folder's"])
def test_a_damaged_cache_file_is_ignored_and_made_afresh(folder: Path, tmp_path: Path, damage: str,
                                                         parses: list[str]) -> None:
    """A torn, corrupt or foreign cache file is never believed: every file is read again, once."""
    index = tmp_path / "index"
    good = summary(store_at(folder, index).read())
    other = tmp_path / "other"
    save_checkin(store_at(other), NEW, "2026-10-06", mood=2)
    store_at(other, index).read()
    close_all()  # what follows is another process: the file is opened afresh
    [path] = index.glob(f"{folder_tag(folder)}.sqlite3")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif damage == "a changed value":  # one byte of a record's payload, which SQLite does not check
        assert b'"mood":3' in data
        path.write_bytes(data.replace(b'"mood":3', b'"mood":4', 1))
    else:
        shutil.copyfile(index / f"{folder_tag(other)}.sqlite3", path)
    parses.clear()
    assert summary(store_at(folder, index).read()) == good
    assert len(parses) == good["files"]
    parses.clear()
    close_all()
    assert summary(store_at(folder, index).read()) == good
    assert parses == []


def test_a_file_changed_in_place_soon_after_a_read_is_noticed(tmp_path: Path) -> None:
    """Racy clean: a file read while fresh is read again, even if rewritten in the same clock tick."""
    root, index = tmp_path / "shared", tmp_path / "index"
    record = save_checkin(store_at(root), IDS[0], "2026-11-26")
    [path] = record_files(root)
    store = store_at(root, index)
    assert store.read().records[IDS[0]].checksum == record.checksum
    st, folder_st = path.stat(), path.parent.stat()
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01
    with open(path, "r+b") as f:  # in place: same size, same inode
        f.write(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.utime(path.parent, ns=(folder_st.st_atime_ns, folder_st.st_mtime_ns))
    assert [p.reason for p in store.read().problems] == ["checksum mismatch (damaged or edited by hand)"]


def test_damage_in_place_to_an_old_file_is_found_by_a_verifying_read(folder: Path, tmp_path: Path) -> None:
    """No writer rewrites a file in place; damage that does is found by `doctor` (verify) and then by all."""
    index = tmp_path / "index"
    store = store_at(folder, index)
    store.read()
    path = record_files(folder / "records" / "checkin" / "2026-11")[0]
    st, folder_st = path.stat(), path.parent.stat()
    with open(path, "r+b") as f:
        f.seek(st.st_size - 20)
        f.write(b"X")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.utime(path.parent, ns=(folder_st.st_atime_ns, folder_st.st_mtime_ns))
    assert str(path) in {str(p.path) for p in store.read(verify=True).problems}
    assert str(path) in {str(p.path) for p in store.read().problems}


def test_a_file_added_in_the_same_clock_tick_as_a_read_is_noticed(tmp_path: Path) -> None:
    """Racy clean for folders: a folder read while fresh is listed again even if its stamp looks unchanged."""
    root, index = tmp_path / "shared", tmp_path / "index"
    save_checkin(store_at(root), IDS[0], "2026-11-26")
    store = store_at(root, index)
    assert len(store.read().records) == 1
    month = root / "records" / "checkin" / "2026-11"
    before = month.stat()
    save_checkin(store_at(root), NEW, "2026-11-26")
    os.utime(month, ns=(before.st_atime_ns, before.st_mtime_ns))  # a coarse clock: the same mtime
    assert set(store.read().records) == {IDS[0], NEW}


def test_a_file_replaced_in_the_same_clock_tick_as_a_read_is_noticed(tmp_path: Path) -> None:
    """A folder listed while fresh, then a file renamed over another in the same tick: the new one is read."""
    root, index = tmp_path / "shared", tmp_path / "index"
    save_checkin(store_at(root), IDS[0], "2026-11-26")
    save_checkin(store_at(root), IDS[1], "2026-11-26")
    age(root)
    month = root / "records" / "checkin" / "2026-11"
    os.utime(month)  # changed just now: its scan is not settled, so the next read lists it again
    store = store_at(root, index)
    assert set(store.read().records) == {IDS[0], IDS[1]}
    before = month.stat()
    [first, second] = sorted(record_files(month), key=lambda p: p.name.startswith(IDS[1]))
    tmp = month / ".huddle-replace.tmp"
    shutil.copyfile(second, tmp)
    os.replace(tmp, first)  # first's name now holds the second record (a new inode)
    os.utime(month, ns=(before.st_atime_ns, before.st_mtime_ns))  # a coarse clock: the same mtime
    read = store.read()
    assert set(read.records) == {IDS[1]}
    assert [p.name for p in read.foreign_copies] == [first.name]


_WRITER = """
import sys
from pathlib import Path
from huddle_tui.storage.folder import FolderStore
root, index, who = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
writer, reader = FolderStore(root, durable=False), FolderStore(root, durable=False, index_dir=index)
for n in range(40):
    day = f"2026-{9 + n % 3:02d}-{1 + n % 28:02d}"
    rid = f"{who:08d}-0000-4000-8000-{n:012d}"
    writer.save("checkin", rid, day, {"member": "Ana", "mood": 3, "status": ""})
    history = reader.read() if n % 2 else reader.read(("checkin",), since=day, until=day)
    assert not [p for p in history.problems if "broken" not in str(p.path)], history.problems
"""


def test_two_processes_reading_and_writing_at_once_agree_with_a_plain_read(folder: Path,
                                                                          tmp_path: Path) -> None:
    """Two commands at once, each saving and reading through one cache file: neither fails, both are right."""
    import subprocess
    import sys

    index = tmp_path / "index"
    store_at(folder, index).read()
    close_all()
    runs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(folder), str(index), str(who)],
                             stderr=subprocess.PIPE, text=True) for who in (1, 2)]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    assert summary(store_at(folder, index).read()) == summary(store_at(folder).read())
    age(folder)
    assert summary(store_at(folder, index).read()) == summary(store_at(folder).read())
    close_all()
    assert summary(store_at(folder, index).read()) == summary(store_at(folder).read())
