"""The shared folder as a git repository: two clones with new check-ins merge without conflict."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from huddle_tui.config.team import TeamConfig, load_team_config
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.model.ids import named_id
from tests.storekit import record_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run git in a repository, failing the test on an error."""
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)


def clone(source: Path, target: Path, *config: str) -> Path:
    """A teammate's clone, with an identity (and any other config) of its own."""
    subprocess.run(["git", "clone", "-q", str(source), str(target)], check=True, capture_output=True)
    for pair in (("user.name", target.name), ("user.email", f"{target.name}@example.com"), *zip(
            config[::2], config[1::2], strict=True)):
        git(target, "config", *pair)
    return target


def check_in(folder: Path, member: str, day: str, mood: int) -> None:
    """Save a check-in on the machine whose clone is `folder`."""
    journal = Journal(load_team_config(folder / "huddle.toml"), durable=False)
    journal.save_checkin(CheckIn(date=day, mood=mood, member=member, status=f"from {folder.name}",
                                 concerns=(), visibility="team", source="cli"))


def test_two_clones_merge_without_conflict(team: TeamConfig, tmp_path: Path) -> None:
    """Each clone adds check-ins (one the same member and date, edited on both); the merge is clean."""
    origin = team.shared_dir
    git(origin, "init", "-q", "-b", "main")
    git(origin, "config", "user.name", "origin")
    git(origin, "config", "user.email", "origin@example.com")
    check_in(origin, "Ana", "2026-11-23", 3)
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "history")
    laptop = clone(origin, tmp_path / "laptop")
    desktop = clone(origin, tmp_path / "desktop", "core.autocrlf", "true")  # a Windows teammate
    for member, day, mood in (("Ana", "2026-11-24", 2), ("Ben", "2026-11-24", 4), ("Ana", "2026-11-23", 5)):
        check_in(laptop, member, day, mood)
    for member, day, mood in (("Chen", "2026-11-24", 3), ("Dara", "2026-12-01", 1), ("Ana", "2026-11-23", 1)):
        check_in(desktop, member, day, mood)
    for repo in (laptop, desktop):
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"check-ins from {repo.name}")

    git(laptop, "pull", "-q", "--no-rebase", "--no-edit", str(desktop), "main")
    git(desktop, "pull", "-q", "--no-rebase", "--no-edit", str(laptop), "main")
    assert git(laptop, "status", "--porcelain").stdout == ""  # no conflict left behind

    reads = [Journal(load_team_config(repo / "huddle.toml")).read() for repo in (laptop, desktop)]
    pairs = {("Ana", "2026-11-23"), ("Ana", "2026-11-24"), ("Ben", "2026-11-24"),
             ("Chen", "2026-11-24"), ("Dara", "2026-12-01")}
    for history in reads:
        assert set(history.records) == {named_id("checkin", m, d) for m, d in pairs}
        assert not history.problems and not history.foreign_copies
    assert reads[0].records == reads[1].records  # the same winner for Ana's twice-edited check-in
    assert len(record_files(laptop / "records")) == len(pairs) + 2  # the two version-2 edits, both kept
    assert any(p.read_bytes().endswith(b"}\r\n") for p in record_files(desktop))  # CRLF read as well
