"""Reads never write: every read command leaves the shared folder byte-for-byte and stat-for-stat as it was.

On a git-backed (or Syncthing, Dropbox) shared folder a read that writes
dirties the work tree, and the team needs extra commit and pull rounds to
agree again. So each read command runs, twice (cold and with its caches
warm), between two snapshots of the shared folder: every path, its bytes,
and lstat's mode, size, mtime and inode, folders included. What reads used
to write happens on a write path instead, and the tests below show that it
still does: held anonymous answers go out on a check-in, `huddle sync` and
the app's start; a buddy round is saved by `huddle pairs make`, `--post`
and `met` / `skip`.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest

from huddle_tui import circles
from huddle_tui.config.team import TeamConfig, load_team_config, team_config_to_toml, with_members, write_toml
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern, FollowUp
from huddle_tui.model.huddle import Away, Handoff, Huddle
from huddle_tui.pairs import mark_id, monday_of, this_round
from huddle_tui.rules.pair_figures import round_id
from tests.conftest import cli, run_huddle

NAMES = ["Ana", "Ben", "Chen", "Dara", "Emeka"]
HELD = ["Chen", "Dara", "Emeka"]  # answer anonymously on the held day: three candidates, so releasable


class Stat(NamedTuple):
    """What a snapshot keeps of one path: lstat's fields that any write changes, and a file's bytes."""

    mode: int
    size: int
    mtime_ns: int
    ino: int
    data: bytes | None  # a file's bytes, a link's target; None for a folder


def snapshot(root: Path) -> dict[str, Stat]:
    """Every path under `root` (and root itself) with its stat and content; links are not followed."""
    out: dict[str, Stat] = {}
    for folder, dirs, files in os.walk(root):
        for name in (".", *dirs, *files):
            path = os.path.normpath(os.path.join(folder, name))
            st = os.lstat(path)
            data: bytes | None = None
            if stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    data = f.read()
            elif stat.S_ISLNK(st.st_mode):
                data = os.fsencode(os.readlink(path))
            out[os.path.relpath(path, root)] = Stat(st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino, data)
    return out


def changes(before: dict[str, Stat], after: dict[str, Stat]) -> list[str]:
    """What differs between two snapshots, one line a path, for a failure that names what was written."""
    out = [f"added {p}" for p in sorted(after.keys() - before.keys())]
    out += [f"removed {p}" for p in sorted(before.keys() - after.keys())]
    for p in sorted(before.keys() & after.keys()):
        if before[p] != after[p]:
            fields = [f for f in Stat._fields if getattr(before[p], f) != getattr(after[p], f)]
            out.append(f"changed {p}: {', '.join(fields)}")
    return out


def held_day(today: date) -> date:
    """The latest working day up to today: the held anonymous answers are dated to it."""
    day = today
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


class Team(NamedTuple):
    """The test team: its config, the day its anonymous answers are held for, and today."""

    config: TeamConfig
    held: date
    today: date


@pytest.fixture
def history(shared: Path, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> Team:
    """A pairs-enabled team with three weeks of history and three anonymous answers ready to release.

    Named check-ins, held huddles, a handoff, an away range, a follow-up and
    earlier buddy rounds with a mark sit in the shared folder; this week's
    round is not saved yet. Chen, Dara and Emeka answered anonymously on the
    held day in an earlier session: three candidates, so any session that
    releases would write their answers to the shared folder now. `me` is Ana.
    """
    doc = team_config_to_toml(with_members(TeamConfig(name="Platform", members=(), shared_dir=shared), NAMES))
    for member in doc["members"]:
        member["pairs"] = member["circles"] = True
    write_toml(shared / "huddle.toml", doc)
    team = load_team_config(shared / "huddle.toml")
    monkeypatch.setenv("HUDDLE_CONFIG", str(shared / "huddle.toml"))
    (isolated_dirs / "config").mkdir(parents=True, exist_ok=True)
    (isolated_dirs / "config" / "config.toml").write_text('me = "Ana"\n', encoding="utf-8")

    today = date.today()
    held = held_day(today)
    journal = Journal(team, durable=False)
    for back in range(1, 22):
        day = held - timedelta(days=back)
        if not team.is_workday(day):
            continue
        iso = day.isoformat()
        for n, name in enumerate(NAMES):
            if (back + n) % 3:
                journal.save_checkin(CheckIn(iso, 1 + (back + n) % 5, name, f"{name} on {iso}", (),
                                             "team", "cli"))
        plan = journal.plan(day)
        if plan.facilitator:
            journal.save_huddle(Huddle(iso, plan.facilitator, plan.order, round_s=team.round_seconds))
    week_ago = held - timedelta(days=7)
    journal.save_concern(Concern.new("the CI runners are slow", "blocker", "team", FollowUp("Ben", "open")),
                         week_ago.isoformat(), "Ana")
    journal.save_away(Away("Dara", (held - timedelta(days=30)).isoformat(),
                           (held - timedelta(days=26)).isoformat(), "a long weekend"))
    future = held + timedelta(days=1)
    while not team.is_workday(future):
        future += timedelta(days=1)
    giver = journal.plan(future).facilitator or ""
    journal.save_handoff(Handoff(future.isoformat(), giver, "Ben" if giver == "Chen" else "Chen", "cover"))
    this_monday = monday_of(team, "buddy", today)
    for weeks in (3, 2, 1):
        this_round(journal, "buddy", this_monday - timedelta(weeks=weeks), today=today, save=True)
    circles_monday = circles.monday_of(team, today)
    for weeks in (2, 1):
        earlier = circles_monday - timedelta(weeks=weeks)
        assert circles.this_round(journal, earlier, today=today, save=True).saved
    last_monday = this_monday - timedelta(weeks=1)
    assert this_round(journal, "buddy", last_monday, today=today, save=False).round.group_of("Ana")
    journal.save_record("pairmark", mark_id(team, "buddy", last_monday, "Ana"), last_monday.isoformat(),
                        {"track": "buddy", "member": "Ana", "mark": "met"})
    for name in ("Ana", "Ben"):
        journal.save_checkin(CheckIn(held.isoformat(), 4, name, "shipping", (), "team", "cli"))
    for name in HELD:
        Journal(team, durable=False).save_checkin(CheckIn(held.isoformat(), 2, name, "tired", (), "anonymous",
                                                          "cli"))
    assert pending(team) == 3 and released(team, held) == 0
    assert this_round(journal, "buddy", today, today=today, save=False).created  # this week: not saved
    return Team(team, held, today)


def pending(team: TeamConfig) -> int:
    """Anonymous answers this machine still holds back."""
    return sum(1 for r in Journal(team).private.read(("checkin",)).live() if r.payload.get("pending"))


def released(team: TeamConfig, day: date) -> int:
    """Anonymous answers in the shared folder dated `day`."""
    iso = day.isoformat()
    return sum(1 for r in Journal(team).shared.read(("checkin",), since=iso, until=iso).live("checkin")
               if r.date == iso and r.payload.get("visibility") == "anonymous")


def saved_round(team: TeamConfig, today: date) -> bool:
    """Whether this week's buddy round has its record in the shared folder."""
    monday = monday_of(team, "buddy", today)
    rid = round_id(team, "buddy", monday)
    return rid in Journal(team).shared.read_ids("pairs", monday.isoformat(), (rid,)).records


READS = [
    ("summary",), ("summary", "--date", "{held}"), ("summary", "--format", "markdown"), ("summary", "--json"),
    ("next",), ("next", "--json"), ("next", "--date", "{held}"),
    ("export",), ("export", "--format", "csv"), ("export", "--private"),
    ("report",), ("report", "--format", "json"), ("report", "--since", "all", "--by", "month"),
    ("pairs",), ("pairs", "--json"), ("pairs", "--kind", "coffee"), ("pairs", "show", "--date", "{held}"),
    ("circles",), ("circles", "--json"), ("circles", "show", "--date", "{held}"), ("circles", "notes"),
    ("circle", "--json"), ("debrief", "--event", "Launch v2", "--json"),
    ("followups",), ("followups", "--mine", "--open", "--json"),
    ("me",), ("me", "--json", "--weeks", "4"), ("keys",), ("keys", "--json"),
    ("away", "--list"), ("away", "--list", "--json"),
    ("sync", "--status"), ("prompt",),
]


def argv(command: tuple[str, ...], team: Team) -> list[str]:
    """A command line with the held day filled in."""
    return [arg.replace("{held}", team.held.isoformat()) for arg in command]


@pytest.mark.parametrize("command", READS, ids=lambda c: " ".join(c))
def test_a_read_command_leaves_the_shared_folder_as_it_was(
        history: Team, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]) -> None:
    """Run twice (cold, then with its caches warm), the folder's paths, bytes and stats are all unchanged."""
    shared = history.config.shared_dir
    before = snapshot(shared)
    for _ in range(2):
        code, _, err = cli(capsys, *argv(command, history))
        assert code == 0, err
    assert changes(before, snapshot(shared)) == []
    assert pending(history.config) == 3  # nothing released: the answers still wait on this machine


def test_reads_in_their_own_processes_leave_the_folder_as_it_was(history: Team) -> None:
    """`huddle summary`, `pairs` and `circles` as a script runs them, each a process of its own."""
    shared = history.config.shared_dir
    before = snapshot(shared)
    for command in (("summary", "--date", "{held}"), ("pairs",), ("circles", "--json"), ("next",)):
        done = run_huddle(*argv(command, history))
        assert done.returncode == 0, done.stderr
    assert changes(before, snapshot(shared)) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")
def test_reads_leave_a_git_work_tree_clean(history: Team, capsys: pytest.CaptureFixture[str]) -> None:
    """The case that asked for this: on a git-backed shared folder, `git status` stays empty after reads."""
    shared = history.config.shared_dir

    def git(*args: str) -> str:
        """Run git in the shared folder; its output."""
        return subprocess.run(["git", "-C", str(shared), *args], capture_output=True, text=True,
                              check=True).stdout

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "history")
    for command in READS:
        assert cli(capsys, *argv(command, history))[0] == 0, command
    assert git("status", "--porcelain", "--untracked-files=all") == ""


def test_doctor_leaves_nothing_behind(history: Team, capsys: pytest.CaptureFixture[str]) -> None:
    """doctor probes that it can write in the shared folder: the probe is gone and every record untouched.

    Making and removing the probe changes the folder's own mtime (and may
    change its size), which no sync tool or git carries; nothing else may differ.
    """
    shared = history.config.shared_dir
    before = snapshot(shared)
    code, out, err = cli(capsys, "doctor")
    assert code == 0, err + out
    after = snapshot(shared)
    assert after.keys() == before.keys()
    inside = [p for p in before if p != "."]
    assert changes({p: before[p] for p in inside}, {p: after[p] for p in inside}) == []
    assert after["."].mode == before["."].mode and after["."].ino == before["."].ino


def test_a_check_in_releases_the_held_answers(history: Team, capsys: pytest.CaptureFixture[str]) -> None:
    """After every read left them held, the next check-in on this machine releases them."""
    team = history.config
    for command in (("summary", "--date", "{held}"), ("next",), ("export",)):
        cli(capsys, *argv(command, history))
    assert released(team, history.held) == 0
    code, _, err = cli(capsys, "checkin", "--member", "Ana", "--mood", "4",
                       "--date", history.held.isoformat())
    assert code == 0, err
    assert released(team, history.held) == 3 and pending(team) == 0
    # That check-in was this machine's first signed record, so the day's unsigned placeholders (this
    # fixture's one machine wrote them all) no longer count, and the summary holds the three back.
    code, out, _ = cli(capsys, "summary", "--date", history.held.isoformat(), "--json")
    assert json.loads(out)["anonymous_checkins"] is None


def test_sync_releases_the_held_answers_even_with_no_endpoints(
        history: Team, capsys: pytest.CaptureFixture[str]) -> None:
    """`huddle sync` is a write: it releases what is now safe and says so, endpoints or not."""
    code, out, err = cli(capsys, "sync")
    assert code == 0, err
    assert "3 anonymous answers released to the shared folder" in out
    assert released(history.config, history.held) == 3 and pending(history.config) == 0
    code, out, _ = cli(capsys, "sync", "--json")
    assert json.loads(out)["released"] == 0  # nothing left to release


def test_the_app_releases_the_held_answers_when_it_starts(history: Team) -> None:
    """The app's first IO job (the lobby's plan) is a write session: it releases what is safe."""
    from huddle_tui.tui.jobs import load_plan

    load_plan(Journal(history.config, durable=False), history.today)
    assert released(history.config, history.held) == 3 and pending(history.config) == 0


def test_pairs_make_records_the_round_the_show_promised(history: Team,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Shown unsaved, the round says so; `pairs make` records those very groups, once."""
    team, today = history.config, history.today
    code, out, _ = cli(capsys, "pairs")
    assert code == 0 and "not saved yet" in out and "huddle pairs make" in out
    code, out, _ = cli(capsys, "pairs", "--json")
    shown = json.loads(out)
    assert shown["saved"] is False and shown["groups"] and not saved_round(team, today)
    code, out, err = cli(capsys, "pairs", "make", "--json")
    made = json.loads(out)
    assert code == 0 and made["saved"] is True and made["groups"] == shown["groups"], err
    assert saved_round(team, today)
    before = snapshot(team.shared_dir)
    code, out, _ = cli(capsys, "pairs", "make")
    assert code == 0 and "Already recorded" in out
    code, out, _ = cli(capsys, "pairs", "--json")
    assert json.loads(out)["groups"] == shown["groups"] and json.loads(out)["saved"] is True
    assert changes(before, snapshot(team.shared_dir)) == []  # making it again writes nothing


def test_pairs_make_refuses_a_round_still_to_come(history: Team, capsys: pytest.CaptureFixture[str]) -> None:
    """Next week's round is only a preview: `make` refuses it and writes nothing."""
    shared = history.config.shared_dir
    before = snapshot(shared)
    later = (history.today + timedelta(weeks=1)).isoformat()
    code, out, err = cli(capsys, "pairs", "make", "--date", later)
    assert code != 0 and err.count("\n") == 1 and "has not started yet" in err, out
    code, out, _ = cli(capsys, "pairs", "--date", later)
    assert code == 0 and "a preview" in out
    assert changes(before, snapshot(shared)) == []


@pytest.mark.parametrize("command", [("pairs", "met"), ("pairs", "skip", "--member", "Ben")],
                         ids=lambda c: " ".join(c))
def test_met_or_skip_records_the_round_first(history: Team, capsys: pytest.CaptureFixture[str],
                                             command: tuple[str, ...]) -> None:
    """Saying how the week went is a write: the round it is about is recorded with the mark."""
    code, out, err = cli(capsys, *command)
    assert code == 0 and "Recorded:" in out, err
    assert saved_round(history.config, history.today)


def test_post_records_the_round_it_posts(history: Team, capsys: pytest.CaptureFixture[str]) -> None:
    """`--post` is a write: the round it queues for the chat is the one recorded for everyone."""
    path = history.config.shared_dir / "huddle.toml"
    doc = team_config_to_toml(load_team_config(path))
    doc["endpoints"] = [{"url": "https://chat.invalid/hook", "format": "discord"}]
    write_toml(path, doc)
    code, out, err = cli(capsys, "pairs", "--post", "--json")
    assert code == 0 and json.loads(out)["saved"] is True, err
    assert saved_round(history.config, history.today)
