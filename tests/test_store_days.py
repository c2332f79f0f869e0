"""A day's read through the folder's cache (storage/cache.py) always equals a plain read of the folder.

A read of one day through the store with a cache answers from that day's
rows while every month folder it came from is unchanged and settled, and
lists a changed one, reading only its new files. Whatever is written in
between — check-ins, huddles, handoffs, edits, deletions, two machines
writing one version, conflicted copies, damaged files, a file a sync tool
drops in with an old mtime, a new odd-named month folder — with time
passing or not (only settled folders are trusted), it must report exactly
what a read without any cache reports.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huddle_tui.storage import scan
from huddle_tui.storage.cache import cache_for, close_all
from huddle_tui.storage.folder import FolderStore
from tests.storekit import HOUR_NS, age, record_bytes, summary
from tests.test_derived_today import CHECKIN, HUDDLE_NEAR, NEAR, write_checkin
from tests.test_plan_bounded import DAMAGE, HANDOFF, LATER, World

KINDS = ("checkin", "huddle", "handoff")
# A sync tool's file: put in place with the mtime its author's machine gave it, hours ago.
DROPPED = st.tuples(st.just("dropped"), st.sampled_from(NEAR), st.integers(1, 5))
ODD_MONTH = st.tuples(st.just("odd-month"), st.sampled_from(NEAR))
# A file taken away (a git checkout, a sync tool's deletion) or another renamed over it.
GONE = st.tuples(st.just("gone"), st.sampled_from(NEAR), st.integers(0, 50), st.booleans())
OPS = st.lists(st.tuples(st.one_of(HUDDLE_NEAR, HANDOFF, LATER, CHECKIN, CHECKIN, DAMAGE, DROPPED, ODD_MONTH,
                                   GONE), st.booleans()), min_size=2, max_size=30)


def drop(world: World, op: tuple[Any, ...]) -> None:
    """A teammate's check-in arriving through a sync tool: the file keeps its old mtime."""
    _, day, mood = op
    iso = day.isoformat()
    name, data = record_bytes("checkin", iso, {"member": "Ben", "mood": mood, "status": "synced"},
                              rid=f"00000000-0000-4000-8000-{mood:012d}", version=1 + mood,
                              written_at=f"{iso}T08:00:0{mood}.000000Z")
    folder = world.root / "records" / "checkin" / iso[:7]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".arriving.tmp").write_bytes(data)
    old = os.stat(folder / ".arriving.tmp").st_mtime_ns - 5 * HOUR_NS
    os.utime(folder / ".arriving.tmp", ns=(old, old))
    os.replace(folder / ".arriving.tmp", folder / name)  # renamed into place whole, as sync tools do


def odd_month(world: World, op: tuple[Any, ...]) -> None:
    """A copy of a month folder under another name ("2026-03 (1)"), as a sync tool may leave."""
    month = op[1].isoformat()[:7]
    source = world.root / "records" / "checkin" / month
    if source.is_dir():
        # File by file: copytree would also set the copy's folder mtime to the source's, and
        # after age() two folders can share one mtime to the nanosecond, which no clock gives.
        copy = source.with_name(f"{month} (1)")
        copy.mkdir(exist_ok=True)
        for path in source.iterdir():
            # Whole files renamed into place, as sync tools write (never rewritten in place).
            shutil.copyfile(path, copy / ".copying.tmp")
            os.replace(copy / ".copying.tmp", copy / path.name)


def gone(world: World, op: tuple[Any, ...]) -> None:
    """Remove a file of a month folder, or rename another of its files over it."""
    _, day, pick, replace = op
    folder = world.root / "records" / "checkin" / day.isoformat()[:7]
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        return
    victim = files[pick % len(files)]
    if replace and len(files) > 1:
        other = files[(pick + 1) % len(files)]
        tmp = folder / ".huddle-replace.tmp"
        shutil.copyfile(other, tmp)
        os.replace(tmp, victim)
    else:
        victim.unlink()


def plain(world: World, day: date) -> dict[str, object]:
    """What a read of the day without index or kept slice reports."""
    iso = day.isoformat()
    return summary(FolderStore(world.root).read(KINDS, since=iso, until=iso))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS, days=st.lists(st.sampled_from(NEAR), min_size=1, max_size=2))
def test_a_kept_day_equals_a_plain_read(ops: list[tuple[tuple[Any, ...], bool]], days: list[date]) -> None:
    """After every write, with or without an hour passing, a day's read says what a plain read says."""
    root = Path(tempfile.mkdtemp(prefix="huddle-day-"))
    parsed: list[str] = []
    real = scan._parse

    def counting(path: str, *args: Any) -> Any:
        """Count files opened and parsed."""
        parsed.append(path)
        return real(path, *args)

    scan._parse = counting  # type: ignore[assignment]
    try:
        world = World(root, "fair", 5)
        write_checkin(world, ("checkin", NEAR[0], "Ana", "team", False))  # a records/ folder to keep
        for op, later in [*ops, (None, True)]:
            if op is not None:
                {"checkin": write_checkin, "dropped": drop, "odd-month": odd_month, "gone": gone}.get(
                    op[0], lambda w, o: w.apply(o))(world, op)
            if later:
                age(root)
            for day in days:
                iso = day.isoformat()
                want = plain(world, day)
                assert summary(world.store.read(KINDS, since=iso, until=iso)) == want
                parsed.clear()
                assert summary(world.store.read(KINDS, since=iso, until=iso)) == want  # kept when settled
        assert parsed == [], "the last step aged every folder: its second read must come from the cache"
    finally:
        scan._parse = real
        close_all()
        shutil.rmtree(root, ignore_errors=True)


def test_a_file_dropped_with_an_old_mtime_is_seen(tmp_path: Path) -> None:
    """Kept and settled, then a sync tool adds an old-dated file: the next read has it."""
    world = World(tmp_path / "shared", "fair", 3)
    write_checkin(world, ("checkin", NEAR[0], "Ana", "team", False))
    age(world.root)
    iso = NEAR[0].isoformat()
    before = summary(world.store.read(KINDS, since=iso, until=iso))
    assert summary(world.store.read(KINDS, since=iso, until=iso)) == before
    drop(world, ("dropped", NEAR[0], 2))
    after = summary(world.store.read(KINDS, since=iso, until=iso))
    assert after != before and after == plain(world, NEAR[0])


def test_damaged_rows_of_a_day_are_read_afresh(tmp_path: Path) -> None:
    """A row whose CRC does not match what it holds costs a fresh read, never a wrong answer or a crash."""
    world = World(tmp_path / "shared", "fair", 3)
    write_checkin(world, ("checkin", NEAR[0], "Ana", "team", False))
    age(world.root)
    iso = NEAR[0].isoformat()
    want = summary(world.store.read(KINDS, since=iso, until=iso))
    for table in ("records", "files", "folders"):
        cache = cache_for(Path(str(world.store.index_dir)), world.root)
        assert cache is not None
        cache.db.execute(f"update {table} set crc = crc + 1")
        assert summary(world.store.read(KINDS, since=iso, until=iso)) == want
        assert summary(world.store.read(KINDS, since=iso, until=iso)) == want


def test_a_month_that_gained_files_is_caught_up_not_read_again(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A teammate's check-in on another day costs that one file, whatever the month holds."""
    world = World(tmp_path / "shared", "fair", 5)
    for member in ("Ana", "Ben", "Chen"):
        write_checkin(world, ("checkin", NEAR[0], member, "team", False))
        write_checkin(world, ("checkin", NEAR[1], member, "team", False))
    age(world.root)
    iso = NEAR[0].isoformat()
    world.store.read(KINDS, since=iso, until=iso)
    parsed: list[str] = []
    real = scan._parse

    def counting(path: str, *args: Any) -> Any:
        """Count files opened and parsed."""
        parsed.append(path)
        return real(path, *args)

    monkeypatch.setattr(scan, "_parse", counting)
    write_checkin(world, ("checkin", NEAR[1], "Dara", "team", False))
    first = summary(world.store.read(KINDS, since=iso, until=iso))
    assert len(parsed) == 1
    assert first == plain(world, NEAR[0])
    write_checkin(world, ("checkin", NEAR[0], "Dara", "team", False))
    month = world.root / "records" / "checkin" / iso[:7]
    then = time.time_ns() - HOUR_NS
    for path in [month, *month.iterdir()]:  # the month and its new files, as an hour would leave them
        if path.stat().st_mtime_ns > then + HOUR_NS // 2:
            os.utime(path, ns=(then, then))
    parsed.clear()
    caught = summary(world.store.read(KINDS, since=iso, until=iso))
    assert len(parsed) == 2  # both new files: the one before was still fresh, so not kept
    assert caught == plain(world, NEAR[0]) and "Dara" in str(caught["records"])
    parsed.clear()
    assert summary(world.store.read(KINDS, since=iso, until=iso)) == caught
    assert parsed == []  # settled: kept as caught up


def test_a_gone_file_of_the_day_means_a_fresh_read(tmp_path: Path) -> None:
    """Which version of a record is left when one of its files goes only a fresh read can say."""
    world = World(tmp_path / "shared", "fair", 3)
    write_checkin(world, ("checkin", NEAR[0], "Ana", "team", False))
    write_checkin(world, ("checkin", NEAR[0], "Ana", "team", False))
    age(world.root)
    iso = NEAR[0].isoformat()
    two = summary(world.store.read(KINDS, since=iso, until=iso))
    newest = max((world.root / "records" / "checkin" / iso[:7]).glob("*.json"),
                 key=lambda path: int(path.name.split(".")[1]))
    newest.unlink()
    one = summary(world.store.read(KINDS, since=iso, until=iso))
    assert one == plain(world, NEAR[0]) and one != two


def test_a_verifying_read_reads_every_file_and_drops_every_kept_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`huddle doctor` trusts no cache: it reads every file, and the lobby's kept answers go."""
    world = World(tmp_path / "shared", "fair", 3)
    write_checkin(world, ("checkin", NEAR[0], "Ana", "team", False))
    age(world.root)
    world.journal.today(NEAR[0])
    cache = cache_for(Path(str(world.store.index_dir)), world.root)
    assert cache is not None
    assert cache.db.execute("select count(*) from answers").fetchone()[0]
    parsed: list[str] = []
    real = scan._parse

    def counting(path: str, *args: Any) -> Any:
        """Count files opened and parsed."""
        parsed.append(path)
        return real(path, *args)

    monkeypatch.setattr(scan, "_parse", counting)
    files = world.store.read(verify=True).files_read
    assert len(parsed) == files > 0
    assert cache.db.execute("select count(*) from answers").fetchone()[0] == 0
