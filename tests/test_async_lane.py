"""The async rule: which check-ins were given before the round, judged from the records alone."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle_tui.config.team import TeamConfig, with_members
from huddle_tui.rules.async_lane import async_members, cutoff, is_async
from huddle_tui.storage.envelope import Record, encode
from huddle_tui.storage.signature import SigningKey

DAY = date(2026, 3, 2)  # a Monday; Berlin is on UTC+1
KEY = SigningKey(b"\x07" * 32)
TEAM = with_members(TeamConfig(name="Platform", members=(), shared_dir=Path("unused"),
                               timezone="Europe/Berlin", huddle_at="09:30"), ["Ana", "Ben", "Chen"])
HUDDLE_AT = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)  # 09:30 in Berlin


def stamp(moment: datetime) -> str:
    """A time as a record's `written_at` spells it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def checkin(member: str, written: datetime, day: date = DAY, *, signed: bool = True,
            **payload: Any) -> Record:
    """A named check-in record written at `written` (signed unless told)."""
    body = {"member": member, "mood": 4, "status": "", "concerns": [], "visibility": "team",
            "source": "cli", **payload}
    if body["visibility"] == "withheld":
        for key in ("mood", "status", "concerns"):
            body.pop(key)
    return encode("checkin", f"c-{member}", 1, day.isoformat(), stamp(written), body,
                  key=KEY if signed else None)[0]


def huddle(started_at: str | None, day: date = DAY, round_no: int = 1) -> Record:
    """A huddle record whose round started at `started_at` (as the round writes it, to the second)."""
    body = {"facilitator": "Ben", "order": ["Ana", "Ben", "Chen"], "turns": [], "round_s": 300.0,
            "started_at": started_at, "ended_at": None, "round": round_no}
    return encode("huddle", f"h-{round_no}", 1, day.isoformat(), "2026-03-02T08:00:00.000000Z", body,
                  key=KEY)[0]


TICK = timedelta(microseconds=1)


def test_the_huddle_time_is_the_cutoff_before_any_round() -> None:
    """Up to the microsecond before 09:30 on the team's clock a check-in is async; at 09:30 it is not."""
    assert cutoff(TEAM, DAY, ()) == HUDDLE_AT
    assert is_async(checkin("Ana", HUDDLE_AT - TICK), HUDDLE_AT)
    assert not is_async(checkin("Ana", HUDDLE_AT), HUDDLE_AT)
    records = [checkin("Ana", HUDDLE_AT - TICK), checkin("Ben", HUDDLE_AT)]
    assert async_members(TEAM, DAY, records) == {"ana"}


def test_a_round_started_early_moves_the_cutoff_to_its_start() -> None:
    """The first round began at 09:20 Berlin: a check-in at 09:20:00 was given during it, not before."""
    started = datetime(2026, 3, 2, 8, 20, tzinfo=UTC)
    rounds = [huddle("2026-03-02T08:20:00Z"), huddle("2026-03-02T08:45:00Z", round_no=2)]
    assert cutoff(TEAM, DAY, rounds) == started  # the earliest start, not the second round's
    records = [checkin("Ana", started - TICK), checkin("Ben", started), *rounds]
    assert async_members(TEAM, DAY, records) == {"ana"}


def test_a_round_started_late_leaves_the_huddle_time_as_the_cutoff() -> None:
    """A round at 09:40 does not make a check-in at 09:35 async: the huddle was at 09:30."""
    records = [checkin("Ana", HUDDLE_AT + timedelta(minutes=5)), huddle("2026-03-02T08:40:00Z")]
    assert async_members(TEAM, DAY, records) == frozenset()


def test_without_a_huddle_time_the_round_starting_now_is_the_cutoff() -> None:
    """No `huddle_at`: before a round everything so far is async; a round starting now bounds it."""
    team = TEAM._replace(huddle_at=None)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    records = [checkin("Ana", now - TICK), checkin("Ben", now)]
    assert cutoff(team, DAY, ()) is None
    assert async_members(team, DAY, records) == {"ana", "ben"}
    assert async_members(team, DAY, records, started=now) == {"ana"}
    assert async_members(team, DAY, records, started=now - 2 * TICK) == frozenset()


@pytest.mark.parametrize(("day", "utc_hour"), [
    (date(2026, 3, 27), 8),  # Friday before the change: CET, UTC+1
    (date(2026, 3, 30), 7),  # Monday after it: CEST, UTC+2
])
def test_the_huddle_time_follows_the_team_zone_across_dst_whatever_this_machine_says(
        day: date, utc_hour: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """09:30 in Berlin is 08:30 or 07:30 UTC around the DST change, on a machine in Auckland too."""
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    try:
        at = datetime(day.year, day.month, day.day, utc_hour, 30, tzinfo=UTC)
        assert cutoff(TEAM, day, ()) == at
        records = [checkin("Ana", at - TICK, day), checkin("Ben", at, day)]
        assert async_members(TEAM, day, records) == {"ana"}
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(("why", "record"), [
    ("unsigned (from before keys)", checkin("Ana", HUDDLE_AT - TICK, signed=False)),
    ("keyed on the round's shared screen", checkin("Ana", HUDDLE_AT - TICK, source="tui")),
    ("keyed for them by someone else", checkin("Ana", HUDDLE_AT - TICK, keyed_by="Ben")),
    ("anonymous", encode("checkin", "anon", 1, DAY.isoformat(), DAY.isoformat(),
                         {"mood": 4, "visibility": "anonymous", "source": "cli"}, key=KEY)[0]),
    ("private", checkin("Ana", HUDDLE_AT - TICK, visibility="private")),
    ("for another date", checkin("Ana", HUDDLE_AT - timedelta(days=1), DAY - timedelta(days=1))),
])
def test_what_is_never_async(why: str, record: Record) -> None:
    """Only a member's own signed, named check-in for the day counts."""
    assert async_members(TEAM, DAY, [record]) == frozenset(), why


@pytest.mark.parametrize(("why", "record"), [
    ("a placeholder of an anonymous or private answer",
     checkin("Ana", HUDDLE_AT - TICK, visibility="withheld")),
    ("a bot's line keyed for its member", checkin("Ana", HUDDLE_AT - TICK, keyed_by="Ben", source="bot")),
    ("the check-in form", checkin("Ana", HUDDLE_AT - TICK, source="form")),
])
def test_what_is_async(why: str, record: Record) -> None:
    """Given before the huddle from a terminal, the form or a bot, by name or as a placeholder."""
    assert async_members(TEAM, DAY, [record]) == {"ana"}, why


@given(st.integers(min_value=-10**7, max_value=10**7))
def test_async_is_exactly_before_the_cutoff(offset_us: int) -> None:
    """Whatever the distance from the cutoff, a check-in is async exactly when written before it."""
    written = HUDDLE_AT + timedelta(microseconds=offset_us)
    assert is_async(checkin("Ana", written), HUDDLE_AT) is (offset_us < 0)


def test_turns_keep_their_old_shape_and_async_is_checked() -> None:
    """A turn that is not async is written as before (no key); `async` must be true or false."""
    from huddle_tui.model.huddle import Turn
    from huddle_tui.storage.validate import problem

    old = {"speaker": "Ana", "timebox_s": 60.0, "spoken_s": 42.0, "skipped": False, "late": False}
    assert Turn.from_payload(old).to_payload() == old and not Turn.from_payload(old).asynchronous
    turn = Turn.from_payload({**old, "async": True})
    assert turn.asynchronous and turn.to_payload() == {**old, "async": True}
    huddle = {"facilitator": "Ben", "order": ["Ana"], "round_s": 300.0}
    assert problem("huddle", {**huddle, "turns": [{**old, "async": True}]}) is None
    assert problem("huddle", {**huddle, "turns": [{**old, "async": "yes"}]}) == \
        "invalid huddle: turns: async must be true or false"
