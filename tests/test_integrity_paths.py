"""The check-in, round and sync guarantees, proved through the real commands and the app driven by keys.

Each test drives `huddle` (in-process through `huddle_tui.cli.main`, or as a
subprocess where a process must die) or the app with `run_test`, then reads
the records written: what the shared folder, a machine's private folder, the
outbox and an endpoint hold. "Another machine" is another HUDDLE_DATA_DIR: its
own private folder, outbox and anonymity key.
"""

from __future__ import annotations

import getpass
import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from huddle_tui import paths
from huddle_tui.commands import COMMANDS
from huddle_tui.config.team import (
    AwayRange,
    Endpoint,
    TeamConfig,
    load_team_config,
    team_config_to_toml,
    write_toml,
)
from huddle_tui.config.user import UserConfig, user_config_to_toml
from huddle_tui.journal import Journal, open_journal
from huddle_tui.model.huddle import Away, Huddle, Turn
from huddle_tui.model.ids import named_id
from huddle_tui.server.app import create_app
from huddle_tui.storage import envelope
from huddle_tui.storage.envelope import Record
from huddle_tui.storage.folder import FolderStore
from huddle_tui.sync.engine import sync_once
from huddle_tui.sync.outbox import Outbox
from huddle_tui.tui.app import STAY, HuddleApp
from huddle_tui.tui.screens.choose import Choose
from huddle_tui.tui.screens.lobby import ANOTHER_ROUND, VIEW_SUMMARY
from huddle_tui.tui.screens.round import RoundScreen
from huddle_tui.tui.screens.summary import SummaryScreen
from huddle_tui.tui.widgets.status_line import StatusLine
from tests.conftest import cli, run_huddle
from tests.fakeclock import FakeClock
from tests.http_helpers import TOKEN, TOKEN_ENV, LiveServer, Receiver, records_endpoint, with_endpoints
from tests.storekit import record_files
from tests.tui.conftest import fixed_now
from tests.tui.helpers import open_lobby, open_round, record_notices, settle

DAY = date(2026, 3, 2)  # a Monday
ISO = DAY.isoformat()
SATURDAY = "2026-03-07"
STATUS = "shipping the importer"
BLOCKER = "waiting on the staging keys"
BEN_NAMED = named_id("checkin", "Ben", ISO)
OTHERS = ("Ana", "Chen", "Dara", "Emeka")


# ---------------------------------------------------------------- helpers


@pytest.fixture
def configured(team: TeamConfig, monkeypatch: pytest.MonkeyPatch) -> TeamConfig:
    """The five-person team, found by every `huddle` command through $HUDDLE_CONFIG."""
    monkeypatch.setenv("HUDDLE_CONFIG", str(team.path))
    return team


@pytest.fixture
def bens_machine(tmp_path: Path) -> Path:
    """Ben's own terminal: another data dir, so another private folder, outbox and anonymity key."""
    return tmp_path / "bens-machine"


def huddle(capsys: pytest.CaptureFixture[str], *args: str,
           machine: Path | None = None) -> tuple[int, str, str]:
    """Run `huddle ARGS` in-process (on `machine`'s data dir if given); exit code, stdout, stderr."""
    with pytest.MonkeyPatch.context() as mp:
        if machine is not None:
            mp.setenv("HUDDLE_DATA_DIR", str(machine))
        return cli(capsys, *args)


def one_line(err: str) -> str:
    """The single line a refusal prints (more than one fails the test)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def versions(folder: Path, kind: str = "checkin") -> list[Record]:
    """Every version of every record of `kind` in a folder (not merged), oldest version first."""
    found = [envelope.decode(p.read_bytes()) for p in record_files(folder / "records" / kind)
             if (folder / "records" / kind).exists()]
    return sorted(found, key=lambda r: (r.id, r.version))


def fingerprint(folder: Path) -> set[tuple[str, int, str]]:
    """(id, version, checksum) of every record file under a folder."""
    return {(r.id, r.version, r.checksum)
            for r in (envelope.decode(p.read_bytes()) for p in record_files(folder / "records"))}


def live_checkins(team: TeamConfig) -> list[Record]:
    """The day's live check-in records in the shared folder (named, placeholders, anonymous)."""
    return [r for r in FolderStore(team.shared_dir, durable=False).read(("checkin",)).live("checkin")
            if r.date == ISO]


def anonymous_answers(team: TeamConfig) -> list[Record]:
    """The day's live anonymous answers in the shared folder."""
    return [r for r in live_checkins(team) if r.payload.get("visibility") == "anonymous"]


def held_back(data_dir: Path) -> list[Record]:
    """The anonymous answers waiting on one machine (its data dir) for a later session and 3 candidates."""
    store = FolderStore(data_dir / "private", durable=False, private=True)
    return [r for r in store.read(("checkin",)).live("checkin") if r.payload.get("pending") and r.date == ISO]


def summary_json(capsys: pytest.CaptureFixture[str], day: str = ISO) -> dict[str, object]:
    """`huddle summary --json` for a date."""
    code, out, err = huddle(capsys, "summary", "--date", day, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def build_app(team: TeamConfig, clock: FakeClock) -> HuddleApp:
    """The facilitator's app on the team, the fixed Monday and a fake round clock."""
    return HuddleApp(team, UserConfig(), today=DAY, clock=clock,
                     journal=Journal(team, now=fixed_now, durable=False))


def said(screen: RoundScreen) -> str:
    """What the speaker's turn shows: mood, status, concerns, where the check-in came from."""
    return str(screen.query_one("#said", Static).render())


def status_bar(app: HuddleApp) -> str:
    """The status bar's line."""
    return str(app.screen.query_one(StatusLine).render())


async def turn_of(pilot: Pilot[int], screen: RoundScreen, name: str) -> None:
    """Press space until it is `name`'s turn."""
    for _ in range(len(screen.pulse.slots)):
        if screen.pulse.view().speaker == name:
            break
        await pilot.press("space")
    assert screen.pulse.view().speaker == name
    await pilot.pause()


# ---------------------------------------------------------------- 1. the mood key and a teammate's check-in


async def test_the_mood_key_keeps_a_teammates_own_checkin(configured: TeamConfig, bens_machine: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Ben's turn shows his check-in; `3` writes a new version with his status and blocker kept, mood 3."""
    team = configured
    code, _, err = huddle(capsys, "checkin", "--member", "Ben", "--mood", "4", "--status", STATUS,
                          "--blocker", BLOCKER, "--date", ISO, machine=bens_machine)
    assert code == 0, err
    (given,) = versions(team.shared_dir)
    app = build_app(team, FakeClock())
    async with app.run_test(size=(110, 32)) as pilot:
        screen = await open_round(pilot)
        await turn_of(pilot, screen, "Ben")
        shown = said(screen)
        assert "mood 4 good" in shown and STATUS in shown and f"blocker: {BLOCKER}" in shown, shown
        assert "checked in from their terminal" in shown, shown
        await pilot.press("3")
        await settle(pilot)
        shown = said(screen)
        assert "mood 3 okay" in shown and STATUS in shown and BLOCKER in shown, shown
        assert "not saved yet" not in shown
    bens = [r for r in versions(team.shared_dir) if r.id == BEN_NAMED]
    assert [r.version for r in bens] == [1, 2]
    kept = bens[1].payload
    assert kept["mood"] == 3 and kept["visibility"] == "team" and kept["member"] == "Ben"
    assert kept["status"] == STATUS
    assert kept["concerns"] == given.payload["concerns"]  # the blocker, with its own id, unchanged
    assert [r.id for r in live_checkins(team)] == [BEN_NAMED]


@pytest.mark.parametrize("flag", ["--anonymous", "--private"])
async def test_the_mood_key_never_touches_an_answer_kept_on_a_teammates_machine(
        configured: TeamConfig, bens_machine: Path, flag: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ben's turn says he checked in from his own terminal; `3` changes and doubles nothing: 5 of 5."""
    team = configured
    code, _, err = huddle(capsys, "checkin", "--member", "Ben", "--mood", "4", "--status", STATUS,
                          "--blocker", BLOCKER, "--date", ISO, flag, machine=bens_machine)
    assert code == 0, err
    for name in OTHERS:
        assert huddle(capsys, "checkin", "--member", name, "--mood", "3", "--date", ISO)[0] == 0
    before = fingerprint(team.shared_dir)
    app = build_app(team, FakeClock())
    notes = record_notices(app, monkeypatch)
    async with app.run_test(size=(110, 32), notifications=True) as pilot:
        screen = await open_round(pilot)
        await turn_of(pilot, screen, "Ben")
        assert "checked in from their own terminal" in said(screen)
        assert "mood 4" not in said(screen) and STATUS not in said(screen)
        await pilot.press("3")
        await settle(pilot)
        assert "checked in from their own terminal" in said(screen)
        assert any("their answer stays as they gave it" in n for n in notes), notes
    assert {(i, v) for i, v, _ in fingerprint(team.shared_dir) - before} <= {
        (r.id, r.version) for r in versions(team.shared_dir, "huddle")}  # only the round itself was written
    bens = [r for r in live_checkins(team) if r.payload.get("member") == "Ben"]
    assert len(bens) == 1 and bens[0].payload["visibility"] == "withheld" and "mood" not in bens[0].payload
    assert anonymous_answers(team) == []  # an anonymous answer waits on Ben's machine (k = 3)
    if flag == "--anonymous":
        assert [(a.payload["mood"], a.payload["status"], a.version) for a in held_back(bens_machine)] == [
            (4, STATUS, 1)]
    else:
        kept = FolderStore(bens_machine / "private", durable=False, private=True).read().live("checkin")
        assert [(r.payload["member"], r.payload["mood"]) for r in kept] == [("Ben", 4)]
    assert versions(paths.private_dir()) == []  # nothing landed in the facilitator's private folder
    summary = summary_json(capsys)
    assert (summary["answered"], summary["expected"]) == (5, 5)
    assert "Check-ins: 5 of 5 expected" in huddle(capsys, "summary", "--date", ISO)[1]


async def test_a_checkin_arriving_during_the_round_is_not_overwritten_by_the_key(
        configured: TeamConfig, bens_machine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Ben checks in anonymously after the round read the check-ins: his key is refused by the records."""
    team = configured
    app = build_app(team, FakeClock())
    async with app.run_test(size=(110, 32)) as pilot:
        screen = await open_round(pilot)
        code, _, err = huddle(capsys, "checkin", "--member", "Ben", "--mood", "4", "--status", STATUS,
                              "--date", ISO, "--anonymous", machine=bens_machine)
        assert code == 0, err
        await turn_of(pilot, screen, "Ben")
        await pilot.press("3")
        await settle(pilot)
        assert "checked in from their own terminal" in said(screen)
    bens = [r for r in versions(team.shared_dir) if r.id == BEN_NAMED]
    assert [(r.version, r.payload["visibility"]) for r in bens] == [(1, "withheld")]
    assert [(a.payload["mood"], a.version) for a in held_back(bens_machine)] == [(4, 1)]


# ---------------------------------------------------------------- 2. visibility changes the same day


def test_named_then_anonymous_withdraws_the_named_answer(configured: TeamConfig,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The named record becomes a placeholder, one anonymous answer (a re-check-in is its new version)."""
    team = configured
    assert huddle(capsys, "checkin", "--member", "Ben", "--mood", "4", "--status", STATUS,
                  "--date", ISO)[0] == 0
    code, out, err = huddle(capsys, "checkin", "--member", "Ben", "--mood", "2", "--status", "tired",
                            "--date", ISO, "--anonymous")
    assert code == 0, err
    assert "Withdrawn from the team's view: the check-in you shared by name" in out
    code, out, err = huddle(capsys, "checkin", "--member", "Ben", "--mood", "1", "--date", ISO, "--anonymous")
    assert code == 0 and "Withdrawn" not in out, err
    (named,) = [r for r in live_checkins(team) if r.id == BEN_NAMED]
    assert named.payload["visibility"] == "withheld"
    assert "mood" not in named.payload and "status" not in named.payload
    assert anonymous_answers(team) == []  # it waits here: fewer than 3 could have given it
    (answer,) = held_back(paths.data_dir())
    assert answer.payload["mood"] == 1 and answer.version == 2
    summary = summary_json(capsys)
    assert (summary["answered"], summary["anonymous_checkins"], summary["checked_in"]) == (1, None, [])
    assert "Check-ins: 1 of 5 expected" in huddle(capsys, "summary", "--date", ISO)[1]


def test_named_then_private_leaves_only_the_placeholder_in_the_shared_folder(
        configured: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """The named record becomes a placeholder; the answer is in this machine's private folder only."""
    team = configured
    assert huddle(capsys, "checkin", "--member", "Ben", "--mood", "4", "--date", ISO)[0] == 0
    code, out, err = huddle(capsys, "checkin", "--member", "Ben", "--mood", "2", "--status", "PRIVATE-worry",
                            "--date", ISO, "--private")
    assert code == 0 and "Withdrawn from the team's view: the check-in you shared by name" in out, err
    (named,) = live_checkins(team)
    assert named.id == BEN_NAMED and named.payload["visibility"] == "withheld" and "mood" not in named.payload
    assert not any(b"PRIVATE-worry" in p.read_bytes() for p in record_files(team.shared_dir))
    kept = FolderStore(paths.private_dir(), durable=False, private=True).read(("checkin",)).live("checkin")
    assert [(r.payload["member"], r.payload["mood"], r.payload["status"]) for r in kept] == [
        ("Ben", 2, "PRIVATE-worry")]
    summary = summary_json(capsys)
    assert (summary["answered"], summary["anonymous_checkins"]) == (1, None)


def test_anonymous_then_named_tombstones_the_anonymous_answer(configured: TeamConfig,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The anonymous answer gets a tombstone; one named answer; Ben counted once."""
    team = configured
    assert huddle(capsys, "checkin", "--member", "Ben", "--mood", "2", "--date", ISO, "--anonymous")[0] == 0
    assert len(held_back(paths.data_dir())) == 1
    # --named: a second check-in keeps the first one's visibility unless told otherwise.
    code, _, err = huddle(capsys, "checkin", "--member", "Ben", "--mood", "4", "--date", ISO, "--named")
    assert code == 0, err
    assert held_back(paths.data_dir()) == []  # the waiting anonymous answer is taken back, never sent
    assert anonymous_answers(team) == []
    assert [(r.id, r.payload["mood"]) for r in live_checkins(team)] == [(BEN_NAMED, 4)]
    summary = summary_json(capsys)
    assert (summary["answered"], summary["anonymous_checkins"], summary["checked_in"]) == (1, None, ["Ben"])


@pytest.mark.parametrize("held", ["--anonymous", "--private"])
@pytest.mark.parametrize("attempt", ["--named", "--anonymous", "--private"])
def test_an_answer_held_on_another_machine_cannot_be_changed_here(
        configured: TeamConfig, bens_machine: Path, held: str, attempt: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 2 with one line; nothing is written to the shared folder or this machine's private folder."""
    team = configured
    assert huddle(capsys, "checkin", "--member", "Ben", "--mood", "4", "--date", ISO, held,
                  machine=bens_machine)[0] == 0
    shared_before = fingerprint(team.shared_dir)
    bens_before = fingerprint(bens_machine / "private") if (bens_machine / "private").exists() else set()
    code, out, err = huddle(capsys, "checkin", "--member", "Ben", "--mood", "1", "--date", ISO, attempt)
    assert code == 2 and out == ""
    assert "another machine" in one_line(err)
    assert fingerprint(team.shared_dir) == shared_before
    assert not paths.private_dir().exists() or fingerprint(paths.private_dir()) == set()
    bens_after = fingerprint(bens_machine / "private") if (bens_machine / "private").exists() else set()
    assert bens_after == bens_before


# ---------------------------------------------------------------- 3. a second round on a held day


async def test_a_second_round_on_a_held_day_never_overwrites_the_first(
        configured: TeamConfig, capsys: pytest.CaptureFixture[str]) -> None:
    """Held by keys; a new app offers summary or another round; two huddle records, the first unchanged."""
    team = configured
    clock = FakeClock()
    app = build_app(team, clock)
    async with app.run_test(size=(110, 32)) as pilot:
        screen = await open_round(pilot)
        facilitator = screen.facilitator
        clock.step(30.0)
        await pilot.press("4", "space")
        clock.step(20.0)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
    (first,) = [r for r in FolderStore(team.shared_dir).read(("huddle",)).live("huddle") if r.date == ISO]
    first_turns = first.payload["turns"]
    assert first_turns and first.payload["ended_at"]
    first_files = [r for r in versions(team.shared_dir, "huddle")]

    again = build_app(team, clock)
    async with again.run_test(size=(110, 32)) as pilot:
        lobby = await open_lobby(pilot)
        assert lobby.rounds_held == 1
        await pilot.press("enter")
        await pilot.pause()
        chooser = again.screen
        assert isinstance(chooser, Choose) and chooser.names == [VIEW_SUMMARY, ANOTHER_ROUND]
        await pilot.press("down", "enter")
        await settle(pilot)
        second = again.screen
        assert isinstance(second, RoundScreen) and second.round_no == 2
        clock.step(40.0)
        await pilot.press("e")
        await settle(pilot)

    held = [r for r in FolderStore(team.shared_dir).read(("huddle",)).live("huddle") if r.date == ISO]
    assert len(held) == 2
    assert first in held  # same id, version, checksum and payload: turns and airtime untouched
    (other,) = [r for r in held if r.id != first.id]
    assert other.payload["round"] == 2 and other.payload["ended_at"] and other.payload["turns"]
    assert [r for r in versions(team.shared_dir, "huddle") if r.id == first.id] == first_files
    code, out, err = huddle(capsys, "next", "--date", ISO, "--json")
    plan = json.loads(out)
    assert code == 0 and (plan["facilitator"], plan["reason"]) == (facilitator, "held"), err
    assert summary_json(capsys)["rounds"] == 2


async def test_viewing_the_summary_of_a_held_day_writes_nothing(configured: TeamConfig) -> None:
    """The other choice on a held day shows the summary; no new huddle record."""
    team = configured
    Journal(team).save_huddle(Huddle(ISO, "Ana", ("Ana", "Ben"), (Turn("Ana", 150, 60), Turn("Ben", 150, 90)),
                                     300.0, f"{ISO}T09:00:00Z", f"{ISO}T09:03:00Z"))
    before = fingerprint(team.shared_dir)
    app = build_app(team, FakeClock())
    async with app.run_test(size=(110, 32)) as pilot:
        await open_lobby(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, Choose)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
    assert fingerprint(team.shared_dir) == before


# ---------------------------------------------------------------- 4. a failed save is never shown as given


def block_checkins(shared: Path) -> Callable[[], None]:
    """Make check-ins unwritable in the shared folder; return what makes them writable again.

    Read-only modes where they bind; root ignores modes, so there a regular
    file takes the place of the month's folder, which fails the write as surely.
    """
    kind = shared / "records" / "checkin"
    kind.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        kind.chmod(0o555)
        return lambda: kind.chmod(0o755)
    month = kind / ISO[:7]
    month.write_bytes(b"")
    return month.unlink


async def test_a_failed_save_is_shown_as_not_saved_retried_and_lands_once(configured: TeamConfig) -> None:
    """'not saved yet' on the turn and the bar; quitting asks and Stay stays; once writable it lands once."""
    team = configured
    unblock = block_checkins(team.shared_dir)
    app = build_app(team, FakeClock())
    try:
        async with app.run_test(size=(110, 32)) as pilot:
            screen = await open_round(pilot)
            speaker = screen.pulse.view().speaker
            assert speaker is not None
            await pilot.press("3")
            await settle(pilot)
            assert "not saved yet" in said(screen)
            assert "1 not saved yet" in status_bar(app)
            assert app.io.unsaved == 1 and app.io.failing

            await pilot.press("ctrl+q")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, Choose) and STAY in dialog.names and "not done yet" in dialog.title_text
            await pilot.press("enter")  # Stay
            await settle(pilot)
            assert app.is_running and app.screen is screen
            assert "not saved yet" in said(screen)
            assert not (team.shared_dir / "records" / "checkin" / ISO[:7]).is_dir()

            unblock()
            unblock = lambda: None  # noqa: E731
            app.io.retry_now()
            await settle(pilot)
            assert "not saved yet" not in said(screen) and "mood 3 okay" in said(screen)
            assert "not saved yet" not in status_bar(app)
            assert app.io.unsaved == 0
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert not isinstance(app.screen, Choose)
    finally:
        unblock()
    saved = versions(team.shared_dir)
    assert [(r.id, r.version, r.payload["mood"]) for r in saved] == [
        (named_id("checkin", speaker, ISO), 1, 3)]


# ---------------------------------------------------------------- 5. outbox and folder agree after a kill


KILLER = """
import os, signal, sys
from huddle_tui.storage.folder import FolderStore
from huddle_tui.sync.outbox import Outbox

where, _, nth = os.environ["HUDDLE_TEST_KILL"].partition(":")
calls = [0]

def dies_at_call(method):
    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == int(nth):
            os.kill(os.getpid(), signal.SIGKILL)
        return method(*args, **kwargs)
    return wrapper

if where == "write":
    FolderStore.write = dies_at_call(FolderStore.write)
else:
    Outbox.settle = dies_at_call(Outbox.settle)
from huddle_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def killed(kill_at: str, *args: str) -> None:
    """Run `huddle ARGS` in a child that SIGKILLs itself at `kill_at` ("write:N" or "settle:N")."""
    result = subprocess.run([sys.executable, "-c", KILLER, *args], capture_output=True, text=True,
                            env={**os.environ, "HUDDLE_TEST_KILL": kill_at}, timeout=120)
    assert result.returncode == -signal.SIGKILL, (result.returncode, result.stderr)


@pytest.mark.parametrize("kill_at", ["write:1", "settle:1"])
def test_after_a_kill_the_endpoint_gets_exactly_the_folders_records(configured: TeamConfig, tmp_path: Path,
                                                                    kill_at: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed between the note and the write, or the write and the queue: sync sends what the folder holds."""
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    server_dir = tmp_path / "server"
    server = LiveServer(create_app(server_dir, (TOKEN,), durable=False)).start()
    try:
        team = with_endpoints(configured, records_endpoint(server.url))
        killed(kill_at, "checkin", "--member", "Ben", "--mood", "4", "--status", "FIRST-BODY", "--date", ISO)
        with Outbox() as outbox:
            assert len(outbox.intents()) == 1 and outbox.items() == []  # killed at the moment asked for
        written = versions(team.shared_dir)
        assert [r.payload["status"] for r in written] == ([] if kill_at == "write:1" else ["FIRST-BODY"])

        again = run_huddle("checkin", "--member", "Ben", "--mood", "2", "--status", "SECOND-BODY",
                           "--date", ISO)
        assert again.returncode == 0, again.stderr
        sent = run_huddle("sync")
        assert sent.returncode == 0, sent.stdout + sent.stderr
    finally:
        server.stop()
    folder = fingerprint(team.shared_dir)
    assert fingerprint(server_dir) == folder
    statuses = [r.payload["status"] for r in versions(team.shared_dir)]
    assert statuses == (["SECOND-BODY"] if kill_at == "write:1" else ["FIRST-BODY", "SECOND-BODY"])
    if kill_at == "write:1":
        assert not any(b"FIRST-BODY" in p.read_bytes() for p in record_files(server_dir))
    with Outbox() as outbox:
        assert outbox.intents() == [] and outbox.items() == []


@pytest.mark.parametrize("flag", ["--anonymous", "--private"])
def test_a_kill_in_the_middle_of_a_visibility_change_never_locks_the_member_out(
        configured: TeamConfig, flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Killed between the two files of a change from named: the same command again succeeds, Ben once."""
    team = configured
    assert huddle(capsys, "checkin", "--member", "Ben", "--mood", "4", "--date", ISO)[0] == 0
    killed("write:2", "checkin", "--member", "Ben", "--mood", "2", "--date", ISO, flag)
    code, _, err = huddle(capsys, "checkin", "--member", "Ben", "--mood", "2", "--status", "again",
                          "--date", ISO, flag)
    assert code == 0, err
    (named,) = [r for r in live_checkins(team) if r.id == BEN_NAMED]
    assert named.payload["visibility"] == "withheld"
    held = (held_back(paths.data_dir()) if flag == "--anonymous"
            else FolderStore(paths.private_dir(), durable=False, private=True).read().live("checkin"))
    assert [(r.payload["mood"], r.payload["status"]) for r in held] == [(2, "again")]
    assert summary_json(capsys)["answered"] == 1


# ---------------------------------------------------------------- 6. the chat summary has the round's airtime


def test_the_chat_post_after_a_round_has_the_airtime_of_its_final_version(configured: TeamConfig) -> None:
    """Turns saved only in the final huddle version: the queued (and posted) summary lists their airtime."""
    receiver = Receiver()
    server = LiveServer(receiver).start()
    try:
        chat = Endpoint(url=f"{server.url}/hook", format="mattermost", name="chat")
        team = with_endpoints(configured, chat)
        journal = open_journal(team, durable=False)
        order = ("Ana", "Ben", "Chen")
        started = Huddle(ISO, "Ana", order, (), 300.0, f"{ISO}T09:00:00Z", None)
        journal.save_huddle(started)
        with Outbox() as outbox:
            assert outbox.items("chat") == []
        turns = (Turn("Ana", 60, 45), Turn("Ben", 60, 70), Turn("Chen", 60, 0, skipped=True))
        journal.save_huddle(started._replace(turns=turns, ended_at=f"{ISO}T09:02:00Z"))
        with Outbox() as outbox:
            (item,) = outbox.items("chat")
        text = json.loads(item.body)["text"]
        for line in ("Airtime", "Ana: 0:45 of 1:00", "Ben: 1:10 of 1:00", "Chen: skipped",
                     "Round: 1:55 of 5:00"):
            assert line in text, text
        report = sync_once(team)
    finally:
        server.stop()
    assert report.ok, report
    (posted,) = receiver.posts
    assert "Ben: 1:10 of 1:00" in json.loads(posted[1])["text"]


# ---------------------------------------------------------------- 7. small refusals and working days


def rewrite(team: TeamConfig) -> TeamConfig:
    """Write the team's huddle.toml as a person would edit it, and load it back."""
    assert team.path is not None
    write_toml(team.path, team_config_to_toml(team))
    return load_team_config(team.path)


def chen_away(team: TeamConfig) -> TeamConfig:
    """Chen away for the week of DAY, in huddle.toml."""
    week = AwayRange(DAY, date(2026, 3, 6))
    return rewrite(team._replace(members=tuple(m._replace(away=(week,)) if m.name == "Chen" else m
                                               for m in team.members)))


@pytest.mark.parametrize("how", ["config", "recorded", "command"])
def test_a_handoff_to_someone_away_is_refused(configured: TeamConfig, how: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Away in huddle.toml, or recorded in the shared folder: exit 2, one line, no handoff record."""
    if how == "config":
        chen_away(configured)
    elif how == "recorded":
        Journal(configured).save_away(Away("Chen", ISO, "2026-03-06", "conference"))
    elif "away" not in COMMANDS:
        pytest.skip("there is no `huddle away` command (see huddle --help); Journal.save_away records it")
    else:
        code, _, err = huddle(capsys, "away", "--member", "Chen", "--from", ISO, "--to", "2026-03-06")
        assert code == 0, err
    code, out, err = huddle(capsys, "next", "--date", ISO, "--handoff", "Chen", "--reason", "covering")
    assert code == 2 and out == "" and "Chen is away" in one_line(err)
    assert versions(configured.shared_dir, "handoff") == []


def test_a_handoff_for_a_held_day_is_refused(configured: TeamConfig,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Once the day's huddle is held, its facilitator cannot change: exit 2, one line."""
    assert huddle(capsys, "next", "--date", ISO, "--confirm")[0] == 0
    held_by = json.loads(huddle(capsys, "next", "--date", ISO, "--json")[1])["facilitator"]
    taker = next(n for n in ("Ana", "Ben") if n != held_by)
    code, out, err = huddle(capsys, "next", "--date", ISO, "--handoff", taker)
    assert code == 2 and out == "" and "already held" in one_line(err)
    assert versions(configured.shared_dir, "handoff") == []


@pytest.mark.parametrize("how", ["config", "recorded"])
def test_a_bot_checkin_for_someone_away_is_refused(configured: TeamConfig, how: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Refused with one line; the day's summary counts 4 of 4, never 5 of 4."""
    if how == "config":
        chen_away(configured)
    else:
        Journal(configured).save_away(Away("Chen", ISO, ISO))
    lines = "".join(json.dumps({"member": n, "mood": 3, "date": ISO}) + "\n"
                    for n in ("Ana", "Ben", "Chen", "Dara", "Emeka"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdin", io.StringIO(lines))
        code, _, err = huddle(capsys, "checkin", "--from-json", "-")
    assert code == 5  # partly done: four saved, one refused
    assert "Chen is away" in one_line(err)
    assert not any(r.payload.get("member") == "Chen" for r in versions(configured.shared_dir))
    summary = summary_json(capsys)
    assert (summary["answered"], summary["expected"]) == (4, 4)


def feed(capsys: pytest.CaptureFixture[str], line: str) -> tuple[int, str, str]:
    """`huddle checkin --from-json -` with one line on stdin."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdin", io.StringIO(line + "\n"))
        return huddle(capsys, "checkin", "--from-json", "-")


def test_a_bot_line_without_a_member_is_not_saved_as_the_user(configured: TeamConfig,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """With `me` set in the user config, a line naming nobody is still refused, not saved as me."""
    write_toml(paths.user_config_file(), user_config_to_toml(UserConfig(me="Ana")))
    code, _, err = feed(capsys, json.dumps({"mood": 4, "date": ISO}))
    assert code == 2 and "member is required" in one_line(err)
    assert versions(configured.shared_dir) == []


@pytest.mark.parametrize("line", [
    {"member": "Ben", "mood": "4", "date": ISO},
    {"member": "Ben", "mood": 4, "date": "9999-12-31"},
    {"member": "Ben", "mood": 4, "date": "0001-01-01"},
])
def test_bad_bot_lines_are_refused(configured: TeamConfig, line: dict[str, object],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A mood given as a string, a date out of range: exit 2, one line, nothing saved."""
    code, _, err = feed(capsys, json.dumps(line))
    assert code == 2
    one_line(err)
    assert versions(configured.shared_dir) == []


@pytest.mark.parametrize("command", [["checkin", "--member", "Ben", "--mood", "3"], ["next"], ["summary"]])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_dates_out_of_range_are_refused(configured: TeamConfig, command: list[str], day: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 2 with one line, nothing saved."""
    code, out, err = huddle(capsys, *command, "--date", day)
    assert code == 2 and out == "" and "out of range" in one_line(err)
    assert not (configured.shared_dir / "records").exists()


def test_a_saturday_has_no_facilitator_and_no_expected_checkins(configured: TeamConfig,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """With the default Monday-to-Friday week: nobody facilitates, nobody is expected, check-ins refused."""
    code, out, _ = huddle(capsys, "next", "--date", SATURDAY, "--json")
    plan = json.loads(out)
    assert code == 0 and plan["facilitator"] is None and plan["order"] == []
    assert summary_json(capsys, SATURDAY)["expected"] == 0
    code, out, err = huddle(capsys, "checkin", "--member", "Ben", "--mood", "3", "--date", SATURDAY)
    assert code == 2 and "not a working day" in one_line(err)
    code, _, _ = huddle(capsys, "next", "--date", SATURDAY, "--confirm")
    assert code == 0 and versions(configured.shared_dir, "huddle") == []  # nothing to record as held
    assert not (configured.shared_dir / "records").exists()


def test_workdays_and_holidays_in_huddle_toml_are_honoured(configured: TeamConfig,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A Monday-to-Saturday team huddles on Saturday; a holiday is a day off like a Sunday."""
    holiday, sunday = "2026-03-04", "2026-03-08"
    rewrite(configured._replace(workdays=(0, 1, 2, 3, 4, 5),
                                holidays=frozenset({date.fromisoformat(holiday)})))
    plan = json.loads(huddle(capsys, "next", "--date", SATURDAY, "--json")[1])
    assert plan["facilitator"] is not None and len(plan["order"]) == 5
    assert summary_json(capsys, SATURDAY)["expected"] == 5
    assert huddle(capsys, "checkin", "--member", "Ben", "--mood", "3", "--date", SATURDAY)[0] == 0
    for off in (holiday, sunday):
        plan = json.loads(huddle(capsys, "next", "--date", off, "--json")[1])
        assert plan["facilitator"] is None and plan["order"] == [], off
        assert summary_json(capsys, off)["expected"] == 0
        code, _, err = huddle(capsys, "checkin", "--member", "Ben", "--mood", "3", "--date", off)
        assert code == 2 and "not a working day" in one_line(err)
    assert [r.date for r in versions(configured.shared_dir)] == [SATURDAY]


def test_with_no_config_at_all_a_checkin_is_for_the_login_user(capsys: pytest.CaptureFixture[str]) -> None:
    """No huddle.toml, no user config: `huddle checkin --mood 3` saves for the person `next` names."""
    assert os.environ.get("HUDDLE_CONFIG") is None and not Path("huddle.toml").exists()
    code, _, err = huddle(capsys, "checkin", "--mood", "3", "--date", ISO)
    assert code == 0, err
    plan = json.loads(huddle(capsys, "next", "--date", ISO, "--json")[1])
    (saved,) = versions(paths.default_shared_dir())
    assert saved.payload["member"] == plan["facilitator"] == getpass.getuser()
    assert saved.payload["mood"] == 3
