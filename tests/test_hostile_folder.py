"""Links and pipes in the shared folder: never followed or opened on a read, refused on a write,
reported by `huddle doctor`, and never deleted."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.errors import StoreError
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern
from huddle_tui.storage import folder as folder_module
from huddle_tui.storage import scan
from huddle_tui.storage.folder import FolderStore, History
from tests.storekit import age, plant, record_files
from tests.test_hostile_records import DAY, run_all

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and FIFOs")
MONTH = DAY[:7]
SECRET = "I am thinking of leaving the team"


def finishes(work: Callable[[], Any], seconds: float = 20.0) -> Any:
    """Run `work` in a thread and return its result; a hang fails the test instead of the run."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the read hung"
    assert out, "the read raised (see the thread's traceback above)"
    return out[0]


def problems(history: History) -> dict[Path, str]:
    """What a read set aside, by path."""
    return {p.path: p.reason for p in history.problems}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the shared folder holding a valid, team-visible concern (as a link target)."""
    root = tmp_path / "elsewhere"
    FolderStore(root, durable=False).save("concern", "0b0b0b0b-0000-5000-8000-000000000001", DAY,
                                          {"text": SECRET, "kind": "concern", "member": "Ana"})
    return root


def test_a_month_folder_linked_to_my_private_records_is_not_read(team: TeamConfig,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A teammate's link records/concern/<month> → private/records/concern/<month> shows nothing private."""
    journal = Journal(team, durable=False)
    journal.save_checkin(CheckIn(DAY, 4, "Ana", "fine", (Concern.new(SECRET, "concern", "private"),)))
    private_month = journal.private.records_dir / "concern" / MONTH
    link = team.shared_dir / "records" / "concern" / MONTH
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(private_month, target_is_directory=True)
    results = run_all(team.path)  # type: ignore[arg-type]
    for command, (code, out, err) in results.items():
        assert code == 0 and SECRET not in out + err, command
    doctor = json.loads(results["doctor --json"][1])
    assert [f["path"] for f in doctor["corrupt_files"]] == [str(link)]
    assert "symbolic link" in doctor["corrupt_files"][0]["reason"]
    assert link.is_symlink()  # reported, never deleted


@pytest.mark.parametrize("indexed", [False, True])
def test_linked_month_kind_and_records_folders_are_reported_not_followed(
        tmp_path: Path, outside: Path, indexed: bool) -> None:
    """Each level of records/<kind>/<month>: a link there is a problem, cold and warm alike."""
    index = tmp_path / "index" if indexed else None
    for linked in ("month", "kind", "records"):
        root = tmp_path / f"shared-{linked}"
        good = FolderStore(root, durable=False).save("checkin", "0c0c0c0c-0000-5000-8000-000000000001",
                                                     "2026-10-01", {"member": "Ben", "mood": 4})
        target, link = {
            "month": (outside / "records" / "concern" / MONTH, root / "records" / "concern" / MONTH),
            "kind": (outside / "records" / "concern", root / "records" / "concern"),
            "records": (outside / "records", root / "records"),
        }[linked]
        if linked == "records":
            os.rename(root / "records", root / "real-records")
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target, target_is_directory=True)
        age(root)
        store = FolderStore(root, durable=False, index_dir=index)
        for _ in range(2):  # a cold read, then one through the index
            history = store.read()
            assert SECRET not in str([r.payload for r in history.records.values()])
            assert problems(history) == {link: scan.LINK}
            assert list(history.records) == ([] if linked == "records" else [good.id])
        assert link.is_symlink()


@pytest.mark.parametrize("walk", ["by fd", "by lstat (as on Windows)"])
@pytest.mark.parametrize("linked", ["month", "kind", "records"])
def test_a_write_through_a_linked_folder_is_refused(team: TeamConfig, tmp_path: Path, linked: str, walk: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A save never follows a link out of the folder: a clear StoreError, nothing written anywhere."""
    if walk != "by fd":
        monkeypatch.setattr(folder_module, "AT_FDS", False)
    target = tmp_path / "victim"
    target.mkdir()
    link = {"month": team.shared_dir / "records" / "checkin" / MONTH,
            "kind": team.shared_dir / "records" / "checkin",
            "records": team.shared_dir / "records"}[linked]
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target, target_is_directory=True)
    journal = Journal(team, durable=False)
    with pytest.raises(StoreError) as caught:
        journal.save_checkin(CheckIn(DAY, 4, "Ana", "fine"))
    assert str(link) in caught.value.message and "symbolic link" in caught.value.message
    assert list(target.rglob("*")) == []
    link.unlink()
    journal.save_checkin(CheckIn(DAY, 4, "Ana", "fine"))  # the same walk writes once the link is gone
    assert len(journal.read().records) == 1


def test_checkin_through_the_cli_names_the_link_and_exits_4(team: TeamConfig, tmp_path: Path) -> None:
    """`huddle checkin` into a linked month folder: exit 4 (store), one line naming the link."""
    from tests.conftest import run_huddle

    link = team.shared_dir / "records" / "checkin" / MONTH
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path, target_is_directory=True)
    result = run_huddle("checkin", "--config", str(team.path), "--member", "Ana", "--mood", "4",
                        "--date", DAY)
    assert result.returncode == 4 and str(link) in result.stderr and "Traceback" not in result.stderr


def test_a_fifo_named_like_a_record_is_reported_and_never_opened(team: TeamConfig, tmp_path: Path) -> None:
    """A pipe named *.json used to block every read forever; now it is one more problem, at once."""
    good = plant(team.shared_dir, "checkin", DAY, {"member": "Ana", "mood": 3})
    fifo = good.parent / "0d0d0d0d-0000-5000-8000-000000000001.1.0badf00d.json"
    os.mkfifo(fifo)
    for index in (None, tmp_path / "index", tmp_path / "index"):
        history = finishes(lambda i=index: FolderStore(team.shared_dir, index_dir=i).read())  # type: ignore[misc]
        assert len(history.records) == 1 and problems(history) == {fifo: scan.NOT_A_FILE}
    results = finishes(lambda: run_all(team.path))  # type: ignore[arg-type]
    doctor = json.loads(results["doctor --json"][1])
    assert [f["path"] for f in doctor["corrupt_files"]] == [str(fifo)]
    assert fifo.exists()


def test_a_file_swapped_for_a_link_or_a_pipe_after_the_listing_is_not_followed(tmp_path: Path,
                                                                               outside: Path) -> None:
    """The open itself refuses: O_NOFOLLOW for a link, O_NONBLOCK and fstat for a pipe."""
    (secret,) = record_files(outside)
    link = tmp_path / "link.json"
    link.symlink_to(secret)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    for path, reason in ((link, scan.LINK), (fifo, scan.NOT_A_FILE)):
        parsed = finishes(lambda p=path: scan._parse(str(p), p.name, "concern", MONTH))  # type: ignore[misc]
        assert parsed[:2] == (scan.FOREIGN, reason)


def test_a_linked_record_file_is_reported_and_doctor_fix_deletes_no_link(team: TeamConfig,
                                                                          outside: Path) -> None:
    """A link to a record (even one named like our temp file) is never read and never removed."""
    (secret,) = record_files(outside)
    folder = team.shared_dir / "records" / "concern" / MONTH
    folder.mkdir(parents=True)
    link = folder / secret.name
    link.symlink_to(secret)
    temp_like = folder / ".huddle-0123456789abcdef.tmp"
    temp_like.symlink_to(secret)
    age(team.shared_dir)
    os.utime(temp_like, (0, 0), follow_symlinks=False)
    history = FolderStore(team.shared_dir).read()
    assert history.records == {} and problems(history) == {link: scan.LINK}
    results = run_all(team.path)  # type: ignore[arg-type]
    assert SECRET not in results["summary --json --date"][1] + results["export"][1]
    from huddle_tui.cli import main

    assert main(["doctor", "--fix", "--config", str(team.path)]) == 0
    assert link.is_symlink() and temp_like.is_symlink() and secret.exists()


# ---------------------------------------------------------------- private records


def test_every_record_of_the_private_store_is_marked_private(team: TeamConfig) -> None:
    """Private check-ins and concerns (and any other kind saved there) say so in their payload."""
    journal = Journal(team, durable=False)
    saved = journal.save_checkin(CheckIn(DAY, 2, "Ana", "tired", (Concern.new(SECRET, "concern", "private"),),
                                         visibility="private"))
    huddle = {"facilitator": "Ana", "order": [], "turns": [], "round_s": 300}
    private = [*saved.private, journal.save_concern(Concern.new(SECRET, "support", "private"), DAY, "Ana"),
               journal.private.save("huddle", "0e0e0e0e-0000-5000-8000-000000000001", DAY, huddle)]
    assert {r.kind for r in private} == {"checkin", "concern", "huddle"}
    files = record_files(journal.private.root)
    assert len(files) >= 3
    for path in files:
        assert json.loads(path.read_bytes())["record"]["payload"]["visibility"] == "private"


def test_a_private_record_planted_in_the_shared_folder_is_set_aside(team: TeamConfig) -> None:
    """Copied into the shared folder (by hand, a script or a sync), a private record shows nowhere."""
    journal = Journal(team, durable=False)
    journal.save_checkin(CheckIn(DAY, 4, "Ana", "fine", (Concern.new(SECRET, "blocker", "private"),)))
    journal.save_checkin(CheckIn(DAY, 1, "Ben", SECRET, visibility="private"))
    planted = []
    for path in record_files(journal.private.root):
        copy = team.shared_dir / path.relative_to(journal.private.root)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes())
        planted.append(copy)
    assert len(planted) == 2
    results = run_all(team.path)  # type: ignore[arg-type]
    for command, (code, out, _) in results.items():
        assert code == 0 and SECRET not in out, command
    doctor = json.loads(results["doctor --json"][1])
    reasons = {Path(f["path"]): f["reason"] for f in doctor["corrupt_files"]}
    assert reasons == {p: scan.PRIVATE for p in planted}
    summary = json.loads(results["summary --json --date"][1])
    assert summary["checked_in"] == ["Ana"] and summary["concerns"] == []
    from huddle_tui.cli import main

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HUDDLE_CONFIG", str(team.path))
        assert main(["export", "--private"]) == 0  # the private store itself reads them
    assert len(journal.private.read().records) == 2 and not journal.private.read().problems
