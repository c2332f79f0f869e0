"""The app's background git sync: only when the person's own config asks, and then as `huddle sync` does."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from huddle_tui.config.team import TeamConfig
from huddle_tui.config.user import UserConfig
from huddle_tui.tui.widgets.status_line import StatusLine
from tests.tui.conftest import MADE
from tests.tui.helpers import open_round, settle

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")


def git(repo: Path, *args: str) -> str:
    """Run git as the person at this machine would; its output."""
    person = ("-c", "user.name=Ana", "-c", "user.email=ana@members.example")
    done = subprocess.run(["git", "-C", str(repo), *person, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def make_repository(team: TeamConfig, tmp_path: Path) -> Path:
    """Turn the team's shared folder into a clone of a bare remote whose main holds its huddle.toml."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    folder = team.shared_dir
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "huddle.toml")
    git(folder, "commit", "-qm", "team config")
    git(folder, "remote", "add", "origin", str(remote))
    git(folder, "push", "-q", "-u", "origin", "main")
    return remote


async def test_with_git_sync_on_the_round_is_committed_and_pushed_as_huddle(
        make_app: MADE, team: TeamConfig, tmp_path: Path) -> None:
    """A mood keyed in the round reaches the remote in a commit of huddle's; the bar says git is in step."""
    remote = make_repository(team, tmp_path)
    app = make_app(user=UserConfig(git_sync=True))
    async with app.run_test(size=(100, 24)) as pilot:
        await open_round(pilot)
        await pilot.press("4", "space")
        await settle(pilot)
        app.git_sync_now()
        await settle(pilot)
        line = str(app.query_one(StatusLine).render())
        assert "git: in step with origin/main" in line, line
    log = git(remote, "log", "--format=%an %ae %cn %ce %s", "main").splitlines()
    assert log[0] == "huddle huddle@localhost huddle huddle@localhost huddle records"
    files = git(remote, "ls-tree", "-r", "--name-only", "main").split()
    assert any(f.startswith("records/checkin/") for f in files)


async def test_without_the_setting_the_app_never_runs_git(make_app: MADE, team: TeamConfig,
                                                         tmp_path: Path) -> None:
    """Off by default: the app writes its records to the folder and leaves git to `huddle sync`."""
    make_repository(team, tmp_path)
    head = git(team.shared_dir, "rev-parse", "HEAD")
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await open_round(pilot)
        await pilot.press("4", "space")
        await settle(pilot)
        assert "git:" not in str(app.query_one(StatusLine).render())
    assert git(team.shared_dir, "rev-parse", "HEAD") == head
    assert not [w for w in app.workers if w.group == "git"]
