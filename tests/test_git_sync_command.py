"""`huddle sync` over a git repository: four homes, four clones, one bare remote, no person running git.

Each teammate's machine is its own `huddle` process with its own config,
data and cache; they check in (three of them anonymously, so answers are
held back and released later) and sync, all at once, and again. Afterwards
every clone holds every record, every machine shows the same day, and the
history names nobody: each commit is huddle's, at midnight UTC.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_huddle
from tests.test_git_transport import commits, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")

MEMBERS = ("Ana", "Ben", "Chen", "Dara")


def home(tmp_path: Path, who: str) -> dict[str, str]:
    """The environment of one teammate's own machine."""
    base = tmp_path / "homes" / who.lower()
    return {"HUDDLE_CONFIG_DIR": str(base / "config"), "HUDDLE_DATA_DIR": str(base / "data"),
            "HUDDLE_CACHE_DIR": str(base / "cache")}


def huddle(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run one command on one machine."""
    return run_huddle(*args, env=env)


def set_up(tmp_path: Path) -> tuple[Path, dict[str, Path], dict[str, dict[str, str]]]:
    """The team's repository (huddle.toml pushed once by a person) and each member's clone and home."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    setup = tmp_path / "setup"
    subprocess.run(["git", "clone", "-q", str(remote), str(setup)], check=True, capture_output=True)
    # Anonymous answers as records released later: over git, the totals are test_totals_transports.py's.
    done = huddle(home(tmp_path, "admin"), "init", "--team", "Platform", "--members", ",".join(MEMBERS),
                  "--shared", str(setup), "--me", "Ana", "--anonymous", "records")
    assert done.returncode == 0, done.stderr
    git(setup, "add", "huddle.toml")
    git(setup, "commit", "-qm", "team config")
    git(setup, "push", "-q", "-u", "origin", "main")
    clones, homes = {}, {}
    for who in MEMBERS:
        clones[who] = tmp_path / who.lower()
        subprocess.run(["git", "clone", "-q", str(remote), str(clones[who])], check=True, capture_output=True)
        for key, value in (("user.name", who), ("user.email", f"{who.lower()}@members.example")):
            subprocess.run(["git", "-C", str(clones[who]), "config", key, value], check=True)
        homes[who] = home(tmp_path, who)
        done = huddle(homes[who], "init", "--shared", str(clones[who]), "--me", who)
        assert done.returncode == 0, done.stderr
    return remote, clones, homes


def sync_all_at_once(homes: dict[str, dict[str, str]]) -> dict[str, dict[str, object]]:
    """Every machine runs `huddle sync --json` at the same moment; each one's git report."""
    command = [sys.executable, "-m", "huddle_tui", "sync", "--json"]
    running = {who: subprocess.Popen(command, env={**os.environ, **env}, text=True, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE) for who, env in homes.items()}
    reports = {}
    for who, process in running.items():
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, (who, out, err)
        reports[who] = json.loads(out)["git"]
    return reports


def record_files(folder: Path) -> set[str]:
    """Every record file in a clone, by path."""
    return {p.relative_to(folder).as_posix() for p in (folder / "records").rglob("*.json")}


def test_four_machines_check_in_and_sync_at_once_and_agree_with_nobody_named(tmp_path: Path) -> None:
    """Pushes at once are retried; every record reaches every clone; each commit is huddle's at midnight."""
    remote, clones, homes = set_up(tmp_path)
    for who in MEMBERS:
        visibility = "--named" if who == "Ana" else "--anonymous"
        done = huddle(homes[who], "checkin", "--mood", "3", "--status", f"{who} here", visibility)
        assert done.returncode == 0, done.stderr
    first = sync_all_at_once(homes)
    assert all(r["ok"] and r["pushed"] and r["upstream"] == "origin/main" for r in first.values()), first
    second = sync_all_at_once(homes)  # a machine that has seen three held-back answers releases its own
    assert all(r["ok"] for r in second.values()), second
    for _ in range(2):  # one by one: the last releases, then everyone gets everything
        for who in MEMBERS:
            done = huddle(homes[who], "sync", "--json")
            assert done.returncode == 0, done.stderr

    everything = set(git(remote, "ls-tree", "-r", "--name-only", "main").split()) - {"huddle.toml"}
    for who, folder in clones.items():
        assert record_files(folder) == everything, who
        assert git(folder, "status", "--porcelain") == "", who
        summary = json.loads(huddle(homes[who], "summary", "--json").stdout)
        assert summary["checked_in"] == ["Ana"] and summary["answered"] == 4, who
        assert summary["anonymous_checkins"] == 3, who
    history = commits(remote)
    assert [c[1] for c in history][-1] == "team config"
    for who_line, subject, at, ct, _ in history[:-1]:
        assert who_line == "huddle <huddle@localhost> huddle <huddle@localhost>"
        assert subject == "huddle records"
        assert at % 86400 == 0 and ct % 86400 == 0
    log = git(remote, "log", "--format=%an %ae %cn %ce %ad %cd", "main")
    assert not any(m.lower() in log.lower() for m in MEMBERS) and "members.example" not in log
    anonymous = {p for p in everything if json.loads((clones["Ana"] / p).read_bytes())["record"]["written_at"]
                 == json.loads((clones["Ana"] / p).read_bytes())["record"]["date"]}
    assert len(anonymous) == 3
    for _, _, _, _, added in history:  # no commit holds an anonymous answer beside a named record
        assert set(added) <= anonymous or not set(added) & anonymous


def test_a_conflict_in_huddle_toml_stops_sync_with_one_line_and_exit_4(tmp_path: Path) -> None:
    """The person's uncommitted edit to huddle.toml, changed on the team's branch too: named, nothing lost."""
    _, clones, homes = set_up(tmp_path)
    setup = tmp_path / "setup"
    text = (setup / "huddle.toml").read_text(encoding="utf-8")
    (setup / "huddle.toml").write_text(text.replace("Platform", "Platform team"), encoding="utf-8")
    git(setup, "commit", "-qam", "rename")
    git(setup, "push", "-q")
    mine = text.replace("Platform", "Platform (Ben's draft)")
    (clones["Ben"] / "huddle.toml").write_text(mine, encoding="utf-8")

    done = huddle(homes["Ben"], "sync")

    assert done.returncode == 4
    assert done.stderr.splitlines() == ["huddle: huddle.toml: changed on this machine and in the team's "
                                        "repository; commit or undo your change, then run huddle sync"]
    assert "git: committed 1 files" in done.stdout  # Ben's key, committed here, pushed by a later sync
    assert (clones["Ben"] / "huddle.toml").read_text(encoding="utf-8") == mine
    done = huddle(homes["Ben"], "sync", "--json")
    assert done.returncode == 4 and json.loads(done.stdout)["git"]["stopped"] == "folder"


def test_without_git_or_outside_a_work_tree_sync_says_what_it_always_said(tmp_path: Path) -> None:
    """git missing from PATH, or a folder that is no work tree: no "git" in the report, exit 0."""
    _, clones, homes = set_up(tmp_path)
    no_git = {**homes["Ana"], "PATH": str(Path(sys.executable).parent)}
    done = huddle(no_git, "sync", "--json")
    assert done.returncode == 0 and "git" not in json.loads(done.stdout)
    assert git(clones["Ana"], "log", "--format=%s").split("\n")[0] == "team config"
    plain = tmp_path / "plain"
    shutil.copytree(clones["Ana"], plain, ignore=shutil.ignore_patterns(".git"))
    done = huddle({**homes["Ana"], "HUDDLE_CONFIG": str(plain / "huddle.toml")}, "sync")
    assert done.returncode == 0 and done.stdout.splitlines() == [
        "No endpoints in huddle.toml: nothing to send (the shared folder is the sync)."]


def test_reads_never_commit(tmp_path: Path) -> None:
    """Only `huddle sync` runs git: reads (and `sync --status`) leave HEAD and the index as they were."""
    _, clones, homes = set_up(tmp_path)
    assert huddle(homes["Ana"], "checkin", "--mood", "4", "--named").returncode == 0
    before = (git(clones["Ana"], "rev-parse", "HEAD"), git(clones["Ana"], "status", "--porcelain"))
    for args in (("summary",), ("next",), ("report",), ("export",), ("me", "--json"), ("sync", "--status")):
        done = huddle(homes["Ana"], *args)
        assert done.returncode == 0, (args, done.stderr)
    assert (git(clones["Ana"], "rev-parse", "HEAD"), git(clones["Ana"], "status", "--porcelain")) == before
