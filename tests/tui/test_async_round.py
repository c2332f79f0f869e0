"""A round with two async members: Chen and Dara checked in from their own machines before it started.

Chen shared his answer by name, Dara privately. The lobby shows both as async;
in the round each async turn takes 10 s and shows what its member said by
name (Dara's only as "checked in"); the round's record marks both turns async
and not skipped; the summary and the report count and mark them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from huddle_tui.config.team import TeamConfig
from huddle_tui.config.user import UserConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn, Concern
from huddle_tui.model.huddle import Huddle
from huddle_tui.rules.report import period
from huddle_tui.rules.roundclock import ASYNC_TURN_S
from huddle_tui.rules.summary import render_text
from huddle_tui.tui.app import HuddleApp
from huddle_tui.tui.screens.lobby import LobbyScreen
from huddle_tui.tui.screens.round import RoundScreen
from huddle_tui.tui.screens.summary import SummaryScreen
from tests.fakeclock import FakeClock
from tests.tui.conftest import DAY, fixed_now
from tests.tui.helpers import open_lobby, screen_text, settle

BEFORE = datetime(2026, 3, 2, 8, 40, tzinfo=UTC)  # the round starts at 09:00 (the app's records' clock)
DURING = datetime(2026, 3, 2, 9, 2, tzinfo=UTC)
CHEN_SAYS = "importer shipped"
DARA_SAYS = "a private word"
SPOKEN = {"Chen": 7.0, "Dara": 9.0}  # read out within their 10 s
LIVE_S = 60.0


def facilitators_app(team: TeamConfig, clock: FakeClock) -> HuddleApp:
    """The app on Ben's machine (its records signed by his key, as every member's app signs them)."""
    journal = Journal(team, me="Ben", now=fixed_now, durable=False)
    return HuddleApp(team, UserConfig(me="Ben"), today=DAY, clock=clock, journal=journal)


def machine(team: TeamConfig, home: Path, name: str, when: datetime) -> Journal:
    """`name`'s own machine: its own key and private folder, its clock at `when`."""
    return Journal(team, me=name, data_dir=home / name, private_root=home / name / "private",
                   now=lambda: when, durable=False)


def check_in_ahead(team: TeamConfig, home: Path) -> None:
    """Chen (by name, with a concern) and Dara (privately) check in from their terminals at 08:40."""
    machine(team, home, "Chen", BEFORE).save_checkin(CheckIn(
        DAY.isoformat(), 4, "Chen", CHEN_SAYS, (Concern.new("schema review", "blocker"),)))
    machine(team, home, "Dara", BEFORE).save_checkin(CheckIn(
        DAY.isoformat(), 2, "Dara", DARA_SAYS, visibility="private"))


async def go_to(pilot: Pilot[int], name: str) -> RoundScreen:
    """Press space until it is `name`'s turn."""
    screen = pilot.app.screen
    assert isinstance(screen, RoundScreen)
    for _ in range(len(screen.pulse.slots)):
        current = screen.pulse.current
        assert current is not None
        if current.speaker == name:
            return screen
        await pilot.press("space")
    raise AssertionError(f"{name} has no turn")


async def test_a_round_with_two_async_members(team: TeamConfig, clock: FakeClock, tmp_path: Path) -> None:
    """By keys: the lobby, each turn, the round's record, the summary and participation."""
    check_in_ahead(team, tmp_path)
    app = facilitators_app(team, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        lobby = await open_lobby(pilot)
        assert isinstance(lobby, LobbyScreen) and lobby.asynchronous == {"chen", "dara"}
        text = screen_text(app)
        for name in ("Chen", "Dara"):
            assert any(name in line and "✓ in (async)" in line for line in text.splitlines())
        assert "5 speakers (2 async) · 1:33 a turn" in text  # (300 s − 2 × 10 s) ÷ 3 live speakers

        await pilot.press("enter")
        await settle(pilot)
        started = pilot.app.screen
        assert isinstance(started, RoundScreen)
        order = [s.speaker for s in started.pulse.slots]
        # Emeka checks in from his terminal once the round is under way: his turn is a live one.
        machine(team, tmp_path, "Emeka", DURING).save_checkin(CheckIn(DAY.isoformat(), 3, "Emeka", "here"))
        started.load_checkins()
        await settle(pilot)
        seen: dict[str, str] = {}
        for name in order:
            screen = await go_to(pilot, name)
            await settle(pilot)
            view = screen.pulse.view()
            seen[name] = screen_text(app)
            if name in SPOKEN:
                assert view.timebox_s == ASYNC_TURN_S and "Async check-in" in seen[name]
                clock.step(SPOKEN[name])
            else:
                assert view.timebox_s > ASYNC_TURN_S and "Async check-in" not in seen[name]
                if name == "Ben":
                    await pilot.press("3")  # the facilitator keys Ben's mood in the round
                clock.step(LIVE_S)
            screen.tick()
        assert "mood 4 good ▆" in seen["Chen"] and "Async check-in: read it out" in seen["Chen"]
        assert CHEN_SAYS in seen["Chen"] and "blocker: schema review" in seen["Chen"]
        assert "checked in (not shown by name)" in seen["Dara"] and "read it out" not in seen["Dara"]
        assert DARA_SAYS not in seen["Dara"] and "mood 2" not in seen["Dara"]
        assert "checked in from their terminal" in seen["Emeka"]
        await pilot.press("space")  # after the last turn: the summary
        await settle(pilot)
        assert isinstance(pilot.app.screen, SummaryScreen)
        shown = screen_text(app)
        assert "4 of 5 checked in (2 async)" in shown and f"Chen (async) 4 good: {CHEN_SAYS}" in shown
        assert DARA_SAYS not in shown

    reader = Journal(team)
    rounds = [Huddle.from_payload(r.date, r.payload) for r in reader.read(("huddle",)).live("huddle")]
    assert len(rounds) == 1 and rounds[0].ended_at is not None
    turns = {t.speaker: t for t in rounds[0].turns}
    assert {n for n, t in turns.items() if t.asynchronous} == {"Chen", "Dara"}
    for name, spoken in SPOKEN.items():
        assert turns[name].timebox_s == ASYNC_TURN_S and turns[name].spoken_s == spoken
        assert not turns[name].skipped  # an async turn is a turn taken
    assert all(not t.skipped and t.spoken_s == LIVE_S for n, t in turns.items() if n not in SPOKEN)
    summary = reader.summary(DAY)
    assert summary.asynchronous == ["Chen"] and summary.async_count == 2 and summary.answered == 4
    text = render_text(summary)
    assert "Check-ins: 4 of 5 expected (2 async)" in text and "  Chen (async) — 4 good" in text
    assert "  Chen: async, 0:07 of 0:10" in text and "  Emeka: 1:00 of" in text
    assert DARA_SAYS not in text
    figures = period(reader.report_data(), "day", DAY, DAY)
    assert (figures.submitted, figures.expected, figures.async_checkins) == (4, 5, 2)


Before = Callable[[Pilot[int]], object]


@pytest.mark.parametrize("size", [(80, 24), (64, 20)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("who", ["Chen", "Dara"])
def test_snapshot_of_an_async_turn(snap_compare: Callable[..., bool], team: TeamConfig, clock: FakeClock,
                                   tmp_path: Path, size: tuple[int, int], who: str) -> None:
    """Chen's turn (what he said, by name) and Dara's (only that she checked in), 3 s in."""
    check_in_ahead(team, tmp_path)

    async def to_the_turn(pilot: Pilot[int]) -> None:
        """Start the round and move to the async member's turn, 3 s in."""
        await open_lobby(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = await go_to(pilot, who)
        await settle(pilot)
        clock.step(3.0)
        screen.tick()
        await pilot.pause()

    assert snap_compare(facilitators_app(team, clock), terminal_size=size, run_before=to_the_turn)
