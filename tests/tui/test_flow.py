"""A whole huddle driven by keys, checked by the records written and the messages posted."""

from __future__ import annotations

from textual.message import Message

from huddle_tui.config.team import TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.checkin import CheckIn
from huddle_tui.model.huddle import Huddle
from huddle_tui.tui.messages import (
    CheckinSaved,
    ConcernSaved,
    HandoffSaved,
    HuddleSaved,
    PlanLoaded,
    SummaryReady,
)
from huddle_tui.tui.screens.choose import Choose
from huddle_tui.tui.screens.round import RoundScreen
from huddle_tui.tui.screens.summary import SummaryScreen
from tests.fakeclock import FakeClock
from tests.tui.conftest import DAY, MADE, fixed_now
from tests.tui.helpers import distinct, open_lobby, open_round, screen_text, settle


async def test_whole_huddle_by_keys(make_app: MADE, clock: FakeClock, team: TeamConfig) -> None:
    """Lobby → round with a skip, a latecomer, a pause and overtime → summary → saved records."""
    seen: list[Message] = []
    app = make_app()
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        lobby = await open_lobby(pilot)
        assert lobby.plan is not None
        order = list(lobby.plan.order)
        away = order[2]
        await pilot.press("down", "down", "p", "p")  # third in the order: remote, then away
        assert lobby.presence[away] == "away"
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RoundScreen)
        assert screen.pulse.view().speaker == order[0]
        assert round(screen.pulse.view().timebox_s) == 75  # 300 s ÷ 4 present speakers

        clock.step(20.0)
        await pilot.press("4")  # first speaker: mood 4, 20 s
        await pilot.press("space")
        await pilot.press("s")  # second speaker is absent
        assert screen.pulse.view().speaker == order[3]
        await pilot.press("p")  # pause: time passes but not for the round
        clock.step(100.0)
        await pilot.press("p")
        clock.step(30.0)
        await pilot.press("2", "t")
        await pilot.pause()
        await pilot.press(*"pairing [b]today[/b]", "enter")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"CI is red", "enter")
        await pilot.pause()
        assert "concern: CI is red" in screen_text(app)
        await pilot.press("l")  # the one marked away arrives
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, Choose)
        await pilot.press(*["down"] * picker.names.index(away), "enter")
        await pilot.pause()
        assert [s.speaker for s in screen.pulse.upcoming()][-1] == away
        clock.step(120.0)  # 150 s spoken of a 140 s timebox (280 s ÷ 2 speakers)
        screen.tick()
        await pilot.pause()
        text = screen_text(app)
        assert "over by 0:10" in text
        await pilot.press("space", "space")  # order[4]: no time at all
        assert screen.pulse.view().speaker == away
        clock.step(10.0)
        await pilot.press("5", "space")
        await settle(pilot)
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert "Moods" in screen_text(app)
        assert "Next facilitator:" in summary.markdown

    seen = distinct(seen)
    huddle_msgs = [m for m in seen if isinstance(m, HuddleSaved)]
    assert [m.final for m in huddle_msgs] == [False, True]
    assert {m.speaker: m.saved.checkin.mood for m in seen
            if isinstance(m, CheckinSaved) and m.saved is not None} == {
        order[0]: 4, order[3]: 2, away: 5}
    assert [m.concern.text for m in seen if isinstance(m, ConcernSaved)] == ["CI is red"]
    plans = [i for i, m in enumerate(seen) if isinstance(m, PlanLoaded)]
    assert plans and plans[-1] < seen.index(huddle_msgs[0])  # the lobby stops reading once the round is on
    assert sum(isinstance(m, SummaryReady) for m in seen) == 1

    journal = Journal(team)
    history = journal.read()
    saved = [r for r in history.live("huddle") if r.date == DAY.isoformat()]
    assert len(saved) == 1
    held = Huddle.from_payload(DAY.isoformat(), saved[0].payload)
    assert held.facilitator == order[0] and held.ended_at is not None
    turns = {t.speaker: t for t in held.turns}
    assert turns[order[0]].spoken_s == 20.0 and not turns[order[0]].skipped
    assert turns[order[1]].skipped
    assert turns[order[3]].spoken_s == 150.0  # the 100 s paused are not counted
    assert turns[away].late and turns[away].spoken_s == 10.0
    checkins = {c.member: c for c in journal.checkins(history)}
    assert checkins[order[3]] == CheckIn(DAY.isoformat(), 2, order[3], "pairing [b]today[/b]",
                                         (), "team", "tui")
    concerns = history.live("concern")
    assert [(c.payload["text"], c.payload["member"]) for c in concerns] == [("CI is red", order[3])]
    assert journal.plan(DAY.replace(day=3)).facilitator != order[0]  # the rotation moved on


async def test_handoff_is_recorded_and_changes_the_facilitator(make_app: MADE, team: TeamConfig) -> None:
    """h, a name and a reason: a handoff record, and the lobby shows the new facilitator."""
    seen: list[Message] = []
    app = make_app()
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        lobby = await open_lobby(pilot)
        assert lobby.plan is not None
        first = lobby.plan.facilitator
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.press(*"on a customer call", "enter")
        await settle(pilot)
        assert lobby.plan.facilitator != first
        assert "(handed over)" in screen_text(app)
    seen = distinct(seen)
    handoffs = [m.handoff for m in seen if isinstance(m, HandoffSaved)]
    assert len(handoffs) == 1 and handoffs[0].reason == "on a customer call"
    records = Journal(team).read(("handoff",)).live()
    assert [(r.date, r.payload["from"], r.payload["to"], r.payload["reason"]) for r in records] == [
        (DAY.isoformat(), first, handoffs[0].to_member, "on a customer call")]
    assert Journal(team).plan(DAY).facilitator == handoffs[0].to_member


async def test_private_concern_stays_on_this_machine(make_app: MADE, team: TeamConfig) -> None:
    """A private concern is written to the private folder only and never shown on the shared screen."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_round(pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"burning out", "tab", "tab", "enter", "down", "down", "enter", "ctrl+s")
        await settle(pilot)
        assert "burning out" not in screen_text(app)
    journal = Journal(team)
    assert journal.read(("concern",)).live() == []
    private = journal.private.read(("concern",)).live()
    assert [r.payload["text"] for r in private] == ["burning out"]


async def test_an_anonymous_concern_is_shown_beside_no_one(make_app: MADE, team: TeamConfig) -> None:
    """The dialog names nobody, the speaker's turn gains nothing, and the record carries no member."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_round(pilot)
        speaker = screen.pulse.view().speaker or ""
        await pilot.press("c")
        await pilot.pause()
        assert speaker and speaker not in str(app.screen.query_one(".dialog-title").render())
        await pilot.press(*"the reorg scares me", "tab", "tab", "enter", "down", "enter", "ctrl+s")
        await settle(pilot)
        assert "the reorg" not in screen_text(app) and "anonymous" not in str(
            screen.query_one("#said").render())
    journal = Journal(team, now=fixed_now)
    assert journal.read(("concern",)).live() == []  # it waits on this machine, like an answer
    (held,) = [r for r in journal.private.read(("concern",)).live() if r.payload.get("pending")]
    assert held.payload["text"] == "the reorg scares me"


async def test_an_anonymous_concern_keyed_in_the_round_of_a_totals_team_is_not_saved(
        make_app: MADE, team: TeamConfig) -> None:
    """Anonymous answers go only to the team's totals: keyed here it would be the facilitator's file.

    The app says so plainly, and nothing is written, shared or private.
    """
    totals_team = team._replace(anonymous="totals")
    app = make_app(team_config=totals_team)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_round(pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"the reorg scares me", "tab", "tab", "enter", "down", "enter", "ctrl+s")
        await settle(pilot)
        notices = [str(n.message) for n in app._notifications]
        assert any("goes only with its author's own check-in" in n for n in notices)
    journal = Journal(totals_team, now=fixed_now)
    assert journal.read(("concern",)).live() == []
    assert journal.private.read(("concern",)).live() == []


async def test_anonymous_moods_are_saved_without_a_name(make_app: MADE, team: TeamConfig) -> None:
    """With mood privacy "anonymous", a mood key saves an anonymous check-in and shows no number."""
    anon = team._replace(mood_privacy="anonymous")
    app = make_app(team_config=anon)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_round(pilot)
        await pilot.press("1")
        await settle(pilot)
        text = screen_text(app)
        assert "mood noted anonymously" in text and "struggling" not in text
        journal = Journal(anon)
        assert not [r for r in journal.read(("checkin",)).live() if "mood" in r.payload]  # one: held here
        await pilot.press("space", "2", "space", "3")  # three answers: now none points at anyone
        await settle(pilot)
    assert not [r for r in journal.read(("checkin",)).live() if "mood" in r.payload]  # not this session
    assert Journal(anon, now=fixed_now).release_pending() == 3  # the next session on this machine
    records = journal.read(("checkin",)).live()
    answers = [r.payload for r in records if r.payload["visibility"] == "anonymous"]
    placeholders = [r.payload for r in records if r.payload["visibility"] == "withheld"]
    assert sorted(a["mood"] for a in answers) == [1, 2, 3] and all("member" not in a for a in answers)
    assert len(placeholders) == 3 and all("mood" not in p for p in placeholders)  # who, never what
