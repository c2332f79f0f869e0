"""The anonymous-totals homes over the other transports: a git repository, and the HTTP endpoint.

Each member's machine has a folder of its own instead of one shared folder:
a clone of one bare remote (each run ends with the `huddle sync` git round:
commit as huddle at midnight, pull with rebase, push), or a folder of its
own that the reference server on 127.0.0.1 joins (each run ends with a
send and a pull). Everything else is the shared-folder homes' (totalskit.py).
"""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from huddle_tui.config.team import TeamConfig, load_team_config, team_config_to_toml, write_toml
from huddle_tui.journal import Journal
from huddle_tui.server.app import create_app
from huddle_tui.storage import envelope
from huddle_tui.sync import git as gitsync
from huddle_tui.sync.engine import sync_once
from huddle_tui.sync.replicate import Replicator
from tests.http_helpers import TOKEN, TOKEN_ENV, LiveServer, approve_endpoints, records_endpoint
from tests.totalskit import DAY, Homes

MIDNIGHT = datetime.combine(DAY, time(), UTC).timestamp()


def git(repo: Path, *args: str) -> str:
    """Run git in a repository as a person would (failing the test on an error); its output."""
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=Team Admin",
                           "-c", "user.email=admin@example.com", *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


class GitHomes(Homes):
    """Every member's machine with its own clone of the team's repository, synced by huddle's git round."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, names: list[str]) -> None:
        """A bare remote whose main branch holds the team's huddle.toml, and a clone per member."""
        super().__init__(root, monkeypatch, names)
        remote = root / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
        setup = root / "setup"
        subprocess.run(["git", "clone", "-q", str(remote), str(setup)], check=True, capture_output=True)
        write_toml(setup / "huddle.toml", team_config_to_toml(self.team))
        git(setup, "add", "huddle.toml")
        git(setup, "commit", "-qm", "team config")
        git(setup, "push", "-q", "-u", "origin", "main")
        self.remote = remote
        self.clones: dict[str, TeamConfig] = {}
        for name in names:
            target = root / "clones" / name
            subprocess.run(["git", "clone", "-q", str(remote), str(target)], check=True, capture_output=True)
            for key, value in (("user.name", name), ("user.email", f"{name}@example.com")):
                subprocess.run(["git", "-C", str(target), "config", key, value], check=True)
            self.clones[name] = load_team_config(target / "huddle.toml")

    def team_of(self, name: str) -> TeamConfig:
        """The team as read from `name`'s clone."""
        return self.clones[name]

    def carry(self, name: str) -> None:
        """`huddle sync`'s git round on `name`'s clone: commit as huddle, pull with rebase, push."""
        tree = gitsync.find_work_tree(self.clones[name].shared_dir)
        assert tree is not None
        report = gitsync.sync(tree, clock=lambda: MIDNIGHT + 9 * 3600)
        assert report.problem is None, report.problem

    def history(self) -> list[list[tuple[str, str, int, int]]]:
        """The remote's commits, oldest first: each the files it adds as (kind, member, version, size).

        What git shows a teammate without reading a mask: each file's kind,
        the member its record names, its version and size (its name's id
        and checksum come from its content or a random key, so they are
        left out), commit by commit.
        """
        clone = self.root / "reader"
        if not clone.exists():
            subprocess.run(["git", "clone", "-q", str(self.remote), str(clone)], check=True,
                           capture_output=True)
        git(clone, "pull", "-q")
        out = []
        for commit in git(clone, "rev-list", "--reverse", "HEAD").split()[1:]:
            who = git(clone, "show", "-s", "--format=%an <%ae> %at", commit).strip()
            assert who == f"huddle <huddle@localhost> {int(MIDNIGHT)}"
            added = []
            for path in git(clone, "diff-tree", "--no-commit-id", "-r", "--name-only", "--diff-filter=A",
                            commit).split():
                data = subprocess.run(["git", "-C", str(clone), "show", f"{commit}:{path}"],
                                      capture_output=True, check=True).stdout
                record = envelope.decode(data)
                added.append((record.kind, str(record.payload.get("member")), record.version, len(data)))
            out.append(sorted(added))
        return out


class HttpHomes(Homes):
    """Every member's machine with a folder of its own, joined only by the reference server's records API."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, names: list[str]) -> None:
        """Start the server on 127.0.0.1; each member's folder names it as the team's endpoint."""
        super().__init__(root, monkeypatch, names)
        monkeypatch.setenv(TOKEN_ENV, TOKEN)
        self.server = LiveServer(create_app(root / "server", (TOKEN,), durable=False)).start()
        endpoint = records_endpoint(self.server.url)
        self.folders: dict[str, TeamConfig] = {}
        for name in names:
            folder = root / "folders" / name
            folder.mkdir(parents=True)
            write_toml(folder / "huddle.toml", team_config_to_toml(self.team._replace(endpoints=(endpoint,))))
            self.folders[name] = load_team_config(folder / "huddle.toml")
            self.use(name)
            approve_endpoints(*self.folders[name].endpoints)

    def stop(self) -> None:
        """Stop the server."""
        self.server.stop()

    def team_of(self, name: str) -> TeamConfig:
        """The team as read from `name`'s own folder."""
        return self.folders[name]

    def journal(self, name: str, day: date, hour: int = 9) -> Journal:
        """`name`'s journal, each record it saves queued for the endpoint."""
        journal = super().journal(name, day, hour)
        journal.replicator = Replicator(self.folders[name])
        return journal

    def carry(self, name: str) -> None:
        """`huddle sync` on `name`'s machine: send what it wrote, pull what teammates sent."""
        self.use(name)
        report = sync_once(self.folders[name])
        assert report.ok, report
