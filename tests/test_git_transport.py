"""Git as a transport (sync/git.py), against real repositories: a bare remote and clones in tmp_path.

What git records must be as neutral as the files: every commit huddle makes
is "huddle <huddle@localhost>" at midnight UTC, holds only huddle's record
files, and never puts an anonymous answer beside a named record. A teammate
pushing first is retried; anything a person must settle stops with one line.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from huddle_tui.storage import envelope
from huddle_tui.sync import git as gitsync

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")

DAY = "2026-12-07"
PERSON = ("-c", "user.name=Team Admin", "-c", "user.email=admin@example.com")


def git(repo: Path, *args: str) -> str:
    """Run git in a repository as a person would (failing the test on an error); its output."""
    done = subprocess.run(["git", "-C", str(repo), *PERSON, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def team_remote(tmp_path: Path, config: str = "[team]\nname = \"P\"\n") -> Path:
    """A bare remote whose main branch holds a huddle.toml, committed and pushed once by a person."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    setup = tmp_path / "setup"
    subprocess.run(["git", "clone", "-q", str(remote), str(setup)], check=True, capture_output=True)
    (setup / "huddle.toml").write_text(config, encoding="utf-8")
    git(setup, "add", "huddle.toml")
    git(setup, "commit", "-qm", "team config")
    git(setup, "push", "-q", "-u", "origin", "main")
    return remote


def clone(remote: Path, target: Path) -> Path:
    """A teammate's clone, with their own identity, which huddle's commits must never carry."""
    subprocess.run(["git", "clone", "-q", str(remote), str(target)], check=True, capture_output=True)
    subprocess.run(["git", "-C", str(target), "config", "user.name", target.name], check=True)
    subprocess.run(["git", "-C", str(target), "config", "user.email", f"{target.name}@example.com"],
                   check=True)
    return target


def put_record(folder: Path, member: str | None, mood: int = 3, *, rid: str | None = None) -> str:
    """Write one check-in record file (anonymous when no member) as a writer would; its path from folder."""
    import uuid

    payload: dict[str, object] = {"mood": mood, "status": "", "concerns": [], "source": "cli",
                                  "visibility": "team" if member else "anonymous"}
    if member:
        payload["member"] = member
    written_at = f"{DAY}T08:59:12.000000Z" if member else DAY
    record, data = envelope.encode("checkin", rid or str(uuid.uuid4()), 1, DAY, written_at, payload)
    target = folder / "records" / "checkin" / DAY[:7] / record.file_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target.relative_to(folder).as_posix()


def tree_of(folder: Path) -> gitsync.WorkTree:
    """The folder's work tree, which must be found."""
    tree = gitsync.find_work_tree(folder)
    assert tree is not None
    return tree


def commits(repo: Path) -> list[tuple[str, str, int, int, list[str]]]:
    """Every commit on HEAD, newest first: (identity, subject, author time, committer time, files added)."""
    out = git(repo, "log", "--format=%x00%an <%ae> %cn <%ce>%x1f%s%x1f%at%x1f%ct", "--name-only",
              "--diff-filter=A")
    found = []
    for chunk in out.split("\0")[1:]:
        head, _, names = chunk.partition("\n")
        who, subject, at, ct = head.split("\x1f")
        found.append((who, subject, int(at), int(ct), [n for n in names.split("\n") if n]))
    return found


def assert_neutral(repo: Path) -> None:
    """Every commit but the person's first is huddle's, at midnight UTC, and says nothing else."""
    history = commits(repo)
    assert history[-1][1] == "team config"
    for who, subject, at, ct, _ in history[:-1]:
        assert who == "huddle <huddle@localhost> huddle <huddle@localhost>"
        assert subject == "huddle records"
        assert at % 86400 == 0 and ct % 86400 == 0


def test_only_huddle_record_files_are_committed_as_huddle_at_midnight(tmp_path: Path) -> None:
    """Temp files, tools' copies, look-alikes, links, huddle.toml and what a person staged stay out."""
    remote = team_remote(tmp_path)
    ana = clone(remote, tmp_path / "ana")
    ours = put_record(ana, "Ana")
    month = ana / "records" / "checkin" / DAY[:7]
    name = Path(ours).name
    (month / ".huddle-0123456789abcdef.tmp").write_bytes(b"half a record")
    (month / name.replace(".json", ".sync-conflict-20261207-101010-ABCDEFG.json")).write_bytes(
        (ana / ours).read_bytes())
    (month / f"{name[:-5]}x.json").write_bytes(b"{}")  # not a name a writer makes
    fake = name.split(".")
    (month / f"{fake[0]}.2.{fake[2]}.json").write_bytes((ana / ours).read_bytes())  # name and bytes disagree
    if sys.platform != "win32":
        (month / f"{fake[0]}.3.{fake[2]}.json").symlink_to(ana / ours)
    (ana / "huddle.toml").write_text("[team]\nname = \"Edited\"\n", encoding="utf-8")
    (ana / "notes.md").write_text("mine", encoding="utf-8")
    git(ana, "add", "notes.md")

    report = gitsync.sync(tree_of(ana))

    assert report.ok and report.committed == 1 and report.commits == 1 and report.pushed, report
    assert commits(ana)[0][4] == [ours]
    assert_neutral(ana)
    status = git(ana, "status", "--porcelain").splitlines()
    assert " M huddle.toml" in status and "A  notes.md" in status  # the person's edit and stage, untouched
    assert git(remote, "ls-tree", "-r", "--name-only", "main").split() == ["huddle.toml", ours]


def test_anonymous_answers_get_a_commit_of_their_own(tmp_path: Path) -> None:
    """A released anonymous answer is never committed beside its machine's named records."""
    remote = team_remote(tmp_path)
    ben = clone(remote, tmp_path / "ben")
    named = {put_record(ben, "Ben"), put_record(ben, "Chen", 2)}
    anonymous = {put_record(ben, None, 1), put_record(ben, None, 5)}

    report = gitsync.sync(tree_of(ben))

    assert report.ok and report.committed == 4 and report.commits == 2
    batches = [set(c[4]) for c in commits(ben)[:2]]
    assert named in batches and anonymous in batches


def test_a_teammate_pushing_first_is_fetched_replayed_and_pushed_again(tmp_path: Path) -> None:
    """Between our fetch and our push a teammate pushes: the push is rejected, retried, and lands."""
    remote = team_remote(tmp_path)
    ana, ben = clone(remote, tmp_path / "ana"), clone(remote, tmp_path / "ben")
    put_record(ana, "Ana")
    assert gitsync.sync(tree_of(ana), pull=False).commits == 1  # committed, waiting to be pushed
    real = shutil.which("git")
    wrapper = tmp_path / "git-racing"
    marker = tmp_path / "raced"
    wrapper.write_text(f"#!/bin/sh\nif [ \"$5\" = push ] && [ ! -e '{marker}' ]; then\n"
                       f"  touch '{marker}'; '{real}' -C '{ana}' push -q origin main\nfi\n"
                       f"exec '{real}' \"$@\"\n", encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    mine = put_record(ben, "Ben")
    waits: list[float] = []

    report = gitsync.sync(tree_of(ben)._replace(git=str(wrapper)), sleep=waits.append, rng=lambda: 0.5)

    assert marker.exists() and report.ok and report.pushed, report
    assert report.attempts == 2 and len(waits) == 1 and 0 < waits[0] <= gitsync.BACKOFF_CAP_S
    assert report.pulled == 1  # Ana's record came in on the second round
    top = git(remote, "ls-tree", "-r", "--name-only", "main").split()
    assert mine in top and len(top) == 3
    assert_neutral(remote)
    assert len(git(remote, "log", "--format=%H", "main").split()) == 3  # linear: config, Ana's, Ben's


def test_bounded_retries_give_up_with_one_line(tmp_path: Path) -> None:
    """A remote that rejects every push is given up after ATTEMPTS rounds; what was committed stays."""
    remote = team_remote(tmp_path)
    ana, ben = clone(remote, tmp_path / "ana"), clone(remote, tmp_path / "ben")
    real = shutil.which("git")
    wrapper = tmp_path / "git-always-behind"
    # Each push of Ben's is raced by one more commit of the person's on the remote.
    person = " ".join(repr(a) for a in PERSON)
    wrapper.write_text(f"#!/bin/sh\nif [ \"$5\" = push ]; then\n"
                       f"  '{real}' -C '{ana}' {person} commit -q --allow-empty -m again\n"
                       f"  '{real}' -C '{ana}' push -q origin main\nfi\nexec '{real}' \"$@\"\n",
                       encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    put_record(ben, "Ben")
    waits: list[float] = []

    report = gitsync.sync(tree_of(ben)._replace(git=str(wrapper)), sleep=waits.append, rng=lambda: 1.0)

    assert not report.ok and report.stopped == "remote" and not report.pushed
    assert report.attempts == gitsync.ATTEMPTS and len(waits) == gitsync.ATTEMPTS - 1
    assert waits == sorted(waits) and max(waits) <= gitsync.BACKOFF_CAP_S
    assert "after 6 tries" in (report.problem or "")
    assert commits(ben)[0][1] == "huddle records"  # committed here, pushed by a later sync


def test_a_persons_own_commit_is_never_pushed_under_huddle(tmp_path: Path) -> None:
    """A commit of the person's own not pushed yet stops the sync: it is theirs to push, under their name."""
    remote = team_remote(tmp_path)
    ana = clone(remote, tmp_path / "ana")
    (ana / "huddle.toml").write_text("[team]\nname = \"Q\"\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(ana), "commit", "-qam", "rename the team"], check=True)
    put_record(ana, "Ana")

    report = gitsync.sync(tree_of(ana))

    assert report.stopped == "folder" and report.committed == 1 and not report.pushed
    problem = report.problem or ""
    assert "is yours and not pushed yet" in problem and "rename the team" in problem
    assert git(remote, "log", "--format=%s", "main").split("\n")[0] == "team config"


def test_a_conflict_in_a_file_huddle_did_not_write_stops_before_touching_it(tmp_path: Path) -> None:
    """The person's edit to huddle.toml, changed on the branch too: one line naming it; the edit stays."""
    remote = team_remote(tmp_path)
    ana, admin = clone(remote, tmp_path / "ana"), tmp_path / "setup"
    (admin / "huddle.toml").write_text("[team]\nname = \"Platform\"\n", encoding="utf-8")
    git(admin, "commit", "-qam", "rename")
    git(admin, "push", "-q")
    (ana / "huddle.toml").write_text("[team]\nname = \"Mine\"\n", encoding="utf-8")
    mine = put_record(ana, "Ana")

    report = gitsync.sync(tree_of(ana))

    assert report.stopped == "folder" and report.problem is not None
    assert report.problem.startswith("huddle.toml: changed on this machine and in the team's repository")
    assert (ana / "huddle.toml").read_text(encoding="utf-8") == "[team]\nname = \"Mine\"\n"
    assert (ana / mine).is_file() and commits(ana)[0][4] == [mine]  # committed, waiting for the person
    assert not (tree_of(ana).git_dir / "rebase-merge").exists()


def test_an_untracked_file_the_branch_adds_stops_with_its_name(tmp_path: Path) -> None:
    """A file of the person's (not huddle's) where the team's branch adds one: named, left alone."""
    remote = team_remote(tmp_path)
    ana, admin = clone(remote, tmp_path / "ana"), tmp_path / "setup"
    (admin / "agenda.md").write_text("theirs", encoding="utf-8")
    git(admin, "add", "agenda.md")
    git(admin, "commit", "-qm", "agenda")
    git(admin, "push", "-q")
    (ana / "agenda.md").write_text("mine", encoding="utf-8")

    report = gitsync.sync(tree_of(ana))

    assert report.stopped == "folder" and (report.problem or "").startswith("agenda.md: not tracked here")
    assert (ana / "agenda.md").read_text(encoding="utf-8") == "mine"


def test_a_folder_outside_git_or_without_a_tracked_huddle_toml_is_not_a_work_tree(tmp_path: Path) -> None:
    """No git repository, or one whose HEAD does not hold huddle.toml (a home under version control)."""
    plain = tmp_path / "plain"
    plain.mkdir()
    assert gitsync.find_work_tree(plain) is None
    home = tmp_path / "home-repo"
    subprocess.run(["git", "init", "-q", str(home)], check=True)
    (home / "huddle.toml").write_text("[team]\n", encoding="utf-8")
    assert gitsync.find_work_tree(home) is None
    git(home, "add", "huddle.toml")
    git(home, "commit", "-qm", "x")
    assert gitsync.find_work_tree(home) is not None
    report = gitsync.sync(tree_of(home))  # no upstream: commits only, and says so
    assert report.ok and report.upstream is None and "no upstream" in report.line()


def test_git_missing_means_no_work_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the git executable on PATH huddle does what it did before."""
    remote = team_remote(tmp_path)
    ana = clone(remote, tmp_path / "ana")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert gitsync.find_work_tree(ana) is None


def test_a_caller_environment_never_points_git_elsewhere(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """GIT_DIR or GIT_INDEX_FILE from a hook or a shell do not redirect huddle's git."""
    remote = team_remote(tmp_path)
    ana = clone(remote, tmp_path / "ana")
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "setup" / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "elsewhere"))
    put_record(ana, "Ana")
    assert gitsync.sync(tree_of(ana)).pushed
    assert not (tmp_path / "elsewhere").exists()
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert os.path.isdir(ana / ".git")
    assert git(ana, "status", "--porcelain") == ""


def test_background_git_sync_is_off_unless_the_user_config_says_so(tmp_path: Path) -> None:
    """`git_sync` is the person's own choice, in their own config: off by default, a boolean, kept on save."""
    from huddle_tui.config.user import UserConfig, load_user_config, user_config_to_toml
    from huddle_tui.errors import ConfigError

    path = tmp_path / "config.toml"
    path.write_text('me = "Ana"\n', encoding="utf-8")
    assert load_user_config(path).git_sync is False
    assert "git_sync" not in user_config_to_toml(UserConfig(me="Ana"))
    path.write_text('me = "Ana"\ngit_sync = true\n', encoding="utf-8")
    assert load_user_config(path).git_sync is True
    assert user_config_to_toml(load_user_config(path))["git_sync"] is True
    path.write_text('git_sync = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="git_sync"):
        load_user_config(path)


def test_the_same_record_written_on_two_machines_is_pushed_once(tmp_path: Path) -> None:
    """Two machines make the same file (a week's pairs round, say): the replay leaves the copy out."""
    remote = team_remote(tmp_path)
    ana, ben = clone(remote, tmp_path / "ana"), clone(remote, tmp_path / "ben")
    same = put_record(ana, "Chen", rid="5a3c8f4e-0000-5000-8000-000000000001")
    assert put_record(ben, "Chen", rid="5a3c8f4e-0000-5000-8000-000000000001") == same
    mine = put_record(ben, "Ben")
    assert gitsync.sync(tree_of(ana)).pushed
    assert gitsync.sync(tree_of(ben), pull=False).commits == 1  # both files, committed before the pull

    report = gitsync.sync(tree_of(ben))

    assert report.ok and report.pushed and report.pulled == 0
    assert [c[4] for c in commits(remote)[:2]] == [[mine], [same]]
    assert_neutral(remote)


def test_a_detached_head_gets_no_commit(tmp_path: Path) -> None:
    """Not on a branch: one line saying so, and nothing committed where no branch would keep it."""
    remote = team_remote(tmp_path)
    ana = clone(remote, tmp_path / "ana")
    git(ana, "checkout", "-q", "--detach")
    head = git(ana, "rev-parse", "HEAD")
    put_record(ana, "Ana")

    report = gitsync.sync(tree_of(ana))

    assert report.stopped == "folder" and "detached HEAD" in (report.problem or "") and report.committed == 0
    assert git(ana, "rev-parse", "HEAD") == head
