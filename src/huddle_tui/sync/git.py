"""The shared folder as a git work tree: commit huddle's new record files, pull with rebase, push.

Why this exists: a team sharing a git repository needed a person to run git
several times a day before every machine agreed, and each record was
committed under its writer's name, which links files (anonymous ones too) to
people. Here huddle does the git round itself, with rules that keep what git
records as neutral as the files are:

- Only huddle's own files are ever committed: files under `records/` whose
  path is `<kind>/<YYYY-MM>/<id>.<version>.<sum8>.json` and whose bytes are a
  whole record of that kind, month and name (storage/envelope.py). Never
  `huddle.toml` (people edit it), never a temp file or a sync tool's copy,
  never anything a person staged.
- Every commit is authored and committed by "huddle <huddle@localhost>" at
  00:00:00 UTC of its day, with the message "huddle records", not signed,
  with no hook run: the history says which files arrived on which day, not
  who wrote them nor when in the day. A commit holds what this machine had
  new when it synced, as one batch (commits are made by a sync, never by a
  check-in); released anonymous answers get a commit of their own, never
  one with this machine's named records.
- "Pull with rebase" replays huddle's own unpushed commits on top of the
  team's branch with git plumbing (a temp index, `commit-tree`), then moves
  the work tree with a two-way `read-tree -m -u`: our record files never
  leave the folder half-way (a reader or writer on this machine never sees
  them missing), and a person's uncommitted edits elsewhere stay as they are.
- A push the remote rejects because a teammate pushed first is retried a
  few times with a short full-jitter backoff, fetching and replaying again.
- Anything a person must settle stops the sync with one line naming the
  file: their own edit to a file the team's branch also changed, a file not
  tracked here that the branch adds, a commit of their own not pushed yet
  (huddle pushes only its own commits, so never a person's work under its
  name), a rebase or merge in progress.

Nothing here runs unless the folder is in a git work tree whose HEAD tracks
the folder's `huddle.toml` (so a home folder under version control is never
mistaken for the team's repository) and the `git` executable is found.
Everything is plain subprocess calls to `git`; no new dependency.
"""

from __future__ import annotations

import os
import random
import re
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from huddle_tui.errors import CorruptRecord
from huddle_tui.storage.envelope import MAX_FILE_BYTES, decode, parse_file_name

NAME, EMAIL = "huddle", "huddle@localhost"
MESSAGE = "huddle records"
TEAM_CONFIG = "huddle.toml"
RECORDS = "records"
ATTEMPTS = 6  # fetch-replay-push rounds before a rejected push is left for the next sync
BACKOFF_BASE_S, BACKOFF_CAP_S = 0.25, 4.0
NETWORK_TIMEOUT_S = 120.0  # a fetch or push that hangs longer is given up (the next sync tries again)
LOCAL_TIMEOUT_S = 60.0
LOCK_NAME = "huddle-sync.lock"
LOCK_STALE_S = 600.0  # a lock older than this was left by a crash
_KIND = re.compile(r"[a-z][a-z0-9_-]{0,31}\Z")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}\Z")
_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")
# Where a caller's environment could point git at another repository or index than the folder's.
_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
                  "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES",
                  "GIT_PREFIX", "GIT_QUARANTINE_PATH")


class GitReport(NamedTuple):
    """What one git sync did, for `huddle sync` (text and --json) and the app's status bar."""

    committed: int = 0  # record files committed by this machine
    commits: int = 0
    pulled: int = 0  # teammates' record files the team's branch brought into the folder
    pushed: bool = False
    attempts: int = 0  # fetch-replay-push rounds
    upstream: str | None = None  # "origin/main"; None when the branch has none (commit only)
    problem: str | None = None  # one line: why the sync stopped short
    stopped: str | None = None  # "folder" (a person must act there), "busy" (another sync runs) or "remote"

    @property
    def ok(self) -> bool:
        """Nothing stopped the sync (a branch with no upstream only commits, and that is fine)."""
        return self.problem is None

    def as_json(self) -> dict[str, Any]:
        """The report as `huddle sync --json` prints it."""
        return {**self._asdict(), "ok": self.ok}

    def line(self) -> str:
        """One calm line: what was committed, pulled and pushed (why it stopped is `problem`'s own line)."""
        parts = [f"committed {self.committed} files" if self.committed else "nothing new to commit"]
        if self.upstream is None:
            parts.append("no upstream branch to pull or push")
        else:
            parts.append(f"pulled {self.pulled} files" if self.pulled else "nothing to pull")
            parts.append(f"pushed to {self.upstream}" if self.pushed else "nothing pushed")
        return "git: " + ", ".join(parts)


class GitStop(Exception):
    """A git sync cannot go on; the message is the one line a person reads."""

    def __init__(self, message: str, *, remote: bool = False, busy: bool = False) -> None:
        """Keep the line and whose it is: the remote's, another sync's (busy), else the folder's."""
        super().__init__(message)
        self.message = message
        self.where = "remote" if remote else "busy" if busy else "folder"


class _Retry(Exception):
    """A round met something the next round settles (a record written meanwhile, a teammate's push)."""

    def __init__(self, why: str, brought: int = 0) -> None:
        """Say why, and count the teammates' files this round already brought into the folder."""
        super().__init__(why)
        self.why = why
        self.brought = brought


class WorkTree(NamedTuple):
    """The git work tree holding a shared folder, as git names it."""

    top: Path  # the work tree's top level
    prefix: str  # the shared folder inside it, "" or "sub/dir/"
    git_dir: Path
    git: str  # the git executable


class _Commit(NamedTuple):
    """One local commit not yet on the team's branch."""

    sha: str
    parents: tuple[str, ...]
    author_email: str
    committer_email: str
    author_time: int
    subject: str


class _Entry(NamedTuple):
    """A file a commit adds: mode, blob and path from the top level."""

    mode: str
    blob: str
    path: str


def find_work_tree(folder: Path) -> WorkTree | None:
    """The git work tree a shared folder is in, or None: then `huddle sync` does what it did before git.

    None when `git` is not installed, the folder is not in a work tree, or
    HEAD does not track the folder's huddle.toml (a home directory under
    version control is not the team's repository).
    """
    import shutil

    exe = shutil.which("git")
    if exe is None or not folder.is_dir():
        return None
    try:
        done = subprocess.run([exe, "rev-parse", "--is-inside-work-tree", "--show-toplevel", "--show-prefix",
                               "--absolute-git-dir"], cwd=folder, env=_environment(), capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=LOCAL_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
    if done.returncode != 0 or len(lines) != 4 or lines[0] != "true":
        return None
    tree = WorkTree(Path(lines[1]), lines[2], Path(lines[3]), exe)
    tracked = _run(tree, "cat-file", "-e", f"HEAD:{tree.prefix}{TEAM_CONFIG}", check=False)
    return tree if tracked.returncode == 0 else None


def sync(tree: WorkTree, *, pull: bool = True, attempts: int = ATTEMPTS, lock_wait: float = 30.0,
         sleep: Callable[[float], None] = time.sleep, rng: Callable[[], float] = random.random,
         clock: Callable[[], float] = time.time, stop: Callable[[], bool] = lambda: False) -> GitReport:
    """Commit huddle's new files; then, unless not `pull`, pull with rebase and push, retrying rejections.

    Never raises for git's or the remote's trouble: the report's `problem`
    says it in one line (and `stopped` whether the folder or the remote).
    `sleep`, `rng` and `clock` are injected so tests need not wait; `stop`
    is polled between rounds so the app can end a sync on exit.
    """
    committed = commits = pulled = rounds = 0
    upstream: str | None = None
    pushed = False
    try:
        with _locked(tree, lock_wait, sleep, clock):
            _refuse_unfinished(tree)
            while True:
                rounds += 1
                branch = _branch(tree)  # first: a detached HEAD gets no commit
                files, made = _commit_new(tree, clock)
                committed, commits = committed + files, commits + made
                upstream = _upstream_name(tree, branch)
                if not pull or upstream is None or stop():
                    break
                try:
                    brought, pushed = _pull_and_push(tree, branch, clock)
                    pulled += brought
                    break
                except _Retry as again:
                    pulled += again.brought
                    if rounds >= attempts:
                        raise GitStop(f"{again.why} after {rounds} tries; the next sync tries again",
                                      remote=True) from None
                    sleep(rng() * min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** (rounds - 1)))
    except GitStop as stopped:
        return GitReport(committed, commits, pulled, pushed, rounds, upstream, _safe(stopped.message),
                         stopped.where)
    return GitReport(committed, commits, pulled, pushed, rounds, upstream)


def background_sync(folder: Path, stop: Callable[[], bool] = lambda: False) -> str | None:
    """The app's git round, if the person enabled it: one short line for the status bar, or None.

    None when the folder is not a git work tree of the team's, or another
    sync holds the repository right now (the line shown stays as it was).
    It never waits for the lock: the next tick tries again.
    """
    tree = find_work_tree(folder)
    if tree is None:
        return None
    report = sync(tree, lock_wait=0.0, stop=stop)
    if report.stopped == "busy":
        return None
    if report.problem:
        return f"stopped: {report.problem}" if report.stopped == "folder" else \
            f"{report.problem}; will retry"
    if report.upstream is None:
        return "committed here (no upstream branch)"
    return "in step with " + report.upstream


# ---------------------------------------------------------------- running git


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """git's environment: the neutral identity, plain English messages, literal paths, no prompt.

    The identity is set for every call, so even the reflog on this machine
    says huddle rather than the person; a caller's GIT_DIR and the like are
    dropped so git works on the folder's own repository.
    """
    env = {k: v for k, v in os.environ.items() if k not in _LOCATION_VARS}
    env.update({"GIT_AUTHOR_NAME": NAME, "GIT_AUTHOR_EMAIL": EMAIL, "GIT_COMMITTER_NAME": NAME,
                "GIT_COMMITTER_EMAIL": EMAIL, "LC_ALL": "C", "LANGUAGE": "C", "GIT_LITERAL_PATHSPECS": "1",
                "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_ADVICE": "0"})
    env.update(extra or {})
    return env


def _run(tree: WorkTree, *args: str, input: bytes | None = None, check: bool = True,
         env: dict[str, str] | None = None,
         timeout: float = LOCAL_TIMEOUT_S) -> subprocess.CompletedProcess[bytes]:
    """Run one git command at the work tree's top level; with `check`, a failure stops the sync.

    git never reads the terminal (no prompt for a password or a host key in
    the middle of the app): stdin is the given input or nothing, and on
    POSIX the process starts its own session, away from the terminal.
    """
    command = [tree.git, "-c", "core.quotePath=false", "-c", "commit.gpgSign=false", *args]
    try:
        done = subprocess.run(command, cwd=tree.top, env=_environment(env), capture_output=True,
                              input=input, stdin=None if input is not None else subprocess.DEVNULL,
                              timeout=timeout, start_new_session=sys.platform != "win32")
    except subprocess.TimeoutExpired:
        raise GitStop(f"git {args[0]} took longer than {timeout:.0f} s", remote=timeout > LOCAL_TIMEOUT_S) \
            from None
    except OSError as exc:
        raise GitStop(f"git {args[0]}: {exc.strerror or exc}") from None
    if check and done.returncode != 0:
        raise GitStop(f"git {args[0]}: {_first_error(done.stderr)}")
    return done


def _out(tree: WorkTree, *args: str, **kw: Any) -> str:
    """A git command's output as text, without its last newline."""
    return str(_run(tree, *args, **kw).stdout.decode("utf-8", "surrogateescape").rstrip("\n"))


def _first_error(stderr: bytes) -> str:
    """The line of git's complaint worth showing (its fatal/error line, else its first)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line.split(":", 1)[1].strip()
    return lines[0] if lines else "failed"


def _safe(message: str) -> str:
    """A message fit to print: no credentials from a remote's URL, one line."""
    return _CREDENTIALS.sub(r"\1***@", message).replace("\n", " ")


@contextmanager
def _locked(tree: WorkTree, wait: float, sleep: Callable[[float], None],
            clock: Callable[[], float]) -> Iterator[None]:
    """Hold this repository's huddle sync lock, so the app and a `huddle sync` never run git at once.

    The lock is a file in the git dir (never in the work tree), made with
    O_EXCL; one older than LOCK_STALE_S was left by a crash and is taken over.
    """
    path = tree.git_dir / LOCK_NAME
    deadline = clock() + wait
    while True:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            break
        except FileExistsError:
            try:
                if time.time() - path.stat().st_mtime > LOCK_STALE_S:
                    path.unlink(missing_ok=True)
                    continue
            except OSError:
                continue
            if clock() >= deadline:
                raise GitStop("another huddle sync is running in this repository", busy=True) from None
            sleep(0.2)
        except OSError as exc:
            raise GitStop(f"cannot lock {path}: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _midnight(clock: Callable[[], float]) -> str:
    """00:00:00 UTC of today, as a git date: commits say the day, never the time of day."""
    day = datetime.fromtimestamp(clock(), UTC).date()
    return f"@{int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())} +0000"


# ---------------------------------------------------------------- the steps


def _refuse_unfinished(tree: WorkTree) -> None:
    """Stop when a person's git operation is half done or a file is unmerged: it is theirs to finish."""
    for marker, what in (("rebase-merge", "rebase"), ("rebase-apply", "rebase"), ("MERGE_HEAD", "merge"),
                         ("CHERRY_PICK_HEAD", "cherry-pick"), ("REVERT_HEAD", "revert")):
        if (tree.git_dir / marker).exists():
            raise GitStop(f"a git {what} is in progress in the shared folder: finish it (git status), "
                          "then run huddle sync")
    unmerged = _out(tree, "ls-files", "-z", "--unmerged")
    if unmerged:
        path = unmerged.split("\0")[0].split("\t", 1)[-1]
        raise GitStop(f"{path}: unresolved git conflict; resolve it (git status), then run huddle sync")


def _branch(tree: WorkTree) -> str:
    """The branch checked out; a detached HEAD stops the sync (there is no branch to move)."""
    done = _run(tree, "symbolic-ref", "--quiet", "HEAD", check=False)
    if done.returncode != 0:
        raise GitStop("the shared folder is not on a branch (detached HEAD): check one out, "
                      "then run huddle sync")
    return done.stdout.decode("utf-8", "surrogateescape").strip()


def _upstream(tree: WorkTree, branch: str) -> tuple[str, str] | None:
    """The branch's upstream as git config names it: (remote, its branch ref), or None."""
    short = branch.removeprefix("refs/heads/")
    remote = _run(tree, "config", "--get", f"branch.{short}.remote", check=False)
    merge = _run(tree, "config", "--get", f"branch.{short}.merge", check=False)
    if remote.returncode != 0 or merge.returncode != 0:
        return None
    return (remote.stdout.decode("utf-8", "surrogateescape").strip(),
            merge.stdout.decode("utf-8", "surrogateescape").strip())


def _upstream_name(tree: WorkTree, branch: str) -> str | None:
    """The upstream as people say it ("origin/main"), or None when the branch has none."""
    found = _upstream(tree, branch)
    return None if found is None else f"{found[0]}/{found[1].removeprefix('refs/heads/')}"


def huddle_file(tree: WorkTree, path: str) -> bool | None:
    """Whether `path` (from the top level) is one of huddle's record files: None if not, else anonymous?

    Its path must be `records/<kind>/<YYYY-MM>/<id>.<version>.<sum8>.json` in
    the shared folder, and it must be a regular file holding a whole record
    of that kind, month and very name, so a hand-made file, a sync tool's
    copy or a link is never taken for ours. An anonymous record's
    `written_at` is its date alone (as pull_into in sync/engine.py reads it).
    """
    if not path.startswith(tree.prefix):
        return None
    parts = path[len(tree.prefix):].split("/")
    if len(parts) != 4 or parts[0] != RECORDS or not _KIND.match(parts[1]) or not _MONTH.match(parts[2]) \
            or parse_file_name(parts[3]) is None:
        return None
    full = tree.top / path
    try:
        info = os.lstat(full)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        record = decode(full.read_bytes())
    except (OSError, CorruptRecord):
        return None
    if record.kind != parts[1] or record.date[:7] != parts[2] or record.file_name() != parts[3]:
        return None
    return record.written_at == record.date


def _new_files(tree: WorkTree) -> tuple[list[str], list[str]]:
    """Huddle's record files not committed yet: (named ones, anonymous ones), paths from the top level.

    Untracked files (git's ignore rules respected) and files staged as new
    both count: a sync that stopped between its commit and the index leaves
    the latter.
    """
    where = f"{tree.prefix}{RECORDS}"
    found = set(_out(tree, "ls-files", "-z", "--others", "--exclude-standard", "--", where).split("\0"))
    found |= set(_out(tree, "diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=A",
                      "HEAD", "--", where).split("\0"))
    named: list[str] = []
    anonymous: list[str] = []
    for path in sorted(found - {""}):
        kind = huddle_file(tree, path)
        if kind is not None:
            (anonymous if kind else named).append(path)
    return named, anonymous


def _commit_new(tree: WorkTree, clock: Callable[[], float]) -> tuple[int, int]:
    """Commit huddle's new files as huddle, at midnight: (files committed, commits made).

    Named records and released anonymous answers go in separate commits, so
    no commit puts an anonymous answer beside its author's named check-in.
    """
    files = commits = 0
    for group in _new_files(tree):
        if not group:
            continue
        head = _out(tree, "rev-parse", "--verify", "HEAD^{commit}")
        with _temp_index(tree) as index:
            _run(tree, "read-tree", "HEAD", env=index)
            _run(tree, "update-index", "--add", "-z", "--stdin", input=_nul(group), env=index)
            new_tree = _out(tree, "write-tree", env=index)
        if new_tree != _out(tree, "rev-parse", "HEAD^{tree}"):
            when = _midnight(clock)
            commit = _out(tree, "commit-tree", "--no-gpg-sign", "-p", head, "-m", MESSAGE, new_tree,
                          env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
            _run(tree, "update-ref", "-m", "huddle sync: commit", "HEAD", commit, head)
            files, commits = files + len(group), commits + 1
        # The real index learns them too, so `git status` is clean (what a person staged stays staged).
        _run(tree, "update-index", "--add", "-z", "--stdin", input=_nul(group))
    return files, commits


@contextmanager
def _temp_index(tree: WorkTree) -> Iterator[dict[str, str]]:
    """A private index file in the git dir (the person's index is never touched): its environment."""
    path = tree.git_dir / f"huddle-index-{os.getpid()}"
    path.unlink(missing_ok=True)
    try:
        yield {"GIT_INDEX_FILE": str(path)}
    finally:
        path.unlink(missing_ok=True)


def _nul(paths: Sequence[str]) -> bytes:
    """Paths as git's -z input."""
    return b"".join(os.fsencode(p) + b"\0" for p in paths)


def _pull_and_push(tree: WorkTree, branch: str, clock: Callable[[], float]) -> tuple[int, bool]:
    """Fetch the team's branch, replay our commits on it, move the folder there and push.

    Returns (teammates' files brought in, pushed?). Raises _Retry when a
    round must be done again, GitStop when a person must act.
    """
    found = _upstream(tree, branch)
    assert found is not None  # checked by the caller
    remote, merge = found
    fetched = _run(tree, "fetch", "--quiet", "--no-tags", "--", remote, merge, check=False,
                   timeout=NETWORK_TIMEOUT_S)
    if fetched.returncode != 0:
        if b"couldn't find remote ref" in fetched.stderr:
            raise GitStop(f"the team's repository has no branch {merge.removeprefix('refs/heads/')} yet: "
                          "push it once yourself (git push -u), then run huddle sync")
        raise GitStop(f"git fetch {remote}: {_first_error(fetched.stderr)}", remote=True)
    base = _out(tree, "rev-parse", "--verify", "FETCH_HEAD^{commit}")
    head = _out(tree, "rev-parse", "--verify", "HEAD^{commit}")
    ours = _local_commits(tree, base, head)
    if not ours:
        target = base
    elif _run(tree, "merge-base", "--is-ancestor", base, head, check=False).returncode == 0:
        target = head  # nothing new on the team's branch: ours go as they are
    else:
        target = _replay(tree, base, ours, clock)
    brought = _move(tree, head, target) if target != head else 0
    if target == base:
        return brought, False
    pushed = _run(tree, "push", "--porcelain", "--no-verify", "--quiet", "--", remote, f"{target}:{merge}",
                  check=False, timeout=NETWORK_TIMEOUT_S)
    if pushed.returncode == 0:
        return brought, True
    report = pushed.stdout.decode("utf-8", "replace")
    rejected = [line for line in report.splitlines() if line.startswith("!")]
    if rejected and _raced(rejected[0]):  # a teammate pushed first: fetch, replay, push again
        raise _Retry(f"{remote} still had newer commits", brought)
    reason = rejected[0].split("\t")[-1] if rejected else _first_error(pushed.stderr)
    raise GitStop(f"git push {remote}: {reason}", remote=True)


def _raced(line: str) -> bool:
    """Whether a push's porcelain line says a teammate's push won the race (so another round will do).

    Not fast-forward ("[rejected]"), or the remote's ref locked or moved by
    a push landing at the same moment; a hook's or a protected branch's
    refusal is not a race, and is reported instead.
    """
    if "[rejected]" in line:
        return True
    races = ("failed to update ref", "failed to lock", "cannot lock ref", "incorrect old value")
    return "[remote rejected]" in line and any(why in line for why in races)


def _local_commits(tree: WorkTree, base: str, head: str) -> list[_Commit]:
    """This branch's commits the team's branch lacks, oldest first; each must be one of huddle's.

    huddle pushes only what it committed itself: a person's own commit here
    (a huddle.toml edit, say) is theirs to push, under their name.
    """
    log = _out(tree, "log", "-z", "--reverse", "--topo-order", "--format=%H%x1f%P%x1f%ae%x1f%ce%x1f%at%x1f%s",
               f"{base}..{head}", "--")
    commits = []
    for item in filter(None, log.split("\0")):
        sha, parents, author, committer, at, subject = item.split("\x1f", 5)
        commit = _Commit(sha, tuple(parents.split()), author, committer, int(at), subject)
        if commit.author_email != EMAIL or commit.committer_email != EMAIL or len(commit.parents) != 1 \
                or not all(_added_records(tree, commit)[1]):
            raise GitStop(f"commit {sha[:10]} ({subject[:60]}) is yours and not pushed yet: push it yourself "
                          "(git pull --rebase && git push), then run huddle sync")
        commits.append(commit)
    return commits


def _added_records(tree: WorkTree, commit: _Commit) -> tuple[list[_Entry], list[bool]]:
    """The files a commit changes, and for each whether it adds a record file of huddle's (else False)."""
    raw = _run(tree, "diff-tree", "-r", "-z", "--no-commit-id", "--no-renames", "--raw", commit.parents[0],
               commit.sha).stdout.decode("utf-8", "surrogateescape")
    fields = raw.split("\0")
    entries, fine = [], []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta:
            continue
        _, mode, _, blob, status = meta.lstrip(":").split(" ")
        entries.append(_Entry(mode, blob, path))
        fine.append(status == "A" and mode == "100644" and _is_record_path(tree, path))
    return entries, fine


def _is_record_path(tree: WorkTree, path: str) -> bool:
    """Whether a path has the shape of a record file of this shared folder (names only)."""
    parts = path[len(tree.prefix):].split("/") if path.startswith(tree.prefix) else []
    return len(parts) == 4 and parts[0] == RECORDS and bool(_KIND.match(parts[1])) \
        and bool(_MONTH.match(parts[2])) and parse_file_name(parts[3]) is not None


def _replay(tree: WorkTree, base: str, ours: list[_Commit], clock: Callable[[], float]) -> str:
    """Our commits again on top of the team's branch (a rebase done with plumbing); the new tip.

    Each adds the same files as before; a file the branch already has with
    the same bytes is left out (two machines wrote the same record), and a
    commit with nothing left is dropped. Same name, other bytes: a person
    must look (it cannot happen between honest writers: the name holds the
    checksum).
    """
    tip = base
    for commit in ours:
        entries, _ = _added_records(tree, commit)
        there = _blobs(tree, tip, [e.path for e in entries])
        clash = [e.path for e in entries if e.path in there and there[e.path] != e.blob]
        if clash:
            raise GitStop(f"{clash[0]}: the team's branch has another file by this name; "
                          "compare the two, then run huddle sync")
        new = [e for e in entries if e.path not in there]
        if not new:
            continue
        with _temp_index(tree) as index:
            _run(tree, "read-tree", tip, env=index)
            _run(tree, "update-index", "-z", "--index-info", env=index,
                 input=b"".join(f"{e.mode} {e.blob}\t".encode() + os.fsencode(e.path) + b"\0" for e in new))
            new_tree = _out(tree, "write-tree", env=index)
        dates = {"GIT_AUTHOR_DATE": f"@{commit.author_time} +0000", "GIT_COMMITTER_DATE": _midnight(clock)}
        tip = _out(tree, "commit-tree", "--no-gpg-sign", "-p", tip, "-m", MESSAGE, new_tree, env=dates)
    return tip


def _blobs(tree: WorkTree, commit: str, paths: list[str]) -> dict[str, str]:
    """The blob each of `paths` has in `commit`, for those it has (asked on stdin: any number of paths)."""
    asked = "".join(f"{commit}:{path}\n" for path in paths).encode("utf-8", "surrogateescape")
    answers = _out(tree, "cat-file", "--batch-check=%(objectname) %(objecttype)", input=asked).split("\n")
    return {path: answer.split(" ")[0] for path, answer in zip(paths, answers, strict=False)
            if answer.endswith(" blob")}


def _move(tree: WorkTree, head: str, target: str) -> int:
    """Move the branch, index and folder from `head` to `target`; returns the record files brought in.

    A two-way merge (`read-tree -m -u`): files that differ between the two
    commits are updated, nothing else; a person's uncommitted edit to such a
    file, or an untracked file where the branch adds one, stops it first,
    naming the file. An untracked record file of ours there (written since
    this round's commit) only means: commit, and go round again.
    """
    changed = [p for p in _out(tree, "diff", "--name-only", "-z", "--no-renames", head, target, "--")
               .split("\0") if p]
    edited = set(_out(tree, "diff", "--name-only", "-z", "--no-renames", "HEAD", "--").split("\0"))
    for path in changed:
        if path in edited:
            raise GitStop(f"{path}: changed on this machine and in the team's repository; commit or undo "
                          "your change, then run huddle sync")
    added = [p for p in _out(tree, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=A", head,
                             target, "--").split("\0") if p]
    for path in added:
        if os.path.lexists(tree.top / path):
            if huddle_file(tree, path) is not None:
                raise _Retry(f"{path} was written while syncing")
            raise GitStop(f"{path}: not tracked here, but the team's repository has a file by this name; "
                          "move it away, then run huddle sync")
    _run(tree, "read-tree", "-m", "-u", head, target)
    moved = _run(tree, "update-ref", "-m", "huddle sync: pull", "HEAD", target, head, check=False)
    if moved.returncode != 0:  # someone moved the branch meanwhile: put the folder back where it was
        _run(tree, "read-tree", "-m", "-u", target, head, check=False)
        raise GitStop(f"git update-ref: {_first_error(moved.stderr)}")
    return sum(1 for p in added if _is_record_path(tree, p))
