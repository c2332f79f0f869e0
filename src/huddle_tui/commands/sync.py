"""`huddle sync`: send what the outbox holds to the team's endpoints, and pull teammates' records.

An endpoint this person has not approved on this machine (`huddle trust`) is
never contacted: sync says so in one line and exits 6, and what waits for it
stays in the outbox.

It is also the plain write path for what reads leave alone: this machine's
held-back anonymous answers that are now safe (k = 3) go to the shared folder
here, even for a team whose only sync is the shared folder itself.

When the shared folder is a git work tree (one whose commits hold its
huddle.toml), it is the one command that runs git (sync/git.py): it commits
huddle's new record files as "huddle", pulls with rebase and pushes, so the
team needs no person running git. A stop that needs a person in the folder
(their own edit the team's branch also changed, say) is one line naming the
file and exit 4; a remote that cannot be reached, or still refuses, exit 6.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from huddle_tui.commands.common import add_json_flag, emit_json
from huddle_tui.errors import ExitCode, UsageError
from huddle_tui.text import printable

if TYPE_CHECKING:
    from huddle_tui.config.team import TeamConfig
    from huddle_tui.sync.git import GitReport


def configure(p: argparse.ArgumentParser) -> None:
    """Flags of `huddle sync`."""
    p.add_argument("--status", action="store_true",
                   help="only show pending, sent and dead-letter counts with the last error (writes nothing)")
    p.add_argument("--retry-dead", action="store_true",
                   help="put dead-letter items back in the queue (after fixing the cause), then sync")
    p.add_argument("--no-pull", action="store_true",
                   help="send only; do not pull teammates' records (a git work tree: commit only)")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="keep retrying through backoff for up to this long (default: one attempt)")
    add_json_flag(p)


def run(args: argparse.Namespace) -> int:
    """Sync, or show the outbox's status."""
    from huddle_tui.config.user import load_team, load_user_config
    from huddle_tui.sync.outbox import Outbox, endpoint_key

    if args.wait < 0:
        raise UsageError("--wait must not be negative")
    user = load_user_config()
    team = load_team(getattr(args, "config", None), user)
    keys = [endpoint_key(e) for e in team.endpoints]
    if args.status:
        from huddle_tui.sync.trust import refusal, verdict

        checked = {endpoint_key(e): (e, verdict(e, user.trusted)) for e in team.endpoints}
        approved = {key: v.approved for key, (_, v) in checked.items()}
        blocked = {key: why for key, (e, v) in checked.items() if (why := refusal(e, user, v))}
        with Outbox(durable=False) as outbox:
            return _show_status(outbox.status(keys), approved, blocked, args.json)
    from huddle_tui.journal import open_journal

    # Held-back anonymous answers now safe go out with this sync (before it, so they are sent too).
    journal = open_journal(team)
    released = journal.release_pending()
    journal.settle_totals()  # anonymous totals: keys ahead, lists and reveals, sent with this sync
    if not team.endpoints:
        git = _git(team, pull=not args.no_pull)
        return _git_exit(git, _nothing(released, args.json, git))
    revived = 0
    if args.retry_dead:
        with Outbox() as outbox:
            revived = outbox.retry_dead()
    from huddle_tui.sync.engine import sync_once

    report = sync_once(team, pull=not args.no_pull, force=True, wait=args.wait, user=user)
    git = _git(team, pull=not args.no_pull)  # after the pull: records an endpoint brought go to git too
    rows = [r._asdict() for r in report.endpoints]
    if args.json:
        emit_json({"ok": report.ok and (git is None or git.ok), "revived": revived, "released": released,
                   "endpoints": rows, **_git_json(git)})
    else:
        _say_released(released)
        if revived:
            print(f"{revived} dead-letter items queued again.")
        for r in report.endpoints:
            if r.blocked:
                sys.stderr.write(printable(f"huddle: {r.label}: {r.blocked}") + "\n")
                continue
            pulled = f", {r.pulled} pulled" if r.pulled else ""
            print(f"{printable(r.label)}: {r.sent} sent, {r.pending} pending, {r.dead_total} dead{pulled}")
            if r.error:
                print(f"  last error: {printable(r.error)}")
        _say_git(git)
    return _git_exit(git, 0 if report.ok else int(ExitCode.ENDPOINT))


def _nothing(released: int, as_json: bool, git: GitReport | None = None) -> int:
    """Say calmly that there is no endpoint to sync with (and what was released to the folder, and git)."""
    if as_json:
        emit_json({"ok": git is None or git.ok, "revived": 0, "released": released, "endpoints": [],
                   **_git_json(git)})
    else:
        _say_released(released)
        print("No endpoints in huddle.toml: nothing to send (the shared folder is the sync).")
        _say_git(git)
    return 0


def _git(team: TeamConfig, *, pull: bool) -> GitReport | None:
    """Run the git round when the shared folder is a git work tree; None (nothing done) otherwise."""
    from huddle_tui.sync.git import find_work_tree, sync

    tree = find_work_tree(team.shared_dir)
    return None if tree is None else sync(tree, pull=pull)


def _git_json(git: GitReport | None) -> dict[str, Any]:
    """The "git" key of --json, only when git ran (so a folder without git reports as it always did)."""
    return {} if git is None else {"git": git.as_json()}


def _say_git(git: GitReport | None) -> None:
    """One line of what git did; what stopped it goes to stderr as its own line, naming the file."""
    if git is None:
        return
    print(printable(git.line()))
    if git.problem:
        sys.stderr.write(printable(f"huddle: {git.problem}") + "\n")


def _git_exit(git: GitReport | None, code: int) -> int:
    """The exit code with git's say: 6 when the remote failed, else 4 (a person must act in the folder)."""
    if git is None or git.ok:
        return code
    if git.stopped == "remote":
        return code or int(ExitCode.ENDPOINT)
    return int(ExitCode.STORE)


def _say_released(released: int) -> None:
    """One line when held-back anonymous answers went to the shared folder: the person asked for a write."""
    if released:
        from huddle_tui.rules.privacy import K

        print(f"{released} anonymous answers released to the shared folder "
              f"(at least {K} members could have given them).")


def _show_status(rows: list[Any], approved: dict[str, bool], blocked: dict[str, str], as_json: bool) -> int:
    """Print the outbox's counts per endpoint, with the last error, and what this machine refuses."""
    if as_json:
        emit_json({"endpoints": [{**r._asdict(), "approved": approved.get(r.endpoint),
                                  "blocked": blocked.get(r.endpoint)} for r in rows],
                   "pending": sum(r.pending for r in rows), "dead": sum(r.dead for r in rows)})
        return 0
    if not rows:
        print("Outbox empty; no endpoints configured.")
    for r in rows:
        print(f"{printable(r.endpoint)}: {r.pending} pending, {r.sent} sent, {r.dead} dead")
        if r.endpoint in blocked:
            print(f"  {printable(blocked[r.endpoint])}")
        if r.next_at and r.next_at > time.time() and r.pending:
            print(f"  next attempt in {r.next_at - time.time():.0f} s (backing off)")
        if r.last_error:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.last_error_at or 0))
            print(f"  last error ({when}): {printable(r.last_error)}")
        if r.dead:
            print("  → fix the cause, then run `huddle sync --retry-dead`")
    return 0
