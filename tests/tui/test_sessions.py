"""A peer circle and a debrief run by keys on the pulse's engine: the signed records they leave, and pictures.

Each member has their own machine (data folder, signing key); the session
runs on Ana's. What is kept in the room opens for the room and nobody else.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from huddle_tui import sessions
from huddle_tui.config.team import TeamConfig, load_team_config, team_config_to_toml, write_toml
from huddle_tui.config.user import UserConfig
from huddle_tui.journal import Journal
from huddle_tui.model.sessions import CIRCLE_PROMPTS, DEBRIEF, ROOM, TEAM, Session
from huddle_tui.sessions import SessionPlan
from huddle_tui.storage.localkey import signing_key_path
from huddle_tui.storage.signature import load_machine_key
from huddle_tui.tui.app import HuddleApp
from huddle_tui.tui.screens.session import SessionEndScreen, SessionScreen
from tests.fakeclock import FakeClock
from tests.tui.conftest import DAY, fixed_now
from tests.tui.helpers import screen_text, settle

NAMES = ["Ana", "Ben", "Chen", "Dara", "Emeka"]
KEPT = "I will say no to the second on-call week"
SHARED = "Pairing on the release checklist halved the stress"


def machine(team: TeamConfig, tmp_path: Path, name: str) -> Journal:
    """`name`'s own machine: its own data folder, signing key and keyring."""
    return Journal(team, me=name, data_dir=tmp_path / "machines" / name, now=fixed_now, durable=False)


@pytest.fixture
def room(shared: Path, tmp_path: Path) -> TeamConfig:
    """Five members opted in to circles (one circle of five), each with a key published from their machine."""
    doc = team_config_to_toml(TeamConfig(name="Platform", members=(), shared_dir=shared))
    doc["members"] = [{"name": n, "circles": True} for n in NAMES]
    write_toml(shared / "huddle.toml", doc)
    team = load_team_config(shared / "huddle.toml")
    for name in NAMES:
        assert machine(team, tmp_path, name).signing_key() is not None
    return team


def session_app(team: TeamConfig, journal: Journal, plan: SessionPlan, clock: FakeClock) -> HuddleApp:
    """The app opened straight into the session, as `huddle circle` and `huddle debrief` open it."""
    return HuddleApp(team, UserConfig(), today=DAY, clock=clock, journal=journal, session=plan)


def record_files(shared: Path, kind: str) -> list[dict[str, object]]:
    """Every version of every record of `kind` in the folder, as the files hold them (signature and all)."""
    return [json.loads(p.read_text()) for p in sorted(shared.rglob(f"records/{kind}/*/*.json"))]


def public_key(tmp_path: Path, name: str) -> str:
    """The signing key of `name`'s machine."""
    return load_machine_key(signing_key_path(tmp_path / "machines" / name)).public


async def leave(pilot: Pilot[int], keys: tuple[str, ...]) -> None:
    """Press keys, then let the IO worker write what they asked."""
    await pilot.press(*keys)
    await settle(pilot)


async def test_a_circle_run_by_keys_records_its_turns_a_takeaway_and_thanks(
        room: TeamConfig, shared: Path, tmp_path: Path, clock: FakeClock) -> None:
    """Turns, skip, +30 s, pause and end on the pulse's engine; the records are signed by Ana's machine."""
    ana = machine(room, tmp_path, "Ana")
    plan = sessions.circle_plan(ana, DAY, today=DAY, save=True)
    assert sorted(plan.members) == NAMES and plan.order[0] == plan.facilitator
    app = session_app(room, ana, plan, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        text = screen_text(app)
        assert all(p in text for p in CIRCLE_PROMPTS)
        assert app.screen.pulse.current is not None and app.screen.pulse.current.speaker == plan.order[0]
        clock.step(100.0)  # the first speaker, 100 s of 120
        await pilot.press("space")
        await pilot.press("s")  # the second is absent …
        await leave(pilot, ("l", "enter"))  # … and arrives: a turn at the end
        await pilot.press("plus")  # the third gets 30 s more
        clock.step(50.0)
        await pilot.press("p")
        clock.step(500.0)  # paused: none of this counts
        await pilot.press("p")
        clock.step(10.0)
        await leave(pilot, ("e",))
        assert isinstance(app.screen, SessionEndScreen)
        await leave(pilot, ("t", *KEPT, "enter"))
        await leave(pilot, ("enter",))  # the first choice: keep it in the room
        await leave(pilot, ("t", *SHARED, "enter"))
        await leave(pilot, ("down", "enter"))  # share with the team, named
        await leave(pilot, ("k", "enter"))  # thank the first other person in the room
        assert "Takeaway kept in the room" in screen_text(app)

    mine = public_key(tmp_path, "Ana")
    files = [f for kind in ("session", "takeaway", "thanks") for f in record_files(shared, kind)]
    assert files and all(f["record"]["signer"] == mine and f["signature"] for f in files)  # type: ignore[index]
    sid = sessions.session_id(room, plan)
    held = [h for h in sessions.held(ana, DAY, DAY) if h.id == sid]
    assert len(held) == 1
    session = held[0].session
    assert session.ended_at is not None and session.round == plan.round
    turns = {t.speaker: t for t in session.turns}
    first, second, third = plan.order[:3]
    assert turns[first].spoken_s == 100.0 and not turns[first].skipped
    assert turns[second].skipped and turns[second].late and turns[second].spoken_s == 0.0  # not reached
    assert session.order[-1] == second
    assert turns[third].spoken_s == 60.0 and turns[third].timebox_s > 30.0
    assert all(turns[n].skipped for n in plan.order[3:])  # ended before their turns
    assert session.attended == (first, third)

    left = sessions.takeaways(ana, sid, session)
    assert sorted((t.author, t.share, t.text) for t in left) == [("Ana", ROOM, KEPT), ("Ana", TEAM, SHARED)]
    for name in NAMES:  # every member of the circle opens what was kept in it
        opened = {t.share: t.text for t in sessions.takeaways(machine(room, tmp_path, name), sid, session)}
        assert opened == {ROOM: KEPT, TEAM: SHARED}
    raw = b"".join(p.read_bytes() for p in shared.rglob("*") if p.is_file())
    assert KEPT.encode() not in raw and SHARED.encode() in raw
    thanks = [f["record"]["payload"] for f in record_files(shared, "thanks")]  # type: ignore[index]
    assert thanks == [{"member": "Ana", "session": sid, "type": "circle",
                       "to": next(n for n in session.members if n != "Ana")}]


async def test_a_debrief_by_keys_is_sealed_to_those_who_came(
        room: TeamConfig, shared: Path, tmp_path: Path, clock: FakeClock) -> None:
    """A debrief for three: the event, its date and who attended are recorded; an outsider reads nothing."""
    ana = machine(room, tmp_path, "Ana")
    plan = sessions.debrief_plan(ana, DAY, "Launch v2", ["Ana", "Ben", "Chen"])
    app = session_app(room, ana, plan, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "What do we keep?" in screen_text(app) and "Launch v2" in screen_text(app)
        for _ in plan.order:
            clock.step(40.0)
            await pilot.press("space")
        await settle(pilot)
        assert isinstance(app.screen, SessionEndScreen)
        await leave(pilot, ("t", *KEPT, "enter"))
        await leave(pilot, ("enter",))
    sid = sessions.session_id(room, plan)
    session = next(h.session for h in sessions.held(ana, DAY, DAY) if h.id == sid)
    assert (session.kind, session.event, session.date) == (DEBRIEF, "Launch v2", DAY.isoformat())
    assert sorted(session.attended) == ["Ana", "Ben", "Chen"]
    for name in ("Ben", "Chen"):
        assert sessions.takeaways(machine(room, tmp_path, name), sid, session)[0].text == KEPT
    for name in ("Dara", "Emeka"):  # on the team, not in the room
        assert [t.text for t in sessions.takeaways(machine(room, tmp_path, name), sid, session)] == [None]
    raw = b"".join(p.read_bytes() for p in shared.rglob("*") if p.is_file())
    assert KEPT.encode() not in raw and b"Launch v2" in raw


async def test_a_takeaway_left_anonymously_by_keys_writes_nothing_to_the_shared_folder(
        room: TeamConfig, shared: Path, tmp_path: Path, clock: FakeClock) -> None:
    """A team whose anonymous answers are totals: the end screen offers "with no name", third.

    Chosen, it is kept on Ana's machine only (her next check-in carries it):
    no takeaway record anywhere in the shared folder, no file changed.
    """
    totals = room._replace(anonymous="totals")
    write_toml(shared / "huddle.toml", team_config_to_toml(totals))
    team = load_team_config(shared / "huddle.toml")
    ana = machine(team, tmp_path, "Ana")
    plan = sessions.debrief_plan(ana, DAY, "Launch v2", ["Ana", "Ben", "Chen"])
    app = session_app(team, ana, plan, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in plan.order:
            clock.step(40.0)
            await pilot.press("space")
        await settle(pilot)
        assert isinstance(app.screen, SessionEndScreen)
        before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in shared.rglob("*") if p.is_file()}
        await leave(pilot, ("t", *KEPT, "enter"))
        assert "with no name" in screen_text(app)
        await leave(pilot, ("down", "down", "enter"))
        assert "Takeaway kept on this machine" in screen_text(app)
        after = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in shared.rglob("*") if p.is_file()}
        assert after == before
    assert record_files(shared, "takeaway") == []
    from huddle_tui.totals.takeaways import kept

    assert [w.words for w in kept(ana.private, "Ana")] == [KEPT]


Before = Callable[[Pilot[int]], Awaitable[None]]


def turn_steps(clock: FakeClock) -> Before:
    """The first turn, 12.3 s in."""

    async def run(pilot: Pilot[int]) -> None:
        """Open the session and let the clock run."""
        await settle(pilot)
        clock.step(12.3)
        screen = pilot.app.screen
        assert isinstance(screen, SessionScreen)
        screen.tick()
        await pilot.pause()

    return run


def end_steps(clock: FakeClock) -> Before:
    """Every turn spoken, then the end screen."""

    async def run(pilot: Pilot[int]) -> None:
        """Speak, skip one, end."""
        await settle(pilot)
        for spoken in (110.0, 130.0):
            clock.step(spoken)
            await pilot.press("space")
        await pilot.press("s", "e")
        await settle(pilot)

    return run


@pytest.mark.parametrize("size", [(80, 24), (64, 20)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("state", ["turn", "end"])
def test_snapshot_circle(snap_compare: Callable[..., bool], room: TeamConfig, tmp_path: Path,
                         clock: FakeClock, state: str, size: tuple[int, int]) -> None:
    """A circle's turn and its end read whole at the screen-share size and at the minimum."""
    ana = machine(room, tmp_path, "Ana")
    plan = sessions.circle_plan(ana, DAY, today=DAY)
    app = session_app(room, ana, plan, clock)
    steps = turn_steps(clock) if state == "turn" else end_steps(clock)
    assert snap_compare(app, terminal_size=size, run_before=steps)


@pytest.mark.parametrize("size", [(80, 24), (64, 20)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_debrief(snap_compare: Callable[..., bool], room: TeamConfig, tmp_path: Path,
                          clock: FakeClock, size: tuple[int, int]) -> None:
    """A debrief's turn, its four prompts shown whole."""
    ana = machine(room, tmp_path, "Ana")
    plan = sessions.debrief_plan(ana, DAY, "Launch v2")
    assert snap_compare(session_app(room, ana, plan, clock), terminal_size=size, run_before=turn_steps(clock))


def test_a_session_record_is_read_back_as_written() -> None:
    """The payload round-trips, turns and all."""
    from huddle_tui.model.huddle import Turn

    s = Session(DEBRIEF, "2026-03-02", "Ana", ("Ana", "Ben"), ("Ana", "Ben"), event="Launch v2",
                turns=(Turn("Ana", 60.0, 42.0), Turn("Ben", 60.0, 0.0, skipped=True)), round_s=120.0,
                started_at="2026-03-02T09:00:00Z", ended_at="2026-03-02T09:02:00Z")
    assert Session.from_payload(s.date, s.to_payload()) == s
    assert s.attended == ("Ana",)


async def test_a_debrief_from_the_lobby(room: TeamConfig, shared: Path, tmp_path: Path,
                                        clock: FakeClock) -> None:
    """`d` in the lobby asks for the event and opens its debrief for the whole team; the record is signed."""
    from tests.tui.helpers import open_lobby

    ana = machine(room, tmp_path, "Ana")
    app = HuddleApp(room, UserConfig(), today=DAY, clock=clock, journal=ana)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lobby(pilot)
        await leave(pilot, ("d", *"Incident 42", "enter"))
        assert isinstance(app.screen, SessionScreen) and app.screen.plan.event == "Incident 42"
        assert sorted(app.screen.plan.members) == NAMES
        await leave(pilot, ("e",))
        assert isinstance(app.screen, SessionEndScreen)
    found = [h.session for h in sessions.held(ana, DAY, DAY)]
    assert [(s.kind, s.event, s.ended_at is not None) for s in found] == [(DEBRIEF, "Incident 42", True)]
    assert all(f["record"]["signer"] == public_key(tmp_path, "Ana")  # type: ignore[index]
               for f in record_files(shared, "session"))
