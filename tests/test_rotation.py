"""Facilitator rotation and speaking order: computed from the records, the same on every machine."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from huddle_tui.config.team import AwayRange, Member, TeamConfig
from huddle_tui.journal import Journal
from huddle_tui.model.huddle import Handoff, Huddle
from huddle_tui.rules.rotation import Held, pick_facilitator, plan_for, speaking_order
from tests.conftest import run_huddle

DAY = date(2026, 11, 26)


def roster(*members: Member, speaking_order: str = "random") -> TeamConfig:
    """A team of the given members."""
    return TeamConfig(name="Platform", members=members, shared_dir=Path("."), speaking_order=speaking_order)


def held(day: date, facilitator: str, order: tuple[str, ...] = ()) -> Held:
    """A past huddle."""
    return Held(day.isoformat(), facilitator, order)


ABC = roster(Member("Ana"), Member("Ben"), Member("Chen"))


def test_never_facilitated_goes_first_in_roster_order() -> None:
    """With no history, the first member of the roster facilitates."""
    assert pick_facilitator(ABC, DAY, []).name == "Ana"  # type: ignore[union-attr]


def test_least_recent_facilitator_is_picked() -> None:
    """Whoever facilitated longest ago is next; never counts as longest ago."""
    history = [held(DAY - timedelta(days=3), "Ben"), held(DAY - timedelta(days=2), "Ana")]
    assert pick_facilitator(ABC, DAY, history).name == "Chen"  # type: ignore[union-attr]
    history.append(held(DAY - timedelta(days=1), "Chen"))
    assert pick_facilitator(ABC, DAY, history).name == "Ben"  # type: ignore[union-attr]


def test_ties_go_by_roster_order() -> None:
    """Two members who never facilitated: the earlier on the roster goes first."""
    history = [held(DAY - timedelta(days=1), "Ana")]
    assert pick_facilitator(ABC, DAY, history).name == "Ben"  # type: ignore[union-attr]


def test_future_huddles_do_not_count() -> None:
    """A huddle dated after the day asked about does not move that day's rotation."""
    assert pick_facilitator(ABC, DAY, [held(DAY + timedelta(days=1), "Ana")]).name == "Ana"  # type: ignore[union-attr]


def test_away_and_first_week_members_do_not_facilitate() -> None:
    """Away members and members in their first week are skipped (but new members still speak)."""
    team = roster(Member("Ana", away=(AwayRange(DAY, DAY),)), Member("Ben", joined=DAY - timedelta(days=3)),
                  Member("Chen"))
    assert pick_facilitator(team, DAY, []).name == "Chen"  # type: ignore[union-attr]
    assert set(speaking_order(team, DAY, "Chen", [])) == {"Ben", "Chen"}
    team = roster(Member("Ben", joined=DAY - timedelta(days=7)), Member("Chen"))
    assert pick_facilitator(team, DAY, []).name == "Ben"  # type: ignore[union-attr]


def test_members_not_yet_joined_are_not_expected() -> None:
    """Someone joining next week is neither a speaker nor a facilitator today."""
    team = roster(Member("Ana"), Member("Ben", joined=DAY + timedelta(days=5)))
    assert speaking_order(team, DAY, "Ana", []) == ["Ana"]


def test_nobody_eligible_gives_no_facilitator() -> None:
    """Everyone away: no facilitator, and an honest empty plan."""
    team = roster(Member("Ana", away=(AwayRange(DAY, DAY),)))
    plan = plan_for(team, DAY, [], [])
    assert plan.facilitator is None and plan.order == ()


def test_random_order_is_seeded_by_team_and_date() -> None:
    """Same team and date, same order; another date shuffles differently (over a few dates)."""
    team = roster(*(Member(n) for n in "ABCDEFGH"))
    first = speaking_order(team, DAY, "A", [])
    assert first == speaking_order(team, DAY, "A", [])
    others = {tuple(speaking_order(team, DAY + timedelta(days=i), "A", [])) for i in range(1, 6)}
    assert len(others | {tuple(first)}) > 1
    assert first[0] == "A" and sorted(first) == list("ABCDEFGH")


def test_roster_order_and_facilitator_position() -> None:
    """roster keeps the roster; the facilitator goes first or last as configured."""
    team = roster(Member("Ana"), Member("Ben"), Member("Chen"), speaking_order="roster")
    assert speaking_order(team, DAY, "Ben", []) == ["Ben", "Ana", "Chen"]
    last = team._replace(facilitator_position="last")
    assert speaking_order(last, DAY, "Ben", []) == ["Ana", "Chen", "Ben"]


def test_fair_order_moves_early_speakers_later() -> None:
    """Whoever spoke first recently speaks later."""
    team = roster(Member("F"), Member("Ana"), Member("Ben"), Member("Chen"), speaking_order="fair")
    history = [held(DAY - timedelta(days=i), "F", ("F", "Ana", "Ben", "Chen")) for i in range(1, 4)]
    assert speaking_order(team, DAY, "F", history) == ["F", "Chen", "Ben", "Ana"]


def test_handoff_is_recorded_and_respected(team: TeamConfig) -> None:
    """A handoff for a date makes its recipient that date's facilitator, and counts as facilitating."""
    journal = Journal(team)
    assert journal.plan(DAY).facilitator == "Ana"
    journal.save_handoff(Handoff(DAY.isoformat(), "Ana", "Dara", "Ana is on a customer call"))
    plan = journal.plan(DAY)
    assert (plan.facilitator, plan.reason) == ("Dara", "handoff")
    assert plan.handoff is not None and plan.handoff.reason == "Ana is on a customer call"
    assert journal.plan(DAY + timedelta(days=1)).facilitator == "Ana"


def test_held_huddle_moves_the_rotation_on(team: TeamConfig) -> None:
    """Once today's huddle is recorded, the next working day's facilitator is the next in line."""
    journal = Journal(team)
    days = [DAY]  # a Thursday: the weekend in between has no huddle
    while len(days) < 6:
        days.append(team.next_workday(days[-1]))
    for day in days[:5]:
        plan = journal.plan(day)
        journal.save_huddle(Huddle(day.isoformat(), plan.facilitator or "", plan.order))
    facilitators = [journal.plan(day).facilitator for day in days]
    assert facilitators == ["Ana", "Ben", "Chen", "Dara", "Emeka", "Ana"]


def test_weekends_and_holidays_have_no_huddle(team: TeamConfig) -> None:
    """Nobody facilitates or is expected on a day off; the rotation skips it."""
    saturday, holiday = date(2026, 11, 28), date(2026, 12, 1)
    team = team._replace(holidays=frozenset({holiday}))
    journal = Journal(team)
    for day in (saturday, holiday):
        assert journal.plan(day).facilitator is None and team.expected(day) == []
    assert team.next_workday(date(2026, 11, 27)) == date(2026, 11, 30)
    assert team.next_workday(date(2026, 11, 30)) == date(2026, 12, 2)
    sunday_team = team._replace(workdays=(6,))
    assert sunday_team.is_workday(date(2026, 11, 29)) and not sunday_team.is_workday(DAY)


def test_old_history_beyond_the_recent_window_still_counts(team: TeamConfig) -> None:
    """Members last seen facilitating long ago are ranked by that old date, not forgotten."""
    journal = Journal(team)
    old = DAY - timedelta(days=400)
    for offset, name in enumerate(["Emeka", "Dara", "Chen", "Ben", "Ana"]):
        journal.save_huddle(Huddle((old + timedelta(days=offset)).isoformat(), name, ()))
    assert journal.plan(DAY).facilitator == "Emeka"


def test_every_machine_prints_the_same_plan(team: TeamConfig, tmp_path: Path) -> None:
    """Two processes with different homes and working dirs agree on facilitator and order."""
    config = str(team.shared_dir / "huddle.toml")
    outputs = []
    for machine in ("laptop", "desktop"):
        home = tmp_path / machine
        home.mkdir()
        env = {"HUDDLE_CONFIG_DIR": str(home / "c"), "HUDDLE_DATA_DIR": str(home / "d"),
               "HUDDLE_CACHE_DIR": str(home / "k"), "HUDDLE_CONFIG": config}
        result = run_huddle("next", "--json", "--date", "2026-11-26", env=env, cwd=home)
        assert result.returncode == 0, result.stderr
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert set(outputs[0]) >= {"date", "facilitator", "order"}
    assert outputs[0]["facilitator"] == "Ana" and len(outputs[0]["order"]) == 5


def test_a_countrys_public_holidays_have_no_huddle(team: TeamConfig) -> None:
    """holiday_country draws on the holidays package: Portugal's 10 June is a day off there."""
    portugal = team._replace(holiday_country="PT")
    assert not portugal.is_workday(date(2026, 6, 10)) and team.is_workday(date(2026, 6, 10))
    assert Journal(portugal).plan(date(2026, 6, 10)).facilitator is None
