"""Damaged files among good ones: the good ones are read, each bad one is reported with its reason,
reads exit 0, and nothing is deleted or changed."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import CorruptRecord
from tests.conftest import run_huddle
from tests.storekit import record_files

DAYS = ["2026-11-23", "2026-11-24", "2026-11-25"]
Damaged = tuple[TeamConfig, list[Path], list[Path]]


def _damage(good: list[Path], rng: random.Random) -> list[Path]:
    """Make every kind of damaged file beside the good ones; return their paths."""
    sample = good[0].read_bytes()
    folder = good[0].parent
    bad: dict[Path, bytes] = {
        folder / "cut-in-body.json": sample[: len(sample) // 2],
        folder / "cut-before-brace.json": sample[:-2],
        folder / "cut-in-header.json": sample[:30],
        folder / "empty.json": b"",
        folder / "zeros.json": bytes(len(sample)),
        folder / "zero-tail.json": sample[:200] + bytes(len(sample) - 200),
        folder / "random.json": rng.randbytes(len(sample)),
        folder / "not-a-record.json": b'{"hello": "world"}\n',
        folder / "flip-header.json": _flip(sample, 3),
        folder / "flip-checksum.json": _flip(sample, 30),
        folder / "flip-body.json": _flip(sample, len(sample) - 40),
        folder / "flip-newline.json": _flip(sample, len(sample) - 1),
    }
    for path, data in bad.items():
        path.write_bytes(data)
    return list(bad)


def _flip(data: bytes, at: int, bit: int = 2) -> bytes:
    """The same bytes with one bit flipped."""
    return data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1:]


@pytest.fixture
def damaged(team: TeamConfig) -> Damaged:
    """A shared folder with 15 good check-ins and a dozen damaged files among them."""
    journal = Journal(team, durable=False)
    for day in DAYS:
        for member in team.members:
            journal.save_checkin(CheckIn(date=day, mood=3, member=member.name, status="ok",
                                         concerns=(), visibility="team", source="cli"))
    good = record_files(team.shared_dir)
    return team, good, _damage(good, random.Random(5))


def test_good_files_read_and_each_bad_one_reported(damaged: Damaged) -> None:
    """doctor --json counts and names every damaged file with a reason; export and summary exit 0."""
    team, good, bad = damaged
    snapshot = {p: p.read_bytes() for p in record_files(team.shared_dir)}
    env = {"HUDDLE_CONFIG": str(team.path)}

    doctor = run_huddle("doctor", "--json", env=env)
    report = json.loads(doctor.stdout)
    assert doctor.returncode == 0, doctor.stderr
    assert report["corrupt"] == len(bad)
    assert report["records"] == len(good)
    reasons = {Path(item["path"]): item["reason"] for item in report["corrupt_files"]}
    assert set(reasons) == set(bad) and all(reasons.values())

    export = run_huddle("export", env=env)
    assert export.returncode == 0
    assert len(export.stdout.splitlines()) == len(good)
    assert all(str(path) in export.stderr for path in bad)  # told, not mixed into the data
    summary = run_huddle("summary", "--date", DAYS[0], "--json", env=env)
    assert summary.returncode == 0, summary.stderr
    assert len(json.loads(summary.stdout)["checked_in"]) == len(team.members)

    fixed = run_huddle("doctor", "--fix", "--json", env=env)
    assert fixed.returncode == 0
    after = {p: p.read_bytes() for p in record_files(team.shared_dir)}
    assert after == snapshot  # nothing deleted or changed


def test_no_single_bit_flip_passes_as_a_record(team: TeamConfig) -> None:
    """Flip each bit of a record file in turn: every result is refused, none read as a record."""
    record, data = envelope.encode("checkin", "7d4f3a52-1c0e-5b8e-9a6f-2f1d0c9b8a7e", 1, "2026-11-26",
                                   "2026-11-26T08:59:12.000000Z",
                                   {"member": "Ana", "mood": 4, "status": "ok"})
    assert envelope.decode(data) == record
    for at in range(len(data)):
        for bit in range(8):
            with pytest.raises(CorruptRecord):
                envelope.decode(_flip(data, at, bit))


def test_every_truncation_is_refused() -> None:
    """A record cut anywhere (a crash mid-write on a tool that writes in place) is refused."""
    _, data = envelope.encode("checkin", "7d4f3a52-1c0e-5b8e-9a6f-2f1d0c9b8a7e", 1, "2026-11-26",
                              "2026-11-26T08:59:12.000000Z", {"member": "Ana", "mood": 4})
    whole = data.rstrip(b"\n")
    for cut in range(len(whole)):
        with pytest.raises(CorruptRecord):
            envelope.decode(whole[:cut])
        with pytest.raises(CorruptRecord):
            envelope.decode(whole[:cut] + bytes(len(whole) - cut))  # a zero-filled tail


def test_unreadable_file_is_reported_not_fatal(team: TeamConfig) -> None:
    """A .json entry that cannot be read as a file (here a folder) is one more problem; the rest is read."""
    journal = Journal(team, durable=False)
    journal.save_checkin(CheckIn(date=DAYS[0], mood=3, member="Ana", status="", concerns=(),
                                 visibility="team", source="cli"))
    odd = team.shared_dir / "records" / "checkin" / "2026-11" / "odd.json"
    odd.mkdir()
    history = journal.read()
    assert len(history.records) == 1
    assert [p.path for p in history.problems] == [odd]
    assert history.problems[0].reason.startswith("not a regular file")
