"""The "fewest" rotation: facilitations counted over a window, so an absence is caught up."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from huddle_tui.config.team import AwayRange, TeamConfig, load_team_config, team_config_to_toml, write_toml
from huddle_tui.errors import ConfigError
from huddle_tui.journal import Journal
from huddle_tui.model.huddle import Huddle
from huddle_tui.rules.rotation import Held, pick_facilitator

START = date(2026, 11, 2)  # a Monday


def working_days(team: TeamConfig, count: int) -> list[date]:
    """The team's next `count` working days from START."""
    days = [START]
    while len(days) < count:
        days.append(team.next_workday(days[-1]))
    return days


def tally(team: TeamConfig, days: list[date]) -> Counter[str]:
    """Run the rotation day by day, recording each day's facilitator, and count who led."""
    held: list[Held] = []
    for day in days:
        chosen = pick_facilitator(team, day, held)
        assert chosen is not None
        held.append(Held(day.isoformat(), chosen.name, ()))
    return Counter(h.facilitator for h in held)


def with_week_away(team: TeamConfig) -> TeamConfig:
    """Ana is away the first week."""
    members = list(team.members)
    members[0] = members[0]._replace(away=(AwayRange(START, START + timedelta(days=4)),))
    return team._replace(members=tuple(members))


def test_fewest_evens_out_after_a_week_away(team: TeamConfig) -> None:
    """20 working days, one member away for the first week: least-recent leaves her a turn behind."""
    away = with_week_away(team)
    days = working_days(away, 20)
    least_recent = tally(away, days)
    assert sorted(least_recent.values()) == [3, 4, 4, 4, 5]
    assert least_recent["Ana"] == 3
    fewest = tally(away._replace(rotation="fewest", rotation_window_weeks=4), days)
    assert sorted(fewest.values()) == [4, 4, 4, 4, 4]


def test_fewest_breaks_ties_by_least_recent_then_roster() -> None:
    """Equal counts: whoever led longest ago; never led at all ties by roster order."""
    from huddle_tui.config.team import Member

    team = TeamConfig("T", (Member("Ana"), Member("Ben"), Member("Chen")), Path("."), rotation="fewest")
    day = START + timedelta(days=14)
    history = [Held((day - timedelta(days=3)).isoformat(), "Ben", ()),
               Held((day - timedelta(days=2)).isoformat(), "Ana", ()),
               Held((day - timedelta(days=1)).isoformat(), "Ana", ())]
    assert pick_facilitator(team, day, history).name == "Chen"  # type: ignore[union-attr]
    history.append(Held((day - timedelta(days=1)).isoformat(), "Chen", ()))
    assert pick_facilitator(team, day, history).name == "Ben"  # type: ignore[union-attr]
    old = [Held((day - timedelta(weeks=5)).isoformat(), "Ana", ())] * 3
    assert pick_facilitator(team._replace(rotation_window_weeks=4), day,
                            [*old, *history]).name == "Ben"  # type: ignore[union-attr]


def test_the_journal_reads_enough_months_to_agree_with_the_whole_history(team: TeamConfig) -> None:
    """plan() reads months back only until settled; with "fewest" that must still cover the window."""
    cfg = with_week_away(team)._replace(rotation="fewest", rotation_window_weeks=4)
    write_toml(cfg.shared_dir / "huddle.toml", team_config_to_toml(cfg))
    cfg = load_team_config(cfg.shared_dir / "huddle.toml")
    assert (cfg.rotation, cfg.rotation_window_weeks) == ("fewest", 4)
    journal = Journal(cfg)
    days = working_days(cfg, 20)
    for day in days:
        plan = journal.plan(day)
        whole = journal.plan(day, history=journal.shared.read(("huddle", "handoff")))
        assert plan == whole
        journal.save_huddle(Huddle(day.isoformat(), plan.facilitator or "", plan.order))
    led = Counter(journal.plan(day).facilitator for day in days)
    assert sorted(led.values()) == [4, 4, 4, 4, 4]


@pytest.mark.parametrize(("line", "problem"), [('rotation = "oldest"', "team.rotation"),
                                               ("rotation_window_weeks = 0", "team.rotation_window_weeks"),
                                               ("rotation_window_weeks = 2.5", "team.rotation_window_weeks"),
                                               ('min_turn_seconds = "20"', "team.min_turn_seconds")])
def test_bad_rotation_settings_are_named(team: TeamConfig, line: str, problem: str) -> None:
    """A wrong value gets one line naming the key."""
    path = team.shared_dir / "huddle.toml"
    text = path.read_text(encoding="utf-8").replace("[team]\n", f"[team]\n{line}\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        load_team_config(path)


def test_counts_in_an_older_month_of_the_window_are_read(team: TeamConfig) -> None:
    """Ana led three times late last month; this month's records alone would make her next."""
    cfg = team._replace(rotation="fewest", rotation_window_weeks=4)
    journal = Journal(cfg)
    for day, name in [(date(2026, 11, 24), "Ana"), (date(2026, 11, 25), "Ana"), (date(2026, 11, 26), "Ana"),
                      (date(2026, 12, 1), "Ben"), (date(2026, 12, 2), "Chen"), (date(2026, 12, 3), "Dara"),
                      (date(2026, 12, 4), "Emeka")]:
        journal.save_huddle(Huddle(day.isoformat(), name, ()))
    assert journal.plan(date(2026, 12, 7)).facilitator == "Ben"
